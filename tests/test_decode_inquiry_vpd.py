"""Standard INQUIRY, VPD pages and designation descriptors: vectors worked out from SPC-5/SBC-4."""
from __future__ import annotations

import pytest

from sgframe.decode import VPD_DECODERS, UnknownVpdPage, decode_designator, decode_inquiry, decode_vpd
from sgframe.decode.designators import decode_designators


def std_inquiry(over=None):
    raw = bytearray(96)
    raw[0:8] = bytes([0x7F, 0xC0, 0x06, 0x32, 91, 0xF9, 0x50, 0x32])
    raw[8:36] = b"ACME    Widget 9000     1.2 "
    raw[56] = 0x0F
    raw[58:62] = bytes.fromhex("04600c00")
    raw[96:] = b""
    for k, v in (over or {}).items():
        raw[k] = v
    return bytes(raw)


def test_inquiry_every_flag():
    d = decode_inquiry(std_inquiry())
    # byte 0 7Fh: qualifier 3 (not supported), type 1Fh
    assert (d.peripheral_qualifier, d.peripheral_qualifier_name) == (3, "not supported")
    assert (d.peripheral_device_type, d.peripheral_device_type_name) == (0x1F, "unknown or no device type")
    assert (d.rmb, d.lu_cong, d.version_name) == (True, True, "SPC-4")
    # byte 3 32h: NORMACA 1, HISUP 1, response data format 2
    assert (d.normaca, d.hisup, d.response_data_format) == (True, True, 2)
    # byte 5 F9h: SCCS ACC TPGS=3 3PC PROTECT
    assert (d.sccs, d.acc, d.tpgs, d.tpgs_name, d.three_pc, d.protect) == (
        True, True, 3, "implicit and explicit", True, True)
    # byte 6 50h: ENCSERV, MULTIP; byte 7 32h: WBUS16, SYNC, CMDQUE
    assert (d.encserv, d.multip, d.addr16, d.wbus16, d.sync, d.cmdque) == (True, True, False, True, True, True)
    assert (d.vendor_identification, d.product_identification, d.product_revision_level) == (
        "ACME", "Widget 9000", "1.2")
    assert (d.clocking, d.qas, d.ius) == (3, True, True)
    assert d.version_descriptors == (0x0460, 0x0C00)
    assert d.problems == ()


def test_inquiry_36_bytes_is_fine_when_additional_length_says_so():
    d = decode_inquiry(std_inquiry({4: 31})[:36])
    assert d.problems == ()
    assert d.version_descriptors == () and d.clocking is None


def test_inquiry_cut_by_allocation_length_is_reported():
    d = decode_inquiry(std_inquiry()[:36])
    assert d.product_identification == "Widget 9000"
    assert d.problems == ("standard INQUIRY: additional length announces 96 bytes, 36 received",)


def test_inquiry_too_short():
    d = decode_inquiry(std_inquiry({4: 10})[:15])
    assert d.cmdque is True
    assert d.vendor_identification == "ACME"
    assert d.product_identification is None
    assert len(d.problems) == 1 and "truncated" in d.problems[0]
    assert decode_inquiry(b"").peripheral_device_type is None


def desc(proto, code_set, piv, assoc, dtype, body):
    return bytes([(proto << 4) | code_set, (piv << 7) | (assoc << 4) | dtype, 0, len(body)]) + body


