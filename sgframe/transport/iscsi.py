"""The ``iscsi`` transport: one iSCSI session on a non-blocking socket the reactor watches.

The protocol is :class:`sgframe.iscsi.Session`'s (sans IO); this module only moves bytes
and maps Ios to tasks and events back to Ios. Login happens at open, on a blocking
socket with a timeout (:class:`~sgframe.iscsi.blocking.BlockingSession`); from then on
the socket is non-blocking and the reactor calls :meth:`IscsiTransport.reap` when it is
readable. A completion fills the Io's header the way sg does (status, sense, resid; the
host byte stays 0), so the channel judges a CHECK CONDITION over iSCSI with the same
code, into the same exception, as over sg. A command that gets no SCSI status (the
connection broke, the target answered a service response, a task management function or
a Reject ended it) carries its iSCSI exception as ``io.transport_error``.

Two descriptors, both registered with the reactor:

* the socket: readable when PDUs arrive, and at EOF. On a lost connection every
  outstanding command fails at once (ErrorRecoveryLevel 0), and the socket is shut down
  both ways, which epoll reports as EPOLLHUP: the channel's hang-up path then runs as it
  does for an sg device that went away, and the channel refuses further commands.
* a timerfd (:class:`sgframe.linux.timerfd.Timer`), the reactor having no timers a
  transport may use: it fires at the earliest command deadline (``io.timeout``), when a
  synchronous :meth:`execute` found completions of asynchronous commands (they must reach
  the reactor, which would otherwise wait for the socket, whose bytes are already read),
  and while bytes wait to be sent. The reactor watches readability only, so a full send
  buffer is retried from the timer every millisecond until it drains; it rarely fills,
  because the target reads as fast as we write on every link this was measured on.

Sending: a command goes out as soon as it is submitted, except the ones the done callbacks
of a batch of completions submit (a benchmark's or a queue's refill): the transport knows
how many Ios its last :meth:`reap` returned, queues that many submissions and sends them
with the last in one ``send()`` (the timer sends them at the next pass if fewer come).
Measured on tgt, 4 KiB reads at QD32: one send per command cost more than all the Python.

Receiving: Data-In lands in the Io's own buffer (``Session.submit(data_in_buffer=...)``).

A command whose deadline passes fails with :class:`~sgframe.iscsi.errors.CommandTimedOut`
(a :class:`~sgframe.errors.CommandTimeout`, as sg reports DID_TIME_OUT) and the
connection is dropped: at ErrorRecoveryLevel 0 that is how an initiator gives up on a
task (RFC 7143 7.1.5), so the commands with it fail with ConnectionLost.

Threads: submit and reap run under the reactor's lock; :meth:`execute` runs in the
caller's thread while the reactor may run in another, so every entry point takes the
transport's own lock too, and completions are routed by tag to whoever waits for them.
"""
from __future__ import annotations

import select
import socket
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Union

import attrs

from ..cdb import Direction
from ..errors import UsageError
from ..iscsi.blocking import BlockingSession
from ..iscsi.errors import CommandTimedOut, ConnectionLost, IscsiTimeout, ServiceResponseError
from ..iscsi.events import CommandCompleted, CommandFailed, ConnectionClosed, LogoutCompleted
from ..iscsi.pdu import TmfFunction, TmfResponse
from ..iscsi.session import PduHook, State
from ..iscsi.uri import IscsiUrl, parse_url
from ..linux.timerfd import Timer
from ..sense import decode_sense
from .base import Transport

if TYPE_CHECKING:
    from ..io import Io

__all__ = ["IscsiTransport", "open_iscsi"]

_monotonic = time.monotonic
# Module globals for the hot path: an Enum member looked up on its class costs ten times
# a global's lookup (measured on 3.11).
_FULL_FEATURE = State.FULL_FEATURE
_IN = Direction.IN

