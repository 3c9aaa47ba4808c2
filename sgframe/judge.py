"""Judging a completion: what the device said, what the caller expected, who is told.

After a transport fills in an Io's header, :func:`judge` decides the Io's outcome:

1. The device's verdict (:func:`device_verdict`): :func:`exception_for` maps status,
   host byte, driver byte and sense data to an exception (or None). RECOVERED ERROR and
   COMPLETED mean the command did what it was asked: they count as success unless a
   ``recovered_error_policy`` of ``"raise"`` is set on the Io or on one of the scopes
   judging is given (the channel, then the reactor; the first one set wins); the sense
   stays on the Io (``io.sense``, :func:`informational`) for whoever looks.
2. Verification: by default a failure stands. A ``verify_handler`` replaces that: it is
   called with the Io (``io.exception`` holds the device's verdict) and decides. It
   returns normally to accept the outcome (a failure it expected becomes success) and
   raises to reject it (see :mod:`sgframe.handler`).
3. Observers: the command's handlers, then each scope's (the channel's, then the
   reactor's), each called with the Io, which has returned by then (``io.returned`` is
   True) and holds the verdict so far in ``io.exception``. One that raises does not stop
   the others, the reactor or any other command: its exception becomes the Io's outcome.
4. Plugins: when a plugin implements ``sgframe_judge_response``, the manager hands its
   hook in as ``plugin_hook`` and it has the last word.

Everything judging needs arrives as an argument: this module knows Ios, sense data and
exceptions, and nothing above them.

A vanished device: while Linux deletes a SCSI device, commands that reach the midlayer
complete with host byte DID_NO_CONNECT (scsi_lib.c, the device is no longer running),
before the sg fd reports POLLHUP. Those are the same event as the POLLHUP the channel
turns into :class:`~sgframe.errors.DeviceGone`, so they are judged DeviceGone too.

A host byte of DID_ABORT beside a device status (CHECK CONDITION with sense, TASK SET
FULL ...) is judged by the device's status: see :func:`_raw_verdict`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol, Sequence, Type, Union

from . import errors
from .status import ScsiStatus, driver_code, is_good_status

if TYPE_CHECKING:
    from .io import Io
    from .sense import Sense

__all__ = ["PluginHook", "Scope", "device_verdict", "exception_for", "informational", "judge"]

#: ``plugin_hook(io, outcome)`` returns the outcome the plugins settle on.
PluginHook = Callable[["Io", Optional[BaseException]], Optional[BaseException]]


class Scope(Protocol):
    """Where handlers and policies for many Ios are set: a channel or a reactor."""

    handlers: Sequence[Callable[[Io], Any]]
    recovered_error_policy: Optional[str]
    retry_policy: Any


_CHECK_CONDITION = ScsiStatus.CHECK_CONDITION


def _decoded(sense: Union[Sense, bytes, bytearray, memoryview, None]) -> Optional[Sense]:
    if isinstance(sense, (bytes, bytearray, memoryview)):
        if not len(sense):
            return None
        # Imported at the first sense data seen: a run whose commands all succeed (the
        # command line's common case) never loads the sense decoders and their tables.
        from .sense import decode_sense

        return decode_sense(bytes(sense))
    return sense


def exception_for(status: int, host_status: int = 0, driver_status: int = 0,
                  sense: Union[Sense, bytes, None] = None, *, command: Optional[str] = None,
                  device: Optional[str] = None) -> Optional[errors.TaskFailed]:
    """The exception a completion calls for, or ``None`` when the command succeeded.

    Precedence: a non-zero host byte first (the device may never have seen the command,
    so its status means little), then a driver byte other than DRIVER_OK/DRIVER_SENSE
    (DRIVER_SENSE only says sense data came back), then the status, and for CHECK
    CONDITION the sense key. RECOVERED ERROR and COMPLETED give an instance whose class
    has ``informational = True``; whether to raise it is the caller's policy.

    :param status: the SCSI status byte (not sg's ``masked_status``)
    :param host_status: the Linux host byte (``DID_*``)
    :param driver_status: the Linux driver byte (``DRIVER_*``, suggest bits allowed)
    :param sense: sense bytes (cut to the length returned) or a decoded :class:`Sense`
    :param command: the command's T10 name, for the message
    :param device: the device path, for the message
    """
    decoded = _decoded(sense)
    common = dict(command=command, device=device, status=status, host_status=host_status,
                  driver_status=driver_status, sense=decoded)
    # The host and driver bytes are zero on nearly every completion: their enumerations
    # are imported only when one is not.
    if host_status:
        from .host_status import HostStatus

        cls: Type[errors.TaskFailed] = errors.CommandTimeout if host_status == HostStatus.DID_TIME_OUT else errors.HostError
        return cls(**common)
    if driver_status:
        from .host_status import DriverStatus

        code = driver_code(driver_status)
        if code not in (DriverStatus.DRIVER_OK, DriverStatus.DRIVER_SENSE):
            cls = errors.CommandTimeout if code == DriverStatus.DRIVER_TIMEOUT else errors.DriverError
            return cls(**common)
    if is_good_status(status):
        return None
    if status == ScsiStatus.CHECK_CONDITION:
        if decoded is None:
            return errors.CheckCondition(**common)
        return errors.check_condition_class(decoded.sense_key)(**common)
    return errors.status_class(status)(**common)


def _raw_verdict(io: Io) -> Optional[errors.TaskFailed]:
    hdr = io.hdr
    device = io.device
    if hdr.host_status:
        failure = _host_verdict(io)
        if failure is not None:
            return failure
    return exception_for(
        hdr.status, hdr.host_status, hdr.driver_status, hdr.sense or None,
        command=io.command.NAME, device=device,
    )


def _host_verdict(io: Io) -> Optional[errors.TaskFailed]:
    """The verdicts a host byte decides before the status does: the device is gone, or
    the host aborted a command the device had answered."""
    from .host_status import HostStatus, host_status_text

    hdr = io.hdr
    device = io.device
    no_connect, abort = HostStatus.DID_NO_CONNECT, HostStatus.DID_ABORT
    if hdr.host_status == no_connect:
        return errors.DeviceGone(
            f"{io.command.NAME} on {device}: the device is gone "
            f"(host status {host_status_text(no_connect)})",
            command=io.command.NAME, device=device, status=hdr.status,
            host_status=hdr.host_status, driver_status=hdr.driver_status, sense=_decoded(hdr.sense),
        )
    if hdr.host_status == abort and hdr.status and (hdr.sense or hdr.status != _CHECK_CONDITION):
        # The device answered, and the host byte only says the command ended early:
        # Linux HBAs report protection information errors as DID_ABORT with CHECK
        # CONDITION and the sense they built (ABORTED COMMAND or ILLEGAL REQUEST 10h/xx),
        # and scsi_debug returns TASK SET FULL with DID_ABORT. The device's answer is the
        # precise one; the host byte stays on the exception and in its message.
        failure = exception_for(hdr.status, 0, hdr.driver_status, hdr.sense or None,
                                       command=io.command.NAME, device=device)
        if failure is not None:
            failure.host_status = HostStatus.DID_ABORT
            failure.args = (f"{failure}; host status {host_status_text(abort)}",)
            return failure
    return None


def device_verdict(io: Io, scopes: Sequence[Scope] = ()) -> Optional[errors.TaskFailed]:
    """What the completion header says, as an exception (None for success).

    :param scopes: where a ``recovered_error_policy`` may be set besides the Io.
    """
    hdr = io.hdr
    if not (hdr.status or hdr.host_status or hdr.driver_status or hdr.sense):
        return None  # the hot path: GOOD, nothing else to look at
    failure = _raw_verdict(io)
    if failure is not None and failure.informational and not _raise_recovered(io, scopes):
        return None
    return failure


def informational(io: Io) -> Optional[errors.TaskFailed]:
    """The RECOVERED ERROR or COMPLETED a completed Io reported, or None.

    By default these count as success, so nothing raises them; this is how to see them.
    """
    if not io.hdr.sense:
        return None
    failure = _raw_verdict(io)
    return failure if failure is not None and failure.informational else None


def _raise_recovered(io: Io, scopes: Sequence[Scope]) -> bool:
    if io.recovered_error_policy is not None:
        return io.recovered_error_policy == "raise"
    for scope in scopes:
        policy = scope.recovered_error_policy
        if policy is not None:
            return policy == "raise"
    return False


def judge(io: Io, scopes: Sequence[Scope] = (), plugin_hook: Optional[PluginHook] = None) -> Optional[BaseException]:
    """The outcome of a completed Io: None for success, else the exception to raise.

    :param scopes: the channel and the reactor, in that order: their handlers run after
        the command's, and their ``recovered_error_policy`` applies when the Io sets none.
    :param plugin_hook: the plugins' ``sgframe_judge_response``, when one implements it.
    """
    outcome: Optional[BaseException] = device_verdict(io, scopes)
    verify = io.verify_handler
    if verify is not None:
        io.exception = outcome
        try:
            verify(io)
            outcome = None
        except Exception as rejected:  # noqa: BLE001 - any verdict a handler raises is the outcome
            outcome = rejected
    handlers = io.handlers
    for scope in scopes:
        if scope.handlers:
            handlers = (*handlers, *scope.handlers)
    if handlers:
        # Observers see a returned Io (its repr says so). The channel publishes the
        # outcome again when it finishes the Io; until then the reactor's lock is held.
        io.exception = outcome
        io.returned = True
        for handler in handlers:
            try:
                handler(io)
            except Exception as raised:  # noqa: BLE001 - see the module docstring
                outcome = raised
                io.exception = raised
    if plugin_hook is not None:
        io.exception = outcome
        io.returned = True
        outcome = plugin_hook(io, outcome)
    return outcome
