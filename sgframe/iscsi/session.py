"""The iSCSI session state machine, sans IO (the h11 way): bytes in, events and bytes out.

A :class:`Session` never touches a socket or a clock. Whoever owns the socket:

- calls :meth:`Session.start_login`, then sends :meth:`Session.data_to_send`;
- hands every received chunk to :meth:`Session.receive_data` (``b""`` on EOF) and
  collects :meth:`Session.next_events`, then sends :meth:`Session.data_to_send` again;
- submits commands with :meth:`Session.submit` (and :meth:`task_management`,
  :meth:`ping`, :meth:`text`, :meth:`logout`), each returning the Initiator Task Tag its
  completion event will carry;
- calls :meth:`Session.connection_lost` when the socket fails.

One connection per session (MaxConnections=1) and ErrorRecoveryLevel 0: any protocol
fault ends the connection, and every outstanding command fails at once with
:class:`ConnectionLost` (RFC 7143 7.1.5, session recovery is the caller's relogin).

Sequence numbers (RFC 7143 4.2.2): every non-immediate command takes the next CmdSN;
the target's ExpCmdSN and MaxCmdSN (serial numbers, RFC 1982) bound what may be sent:
a command goes out only while CmdSN <= MaxCmdSN, and no more SCSI commands are in flight
than the URI's queue depth. The rest wait in order and leave as answers open the window.
Immediate PDUs (task management, NOP-Out, logout) carry the current CmdSN without
taking it. ExpStatSN acknowledges the target's StatSN, which advances with every PDU
that carries a status (not with R2T, Data-In without status, or a NOP-In ping).
"""
from __future__ import annotations

import enum
import os
import struct
from collections import deque
from typing import Any, Callable, Deque, Dict, List, Optional, Sequence, Tuple, Union

import attrs

from .chap import ChapInitiator
from .errors import (
    CommandAborted, CommandRejected, ConnectionLost, LocalProtocolError, LoginFailed,
    RemoteProtocolError, TargetClosedConnection, UsageError,
)
from .events import (
    AsyncMessageReceived, CommandCompleted, CommandFailed, ConnectionClosed, Event,
    LoginCompleted, LogoutCompleted, PingReplied, Rejected, TaskManagementCompleted,
    TextCompleted,
)
from .framing import PduReader, encode_pdu, frame
from .login import Login
from .negotiation import KEYS, Parameters
from .pdu import (
    RESERVED_TAG, AsyncEvent, AsyncMessage, DataIn, LoginResponse, LogoutReason, LogoutRequest,
    LogoutResponse, NopIn, NopOut, Opcode, Pdu, R2T, Reject, ScsiCommand, ScsiResponse,
    TaskAttribute, TaskManagementRequest, TaskManagementResponse, TextRequest, TextResponse,
    TmfFunction, TmfResponse,
)
from .task import ScsiTask
from .text import decode_text, encode_text
from .uri import IscsiUrl

__all__ = ["DROP", "PduHook", "Session", "State", "encode_lun", "sn_lt"]

_MASK = 0xFFFFFFFF

# The hot path's BHS layouts (RFC 7143 11.3, 11.4, 11.7), one struct call each: what the
# declared PDU classes encode and decode, without building a PDU object per command.
# Tests hold the two paths equal (a hook sends every PDU through the classes).
#: SCSI Command: opcode, flags, TotalAHSLength and DataSegmentLength, LUN, ITT, EDTL,
#: CmdSN, ExpStatSN, CDB.
_SCSI_COMMAND = struct.Struct(">BBxxIQIIII16s")
_SCSI_COMMAND_OPCODE = int(Opcode.SCSI_COMMAND)
#: SCSI Response: flags, Response, Status, ITT, StatSN, ExpCmdSN, MaxCmdSN, Residual Count.
_SCSI_RESPONSE = struct.Struct(">xBBB12xI4xIII8xI")
#: Data-In: flags, Status, ITT, StatSN, ExpCmdSN, MaxCmdSN, DataSN, Buffer Offset,
#: Residual Count.
_DATA_IN = struct.Struct(">xBxB12xI4xIIIIII")

#: Returned by a PDU hook: do not send (or do not process) this PDU.
DROP: Any = type("Drop", (), {"__repr__": lambda self: "DROP"})()

#: hook(direction, pdu) with direction "out" or "in". Return None to leave the PDU as
#: it is, another PDU to replace it, DROP to swallow it, or (outgoing only) the bytes to
#: put on the wire instead (a wrong digest, a lying length).
PduHook = Callable[[str, Pdu], Union[None, Pdu, bytes]]


class State(enum.Enum):
    IDLE = "idle"
    LOGGING_IN = "logging in"
    FULL_FEATURE = "full feature phase"
    LOGGING_OUT = "logging out"
    LOGGED_OUT = "logged out"
    CLOSED = "closed"


# The states the hot path asks about, as module globals: an Enum member looked up on its
# class costs ten times a global's lookup (measured on 3.11), and it is asked per command.
_FULL_FEATURE = State.FULL_FEATURE


def sn_lt(a: int, b: int) -> bool:
    """``a < b`` in 32-bit serial number arithmetic (RFC 1982)."""
    return a != b and ((a < b and b - a < 0x80000000) or (a > b and a - b > 0x80000000))


