"""Exceptions raised by sgframe.

One root, :class:`SgframeError`, and two families under it that say whose fault a
failure is: :class:`UsageError` (our side: bad arguments, never sent to a device) and
:class:`TaskFailed` (the device, the transport or the kernel said the command failed).

:func:`sgframe.judge.exception_for` decides which of these a completion (status, host
byte, driver byte, sense data) raises; this module only declares them, and sits below
everything else in the package. Opening a device
node fails with a :class:`DeviceOpenError` built by :func:`for_errno`, whose message
says what to do about it.
"""
from __future__ import annotations

import errno as _errno
from typing import Any, ClassVar, Dict, Optional, Type

from .status import ScsiStatus, driver_code, status_text

# Sense data is typed Any here: errors sit below sgframe.sense (which raises UsageError),
# so they hold a decoded sgframe.sense.Sense without naming its class.
Sense = Any

__all__ = [
    "SgframeError", "UsageError", "ExpectationFailed", "TaskFailed",
    "CheckCondition", "NoSense", "RecoveredError", "NotReady", "MediumError", "HardwareError",
    "IllegalRequest", "UnitAttention", "DataProtect", "BlankCheck", "VendorSpecific",
    "CopyAborted", "AbortedCommand", "ReservedSenseKey", "VolumeOverflow", "Miscompare",
    "Completed", "StatusError", "Busy", "ReservationConflict", "TaskSetFull", "AcaActive",
    "TaskAborted", "HostError", "CommandTimeout", "DriverError", "DeviceGone",
    "DeviceOpenError", "DevicePermissionError", "DeviceNodeMissing", "NoSuchDevice",
    "WrongNodeType", "DeviceBusy", "ResetFailed", "for_errno", "check_condition_class", "status_class",
]


class SgframeError(Exception):
    """Root of every exception sgframe raises on purpose."""


class UsageError(SgframeError, ValueError):
    """A bad argument on the caller's side; nothing was sent to a device."""


class ExpectationFailed(SgframeError, AssertionError):
    """A response handler's expectation was not met: a command failed that should have
    succeeded, succeeded where it should have failed, or failed the wrong way."""


def _restore(cls: type, message: str, state: Dict[str, Any]) -> "TaskFailed":
    obj = cls.__new__(cls)
    Exception.__init__(obj, message)
    obj.__dict__.update(state)
    return obj


class TaskFailed(SgframeError):
    """A command was sent and did not complete successfully.

    Carries what the device and the kernel said: ``command`` (the T10 name such as
    ``"READ(16)"``), ``device`` (the node path), ``status`` (the SCSI status byte or
    ``None`` when there was none), ``host_status``, ``driver_status`` and ``sense``
    (decoded :class:`sgframe.sense.Sense` or ``None``). The channel sets ``io`` to the
    exchange that failed.
    """

    #: for sense-key classes: RECOVERED ERROR and COMPLETED report success with
    #: information; the caller's policy decides whether to raise them.
    informational: ClassVar[bool] = False

    def __init__(self, message: Optional[str] = None, *, command: Optional[str] = None,
                 device: Optional[str] = None, status: Optional[int] = None, host_status: int = 0,
                 driver_status: int = 0, sense: Optional[Sense] = None) -> None:
        self.command = command
        self.device = device
        self.status = _as_enum(ScsiStatus, status) if status is not None else None
        self.host_status = _as_enum(_host_status_enum(), host_status)
        self.driver_status = driver_status
        self.sense = _as_sense(sense)
        self.io: Any = None
        super().__init__(message if message is not None else self._where() + self._detail())

    def __reduce__(self) -> Any:
        state = dict(self.__dict__)
        state["io"] = None  # an Io holds buffers and a channel; not worth shipping
        return (_restore, (type(self), str(self), state))

    @property
    def sense_key(self) -> Optional[int]:
        return self.sense.sense_key if self.sense is not None else None

    @property
    def asc(self) -> Optional[int]:
        return self.sense.asc if self.sense is not None else None

    @property
    def ascq(self) -> Optional[int]:
        return self.sense.ascq if self.sense is not None else None

    @property
    def information(self) -> Optional[int]:
        return self.sense.information if self.sense is not None else None

    def _where(self) -> str:
        if self.command and self.device:
            return "%s on %s: " % (self.command, self.device)
        if self.command or self.device:
            return "%s: " % (self.command or self.device)
        return ""

    def _detail(self) -> str:
        if self.status is not None:
            text = status_text(self.status)
        else:
            text = "command failed"
        return text + _sense_tail(self.sense)


def _host_status_enum() -> Any:
    # The host and driver enumerations are made at the first failure, not at every start.
    from .host_status import HostStatus

    return HostStatus


def _as_enum(enum_cls: Any, value: int) -> int:
    try:
        return enum_cls(value)
    except ValueError:
        return value


def _as_sense(sense: Optional[Sense]) -> Optional[Sense]:
    # Errors sit below sense data in the layering (sgframe.sense raises UsageError), so
    # they carry sense already decoded: sgframe.judge.exception_for decodes raw bytes.
    if isinstance(sense, (bytes, bytearray, memoryview)):
        raise UsageError("sense= takes decoded sense (sgframe.sense.decode_sense(raw)), not raw bytes; "
                         "sgframe.judge.exception_for takes the bytes a device returned")
    return sense