@pytest.mark.parametrize("raw, expected", [
    (desc(0, 2, 0, 0, 0, b"vendor id  "), dict(designator_type_name="vendor specific", text="vendor id")),
    (desc(0, 2, 0, 0, 1, b"ACME    SN123"), dict(t10_vendor_identification="ACME", vendor_specific_identifier=b"SN123")),
    (desc(0, 1, 0, 0, 2, bytes.fromhex("0011223344556677")),
     dict(ieee_company_id=0x001122, vendor_specific_extension_identifier=0x3344556677)),
    (desc(0, 1, 0, 0, 2, bytes.fromhex("0011223344556677deadbeef")),
     dict(ieee_company_id=0x001122, vendor_specific_extension_identifier=0x3344556677, directory_id=0xDEADBEEF)),
    (desc(0, 1, 0, 0, 2, bytes.fromhex("0102030405060708001122aabbccddee")),
     dict(identifier_extension=0x0102030405060708, ieee_company_id=0x001122,
          vendor_specific_extension_identifier=0xAABBCCDDEE)),
    (desc(0, 1, 0, 0, 3, bytes.fromhex("2abc001122334455")),
     dict(naa=2, naa_name="IEEE extended", vendor_specific_identifier_a=0xABC, ieee_company_id=0x001122,
          vendor_specific_identifier_b=0x334455)),
    (desc(0, 1, 0, 0, 3, bytes.fromhex("3123456789abcdef")),
     dict(naa=3, naa_name="locally assigned", locally_administered_value=0x123456789ABCDEF)),
    (desc(0, 1, 0, 0, 3, bytes.fromhex("5000c50012345678")),
     dict(naa=5, naa_name="IEEE registered", ieee_company_id=0x000C50, vendor_specific_identifier=0x012345678)),
    (desc(0, 1, 0, 0, 3, bytes.fromhex("6001405abcdef0120102030405060708")),
     dict(naa=6, ieee_company_id=0x001405, vendor_specific_identifier=0xABCDEF012,
          vendor_specific_identifier_extension=0x0102030405060708)),
    (desc(6, 1, 1, 1, 4, bytes.fromhex("00000002")),
     dict(relative_target_port_identifier=2, association_name="target port", protocol_identifier_name="SAS (SPL)")),
    (desc(0, 1, 0, 1, 5, bytes.fromhex("00000007")), dict(target_port_group=7)),
    (desc(0, 1, 0, 0, 6, bytes.fromhex("00000102")), dict(logical_unit_group=0x102)),
    (desc(0, 1, 0, 0, 7, bytes(range(16))), dict(designator_type_name="MD5 logical unit identifier")),
    (desc(5, 3, 1, 2, 8, b"iqn.2003-01.org.linux-iscsi:t1\x00\x00"),
     dict(scsi_name_string="iqn.2003-01.org.linux-iscsi:t1", association_name="target device",
          protocol_identifier_name="iSCSI")),
    (desc(9, 1, 1, 1, 9, bytes.fromhex("85000300")), dict(device_address=5, interface_number=3)),
    (desc(0xA, 1, 1, 1, 9, bytes.fromhex("01230000")), dict(routing_id=0x0123)),
    (desc(0, 1, 0, 0, 0xA, bytes.fromhex("1000") + bytes.fromhex("123e4567e89b12d3a456426614174000")),
     dict(uuid_type=1, uuid="123e4567-e89b-12d3-a456-426614174000")),
    (desc(0, 1, 0, 3, 0xB, b"\x01\x02"), dict(designator_type_name="reserved", association_name="reserved")),
])
def test_designator_types(raw, expected):
    d, end = decode_designator(raw)
    assert end == len(raw)
    assert d.problems == ()
    assert d.designator == raw[4:]
    for key, value in expected.items():
        assert getattr(d, key) == value, key


def test_designator_bad_lengths_are_problems():
    d, _ = decode_designator(desc(0, 1, 0, 0, 2, bytes(9)))
    assert d.problems == ("EUI-64 based designator: length 9, expected 8, 12 or 16",)
    d, _ = decode_designator(desc(0, 1, 0, 0, 3, bytes.fromhex("6000000000000000")))
    assert d.naa == 6 and d.problems == ("NAA designator: length 8, expected 16 for NAA 6",)
    d, _ = decode_designator(bytes.fromhex("01030008") + b"\x50\x00")
    assert d.designator == b"\x50\x00" and d.naa is None
    assert "truncated" in d.problems[0]
    problems = []
    assert decode_designators(desc(0, 1, 0, 0, 4, bytes(4)) + b"\x01\x03", "x", problems)[0].relative_target_port_identifier == 0
    assert problems == ["x: 2 stray bytes at offset 8"]


def vpd(page, body, pdt=0):
    return bytes([pdt, page]) + len(body).to_bytes(2, "big") + body


