"""Asymmetric logical unit access: REPORT TARGET PORT GROUPS parameter data (SPC-5 6.36,
both the length-only and the extended header format) and REPORT REFERRALS parameter data
(SBC-4 5.23), whose descriptors carry the same asymmetric access states."""
from __future__ import annotations

from typing import List, Optional, Tuple

import attrs

from ._util import Reader, Record, name_of, raw_repr, record

__all__ = [
    "ASYMMETRIC_ACCESS_STATE_NAMES",
    "STATUS_CODE_NAMES",
    "SUPPORTED_STATE_BITS",
    "ReferralTargetPortGroup",
    "ReportReferralsData",
    "TargetPortGroupDescriptor",
    "TargetPortGroupsData",
    "UserDataSegmentReferral",
    "decode_report_referrals",
    "decode_report_target_port_groups",
]

#: SPC-5 table 179 (ASYMMETRIC ACCESS STATE field), as sg_rtpg --decode words them.
ASYMMETRIC_ACCESS_STATE_NAMES = {
    0x0: "active/optimized",
    0x1: "active/non optimized",
    0x2: "standby",
    0x3: "unavailable",
    0x4: "logical block dependent",
    0xE: "offline",
    0xF: "transitioning between states",
}

#: SPC-5 table 181 (STATUS CODE field).
STATUS_CODE_NAMES = {
    0x00: "no status available",
    0x01: "target port asymmetric access state altered by SET TARGET PORT GROUPS command",
    0x02: "target port asymmetric access state altered by implicit asymmetric logical unit access behavior",
}

#: The supported-state bits of byte 1 of a target port group descriptor: (bit, field,
#: the state it says the group can be in).
SUPPORTED_STATE_BITS = (
    (7, "t_sup", "transitioning between states"),
    (6, "o_sup", "offline"),
    (4, "lbd_sup", "logical block dependent"),
    (3, "u_sup", "unavailable"),
    (2, "s_sup", "standby"),
    (1, "an_sup", "active/non optimized"),
    (0, "ao_sup", "active/optimized"),
)

#: FORMAT TYPE of the extended header (SPC-5 table 177).
_EXTENDED = 0x1


@record
class TargetPortGroupDescriptor(Record):
    pref: bool
    asymmetric_access_state: int
    asymmetric_access_state_name: str
    t_sup: bool
    o_sup: bool
    lbd_sup: bool
    u_sup: bool
    s_sup: bool
    an_sup: bool
    ao_sup: bool
    #: The names of the states the SUP bits allow, in the order of the bits.
    supported_states: Tuple[str, ...]
    target_port_group: int
    status_code: int
    status_code_name: str
    vendor_specific: int
    target_port_count: int
    relative_target_port_identifiers: Tuple[int, ...]


