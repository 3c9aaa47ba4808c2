"""The channel: commands to one device, through one transport, judged on return.

``channel.cmd.Read10(lba=0, transfer_length=1)`` builds the command, sends it, waits and
returns the Io (raising the command's failure); with ``async_=True`` it returns at once
and the Io completes later, through the channel's reactor.
"""
from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Callable, Iterable

from . import errors
from .cdb import Command, Direction
from .io import DEFAULT_TIMEOUT_MS, Io, io_for
from .judge import device_verdict, judge
from .reactor import Reactor, default_reactor
from .transport.base import Transport

__all__ = ["Channel"]

# Options of channel.cmd.<Name>(...) that are not CDB fields.
_EXECUTE_OPTIONS = frozenset({"data", "async_", "timeout", "verify_handler", "io", "retry"})


class Channel:
    """Sends commands to one device.

    :param transport: what carries the commands (see :mod:`sgframe.transport`).
    :param reactor: where asynchronous completions are collected (default: the process's).
    :param block_size: the logical block size, if known; learnt with READ CAPACITY when a
        command counts its data in blocks and it is not given.
    :param timeout: the default per-command timeout in milliseconds, passed to the kernel.
    """

    def __init__(self, transport: Transport, *, reactor: Reactor | None = None,
                 block_size: int | None = None, timeout: int = DEFAULT_TIMEOUT_MS) -> None:
        self.transport = transport
        self.reactor = reactor if reactor is not None else default_reactor()
        self.block_size = block_size
        self.timeout = timeout
        #: Handlers run after each completion on this channel (after the command's own).
        self.handlers: list[Callable[[Io], Any]] = []
        self.retry_policy: Any = None
        self._backlog: deque[Io] = deque()
        self._outstanding = 0
        # Failed asynchronous Ios whose failure nobody has seen yet (channel.wait raises
        # them); an Io leaves when its own wait() or result raises the failure.
        self._unobserved: dict[int, Io] = {}
        self._closed = False
        self._gone = False  # the device hung up (EPOLLHUP): nothing more can be sent
        self._senders: dict[str, Callable[..., Io]] = {}  # channel.cmd.<Name>, built once
        self._identity: Any = None  # sgframe.plugins.DeviceIdentity, once asked for
        self.reactor.add(self)

    # --- opening ------------------------------------------------------------------------

    @classmethod
    def open(cls, uri: str, **options: Any) -> Channel:
        """Open a device given as a path or a transport URI.

        ``/dev/sgN``, ``/dev/sdX``, ``/dev/bsg/H:C:T:L``, ``H:C:T:L``, ``sg:/dev/sgN``,
        ``bsg:/dev/bsg/H:C:T:L`` or ``emu:disk?blocks=N&block_size=512``.
        """
        from .transport import open_transport

        transport_options = {k: options.pop(k) for k in ("queue_depth",) if k in options}
        return cls(open_transport(uri, **transport_options), **options)

    @classmethod
    def from_path(cls, path: str, *, queue_depth: int = 16, **options: Any) -> Channel:
        """Open an sg node (or a block device or H:C:T:L that resolves to one)."""
        return cls.open(path, queue_depth=queue_depth, **options)

    @classmethod
    def from_fd(cls, fd: int, **options: Any) -> Channel:
        """Use an sg fd the caller opened (and keeps: closing the channel leaves it open)."""
        from .transport.sg import SgTransport

        return cls(SgTransport(fd=fd), **options)

    @property
    def name(self) -> str:
        return self.transport.name

    # --- sending ------------------------------------------------------------------------

    @property
    def cmd(self) -> _Commands:
        """Every registered command as a method: ``channel.cmd.Inquiry(evpd=True, ...)``."""
        return _Commands(self)  # a one-slot view; the methods are cached on the channel

    @property
    def identity(self) -> Any:
        """Who the device says it is (:class:`sgframe.plugins.DeviceIdentity`), from one
        standard INQUIRY sent the first time it is asked for and kept; plugins bind to
        devices by it. :meth:`forget_identity` makes the next use ask again."""
        if self._identity is None:
            from .command import Inquiry
            from .plugins import DeviceIdentity

            self._identity = DeviceIdentity.from_inquiry(self.execute(Inquiry()).result)
        return self._identity

    def _decode_vendor_page(self, command: Command, data: bytes) -> Any:
        """A vendor-specific page decoded by the plugins bound to this device, or None.

        Only vendor-specific page codes (log pages 30h-3Eh, VPD pages C0h-FFh) need to
        know who made the device, so only they ask for the identity (one INQUIRY, kept).
        """
        from .command import Inquiry, LogSense
        from .plugins import manager

        if isinstance(command, LogSense) and data and 0x30 <= data[0] & 0x3F <= 0x3E:
            return manager().decode_log_page(data, self.identity)
        if isinstance(command, Inquiry) and command.evpd and command.page_code >= 0xC0:
            return manager().decode_vpd_page(data, self.identity)
        return None

    def forget_identity(self) -> None:
        """Drop the kept identity (a device's INQUIRY data can change, e.g. after a
        microcode download, or scsi_debug's inq_vendor)."""
        self._identity = None
        self._senders.clear()  # a vendor's commands may no longer apply

    def execute(self, command: Command, *, data: bytes | None = None, async_: bool = False,
                timeout: int | None = None, verify_handler: Callable[[Io], Any] | None = None,
                io: Io | None = None, retry: Any = None) -> Io:
        """Send a command; return its Io.

        :param data: what to send, for commands that write (length checked against the CDB).
        :param async_: return at once; the Io completes through the reactor.
        :param timeout: milliseconds before the kernel aborts the command.
        :param verify_handler: replaces the default verification (raise on failure).
        :param io: an Io to reuse (its buffers are kept).
        :param retry: a retry policy for this command (:class:`sgframe.retry.RetryPolicy`);
            by default the channel's, else the reactor's, else none.
        :raises TaskFailed: (synchronous) the command failed.
        """
        if self._closed:
            raise errors.UsageError(f"{self.name}: the channel is closed")
        if self._gone:
            raise errors.DeviceGone(f"{command.NAME} on {self.name}: the device is gone",
                                    command=command.NAME, device=self.name)
        io = self._prepare(command, data, timeout, verify_handler, io)
        io.retry_policy = retry
        io.synchronous = not async_
        if not async_:
            self._run_now(io)
            if io.exception is not None:
                raise io.exception
            return io
        self._submit(io)
        return io

    def execute_many(self, commands: Iterable[Command], *, async_: bool = True, **options: Any) -> list[Io]:
        """Send several commands; with ``async_`` (the default) they are all in flight at once."""
        ios = [self.execute(command, async_=True, **options) for command in commands]
        if not async_:
            for io in ios:
                io.wait()
        return ios

    def execute_raw(self, cdb: bytes, *, data: bytes | None = None, request: int = 0,
                    name: str | None = None, **options: Any) -> Io:
        """Send CDB bytes as they are: ``data`` to send, or ``request`` bytes to receive.

        The outcome is judged like any command's (pass ``verify_handler=`` to accept
        failures and read ``io.hdr`` yourself, as ``sgframe raw`` does).
        """
        from .raw import RawCommand

        if data is not None and request:
            raise errors.UsageError("give data to send or a request length, not both (sg v3 has no bidirectional path)")
        if data is not None:
            command = RawCommand(cdb, direction=Direction.OUT, length=len(data), name=name)
        elif request:
            command = RawCommand(cdb, direction=Direction.IN, length=request, name=name)
        else:
            command = RawCommand(cdb, name=name)
        return self.execute(command, data=data, **options)

    async def aexecute(self, command: Command, **options: Any) -> Io:
        """Send a command from asyncio code: ``io = await channel.aexecute(cmd)``."""
        loop = asyncio.get_running_loop()
        self.reactor.attach(loop)
        io = self.execute(command, async_=True, **options)
        if not io.returned:
            future = loop.create_future()

            def done(_: Io) -> None:
                if not future.done():
                    future.set_result(None)

            io.add_done_callback(done)
            await future
        io.wait()
        return io

    def poll(self) -> bool:
        """True when every command sent on this channel has returned."""
        if self._outstanding:
            self.reactor.run_once(0)
        return not self._outstanding

    def wait(self, timeout: float | None = None) -> None:
        """Wait until every command on the channel has returned.

        :raises TaskFailed: the oldest failure among asynchronous commands that nobody
            has seen yet (through their own ``wait()`` or ``result``); the others are
            raised by the next calls, one each, so none is lost.
        :raises TimeoutError: commands were still outstanding after ``timeout`` seconds.
        """
        if not self.reactor.wait_for(lambda: not self._outstanding, timeout):
            raise TimeoutError(f"{self.name}: {self._outstanding} commands still outstanding after {timeout} s")
        with self.reactor.lock:
            if not self._unobserved:
                return
            key = next(iter(self._unobserved))
            io = self._unobserved.pop(key)
        # One failure per call: the rest stay for the next wait() (or their own wait()).
        raise io.exception

    def reset(self, kind: str = "device") -> None:
        """A SCSI reset through SG_SCSI_RESET: ``device``, ``target``, ``bus`` or ``host``."""
        reset = getattr(self.transport, "reset", None)
        if reset is None:
            raise errors.UsageError(f"{self.name}: this transport cannot reset")
        reset(kind)

    # --- the life of an Io --------------------------------------------------------------

    def _prepare(self, command: Command, data: bytes | None, timeout: int | None,
                 verify_handler: Callable[[Io], Any] | None, io: Io | None) -> Io:
        if not isinstance(command, Command):
            raise errors.UsageError(f"execute() takes a command object, not {type(command).__name__}")
        if timeout is None:
            timeout = self.timeout
        if io is None:
            io = io_for(command, timeout=timeout)
        else:
            io.reset(command, timeout=timeout)
        io.channel = self
        io.verify_handler = verify_handler
        io.handlers = command._handlers
        direction = command.DIRECTION
        block_size = self.block_size
        if block_size is None and command.needs_block_size:
            block_size = self.block_size = self._read_block_size()
        length = command.data_length(block_size)
        if direction is Direction.OUT or direction is Direction.BOTH:
            if data is None and not length:
                data = b""  # e.g. VERIFY with BYTCHK 0: declared data-out, moves nothing
            if data is None:
                raise errors.UsageError(f"{command.NAME} sends {length} bytes to the device: give data=")
            if direction is Direction.OUT and len(data) != length:
                raise errors.UsageError(
                    f"{command.NAME} moves {length} bytes as its CDB says; data has {len(data)}"
                )
            io.set_data(data)
            if direction is Direction.BOTH:
                io.set_length(length)
        else:
            if data is not None:
                raise errors.UsageError(f"{command.NAME} sends no data to the device ({direction.value}); drop data=")
            io.set_length(length)
        return io

    def _read_block_size(self) -> int:
        from .command import ReadCapacity10, ReadCapacity16

        capacity = self.execute(ReadCapacity10()).result
        if capacity.returned_lba == 0xFFFFFFFF:  # SBC-4: too big for READ CAPACITY (10)
            capacity = self.execute(ReadCapacity16()).result
        if not capacity.block_length:
            raise errors.UsageError(f"{self.name}: READ CAPACITY reported no block length; give block_size=")
        return capacity.block_length

    def _run_now(self, io: Io) -> None:
        # attempts counts what reached the kernel: a UsageError raised before that leaves
        # the Io as it was, free to be reused.
        try:
            self.transport.execute(io)
        except errors.TaskFailed as failure:
            io.attempts += 1
            with self.reactor.lock:
                self._outstanding += 1
                self._finish(io, failure)
            return
        io.attempts += 1
        with self.reactor.lock:
            self._outstanding += 1
            self._complete(io)
        if not io.returned:
            # A retry policy sent it again asynchronously: a synchronous call still waits.
            self.reactor.wait_for(lambda: io.returned)

    def _submit(self, io: Io) -> None:
        with self.reactor.lock:
            self._outstanding += 1
            try:
                if self._backlog or not self._send(io):
                    self._backlog.append(io)
            except BaseException:
                self._outstanding -= 1  # nothing was sent: nothing is outstanding
                raise

    def _send(self, io: Io) -> bool:
        try:
            sent = self.transport.submit(io)
        except errors.TaskFailed as failure:
            io.attempts += 1
            io.hdr.clear()
            self._finish(io, failure)
            return True
        if sent:
            io.attempts += 1
            if self.transport.inline:
                self.reactor.notify_inline()
        return sent

    def _complete(self, io: Io) -> None:
        """A transport finished this Io: judge it, run the handlers, wake the waiters.

        A failure that a retry policy (the command's, else the channel's, else the
        reactor's; none by default) wants retried is sent again instead, after the
        policy's delay, and only the last attempt is judged by the handlers.
        """
        if io.transport_error is not None:
            self._finish(io, io.transport_error)
            return
        policy = io.retry_policy or self.retry_policy or self.reactor.retry_policy
        if policy is not None:
            delay = policy.should_retry(io, device_verdict(io))
            if delay is not None:
                io.hdr.clear()
                if delay > 0:
                    self.reactor.call_later(delay, lambda: self._resend(io))
                else:
                    self._resend(io)
                return
        self._finish(io, judge(io))

    def _resend(self, io: Io) -> None:
        if self._backlog or not self._send(io):
            self._backlog.append(io)

    def _finish(self, io: Io, failure: BaseException | None) -> None:
        if failure is not None:
            failure.io = io  # type: ignore[union-attr]
            if not io.synchronous:
                self._unobserved[id(io)] = io
        io.exception = failure
        io.returned = True
        self._outstanding -= 1
        if io._callbacks:
            io._run_callbacks()
        backlog = self._backlog
        while backlog and self._send(backlog[0]):
            backlog.popleft()

    def _observed(self, io: Io) -> None:
        """The Io's own wait() raised its failure: channel.wait() need not."""
        self._unobserved.pop(id(io), None)

    def _device_gone(self) -> int:
        """EPOLLHUP: fail everything in flight or waiting with DeviceGone; drop the fds."""
        # sg still hands out completions it holds after the device began to detach;
        # collect them from every fd first, so a command the device did finish is
        # reported as it finished, not as lost.
        reaped = 0
        for fd in self.transport.fds():
            for io in self.transport.reap(fd):
                self._complete(io)
                reaped += 1
        self._gone = True
        return reaped + self._drop_transport("the device went away with the command in flight")

    def _drop_transport(self, why: str) -> int:
        """Stop watching the transport, release its fds, and fail with DeviceGone every
        Io still in flight or waiting for room; returns how many."""
        self.reactor.remove(self)
        lost = self.transport.detach() + list(self._backlog)
        self._backlog.clear()
        for io in lost:
            io.hdr.clear()
            self._finish(io, errors.DeviceGone(f"{io.command.NAME} on {self.name}: {why}",
                                               command=io.command.NAME, device=self.name))
        return len(lost)

    # --- closing ------------------------------------------------------------------------

    def close(self) -> None:
        """Wait for nothing: fail what is still outstanding, release the descriptors."""
        if self._closed:
            return
        self._closed = True
        with self.reactor.lock:
            self._drop_transport("the channel was closed with the command in flight")
        self.transport.close()

    def __enter__(self) -> Channel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Channel({self.name!r}, outstanding={self._outstanding})"


