"""EXTENDED COPY (LID1) and RECEIVE COPY RESULTS (SPC-5 6.4, 6.18-6.21)."""
from __future__ import annotations

import pytest

from sgframe import errors
from sgframe.params import block_to_block_segment_descriptor, extended_copy_lid1_parameters, identification_cscd_descriptor

from .helpers import pattern, read, scratch_lba, write

pytestmark = pytest.mark.requires_command("ReceiveCopyOperatingParameters")


def test_operating_parameters(scsi_channel):
    """SPC-5 6.20.2: RECEIVE COPY OPERATING PARAMETERS: AVAILABLE DATA counts the bytes
    after itself; the implemented descriptor list has one code per entry."""
    io = scsi_channel.cmd.ReceiveCopyOperatingParameters(allocation_length=1024)
    params = io.result
    assert params.available_data + 4 == len(io.data)
    assert params.implemented_descriptor_list_length == len(params.implemented_descriptors)
    assert params.maximum_cscd_descriptor_count >= 1 and params.maximum_segment_descriptor_count >= 1


def _designator(channel):
    page = channel.cmd.Inquiry(evpd=True, page_code=0x83, allocation_length=0xFFFF).result
    for d in page.designation_descriptors:
        if d.association == 0 and d.designator_type in (2, 3, 8) and d.designator_length <= 16:
            raw = page.raw
            at = 4
            while at < len(raw):  # the descriptor's own bytes, as page 83h carries them
                length = 4 + raw[at + 3]
                if raw[at + 1] & 0x0F == d.designator_type and raw[at + 4:at + length] == d.designator:
                    return raw[at:at + length]
                at += length
    pytest.skip("no NAA, EUI-64 or SCSI name designator of the logical unit to name in a CSCD descriptor")


@pytest.mark.destructive
@pytest.mark.requires("not_zoned", "writable")
@pytest.mark.requires_command("ExtendedCopyLid1")
def test_block_to_block_copy(scsi_channel, scsi_device):
    """SPC-5 6.4.6.5 (segment 02h) and 6.4.5.2 (identification CSCD descriptor E4h): a
    copy from the logical unit to itself; the destination reads as the source."""
    params = scsi_channel.cmd.ReceiveCopyOperatingParameters(allocation_length=1024).result
    codes = {d.descriptor_type_code for d in params.implemented_descriptors}
    if not {0x02, 0xE4} <= codes:
        pytest.skip("block-to-block segments or identification CSCD descriptors are not implemented")
    size = scsi_channel.block_size
    source = scratch_lba(scsi_device, 16)
    destination = source + 8
    write(scsi_channel, source, pattern(source, 4, size, tag=0xC0))
    cscd = identification_cscd_descriptor(_designator(scsi_channel), block_length=size)
    segment = block_to_block_segment_descriptor(0, 0, 4, source, destination)
    data = extended_copy_lid1_parameters([cscd], [segment], list_identifier=0, list_id_usage=3)
    scsi_channel.cmd.ExtendedCopyLid1(parameter_list_length=len(data), data=data)
    assert read(scsi_channel, destination, 4) == pattern(source, 4, size, tag=0xC0)


@pytest.mark.requires_command("ReceiveCopyStatusLid1")
def test_status_of_an_unknown_list(scsi_channel, scsi_expect):
    """SPC-5 6.21: RECEIVE COPY STATUS for a LIST IDENTIFIER no copy used: ILLEGAL
    REQUEST, INVALID FIELD IN CDB."""
    with scsi_expect(errors.IllegalRequest, asc=0x24, ascq=0x00):
        scsi_channel.cmd.ReceiveCopyStatusLid1(list_identifier=0xEE, allocation_length=1024)
