"""libiscsi's ``iscsi-test-cu`` tests (the SCSI and LINUX families) and what covers them here.

:data:`LIBISCSI` maps every test ``iscsi-test-cu --list`` names as ``SCSI.<Suite>.<Test>``
or ``LINUX.<Suite>.<Test>`` (``"Suite.Test"``) to a :class:`Coverage`: the clause whose
rule the libiscsi test checks, the sgframe conformance tests that check the same rule
(``"module::function"``: every parametrization of it; ``"module::function[Read10]"``: the
parametrizations with ``Read10`` among their ids), or none, with the reason sgframe does not. ``tests/test_conformance_libiscsi.py`` checks both sides against the
installed ``iscsi-test-cu --list`` and this package.

Where libiscsi's test and sgframe's differ in what they accept, the sgframe docstring cites
the clause it reads; the integration test runs both on the same devices.
"""
from __future__ import annotations

from typing import Dict, Optional, Tuple

import attrs

__all__ = ["Coverage", "LIBISCSI", "covered", "matches", "not_covered"]


@attrs.frozen
class Coverage:
    """:param clause: the standard's clause for the rule.
    :param tests: sgframe tests ``"module::function"`` that check it; empty when none does.
    :param why_not: why no sgframe test covers it (``None`` when one does)."""

    clause: str
    tests: Tuple[str, ...] = ()
    why_not: Optional[str] = None


def matches(reference: str, nodeid: str) -> bool:
    """Does ``module::function`` or ``module::function[Part]`` name this pytest test id
    (``.../module.py::function[device-Part]``)?"""
    base, _, part = reference.partition("[")
    module, _, function = base.partition("::")
    path, _, rest = nodeid.partition("::")
    if path.rsplit("/", 1)[-1] != f"{module}.py" or rest.split("[", 1)[0] != function:
        return False
    return not part or part[:-1] in rest.partition("[")[2][:-1].split("-")


def covered(clause: str, *tests: str) -> Coverage:
    return Coverage(clause, tuple(tests))


def not_covered(clause: str, why: str) -> Coverage:
    return Coverage(clause, (), why)


_RW = "test_read_write::"
_V = "test_verify::"
_WS = "test_write_same::"
_PR = "test_persistent_reservation::"
_RR = "test_reserve_release::"
_NO_RESET = ("a task management function or a transport event (reset, logout, I_T nexus loss): "
             "the channel sends CDBs only; the test bed's reset tests (tests/integration/test_resets.py) "
             "check sgframe's handling, not the device's rule")
_WP_RULE = "SBC-4 4.11, 5.x and SPC-5 4.x (write protect)"
_NOT_WP = ("libiscsi's test checks WRPROTECT/WP handling on the same command name; sgframe checks "
           "WRPROTECT without protection information in test_wrprotect_without_protection and "
           "writes on a write-protected medium in test_write_protect")


def _rw(suite: str, reads: bool) -> Dict[str, Coverage]:
    """The READ(n) / WRITE(n) families, alike; each row names the parametrization of the
    same command."""
    c = f"[{suite}]"
    largest = (_RW + f"test_the_largest_lba{c}",) if suite in ("Read16", "Write16") else ()
    clause = {"Read6": "SBC-4 5.15", "Read10": "SBC-4 5.16", "Read12": "SBC-4 5.17", "Read16": "SBC-4 5.18",
              "Write10": "SBC-4 5.41", "Write12": "SBC-4 5.42", "Write16": "SBC-4 5.43"}[suite]
    if reads:
        rows = {
            "Simple": covered(clause, _RW + f"test_read_first_block{c}", _RW + f"test_read_last_block{c}"),
            "BeyondEol": covered(clause + ", SBC-4 4.5", _RW + f"test_read_beyond_capacity{c}",
                                 _RW + f"test_read_across_the_end{c}", *largest),
            "ZeroBlocks": covered(clause, _RW + f"test_read_zero_length{c}"),
            "ReadProtect": covered(clause + " Table 70, SBC-4 4.22.2.4", _RW + f"test_rdprotect_without_protection{c}",
                                   f"test_protection::test_type2_rejects_rdprotect_in_short_cdbs{c}"),
            "DpoFua": covered(clause + ", SBC-4 6.5.1 (DPOFUA)", _RW + f"test_read_dpo_fua{c}"),
        }
        if suite == "Read6":
            rows = {"Simple": rows["Simple"], "BeyondEol": covered(clause, _RW + f"test_read_beyond_capacity{c}")}
    else:
        rows = {
            "Simple": covered(clause, _RW + f"test_write_then_read_back{c}"),
            "BeyondEol": covered(clause + ", SBC-4 4.5", _RW + f"test_write_beyond_capacity{c}", *largest),
            "ZeroBlocks": covered(clause, _RW + f"test_write_zero_length_writes_nothing{c}"),
            "WriteProtect": covered(clause + " Table 105", _RW + f"test_wrprotect_without_protection{c}"),
            "DpoFua": covered(clause + ", SBC-4 6.5.1 (DPOFUA)", _RW + f"test_write_dpo_fua{c}"),
        }
    return {f"{suite}.{name}": row for name, row in rows.items()}