class _Commands:
    """``channel.cmd``: every registered command, as a method that sends it.

    Standard commands first; then those of plugins that apply to every device; then
    those of plugins bound to this device's vendor and product (the channel's
    :attr:`~Channel.identity`, asked for only then).
    """

    __slots__ = ("_channel",)

    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    def __getattr__(self, name: str) -> Callable[..., Io]:
        channel = self._channel
        send = channel._senders.get(name)
        if send is None:
            send = channel._senders[name] = _sender(channel, self._lookup(name))
        return send

    def _lookup(self, name: str) -> type:
        from .command import REGISTRY

        channel = self._channel
        try:
            return REGISTRY.by_name(name)
        except (KeyError, errors.UsageError):
            if name.startswith("__"):
                raise AttributeError(name) from None
            from .plugins import manager

            try:
                return manager().find_command(name, lambda: channel.identity)
            except errors.UsageError as missing:
                raise AttributeError(f"{missing} (see sgframe commands and sgframe plugins)") from None

    def __dir__(self) -> list[str]:
        from .command import REGISTRY
        from .plugins import manager

        names = {cls.__name__ for cls in REGISTRY}
        identity = self._channel._identity
        names.update(cls.__name__ for cls in manager().commands(identity))
        return sorted(names)


def _sender(channel: Channel, cls: type) -> Callable[..., Io]:
    """``channel.cmd.<Name>``: build the command from the CDB fields, send it with the rest."""
    execute = channel.execute

    def send(**arguments: Any) -> Io:
        if not _EXECUTE_OPTIONS.isdisjoint(arguments):
            options = {k: arguments.pop(k) for k in list(arguments) if k in _EXECUTE_OPTIONS}
            return execute(cls(**arguments), **options)
        return execute(cls(**arguments))

    send.__name__ = cls.__name__
    send.__doc__ = cls.__doc__
    return send
