"""``record``: an attrs class whose repr, ``==`` and hash are written once, here.

attrs generates and compiles ``__repr__``, ``__eq__`` and ``__hash__`` for every class it
makes: about three quarters of what making a small class costs (some 1.5 ms, measured with
four fields). The classes a command-line call builds at every start (the command classes,
the plugin records, the emulator's records) would pay that on each of the hundreds of
calls a shell loop makes; these generic methods, reading ``__attrs_attrs__``, behave as
attrs' own: the class name and the fields (``repr=False`` fields left out, a callable
``repr`` used); equal when of the same class with equal fields (``eq=False`` fields left
out, ``eq_key`` applied); frozen records hash their fields, mutable ones are unhashable.
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Tuple, TypeVar

import attrs

__all__ = ["record", "record_repr", "record_eq", "record_hash"]

T = TypeVar("T", bound=type)


def _compared(self: Any) -> Tuple[Any, ...]:
    values = []
    for a in self.__attrs_attrs__:
        if a.eq:
            value = getattr(self, a.name)
            values.append(a.eq_key(value) if a.eq_key is not None else value)
    return tuple(values)


def record_repr(self: Any) -> str:
    shown = []
    for a in self.__attrs_attrs__:
        if a.repr:
            value = getattr(self, a.name)
            shown.append(f"{a.name}={a.repr(value) if callable(a.repr) else repr(value)}")
    return f"{type(self).__qualname__.rsplit('>.', 1)[-1]}({', '.join(shown)})"


def record_eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _compared(self) == _compared(other)


def record_hash(self: Any) -> int:
    return hash((self.__class__, _compared(self)))


def record(cls: Optional[T] = None, *, frozen: bool = True, **options: Any) -> Any:
    """``attrs.define(cls, frozen=frozen, **options)`` with the shared repr, ``==`` and
    hash; as ``@record`` or ``@record(frozen=False, ...)``."""

    def make(cls: T) -> T:
        cls.__repr__ = record_repr  # type: ignore[assignment]
        cls.__eq__ = record_eq  # type: ignore[assignment]
        cls.__hash__ = record_hash if frozen else None  # type: ignore[assignment]
        return attrs.define(cls, frozen=frozen, repr=False, eq=False, **options)

    return make if cls is None else make(cls)
