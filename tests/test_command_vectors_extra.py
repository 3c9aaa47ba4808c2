"""One line per command for the commands added with issue 14 (SBC-4, SPC-5, ZBC-2 CDB
tables), their data lengths and the decoders they attach."""
from __future__ import annotations

import pytest

from sgframe import command as c
from sgframe.errors import UsageError

from test_command_vectors import roundtrip


# SBC block commands -------------------------------------------------------------------

def test_verify12():
    roundtrip(c.Verify12, "af 32 00 00 10 00 00 00 00 08 05 00", vrprotect=1, dpo=True, bytchk=1, lba=0x1000,
              verification_length=8, group_number=5)

def test_write_and_verify12():
    roundtrip(c.WriteAndVerify12, "ae 06 00 00 00 07 00 01 00 00 00 00", bytchk=3, lba=7, transfer_length=0x10000)

def test_or_write16():
    roundtrip(c.OrWrite16, "8b 78 00 00 00 00 00 00 01 00 00 00 00 04 02 00", orprotect=3, dpo=True, fua=True,
              lba=0x100, transfer_length=4, group_number=2)

def test_write_atomic16():
    roundtrip(c.WriteAtomic16, "9c 08 00 00 00 00 00 00 00 20 00 08 00 10 00 00", fua=True, lba=0x20,
              atomic_boundary=8, transfer_length=0x10)

def test_read_long10():
    roundtrip(c.ReadLong10, "3e 06 00 00 12 34 00 02 08 00", pblock=True, corrct=True, lba=0x1234,
              byte_transfer_length=0x208)

def test_read_long16():
    roundtrip(c.ReadLong16, "9e 11 00 00 01 00 00 00 00 00 00 00 02 08 03 00", lba=1 << 40,
              byte_transfer_length=0x208, pblock=True, corrct=True)

def test_write_long10():
    roundtrip(c.WriteLong10, "3f c0 00 00 00 10 00 00 00 00", cor_dis=True, wr_uncor=True, lba=0x10)

def test_write_long16():
    roundtrip(c.WriteLong16, "9f 31 00 00 00 00 00 00 00 10 00 00 02 00 00 00", pblock=True, lba=0x10,
              byte_transfer_length=0x200)


# SBC medium state ---------------------------------------------------------------------

def test_read_defect_data10():
    roundtrip(c.ReadDefectData10, "37 00 1d 00 00 00 00 02 00 00", req_plist=True, req_glist=True,
              defect_list_format=5, allocation_length=0x200)

def test_read_defect_data12():
    roundtrip(c.ReadDefectData12, "b7 0b 00 00 00 10 00 01 00 00 00 00", req_glist=True, defect_list_format=3,
              address_descriptor_index=0x10, allocation_length=0x10000)

def test_reassign_blocks():
    roundtrip(c.ReassignBlocks, "07 03 00 00 00 00", longlba=True, longlist=True)

def test_read_media_serial_number():
    roundtrip(c.ReadMediaSerialNumber, "ab 01 00 00 00 00 00 00 01 00 00 00", allocation_length=0x100)

def test_get_lba_status32():
    roundtrip(c.GetLbaStatus32, "7f 00 0000000000 18 0012 10 00 0000000000001000 00000080 00000002 00001000",
              report_type=0x10, starting_lba=0x1000, scan_length=0x80, element_identifier=2, allocation_length=0x1000)

def test_get_physical_element_status():
    roundtrip(c.GetPhysicalElementStatus, "9e 17 00 00 00 00 00 00 00 05 00 00 08 20 41 00", starting_element=5,
              allocation_length=0x820, filter=1, report_type=1)

def test_remove_element_and_truncate():
    roundtrip(c.RemoveElementAndTruncate, "9e 18 00 00 00 00 00 10 00 00 00 00 00 03 00 00",
              requested_capacity=0x100000, element_identifier=3)

def test_stream_control_open():
    roundtrip(c.StreamControl, "9e 34 00 00 00 00 00 00 00 00 00 00 00 08 00 00", str_ctl=1, allocation_length=8)

def test_stream_control_close():
    roundtrip(c.StreamControl, "9e 54 00 00 00 07 00 00 00 00 00 00 00 00 00 00", str_ctl=2, str_id=7,
              allocation_length=0)

def test_get_stream_status():
    roundtrip(c.GetStreamStatus, "9e 16 00 00 00 02 00 00 00 00 00 00 04 00 00 00", starting_stream_identifier=2,
              allocation_length=0x400)

