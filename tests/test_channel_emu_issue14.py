"""The issue-14 commands through Channel.open('emu:disk'): CDB classes, the emulated disk's
answers and the decoders, end to end."""
from __future__ import annotations

import zlib

import pytest

from sgframe import Channel, command as c, errors, params
from sgframe.cdb import Direction
from sgframe.raw import RawCommand

NEW = [
    (0x07, None), (0x37, None), (0x3E, None), (0x3F, None), (0x7F, 0x0012), (0x83, 0x00), (0x84, 0x00),
    (0x84, 0x03), (0x84, 0x04), (0x8B, None), (0x9E, 0x11), (0x9E, 0x14), (0x9E, 0x15), (0x9E, 0x16),
    (0x9F, 0x11), (0xA2, None), (0xAE, None), (0xAF, None), (0xB7, None), (0xA3, 0x0A),
]


@pytest.fixture
def channel(reactor):
    with Channel.open("emu:disk?blocks=4096&block_size=512", reactor=reactor) as channel:
        yield channel


def block(char: bytes) -> bytes:
    return char * 512


def test_report_supported_operation_codes_lists_the_new_commands(channel):
    listed = channel.cmd.ReportSupportedOperationCodes().result
    assert [key for key in NEW if listed.find(*key) is None] == []
    one = channel.cmd.ReportSupportedOperationCodes(reporting_options=3, requested_operation_code=0xAF).result
    assert one.cdb_usage_data == bytes.fromhex("af f6 ff ff ff ff ff ff ff ff 3f 00")


@pytest.mark.parametrize("fmt, transition", [(0, None), (1, 0)])
def test_report_target_port_groups_decoded(channel, fmt, transition):
    got = channel.cmd.ReportTargetPortGroups(parameter_data_format=fmt).result
    assert (got.format_type, got.implicit_transition_time, got.problems) == (fmt, transition, ())
    (group,) = got.target_port_groups
    assert (group.target_port_group, group.asymmetric_access_state_name, group.supported_states) == (
        1, "active/optimized", ("active/optimized",))
    assert group.relative_target_port_identifiers == (1,)


def test_verify12_and_write_and_verify12(channel):
    channel.cmd.WriteAndVerify12(lba=10, transfer_length=2, data=block(b"a") + block(b"b"))
    assert channel.cmd.Read10(lba=10, transfer_length=2).data == block(b"a") + block(b"b")
    channel.cmd.Verify12(lba=10, verification_length=2, bytchk=1, data=block(b"a") + block(b"b"))
    channel.cmd.Verify12(lba=10, verification_length=2)  # BYTCHK 0: medium check only
    with pytest.raises(errors.Miscompare) as raised:
        channel.cmd.Verify12(lba=10, verification_length=1, bytchk=3, data=block(b"b"))
    assert raised.value.information == 0


def test_orwrite16_ors_into_the_block(channel):
    channel.cmd.Write16(lba=3, transfer_length=1, data=b"\x0f" * 512)
    channel.cmd.OrWrite16(lba=3, transfer_length=1, data=b"\xf0" * 256 + b"\x01" * 256)
    assert channel.cmd.Read16(lba=3, transfer_length=1).data == b"\xff" * 256 + b"\x0f" * 256


def test_get_lba_status32(channel):
    channel.cmd.Write10(lba=100, transfer_length=4, data=block(b"x") * 4)
    got = channel.cmd.GetLbaStatus32(starting_lba=96).result
    assert [(d.lba_status_logical_block_address, d.number_of_logical_blocks, d.provisioning_status_name)
            for d in got.lba_status_descriptors[:3]] == [
        (96, 4, "deallocated"), (100, 4, "mapped or unknown"), (104, 3992, "deallocated")]
    scanned = channel.cmd.GetLbaStatus32(starting_lba=96, scan_length=6).result
    assert [(d.lba_status_logical_block_address, d.number_of_logical_blocks)
            for d in scanned.lba_status_descriptors] == [(96, 4), (100, 2)]
    with pytest.raises(errors.IllegalRequest):
        channel.cmd.GetLbaStatus32(element_identifier=1)


def _reassign(channel, lbas, **flags):
    data = params.reassign_blocks_parameters(lbas, **flags)
    cdb = bytes(c.ReassignBlocks(**flags))
    return channel.execute(RawCommand(cdb, direction=Direction.OUT, length=len(data)), data=data)


