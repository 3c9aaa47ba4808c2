"""REPORT TARGET PORT GROUPS and the asymmetric access states (SPC-5 5.16, 6.36)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.requires_command("ReportTargetPortGroups")

_STATES = {0x0, 0x1, 0x2, 0x3, 0xE, 0xF}


def test_tpgs_needs_report_target_port_groups(scsi_channel):
    """SPC-5 5.16.3 and 6.36: a logical unit with TPGS non-zero in its INQUIRY data
    supports REPORT TARGET PORT GROUPS; each group reports a defined state, and a state it
    reports is one of its supported states."""
    if not scsi_channel.cmd.Inquiry().result.tpgs:
        pytest.skip("TPGS=00b: asymmetric logical unit access is not supported")
    groups = scsi_channel.cmd.ReportTargetPortGroups().result.target_port_groups
    assert groups
    for group in groups:
        assert group.asymmetric_access_state in _STATES
        assert group.target_port_count == len(group.relative_target_port_identifiers)


def test_extended_header_format(scsi_channel):
    """SPC-5 6.36.2: PARAMETER DATA FORMAT 001b returns the extended header (FORMAT
    TYPE 001b) or the length-only header when the device does not support it."""
    if not scsi_channel.cmd.Inquiry().result.tpgs:
        pytest.skip("TPGS=00b: asymmetric logical unit access is not supported")
    data = scsi_channel.cmd.ReportTargetPortGroups(parameter_data_format=1).result
    assert data.format_type in (0, 1)
