"""``scsi_expect``: an expected failure as a ``with`` block, judged by :mod:`sgframe.handler`.

::

    with scsi_expect(errors.IllegalRequest, asc=0x21, ascq=0x00):
        channel.cmd.Read16(lba=capacity, transfer_length=1)

It is ``verify_handler=handler.must_fail(...)`` for code that sends commands the usual
way: the failure the block raises is handed, with its Io, to the same verifier, so the
rules (which parts must match, RECOVERED ERROR named explicitly) and the one-line
messages are the handler's. A block in which nothing failed is judged on the last
command a :class:`Recorder` saw, so the message names it ("READ(16) on emu:disk:
expected IllegalRequest with ASC/ASCQ 21h/00h; it succeeded").

A :class:`Recorder` is a channel handler that keeps what each command did: the plugin
puts one on every channel its fixtures open, for these messages and for the report.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from .. import errors, handler

__all__ = ["ExpectedFailure", "Recorder", "scsi_expect"]


class Recorder:
    """Keeps a summary of every command completed on the channels it is a handler of."""

    def __init__(self) -> None:
        self.commands: List[Dict[str, Any]] = []
        self.last_io: Any = None

    def __call__(self, io: Any) -> None:
        self.last_io = io
        failure = io.exception
        entry: Dict[str, Any] = {
            "command": io.command.NAME,
            "device": io.device,
            "cdb": bytes(io.cdb).hex(),
            "status": io.hdr.status,
        }
        if io.hdr.sense:
            entry["sense"] = bytes(io.hdr.sense).hex()
        if failure is not None:
            entry["error"] = str(failure)
        self.commands.append(entry)

    def clear(self) -> None:
        self.commands.clear()
        self.last_io = None


#: The recorder of the test that is running (the plugin sets it; None outside a test).
current: Optional[Recorder] = None


class ExpectedFailure:
    """The context manager :func:`scsi_expect` returns; ``failure`` is what was caught."""

    def __init__(self, verifier: Any) -> None:
        self._verifier = verifier
        self._seen: int = 0
        #: The device's failure the block raised, once it matched.
        self.failure: Optional[errors.TaskFailed] = None

    @property
    def sense(self) -> Any:
        return None if self.failure is None else self.failure.sense

    def __enter__(self) -> ExpectedFailure:
        self._seen = len(current.commands) if current is not None else 0
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc is None:
            io = current.last_io if current is not None and len(current.commands) > self._seen else None
            if io is None:
                raise errors.ExpectationFailed(f"expected {self._verifier.expectation}; "
                                               "no command was sent in the block")
            self._verifier(io)  # raises ExpectationFailed: it succeeded
            return False
        if not isinstance(exc, errors.TaskFailed) or getattr(exc, "io", None) is None:
            return False  # not a device's answer: not ours to judge
        self._verifier(exc.io)  # raises ExpectationFailed (from exc) on a different failure
        self.failure = exc
        return True


def scsi_expect(*classes: type, **parts: Any) -> ExpectedFailure:
    """The command in the block must fail as described; the failure then passes.

    :param classes: exception classes, any of which will do (``errors.IllegalRequest``).
    :param parts: ``sense_key``, ``asc``, ``ascq``, ``status``, ``host_status`` as for
        :class:`sgframe.handler.Expectation`.
    :raises sgframe.errors.ExpectationFailed: the block succeeded or failed otherwise.
    """
    return ExpectedFailure(handler.must_fail(*classes, **parts))
