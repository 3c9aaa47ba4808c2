"""Vector tests for the VPD pages added beside the original eight: each page built byte by
byte from its table in SPC-5 7.7, SBC-4 6.6 or SBC-5, then decoded.

``VECTORS`` is shared with test_vpd_sg3.py, which also hands each of them to sg_vpd.
"""
from __future__ import annotations

import json

import pytest

from sgframe.decode import designators
from sgframe.decode.vpd import (
    VPD_DECODERS,
    BlockDeviceRodTokenLimits,
    CopyGroupIdentifier,
    GeneralCopyOperations,
    ParameterData,
    SupportedCommands,
    SupportedCscdDescriptorIds,
    SupportedDescriptors,
    SupportedRodTypes,
    ThirdPartyCopyDescriptor,
    UnknownVpdPage,
    decode_vpd,
)

H = bytes.fromhex


def vpd(page: int, body: bytes, pdt: int = 0) -> bytes:
    """A page: PERIPHERAL QUALIFIER/DEVICE TYPE, PAGE CODE, PAGE LENGTH (2 bytes), body."""
    return bytes([pdt, page]) + len(body).to_bytes(2, "big") + body


def desc(proto: int, code_set: int, piv: int, assoc: int, dtype: int, body: bytes) -> bytes:
    """A designation descriptor (SPC-5 table 592)."""
    return bytes([(proto << 4) | code_set, (piv << 7) | (assoc << 4) | dtype, 0, len(body)]) + body


# SAS TransportID, format 00b (SPC-5 7.6.4.7): byte 0 protocol 6, bytes 4-11 SAS address.
SAS_TRANSPORT_ID = bytes([0x06]) + bytes(3) + H("5001234567890000") + bytes(12)

