"""WRITE ATOMIC (16) (SBC-4 5.48; atomic limits of the Block Limits VPD page 6.6.4)."""
from __future__ import annotations

import pytest

from sgframe import errors

from .helpers import INVALID_FIELD_IN_CDB, pattern, read, scratch_lba

pytestmark = [pytest.mark.destructive, pytest.mark.requires("not_zoned", "writable", "block_limits"),
              pytest.mark.requires_command("WriteAtomic16")]


def _limit(device):
    limit = device.block_limits.maximum_atomic_transfer_length
    if not limit:
        pytest.skip("MAXIMUM ATOMIC TRANSFER LENGTH is zero: atomic writes are not supported (SBC-4 6.6.4)")
    return limit


def test_atomic_write_stores(scsi_channel, scsi_device):
    """SBC-4 5.48: an atomic write within the limits stores all of its data."""
    _limit(scsi_device)
    granularity = scsi_device.block_limits.atomic_transfer_length_granularity or 1
    alignment = scsi_device.block_limits.atomic_alignment or 1
    lba = scratch_lba(scsi_device) // alignment * alignment
    data = pattern(lba, granularity, scsi_channel.block_size)
    scsi_channel.cmd.WriteAtomic16(lba=lba, transfer_length=granularity, data=data)
    assert read(scsi_channel, lba, granularity) == data


def test_atomic_write_longer_than_the_limit(scsi_channel, scsi_device, scsi_expect):
    """SBC-4 5.48: TRANSFER LENGTH above MAXIMUM ATOMIC TRANSFER LENGTH: ILLEGAL REQUEST,
    INVALID FIELD IN CDB."""
    count = _limit(scsi_device) + 1
    with scsi_expect(errors.IllegalRequest, **INVALID_FIELD_IN_CDB):
        scsi_channel.cmd.WriteAtomic16(lba=0, transfer_length=count, data=bytes(count * scsi_channel.block_size))
