"""SES-4 diagnostic pages, element status fields and control page builders: vectors
worked out from the SES-4 tables (page layouts in clause 6.1, elements in 7.3)."""
from __future__ import annotations

import pytest

from sgframe.decode import ses
from sgframe.decode.ses import build_enclosure_control, decode_diagnostic_page as decode, decode_status_element
from sgframe.errors import UsageError


def hx(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


def page(code: int, body: bytes, byte1: int = 0) -> bytes:
    return bytes((code, byte1)) + len(body).to_bytes(2, "big") + body


GEN = hx("00000007")
# Enclosure descriptor (SES-4 table 12): process 1 of 2, subenclosure 0, two type
# headers, length 36; logical identifier, vendor, product, revision.
ENCLOSURE = hx("12 00 02 24") + hx("5000ccab01020300") + b"ACME    " + b"SHELF 12        " + b"0102"
HEADERS = hx("01 02 00 05") + hx("02 01 00 03")  # 2 device slots "Slots", 1 power supply "PSU"
CONFIG = page(0x01, GEN + ENCLOSURE + HEADERS + b"SlotsPSU")


def cfg():
    return decode(CONFIG)


def test_configuration_page():
    c = cfg()
    assert (c.page_code, c.number_of_secondary_subenclosures, c.page_length, c.generation_code, c.problems) == (
        1, 0, 4 + 40 + 8 + 8, 7, ())
    (e,) = c.enclosure_descriptors
    assert (e.relative_enclosure_services_process_identifier, e.number_of_enclosure_services_processes,
            e.subenclosure_identifier, e.number_of_type_descriptor_headers, e.enclosure_descriptor_length) == (1, 2, 0, 2, 36)
    assert (e.enclosure_logical_identifier, e.enclosure_vendor_identification, e.product_identification,
            e.product_revision_level, e.vendor_specific_enclosure_information) == (
        hx("5000ccab01020300"), "ACME", "SHELF 12", "0102", b"")
    assert c.primary_enclosure_logical_identifier == hx("5000ccab01020300")
    slots, psu = c.type_descriptor_headers
    assert (slots.type_index, slots.element_type, slots.element_type_name, slots.number_of_possible_elements,
            slots.subenclosure_identifier, slots.type_descriptor_text) == (0, 1, "Device slot", 2, 0, "Slots")
    assert (psu.type_index, psu.element_type_name, psu.number_of_possible_elements, psu.type_descriptor_text) == (
        1, "Power supply", 1, "PSU")
    assert c.to_dict()["type_descriptor_headers"][1]["type_descriptor_text"] == "PSU"


def test_configuration_truncated_is_a_problem():
    c = decode(CONFIG[:54])
    assert len(c.type_descriptor_headers) == 1
    assert c.problems == (
        "configuration page: PAGE LENGTH says 60 bytes follow the header but only 50 do",
        "configuration page: type descriptor header 1 at byte 52 missing",
        "configuration page: type descriptor text 0 truncated",
    )


# Status elements: overall slot, slot 0 (OK, IDENT, FAULT SENSED, ...), slot 1 (not
# installed), overall power supply, power supply 0 (OK, RQSTED ON).
STATUS = page(0x02, GEN + hx("00000000 41 00 83 c3" "05 01 00 00" "00000000 01 00 00 20"), byte1=0x12)


def test_enclosure_status_page():
    s = decode(STATUS, cfg())
    assert (s.invop, s.info, s.non_crit, s.crit, s.unrecov, s.generation_code, s.problems) == (
        True, False, False, True, False, 7, ())
    slots, psu = s.types
    assert (slots.type_index, slots.element_type_name, len(slots.elements)) == (0, "Device slot", 2)
    slot0 = s.element(0, 0)
    assert type(slot0).__name__ == "DeviceSlotStatus"
    assert (slot0.prdfail, slot0.element_status_code, slot0.element_status_code_name, slot0.slot_address) == (
        True, 1, "OK", 0)
    assert (slot0.app_client_bypassed_a, slot0.ident, slot0.report, slot0.rmv) == (True, True, True, False)
    assert (slot0.app_client_bypassed_b, slot0.fault_sensed, slot0.fault_reqstd, slot0.device_bypassed_a,
            slot0.device_bypassed_b) == (True, True, False, True, True)
    assert s.element(0, 1).element_status_code_name == "Not installed" and s.element(0, 1).slot_address == 1
    assert s.element(1, 0).rqsted_on is True and s.element(1, None).element_status_code_name == "Unsupported"
    d = s.to_dict()
    assert d["types"][0]["elements"][0]["ident"] is True and d["types"][0]["elements"][0]["raw"] == "410083c3"


def test_array_status_page_reads_as_the_enclosure_status_page():
    # SES-1's page 06h: byte 1 flags, generation code, then status elements in the
    # order of the configuration's type headers (sg_ses reads it so).
    array = page(0x06, STATUS[4:], byte1=STATUS[1])
    a = decode(array, cfg())
    assert type(a).__name__ == "ArrayStatusPage" and a.page_code == 6
    assert (a.invop, a.crit, a.generation_code, a.problems) == (True, True, 7, ())
    assert a.types[1] == decode(STATUS, cfg()).types[1]
    # A device element there is SES-1's: array bits in byte 1, no slot address; bytes
    # 2-3 (83h c3h) say IDENT and both bypasses enabled.
    slot0 = a.element(0, 0)
    assert type(slot0).__name__ == "ArrayStatusDeviceStatus" and not hasattr(slot0, "slot_address")
    assert (slot0.prdfail, slot0.element_status_code_name, slot0.ok, slot0.ident, slot0.rmv) == (
        True, "OK", False, True, False)
    assert (slot0.enable_bypass_a, slot0.enable_bypass_b, slot0.bypass_a_enabled, slot0.bypass_b_enabled) == (
        False, False, True, True)
    assert a.to_dict()["types"][1]["element_type_name"] == "Power supply"
    assert decode(array).problems == ("array status page: decoding the elements needs the configuration page (01h)",)


def test_enclosure_status_without_configuration_keeps_bytes():
    s = decode(STATUS)
    assert s.types == () and s.raw == STATUS
    assert s.problems == ("enclosure status page: decoding the elements needs the configuration page (01h)",)


def test_generation_code_mismatch_and_short_page_are_problems():
    other = STATUS[:4] + hx("00000008") + STATUS[8:-4]
    s = decode(other[:2] + (len(other) - 4).to_bytes(2, "big") + other[4:], cfg())
    assert "GENERATION CODE 8 differs from the configuration page's 7" in s.problems[0]
    assert "more elements than the page holds" in s.problems[1]


@pytest.mark.parametrize("code, raw, expected", [
    (0x02, "01 c0 0e ff", dict(ident=True, do_not_remove=True, dc_over_voltage=True, dc_under_voltage=True,
                               dc_over_current=True, hot_swap=True, fail=True, rqsted_on=True, off=True,
                               overtmp_fail=True, temp_warn=True, ac_fail=True, dc_fail=True)),
    (0x03, "01 8b b8 25", dict(ident=True, fan_speed_factor=1, actual_fan_speed=0x3B8, rqsted_on=True,
                               actual_speed_code=5, actual_speed_rpm=9520 + 20480)),
    (0x03, "01 13 e8 07", dict(fan_speed_factor=2, actual_fan_speed=1000, actual_speed_rpm=100000)),
    (0x03, "01 1b e8 07", dict(fan_speed_factor=3, actual_speed_rpm=None)),
    (0x04, "01 45 2d 8f", dict(ident=False, fail=True, offset_for_reference_temperature=5, temperature=45,
                               temperature_celsius=25, rqsted_override=True, ot_failure=True, ot_warning=True,
                               ut_failure=True, ut_warning=True)),
    (0x04, "01 00 00 00", dict(temperature=0, temperature_celsius=None)),
    (0x05, "01 c0 00 03", dict(ident=True, fail=True, open=True, unlocked=True)),
    (0x06, "01 40 00 d5", dict(fail=True, rqst_mute=True, muted=True, remind=True, info=False, non_crit=True,
                               crit=False, unrecov=True)),
    (0x07, "01 a0 01 80", dict(ident=True, fail=False, do_not_remove=True, report=True, hot_swap=True)),
    (0x08, "01 40 01 00", dict(fail=True, report=True)),
    (0x09, "01 02 12 34", dict(size_multiplier=2, nonvolatile_cache_size=0x1234)),
    (0x0A, "01 01 00 00", dict(invop_type=0, page_not_supported=True, bit_number=None, byte_offset=None)),
    (0x0A, "01 45 00 09", dict(invop_type=1, page_not_supported=None, bit_number=5, byte_offset=9)),
    (0x0B, "01 3c a9 e3", dict(battery_status=60, ac_lo=True, ac_hi=False, ac_qual=True, ac_fail=False,
                               dc_fail=True, ups_fail=False, warn=False, intf_fail=True, ident=True, fail=True,
                               do_not_remove=True, batt_fail=True, bpf=True)),
    (0x0C, "01 82 00 41", dict(ident=True, display_mode_status=2, display_character_status=0x41)),
    (0x0D, "01 c0 00 00", dict(ident=True, fail=True)),
    (0x0E, "01 80 f6 0d", dict(ident=True, time_until_power_cycle=61, failure_indication=True,
                               warning_indication=False, requested_power_off_duration=3, failure_requested=False,
                               warning_requested=True)),
    (0x0F, "01 00 01 13", dict(report=True, port_disabled=True, disabled=False, lol=True, xmit_fail=True)),
    (0x10, "01 80 64 65", dict(ident=True, language_code=0x6465)),
    (0x11, "01 40 00 01", dict(fail=True, port_disabled=True)),
    (0x12, "01 0a fe 0c", dict(warn_over=True, warn_under=False, crit_over=True, crit_under=False, voltage=-500,
                               volts=-5.0)),
    (0x13, "01 0a 01 f4", dict(warn_over=True, crit_over=True, current=500, amperes=5.0)),
    (0x14, "01 80 01 01", dict(ident=True, report=True, enabled=True)),
    (0x15, "01 40 00 01", dict(fail=True, enabled=True)),
    (0x16, "01 00 00 2a", dict(short_enclosure_status=0x2A)),
    (0x17, "01 ff 00 00", dict(ok=True, rsvd_device=True, hot_spare=True, cons_chk=True, in_crit_array=True,
                               in_failed_array=True, rebuild_remap=True, r_r_abort=True, ident=False)),
    (0x18, "01 c0 00 00", dict(ident=True, fail=True)),
    (0x19, "01 85 04 e0", dict(ident=True, connector_type=5, connector_type_name="Mini SAS HD 4x receptacle (SFF-8644)",
                               connector_physical_link=4, mated=True, fail=True, overcurrent=True)),
    (0x19, "01 72 00 00", dict(connector_type=0x72, connector_type_name="vendor specific")),
])
def test_status_element_fields(code, raw, expected):
    e = decode_status_element(code, hx(raw))
    assert e.element_type == code and e.element_status_code == 1
    for name, value in expected.items():
        assert getattr(e, name) == value, name


def test_unknown_element_types_keep_bytes():
    vendor = decode_status_element(0x85, hx("75 01 02 03"))
    assert (vendor.element_type_name, vendor.prdfail, vendor.disabled, vendor.swap, vendor.element_status_code,
            vendor.raw) == ("Vendor specific", True, True, True, 5, hx("75010203"))
    assert decode_status_element(0x30, hx("0f000000")).element_status_code_name == "reserved"
    assert decode_status_element(0x30, b"\x01").raw == hx("01000000")


# ------------------------------------------------------------------ control page

def test_control_page_sets_ident_and_clears_status_only_bits():
    s = decode(STATUS, cfg())
    out = build_enclosure_control(s, {(0, 0): {"ident": 0, "rqst_fault": 1}, (0, 1): {"locate": True}})
    # slot 0 status 41 00 83 c3: PRDFAIL kept, status code dropped, SELECT set; byte 2 keeps
    # 4Eh (DNR, INSERT, REMOVE, IDENT) -> IDENT cleared as asked -> 00; byte 3 keeps 3Ch
    # (RQST FAULT, DEVICE OFF, ENABLE BYP A/B) of c3 -> 00, then RQST FAULT -> 20.
    assert out == page(0x02, GEN + hx("00000000 c0 00 00 20" "80 00 02 00" "00000000 00 00 00 20"))


def test_control_page_flags_and_overall_element():
    s = decode(STATUS, cfg())
    out = build_enclosure_control(s, {(1, None): {"rqst_ident": 1}}, info=True, unrecov=True)
    assert out[:2] == hx("02 09")
    assert out[8 + 12:8 + 16] == hx("80 80 00 00")
    assert out[8 + 16:] == hx("00 00 00 20")  # RQST ON kept, SELECT clear: the PSU is left alone


def test_control_page_multi_bit_field_and_errors():
    c = decode(page(0x01, GEN + hx("11 00 01 24") + ENCLOSURE[4:] + hx("03 01 00 00")))
    s = decode(page(0x02, GEN + hx("00000000 01 0b b8 25")), c)
    assert build_enclosure_control(s, {(0, 0): {"speed_code": 6}})[8 + 4:] == hx("80 00 00 26")
    with pytest.raises(UsageError, match="does not fit its 3 bit"):
        build_enclosure_control(s, {(0, 0): {"requested_speed_code": 8}})
    with pytest.raises(UsageError, match="a Cooling control element has no field 'fault'"):
        build_enclosure_control(s, {(0, 0): {"fault": 1}})
    with pytest.raises(UsageError, match=r"no element \(0, 1\)"):
        build_enclosure_control(s, {(0, 1): {"ident": 1}})
    with pytest.raises(UsageError, match="decoded with its configuration"):
        build_enclosure_control(decode(STATUS), {})


def test_keep_masks_follow_the_control_tables():
    # Same bits sg_ses' ses3_element_cmask_arr keeps, plus SES-4's DO NOT REMOVE.
    assert ses.element_type(0x01).keep_mask == 0x40004E3C
    assert ses.element_type(0x17).keep_mask == 0x40FF4E3C
    assert ses.element_type(0x02).keep_mask == 0x40C00060
    assert ses.element_type(0x0E).keep_mask == 0x40800003
    assert ses.element_type(0x19).keep_mask == 0x40800040


def test_threshold_in_and_out():
    th = decode(page(0x05, GEN + hx("00000000 0a0b0c0d 00000000 00000000 00000000"), byte1=0x10), cfg())
    assert th.invop is True and th.types[0].elements[0].high_critical_threshold == 0x0A
    assert th.types[0].elements[0].low_critical_threshold == 0x0D
    out = ses.build_threshold_out(th, {(1, 0): {"high_warning_threshold": 50}})
    assert out == page(0x05, GEN + hx("00000000 0a0b0c0d 00000000 00000000 00320000"))
    with pytest.raises(UsageError, match="no field 'high'"):
        ses.build_threshold_out(th, {(1, 0): {"high": 1}})
    with pytest.raises(UsageError, match=r"no element \(2, 0\)"):
        ses.build_threshold_out(th, {(2, 0): {"high_warning_threshold": 1}})


def test_string_out():
    assert ses.build_string_out(b"hi") == hx("04 00 00 02") + b"hi"
    with pytest.raises(UsageError, match="must be bytes"):
        ses.build_string_out("hi")


# ------------------------------------------------------------ other pages

def test_element_descriptor_page():
    body = GEN + b"".join(hx("0000") + len(t).to_bytes(2, "big") + t for t in (b"Slots", b"A", b"B", b"", b"PSU 0"))
    ed = decode(page(0x07, body), cfg())
    assert [(t.overall, t.elements) for t in ed.types] == [("Slots", ("A", "B")), ("", ("PSU 0",))]
    assert ed.problems == ()


def phy(device_type, init, target, attached, address, phy_id):
    return bytes((device_type << 4, 0, init, target)) + attached.to_bytes(8, "big") + address.to_bytes(8, "big") + \
        bytes((phy_id,)) + bytes(7)


def test_additional_element_status_without_eip_goes_by_position():
    d0 = hx("06 1e") + hx("01 00") + phy(1, 0x00, 0x88, 0x500A, 0x5000C50012345678, 3)
    d1 = hx("06 1e") + hx("01 01") + phy(0, 0x0E, 0x06, 0, 0, 4)
    aes = decode(page(0x0A, GEN + d0 + d1), cfg())
    a, b = aes.descriptors
    assert (a.eip, a.protocol_identifier, a.type_index, a.element_index, a.element_type, a.device_slot_number) == (
        False, 6, 0, 0, 1, None)
    p = a.phy_descriptors[0]
    assert (p.device_type_name, p.ssp_target_port, p.sata_port_selector, p.attached_sas_address, p.sas_address,
            p.phy_identifier) == ("end device", True, True, 0x500A, 0x5000C50012345678, 3)
    q = b.phy_descriptors[0]
    assert (b.element_index, b.not_all_phys, q.ssp_initiator_port, q.stp_initiator_port, q.smp_initiator_port,
            q.stp_target_port, q.smp_target_port, q.sata_device) == (1, True, True, True, True, True, True, False)
    joined = ses.join(cfg(), decode(STATUS, cfg()), None, aes)
    slot = ses.slot_of_sas_address(joined, 0x5000C50012345678)
    assert (slot.type_index, slot.element_index, slot.status.ident) == (0, 0, True)
    assert ses.slot_of_sas_address(joined, 0x1234) is None
    assert [(e.type_index, e.element_index) for e in joined] == [(0, None), (0, 0), (0, 1), (1, None), (1, 0)]


def test_additional_element_status_with_eip_and_eiioe():
    # EIIOE 01b: ELEMENT INDEX counts overall elements, so 2 is slot 1.
    d = hx("16 22 01 02") + hx("01 00 00 07") + phy(1, 0, 0x08, 0, 0x5000C500AAAA0001, 0)
    aes = decode(page(0x0A, GEN + d), cfg())
    (a,) = aes.descriptors
    assert (a.eip, a.eiioe, a.element_index_field, a.type_index, a.element_index, a.device_slot_number) == (
        True, 1, 2, 0, 1, 7)
    assert aes.for_element(0, 1) is a and aes.problems == ()
    # ELEMENT INDEX naming a power supply (no additional status): the next slot in order.
    bad = decode(page(0x0A, GEN + hx("16 22 00 02") + hx("01 00 00 07") + phy(1, 0, 8, 0, 1, 0)), cfg())
    assert (bad.descriptors[0].type_index, bad.descriptors[0].element_index) == (0, 0)
    assert "ELEMENT INDEX 2 names no element" in bad.problems[0]


def test_additional_element_status_expander_esc_and_fc():
    c = decode(page(0x01, GEN + hx("11 00 02 24") + ENCLOSURE[4:] + hx("18 01 00 00 07 01 00 00")))
    expander = hx("16 12 00 00") + hx("02 40 00 00") + hx("5001b4d516ecc03f") + hx("ff 0d 01 ff")
    esc = hx("16 12 00 01") + hx("01 40 00 00") + hx("07 00 02 ff") + hx("5000000000000009")
    aes = decode(page(0x0A, GEN + expander + esc), c)
    x, e = aes.descriptors
    assert (x.element_type, x.sas_address, x.phy_descriptors) == (
        0x18, 0x5001B4D516ECC03F, (ses.ExpanderPhyDescriptor(connector_element_index=0xFF, other_element_index=0x0D),
                                   ses.ExpanderPhyDescriptor(connector_element_index=1, other_element_index=0xFF)))
    assert (e.element_type, e.phy_descriptors) == (0x07, (ses.PortPhyDescriptor(
        phy_identifier=7, connector_element_index=2, other_element_index=0xFF, sas_address=0x5000000000000009),))
    fc = hx("10 1e 00 00") + hx("01 00 00 05") + hx("2000001122334455") + hx("01 02 00 ef 00 010203 2100001122334455")
    f = decode(page(0x0A, GEN + fc), cfg()).descriptors[0]
    assert (f.protocol_identifier_name, f.number_of_ports, f.bay_number, f.node_name) == (
        "Fibre Channel (FCP)", 1, 5, 0x2000001122334455)
    assert f.port_descriptors[0] == ses.FcPortDescriptor(port_loop_position=1, bypass_reason=2,
                                                         port_requested_hard_address=0xEF, n_port_identifier=0x010203,
                                                         n_port_name=0x2100001122334455)


def test_small_pages():
    sup = decode(page(0x00, hx("00 01 02 0a 80")))
    assert sup.supported_pages == (0, 1, 2, 0x0A, 0x80)
    assert sup.page_names == ("Supported Diagnostic Pages", "Configuration", "Enclosure Status",
                              "Additional Element Status", "unknown")
    assert decode(page(0x03, b"call 555\x00\x00")).help_text == "call 555"
    assert decode(page(0x04, hx("0102"))).string_in_data == hx("0102")
    assert decode(hx("08 2a 00 00")).short_enclosure_status == 0x2A
    busy = decode(hx("09 05 00 01 ee"))
    assert (busy.busy, busy.vendor_specific_flags, busy.vendor_specific) == (True, 2, hx("ee"))
    assert decode(page(0x0D, hx("01 02"))).supported_pages == (1, 2)


def test_subenclosure_pages():
    help_ = decode(page(0x0B, GEN + hx("00 00 0002") + b"hi" + hx("00 01 0000"), byte1=1))
    assert (help_.number_of_secondary_subenclosures, [(s.subenclosure_identifier, s.text) for s in help_.subenclosures]) == (
        1, [(0, "hi"), (1, "")])
    strings = decode(page(0x0C, GEN + hx("00 03 0001 7f")))
    assert (strings.subenclosures[0].subenclosure_identifier, strings.subenclosures[0].data,
            strings.subenclosures[0].text) == (3, hx("7f"), None)
    dm = decode(page(0x0E, GEN + hx("00 00 11 00 00100000 000000 03 00000200")))
    (d,) = dm.descriptors
    assert (d.subenclosure_download_microcode_status, d.subenclosure_download_microcode_status_name,
            d.subenclosure_download_microcode_maximum_size, d.subenclosure_download_microcode_expected_buffer_id,
            d.subenclosure_download_microcode_expected_buffer_offset) == (
        0x11, "complete, no error, start after hard reset or power on", 0x100000, 3, 0x200)
    nick = decode(page(0x0F, GEN + hx("00 02 00 00 656e 0000") + b"Left shelf".ljust(32, b"\x00")))
    (n,) = nick.descriptors
    assert (n.subenclosure_identifier, n.subenclosure_nickname_language_code, n.subenclosure_nickname) == (
        2, 0x656E, "Left shelf")
    assert "shorter than 16" in decode(page(0x0E, GEN + hx("00"))).problems[0]


def test_protocol_specific_and_unknown_pages():
    p = decode(page(0x3F, hx("00 06 00 00 00 00 00 00")))
    assert (p.protocol_identifier, p.protocol_identifier_name, p.parameters) == (6, "SAS (SPL)", hx("00 06 00 00 00 00 00 00"))
    u = decode(page(0x90, hx("01")))
    assert (u.page_name, u.parameters) == ("vendor specific", hx("01"))
    assert type(decode(page(0x06, b""))).__name__ == "ArrayStatusPage"
    assert decode(b"").problems


# ------------------------------------------------------------------ robustness

from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(code=st.sampled_from(sorted(ses.DIAGNOSTIC_PAGE_DECODERS) + [0x06, 0x80]), body=st.binary(max_size=120),
       length=st.one_of(st.none(), st.integers(0, 0xFFFF)))
def test_decoders_never_raise_on_device_data(code, body, length):
    size = len(body) if length is None else length
    data = bytes((code, 0)) + size.to_bytes(2, "big") + body
    for configuration in (None, cfg()):
        record = decode(data, configuration)
        assert record.page_code == code
        record.to_dict()


def test_subenclosure_control_pages():
    # 0Fh: SUBENCLOSURE IDENTIFIER in byte 1, PAGE LENGTH 24h, EXPECTED GENERATION CODE, 32-byte nickname.
    assert ses.build_subenclosure_nickname_control(2, 7, "Left") == hx("0f 02 0024 00000007") + b"Left" + bytes(28)
    assert ses.build_subenclosure_string_out(1, 9, hx("aabb")) == hx("0c 01 0006 00000009 aabb")
    dm = ses.build_download_microcode_control(0, 3, 0x07, 5, b"\x01\x02\x03\x04\x05", buffer_id=2, buffer_offset=8)
    assert dm == hx("0e 00 001c 00000003 07 0000 02 00000008 00000005 00000005 0102030405 000000")
    with pytest.raises(UsageError, match="at most 32 bytes"):
        ses.build_subenclosure_nickname_control(0, 0, "x" * 33)
    with pytest.raises(UsageError, match=r"subenclosure_identifier=256 does not fit"):
        ses.build_subenclosure_string_out(256, 0, b"")
    with pytest.raises(UsageError, match="mode=256"):
        ses.build_download_microcode_control(0, 0, 256, 0)
