"""The Io: one exchange with a device (CDB out; data in or out; status and sense back).

A command is an immutable CDB record; an Io is what happens when it is sent. It holds the
CDB bytes, the data buffer, the completion header the transport fills in, and the result
of judging that completion. The class names (``NoDirectionIo``, ``Input``, ``Output``)
are the original sgframe design's; ``Bidirectional`` is for the rare commands with data
both ways.

An Io is reusable: :meth:`Io.reset` points it at another command of the same shape, so a
benchmark or a test loop can keep a fixed set of Ios (and their buffers) in flight, the
way fio reuses its io_u structures.

Data without copies. ``io.view`` is a read-only memoryview of the received bytes (no
copy); ``io.data`` is one copy of them into ``bytes``, for code that wants an immutable
value; ``io.readinto(buf)`` copies them once into a buffer of the caller's. A caller's
``buffer=`` (see :meth:`sgframe.exchange.Exchange.prepare`) receives the data straight from
the kernel, and data to send is lent, not copied: the Io keeps a reference to it until it is
reused or dropped, and the caller must not change it until the command has returned.

Buffers a channel gives its fresh Ios come from a :class:`BufferPool` and go back to it
when the Io is dropped, unless something still refers to the buffer (a view the caller
kept): the Io counts the buffer's references when it completes and again when it goes.

An Io is a record: it calls nothing above it. What it needs from whoever sent it (a way
to wait for its completion, to say its failure has been seen, to decode a vendor's
page) arrives as an :class:`IoOwner`, injected when it is sent.
"""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol

from .cdb import Command, Direction
from .errors import UsageError

if TYPE_CHECKING:
    from .errors import TaskFailed

__all__ = ["Bidirectional", "BufferPool", "Header", "Input", "Io", "IoOwner", "NoDirectionIo", "Output", "io_for"]


#: sg3_utils' and the kernel's default: 60 seconds.
DEFAULT_TIMEOUT_MS = 60000
#: SPC-5 limits sense data to 252 bytes (additional length 244 after an 8-byte header).
SENSE_BUFFER_SIZE = 252
#: From this size on, data buffers are anonymous mmaps: page-aligned (the sg driver's direct
#: I/O needs 512-byte alignment, which malloc does not give), and their pages go back to the
#: system when freed instead of fragmenting the heap.
PAGE_ALIGNED_FROM = 64 << 10
#: The data transfer modes of the sg driver (see :mod:`sgframe.transport.sg`).
IO_MODES = ("indirect", "mmap", "direct")


def allocate(length: int) -> Any:
    """A zeroed, writable data buffer of ``length`` bytes (page-aligned when large)."""
    if length >= PAGE_ALIGNED_FROM:
        import mmap  # an extension module to load: not for a start that moves no large buffer

        return mmap.mmap(-1, length)
    return bytearray(length)


# Bound once: at interpreter exit the sys module may be gone before the last Io.
_refs = sys.getrefcount


class BufferPool:
    """Spare data buffers of one channel, reused by its fresh Ios.

    Every buffer is as large as the largest transfer seen, so any spare fits any command
    and a steady stream of commands allocates nothing. A transport's pin of a buffer (its
    ``transport_state``) travels with it, so its address is not looked up again.

    :param keep: spare buffers kept at most (the rest are freed).
    """

    __slots__ = ("spare", "size", "keep")

    def __init__(self, keep: int = 32) -> None:
        self.spare: list[tuple[Any, Any]] = []
        self.size = 0
        self.keep = keep

    def take(self, length: int) -> tuple[Any, Any]:
        """A buffer of at least ``length`` bytes, and the transport state that goes with it."""
        if length > self.size:
            self.size = length
            self.spare.clear()  # all too small now
        spare = self.spare
        if spare:
            return spare.pop()
        return allocate(self.size), None

    def give(self, buffer: Any, state: Any) -> None:
        if len(buffer) >= self.size and len(self.spare) < self.keep:
            self.spare.append((buffer, state))


