"""Exit codes: sg3_utils' categories (the ``SG_LIB_*`` values of sg_lib.h), so scripts
written for sg_inq, sg_raw or sg_dd read sgframe's the same way."""
from __future__ import annotations

from typing import Optional

from .. import errors

__all__ = [
    "GOOD", "SYNTAX_ERROR", "NOT_READY", "MEDIUM_HARD", "ILLEGAL_REQUEST", "UNIT_ATTENTION",
    "DATA_PROTECT", "INVALID_OPCODE", "COPY_ABORTED", "ABORTED_COMMAND", "MISCOMPARE",
    "FILE_ERROR", "NO_SENSE", "CONTRADICT", "NOT_LISTED", "MALFORMED",
    "LBA_OUT_OF_RANGE", "RECOVERED", "RESERVATION_CONFLICT", "BUSY", "TASK_SET_FULL",
    "ACA_ACTIVE", "TASK_ABORTED", "TIMEOUT", "PROTECTION", "SENSE", "OTHER", "INTERRUPTED",
    "TABLE", "CliError", "exit_code_for", "help_text",
]

GOOD = 0
SYNTAX_ERROR = 1
NOT_READY = 2
MEDIUM_HARD = 3
ILLEGAL_REQUEST = 5
UNIT_ATTENTION = 6
DATA_PROTECT = 7
INVALID_OPCODE = 9
COPY_ABORTED = 10
ABORTED_COMMAND = 11
MISCOMPARE = 14
FILE_ERROR = 15
NO_SENSE = 20
RECOVERED = 21
LBA_OUT_OF_RANGE = 22
RESERVATION_CONFLICT = 24
BUSY = 26
TASK_SET_FULL = 27
ACA_ACTIVE = 28
TASK_ABORTED = 29
CONTRADICT = 31
TIMEOUT = 33
PROTECTION = 40
# sg3_utils' sg_convert_errno(EDOM): 50 (SG_LIB_OS_BASE_ERR) + 33; what sg_vpd exits with
# for a page the device's supported VPD pages do not list.
NOT_LISTED = 83
MALFORMED = 97
SENSE = 98
OTHER = 99
# Not an sg3_utils category: the shell's convention for SIGINT (128 + 2).
INTERRUPTED = 130

#: (code, meaning) in the order ``sgframe --help`` lists them.
TABLE = (
    (GOOD, "good"),
    (SYNTAX_ERROR, "syntax error: bad arguments, or a confirmation needed (--yes)"),
    (NOT_READY, "not ready"),
    (MEDIUM_HARD, "medium error, hardware error or blank check"),
    (ILLEGAL_REQUEST, "illegal request (other than the two below)"),
    (UNIT_ATTENTION, "unit attention"),
    (DATA_PROTECT, "data protect"),
    (INVALID_OPCODE, "invalid command operation code"),
    (COPY_ABORTED, "copy aborted"),
    (ABORTED_COMMAND, "aborted command"),
    (MISCOMPARE, "miscompare"),
    (FILE_ERROR, "file error: a device or file could not be opened, read or written, "
                 "or a device in use was left alone (no --force)"),
    (NO_SENSE, "no sense (CHECK CONDITION with sense key NO SENSE)"),
    (RECOVERED, "recovered error"),
    (LBA_OUT_OF_RANGE, "logical block address out of range (ILLEGAL REQUEST 21h/00h)"),
    (RESERVATION_CONFLICT, "reservation conflict (also host status DID_NEXUS_FAILURE)"),
    (BUSY, "busy"),
    (TASK_SET_FULL, "task set full"),
    (ACA_ACTIVE, "ACA active"),
    (TASK_ABORTED, "task aborted"),
    (CONTRADICT, "options that contradict each other, or the device (sg_dd --verify to a file)"),
    (TIMEOUT, "command timeout (also host status DID_NO_CONNECT, DID_BUS_BUSY, DID_TIME_OUT)"),
    (PROTECTION, "protection information error (aborted command, ASC 10h)"),
    (NOT_LISTED, "a VPD page the device does not list in page 00h (inq without --force)"),
    (MALFORMED, "a response or device not of the kind asked for (a page code other than the one asked, "
                "format --tape on a device that is not a tape)"),
    (SENSE, "other sense data"),
    (OTHER, "other error (transport, driver, device gone)"),
    (INTERRUPTED, "interrupted"),
)

