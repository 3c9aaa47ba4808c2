"""The emulated disk answers the issue-14 commands it used to refuse: READ MEDIA SERIAL
NUMBER, REPORT REFERRALS, GET PHYSICAL ELEMENT STATUS, REMOVE ELEMENT AND TRUNCATE,
EXTENDED COPY(LID4) with RECEIVE COPY STATUS(LID4) and RECEIVE ROD TOKEN INFORMATION;
bytes, the decoders' view through a Channel, and the errors of bad fields."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from sgframe import Channel, command as c, params
from sgframe.decode.alua import decode_report_referrals
from sgframe.decode.copy import decode_copy_status_lid4, decode_rod_token_information
from sgframe.decode.elements import decode_physical_element_status
from sgframe.emu import EmulatedDisk, Reply, vpd
from sgframe.errors import UsageError

from test_emu_core import fixed
from test_emu_spc import invalid_cdb, invalid_param, ok

H = bytes.fromhex


@pytest.fixture
def disk() -> EmulatedDisk:
    return EmulatedDisk(blocks=1024, serial="EMU-TEST-14C")


# ---------------------------------------------------------- READ MEDIA SERIAL NUMBER


def test_read_media_serial_number_bytes(disk: EmulatedDisk) -> None:
    # "EMU-TEST-14C-M" is 14 bytes, padded with spaces to 16.
    assert ok(disk.respond(H("ab 01 00000000 00000100 00 00"), None, 256)) == H("00000010") + b"EMU-TEST-14C-M  "
    # The allocation length cuts the data, not the length field.
    assert ok(disk.respond(H("ab 01 00000000 00000006 00 00"), None, 256)) == H("00000010") + b"EM"


def test_read_media_serial_number_refuses_reserved_bits_and_a_missing_medium() -> None:
    disk = EmulatedDisk(blocks=64, removable=True, serial="R")
    assert disk.respond(H("ab 01 00000001 00000100 00 00"), None, 256).sense == invalid_cdb(5, 0)
    ok(disk.respond(H("1b 00 00 00 02 00"), None, 0))  # LOEJ: eject
    assert disk.respond(H("ab 01 00000000 00000100 00 00"), None, 256).sense == fixed(0x2, 0x3A, 0x00)


def test_read_media_serial_number_through_a_channel(reactor) -> None:
    with Channel.open("emu:zoned?serial=Z1", reactor=reactor) as channel:
        got = channel.cmd.ReadMediaSerialNumber().result
    assert (got.media_serial_number_length, got.text, got.problems) == (4, "Z1-M", ())


# ------------------------------------------------------------------ REPORT REFERRALS


def test_report_referrals_one_segment_through_the_one_port_group(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(H("9e 13 0000000000000010 00000100 00 00"), None, 256))
    assert data == H("0000 0018 000000 01 0000000000000000 00000000000003ff 00 00 0001")
    decoded = decode_report_referrals(data)
    (segment,) = decoded.user_data_segment_referrals
    assert (segment.first_user_data_segment_lba, segment.last_user_data_segment_lba) == (0, 1023)
    assert [(g.target_port_group, g.asymmetric_access_state_name) for g in segment.target_port_groups] == [
        (1, "active/optimized")]
    assert ok(disk.respond(H("9e 13 0000000000000010 00000100 01 00"), None, 256)) == data  # ONE_SEG


def test_report_referrals_follows_the_alua_state() -> None:
    disk = EmulatedDisk(blocks=64, alua="explicit")
    ok(disk.respond(H("a4 0a 00000000 00000008 00 00"), H("00000000 01 00 0001")))  # active/non-optimized
    data = ok(disk.respond(H("9e 13 0000000000000000 00000100 00 00"), None, 256))
    assert data[-4:] == H("01 00 0001")


def test_report_referrals_errors(disk: EmulatedDisk) -> None:
    assert disk.respond(H("9e 13 0000000000000400 00000100 00 00"), None, 256).sense == fixed(0x5, 0x21, 0x00)
    assert disk.respond(H("9e 13 0000000000000000 00000100 02 00"), None, 256).sense == invalid_cdb(14, 1)


# ----------------------------------------------------- storage element depopulation


def _gpes(disk: EmulatedDisk, start: int = 0, length: int = 4096, byte14: int = 0, nexus: int = 0) -> Reply:
    cdb = H("9e 17 00000000") + start.to_bytes(4, "big") + length.to_bytes(4, "big") + bytes((byte14, 0))
    return disk.respond(cdb, None, length, nexus=nexus)


def test_get_physical_element_status_lists_the_heads(disk: EmulatedDisk) -> None:
    data = ok(_gpes(disk))
    assert data[:32] == H("00000004 00000004 00000000") + bytes(20)
    assert data[32:64] == H("00000000 00000001 0000000000 00 01 01 0000000000000100 0000000000000000")
    decoded = decode_physical_element_status(data)
    assert [(e.element_identifier, e.physical_element_type_name, e.physical_element_health_name,
             e.associated_capacity) for e in decoded.physical_element_status_descriptors] == [
        (n, "all-access storage", "within manufacturer's specification limits", 256) for n in (1, 2, 3, 4)]


def test_get_physical_element_status_start_filter_and_allocation(disk: EmulatedDisk) -> None:
    disk.elements.set_health(3, 0x70)  # outside the manufacturer's limits
    assert [e.element_identifier for e in decode_physical_element_status(
        ok(_gpes(disk, start=2))).physical_element_status_descriptors] == [2, 3, 4]
    only_bad = decode_physical_element_status(ok(_gpes(disk, byte14=0x40)))
    assert (only_bad.number_of_descriptors, [e.element_identifier for e in only_bad.physical_element_status_descriptors]) == (1, [3])
    # Room for one descriptor: NUMBER OF DESCRIPTORS stays 4, one returned.
    assert ok(_gpes(disk, length=64))[:8] == H("00000004 00000001")
    assert ok(_gpes(disk, byte14=0x01)) == ok(_gpes(disk))  # storage elements: the same ones


def test_get_physical_element_status_errors(disk: EmulatedDisk) -> None:
    assert _gpes(disk, byte14=0x80).sense == invalid_cdb(14, 7)  # FILTER 10b reserved
    assert _gpes(disk, byte14=0x02).sense == invalid_cdb(14, 3)  # REPORT TYPE 2h reserved
    assert _gpes(disk, byte14=0x10).sense == invalid_cdb(14, 4)  # a reserved bit
    with pytest.raises(UsageError, match="storage_elements=0"):
        EmulatedDisk(blocks=64, storage_elements=0)


def _remove(disk: EmulatedDisk, element: int, capacity: int = 0, nexus: int = 0) -> Reply:
    return disk.respond(H("9e 18") + capacity.to_bytes(8, "big") + element.to_bytes(4, "big") + H("00 00"), nexus=nexus)


def test_remove_element_and_truncate_shrinks_the_disk(disk: EmulatedDisk) -> None:
    disk.respond(H("00 00 00 00 00 00"), nexus=1)  # a second initiator is known
    ok(disk.respond(H("2a 00 00000300 00 0001 00"), b"A" * 512))  # LBA 768, lost with the truncation
    ok(disk.respond(H("2a 00 00000010 00 0001 00"), b"B" * 512))
    assert _remove(disk, 2) == Reply(0)
    assert ok(disk.respond(H("25 00 00000000 00 00 00 00"), None, 8)) == H("000002ff 00000200")
    assert ok(disk.respond(H("28 00 00000010 00 0001 00"), None, 512)) == b"B" * 512
    assert disk.respond(H("28 00 00000300 00 0001 00"), None, 512).sense == fixed(0x5, 0x21, 0x00)
    # The other initiator learns of it once; the one that sent the command does not.
    assert disk.respond(H("00 00 00 00 00 00"), nexus=1).sense == fixed(0x6, 0x2A, 0x09)
    assert disk.respond(H("00 00 00 00 00 00"), nexus=1) == Reply(0)
    health = [(e.element_identifier, e.physical_element_health)
              for e in decode_physical_element_status(ok(_gpes(disk))).physical_element_status_descriptors]
    assert health == [(1, 0x01), (2, 0xFF), (3, 0x01), (4, 0x01)]


def test_remove_element_and_truncate_to_a_requested_capacity(disk: EmulatedDisk) -> None:
    assert _remove(disk, 1, capacity=500) == Reply(0)
    assert ok(disk.respond(H("25 00 00000000 00 00 00 00"), None, 8))[:4] == (499).to_bytes(4, "big")


def test_remove_element_and_truncate_errors(disk: EmulatedDisk) -> None:
    assert _remove(disk, 5).sense == invalid_cdb(10)  # no such element
    assert _remove(disk, 0).sense == invalid_cdb(10)
    assert _remove(disk, 1, capacity=769).sense == invalid_cdb(2)  # more than is left
    ok(_remove(disk, 1))
    assert _remove(disk, 1).sense == invalid_cdb(10)  # already depopulated
    ok(_remove(disk, 2))
    ok(_remove(disk, 3))
    assert _remove(disk, 4).sense == invalid_cdb(10)  # the last element
    protected = EmulatedDisk(blocks=64, write_protect=True)
    assert _remove(protected, 1).sense == fixed(0x7, 0x27, 0x00)


def test_a_zoned_disk_reports_elements_but_does_not_truncate() -> None:
    zoned = EmulatedDisk(blocks=64, zoned=True, zone_size=16)
    assert ok(_gpes(zoned))[:4] == H("00000004")
    assert _remove(zoned, 1).sense == invalid_cdb(1, 4)


# -------------------------------------------------------------- EXTENDED COPY(LID4)


def _cscd(disk: EmulatedDisk) -> bytes:
    return params.identification_cscd_descriptor(bytes((1, 3, 0, 16)) + vpd.naa_identifier(disk), block_length=512)


def _xcopy4(disk: EmulatedDisk, data: bytes) -> Reply:
    return disk.respond(H("83 01 0000000000000000") + len(data).to_bytes(4, "big") + H("00 00"), data)


def _status4(disk: EmulatedDisk, list_id: int, sa: int = 0x05) -> Reply:
    return disk.respond(bytes((0x84, sa)) + list_id.to_bytes(4, "big") + H("00000000 00000400 00 00"), None, 1024)


def test_extended_copy_lid4_copies_and_reports(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("2a 00 00000002 00 0002 00"), b"C" * 1024))
    segments = [params.block_to_block_segment_descriptor(0, 0, 2, 2, 100)]
    data = params.extended_copy_lid4_parameters([_cscd(disk)], segments, list_identifier=0x12345678)
    assert _xcopy4(disk, data) == Reply(0)
    assert ok(disk.respond(H("28 00 00000064 00 0002 00"), None, 1024)) == b"C" * 1024
    status = ok(_status4(disk, 0x12345678))
    assert status == H("0000001c 01 01 0001 00000000 00 00 00 f1 0000000000000002 0001 000000000000")
    decoded = decode_copy_status_lid4(status)
    assert (decoded.copy_operation_status, decoded.transfer_count, decoded.segments_processed) == (1, 2, 1)
    rrti = ok(_status4(disk, 0x12345678, sa=0x07))
    assert rrti == status[:3] + bytes((status[3] + 4,)) + status[4:] + bytes(4)
    tokens = decode_rod_token_information(rrti)
    assert (tokens.response_to_service_action, tokens.rod_token_descriptors_length, tokens.rod_token_descriptors,
            tokens.problems) == (1, 0, (), ())


def test_extended_copy_lid4_failure_is_kept_with_its_sense(disk: EmulatedDisk) -> None:
    segments = [params.block_to_block_segment_descriptor(0, 0, 8, 1020, 0)]
    data = params.extended_copy_lid4_parameters([_cscd(disk)], segments, list_identifier=7)
    reply = _xcopy4(disk, data)
    assert reply.sense == fixed(0xA, 0x21, 0x00, info=1020)
    decoded = decode_copy_status_lid4(ok(_status4(disk, 7)))
    assert (decoded.copy_operation_status, decoded.extended_copy_completion_status, decoded.sense_data_length,
            decoded.length_of_the_sense_data_field, decoded.sense_data) == (2, 2, 18, 20, reply.sense)


def test_extended_copy_lid4_parameter_checks(disk: EmulatedDisk) -> None:
    segment = params.block_to_block_segment_descriptor(0, 0, 1, 0, 1)
    good = params.extended_copy_lid4_parameters([_cscd(disk)], [segment], list_identifier=1)
    wrong_format = bytearray(good)
    wrong_format[0] = 0x02
    assert _xcopy4(disk, bytes(wrong_format)).sense == invalid_param(0)
    header_length = bytearray(good)
    header_length[3] = 0x10
    assert _xcopy4(disk, bytes(header_length)).sense == invalid_param(2)
    header_type = bytearray(good)
    header_type[16] = 0xE4
    assert _xcopy4(disk, bytes(header_type)).sense == fixed(0x5, 0x26, 0x07, sks=H("80 00 10"))
    inline = params.extended_copy_lid4_parameters([_cscd(disk)], [segment], list_identifier=1, inline_data=b"x")
    assert _xcopy4(disk, inline).sense == invalid_param(46)
    wrong_segment = bytearray(good)
    wrong_segment[80] = 0x0A  # after the 48-byte header and one CSCD descriptor
    assert _xcopy4(disk, bytes(wrong_segment)).sense == fixed(0x5, 0x26, 0x09, sks=H("80 00 50"))
    odd_cscd = bytearray(good + bytes(4))
    odd_cscd[43] += 4  # CSCD DESCRIPTOR LIST LENGTH 36: not a whole number of descriptors
    assert _xcopy4(disk, bytes(odd_cscd)).sense == invalid_param(42)
    assert _xcopy4(disk, good[:40]).sense == fixed(0x5, 0x1A, 0x00)
    assert _xcopy4(disk, good[:-4]).sense == fixed(0x5, 0x1A, 0x00)
    # Nothing ran: no list identifier 1 to report on; LID1 identifiers are apart.
    assert _status4(disk, 1).sense == invalid_cdb(2)
    lid1 = params.extended_copy_lid1_parameters([_cscd(disk)], [segment], list_identifier=1)
    ok(disk.respond(H("83 00 0000000000000000") + len(lid1).to_bytes(4, "big") + H("00 00"), lid1))
    assert _status4(disk, 1, sa=0x07).sense == invalid_cdb(2)


def test_list_id_usage_11b_keeps_no_lid4_status(disk: EmulatedDisk) -> None:
    segment = params.block_to_block_segment_descriptor(0, 0, 1, 0, 1)
    ok(_xcopy4(disk, params.extended_copy_lid4_parameters([_cscd(disk)], [segment], list_identifier=9, list_id_usage=3)))
    assert _status4(disk, 9).sense == invalid_cdb(2)


def test_third_party_copy_vpd_page_lists_the_lid4_commands(disk: EmulatedDisk) -> None:
    page = ok(disk.respond(H("12 01 8f 01 00 00"), None, 512))
    # The supported commands descriptor (0001h) comes first.
    assert page[4:8] == H("0001 0010")
    assert page[8:24] == H("0d 83 02 00 01 84 07 00 01 03 04 05 06 07 00 00")


def test_report_supported_operation_codes_lists_the_new_commands(reactor) -> None:
    new = [(0xAB, 0x01), (0x9E, 0x13), (0x9E, 0x17), (0x9E, 0x18), (0x83, 0x01), (0x84, 0x05), (0x84, 0x07),
           (0x84, 0x01), (0x84, 0x06)]
    with Channel.open("emu:disk?blocks=4096", reactor=reactor) as channel:
        listed = channel.cmd.ReportSupportedOperationCodes().result
        one = channel.cmd.ReportSupportedOperationCodes(
            reporting_options=3, requested_operation_code=0x9E, requested_service_action=0x17).result
    assert [key for key in new if listed.find(*key) is None] == []
    assert one.cdb_usage_data == H("9e 17 00 00 00 00 ff ff ff ff ff ff ff ff cf 00")


# ------------------------------------------------- RECEIVE COPY DATA(LID1) and (LID4)


def _xcopy1(disk: EmulatedDisk, data: bytes) -> Reply:
    return disk.respond(H("83 00 0000000000000000") + len(data).to_bytes(4, "big") + H("00 00"), data)


def _copy_data1(disk: EmulatedDisk, list_id: int, length: int = 256) -> Reply:
    return disk.respond(bytes((0x84, 0x01, list_id)) + bytes(7) + length.to_bytes(4, "big") + H("00 00"), None, length)


def test_receive_copy_data_lid1_of_a_finished_list_holds_no_data(disk: EmulatedDisk) -> None:
    segment = params.block_to_block_segment_descriptor(0, 0, 1, 0, 1)
    assert _xcopy1(disk, params.extended_copy_lid1_parameters([_cscd(disk)], [segment], list_identifier=5)) == Reply(0)
    data = ok(_copy_data1(disk, 5))
    assert data == H("00000000")  # AVAILABLE DATA 0: block to block segments hold nothing
    got = c.ReceiveCopyDataLid1(list_identifier=5).decode_response(data)
    assert (got.available_data, got.held_data, got.problems) == (0, b"", ())


def test_receive_copy_data_lid1_of_a_failed_list_holds_no_data_either(disk: EmulatedDisk) -> None:
    segment = params.block_to_block_segment_descriptor(0, 0, 8, 1020, 0)  # past the last LBA
    assert _xcopy1(disk, params.extended_copy_lid1_parameters([_cscd(disk)], [segment], list_identifier=6)).sense
    assert ok(_copy_data1(disk, 6)) == H("00000000")


def test_receive_copy_data_unknown_list_identifier_is_invalid_field_in_cdb(disk: EmulatedDisk) -> None:
    # The same sense RECEIVE COPY STATUS gives for it: INVALID FIELD IN CDB at byte 2.
    assert _copy_data1(disk, 9).sense == invalid_cdb(2)
    assert disk.respond(H("84 00 09 00000000000000 00000100 00 00"), None, 256).sense == invalid_cdb(2)
    assert _status4(disk, 9, sa=0x06).sense == invalid_cdb(2)
    assert _status4(disk, 9).sense == invalid_cdb(2)
    # LID1 and LID4 identifiers are apart: a LID1 list 9 is no LID4 list 9.
    segment = params.block_to_block_segment_descriptor(0, 0, 1, 0, 1)
    ok(_xcopy1(disk, params.extended_copy_lid1_parameters([_cscd(disk)], [segment], list_identifier=9)))
    assert ok(_copy_data1(disk, 9)) == H("00000000")
    assert _status4(disk, 9, sa=0x06).sense == invalid_cdb(2)


def test_receive_copy_data_lid4_is_the_lid4_status_then_no_held_data(disk: EmulatedDisk) -> None:
    segments = [params.block_to_block_segment_descriptor(0, 0, 2, 2, 100)]
    ok(_xcopy4(disk, params.extended_copy_lid4_parameters([_cscd(disk)], segments, list_identifier=0x12345678)))
    data = ok(_status4(disk, 0x12345678, sa=0x06))
    # AVAILABLE DATA 32; RESPONSE TO SERVICE ACTION 01h (the EXTENDED COPY(LID4) that made
    # the copy); HDD 0, COPY OPERATION STATUS 01h; OPERATION COUNTER 1; no sense data;
    # 2 logical blocks (F1h) in 1 segment; HELD DATA LENGTH 0.
    assert data == H("00000020 01 01 0001 00000000 00 00 00 f1 0000000000000002 0001 000000000000"
                     "00000000")
    assert data[:32] == ok(_status4(disk, 0x12345678))[:3] + b"\x20" + ok(_status4(disk, 0x12345678))[4:]
    got = c.ReceiveCopyDataLid4(list_identifier=0x12345678).decode_response(data)
    assert (got.response_to_service_action, got.copy_operation_status, got.hdd, got.held_data_length,
            got.held_data, got.transfer_count, got.problems) == (1, 1, False, 0, b"", 2, ())


def test_receive_copy_data_lid4_after_a_failure_carries_the_sense(disk: EmulatedDisk) -> None:
    segments = [params.block_to_block_segment_descriptor(0, 0, 8, 1020, 0)]
    sense = _xcopy4(disk, params.extended_copy_lid4_parameters([_cscd(disk)], segments, list_identifier=7)).sense
    data = ok(_status4(disk, 7, sa=0x06))
    # The sense data field is 20 bytes (18 of sense, padded); HELD DATA LENGTH follows it.
    assert data[:4] == (32 + 20 + 4 - 4).to_bytes(4, "big") and data[13:15] == H("14 12")
    assert data[32:50] == sense and data[52:] == H("00000000")
    got = c.ReceiveCopyDataLid4().decode_response(data)
    assert (got.copy_operation_status, got.sense_data, got.held_data_length, got.problems) == (2, sense, 0, ())


def test_receive_copy_data_usage_data(reactor) -> None:
    with Channel.open("emu:disk?blocks=4096", reactor=reactor) as channel:
        lid1, lid4 = (channel.cmd.ReportSupportedOperationCodes(
            reporting_options=3, requested_operation_code=0x84, requested_service_action=sa).result for sa in (1, 6))
        listed = channel.cmd.ReportSupportedOperationCodes().result
    assert lid1.cdb_usage_data == H("84 01 ff 00 00 00 00 00 00 00 ff ff ff ff 00 00")
    assert lid4.cdb_usage_data == H("84 06 ff ff ff ff 00 00 00 00 ff ff ff ff 00 00")
    assert (listed.find(0x84, 0x01) is not None, listed.find(0x84, 0x06) is not None) == (True, True)


# ------------------------------------------- SECURITY PROTOCOL OUT (TCG ComID management)


def _sp_in(disk: EmulatedDisk, protocol: int, specific: int, length: int = 512, inc_512: bool = False) -> Reply:
    cdb = bytes((0xA2, protocol)) + specific.to_bytes(2, "big") + bytes((0x80 if inc_512 else 0, 0))
    return disk.respond(cdb + length.to_bytes(4, "big") + H("00 00"), None, length * (512 if inc_512 else 1))


def _sp_out(disk: EmulatedDisk, protocol: int, specific: int, data: bytes, inc_512: bool = False) -> Reply:
    length = len(data) // 512 if inc_512 else len(data)
    cdb = bytes((0xB5, protocol)) + specific.to_bytes(2, "big") + bytes((0x80 if inc_512 else 0, 0))
    return disk.respond(cdb + length.to_bytes(4, "big") + H("00 00"), data)


def test_stack_reset_sent_out_is_answered_in(disk: EmulatedDisk) -> None:
    assert ok(_sp_in(disk, 0x02, 0x0000)) == H("1000 0000")  # GET_COMID: the first dynamic ComID
    assert ok(_sp_in(disk, 0x02, 0x0000)) == H("1001 0000")
    # Before any request: REQUEST CODE 0, no response data available.
    assert ok(_sp_in(disk, 0x02, 0x1000)) == H("1000 0000 00000000 0000 0000")
    request = H("1000 0000 00000002").ljust(512, b"\0")  # STACK_RESET, padded as hosts send it
    assert _sp_out(disk, 0x02, 0x1000, request) == Reply(0)
    assert ok(_sp_in(disk, 0x02, 0x1000)) == H("1000 0000 00000002 0000 0004 00000000")
    # INC_512: one 512-byte block each way, the response padded to it.
    assert _sp_out(disk, 0x02, 0x1001, H("1001 0000 00000002").ljust(512, b"\0"), inc_512=True) == Reply(0)
    assert ok(_sp_in(disk, 0x02, 0x1001, length=1, inc_512=True)) == H(
        "1001 0000 00000002 0000 0004 00000000").ljust(512, b"\0")
    # The other ComID kept its own response.
    assert ok(_sp_in(disk, 0x02, 0x1000))[8:12] == H("0000 0004")


def test_security_protocol_out_errors(disk: EmulatedDisk) -> None:
    request = H("1000 0000 00000002")
    # Protocol 00h is IN only; EEh is not offered: the pointer names SECURITY PROTOCOL.
    assert _sp_out(disk, 0x00, 0x0000, request).sense == invalid_cdb(1)
    assert _sp_out(disk, 0xEE, 0x0000, request).sense == invalid_cdb(1)
    # A ComID never issued, for OUT and for IN.
    assert _sp_out(disk, 0x02, 0x1000, request).sense == invalid_cdb(2)
    assert _sp_in(disk, 0x02, 0x1000).sense == invalid_cdb(2)
    ok(_sp_in(disk, 0x02, 0x0000))
    assert _sp_out(disk, 0x02, 0x1000, H("1000 0000 0000")).sense == fixed(0x5, 0x1A, 0x00)  # shorter than a request
    assert _sp_out(disk, 0x02, 0x1000, H("1234 0000 00000002")).sense == invalid_param(0)
    assert _sp_out(disk, 0x02, 0x1000, H("1000 0001 00000002")).sense == invalid_param(2)
    assert _sp_out(disk, 0x02, 0x1000, H("1000 0000 00000001")).sense == invalid_param(4)  # only STACK_RESET
    # A reserved bit of byte 4, and a transfer longer than the data sent.
    assert disk.respond(H("b5 02 1000 40 00 00000008 00 00"), request).sense == invalid_cdb(4, 6)
    assert disk.respond(H("b5 02 1000 00 00 00000010 00 00"), request).sense == fixed(0xB, 0x4B, 0x00)


def test_security_protocols_through_a_channel(reactor) -> None:
    with Channel.open("emu:disk", reactor=reactor) as channel:
        listed = channel.cmd.SecurityProtocolIn(security_protocol=0, security_protocol_specific=0).result
        assert [p.security_protocol for p in listed.supported_security_protocols] == [0x00, 0x02]
        comid = channel.cmd.SecurityProtocolIn(security_protocol=2, security_protocol_specific=0, allocation_length=4)
        number = int.from_bytes(comid.data[:2], "big")
        request = number.to_bytes(2, "big") + H("0000 00000002")
        channel.execute(c.SecurityProtocolOut(security_protocol=2, security_protocol_specific=number,
                                              transfer_length=len(request)), data=request)
        answer = channel.cmd.SecurityProtocolIn(security_protocol=2, security_protocol_specific=number,
                                                allocation_length=16)
        assert answer.data == number.to_bytes(2, "big") + H("0000 00000002 0000 0004 00000000")


@pytest.mark.skipif(shutil.which("sg_get_elem_status") is None, reason="sg3_utils (sg_get_elem_status) is not installed")
def test_sg_get_elem_status_reads_what_the_decoder_reads(disk: EmulatedDisk, tmp_path) -> None:
    disk.elements.set_health(3, 0x70)
    ok(_remove(disk, 2))
    data = ok(_gpes(disk))
    path = tmp_path / "gpes.hex"
    path.write_text(data.hex(" "))
    theirs = subprocess.run(["sg_get_elem_status", f"--inhex={path}", "--maxlen=4096"], capture_output=True,
                            text=True, timeout=30, check=True).stdout
    decoded = decode_physical_element_status(data)
    assert f"Number of descriptors: {decoded.number_of_descriptors}" in theirs
    for index, element in enumerate(decoded.physical_element_status_descriptors, 1):
        line = (f"[{index}] identifier: 0x{element.element_identifier:06x}  associated LBs: "
                f"0x{element.associated_capacity:x}  health: {element.physical_element_health_name}")
        assert line in theirs, (line, theirs)
    assert "depopulation completed, no errors" in theirs and "outside manufacturer's specification limits" in theirs


def test_truncation_drops_the_protection_information_past_the_end() -> None:
    disk = EmulatedDisk(blocks=64, protection=1, storage_elements=2)
    pi = H("1234 0000 00000000")  # as a WRITE with WRPROTECT would store it
    disk.medium.write_protected(40, b"E" * 512, [pi])
    disk.medium.write_protected(8, b"F" * 512, [pi])
    ok(_remove(disk, 1))
    assert disk.medium.blocks == 32
    # Block 8 keeps what was stored; block 40 is gone with its protection information.
    assert disk.medium.protection(8, 1, b"F" * 512) == [(pi, True)]
    assert disk.medium.protection(40, 1, bytes(512)) == [(b"\xff" * 8, False)]