VECTORS = {
    # 84h: 6-byte software interface identifiers (an EUI-48 each).
    "sii": vpd(0x84, H("000e5e 010203  acde48 000001")),
    # 85h: byte 0 ASSOCIATION (bits 6-5) and SERVICE TYPE (4-0), bytes 2-3 NETWORK ADDRESS
    # LENGTH, then the null-terminated, null-padded address.
    "mna": vpd(0x85, H("01 00 0014") + b"http://10.0.0.1/cfg\x00"
               + H("24 00 0010") + b"udp://10.0.0.2\x00\x00"),
    # 87h: POLICY PAGE CODE, POLICY SUBPAGE CODE, MLUS (bit 7) and MODE PAGE POLICY (1-0).
    "mpp": vpd(0x87, H("3f ff 80 00  08 00 01 00  1a 01 03 00")),
    # 88h: RELATIVE PORT IDENTIFIER (bytes 2-3), INITIATOR PORT TRANSPORTID LENGTH (6-7),
    # the TransportID, TARGET PORT DESCRIPTORS LENGTH (2-3 after it), the descriptors.
    "sp": vpd(0x88, H("0000 0001 0000 0000") + H("0000 000c") + desc(6, 1, 1, 1, 3, H("500123456789abcd"))
              + H("0000 0002 0000 0018") + SAS_TRANSPORT_ID
              + H("0000 000c") + desc(6, 1, 1, 1, 3, H("500123456789abce"))),
    # 8Ah: STANDBY_Y STANDBY_Z, IDLE_C IDLE_B IDLE_A, then six recovery times in ms.
    "pc": vpd(0x8A, H("03 07 0064 01f4 00c8 000a 0014 0032")),
    # 8Bh: CONSTITUENT TYPE (2), CONSTITUENT DEVICE TYPE, reserved, vendor (8), product
    # (16), revision (4), reserved (2), CONSTITUENT DESCRIPTOR LENGTH (2), then constituent
    # specific descriptors: TYPE 01h (a VPD page), reserved, LENGTH (2), the page.
    "dc": vpd(0x8B, H("0003 00 00") + b"ACME    " + b"CONSTITUENT DISK" + b"0100" + H("0000 000c")
              + H("01 00 0008") + vpd(0x80, b"SN01")),
    # 8Ch: CFA PROFILE SUMMARY, reserved, SEQUENTIAL WRITE DATA SIZE (2).
    "cfa": vpd(0x8C, H("01 00 0040  02 00 0080")),
    # 8Dh: POWER CONSUMPTION IDENTIFIER, UNITS (2-0: 3 watts, 4 milliwatts), VALUE (2).
    "psm": vpd(0x8D, H("00 03 000a  01 04 1f40")),
    # 8Fh: third-party copy descriptors, TYPE (2) and LENGTH (2) each (SPC-5 7.7.18).
    "tpc": vpd(0x8F,
               H("0000 0020 000000000000 0008 00000e10 0000003c 0000000000100000 0000000000000800")
               + H("0001 0008 07 83 02 10 11 84 01 07")
               + H("0004 001c 00000000 0002 0001 00000400 00000000") + bytes(12)
               + H("0008 0004 03 02 0a e4")
               + H("000c 0008 0004 c000 ffff 0000")
               + H("8001 0020 00000001 00000001 00010000 09 00") + bytes(18)
               + H("0108 000c 0000 0008 ffff0001 02 00 0000")),
    # 90h / 91h: RELATIVE PORT IDENTIFIER (2), PROTOCOL IDENTIFIER (byte 2, bits 3-0),
    # byte 3 (91h SAS: PWR_D_S), reserved, DESCRIPTOR LENGTH (2); SAS data per SPL-4.
    "pslu": vpd(0x90, H("0001 06 00 0000 0004 01000000")),
    "pspo": vpd(0x91, H("0001 06 01 0000 0008 00 00 01 00  00 01 00 00")),
    # 92h: 4 reserved bytes, then 2-byte feature set codes.
    "sfs": vpd(0x92, H("00000000 0001 0102 0301")),
    # B3h: reserved (4), USER DATA SEGMENT SIZE (4), USER DATA SEGMENT MULTIPLIER (4).
    "ref": vpd(0xB3, H("00000000 00001000 00000004")),
    # B4h: LOGICAL BLOCK LENGTH (4), P_I_I_SUP NO_PI_CHK GRD_CHK APP_CHK REF_CHK,
    # T3PS T2PS T1PS T0PS, reserved (2).
    "sbl": vpd(0xB4, H("00000200 47 07 0000  00001000 08 01 0000")),
    # B5h: reserved, UTILIZATION TYPE, UNITS, INTERVAL, UTILIZATION B (4), UTILIZATION A (4).
    "bdce": vpd(0xB5, H("00 03 04 0e 00000226 0000012c")),
    # B7h: reserved (2), MAXIMUM NUMBER OF STREAMS, OPTIMAL STREAM WRITE SIZE, STREAM
    # GRANULARITY SIZE (4), reserved (2), the three scattered write limits (SBC-5).
    "ble": vpd(0xB7, H("0000 0008 0010 00000100 0000 00000800 0000 0040 00010000 00000000")),
    # B8h: 64-byte format preset descriptors; the second is host managed zoned (schema 3).
    "fp": vpd(0xB8, H("00000001 01 000000 00000200 00000000 00000000003fffff") + bytes(14) + H("80 00")
              + bytes(24)
              + H("00000002 03 000000 00001000 00000000 0000000000ffffff") + bytes(14) + H("00 00")
              + H("05 0a 00 01 0000000000000010 00008000") + bytes(8)),
    # B9h: 60 reserved bytes, then 32-byte LBA range descriptors.
    "cpr": vpd(0xB9, bytes(60)
               + H("00 01") + bytes(6) + H("0000000000000000 0000000010000000") + bytes(8)
               + H("01 01") + bytes(6) + H("0000000010000000 0000000010000000") + bytes(8)),
}


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_every_vector_decodes_cleanly_and_keeps_its_bytes(name):
    d = decode_vpd(VECTORS[name])
    assert not isinstance(d, UnknownVpdPage)
    assert (d.problems, d.raw, d.page_code) == ((), VECTORS[name], VECTORS[name][1])
    assert json.loads(json.dumps(d.to_dict()))["raw"] == VECTORS[name].hex()


