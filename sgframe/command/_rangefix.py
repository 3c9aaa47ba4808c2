"""A stopgap for a gap in the compiled range checks of :mod:`sgframe.cdb`.

The compiled ``__new__`` (cdb.py as of d44d3d7) leaves the range check of a field to
``struct.pack`` when the field alone fills one struct item. For a field narrower than its
byte that sits at the bottom of it (GROUP NUMBER in bits 5-0, REPORT TYPE in bits 1-0, the
5-bit service action of PERSISTENT RESERVE IN) struct only checks 0..255, so
``Read16(group_number=64)`` was accepted and set reserved bit 6. The fix belongs in
``cdb._compile`` (count a field as checked by struct only when its width equals the struct
item's); until it lands, :func:`guard` recompiles the affected classes with the missing
checks added. It probes first, so it does nothing once ``define`` checks these fields.
"""
from __future__ import annotations

from typing import List, Tuple

from .. import cdb
from ..cdb import Bits, fields_of
from ..errors import UsageError


def _unchecked(cls: type) -> List[Tuple[str, Bits]]:
    missing = []
    for name, bits, is_flag in fields_of(cls):
        if is_flag or bits.width % 8 == 0:
            continue
        try:
            cls(**{name: bits.max + 1})
        except UsageError:
            continue
        missing.append((name, bits))
    return missing


def guard(cls: type) -> type:
    """Make the compiled constructor of ``cls`` range-check every field."""
    missing = _unchecked(cls)
    if not missing:
        return cls
    source, namespace = cdb._compile(cls, fields_of(cls), cls._FIXED)
    head, _, body = source.partition("\n")
    checks = "".join(
        f"    if {name}.__class__ is not int or not 0 <= {name} <= {bits.max}:\n"
        f"        {name} = _uint(_cls, {name!r}, {bits.width}, {name})\n"
        for name, bits in missing
    )
    exec(head + "\n" + checks + body, namespace)
    cls.__new__ = namespace["__new__"]
    if _unchecked(cls):
        raise AssertionError(f"{cls.__name__}: range checks still missing after recompiling")
    return cls
