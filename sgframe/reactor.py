"""The reactor: one epoll set, file descriptors and the callbacks that want them.

Waiting is the reactor's job and nobody else's. It knows descriptors, callbacks, timers
and inline sources, nothing more (as trio's epoll loop knows fds and waiters): whoever
registers an fd says what to call when it is readable and when it hangs up, and those
callbacks (a channel reaping its transport) return how many commands they completed so
that waiters are woken. A socket plugs in exactly as an sg fd does.

How the sg driver looks through epoll (checked on Linux 6.1, sg 3.5.36):

* An sg fd is readable (EPOLLIN) while at least one completed request waits to be
  ``read()``. It stays readable until all are read, so level-triggered epoll is right:
  a transport may reap only some of them and will be told again.
* EPOLLHUP arrives once the SCSI device is being removed. A non-blocking ``read()`` then
  still says EAGAIN when nothing is ready, so HUP is the only sign that the commands still
  in flight will never come back: the hang-up callback fails them.
* Each fd holds 16 requests at most; a transport that needs more opens more fds, and each
  of them is registered here on its own.

The loop is split as trio splits it: :meth:`Reactor.get_events` waits, and
:meth:`Reactor.process_events` acts on what came back, so tests can feed events without
a kernel. The reactor runs where it is needed: in the caller's thread while something waits
(:meth:`wait_for`), in a background thread (:meth:`start`/:meth:`stop`), or inside an
asyncio loop, which watches the epoll fd itself (an epoll fd is readable when any fd in its
set is), so there is no thread per command and no thread at all.

Inline sources (the emulated disk) complete commands during ``submit``; they say they
have work with ``has_work()`` and the next pass calls their ``drain()``, with no syscall.

Threads. A reactor belongs to the thread that uses it, like an asyncio loop, unless it is
made thread-safe: ``Reactor(threadsafe=True)``, or :meth:`Reactor.start`, which runs it
in a background thread so that any thread may submit and wait. Only then does it take a
lock around its bookkeeping. Why not always: an uncontended lock costs 50 ns on a real
kernel but about 20 us under User-Mode Linux (measured: 47,000 acquire/release pairs a
second), which alone would cost the test bed a third of its IOPS.

fork(). A child process shares its parent's epoll set (the kernel object, not a copy):
an fd the child registered would wake the parent. After fork() every reactor of the
parent is dead in the child (:attr:`Reactor.forked`; its descriptors are closed there),
and :func:`default_reactor` makes the child a fresh one.
"""
from __future__ import annotations

import heapq
import itertools
import os
import select
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol

from ._lazy import log_exception
from .errors import UsageError
from .exchange import NO_LOCK

if TYPE_CHECKING:
    import asyncio

__all__ = ["InlineSource", "Reactor", "default_reactor"]


_HANGUP = select.EPOLLHUP | select.EPOLLERR
_READABLE = select.EPOLLIN

#: ``callback(fd)`` for a readable or hung-up fd; returns how many commands it completed.
FdCallback = Callable[[int], int]


class InlineSource(Protocol):
    """Something that completes work without a descriptor (the emulated disk's transport)."""

    def has_work(self) -> bool:
        """True when :meth:`drain` has completions to deliver."""

    def drain(self) -> int:
        """Deliver the completions; returns how many."""


# The lock of a reactor used from one thread: a no-op context manager (the exchange
# recognises it and skips it on the hot path).
_NO_LOCK = NO_LOCK

# Every reactor of this process, so that a forked child can declare them dead.
_ALL: "weakref.WeakSet[Reactor]" = weakref.WeakSet()


def _close_descriptors(epoll: Any, fds: tuple[int, ...]) -> None:
    # A weakref finalizer: a reactor dropped without close() returns its descriptors.
    epoll.close()
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


