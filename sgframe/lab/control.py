"""Faults on cue for a lab served by another process: a control socket.

A test that started ``sgframe lab serve`` as a separate process cannot call the emulator's
methods; it writes requests to the server's control socket instead (``sgframe lab serve
--control PATH``, or ``sgframe lab fault`` from a shell).  The socket is a Unix stream
socket, mode 0600 (the server runs as root: only root may steer it).  The protocol is one
JSON object per line each way::

    {"fault": "medium_error", "device": 0, "lba": 1000, "count": 2}
    -> {"ok": true}
    {"fault": "frobnicate"}
    -> {"ok": false, "error": "unknown fault 'frobnicate'; known: busy, clear, ..."}

``device`` is the index of the served device (the order of the URIs; 0 by default).  The
faults, and what the kernel's initiator then sees:

===================== =================================== ==============================================
fault                 fields                              effect
===================== =================================== ==============================================
``medium_error``      ``lba``, ``count`` (1)              READ/VERIFY of those blocks: MEDIUM ERROR 11h/00h
``unit_attention``    ``asc``, ``ascq``                   the next command: UNIT ATTENTION asc/ascq
``busy``              ``opcode`` (any), ``count`` (1)     status BUSY (the mid-layer retries it)
``task_set_full``     ``opcode`` (any), ``count`` (1)     status TASK SET FULL (likewise)
``check_condition``   ``key``, ``asc``, ``ascq``,         CHECK CONDITION with that sense
                      ``opcode`` (any), ``count`` (1)
``delay``             ``seconds``, ``opcode``, ``count``  answered that late; other commands go on
``drop``              ``opcode`` (any), ``count`` (1)     never answered: the backstore's cmd_time_out
``clear``                                                 withdraws every fault not yet consumed
``status``                                                ``{"completed", "dropped", "pending"}``
===================== =================================== ==============================================

Requests run on the lab's reactor thread, between two looks at the ring, so a fault is in
place for the very next command the kernel sends after the answer arrives.
"""
from __future__ import annotations

import json
import logging
import os
import socket
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Union

from sgframe.errors import UsageError

__all__ = ["ControlServer", "request", "FAULTS"]

_log = logging.getLogger("sgframe.lab")
#: A request line longer than this is refused (and the connection closed).
_MAX_LINE = 4096
BUSY, TASK_SET_FULL = 0x08, 0x28


def _int(fields: Dict[str, Any], name: str, low: int, high: int, default: Optional[int] = None) -> int:
    value = fields.get(name, default)
    if value is None:
        raise UsageError(f"{fields.get('fault')}: the field {name!r} is required")
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UsageError(f"{fields.get('fault')}: {name} must be an integer {low}..{high}, not {value!r}")
    return value


def _opcode(fields: Dict[str, Any]) -> Optional[int]:
    return None if fields.get("opcode") is None else _int(fields, "opcode", 0, 0xFF)


def _count(fields: Dict[str, Any]) -> int:
    return _int(fields, "count", 1, 1 << 20, 1)


def _medium_error(served: Any, fields: Dict[str, Any]) -> Dict[str, Any]:
    served.device.inject_medium_error(_int(fields, "lba", 0, 2**64 - 1), _count(fields))
    return {}


def _unit_attention(served: Any, fields: Dict[str, Any]) -> Dict[str, Any]:
    served.device.unit_attention(_int(fields, "asc", 0, 0xFF), _int(fields, "ascq", 0, 0xFF))
    return {}


def _status(status: int) -> Callable[[Any, Dict[str, Any]], Dict[str, Any]]:
    def inject(served: Any, fields: Dict[str, Any]) -> Dict[str, Any]:
        served.device.inject(_opcode(fields), status, count=_count(fields))
        return {}

    return inject


def _check_condition(served: Any, fields: Dict[str, Any]) -> Dict[str, Any]:
    sense = (_int(fields, "key", 0, 0x0F), _int(fields, "asc", 0, 0xFF), _int(fields, "ascq", 0, 0xFF))
    served.device.inject(_opcode(fields), sense=sense, count=_count(fields))
    return {}


def _delay(served: Any, fields: Dict[str, Any]) -> Dict[str, Any]:
    served.delay(fields.get("seconds"), _opcode(fields), _count(fields))
    return {}


def _drop(served: Any, fields: Dict[str, Any]) -> Dict[str, Any]:
    served.drop(_opcode(fields), _count(fields))
    return {}


def _clear(served: Any, fields: Dict[str, Any]) -> Dict[str, Any]:
    served.clear_faults()
    return {}


def _report(served: Any, fields: Dict[str, Any]) -> Dict[str, Any]:
    return {"completed": served.completed, "dropped": served.dropped, "pending": len(served.faults)}


