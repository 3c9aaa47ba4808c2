"""Log page decoders, one vector per page (bytes from SPC-5 / SBC-4 / ZBC-2 / SPL-4)."""
from __future__ import annotations

import json

import pytest

from log_vectors import VECTORS, log_page, param
from sgframe.decode import decode_log_page
from sgframe.decode.log import (
    LOG_PAGE_DECODERS,
    LOG_PAGE_NAMES,
    BackgroundScanResultsPage,
    EnvironmentalLimitsPage,
    EnvironmentalReportingPage,
    LastNInquiryDataChangedPage,
    LastNModePageDataChangedPage,
    LogPage,
    decode_generic_log_page,
    decode_log_pages,
    log_page_name,
    split_log_pages,
)


def decode(name):
    page = decode_log_page(VECTORS[name])
    assert page.problems == ()
    return page


# --- names come from (page, subpage) ------------------------------------------------------

def test_subpages_are_named_by_page_and_subpage():
    # 0Dh/01h used to be named "Temperature" after its page code.
    assert decode_log_page(log_page(0x0D, [], sub=0x01)).page_name == "Environmental reporting"
    assert decode_log_page(log_page(0x0D, [], sub=0x02)).page_name == "Environmental limits"
    assert decode_log_page(log_page(0x0B, [], sub=0x01)).page_name == "Last n inquiry data changed"
    assert decode_log_page(log_page(0x0B, [], sub=0x02)).page_name == "Last n mode page data changed"
    assert decode_log_page(log_page(0x0E, [], sub=0x01)).page_name == "Utilization"
    assert decode_log_page(log_page(0x15, [], sub=0x01)).page_name == "Pending defects"
    assert decode_log_page(log_page(0x0D, [])).page_name == "Temperature"
    assert decode_log_page(log_page(0x0D, [], sub=0xFF)).page_name == "Supported subpages"
    assert decode_log_page(log_page(0x0D, [], sub=0x07)).page_name == "reserved"
    assert decode_log_page(log_page(0x19, [], sub=0x05)).page_name == "Group statistics and performance"
    assert decode_log_page(log_page(0x3A, [], sub=0x01)).page_name == "vendor specific"
    # Without SPF byte 1 is not a subpage code.
    assert log_page_name(0x0D, 0) == "Temperature" and log_page_name(None) is None


def test_every_decoder_has_a_name():
    assert all(log_page_name(*key) not in ("reserved", "vendor specific") for key in LOG_PAGE_DECODERS)
    assert set(LOG_PAGE_DECODERS) - set(LOG_PAGE_NAMES) == {(0x19, n) for n in range(1, 0x20)}


# --- one vector per page -----------------------------------------------------------------

def test_buffer_over_run_under_run():
    d = decode("buffer_over_run")
    first, second = d.counters
    assert (first.parameter_code, first.count_basis_name, first.cause_name, first.type_name, first.count) == (
        0x23, "per command", "service delivery subsystem busy", "over-run", 7)
    assert (second.count_basis, second.cause, second.type, second.count) == (4, 0, 0, 1)
    assert second.count_basis_name == "reserved"


def test_verify_and_read_reverse_error_counters():
    d = decode("verify_errors")
    assert (d.page_name, d.errors_corrected_with_possible_delays, d.total_uncorrected_errors) == (
        "Verify error counter", 3, 18)
    rr = decode("read_reverse_errors")
    assert (rr.page_name, rr.total_bytes_processed, rr.total_uncorrected_errors) == (
        "Read reverse error counter", 1 << 41, 2)
    assert rr.total_errors_corrected is None


def test_non_medium_error():
    d = decode("non_medium")
    assert d.non_medium_error_count == 9
    assert [p.name for p in d.parameters] == ["non-medium error count", "vendor specific"]


