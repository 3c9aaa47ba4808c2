"""Reservations: PERSISTENT RESERVE IN/OUT (SPC-5 5.14, 6.16, 6.17) and the SPC-2
RESERVE/RELEASE (6) and (10).

Initiators are modelled as I_T nexus numbers (``respond(..., nexus=N)``), all on one
target port (relative target port 1, SAS address 5000000000000001h + N in the
TransportIDs of READ FULL STATUS).  REGISTER AND MOVE and SPEC_I_PT are not
implemented.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional

from sgframe.emu import sense as _sense
from sgframe.emu import table as _table
from sgframe.emu.reply import Request

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

WRITE_EXCLUSIVE = 1
EXCLUSIVE_ACCESS = 3
WRITE_EXCLUSIVE_REGISTRANTS_ONLY = 5
EXCLUSIVE_ACCESS_REGISTRANTS_ONLY = 6
WRITE_EXCLUSIVE_ALL_REGISTRANTS = 7
EXCLUSIVE_ACCESS_ALL_REGISTRANTS = 8
_TYPES = (1, 3, 5, 6, 7, 8)
_ALL_REGISTRANTS = (7, 8)
_REGISTRANTS = (5, 6, 7, 8)
_EXCLUSIVE_ACCESS = (3, 6, 8)

# Commands other initiators may still send while an SPC-2 reservation is held
# (SPC-2 5.5.1): INQUIRY, REQUEST SENSE, REPORT LUNS, RELEASE, MAINTENANCE IN.
_SPC2_ALLOWED = frozenset((0x12, 0x03, 0xA0, 0x17, 0x57, 0xA3))


def _conflict() -> _sense.StatusFailure:
    return _sense.StatusFailure(_sense.RESERVATION_CONFLICT)


class Reservations:
    def __init__(self, disk: "EmulatedDisk") -> None:
        self._disk = disk
        self.generation = 0
        self.registrations: Dict[int, int] = {}
        self.holder: Optional[int] = None
        self.type = 0
        self.aptpl = False
        self.spc2_holder: Optional[int] = None

    # ------------------------------------------------------------ state questions

    @property
    def reserved(self) -> bool:
        return self.holder is not None

    def is_holder(self, nexus: int) -> bool:
        if self.holder is None:
            return False
        if self.type in _ALL_REGISTRANTS:
            return nexus in self.registrations
        return nexus == self.holder

    def check_access(self, spec: _table.CommandSpec, request: Request) -> None:
        nexus = request.nexus
        if self.spc2_holder is not None and self.spc2_holder != nexus and spec.opcode not in _SPC2_ALLOWED:
            raise _conflict()
        if self.holder is None or spec.access == _table.NONE:
            return
        if self.type in _REGISTRANTS:
            allowed = nexus in self.registrations
        else:
            allowed = nexus == self.holder
        if allowed:
            return
        if spec.access == _table.WRITE or self.type in _EXCLUSIVE_ACCESS:
            raise _conflict()

    def release_spc2(self) -> None:
        self.spc2_holder = None

    def _release(self) -> None:
        self.holder = None
        self.type = 0

    def _notify(self, nexuses: List[int], asc: int, ascq: int) -> None:
        if nexuses:
            self._disk.unit_attention(asc, ascq, nexuses=nexuses)

    def _unregister(self, nexus: int) -> None:
        del self.registrations[nexus]
        if self.holder is None:
            return
        if self.type in _ALL_REGISTRANTS:
            if not self.registrations:
                self._release()
        elif nexus == self.holder:
            released_type = self.type
            self._release()
            if released_type in _REGISTRANTS:
                self._notify(list(self.registrations), 0x2A, 0x04)  # RESERVATIONS RELEASED


def _header(generation: int, body: bytes) -> bytes:
    return generation.to_bytes(4, "big") + len(body).to_bytes(4, "big") + body


def _transport_id(nexus: int) -> bytes:
    # SAS TransportID (SPC-5 7.6.4.7): protocol identifier 6, then the SAS address.
    return bytes((0x06, 0, 0, 0)) + (0x5000000000000001 + nexus).to_bytes(8, "big") + bytes(12)


def persistent_reserve_in(disk: "EmulatedDisk", request: Request) -> bytes:
    state = disk.reservations
    action = request.cdb[1] & 0x1F
    if action == 0x00:  # READ KEYS
        keys = b"".join(key.to_bytes(8, "big") for _, key in sorted(state.registrations.items()))
        return _header(state.generation, keys)
    if action == 0x01:  # READ RESERVATION
        if state.holder is None:
            return _header(state.generation, b"")
        key = 0 if state.type in _ALL_REGISTRANTS else state.registrations.get(state.holder, 0)
        body = key.to_bytes(8, "big") + bytes(4) + bytes((0, state.type, 0, 0))
        return _header(state.generation, body)
    if action == 0x02:  # REPORT CAPABILITIES
        return bytes(
            (
                0x00, 0x08,
                0x05,  # ATP_C, PTPL_C
                0x80 | (0x01 if state.aptpl else 0x00),  # TMV, PTPL_A
                0xEA, 0x01,  # WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC, WR_EX; EX_AC_AR
                0x00, 0x00,
            )
        )
    # READ FULL STATUS
    body = bytearray()
    for nexus, key in sorted(state.registrations.items()):
        holder = state.is_holder(nexus)
        transport = _transport_id(nexus)
        body += key.to_bytes(8, "big") + bytes(4)
        body += bytes((0x01 if holder else 0x00, state.type if holder else 0x00))
        body += bytes(4) + (1).to_bytes(2, "big") + len(transport).to_bytes(4, "big") + transport
    return _header(state.generation, bytes(body))


def _check_type(cdb: bytes) -> int:
    if cdb[2] >> 4:
        raise _sense.invalid_field_in_cdb(2, 7)  # SCOPE: only LU_SCOPE
    kind = cdb[2] & 0x0F
    if kind not in _TYPES:
        raise _sense.invalid_field_in_cdb(2, 3)
    return kind


def persistent_reserve_out(disk: "EmulatedDisk", request: Request) -> None:
    state = disk.reservations
    cdb = request.cdb
    action = cdb[1] & 0x1F
    nexus = request.nexus
    if request.u(5, 4) != 24:
        raise _sense.parameter_list_length_error()
    data = request.parameters(24)
    key = int.from_bytes(data[0:8], "big")
    sa_key = int.from_bytes(data[8:16], "big")
    if data[20] & 0x08:
        raise _sense.invalid_field_in_parameter_list(20, 3)  # SPEC_I_PT
    registered = state.registrations.get(nexus)
    if action in (0x00, 0x06):  # REGISTER, REGISTER AND IGNORE EXISTING KEY
        if action == 0x00 and key != (registered or 0):
            raise _conflict()
        if sa_key == 0:
            if registered is not None:
                state._unregister(nexus)
                state.generation += 1
            return None
        state.registrations[nexus] = sa_key
        state.aptpl = bool(data[20] & 0x01)
        state.generation += 1
        return None
    if registered is None or registered != key:
        raise _conflict()
    if action == 0x01:  # RESERVE
        kind = _check_type(cdb)
        if state.holder is not None:
            if state.is_holder(nexus) and state.type == kind:
                return None
            raise _conflict()
        state.holder = nexus
        state.type = kind
        return None
    if action == 0x02:  # RELEASE
        if not state.is_holder(nexus):
            return None
        if (cdb[2] & 0x0F) != state.type or cdb[2] >> 4:
            raise _sense.Failure(_sense.ILLEGAL_REQUEST, 0x26, 0x04)  # INVALID RELEASE OF PERSISTENT RESERVATION
        released_type = state.type
        state._release()
        if released_type in _REGISTRANTS:
            state._notify([n for n in state.registrations if n != nexus], 0x2A, 0x04)
        return None
    if action == 0x03:  # CLEAR
        others = [n for n in state.registrations if n != nexus]
        state.registrations.clear()
        state._release()
        state.generation += 1
        state._notify(others, 0x2A, 0x03)  # RESERVATIONS PREEMPTED
        return None
    # PREEMPT (04h) and PREEMPT AND ABORT (05h): no tasks are ever queued, so
    # the abort half has nothing to do.
    kind = _check_type(cdb)
    all_registrants = state.holder is not None and state.type in _ALL_REGISTRANTS
    if all_registrants and sa_key == 0:
        victims = [n for n in state.registrations if n != nexus]
        for victim in victims:
            del state.registrations[victim]
        state.holder = nexus
        state.type = kind
    else:
        if sa_key == 0:
            raise _sense.invalid_field_in_parameter_list(8)
        takes_over = (
            state.holder is not None
            and not all_registrants
            and state.registrations.get(state.holder) == sa_key
        )
        victims = [n for n, k in state.registrations.items() if k == sa_key and n != nexus]
        if not victims and not takes_over:
            raise _conflict()
        for victim in victims:
            del state.registrations[victim]
        if takes_over:
            state.holder = nexus
            state.type = kind
    state.generation += 1
    state._notify(victims, 0x2A, 0x05)  # REGISTRATIONS PREEMPTED
    return None


def reserve(disk: "EmulatedDisk", request: Request) -> None:
    state = disk.reservations
    if state.registrations or state.holder is not None:
        raise _conflict()  # SPC-3 5.6.1: no SPC-2 reservation beside persistent ones
    state.spc2_holder = request.nexus
    return None


def release(disk: "EmulatedDisk", request: Request) -> None:
    state = disk.reservations
    if state.registrations or state.holder is not None:
        raise _conflict()
    if state.spc2_holder == request.nexus:
        state.spc2_holder = None
    return None
