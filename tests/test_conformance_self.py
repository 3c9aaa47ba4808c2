"""The conformance suite tested on itself: each test fails on an emulated disk that breaks
exactly its rule (``emu:nonconforming?rule=NAME``), and the whole suite passes on ``emu:disk``.

The conformance tests run in pytest sessions of their own (in this process), through the
plugin, as a user would run them: one session for every broken device (each keeping only
the tests of the rule it breaks), one for the conforming disks.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest

from sgframe.cli.conformance import plugin_arguments
from sgframe.emu.broken import RULES


class _Verdicts:
    def __init__(self) -> None:
        self.by_test: Dict[str, str] = {}

    def pytest_runtest_logreport(self, report: Any) -> None:
        from sgframe.testing.report import verdict_of

        verdict = verdict_of(report)
        if verdict is not None and self.by_test.get(report.nodeid) in (None, "passed"):
            self.by_test[report.nodeid] = verdict


def run_suite(modules: List[str], devices: List[str], *extra: str, device2: List[str] = (),
              plugins: List[Any] = ()) -> Dict[str, str]:
    """Verdict per test id of the conformance modules on the devices."""
    verdicts = _Verdicts()
    args = plugin_arguments() + ["-p", "no:cacheprovider", "-qq", "--scsi-dataloss",
                                 "--scsi-sanitize", "--pyargs"] + [f"sgframe.conformance.{m}" for m in modules]
    for uri in devices:
        args += ["--scsi-device", uri]
    for uri in device2:
        args += ["--scsi-device2", uri]
    code = pytest.main(args + list(extra), plugins=[verdicts, *plugins])
    assert code in (0, 1), f"pytest exit status {code}"
    return verdicts.by_test


# rule -> (module, the tests that check it, a part of the test id they must have or None)
CASES = {
    "tur_not_ready": ("test_test_unit_ready", ("test_ready_unit_answers_good", "test_no_data_is_transferred"), None),
    "inquiry_short": ("test_inquiry", ("test_standard_data_is_at_least_36_bytes",), None),
    "inquiry_truncation": ("test_inquiry", ("test_allocation_length_truncates",), None),
    "inquiry_control_character": ("test_inquiry", ("test_identification_fields_are_ascii",), None),
    "inquiry_page_without_evpd": ("test_inquiry", ("test_page_code_without_evpd_is_rejected",), None),
    "vpd_unsorted": ("test_inquiry", ("test_supported_pages_lists_00h_in_ascending_order",), None),
    "vpd_wrong_page_code": ("test_inquiry", ("test_every_listed_page_answers_with_its_code",), None),
    "vpd_unsupported_accepted": ("test_inquiry", ("test_unsupported_page_is_rejected",), None),
    "inquiry_response_data_format_1": ("test_inquiry", ("test_response_data_format_is_2",), None),
    "inquiry_allocation_zero_rejected": ("test_inquiry", ("test_allocation_length_zero_is_not_an_error",), None),
    "vpd_no_logical_unit_designator": ("test_inquiry", ("test_device_identification_page_is_supported",), None),
    "mode10_data_length": ("test_mode_sense", ("test_all_pages_10",), None),
    "mode_control_page_missing": ("test_mode_sense", ("test_control_page_is_reported",), None),
    "mode_dbd_ignored": ("test_mode_sense", ("test_dbd_leaves_out_block_descriptors",), None),
    "capacity_block_length_256": ("test_read_capacity", ("test_block_length_is_sane",), None),
    "read_capacity16_truncation": ("test_read_capacity", ("test_read_capacity_16_allocation_length_truncates",), None),
    "read_short": ("test_read_write", ("test_read_first_block",), None),
    "read_last_lba_out_of_range": ("test_read_write", ("test_read_last_block",), None),
    "read_fua_garbage": ("test_read_write", ("test_read_dpo_fua",), None),
    "write_fua_lost": ("test_read_write", ("test_write_dpo_fua",), None),
    "write_zero_length_writes_a_block": ("test_read_write", ("test_write_zero_length_writes_nothing",), None),
    "sync_whole_medium_rejected": ("test_synchronize_cache", ("test_synchronize_everything",), None),
    "sync_range_to_the_end_rejected": ("test_synchronize_cache", ("test_synchronize_a_range",), None),
    "unmap_empty_list_rejected": ("test_unmap", ("test_unmap_nothing",), None),
    "unmap_zero_blocks_unmaps_one": ("test_unmap", ("test_unmap_zero_blocks",), None),
    "verify_medium_error": ("test_verify", ("test_verify_medium",), None),
    "verify_always_miscompares": ("test_verify", ("test_verify_bytchk_match",), None),
    "write_and_verify_beyond_capacity": ("test_verify", ("test_write_and_verify_beyond_capacity",), None),
    "caw_beyond_capacity": ("test_compare_and_write", ("test_beyond_capacity",), None),
    "orwrite_beyond_capacity": ("test_orwrite", ("test_orwrite_beyond_capacity",), None),
    "pr_read_keys_length": ("test_persistent_reservation", ("test_read_keys_without_registrations",), None),
    "pr_capabilities_length": ("test_persistent_reservation", ("test_report_capabilities",), None),
    "pr_reserve_unregistered": ("test_persistent_reservation", ("test_reserve_needs_registration",), None),
    "pr_reservation_type_lost": ("test_persistent_reservation", ("test_reserve_and_read_reservation",), None),
    "pr_preempt_lost": ("test_persistent_reservation", ("test_preempt_moves_the_reservation",), None),
    "pr_release_by_non_holder": ("test_persistent_reservation", ("test_release_by_non_holder_keeps_reservation",), None),
    "pr_release_wrong_type_accepted": ("test_persistent_reservation", ("test_release_with_wrong_type_fails",), None),
    "pr_unregister_keeps_reservation": ("test_persistent_reservation", ("test_unregister_releases",), None),
    "reserve_holder_conflicts": ("test_reserve_release", ("test_holder_keeps_access",), None),
    "reserve_inquiry_conflicts": ("test_reserve_release", ("test_inquiry_is_allowed_to_others",), None),
    "release_by_other_frees": ("test_reserve_release", ("test_release_by_other_is_harmless",), None),
    "release_lost": ("test_reserve_release", ("test_release_frees_the_unit",), None),
    "allow_rejected": ("test_prevent_allow", ("test_allow",), None),
    "allow_after_prevent_rejected": ("test_prevent_allow", ("test_prevent_then_allow",), None),
    "removable_eject_despite_prevent": ("test_prevent_allow", ("test_prevent_blocks_eject",), None),
    "defect_header_short": ("test_read_defect_data", ("test_allocation_length_4_returns_the_header",), None),
    "defect12_length_odd": ("test_read_defect_data", ("test_read_defect_data_12_header",), None),
    "write_same_unmap_lost": ("test_write_same", ("test_write_same_unmap_reads_zeros",), None),
    "write_same_ndob_lost": ("test_write_same", ("test_write_same_ndob",), None),
    "write_same_anchor_accepted": ("test_write_same", ("test_write_same_anchor_without_anc_sup",), None),
    "zoned_write_pointer_outside_zone": ("test_zoned", ("test_zones_cover_the_medium_in_order",), None),
    "zoned_write_lost": ("test_zoned", ("test_write_at_the_write_pointer_advances_it",), None),
    "zoned_boundary_ignored": ("test_zoned", ("test_write_across_the_zone_end_is_rejected",), None),
    "zoned_reads_past_write_pointer": ("test_zoned", ("test_read_past_the_write_pointer",), None),
    "zoned_close_finishes": ("test_zoned", ("test_close_an_empty_open_zone_empties_it",), None),
    "unmap_lba_count_unlimited": ("test_unmap", ("test_unmap_too_many_blocks",), None),
    "caw_no_limit": ("test_compare_and_write", ("test_longer_than_the_limit",), None),
    "wp_writes_accepted": ("test_write_protect", ("test_write_is_rejected",), None),
    "wp_reads_rejected": ("test_write_protect", ("test_reads_still_work",), None),
    "atomic_write_lost": ("test_write_atomic", ("test_atomic_write_stores",), None),
    "atomic_write_no_limit": ("test_write_atomic", ("test_atomic_write_longer_than_the_limit",), None),
    "rsoc_listed_command_unsupported": ("test_report_supported_opcodes", ("test_each_listed_command_reports_supported",), None),
    "rsoc_unlisted_command_supported": ("test_report_supported_opcodes", ("test_unsupported_opcode_reports_not_supported",), None),
    "sanitize_parameters_accepted": ("test_sanitize", ("test_cryptographic_erase_with_parameters_is_rejected",), None),
    "sense_always_descriptor": ("test_sense_format", ("test_current_format_is_consistent",), None),
    "start_stops": ("test_start_stop_unit", ("test_start",), None),
    "immed_rejected": ("test_start_stop_unit", ("test_immed",), None),
    "prefetch_medium_error": ("test_prefetch", ("test_prefetch",), None),
    "lba_status_always_mapped": ("test_get_lba_status", ("test_mapped_then_unmapped",), None),
    "copy_params_available_data": ("test_extended_copy", ("test_operating_parameters",), None),
    "read_capacity_mismatch": ("test_read_capacity", ("test_read_capacity_10_and_16_agree",), None),
    "mode_data_length": ("test_mode_sense", ("test_all_pages_6",), None),
    "mode_block_length": ("test_mode_sense", ("test_block_descriptor_matches_capacity",), None),
    "mode_unsupported_page": ("test_mode_sense", ("test_unsupported_page_is_rejected",), None),
    "read_beyond_capacity": ("test_read_write", ("test_read_beyond_capacity", "test_read_across_the_end"), None),
    "lba_wraps": ("test_read_write", ("test_the_largest_lba",), None),
    "read_zero_length_error": ("test_read_write", ("test_read_zero_length",), None),
    "read6_zero_is_one_block": ("test_read_write", ("test_read6_zero_means_256_blocks",), None),
    "rdprotect_ignored": ("test_read_write", ("test_rdprotect_without_protection",), None),
    "wrprotect_ignored": ("test_read_write", ("test_wrprotect_without_protection",), None),
    "write_lost": ("test_read_write", ("test_write_then_read_back",), None),
    "write_beyond_capacity": ("test_read_write", ("test_write_beyond_capacity",), None),
    "verify_no_miscompare": ("test_verify", ("test_verify_bytchk_miscompare",), None),
    "verify_beyond_capacity": ("test_verify", ("test_verify_beyond_capacity",), None),
    "write_and_verify_lost": ("test_verify", ("test_write_and_verify_stores",), None),
    "write_same_one_block": ("test_write_same", ("test_write_same_fills_the_range",), None),
    "write_same_no_limit": ("test_write_same", ("test_write_same_longer_than_the_limit",), None),
    "write_same_beyond_capacity": ("test_write_same", ("test_write_same_beyond_capacity",), None),
    "unmap_lost": ("test_unmap", ("test_unmap_deallocates",), None),
    "unmap_beyond_capacity": ("test_unmap", ("test_unmap_beyond_capacity",), None),
    "unmap_no_limits": ("test_unmap", ("test_unmap_too_many_descriptors",), None),
    "lba_status_from_zero": ("test_get_lba_status", ("test_first_descriptor_starts_at_the_requested_lba",), None),
    "lba_status_beyond_capacity": ("test_get_lba_status", ("test_beyond_capacity",), None),
    "prefetch_beyond_capacity": ("test_prefetch", ("test_prefetch_beyond_capacity",), None),
    "sync_beyond_capacity": ("test_synchronize_cache", ("test_synchronize_beyond_capacity",), None),
    "caw_writes_on_miscompare": ("test_compare_and_write", ("test_miscompare_writes_nothing",), None),
    "caw_lost": ("test_compare_and_write", ("test_match_writes",), None),
    "orwrite_overwrites": ("test_orwrite", ("test_orwrite_ors_the_data",), None),
    "rsoc_without_itself": ("test_report_supported_opcodes", ("test_lists_itself",), None),
    "rsoc_service_action_without_servactv": ("test_report_supported_opcodes", ("test_service_action_is_zero_without_servactv",), None),
    "write_same_zero_blocks_with_wsnz": ("test_write_same", ("test_write_same_zero_blocks_with_wsnz",), None),
    "rsoc_no_timeouts": ("test_report_supported_opcodes", ("test_rctd_adds_timeouts_descriptors",), None),
    "rsoc_reserved_option": ("test_report_supported_opcodes", ("test_reserved_reporting_option_is_rejected",), None),
    "rtpg_bad_state": ("test_report_target_port_groups", ("test_tpgs_needs_report_target_port_groups",), None),
    "rtpg_reserved_format_type": ("test_report_target_port_groups", ("test_extended_header_format",), None),
    "alua_standby_reads": ("test_report_target_port_groups", ("test_set_state_is_seen_through_both_nexuses",), None),
    "pi1_app_tag_lost": ("test_protection", ("test_write_and_read_with_protection",), None),
    "pi1_guard_unchecked": ("test_protection", ("test_bad_guard_is_rejected",), None),
    "pi1_reference_unchecked": ("test_protection", ("test_bad_reference_tag_is_rejected",), None),
    "pi1_pi_inside_block": ("test_protection", ("test_read_without_rdprotect_returns_data_only",), None),
    "pi1_protect_bit_clear": ("test_protection", ("test_inquiry_protect_and_extended_inquiry",), None),
    "pi1_reserved_p_type": ("test_read_capacity", ("test_protection_fields_agree_with_inquiry",), None),
    "pi2_rdprotect_in_short_cdbs": ("test_protection", ("test_type2_rejects_rdprotect_in_short_cdbs",), None),
    "pi2_app_tag_lost": ("test_protection", ("test_type2_write32_and_read32_with_protection",), None),
    "pi2_reference_unchecked": ("test_protection", ("test_type2_bad_reference_tag_is_rejected",), None),
    "pi3_reference_checked": ("test_protection", ("test_type3_reference_tag_is_not_checked",), None),
    "stop_ignored": ("test_start_stop_unit", ("test_stop_then_start",), None),
    "power_condition_accepted": ("test_start_stop_unit", ("test_invalid_power_condition_is_rejected",), None),
    "reserve_ignored": ("test_reserve_release", ("test_other_initiator_conflicts",), None),
    "reserve_by_other_granted": ("test_reserve_release", ("test_reserve_by_other_conflicts",), None),
    "pr_generation_frozen": ("test_persistent_reservation", ("test_register_bumps_generation",), None),
    "pr_register_wrong_key": ("test_persistent_reservation", ("test_register_with_wrong_key_conflicts",), None),
    "pr_write_exclusive_leaks": ("test_persistent_reservation", ("test_access_of_the_other_initiator",), "WE-"),
    "pr_preempt_unregistered": ("test_persistent_reservation", ("test_preempt_by_unregistered_conflicts",), None),
    "pr_clear_lost": ("test_persistent_reservation", ("test_clear_removes_everything",), None),
    "sense_always_fixed": ("test_sense_format", ("test_error_sense_follows_d_sense",), "descriptor"),
    "request_sense_desc_ignored": ("test_sense_format", ("test_request_sense_desc",), None),
    "xcopy_lost": ("test_extended_copy", ("test_block_to_block_copy",), None),
    "copy_status_unknown_list": ("test_extended_copy", ("test_status_of_an_unknown_list",), None),
    "defect_length_odd": ("test_read_defect_data", ("test_header_says_which_lists",), None),
    "sanitize_lost": ("test_sanitize", ("test_overwrite_leaves_the_pattern",), None),
    "sanitize_zero_passes": ("test_sanitize", ("test_overwrite_without_passes_is_rejected",), None),
    "zoned_unaligned_write": ("test_zoned", ("test_unaligned_write_is_rejected",), None),
    "zoned_reset_lost": ("test_zoned", ("test_open_close_finish_reset",), None),
    "zoned_bad_zone_id": ("test_zoned", ("test_zone_id_not_at_a_zone_start",), None),
    "removable_reads_without_medium": ("test_no_medium", ("test_commands_need_the_medium",), None),
    "removable_request_sense_empty": ("test_no_medium", ("test_the_unit_still_answers_about_itself",), None),
    "removable_load_ignored": ("test_no_medium", ("test_load_makes_the_unit_ready",), None),
}




def test_every_rule_has_a_case():
    assert sorted(CASES) == sorted(RULES)


class _Select:
    """Keeps, of every broken device's tests, those that check the rule it breaks."""

    def pytest_collection_modifyitems(self, config: Any, items: List[Any]) -> None:
        kept, dropped = [], []
        for item in items:
            uri = item.callspec.params.get("scsi_uri", "") if hasattr(item, "callspec") else ""
            rule = uri.partition("rule=")[2].partition("&")[0]
            module, names, part = CASES.get(rule, ("", (), None))
            wanted = (item.module.__name__.endswith("." + module) and item.originalname in names
                      and (part is None or part in item.name))
            (kept if wanted else dropped).append(item)
        items[:] = kept
        config.hook.pytest_deselected(items=dropped)