def test_software_interface_identification():
    d = decode_vpd(VECTORS["sii"])
    assert [(i.ieee_company_id, i.vendor_specific_extension_identifier, i.raw) for i in
            d.software_interface_identifiers] == [(0x000E5E, 0x010203, H("000e5e010203")),
                                                  (0xACDE48, 0x000001, H("acde48000001"))]
    d = decode_vpd(vpd(0x84, H("000e5e010203 acde")))
    assert len(d.software_interface_identifiers) == 1
    assert d.problems == ("Software interface identification: 2 bytes after the last 6-byte identifier",)


def test_management_network_addresses():
    first, second = decode_vpd(VECTORS["mna"]).network_service_descriptors
    assert (first.association_name, first.service_type, first.service_type_name) == (
        "logical unit", 1, "storage configuration service")
    assert (first.network_address_length, first.network_address) == (20, "http://10.0.0.1/cfg")
    assert (second.association, second.service_type_name, second.network_address) == (1, "logging", "udp://10.0.0.2")
    short = decode_vpd(vpd(0x85, H("01 00 0014") + b"http://"))
    assert short.network_service_descriptors == ()
    assert short.problems == ("Management network addresses: network services descriptor at byte 4 runs past "
                              "the end of the page (11 bytes left)",)


def test_mode_page_policy():
    d = decode_vpd(VECTORS["mpp"])
    assert [(p.policy_page_code, p.policy_subpage_code, p.mlus, p.mode_page_policy, p.mode_page_policy_name)
            for p in d.mode_page_policy_descriptors] == [
        (0x3F, 0xFF, True, 0, "shared"), (0x08, 0, False, 1, "per target port"), (0x1A, 1, False, 3, "per I_T nexus")]


def test_scsi_ports():
    one, two = decode_vpd(VECTORS["sp"]).scsi_port_designation_descriptors
    assert (one.relative_port_identifier, one.initiator_port_transportid_length, one.initiator_port_transportid) == (
        1, 0, None)
    assert one.target_port_descriptors_length == 12
    assert [(t.wwn, t.protocol_identifier_name, t.association_name) for t in one.target_port_descriptors] == [
        ("0x500123456789abcd", "SAS (SPL)", "target port")]
    assert (two.relative_port_identifier, two.initiator_port_transportid_length) == (2, 24)
    assert two.initiator_port_transportid.sas_address == 0x5001234567890000
    assert two.target_port_descriptors[0].wwn == "0x500123456789abce"
    assert two.raw == VECTORS["sp"][4 + 24:]


def test_scsi_ports_cut_inside_a_descriptor():
    d = decode_vpd(VECTORS["sp"][:4 + 24 + 10])
    assert len(d.scsi_port_designation_descriptors) == 1
    assert d.problems == ("SCSI ports: page length announces 76 bytes, 38 received",
                          "SCSI ports: SCSI port designation descriptor at byte 28 runs past the end of the "
                          "page (10 bytes left)")


def test_power_condition():
    d = decode_vpd(VECTORS["pc"])
    assert (d.standby_y, d.standby_z, d.idle_c, d.idle_b, d.idle_a) == (True,) * 5
    assert (d.stopped_condition_recovery_time, d.standby_z_condition_recovery_time,
            d.standby_y_condition_recovery_time, d.idle_a_condition_recovery_time,
            d.idle_b_condition_recovery_time, d.idle_c_condition_recovery_time) == (100, 500, 200, 10, 20, 50)
    d = decode_vpd(vpd(0x8A, H("02 04 0064")))
    assert (d.standby_y, d.standby_z, d.idle_c, d.idle_a, d.stopped_condition_recovery_time) == (
        True, False, True, False, 100)
    assert d.idle_c_condition_recovery_time is None