def test_last_n_error_events():
    d = decode("last_n_error_events")
    ascii_event, binary = d.error_events
    assert (ascii_event.parameter_code, ascii_event.text) == (0, "medium error")
    assert (binary.text, binary.data) == (None, b"\x01\x02")


def test_format_status():
    d = decode("format_status")
    assert d.format_data_out is None  # all FFh: not available
    assert (d.grown_defects_during_certification, d.total_blocks_reassigned_during_format,
            d.total_new_blocks_reassigned, d.power_on_minutes_since_format) == (5, 6, 0, None)


def test_last_n_deferred_errors():
    (error,) = decode("last_n_deferred").deferred_errors
    assert (error.response_code, error.sense_key, error.additional_sense_code,
            error.additional_sense_code_qualifier) == (0x71, 3, 0x11, 0)
    assert error.sense_data[:3] == bytes.fromhex("f10003")


def test_last_n_inquiry_data_changed():
    d = decode("last_n_inquiry_changed")
    assert isinstance(d, LastNInquiryDataChangedPage)
    assert d.generation_numbers == (5, 6)
    assert (d.inquiry_data_changed_generation_number, d.mode_page_data_changed_generation_number) == (5, 6)
    assert [(c.vpd, c.vpd_page_code) for c in d.changes] == [(False, None), (True, 0x83)]


def test_last_n_mode_page_data_changed():
    d = decode("last_n_mode_changed")
    assert isinstance(d, LastNModePageDataChangedPage)
    assert [(c.page_code, c.subpage_code, c.spf) for c in d.changes] == [(0x08, 0, False), (0x0A, 0x01, True)]


def test_generation_numbers_of_odd_length_are_a_problem():
    d = decode_log_page(log_page(0x0B, [param(0, 0x03, bytes.fromhex("0000000701"))], sub=0x02))
    assert d.generation_numbers == (7,)
    assert d.problems == ("Last n mode page data changed log page: parameter 0000h: length 5 is not a multiple of 4",)


def test_environmental_reporting():
    d = decode("environmental_reporting")
    assert isinstance(d, EnvironmentalReportingPage)
    now, other = d.temperature_reports
    assert (now.otv, now.temperature, now.lifetime_maximum_temperature, now.lifetime_minimum_temperature,
            now.maximum_temperature_since_power_on, now.minimum_temperature_since_power_on) == (
        False, 40, 72, -1, 45, 18)
    # 80h is "not available"; the other temperatures are signed.
    assert (other.otv, other.temperature, other.lifetime_minimum_temperature,
            other.maximum_other_temperature, other.minimum_other_temperature) == (True, None, -10, 60, -20)
    (rh,) = d.relative_humidity_reports
    assert (rh.parameter_code, rh.relative_humidity, rh.lifetime_minimum_relative_humidity) == (0x100, 55, 35)


def test_environmental_limits():
    d = decode("environmental_limits")
    assert isinstance(d, EnvironmentalLimitsPage)
    (t,) = d.temperature_limits
    assert (t.high_critical_temperature_limit_trigger, t.low_critical_temperature_limit_reset,
            t.low_critical_temperature_limit_trigger, t.low_operating_temperature_limit_trigger) == (70, -5, -10, None)
    (h,) = d.relative_humidity_limits
    assert (h.high_critical_relative_humidity_limit_trigger, h.low_operating_relative_humidity_limit_trigger) == (95, None)


def test_environmental_reporting_short_and_reserved_parameters():
    d = decode_log_page(log_page(0x0D, [param(0, 3, bytes(4)), param(0x200, 3, bytes(8))], sub=0x01))
    assert d.temperature_reports == ()
    assert d.problems == ("Environmental reporting log page: parameter 0000h has 4 of 8 bytes",
                          "Environmental reporting log page: parameter 0200h is reserved (0000h-01FFh allowed)")


