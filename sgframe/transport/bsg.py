"""The ``bsg`` transport: /dev/bsg/H:C:T:L through ``struct sg_io_v4``.

The kernel offers bsg no asynchronous path (its write()/read() interface was removed in
Linux 5.x), so a command always blocks in ``ioctl(SG_IO)``. Synchronous commands run in
the caller's thread. Asynchronous ones run on a small pool of worker threads (the ioctl
releases the GIL); each finished Io is queued and announced on a pipe the reactor watches,
so bsg channels mix with sg channels in one reactor.

Note two kernel facts (see :mod:`sgframe.linux.bsg`): timeouts below 7 s are raised to
7 s, and 6.1 reports no duration (it reads 0).
"""
from __future__ import annotations

import ctypes
import os
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from .. import errors
from ..cdb import Direction
from ..io import SENSE_BUFFER_SIZE
from ..linux import bsg as bsgdev
from ..linux import sg as sgdev
from ..linux.sg import DEVICE_GONE_ERRNOS
from .base import Transport

if TYPE_CHECKING:
    from ..io import Io

__all__ = ["BsgTransport"]

_SENSE_SIZE = SENSE_BUFFER_SIZE


class BsgTransport(Transport):
    """Commands to one /dev/bsg node.

    :param path: the bsg node.
    :param queue_depth: worker threads for asynchronous commands (commands in flight).
    """

    def __init__(self, path: str, *, queue_depth: int = 16, read_only: bool = False) -> None:
        super().__init__()
        if not isinstance(queue_depth, int) or queue_depth < 1:
            raise errors.UsageError(f"queue_depth must be an int >= 1, got {queue_depth!r}")
        self.name = path
        flags = (os.O_RDONLY if read_only else os.O_RDWR) | os.O_CLOEXEC
        try:
            self._fd: int | None = os.open(path, flags)
        except OSError as exc:
            raise errors.for_errno(exc, path) from None
        self._depth = queue_depth
        self._lock = threading.Lock()
        self._finished: deque[Io] = deque()
        self._in_flight: set[Io] = set()
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        self._pool: ThreadPoolExecutor | None = None

    @property
    def depth(self) -> int:
        return self._depth

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def fds(self) -> tuple[int, ...]:
        return (self._wake_read,)

    def execute(self, io: Io) -> None:
        fd = self._fd
        if fd is None:
            raise errors.DeviceGone(f"{io.command.NAME} on {self.name}: the channel is closed", device=self.name)
        direction = io.DIRECTION
        if direction is Direction.BOTH:
            raise errors.UsageError(f"{io.command.NAME}: Linux bsg no longer carries data both ways")
        cdb = (ctypes.c_char * len(io.cdb)).from_buffer_copy(io.cdb)
        sense = (ctypes.c_char * _SENSE_SIZE)()
        # Any buffer: the Io's own, or data lent read-only (bytes): the pin holds it in place.
        pin, address = sgdev.pin_any(io.buffer) if io.length else (None, 0)
        data = (ctypes.c_char * io.length).from_address(address) if address else None
        hdr = bsgdev.SgIoV4()
        bsgdev.prepare(
            hdr, cdb, sense,
            data_in=data if direction is Direction.IN else None,
            data_out=data if direction is Direction.OUT else None,
            din_len=io.length if direction is Direction.IN else 0,
            dout_len=io.length if direction is Direction.OUT else 0,
            timeout=io.timeout,
        )
        try:
            bsgdev.bsg_io(fd, hdr)
        except OSError as exc:
            if exc.errno in DEVICE_GONE_ERRNOS:
                raise errors.DeviceGone(f"{io.command.NAME} on {self.name}: the device is gone",
                                        command=io.command.NAME, device=self.name, errno=exc.errno) from None
            raise errors.for_errno(exc, self.name) from None
        out = bsgdev.result(hdr)
        del pin  # held until the kernel was done with the address
        hdr_out = io.hdr
        hdr_out.status = out.status
        hdr_out.host_status = out.host_status
        hdr_out.driver_status = out.driver_status
        hdr_out.resid = out.resid
        hdr_out.duration = out.duration
        hdr_out.info = out.info
        hdr_out.sense = bytes(sense[: out.sb_len_wr])

    def submit(self, io: Io) -> bool:
        with self._lock:
            if self._fd is None or len(self._in_flight) >= self._depth:
                return False
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._depth, thread_name_prefix="sgframe-bsg")
            self._in_flight.add(io)
            self._pool.submit(self._run, io)
        return True

    def _run(self, io: Io) -> None:
        try:
            self.execute(io)
        except errors.TaskFailed as failure:
            io.hdr.clear()
            io.transport_error = failure
        except Exception as unexpected:  # noqa: BLE001 - never lose a completion
            io.hdr.clear()
            io.transport_error = errors.TaskFailed(f"{io.command.NAME} on {self.name}: {unexpected!r}",
                                                   command=io.command.NAME, device=self.name)
        with self._lock:
            if io not in self._in_flight:
                return  # detached meanwhile: the channel already failed it
            self._finished.append(io)
        try:
            os.write(self._wake_write, b"\0")
        except OSError:
            pass  # the pipe closed under us: detach() reports the Io

    def reap(self, fd: int) -> list[Io]:
        try:
            os.read(fd, 4096)
        except (BlockingIOError, OSError):
            pass
        done = []
        with self._lock:
            while self._finished:
                io = self._finished.popleft()
                self._in_flight.discard(io)
                done.append(io)
        return done

    def detach(self) -> list[Io]:
        with self._lock:
            lost = list(self._in_flight)
            self._in_flight.clear()
            self._finished.clear()
            fd, self._fd = self._fd, None
            pool, self._pool = self._pool, None
        if fd is not None:
            # A worker may still be inside SG_IO on this fd: close it only once every
            # worker is done, or the number could be reused by another open() and a
            # command meant for this device sent to that one.
            def close_when_idle() -> None:
                if pool is not None:
                    pool.shutdown(wait=True, cancel_futures=True)
                for each in (fd, self._wake_read, self._wake_write):
                    os.close(each)

            if pool is None or not lost:
                close_when_idle()  # no worker is busy: this returns at once
            else:
                threading.Thread(target=close_when_idle, name="sgframe-bsg-close", daemon=True).start()
        return lost
