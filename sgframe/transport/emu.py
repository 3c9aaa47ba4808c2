"""The ``emu:`` transport: commands answered by an in-process emulated device.

It completes each command inside :meth:`submit`, with no system call, so it measures the
framework's own cost per command and lets everything above it run with no SCSI hardware.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..cdb import Direction
from ..errors import UsageError
from .base import Transport

if TYPE_CHECKING:
    from ..emu.disk import EmulatedDisk
    from ..io import Io

__all__ = ["EmuTransport"]

# What the emulated device cannot do cannot be told from what it does: an emulated
# command takes no time, so every duration is 0 ms, as a fast device reports through sg.


class EmuTransport(Transport):
    """Sends each Io to an :class:`~sgframe.emu.disk.EmulatedDisk` (or anything with its
    ``respond(cdb, data_out, allocation_length)`` method)."""

    inline = True

    def __init__(self, device: EmulatedDisk, name: str = "emu:disk", *, depth: int = 64,
                 kind: str = "disk") -> None:
        super().__init__()
        if depth.__class__ is not int or depth < 1:
            raise UsageError(f"queue_depth must be an int >= 1, got {depth!r}")
        self.device = device
        self.name = name
        #: The emu: kind the device was made as ("disk", "zoned", a plugin's).
        self.kind = kind
        self._depth = depth

    @property
    def depth(self) -> int:
        return self._depth

    def reset(self, kind: str) -> None:
        """A reset of any kind resets the emulated logical unit (UNIT ATTENTION 29h/00h)."""
        if kind not in ("device", "target", "bus", "host"):
            raise UsageError(f"reset kind {kind!r}: use device, target, bus or host")
        self.device.reset()

    def execute(self, io: Io) -> None:
        direction = io.DIRECTION
        if direction is Direction.OUT:
            data_out = bytes(io.buffer[: io.length])
        elif direction is Direction.BOTH:
            data_out = io.data_out
        else:
            data_out = b""
        allocation = io.length if direction is Direction.IN or direction is Direction.BOTH else 0
        reply = self.device.respond(io.cdb, data_out, allocation)
        hdr = io.hdr
        hdr.status = reply.status
        hdr.sense = reply.sense
        hdr.host_status = 0
        # Linux sets DRIVER_SENSE whenever sense data came back; so do we, to look alike.
        hdr.driver_status = 0x08 if reply.sense else 0
        hdr.duration = 0
        hdr.info = 1 if reply.status or reply.sense else 0
        received = len(reply.data)
        if allocation:
            io.buffer[:received] = reply.data
            # Like the kernel: a command that failed reports no residual (sg leaves resid
            # at 0 after CHECK CONDITION), so whoever reads the data must look at the
            # status first. Tests on the emulator then catch what a real device shows.
            hdr.resid = allocation - received if not reply.status else 0
        else:
            hdr.resid = 0