class Header:
    """What came back besides data: the completion header a transport fills in.

    ``status`` is the SCSI status byte, ``host_status`` the Linux host byte (DID_*),
    ``driver_status`` the driver byte, ``duration`` milliseconds as the kernel measured
    them, ``resid`` the data bytes not transferred, ``info`` the sg info bits and
    ``sense`` the sense bytes the device returned (empty when none).
    """

    __slots__ = ("status", "host_status", "driver_status", "duration", "resid", "info", "sense")

    def __init__(self) -> None:
        self.status = 0
        self.host_status = 0
        self.driver_status = 0
        self.duration = 0
        self.resid = 0
        self.info = 0
        self.sense = b""

    # Clearing is making it anew: one body, and a fresh Io's header pays no extra call.
    clear = __init__

    @property
    def masked_status(self) -> int:
        """The obsolete shifted status some old code still reads (sg's masked_status)."""
        return (self.status >> 1) & 0x7F

    def __repr__(self) -> str:
        return (
            f"Header(status={self.status:#04x}, host_status={self.host_status:#x}, "
            f"driver_status={self.driver_status:#x}, duration={self.duration}, "
            f"resid={self.resid}, info={self.info:#x}, sense={self.sense.hex()!r})"
        )


class IoOwner(Protocol):
    """What an Io needs from whoever sent it (:class:`sgframe.exchange.Exchange`)."""

    def wait_for(self, predicate: Callable[[], bool], timeout: Optional[float]) -> bool:
        """Make progress until ``predicate()`` is true or ``timeout`` seconds pass."""

    def poll(self) -> None:
        """Make whatever progress is possible without blocking."""

    def observed(self, io: Io) -> None:
        """The Io's failure has been raised to its caller: nobody else need report it."""

    def decode_vendor(self, command: Command, data: bytes) -> Any:
        """The response decoded by a vendor's plugin, or None to use the command's decoder."""