def test_background_control():
    roundtrip(c.BackgroundControl, "9e 15 40 0a 00 00 00 00 00 00 00 00 00 00 00 00", bo_ctl=1, bo_time=10)


# SPC maintenance, referrals, security -------------------------------------------------

def test_report_identifying_information():
    roundtrip(c.ReportIdentifyingInformation, "a3 05 00 00 00 00 00 00 01 00 fe 00", allocation_length=0x100,
              identifying_information_type=0x7F)

def test_report_priority():
    roundtrip(c.ReportPriority, "a3 0e 40 00 00 00 00 00 10 00 00 00", priority_reported=1, allocation_length=0x1000)

def test_set_target_port_groups():
    roundtrip(c.SetTargetPortGroups, "a4 0a 00 00 00 00 00 00 00 08 00 00", parameter_list_length=8)

def test_report_referrals():
    roundtrip(c.ReportReferrals, "9e 13 00 00 00 00 00 00 40 00 00 00 10 00 01 00", lba=0x4000,
              allocation_length=0x1000, one_seg=True)

def test_security_protocol_in():
    roundtrip(c.SecurityProtocolIn, "a2 00 00 00 00 00 00 00 02 00 00 00", allocation_length=0x200)

def test_security_protocol_in_inc_512():
    roundtrip(c.SecurityProtocolIn, "a2 ef 00 01 80 00 00 00 00 02 00 00", security_protocol=0xEF,
              security_protocol_specific=1, inc_512=True, allocation_length=2)

def test_security_protocol_out():
    roundtrip(c.SecurityProtocolOut, "b5 01 00 05 00 00 00 00 02 00 00 00", security_protocol=1,
              security_protocol_specific=5, transfer_length=0x200)


# SPC third-party copy -------------------------------------------------------------------

def test_extended_copy_lid1():
    roundtrip(c.ExtendedCopyLid1, "83 00 00 00 00 00 00 00 00 00 00 00 00 6c 00 00", parameter_list_length=0x6C)

def test_extended_copy_lid4():
    roundtrip(c.ExtendedCopyLid4, "83 01 00 00 00 00 00 00 00 00 00 00 00 8c 00 00", parameter_list_length=0x8C)

def test_receive_copy_status_lid1():
    roundtrip(c.ReceiveCopyStatusLid1, "84 00 07 00 00 00 00 00 00 00 00 00 00 0c 00 00", list_identifier=7,
              allocation_length=12)

def test_receive_copy_data_lid1():
    roundtrip(c.ReceiveCopyDataLid1, "84 01 07 00 00 00 00 00 00 00 00 00 10 00 00 00", list_identifier=7,
              allocation_length=0x1000)

def test_receive_copy_operating_parameters():
    roundtrip(c.ReceiveCopyOperatingParameters, "84 03 00 00 00 00 00 00 00 00 00 00 04 00 00 00",
              allocation_length=0x400)

def test_receive_copy_failure_details_lid1():
    roundtrip(c.ReceiveCopyFailureDetailsLid1, "84 04 09 00 00 00 00 00 00 00 00 00 01 00 00 00",
              list_identifier=9, allocation_length=0x100)

def test_receive_copy_status_lid4():
    roundtrip(c.ReceiveCopyStatusLid4, "84 05 12 34 56 78 00 00 00 00 00 00 04 00 00 00",
              list_identifier=0x12345678, allocation_length=0x400)

def test_receive_copy_data_lid4():
    roundtrip(c.ReceiveCopyDataLid4, "84 06 00 00 00 01 00 00 00 00 00 00 10 00 00 00", list_identifier=1,
              allocation_length=0x1000)


def test_receive_rod_token_information():
    roundtrip(c.ReceiveRodTokenInformation, "84 07 00 00 00 2a 00 00 00 00 00 00 04 00 00 00", list_identifier=0x2A,
              allocation_length=0x400)
    assert c.ReceiveRodTokenInformation().data_length() == 1024


# ZBC zone domains -------------------------------------------------------------------------

def test_report_realms():
    roundtrip(c.ReportRealms, "95 06 00 00 00 00 00 00 00 00 00 00 10 00 01 00", allocation_length=0x1000,
              reporting_options=1)

def test_report_zone_domains():
    roundtrip(c.ReportZoneDomains, "95 07 00 00 00 00 00 00 00 02 00 00 10 00 3f 00", zone_domain_locator=2,
              allocation_length=0x1000, reporting_options=0x3F)

def test_zone_activate():
    roundtrip(c.ZoneActivate, "95 88 00 00 00 00 00 00 00 00 00 00 10 00 01 00", all=True, allocation_length=0x1000,
              other_zone_domain_id=1)