def test_device_constituents_decode_the_pages_they_carry():
    (one,) = decode_vpd(VECTORS["dc"]).constituent_descriptors
    assert (one.constituent_type, one.constituent_type_name, one.constituent_device_type_name) == (
        3, "direct access block device", "direct access block device")
    assert (one.t10_vendor_identification, one.product_identification, one.product_revision_level) == (
        "ACME", "CONSTITUENT DISK", "0100")
    (inner,) = one.constituent_specific_descriptors
    assert (inner.constituent_specific_descriptor_type, inner.constituent_specific_descriptor_length) == (1, 8)
    assert inner.vpd_page.product_serial_number == "SN01"


def test_device_constituents_never_decode_a_nested_constituents_page():
    nested = vpd(0x8B, b"")
    page = vpd(0x8B, H("0003 00 00") + bytes(28) + H("0000 0008") + H("01 00 0004") + nested)
    inner = decode_vpd(page).constituent_descriptors[0].constituent_specific_descriptors[0]
    assert (inner.data, inner.vpd_page) == (nested, None)


def test_cfa_profile_information():
    d = decode_vpd(VECTORS["cfa"])
    assert [(c.cfa_profile_summary, c.sequential_write_data_size) for c in d.cfa_profile_descriptors] == [
        (1, 0x40), (2, 0x80)]


def test_power_consumption():
    d = decode_vpd(VECTORS["psm"])
    assert [(p.power_consumption_identifier, p.power_consumption_units_name, p.power_consumption_value, p.watts)
            for p in d.power_consumption_descriptors] == [(0, "watts", 10, 10.0), (1, "milliwatts", 8000, 8.0)]
    (reserved,) = decode_vpd(vpd(0x8D, H("00 07 0001"))).power_consumption_descriptors
    assert (reserved.power_consumption_units_name, reserved.watts) == ("reserved", None)


def test_third_party_copy():
    limits, commands, params, kinds, ids, general, rods = decode_vpd(VECTORS["tpc"]).third_party_copy_descriptors
    assert isinstance(limits, BlockDeviceRodTokenLimits)
    assert (limits.third_party_copy_descriptor_type_name, limits.third_party_copy_descriptor_length) == (
        "Block device ROD token limits", 0x20)
    assert (limits.maximum_range_descriptors, limits.maximum_inactivity_timeout, limits.default_inactivity_timeout,
            limits.maximum_token_transfer_size, limits.optimal_transfer_count) == (8, 3600, 60, 0x100000, 0x800)
    assert isinstance(commands, SupportedCommands) and commands.commands_supported_list_length == 7
    assert [(c.operation_code, c.service_actions) for c in commands.command_support_descriptors] == [
        (0x83, (0x10, 0x11)), (0x84, (0x07,))]
    assert isinstance(params, ParameterData)
    assert (params.maximum_cscd_descriptor_count, params.maximum_segment_descriptor_count,
            params.maximum_descriptor_list_length, params.maximum_inline_data_length) == (2, 1, 1024, 0)
    assert isinstance(kinds, SupportedDescriptors)
    assert kinds.descriptor_type_codes == (0x02, 0x0A, 0xE4)
    assert kinds.descriptor_type_names == ("block -> block", "block<o> -> block<o>", "CSCD: identification descriptor")
    assert isinstance(ids, SupportedCscdDescriptorIds) and ids.cscd_descriptor_ids == (0xC000, 0xFFFF)
    assert isinstance(general, GeneralCopyOperations)
    assert (general.total_concurrent_copies, general.maximum_identified_concurrent_copies,
            general.maximum_segment_length, general.data_segment_granularity, general.inline_data_granularity) == (
        1, 1, 0x10000, 9, 0)
    assert isinstance(rods, SupportedRodTypes)
    (rod,) = rods.rod_type_descriptors
    assert (rod.rod_type, rod.rod_type_name, rod.ecpy_int, rod.token_in, rod.token_out, rod.preference_indication) == (
        0xFFFF0001, "block device zero", False, True, False, 0)


