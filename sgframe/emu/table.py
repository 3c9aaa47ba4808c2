"""The emulated disk's command table, keyed by (operation code, service action).

Each entry carries the CDB USAGE DATA that REPORT SUPPORTED OPERATION CODES returns
(SPC-5 6.35.3): the operation code, then for every other CDB byte a mask of the bits
the device server evaluates, with the service action value where the command has
one.  The same mask validates incoming CDBs: a bit set where the mask is zero is a
reserved (or unsupported) bit, rejected with INVALID FIELD IN CDB and a field
pointer, as SPC-5 4.3.2 permits.  That strictness is the point: it catches an
encoder that sets a bit in the wrong place.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, Optional, Tuple, Union

import attrs

from sgframe._records import record
from sgframe.emu import sense as _sense
from sgframe.errors import UsageError

if TYPE_CHECKING:
    from sgframe.emu.reply import Reply, Request

Handler = Callable[[Any, "Request"], Union[bytes, "Reply", None]]
_Key = Tuple[int, Optional[int]]

VARIABLE_LENGTH = 0x7F

# Access classes used by reservation checks (SPC-5 5.14.1, table 67 in outline):
# NONE commands are allowed from every I_T nexus, READ commands conflict with an
# exclusive-access reservation, WRITE commands with any reservation type.
NONE = "none"
READ = "read"
WRITE = "write"


def cdb_length_for(opcode: int) -> int:
    """The CDB length implied by the group code (SPC-5 4.3.4)."""
    return {0: 6, 1: 10, 2: 10, 4: 16, 5: 12}.get(opcode >> 5, 10)


@record
class CommandSpec:
    """One supported command.

    :param usage: the CDB USAGE DATA bytes; their length is the CDB length.
    :param medium: the command accesses the medium, so a stopped unit is NOT READY.
    :param access: NONE, READ or WRITE, for reservation conflicts.
    :param timeouts: (nominal, recommended) command timeouts in seconds, reported
        in the command timeouts descriptor.
    :param allocation: (byte, length) of the ALLOCATION LENGTH field, which bounds
        the data-in transfer as well as the caller's buffer does.
    """

    opcode: int
    service_action: Optional[int]
    name: str
    handler: Handler = attrs.field(eq=False)
    usage: bytes
    medium: bool = False
    access: str = NONE
    timeouts: Tuple[int, int] = (0, 0)
    allocation: Optional[Tuple[int, int]] = None

    @property
    def cdb_length(self) -> int:
        return len(self.usage)


def usage_from_hex(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


def default_usage(opcode: int, service_action: Optional[int]) -> bytes:
    """Usage data for a plugin command that gave none: every bit evaluated.

    The control byte stays zero: no emulated command supports NACA.
    """
    if opcode == VARIABLE_LENGTH:
        raw = bytearray(b"\xff" * 32)
        raw[1] = 0
        raw[7] = 0x18
        raw[8:10] = (service_action or 0).to_bytes(2, "big")
    else:
        raw = bytearray(b"\xff" * cdb_length_for(opcode))
        raw[-1] = 0
        if service_action is not None:
            raw[1] = 0xE0 | service_action
    raw[0] = opcode
    return bytes(raw)


class CommandTable:
    """Lookup and validation; ``add`` replaces an existing entry (plugins override).

    An entry may be added by key alone (:meth:`add_unmade`), its :class:`CommandSpec` made
    at its first lookup: the built-in command set has some ninety entries, and making them
    all cost each ``sgframe ... emu:disk`` start more than the command it sends.
    """

    def __init__(self) -> None:
        self._specs: Dict[_Key, CommandSpec] = {}
        self._unmade: Dict[_Key, Tuple[Callable[[Any], CommandSpec], Any]] = {}
        self._sa_opcodes: Dict[int, int] = {}

    def add(self, spec: CommandSpec) -> None:
        _check_usage(spec)
        key = self._claim(spec.opcode, spec.service_action)
        self._unmade.pop(key, None)
        self._specs[key] = spec

    def add_unmade(self, opcode: int, service_action: Optional[int], make: Callable[[Any], CommandSpec],
                   argument: Any) -> None:
        """Add the entry ``make(argument)`` returns, made at the first lookup of (opcode,
        service action); it must return a spec of that key (checked when made)."""
        key = self._claim(opcode, service_action)
        self._specs.pop(key, None)
        self._unmade[key] = (make, argument)

    def _claim(self, opcode: int, service_action: Optional[int]) -> _Key:
        if not 0 <= opcode <= 0xFF:
            raise UsageError(f"opcode {opcode!r} is not 0..255")
        key = (opcode, service_action)
        known = key in self._specs or key in self._unmade
        if service_action is not None:
            limit = 0xFFFF if opcode == VARIABLE_LENGTH else 0x1F
            if not 0 <= service_action <= limit:
                raise UsageError(
                    f"service action {service_action!r} of opcode {opcode:02X}h is not 0..{limit}"
                )
            if (opcode, None) in self._specs or (opcode, None) in self._unmade:
                raise UsageError(f"opcode {opcode:02X}h is registered without service actions")
            self._sa_opcodes[opcode] = self._sa_opcodes.get(opcode, 0) + (not known)
        elif opcode in self._sa_opcodes or opcode == VARIABLE_LENGTH:
            raise UsageError(f"opcode {opcode:02X}h takes a service action")
        return key

    def remove(self, opcode: int, service_action: Optional[int]) -> None:
        key = (opcode, service_action)
        if key not in self._specs and key not in self._unmade:
            raise UsageError(f"no command {opcode:02X}h/{service_action!r} is registered")
        self._specs.pop(key, None)
        self._unmade.pop(key, None)
        if service_action is not None:
            self._sa_opcodes[opcode] -= 1
            if not self._sa_opcodes[opcode]:
                del self._sa_opcodes[opcode]

    def __iter__(self) -> Iterator[CommandSpec]:
        for key in list(self._unmade):
            self._made(key)
        return iter(sorted(self._specs.values(), key=lambda s: (s.opcode, s.service_action or 0)))

    def has_service_actions(self, opcode: int) -> bool:
        return opcode in self._sa_opcodes

    def get(self, opcode: int, service_action: Optional[int]) -> Optional[CommandSpec]:
        key = (opcode, service_action)
        spec = self._specs.get(key)
        return spec if spec is not None or key not in self._unmade else self._made(key)

    def _made(self, key: _Key) -> CommandSpec:
        make, argument = self._unmade.pop(key)
        spec = make(argument)
        if (spec.opcode, spec.service_action) != key:
            raise UsageError(f"the entry made for {key[0]:02X}h/{key[1]!r} is {spec.name} "
                             f"({spec.opcode:02X}h/{spec.service_action!r})")
        _check_usage(spec)
        self._specs[key] = spec
        return spec

    def lookup(self, cdb: bytes) -> CommandSpec:
        """The entry for ``cdb``, or raise the ILLEGAL REQUEST the device would report."""
        opcode = cdb[0]
        if opcode in self._sa_opcodes:
            if opcode == VARIABLE_LENGTH:
                if len(cdb) < 10:
                    raise _sense.Failure(_sense.ILLEGAL_REQUEST, 0x24, 0x00)
                sa: Optional[int] = int.from_bytes(cdb[8:10], "big")
                pointer = (8, None)
            else:
                if len(cdb) < 2:
                    raise _sense.Failure(_sense.ILLEGAL_REQUEST, 0x24, 0x00)
                sa = cdb[1] & 0x1F
                pointer = (1, 4)
            spec = self.get(opcode, sa)
            if spec is None:
                raise _sense.invalid_field_in_cdb(*pointer)
        else:
            spec = self.get(opcode, None)
            if spec is None:
                raise _sense.invalid_opcode()
        check_cdb(spec, cdb)
        return spec


def _check_usage(spec: CommandSpec) -> None:
    if len(spec.usage) < 6 or spec.usage[0] != spec.opcode:
        raise UsageError(f"usage data of {spec.name} must start with its opcode and be at least 6 bytes")


def check_cdb(spec: CommandSpec, cdb: bytes) -> None:
    """Reject a short CDB and any bit the usage data does not cover."""
    usage = spec.usage
    if len(cdb) < len(usage):
        # The transport delivered fewer CDB bytes than the operation code implies.
        raise _sense.Failure(_sense.ILLEGAL_REQUEST, 0x24, 0x00)
    variable = spec.opcode == VARIABLE_LENGTH
    if variable and cdb[7] != usage[7]:
        raise _sense.invalid_field_in_cdb(7)
    for index in range(1, len(usage)):
        if variable and index in (7, 8, 9):
            continue
        mask = usage[index]
        if index == 1 and spec.service_action is not None and not variable:
            mask |= 0x1F
        bad = cdb[index] & ~mask & 0xFF
        if bad:
            raise _sense.invalid_field_in_cdb(index, bad.bit_length() - 1)