def test_zone_query():
    roundtrip(c.ZoneQuery, "95 09 00 00 00 00 00 08 00 00 00 04 00 40 02 00", zone_id=0x80000, number_of_zones=4,
              allocation_length=0x40, other_zone_domain_id=2)


# Data lengths, constants ------------------------------------------------------------------

@pytest.mark.parametrize(
    "cmd, block_size, expected",
    [
        (c.Verify12(bytchk=0, verification_length=8), None, 0),
        (c.Verify12(bytchk=1, verification_length=8), 512, 4096),
        (c.Verify12(bytchk=3, verification_length=8), 4096, 4096),
        (c.WriteAndVerify12(transfer_length=3), 512, 1536),
        (c.OrWrite16(transfer_length=2), 4096, 8192),
        (c.WriteAtomic16(transfer_length=4), 512, 2048),
        (c.ReadLong10(byte_transfer_length=520), None, 520),
        (c.WriteLong16(byte_transfer_length=520), None, 520),
        (c.WriteLong10(wr_uncor=True), None, 0),
        (c.ReassignBlocks(), None, 4),
        (c.SecurityProtocolIn(allocation_length=3), None, 3),
        (c.SecurityProtocolIn(allocation_length=3, inc_512=True), None, 1536),
        (c.SecurityProtocolOut(transfer_length=2, inc_512=True), None, 1024),
        (c.GetLbaStatus32(allocation_length=24), None, 24),
        (c.ZoneQuery(allocation_length=64), None, 64),
        (c.ExtendedCopyLid1(parameter_list_length=108), None, 108),
        (c.BackgroundControl(bo_ctl=1), None, 0),
    ],
)
def test_data_length(cmd, block_size, expected):
    assert cmd.data_length(block_size) == expected


def test_verify12_reserved_bytchk_and_missing_block_size():
    with pytest.raises(UsageError, match="BYTCHK 10b is reserved"):
        c.Verify12(bytchk=2).data_length(512)
    with pytest.raises(UsageError, match="block_size"):
        c.WriteAtomic16(transfer_length=1).data_length()


@pytest.mark.parametrize(
    "cls, name, opcode, service_action",
    [
        (c.ReadLong16, "READ LONG(16)", 0x9E, 0x11),
        (c.WriteLong16, "WRITE LONG(16)", 0x9F, 0x11),
        (c.ReportReferrals, "REPORT REFERRALS", 0x9E, 0x13),
        (c.StreamControl, "STREAM CONTROL", 0x9E, 0x14),
        (c.BackgroundControl, "BACKGROUND CONTROL", 0x9E, 0x15),
        (c.GetStreamStatus, "GET STREAM STATUS", 0x9E, 0x16),
        (c.GetPhysicalElementStatus, "GET PHYSICAL ELEMENT STATUS", 0x9E, 0x17),
        (c.RemoveElementAndTruncate, "REMOVE ELEMENT AND TRUNCATE", 0x9E, 0x18),
        (c.GetLbaStatus32, "GET LBA STATUS(32)", 0x7F, 0x0012),
        (c.ReadMediaSerialNumber, "READ MEDIA SERIAL NUMBER", 0xAB, 0x01),
        (c.ReportIdentifyingInformation, "REPORT IDENTIFYING INFORMATION", 0xA3, 0x05),
        (c.ReportPriority, "REPORT PRIORITY", 0xA3, 0x0E),
        (c.SetTargetPortGroups, "SET TARGET PORT GROUPS", 0xA4, 0x0A),
        (c.ExtendedCopyLid4, "EXTENDED COPY(LID4)", 0x83, 0x01),
        (c.ReceiveCopyOperatingParameters, "RECEIVE COPY OPERATING PARAMETERS", 0x84, 0x03),
        (c.ZoneActivate, "ZONE ACTIVATE(16)", 0x95, 0x08),
        (c.ZoneQuery, "ZONE QUERY(16)", 0x95, 0x09),
        (c.ReportRealms, "REPORT REALMS", 0x95, 0x06),
        (c.ReportZoneDomains, "REPORT ZONE DOMAINS", 0x95, 0x07),
        (c.SecurityProtocolIn, "SECURITY PROTOCOL IN", 0xA2, None),
        (c.ReassignBlocks, "REASSIGN BLOCKS", 0x07, None),
    ],
)
def test_names_and_service_actions(cls, name, opcode, service_action):
    assert (cls.NAME, cls.OPCODE, cls.SERVICE_ACTION) == (name, opcode, service_action)


