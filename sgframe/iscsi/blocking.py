"""A small blocking initiator: one socket, one :class:`~sgframe.iscsi.session.Session`.

For tests, scripts and the command line; the reactor and asyncio drive the same
Session without this module. Every wait has a timeout: a target that stops answering
raises :class:`IscsiTimeout` after ``timeout`` seconds, the connection is closed and
every command still outstanding fails with :class:`ConnectionLost`.

    with BlockingSession("iscsi://127.0.0.1:3260/iqn.2026-12.test:disk1/1") as s:
        done = s.execute(bytes.fromhex("120000006000"), data_in_length=96)
        print(done.status, done.data[:36])
"""
from __future__ import annotations

import socket
import time
from typing import Any, Dict, List, Optional, Tuple, Union

from .errors import IscsiTimeout, LocalProtocolError, TargetUnreachable
from .events import (
    CommandCompleted, CommandFailed, ConnectionClosed, Event, LoginCompleted, LogoutCompleted,
    PingReplied, TaskManagementCompleted, TextCompleted,
)
from .session import PduHook, Session, State
from .uri import IscsiUrl, parse_url

__all__ = ["BlockingSession", "discover"]

_ENDING = (CommandCompleted, CommandFailed, TaskManagementCompleted, TextCompleted, PingReplied)


