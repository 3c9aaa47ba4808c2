"""The channel: commands to one device, through one transport, judged on return.

``channel.cmd.Read10(lba=0, transfer_length=1)`` builds the command, sends it, waits and
returns the Io (raising the command's failure); with ``async_=True`` it returns at once
and the Io completes later, through the channel's reactor.

A channel is wiring and the public face: the transport carries commands, the reactor
tells when its descriptors have something to say, the :class:`~sgframe.exchange.Exchange`
does everything in between (backlog, judging, retries, the ledger of unseen failures),
and the :class:`~sgframe.device.DeviceView` knows who the device is.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from . import errors
from .cdb import Command, Direction
from .device import CommandMethods, DeviceView
from .exchange import Exchange
from .io import DEFAULT_TIMEOUT_MS, Io
from .plugins import manager
from .reactor import Reactor, default_reactor
from .transport.base import Transport

__all__ = ["Channel"]

# Options of Channel.open that go to the transport's opener.
_TRANSPORT_OPTIONS = ("queue_depth", "io_mode", "mmap_size")


def _check_timeout(timeout: Any) -> int:
    if timeout.__class__ is not int or not 0 <= timeout <= 0xFFFFFFFF:
        raise errors.UsageError(f"timeout is in milliseconds, an int 0..4294967295; got {timeout!r}")
    return timeout


class _InlineFeed:
    """The reactor's view of an inline transport: completions to collect, no fd."""

    __slots__ = ("_queue", "_complete")

    def __init__(self, transport: Transport, complete: Callable[[Io], None]) -> None:
        self._queue = transport.completed
        self._complete = complete

    def has_work(self) -> bool:
        return bool(self._queue)

    def drain(self) -> int:
        # What completes during the callbacks waits for the next pass.
        ready = list(self._queue)
        self._queue.clear()
        return _complete_all(ready, self._complete)


