"""Serving one emulated device from its TCMU ring, on the reactor.

:class:`ServedDevice` joins an emulated device (anything with the emulator's
``respond(cdb, data_out, allocation_length) -> Reply``) to a :class:`~sgframe.lab.ring.Ring`
and the uio descriptor that signals it.  The uio fd sits in the reactor's epoll set: each
wake-up takes every new command from the ring, answers the ones that are due at once, and
tells the kernel with one write.

Faults on cue.  What the device *answers* is the emulator's business (``inject``,
``inject_medium_error``, ``unit_attention``: a medium error, BUSY, TASK SET FULL, a UNIT
ATTENTION reach the kernel as the emulator builds them).  What only time can express lives
here, because the emulator has no clock: :meth:`ServedDevice.delay` answers matching
commands late, on a reactor timer, while the others go on (the ring allows completions out
of order); :meth:`ServedDevice.drop` withholds the answer, so the kernel's own
``cmd_time_out`` fails the command, and completes it long after only to give the ring
space back (the kernel ignores the completion of a command it has timed out).
"""
from __future__ import annotations

import functools
import logging
import threading
from typing import Any, List, Optional

import attrs

from sgframe.emu import sense as _sense
from sgframe.emu.reply import Reply
from sgframe.errors import UsageError
from sgframe.lab.ring import Command, Ring

__all__ = ["TimingFault", "ServedDevice"]

_log = logging.getLogger("sgframe.lab")

#: Seconds after which a dropped command's ring entry is given back (past any cmd_time_out
#: a test would set; the kernel's default is 30).
DROP_RELEASE = 60.0


@attrs.frozen
class TimingFault:
    """One injected fault of timing, consumed by the next matching command.

    :param action: ``"delay"`` (answer ``seconds`` late) or ``"drop"`` (never answer in time).
    :param opcode: the operation code to match, or None for any command.
    """

    action: str
    opcode: Optional[int]
    seconds: float = 0.0

    def matches(self, cdb: bytes) -> bool:
        return self.opcode is None or cdb[0] == self.opcode


class ServedDevice:
    """An emulated device answering the commands of one TCMU ring.

    :param device: the emulated device (``sgframe.emu.create(uri)``).
    :param ring: its ring, over the uio mapping.
    :param notify: tells the kernel that completions wait (a write to the uio fd).
    :param call_later: ``call_later(seconds, callback)``, the reactor's timer.
    :param uri: the emu URI it was made from, for messages.
    """

    def __init__(self, device: Any, ring: Ring, notify: Any, call_later: Any, uri: str = "") -> None:
        self.device = device
        self.ring = ring
        self._notify = notify
        self._call_later = call_later
        self.uri = uri
        self.faults: List[TimingFault] = []
        # Faults are added from the caller's thread while the reactor's thread consumes them.
        self._lock = threading.Lock()
        #: Commands answered, and withheld by drop(), since the start.
        self.completed = 0
        self.dropped = 0

    # --- faults of timing -----------------------------------------------------------------

    def delay(self, seconds: float, opcode: Optional[int] = None, count: int = 1) -> None:
        """Answer the next ``count`` commands with ``opcode`` (any when None) ``seconds`` late."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 < seconds <= 3600:
            raise UsageError(f"delay must be a number of seconds in (0, 3600], not {seconds!r}")
        self._add(TimingFault("delay", _opcode(opcode), float(seconds)), count)

    def drop(self, opcode: Optional[int] = None, count: int = 1) -> None:
        """Never answer the next ``count`` commands with ``opcode`` in time: the kernel's
        ``cmd_time_out`` ends them (the initiator sees a failed command or its own timeout)."""
        self._add(TimingFault("drop", _opcode(opcode), DROP_RELEASE), count)

    def _add(self, fault: TimingFault, count: int) -> None:
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise UsageError(f"count must be a positive integer, not {count!r}")
        with self._lock:
            self.faults.extend([fault] * count)

    def clear_faults(self) -> None:
        """Withdraw every fault not yet consumed: timing faults, the emulator's injected
        failures and its medium errors (a command already held by delay() or drop() stays
        held)."""
        with self._lock:
            self.faults.clear()
        for name in ("clear_injected", "clear_medium_errors"):
            method = getattr(self.device, name, None)
            if method is not None:
                method()

    def _timing_fault(self, cdb: bytes) -> Optional[TimingFault]:
        if not self.faults:
            return None
        with self._lock:
            for index, fault in enumerate(self.faults):
                if fault.matches(cdb):
                    del self.faults[index]
                    return fault
        return None

    # --- the ring ---------------------------------------------------------------------------

    def serve(self) -> int:
        """Take every new command; answer those due now.  Returns how many were answered.

        After each notification the ring is looked at again: commands the kernel queued
        meanwhile are answered without another trip through epoll and a read of the uio
        fd (two system calls, the dearest part of a command under User-Mode Linux).
        """
        answered = 0
        commands = self.ring.take()
        while commands:
            batch = 0
            for command in commands:
                fault = self._timing_fault(command.cdb)
                if fault is None:
                    self._answer(command)
                    batch += 1
                    continue
                if fault.action == "drop":
                    self.dropped += 1
                self._call_later(fault.seconds, functools.partial(self._answer_late, command))
            if batch:
                self._notify()
            answered += batch
            commands = self.ring.take()
        return answered

    def _answer_late(self, command: Command) -> None:
        self._answer(command)
        self._notify()

    def _answer(self, command: Command) -> None:
        ring = self.ring
        data_out = ring.data_out(command) if command.iovecs else b""
        try:
            reply = self.device.respond(command.cdb, data_out, command.length)
        except Exception:  # an emulator bug must not take the ring (and the kernel's LUN) down
            _log.exception("%s: the emulator failed on CDB %s", self.uri, command.cdb.hex())
            reply = Reply(
                _sense.CHECK_CONDITION, b"", _sense.build_sense(_sense.HARDWARE_ERROR, 0x44, 0x00)
            )
        read_len = None
        if reply.data:
            read_len = ring.data_in(command, reply.data)
        elif reply.good and command.length and self._is_data_in(command.cdb):
            read_len = 0
        ring.complete(command.cmd_id, reply.status, reply.sense, read_len)
        self.completed += 1

    def _is_data_in(self, cdb: bytes) -> bool:
        # The ring does not say which way a buffer goes.  A command with an ALLOCATION
        # LENGTH field is data-in; telling the kernel "0 bytes read" keeps stale bytes of
        # the data area from reaching the initiator.  For a write, read_len must not be
        # set at all: the kernel would count the data-out as residual.
        try:
            spec = self.device.table.lookup(cdb)
        except Exception:
            return False
        return spec.allocation is not None


def _opcode(opcode: Optional[int]) -> Optional[int]:
    if opcode is not None and (isinstance(opcode, bool) or not isinstance(opcode, int) or not 0 <= opcode <= 0xFF):
        raise UsageError(f"opcode must be 0..255 or None (any command), not {opcode!r}")
    return opcode