_BY_CLASS = (
    (errors.NotReady, NOT_READY),
    (errors.MediumError, MEDIUM_HARD),
    (errors.HardwareError, MEDIUM_HARD),
    (errors.BlankCheck, MEDIUM_HARD),
    (errors.UnitAttention, UNIT_ATTENTION),
    (errors.DataProtect, DATA_PROTECT),
    (errors.CopyAborted, COPY_ABORTED),
    (errors.Miscompare, MISCOMPARE),
    (errors.NoSense, NO_SENSE),
    (errors.RecoveredError, RECOVERED),
    (errors.ReservationConflict, RESERVATION_CONFLICT),
    (errors.Busy, BUSY),
    (errors.TaskSetFull, TASK_SET_FULL),
    (errors.AcaActive, ACA_ACTIVE),
    (errors.TaskAborted, TASK_ABORTED),
    (errors.CommandTimeout, TIMEOUT),
    (errors.CheckCondition, SENSE),
)


_CHECK_CONDITION = 0x02
_DRIVER_SENSE = 0x08
_ILLEGAL_REQUEST_BY_ASC = {(0x20, 0x00): INVALID_OPCODE, (0x21, 0x00): LBA_OUT_OF_RANGE}

# Linux host bytes (include/scsi/scsi_status.h): DID_NO_CONNECT 01h, DID_BUS_BUSY 02h,
# DID_TIME_OUT 03h, DID_NEXUS_FAILURE 11h; sg_err_category3 looks at them when the
# device returned no sense.
_BY_HOST_STATUS = {0x01: TIMEOUT, 0x02: TIMEOUT, 0x03: TIMEOUT, 0x11: RESERVATION_CONFLICT}


def exit_code_for(exc: BaseException) -> int:
    """The exit code for an exception that ended a subcommand.

    As sg3_utils' sg_err_category_new decides: sense data that came with CHECK
    CONDITION (or DRIVER_SENSE) first, then the host byte, then the status.
    """
    if isinstance(exc, CliError):
        return exc.code
    if isinstance(exc, errors.TaskFailed):
        sense = exc.sense
        if sense is not None and (exc.status == _CHECK_CONDITION or exc.driver_status & _DRIVER_SENSE):
            return _code_for_sense_key(errors.check_condition_class(sense.sense_key), sense.asc, sense.ascq)
        if exc.host_status in _BY_HOST_STATUS:
            return _BY_HOST_STATUS[exc.host_status]
    if isinstance(exc, errors.CheckCondition):
        return _code_for_sense_key(type(exc), exc.asc, exc.ascq)
    for cls, code in _BY_CLASS:
        if isinstance(exc, cls):
            return code
    if isinstance(exc, (errors.DeviceOpenError, OSError)):
        return FILE_ERROR
    if isinstance(exc, errors.UsageError):
        return SYNTAX_ERROR
    if isinstance(exc, KeyboardInterrupt):
        return INTERRUPTED
    return OTHER


def _code_for_sense_key(cls: type, asc: Optional[int], ascq: Optional[int]) -> int:
    if issubclass(cls, errors.IllegalRequest):
        # sg_err_category_sense: 20h/00h and 21h/00h have categories of their own.
        return _ILLEGAL_REQUEST_BY_ASC.get((asc, ascq), ILLEGAL_REQUEST)
    if issubclass(cls, errors.AbortedCommand):
        return PROTECTION if asc == 0x10 else ABORTED_COMMAND
    for known, code in _BY_CLASS:
        if issubclass(cls, known):
            return code
    return SENSE


def help_text() -> str:
    """The exit code table as ``sgframe --help`` prints it."""
    lines = ["exit codes (sg3_utils' categories):"]
    lines.extend(f"  {code:3d}  {meaning}" for code, meaning in TABLE)
    return "\n".join(lines)


class CliError(Exception):
    """A failure the command line reports with its own exit code (a refusal, a file that
    cannot be read); ``str()`` is the one line printed."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code
