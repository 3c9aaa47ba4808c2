"""Response handlers: what a test expects of a command, said next to the command.

A handler is any callable that takes the completed :class:`~sgframe.io.Io`. Two places
take one (see :mod:`sgframe.judge` for the order they run in):

* ``verify_handler=`` replaces the default verification, which raises the device's
  failure. It sees the device's verdict in ``io.exception``; returning accepts the
  outcome (an expected failure becomes success), raising rejects it.
* ``command.add_handler(h)``, ``channel.handlers`` and ``reactor.handlers`` observe every
  completion; one that raises makes its exception the Io's outcome, and the others and
  the reactor carry on.

The verifiers here work bare or with an expectation::

    channel.cmd.Read16(lba=2**32, transfer_length=1, verify_handler=handler.must_fail)
    channel.cmd.Read16(lba=2**32, transfer_length=1,
                       verify_handler=handler.must_fail(errors.IllegalRequest, asc=0x21, ascq=0x00))

A missing or a different failure raises :class:`~sgframe.errors.ExpectationFailed`,
whose one-line message says what was expected and what happened.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable, Optional, Tuple, Union

import attrs

from . import errors
from .judge import informational as _informational
from .sense.keys import SenseKey
from .status import status_text

if TYPE_CHECKING:
    from .io import Io

__all__ = [
    "Expectation",
    "expect_data",
    "log_duration",
    "might_fail",
    "must_fail",
    "print_duration",
]

_LIMITS = {"sense_key": 0x0F, "asc": 0xFF, "ascq": 0xFF, "status": 0xFF, "host_status": 0xFF}


def _where(io: Io) -> str:
    channel = io.channel
    name = io.command.NAME
    return f"{name} on {channel.name}" if channel is not None else name


def _happened(io: Io, failure: Optional[BaseException]) -> str:
    """What the command did, for a message that already names command and device."""
    if failure is None:
        informational = _informational(io)
        if informational is not None:
            return "it succeeded with " + _strip(io, informational)
        return "it succeeded"
    return f"it failed with {type(failure).__name__}: {_strip(io, failure)}"


def _strip(io: Io, failure: BaseException) -> str:
    # The device's exceptions start "READ(16) on /dev/sg0: "; the message says that once.
    text = str(failure)
    prefix = _where(io) + ": "
    return text[len(prefix):] if text.startswith(prefix) else text


@attrs.frozen
class Expectation:
    """What a failure must look like. Every given part must match; none given: any failure.

    :param classes: exception classes, any of which will do (``errors.IllegalRequest``).
    :param sense_key: the sense key (0..15).
    :param asc: the additional sense code.
    :param ascq: the additional sense code qualifier.
    :param status: the SCSI status byte (``0x08`` BUSY ...).
    :param host_status: the Linux host byte (``DID_TIME_OUT`` is 3).
    """

    classes: Tuple[type, ...] = ()
    sense_key: Optional[int] = None
    asc: Optional[int] = None
    ascq: Optional[int] = None
    status: Optional[int] = None
    host_status: Optional[int] = None

    @classmethod
    def build(cls, *classes: Any, **parts: Any) -> Expectation:
        for each in classes:
            if not (isinstance(each, type) and issubclass(each, BaseException)):
                raise errors.UsageError(
                    f"expected failures are exception classes such as errors.IllegalRequest, not {each!r}"
                )
        for name, value in parts.items():
            if name not in _LIMITS:
                raise errors.UsageError(
                    f"unknown expectation {name}=; use an exception class and {', '.join(_LIMITS)}"
                )
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or not 0 <= value <= _LIMITS[name]):
                raise errors.UsageError(f"{name}={value!r}: give an int 0..{_LIMITS[name]:#x}")
        return cls(classes=tuple(classes), **parts)

    @property
    def anything(self) -> bool:
        return self == Expectation()

    def matches(self, failure: Optional[BaseException]) -> bool:
        if failure is None:
            return False
        if self.classes and not isinstance(failure, self.classes):
            return False
        for name in ("sense_key", "asc", "ascq", "status", "host_status"):
            wanted = getattr(self, name)
            if wanted is not None and getattr(failure, name, None) != wanted:
                return False
        return True

    def names_informational(self) -> bool:
        """Does it ask for RECOVERED ERROR or COMPLETED, which count as success by default?"""
        if any(getattr(c, "informational", False) for c in self.classes):
            return True
        return self.sense_key in (0x1, 0xF)

    def __str__(self) -> str:
        if self.anything:
            return "a failure"
        parts = []
        if self.classes:
            parts.append(" or ".join(c.__name__ for c in self.classes))
        else:
            parts.append("a failure")
        details = []
        if self.status is not None:
            details.append("status " + status_text(self.status))
        if self.sense_key is not None:
            details.append("sense key " + str(SenseKey(self.sense_key)))
        if self.asc is not None or self.ascq is not None:
            details.append("ASC/ASCQ " + _code(self.asc) + "/" + _code(self.ascq))
        if self.host_status is not None:
            from .host_status import HostStatus

            try:
                details.append("host status " + HostStatus(self.host_status).name)
            except ValueError:
                details.append(f"host status {self.host_status:#04x}")
        if details:
            parts.append("with " + ", ".join(details))
        return " ".join(parts)

    def arguments(self) -> str:
        """The call that made it, for reprs: ``IllegalRequest, asc=0x21``."""
        out = [c.__name__ for c in self.classes]
        for name in ("sense_key", "asc", "ascq", "status", "host_status"):
            value = getattr(self, name)
            if value is not None:
                out.append(f"{name}={value:#04x}")
        return ", ".join(out)


def _code(value: Optional[int]) -> str:
    return "xx" if value is None else f"{value:02X}h"


class _Verifier:
    """``must_fail`` and ``might_fail``: a verify handler, bare or with an expectation."""

    __slots__ = ("_name", "_required", "expectation")

    def __init__(self, name: str, required: bool, expectation: Expectation = Expectation()) -> None:
        self._name = name
        self._required = required
        self.expectation = expectation

    def __call__(self, *args: Any, **parts: Any) -> Any:
        from .io import Io

        if len(args) == 1 and not parts and isinstance(args[0], Io):
            return self._verify(args[0])
        if not self.expectation.anything:
            raise errors.UsageError(f"{self!r} already has an expectation; call it with the Io only")
        return _Verifier(self._name, self._required, Expectation.build(*args, **parts))

    def _verify(self, io: Io) -> None:
        failure = io.exception
        expectation = self.expectation
        if failure is None and expectation.names_informational():
            failure = _informational(io)
        if failure is None:
            if not self._required:
                return
            raise errors.ExpectationFailed(f"{_where(io)}: expected {expectation}; {_happened(io, None)}")
        if expectation.matches(failure):
            return
        wanted = f"success or {expectation}" if not self._required else str(expectation)
        raise errors.ExpectationFailed(f"{_where(io)}: expected {wanted}; {_happened(io, failure)}") from failure

    def __repr__(self) -> str:
        if self.expectation.anything:
            return f"handler.{self._name}"
        return f"handler.{self._name}({self.expectation.arguments()})"


#: The command must fail (as described, when called with an expectation); its failure
#: then counts as success. ``verify_handler=handler.must_fail`` or
#: ``verify_handler=handler.must_fail(errors.MediumError, asc=0x11)``.
must_fail = _Verifier("must_fail", required=True)

#: The command may succeed or fail (as described, when called with an expectation);
#: either way it counts as success. A failure of another kind raises ExpectationFailed.
might_fail = _Verifier("might_fail", required=False)


class expect_data:
    """A handler that checks the data that came back.

    :param expected: the exact bytes (``io.data``, trimmed by the residual count), or a
        callable given those bytes that returns False (or raises) to reject them.

    Use it as ``verify_handler=`` or with ``command.add_handler``. A command that failed
    keeps its failure: there is no data to judge.
    """

    __slots__ = ("expected",)

    def __init__(self, expected: Union[bytes, bytearray, memoryview, Callable[[bytes], Any]]) -> None:
        if isinstance(expected, (bytes, bytearray, memoryview)):
            expected = bytes(expected)
        elif not callable(expected):
            raise errors.UsageError(f"expect_data takes bytes or a callable, not {type(expected).__name__}")
        self.expected = expected

    def __call__(self, io: Io) -> None:
        if io.exception is not None:
            raise io.exception
        data = io.data
        expected = self.expected
        if isinstance(expected, bytes):
            if data != expected:
                raise errors.ExpectationFailed(f"{_where(io)}: {_difference(expected, data)}")
        elif expected(data) is False:
            name = getattr(expected, "__name__", repr(expected))
            raise errors.ExpectationFailed(f"{_where(io)}: {name} rejected the {len(data)} bytes that came back")

    def __repr__(self) -> str:
        if isinstance(self.expected, bytes):
            shown = self.expected[:16].hex() + ("..." if len(self.expected) > 16 else "")
            return f"handler.expect_data({len(self.expected)} bytes {shown})"
        return f"handler.expect_data({getattr(self.expected, '__name__', self.expected)!s})"


def _difference(expected: bytes, data: bytes) -> str:
    at = next((i for i, (a, b) in enumerate(zip(expected, data)) if a != b), min(len(expected), len(data)))
    text = f"data differs from the expected {len(expected)} bytes at offset {at}"
    if len(data) != len(expected):
        text += f" ({len(data)} bytes came back)"
    if at < min(len(expected), len(data)):
        text += f": expected {expected[at:at + 8].hex()}, got {data[at:at + 8].hex()}"
    return text


def print_duration(io: Io) -> None:
    """Print how long the command took, as the kernel measured it: ``Input(...) took 3 milliseconds``."""
    print(f"{io!r} took {io.hdr.duration} milliseconds")


def log_duration(logger: Optional[logging.Logger] = None, level: int = logging.INFO) -> Callable[[Io], None]:
    """A handler that logs each command's name, device and duration.

    :param logger: where to log (default: the ``sgframe.handler`` logger).
    :param level: the logging level of the records.
    """
    log = logger if logger is not None else logging.getLogger(__name__)

    def log_duration(io: Io) -> None:
        log.log(level, "%s took %d milliseconds", _where(io), io.hdr.duration)

    return log_duration
