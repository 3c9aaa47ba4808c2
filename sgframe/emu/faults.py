"""A failure injected into the emulated disk (:meth:`EmulatedDisk.inject`), consumed by the
next command it matches."""
from __future__ import annotations

from typing import Optional, Tuple, Union

from sgframe._records import record
from sgframe.emu.table import VARIABLE_LENGTH

__all__ = ["Fault"]


@record
class Fault:
    """One injected failure, consumed by the next matching command."""

    opcode: Optional[int]
    service_action: Optional[int]
    status: int
    sense: Union[bytes, Tuple[int, int, int], None]

    def matches(self, cdb: bytes) -> bool:
        if self.opcode is None:
            return True
        if cdb[0] != self.opcode:
            return False
        if self.service_action is None:
            return True
        if cdb[0] == VARIABLE_LENGTH:
            return int.from_bytes(cdb[8:10], "big") == self.service_action
        return len(cdb) > 1 and cdb[1] & 0x1F == self.service_action