def test_extended_inquiry_bits():
    body = bytearray(60)
    body[0:4] = bytes([0x7F, 0x3F, 0x0F, 0x31])
    body[4:9] = bytes([0xFB, 0x05, 0x00, 0x2A, 0xF0])
    body[9:15] = bytes([0xFC, 0x00, 0x3C, 0x00, 0x03, 0x00])
    d = decode_vpd(vpd(0x86, bytes(body)))
    assert (d.activate_microcode, d.spt, d.grd_chk, d.app_chk, d.ref_chk) == (1, 7, True, True, True)
    assert (d.uask_sup, d.group_sup, d.simpsup, d.wu_sup, d.v_sup) == (True, True, True, True, True)
    assert (d.no_pi_chk, d.p_i_i_sup, d.luiclr) == (True, True, True)
    assert (d.lu_coll_type, d.r_sup, d.rtd_sup, d.hssrelef, d.cbcs) == (7, True, True, True, True)
    assert d.multi_i_t_nexus_microcode_download == 5
    assert d.extended_self_test_completion_minutes == 0x2A
    assert (d.poa_sup, d.hra_sup, d.vsa_sup, d.dms_valid) == (True, True, True, True)
    assert d.maximum_supported_sense_data_length == 0xFC
    assert (d.ibs, d.ias, d.sac, d.nrd1, d.nrd0) == (False, False, False, False, False)
    assert (d.maximum_inquiry_change_logs, d.maximum_mode_page_change_logs) == (0x3C00, 0x0300)


def test_block_device_characteristics_rotating_disk():
    body = bytes.fromhex("1c20 01 13 25") + bytes(3) + bytes.fromhex("00000e10") + bytes(48)
    d = decode_vpd(vpd(0xB1, body))
    assert (d.medium_rotation_rate, d.medium_rotation_rate_name) == (7200, "7200 rpm")
    assert (d.product_type, d.product_type_name) == (1, "CFast")
    assert (d.wabereq, d.wacereq, d.nominal_form_factor_name) == (0, 1, "2.5 inch")
    assert (d.zoned, d.zoned_name, d.bocs, d.fuab, d.vbuls) == (2, "device managed zoned block device", True, False, True)
    assert d.depopulation_time == 3600


def test_logical_block_provisioning_with_group_descriptor():
    group = desc(0, 1, 0, 0, 3, bytes.fromhex("3123456789abcdef"))
    d = decode_vpd(vpd(0xB2, bytes([8, 0xE7, 0x52, 50]) + group))
    assert (d.threshold_exponent, d.lbpu, d.lbpws, d.lbpws10, d.lbprz, d.anc_sup, d.dp) == (
        8, True, True, True, 1, True, True)
    assert (d.minimum_percentage, d.provisioning_type, d.provisioning_type_name) == (10, 2, "thin provisioned")
    assert d.threshold_percentage == 50
    assert d.provisioning_group_descriptor.locally_administered_value == 0x123456789ABCDEF


def test_vpd_page_length_beyond_data_is_reported():
    d = decode_vpd(bytes.fromhex("00b0003c0108"))
    assert (d.wsnz, d.maximum_compare_and_write_length, d.maximum_transfer_length) == (True, 8, None)
    assert d.problems == ("Block limits: page length announces 64 bytes, 6 received",)


def test_unknown_and_vendor_pages_and_registration(monkeypatch):
    d = decode_vpd(vpd(0xC3, b"\x01\x02\x03"))
    assert isinstance(d, UnknownVpdPage) and d.payload == b"\x01\x02\x03" and d.page_code == 0xC3

    def vendor(data):
        return UnknownVpdPage(page_code=data[1], payload=b"vendor")

    monkeypatch.setitem(VPD_DECODERS, 0xC3, vendor)
    assert decode_vpd(vpd(0xC3, b"")).payload == b"vendor"

    def broken(data):
        raise ZeroDivisionError("plugin bug")

    monkeypatch.setitem(VPD_DECODERS, 0xC3, broken)
    d = decode_vpd(vpd(0xC3, b"\x09"))
    assert d.payload == b"\x09"
    assert d.problems == ("internal error in broken: ZeroDivisionError('plugin bug')",)


def test_record_repr_hides_absent_fields_and_shortens_raw():
    d = decode_vpd(vpd(0x89, bytes(568)))
    text = repr(d)
    assert "identify_device_data=<512 bytes 00000000000000000000000000000000...>" in text
    assert "None" not in text
