"""Hypothesis strategies for CDB classes: any registered command with valid field values."""
from __future__ import annotations

from typing import Iterable, Optional

from hypothesis import strategies as st

from sgframe.cdb import Command, fields_of
from sgframe.command import REGISTRY


def field_values(cls: type) -> st.SearchStrategy[dict]:
    """Keyword arguments for ``cls``: every field with a random value in its range."""
    return st.fixed_dictionaries(
        {
            name: st.booleans() if is_flag else st.integers(min_value=0, max_value=bits.max)
            for name, bits, is_flag in fields_of(cls)
        }
    )


def command_of(cls: type) -> st.SearchStrategy[Command]:
    """An instance of one command class with random valid field values."""
    return field_values(cls).map(lambda kwargs: cls(**kwargs))


def commands(classes: Optional[Iterable[type]] = None) -> st.SearchStrategy[Command]:
    """Any command of ``classes`` (every registered command by default)."""
    pool = sorted(classes if classes is not None else REGISTRY, key=lambda c: c.__name__)
    return st.sampled_from(pool).flatmap(command_of)


def cdb_bytes(cls: type) -> st.SearchStrategy[bytes]:
    """Random CDB bytes that carry ``cls``'s constants (opcode, service action, ...) and
    random bits everywhere else, reserved bits included."""

    def stamp(raw: bytes) -> bytes:
        value = int.from_bytes(raw, "big")
        total = cls.CDB_LENGTH * 8
        for bits, constant in cls.fixed_fields():
            shift = total - bits.end
            value &= ~(bits.max << shift)
            value |= constant << shift
        return value.to_bytes(cls.CDB_LENGTH, "big")

    return st.binary(min_size=cls.CDB_LENGTH, max_size=cls.CDB_LENGTH).map(stamp)