def _verify(suite: str) -> Dict[str, Coverage]:
    clause = {"Verify10": "SBC-4 5.33", "Verify12": "SBC-4 5.34", "Verify16": "SBC-4 5.35"}[suite]
    c = f"[{suite}]"
    return {f"{suite}.{name}": row for name, row in {
        "Simple": covered(clause, _V + f"test_verify_medium{c}", _V + f"test_verify_bytchk_match{c}"),
        "BeyondEol": covered(clause + ", SBC-4 4.5", _V + f"test_verify_beyond_capacity{c}"),
        "ZeroBlocks": not_covered(clause, "a VERIFICATION LENGTH of zero verifies nothing and must complete; "
                                          "no sgframe test sends it yet"),
        "VerifyProtect": not_covered(clause + " Table 96", "VRPROTECT without protection information is not "
                                                          "tested yet (RDPROTECT/WRPROTECT are)"),
        "Flags": not_covered(clause, "libiscsi sends BYTCHK values 10b/11b and checks they are accepted or "
                                     "rejected as INVALID FIELD IN CDB; sgframe tests BYTCHK 00b and 01b only"),
        "Dpo": not_covered(clause, "DPO on VERIFY is a cache hint with no visible effect; not tested"),
        "Mismatch": covered(clause + " (BYTCHK=01b)", _V + f"test_verify_bytchk_miscompare{c}"),
        "MismatchNoCmp": covered(clause + " (BYTCHK=00b: the medium only)", _V + f"test_verify_medium{c}"),
    }.items()}


def _write_verify(suite: str) -> Dict[str, Coverage]:
    clause = {"WriteVerify10": "SBC-4 5.46", "WriteVerify12": "SBC-4 5.47", "WriteVerify16": "SBC-4 5.48"}[suite]
    c = f"[WriteAndVerify{suite[-2:]}]"
    return {f"{suite}.{name}": row for name, row in {
        "Simple": covered(clause, _V + f"test_write_and_verify_stores{c}"),
        "BeyondEol": covered(clause + ", SBC-4 4.5", _V + f"test_write_and_verify_beyond_capacity{c}"),
        "ZeroBlocks": not_covered(clause, "a zero TRANSFER LENGTH on WRITE AND VERIFY is not tested yet"),
        "WriteProtect": not_covered(clause + " Table 114", _NOT_WP),
        "Flags": not_covered(clause, "BYTCHK 10b/11b on WRITE AND VERIFY are not tested yet"),
        "Dpo": not_covered(clause, "DPO is a cache hint with no visible effect; not tested"),
    }.items()}