@record
class TargetPortGroupsData(Record):
    """``format_type`` 0 is the length-only header, 1 the extended header, which adds
    ``implicit_transition_time`` (seconds)."""

    return_data_length: Optional[int] = None
    format_type: Optional[int] = None
    implicit_transition_time: Optional[int] = None
    target_port_groups: Tuple[TargetPortGroupDescriptor, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def _group(d: bytes, ports: Tuple[int, ...]) -> TargetPortGroupDescriptor:
    state = d[0] & 0x0F
    bits = {name: bool(d[1] >> bit & 1) for bit, name, _ in SUPPORTED_STATE_BITS}
    return TargetPortGroupDescriptor(
        pref=bool(d[0] & 0x80),
        asymmetric_access_state=state,
        asymmetric_access_state_name=name_of(ASYMMETRIC_ACCESS_STATE_NAMES, state),
        supported_states=tuple(state for bit, _, state in SUPPORTED_STATE_BITS if d[1] >> bit & 1),
        target_port_group=int.from_bytes(d[2:4], "big"),
        status_code=d[5],
        status_code_name=name_of(STATUS_CODE_NAMES, d[5]),
        vendor_specific=d[6],
        target_port_count=d[7],
        relative_target_port_identifiers=ports,
        **bits,
    )


def decode_report_target_port_groups(data: bytes) -> TargetPortGroupsData:
    """Decode REPORT TARGET PORT GROUPS data.  Never raises on device data.

    The format is read from the data, as the Linux ALUA handler does: in the extended
    header byte 4 holds FORMAT TYPE 001b in bits 6-4, where a length-only header has the
    first descriptor's reserved bits (zero). RETURN DATA LENGTH counts the bytes after
    byte 3, the extended header's four included.
    """
    r = Reader(data, "REPORT TARGET PORT GROUPS")
    length = r.uint(0, 4)
    if length is None:
        return TargetPortGroupsData(raw=r.data, problems=tuple(r.problems))
    end = min(len(r), 4 + length)
    if 4 + length > len(r):
        r.problem(f"return data length {length}, {max(len(r) - 4, 0)} bytes received")
    fields: dict = {"return_data_length": length, "format_type": 0}
    offset = 4
    if r.has(4) and (r.data[4] >> 4) & 0x7 == _EXTENDED:
        fields.update(format_type=_EXTENDED, implicit_transition_time=r.uint(5))
        offset = 8
    groups: List[TargetPortGroupDescriptor] = []
    while offset + 8 <= end:
        d = r.data[offset:offset + 8]
        count = d[7]
        fit = min(count, (end - offset - 8) // 4)
        ports = tuple(int.from_bytes(r.data[p + 2:p + 4], "big") for p in range(offset + 8, offset + 8 + 4 * fit, 4))
        groups.append(_group(d, ports))
        offset += 8 + 4 * fit
        if fit < count:
            r.problem(f"target port group {groups[-1].target_port_group} lists {count} target ports, "
                      f"{fit} fit in the data")
            offset = end
    if offset < end:
        r.problem(f"{end - offset} bytes of an incomplete target port group descriptor at byte {offset}")
    return TargetPortGroupsData(target_port_groups=tuple(groups), raw=r.data, problems=tuple(r.problems), **fields)


@record
class ReferralTargetPortGroup(Record):
    asymmetric_access_state: int
    asymmetric_access_state_name: str
    target_port_group: int


@record
class UserDataSegmentReferral(Record):
    number_of_target_port_group_descriptors: int
    first_user_data_segment_lba: int
    last_user_data_segment_lba: int
    target_port_groups: Tuple[ReferralTargetPortGroup, ...]


@record
class ReportReferralsData(Record):
    user_data_segment_referral_descriptor_length: Optional[int] = None
    user_data_segment_referrals: Tuple[UserDataSegmentReferral, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def decode_report_referrals(data: bytes) -> ReportReferralsData:
    """Decode REPORT REFERRALS data (SBC-4 table 117).  Never raises on device data."""
    r = Reader(data, "REPORT REFERRALS")
    length = r.uint(2, 2)
    if length is None:
        return ReportReferralsData(raw=r.data, problems=tuple(r.problems))
    end = min(len(r), 4 + length)
    if 4 + length > len(r):
        r.problem(f"descriptor length {length}, {max(len(r) - 4, 0)} bytes received")
    segments: List[UserDataSegmentReferral] = []
    offset = 4
    while offset + 20 <= end:
        d = r.data[offset:offset + 20]
        count = d[3]
        if offset + 20 + 4 * count > end:
            r.problem(f"referral descriptor at byte {offset} lists {count} target port groups past the end")
            offset = end
            break
        groups = tuple(
            ReferralTargetPortGroup(
                asymmetric_access_state=r.data[p] & 0x0F,
                asymmetric_access_state_name=name_of(ASYMMETRIC_ACCESS_STATE_NAMES, r.data[p] & 0x0F),
                target_port_group=int.from_bytes(r.data[p + 2:p + 4], "big"),
            )
            for p in range(offset + 20, offset + 20 + 4 * count, 4)
        )
        segments.append(UserDataSegmentReferral(
            number_of_target_port_group_descriptors=count,
            first_user_data_segment_lba=int.from_bytes(d[4:12], "big"),
            last_user_data_segment_lba=int.from_bytes(d[12:20], "big"),
            target_port_groups=groups,
        ))
        offset += 20 + 4 * count
    if offset < end:
        r.problem(f"{end - offset} bytes of an incomplete referral descriptor at byte {offset}")
    return ReportReferralsData(user_data_segment_referral_descriptor_length=length,
                               user_data_segment_referrals=tuple(segments), raw=r.data, problems=tuple(r.problems))
