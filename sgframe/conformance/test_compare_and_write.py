"""COMPARE AND WRITE (SBC-4 5.3; Block Limits VPD page 6.6.4)."""
from __future__ import annotations

import pytest

from sgframe import errors

from .helpers import INVALID_FIELD_IN_CDB, LBA_OUT_OF_RANGE, pattern, read, scratch_lba, write

pytestmark = [pytest.mark.destructive, pytest.mark.requires("not_zoned", "writable"),
              pytest.mark.requires_command("CompareAndWrite")]


def test_match_writes(scsi_channel, scsi_device):
    """SBC-4 5.3: when the compare data equal the medium, the write data are stored."""
    lba, size = scratch_lba(scsi_device), scsi_channel.block_size
    old, new = pattern(lba, 1, size, tag=1), pattern(lba, 1, size, tag=2)
    write(scsi_channel, lba, old)
    scsi_channel.cmd.CompareAndWrite(lba=lba, number_of_logical_blocks=1, data=old + new)
    assert read(scsi_channel, lba, 1) == new


def test_miscompare_writes_nothing(scsi_channel, scsi_device, scsi_expect):
    """SBC-4 5.3: a difference: MISCOMPARE, MISCOMPARE DURING VERIFY OPERATION (1Dh/00h),
    INFORMATION holding the offset of the first differing byte; nothing is written."""
    lba, size = scratch_lba(scsi_device), scsi_channel.block_size
    old, new = pattern(lba, 1, size, tag=1), pattern(lba, 1, size, tag=2)
    write(scsi_channel, lba, old)
    wrong = bytearray(old)
    wrong[100] ^= 0x01
    with scsi_expect(errors.Miscompare, asc=0x1D, ascq=0x00) as caught:
        scsi_channel.cmd.CompareAndWrite(lba=lba, number_of_logical_blocks=1, data=bytes(wrong) + new)
    assert read(scsi_channel, lba, 1) == old
    assert caught.failure.information == 100


@pytest.mark.requires("block_limits")
def test_longer_than_the_limit(scsi_channel, scsi_device, scsi_expect):
    """SBC-4 5.3: NUMBER OF LOGICAL BLOCKS above MAXIMUM COMPARE AND WRITE LENGTH:
    ILLEGAL REQUEST, INVALID FIELD IN CDB."""
    limit = scsi_device.block_limits.maximum_compare_and_write_length
    if not limit or limit >= 255:
        pytest.skip(f"MAXIMUM COMPARE AND WRITE LENGTH {limit} cannot be exceeded")
    count = limit + 1
    data = pattern(0, count, scsi_channel.block_size) * 2
    with scsi_expect(errors.IllegalRequest, **INVALID_FIELD_IN_CDB):
        scsi_channel.cmd.CompareAndWrite(lba=0, number_of_logical_blocks=count, data=data)


def test_beyond_capacity(scsi_channel, scsi_device, scsi_expect):
    """SBC-4 5.3: one block past the last LBA: LOGICAL BLOCK ADDRESS OUT OF RANGE (one
    block, so that no MAXIMUM COMPARE AND WRITE LENGTH is exceeded too)."""
    data = bytes(2 * scsi_channel.block_size)
    with scsi_expect(errors.IllegalRequest, **LBA_OUT_OF_RANGE):
        scsi_channel.cmd.CompareAndWrite(lba=scsi_device.blocks, number_of_logical_blocks=1, data=data)
