"""REPORT TARGET PORT GROUPS and the asymmetric access states (SPC-5 5.16, 6.36)."""
from __future__ import annotations

import pytest

from sgframe import errors
from sgframe.params import set_target_port_groups_parameters

from .helpers import drain_unit_attentions

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
    TYPE 001b) or the length-only header when the device does not support it. Either
    way the same target port groups, with the same ports, follow the header."""
    if not scsi_channel.cmd.Inquiry().result.tpgs:
        pytest.skip("TPGS=00b: asymmetric logical unit access is not supported")
    plain = scsi_channel.cmd.ReportTargetPortGroups().result
    data = scsi_channel.cmd.ReportTargetPortGroups(parameter_data_format=1).result
    assert data.format_type in (0, 1)
    # The decoder reads any FORMAT TYPE but 001b as a length-only header, so a reserved
    # one shows as groups that differ from those of the length-only format.
    assert ([(g.target_port_group, g.relative_target_port_identifiers) for g in data.target_port_groups]
            == [(g.target_port_group, g.relative_target_port_identifiers) for g in plain.target_port_groups])


def _own_group(channel, groups) -> int:
    """The target port group of the port this I_T nexus goes through: the TARGET PORT
    GROUP designator of the Device Identification VPD page (SPC-5 7.7.6.7), else the
    group listing this port's RELATIVE TARGET PORT IDENTIFIER, else the only group."""
    relative = None
    try:
        page = channel.cmd.Inquiry(evpd=True, page_code=0x83).result
        for designator in getattr(page, "designation_descriptors", ()) or ():
            if designator.target_port_group is not None:
                return designator.target_port_group
            if designator.relative_target_port_identifier is not None:
                relative = designator.relative_target_port_identifier
    except errors.CheckCondition:
        pass
    for group in groups:
        if relative in group.relative_target_port_identifiers:
            return group.target_port_group
    if len(groups) == 1:
        return groups[0].target_port_group
    pytest.skip("cannot tell which target port group this I_T nexus goes through")


def _state_of(channel, group_id) -> int:
    drain_unit_attentions(channel)
    for group in channel.cmd.ReportTargetPortGroups().result.target_port_groups:
        if group.target_port_group == group_id:
            return group.asymmetric_access_state
    raise AssertionError(f"REPORT TARGET PORT GROUPS no longer lists target port group {group_id}")


def _set_state(channel, group_id, state) -> None:
    payload = set_target_port_groups_parameters([(group_id, state)])
    channel.cmd.SetTargetPortGroups(parameter_list_length=len(payload), data=payload)


@pytest.mark.destructive  # every initiator's access to the logical unit changes for a while
@pytest.mark.requires("second_nexus")
@pytest.mark.requires_command("SetTargetPortGroups")
def test_set_state_is_seen_through_both_nexuses(scsi_channel, scsi_channel2, scsi_device, scsi_expect):
    """SPC-5 5.16.2 and 6.44 (SET TARGET PORT GROUPS), 6.36 (REPORT TARGET PORT GROUPS):
    with explicit ALUA (TPGS bit 1), moving this port's group to standby is what REPORT
    TARGET PORT GROUPS then reports through this I_T nexus and through another
    initiator's. In standby (SPC-5 5.16.2.4.4) a READ ends in NOT READY, LOGICAL UNIT NOT
    ACCESSIBLE, TARGET PORT IN STANDBY STATE (04h/0Bh), while REPORT TARGET PORT GROUPS
    and TEST UNIT READY still answer. Moving it back to active/optimized restores access."""
    tpgs = scsi_channel.cmd.Inquiry().result.tpgs
    if not tpgs & 0x2:
        pytest.skip(f"TPGS={tpgs:02b}b: explicit asymmetric access (SET TARGET PORT GROUPS) is not supported")
    groups = scsi_channel.cmd.ReportTargetPortGroups().result.target_port_groups
    group_id = _own_group(scsi_channel, groups)
    group = next(g for g in groups if g.target_port_group == group_id)
    if not group.s_sup:
        pytest.skip(f"target port group {group_id} does not support the standby state (S_SUP=0)")
    original = group.asymmetric_access_state
    try:
        _set_state(scsi_channel, group_id, 0x2)
        assert _state_of(scsi_channel, group_id) == 0x2
        assert _state_of(scsi_channel2, group_id) == 0x2
        with scsi_expect(errors.NotReady, asc=0x04, ascq=0x0B):
            scsi_channel.cmd.Read16(lba=0, transfer_length=1)
        _set_state(scsi_channel2, group_id, 0x0)
        assert _state_of(scsi_channel2, group_id) == 0x0
        assert _state_of(scsi_channel, group_id) == 0x0
        assert len(scsi_channel.cmd.Read16(lba=0, transfer_length=1).data) == scsi_device.block_size
    finally:
        if original in (0x0, 0x1, 0x2, 0x3, 0xE):
            drain_unit_attentions(scsi_channel)
            try:
                _set_state(scsi_channel, group_id, original)
            except errors.CheckCondition:
                pass
        drain_unit_attentions(scsi_channel)
        drain_unit_attentions(scsi_channel2)