def test_third_party_copy_copy_group_and_unknown_descriptors():
    page = vpd(0x8F, H("000d 0014 12 1000") + bytes(range(16)) + H("00") + H("7777 0004 01020304"))
    group, unknown = decode_vpd(page).third_party_copy_descriptors
    assert isinstance(group, CopyGroupIdentifier)
    assert (group.copy_group_identifier_length, group.copy_group_identifier) == (18, H("1000") + bytes(range(16)))
    assert type(unknown) is ThirdPartyCopyDescriptor
    assert (unknown.third_party_copy_descriptor_type, unknown.third_party_copy_descriptor_type_name, unknown.raw) == (
        0x7777, "reserved", H("7777 0004 01020304"))


def test_third_party_copy_fields_stop_at_their_descriptor():
    # A short block device ROD token limits descriptor: its later fields would lie in the
    # next descriptor, so they are absent rather than read from there.
    page = vpd(0x8F, H("0000 0008 000000000000 0008") + H("0004 001c") + bytes(28))
    short, params = decode_vpd(page).third_party_copy_descriptors
    assert (short.maximum_range_descriptors, short.maximum_inactivity_timeout) == (8, None)
    assert isinstance(params, ParameterData)


def test_protocol_specific_logical_unit_and_port_information():
    (lu,) = decode_vpd(VECTORS["pslu"]).logical_unit_information_descriptors
    assert (lu.relative_port_identifier, lu.protocol_identifier_name, lu.descriptor_length,
            lu.tlr_control_supported, lu.protocol_specific) == (1, "SAS (SPL)", 4, True, H("01000000"))
    (port,) = decode_vpd(VECTORS["pspo"]).port_information_descriptors
    assert (port.relative_port_identifier, port.pwr_d_s, port.tlr_control_supported) == (1, True, None)
    assert [(p.phy_identifier, p.ssp_persistent_capable) for p in port.phy_descriptors] == [(0, True), (1, False)]
    (fcp,) = decode_vpd(vpd(0x91, H("0002 00 00 0000 0002 abcd"))).port_information_descriptors
    assert (fcp.protocol_identifier_name, fcp.pwr_d_s, fcp.phy_descriptors, fcp.protocol_specific) == (
        "Fibre Channel (FCP)", None, (), H("abcd"))


def test_scsi_feature_sets():
    d = decode_vpd(VECTORS["sfs"])
    assert d.feature_set_codes == (0x0001, 0x0102, 0x0301)
    assert d.feature_set_names == ("Discovery 2016", "SBC Base 2010", "Host Managed 2020")
    assert decode_vpd(vpd(0x92, H("00000000 0201 0909"))).feature_set_names == ("SSC reserved", "reserved")


def test_referrals():
    d = decode_vpd(VECTORS["ref"])
    assert (d.user_data_segment_size, d.user_data_segment_multiplier) == (4096, 4)


def test_supported_block_lengths_and_protection_types():
    first, second = decode_vpd(VECTORS["sbl"]).logical_block_length_descriptors
    assert (first.logical_block_length, first.p_i_i_sup, first.no_pi_chk, first.grd_chk, first.app_chk,
            first.ref_chk) == (512, True, False, True, True, True)
    assert (first.t3ps, first.t2ps, first.t1ps, first.t0ps) == (False, True, True, True)
    assert (second.logical_block_length, second.no_pi_chk, second.grd_chk, second.t0ps, second.t1ps) == (
        4096, True, False, True, False)


def test_block_device_characteristics_extension():
    d = decode_vpd(VECTORS["bdce"])
    assert (d.utilization_type, d.utilization_type_name, d.utilization_units, d.utilization_units_name) == (
        3, "separate writes and reads", 4, "terabytes")
    assert (d.utilization_interval, d.utilization_interval_name, d.utilization_b, d.utilization_a) == (
        0x0E, "per year", 550, 300)


