"""iSCSI initiator (RFC 7143): URI parsing, PDUs, a sans-IO session, a blocking driver.

Layers, each importing only those before it: ``errors``, ``digest``, ``text``,
``pdu`` -> ``framing``; ``chap``, ``negotiation`` -> ``login``; ``uri``; ``task``,
``events`` -> ``session`` (the state machine, no socket) -> ``blocking`` (a socket).
"""
from __future__ import annotations

from .errors import (
    AuthenticationFailed, CommandAborted, CommandRejected, ConnectionLost, IscsiError,
    IscsiTimeout, LocalProtocolError, LoginFailed, NegotiationFailed, RemoteProtocolError,
    ServiceResponseError, TargetClosedConnection, TargetUnreachable,
)
from .events import (
    AsyncMessageReceived, CommandCompleted, CommandFailed, ConnectionClosed, Event,
    LoginCompleted, LogoutCompleted, PingReplied, Rejected, TaskManagementCompleted,
    TextCompleted, error_for,
)
from .negotiation import Parameters
from .pdu import TmfFunction
from .session import DROP, Session, State
from .uri import IscsiUrl, parse_url

__all__ = [
    "AsyncMessageReceived", "AuthenticationFailed", "CommandAborted", "CommandCompleted",
    "CommandFailed", "CommandRejected", "ConnectionClosed", "ConnectionLost", "DROP", "Event",
    "IscsiError", "IscsiTimeout", "IscsiUrl", "LocalProtocolError", "LoginCompleted",
    "LoginFailed", "LogoutCompleted", "NegotiationFailed", "Parameters", "PingReplied",
    "Rejected", "RemoteProtocolError", "ServiceResponseError", "Session", "State",
    "TargetClosedConnection", "TargetUnreachable", "TaskManagementCompleted", "TextCompleted",
    "TmfFunction", "error_for", "parse_url",
]