def test_reassign_blocks_fills_the_grown_defect_list(channel):
    empty = channel.cmd.ReadDefectData10(req_plist=True, req_glist=True).result
    assert (empty.plistv, empty.glistv, empty.defect_list_length, empty.address_descriptors) == (True, True, 0, ())
    _reassign(channel, [7, 3])
    _reassign(channel, [0x20], longlba=True, longlist=True)
    short = channel.cmd.ReadDefectData10(req_glist=True, defect_list_format=0, allocation_length=64).result
    assert short.defect_list_format_name == "short block format"
    assert [d.short_block_address for d in short.address_descriptors] == [3, 7, 0x20]
    # A physical format is answered in long block format, which the header says.
    long = channel.cmd.ReadDefectData12(req_glist=True, defect_list_format=5, address_descriptor_index=1,
                                        allocation_length=64).result
    assert (long.defect_list_format_name, [d.long_block_address for d in long.address_descriptors]) == (
        "long block format", [7, 0x20])
    with pytest.raises(errors.IllegalRequest) as raised:
        _reassign(channel, [1 << 20])
    assert (raised.value.asc, raised.value.information) == (0x21, 1 << 20)


def test_read_long_and_write_long(channel):
    channel.cmd.Write10(lba=5, transfer_length=1, data=block(b"q"))
    long = channel.cmd.ReadLong10(lba=5, byte_transfer_length=520).data
    assert long == block(b"q") + zlib.crc32(block(b"q")).to_bytes(4, "big") + bytes(4)
    assert channel.cmd.ReadLong16(lba=5, byte_transfer_length=520).data == long
    with pytest.raises(errors.IllegalRequest) as raised:
        channel.cmd.ReadLong10(lba=5, byte_transfer_length=512)
    assert (raised.value.asc, raised.value.information, raised.value.sense.ili) == (0x24, 0xFFFFFFF8, True)
    # Data with ECC that does not match leaves an unrecoverable block.
    channel.cmd.WriteLong16(lba=6, byte_transfer_length=520, data=block(b"z") + bytes(8))
    with pytest.raises(errors.MediumError) as bad:
        channel.cmd.Read10(lba=6, transfer_length=1)
    assert bad.value.information == 6
    channel.cmd.WriteLong10(lba=6, byte_transfer_length=520, data=block(b"z") + zlib.crc32(block(b"z")).to_bytes(4, "big") + bytes(4))
    assert channel.cmd.Read10(lba=6, transfer_length=1).data == block(b"z")
    channel.cmd.WriteLong10(lba=8, wr_uncor=True)
    with pytest.raises(errors.MediumError):
        channel.cmd.Read10(lba=8, transfer_length=1)


def test_read_media_serial_number_names_the_disks_medium(channel):
    serial = channel.cmd.Inquiry(evpd=True, page_code=0x80).result.product_serial_number
    got = channel.cmd.ReadMediaSerialNumber().result
    assert (got.text.rstrip(), got.media_serial_number_length % 4) == (f"{serial}-M", 0)


def test_streams_open_list_close(channel):
    assert channel.cmd.GetStreamStatus().result.number_of_open_streams == 0
    first = channel.cmd.StreamControl(str_ctl=1).result.assigned_str_id
    second = channel.cmd.StreamControl(str_ctl=1).result.assigned_str_id
    assert (first, second) == (1, 2)
    status = channel.cmd.GetStreamStatus().result
    assert (status.number_of_open_streams, [s.stream_identifier for s in status.stream_status_descriptors]) == (2, [1, 2])
    channel.cmd.StreamControl(str_ctl=2, str_id=1, allocation_length=0)
    assert [s.stream_identifier for s in channel.cmd.GetStreamStatus().result.stream_status_descriptors] == [2]
    with pytest.raises(errors.IllegalRequest):
        channel.cmd.StreamControl(str_ctl=2, str_id=1, allocation_length=0)


def test_background_control(channel):
    channel.cmd.BackgroundControl(bo_ctl=1, bo_time=10)
    channel.cmd.BackgroundControl(bo_ctl=2)
    with pytest.raises(errors.IllegalRequest) as raised:
        channel.cmd.BackgroundControl(bo_ctl=3)
    assert raised.value.asc == 0x24


def test_security_protocol_in_protocol_zero(channel):
    listed = channel.cmd.SecurityProtocolIn().result
    assert [p.security_protocol for p in listed.supported_security_protocols] == [0, 2]
    assert listed.supported_security_protocols[0].name == "security protocol information"
    padded = channel.cmd.SecurityProtocolIn(inc_512=True, allocation_length=1)
    assert len(padded.data) == 512 and padded.result.supported_security_protocol_list_length == 2
    assert channel.cmd.SecurityProtocolIn(security_protocol_specific=1).result.certificate_length == 0
    with pytest.raises(errors.IllegalRequest):
        channel.cmd.SecurityProtocolIn(security_protocol=1)


def _own_cscd(channel) -> bytes:
    page = channel.cmd.Inquiry(evpd=True, page_code=0x83).result
    naa = next(d for d in page.designation_descriptors if d.designator_type == 3 and d.association == 0)
    designator = bytes((naa.code_set, naa.association << 4 | naa.designator_type, 0, naa.designator_length))
    return params.identification_cscd_descriptor(designator + naa.designator, block_length=512)