def _sense_summary(sense: Sense) -> str:
    key = str(sense.sense_key)
    if sense.deferred:
        key += " (deferred error)"
    text = "%s, %s [%02Xh/%02Xh]" % (key, sense.asc_text, sense.asc, sense.ascq)
    if sense.information is not None:
        text += ", information 0x%x" % sense.information
    if sense.sense_key_specific is not None:
        text += ", %s" % sense.sense_key_specific
    if sense.problems:
        text += " (malformed sense: %s)" % "; ".join(sense.problems)
    return text


def _sense_tail(sense: Optional[Sense]) -> str:
    return "" if sense is None else "; sense: " + _sense_summary(sense)


class CheckCondition(TaskFailed):
    """CHECK CONDITION: the device returned sense data saying what went wrong.
    The subclass names the sense key; ``sense`` holds the rest."""

    SENSE_KEY: ClassVar[Optional[int]] = None

    def _detail(self) -> str:
        if self.sense is None:
            return "CHECK CONDITION, no sense data"
        return "CHECK CONDITION, " + _sense_summary(self.sense)


class NoSense(CheckCondition):
    """NO SENSE under CHECK CONDITION: look at the flags (FILEMARK, EOM, ILI) and
    the progress indication."""
    SENSE_KEY = 0x0


class RecoveredError(CheckCondition):
    """RECOVERED ERROR: the command completed after the device recovered."""
    SENSE_KEY = 0x1
    informational = True


class NotReady(CheckCondition):
    SENSE_KEY = 0x2


class MediumError(CheckCondition):
    """MEDIUM ERROR; ``information`` usually holds the first bad LBA."""
    SENSE_KEY = 0x3


class HardwareError(CheckCondition):
    SENSE_KEY = 0x4


class IllegalRequest(CheckCondition):
    SENSE_KEY = 0x5


class UnitAttention(CheckCondition):
    SENSE_KEY = 0x6


class DataProtect(CheckCondition):
    SENSE_KEY = 0x7


class BlankCheck(CheckCondition):
    SENSE_KEY = 0x8


class VendorSpecific(CheckCondition):
    SENSE_KEY = 0x9


class CopyAborted(CheckCondition):
    SENSE_KEY = 0xA


class AbortedCommand(CheckCondition):
    SENSE_KEY = 0xB


class ReservedSenseKey(CheckCondition):
    """Sense key 0Ch, reserved since SPC-3 (EQUAL in SCSI-2)."""
    SENSE_KEY = 0xC


class VolumeOverflow(CheckCondition):
    SENSE_KEY = 0xD


class Miscompare(CheckCondition):
    SENSE_KEY = 0xE


class Completed(CheckCondition):
    """COMPLETED (SPC-5): the command completed; the sense data is informational."""
    SENSE_KEY = 0xF
    informational = True


_BY_SENSE_KEY: Dict[int, Type[CheckCondition]] = {
    cls.SENSE_KEY: cls for cls in (  # type: ignore[misc]
        NoSense, RecoveredError, NotReady, MediumError, HardwareError, IllegalRequest,
        UnitAttention, DataProtect, BlankCheck, VendorSpecific, CopyAborted, AbortedCommand,
        ReservedSenseKey, VolumeOverflow, Miscompare, Completed)
}


def check_condition_class(sense_key: int) -> Type[CheckCondition]:
    """The :class:`CheckCondition` subclass for a sense key (0..15)."""
    return _BY_SENSE_KEY[sense_key & 0xF]


class StatusError(TaskFailed):
    """A status other than GOOD, CONDITION MET or CHECK CONDITION; the subclass names
    it. A status SAM-5 does not assign is raised as this class itself."""

    STATUS: ClassVar[Optional[int]] = None


class Busy(StatusError):
    """BUSY: the logical unit cannot take the command now; try later."""
    STATUS = ScsiStatus.BUSY


class ReservationConflict(StatusError):
    """RESERVATION CONFLICT: another initiator holds a reservation."""
    STATUS = ScsiStatus.RESERVATION_CONFLICT


class TaskSetFull(StatusError):
    """TASK SET FULL: the device's command queue is full."""
    STATUS = ScsiStatus.TASK_SET_FULL


class AcaActive(StatusError):
    """ACA ACTIVE: an auto contingent allegiance condition blocks the command."""
    STATUS = ScsiStatus.ACA_ACTIVE


class TaskAborted(StatusError):
    """TASK ABORTED: the command was aborted by another initiator's action."""
    STATUS = ScsiStatus.TASK_ABORTED


_BY_STATUS: Dict[int, Type[StatusError]] = {
    cls.STATUS: cls for cls in (Busy, ReservationConflict, TaskSetFull, AcaActive, TaskAborted)  # type: ignore[misc]
}


def status_class(status: int) -> Type[StatusError]:
    """The :class:`StatusError` subclass for a status byte other than GOOD and CHECK
    CONDITION (:class:`StatusError` itself for a status SAM does not name)."""
    return _BY_STATUS.get(status, StatusError)


