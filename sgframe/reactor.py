"""The reactor: one epoll set that collects completions for many channels.

Waiting is the reactor's job and nobody else's. Channels submit; the reactor learns from
epoll which sg fds have completions ready, asks each transport to ``reap`` them, and hands
every finished Io back to its channel, which judges it and runs its handlers.

How the sg driver looks through epoll (checked on Linux 6.1, sg 3.5.36):

* An sg fd is readable (EPOLLIN) while at least one completed request waits to be
  ``read()``. It stays readable until all are read, so level-triggered epoll is right:
  a transport may reap only some of them and will be told again.
* EPOLLHUP arrives once the SCSI device is being removed. A non-blocking ``read()`` then
  still says EAGAIN when nothing is ready, so HUP is the only sign that the commands still
  in flight will never come back: the channel fails them with ``DeviceGone``.
* Each fd holds 16 requests at most; a transport that needs more opens more fds, and each
  of them is registered here on its own.

The loop is split as trio splits it: :meth:`Reactor.get_events` waits, and
:meth:`Reactor.process_events` acts on what came back, so tests can feed events without
a kernel. The reactor runs where it is needed: in the caller's thread while something waits
(:meth:`wait_for`), in a background thread (:meth:`start`/:meth:`stop`), or inside an
asyncio loop, which watches the epoll fd itself (an epoll fd is readable when any fd in its
set is), so there is no thread per command and no thread at all.

Inline transports (the emulated disk) complete commands during ``submit``; their Ios wait
in the transport's ``completed`` queue and are collected on the next pass, with no syscall.

Threads. A reactor belongs to the thread that uses it, like an asyncio loop, unless it is
made thread-safe: ``Reactor(threadsafe=True)``, or :meth:`Reactor.start`, which runs it
in a background thread so that any thread may submit and wait. Only then does it take a
lock around its bookkeeping. Why not always: an uncontended lock costs 50 ns on a real
kernel but about 20 us under User-Mode Linux (measured: 47,000 acquire/release pairs a
second), which alone would cost the test bed a third of its IOPS.
"""
from __future__ import annotations

import heapq
import itertools
import os
import select
import threading
import time
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    import asyncio

    from .channel import Channel

__all__ = ["Reactor", "default_reactor"]

_HANGUP = select.EPOLLHUP | select.EPOLLERR
_READABLE = select.EPOLLIN


class _NoLock:
    """The lock of a reactor used from one thread: costs a method call, no syscall."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None


_NO_LOCK = _NoLock()


class Reactor:
    """Completions for any number of channels, from one epoll set.

    :param threadsafe: let several threads submit and wait (see the module docstring);
        :meth:`start` turns it on by itself.
    """

    def __init__(self, *, threadsafe: bool = False) -> None:
        self._epoll = select.epoll()
        self._channels: dict[int, Channel] = {}  # fd -> channel
        self._inline: list[Channel] = []
        # One lock guards the bookkeeping of every channel on this reactor (channels and
        # transports take no locks of their own on the hot path).
        self.lock: Any = _NO_LOCK
        self._changed: threading.Condition | None = None
        self._driving: threading.Lock | None = None  # who runs the loop when no thread does
        self._waiters = 0
        if threadsafe:
            self.make_threadsafe()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)
        self._epoll.register(self._wake_read, _READABLE)
        self._loop: asyncio.AbstractEventLoop | None = None
        # Timers (retry back-off): a heap of (deadline, sequence, callback).
        self._timers: list[tuple[float, int, Callable[[], Any]]] = []
        self._timer_sequence = itertools.count()
        #: Handlers run after each completion on any channel of this reactor.
        self.handlers: list[Callable[[Any], Any]] = []
        self.retry_policy: Any = None

    @property
    def threadsafe(self) -> bool:
        return self._driving is not None

    def make_threadsafe(self) -> None:
        """From now on, any thread may submit to and wait on this reactor."""
        if self._driving is None:
            self.lock = threading.RLock()
            self._changed = threading.Condition(self.lock)
            self._driving = threading.Lock()

    # --- channels -----------------------------------------------------------------

    def add(self, channel: Channel) -> None:
        with self.lock:
            transport = channel.transport
            if transport.inline:
                self._inline.append(channel)
            for fd in transport.fds():
                self._epoll.register(fd, _READABLE)
                self._channels[fd] = channel

    def remove(self, channel: Channel) -> None:
        """Forget a channel; call before its transport closes its fds."""
        with self.lock:
            for fd, owner in list(self._channels.items()):
                if owner is channel:
                    del self._channels[fd]
                    try:
                        self._epoll.unregister(fd)
                    except (OSError, ValueError):
                        pass  # already closed: epoll dropped it by itself
            if channel in self._inline:
                self._inline.remove(channel)

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
        if any(channel.transport.completed for channel in self._inline):
            timeout = 0
        elif self._timers:
            due = max(0.0, self._timers[0][0] - time.monotonic())
            timeout = due if timeout is None else min(timeout, due)
        while True:
            try:
                return self._epoll.poll(-1 if timeout is None else timeout)
            except InterruptedError:  # pragma: no cover - PEP 475 retries for us
                continue

    def process_events(self, events: list[tuple[int, int]]) -> int:
        """Reap and complete what the events announce; returns how many Ios completed."""
        completed = 0
        with self.lock:
            for fd, mask in events:
                if fd == self._wake_read:
                    _drain(fd)
                    continue
                channel = self._channels.get(fd)
                if channel is None:
                    continue
                if mask & _READABLE:
                    for io in channel.transport.reap(fd):
                        channel._complete(io)
                        completed += 1
                if mask & _HANGUP:
                    completed += channel._device_gone()
            timers = self._timers
            while timers and timers[0][0] <= time.monotonic():
                heapq.heappop(timers)[2]()
            for channel in list(self._inline):
                queue = channel.transport.completed
                while queue:
                    channel._complete(queue.popleft())
                    completed += 1
            if completed and self._waiters:
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
        deadline = None if timeout is None else time.monotonic() + timeout
        while not predicate():
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            if self._driving is None:
                # One thread: drive the loop here. Nested waits (a handler that waits)
                # simply drive it one level deeper.
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
        except BlockingIOError:
            pass  # the pipe is full: a wake-up is pending anyway

    def notify_inline(self) -> None:
        """An inline transport finished a command: whoever runs the loop must look."""
        if self._thread is not None and threading.current_thread() is not self._thread:
            self.wake()
        elif self._live_loop() is not None:
            self._loop.call_soon_threadsafe(self._on_asyncio_ready)

    # --- background thread --------------------------------------------------------------

    def start(self) -> None:
        """Run the loop in a background thread until :meth:`stop`."""
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
        thread = self._thread
        if thread is None:
            return
        self._stopping = True
        self.wake()
        thread.join(timeout)
        self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def _run(self) -> None:
        while not self._stopping:
            self.process_events(self.get_events(None))

    # --- asyncio ---------------------------------------------------------------------

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Let an asyncio loop drive this reactor: it watches the epoll fd."""
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
        self.stop()
        self.detach_loop()
        for channel in list(set(self._channels.values()) | set(self._inline)):
            channel.close()
        self._epoll.close()
        os.close(self._wake_read)
        os.close(self._wake_write)

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
        if _default is None:
            _default = Reactor()
        return _default
