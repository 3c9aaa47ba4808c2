"""ZBC-2 zone domains and realms: REPORT REALMS, REPORT ZONE DOMAINS and the zone
activation results of ZONE ACTIVATE and ZONE QUERY. Every list starts after a 64-byte
header, as REPORT ZONES does."""
from __future__ import annotations

from typing import Optional, Tuple

import attrs

from ._util import Reader, Record, name_of, raw_repr, record
from .zones import ZONE_CONDITION_NAMES, ZONE_TYPE_NAMES

__all__ = [
    "UNMET_PREREQUISITE_BITS",
    "RealmDescriptor",
    "RealmStartEnd",
    "ReportRealmsData",
    "ReportZoneDomainsData",
    "ZoneActivationDescriptor",
    "ZoneActivationResults",
    "ZoneDomainDescriptor",
    "decode_report_realms",
    "decode_report_zone_domains",
    "decode_zone_activation_results",
]

_HEADER = 64


@record
class RealmStartEnd(Record):
    """The realm's LBA range in one zone domain (the descriptor's index is the domain)."""

    zone_domain_id: int
    realm_starting_lba: int
    realm_ending_lba: int


@record
class RealmDescriptor(Record):
    realm_id: int
    realm_restrictions: int
    active_zone_domain_id: int
    realm_start_end: Tuple[RealmStartEnd, ...]