class HostError(TaskFailed):
    """The host adapter or transport failed the command (a non-zero host byte,
    ``host_status``, a :class:`sgframe.host_status.HostStatus` when known)."""

    def _detail(self) -> str:
        from .host_status import host_status_text

        return "host status " + host_status_text(self.host_status) + _sense_tail(self.sense)


class CommandTimeout(HostError):
    """The command timed out: host byte DID_TIME_OUT, or driver byte DRIVER_TIMEOUT
    from kernels that still set one."""

    def _detail(self) -> str:
        from .host_status import DriverStatus, HostStatus, driver_status_text

        if self.host_status == HostStatus.DID_TIME_OUT or driver_code(self.driver_status) != DriverStatus.DRIVER_TIMEOUT:
            return super()._detail()
        return "driver status " + driver_status_text(self.driver_status) + _sense_tail(self.sense)


class DriverError(TaskFailed):
    """The kernel driver failed the command (a driver byte other than DRIVER_OK or
    DRIVER_SENSE)."""

    def _detail(self) -> str:
        from .host_status import driver_status_text

        return "driver status " + driver_status_text(self.driver_status) + _sense_tail(self.sense)


class DeviceGone(TaskFailed):
    """The device went away (ENODEV or ENXIO from the node, or POLLHUP while commands
    were pending); nothing more will complete on it."""

    def __init__(self, message: Optional[str] = None, *, command: Optional[str] = None,
                 device: Optional[str] = None, errno: Optional[int] = None, **kwargs: Any) -> None:
        self.errno = errno
        super().__init__(message, command=command, device=device, **kwargs)

    def _detail(self) -> str:
        text = "the device is gone"
        if self.errno is not None:
            text += " (%s)" % _errno.errorcode.get(self.errno, str(self.errno))
        return text


class DeviceOpenError(SgframeError, OSError):
    """Opening a device node failed. ``errno`` and ``filename`` are those of the
    OSError; ``str()`` says what happened and what to do about it."""

    def __str__(self) -> str:
        return str(self.strerror)


class ResetFailed(SgframeError, OSError):
    """SG_SCSI_RESET failed after the node opened: ``errno`` says why, ``str()`` which reset
    and what that errno means there (sg_reset: "may not be available")."""

    def __str__(self) -> str:
        return str(self.strerror)


class DevicePermissionError(DeviceOpenError, PermissionError):
    """EACCES/EPERM: the user may not open the node."""


class DeviceNodeMissing(DeviceOpenError, FileNotFoundError):
    """ENOENT: there is no such node."""


class NoSuchDevice(DeviceOpenError):
    """ENXIO/ENODEV: the node exists but no device is behind it."""


class WrongNodeType(DeviceOpenError):
    """The path is not a SCSI generic or bsg character device."""


class DeviceBusy(DeviceOpenError):
    """EBUSY: someone holds the device open exclusively (O_EXCL)."""


_ADVICE = {
    _errno.EACCES: (DevicePermissionError, "permission denied",
                    "run as root, or add the user to the group that owns the node "
                    "(usually 'disk': usermod -aG disk USER, then log in again)"),
    _errno.ENOENT: (DeviceNodeMissing, "no such device node",
                    "list the SCSI generic nodes with 'lsscsi -g' or 'ls /dev/sg* /dev/bsg'; "
                    "if there are none, load the driver with 'modprobe sg'"),
    _errno.ENXIO: (NoSuchDevice, "no device behind this node",
                   "the device was removed or is offline; check 'lsscsi -g' and the kernel log"),
    _errno.EBUSY: (DeviceBusy, "the device is busy",
                   "another program has it open with O_EXCL; close it or open without exclusive access"),
    _errno.ENOTTY: (WrongNodeType, "not a SCSI generic device node",
                    "use a /dev/sgN or /dev/bsg/H:C:T:L character device"),
}
_ADVICE[_errno.EPERM] = _ADVICE[_errno.EACCES]
_ADVICE[_errno.ENODEV] = _ADVICE[_errno.ENXIO]
for _e in (_errno.EISDIR, _errno.ENOTDIR, _errno.EINVAL, _errno.ENOTBLK):
    _ADVICE[_e] = _ADVICE[_errno.ENOTTY]


def for_errno(exc: OSError, path: str) -> DeviceOpenError:
    """A :class:`DeviceOpenError` for an OSError from opening (or first probing) ``path``,
    with a message that says what to do; the caller raises it ``from exc``.

    :param exc: the OSError from ``os.open`` or the first ioctl on the new descriptor
    :param path: the node that was being opened
    """
    code = exc.errno
    name = _errno.errorcode.get(code, str(code)) if code is not None else "no errno"
    entry = _ADVICE.get(code) if code is not None else None
    if entry is None:
        what = exc.strerror or str(exc)
        return DeviceOpenError(code, "cannot open %s: %s (%s)" % (path, what, name), path)
    cls, what, todo = entry
    return cls(code, "cannot open %s: %s (%s); %s" % (path, what, name, todo), path)
