"""WRITE SAME (10) and (16) (SBC-4 5.49, 5.50; Block Limits VPD page 6.6.4)."""
from __future__ import annotations

import pytest

from sgframe import errors

from .helpers import INVALID_FIELD_IN_CDB, LBA_OUT_OF_RANGE, pattern, read, scratch_lba

pytestmark = [pytest.mark.destructive, pytest.mark.requires("not_zoned", "writable")]
NAMES = ["WriteSame10", "WriteSame16"]


@pytest.mark.parametrize("name", NAMES)
def test_write_same_fills_the_range(scsi_channel, scsi_device, name):
    """SBC-4 5.49: the one block of data-out is written to every LBA of the range."""
    lba = scratch_lba(scsi_device)
    block = pattern(7, 1, scsi_channel.block_size, tag=0x77)
    getattr(scsi_channel.cmd, name)(lba=lba, number_of_logical_blocks=4, data=block)
    assert read(scsi_channel, lba, 4) == block * 4


@pytest.mark.parametrize("name", NAMES)
def test_write_same_beyond_capacity(scsi_channel, scsi_device, scsi_expect, name):
    """SBC-4 5.49: a range past the last LBA: LOGICAL BLOCK ADDRESS OUT OF RANGE."""
    if name == "WriteSame10" and scsi_device.blocks > 0xFFFFFFFF:
        pytest.skip("the capacity exceeds a 32-bit LBA")
    with scsi_expect(errors.IllegalRequest, **LBA_OUT_OF_RANGE):
        getattr(scsi_channel.cmd, name)(lba=scsi_device.last_lba, number_of_logical_blocks=2,
                                        data=bytes(scsi_channel.block_size))


@pytest.mark.requires("block_limits")
def test_write_same_longer_than_the_limit(scsi_channel, scsi_device, scsi_expect):
    """SBC-4 5.50 and 6.6.4: NUMBER OF LOGICAL BLOCKS above MAXIMUM WRITE SAME LENGTH
    (when non-zero): ILLEGAL REQUEST, INVALID FIELD IN CDB."""
    limit = scsi_device.block_limits.maximum_write_same_length
    if not limit or limit + 1 > scsi_device.blocks:
        pytest.skip("no MAXIMUM WRITE SAME LENGTH below the capacity")
    with scsi_expect(errors.IllegalRequest, **INVALID_FIELD_IN_CDB):
        scsi_channel.cmd.WriteSame16(lba=0, number_of_logical_blocks=limit + 1, data=bytes(scsi_channel.block_size))


@pytest.mark.requires("block_limits")
@pytest.mark.parametrize("name", NAMES)
def test_write_same_zero_blocks_with_wsnz(scsi_channel, scsi_device, scsi_expect, name):
    """SBC-4 6.6.4 (WSNZ) and 5.49: with WSNZ=1 the device does not support NUMBER OF
    LOGICAL BLOCKS zero (the whole medium): ILLEGAL REQUEST, INVALID FIELD IN CDB."""
    if not scsi_device.block_limits.wsnz:
        pytest.skip("WSNZ=0: NUMBER OF LOGICAL BLOCKS zero means to the end of the medium")
    with scsi_expect(errors.IllegalRequest, **INVALID_FIELD_IN_CDB):
        getattr(scsi_channel.cmd, name)(lba=0, number_of_logical_blocks=0, data=bytes(scsi_channel.block_size))


@pytest.mark.requires("write_same_unmap")
def test_write_same_unmap_reads_zeros(scsi_channel, scsi_device):
    """SBC-4 5.50 and 4.7.4.5: WRITE SAME(16) with UNMAP and a block of zeros unmaps (or
    writes) the range; with LBPRZ=1 it then reads back as zeros."""
    lba = scratch_lba(scsi_device, 16)
    scsi_channel.cmd.Write16(lba=lba, transfer_length=16, data=pattern(lba, 16, scsi_channel.block_size))
    scsi_channel.cmd.WriteSame16(lba=lba, number_of_logical_blocks=16, unmap=True, data=bytes(scsi_channel.block_size))
    if scsi_device.lbprz:
        assert read(scsi_channel, lba, 16) == bytes(16 * scsi_channel.block_size)


@pytest.mark.requires("write_same_unmap")
def test_write_same_ndob(scsi_channel, scsi_device):
    """SBC-4 5.50: NDOB=1 sends no data-out; the range reads as zeros afterwards."""
    lba = scratch_lba(scsi_device, 8)
    scsi_channel.cmd.Write16(lba=lba, transfer_length=8, data=pattern(lba, 8, scsi_channel.block_size))
    try:
        scsi_channel.cmd.WriteSame16(lba=lba, number_of_logical_blocks=8, unmap=True, ndob=True)
    except errors.IllegalRequest as failure:
        if failure.asc == 0x24:
            pytest.skip("the device does not support NDOB (INVALID FIELD IN CDB)")
        raise
    assert read(scsi_channel, lba, 8) == bytes(8 * scsi_channel.block_size)


def test_write_same_anchor_without_anc_sup(scsi_channel, scsi_device, scsi_expect):
    """SBC-4 5.50: ANCHOR=1 when ANC_SUP=0 in the Logical Block Provisioning VPD page:
    ILLEGAL REQUEST, INVALID FIELD IN CDB."""
    lbp = scsi_device.logical_block_provisioning
    if lbp is None or lbp.anc_sup:
        pytest.skip("anchoring is supported (or the LBP page is missing)")
    with scsi_expect(errors.IllegalRequest, **INVALID_FIELD_IN_CDB):
        scsi_channel.cmd.WriteSame16(lba=0, number_of_logical_blocks=1, anchor=True, unmap=True,
                                     data=bytes(scsi_channel.block_size))