@record
class ReportRealmsData(Record):
    realms_count: Optional[int] = None
    realms_descriptor_length: Optional[int] = None
    next_realm_locator: Optional[int] = None
    realm_descriptors: Tuple[RealmDescriptor, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def decode_report_realms(data: bytes) -> ReportRealmsData:
    """Decode REPORT REALMS data: REALMS COUNT (bytes 4-7), REALMS DESCRIPTOR LENGTH
    (8-11), NEXT REALM LOCATOR (12-19); descriptors from byte 64, each 16 bytes of realm
    then 16 bytes (starting and ending LBA) per zone domain.  Never raises."""
    r = Reader(data, "REPORT REALMS")
    count = r.uint(4, 4)
    size = r.uint(8, 4)
    fields: dict = {"realms_count": count, "realms_descriptor_length": size, "next_realm_locator": r.uint(12, 8)}
    if count is None or size is None:
        return ReportRealmsData(raw=r.data, problems=tuple(r.problems), **fields)
    if size < 16 or size % 16:
        if count:
            r.problem(f"realms descriptor length {size} is not 16 plus a multiple of 16")
        return ReportRealmsData(raw=r.data, problems=tuple(r.problems), **fields)
    fit = max(0, (len(r) - _HEADER) // size)
    if fit < count:
        r.problem(f"{count} realms reported, {fit} fit in the {len(r)} bytes received")
    realms = []
    for k in range(min(fit, count)):
        d = r.data[_HEADER + k * size:_HEADER + (k + 1) * size]
        ranges = tuple(
            RealmStartEnd(zone_domain_id=j, realm_starting_lba=int.from_bytes(d[16 + 16 * j:24 + 16 * j], "big"),
                          realm_ending_lba=int.from_bytes(d[24 + 16 * j:32 + 16 * j], "big"))
            for j in range((size - 16) // 16)
        )
        realms.append(RealmDescriptor(realm_id=int.from_bytes(d[0:4], "big"),
                                      realm_restrictions=int.from_bytes(d[4:6], "big"),
                                      active_zone_domain_id=d[7], realm_start_end=ranges))
    return ReportRealmsData(realm_descriptors=tuple(realms), raw=r.data, problems=tuple(r.problems), **fields)


@record
class ZoneDomainDescriptor(Record):
    zone_domain_id: int
    zone_count: int
    starting_lba: int
    ending_lba: int
    zone_domain_zone_type: int
    zone_domain_zone_type_name: str
    vzdzt: bool
    srb: bool


@record
class ReportZoneDomainsData(Record):
    zone_domains_list_length: Optional[int] = None
    zone_domains_returned_list_length: Optional[int] = None
    number_of_zone_domains_supported: Optional[int] = None
    number_of_zone_domains_reported: Optional[int] = None
    reporting_options: Optional[int] = None
    zone_domain_locator: Optional[int] = None
    zone_domain_descriptors: Tuple[ZoneDomainDescriptor, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def decode_report_zone_domains(data: bytes) -> ReportZoneDomainsData:
    """Decode REPORT ZONE DOMAINS data: 96-byte zone domain descriptors after the header.
    Never raises on device data."""
    r = Reader(data, "REPORT ZONE DOMAINS")
    reported = r.uint(9)
    fields: dict = {
        "zone_domains_list_length": r.uint(0, 4), "zone_domains_returned_list_length": r.uint(4, 4),
        "number_of_zone_domains_supported": r.uint(8), "number_of_zone_domains_reported": reported,
        "reporting_options": r.uint(10), "zone_domain_locator": r.uint(16, 8),
    }
    if reported is None:
        return ReportZoneDomainsData(raw=r.data, problems=tuple(r.problems), **fields)
    fit = max(0, (len(r) - _HEADER) // 96)
    if fit < reported:
        r.problem(f"{reported} zone domains reported, {fit} fit in the {len(r)} bytes received")
    domains = []
    for k in range(min(fit, reported)):
        d = r.data[_HEADER + 96 * k:_HEADER + 96 * (k + 1)]
        domains.append(ZoneDomainDescriptor(
            zone_domain_id=d[0], zone_count=int.from_bytes(d[16:24], "big"),
            starting_lba=int.from_bytes(d[24:32], "big"), ending_lba=int.from_bytes(d[32:40], "big"),
            zone_domain_zone_type=d[40], zone_domain_zone_type_name=name_of(ZONE_TYPE_NAMES, d[40]),
            vzdzt=bool(d[42] & 0x02), srb=bool(d[42] & 0x01)))
    return ReportZoneDomainsData(zone_domain_descriptors=tuple(domains), raw=r.data, problems=tuple(r.problems),
                                 **fields)


#: UNMET PREREQUISITES bits (byte 9 of the zone activation results): (bit, name).
UNMET_PREREQUISITE_BITS = (
    (6, "security"),
    (5, "multiple zone domains"),
    (4, "realm restrictions"),
    (3, "multiple zone types"),
    (2, "realm alignment"),
    (1, "not empty"),
    (0, "not inactive"),
)


@record
class ZoneActivationDescriptor(Record):
    zone_type: int
    zone_type_name: str
    zone_condition: int
    zone_condition_name: str
    zone_domain_id: int
    zone_range_size: int
    starting_zone_locator: int


@record
class ZoneActivationResults(Record):
    """``number_of_zones`` is valid with ``nz_valid``, ``zone_id_with_unmet_prerequisite``
    with ``ziwup_valid``; otherwise they are None."""

    zone_activation_results_length: Optional[int] = None
    zone_activation_results_returned_length: Optional[int] = None
    nz_valid: Optional[bool] = None
    ziwup_valid: Optional[bool] = None
    activated: Optional[bool] = None
    unmet_prerequisites: Optional[int] = None
    unmet_prerequisite_names: Tuple[str, ...] = ()
    other_zone_domain_id: Optional[int] = None
    all: Optional[bool] = None
    number_of_zones: Optional[int] = None
    zone_id_with_unmet_prerequisite: Optional[int] = None
    zone_activation_descriptors: Tuple[ZoneActivationDescriptor, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def decode_zone_activation_results(data: bytes) -> ZoneActivationResults:
    """Decode ZONE ACTIVATE / ZONE QUERY data: the lengths count the 32-byte descriptors
    after the 64-byte header.  Never raises on device data."""
    r = Reader(data, "zone activation results")
    length = r.uint(0, 4)
    returned = r.uint(4, 4)
    flags = r.uint(8)
    if length is None or returned is None or flags is None:
        return ZoneActivationResults(zone_activation_results_length=length, raw=r.data, problems=tuple(r.problems))
    unmet = r.uint(9)
    fields: dict = {
        "zone_activation_results_length": length, "zone_activation_results_returned_length": returned,
        "nz_valid": bool(flags & 0x80), "ziwup_valid": bool(flags & 0x40), "activated": bool(flags & 0x01),
        "unmet_prerequisites": unmet,
        "unmet_prerequisite_names": tuple(n for bit, n in UNMET_PREREQUISITE_BITS if unmet and unmet >> bit & 1),
        "other_zone_domain_id": r.uint(10), "all": r.flag(11, 0),
        "number_of_zones": r.uint(16, 4) if flags & 0x80 else None,
        "zone_id_with_unmet_prerequisite": r.uint(24, 8) if flags & 0x40 else None,
    }
    end = min(len(r), _HEADER + returned)
    if _HEADER + returned > len(r):
        r.problem(f"returned length {returned}, {max(len(r) - _HEADER, 0)} descriptor bytes received")
    descriptors = []
    for k in range(_HEADER, end - 31, 32):
        d = r.data[k:k + 32]
        kind, cond = d[0] & 0x0F, d[1] >> 4
        descriptors.append(ZoneActivationDescriptor(
            zone_type=kind, zone_type_name=name_of(ZONE_TYPE_NAMES, kind), zone_condition=cond,
            zone_condition_name=name_of(ZONE_CONDITION_NAMES, cond), zone_domain_id=d[2],
            zone_range_size=int.from_bytes(d[8:16], "big"), starting_zone_locator=int.from_bytes(d[16:24], "big")))
    return ZoneActivationResults(zone_activation_descriptors=tuple(descriptors), raw=r.data,
                                 problems=tuple(r.problems), **fields)
