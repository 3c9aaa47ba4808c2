"""Judging a completion: what the device said, what the caller expected, who is told.

After a transport fills in an Io's header, :func:`judge` decides the Io's outcome:

1. The device's verdict: :func:`sgframe.errors.exception_for` maps status, host byte,
   driver byte and sense data to an exception (or None). RECOVERED ERROR means the
   command succeeded after the device recovered: it counts as success unless a policy
   says otherwise, and the sense stays on the Io for whoever looks.
2. Verification: by default a failure stands. A ``verify_handler`` replaces that: it is
   called with the Io (``io.exception`` holds the device's verdict) and decides. It
   returns normally to accept the outcome (a failure it expected becomes success) and
   raises to reject it.
3. Observers: the command's handlers, then the channel's, then the reactor's, each
   called with the Io. They see the final verdict. One that raises does not stop the
   others or the reactor: its exception becomes the Io's outcome.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import errors

if TYPE_CHECKING:
    from .io import Io

__all__ = ["judge", "device_verdict"]


def device_verdict(io: Io) -> errors.TaskFailed | None:
    """What the completion header says, as an exception (None for success)."""
    hdr = io.hdr
    if not (hdr.status or hdr.host_status or hdr.driver_status or hdr.sense):
        return None  # the hot path: GOOD, nothing else to look at
    channel = io.channel
    failure = errors.exception_for(
        hdr.status, hdr.host_status, hdr.driver_status, hdr.sense or None,
        command=io.command.NAME, device=channel.name if channel is not None else None,
    )
    if failure is not None and failure.informational and not _raise_recovered(io):
        return None
    return failure


def _raise_recovered(io: Io) -> bool:
    for owner in (io, io.channel, io.channel.reactor if io.channel is not None else None):
        policy = getattr(owner, "recovered_error_policy", None) if owner is not None else None
        if policy is not None:
            return policy == "raise"
    return False


def judge(io: Io) -> BaseException | None:
    """The outcome of a completed Io: None for success, else the exception to raise."""
    outcome: BaseException | None = device_verdict(io)
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
    if channel is not None:
        handlers = (*handlers, *channel.handlers, *channel.reactor.handlers)
    if handlers:
        io.exception = outcome
        for handler in handlers:
            try:
                handler(io)
            except Exception as raised:  # noqa: BLE001 - see the module docstring
                outcome = raised
                io.exception = raised
    return outcome
