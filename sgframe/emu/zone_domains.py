"""Zone domains and realms of the emulated zoned disk (ZBC-2 4.6): REPORT ZONE DOMAINS,
REPORT REALMS, ZONE ACTIVATE and ZONE QUERY.

``EmulatedDisk(zoned=True, zone_domains=True)`` (``emu:zoned?zone_domains=1``) splits its
zones in two halves of R zones each:

* zone domain 0, the first R zones: conventional zones;
* zone domain 1, the last R zones: sequential write required zones.

Realm k (0 .. R-1) is zone k of domain 0 and zone R+k of domain 1, the same capacity
offered two ways: in each realm one of the two zones is active, the other INACTIVE
(5h). The disk starts with domain 1 active in every realm, a host-managed disk. ZONE
ACTIVATE makes the zones of a range of realms active in the other domain and their
former zones inactive; ZONE QUERY says what it would do and changes nothing.

Prerequisites (ZBC-2 4.6.4, UNMET PREREQUISITES in the results): a zone to activate must
be inactive ("not inactive" otherwise), and a sequential write required zone to
deactivate must be empty ("not empty"); a conventional zone may be deactivated at any
time and loses its data. When one is unmet, ZONE ACTIVATE changes nothing and returns
GOOD status with ACTIVATED 0, the unmet prerequisites and the first zone that failed
(ZIWUP_VALID), so the host reads why in the results it asked for.

Realms carry no restrictions (REALM RESTRICTIONS 0000h). Reporting options other than
00h (everything) are not emulated: INVALID FIELD IN CDB points at them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Tuple

from sgframe.emu import sense as _sense
from sgframe.emu.reply import Request
from sgframe.emu.zoned import CONVENTIONAL, EMPTY, INACTIVE, NOT_WRITE_POINTER, SEQUENTIAL_WRITE_REQUIRED
from sgframe.errors import UsageError

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk
    from sgframe.emu.zoned import Zones

__all__ = ["install", "report_realms", "report_zone_domains", "zone_activate", "zone_query"]

_HEADER = 64
_DOMAIN_DESCRIPTOR = 96
_ACTIVATION_DESCRIPTOR = 32
DOMAIN_TYPES = (CONVENTIONAL, SEQUENTIAL_WRITE_REQUIRED)
_NOT_INACTIVE, _NOT_EMPTY = 0x01, 0x02


def install(zones: "Zones") -> None:
    """Lay the zones out as two domains: the first half conventional, the second half
    sequential write required and active, the first half inactive."""
    if zones.count % 2 or zones.length(zones.count - 1) != zones.size:
        raise UsageError(f"zone domains need an even number of whole zones; this disk has {zones.count} zones "
                         f"of {zones.size} blocks over {zones.count * zones.size} blocks or fewer")
    if zones.conventional:
        raise UsageError("conventional_zones is not taken with zone_domains: domain 0 holds the conventional zones")
    realms = zones.count // 2
    zones.conventional = realms
    zones.condition[:] = bytearray([INACTIVE]) * realms + bytearray([EMPTY]) * realms
    zones.statistics[0x0003] = realms
    zones.domains = True


def _realms(zones: "Zones") -> int:
    return zones.count // 2


def _zone(zones: "Zones", domain: int, realm: int) -> int:
    return domain * _realms(zones) + realm


def _active_domain(zones: "Zones", realm: int) -> int:
    return 0 if zones.condition[realm] != INACTIVE else 1


def _zones_of(disk: "EmulatedDisk") -> "Zones":
    zones = disk.zones
    assert zones is not None and getattr(zones, "domains", False)
    return zones


def _domain_bounds(zones: "Zones", domain: int) -> Tuple[int, int]:
    realms = _realms(zones)
    first = zones.start(domain * realms)
    return first, first + realms * zones.size - 1


def report_zone_domains(disk: "EmulatedDisk", request: Request) -> bytes:
    zones = _zones_of(disk)
    locator = request.u(2, 8)
    if locator > disk.last_lba:
        raise _sense.lba_out_of_range()
    if request.cdb[14] & 0x3F:
        raise _sense.invalid_field_in_cdb(14, 5)
    descriptors = []
    for domain, kind in enumerate(DOMAIN_TYPES):
        start, end = _domain_bounds(zones, domain)
        if end < locator:
            continue  # the domains from the one holding ZONE DOMAIN LOCATOR on
        raw = bytearray(_DOMAIN_DESCRIPTOR)
        raw[0] = domain
        raw[16:24] = _realms(zones).to_bytes(8, "big")  # ZONE COUNT
        raw[24:32] = start.to_bytes(8, "big")
        raw[32:40] = end.to_bytes(8, "big")
        raw[40] = kind  # ZONE DOMAIN ZONE TYPE
        descriptors.append(bytes(raw))
    room = max(0, (request.u(10, 4) - _HEADER) // _DOMAIN_DESCRIPTOR)
    returned = descriptors[:room]
    header = bytearray(_HEADER)
    header[0:4] = (_DOMAIN_DESCRIPTOR * len(descriptors)).to_bytes(4, "big")  # ZONE DOMAINS LIST LENGTH
    header[4:8] = (_DOMAIN_DESCRIPTOR * len(returned)).to_bytes(4, "big")
    header[8] = len(DOMAIN_TYPES)  # NUMBER OF ZONE DOMAINS SUPPORTED
    header[9] = len(descriptors)  # NUMBER OF ZONE DOMAINS REPORTED
    if len(returned) < len(descriptors):
        # ZONE DOMAIN LOCATOR: where to ask next when the allocation length cut the list.
        header[16:24] = int.from_bytes(descriptors[len(returned)][24:32], "big").to_bytes(8, "big")
    return bytes(header) + b"".join(returned)


def report_realms(disk: "EmulatedDisk", request: Request) -> bytes:
    zones = _zones_of(disk)
    locator = request.u(2, 8)
    if locator > disk.last_lba:
        raise _sense.lba_out_of_range()
    if request.cdb[14] & 0x3F:
        raise _sense.invalid_field_in_cdb(14, 5)
    size = 16 + 16 * len(DOMAIN_TYPES)
    # REALM LOCATOR: an LBA in either domain; the list starts at the realm holding it.
    first = zones.zone_of(locator) % _realms(zones)
    room = max(0, (request.u(10, 4) - _HEADER) // size)
    descriptors = []
    for realm in range(first, _realms(zones)):
        if len(descriptors) == room:
            break
        raw = bytearray(16)
        raw[0:4] = realm.to_bytes(4, "big")
        raw[7] = _active_domain(zones, realm)
        for domain in range(len(DOMAIN_TYPES)):
            zone = _zone(zones, domain, realm)
            raw += zones.start(zone).to_bytes(8, "big") + (zones.start(zone) + zones.size - 1).to_bytes(8, "big")
        descriptors.append(bytes(raw))
    following = first + len(descriptors)
    header = bytearray(_HEADER)
    header[4:8] = (_realms(zones) - first).to_bytes(4, "big")  # REALMS COUNT
    header[8:12] = size.to_bytes(4, "big")  # REALMS DESCRIPTOR LENGTH
    if following < _realms(zones):
        # NEXT REALM LOCATOR: where to ask next when the allocation length cut the list.
        header[12:20] = zones.start(_zone(zones, 0, following)).to_bytes(8, "big")
    return bytes(header) + b"".join(descriptors)


def _target(disk: "EmulatedDisk", request: Request) -> Tuple[int, List[int], bool]:
    """(domain, realms to activate in it, ALL) from a ZONE ACTIVATE / ZONE QUERY CDB."""
    zones = _zones_of(disk)
    cdb = request.cdb
    domain = cdb[14]
    if domain >= len(DOMAIN_TYPES):
        raise _sense.invalid_field_in_cdb(14)  # OTHER ZONE DOMAIN ID: no such domain
    if cdb[1] & 0x80:  # ALL: every realm not yet active in the domain
        return domain, [r for r in range(_realms(zones)) if _active_domain(zones, r) != domain], True
    lba = request.u(2, 8)
    start, end = _domain_bounds(zones, domain)
    if not start <= lba <= end or lba % zones.size:
        raise _sense.invalid_field_in_cdb(2)  # ZONE ID: the start of a zone in that domain
    first = zones.zone_of(lba) - domain * _realms(zones)
    count = request.u(10, 2) or 1  # NUMBER OF ZONES 0 asks for one, as ZONE COUNT does
    if first + count > _realms(zones):
        raise _sense.invalid_field_in_cdb(10)  # past the end of the domain
    return domain, list(range(first, first + count)), False


def _unmet(zones: "Zones", domain: int, realms: List[int]) -> Tuple[int, Optional[int]]:
    """(UNMET PREREQUISITES, the first zone ID with one) of activating ``realms`` in ``domain``."""
    unmet, first = 0, None
    for realm in realms:
        zone = _zone(zones, domain, realm)
        old = _zone(zones, 1 - domain, realm)
        if zones.condition[zone] != INACTIVE:
            unmet |= _NOT_INACTIVE
            first = zones.start(zone) if first is None else first
        if old >= zones.conventional and zones.condition[old] not in (EMPTY, INACTIVE):
            unmet |= _NOT_EMPTY  # the zone that would lose its data is the one named
            first = zones.start(old) if first is None else first
    return unmet, first


def _ranges(zones: "Zones", domain: int, realms: List[int]) -> List[bytes]:
    """The activation results descriptors: each run of realms once in the domain made
    active, once in the domain made inactive."""
    runs: List[Tuple[int, int]] = []
    for realm in realms:
        if runs and runs[-1][0] + runs[-1][1] == realm:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((realm, 1))
    out = []
    for first, count in runs:
        for which, condition in ((domain, EMPTY if DOMAIN_TYPES[domain] != CONVENTIONAL else NOT_WRITE_POINTER),
                                 (1 - domain, INACTIVE)):
            raw = bytearray(_ACTIVATION_DESCRIPTOR)
            raw[0] = DOMAIN_TYPES[which]
            raw[1] = condition << 4
            raw[2] = which
            raw[8:16] = count.to_bytes(8, "big")  # ZONE RANGE SIZE, in zones
            raw[16:24] = zones.start(_zone(zones, which, first)).to_bytes(8, "big")
            out.append(bytes(raw))
    return out


def _activation(disk: "EmulatedDisk", request: Request, activate: bool) -> bytes:
    zones = _zones_of(disk)
    domain, realms, every = _target(disk, request)
    unmet, failed = _unmet(zones, domain, realms)
    done = activate and not unmet
    if done:
        for realm in realms:
            old, new = _zone(zones, 1 - domain, realm), _zone(zones, domain, realm)
            # The deactivated zone's data is gone; the activated one starts empty.
            disk.medium.deallocate(zones.start(old), zones.size)
            zones.write_pointer.pop(old, None)
            zones.condition[old] = INACTIVE
            zones.write_pointer.pop(new, None)
            zones.condition[new] = NOT_WRITE_POINTER if new < zones.conventional else EMPTY
    descriptors = b"".join(_ranges(zones, domain, realms)) if not unmet else b""
    returned = descriptors[: max(0, request.u(12, 2) - _HEADER) // _ACTIVATION_DESCRIPTOR * _ACTIVATION_DESCRIPTOR]
    header = bytearray(_HEADER)
    header[0:4] = len(descriptors).to_bytes(4, "big")
    header[4:8] = len(returned).to_bytes(4, "big")
    header[8] = (0x80 if every else 0) | (0x40 if failed is not None else 0) | (0x01 if done else 0)
    header[9] = unmet
    header[10] = domain
    header[11] = 0x01 if every else 0
    if every:
        header[16:20] = len(realms).to_bytes(4, "big")  # NUMBER OF ZONES (NZ_VALID)
    if failed is not None:
        header[24:32] = failed.to_bytes(8, "big")  # ZONE ID WITH UNMET PREREQUISITE
    return bytes(header) + returned


def zone_activate(disk: "EmulatedDisk", request: Request) -> bytes:
    return _activation(disk, request, activate=True)


def zone_query(disk: "EmulatedDisk", request: Request) -> bytes:
    return _activation(disk, request, activate=False)
