"""UNMAP (SBC-4 5.32; Block Limits VPD page 6.6.4)."""
from __future__ import annotations

import pytest

from sgframe import errors
from sgframe.params import unmap_parameters

from .helpers import INVALID_FIELD_IN_PARAMETER_LIST, LBA_OUT_OF_RANGE, pattern, read, scratch_lba

pytestmark = [pytest.mark.destructive, pytest.mark.requires("unmap", "writable"),
              pytest.mark.requires_command("Unmap")]


def _unmap(channel, pairs):
    data = unmap_parameters(pairs)
    return channel.cmd.Unmap(parameter_list_length=len(data), data=data)


def test_unmap_deallocates(scsi_channel, scsi_device):
    """SBC-4 5.32 and 4.7.3.4: unmapped LBAs are deallocated or anchored; with LBPRZ=1
    they read as zeros."""
    lba = scratch_lba(scsi_device, 16)
    scsi_channel.cmd.Write16(lba=lba, transfer_length=16, data=pattern(lba, 16, scsi_channel.block_size))
    _unmap(scsi_channel, [(lba, 16)])
    if scsi_device.lbprz:
        assert read(scsi_channel, lba, 16) == bytes(16 * scsi_channel.block_size)


def test_unmap_nothing(scsi_channel):
    """SBC-4 5.32: PARAMETER LIST LENGTH zero: nothing is unmapped; not an error."""
    scsi_channel.cmd.Unmap(parameter_list_length=0)


def test_unmap_zero_blocks(scsi_channel, scsi_device):
    """SBC-4 5.32.2: a descriptor with NUMBER OF LOGICAL BLOCKS zero unmaps nothing."""
    lba = scratch_lba(scsi_device)
    scsi_channel.cmd.Write16(lba=lba, transfer_length=1, data=pattern(lba, 1, scsi_channel.block_size))
    _unmap(scsi_channel, [(lba, 0)])
    assert read(scsi_channel, lba, 1) == pattern(lba, 1, scsi_channel.block_size)


def test_unmap_beyond_capacity(scsi_channel, scsi_device, scsi_expect):
    """SBC-4 5.32.2: a descriptor past the last LBA: ILLEGAL REQUEST, LOGICAL BLOCK
    ADDRESS OUT OF RANGE."""
    with scsi_expect(errors.IllegalRequest, **LBA_OUT_OF_RANGE):
        _unmap(scsi_channel, [(scsi_device.last_lba, 2)])


@pytest.mark.requires("block_limits")
def test_unmap_too_many_descriptors(scsi_channel, scsi_device, scsi_expect):
    """SBC-4 5.32.1: more block descriptors than MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT:
    ILLEGAL REQUEST, INVALID FIELD IN PARAMETER LIST."""
    limit = scsi_device.block_limits.maximum_unmap_block_descriptor_count
    if not limit or limit >= 4095 or limit == 0xFFFFFFFF:
        pytest.skip(f"MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT {limit} cannot be exceeded in one list")
    with scsi_expect(errors.IllegalRequest, **INVALID_FIELD_IN_PARAMETER_LIST):
        _unmap(scsi_channel, [(n, 1) for n in range(limit + 1)])


@pytest.mark.requires("block_limits")
def test_unmap_too_many_blocks(scsi_channel, scsi_device, scsi_expect):
    """SBC-4 5.32.1: more LBAs than MAXIMUM UNMAP LBA COUNT: ILLEGAL REQUEST, INVALID
    FIELD IN PARAMETER LIST."""
    limit = scsi_device.block_limits.maximum_unmap_lba_count
    if not limit or limit == 0xFFFFFFFF or limit + 1 > scsi_device.blocks:
        pytest.skip(f"MAXIMUM UNMAP LBA COUNT {limit} cannot be exceeded on this medium")
    with scsi_expect(errors.IllegalRequest, **INVALID_FIELD_IN_PARAMETER_LIST):
        _unmap(scsi_channel, [(0, limit + 1)])
