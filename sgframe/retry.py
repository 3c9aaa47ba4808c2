"""Retry policies: which failures to send again, how often, after how long.

Nothing is retried unless a policy says so, so a test sees exactly what the device said.
A policy is found on the Io (``channel.execute(cmd, retry=policy)`` or
``channel.cmd.Read10(..., retry=policy)``; a command class may also carry a
``retry_policy`` attribute), else on the channel (``channel.retry_policy``), else on the
reactor (``reactor.retry_policy``). The channel asks it after each attempt with the
device's verdict; only the last attempt is judged and reaches the handlers.

Why these conditions by default (:data:`TRANSIENT`): UNIT ATTENTION reports an event
(a reset, a mode change) once per I_T nexus and the next command runs normally
(SAM-5 5.14); BUSY and TASK SET FULL say "not now" (SAM-5 5.3). Linux's midlayer
already retries BUSY and TASK SET FULL for passthrough commands until the command's
timeout has passed, so through sg they arrive only from a device that stays busy.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, Tuple, Union

import attrs

from . import errors

if TYPE_CHECKING:
    from .io import Io

__all__ = ["RetryPolicy", "TRANSIENT"]

#: Failures that say "try again", not "this is wrong".
TRANSIENT: Tuple[type, ...] = (errors.UnitAttention, errors.Busy, errors.TaskSetFull)

Condition = Union[type, Callable[[BaseException], Any]]


def _check_conditions(instance: Any, attribute: Any, value: Tuple[Condition, ...]) -> None:
    if not value:
        raise errors.UsageError("a RetryPolicy needs at least one condition (an exception class or a predicate)")
    for each in value:
        if isinstance(each, type):
            if not issubclass(each, BaseException):
                raise errors.UsageError(f"retry condition {each.__name__} is not an exception class")
        elif not callable(each):
            raise errors.UsageError(
                f"a retry condition is an exception class or a predicate taking the failure, not {each!r}"
            )


def _positive_int(instance: Any, attribute: Any, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise errors.UsageError(f"{attribute.name} must be an int >= 1 (attempts in all, the first included), not {value!r}")


def _non_negative(instance: Any, attribute: Any, value: Optional[float]) -> None:
    if value is None and attribute.name == "max_backoff":
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise errors.UsageError(f"{attribute.name} must be a number of seconds >= 0, not {value!r}")


def _factor(instance: Any, attribute: Any, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 1:
        raise errors.UsageError(f"factor must be a number >= 1 (1: a constant back-off), not {value!r}")


@attrs.frozen
class RetryPolicy:
    """Send a command again when it fails in a way the policy names.

    :param conditions: exception classes (``errors.UnitAttention``) and predicates
        (``lambda failure: failure.asc == 0x29``); a failure matching any is retried.
    :param attempts: how many times a command is sent at most, the first included.
    :param backoff: seconds to wait before the first retry (0: at once).
    :param factor: each further retry waits ``factor`` times longer.
    :param max_backoff: the longest wait, in seconds (None: no limit).
    """

    conditions: Tuple[Condition, ...] = attrs.field(default=TRANSIENT, converter=tuple,
                                                    validator=_check_conditions)
    attempts: int = attrs.field(default=3, validator=_positive_int)
    backoff: float = attrs.field(default=0.0, validator=_non_negative)
    factor: float = attrs.field(default=2.0, validator=_factor)
    max_backoff: Optional[float] = attrs.field(default=None, validator=_non_negative)

    def matches(self, failure: BaseException) -> bool:
        """Does ``failure`` meet one of the conditions?"""
        for condition in self.conditions:
            if isinstance(condition, type):
                if isinstance(failure, condition):
                    return True
            elif condition(failure):
                return True
        return False

    def delay(self, attempt: int) -> float:
        """Seconds to wait before sending attempt number ``attempt + 1``."""
        wait = self.backoff * self.factor ** (attempt - 1)
        return wait if self.max_backoff is None else min(wait, self.max_backoff)

    def should_retry(self, io: Io, failure: Optional[BaseException]) -> Optional[float]:
        """The channel's question after each attempt: seconds to wait before sending the
        command again, or None to let this attempt stand.

        :param io: the Io; ``io.attempts`` counts the times it has been sent.
        :param failure: the device's verdict on this attempt (None: it succeeded).
        """
        if failure is None or io.attempts >= self.attempts or not self.matches(failure):
            return None
        return self.delay(io.attempts)
