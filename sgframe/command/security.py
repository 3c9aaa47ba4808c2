"""SECURITY PROTOCOL IN and OUT (SPC-5): the carriers of TCG, IEEE 1667, ATA security and
the other protocols listed in SPC-5 table 263. Protocol 00h (security protocol
information) is SPC's own and is decoded here; the others belong to their standards."""
from __future__ import annotations

from typing import Any

from ..cdb import Command, Direction, define, field, flag

__all__ = ["SecurityProtocolIn", "SecurityProtocolOut"]


def _length(cmd: Command, count: int) -> int:
    # INC_512: the length counts 512-byte increments (SPC-5 6.40).
    return count * 512 if cmd.inc_512 else count


@define
class SecurityProtocolIn(Command):
    """SECURITY PROTOCOL IN (SPC-5).

    ====  ==================================================================
    byte  fields
    ====  ==================================================================
    0     OPERATION CODE (A2h)
    1     SECURITY PROTOCOL
    2-3   SECURITY PROTOCOL SPECIFIC
    4     INC_512 (7), reserved (6-0)
    5     reserved
    6-9   ALLOCATION LENGTH
    10    reserved
    11    CONTROL
    ====  ==================================================================
    """

    OPCODE = 0xA2
    NAME = "SECURITY PROTOCOL IN"
    CDB_LENGTH = 12
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    security_protocol: int = field(byte=1)
    security_protocol_specific: int = field(byte=2, width=16)
    inc_512: bool = flag(byte=4, bit=7)
    allocation_length: int = field(byte=6, width=32, default=512)
    control: int = field(byte=11)

    def data_length(self, block_size: int | None = None) -> int:
        return _length(self, self.allocation_length)

    def decode_response(self, data: bytes) -> Any:
        """Protocol 00h decoded (supported protocols, certificate, compliance); the data
        of other protocols as :class:`~sgframe.decode.security.SecurityProtocolData`."""
        from ..decode.security import decode_security_protocol_in

        return decode_security_protocol_in(data, self.security_protocol, self.security_protocol_specific)


@define
class SecurityProtocolOut(Command):
    """SECURITY PROTOCOL OUT (SPC-5). Counted as modifying the medium: through it a TCG
    storage device is reverted or its bands erased.

    ====  ==================================================================
    byte  fields
    ====  ==================================================================
    0     OPERATION CODE (B5h)
    1     SECURITY PROTOCOL
    2-3   SECURITY PROTOCOL SPECIFIC
    4     INC_512 (7), reserved (6-0)
    5     reserved
    6-9   TRANSFER LENGTH
    10    reserved
    11    CONTROL
    ====  ==================================================================
    """

    OPCODE = 0xB5
    NAME = "SECURITY PROTOCOL OUT"
    CDB_LENGTH = 12
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    LENGTH_FIELD = "transfer_length"
    security_protocol: int = field(byte=1)
    security_protocol_specific: int = field(byte=2, width=16)
    inc_512: bool = flag(byte=4, bit=7)
    transfer_length: int = field(byte=6, width=32)
    control: int = field(byte=11)

    def data_length(self, block_size: int | None = None) -> int:
        return _length(self, self.transfer_length)


COMMANDS = (SecurityProtocolIn, SecurityProtocolOut)