def test_out_of_range_fields_are_refused():
    with pytest.raises(UsageError, match=r"WriteAtomic16.transfer_length=65536 is out of range"):
        c.WriteAtomic16(transfer_length=0x10000)
    with pytest.raises(UsageError, match=r"ReportIdentifyingInformation.identifying_information_type=128"):
        c.ReportIdentifyingInformation(identifying_information_type=0x80)
    with pytest.raises(UsageError, match=r"StreamControl.str_ctl=4"):
        c.StreamControl(str_ctl=4)


# Responses: each decoder the new commands attach (the record, no problems) ----------------

RESPONSES = [
    (c.ReportTargetPortGroups(), "0000000c 00010001 00000001 00000001", "TargetPortGroupsData"),
    (c.ReadDefectData10(), "00 1d 0008 00000001 00000002", "DefectData"),
    (c.ReadDefectData12(), "00 0b 0000 00000008 0000000000000010", "DefectData"),
    (c.ReadMediaSerialNumber(), "00000004" + b"AB12".hex(), "MediaSerialNumber"),
    (c.GetLbaStatus32(), "00000014 00000000 0000000000000000 00000010 01000000", "LbaStatusData"),
    (c.GetPhysicalElementStatus(), "00000000 00000000 00000000" + "00" * 20, "PhysicalElementStatusData"),
    (c.StreamControl(str_ctl=1), "07 000000 0003 0000", "StreamControlData"),
    (c.GetStreamStatus(), "00000008 0000 0001 80 00 0001 05 000000", "StreamStatusData"),
    (c.ReportIdentifyingInformation(), "0000 0004" + b"rack".hex(), "IdentifyingInformation"),
    (c.ReportPriority(), "00000000", "ReportPriorityData"),
    (c.ReportReferrals(), "0000 0000", "ReportReferralsData"),
    (c.SecurityProtocolIn(), "000000000000 0002 00 ef", "SupportedSecurityProtocols"),
    (c.ReceiveCopyStatusLid1(), "00000008 01 0001 00 00000200", "CopyStatusLid1"),
    (c.ReceiveCopyDataLid1(), "00000000", "CopyDataLid1"),
    (c.ReceiveCopyOperatingParameters(), "00000028" + "00" * 39 + "00", "CopyOperatingParameters"),
    (c.ReceiveCopyFailureDetailsLid1(), "00000000", "CopyFailureDetails"),
    (c.ReceiveCopyStatusLid4(), "0000001c 05 01" + "00" * 26, "CopyStatusLid4"),
    (c.ReceiveCopyDataLid4(), "00000020 06 01" + "00" * 30, "CopyDataLid4"),
    (c.ReceiveRodTokenInformation(), "00000020 07 01" + "00" * 30, "RodTokenInformation"),
    (c.ReportRealms(), "00" * 64, "ReportRealmsData"),
    (c.ReportZoneDomains(), "00" * 64, "ReportZoneDomainsData"),
    (c.ZoneActivate(), "00" * 64, "ZoneActivationResults"),
    (c.ZoneQuery(), "00" * 64, "ZoneActivationResults"),
]


@pytest.mark.parametrize("cmd, data, record", RESPONSES, ids=[type(r[0]).__name__ for r in RESPONSES])
def test_decode_response(cmd, data, record):
    decoded = cmd.decode_response(bytes.fromhex(data))
    assert type(decoded).__name__ == record
    assert decoded.problems == ()
    if record != "LbaStatusData":  # the GET LBA STATUS(16) record, shared, keeps no bytes
        assert decoded.to_dict()["raw"] == bytes.fromhex(data).hex()


# --- issue 14: the commands behind sg3_utils options (sg_read_buffer --long, sg_format
# --preset, sg_zone --sequentialize/--remove) and the obsolete bits they still set ---------

def test_read_buffer16():
    # MODE SPECIFIC 5 over mode 02h; offset 0x0102030405060708; 0x10000 bytes; buffer id 7.
    roundtrip(c.ReadBuffer16, "9b a2 01 02 03 04 05 06 07 08 00 01 00 00 07 00", mode_specific=5, mode=2,
              buffer_offset=0x0102030405060708, allocation_length=0x10000, buffer_id=7)


def test_read_buffer10_mode_specific():
    roundtrip(c.ReadBuffer10, "3c e3 00 00 00 00 00 00 04 00", mode_specific=7, mode=3, allocation_length=4)


def test_format_with_preset():
    roundtrip(c.FormatWithPreset, "38 c0 12 34 56 78 00 00 00 00", immed=True, fmtmaxlba=True,
              preset_identifier=0x12345678)
    assert c.FormatWithPreset.MODIFIES_MEDIUM and c.FormatWithPreset().data_length() == 0


