"""Log pages, PERSISTENT RESERVE IN, GET LBA STATUS and REPORT ZONES: vectors from SPC-5/SBC-4/ZBC."""
from __future__ import annotations

from sgframe.decode import (
    LOG_PAGE_DECODERS,
    ErrorCounterPage,
    LogPage,
    ReadFullStatusData,
    SelfTestResultsPage,
    StartStopCycleCounterPage,
    decode_lba_status,
    decode_log_page,
    decode_persistent_reserve_in,
    decode_report_zones,
)


def log_page(page, params, sub=None):
    body = b"".join(params)
    first = page | (0x40 if sub is not None else 0)
    return bytes([first, sub or 0]) + len(body).to_bytes(2, "big") + body


def param(code, control, value):
    return code.to_bytes(2, "big") + bytes([control, len(value)]) + value


def test_generic_parameter_bits():
    raw = log_page(0x37, [param(0x8001, 0xB6, b"\x01\x02"), param(0x0002, 0x02, bytes.fromhex("00000100"))])
    d = decode_log_page(raw)
    assert type(d) is LogPage
    assert (d.page_code, d.page_name, d.spf, d.ds) == (0x37, "vendor specific", False, False)
    vendor, counter = d.parameters
    assert (vendor.parameter_code, vendor.du, vendor.tsd, vendor.etc, vendor.tmc, vendor.format_and_linking) == (
        0x8001, True, True, True, 1, 2)
    assert (vendor.value, vendor.counter) == (b"\x01\x02", 0x0102)
    assert (counter.counter, counter.parameter_length) == (256, 4)
    assert d.parameter(2) is counter and d.parameter(3) is None


def test_binary_list_parameters_have_no_counter():
    d = decode_log_page(log_page(0x37, [param(0, 0x03, b"\xff")]))
    assert d.parameters[0].counter is None


def test_error_counter_pages():
    params = [param(code, 0x02, (code + 1).to_bytes(4, "big")) for code in range(7)]
    params.append(param(0x8000, 0x02, b"\x09"))
    for page in (0x02, 0x03, 0x05):
        d = decode_log_page(log_page(page, params))
        assert isinstance(d, ErrorCounterPage)
        assert (d.errors_corrected_without_substantial_delay, d.total_rewrites_or_rereads,
                d.total_bytes_processed, d.total_uncorrected_errors) == (1, 3, 6, 7)
        assert d.parameters[4].name == "total times correction algorithm processed"
        assert d.parameters[7].name == "vendor specific"
    assert decode_log_page(log_page(0x03, [])).page_name == "Read error counter"


def test_temperature_not_available():
    d = decode_log_page(log_page(0x0D, [param(0, 0x03, b"\x00\xff"), param(1, 0x03, b"\x00\x46")]))
    assert (d.temperature, d.reference_temperature) == (None, 70)


def test_start_stop_cycle_counter():
    d = decode_log_page(log_page(0x0E, [
        param(1, 0x01, b"202312"), param(2, 0x01, b"    "  b"  "),
        param(3, 0x03, (50000).to_bytes(4, "big")), param(4, 0x03, (321).to_bytes(4, "big")),
        param(5, 0x03, (600000).to_bytes(4, "big")), param(6, 0x03, (4242).to_bytes(4, "big")),
    ]))
    assert isinstance(d, StartStopCycleCounterPage)
    assert (d.year_of_manufacture, d.week_of_manufacture) == ("2023", "12")
    assert (d.accounting_date_year, d.accounting_date_week) == ("", "")
    assert (d.specified_cycle_count_over_device_lifetime, d.accumulated_start_stop_cycles) == (50000, 321)
    assert (d.specified_load_unload_count_over_device_lifetime, d.accumulated_load_unload_cycles) == (600000, 4242)


def test_self_test_results_twenty_entries():
    entries = [param(1, 0x03, bytes.fromhex("a5 07 0102 0000000000001234 03 11 04 ee"))]
    entries += [param(code, 0x03, bytes(16)) for code in range(2, 21)]
    d = decode_log_page(log_page(0x10, entries))
    assert isinstance(d, SelfTestResultsPage)
    assert len(d.self_test_results) == 20
    first = d.self_test_results[0]
    assert (first.self_test_code, first.self_test_code_name) == (5, "foreground short self-test")
    assert (first.self_test_results, first.self_test_results_name) == (5, "completed with the first segment failed")
    assert (first.self_test_number, first.accumulated_power_on_hours, first.address_of_first_failure) == (7, 0x102, 0x1234)
    assert (first.sense_key, first.additional_sense_code, first.additional_sense_code_qualifier,
            first.vendor_specific) == (3, 0x11, 0x04, 0xEE)
    assert first.empty is False
    assert all(r.empty for r in d.self_test_results[1:])
    assert d.problems == ()


def test_log_page_truncation():
    d = decode_log_page(bytes.fromhex("0d00000c 0000 03 02 00"))
    assert d.problems == (
        "Temperature log page: page length announces 16 bytes, 9 received",
        "Temperature log page: parameter 0000h at byte 4: length 2, 1 bytes present",
    )
    assert d.temperature is None


def test_log_dispatch_table_is_extensible(monkeypatch):
    monkeypatch.setitem(LOG_PAGE_DECODERS, (0x30, 0x00), lambda data: LogPage(page_code=0x30, page_name="vendor page"))
    assert decode_log_page(log_page(0x30, [])).page_name == "vendor page"


def pr_in(generation, body):
    return generation.to_bytes(4, "big") + len(body).to_bytes(4, "big") + body