def test_logical_block_provisioning():
    d = decode("provisioning")
    assert [(r.parameter_code, r.resource_count, r.scope_name) for r in d.resources] == [
        (1, 0x1000, "dedicated to the logical unit"), (2, 0x20, "not dedicated to the logical unit"),
        (3, 75, "not reported")]
    assert d.resources[0].name == "available LBA mapping resource count"


def test_start_stop_and_utilization():
    d = decode("start_stop")
    assert (d.year_of_manufacture, d.week_of_manufacture, d.accumulated_start_stop_cycles,
            d.accumulated_load_unload_cycles) == ("2023", "12", 7, 42)
    u = decode("utilization")
    assert (u.workload_utilization, u.utilization_usage_rate_based_on_date_and_time) == (4660, 55)


def test_application_client():
    d = decode("application_client")
    (p,) = d.parameters
    assert (p.name, p.value, p.du) == ("general usage application client parameter data", b"hello world!", True)


def test_solid_state_media_and_zbd_statistics():
    assert decode("solid_state_media").percentage_used_endurance_indicator == 17
    z = decode("zbd_statistics")
    assert (z.maximum_open_zones, z.zones_emptied, z.write_rule_violations,
            z.maximum_implicitly_open_or_before_required_zones) == (100, 105, 110, 111)


def test_counter_shorter_than_the_standard_is_a_problem():
    d = decode_log_page(log_page(0x14, [param(0, 3, b"\x05")], sub=0x01))
    assert d.maximum_open_zones == 5
    assert d.problems == ("Zoned block device statistics log page: parameter 0000h (maximum_open_zones) has 1 of 8 bytes",)


def test_background_scan_results():
    d = decode("background_scan")
    assert isinstance(d, BackgroundScanResultsPage)
    assert (d.accumulated_power_on_minutes, d.background_scan_status, d.number_of_background_scans_performed,
            d.background_medium_scan_progress, d.number_of_background_medium_scans_performed) == (0x1234, 8, 3, 0x8000, 2)
    (m,) = d.medium_scan_parameters
    assert (m.accumulated_power_on_minutes, m.reassign_status, m.sense_key, m.additional_sense_code,
            m.vendor_specific, m.logical_block_address) == (100, 2, 3, 0x11, bytes.fromhex("0102030405"), 0x1000)
    assert m.reassign_status_name == "logical block successfully reassigned by the device server"


def test_pending_defects_background_operation_lps():
    pd = decode("pending_defects")
    assert pd.pending_defect_count == 2
    assert [(p.accumulated_power_on_hours, p.logical_block_address) for p in pd.pending_defects] == [(16, 0x777), (17, 0x888)]
    bo = decode("background_operation")
    assert (bo.bo_status, bo.bo_status_name) == (1, "host initiated advanced background operation is being performed")
    lps = decode("lps_misalignment")
    assert (lps.max_lpsm, lps.lps_misalignment_count, lps.lba_of_misaligned_blocks) == (8, 2, (0x1234, 0x5678))


def test_protocol_specific_port_sas():
    (port,) = decode("protocol_specific_port").ports
    assert (port.relative_target_port_identifier, port.protocol_identifier, port.generation_code,
            port.number_of_phys) == (1, 6, 3, 1)
    (phy,) = port.phys
    assert (phy.attached_sas_device_type, phy.attached_reason, phy.reason, phy.negotiated_logical_link_rate_name) == (
        1, 2, 1, "12 Gbit/s")
    assert (phy.attached_ssp_initiator_port, phy.attached_ssp_target_port) == (True, False)
    assert (phy.sas_address, phy.attached_sas_address, phy.attached_phy_identifier) == (
        0x5000C50012345678, 0x500605B000ABCDEF, 4)
    assert (phy.invalid_dword_count, phy.running_disparity_error_count, phy.loss_of_dword_synchronization_count,
            phy.phy_reset_problem_count) == (11, 22, 33, 44)
    assert [(e.phy_event_source_name, e.phy_event, e.peak_value_detector_threshold)
            for e in phy.phy_event_descriptors] == [("invalid dword count", 11, 0),
                                                     ("peak transmitted pathway blocked count", 5, 7)]


