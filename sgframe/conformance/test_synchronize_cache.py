"""SYNCHRONIZE CACHE (10) and (16) (SBC-4 5.28, 5.29)."""
from __future__ import annotations

import pytest

from sgframe import errors

from .helpers import LBA_OUT_OF_RANGE

NAMES = ["SynchronizeCache10", "SynchronizeCache16"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("immed", [False, True])
def test_synchronize_everything(scsi_channel, name, immed):
    """SBC-4 5.28: LBA 0 and NUMBER OF LOGICAL BLOCKS 0 synchronize the whole medium."""
    getattr(scsi_channel.cmd, name)(lba=0, number_of_logical_blocks=0, immed=immed)


@pytest.mark.parametrize("name", NAMES)
def test_synchronize_a_range(scsi_channel, scsi_device, name):
    """SBC-4 5.28: a range ending at the last LBA is valid."""
    lba = min(scsi_device.last_lba - 7, 0xFFFFFFFF - 7) if scsi_device.blocks > 8 else 0
    getattr(scsi_channel.cmd, name)(lba=lba, number_of_logical_blocks=min(8, scsi_device.blocks))


@pytest.mark.parametrize("name", NAMES)
def test_synchronize_beyond_capacity(scsi_channel, scsi_device, scsi_expect, name):
    """SBC-4 5.28: a range past the last LBA: ILLEGAL REQUEST, LOGICAL BLOCK ADDRESS OUT
    OF RANGE."""
    if name == "SynchronizeCache10" and scsi_device.blocks > 0xFFFFFFFF:
        pytest.skip("the capacity exceeds a 32-bit LBA")
    with scsi_expect(errors.IllegalRequest, **LBA_OUT_OF_RANGE):
        getattr(scsi_channel.cmd, name)(lba=scsi_device.last_lba, number_of_logical_blocks=2)