def run_broken_sessions(*extra: str) -> Dict[str, Dict[str, str]]:
    """One pytest session over every broken device: rule -> {test id: verdict}."""
    devices = [f"emu:nonconforming?rule={rule}&share=self-{rule}" for rule in sorted(CASES)]
    modules = sorted({module for module, _, _ in CASES.values()})
    verdicts = run_suite(modules, devices, *extra, device2=[uri + "&nexus=1" for uri in devices],
                         plugins=[_Select()])
    out: Dict[str, Dict[str, str]] = {rule: {} for rule in CASES}
    for nodeid, verdict in verdicts.items():
        rule = nodeid.partition("rule=")[2].partition("&")[0]
        out[rule][nodeid] = verdict
    return out


@pytest.fixture(scope="module")
def broken_verdicts() -> Dict[str, Dict[str, str]]:
    return run_broken_sessions()


@pytest.mark.parametrize("rule", sorted(CASES))
def test_the_test_fails_on_the_device_that_breaks_its_rule(broken_verdicts, rule):
    verdicts = broken_verdicts[rule]
    module, names, part = CASES[rule]
    assert {nodeid.split("::")[1].split("[")[0] for nodeid in verdicts} == set(names), verdicts
    assert "failed" in verdicts.values(), f"{RULES[rule][0]}: {verdicts}"


