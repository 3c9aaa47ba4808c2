"""The exchange: the life of every Io on one channel, with no I/O of its own.

A channel is wiring; this is its engine. It prepares an Io for a command, sends it when
the transport has room and keeps it in a backlog while it has none, takes it back when
the transport is done with it, judges it (:mod:`sgframe.judge`), retries it when a retry
policy asks, and keeps the ledger of asynchronous failures nobody has seen yet.

Like h11's ``Connection``, it is handed everything it works with: a :class:`Carrier`
(the transport: submit, execute, detach) and a :class:`Loop` (the reactor: its lock,
timers, and a way to wait). It never touches a descriptor and never imports the layers
that hand it those, so it can be driven by a test with a fake carrier and loop.

Locking: every method that changes the bookkeeping runs under ``loop.lock``, which the
reactor also holds while it completes Ios; the lock is a no-op until the reactor is made
thread-safe (see :mod:`sgframe.reactor` for why).
"""
from __future__ import annotations

import sys
from collections import deque
from typing import Any, Callable, ContextManager, Optional, Protocol, Sequence

from . import errors
from ._lazy import log_exception
from .cdb import Command, Direction
from .io import IO_MODES, BufferPool, Io, io_for
from .judge import PluginHook, Scope, device_verdict, judge
from .linux.limits import SG_MAX_TRANSFER

__all__ = ["NO_LOCK", "Carrier", "Exchange", "HookSource", "Loop"]


class Carrier(Protocol):
    """What the exchange needs from a transport."""

    inline: bool
    #: The most bytes one command may move (refused before anything is allocated).
    max_transfer: int
    #: How data moves by default ("indirect", "mmap", "direct"), or None for a transport
    #: that has one way only (everything but sg).
    io_mode: Optional[str]

    def submit(self, io: Io) -> bool: ...

    def execute(self, io: Io) -> None: ...

    def detach(self) -> list[Io]: ...