def test_read_keys_and_reservation():
    keys = decode_persistent_reserve_in(pr_in(3, bytes.fromhex("0000000000000001 aabbccddeeff0011")), 0)
    assert (keys.prgeneration, keys.additional_length, keys.reservation_keys) == (3, 16, (1, 0xAABBCCDDEEFF0011))
    held = decode_persistent_reserve_in(pr_in(4, bytes.fromhex("aabbccddeeff0011 00000000 00 06 0000")), 1)
    assert (held.reservation_key, held.scope, held.type, held.type_name) == (
        0xAABBCCDDEEFF0011, 0, 6, "exclusive access, registrants only")
    none = decode_persistent_reserve_in(pr_in(4, b""), 1)
    assert (none.reservation_key, none.problems) == (None, ())
    short = decode_persistent_reserve_in(pr_in(1, bytes(12))[:14], 0)
    assert short.problems == ("READ KEYS: additional length 12, 6 bytes received", "READ KEYS: 6 stray bytes after the last reservation key")


def test_report_capabilities():
    d = decode_persistent_reserve_in(bytes.fromhex("0008 0c 91 a2 01 0000"), 2)
    assert (d.length, d.rlr_c, d.crh, d.sip_c, d.atp_c, d.ptpl_c) == (8, False, False, True, True, False)
    assert (d.tmv, d.allow_commands, d.ptpl_a) == (True, 1, True)
    assert (d.wr_ex_ar, d.ex_ac_ro, d.wr_ex_ro, d.ex_ac, d.wr_ex, d.ex_ac_ar) == (True, False, True, False, True, True)


def test_read_full_status_with_transport_ids():
    iscsi_name = b"iqn.1994-05.com.redhat:abc\x00\x00"
    iscsi = bytes([0x05, 0]) + len(iscsi_name).to_bytes(2, "big") + iscsi_name
    fc = bytes([0x00]) + bytes(7) + bytes.fromhex("21000024ff123456") + bytes(8)

    def status(key, flags, scope_type, rtpi, tid):
        return (key.to_bytes(8, "big") + bytes(4) + bytes([flags, scope_type]) + bytes(4)
                + rtpi.to_bytes(2, "big") + len(tid).to_bytes(4, "big") + tid)

    body = status(0x11, 0x01, 0x01, 1, iscsi) + status(0x22, 0x02, 0x00, 2, fc)
    d = decode_persistent_reserve_in(pr_in(9, body), 3)
    assert isinstance(d, ReadFullStatusData)
    holder, other = d.full_status_descriptors
    assert (holder.reservation_key, holder.r_holder, holder.all_tg_pt, holder.type_name) == (
        0x11, True, False, "write exclusive")
    assert holder.relative_target_port_identifier == 1
    assert (holder.transport_id.protocol_identifier_name, holder.transport_id.iscsi_name) == (
        "iSCSI", "iqn.1994-05.com.redhat:abc")
    assert (other.all_tg_pt, other.transport_id.n_port_name) == (True, 0x21000024FF123456)
    assert d.problems == ()
    bad = decode_persistent_reserve_in(pr_in(9, body), 5)
    assert bad.problems[-1] == "service action 5 is not one of 0-3; decoded as READ KEYS"


def test_lba_status_header_and_statuses():
    raw = bytes.fromhex(
        "00000024 0000 00 07"
        "0000000000000000 00000010 03 00 0000"
        "0000000000000010 00000020 24 01 0000")
    d = decode_lba_status(raw)
    assert (d.parameter_data_length, d.completion_condition, d.completion_condition_name, d.rtp) == (
        0x24, 3, "capacity of the medium reached", True)
    mapped, anchored = d.lba_status_descriptors
    assert (mapped.provisioning_status_name, mapped.number_of_logical_blocks) == ("mapped", 16)
    assert (anchored.lba_status_logical_block_address, anchored.provisioning_status_name) == (16, "unknown")
    assert (anchored.lba_accessibility, anchored.additional_status_name) == (2, "may contain unrecovered errors")
    assert d.problems == ()
    cut = decode_lba_status(raw[:30])
    assert len(cut.lba_status_descriptors) == 1
    assert cut.problems == (
        "GET LBA STATUS: parameter data length 36, 26 bytes received",
        "GET LBA STATUS: 6 bytes of an incomplete LBA status descriptor at byte 24",
    )


def zone(ztype, cond_flags, length, start, wp):
    return (bytes([ztype, cond_flags]) + bytes(6) + length.to_bytes(8, "big") + start.to_bytes(8, "big")
            + wp.to_bytes(8, "big") + bytes(32))


def test_report_zones_types_and_conditions():
    zones = zone(3, 0x23, 0x80000, 0, 0x100) + zone(4, 0xD0, 0x80000, 0x80000, 0x80000) + zone(5, 0xF0, 8, 0x100000, 0)
    header = len(zones).to_bytes(4, "big") + bytes([0x03]) + bytes(3) + (0xFFFFF).to_bytes(8, "big") + (8).to_bytes(8, "big")
    d = decode_report_zones(header + bytes(40) + zones)
    assert (d.zone_list_length, d.same, d.same_name, d.maximum_lba, d.zone_starting_lba_granularity) == (
        192, 3, "same length, types may differ", 0xFFFFF, 8)
    swp, sobr, gap = d.zone_descriptors
    assert (swp.zone_type_name, swp.zone_condition_name, swp.non_seq, swp.reset, swp.write_pointer_lba) == (
        "sequential write preferred", "implicitly opened", True, True, 0x100)
    assert (sobr.zone_type_name, sobr.zone_condition_name) == ("sequential or before required", "read only")
    assert (gap.zone_type_name, gap.zone_condition_name) == ("gap", "offline")
    assert d.problems == ()
    cut = decode_report_zones((header + bytes(40) + zones)[:64 + 64 + 10])
    assert len(cut.zone_descriptors) == 1
    assert cut.problems == ("REPORT ZONES: zone list length 192, 74 bytes of descriptors received",)