def _complete_all(ready: list[Io], complete: Callable[[Io], None]) -> int:
    # Every Io is completed even if one completion raises (a handler's
    # KeyboardInterrupt): the first such exception is raised once all are done.
    raised: BaseException | None = None
    for io in ready:
        try:
            complete(io)
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            raised = raised or exc
    if raised is not None:
        raise raised
    return len(ready)


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
        if not isinstance(transport, Transport):
            raise errors.UsageError(f"Channel() takes a transport (Channel.open takes a path or URI), "
                                    f"not {type(transport).__name__}")
        if reactor is None:
            reactor = default_reactor()
        elif not isinstance(reactor, Reactor):
            raise errors.UsageError(f"reactor= takes a Reactor, not {type(reactor).__name__}")
        reactor.check_usable()
        if block_size is not None and (block_size.__class__ is not int or block_size <= 0):
            raise errors.UsageError(f"block_size is a positive int (bytes per logical block), not {block_size!r}")
        self.transport = transport
        self.reactor = reactor
        self.block_size = block_size
        self.timeout = _check_timeout(timeout)
        #: Handlers run after each completion on this channel (after the command's own).
        self.handlers: list[Callable[[Io], Any]] = []
        #: The retry policy of commands on this channel that set none (else the reactor's).
        self.retry_policy: Any = None
        #: "raise": RECOVERED ERROR and COMPLETED raise on this channel (see sgframe.judge).
        self.recovered_error_policy: str | None = None
        self._closed = False
        self._gone = False  # the device hung up (EPOLLHUP): nothing more can be sent
        plugins = manager()  # a channel binds a device: the plugins must have loaded
        self._device = DeviceView(self.execute, plugins)
        self._exchange = Exchange(transport.name, transport, reactor, scopes=(self, reactor), hooks=plugins,
                                  vendor_decoder=self._device.decode_vendor)
        self._inline_feed: _InlineFeed | None = None
        if transport.inline:
            self._inline_feed = _InlineFeed(transport, self._exchange.complete)
            reactor.add_inline(self._inline_feed)
        # A transport that hands each completion on as it reads it (sg: see
        # SgTransport.reap_each) does so; the others give a batch (reap).
        self._reap_each = getattr(transport, "reap_each", None)
        for fd in transport.fds():
            reactor.register(fd, self._on_readable, self._on_hangup)
        reactor.on_close(self.close)

    # --- opening ------------------------------------------------------------------------

    @classmethod
    def open(cls, uri: str, **options: Any) -> Channel:
        """Open a device given as a path or a transport URI.

        ``/dev/sgN``, ``/dev/sdX``, ``/dev/bsg/H:C:T:L``, ``H:C:T:L``, ``sg:/dev/sgN``,
        ``bsg:/dev/bsg/H:C:T:L`` or ``emu:disk?blocks=N&block_size=512``.

        Options: ``reactor``, ``block_size``, ``timeout`` (the channel's), ``queue_depth``
        (the transport's), and for the sg transport ``io_mode`` ("indirect", "mmap" or
        "direct": how data moves by default, see :mod:`sgframe.transport.sg`) and
        ``mmap_size`` (bytes of each fd's mapped reserved buffer). Other transports move
        data one way: they take ``io_mode="indirect"`` and refuse the others.

        ``read_only=True`` opens an sg or bsg node O_RDONLY (sg3_utils' ``--readonly``):
        the kernel then refuses commands it classes as writes with EPERM. Transports
        without a node to open (emu:, iscsi:) accept it and have nothing to change.
        """
        transport_options = {k: options.pop(k) for k in _TRANSPORT_OPTIONS if k in options}
        for key in ("io_mode", "mmap_size"):
            if transport_options.get(key, 0) is None:
                del transport_options[key]  # None: the transport's default
        read_only = options.pop("read_only", False)
        if read_only.__class__ is not bool:
            raise errors.UsageError(f"read_only= takes True or False, not {read_only!r}")
        if read_only:  # only when asked, so a plugin's opener need not know the option
            transport_options["read_only"] = True
        unknown = set(options) - {"reactor", "block_size", "timeout"}
        if unknown:
            raise errors.UsageError(f"Channel.open: unknown option(s) {', '.join(sorted(unknown))}; "
                                    f"allowed: reactor, block_size, timeout, {', '.join(_TRANSPORT_OPTIONS)}, "
                                    "read_only")
        if "timeout" in options:
            _check_timeout(options["timeout"])
        reactor = options.get("reactor")
        if reactor is not None:
            if not isinstance(reactor, Reactor):
                raise errors.UsageError(f"reactor= takes a Reactor, not {type(reactor).__name__}")
            reactor.check_usable()
        transport = manager().open_transport(uri, **transport_options)
        try:
            return cls(transport, **options)
        except BaseException:
            transport.close()
            raise

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

    # --- the device ---------------------------------------------------------------------

    @property
    def cmd(self) -> CommandMethods:
        """Every registered command as a method: ``channel.cmd.Inquiry(evpd=True, ...)``."""
        return CommandMethods(self._device, self.execute)

    @property
    def identity(self) -> Any:
        """Who the device says it is (:class:`sgframe.plugins.DeviceIdentity`), from one
        standard INQUIRY sent the first time it is asked for and kept; plugins bind to
        devices by it. :meth:`forget_identity` makes the next use ask again."""
        return self._device.identity

    def forget_identity(self) -> None:
        """Drop the kept identity (a device's INQUIRY data can change, e.g. after a
        microcode download, or scsi_debug's inq_vendor)."""
        self._device.forget()

    def _decode_vendor_page(self, command: Command, data: bytes) -> Any:
        return self._device.decode_vendor(command, data)

    # --- sending ------------------------------------------------------------------------

    def execute(self, command: Command, *, data: Any = None, async_: bool = False,
                timeout: int | None = None, verify_handler: Callable[[Io], Any] | None = None,
                io: Io | None = None, retry: Any = None, buffer: Any = None, io_mode: str | None = None) -> Io:
        """Send a command; return its Io.

        :param data: what to send, for commands that write (length checked against the
            CDB): any bytes-like object.
        :param async_: return at once; the Io completes through the reactor.
        :param timeout: milliseconds before the kernel aborts the command.
        :param verify_handler: replaces the default verification (raise on failure).
        :param io: an Io to reuse (its buffers are kept).
        :param retry: a retry policy for this command (:class:`sgframe.retry.RetryPolicy`);
            by default the channel's, else the reactor's, else none.
        :param buffer: a writable buffer that receives the data-in (no copy; see
            :meth:`sgframe.exchange.Exchange.prepare`).
        :param io_mode: "indirect", "mmap" or "direct" for this command (sg only).
        :raises TaskFailed: (synchronous) the command failed.
        """
        if self._closed:
            raise errors.UsageError(f"{self.name}: the channel is closed")
        if self.reactor.forked:
            self.reactor.check_usable()
        if self._gone:
            raise errors.DeviceGone(f"{getattr(command, 'NAME', command)} on {self.name}: the device is gone",
                                    command=getattr(command, "NAME", None), device=self.name)
        if timeout is None:
            timeout = self.timeout
        block_size = self.block_size
        if block_size is None and getattr(command, "needs_block_size", False):
            block_size = self.block_size = self._read_block_size()
        exchange = self._exchange
        io = exchange.prepare(command, data, timeout, verify_handler, io, block_size, self,
                              buffer=buffer, io_mode=io_mode)
        io.retry_policy = retry
        if not async_:
            exchange.run_now(io)
            if io.exception is not None:
                raise io.exception
            return io
        exchange.submit(io)
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
        """Send a command from asyncio code: ``io = await channel.aexecute(cmd)``.

        The asyncio loop drives the reactor (it watches the epoll fd) unless the reactor
        runs in its own thread already; either way the Io's completion reaches the loop
        through ``call_soon_threadsafe``, the one way to wake a loop from another thread.
        """
        import asyncio

        loop = asyncio.get_running_loop()
        if not self.reactor.running:
            self.reactor.attach(loop)
        io = self.execute(command, async_=True, **options)
        if not io.returned:
            future = loop.create_future()

            def resolve() -> None:
                if not future.done():
                    future.set_result(None)

            io.add_done_callback(lambda _: loop.call_soon_threadsafe(resolve))
            await future
        io.wait()
        return io

    def poll(self) -> bool:
        """True when every command sent on this channel has returned."""
        if self._exchange.outstanding:
            self.reactor.run_once(0)
        return not self._exchange.outstanding

    def wait(self, timeout: float | None = None) -> None:
        """Wait until every command on the channel has returned.

        :raises TaskFailed: the oldest failure among asynchronous commands that nobody
            has seen yet (through their own ``wait()`` or ``result``); the others are
            raised by the next calls, one each, so none is lost.
        :raises TimeoutError: commands were still outstanding after ``timeout`` seconds.
        """
        exchange = self._exchange
        if not self.reactor.wait_for(lambda: not exchange.outstanding, timeout):
            raise TimeoutError(f"{self.name}: {exchange.outstanding} commands still outstanding after {timeout} s")
        io = exchange.pop_unobserved()
        if io is not None:
            # One failure per call: the rest stay for the next wait() (or their own wait()).
            raise io.exception

    @property
    def _unobserved(self) -> dict[int, Io]:
        return self._exchange.unobserved

    @property
    def _backlog(self) -> Any:
        return self._exchange.backlog

    @property
    def outstanding(self) -> int:
        """Commands sent on this channel that have not returned."""
        return self._exchange.outstanding

    def reset(self, kind: str = "device") -> None:
        """A SCSI reset through SG_SCSI_RESET: ``device``, ``target``, ``bus`` or ``host``."""
        reset = getattr(self.transport, "reset", None)
        if reset is None:
            raise errors.UsageError(f"{self.name}: this transport cannot reset")
        reset(kind)

    def _read_block_size(self) -> int:
        from .command import ReadCapacity10, ReadCapacity16

        capacity = self.execute(ReadCapacity10()).result
        if capacity.returned_lba == 0xFFFFFFFF:  # SBC-4: too big for READ CAPACITY (10)
            capacity = self.execute(ReadCapacity16()).result
        if not capacity.block_length:
            raise errors.UsageError(f"{self.name}: READ CAPACITY reported no block length; give block_size=")
        return capacity.block_length

    # --- what the reactor calls -----------------------------------------------------------

    def _on_readable(self, fd: int) -> int:
        reap_each = self._reap_each
        if reap_each is not None:
            return reap_each(fd, self._exchange.complete)
        return _complete_all(self.transport.reap(fd), self._exchange.complete)

    def _on_hangup(self, fd: int) -> int:
        """EPOLLHUP: fail everything in flight or waiting with DeviceGone; drop the fds."""
        # sg still hands out completions it holds after the device began to detach;
        # collect them from every fd first, so a command the device did finish is
        # reported as it finished, not as lost.
        reaped = sum(self._on_readable(each) for each in self.transport.fds())
        self._gone = True
        return reaped + self._drop_transport("the device went away with the command in flight")

    def _drop_transport(self, why: str) -> int:
        """Stop watching the transport, release its fds, and fail with DeviceGone every
        Io still in flight or waiting for room; returns how many."""
        reactor = self.reactor
        for fd in self.transport.fds():
            reactor.unregister(fd)
        if self._inline_feed is not None:
            reactor.remove_inline(self._inline_feed)
        return self._exchange.fail_all(why)

    # --- closing ------------------------------------------------------------------------

    def close(self) -> None:
        """Wait for nothing: fail what is still outstanding, release the descriptors."""
        if self._closed:
            return
        self._closed = True
        reactor = self.reactor
        with reactor.lock:
            reactor.forget_on_close(self.close)
            self._drop_transport("the channel was closed with the command in flight")
        self.transport.close()

    def __enter__(self) -> Channel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Channel({self.name!r}, outstanding={self._exchange.outstanding})"