# One recv() takes up to this much; a shorter read than asked means the socket is drained
# (no EAGAIN exception needed to find out), and level-triggered epoll calls again otherwise.
_CHUNK = 1 << 20
# While bytes wait for room in the send buffer, look again this often (seconds).
_SEND_RETRY = 0.001
# How long detach() waits for the Logout Response before closing anyway.
_LOGOUT_WAIT = 2.0
_DRIVER_SENSE = 0x08
_RESETS = {"device": TmfFunction.LOGICAL_UNIT_RESET, "target": TmfFunction.TARGET_WARM_RESET}


class _Task:
    """An Io the session carries, by Initiator Task Tag."""

    __slots__ = ("io", "start", "deadline", "sync", "done", "error")

    def __init__(self, io: Io, start: float, deadline: Optional[float], sync: bool) -> None:
        self.io = io
        self.start = start
        self.deadline = deadline
        self.sync = sync
        self.done = False
        self.error: Optional[BaseException] = None  # set when its deadline passed


class IscsiTransport(Transport):
    """SCSI commands to one LUN over one iSCSI session (ErrorRecoveryLevel 0).

    :param url: ``iscsi://[user[%password]@]host[:port]/target-iqn/lun[?options]`` or a
        parsed :class:`~sgframe.iscsi.uri.IscsiUrl` (options: initiator name, CHAP,
        digests, queue depth; see :mod:`sgframe.iscsi.uri`).
    :param queue_depth: commands in flight at once (default: the URI's, 32); the target's
        CmdSN window may allow fewer at times, and then :meth:`submit` says so.
    :param login_timeout: seconds for the TCP connection and the login.
    :param hook: a PDU hook (:data:`sgframe.iscsi.session.PduHook`) for negative tests.
    :param offer: operational keys to offer instead of the defaults.
    :param absorb_reset: after login, send TEST UNIT READY until it no longer reports the
        UNIT ATTENTION 29h/xxh (power on, reset) every new I_T nexus gets, as the kernel's
        scan and libiscsi's connect do; so the first command a caller sends over iSCSI
        sees what it would see through /dev/sgN. False leaves it for the caller.
    """

    def __init__(self, url: Union[str, IscsiUrl], *, queue_depth: Optional[int] = None,
                 login_timeout: float = 10.0, hook: Optional[PduHook] = None,
                 offer: Optional[Dict[str, Any]] = None, absorb_reset: bool = True) -> None:
        super().__init__()
        if not isinstance(url, IscsiUrl):
            url = parse_url(url)
        if url.target is None or url.lun is None:
            raise UsageError(f"{url}: a device URI names a target and a LUN "
                             "(iscsi://host[:port]/target-iqn/lun); a portal alone is for discovery")
        if queue_depth is not None:
            if queue_depth.__class__ is not int or not 1 <= queue_depth <= 65535:
                raise UsageError(f"queue_depth must be an int from 1 to 65535, got {queue_depth!r}")
            url = attrs.evolve(url, queue_depth=queue_depth)
        self.url = url
        self.name = str(url)
        self._depth = url.queue_depth
        blocking = BlockingSession(url, timeout=login_timeout, hook=hook, offer=offer)
        #: The LoginCompleted event: negotiated parameters, TSIH, target alias.
        self.login = blocking.connect()
        if absorb_reset:
            try:
                _absorb_reset(blocking)
            except BaseException:
                blocking.close()
                raise
        self.session = blocking.session
        sock, blocking.sock = blocking.sock, None  # ours from now on
        assert sock is not None
        #: Events that end no command (async messages, rejects), oldest first.
        self.events: List[Any] = list(blocking.events)
        try:
            self._timer = Timer()
        except BaseException:
            sock.close()
            raise
        sock.setblocking(False)
        self._sock: Optional[socket.socket] = sock
        self._fd = sock.fileno()
        self._poller = select.poll()
        self._poller.register(self._fd, select.POLLIN)
        self._tasks: Dict[int, _Task] = {}
        # When the timer fires next (None: disarmed); never later than the earliest
        # deadline of a command in flight.
        self._armed: Optional[float] = None
        self._ready: List[Io] = []  # completions found outside reap(), for the next reap()
        self._unsent = bytearray()
        self._cork = 0  # submissions to queue before sending (see reap)
        self._corked = False  # bytes queued by a corked submit wait for a send
        self._lock = threading.RLock()

    # --- the interface ----------------------------------------------------------------

    @property
    def depth(self) -> int:
        return self._depth

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    def fds(self) -> tuple[int, ...]:
        return (self._fd, self._timer.fd) if self._timer.fd >= 0 else ()

    def submit(self, io: Io) -> bool:
        with self._lock:
            if self._sock is None or self.session.state is not _FULL_FEATURE:
                # The connection is gone and the socket hangs up: the channel's hang-up
                # path fails what waits in its backlog (raising here would fail the Io
                # while the backlog still holds it).
                return False
            tasks = self._tasks
            # Full: the queue depth, or the target's CmdSN window. With nothing in flight
            # the session takes the command anyway and sends it when a NOP-In opens the
            # window, so a channel's backlog never waits for a completion that cannot come.
            if tasks and (len(tasks) >= self._depth or self.session.window < 1):
                return False
            self._start(io, False)
            if self._cork > 1:
                # One of a batch of completions' successors: sent with the last of them.
                self._cork -= 1
                if not self._corked:
                    self._corked = True
                    self._arm()  # in case the batch ends early: the next reactor pass sends
                return True
            self._cork = 0
            self._flush()
            if self._ready:
                self._timer.fire_now()  # the send failed: the failures go out through reap
            return True

    def reap(self, fd: int) -> list[Io]:
        with self._lock:
            done, self._ready = self._ready, []
            if fd == self._fd:
                self._read()
                self._flush()
                self._collect(done)
            elif fd == self._timer.fd:
                # A deadline (or a send retry, or parked completions): only here are the
                # deadlines looked at, so a completion costs no timer work.
                self._timer.clear()
                self._armed = None
                self._flush()
                earliest = self._expire()
                self._collect(done)
                self._arm(earliest)
            else:
                return done
            # Each Io returned may be followed by a new command from its done callback:
            # the first len(done) - 1 of those are only queued, the last sends them all.
            self._cork = len(done)
            return done

    def execute(self, io: Io) -> None:
        """Send one command and drive the socket in the caller's thread until it is done."""
        with self._lock:
            task = self._start(io, True)
            self._flush()
        self._drive(lambda: task.done, None, sent=True)

    def detach(self) -> list[Io]:
        with self._lock:
            if self._timer.fd < 0:
                return []
            lost = self._ready + [task.io for task in self._tasks.values() if not task.sync]
            self._ready = []
            if self._sock is not None and self.session.state is State.FULL_FEATURE:
                self._logout()
            # Commands still waiting in another thread's execute() fail with ConnectionLost.
            self.session.connection_lost(ConnectionAbortedError("the initiator closed the connection"))
            self._collect([])
            self._tasks.clear()
            if self._sock is not None:
                self._sock.close()
                self._sock = None
            self._timer.close()
            return lost

    def reset(self, kind: str) -> None:
        """A task management function: ``device`` is LOGICAL UNIT RESET, ``target``
        TARGET WARM RESET. The commands it ends fail with CommandAborted."""
        function = _RESETS.get(kind)
        if function is None:
            raise UsageError(f"reset kind {kind!r}: over iSCSI, device (LOGICAL UNIT RESET) or "
                             "target (TARGET WARM RESET)")
        answer: List[Any] = []
        with self._lock:
            self._need_session(None)
            tag = self.session.task_management(function)
            self._waiting_tmf = (tag, answer)
            self._flush()
        try:
            self._drive(lambda: bool(answer), time.monotonic() + 30.0)
        finally:
            self._waiting_tmf = None
        if not answer:
            raise IscsiTimeout(f"{self.name}: no answer to the {kind} reset within 30 s")
        event = answer[0]
        if isinstance(event, CommandFailed):
            raise event.error
        if event.response != TmfResponse.FUNCTION_COMPLETE:
            from ..errors import ResetFailed

            raise ResetFailed(0, f"{self.name}: the target refused the {kind} reset "
                                 f"(Task Management response {event.response:02X}h)", self.name)

    _waiting_tmf: Optional[tuple] = None

    # --- sending --------------------------------------------------------------------

    def _start(self, io: Io, sync: bool) -> _Task:
        session = self.session
        if session.state is not _FULL_FEATURE or self._sock is None:
            self._need_session(io)
        direction = io.DIRECTION
        if direction is _IN:
            tag = session.submit(io.cdb, data_in_length=io.length, data_in_buffer=io.buffer)
        elif direction is Direction.OUT:
            tag = session.submit(io.cdb, data_out=bytes(io.buffer[: io.length]))
        elif direction is Direction.NONE:
            tag = session.submit(io.cdb)
        else:
            raise UsageError(f"{io.command.NAME}: sgframe's iSCSI initiator has no bidirectional "
                             "commands (RFC 7143 bidirectional transfers are not supported)")
        now = _monotonic()
        timeout = io.timeout
        if not timeout:
            task = self._tasks[tag] = _Task(io, now, None, sync)
            return task
        deadline = now + timeout / 1000
        task = self._tasks[tag] = _Task(io, now, deadline, sync)
        # The timer only ever moves earlier (no timerfd_settime per command): it fires at
        # or before the earliest deadline, and then _expire finds the next one.
        armed = self._armed
        if (armed is None or deadline < armed) and self._timer.fd >= 0:
            self._timer.set(deadline)
            self._armed = deadline
        return task

    def _need_session(self, io: Optional[Io]) -> None:
        if self.session.state is not State.FULL_FEATURE or self._sock is None:
            command = io.command.NAME if io is not None else None
            raise ConnectionLost(f"{command + ' on ' if command else ''}{self.name}: the iSCSI "
                                 f"session is {self.session.state.value}; open the channel again",
                                 command=command, device=self.name)

    def _flush(self) -> None:
        self._corked = False
        data = self.session.data_to_send()
        unsent = self._unsent
        if not data and not unsent:
            return
        sock = self._sock
        if sock is None:
            return
        if data:
            if unsent:
                unsent += data
            else:
                try:
                    sent = sock.send(data)
                except BlockingIOError:
                    sent = 0
                except OSError as exc:
                    self._drop(exc)
                    return
                if sent < len(data):
                    unsent += memoryview(data)[sent:]
                    self._poller.modify(self._fd, select.POLLIN | select.POLLOUT)
                    self._arm()
                return
        while unsent:
            try:
                sent = sock.send(unsent)
            except BlockingIOError:
                return
            except OSError as exc:
                self._drop(exc)
                return
            del unsent[:sent]
        self._poller.modify(self._fd, select.POLLIN)

    # --- receiving --------------------------------------------------------------------

    def _read(self) -> None:
        sock = self._sock
        if sock is None:
            return
        session = self.session
        while True:
            # Straight into the session's PDU buffer: no copy of the bytes on our side.
            with session.receive_buffer(_CHUNK) as view:
                # Less than _CHUNK when the rest of a long Data-In goes straight to its Io.
                size = len(view)
                try:
                    count = sock.recv_into(view)
                except BlockingIOError:
                    return
                except OSError as exc:  # ECONNRESET: the target died or reset the connection
                    count = -1
                    error = exc
            if count < 0:
                self._drop(error)
                return
            session.received(count)  # 0: the target closed the connection
            if count < size or self._sock is None:
                return

    def _drop(self, error: BaseException) -> None:
        """The connection is unusable: every outstanding command fails (ERL 0)."""
        self.session.connection_lost(error)

    def _expire(self) -> Optional[float]:
        """Drop the connection when a command's deadline has passed (it fails with
        CommandTimedOut, the others with ConnectionLost); else return the earliest
        deadline still ahead (None: no command has one). Runs when the timer fires and
        while a synchronous caller waits, never per completion: it looks at every
        command in flight."""
        now = _monotonic()
        earliest: Optional[float] = None
        late: Optional[_Task] = None
        for task in self._tasks.values():
            deadline = task.deadline
            if deadline is None:
                continue
            if deadline <= now and (late is None or deadline < late.deadline):  # type: ignore[operator]
                late = task
            elif earliest is None or deadline < earliest:
                earliest = deadline
        if late is None:
            return earliest
        io = late.io
        late.error = CommandTimedOut(command=io.command.NAME, device=self.name, timeout=io.timeout)
        self._drop(IscsiTimeout(f"{io.command.NAME} on {self.name}: no answer within "
                                f"{io.timeout} ms; the connection was dropped (ErrorRecoveryLevel 0)"))
        return None

    def _collect(self, out: List[Io]) -> None:
        """Turn the session's events into finished Ios: synchronous ones are marked done
        for their caller, the others appended to ``out``."""
        tasks = self._tasks
        for event in self.session.next_events():
            cls = event.__class__
            if cls is CommandCompleted:
                task = tasks.pop(event.tag, None)
                if task is None:
                    continue
                io = task.io
                if event.status or event.response or event.sense or event.underflow or \
                        len(event.data) < io.length and io.DIRECTION is _IN:
                    self._fill(task, event)
                else:
                    # GOOD, all data moved: what _fill concludes, without the call.
                    hdr = io.hdr
                    hdr.status = hdr.host_status = hdr.driver_status = hdr.info = hdr.resid = 0
                    hdr.sense = b""
                    hdr.duration = int((_monotonic() - task.start) * 1000)
            elif cls is CommandFailed:
                task = tasks.pop(event.tag, None)
                if task is None:
                    self._tmf_answer(event)
                    continue
                task.io.hdr.clear()
                task.io.transport_error = task.error or self._failure(task.io, event.error)
            elif cls is ConnectionClosed:
                self._shut_down()
                continue
            else:
                if not self._tmf_answer(event) and cls is not LogoutCompleted:
                    self.events.append(event)
                continue
            task.done = True
            if not task.sync:
                out.append(task.io)

    def _tmf_answer(self, event: Any) -> bool:
        waiting = self._waiting_tmf
        if waiting is not None and getattr(event, "tag", None) == waiting[0]:
            waiting[1].append(event)
            return True
        return False

    def _fill(self, task: _Task, event: CommandCompleted) -> None:
        io = task.io
        hdr = io.hdr
        if event.response:
            hdr.clear()
            io.transport_error = ServiceResponseError(response=event.response, command=io.command.NAME,
                                                      device=self.name)
            return
        sense = event.sense
        if len(sense) > 8 and sense[0] & 0x70 == 0x70 and len(sense) > 8 + sense[7]:
            # Targets may send their whole sense buffer (LIO: 96 bytes); sg reports
            # 8 + ADDITIONAL SENSE LENGTH bytes of it (sb_len_wr), and so do we.
            sense = sense[: 8 + sense[7]]
        hdr.status = status = event.status
        hdr.sense = sense
        hdr.host_status = 0
        # Linux sets DRIVER_SENSE whenever sense data came back (and SG_INFO_CHECK with
        # any status or sense); an Io from iSCSI looks the same to a handler.
        hdr.driver_status = _DRIVER_SENSE if sense else 0
        hdr.info = 1 if status or sense else 0
        hdr.duration = int((_monotonic() - task.start) * 1000)
        resid = event.residual_count if event.underflow else 0
        data = event.data  # a view of io.buffer: the Data-In landed there
        if io.DIRECTION is Direction.IN and io.length - resid > len(data):
            resid = io.length - len(data)  # never claim bytes that did not arrive
        hdr.resid = resid

    def _failure(self, io: Io, error: BaseException) -> BaseException:
        """The command's own copy of a session-wide failure, naming the command."""
        if isinstance(error, ConnectionLost):
            mine = ConnectionLost(command=io.command.NAME, device=self.name)
            mine.__cause__ = error.__cause__
            return mine
        return error

    def _shut_down(self) -> None:
        # Not close(): the fd stays registered until the channel drops it. Both
        # directions shut make epoll report EPOLLHUP, the channel's hang-up path.
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already reset: TCP_CLOSE reports EPOLLHUP by itself
        self._unsent.clear()

    # --- waiting here (synchronous commands, reset, logout) ----------------------------

    def _drive(self, finished: Callable[[], bool], deadline: Optional[float], *, sent: bool = False) -> None:
        """Read, send and expire in this thread until ``finished()``; completions of
        other Ios found on the way are parked for the reactor, which the timer wakes.

        ``sent``: a command has just gone out, so wait for the socket before reading
        (its answer is not there yet: a read that finds nothing costs a system call and
        an exception). The wait ends by the timer's time, which no deadline precedes."""
        poll = self._poller.poll
        if sent:
            armed = self._armed
            poll(50 if armed is None else max(0, min(50, int((armed - _monotonic()) * 1000) + 1)))
        while True:
            with self._lock:
                parked = len(self._ready)
                self._read()
                self._flush()
                wake = self._expire()
                self._collect(self._ready)
                if len(self._ready) > parked:
                    self._timer.fire_now()
                    self._armed = 0.0
                if finished():
                    return
                if self._sock is None or self.session.state is State.CLOSED and not self._tasks:
                    return
            if deadline is not None:
                wake = deadline if wake is None else min(wake, deadline)
                if time.monotonic() >= deadline:
                    return
            # Another thread may read the answer first: look at least every 50 ms.
            timeout = 50 if wake is None else max(0, min(50, int((wake - time.monotonic()) * 1000) + 1))
            poll(timeout)

    def _logout(self) -> None:
        """Log out politely and wait a little for the answer (the channel is closing)."""
        try:
            self.session.logout()
        except Exception:  # noqa: BLE001 - a logout that cannot be sent is not needed
            return
        deadline = time.monotonic() + _LOGOUT_WAIT
        self._flush()
        poll = self._poller.poll
        while self.session.state is State.LOGGING_OUT and self._sock is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            poll(int(remaining * 1000) + 1)
            self._read()
            self._flush()

    def _arm(self, deadline: Optional[float] = None) -> None:
        """Set the timer to the earliest of: ``deadline`` (the earliest command deadline,
        when the timer fired), a send retry, now (parked Ios)."""
        when = deadline
        if self._ready or self._corked:
            when = 0.0
        elif self._unsent:
            retry = _monotonic() + _SEND_RETRY
            if when is None or retry < when:
                when = retry
        # Only ever earlier: a timer that fires before the earliest deadline (that command
        # completed) finds the next one, which is cheaper than a timerfd_settime per command.
        if when is not None and (self._armed is None or when < self._armed) and self._timer.fd >= 0:
            self._timer.set(when)
            self._armed = when


def _absorb_reset(blocking: BlockingSession) -> None:
    for _ in range(4):
        done = blocking.execute(bytes(6))  # TEST UNIT READY
        if done.status != 0x02 or not done.sense:
            return
        sense = decode_sense(done.sense)
        if sense.sense_key != 0x6 or sense.asc != 0x29:  # UNIT ATTENTION, power on or reset
            return


def open_iscsi(rest: str, **options: Any) -> IscsiTransport:
    """The opener behind the ``iscsi`` scheme: ``rest`` is the URI after ``iscsi:``."""
    return IscsiTransport("iscsi:" + rest, **options)