def test_sequentialize_zone():
    roundtrip(c.SequentializeZone, "94 10 00 00 00 00 00 00 10 00 00 00 00 03 01 00", zone_id=0x1000,
              zone_count=3, all=True)


def test_remove_element_and_modify_zones():
    roundtrip(c.RemoveElementAndModifyZones, "9e 1a 00 00 00 00 00 00 00 00 00 00 00 05 00 00",
              element_identifier=5)
    assert c.RemoveElementAndModifyZones.MODIFIES_MEDIUM


def test_synchronize_cache10_sync_nv_obsolete_bit():
    roundtrip(c.SynchronizeCache10, "35 06 00 00 00 00 00 00 00 00", sync_nv=True, immed=True)


def test_synchronize_cache16_sync_nv_obsolete_bit():
    roundtrip(c.SynchronizeCache16, "91 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00", sync_nv=True)


def test_write_same10_pbdata_lbdata_obsolete_bits():
    roundtrip(c.WriteSame10, "41 04 00 00 00 00 00 00 01 00", pbdata=True, number_of_logical_blocks=1)
    roundtrip(c.WriteSame10, "41 02 00 00 00 00 00 00 01 00", lbdata=True, number_of_logical_blocks=1)


def test_write_same16_pbdata_lbdata_obsolete_bits():
    roundtrip(c.WriteSame16, "93 06 00 00 00 00 00 00 00 00 00 00 00 01 00 00", pbdata=True, lbdata=True,
              number_of_logical_blocks=1)


def test_write_same32():
    roundtrip(c.WriteSame32, "7f 00 00 00 00 00 05 18 00 0d 2e 00 00 00 00 00 00 00 01 00"
                             " 00 00 00 07 00 08 ff ff 00 00 00 04",
              group_number=5, wrprotect=1, unmap=True, pbdata=True, lbdata=True, lba=0x100,
              expected_initial_logical_block_reference_tag=7, expected_logical_block_application_tag=8,
              logical_block_application_tag_mask=0xFFFF, number_of_logical_blocks=4)
    assert c.WriteSame32(number_of_logical_blocks=4).data_length(4096) == 4096
    assert c.WriteSame32(ndob=True).data_length() == 0 and c.WriteSame32.MODIFIES_MEDIUM


# FORMAT UNIT sizes its data by its parameter list, as REASSIGN BLOCKS does.

@pytest.mark.parametrize("longlist, data, length", [
    (False, "00 02 00 00", 4),                                    # short header, no list
    (True, "00 02 00 01 00 00 00 00", 8),                         # long header (PIE 1)
    (False, "00 8a 00 00 00 00 00 00", 8),                        # FOV IP IMMED: 4-byte descriptor, no pattern
    (False, "00 88 00 00 20 01 00 02 ab cd", 10),                 # SI, pattern type 1, two pattern bytes
    (True, "00 88 00 00 00 00 00 08 00 00 00 00 00 00 00 00 00 00 00 00", 20),  # long + IP + 8 defects
    (False, "00 00 00 08 00 00 00 00 00 00 00 00", 12),           # 8 bytes of defect list, no IP
])
def test_format_unit_parameter_list_length(longlist, data, length):
    command = c.FormatUnit(fmtdata=True, longlist=longlist)
    raw = bytes.fromhex(data)
    assert command.parameter_list_length(raw) == length
    sized = command.with_parameter_list(raw)
    assert bytes(sized) == bytes(command) and sized.data_length() == length and sized.parameter_list == raw
    assert sized.NAME == "FORMAT UNIT" and sized.MODIFIES_MEDIUM


@pytest.mark.parametrize("fields, data, message", [
    ({}, "00 00 00 00", "FMTDATA=0 sends no parameter list"),
    ({"fmtdata": True}, "00 00", "starts with a 4-byte header"),
    ({"fmtdata": True, "longlist": True}, "00 00 00 00", "starts with a 8-byte header"),
    ({"fmtdata": True}, "00 08 00 00 00 00", "ends before the 4-byte initialization pattern descriptor"),
    ({"fmtdata": True}, "00 08 00 00 00 01 00 04 aa", "say 12 bytes"),
    ({"fmtdata": True}, "00 00 00 04", "say 8 bytes"),
])
def test_format_unit_parameter_list_that_disagrees_is_refused(fields, data, message):
    with pytest.raises(UsageError, match=message):
        c.FormatUnit(**fields).with_parameter_list(bytes.fromhex(data))
