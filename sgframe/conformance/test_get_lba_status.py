"""GET LBA STATUS (SBC-4 5.6)."""
from __future__ import annotations

import pytest

from sgframe import errors
from sgframe.params import unmap_parameters

from .helpers import LBA_OUT_OF_RANGE, pattern, scratch_lba

# GET LBA STATUS is defined for any device that has it, thin provisioned or not (SBC-4
# 5.6); only the mapping test needs UNMAP.
pytestmark = [pytest.mark.requires_command("GetLbaStatus")]


def test_first_descriptor_starts_at_the_requested_lba(scsi_channel, scsi_device):
    """SBC-4 5.6.3: the first LBA status descriptor starts at STARTING LOGICAL BLOCK
    ADDRESS; descriptors are contiguous and stay on the medium."""
    start = scratch_lba(scsi_device)
    status = scsi_channel.cmd.GetLbaStatus(starting_lba=start).result
    descriptors = status.lba_status_descriptors
    assert descriptors and descriptors[0].lba_status_logical_block_address == start
    for before, after in zip(descriptors, descriptors[1:]):
        assert after.lba_status_logical_block_address == before.lba_status_logical_block_address + before.number_of_logical_blocks
    last = descriptors[-1]
    assert last.lba_status_logical_block_address + last.number_of_logical_blocks <= scsi_device.blocks


def test_beyond_capacity(scsi_channel, scsi_device, scsi_expect):
    """SBC-4 5.6.2: STARTING LOGICAL BLOCK ADDRESS past the last LBA: ILLEGAL REQUEST,
    LOGICAL BLOCK ADDRESS OUT OF RANGE."""
    with scsi_expect(errors.IllegalRequest, **LBA_OUT_OF_RANGE):
        scsi_channel.cmd.GetLbaStatus(starting_lba=scsi_device.blocks)


@pytest.mark.destructive
@pytest.mark.requires("unmap", "writable")
def test_mapped_then_unmapped(scsi_channel, scsi_device):
    """SBC-4 5.6.3 Table 40: a written block is mapped (PROVISIONING STATUS 0h); after
    UNMAP it is deallocated (1h) or anchored (2h)."""
    lba = scratch_lba(scsi_device, 16)
    scsi_channel.cmd.Write16(lba=lba, transfer_length=16, data=pattern(lba, 16, scsi_channel.block_size))
    first = scsi_channel.cmd.GetLbaStatus(starting_lba=lba).result.lba_status_descriptors[0]
    assert first.provisioning_status == 0
    data = unmap_parameters([(lba, 16)])
    scsi_channel.cmd.Unmap(parameter_list_length=len(data), data=data)
    first = scsi_channel.cmd.GetLbaStatus(starting_lba=lba).result.lba_status_descriptors[0]
    granule = getattr(scsi_device.block_limits, "optimal_unmap_granularity", 0) or 1
    if granule <= 16:
        assert first.provisioning_status in (1, 2)