class Io:
    """One command's exchange with a device. Use the subclass for the data direction.

    ``device`` names the device in messages; ``channel`` is the channel that sent it
    (for handlers that tell channels apart; the Io never calls it).
    """

    __slots__ = (
        "command",
        "cdb",
        "timeout",
        "buffer",
        "length",
        "hdr",
        "returned",
        "channel",
        "device",
        "owner",
        "recovered_error_policy",
        "exception",
        "handlers",
        "verify_handler",
        "retry_policy",
        "attempts",
        "transport_state",
        "transport_error",
        "synchronous",
        "busy",
        "io_mode",
        "pool",
        "idle_refs",
        "borrowed",
        "_callbacks",
    )

    DIRECTION = Direction.NONE

    def __init__(self, command: Command, *, timeout: int = DEFAULT_TIMEOUT_MS) -> None:
        self.hdr = Header()
        self.buffer = bytearray()
        self.length = 0
        self.handlers: tuple[Callable[[Io], Any], ...] = ()
        self.verify_handler: Callable[[Io], Any] | None = None
        self.retry_policy: Any = None
        self.transport_state: Any = None
        self.channel: Any = None
        self.device: str | None = None
        self.owner: IoOwner | None = None
        #: "raise" makes RECOVERED ERROR / COMPLETED raise for this Io (see sgframe.judge).
        self.recovered_error_policy: str | None = None
        self.synchronous = True
        #: True from the moment a channel claims the Io until its outcome is published:
        #: the kernel may write into its buffers, so it cannot be reused or resized.
        self.busy = False
        #: "indirect", "mmap" or "direct" for this command; None: the transport's default.
        self.io_mode: str | None = None
        #: Where the buffer goes back when the Io is dropped (None: nowhere), and how many
        #: references it had when the Io completed (more when it goes: someone kept a view).
        self.pool: BufferPool | None = None
        self.idle_refs = -1
        #: The buffer is the caller's (``buffer=`` or data to send): never reallocated or pooled.
        self.borrowed = False
        # An empty tuple until a callback is added: no list per command that has none.
        self._callbacks: list[Callable[[Io], Any]] | tuple[()] = ()
        self._start(command, timeout)

    def __del__(self) -> None:
        pool = self.pool
        # The same count as Exchange.finish took: equal means nobody kept a view of the
        # buffer, so the next command may have it. (Not while busy: the kernel owns it.)
        if pool is not None and not self.busy and self.idle_refs == _refs(self.buffer):
            pool.give(self.buffer, self.transport_state)

    def _start(self, command: Command, timeout: int) -> None:
        if timeout.__class__ is not int or not 0 <= timeout <= 0xFFFFFFFF:
            raise UsageError(f"timeout is in milliseconds, 0..4294967295; got {timeout!r}")
        self.command = command
        self.cdb = command._cdb
        self.timeout = timeout
        self.returned = False
        self.exception: TaskFailed | None = None
        # Set by a transport that completes an Io without the device having answered
        # (a worker thread's ENODEV, for instance); the channel makes it the outcome.
        self.transport_error: TaskFailed | None = None
        self.attempts = 0

    def reset(self, command: Command, *, timeout: int | None = None) -> Io:
        """Point this Io at another command of the same direction, keeping its buffers."""
        if self.busy or (self.attempts and not self.returned):
            # Sent and not back: the kernel may still write into the buffer and header.
            raise UsageError(f"{self!r} is still in flight; reuse it once it has returned")
        if command.DIRECTION is not self.DIRECTION:
            raise UsageError(f"{type(self).__name__} cannot carry {command.NAME} ({command.DIRECTION.value})")
        if self.exception is not None and self.owner is not None:
            self.owner.observed(self)  # its old failure, if unseen, goes with the old command
        self.hdr.clear()
        # _start()'s work inline (the reuse path runs once per command).
        if timeout is None:
            timeout = self.timeout
        elif timeout.__class__ is not int or not 0 <= timeout <= 0xFFFFFFFF:
            raise UsageError(f"timeout is in milliseconds, 0..4294967295; got {timeout!r}")
        self.command = command
        self.cdb = command._cdb
        self.timeout = timeout
        self.returned = False
        self.exception = None
        self.transport_error = None
        self.attempts = 0
        return self

    # --- results --------------------------------------------------------------------

    @property
    def data(self) -> bytes:
        """Data from the device, trimmed by the residual count (b"" when none): one copy
        into ``bytes``. :attr:`view` gives the same bytes without copying."""
        return b""

    @property
    def view(self) -> memoryview:
        """A read-only view of the data, without copying it.

        It shows the Io's buffer: it changes if the Io is reused (``io=``), and for an
        mmap'd command (``io_mode="mmap"``) when the next mmap'd command on the same file
        descriptor completes. Take ``bytes(view)`` to keep the data beyond that.
        """
        return memoryview(b"")

    def readinto(self, buffer: Any) -> int:
        """Copy the data into ``buffer`` (any writable buffer); returns the bytes copied.

        :raises UsageError: ``buffer`` is read-only or smaller than the data.
        """
        view = self.view
        try:
            target = memoryview(buffer).cast("B")
        except TypeError as exc:
            raise UsageError(f"readinto() takes a writable buffer (bytearray, memoryview, mmap, array), "
                             f"not {type(buffer).__name__}: {exc}") from None
        n = len(view)
        if target.readonly:
            raise UsageError(f"readinto(): the {type(buffer).__name__} is read-only")
        if len(target) < n:
            raise UsageError(f"readinto(): the data has {n} bytes, the buffer only {len(target)}")
        target[:n] = view
        return n

    @property
    def sense(self):
        """The decoded sense data, or None when the device returned none."""
        if not self.hdr.sense:
            return None
        from .sense import decode_sense

        return decode_sense(self.hdr.sense)

    @property
    def result(self) -> Any:
        """The decoded response where the command has a decoder, else the data bytes.

        :raises TaskFailed: the command's failure, if it failed.
        """
        self.wait()
        decode = getattr(self.command, "decode_response", None)
        if decode is None:
            return self.data
        if self.owner is not None:
            vendor = self.owner.decode_vendor(self.command, self.data)
            if vendor is not None:
                return vendor
        return decode(self.data)

    @property
    def ok(self) -> bool:
        return self.returned and self.exception is None

    # --- waiting --------------------------------------------------------------------

    def poll(self) -> bool:
        """True once the command has completed; lets the reactor make progress."""
        if not self.returned and self.owner is not None:
            self.owner.poll()
        return self.returned

    def wait(self, timeout: float | None = None) -> None:
        """Wait until the command completes and raise its failure, if any.

        :param timeout: seconds to wait at most (None: until it completes; the kernel's
            per-command timeout bounds that).
        :raises TimeoutError: nothing came back within ``timeout`` seconds.
        :raises TaskFailed: the command completed and failed.
        """
        if not self.returned:
            if self.owner is None:
                raise UsageError(f"{self!r} was never submitted")
            self.owner.wait_for(lambda: self.returned, timeout)
            if not self.returned:
                raise TimeoutError(f"{self.command.NAME} on {self.device}: no completion within {timeout} s")
        if self.exception is not None:
            if self.owner is not None:
                self.owner.observed(self)  # channel.wait() need not report it again
            raise self.exception

    def set_length(self, length: int) -> None:
        """Size the data phase, reusing the buffer when it is big enough.

        The buffer is only ever replaced, never resized, so an address a transport
        pinned stays valid for as long as it holds the old buffer.
        """
        if self.borrowed or len(self.buffer) < length:
            # The caller's buffer (from a previous use) is never written into again.
            self.buffer = allocate(length) if length else bytearray()
            self.transport_state = None  # a transport's pinned address is now stale
            self.borrowed = False
            self.pool = None
        self.length = length

    def lend(self, buffer: Any, length: int) -> None:
        """Use the caller's buffer for the data phase (no copy); the Io keeps a reference
        until it is reused or dropped. ``buffer`` is a C-contiguous byte view."""
        self.buffer = buffer
        self.length = length
        self.borrowed = True
        self.pool = None

    def add_done_callback(self, callback: Callable[[Io], Any]) -> None:
        """Call ``callback(io)`` once the Io has completed (at once if it has)."""
        if self.returned:
            callback(self)
        elif self._callbacks:
            self._callbacks.append(callback)  # type: ignore[union-attr]
        else:
            self._callbacks = [callback]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(timeout={self.timeout}, returned={self.returned})"