def _write_same(suite: str) -> Dict[str, Coverage]:
    clause = {"WriteSame10": "SBC-4 5.49", "WriteSame16": "SBC-4 5.50"}[suite]
    c = f"[{suite}]"
    return {f"{suite}.{name}": row for name, row in {
        "Simple": covered(clause, _WS + f"test_write_same_fills_the_range{c}"),
        "BeyondEol": covered(clause + ", SBC-4 4.5", _WS + f"test_write_same_beyond_capacity{c}"),
        "ZeroBlocks": covered(clause + " and SBC-4 7.7.4 (WSNZ)", _WS + f"test_write_same_zero_blocks_with_wsnz{c}"),
        "WriteProtect": not_covered(clause, _NOT_WP),
        "Unmap": covered(clause + " (UNMAP=1), SBC-4 4.7.3.4", _WS + "test_write_same_unmap_reads_zeros"),
        "UnmapUnaligned": not_covered(clause + ", SBC-4 4.7.3.5", "unaligned unmap requests are allowed to map "
                                                                   "partially; the rule has no single outcome to assert"),
        "UnmapUntilEnd": not_covered(clause, "an unmap up to the last LBA is the same rule as Unmap at another "
                                             "address; not a separate test"),
        "UnmapVPD": covered(clause + ", SBC-4 7.7.4 (LBPWS)", _WS + "test_write_same_unmap_reads_zeros"),
        "Check": covered(clause + " (ANCHOR, NDOB)", _WS + "test_write_same_ndob",
                         _WS + "test_write_same_anchor_without_anc_sup"),
        "InvalidDataOutSize": not_covered(clause, "a data-out buffer of another size than one block is a host "
                                                  "error the transport catches before the device: sgframe's "
                                                  "channel sizes the buffer from the CDB"),
    }.items()}


def _prefetch(suite: str) -> Dict[str, Coverage]:
    clause = {"Prefetch10": "SBC-4 5.10", "Prefetch16": "SBC-4 5.11"}[suite]
    c = f"[PreFetch{suite[-2:]}]"
    return {f"{suite}.{name}": row for name, row in {
        "Simple": covered(clause, f"test_prefetch::test_prefetch{c}"),
        "BeyondEol": covered(clause + ", SBC-4 4.5", f"test_prefetch::test_prefetch_beyond_capacity{c}"),
        "ZeroBlocks": not_covered(clause, "PREFETCH LENGTH 0 is not tested yet"),
        "Flags": covered(clause + " (IMMED)", f"test_prefetch::test_prefetch{c}"),
    }.items()}


