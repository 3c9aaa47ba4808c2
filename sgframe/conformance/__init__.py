"""An SPC-5 / SBC-4 / ZBC-2 conformance suite that runs on any device sgframe can open.

Run it with ``sgframe conformance URI [URI2]`` or
``pytest --pyargs sgframe.conformance --scsi-device URI [--scsi-device2 URI2] [--scsi-dataloss]``.

One module per command or feature, organized as the standards are; each test's docstring
cites the clause whose rule it checks. A test the device cannot run (a command it does
not support, a feature it lacks, no second I_T nexus, no permission to write) is
skipped with the reason: never counted as passed.
"""
from __future__ import annotations

__all__ = ["FAMILIES", "family_of"]

#: module -> the command family the summary table shows it under.
FAMILIES = {
    "test_test_unit_ready": "TEST UNIT READY",
    "test_inquiry": "INQUIRY",
    "test_mode_sense": "MODE SENSE",
    "test_read_write": "READ/WRITE",
    "test_verify": "VERIFY / WRITE AND VERIFY",
    "test_write_same": "WRITE SAME",
    "test_unmap": "UNMAP",
    "test_get_lba_status": "GET LBA STATUS",
    "test_prefetch": "PRE-FETCH",
    "test_synchronize_cache": "SYNCHRONIZE CACHE",
    "test_compare_and_write": "COMPARE AND WRITE",
    "test_orwrite": "ORWRITE",
    "test_write_atomic": "WRITE ATOMIC",
    "test_read_capacity": "READ CAPACITY",
    "test_report_supported_opcodes": "REPORT SUPPORTED OPERATION CODES",
    "test_report_target_port_groups": "REPORT TARGET PORT GROUPS",
    "test_start_stop_unit": "START STOP UNIT",
    "test_prevent_allow": "PREVENT ALLOW MEDIUM REMOVAL",
    "test_no_medium": "NO MEDIUM",
    "test_reserve_release": "RESERVE/RELEASE",
    "test_persistent_reservation": "PERSISTENT RESERVE",
    "test_read_defect_data": "READ DEFECT DATA",
    "test_extended_copy": "EXTENDED COPY",
    "test_sanitize": "SANITIZE",
    "test_sense_format": "SENSE DATA FORMAT",
    "test_protection": "PROTECTION INFORMATION",
    "test_zoned": "ZONED BLOCK DEVICE",
    "test_write_protect": "WRITE PROTECT",
}


def family_of(nodeid: str) -> str:
    """The family of a test id (``.../test_unmap.py::test_x[dev]`` -> ``UNMAP``)."""
    path = nodeid.split("::", 1)[0]
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return FAMILIES.get(stem, stem)