class NoDirectionIo(Io):
    """A command without a data phase (TEST UNIT READY, SYNCHRONIZE CACHE, ...)."""

    __slots__ = ()
    DIRECTION = Direction.NONE


class Input(Io):
    """A command that reads data from the device into a buffer the Io owns."""

    __slots__ = ()
    DIRECTION = Direction.IN

    @property
    def data(self) -> bytes:
        # One copy: a slice of the view shares the buffer; bytes() copies it once.
        return bytes(self.view)

    @property
    def view(self) -> memoryview:
        # A transport that cannot report the residual count leaves resid at 0.
        if not self.returned:
            self.pool = None  # a view taken before completion: the buffer is never recycled
        n = self.length - self.hdr.resid
        return memoryview(self.buffer).toreadonly()[: n if n > 0 else 0]


class Output(Io):
    """A command that writes data to the device."""

    __slots__ = ()
    DIRECTION = Direction.OUT

    def set_data(self, data: bytes) -> None:
        """Copy the data to send into the Io's own (reused) buffer."""
        self.set_length(len(data))
        self.buffer[: len(data)] = data

    @property
    def data(self) -> bytes:
        return bytes(self.view)

    @property
    def view(self) -> memoryview:
        return memoryview(self.buffer).toreadonly()[: self.length]


class Bidirectional(Input):
    """A command with data both ways (some vendor commands). The data to send is kept
    in ``data_out``; only transports with a bidirectional path (bsg, emu) accept it."""

    __slots__ = ("data_out",)
    DIRECTION = Direction.BOTH

    def set_data(self, data: bytes) -> None:
        self.data_out = bytes(data)


_IO_CLASSES = {
    Direction.NONE: NoDirectionIo,
    Direction.IN: Input,
    Direction.OUT: Output,
    Direction.BOTH: Bidirectional,
}


def io_for(command: Command, *, timeout: int = DEFAULT_TIMEOUT_MS) -> Io:
    """A fresh Io of the class that matches the command's data direction."""
    return _IO_CLASSES[command.DIRECTION](command, timeout=timeout)
