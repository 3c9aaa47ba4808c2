"""ORWRITE (16) (SBC-4 5.11)."""
from __future__ import annotations

import pytest

from sgframe import errors

from .helpers import LBA_OUT_OF_RANGE, read, scratch_lba, write

pytestmark = [pytest.mark.destructive, pytest.mark.requires("not_zoned", "writable"),
              pytest.mark.requires_command("OrWrite16")]


def test_orwrite_ors_the_data(scsi_channel, scsi_device):
    """SBC-4 5.11 and 4.x (ORWRITE): the medium becomes the bitwise OR of its data and
    the data-out."""
    lba, size = scratch_lba(scsi_device), scsi_channel.block_size
    old = bytes([0x0F, 0x30]) * (size // 2)
    mask = bytes([0xF0, 0x03]) * (size // 2)
    write(scsi_channel, lba, old)
    scsi_channel.cmd.OrWrite16(lba=lba, transfer_length=1, data=mask)
    assert read(scsi_channel, lba, 1) == bytes([0xFF, 0x33]) * (size // 2)


def test_orwrite_beyond_capacity(scsi_channel, scsi_device, scsi_expect):
    """SBC-4 5.11: past the last LBA: LOGICAL BLOCK ADDRESS OUT OF RANGE."""
    with scsi_expect(errors.IllegalRequest, **LBA_OUT_OF_RANGE):
        scsi_channel.cmd.OrWrite16(lba=scsi_device.last_lba, transfer_length=2, data=bytes(2 * scsi_channel.block_size))