def test_extended_copy_within_the_disk(channel):
    operating = channel.cmd.ReceiveCopyOperatingParameters().result
    assert (operating.maximum_cscd_descriptor_count, operating.maximum_segment_descriptor_count) == (2, 16)
    assert [d.descriptor_type_code for d in operating.implemented_descriptors] == [0x02, 0xE4]
    assert (operating.data_segment_granularity, operating.maximum_inline_data_length, operating.problems) == (9, 0, ())
    channel.cmd.Write10(lba=0, transfer_length=2, data=block(b"1") + block(b"2"))
    cscd = _own_cscd(channel)
    data = params.extended_copy_lid1_parameters(
        [cscd, cscd], [params.block_to_block_segment_descriptor(0, 1, 2, 0, 1000)], list_identifier=9)
    channel.cmd.ExtendedCopyLid1(parameter_list_length=len(data), data=data)
    assert channel.cmd.Read10(lba=1000, transfer_length=2).data == block(b"1") + block(b"2")
    status = channel.cmd.ReceiveCopyStatusLid1(list_identifier=9).result
    assert (status.copy_manager_status_name, status.segments_processed, status.transfer_count_units_name,
            status.transfer_count) == ("operation completed without errors", 1, "logical blocks", 2)
    assert channel.cmd.ReceiveCopyFailureDetailsLid1(list_identifier=9).result.available_data == 0


def test_extended_copy_failures(channel):
    cscd = _own_cscd(channel)
    past_the_end = params.extended_copy_lid1_parameters(
        [cscd], [params.block_to_block_segment_descriptor(0, 0, 8, 0, 4090)], list_identifier=3)
    with pytest.raises(errors.CopyAborted) as raised:
        channel.cmd.ExtendedCopyLid1(parameter_list_length=len(past_the_end), data=past_the_end)
    assert raised.value.asc == 0x21
    failed = channel.cmd.ReceiveCopyStatusLid1(list_identifier=3).result
    assert (failed.copy_manager_status_name, failed.segments_processed) == ("operation completed with errors", 0)
    details = channel.cmd.ReceiveCopyFailureDetailsLid1(list_identifier=3).result
    assert (details.copy_command_status, details.sense.sense_key, details.sense.asc) == (2, 0xA, 0x21)
    foreign = bytearray(cscd)
    foreign[8] ^= 0xFF  # another logical unit's name
    other = params.extended_copy_lid1_parameters(
        [bytes(foreign)], [params.block_to_block_segment_descriptor(0, 0, 1, 0, 1)], list_identifier=4)
    with pytest.raises(errors.CopyAborted) as unreachable:
        channel.cmd.ExtendedCopyLid1(parameter_list_length=len(other), data=other)
    assert (unreachable.value.asc, unreachable.value.ascq) == (0x08, 0x04)
    with pytest.raises(errors.IllegalRequest):
        channel.cmd.ReceiveCopyStatusLid1(list_identifier=200)


def test_reassign_blocks_sized_by_its_parameter_list(channel):
    # The CDB has no length field: the list's header (DEFECT LIST LENGTH) sizes the data.
    cmd = c.ReassignBlocks.for_lbas([0x11, 0x12, 0x13])
    assert (bytes(cmd), cmd.data_length(), cmd.NAME, cmd.MODIFIES_MEDIUM) == (
        bytes.fromhex("07 00 00 00 00 00"), 16, "REASSIGN BLOCKS", True)
    channel.execute(cmd, data=cmd.parameter_list)
    wide = c.ReassignBlocks(longlba=True, longlist=True).with_parameter_list(
        params.reassign_blocks_parameters([1 << 11], longlba=True, longlist=True))
    assert bytes(wide) == bytes.fromhex("07 03 00 00 00 00") and wide.data_length() == 12
    channel.execute(wide, data=wide.parameter_list)
    got = channel.cmd.ReadDefectData10(req_glist=True, defect_list_format=0, allocation_length=64).result
    assert [d.short_block_address for d in got.address_descriptors] == [0x11, 0x12, 0x13, 1 << 11]
    # A list its header does not describe is refused where it is given.
    with pytest.raises(errors.UsageError, match="says 12 bytes .LONGLIST=0., the list has 16"):
        c.ReassignBlocks().with_parameter_list(bytes.fromhex("0000 0008 00000001 00000002 00000003"))
    with pytest.raises(errors.UsageError, match="DEFECT LIST LENGTH 4 is not a multiple of 8"):
        c.ReassignBlocks(longlba=True).with_parameter_list(bytes.fromhex("0000 0004 00000001"))
    with pytest.raises(errors.UsageError, match="a 4-byte header; got 2 bytes"):
        c.ReassignBlocks().with_parameter_list(b"\0\0")
    with pytest.raises(errors.UsageError, match="does not size its data by a parameter list header"):
        c.SizedByParameterList(c.TestUnitReady(), b"")
    with pytest.raises(errors.UsageError, match="moves 16 bytes as its CDB says; data has 4"):
        channel.execute(cmd, data=bytes(4))
    with pytest.raises(AttributeError, match="frozen"):
        cmd.parameter_list = b""