class _NoLock:
    """The lock of a loop driven by one thread: a context manager that does nothing."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None


#: The one no-op lock. A loop whose ``lock`` is this object is driven by one thread, and
#: the exchange then skips entering it (two Python calls per use on the hot path).
NO_LOCK = _NoLock()


class Loop(Protocol):
    """What the exchange needs from a reactor."""

    #: NO_LOCK, or a reentrant lock once the loop is made thread-safe.
    lock: ContextManager[Any]

    def call_later(self, delay: float, callback: Callable[[], Any]) -> None: ...

    def notify_inline(self) -> None: ...

    def wait_for(self, predicate: Callable[[], bool], timeout: Optional[float] = None) -> bool: ...

    def run_once(self, timeout: Optional[float] = 0) -> int: ...


class HookSource(Protocol):
    """Where the plugins' ``sgframe_judge_response`` is found (the plugin manager):
    read at each completion, so a plugin registered later takes part at once."""

    judge_hook: Optional[PluginHook]


class _NoHooks:
    judge_hook = None


# Claiming an Io for reuse is check-then-mark; two threads handing the same Io to
# execute() at once must not both win (the loser's buffer would be the one the kernel
# writes into). Only the io= path claims: a fresh Io is nobody else's. The claim is an
# entry in this dict, made by one setdefault() (atomic: an int key runs no Python code),
# not a lock: CPython reads the monotonic clock on every lock acquire, and where that is
# a system call (User-Mode Linux has no vDSO) it cost one per command.
_CLAIMS: dict[int, object] = {}
_refs = sys.getrefcount
_NOTHING = memoryview(b"")



class Exchange:
    """The exchanges of one channel.

    :param name: the device's name, for messages.
    :param carrier: the transport.
    :param loop: the reactor.
    :param scopes: where handlers and policies are set for many Ios (the channel's own
        settings, then the reactor), in the order they apply.
    :param hooks: the plugin manager (anything with a ``judge_hook`` attribute).
    :param vendor_decoder: ``decode(command, data)`` for vendor pages, or None.
    """

    def __init__(self, name: str, carrier: Carrier, loop: Loop, *, scopes: Sequence[Any] = (),
                 hooks: HookSource = _NoHooks(),
                 vendor_decoder: Optional[Callable[[Command, bytes], Any]] = None) -> None:
        self.name = name
        self.carrier = carrier
        self.loop = loop
        self.scopes: Sequence[Scope] = tuple(scopes)
        self.hooks = hooks
        self.vendor_decoder = vendor_decoder
        self.backlog: deque[Io] = deque()
        self.outstanding = 0
        # Failed asynchronous Ios whose failure nobody has seen yet (wait() raises them);
        # an Io leaves when its own wait() or result raises the failure.
        self.unobserved: dict[int, Io] = {}
        #: Data buffers of fresh Ios, back when their Io is dropped (see sgframe.io).
        self.pool = BufferPool()

    # --- IoOwner: what an Io asks of whoever sent it --------------------------------------

    def wait_for(self, predicate: Callable[[], bool], timeout: Optional[float]) -> bool:
        return self.loop.wait_for(predicate, timeout)

    def poll(self) -> None:
        self.loop.run_once(0)

    def observed(self, io: Io) -> None:
        self.unobserved.pop(id(io), None)

    def decode_vendor(self, command: Command, data: bytes) -> Any:
        decoder = self.vendor_decoder
        return decoder(command, data) if decoder is not None else None

    # --- preparing --------------------------------------------------------------------------

    def prepare(self, command: Command, data: Any, timeout: int, verify_handler: Any, io: Optional[Io],
                block_size: Optional[int], channel: Any = None, *, buffer: Any = None,
                io_mode: Optional[str] = None) -> Io:
        """An Io for ``command``, its data phase sized and its data lent to it.

        Data to send (``data``: any buffer-protocol object) is not copied: the transport
        reads it where it is (the sg driver copies it during submission; direct I/O reads
        it while the command runs), so it must stay unchanged until the command returns.
        ``buffer`` (a writable buffer-protocol object of at least the transfer's size)
        receives a command's data-in directly. Without it, a fresh Io's buffer comes from
        the channel's pool. ``io_mode`` ("indirect", "mmap", "direct") picks how the sg
        transport moves the data for this command (None: the transport's own setting).

        :raises UsageError: the arguments do not fit the command.
        """
        if not isinstance(command, Command):
            raise errors.UsageError(f"execute() takes a command object, not {type(command).__name__}")
        if verify_handler is not None and not callable(verify_handler):
            raise errors.UsageError(f"verify_handler must be callable with the Io, not {verify_handler!r}")
        length = command.data_length(block_size)
        limit = self.carrier.max_transfer
        if length > limit:
            raise errors.UsageError(
                f"{command.NAME} would move {length} bytes; {self.name} takes at most {limit} bytes per "
                f"command ({_why_limit(limit)}): split the transfer"
            )
        # The common case inline (no call): measured at 3% of a 4 KiB command on sg.
        mode = self.carrier.io_mode if io_mode is None else self._io_mode(io_mode)
        if io is None:
            io = io_for(command, timeout=timeout)
            io.busy = True
            if length and buffer is None and data is None and mode != "mmap":
                # A pooled buffer: no allocation per command once the pool is warm.
                io.buffer, io.transport_state = self.pool.take(length)
                io.pool = self.pool
        else:
            if not isinstance(io, Io):
                raise errors.UsageError(f"io= takes an Io to reuse, not {type(io).__name__}")
            token = object()
            if _CLAIMS.setdefault(id(io), token) is not token:
                raise errors.UsageError(f"{io!r} is still in flight; reuse it once it has returned")
            try:
                io.reset(command, timeout=timeout)
                io.busy = True
            finally:
                del _CLAIMS[id(io)]
        io.io_mode = io_mode
        try:
            self._fill(io, command, data, length, channel, verify_handler, mode == "mmap", buffer)
        except BaseException:
            io.busy = False
            raise
        return io

    def _io_mode(self, io_mode: Optional[str]) -> Optional[str]:
        """The mode a command will use: its own, else the transport's (only sg has modes)."""
        default = self.carrier.io_mode
        if io_mode is None:
            return default
        if io_mode not in IO_MODES:
            raise errors.UsageError(f"io_mode={io_mode!r}: use one of {', '.join(IO_MODES)}")
        if default is None and io_mode != "indirect":
            raise errors.UsageError(f"io_mode={io_mode!r}: {self.name} moves data one way only; "
                                    "mmap'd and direct I/O are the sg transport's")
        return io_mode

    def _fill(self, io: Io, command: Command, data: Any, length: int, channel: Any, verify_handler: Any,
              mapped: bool = False, buffer: Any = None) -> None:
        io.channel = channel
        io.device = self.name
        io.owner = self
        io.verify_handler = verify_handler
        io.handlers = command._handlers
        direction = command.DIRECTION
        if buffer is not None and direction is not Direction.IN:
            raise errors.UsageError(f"buffer= receives data from the device; {command.NAME} "
                                    f"({direction.value}) has none to receive: give data= to send")
        if direction is Direction.OUT or direction is Direction.BOTH:
            if data is None and not length:
                data = b""  # e.g. VERIFY with BYTCHK 0: declared data-out, moves nothing
            if data is None:
                raise errors.UsageError(f"{command.NAME} sends {length} bytes to the device: give data=")
            data = _as_bytes_like(command, data)
            if direction is Direction.OUT and len(data) != length:
                raise errors.UsageError(
                    f"{command.NAME} moves {length} bytes as its CDB says; data has {len(data)}"
                )
            if direction is Direction.OUT:
                io.lend(data, length)
            else:
                io.set_data(data)
                io.set_length(length)
        else:
            if data is not None:
                raise errors.UsageError(f"{command.NAME} sends no data to the device ({direction.value}); drop data=")
            if buffer is not None:
                self._lend(io, command, buffer, length)  # no buffer of the Io's own at all
            elif mapped and length:
                io.lend(_NOTHING, length)  # the transport shows the fd's mapped reserved buffer
            elif io.borrowed or len(io.buffer) < length:
                io.set_length(length)
            else:
                io.length = length  # set_length()'s common case: the buffer fits

    @staticmethod
    def _lend(io: Io, command: Command, buffer: Any, length: int) -> None:
        view = _as_bytes_like(command, buffer, "buffer=")
        if not isinstance(view, memoryview):
            view = memoryview(view)
        if view.readonly:
            raise errors.UsageError(f"buffer= for {command.NAME} must be writable, not a read-only "
                                    f"{type(buffer).__name__}")
        if len(view) < length:
            raise errors.UsageError(f"buffer= for {command.NAME} has {len(view)} bytes; the command "
                                    f"moves {length}")
        io.lend(view, length)

    # --- sending ------------------------------------------------------------------------------

    def run_now(self, io: Io) -> None:
        """Send a prepared Io synchronously (the transport's blocking path) and judge it."""
        io.synchronous = True
        # Counted in flight before the transport sees it: from here until it has
        # returned, reset() refuses the Io, whichever thread asks.
        io.attempts += 1
        lock = self.loop.lock
        if lock is NO_LOCK:
            self.outstanding += 1
        else:
            with lock:
                self.outstanding += 1
        try:
            self.carrier.execute(io)
        except errors.TaskFailed as failure:
            with lock:
                self.finish(io, failure)
            return
        except BaseException:
            with lock:
                self.outstanding -= 1
            io.attempts -= 1
            io.busy = False
            raise
        if lock is NO_LOCK:
            self.complete(io)
        else:
            with lock:
                self.complete(io)
        if not io.returned:
            # A retry policy sent it again asynchronously: a synchronous call still waits.
            self.loop.wait_for(lambda: io.returned)

    def submit(self, io: Io) -> None:
        """Send a prepared Io asynchronously, or queue it until the transport has room."""
        io.synchronous = False
        lock = self.loop.lock
        if lock is NO_LOCK:
            self._enqueue(io)
        else:
            with lock:
                self._enqueue(io)

    def _enqueue(self, io: Io) -> None:
        self.outstanding += 1
        try:
            if self.backlog or not self._send(io):
                self.backlog.append(io)
        except BaseException:
            self.outstanding -= 1  # nothing was sent: nothing is outstanding
            io.busy = False
            raise

    def _send(self, io: Io) -> bool:
        try:
            sent = self.carrier.submit(io)
        except errors.TaskFailed as failure:
            io.attempts += 1
            io.hdr.clear()
            self.finish(io, failure)
            return True
        if sent:
            io.attempts += 1
            if self.carrier.inline:
                self.loop.notify_inline()
        return sent

    # --- completing ---------------------------------------------------------------------------

    def complete(self, io: Io) -> None:
        """A transport finished this Io: judge it, run the handlers, wake the waiters.

        A failure that a retry policy (the command's, else the channel's, else the
        reactor's; none by default) wants retried is sent again instead, after the
        policy's delay, and only the last attempt is judged by the handlers.
        """
        if io.transport_error is not None:
            self.finish(io, io.transport_error)
            return
        policy = io.retry_policy
        watched = False  # a scope has handlers
        for scope in self.scopes:
            if policy is None:
                policy = scope.retry_policy
            if scope.handlers:
                watched = True
        if policy is None and not watched:
            hdr = io.hdr
            if (not (hdr.status or hdr.host_status or hdr.driver_status or hdr.sense) and io.verify_handler is None
                    and not io.handlers and self.hooks.judge_hook is None):
                # GOOD, and nobody to tell: what judge() would conclude, without the calls.
                self.finish(io, None)
                return
        if policy is not None:
            delay = policy.should_retry(io, device_verdict(io, self.scopes))
            if delay is not None:
                io.hdr.clear()
                if delay > 0:
                    self.loop.call_later(delay, lambda: self._resend(io))
                else:
                    self._resend(io)
                return
        try:
            outcome = judge(io, self.scopes, self.hooks.judge_hook)
        except BaseException as interrupt:  # noqa: BLE001 - KeyboardInterrupt from a handler
            # The Io still gets an outcome (its waiter raises it) before the interrupt
            # goes on up to whoever runs the loop.
            self.finish(io, interrupt)
            raise
        self.finish(io, outcome)

    def _resend(self, io: Io) -> None:
        if self.backlog or not self._send(io):
            self.backlog.append(io)

    def finish(self, io: Io, failure: Optional[BaseException]) -> None:
        """Publish the outcome, run the done callbacks, send what waited for room."""
        if failure is not None:
            failure.io = io  # type: ignore[union-attr]
            if not io.synchronous:
                self.unobserved[id(io)] = io
        io.exception = failure
        io.returned = True
        io.busy = False
        if io.pool is not None:
            # Counted as Io.__del__ counts: more then means a view of the buffer was kept.
            io.idle_refs = _refs(io.buffer)
        self.outstanding -= 1
        callbacks = io._callbacks
        if callbacks:
            io._callbacks = ()
            for callback in callbacks:
                try:
                    callback(io)
                except Exception:  # noqa: BLE001 - one bad callback must not lose other completions
                    # Like asyncio's "Exception in callback": said loudly, and the reactor goes on.
                    log_exception("sgframe: done callback %r of %r raised", callback, io)
        backlog = self.backlog
        while backlog:
            # Off the backlog before it is sent: a transport that refuses it with a
            # failure finishes it right here, and that finish must not find it again.
            waiting = backlog.popleft()
            if not self._send(waiting):
                backlog.appendleft(waiting)
                break

    def fail_all(self, why: str) -> int:
        """The transport is gone: fail with DeviceGone every Io still in flight or waiting
        for room; returns how many."""
        lost = self.carrier.detach() + list(self.backlog)
        self.backlog.clear()
        for io in lost:
            io.hdr.clear()
            self.finish(io, errors.DeviceGone(f"{io.command.NAME} on {self.name}: {why}",
                                              command=io.command.NAME, device=self.name))
        return len(lost)

    # --- the ledger ---------------------------------------------------------------------------

    def pop_unobserved(self) -> Optional[Io]:
        """The oldest failed asynchronous Io nobody has seen fail, taken off the ledger."""
        with self.loop.lock:
            if not self.unobserved:
                return None
            return self.unobserved.pop(next(iter(self.unobserved)))


def _why_limit(limit: int) -> str:
    if limit == SG_MAX_TRANSFER:
        return "the sg driver refuses 256 MiB or more"
    return "the transport's limit: the host's max_hw_sectors_kb or the device's Block Limits VPD"


def _as_bytes_like(command: Command, data: Any, what: str = "data=") -> Any:
    """A buffer-protocol object as a flat byte view (no copy where it is contiguous)."""
    if isinstance(data, (bytes, bytearray)):
        return data
    try:
        if isinstance(data, str):
            raise TypeError
        view = memoryview(data)
    except TypeError:
        raise errors.UsageError(
            f"{what} for {command.NAME} must be bytes-like (bytes, bytearray, memoryview, array, mmap), "
            f"not {type(data).__name__}"
        ) from None
    if view.format == "B" and view.ndim == 1 and view.c_contiguous:
        return view
    # Sized in bytes whatever the element type (an array of int32, a numpy array).
    if view.c_contiguous:
        return view.cast("B")
    if what != "data=":
        raise errors.UsageError(f"{what} for {command.NAME} must be contiguous (the kernel fills it in place)")
    return bytes(view)  # a strided view: one copy, the only way to hand it over whole
