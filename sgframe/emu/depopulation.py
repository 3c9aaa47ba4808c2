"""Storage element depopulation of the emulated disk (SBC-4 4.37): GET PHYSICAL ELEMENT
STATUS and REMOVE ELEMENT AND TRUNCATE.

The disk is built from ``storage_elements`` storage elements (heads of a hard disk, say,
four by default), identified 1 .. N, each holding an equal share of the logical blocks:
its ASSOCIATED CAPACITY is what depopulating it costs. Depopulating one truncates the
capacity (the blocks past the new end are gone, the blocks before it keep their data),
READ CAPACITY reports the smaller disk, and every other I_T nexus gets UNIT ATTENTION,
CAPACITY DATA HAS CHANGED (2Ah/09h), as after any change of the capacity (SBC-4 4.6).
The depopulation completes before the command does, so no element is ever "being
depopulated" and the element's health becomes FFh (depopulation completed, no errors).
RESTORE ELEMENTS AND REBUILD is not emulated (sgframe does not declare it), so RALWD
(restoration allowed) is 0 on every element.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, List

from sgframe.emu import sense as _sense
from sgframe.emu.reply import Request
from sgframe.errors import UsageError

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

__all__ = ["Elements", "get_physical_element_status", "remove_element_and_truncate"]

#: PHYSICAL ELEMENT TYPE 01h: a storage element, all of whose capacity is addressable.
STORAGE = 0x01
#: PHYSICAL ELEMENT HEALTH (SBC-4 table 53): 01h..63h within the manufacturer's limits,
#: 64h at them, 65h..CFh outside them, FFh depopulated without errors.
HEALTHY = 0x01
DEPOPULATED = 0xFF
_HEADER = 32
_DESCRIPTOR = 32
_ALL, _OUT_OF_LIMITS = 0b00, 0b01
_PHYSICAL, _STORAGE_ONLY = 0x0, 0x1


class Elements:
    """The storage elements and their health, by identifier (1 .. count)."""

    def __init__(self, count: int, blocks: int) -> None:
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 255:
            raise UsageError(f"storage_elements={count!r} is out of range (allowed: 1..255)")
        if blocks < count:
            raise UsageError(f"{blocks} blocks cannot be shared by {count} storage elements")
        self.count = count
        #: Logical blocks each element holds: the capacity lost when it is depopulated.
        self.capacity = blocks // count
        self.health: List[int] = [HEALTHY] * count

    def set_health(self, element: int, health: int) -> None:
        """Make ``element`` report ``health`` (a test's or a plugin's way to age a head)."""
        if not 1 <= element <= self.count:
            raise UsageError(f"element {element} does not exist (allowed: 1..{self.count})")
        if not 0 <= health <= 0xFF:
            raise UsageError(f"health {health} is not 0..255")
        self.health[element - 1] = health

    def depopulated(self, element: int) -> bool:
        return self.health[element - 1] == DEPOPULATED

    def descriptor(self, element: int) -> bytes:
        raw = bytearray(_DESCRIPTOR)
        raw[4:8] = element.to_bytes(4, "big")
        raw[14] = STORAGE
        raw[15] = self.health[element - 1]
        raw[16:24] = self.capacity.to_bytes(8, "big")
        return bytes(raw)


def _selected(health: int, filter_: int) -> bool:
    if filter_ == _ALL:
        return True
    # FILTER 01b: the elements outside the manufacturer's limits and those depopulated
    # or being depopulated (SBC-4 5.7.2, health 65h..CFh and FDh..FFh).
    return 0x65 <= health <= 0xCF or health >= 0xFD


def get_physical_element_status(disk: "EmulatedDisk", request: Request) -> bytes:
    elements = disk.elements
    byte14 = request.cdb[14]
    filter_, report_type = byte14 >> 6, byte14 & 0x0F
    if filter_ not in (_ALL, _OUT_OF_LIMITS):
        raise _sense.invalid_field_in_cdb(14, 7)  # FILTER 10b and 11b are reserved
    if report_type not in (_PHYSICAL, _STORAGE_ONLY):
        raise _sense.invalid_field_in_cdb(14, 3)
    # Every physical element of this disk is a storage element: both report types list
    # the same ones.
    chosen = [e for e in range(1, elements.count + 1) if _selected(elements.health[e - 1], filter_)]
    starting = request.u(6, 4)
    listed = [elements.descriptor(e) for e in chosen if e >= starting]
    room = max(0, (request.u(10, 4) - _HEADER) // _DESCRIPTOR)
    returned = listed[:room]
    header = bytearray(_HEADER)
    header[0:4] = len(chosen).to_bytes(4, "big")  # NUMBER OF DESCRIPTORS
    header[4:8] = len(returned).to_bytes(4, "big")  # NUMBER OF DESCRIPTORS RETURNED
    # IDENTIFIER OF ELEMENT BEING DEPOPULATED stays 0: a depopulation ends with its command.
    return bytes(header) + b"".join(returned)


def remove_element_and_truncate(disk: "EmulatedDisk", request: Request) -> None:
    elements = disk.elements
    element = request.u(10, 4)
    if not 1 <= element <= elements.count:
        raise _sense.invalid_field_in_cdb(10)
    if elements.depopulated(element):
        raise _sense.invalid_field_in_cdb(10)  # nothing left to remove
    if sum(not elements.depopulated(e) for e in range(1, elements.count + 1)) == 1:
        # The last element holds the last logical blocks: no logical unit without it.
        raise _sense.invalid_field_in_cdb(10)
    most = disk.blocks - elements.capacity
    requested = request.u(2, 8)
    if requested > most:
        # REQUESTED CAPACITY larger than what is left without the element (SBC-4 5.33).
        raise _sense.invalid_field_in_cdb(2)
    new = requested or most  # 0: the device server picks the largest capacity it can
    elements.health[element - 1] = DEPOPULATED
    old = disk.blocks
    disk.heal(new, old - new)  # injected errors past the end go with the blocks
    disk.medium.truncate(new)
    disk.blocks = new
    disk.unit_attention(0x2A, 0x09, exclude=request.nexus)  # CAPACITY DATA HAS CHANGED
    return None