def test_block_limits_extension():
    d = decode_vpd(VECTORS["ble"])
    assert (d.maximum_number_of_streams, d.optimal_stream_write_size, d.stream_granularity_size) == (8, 16, 256)
    assert (d.maximum_scattered_lba_range_transfer_length, d.maximum_scattered_lba_range_descriptor_count,
            d.maximum_scattered_transfer_length) == (2048, 64, 65536)
    sbc4 = decode_vpd(vpd(0xB7, H("0000 0004 0008 00000010")))
    assert (sbc4.maximum_number_of_streams, sbc4.maximum_scattered_transfer_length, sbc4.problems) == (4, None, ())


def test_format_presets():
    plain, zoned = decode_vpd(VECTORS["fp"]).format_preset_descriptors
    assert (plain.preset_identifier, plain.schema_type, plain.schema_type_name, plain.logical_block_length) == (
        1, 1, "block device", 512)
    assert (plain.designed_last_logical_block_address, plain.fmtpinfo, plain.prot_field_usage,
            plain.protection_interval_exponent) == (0x3FFFFF, 2, 0, 0)
    assert plain.logical_blocks_per_zone is None
    assert (zoned.schema_type_name, zoned.logical_block_length, zoned.designed_last_logical_block_address) == (
        "host managed zoned block device", 4096, 0xFFFFFF)
    assert (zoned.low_lba_conventional_zones_percentage, zoned.high_lba_conventional_zones_percentage,
            zoned.designed_zone_alignment_method, zoned.designed_zone_starting_lba_granularity,
            zoned.logical_blocks_per_zone) == (5, 10, 1, 16, 0x8000)


def test_concurrent_positioning_ranges():
    d = decode_vpd(VECTORS["cpr"])
    assert [(r.lba_range_number, r.number_of_storage_elements, r.starting_lba, r.number_of_lbas)
            for r in d.lba_range_descriptors] == [(0, 1, 0, 0x10000000), (1, 1, 0x10000000, 0x10000000)]
    short = decode_vpd(vpd(0xB9, bytes(12)))
    assert (short.lba_range_descriptors, short.problems) == (
        (), ("Concurrent positioning ranges: 16 bytes, the descriptors start at byte 64",))


def test_block_pages_of_a_tape_drive_are_not_read_as_sbc_pages():
    # B5h is Logical block protection on a sequential access device (SSC-5).
    d = decode_vpd(vpd(0xB5, H("00000000 03 01 20 e0"), pdt=0x01))
    assert type(d) is UnknownVpdPage and d.payload == H("00000000 030120e0")
    assert type(decode_vpd(vpd(0xB5, H("00030400 00000000 00000000"), pdt=0x14))) is not UnknownVpdPage


def test_every_page_code_in_the_names_table_is_decoded():
    from sgframe.decode.vpd import VPD_PAGE_ACRONYMS, VPD_PAGE_NAMES
    assert set(VPD_DECODERS) == set(VPD_PAGE_NAMES) - {0x81, 0x82}
    assert set(VPD_PAGE_ACRONYMS.values()) == set(VPD_DECODERS)


def test_designator_transport_is_named_only_for_a_port_or_device_with_piv():
    lu, _ = designators.decode_designator(desc(6, 1, 1, 0, 3, H("5000c50012345678")))
    no_piv, _ = designators.decode_designator(desc(6, 1, 0, 1, 3, H("5000c50012345678")))
    port, _ = designators.decode_designator(desc(6, 1, 1, 1, 3, H("5000c50012345678")))
    assert (lu.protocol_identifier, lu.protocol_identifier_name) == (6, None)
    assert (no_piv.protocol_identifier, no_piv.protocol_identifier_name) == (6, None)
    assert port.protocol_identifier_name == "SAS (SPL)"
    assert (port.wwn, port.identifier) == ("0x5000c50012345678", "0x5000c50012345678")
    eui, _ = designators.decode_designator(desc(0, 1, 0, 0, 2, H("0011223344556677")))
    assert (eui.wwn, eui.identifier) == (None, "0x0011223344556677")
