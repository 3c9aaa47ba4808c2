"""iSCSI initiator (RFC 7143): URI parsing, PDUs, a sans-IO session, a blocking driver.

Layers, each importing only those before it: ``errors``, ``digest``, ``text``,
``_compile`` -> ``pdu`` -> ``framing``; ``chap``, ``negotiation`` -> ``login``; ``uri``;
``task``, ``events`` -> ``session`` (the state machine, no socket) -> ``blocking`` (a
socket). Nothing here imports the channel, the reactor or a transport.

Driving a :class:`Session` from a transport (the reactor owns the socket's fd)::

    session = Session(parse_url(uri))           # or session.successor() to log in again
    session.start_login(); send(session.data_to_send())
    # socket readable:
    session.receive_data(sock.recv(n))          # b"" on EOF; connection_lost(exc) on error
    for event in session.next_events():         # LoginCompleted, CommandCompleted,
        ...                                     # CommandFailed, ConnectionClosed, ...
    send(session.data_to_send())                # R2T answers, NOP-Out replies, queued commands
    # submit: tag = session.submit(cdb, data_out=..., data_in_length=..., lun=...)
    #         then send(session.data_to_send()); the tag comes back on CommandCompleted
    #         (status, sense, data, residual, service response) or CommandFailed (.error);
    #         error_for(event) gives the exception sg would raise for the same completion.
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
