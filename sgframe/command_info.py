"""What a command registry tells about one command class (:meth:`CommandRegistry.describe`).

A module of its own so that the registry, which every start of the command line builds,
does not make this record class until something asks for a description.
"""
from __future__ import annotations

from typing import Optional

from ._records import record
from .cdb import Direction, VariableLengthCommand

__all__ = ["CommandInfo"]


@record
class CommandInfo:
    """What the registry knows about one command class."""

    name: str
    class_name: str
    opcode: int
    service_action: Optional[int]
    cdb_length: int
    #: None when the CDB's own fields set it (ATA PASS-THROUGH's T_DIR and T_LENGTH).
    direction: Optional[Direction]
    modifies_medium: bool

    def __str__(self) -> str:
        digits = 4 if self.opcode == VariableLengthCommand.OPCODE else 2
        sa = "" if self.service_action is None else f"/{self.service_action:0{digits}X}h"
        return (
            f"{self.name} ({self.opcode:02X}h{sa}, {self.cdb_length}-byte CDB, "
            f"data {self.direction_text}{', modifies medium' if self.modifies_medium else ''})"
        )


    @property
    def direction_text(self) -> str:
        return self.direction.value if self.direction is not None else "as the CDB's fields say"
