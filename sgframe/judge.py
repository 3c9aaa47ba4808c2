"""Judging a completion: what the device said, what the caller expected, who is told.

After a transport fills in an Io's header, :func:`judge` decides the Io's outcome:

1. The device's verdict (:func:`device_verdict`): :func:`sgframe.errors.exception_for`
   maps status, host byte, driver byte and sense data to an exception (or None).
   RECOVERED ERROR and COMPLETED mean the command did what it was asked: they count as
   success unless a ``recovered_error_policy`` of ``"raise"`` is set on the Io, the
   channel or the reactor (the first one set wins); the sense stays on the Io
   (``io.sense``, :func:`informational`) for whoever looks.
2. Verification: by default a failure stands. A ``verify_handler`` replaces that: it is
   called with the Io (``io.exception`` holds the device's verdict) and decides. It
   returns normally to accept the outcome (a failure it expected becomes success) and
   raises to reject it (see :mod:`sgframe.handler`).
3. Observers: the command's handlers, then the channel's, then the reactor's, each
   called with the Io, which has returned by then (``io.returned`` is True) and holds the
   verdict so far in ``io.exception``. One that raises does not stop the others, the
   reactor or any other command: its exception becomes the Io's outcome.

A vanished device: while Linux deletes a SCSI device, commands that reach the midlayer
complete with host byte DID_NO_CONNECT (scsi_lib.c, the device is no longer running),
before the sg fd reports POLLHUP. Those are the same event as the POLLHUP the channel
turns into :class:`~sgframe.errors.DeviceGone`, so they are judged DeviceGone too.

A host byte of DID_ABORT beside a device status (CHECK CONDITION with sense, TASK SET
FULL ...) is judged by the device's status: see :func:`_raw_verdict`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

from . import errors
from .status import HostStatus, ScsiStatus, host_status_text

if TYPE_CHECKING:
    from .io import Io

__all__ = ["device_verdict", "informational", "judge"]

#: Set by :mod:`sgframe.plugins` while a plugin implements ``sgframe_judge_response``:
#: ``plugin_hook(io, outcome)`` returns the outcome the plugins settle on. None keeps
#: the completion path free of plugin calls.
plugin_hook: Optional[Callable[[Io, Optional[BaseException]], Optional[BaseException]]] = None

_NO_CONNECT = HostStatus.DID_NO_CONNECT
_ABORT = HostStatus.DID_ABORT
_CHECK_CONDITION = ScsiStatus.CHECK_CONDITION


def _raw_verdict(io: Io) -> Optional[errors.TaskFailed]:
    hdr = io.hdr
    channel = io.channel
    device = channel.name if channel is not None else None
    if hdr.host_status == _NO_CONNECT:
        return errors.DeviceGone(
            f"{io.command.NAME} on {device}: the device is gone "
            f"(host status {host_status_text(_NO_CONNECT)})",
            command=io.command.NAME, device=device, status=hdr.status,
            host_status=hdr.host_status, driver_status=hdr.driver_status, sense=hdr.sense or None,
        )
    if hdr.host_status == _ABORT and hdr.status and (hdr.sense or hdr.status != _CHECK_CONDITION):
        # The device answered, and the host byte only says the command ended early:
        # Linux HBAs report protection information errors as DID_ABORT with CHECK
        # CONDITION and the sense they built (ABORTED COMMAND or ILLEGAL REQUEST 10h/xx),
        # and scsi_debug returns TASK SET FULL with DID_ABORT. The device's answer is the
        # precise one; the host byte stays on the exception and in its message.
        failure = errors.exception_for(hdr.status, 0, hdr.driver_status, hdr.sense or None,
                                       command=io.command.NAME, device=device)
        if failure is not None:
            failure.host_status = HostStatus.DID_ABORT
            failure.args = (f"{failure}; host status {host_status_text(_ABORT)}",)
            return failure
    return errors.exception_for(
        hdr.status, hdr.host_status, hdr.driver_status, hdr.sense or None,
        command=io.command.NAME, device=device,
    )


def device_verdict(io: Io) -> Optional[errors.TaskFailed]:
    """What the completion header says, as an exception (None for success)."""
    hdr = io.hdr
    if not (hdr.status or hdr.host_status or hdr.driver_status or hdr.sense):
        return None  # the hot path: GOOD, nothing else to look at
    failure = _raw_verdict(io)
    if failure is not None and failure.informational and not _raise_recovered(io):
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


def _raise_recovered(io: Io) -> bool:
    channel = io.channel
    for owner in (io, channel, channel.reactor if channel is not None else None):
        policy = getattr(owner, "recovered_error_policy", None) if owner is not None else None
        if policy is not None:
            return policy == "raise"
    return False


def judge(io: Io) -> Optional[BaseException]:
    """The outcome of a completed Io: None for success, else the exception to raise."""
    outcome: Optional[BaseException] = device_verdict(io)
    verify = io.verify_handler
    if verify is not None:
        io.exception = outcome
        try:
            verify(io)
            outcome = None
        except Exception as rejected:  # noqa: BLE001 - any verdict a handler raises is the outcome
            outcome = rejected
    handlers = io.handlers
    channel = io.channel
    if channel is not None and (channel.handlers or channel.reactor.handlers):
        handlers = (*handlers, *channel.handlers, *channel.reactor.handlers)
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