def test_protocol_specific_port_other_protocol_is_named():
    d = decode_log_page(log_page(0x18, [param(1, 3, bytes([0x00, 0, 0, 0]))]))
    assert d.ports == ()
    assert d.problems == ("Protocol specific port log page: port parameter 0001h: protocol identifier 0h "
                          "is not decoded (only SAS, 6h)",)


def test_statistics_and_performance():
    g = decode("general_statistics")
    assert (g.page_name, g.number_of_read_commands, g.number_of_logical_blocks_transmitted,
            g.weighted_read_command_processing_plus_write_command_processing, g.idle_time_intervals) == (
        "General statistics and performance", 1, 4, 8, 9)
    assert (g.time_interval_exponent, g.time_interval_integer) == (3, 1)
    assert (g.number_of_read_fua_commands, g.write_fua_nv_command_processing_intervals) == (11, 18)
    n = decode("group_statistics")
    assert (n.page_name, n.subpage_code, n.number_of_read_commands, n.write_command_processing_intervals,
            n.number_of_read_fua_commands, n.write_fua_nv_command_processing_intervals) == (
        "Group statistics and performance", 5, 21, 26, 31, 38)
    c = decode("cache_statistics")
    assert (c.page_name, c.read_cache_memory_hits, c.reads_to_cache_memory, c.write_cache_memory_hits,
            c.writes_from_cache_memory, c.time_from_last_hard_reset) == ("Cache memory statistics", 100, 200, 300, 400, 500)
    assert (c.time_interval_exponent, c.time_interval_integer) == (6, 5)


def test_statistics_parameter_too_short():
    d = decode_log_page(log_page(0x19, [param(1, 0x03, bytes(12))], sub=0x20))
    assert d.read_cache_memory_hits == 0
    d = decode_log_page(log_page(0x19, [param(1, 0x03, bytes(12))]))
    assert (d.number_of_read_commands, d.number_of_write_commands) == (0, None)
    assert d.problems == ("General statistics and performance log page: parameter 0001h has 12 of 64 bytes",)


def test_power_condition_transitions():
    d = decode("power_condition_transitions")
    assert (d.accumulated_transitions_to_active, d.accumulated_transitions_to_idle_c,
            d.accumulated_transitions_to_standby_z, d.accumulated_transitions_to_standby_y) == (10, 40, 80, 90)