class Reactor:
    """Completions for any number of descriptors, from one epoll set.

    :param threadsafe: let several threads submit and wait (see the module docstring);
        :meth:`start` turns it on by itself.
    """

    def __init__(self, *, threadsafe: bool = False) -> None:
        self._epoll = select.epoll()
        self._fds: dict[int, tuple[FdCallback, FdCallback]] = {}
        self._inline: list[InlineSource] = []
        self._closers: list[Callable[[], Any]] = []
        # One lock guards the bookkeeping of everything on this reactor (channels and
        # transports take no locks of their own on the hot path).
        self.lock: Any = _NO_LOCK
        self._changed: threading.Condition | None = None
        self._driving: threading.Lock | None = None  # who runs the loop when no thread does
        self._waiters = 0
        if threadsafe:
            self.make_threadsafe()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._closed = False
        #: True in a child process for a reactor its parent made before fork().
        self.forked = False
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)
        self._finalizer = weakref.finalize(self, _close_descriptors, self._epoll,
                                           (self._wake_read, self._wake_write))
        self._epoll.register(self._wake_read, _READABLE)
        self._loop: asyncio.AbstractEventLoop | None = None
        # Timers (retry back-off): a heap of (deadline, sequence, callback).
        self._timers: list[tuple[float, int, Callable[[], Any]]] = []
        self._timer_sequence = itertools.count()
        #: Handlers run after each completion on any channel of this reactor.
        self.handlers: list[Callable[[Any], Any]] = []
        #: The retry policy of every channel on this reactor that sets none.
        self.retry_policy: Any = None
        #: "raise": RECOVERED ERROR and COMPLETED raise on this reactor's channels.
        self.recovered_error_policy: Optional[str] = None
        _ALL.add(self)

    @property
    def threadsafe(self) -> bool:
        return self._driving is not None

    @property
    def closed(self) -> bool:
        return self._closed

    def make_threadsafe(self) -> None:
        """From now on, any thread may submit to and wait on this reactor."""
        if self._driving is None:
            self.lock = threading.RLock()
            self._changed = threading.Condition(self.lock)
            self._driving = threading.Lock()

    def check_usable(self) -> None:
        """Raise :class:`UsageError` when this reactor is closed or was inherited over fork()."""
        if self.forked:
            raise UsageError(
                "this reactor (and every channel on it) was made by the parent process before fork(); "
                "a child process opens its own channels (Channel.open in the child)"
            )
        if self._closed:
            raise UsageError("the reactor is closed; make a new Reactor()")

    # --- descriptors and sources --------------------------------------------------------

    def register(self, fd: int, on_readable: FdCallback, on_hangup: FdCallback) -> None:
        """Watch ``fd``: ``on_readable(fd)`` while it is readable, ``on_hangup(fd)`` when it
        hangs up. Each returns how many commands it completed."""
        with self.lock:
            self.check_usable()
            self._epoll.register(fd, _READABLE)
            self._fds[fd] = (on_readable, on_hangup)

    def unregister(self, fd: int) -> None:
        """Stop watching ``fd``; call before it is closed."""
        with self.lock:
            if self._fds.pop(fd, None) is not None and not self._closed and not self.forked:
                try:
                    self._epoll.unregister(fd)
                except (OSError, ValueError):
                    pass  # already closed: epoll dropped it by itself

    def add_inline(self, source: InlineSource) -> None:
        with self.lock:
            self.check_usable()
            self._inline.append(source)

    def remove_inline(self, source: InlineSource) -> None:
        with self.lock:
            if source in self._inline:
                self._inline.remove(source)

    def on_close(self, callback: Callable[[], Any]) -> None:
        """Call ``callback()`` when the reactor closes (a channel closes itself)."""
        with self.lock:
            self._closers.append(callback)

    def forget_on_close(self, callback: Callable[[], Any]) -> None:
        with self.lock:
            if callback in self._closers:
                self._closers.remove(callback)

    # --- the loop -----------------------------------------------------------------------

    def call_later(self, delay: float, callback: Callable[[], Any]) -> None:
        """Run ``callback()`` from the loop, under the lock, ``delay`` seconds from now."""
        with self.lock:
            heapq.heappush(self._timers, (time.monotonic() + delay, next(self._timer_sequence), callback))
        if self._live_loop() is not None:
            self._loop.call_soon_threadsafe(self._loop.call_later, delay, self._on_asyncio_ready)
        else:
            self.wake()

    def get_events(self, timeout: float | None) -> list[tuple[int, int]]:
        """Wait up to ``timeout`` seconds (None: forever) for fds with something to say."""
        if self._inline and any(source.has_work() for source in self._inline):  # (no generator when none)
            timeout = 0
        elif self._timers:
            due = max(0.0, self._timers[0][0] - time.monotonic())
            timeout = due if timeout is None else min(timeout, due)
        return self._epoll.poll(-1 if timeout is None else timeout)

    def process_events(self, events: list[tuple[int, int]]) -> int:
        """Call back whoever the events concern; returns how many commands completed."""
        completed = 0
        with self.lock:
            try:
                for fd, mask in events:
                    if fd == self._wake_read:
                        _drain(fd)
                        continue
                    callbacks = self._fds.get(fd)
                    if callbacks is None:
                        continue
                    if mask & _READABLE:
                        completed += callbacks[0](fd)
                    if mask & _HANGUP and fd in self._fds:
                        completed += callbacks[1](fd)
                timers = self._timers
                while timers and timers[0][0] <= time.monotonic():
                    heapq.heappop(timers)[2]()
                if self._inline:
                    for source in list(self._inline):
                        if source.has_work():
                            completed += source.drain()
            finally:
                # Waiters are woken even when a callback raised (KeyboardInterrupt from a
                # handler): the Io it was completing has its outcome by then.
                if self._waiters:
                    assert self._changed is not None
                    self._changed.notify_all()
        return completed

    def run_once(self, timeout: float | None = 0) -> int:
        """One pass: wait up to ``timeout`` seconds, then process what arrived."""
        driving = self._driving
        if driving is None:
            return self.process_events(self.get_events(timeout))
        if self._thread is not None and threading.current_thread() is not self._thread:
            return 0  # the background thread owns the loop
        if not driving.acquire(blocking=False):
            return 0
        try:
            return self.process_events(self.get_events(timeout))
        finally:
            driving.release()

    def wait_for(self, predicate: Callable[[], bool], timeout: float | None = None) -> bool:
        """Make progress until ``predicate()`` is true or ``timeout`` seconds pass."""
        self.check_usable()
        deadline = None if timeout is None else time.monotonic() + timeout
        while not predicate():
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            if self._driving is None or self._thread is threading.current_thread():
                # One thread, or a callback on the reactor's own thread: drive the loop
                # here. Nested waits (a handler that waits) drive it one level deeper.
                self.process_events(self.get_events(remaining))
                continue
            if self._thread is None and self._driving.acquire(blocking=False):
                try:
                    # Short slices: another thread's submission needs no wake-up then.
                    slice_ = 0.05 if remaining is None else min(remaining, 0.05)
                    self.process_events(self.get_events(slice_))
                finally:
                    self._driving.release()
                continue
            # Someone else runs the loop: sleep until it completes something.
            assert self._changed is not None
            with self.lock:
                if predicate():
                    break
                self._waiters += 1
                try:
                    self._changed.wait(0.05 if remaining is None else min(remaining, 0.05))
                finally:
                    self._waiters -= 1
        return True

    def wake(self) -> None:
        """Interrupt a get_events() sleeping in another thread."""
        try:
            os.write(self._wake_write, b"\0")
        except (BlockingIOError, OSError):
            pass  # the pipe is full (a wake-up is pending anyway) or already closed

    def notify_inline(self) -> None:
        """An inline source has work: whoever runs the loop must look."""
        if self._thread is not None and threading.current_thread() is not self._thread:
            self.wake()
        elif self._live_loop() is not None:
            self._loop.call_soon_threadsafe(self._on_asyncio_ready)

    # --- background thread --------------------------------------------------------------

    def start(self) -> None:
        """Run the loop in a background thread until :meth:`stop`."""
        self.check_usable()
        self.make_threadsafe()
        assert self._driving is not None
        with self.lock:
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="sgframe-reactor", daemon=True)
        with self._driving:  # wait for a caller-thread pass in progress to end
            self._thread.start()

    def stop(self, timeout: float | None = 5.0) -> None:
        """End the background thread. From a callback on that thread, it ends once the
        callback returns; the reactor is no longer :attr:`running` at once."""
        thread = self._thread
        if thread is None:
            return
        self._stopping = True
        self._thread = None
        if thread is threading.current_thread():
            return
        self.wake()
        thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def _run(self) -> None:
        while not self._stopping:
            try:
                self.process_events(self.get_events(None))
            except BaseException:  # noqa: BLE001 - the loop must outlive any one callback
                # A handler's KeyboardInterrupt, for instance: the Io it was judging already
                # carries it as its outcome, and its waiter raises it. Nobody else is here
                # to catch it, so say it and go on.
                if self._closed:
                    return
                log_exception("sgframe: reactor thread: a callback raised; the reactor goes on")

    # --- asyncio ---------------------------------------------------------------------

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Let an asyncio loop drive this reactor: it watches the epoll fd."""
        self.check_usable()
        if self._loop is loop:
            return
        if self._loop is not None:
            self.detach_loop()
        self._loop = loop
        loop.add_reader(self._epoll.fileno(), self._on_asyncio_ready)

    def _live_loop(self) -> asyncio.AbstractEventLoop | None:
        """The attached asyncio loop, unless it has been closed (asyncio.run() ended):
        then the reactor goes back to running where something waits."""
        if self._loop is not None and self._loop.is_closed():
            self._loop = None
        return self._loop

    def detach_loop(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self._epoll.fileno())
        self._loop = None

    def _on_asyncio_ready(self) -> None:
        self.process_events(self._epoll.poll(0))

    # --- the end ------------------------------------------------------------------------

    def close(self) -> None:
        """Close everything on the reactor, then the reactor. A second call does nothing."""
        if self._closed:
            return
        self.stop()
        if not self.forked:
            self.detach_loop()
        for closer in list(self._closers):
            closer()
        self._closed = True
        self._finalizer()

    def _after_fork_in_child(self) -> None:
        self.forked = True
        self._thread = None  # threads do not survive fork()
        self._loop = None
        self._fds.clear()
        self._inline.clear()
        self._closers.clear()
        self._finalizer()  # the child's copies of the descriptors

    def __enter__(self) -> Reactor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


_default: Reactor | None = None
_default_lock = threading.Lock()


def default_reactor() -> Reactor:
    """The reactor channels use when none is given (one per process)."""
    global _default
    with _default_lock:
        if _default is None or _default.closed:
            _default = Reactor()
        return _default


def _after_fork_in_child() -> None:
    global _default, _default_lock
    _default_lock = threading.Lock()  # it may have been held by a thread that is gone
    _default = None
    for reactor in list(_ALL):
        reactor._after_fork_in_child()


os.register_at_fork(after_in_child=_after_fork_in_child)