def encode_lun(lun: int) -> int:
    """The 8-byte LUN field (SAM-5 4.7) for a LUN number: peripheral device addressing
    below 256, flat space addressing up to 16383."""
    if not 0 <= lun <= 16383:
        raise UsageError("LUN %d: 0 to 16383 (single-level addressing)" % lun)
    return (lun if lun < 256 else 0x4000 | lun) << 48


_TMF_SCOPE = {
    TmfFunction.ABORT_TASK_SET: "lun", TmfFunction.CLEAR_TASK_SET: "lun",
    TmfFunction.LOGICAL_UNIT_RESET: "lun", TmfFunction.TARGET_WARM_RESET: "all",
    TmfFunction.TARGET_COLD_RESET: "all",
}


class Session:
    """One iSCSI session over one connection, as a state machine.

    :param url: where and how to log in (:func:`~sgframe.iscsi.uri.parse_url`); a URL
        without a target makes a Discovery session.
    :param offer: operational keys to offer instead of the defaults (RFC 7143 names:
        ``{"InitialR2T": False, "FirstBurstLength": 4096}``).
    :param hook: a :data:`PduHook` that sees every PDU both ways (negative tests).
    :param max_recv_data_segment_length: what we declare we receive (512..16777215).
    :param isid: our ISID; by default a random one (RFC 7143 11.12.5, type 10b).
    """

    def __init__(self, url: IscsiUrl, *, offer: Optional[Dict[str, Any]] = None,
                 hook: Optional[PduHook] = None, max_recv_data_segment_length: int = 262144,
                 isid: Optional[int] = None, random: Callable[[int], bytes] = os.urandom) -> None:
        self.url = url
        self._options = dict(offer=offer, hook=hook, random=random,
                             max_recv_data_segment_length=max_recv_data_segment_length)
        self.discovery = url.target is None
        self.hook = hook
        self.random = random
        self.isid = isid if isid is not None else (0x80 << 40) | int.from_bytes(random(3), "big") << 16
        self.offer: Dict[str, Any] = {
            "HeaderDigest": list(url.header_digest), "DataDigest": list(url.data_digest),
            "MaxConnections": 1, "InitialR2T": False, "ImmediateData": True,
            "MaxRecvDataSegmentLength": max_recv_data_segment_length,
            "MaxBurstLength": 1048576, "FirstBurstLength": 262144, "DefaultTime2Wait": 0,
            "DefaultTime2Retain": 0, "MaxOutstandingR2T": 1, "DataPDUInOrder": True,
            "DataSequenceInOrder": True, "ErrorRecoveryLevel": 0,
        }
        for name, value in (offer or {}).items():
            if name not in KEYS:
                raise UsageError("unknown operational key %r; RFC 7143 keys: %s" % (
                    name, ", ".join(KEYS)))
            self.offer[name] = list(value) if isinstance(value, tuple) else value
        self.state = State.IDLE
        self.params = Parameters()
        self.tsih = 0
        self.cmd_sn = 1
        self.exp_cmd_sn = 1
        self.max_cmd_sn = 1
        self.exp_stat_sn = 0
        self.lun = encode_lun(url.lun or 0)
        self._reader = PduReader(max(8192, max_recv_data_segment_length))
        self._header_digest = False
        self._data_digest = False
        self._out: List[bytes] = []
        self._events: List[Event] = []
        self._next_tag = 0
        self._login: Optional[Login] = None
        self.tasks: Dict[int, ScsiTask] = {}  # sent, waiting for status
        self._queue: Deque[Any] = deque()  # ScsiTask or ("text", tag, data, ttt), waiting for the window
        self._texts: Dict[int, bytes] = {}
        self._tmfs: Dict[int, Tuple[int, int, int]] = {}
        self._pings: set = set()
        self._logout_tag: Optional[int] = None
        # The hot path's handlers, bound once (PduReader.dispatch's ``fast`` and ``sink``).
        self._fast = {int(Opcode.DATA_IN): self._fast_data_in, int(Opcode.SCSI_RESPONSE): self._fast_scsi_response}
        self._sink = self._sink_data_in

    # --- what the socket owner calls --------------------------------------------------

    def data_to_send(self) -> bytes:
        """Bytes to write to the socket, in order (empty when there are none)."""
        out = self._out
        if not out:
            return b""
        data = out[0] if len(out) == 1 else b"".join(out)
        out.clear()
        return data

    def next_events(self) -> List[Event]:
        """Events since the last call, oldest first."""
        events, self._events = self._events, []
        return events

    def receive_data(self, data: bytes) -> None:
        """Bytes read from the socket; ``b""`` means the target closed it."""
        if self.state in (State.CLOSED, State.IDLE):
            return
        if not data:
            self.connection_lost(None)
            return
        self._reader.append(data)
        self._process()

    def receive_buffer(self, size: int) -> memoryview:
        """A writable view to receive up to ``size`` bytes into (``socket.recv_into``),
        saving a copy of every byte; then call :meth:`received` with the count (0 on
        EOF), after releasing the view."""
        return self._reader.receive_buffer(size)

    def received(self, count: int) -> None:
        """``count`` bytes were written into the last :meth:`receive_buffer`."""
        if self.state is _FULL_FEATURE and count and self.hook is None:
            # The usual case, _process's without its loop and its questions: one call
            # from here to the Data-In and SCSI Response handlers.
            reader = self._reader
            reader.received(count)
            try:
                reader.dispatch(self._incoming, self._fast, -1, self._sink)
            except (RemoteProtocolError, LoginFailed) as exc:
                self._close(exc)
            return
        if self.state in (State.CLOSED, State.IDLE):
            return
        if not count:
            self.connection_lost(None)
            return
        self._reader.received(count)
        self._process()

    def _process(self) -> None:
        reader = self._reader
        try:
            while self.state is not State.CLOSED:
                if self.state is State.LOGGING_IN:
                    # One PDU at a time: digests start right after the last Login
                    # Response, so the bytes behind it are read differently.
                    if not reader.dispatch(self._incoming, None, 1):
                        break
                else:
                    # Without a hook, Data-In and SCSI Response take the hot path (no PDU
                    # object); a hook sees every PDU as one.
                    if self.hook is None:
                        reader.dispatch(self._incoming, self._fast, -1, self._sink)
                    else:
                        reader.dispatch(self._incoming)
                    break
        except (RemoteProtocolError, LoginFailed) as exc:
            self._close(exc)

    def _incoming(self, pdu: Pdu) -> None:
        if self.state is State.CLOSED:
            return  # what followed the fault that closed the connection
        if self.hook is not None:
            changed = self.hook("in", pdu)
            if changed is DROP:
                return
            if changed is not None:
                pdu = changed
        self._dispatch(pdu)

    def _slow(self, view: memoryview, start: int, data_start: int, length: int) -> None:
        """A hot-path PDU outside the full feature phase: decoded and dispatched."""
        cls = _HOT_CLASSES[view[start] & 0x3F]
        self._incoming(cls._decode(bytes(view[start:start + 48]), b"",
                                   bytes(view[data_start:data_start + length])))

    def _fast_data_in(self, view: memoryview, start: int, data_start: int, length: int) -> None:
        """:meth:`_on_data_in` straight from the receive buffer."""
        if self.state is not _FULL_FEATURE:
            self._slow(view, start, data_start, length)
            return
        fields = _DATA_IN.unpack_from(view, start)
        flags, status, tag, stat_sn, exp, most, data_sn, offset, residual = fields
        # _window_sn inline: most answers move the window on by one.
        if not 0 < ((exp - 1 - most) & _MASK) < 0x80000000:
            if 0 < ((exp - self.exp_cmd_sn) & _MASK) < 0x80000000:
                self.exp_cmd_sn = exp
            if 0 < ((most - self.max_cmd_sn) & _MASK) < 0x80000000:
                self.max_cmd_sn = most
        task = self.tasks.get(tag)
        if task is None:
            if flags & 0x01:
                self._status_sn(stat_sn)
            return
        end = offset + length
        if task.external and data_sn == task.next_data_sn and end <= task.data_in_length:
            # ScsiTask.place_segment's usual case inline: the next segment, in bounds,
            # copied once from the receive buffer into the caller's.
            task.next_data_sn = (data_sn + 1) & _MASK
            if length:
                task.buffer[offset:end] = view[data_start:data_start + length]  # type: ignore[index]
                if end > task.received:
                    task.received = end
        else:
            if length and not task.data_in_length:
                raise RemoteProtocolError("Data-In for task %08x, which reads nothing" % tag)
            task.place_segment(data_sn, offset, view[data_start:data_start + length])
        if flags & 0x81 == 0x81:
            # The usual end of a read (phase-collapsed status): _data_in_end, inline.
            if not 0 < ((self.exp_stat_sn - stat_sn) & _MASK) < 0x80000000:  # _status_sn
                self.exp_stat_sn = (stat_sn + 1) & _MASK
            del self.tasks[tag]
            buffer = task.buffer
            # task.data() inline for a caller's buffer (the transport's case).
            data = memoryview(buffer)[:task.received] if task.external else task.data()  # type: ignore[arg-type]
            self._events.append(CommandCompleted(tag, 0, status, b"", data, residual,
                                                 bool(flags & 0x02), bool(flags & 0x04)))
            if self._queue:
                self._pump()
        else:
            self._data_in_end(fields, task)

    def _sink_data_in(self, view: memoryview, start: int, data_start: int, length: int) -> Any:
        """Where a long Data-In segment goes, before it is all here: the rest of it is
        received straight into the caller's buffer (:meth:`PduReader.dispatch`). None
        (the usual path, which reports any fault) unless all is as expected."""
        if self.state is not _FULL_FEATURE:
            return None
        fields = _DATA_IN.unpack_from(view, start)
        task = self.tasks.get(fields[2])
        if task is None or not task.external or fields[6] != task.next_data_sn or \
                fields[7] + length > task.data_in_length:
            return None
        return (memoryview(task.buffer)[fields[7]:fields[7] + length],  # type: ignore[index]
                lambda: self._sunk_data_in(fields, length))

    def _sunk_data_in(self, fields: tuple, length: int) -> None:
        if self.state is not _FULL_FEATURE:
            return  # the connection broke meanwhile: the command failed with it
        task = self._data_in_task(fields, length)
        if task is not None:
            task.placed(fields[6], fields[7], length)
            self._data_in_end(fields, task)

    def _data_in_task(self, fields: tuple, length: int) -> Optional[ScsiTask]:
        flags, status, tag, stat_sn, exp, most = fields[:6]
        self._window_sn(exp, most)
        task = self.tasks.get(tag)
        if task is None:
            if flags & 0x01:
                self._status_sn(stat_sn)
            return None
        if length and not task.data_in_length:
            raise RemoteProtocolError("Data-In for task %08x, which reads nothing" % task.tag)
        return task

    def _data_in_end(self, fields: tuple, task: ScsiTask) -> None:
        flags = fields[0]
        if flags & 0x01:
            if not flags & 0x80:
                raise RemoteProtocolError("Data-In with status (S) but not final (F): RFC 7143 11.7.1")
            self._status_sn(fields[3])
            del self.tasks[task.tag]
            self._events.append(CommandCompleted(task.tag, 0, fields[1], b"", task.data(), fields[8],
                                                 bool(flags & 0x02), bool(flags & 0x04)))
        if self._queue:
            self._pump()

    def _fast_scsi_response(self, view: memoryview, start: int, data_start: int, length: int) -> None:
        """:meth:`_on_scsi_response` straight from the receive buffer."""
        if self.state is not _FULL_FEATURE:
            self._slow(view, start, data_start, length)
            return
        flags, response, status, tag, stat_sn, exp, most, residual = _SCSI_RESPONSE.unpack_from(view, start)
        self._status_sn(stat_sn)
        self._window_sn(exp, most)
        task = self.tasks.get(tag)
        if task is not None:
            # The sense checked first: a malformed one fails the command with the rest.
            sense = _sense(bytes(view[data_start:data_start + length]))
            del self.tasks[tag]
            self._events.append(CommandCompleted(tag, response, status, sense, task.data(), residual,
                                                 bool(flags & 0x02), bool(flags & 0x04)))
        if self._queue:
            self._pump()

    def connection_lost(self, error: Optional[BaseException] = None) -> None:
        """The socket closed (``error`` None: an orderly EOF) or failed."""
        if self.state is State.CLOSED:
            return
        if error is None and self.state is not State.LOGGED_OUT:
            error = TargetClosedConnection("%s closed the connection%s" % (
                self.url.portal, " during login" if self.state is State.LOGGING_IN else ""))
        self._close(error)

    def successor(self) -> "Session":
        """A fresh Session to log in again once this one's connection is gone: same URL,
        options, hook and ISID, with TSIH 0. At ErrorRecoveryLevel 0 that is session
        reinstatement (RFC 7143 6.3.5): the target ends whatever is left of the old
        session and its tasks, and the new one starts clean."""
        return Session(self.url, isid=self.isid, **self._options)

    @property
    def window(self) -> int:
        """How many more non-immediate commands the target accepts now (MaxCmdSN - CmdSN + 1)."""
        room = (self.max_cmd_sn - self.cmd_sn) & _MASK
        # sn_lt(max_cmd_sn, cmd_sn), inline (asked before every command at depth > 1).
        return 0 if room > 0x80000000 else room + 1

    @property
    def outstanding(self) -> int:
        """SCSI commands submitted and not yet completed (sent or waiting for the window)."""
        return len(self.tasks) + sum(isinstance(item, ScsiTask) for item in self._queue)

    # --- login ---------------------------------------------------------------------

    def start_login(self) -> None:
        """Queue the first Login Request (new session, connection 0)."""
        if self.state is not State.IDLE:
            raise LocalProtocolError("start_login() in state %s; a Session logs in once" % self.state.value)
        url = self.url
        chap = None
        if url.password is not None:
            chap = ChapInitiator(url.user or "", url.password, target_user=url.target_user,
                                 target_secret=url.target_password,
                                 algorithms=url.chap_algorithms, random=self.random)
        self._login = Login(initiator_name=url.initiator_name, target_name=url.target,
                            isid=self.isid, itt=self._tag(), chap=chap, offer=self.offer)
        self.state = State.LOGGING_IN
        self._send_login(self._login.first_request())

    def _send_login(self, request: Any) -> None:
        self._send(attrs.evolve(request, cmd_sn=self.cmd_sn, exp_stat_sn=self.exp_stat_sn))

    def _on_login_response(self, pdu: LoginResponse) -> None:
        assert self._login is not None
        self.exp_stat_sn = (pdu.stat_sn + 1) & _MASK
        following = self._login.receive(pdu)
        if following is not None:
            self._send_login(following)
            return
        self.params = self._login.parameters()
        self.tsih = pdu.tsih
        self.cmd_sn = self.exp_cmd_sn = pdu.exp_cmd_sn
        self.max_cmd_sn = pdu.max_cmd_sn
        self._header_digest = self._reader.header_digest = self.params.header_digest == "CRC32C"
        self._data_digest = self._reader.data_digest = self.params.data_digest == "CRC32C"
        self._reader.max_data_segment = self.params.max_recv_data_segment_length
        self.state = State.FULL_FEATURE
        self._events.append(LoginCompleted(self.params, self.tsih, self.params.target_alias))
        self._pump()

    # --- submitting ------------------------------------------------------------------

    def submit(self, cdb: bytes, *, data_out: bytes = b"", data_in_length: int = 0,
               lun: Optional[int] = None, attr: int = TaskAttribute.SIMPLE,
               data_in_buffer: Optional[bytearray] = None) -> int:
        """Queue a SCSI command; returns its tag. It is sent as soon as the CmdSN window
        and the queue depth allow; :class:`CommandCompleted` or :class:`CommandFailed`
        with this tag ends it.

        :param cdb: the CDB bytes (longer than 16 bytes: the rest goes in an AHS).
        :param data_out: bytes to write (a write command).
        :param data_in_length: bytes to read at most (a read command).
        :param lun: LUN number; default the URL's.
        :param data_in_buffer: a writable buffer of at least ``data_in_length`` bytes for
            the Data-In to land in (saves two copies of every byte read); the completion's
            ``data`` is then a memoryview of it.
        """
        if self.state is not _FULL_FEATURE:
            self._need_full_feature("submit a command")
        if data_out and data_in_length:
            raise UsageError("bidirectional commands (data out and data in) are not supported")
        if not 1 <= len(cdb) <= 260:
            raise UsageError("a CDB is 1 to 260 bytes, not %d" % len(cdb))
        if data_in_length < 0 or data_in_length > _MASK or len(data_out) > _MASK:
            raise UsageError("transfer lengths are 0 to 4294967295 bytes")
        if data_in_buffer is not None and len(data_in_buffer) < data_in_length:
            raise UsageError("data_in_buffer has %d bytes; the command reads up to %d" % (
                len(data_in_buffer), data_in_length))
        # _tag(), inline (once per command).
        tag = self._next_tag = (self._next_tag + 1) & _MASK
        if tag == RESERVED_TAG:
            tag = self._next_tag = 1
        task = ScsiTask(tag, self.lun if lun is None else encode_lun(lun), bytes(cdb),
                        bytes(data_out), data_in_length, attr, data_in_buffer)
        if not self._queue and len(self.tasks) < self.url.queue_depth and \
                not 0 < ((self.cmd_sn - self.max_cmd_sn) & _MASK) < 0x80000000:  # not sn_lt(max_cmd_sn, cmd_sn)
            self._send_command(task)  # nothing waits before it and the window is open: _pump's case
        else:
            self._queue.append(task)
            self._pump()
        return task.tag

    def text(self, pairs: Sequence[Tuple[str, str]]) -> int:
        """Queue a Text Request; :class:`TextCompleted` carries the whole answer."""
        self._need_full_feature("send a Text Request")
        tag = self._tag()
        self._texts[tag] = b""
        self._queue.append(("text", tag, encode_text(pairs), RESERVED_TAG))
        self._pump()
        return tag

    def send_targets(self, which: str = "All") -> int:
        """SendTargets discovery (RFC 7143 appendix C)."""
        return self.text([("SendTargets", which)])

    def ping(self, data: bytes = b"") -> int:
        """An immediate NOP-Out the target answers with a NOP-In (:class:`PingReplied`)."""
        self._need_full_feature("ping")
        tag = self._tag()
        self._pings.add(tag)
        self._send(NopOut(immediate=True, lun=0, initiator_task_tag=tag, cmd_sn=self.cmd_sn,
                          exp_stat_sn=self.exp_stat_sn, data=data))
        return tag

    def task_management(self, function: int, *, lun: Optional[int] = None,
                        referenced_tag: Optional[int] = None) -> int:
        """Send a Task Management Function Request (immediate); returns its tag.

        The commands it ends (all of them for a target reset, the LUN's for ABORT TASK
        SET, CLEAR TASK SET and LOGICAL UNIT RESET, the referenced one for ABORT TASK)
        fail with :class:`CommandAborted` once the target answers Function Complete;
        those still waiting for the window fail at once, never having been sent.
        """
        self._need_full_feature("send a task management function")
        function = TmfFunction(function)
        lun_field = self.lun if lun is None else encode_lun(lun)
        ref_cmd_sn = self.cmd_sn
        if function is TmfFunction.ABORT_TASK:
            if referenced_tag is None:
                raise UsageError("ABORT TASK needs referenced_tag, the tag of the command to abort")
            task = self.tasks.get(referenced_tag)
            if task is not None:
                ref_cmd_sn, lun_field = task.cmd_sn, task.lun
        tag = self._tag()
        self._tmfs[tag] = (function, lun_field, referenced_tag if referenced_tag is not None else RESERVED_TAG)
        self._drop_queued(function, lun_field, referenced_tag)
        self._send(TaskManagementRequest(
            function=function, lun=lun_field, initiator_task_tag=tag,
            referenced_task_tag=referenced_tag if referenced_tag is not None else RESERVED_TAG,
            cmd_sn=self.cmd_sn, exp_stat_sn=self.exp_stat_sn, ref_cmd_sn=ref_cmd_sn))
        return tag

    def logout(self, reason: int = LogoutReason.CLOSE_SESSION) -> int:
        """Send a Logout Request; :class:`LogoutCompleted` answers it. Commands still
        waiting for the window fail now with :class:`ConnectionLost`."""
        self._need_full_feature("log out")
        tag = self._logout_tag = self._tag()
        self.state = State.LOGGING_OUT
        self._fail_queued(ConnectionLost, "logged out before it was sent")
        self._send(LogoutRequest(immediate=True, reason_code=reason, initiator_task_tag=tag,
                                 cmd_sn=self.cmd_sn, exp_stat_sn=self.exp_stat_sn))
        return tag

    # --- internals -------------------------------------------------------------------

    def _need_full_feature(self, what: str) -> None:
        if self.state is not _FULL_FEATURE:
            raise LocalProtocolError("cannot %s: the session is %s" % (what, self.state.value))

    def _tag(self) -> int:
        self._next_tag = (self._next_tag + 1) & _MASK
        if self._next_tag == RESERVED_TAG:
            self._next_tag = 1
        return self._next_tag

    def encode(self, pdu: Pdu) -> bytes:
        """A PDU's bytes with the digests in force (for hooks that return bytes)."""
        return encode_pdu(pdu, self._header_digest, self._data_digest)

    def _send(self, pdu: Pdu) -> None:
        if self.hook is not None:
            changed = self.hook("out", pdu)
            if changed is DROP:
                return
            if isinstance(changed, (bytes, bytearray, memoryview)):
                self._out.append(bytes(changed))
                return
            if changed is not None:
                pdu = changed
        self._out.append(encode_pdu(pdu, self._header_digest, self._data_digest))

    def _pump(self) -> None:
        """Send what waits, while the window and the queue depth allow."""
        queue = self._queue
        while queue and self.state is State.FULL_FEATURE and not sn_lt(self.max_cmd_sn, self.cmd_sn):
            item = queue[0]
            if isinstance(item, ScsiTask):
                if len(self.tasks) >= self.url.queue_depth:
                    break
                queue.popleft()
                self._send_command(item)
            else:
                queue.popleft()
                _, tag, data, ttt = item
                self._send(TextRequest(initiator_task_tag=tag, target_transfer_tag=ttt,
                                       cmd_sn=self.cmd_sn, exp_stat_sn=self.exp_stat_sn, data=data))
                self.cmd_sn = (self.cmd_sn + 1) & _MASK

    def _send_command(self, task: ScsiTask) -> None:
        if task.data_out:
            immediate, unsolicited = task.first_burst(self.params, self.exp_stat_sn)
        else:
            immediate, unsolicited = b"", ()
        cdb = task.cdb
        ahs = b""
        if len(cdb) > 16:
            # RFC 7143 11.3.1.4 / 11.2.2: Extended-CDB AHS, AHSType 1, length counts the
            # reserved byte; padded to a multiple of 4.
            rest = cdb[16:]
            ahs = (len(rest) + 1).to_bytes(2, "big") + b"\x01\x00" + rest
            ahs += bytes(-len(ahs) % 4)
        length = task.data_in_length or len(task.data_out)
        task.cmd_sn = self.cmd_sn
        task.sent = True
        self.tasks[task.tag] = task
        self.cmd_sn = (self.cmd_sn + 1) & _MASK
        if self.hook is None:
            # The hot path: the BHS packed at once (ScsiCommand's encoding, tested equal).
            flags = (0 if unsolicited else 0x80) | (0x40 if task.data_in_length else 0) | \
                (0x20 if task.data_out else 0) | (task.attr & 0x07)
            header = _SCSI_COMMAND.pack(_SCSI_COMMAND_OPCODE, flags, (len(ahs) << 22) | len(immediate),
                                        task.lun, task.tag, length, task.cmd_sn, self.exp_stat_sn, cdb[:16])
            if ahs:
                header += ahs
            if immediate or self._header_digest:
                header = frame(header, immediate, self._header_digest, self._data_digest)
            self._out.append(header)
            for pdu in unsolicited:
                self._send(pdu)
            return
        self._send(ScsiCommand(final=not unsolicited, read=task.data_in_length > 0,
                               write=len(task.data_out) > 0, attr=task.attr, lun=task.lun,
                               initiator_task_tag=task.tag, expected_data_transfer_length=length,
                               cmd_sn=task.cmd_sn, exp_stat_sn=self.exp_stat_sn, cdb=cdb[:16],
                               ahs=ahs, data=immediate))
        for pdu in unsolicited:
            self._send(pdu)

    def _status_sn(self, stat_sn: int) -> None:
        # not sn_lt(stat_sn, exp_stat_sn), inline: a is before b when 0 < b - a < 2**31 (mod 2**32).
        if not 0 < ((self.exp_stat_sn - stat_sn) & _MASK) < 0x80000000:
            self.exp_stat_sn = (stat_sn + 1) & _MASK

    def _window(self, pdu: Any) -> None:
        self._window_sn(pdu.exp_cmd_sn, pdu.max_cmd_sn)

    def _window_sn(self, exp: int, most: int) -> None:
        if exp == self.exp_cmd_sn and most == self.max_cmd_sn:
            return  # nothing moved
        # RFC 7143 4.2.2.1: a MaxCmdSN below ExpCmdSN - 1 is ignored, and neither number
        # ever moves back (PDUs can be reordered across connections). sn_lt(a, b) inline,
        # once per PDU: 0 < b - a < 2**31 (mod 2**32).
        if 0 < ((exp - 1 - most) & _MASK) < 0x80000000:
            return
        if 0 < ((exp - self.exp_cmd_sn) & _MASK) < 0x80000000:
            self.exp_cmd_sn = exp
        if 0 < ((most - self.max_cmd_sn) & _MASK) < 0x80000000:
            self.max_cmd_sn = most

    def _dispatch(self, pdu: Pdu) -> None:
        handler = _HANDLERS.get(type(pdu))
        if handler is None:
            raise RemoteProtocolError("the target sent an initiator PDU (%s)" % pdu.NAME)
        if self.state is State.LOGGING_IN:
            if not isinstance(pdu, LoginResponse):
                raise RemoteProtocolError("%s during login" % pdu.NAME)
        elif isinstance(pdu, LoginResponse):
            raise RemoteProtocolError("Login Response in the %s" % self.state.value)
        elif self.state is State.LOGGED_OUT:
            return  # after the Logout Response nothing more is expected; ignore stragglers
        handler(self, pdu)

    def _on_nop_in(self, pdu: NopIn) -> None:
        self._window(pdu)
        if pdu.initiator_task_tag != RESERVED_TAG:
            self._status_sn(pdu.stat_sn)
            if pdu.initiator_task_tag in self._pings:
                self._pings.discard(pdu.initiator_task_tag)
                self._events.append(PingReplied(pdu.initiator_task_tag, pdu.data))
        if pdu.target_transfer_tag != RESERVED_TAG:
            # The target's ping: answer with the same TTT and LUN, no CmdSN taken
            # (RFC 7143 11.18.2, 11.19.2).
            self._send(NopOut(immediate=True, lun=pdu.lun, initiator_task_tag=RESERVED_TAG,
                              target_transfer_tag=pdu.target_transfer_tag,
                              cmd_sn=self.cmd_sn, exp_stat_sn=self.exp_stat_sn))
        self._pump()

    def _on_scsi_response(self, pdu: ScsiResponse) -> None:
        self._status_sn(pdu.stat_sn)
        self._window(pdu)
        task = self.tasks.get(pdu.initiator_task_tag)
        if task is not None:
            sense = _sense(pdu.data)  # checked first: a malformed one fails the command with the rest
            del self.tasks[task.tag]
            self._events.append(CommandCompleted(
                task.tag, pdu.response, pdu.status, sense, task.data(), pdu.residual_count,
                pdu.underflow, pdu.overflow))
        # else: a command we stopped waiting for (aborted); its answer changes nothing.
        self._pump()

    def _on_data_in(self, pdu: DataIn) -> None:
        self._window(pdu)
        task = self.tasks.get(pdu.initiator_task_tag)
        if task is None:
            if pdu.status_present:
                self._status_sn(pdu.stat_sn)
            return
        if not task.data_in_length and pdu.data:
            raise RemoteProtocolError("Data-In for task %08x, which reads nothing" % task.tag)
        task.place(pdu)
        if pdu.status_present:
            if not pdu.final:
                raise RemoteProtocolError("Data-In with status (S) but not final (F): RFC 7143 11.7.1")
            self._status_sn(pdu.stat_sn)
            del self.tasks[task.tag]
            self._events.append(CommandCompleted(task.tag, 0, pdu.status, b"", task.data(),
                                                 pdu.residual_count, pdu.underflow, pdu.overflow))
        self._pump()

    def _on_r2t(self, pdu: R2T) -> None:
        self._window(pdu)
        task = self.tasks.get(pdu.initiator_task_tag)
        if task is None:
            return
        for data_out in task.answer_r2t(pdu, self.params, self.exp_stat_sn):
            self._send(data_out)
        self._pump()

    def _on_tmf_response(self, pdu: TaskManagementResponse) -> None:
        self._status_sn(pdu.stat_sn)
        self._window(pdu)
        entry = self._tmfs.pop(pdu.initiator_task_tag, None)
        if entry is None:
            return
        function, lun, referenced = entry
        if pdu.response == TmfResponse.FUNCTION_COMPLETE:
            name = TmfFunction(function).name.replace("_", " ")
            for tag in [t for t, task in self.tasks.items()
                        if _ended_by(function, lun, referenced, task)]:
                del self.tasks[tag]
                self._events.append(CommandFailed(tag, CommandAborted(function=name)))
        self._events.append(TaskManagementCompleted(pdu.initiator_task_tag, function, pdu.response))
        self._pump()

    def _drop_queued(self, function: int, lun: int, referenced: Optional[int]) -> None:
        name = TmfFunction(function).name.replace("_", " ")
        kept: Deque[Any] = deque()
        for item in self._queue:
            if isinstance(item, ScsiTask) and _ended_by(function, lun, referenced, item):
                self._events.append(CommandFailed(item.tag, CommandAborted(function=name)))
            else:
                kept.append(item)
        self._queue = kept

    def _on_text_response(self, pdu: TextResponse) -> None:
        self._status_sn(pdu.stat_sn)
        self._window(pdu)
        tag = pdu.initiator_task_tag
        if tag not in self._texts:
            return
        self._texts[tag] += pdu.data
        if pdu.final and not pdu.cont:
            pairs = tuple(decode_text(self._texts.pop(tag)))
            self._events.append(TextCompleted(tag, pairs))
        else:
            # More to come: an empty Text Request with the target's TTT asks for it
            # (RFC 7143 11.10.4).
            self._queue.appendleft(("text", tag, b"", pdu.target_transfer_tag))
        self._pump()

    def _on_async(self, pdu: AsyncMessage) -> None:
        self._status_sn(pdu.stat_sn)
        self._window(pdu)
        sense = b""
        if pdu.async_event == AsyncEvent.SCSI_ASYNC_EVENT and len(pdu.data) >= 2:
            sense = pdu.data[2:2 + int.from_bytes(pdu.data[:2], "big")]
        self._events.append(AsyncMessageReceived(pdu.async_event, pdu.lun, sense, pdu.async_vcode,
                                                 pdu.parameter1, pdu.parameter2, pdu.parameter3))
        self._pump()

    def _on_reject(self, pdu: Reject) -> None:
        self._status_sn(pdu.stat_sn)
        self._window(pdu)
        header = pdu.data[:48]
        opcode = header[0] & 0x3F if header else 0xFF
        tag = int.from_bytes(header[16:20], "big") if len(header) >= 20 else RESERVED_TAG
        self._events.append(Rejected(pdu.reason, tag, opcode, header))
        # The rejected PDU's command will get no other answer (RFC 7143 7.2).
        if opcode == Opcode.SCSI_COMMAND and tag in self.tasks:
            del self.tasks[tag]
            self._events.append(CommandFailed(tag, CommandRejected(reason=pdu.reason)))
        elif opcode == Opcode.TEXT_REQUEST and tag in self._texts:
            del self._texts[tag]
            self._events.append(CommandFailed(tag, CommandRejected(reason=pdu.reason)))
        elif opcode == Opcode.TASK_MANAGEMENT_REQUEST and tag in self._tmfs:
            del self._tmfs[tag]
            self._events.append(CommandFailed(tag, CommandRejected(reason=pdu.reason)))
        self._pump()

    def _on_logout_response(self, pdu: LogoutResponse) -> None:
        self._status_sn(pdu.stat_sn)
        self._window(pdu)
        if pdu.initiator_task_tag != self._logout_tag:
            raise RemoteProtocolError("Logout Response for tag %08x; we sent no such Logout"
                                      % pdu.initiator_task_tag)
        self.state = State.LOGGED_OUT
        self._fail_all(ConnectionLost, None)
        self._events.append(LogoutCompleted(pdu.response, pdu.time2wait, pdu.time2retain))

    def _fail_queued(self, cls: type, why: str) -> None:
        for item in self._queue:
            tag = item.tag if isinstance(item, ScsiTask) else item[1]
            self._events.append(CommandFailed(tag, cls(why)))
        self._queue.clear()

    def _fail_all(self, cls: type, cause: Optional[BaseException]) -> None:
        # Queued text requests are already counted through _texts (a continuation is
        # queued under its request's tag); queued SCSI commands are not in self.tasks.
        tags = list(self.tasks) + list(self._texts) + list(self._tmfs) + list(self._pings)
        tags += [item.tag for item in self._queue if isinstance(item, ScsiTask)]
        for tag in tags:
            error = cls(device=str(self.url))
            error.__cause__ = cause
            self._events.append(CommandFailed(tag, error))
        self.tasks.clear()
        self._texts.clear()
        self._tmfs.clear()
        self._pings.clear()
        self._queue.clear()

    def _close(self, error: Optional[BaseException]) -> None:
        if self.state is State.CLOSED:
            return
        self._reader.abandon()  # a Data-In arriving straight into a buffer: no longer
        self._fail_all(ConnectionLost, error)
        self.state = State.CLOSED
        self._events.append(ConnectionClosed(error))


