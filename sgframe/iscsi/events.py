"""What the session state machine hands back: one record per thing that happened.

:meth:`Session.next_events` returns these in the order they happened. Records are
frozen attrs classes with ``to_dict()``; tags are the Initiator Task Tags that
:meth:`Session.submit` and friends returned.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import attrs

from ..judge import exception_for
from .errors import ServiceResponseError
from .negotiation import Parameters

__all__ = [
    "AsyncMessageReceived", "CommandCompleted", "CommandFailed", "ConnectionClosed", "Event",
    "LoginCompleted", "LogoutCompleted", "PingReplied", "Rejected", "TaskManagementCompleted",
    "TextCompleted", "error_for",
]


class Event:
    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"event": type(self).__name__}
        for name, value in attrs.asdict(self, recurse=False).items():
            if isinstance(value, (bytes, bytearray, memoryview)):
                value = bytes(value).hex()
            elif isinstance(value, Parameters):
                value = value.to_dict()
            elif isinstance(value, BaseException):
                value = str(value)
            out[name] = value
        return out


@attrs.frozen
class LoginCompleted(Event):
    """Full feature phase reached. ``tsih`` is the session handle the target assigned."""

    parameters: Parameters
    tsih: int
    target_alias: str = ""


@attrs.frozen
class CommandCompleted(Event):
    """A SCSI command got its answer (RFC 7143 11.4).

    :param tag: the command's Initiator Task Tag.
    :param response: the iSCSI service response: 0 "command completed at target", 1
        "target failure" (then ``status`` means nothing).
    :param status: the SCSI status byte (00h GOOD, 02h CHECK CONDITION, ...).
    :param sense: sense data without the 2-byte SenseLength prefix (empty when none).
    :param data: the Data-In bytes received (``data_in_length`` at most); a memoryview of
        the caller's buffer when the command was submitted with ``data_in_buffer``.
    :param residual_count: the Residual Count; see ``underflow`` / ``overflow``.
    :param underflow: U bit: the target moved ``residual_count`` bytes fewer than the
        Expected Data Transfer Length.
    :param overflow: O bit: the command wanted ``residual_count`` bytes more.
    """

    tag: int
    response: int
    status: int
    sense: bytes = b""
    data: bytes = b""
    residual_count: int = 0
    underflow: bool = False
    overflow: bool = False


@attrs.frozen
class CommandFailed(Event):
    """A command that will get no status: the connection was lost or broke, the target
    rejected the PDU, or a task management function aborted it. ``error`` is the
    exception to raise for it."""

    tag: int
    error: BaseException


@attrs.frozen
class TaskManagementCompleted(Event):
    """A Task Management Function Response; ``response`` is a :class:`TmfResponse`."""

    tag: int
    function: int
    response: int


@attrs.frozen
class TextCompleted(Event):
    """A Text Request's whole answer (for SendTargets: TargetName / TargetAddress pairs)."""

    tag: int
    pairs: Tuple[Tuple[str, str], ...]

    def targets(self) -> List[Tuple[str, List[str]]]:
        """SendTargets answer as (target name, [addresses]) in the order received."""
        out: List[Tuple[str, List[str]]] = []
        for key, value in self.pairs:
            if key == "TargetName":
                out.append((value, []))
            elif key == "TargetAddress" and out:
                out[-1][1].append(value)
        return out


@attrs.frozen
class PingReplied(Event):
    """The NOP-In answering our NOP-Out ``tag``; ``data`` is the echoed ping data."""

    tag: int
    data: bytes = b""


@attrs.frozen
class AsyncMessageReceived(Event):
    """An Asynchronous Message (RFC 7143 11.9); ``async_event`` is an
    :class:`AsyncEvent`. For a SCSI asynchronous event, ``sense`` holds the sense data;
    for LOGOUT_REQUESTED, ``parameter3`` is the seconds within which to log out."""

    async_event: int
    lun: int
    sense: bytes = b""
    async_vcode: int = 0
    parameter1: int = 0
    parameter2: int = 0
    parameter3: int = 0


@attrs.frozen
class Rejected(Event):
    """The target rejected one of our PDUs (RFC 7143 11.17). ``tag`` is the rejected
    PDU's Initiator Task Tag (FFFFFFFFh when it had none), ``opcode`` its opcode."""

    reason: int
    tag: int
    opcode: int
    header: bytes = b""


@attrs.frozen
class LogoutCompleted(Event):
    """The Logout Response: ``response`` 0 is success (RFC 7143 11.15.1)."""

    response: int
    time2wait: int = 0
    time2retain: int = 0


@attrs.frozen
class ConnectionClosed(Event):
    """The connection is finished: ``error`` is None after a clean logout or EOF, or the
    exception that broke it (a :class:`RemoteProtocolError`, an OSError)."""

    error: Optional[BaseException] = None


def error_for(event: Event, *, command: Optional[str] = None,
              device: Optional[str] = None) -> Optional[BaseException]:
    """The exception an ending event calls for, or None when the command succeeded.

    A non-zero service response is :class:`ServiceResponseError`; otherwise the status
    and sense go through :func:`sgframe.judge.exception_for`, so a CHECK CONDITION over
    iSCSI raises what it raises over sg. A :class:`CommandFailed` gives its own error.
    """
    if isinstance(event, CommandFailed):
        return event.error
    if isinstance(event, CommandCompleted):
        if event.response != 0:
            return ServiceResponseError(response=event.response, command=command, device=device)
        return exception_for(event.status, sense=event.sense or None, command=command, device=device)
    return None