#: fault name -> handler(served device, request fields) -> extra reply fields.
FAULTS: Dict[str, Callable[[Any, Dict[str, Any]], Dict[str, Any]]] = {
    "medium_error": _medium_error,
    "unit_attention": _unit_attention,
    "busy": _status(BUSY),
    "task_set_full": _status(TASK_SET_FULL),
    "check_condition": _check_condition,
    "delay": _delay,
    "drop": _drop,
    "clear": _clear,
    "status": _report,
}


def handle(served: List[Any], line: bytes) -> Dict[str, Any]:
    """One request line -> its reply (never raises for a bad request)."""
    try:
        fields = json.loads(line)
        if not isinstance(fields, dict):
            raise UsageError(f"a request is a JSON object, not {type(fields).__name__}")
        name = fields.get("fault")
        if name not in FAULTS:
            raise UsageError(f"unknown fault {name!r}; known: {', '.join(sorted(FAULTS))}")
        index = fields.get("device", 0)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(served):
            raise UsageError(f"device must be the index of a served device, 0..{len(served) - 1}, not {index!r}")
        reply = {"ok": True}
        reply.update(FAULTS[name](served[index], fields))
        return reply
    except (ValueError, TypeError, UsageError) as error:  # json's errors are ValueErrors
        return {"ok": False, "error": str(error)}


class ControlServer:
    """The control socket of a lab, served on the lab's reactor.

    :param path: where to bind the socket (an existing socket there is replaced).
    :param served: the lab's :class:`~sgframe.lab.serve.ServedDevice` list.
    :param reactor: the reactor to watch the sockets on.
    """

    def __init__(self, path: Union[str, Path], served: List[Any], reactor: Any) -> None:
        self.path = str(path)
        self._served = served
        self._reactor = reactor
        self._clients: Dict[int, Any] = {}
        if os.path.exists(self.path) and not os.path.isdir(self.path):
            os.unlink(self.path)  # a killed server's socket
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            self._listener.bind(self.path)
        finally:
            os.umask(old)
        self._listener.listen(8)
        self._listener.setblocking(False)
        reactor.register(self._listener.fileno(), self._accept, self._ignore)

    def close(self) -> None:
        for fd in list(self._clients):
            self._drop_client(fd)
        if self._listener.fileno() >= 0:
            self._reactor.unregister(self._listener.fileno())
            self._listener.close()
            try:
                os.unlink(self.path)
            except OSError:
                pass

    def _ignore(self, fd: int) -> int:
        return 0

    def _accept(self, fd: int) -> int:
        try:
            conn, _ = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return 0
        conn.setblocking(False)
        self._clients[conn.fileno()] = (conn, bytearray())
        self._reactor.register(conn.fileno(), self._readable, self._drop_client)
        return 0

    def _drop_client(self, fd: int) -> int:
        conn, _ = self._clients.pop(fd, (None, None))
        self._reactor.unregister(fd)
        if conn is not None:
            conn.close()
        return 0

    def _readable(self, fd: int) -> int:
        conn, pending = self._clients[fd]
        try:
            chunk = conn.recv(_MAX_LINE)
        except (BlockingIOError, InterruptedError):
            return 0
        except OSError:
            return self._drop_client(fd)
        if not chunk:
            return self._drop_client(fd)
        pending += chunk
        while b"\n" in pending:
            line, _, rest = bytes(pending).partition(b"\n")
            pending[:] = rest
            reply = handle(self._served, line)
            _log.info("lab control: %s -> %s", line.decode(errors="replace"), reply)
            try:
                # Replies are a few dozen bytes: the socket's buffer takes them at once.
                conn.send(json.dumps(reply).encode() + b"\n")
            except OSError:
                return self._drop_client(fd)
        if len(pending) > _MAX_LINE:
            return self._drop_client(fd)
        return 0


def request(path: Union[str, Path], fault: str, timeout: float = 10.0, **fields: Any) -> Dict[str, Any]:
    """Send one request to the control socket at ``path``; returns the reply.

    :raises UsageError: the server refused the request (its reason in the message).
    :raises OSError: no server listens at ``path``.
    """
    message = dict(fields, fault=fault)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        conn.connect(str(path))
        conn.sendall(json.dumps(message).encode() + b"\n")
        received = b""
        while not received.endswith(b"\n"):
            chunk = conn.recv(_MAX_LINE)
            if not chunk:
                raise OSError(f"lab control {path}: the server closed the connection without a reply")
            received += chunk
    reply = json.loads(received)
    if not reply.get("ok"):
        raise UsageError(f"lab control {path}: {reply.get('error')}")
    return reply