def test_the_whole_suite_passes_on_emu_disk(tmp_path):
    """emu:disk (plain, with explicit ALUA, a removable medium, protection types 1-3, write
    protected) and
    emu:zoned answer like conforming devices: nothing fails, every test
    that fails on a broken device passes here, and what they skip names a feature they
    lack (protection information, atomic writes, a removable medium ...)."""
    import sgframe.conformance as suite

    report = tmp_path / "report.json"
    modules = sorted(suite.FAMILIES)
    removable = "emu:disk?removable=1&share=wholer"
    # 2**23 blocks (sparse): more than MAXIMUM UNMAP LBA COUNT, so that limit can be exceeded.
    plain = "emu:disk?blocks=8388608&share=whole"
    zoned = "emu:zoned?share=wholez"
    # URSWRZ=0 (reads past write pointers refused) only for the zoned module: the READ
    # tests of other modules read blocks no write has reached.
    restricted = "emu:zoned?urswrz=0&share=wholezr"
    alua = "emu:disk?alua=explicit&share=wholea"
    protected = {n: f"emu:disk?protection={n}&share=wholep{n}" for n in (1, 2, 3)}
    read_only = "emu:disk?write_protect=1&share=wholewp"
    # --scsi-device2 pairs with --scsi-device by position: the later disks have none.
    verdicts = run_suite(modules, [plain, zoned, alua, removable,
                                   *protected.values(), read_only],
                         "--scsi-report", str(report),
                         device2=["emu:disk?share=whole&nexus=1", zoned + "&nexus=1", alua + "&nexus=1"])
    verdicts.update(run_suite(["test_zoned"], [restricted]))
    assert "failed" not in verdicts.values() and "error" not in verdicts.values()
    assert list(verdicts.values()).count("passed") > 250
    document = json.loads(report.read_text())
    assert set(document["devices"]) == {plain, zoned, alua, removable,
                                        *protected.values(), read_only}
    skipped = [t for t in document["tests"] if t["verdict"] == "skipped"]
    assert all(t["reason"] for t in skipped)
    # Every test that checks a broken rule ran and passed on the conforming disk.
    for rule, (module, names, part) in CASES.items():
        kind = (restricted if rule == "zoned_reads_past_write_pointer"
                else zoned if rule.startswith("zoned_")
                else removable if rule.startswith("removable_")
                else alua if rule.startswith("alua_")
                else read_only if rule.startswith("wp_")
                else protected[int(rule[2])] if rule[:3] in ("pi1", "pi2", "pi3") else plain)
        mine = [v for nodeid, v in verdicts.items() if f".py::{names[0]}[{kind}" in nodeid
                and (part is None or part in nodeid)]
        assert "passed" in mine, (rule, mine)


def test_the_measured_gap(broken_verdicts):
    """The conformance tests no broken device shows failing are exactly the known gap
    (tests/conformance_gap.py): a new test without a rule that breaks it shows up here,
    and so does a rule that closes part of the gap (remove it from the list)."""
    from tests.conformance_gap import UNCOVERED, conformance_tests, failing_rules

    failed = failing_rules(broken_verdicts)
    gap = {f"{module}::{name}" for module, name in conformance_tests() if (module, name) not in failed}
    assert sorted(gap - UNCOVERED) == [] and sorted(UNCOVERED - gap) == []
