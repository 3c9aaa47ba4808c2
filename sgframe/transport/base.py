"""What a transport is: the one layer that makes system calls for a channel.

A transport moves an :class:`~sgframe.io.Io` to one device and back. It fills in the
Io's completion header (and its data buffer) and knows nothing about exceptions,
handlers or waiting: the channel judges a completion, the reactor waits for it.

Two kinds exist. A *kernel* transport (sg) completes commands later; it exposes file
descriptors the reactor watches, and :meth:`Transport.reap` collects what is ready on
one. An *inline* transport (the emulated disk, or one that runs commands synchronously
on worker threads' behalf) finishes a command during :meth:`Transport.submit`; its
completions wait in :attr:`Transport.completed` for the reactor to collect, without any
system call.
"""
from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from ..linux.limits import SG_MAX_TRANSFER

if TYPE_CHECKING:
    from ..io import Io

__all__ = ["Transport"]


class Transport:
    """Base of every transport. Subclasses override the methods that apply."""

    #: A short description of the device for messages: "/dev/sg1", "emu:disk".
    name: str = "?"
    #: True when submit() completes the command before it returns.
    inline: bool = False
    #: The most data one command may move, in bytes. The sg driver refuses 256 MiB or
    #: more; a transport that knows a lower limit (the host's max_hw_sectors_kb) says so.
    max_transfer: int = SG_MAX_TRANSFER
    #: How data moves by default: "indirect", "mmap" or "direct" on the sg transport, which
    #: has the three; None on transports that move data one way only.
    io_mode: str | None = None

    def __init__(self) -> None:
        # Inline transports park finished Ios here; the reactor drains it.
        self.completed: deque[Io] = deque()

    @property
    def depth(self) -> int:
        """How many commands the transport can hold in flight at once."""
        return 1

    @property
    def in_flight(self) -> int:
        return 0

    def fds(self) -> tuple[int, ...]:
        """File descriptors whose readability means completions are ready."""
        return ()

    def execute(self, io: Io) -> None:
        """Run one command to completion in the caller's thread."""
        raise NotImplementedError

    def submit(self, io: Io) -> bool:
        """Start a command; False when the transport is full (nothing was sent)."""
        self.execute(io)
        self.completed.append(io)
        return True

    def reap(self, fd: int) -> list[Io]:
        """Completions that are ready on ``fd``, without blocking."""
        return []

    def detach(self) -> list[Io]:
        """The device is gone or the channel closes: release the descriptors and
        return every Io still in flight (the caller fails them).

        An inline transport's finished Ios that nobody collected yet count as in flight:
        their caller has not been told, and now never will be by the device.
        """
        lost = list(self.completed)
        self.completed.clear()
        return lost

    def close(self) -> None:
        self.detach()
