"""sgframe._records.record behaves as attrs' generated repr, == and hash do."""
from __future__ import annotations

import attrs
import pytest

from sgframe._records import record


def _pair(frozen: bool):
    def body():
        return {
            "__annotations__": {"a": int, "b": str, "hidden": int, "loose": int},
            "b": attrs.field(default="x"),
            "hidden": attrs.field(default=0, repr=False),
            "loose": attrs.field(default=0, eq=False),
        }

    ours = record(type("Rec", (), body()), frozen=frozen)
    theirs = attrs.define(type("Rec", (), body()), frozen=frozen)
    return ours, theirs


@pytest.mark.parametrize("frozen", [True, False])
def test_repr_is_attrs_repr(frozen):
    ours, theirs = _pair(frozen)
    assert repr(ours(a=1, b="q", hidden=5, loose=7)) == repr(theirs(a=1, b="q", hidden=5, loose=7)) \
        == "Rec(a=1, b='q', loose=7)"


@pytest.mark.parametrize("frozen", [True, False])
def test_equality_is_attrs_equality(frozen):
    ours, theirs = _pair(frozen)
    for cls in (ours, theirs):
        assert cls(a=1, loose=1) == cls(a=1, loose=2)  # eq=False field ignored
        assert cls(a=1) != cls(a=2)
        assert cls(a=1, hidden=1) != cls(a=1, hidden=2)  # repr=False still compared
    assert ours(a=1) != theirs(a=1)  # another class is never equal
    assert (ours(a=1) == 1) is False


def test_frozen_records_hash_their_compared_fields_and_mutable_ones_do_not_hash():
    ours, _ = _pair(True)
    assert hash(ours(a=1, loose=1)) == hash(ours(a=1, loose=2))
    assert len({ours(a=1), ours(a=1), ours(a=2)}) == 2
    mutable, theirs = _pair(False)
    for cls in (mutable, theirs):
        with pytest.raises(TypeError, match="unhashable"):
            hash(cls(a=1))


def test_eq_key_is_applied():
    @record
    class Named:
        name: str = attrs.field(eq=str.lower)

    assert Named("ABC") == Named("abc")
    assert hash(Named("ABC")) == hash(Named("abc"))
