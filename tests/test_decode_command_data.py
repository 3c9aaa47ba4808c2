"""Decoders of the data the issue-14 commands return, with bytes worked out from the SPC-5,
SBC-4 and ZBC-2 tables; where an sg3_utils tool decodes saved bytes (sg_get_elem_status
--inhex, sg_get_lba_status --inhex, sg_decode_sense) it is asked too."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from sgframe import command as c
from sgframe.decode import alua, copy, defects, elements, maintenance, security, streams, zone_domains

H = bytes.fromhex


def _tool(name: str, *args: str, data: bytes, tmp_path) -> str:
    path = tmp_path / "in.hex"
    path.write_text(" ".join(f"{b:02x}" for b in data) + "\n")
    done = subprocess.run([name, *args, f"--inhex={path}"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


# REPORT TARGET PORT GROUPS ------------------------------------------------------------------

GROUPS = (
    "80 0f 0001 00 02 00 01 0000 0001"  # preferred, active/optimized, AO/AN/S/U supported
    "01 8f 0002 00 01 5a 01 0000 0002"  # active/non optimized, T_SUP too, set by STPG
)


def test_rtpg_length_only_format():
    data = H("00000018" + GROUPS)
    got = c.ReportTargetPortGroups().decode_response(data)
    assert (got.return_data_length, got.format_type, got.implicit_transition_time, got.problems) == (24, 0, None, ())
    first, second = got.target_port_groups
    assert (first.pref, first.asymmetric_access_state, first.asymmetric_access_state_name) == (True, 0, "active/optimized")
    assert first.supported_states == ("unavailable", "standby", "active/non optimized", "active/optimized")
    assert (first.t_sup, first.lbd_sup, first.u_sup, first.ao_sup) == (False, False, True, True)
    assert (first.target_port_group, first.status_code, first.target_port_count) == (1, 2, 1)
    assert first.status_code_name.endswith("altered by implicit asymmetric logical unit access behavior")
    assert first.relative_target_port_identifiers == (1,)
    assert (second.pref, second.asymmetric_access_state_name, second.t_sup) == (False, "active/non optimized", True)
    assert (second.status_code_name, second.vendor_specific) == (
        "target port asymmetric access state altered by SET TARGET PORT GROUPS command", 0x5A)
    assert second.relative_target_port_identifiers == (2,)
    assert got.raw == data


def test_rtpg_extended_header_format():
    got = alua.decode_report_target_port_groups(H("0000001c 10 3c 0000" + GROUPS))
    assert (got.format_type, got.implicit_transition_time, got.problems) == (1, 60, ())
    assert [g.target_port_group for g in got.target_port_groups] == [1, 2]
    assert got.to_dict()["target_port_groups"][1]["supported_states"][0] == "transitioning between states"


def test_rtpg_format_is_read_from_the_data():
    # A device without the extended header answers 000b to a request for 001b.
    got = c.ReportTargetPortGroups(parameter_data_format=1).decode_response(H("00000018" + GROUPS))
    assert (got.format_type, len(got.target_port_groups)) == (0, 2)


@pytest.mark.parametrize("state, name", [(2, "standby"), (3, "unavailable"), (4, "logical block dependent"),
                                         (0xE, "offline"), (0xF, "transitioning between states"), (5, "reserved")])
def test_rtpg_state_names(state, name):
    got = alua.decode_report_target_port_groups(H(f"0000000c 0{state:x} 01 0007 00 00 00 01 0000 0009"))
    assert got.target_port_groups[0].asymmetric_access_state_name == name


def test_rtpg_truncated_by_the_allocation_length():
    got = alua.decode_report_target_port_groups(H("00000018" + GROUPS)[:22])
    assert [g.target_port_group for g in got.target_port_groups] == [1]
    assert got.problems == ("REPORT TARGET PORT GROUPS: return data length 24, 18 bytes received",
                            "REPORT TARGET PORT GROUPS: 6 bytes of an incomplete target port group descriptor at byte 16")


def test_rtpg_ports_past_the_end_and_empty_data():
    got = alua.decode_report_target_port_groups(H("0000000c 00 01 0003 00 00 00 02 0000 0001"))
    assert got.target_port_groups[0].relative_target_port_identifiers == (1,)
    assert got.problems == ("REPORT TARGET PORT GROUPS: target port group 3 lists 2 target ports, 1 fit in the data",)
    assert alua.decode_report_target_port_groups(b"").problems == (
        "REPORT TARGET PORT GROUPS: truncated, byte 3 needed but only 0 bytes present",)


def test_report_referrals():
    got = c.ReportReferrals().decode_response(
        H("0000 001c 000000 02 0000000000000000 00000000000fffff 00 00 0001 02 00 0002"))
    (segment,) = got.user_data_segment_referrals
    assert (segment.first_user_data_segment_lba, segment.last_user_data_segment_lba) == (0, 0xFFFFF)
    assert [(g.target_port_group, g.asymmetric_access_state_name) for g in segment.target_port_groups] == [
        (1, "active/optimized"), (2, "standby")]
    assert got.problems == ()


# READ DEFECT DATA: every address descriptor format ------------------------------------------

def test_defects_short_block_format():
    got = c.ReadDefectData10().decode_response(H("00 08 0008 00001000 00002000"))
    assert (got.plistv, got.glistv, got.defect_list_format_name, got.defect_list_length) == (
        False, True, "short block format", 8)
    assert [d.short_block_address for d in got.address_descriptors] == [0x1000, 0x2000]
    assert got.generation_code is None


def test_defects_long_block_format_from_the_12_byte_cdb():
    got = c.ReadDefectData12().decode_response(H("00 0b 0007 00000010 0000000100000000 0000000000000005"))
    assert (got.generation_code, got.defect_list_format_name) == (7, "long block format")
    assert [d.long_block_address for d in got.address_descriptors] == [1 << 32, 5]


def test_defects_bytes_from_index_format():
    (d,) = defects.decode_defect_data(H("00 1c 0008 000102 03 00000400"), twelve=False).address_descriptors
    assert (d.cylinder_number, d.head_number, d.bytes_from_index, d.entire_track, d.mads) == (258, 3, 0x400, False, None)


def test_defects_physical_sector_format_with_a_whole_track():
    got = defects.decode_defect_data(H("00 0d 0010 000005 01 00000020 000006 02 ffffffff"), twelve=False)
    assert got.defect_list_format_name == "physical sector format"
    assert [(d.cylinder_number, d.head_number, d.sector_number, d.entire_track) for d in got.address_descriptors] == [
        (5, 1, 0x20, False), (6, 2, 0xFFFFFFFF, True)]


def test_defects_extended_bytes_from_index_with_mads():
    got = defects.decode_defect_data(H("00 09 0000 00000010 000010 02 80000100 000010 02 0fffffff"), twelve=True)
    first, last = got.address_descriptors
    assert (first.mads, first.bytes_from_index, first.entire_track) == (True, 0x100, False)
    assert (last.mads, last.bytes_from_index, last.entire_track) == (False, 0x0FFFFFFF, True)
    assert got.defect_list_format_name == "extended bytes from index format"


def test_defects_extended_physical_sector():
    (d,) = defects.decode_defect_data(H("00 0a 0000 00000008 000020 00 8000002a"), twelve=True).address_descriptors
    assert (d.cylinder_number, d.head_number, d.sector_number, d.mads) == (0x20, 0, 0x2A, True)


def test_defects_vendor_specific_kept_whole():
    got = defects.decode_defect_data(H("00 0e 0006 aabbccddeeff"), twelve=False)
    assert got.defect_list_format_name == "vendor specific"
    assert [d.raw for d in got.address_descriptors] == [H("aabbccddeeff")]


def test_defects_list_cut_by_the_allocation_length():
    got = defects.decode_defect_data(H("00 08 000c 00000001 00000002 0000"), twelve=False)
    assert [d.short_block_address for d in got.address_descriptors] == [1, 2]
    assert got.problems == ("READ DEFECT DATA(10): defect list length 12, 10 bytes received",)


def test_defects_empty_list_and_no_data():
    assert defects.decode_defect_data(H("00 18 0000"), twelve=False).address_descriptors == ()
    assert defects.decode_defect_data(b"", twelve=True).problems == (
        "READ DEFECT DATA(12): truncated, byte 1 needed but only 0 bytes present",)


# RECEIVE COPY ... ------------------------------------------------------------------------

def test_copy_status_lid1():
    got = c.ReceiveCopyStatusLid1().decode_response(H("00000008 82 0003 f1 00000020"))
    assert (got.hdd, got.copy_manager_status_name, got.segments_processed) == (True, "operation completed with errors", 3)
    assert (got.transfer_count_units_name, got.transfer_count, got.problems) == ("logical blocks", 0x20, ())


OPERATING = ("0000002b 01 000000 0002 0001 00000400 00100000 00000000 00000000 00000000 0000 0001 01 09 00 00"
             " 000000 03 02 e4 c5")


def test_copy_operating_parameters():
    got = c.ReceiveCopyOperatingParameters().decode_response(H(OPERATING))
    assert (got.snlid, got.maximum_cscd_descriptor_count, got.maximum_segment_descriptor_count) == (True, 2, 1)
    assert (got.maximum_descriptor_list_length, got.maximum_segment_length, got.maximum_inline_data_length) == (
        0x400, 0x100000, 0)
    assert (got.total_concurrent_copies, got.maximum_concurrent_copies, got.data_segment_granularity) == (1, 1, 9)
    assert [(d.descriptor_type_code, d.name) for d in got.implemented_descriptors] == [
        (0x02, "Copy from block device to block device"), (0xE4, "Identification descriptor"),
        (0xC5, "vendor specific")]
    assert got.problems == ()


SENSE = "70 00 05 00000000 0a 00000000 26 00 00 000000"


def test_copy_failure_details(tmp_path):
    data = H("0000004a" + "00" * 52 + "02 00 0012" + SENSE)
    got = c.ReceiveCopyFailureDetailsLid1().decode_response(data)
    assert (got.copy_command_status, got.sense_data_length, got.sense_data) == (2, 18, H(SENSE))
    assert (got.sense.sense_key, got.sense.asc, got.sense.ascq) == (5, 0x26, 0)
    assert got.problems == ()
    assert json.loads(json.dumps(got.to_dict()))["sense"]["asc"] == 0x26
    assert c.ReceiveCopyFailureDetailsLid1().decode_response(H("00000000")).sense is None
    if shutil.which("sg_decode_sense"):
        path = tmp_path / "sense.hex"
        path.write_text(" ".join(f"{b:02x}" for b in H(SENSE)))
        out = subprocess.run(["sg_decode_sense", f"--file={path}"], capture_output=True, text=True).stdout
        assert "Illegal Request" in out and "Invalid field in parameter list" in out


def test_copy_status_lid4():
    data = H("0000002e 05 02 0001 000003e8 02 12 12 f1 0000000000000100 0001 000000000000" + SENSE)
    got = c.ReceiveCopyStatusLid4().decode_response(data)
    assert (got.response_to_service_action, got.copy_operation_status_name) == (5, "operation completed with errors")
    assert (got.operation_counter, got.estimated_status_update_delay, got.extended_copy_completion_status) == (1, 1000, 2)
    assert (got.transfer_count_units_name, got.transfer_count, got.segments_processed) == ("logical blocks", 0x100, 1)
    assert got.sense.asc == 0x26 and got.problems == ()


def test_copy_data_lid4_held_data_after_a_longer_sense_field():
    # LENGTH OF THE SENSE DATA FIELD 20 (x = 51), SENSE DATA LENGTH 18: the held data
    # length sits at byte 52, after two bytes of sense field padding. HDD is byte 5 bit 7.
    data = H("00000037 06 81 0000 00000000 00 14 12 00 0000000000000000 0000 000000000000" + SENSE + "0000"
             + "00000003 aabbcc")
    got = c.ReceiveCopyDataLid4().decode_response(data)
    assert (got.response_to_service_action, got.hdd, got.copy_operation_status) == (6, True, 1)
    assert (got.length_of_the_sense_data_field, got.sense_data_length, got.sense.asc) == (20, 18, 0x26)
    assert (got.held_data_length, got.held_data, got.problems) == (3, H("aabbcc"), ())
    assert json.loads(json.dumps(got.to_dict()))["held_data"] == "aabbcc"
    short = copy.decode_copy_data_lid4(data[:-2])
    assert short.held_data == H("aa") and "held data length 3, 1 bytes received" in short.problems[-1]


def _token(rod_type: int, body: bytes) -> bytes:
    return rod_type.to_bytes(4, "big") + bytes(2) + len(body).to_bytes(2, "big") + body


def test_rod_token_information_with_two_tokens():
    point_in_time = _token(0x00800000, (bytes(range(256)) * 2)[:0x1F8])  # 512 bytes, ROD TOKEN LENGTH 01F8h
    assert point_in_time[6:8] == H("01f8")
    zero = _token(0xFFFF0001, bytes(0x1F8))
    descriptors = H("0000") + point_in_time + H("0003") + zero
    data = H("%08x" % (32 + 4 + len(descriptors) - 4)) + H("10 01 0000 00000000 00 00 00 f1 0000000000000800 0000 000000000000")
    data += len(descriptors).to_bytes(4, "big") + descriptors
    got = c.ReceiveRodTokenInformation().decode_response(data)
    assert (got.response_to_service_action, got.copy_operation_status_name, got.transfer_count) == (
        0x10, "operation completed without errors", 0x800)
    assert got.rod_token_descriptors_length == 2 * 514 and got.problems == ()
    first, second = got.rod_token_descriptors
    assert (first.id_for_creating_rod_cscd_descriptor, first.rod_token.rod_type_name, first.rod_token.rod_token_length) == (
        0, "point in time copy - default", 0x1F8)
    assert first.rod_token.token == point_in_time
    assert (second.id_for_creating_rod_cscd_descriptor, second.rod_token.rod_type, second.rod_token.rod_type_name) == (
        3, 0xFFFF0001, "block device zero")
    assert json.loads(json.dumps(got.to_dict()))["rod_token_descriptors"][1]["rod_token"]["rod_token_length"] == 0x1F8


def test_rod_token_information_truncated_and_unknown_types():
    header = H("0000003a 10 01 0000 00000000 00 00 00 f1 0000000000000000 0000 000000000000")
    cut = copy.decode_rod_token_information(header + H("00000206 0000") + _token(0x00800000, bytes(0x1F8))[:40])
    (d,) = cut.rod_token_descriptors
    assert len(d.rod_token.token) == 40 and any("runs past the end" in p for p in cut.problems)
    assert copy.rod_type_name(0xFFFFFFF5) == "vendor specific"
    assert copy.rod_type_name(0xFF000001) == "reserved (device type specific)"
    assert copy.rod_type_name(0x00000002) == "reserved"
    assert copy.decode_rod_token(H("0080")).rod_type is None
    none = copy.decode_rod_token_information(header[:32] + H("00000000"))
    assert (none.rod_token_descriptors_length, none.rod_token_descriptors) == (0, ())


def test_copy_data_lid1_and_a_short_status():
    assert copy.decode_copy_data_lid1(H("00000003 aabbcc")).held_data == H("aabbcc")
    assert copy.decode_copy_status_lid1(H("00000008 01")).problems == (
        "RECEIVE COPY STATUS(LID1): available data 8, 1 bytes received",
        "RECEIVE COPY STATUS(LID1): truncated, byte 7 needed but only 5 bytes present")


# SECURITY PROTOCOL IN, protocol 00h -------------------------------------------------------

def test_supported_security_protocols():
    got = c.SecurityProtocolIn().decode_response(H("000000000000 0005 00 01 20 ee f1"))
    assert [(p.security_protocol, p.name) for p in got.supported_security_protocols] == [
        (0x00, "security protocol information"), (0x01, "TCG"), (0x20, "tape data encryption"),
        (0xEE, "IEEE 1667"), (0xF1, "vendor specific")]
    assert got.problems == ()


def test_certificate_data():
    got = c.SecurityProtocolIn(security_protocol_specific=1).decode_response(H("0000 0004 30820102"))
    assert (got.certificate_length, got.certificate) == (4, H("30820102"))


def test_security_compliance_fips_140():
    fips = bytearray(528)
    fips[0:8] = H("0001 0000 00000208")
    fips[8:10] = b"23"
    fips[16:22] = b"HW 1.0"
    fips[144:150] = b"FW 2.1"
    fips[272:285] = b"Crypto Module"
    got = c.SecurityProtocolIn(security_protocol_specific=2).decode_response((528).to_bytes(4, "big") + bytes(fips))
    (d,) = got.compliance_descriptors
    assert (d.name, d.revision, d.revision_name, d.overall_security_level) == (
        "security requirements for cryptographic modules (FIPS 140)", "2", "FIPS 140-2", "3")
    assert (d.hardware_version, d.version, d.module_name) == ("HW 1.0", "FW 2.1", "Crypto Module")
    assert (d.compliance_descriptor_length, len(d.raw), got.problems) == (0x208, 528, ())


def test_fips_140_descriptor_layout_from_spc5_and_neighbours():
    # SPC-5 table 515: REVISION "3" (33h) is FIPS 140-3; a descriptor after it starts at
    # 4 + 528, so a wrong length would misplace it. A short FIPS descriptor is a problem.
    fips = bytearray(528)
    fips[0:8] = H("0001 0000 00000208")
    fips[8:10] = b"34"
    fips[16:144] = b"H" * 128
    fips[144:272] = b"V" * 128
    fips[272:528] = b"M" * 256
    other = H("0002 0000 00000002 abcd")
    body = bytes(fips) + other
    got = c.SecurityProtocolIn(security_protocol_specific=2).decode_response(len(body).to_bytes(4, "big") + body)
    first, second = got.compliance_descriptors
    assert (first.revision_name, first.overall_security_level) == ("FIPS 140-3", "4")
    assert (first.hardware_version, first.version, first.module_name) == ("H" * 128, "V" * 128, "M" * 256)
    assert (second.compliance_descriptor_type, second.name, second.raw, second.revision) == (2, "reserved", other, None)
    short = H("0001 0000 00000004 32330000")
    got = c.SecurityProtocolIn(security_protocol_specific=2).decode_response(H("0000000c") + short)
    assert got.compliance_descriptors[0].revision is None
    assert "FIPS 140 compliance descriptor at byte 4 has 12 of 528 bytes" in got.problems[0]


def test_other_protocols_keep_their_bytes():
    got = c.SecurityProtocolIn(security_protocol=1, security_protocol_specific=1).decode_response(H("0102"))
    assert (got.security_protocol_name, got.raw) == ("TCG", H("0102"))


# READ MEDIA SERIAL NUMBER, REPORT IDENTIFYING INFORMATION, REPORT PRIORITY ------------------

def test_media_serial_number():
    got = c.ReadMediaSerialNumber().decode_response(H("00000008") + b"SN123456")
    assert (got.media_serial_number, got.text, got.problems) == (b"SN123456", "SN123456", ())
    assert maintenance.decode_media_serial_number(H("00000002 ff01")).text is None


def test_identifying_information_supported_types():
    got = c.ReportIdentifyingInformation(identifying_information_type=0x7F).decode_response(
        H("0000 0008 00 00 0040 fe 00 0100"))
    assert [(t.identifying_information_type, t.maximum_identifying_information_length)
            for t in got.identifying_information_types] == [(0, 64), (0x7F, 256)]
    assert c.ReportIdentifyingInformation().decode_response(
        H("0000 0006") + b"rack 4").identifying_information == b"rack 4"


def test_identifying_information_layout_from_spc5():
    # SPC-5 tables 281-283: bytes 0-1 reserved, 2-3 the length of what follows; a
    # descriptor is INFORMATION TYPE in bits 7-1 of byte 0, byte 1 reserved, MAXIMUM
    # INFORMATION LENGTH in bytes 2-3. Type 02h (0000010b, byte 04h) is the second.
    got = maintenance.decode_identifying_information(H("0000 000c 00 00 0100 04 00 0040 fe 00 0200"),
                                                    supported_list=True)
    assert [(t.identifying_information_type, t.maximum_identifying_information_length)
            for t in got.identifying_information_types] == [(0, 256), (2, 64), (0x7F, 512)]
    assert got.problems == ()
    # sg_ident reads bytes 0-3 as one length: the same number while bytes 0-1 are zero.
    info = maintenance.decode_identifying_information(H("0000 0004 61626364 0000"))
    assert (info.identifying_information_length, info.identifying_information) == (4, b"abcd")
    odd = maintenance.decode_identifying_information(H("0000 0006 00 00 0100 04 00"), supported_list=True)
    assert len(odd.identifying_information_types) == 1 and "2 bytes of an incomplete descriptor" in odd.problems[0]


def test_report_priority_with_an_iscsi_transport_id():
    tid = "05 00 0008" + b"iqn.x\0\0\0".hex()
    got = c.ReportPriority().decode_response(H("00000014 03 00 0002 0000 000c" + tid))
    (d,) = got.priority_descriptors
    assert (d.current_priority, d.relative_target_port_identifier, d.additional_descriptor_length) == (3, 2, 12)
    assert d.transport_id.iscsi_name == "iqn.x"
    assert got.problems == ()


# Streams, physical elements ---------------------------------------------------------------

def test_stream_status_and_control():
    got = c.GetStreamStatus().decode_response(H("00000010 0000 0002 80 00 0001 05 000000 00 00 0009 7f 000000"))
    assert got.number_of_open_streams == 2
    assert [(s.perm, s.stream_identifier, s.relative_lifetime) for s in got.stream_status_descriptors] == [
        (True, 1, 5), (False, 9, 0x7F)]
    assert streams.decode_stream_control(H("07 000000 0003 0000")).assigned_str_id == 3
    assert streams.decode_stream_control(b"").assigned_str_id is None


def _elements_hex() -> bytes:
    data = bytearray(96)
    data[0:8] = H("00000002 00000002")
    data[32 + 4:32 + 8] = H("00000001")
    data[32 + 13:32 + 16] = H("01 01 10")
    data[32 + 16:32 + 24] = (0x100000).to_bytes(8, "big")
    data[64 + 4:64 + 8] = H("00000002")
    data[64 + 14:64 + 16] = H("01 fd")
    data[64 + 16:64 + 24] = (0x200000).to_bytes(8, "big")
    return bytes(data)


def test_physical_element_status():
    got = c.GetPhysicalElementStatus().decode_response(_elements_hex())
    first, second = got.physical_element_status_descriptors
    assert (first.element_identifier, first.ralwd, first.physical_element_type_name, first.associated_capacity) == (
        1, True, "all-access storage", 0x100000)
    assert (first.physical_element_health, first.physical_element_health_name) == (
        0x10, "within manufacturer's specification limits")
    assert (second.ralwd, second.physical_element_health_name) == (False, "depopulation completed, errors detected")
    assert elements.decode_physical_element_status(_elements_hex()[:70]).problems == (
        "GET PHYSICAL ELEMENT STATUS: 2 descriptors returned, 1 fit in the 70 bytes received",)


@pytest.mark.skipif(shutil.which("sg_get_elem_status") is None, reason="sg3_utils not installed")
def test_physical_element_status_agrees_with_sg_get_elem_status(tmp_path):
    out = _tool("sg_get_elem_status", "--maxlen=4096", data=_elements_hex(), tmp_path=tmp_path)
    got = elements.decode_physical_element_status(_elements_hex())
    assert f"Number of descriptors returned: {got.number_of_descriptors_returned}" in out
    lines = re.findall(r"\[\d+\] identifier: (0x[0-9a-f]+)\s+associated LBs: (0x[0-9a-f]+)\s+health: ([^<\[\n]+)", out)
    assert [(int(i, 16), int(lbs, 16), health.strip()) for i, lbs, health in lines] == [
        (d.element_identifier, d.associated_capacity, d.physical_element_health_name)
        for d in got.physical_element_status_descriptors]


@pytest.mark.skipif(shutil.which("sg_get_lba_status") is None, reason="sg3_utils not installed")
def test_get_lba_status32_data_agrees_with_sg_get_lba_status(tmp_path):
    data = H("00000024 00000000 0000000000000000 00000010 00000000 0000000000000010 00000020 01000000")
    got = c.GetLbaStatus32().decode_response(data)
    out = _tool("sg_get_lba_status", "--brief", "--maxlen=4096", data=data, tmp_path=tmp_path)
    rows = [line.split() for line in out.splitlines() if line.startswith("0x")]
    assert [(int(a, 16), int(b, 16), int(p)) for a, b, p, *_ in rows] == [
        (d.lba_status_logical_block_address, d.number_of_logical_blocks, d.provisioning_status)
        for d in got.lba_status_descriptors]


# Realms, zone domains, zone activation ------------------------------------------------------

def test_report_realms():
    header = H("00000000 00000001 00000030 0000000000000000").ljust(64, b"\0")
    realm = H("00000001 0003 00 01 0000000000000000 0000000000000000 0000000000000fff"
              "0000000000001000 0000000000001fff")
    got = c.ReportRealms().decode_response(header + realm)
    (d,) = got.realm_descriptors
    assert (d.realm_id, d.realm_restrictions, d.active_zone_domain_id) == (1, 3, 1)
    assert [(r.zone_domain_id, r.realm_starting_lba, r.realm_ending_lba) for r in d.realm_start_end] == [
        (0, 0, 0xFFF), (1, 0x1000, 0x1FFF)]
    assert got.problems == ()


def _domain(domain: int, count: int, start: int, end: int, kind: int, flags: int) -> bytes:
    d = bytearray(96)
    d[0] = domain
    d[16:24] = count.to_bytes(8, "big")
    d[24:32] = start.to_bytes(8, "big")
    d[32:40] = end.to_bytes(8, "big")
    d[40], d[42] = kind, flags
    return bytes(d)


def test_report_zone_domains():
    header = H("000000c0 000000c0 02 02 00").ljust(64, b"\0")
    data = header + _domain(0, 16, 0, 0xFFFF, 1, 0x02) + _domain(1, 16, 0x10000, 0x1FFFF, 2, 0x03)
    got = c.ReportZoneDomains().decode_response(data)
    assert (got.number_of_zone_domains_supported, got.number_of_zone_domains_reported) == (2, 2)
    assert [(d.zone_domain_id, d.zone_count, d.starting_lba, d.ending_lba, d.zone_domain_zone_type_name, d.vzdzt, d.srb)
            for d in got.zone_domain_descriptors] == [
        (0, 16, 0, 0xFFFF, "conventional", True, False),
        (1, 16, 0x10000, 0x1FFFF, "sequential write required", True, True)]
    assert zone_domains.decode_report_zone_domains(data[:100]).problems == (
        "REPORT ZONE DOMAINS: 2 zone domains reported, 0 fit in the 100 bytes received",)


def test_zone_activation_results():
    header = bytearray(64)
    header[0:12] = H("00000020 00000020 c1 03 01 01")
    header[16:20] = (4).to_bytes(4, "big")
    header[24:32] = (0x8000).to_bytes(8, "big")
    descriptor = H("02 50 01 00 00000000 0000000000000004 0000000000010000 0000000000000000")
    got = c.ZoneQuery().decode_response(bytes(header) + descriptor)
    assert (got.nz_valid, got.ziwup_valid, got.activated, got.all) == (True, True, True, True)
    assert got.unmet_prerequisite_names == ("not empty", "not inactive")
    assert (got.other_zone_domain_id, got.number_of_zones, got.zone_id_with_unmet_prerequisite) == (1, 4, 0x8000)
    (d,) = got.zone_activation_descriptors
    assert (d.zone_type_name, d.zone_condition_name, d.zone_domain_id, d.zone_range_size, d.starting_zone_locator) == (
        "sequential write required", "inactive", 1, 4, 0x10000)
    assert got.problems == ()