# --- records -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(VECTORS))
def test_every_page_keeps_its_bytes_and_serialises(name):
    page = decode_log_page(VECTORS[name])
    assert type(page) is not LogPage
    assert page.raw == VECTORS[name]
    # Stable: the same page gives the same JSON text; bytes are hex strings.
    text = json.dumps(page.to_dict(), sort_keys=True)
    assert text == json.dumps(decode_log_page(VECTORS[name]).to_dict(), sort_keys=True)
    assert json.loads(text)["raw"] == VECTORS[name].hex()
    assert json.loads(text)["page_name"] == page.page_name


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_every_page_survives_truncation(name):
    raw = VECTORS[name]
    for cut in (1, 3, 5, len(raw) // 2, len(raw) - 1):
        page = decode_log_page(raw[:cut])
        assert page.problems, cut


def test_split_and_decode_back_to_back_pages():
    raw = VECTORS["utilization"] + VECTORS["non_medium"]
    assert split_log_pages(raw) == (VECTORS["utilization"], VECTORS["non_medium"])
    assert [p.page_name for p in decode_log_pages(raw)] == ["Utilization", "Non-medium error"]
    assert split_log_pages(raw + b"\x01\x02") [-1] == b"\x01\x02"


def test_generic_page_keeps_raw():
    raw = log_page(0x37, [param(0, 3, b"\x01")])
    assert decode_generic_log_page(raw).raw == raw


# --- 16h, 17h, 19h/21h ---------------------------------------------------------------------

def test_ata_pass_through_results():
    page = decode("ata_pass_through")
    assert page.page_name == "ATA PASS-THROUGH results"
    wide, narrow = page.results
    assert (wide.parameter_code, wide.extend, wide.error, wide.count, wide.lba, wide.device, wide.status) == (
        0, True, 0x04, 1, 0xABCDEF012345, 0x40, 0x51)
    assert (narrow.extend, narrow.count, narrow.lba, narrow.device, narrow.status) == (False, 5, 0x302010, 0xE0, 0x50)
    assert narrow.descriptor == bytes.fromhex("090c00000005001000200030e050")


def test_ata_pass_through_results_bad_parameters_are_problems():
    page = decode_log_page(log_page(0x16, [param(0, 0x03, bytes.fromhex("0102")), param(0x20, 0x03, bytes(14))]))
    assert [r.parameter_code for r in page.results] == [0]
    assert page.results[0].lba is None and page.results[0].descriptor == bytes.fromhex("0102")
    assert any("not a 14-byte ATA Status Return descriptor" in p for p in page.problems)
    assert any("0020h outside 0000h-000Eh" in p for p in page.problems)


def test_non_volatile_cache():
    from sgframe.decode.log import non_volatile_time_name

    page = decode("non_volatile_cache")
    assert page.page_name == "Non-volatile cache"
    assert (page.remaining_non_volatile_time, page.maximum_non_volatile_time) == (90, 0xFFFFFF)
    assert non_volatile_time_name("maximum_non_volatile_time", page.maximum_non_volatile_time) == "indefinite"
    assert non_volatile_time_name("remaining_non_volatile_time", 1) == "unknown"
    assert non_volatile_time_name("maximum_non_volatile_time", 1) == "reserved"
    assert non_volatile_time_name("remaining_non_volatile_time", 90) is None
    short = decode_log_page(log_page(0x17, [param(0, 0x03, bytes(2))]))
    assert short.remaining_non_volatile_time is None and "has 2 of 4 bytes" in short.problems[0]


def test_command_duration_limits_statistics_spc6():
    page = decode("cdl_spc6")
    assert page.page_name == "Command duration limits statistics"
    assert page.achievable_latency_target == 500
    a, b = page.statistics
    assert (a.mode_page, a.command_duration_limit_descriptor, a.layout) == ("CDL T2A", 1, "SPC-6")
    assert (a.number_of_inactive_target_miss_commands, a.number_of_active_target_miss_commands,
            a.number_of_inactive_target_and_active_target_miss_commands, a.number_of_commands) == (4, 3, 2, 100)
    assert a.number_of_latency_miss_commands is None
    assert (b.parameter_code, b.mode_page, b.command_duration_limit_descriptor, b.number_of_commands) == (
        0x47, "CDL T2B", 7, 50)
    # The restricted code stays a plain parameter.
    assert page.parameter(0x11).value == bytes(4)


def test_command_duration_limits_statistics_draft_layout():
    page = decode("cdl_draft")
    assert page.achievable_latency_target == 1000
    a, b = page.statistics
    assert (a.parameter_code, a.mode_page, a.command_duration_limit_descriptor, a.layout) == (0x11, "CDL T2A", 1, "spc6r01")
    assert (b.parameter_code, b.mode_page, b.command_duration_limit_descriptor) == (0x22, "CDL T2B", 2)
    assert (b.number_of_inactive_target_miss_commands,
            b.number_of_latency_misses_attributable_to_background_operations) == (11, 18)
    assert a.number_of_commands is None
    short = decode_log_page(log_page(0x19, [param(0x21, 0x03, bytes(8))], sub=0x21))
    assert short.statistics[0].number_of_active_target_miss_commands == 0
    assert short.statistics[0].number_of_commands is None and "has 8 of 16 bytes" in short.problems[0]
