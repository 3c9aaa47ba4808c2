"""Status codes, sense keys and a small sense-data builder for the emulated disk.

The emulator builds its own sense bytes (SPC-5 4.4) instead of using
:mod:`sgframe.sense`, so that the framework's decoder can be checked against an
independent encoder.  Handlers report a failure by raising :class:`Failure`
(CHECK CONDITION with sense data) or :class:`StatusFailure` (a status without sense,
such as RESERVATION CONFLICT); the disk turns either into a :class:`~sgframe.emu.reply.Reply`.
"""
from __future__ import annotations

from typing import Optional

# SAM-5 status codes.
GOOD = 0x00
CHECK_CONDITION = 0x02
CONDITION_MET = 0x04
BUSY = 0x08
RESERVATION_CONFLICT = 0x18
TASK_SET_FULL = 0x28
ACA_ACTIVE = 0x30
TASK_ABORTED = 0x40

# SPC-5 sense keys.
NO_SENSE = 0x0
RECOVERED_ERROR = 0x1
NOT_READY = 0x2
MEDIUM_ERROR = 0x3
HARDWARE_ERROR = 0x4
ILLEGAL_REQUEST = 0x5
UNIT_ATTENTION = 0x6
DATA_PROTECT = 0x7
BLANK_CHECK = 0x8
VENDOR_SPECIFIC = 0x9
COPY_ABORTED = 0xA
ABORTED_COMMAND = 0xB
VOLUME_OVERFLOW = 0xD
MISCOMPARE = 0xE


def field_pointer(byte: int, bit: Optional[int] = None, *, in_cdb: bool = True) -> bytes:
    """The 3-byte sense-key specific field pointer (SPC-5 4.4.2.2, table 52).

    :param byte: the byte of the CDB (``in_cdb``) or parameter list that is wrong.
    :param bit: the most significant bit of the bad field, or None when the whole
        byte is meant (BPV stays zero).
    """
    first = 0x80  # SKSV
    if in_cdb:
        first |= 0x40  # C/D: the error is in the CDB, not the parameter list
    if bit is not None:
        first |= 0x08 | (bit & 0x07)
    return bytes((first, (byte >> 8) & 0xFF, byte & 0xFF))


def build_sense(
    key: int,
    asc: int,
    ascq: int,
    *,
    information: Optional[int] = None,
    sks: Optional[bytes] = None,
    descriptor: bool = False,
    ili: bool = False,
) -> bytes:
    """Current sense data in fixed (70h) or descriptor (72h) format.

    Fixed format has a 4-byte INFORMATION field; a larger value cannot be
    expressed there, so VALID stays zero and the field zero (SPC-5 4.4.3), which is
    why a large disk should use descriptor format.
    """
    if descriptor:
        body = b""
        if information is not None:
            # Information descriptor (type 00h): VALID set, 8-byte field.
            body += bytes((0x00, 0x0A, 0x80, 0x00)) + information.to_bytes(8, "big")
        if sks is not None:
            body += bytes((0x02, 0x06, 0x00, 0x00)) + sks + b"\x00"
        if ili:
            # Block commands sense data descriptor (SBC-4 4.18.3): ILI in byte 3.
            body += bytes((0x05, 0x02, 0x00, 0x20))
        return bytes((0x72, key & 0x0F, asc, ascq, 0, 0, 0, len(body))) + body
    raw = bytearray(18)
    raw[0] = 0x70
    if information is not None and information <= 0xFFFFFFFF:
        raw[0] |= 0x80
        raw[3:7] = information.to_bytes(4, "big")
    raw[2] = key & 0x0F | (0x20 if ili else 0)
    raw[7] = 10
    raw[12] = asc
    raw[13] = ascq
    if sks is not None:
        raw[15:18] = sks
    return bytes(raw)


class StatusFailure(Exception):
    """A command ends with a status other than GOOD and no sense data."""

    def __init__(self, status: int) -> None:
        super().__init__(f"status {status:02X}h")
        self.status = status


class Failure(Exception):
    """A command ends with CHECK CONDITION; the disk builds the sense data.

    ``data`` is what was transferred before the error (a READ that hits a bad block
    returns the good blocks before it, as a real disk does).
    """

    def __init__(
        self,
        key: int,
        asc: int,
        ascq: int,
        *,
        information: Optional[int] = None,
        sks: Optional[bytes] = None,
        data: bytes = b"",
        ili: bool = False,
    ) -> None:
        super().__init__(f"sense key {key:X}h, ASC/ASCQ {asc:02X}h/{ascq:02X}h")
        self.key = key
        self.asc = asc
        self.ascq = ascq
        self.information = information
        self.sks = sks
        self.data = data
        self.ili = ili

    def sense(self, descriptor: bool) -> bytes:
        return build_sense(
            self.key,
            self.asc,
            self.ascq,
            information=self.information,
            sks=self.sks,
            descriptor=descriptor,
            ili=self.ili,
        )


# The failures every handler needs, named as SPC-5/SBC-4 name them.
def invalid_opcode() -> Failure:
    return Failure(ILLEGAL_REQUEST, 0x20, 0x00)


def invalid_field_in_cdb(byte: int, bit: Optional[int] = None) -> Failure:
    return Failure(ILLEGAL_REQUEST, 0x24, 0x00, sks=field_pointer(byte, bit))


def invalid_field_in_parameter_list(byte: int, bit: Optional[int] = None) -> Failure:
    return Failure(ILLEGAL_REQUEST, 0x26, 0x00, sks=field_pointer(byte, bit, in_cdb=False))


def parameter_list_length_error() -> Failure:
    return Failure(ILLEGAL_REQUEST, 0x1A, 0x00)


def lba_out_of_range() -> Failure:
    return Failure(ILLEGAL_REQUEST, 0x21, 0x00)


def not_ready_initializing_command_required() -> Failure:
    return Failure(NOT_READY, 0x04, 0x02)


def data_phase_error() -> Failure:
    # The data-out buffer was shorter than the CDB asked for: on a real bus the
    # target would see the transfer end early.
    return Failure(ABORTED_COMMAND, 0x4B, 0x00)


def miscompare(offset: int) -> Failure:
    return Failure(MISCOMPARE, 0x1D, 0x00, information=offset)