def _sense(data: bytes) -> bytes:
    """The sense data in a SCSI Response's data segment (RFC 7143 11.4.7)."""
    if not data:
        return b""
    if len(data) < 2:
        raise RemoteProtocolError("SCSI Response data segment of 1 byte: no room for "
                                  "SenseLength (RFC 7143 11.4.7.1)")
    length = int.from_bytes(data[:2], "big")
    if length > len(data) - 2:
        raise RemoteProtocolError("SenseLength %d but only %d sense bytes follow" % (
            length, len(data) - 2))
    return data[2:2 + length]


def _ended_by(function: int, lun: int, referenced: Optional[int], task: ScsiTask) -> bool:
    if function == TmfFunction.ABORT_TASK:
        return task.tag == referenced
    scope = _TMF_SCOPE.get(TmfFunction(function))
    return scope == "all" or (scope == "lun" and task.lun == lun)


_HOT_CLASSES = {Opcode.DATA_IN: DataIn, Opcode.SCSI_RESPONSE: ScsiResponse}

_HANDLERS: Dict[type, Callable[[Session, Any], None]] = {
    LoginResponse: Session._on_login_response,
    NopIn: Session._on_nop_in,
    ScsiResponse: Session._on_scsi_response,
    DataIn: Session._on_data_in,
    R2T: Session._on_r2t,
    TaskManagementResponse: Session._on_tmf_response,
    TextResponse: Session._on_text_response,
    AsyncMessage: Session._on_async,
    Reject: Session._on_reject,
    LogoutResponse: Session._on_logout_response,
}
