"""Status codes, sense keys and sense data for the emulated disk.

The values are sgframe's own (:class:`sgframe.status.ScsiStatus`,
:class:`sgframe.sense.SenseKey`) and the bytes come from :mod:`sgframe.sense.build`, the
builder the library offers its users: one encoder of SPC-5 sense data in the package, which
the decoder's tests check against sg3_utils' own test data. Handlers report a failure by
raising :class:`Failure` (CHECK CONDITION with sense data) or :class:`StatusFailure` (a
status without sense, such as RESERVATION CONFLICT); the disk turns either into a
:class:`~sgframe.emu.reply.Reply`.
"""
from __future__ import annotations

from typing import Optional

from sgframe.sense.keys import SenseKey
from sgframe.status import ScsiStatus

# The names the handlers use, bound to the library's enums (plain ints on the wire).
GOOD = int(ScsiStatus.GOOD)
CHECK_CONDITION = int(ScsiStatus.CHECK_CONDITION)
CONDITION_MET = int(ScsiStatus.CONDITION_MET)
BUSY = int(ScsiStatus.BUSY)
RESERVATION_CONFLICT = int(ScsiStatus.RESERVATION_CONFLICT)
TASK_SET_FULL = int(ScsiStatus.TASK_SET_FULL)
ACA_ACTIVE = int(ScsiStatus.ACA_ACTIVE)
TASK_ABORTED = int(ScsiStatus.TASK_ABORTED)

NO_SENSE = int(SenseKey.NO_SENSE)
RECOVERED_ERROR = int(SenseKey.RECOVERED_ERROR)
NOT_READY = int(SenseKey.NOT_READY)
MEDIUM_ERROR = int(SenseKey.MEDIUM_ERROR)
HARDWARE_ERROR = int(SenseKey.HARDWARE_ERROR)
ILLEGAL_REQUEST = int(SenseKey.ILLEGAL_REQUEST)
UNIT_ATTENTION = int(SenseKey.UNIT_ATTENTION)
DATA_PROTECT = int(SenseKey.DATA_PROTECT)
BLANK_CHECK = int(SenseKey.BLANK_CHECK)
VENDOR_SPECIFIC = int(SenseKey.VENDOR_SPECIFIC)
COPY_ABORTED = int(SenseKey.COPY_ABORTED)
ABORTED_COMMAND = int(SenseKey.ABORTED_COMMAND)
VOLUME_OVERFLOW = int(SenseKey.VOLUME_OVERFLOW)
MISCOMPARE = int(SenseKey.MISCOMPARE)


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
    """Current sense data in fixed (70h) or descriptor (72h) format, as a disk sends it.

    Fixed format has a 4-byte INFORMATION field; a device with a larger value to report
    leaves VALID and the field zero (SPC-5 4.4.3), which is why a large disk should use
    descriptor format. (The library's builder refuses such a value instead: there it is
    the caller's mistake, here it is what the standard tells the device to do.)
    """
    # The builder (and its descriptor records) is imported by the first CHECK CONDITION.
    from sgframe.sense.build import build_descriptor_sense, build_fixed_sense

    if descriptor:
        return build_descriptor_sense(key, asc, ascq, information, sense_key_specific=sks,
                                      ili=True if ili else None)
    if information is not None and information > 0xFFFFFFFF:
        information = None
    return build_fixed_sense(key, asc, ascq, information, sense_key_specific=sks, ili=ili)


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


def medium_not_present() -> Failure:
    # SPC-5 Table F.2: 3Ah/00h; the tray state (01h closed, 02h open) is not modelled.
    return Failure(NOT_READY, 0x3A, 0x00)


def data_phase_error() -> Failure:
    # The data-out buffer was shorter than the CDB asked for: on a real bus the
    # target would see the transfer end early.
    return Failure(ABORTED_COMMAND, 0x4B, 0x00)


def miscompare(offset: int) -> Failure:
    return Failure(MISCOMPARE, 0x1D, 0x00, information=offset)