LIBISCSI: Dict[str, Coverage] = {
    "TestUnitReady.Simple": covered("SPC-5 6.47", "test_test_unit_ready::test_ready_unit_answers_good",
                                    "test_test_unit_ready::test_no_data_is_transferred"),
    "Inquiry.Standard": covered("SPC-5 6.7.2", "test_inquiry::test_standard_data_is_at_least_36_bytes",
                                "test_inquiry::test_response_data_format_is_2",
                                "test_inquiry::test_identification_fields_are_ascii"),
    "Inquiry.AllocLength": covered("SPC-5 4.2.5.6, 6.7.1", "test_inquiry::test_allocation_length_truncates",
                                   "test_inquiry::test_allocation_length_zero_is_not_an_error"),
    "Inquiry.EVPD": covered("SPC-5 6.7.1", "test_inquiry::test_page_code_without_evpd_is_rejected",
                            "test_inquiry::test_every_listed_page_answers_with_its_code",
                            "test_inquiry::test_unsupported_page_is_rejected"),
    "Inquiry.BlockLimits": not_covered("SBC-4 6.6.4", "the Block Limits fields are read by the probe and their "
                                                      "limits enforced in WRITE SAME/UNMAP/COMPARE AND WRITE tests; "
                                                      "the page's own layout (length 3Ch) is not asserted"),
    "Inquiry.MandatoryVPDSBC": covered("SPC-5 7.7.1, SBC-4 6.6.1", "test_inquiry::test_device_identification_page_is_supported",
                                       "test_inquiry::test_supported_pages_lists_00h_in_ascending_order"),
    "Inquiry.SupportedVPD": covered("SPC-5 7.7.13", "test_inquiry::test_supported_pages_lists_00h_in_ascending_order",
                                    "test_inquiry::test_every_listed_page_answers_with_its_code"),
    "Inquiry.VersionDescriptors": not_covered("SPC-5 6.7.2 Table 148", "libiscsi only warns when a block device "
                                              "claims no SPC or SBC version; SPC-5 requires no version descriptor, "
                                              "so there is nothing a device can fail"),
    "Mandatory.MandatorySBC": not_covered("SBC-4 Table 16 (mandatory commands)", "sgframe tests each command where the "
                                          "device supports it and skips saying so where not; no test fails a device for "
                                          "lacking an SBC mandatory command"),
    "ModeSense6.AllPages": covered("SPC-5 6.13, 7.5.1", "test_mode_sense::test_all_pages_6", "test_mode_sense::test_all_pages_10"),
    "ModeSense6.Control": covered("SPC-5 7.5.10", "test_mode_sense::test_control_page_is_reported"),
    "ModeSense6.Control-D_SENSE": covered("SPC-5 7.5.10 (D_SENSE), 4.4", "test_sense_format::test_error_sense_follows_d_sense"),
    "ModeSense6.Control-SWP": not_covered("SPC-5 7.5.10 (SWP)", "setting SWP would write protect the device for the "
                                          "rest of the run; write protection is tested on a read-only device instead "
                                          "(test_write_protect)"),
    "ModeSense6.Residuals": covered("SPC-5 4.2.5.6", "test_mode_sense::test_all_pages_6"),
    "ReadCapacity10.Simple": covered("SBC-4 5.20", "test_read_capacity::test_read_capacity_10_and_16_agree",
                                     "test_read_capacity::test_block_length_is_sane"),
    "ReadCapacity16.Simple": covered("SBC-4 5.21", "test_read_capacity::test_read_capacity_10_and_16_agree"),
    "ReadCapacity16.Alloclen": covered("SBC-4 5.21, SPC-5 4.2.5.6", "test_read_capacity::test_read_capacity_16_allocation_length_truncates"),
    "ReadCapacity16.PI": covered("SBC-4 5.21 (PROT_EN, P_TYPE), 4.22", "test_read_capacity::test_protection_fields_agree_with_inquiry"),
    "ReadCapacity16.Support": covered("SBC-4 5.21", "test_read_capacity::test_read_capacity_10_and_16_agree"),
    "ReadDefectData10.Simple": covered("SBC-4 5.22", "test_read_defect_data::test_header_says_which_lists",
                                       "test_read_defect_data::test_allocation_length_4_returns_the_header"),
    "ReadDefectData12.Simple": covered("SBC-4 5.23", "test_read_defect_data::test_read_defect_data_12_header"),
    "ReadOnly.ReadOnlySBC": covered("SBC-4 4.11, 6.5.1 (WP)", "test_write_protect::test_write_is_rejected",
                                    "test_write_protect::test_reads_still_work"),
    "NoMedia.NoMediaSBC": covered("SBC-4 4.20, 5.25 (LOEJ); SPC-5 Table F.2 (3Ah)", "test_no_medium::test_commands_need_the_medium",
                                  "test_no_medium::test_the_unit_still_answers_about_itself",
                                  "test_no_medium::test_load_makes_the_unit_ready"),
    "ReportSupportedOpcodes.Simple": covered("SPC-5 6.35", "test_report_supported_opcodes::test_lists_itself",
                                             "test_report_supported_opcodes::test_reserved_reporting_option_is_rejected"),
    "ReportSupportedOpcodes.OneCommand": covered("SPC-5 6.35.3", "test_report_supported_opcodes::test_each_listed_command_reports_supported",
                                                 "test_report_supported_opcodes::test_unsupported_opcode_reports_not_supported"),
    "ReportSupportedOpcodes.RCTD": covered("SPC-5 6.35.4", "test_report_supported_opcodes::test_rctd_adds_timeouts_descriptors"),
    "ReportSupportedOpcodes.SERVACTV": covered("SPC-5 6.35.2", "test_report_supported_opcodes::test_service_action_is_zero_without_servactv"),
    "StartStopUnit.Simple": covered("SBC-4 5.25", "test_start_stop_unit::test_start", "test_start_stop_unit::test_stop_then_start"),
    "StartStopUnit.PwrCnd": covered("SBC-4 5.25 Table 93", "test_start_stop_unit::test_invalid_power_condition_is_rejected"),
    "StartStopUnit.NoLoej": covered("SBC-4 5.25 (LOEJ=0)", "test_start_stop_unit::test_stop_then_start", "test_start_stop_unit::test_immed"),
    "PreventAllow.Simple": covered("SBC-4 5.14", "test_prevent_allow::test_allow", "test_prevent_allow::test_prevent_then_allow"),
    "PreventAllow.Eject": covered("SBC-4 5.14, 5.25", "test_prevent_allow::test_prevent_blocks_eject"),
    "PreventAllow.2ITNexuses": not_covered("SPC-5 6.15 (the prevention is per I_T nexus)", "not tested yet with two nexuses"),
    "PreventAllow.ITNexusLoss": not_covered("SBC-4 5.14", _NO_RESET),
    "PreventAllow.LUNReset": not_covered("SBC-4 5.14, SAM-5 7.7", _NO_RESET),
    "PreventAllow.Logout": not_covered("SBC-4 5.14", _NO_RESET),
    "PreventAllow.WarmReset": not_covered("SBC-4 5.14", _NO_RESET),
    "PreventAllow.ColdReset": not_covered("SBC-4 5.14", _NO_RESET),
    "Reserve6.Simple": covered("SPC-2 7.21, 7.17", _RR + "test_release_frees_the_unit", _RR + "test_holder_keeps_access"),
    "Reserve6.2Initiators": covered("SPC-2 5.5.1", _RR + "test_other_initiator_conflicts", _RR + "test_reserve_by_other_conflicts",
                                    _RR + "test_release_by_other_is_harmless", _RR + "test_inquiry_is_allowed_to_others"),
    "Reserve6.ITNexusLoss": not_covered("SPC-2 5.5.1", _NO_RESET),
    "Reserve6.LUNReset": not_covered("SPC-2 5.5.1", _NO_RESET),
    "Reserve6.Logout": not_covered("SPC-2 5.5.1", _NO_RESET),
    "Reserve6.TargetWarmReset": not_covered("SPC-2 5.5.1", _NO_RESET),
    "Reserve6.TargetColdReset": not_covered("SPC-2 5.5.1", _NO_RESET),
    "PrinReadKeys.Simple": covered("SPC-5 6.16.2", _PR + "test_read_keys_without_registrations", _PR + "test_register_bumps_generation"),
    "PrinReadKeys.Truncate": not_covered("SPC-5 6.16.2, 4.2.5.6", "a short allocation length on READ KEYS is not tested yet"),
    "PrinReportCapabilities.Simple": covered("SPC-5 6.16.4", _PR + "test_report_capabilities"),
    "PrinServiceactionRange.Range": not_covered("SPC-5 6.16.1", "reserved PERSISTENT RESERVE IN service actions "
                                                                "(04h-1Fh) are not sent yet"),
    "ProutRegister.Simple": covered("SPC-5 5.14.7", _PR + "test_register_bumps_generation", _PR + "test_register_with_wrong_key_conflicts",
                                    _PR + "test_unregister_releases"),
    "ProutReserve.Simple": covered("SPC-5 5.14.9", _PR + "test_reserve_and_read_reservation", _PR + "test_reserve_needs_registration"),
    "ProutClear.Simple": covered("SPC-5 5.14.11.6", _PR + "test_clear_removes_everything"),
    "ProutPreempt.RemoveRegistration": covered("SPC-5 5.14.11.4", _PR + "test_preempt_moves_the_reservation",
                                               _PR + "test_preempt_by_unregistered_conflicts"),
    **{f"ProutReserve.Access{kind}": covered("SPC-5 5.14.2 Table 58", _PR + "test_access_of_the_other_initiator")
       for kind in ("WE", "EA", "WERO", "EARO", "WEAR", "EAAR")},
    **{f"ProutReserve.Ownership{kind}": covered("SPC-5 5.14.11.2", _PR + "test_release_by_non_holder_keeps_reservation",
                                                _PR + "test_release_with_wrong_type_fails")
       for kind in ("WE", "EA", "WERO", "EARO", "WEAR", "EAAR")},
    "CompareAndWrite.Simple": covered("SBC-4 5.3", "test_compare_and_write::test_match_writes"),
    "CompareAndWrite.DpoFua": not_covered("SBC-4 5.3", "DPO/FUA on COMPARE AND WRITE are not tested yet"),
    "CompareAndWrite.Miscompare": covered("SBC-4 5.3", "test_compare_and_write::test_miscompare_writes_nothing"),
    "CompareAndWrite.Unwritten": not_covered("SBC-4 5.3, 4.7", "comparing against unmapped blocks depends on LBPRZ; "
                                                               "not tested yet"),
    "CompareAndWrite.InvalidDataOutSize": not_covered("SBC-4 5.3", "a data-out buffer that does not match the CDB is a "
                                                                   "host error sgframe's channel does not send"),
    "OrWrite.Simple": covered("SBC-4 5.9", "test_orwrite::test_orwrite_ors_the_data"),
    "OrWrite.BeyondEol": covered("SBC-4 5.9, 4.5", "test_orwrite::test_orwrite_beyond_capacity"),
    "OrWrite.ZeroBlocks": not_covered("SBC-4 5.9", "a zero TRANSFER LENGTH on ORWRITE is not tested yet"),
    "OrWrite.Protect": not_covered("SBC-4 5.9 Table 51", "ORPROTECT is not tested yet"),
    "OrWrite.DpoFua": not_covered("SBC-4 5.9", "DPO/FUA on ORWRITE are not tested yet"),
    "OrWrite.Verify": covered("SBC-4 5.9", "test_orwrite::test_orwrite_ors_the_data"),
    "GetLBAStatus.Simple": covered("SBC-4 5.6", "test_get_lba_status::test_first_descriptor_starts_at_the_requested_lba"),
    "GetLBAStatus.BeyondEol": covered("SBC-4 5.6, 4.5", "test_get_lba_status::test_beyond_capacity"),
    "GetLBAStatus.UnmapSingle": covered("SBC-4 5.6, 4.7", "test_get_lba_status::test_mapped_then_unmapped"),
    "Unmap.Simple": covered("SBC-4 5.32", "test_unmap::test_unmap_deallocates", "test_unmap::test_unmap_nothing"),
    "Unmap.VPD": covered("SBC-4 5.32, 6.6.4", "test_unmap::test_unmap_too_many_descriptors", "test_unmap::test_unmap_too_many_blocks"),
    "Unmap.ZeroBlocks": covered("SBC-4 5.32", "test_unmap::test_unmap_zero_blocks"),
    "WriteAtomic16.Simple": covered("SBC-4 5.52", "test_write_atomic::test_atomic_write_stores"),
    "WriteAtomic16.BeyondEol": not_covered("SBC-4 5.52, 4.5", "no device in reach implements WRITE ATOMIC(16) "
                                                              "(scsi_debug of Linux 6.1, LIO and the emulator do not)"),
    "WriteAtomic16.ZeroBlocks": not_covered("SBC-4 5.52", "as for BeyondEol: no device to check it on"),
    "WriteAtomic16.WriteProtect": not_covered("SBC-4 5.52", _NOT_WP),
    "WriteAtomic16.DpoFua": not_covered("SBC-4 5.52", "as for BeyondEol: no device to check it on"),
    "WriteAtomic16.VPD": covered("SBC-4 6.6.4 (atomic limits)", "test_write_atomic::test_atomic_write_longer_than_the_limit"),
    "ExtendedCopy.Simple": covered("SPC-5 6.4", "test_extended_copy::test_block_to_block_copy"),
    "ExtendedCopy.ParamHdr": not_covered("SPC-5 6.4.3", "malformed EXTENDED COPY parameter headers are not sent yet"),
    "ExtendedCopy.DescrLimits": covered("SPC-5 6.4, 6.18.4", "test_extended_copy::test_operating_parameters"),
    "ExtendedCopy.DescrType": not_covered("SPC-5 6.4.5", "unsupported descriptor type codes are not sent yet"),
    "ExtendedCopy.ValidTgtDescr": not_covered("SPC-5 6.4.5", "invalid CSCD descriptors are not sent yet"),
    "ExtendedCopy.ValidSegDescr": not_covered("SPC-5 6.4.6", "invalid segment descriptors are not sent yet"),
    "ReceiveCopyResults.CopyStatus": covered("SPC-5 6.18.3", "test_extended_copy::test_status_of_an_unknown_list"),
    "ReceiveCopyResults.OpParams": covered("SPC-5 6.18.4", "test_extended_copy::test_operating_parameters"),
    "Sanitize.Overwrite": covered("SBC-4 5.30, 4.11.x", "test_sanitize::test_overwrite_leaves_the_pattern"),
    "Sanitize.OverwriteReserved": covered("SBC-4 5.30.3", "test_sanitize::test_overwrite_without_passes_is_rejected"),
    "Sanitize.CryptoErase": not_covered("SBC-4 5.30", "no device in reach supports CRYPTOGRAPHIC ERASE"),
    "Sanitize.CryptoEraseReserved": covered("SBC-4 5.30 (parameter list length must be 0)",
                                            "test_sanitize::test_cryptographic_erase_with_parameters_is_rejected"),
    "Sanitize.BlockErase": not_covered("SBC-4 5.30", "no device in reach supports BLOCK ERASE"),
    "Sanitize.BlockEraseReserved": not_covered("SBC-4 5.30", "as for BlockErase"),
    "Sanitize.ExitFailureMode": not_covered("SBC-4 5.30", "needs a sanitize that failed; no device can be made to fail one"),
    "Sanitize.InvalidServiceAction": not_covered("SBC-4 5.30", "reserved SANITIZE service actions are not sent yet"),
    "Sanitize.Readonly": not_covered("SBC-4 4.11", "SANITIZE on a write-protected medium is not tested yet"),
    "Sanitize.Reservations": not_covered("SPC-5 5.14.2", "SANITIZE under another initiator's reservation is not tested yet"),
    "Sanitize.Reset": not_covered("SBC-4 4.11.x", _NO_RESET),
    "MultipathIO.Simple": not_covered("SAM-5 (several I_T nexuses)", "libiscsi opens several iSCSI sessions; the same "
                                      "two-nexus rules are checked by the reservation tests"),
    "MultipathIO.Reset": not_covered("SAM-5 7.7", _NO_RESET),
    "MultipathIO.CompareAndWrite": not_covered("SBC-4 5.3 (atomicity across nexuses)", "COMPARE AND WRITE racing "
                                               "between two nexuses is not tested yet"),
    "MultipathIO.CompareAndWriteAsync": not_covered("SBC-4 5.3", "as for MultipathIO.CompareAndWrite"),
    "Read10.Async": not_covered("SAM-5 (queued commands)", "libiscsi's LINUX family queues reads through sg; "
                                "queueing is sgframe's reactor's job, tested in tests/integration/test_channel_sg.py"),
    "Write10.Async": not_covered("SAM-5 (queued commands)", "as for Read10.Async"),
}
for _suite in ("Read6", "Read10", "Read12", "Read16"):
    LIBISCSI.update({k: v for k, v in _rw(_suite, True).items() if k not in LIBISCSI})
for _suite in ("Write10", "Write12", "Write16"):
    LIBISCSI.update({k: v for k, v in _rw(_suite, False).items() if k not in LIBISCSI})
for _suite in ("Verify10", "Verify12", "Verify16"):
    LIBISCSI.update(_verify(_suite))
for _suite in ("WriteVerify10", "WriteVerify12", "WriteVerify16"):
    LIBISCSI.update(_write_verify(_suite))
for _suite in ("WriteSame10", "WriteSame16"):
    LIBISCSI.update(_write_same(_suite))
for _suite in ("Prefetch10", "Prefetch16"):
    LIBISCSI.update(_prefetch(_suite))
