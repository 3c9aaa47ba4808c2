"""Host-managed zoned block device (ZBC-2): zone state, REPORT ZONES and the ZONE
OUT commands (CLOSE, FINISH, OPEN, RESET WRITE POINTER).

Zones 0 .. ``conventional - 1`` are conventional; the rest are sequential write
required.  Writes must start at the zone's write pointer (UNALIGNED WRITE COMMAND
21h/04h) and stay in the zone (WRITE BOUNDARY VIOLATION 21h/05h); a full zone
rejects writes with INVALID FIELD IN CDB.  Reads are unrestricted (URSWRZ=1) unless the
disk is made with ``urswrz=False``: then a read of a block at or past the write pointer
of a sequential zone that is not full is ILLEGAL REQUEST, ATTEMPT TO READ INVALID DATA
(21h/06h, ZBC-2 4.4.3.3).  More
open zones than the maximum is DATA PROTECT, INSUFFICIENT ZONE RESOURCES (55h/0Eh);
an implicitly opened zone is closed first to make room, as ZBC-2 4.5.3.4 allows.

With zone domains (``zone_domains=True``, :mod:`sgframe.emu.zone_domains`) a zone may be
INACTIVE (5h): it is reported, but reads, writes and zone operations on it end in
ILLEGAL REQUEST, ZONE IS INACTIVE (2Ch/12h), and the ALL operations pass it by.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Iterable, List

from sgframe.emu import sense as _sense
from sgframe.emu.reply import Request
from sgframe.errors import UsageError

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

CONVENTIONAL = 0x1
SEQUENTIAL_WRITE_REQUIRED = 0x2

NOT_WRITE_POINTER = 0x0
EMPTY = 0x1
IMPLICITLY_OPENED = 0x2
EXPLICITLY_OPENED = 0x3
CLOSED = 0x4
INACTIVE = 0x5
FULL = 0xE

_NO_WRITE_POINTER = 0xFFFFFFFFFFFFFFFF

# REPORTING OPTIONS (ZBC-2 5.2.3, table 30) -> conditions reported, or None for all.
_FILTERS = {
    0x00: None,
    0x01: (EMPTY,),
    0x02: (IMPLICITLY_OPENED,),
    0x03: (EXPLICITLY_OPENED,),
    0x04: (CLOSED,),
    0x05: (FULL,),
    0x06: (0xD,),  # read only: never on this disk
    0x07: (0xF,),  # offline: never on this disk
    0x08: (INACTIVE,),  # inactive: only with zone domains
    0x10: (),  # RWP recommended: never
    0x11: (),  # non-sequential write resources active: never
    0x3F: (NOT_WRITE_POINTER,),
}


def insufficient_zone_resources() -> _sense.Failure:
    return _sense.Failure(_sense.DATA_PROTECT, 0x55, 0x0E)


def zone_is_inactive() -> _sense.Failure:
    return _sense.Failure(_sense.ILLEGAL_REQUEST, 0x2C, 0x12)


class Zones:
    def __init__(self, disk: "EmulatedDisk", zone_size: int, conventional: int, max_open: int) -> None:
        self._disk = disk
        self.size = zone_size
        self.count = -(-disk.blocks // zone_size)
        if conventional > self.count:
            raise UsageError(f"conventional_zones={conventional} exceeds the {self.count} zones of this disk")
        self.conventional = conventional
        self.max_open = max_open
        self.unrestricted_reads = True  # URSWRZ
        self.domains = False  # zone domains and realms (emu/zone_domains.py)
        self.condition = bytearray([NOT_WRITE_POINTER]) * conventional + bytearray([EMPTY]) * (self.count - conventional)
        self.write_pointer: Dict[int, int] = {}
        self.open: Dict[int, int] = {}  # zone -> IMPLICITLY_OPENED / EXPLICITLY_OPENED
        #: The zoned block device statistics log page's counters (ZBC-2 5.3), by parameter
        #: code: 0000h-0002h the most zones open at once (all, explicitly, implicitly),
        #: 0003h the fewest empty zones, 0005h zones emptied, 000Ah writes refused.
        self.statistics: Dict[int, int] = {0x0000: 0, 0x0001: 0, 0x0002: 0, 0x0003: self.count - conventional,
                                           0x0005: 0, 0x000A: 0}

    # ------------------------------------------------------------------ geometry

    def zone_of(self, lba: int) -> int:
        return lba // self.size

    def start(self, zone: int) -> int:
        return zone * self.size

    def length(self, zone: int) -> int:
        return min(self.size, self._disk.blocks - zone * self.size)

    def wp(self, zone: int) -> int:
        return self.write_pointer.get(zone, self.start(zone))

    # --------------------------------------------------------------- transitions

    def _set(self, zone: int, condition: int) -> None:
        if condition == EMPTY and self.condition[zone] != EMPTY:
            self.statistics[0x0005] += 1
        self.condition[zone] = condition
        if condition in (IMPLICITLY_OPENED, EXPLICITLY_OPENED):
            self.open[zone] = condition
        else:
            self.open.pop(zone, None)
        stats = self.statistics
        explicit = sum(1 for kind in self.open.values() if kind == EXPLICITLY_OPENED)
        stats[0x0000] = max(stats[0x0000], len(self.open))
        stats[0x0001] = max(stats[0x0001], explicit)
        stats[0x0002] = max(stats[0x0002], len(self.open) - explicit)
        stats[0x0003] = min(stats[0x0003], self.condition.count(EMPTY))

    def _room_for_one_more(self) -> None:
        """Make room for one more open zone, or raise INSUFFICIENT ZONE RESOURCES."""
        if len(self.open) < self.max_open:
            return
        implicit = [zone for zone, kind in self.open.items() if kind == IMPLICITLY_OPENED]
        if not implicit:
            raise insufficient_zone_resources()
        self.close(min(implicit))

    def check_active(self, lba: int, count: int) -> None:
        """Refuse access to blocks of an inactive zone (zone domains only)."""
        # Only a disk with zone domains has inactive zones: others skip the slice.
        if count and self.domains:
            if INACTIVE in self.condition[self.zone_of(lba) : self.zone_of(lba + count - 1) + 1]:
                raise zone_is_inactive()

    def check_read(self, lba: int, count: int) -> None:
        """Refuse a read of an inactive zone, and with URSWRZ=0 of blocks no write has
        reached."""
        self.check_active(lba, count)
        if self.unrestricted_reads or count == 0:
            return
        for zone in range(max(self.zone_of(lba), self.conventional), self.zone_of(lba + count - 1) + 1):
            if self.condition[zone] != FULL and lba + count > self.wp(zone):
                raise _sense.Failure(_sense.ILLEGAL_REQUEST, 0x21, 0x06)

    def check_write(self, lba: int, count: int, lba_byte: int = 2) -> None:
        """Raise what a host-managed disk reports for a write it refuses (and count it)."""
        try:
            self._check_write(lba, count, lba_byte)
        except _sense.Failure:
            self.statistics[0x000A] += 1
            raise

    def _check_write(self, lba: int, count: int, lba_byte: int) -> None:
        if count == 0:
            return
        self.check_active(lba, count)
        first = self.zone_of(lba)
        last = self.zone_of(lba + count - 1)
        if first < self.conventional:
            if last >= self.conventional:
                raise _sense.Failure(_sense.ILLEGAL_REQUEST, 0x21, 0x05)
            return
        if self.condition[first] == FULL:
            raise _sense.invalid_field_in_cdb(lba_byte)
        if lba != self.wp(first):
            raise _sense.Failure(_sense.ILLEGAL_REQUEST, 0x21, 0x04)
        if last != first:
            raise _sense.Failure(_sense.ILLEGAL_REQUEST, 0x21, 0x05)
        if first not in self.open:
            self._room_for_one_more()

    def written(self, lba: int, count: int) -> None:
        zone = self.zone_of(lba)
        if zone < self.conventional or count == 0:
            return
        pointer = self.wp(zone) + count
        self.write_pointer[zone] = pointer
        if pointer >= self.start(zone) + self.length(zone):
            self._set(zone, FULL)
        elif zone not in self.open:
            self._set(zone, IMPLICITLY_OPENED)

    def reset(self, zone: int) -> None:
        if self.condition[zone] != EMPTY:
            # Data behind a reset write pointer is gone (ZBC-2 4.5.3.2).
            self._disk.medium.deallocate(self.start(zone), self.wp(zone) - self.start(zone))
        self.write_pointer.pop(zone, None)
        self._set(zone, EMPTY)

    def reset_all(self) -> None:
        for zone in range(self.conventional, self.count):
            if self.condition[zone] not in (EMPTY, INACTIVE):
                self.write_pointer.pop(zone, None)
                self._set(zone, EMPTY)

    def open_zone(self, zone: int) -> None:
        condition = self.condition[zone]
        if condition in (EXPLICITLY_OPENED, FULL):
            return
        if condition != IMPLICITLY_OPENED:
            self._room_for_one_more()
        self._set(zone, EXPLICITLY_OPENED)

    def close(self, zone: int) -> None:
        if self.condition[zone] in (IMPLICITLY_OPENED, EXPLICITLY_OPENED):
            self._set(zone, CLOSED if self.wp(zone) > self.start(zone) else EMPTY)

    def finish(self, zone: int) -> None:
        if self.condition[zone] in (EMPTY, IMPLICITLY_OPENED, EXPLICITLY_OPENED, CLOSED):
            self.write_pointer[zone] = self.start(zone) + self.length(zone)
            self._set(zone, FULL)

    def sequential(self) -> Iterable[int]:
        """The sequential write required zones that are active."""
        return [zone for zone in range(self.conventional, self.count) if self.condition[zone] != INACTIVE]


def _descriptor(zones: Zones, zone: int) -> bytes:
    raw = bytearray(64)
    conventional = zone < zones.conventional
    raw[0] = CONVENTIONAL if conventional else SEQUENTIAL_WRITE_REQUIRED
    raw[1] = zones.condition[zone] << 4
    raw[8:16] = zones.length(zone).to_bytes(8, "big")
    raw[16:24] = zones.start(zone).to_bytes(8, "big")
    # An inactive zone's write pointer is invalid, as a conventional zone's is.
    invalid = conventional or zones.condition[zone] == INACTIVE
    raw[24:32] = (_NO_WRITE_POINTER if invalid else zones.wp(zone)).to_bytes(8, "big")
    return bytes(raw)


def report_zones(disk: "EmulatedDisk", request: Request) -> bytes:
    zones = disk.zones
    assert zones is not None
    cdb = request.cdb
    lba = request.u(2, 8)
    allocation = request.u(10, 4)
    partial = bool(cdb[14] & 0x80)
    option = cdb[14] & 0x3F
    if lba > disk.last_lba:
        raise _sense.lba_out_of_range()
    if option not in _FILTERS:
        raise _sense.invalid_field_in_cdb(14, 5)
    wanted = _FILTERS[option]
    room = max(0, (allocation - 64) // 64)
    matching = 0
    descriptors: List[bytes] = []
    for zone in range(zones.zone_of(lba), zones.count):
        if wanted is not None and zones.condition[zone] not in wanted:
            continue
        matching += 1
        if len(descriptors) < room:
            descriptors.append(_descriptor(zones, zone))
        elif partial:
            break
    listed = len(descriptors) if partial else matching
    header = (64 * listed).to_bytes(4, "big") + bytes(4) + disk.last_lba.to_bytes(8, "big") + bytes(48)
    return header + b"".join(descriptors)


def _zone_out(disk: "EmulatedDisk", request: Request, action: str) -> None:
    zones = disk.zones
    assert zones is not None
    cdb = request.cdb
    if request.u(12, 2) > 1:
        raise _sense.invalid_field_in_cdb(12)  # ZONE COUNT above one is not implemented
    if cdb[14] & 0x01:  # ALL
        if action == "reset":
            targets = [z for z in zones.sequential() if zones.condition[z] != EMPTY]
        elif action == "open":
            targets = [z for z in zones.sequential() if zones.condition[z] == CLOSED]
            if len(zones.open) + len(targets) > zones.max_open:
                raise insufficient_zone_resources()
        elif action == "close":
            targets = sorted(zones.open)
        else:
            targets = [z for z in zones.sequential() if zones.condition[z] in (IMPLICITLY_OPENED, EXPLICITLY_OPENED, CLOSED)]
    else:
        lba = request.u(2, 8)
        if lba > disk.last_lba:
            raise _sense.lba_out_of_range()
        zone = zones.zone_of(lba)
        if lba != zones.start(zone) or zone < zones.conventional:
            raise _sense.invalid_field_in_cdb(2)
        if zones.condition[zone] == INACTIVE:
            raise zone_is_inactive()
        targets = [zone]
    step = {"reset": zones.reset, "open": zones.open_zone, "close": zones.close, "finish": zones.finish}[action]
    for zone in targets:
        step(zone)
    return None


def close_zone(disk: "EmulatedDisk", request: Request) -> None:
    return _zone_out(disk, request, "close")


def finish_zone(disk: "EmulatedDisk", request: Request) -> None:
    return _zone_out(disk, request, "finish")


def open_zone(disk: "EmulatedDisk", request: Request) -> None:
    return _zone_out(disk, request, "open")


def reset_write_pointer(disk: "EmulatedDisk", request: Request) -> None:
    return _zone_out(disk, request, "reset")
