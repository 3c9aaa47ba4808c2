"""Exit codes: sg3_utils' categories (the ``SG_LIB_*`` values of sg_lib.h), so scripts
written for sg_inq, sg_raw or sg_dd read sgframe's the same way."""
from __future__ import annotations

import errno as _errno
from typing import Optional

from .. import errors

__all__ = [
    "GOOD", "SYNTAX_ERROR", "NOT_READY", "MEDIUM_HARD", "ILLEGAL_REQUEST", "UNIT_ATTENTION",
    "DATA_PROTECT", "INVALID_OPCODE", "COPY_ABORTED", "ABORTED_COMMAND", "MISCOMPARE",
    "FILE_ERROR", "NO_SENSE", "CONTRADICT", "NOT_LISTED", "MALFORMED",
    "LBA_OUT_OF_RANGE", "RECOVERED", "RESERVATION_CONFLICT", "BUSY", "TASK_SET_FULL",
    "ACA_ACTIVE", "TASK_ABORTED", "TIMEOUT", "PROTECTION", "SENSE", "OTHER", "INTERRUPTED",
    "TABLE", "OS_BASE_ERR", "CliError", "exit_code_for", "os_error_code", "help_text",
    "READ_ONLY_OPENERS",
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
# sg3_utils' SG_LIB_OS_BASE_ERR: a system call that failed (most often opening DEVICE or an
# --inhex file) exits 50 + errno, errno 1..46; a larger errno does not fit and is 50 itself.
OS_BASE_ERR = 50
_LAST_MAPPED_ERRNO = 46
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
    (FILE_ERROR, "file error: dd's input or output could not be opened, read or written (as sg_dd), "
                 "another file could not be read or written, or a device in use was left alone "
                 "(no --force)"),
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
    (OS_BASE_ERR, "an OS error whose errno is 47 or more (too large for 50 + errno)"),
    (NOT_LISTED, "a VPD page the device does not list in page 00h (inq without --force)"),
    (MALFORMED, "a response or device not of the kind asked for (a page code other than the one asked, "
                "format --tape on a device that is not a tape)"),
    (SENSE, "other sense data"),
    (OTHER, "other error (transport, driver, device gone; logs, opcodes, sat-identify and "
            "write-same on a node that is not a SCSI device, as their sg3_utils tools)"),
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


#: Subcommands whose sg3_utils counterpart answers a DEVICE it cannot open with a code of
#: its own rather than 50 + errno: sg_dd with SG_LIB_FILE_ERROR, sg_reset with 1.
_OPEN_FAILURE_BY_SUBCOMMAND = {"dd": FILE_ERROR, "reset": SYNTAX_ERROR}

#: Subcommands whose counterpart exits SG_LIB_CAT_OTHER, not 50 + ENOTTY, when a node that
#: opened fails its first SG_IO: sg_logs, sg_opcodes and sg_sat_identify (an INQUIRY they
#: send first) and sg_write_same (a pass-through error of its WRITE SAME).
_NOT_SCSI_IS_OTHER = frozenset({"logs", "opcodes", "sat-identify", "write-same"})

#: Subcommands whose counterpart opens DEVICE O_RDONLY unless told otherwise: a directory
#: opens there and fails at the first SG_IO (ENOTTY), where the others' O_RDWR open fails
#: with EISDIR. Measured with sg3_utils 1.46 (tests/test_cli_open_exit_codes.py).
READ_ONLY_OPENERS = frozenset({"inq", "readcap", "tur", "modes", "persist", "requests", "logs", "opcodes"})


def os_error_code(errno: int) -> int:
    """sg3_utils' sg_convert_errno: 50 + errno for errno 1..46, 50 for a larger one."""
    if errno <= 0:
        return OTHER
    return OS_BASE_ERR + errno if errno <= _LAST_MAPPED_ERRNO else OS_BASE_ERR


def exit_code_for(exc: BaseException, subcommand: Optional[str] = None) -> int:
    """The exit code for an exception that ended a subcommand.

    As sg3_utils' sg_err_category_new decides: sense data that came with CHECK
    CONDITION (or DRIVER_SENSE) first, then the host byte, then the status. A device
    that cannot be opened is 50 + errno (sg_convert_errno), but where ``subcommand``'s
    counterpart tool answers that failure otherwise.
    """
    if isinstance(exc, CliError):
        return exc.code
    if isinstance(exc, errors.DeviceOpenError) and subcommand is not None:
        if subcommand in _OPEN_FAILURE_BY_SUBCOMMAND:
            return _OPEN_FAILURE_BY_SUBCOMMAND[subcommand]
        if isinstance(exc, errors.WrongNodeType) and exc.errno == _errno.ENOTTY and subcommand in _NOT_SCSI_IS_OTHER:
            return OTHER
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
        return os_error_code(exc.errno) if exc.errno else FILE_ERROR
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
    lines.extend(f"  {code:3d}  {meaning}" for code, meaning in TABLE if code < NOT_LISTED)
    lines.append(" 51-96  50 + errno: an OS system call failed, most often opening DEVICE or an --inhex\n"
                 "        file (52: ENOENT, no such file; 63: EACCES, permission denied; 71: EISDIR;\n"
                 "        75: ENOTTY, a node that is not a SCSI device); errno 47 or more is 50")
    lines.extend(f"  {code:3d}  {meaning}" for code, meaning in TABLE if code >= NOT_LISTED)
    return "\n".join(lines)


class CliError(Exception):
    """A failure the command line reports with its own exit code (a refusal, a file that
    cannot be read); ``str()`` is the one line printed."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code
