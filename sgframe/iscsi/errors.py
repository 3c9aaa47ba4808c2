"""Exceptions of the iSCSI initiator, under sgframe's one root.

Whose fault it is, as in :mod:`sgframe.errors`: a bad URI or option is the caller's
(:class:`~sgframe.errors.UsageError`); a target that breaks RFC 7143 is the target's
(:class:`RemoteProtocolError`); a refused login says why in the target's own words
(:class:`LoginFailed`, with the Status-Class and Status-Detail of RFC 7143 11.13.5).
A command that never got a SCSI status fails with :class:`ConnectionLost` or
:class:`ServiceResponseError`, both :class:`~sgframe.errors.TaskFailed`, so a caller
that catches "the command failed" catches these too.
"""
from __future__ import annotations

from typing import Optional

from ..errors import CommandTimeout, SgframeError, TaskFailed, UsageError
from ..host_status import HostStatus

__all__ = [
    "AuthenticationFailed",
    "CommandAborted",
    "CommandTimedOut",
    "CommandRejected",
    "ConnectionLost",
    "IscsiError",
    "LocalProtocolError",
    "LoginFailed",
    "NegotiationFailed",
    "RemoteProtocolError",
    "ServiceResponseError",
    "IscsiTimeout",
    "TargetClosedConnection",
    "TargetUnreachable",
    "UsageError",
]


class IscsiError(SgframeError):
    """Root of the iSCSI-specific failures that are not a failed SCSI command."""


class RemoteProtocolError(IscsiError):
    """The target sent something RFC 7143 does not allow (garbage, a bad digest, a
    segment larger than we declared, an unknown opcode). The connection is unusable."""


class LocalProtocolError(IscsiError, UsageError):
    """The caller asked the state machine for something the protocol does not allow
    now (a command before login, a second login)."""


class TargetUnreachable(IscsiError, ConnectionError):
    """No TCP connection to the portal (refused, unreachable, timed out)."""


#: RFC 7143 11.13.5: Status-Class / Status-Detail of a Login Response.
LOGIN_STATUS = {
    (0x01, 0x01): "target moved temporarily",
    (0x01, 0x02): "target moved permanently",
    (0x02, 0x00): "initiator error",
    (0x02, 0x01): "authentication failure",
    (0x02, 0x02): "authorization failure",
    (0x02, 0x03): "target not found",
    (0x02, 0x04): "target removed",
    (0x02, 0x05): "unsupported version",
    (0x02, 0x06): "too many connections",
    (0x02, 0x07): "missing parameter",
    (0x02, 0x08): "can't include in session",
    (0x02, 0x09): "session type not supported",
    (0x02, 0x0A): "session does not exist",
    (0x02, 0x0B): "invalid during login",
    (0x03, 0x00): "target error",
    (0x03, 0x01): "service unavailable",
    (0x03, 0x02): "out of resources",
}


class TargetClosedConnection(IscsiError, ConnectionError):
    """The target closed the TCP connection without a logout (or during login)."""


class IscsiTimeout(IscsiError, TimeoutError):
    """The target did not answer in time; the driver closed the connection, so every
    command outstanding on it failed with :class:`ConnectionLost`."""


class LoginFailed(IscsiError):
    """The target refused the login. ``status_class`` and ``status_detail`` are the
    Login Response's; ``None`` when we gave up ourselves (see the message)."""

    def __init__(self, message: str, *, status_class: Optional[int] = None,
                 status_detail: Optional[int] = None) -> None:
        self.status_class = status_class
        self.status_detail = status_detail
        super().__init__(message)

    @classmethod
    def from_status(cls, status_class: int, status_detail: int, target: str) -> "LoginFailed":
        what = LOGIN_STATUS.get((status_class, status_detail), "status class %d" % status_class)
        sub = AuthenticationFailed if (status_class, status_detail) in ((2, 1), (2, 2)) else cls
        return sub("login to %s refused: %s (Status-Class %02Xh, Status-Detail %02Xh)"
                   % (target, what, status_class, status_detail),
                   status_class=status_class, status_detail=status_detail)


class AuthenticationFailed(LoginFailed):
    """CHAP failed: the target refused our response, or (mutual CHAP) the target's
    response to our challenge was wrong."""


class NegotiationFailed(LoginFailed):
    """The target answered a login key outside what RFC 7143's rules allow."""


class ConnectionLost(TaskFailed):
    """The connection closed or broke while the command was outstanding: no status came
    back, and whether the target ran the command is unknown (ERL 0 gives no recovery)."""

    def _detail(self) -> str:
        return "the iSCSI connection was lost before the command completed"


class ServiceResponseError(TaskFailed):
    """The target answered with iSCSI Response 01h (Target Failure) or another non-zero
    service response: the command did not complete at the target (RFC 7143 11.4.3)."""

    def __init__(self, message: Optional[str] = None, *, response: int = 1, **kwargs) -> None:
        self.response = response
        super().__init__(message, **kwargs)

    def _detail(self) -> str:
        return "iSCSI service response %02Xh (%s)" % (
            self.response, "target failure" if self.response == 1 else "reserved")


class CommandAborted(TaskFailed):
    """A task management function we sent (ABORT TASK, ABORT TASK SET, LOGICAL UNIT
    RESET, TARGET WARM RESET, ...) ended the command; it gets no status (RFC 7143 4.2.3)."""

    def __init__(self, message: Optional[str] = None, *, function: str = "", **kwargs) -> None:
        self.function = function
        super().__init__(message, **kwargs)

    def _detail(self) -> str:
        return "aborted by %s" % (self.function or "a task management function")


class CommandRejected(TaskFailed):
    """The target answered the command's PDU with a Reject (RFC 7143 11.17);
    ``reason`` is the Reject's reason code."""

    def __init__(self, message: Optional[str] = None, *, reason: int = 0, **kwargs) -> None:
        self.reason = reason
        super().__init__(message, **kwargs)

    def _detail(self) -> str:
        return "the target rejected the command's PDU (Reject reason %02Xh)" % self.reason


class CommandTimedOut(CommandTimeout):
    """The command's own timeout (``io.timeout``) passed with no answer. At
    ErrorRecoveryLevel 0 the initiator gives up on a task by dropping the connection, so
    the commands outstanding with it fail with :class:`ConnectionLost`. A
    :class:`~sgframe.errors.CommandTimeout` with host status DID_TIME_OUT, as sg reports
    a command the kernel timed out."""

    def __init__(self, message: Optional[str] = None, *, timeout: int = 0, **kwargs) -> None:
        self.timeout = timeout
        kwargs.setdefault("host_status", HostStatus.DID_TIME_OUT)
        super().__init__(message, **kwargs)

    def _detail(self) -> str:
        return ("no answer within %d ms; the iSCSI connection was dropped (ErrorRecoveryLevel 0)"
                % self.timeout)