class BlockingSession:
    """Connect, log in, run commands one at a time (or several with submit/wait).

    :param url: an iSCSI URI or a parsed :class:`IscsiUrl`; a portal URI (no target)
        makes a Discovery session.
    :param timeout: seconds to wait for the connection and for each answer.
    :param hook: a PDU hook (:data:`~sgframe.iscsi.session.PduHook`).
    :param offer: operational keys to offer instead of the defaults.
    """

    def __init__(self, url: Union[str, IscsiUrl], *, timeout: float = 10.0,
                 hook: Optional[PduHook] = None, offer: Optional[Dict[str, Any]] = None,
                 **session_options: Any) -> None:
        self.url = url if isinstance(url, IscsiUrl) else parse_url(url, require_lun=False)
        self.timeout = timeout
        self.session = Session(self.url, hook=hook, offer=offer, **session_options)
        self.sock: Optional[socket.socket] = None
        #: events that end nothing we wait for (async messages, rejects), in order
        self.events: List[Event] = []
        self._ended: Dict[int, Event] = {}
        self._closed: Optional[ConnectionClosed] = None
        self.login: Optional[LoginCompleted] = None

    # --- connection ------------------------------------------------------------------

    def connect(self) -> LoginCompleted:
        """Open the TCP connection and log in; raises on refusal or failed login."""
        try:
            self.sock = socket.create_connection((self.url.host, self.url.port), timeout=self.timeout)
        except OSError as exc:
            raise TargetUnreachable("cannot connect to %s: %s" % (self.url.portal, exc)) from exc
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.session.start_login()
            self._flush()
            while self.login is None:
                self._read()
        except BaseException:
            self.close()
            raise
        return self.login

    def reconnect(self) -> LoginCompleted:
        """Log in again after the connection was lost or closed (session reinstatement:
        same ISID, a new connection); commands that were outstanding have already failed."""
        self.close()
        self.session = self.session.successor()
        self._ended.clear()
        self._closed = None
        self.login = None
        return self.connect()

    def close(self) -> None:
        """Close the socket (no logout); outstanding commands fail."""
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.session.state is not State.LOGGED_OUT:
            self.session.connection_lost(ConnectionAbortedError("the initiator closed the connection"))
        else:
            self.session.connection_lost(None)
        self._collect()

    def __enter__(self) -> "BlockingSession":
        if self.sock is None:
            self.connect()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.sock is not None and self.session.state is State.FULL_FEATURE and exc[0] is None:
            self.logout()
        self.close()

    # --- commands ------------------------------------------------------------------

    def submit(self, cdb: bytes, data_out: bytes = b"", data_in_length: int = 0,
               lun: Optional[int] = None) -> int:
        tag = self.session.submit(cdb, data_out=data_out, data_in_length=data_in_length, lun=lun)
        self._collect()
        self._flush()
        return tag

    def wait(self, tag: int) -> Event:
        """The event that ends ``tag`` (a completion, a failure, a TMF or text answer)."""
        deadline = time.monotonic() + self.timeout
        while tag not in self._ended:
            self._read(deadline)
        return self._ended.pop(tag)

    def execute(self, cdb: bytes, data_out: bytes = b"", data_in_length: int = 0,
                lun: Optional[int] = None) -> CommandCompleted:
        """Run one command; the completion (whatever its status), or the exception of a
        command that got none (ConnectionLost, CommandAborted, CommandRejected)."""
        event = self.wait(self.submit(cdb, data_out, data_in_length, lun))
        if isinstance(event, CommandFailed):
            raise event.error
        assert isinstance(event, CommandCompleted)
        return event

    def task_management(self, function: int, *, lun: Optional[int] = None,
                        referenced_tag: Optional[int] = None) -> TaskManagementCompleted:
        tag = self.session.task_management(function, lun=lun, referenced_tag=referenced_tag)
        self._collect()
        self._flush()
        event = self.wait(tag)
        if isinstance(event, CommandFailed):
            raise event.error
        return event  # type: ignore[return-value]

    def ping(self, data: bytes = b"") -> PingReplied:
        tag = self.session.ping(data)
        self._flush()
        event = self.wait(tag)
        if isinstance(event, CommandFailed):
            raise event.error
        return event  # type: ignore[return-value]

    def send_targets(self, which: str = "All") -> List[Tuple[str, List[str]]]:
        """SendTargets: [(target name, [address, ...]), ...]."""
        tag = self.session.send_targets(which)
        self._flush()
        event = self.wait(tag)
        if isinstance(event, CommandFailed):
            raise event.error
        assert isinstance(event, TextCompleted)
        return event.targets()

    def logout(self) -> LogoutCompleted:
        """Log out and close the connection."""
        self.session.logout()
        self._flush()
        deadline = time.monotonic() + self.timeout
        try:
            while True:
                for event in self.events:
                    if isinstance(event, LogoutCompleted):
                        self.events.remove(event)
                        return event
                self._read(deadline)
        finally:
            self.close()

    # --- the loop ------------------------------------------------------------------

    def _flush(self) -> None:
        data = self.session.data_to_send()
        if data and self.sock is not None:
            try:
                self.sock.sendall(data)
            except OSError as exc:
                self._lost(exc)

    def _read(self, deadline: Optional[float] = None) -> None:
        if self._closed is not None:
            self._raise_closed()
        if self.sock is None:
            raise LocalProtocolError("not connected")
        remaining = self.timeout if deadline is None else deadline - time.monotonic()
        if remaining <= 0:
            self._timed_out()
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(1 << 18)
        except socket.timeout:
            self._timed_out()
        except OSError as exc:
            self._lost(exc)
            data = b""
        self.session.receive_data(data)
        self._collect()
        self._flush()
        if self._closed is not None and self.login is None:
            self._raise_closed()

    def _timed_out(self) -> None:
        error = IscsiTimeout("%s did not answer within %g s; connection closed" % (
            self.url.portal, self.timeout))
        self._lost(error)
        raise error

    def _lost(self, error: BaseException) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        self.session.connection_lost(error)
        self._collect()

    def _raise_closed(self) -> None:
        assert self._closed is not None
        error = self._closed.error
        if error is None:
            raise LocalProtocolError("the session is closed")
        raise error

    def _collect(self) -> None:
        for event in self.session.next_events():
            if isinstance(event, _ENDING):
                self._ended[event.tag] = event  # type: ignore[attr-defined]
            elif isinstance(event, LoginCompleted):
                self.login = event
            elif isinstance(event, ConnectionClosed):
                self._closed = event
                if self.sock is not None:
                    self.sock.close()
                    self.sock = None
            else:
                self.events.append(event)


def discover(portal: Union[str, IscsiUrl], *, timeout: float = 10.0) -> List[Tuple[str, List[str]]]:
    """SendTargets=All on a portal: [(target name, [address, ...]), ...]."""
    url = portal if isinstance(portal, IscsiUrl) else parse_url(portal, require_lun=False)
    if url.target is not None:
        import attrs
        url = attrs.evolve(url, target=None, lun=None)
    with BlockingSession(url, timeout=timeout) as session:
        return session.send_targets("All")
