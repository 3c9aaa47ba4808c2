"""ASC/ASCQ text from the T10 assignment list, packaged as ``data/asc-ascq.tsv``.

The table is read once, on first use, through :mod:`importlib.resources` so that
importing :mod:`sgframe.sense` stays cheap and the package works from a zip or wheel.
"""
from __future__ import annotations

import re
import threading
from typing import Dict, List, Optional, Tuple

__all__ = ["asc_text", "asc_lookup", "asc_table", "asc_ranges"]

_Codes = Dict[Tuple[int, int], str]
_Ranges = List[Tuple[int, int, int, str]]

_lock = threading.Lock()
_codes: Optional[_Codes] = None
_ranges: Optional[_Ranges] = None

# Only the printf conversions the T10 range rows use; anything else is left as is.
_PLACEHOLDER = re.compile(r"%(0?\d*)([xXd])")


def _load() -> Tuple[_Codes, _Ranges]:
    global _codes, _ranges
    with _lock:
        if _codes is None or _ranges is None:
            codes: _Codes = {}
            ranges: _Ranges = []
            from importlib import resources  # 6 ms of imports, paid at the first lookup only

            text = (resources.files("sgframe.sense") / "data" / "asc-ascq.tsv").read_text(
                encoding="utf-8")
            for line in text.splitlines():
                if not line.strip() or line.startswith("#"):
                    continue
                asc_hex, ascq_hex, description = line.split("\t", 2)
                asc = int(asc_hex, 16)
                if "-" in ascq_hex:
                    low, high = ascq_hex.split("-")
                    ranges.append((asc, int(low, 16), int(high, 16), description))
                else:
                    codes[(asc, int(ascq_hex, 16))] = description
            _codes, _ranges = codes, ranges
        return _codes, _ranges


def asc_table() -> Dict[Tuple[int, int], str]:
    """A copy of the exact ``(asc, ascq) -> text`` assignments (766 of them)."""
    return dict(_load()[0])


def asc_ranges() -> List[Tuple[int, int, int, str]]:
    """The range rows as ``(asc, ascq_low, ascq_high, template)``; the template has one
    printf placeholder (``%x`` or ``%d``) for the ASCQ."""
    return list(_load()[1])


def _fill(template: str, ascq: int) -> str:
    def one(match: "re.Match[str]") -> str:
        width, conv = match.group(1), match.group(2)
        return ("%" + width + conv) % ascq
    return _PLACEHOLDER.sub(one, template)


def asc_lookup(asc: int, ascq: int) -> Optional[str]:
    """The T10 text for ``asc``/``ascq``, or ``None`` when T10 assigns none.

    Range rows win over exact rows, as in sg3_utils: ``4Dh/00h`` is "Tagged overlapped
    commands [0x0]" (the queue tag), not the generic "(nn = queue tag)" placeholder row.
    """
    codes, ranges = _load()
    for r_asc, low, high, template in ranges:
        if r_asc == asc and low <= ascq <= high:
            return _fill(template, ascq)
    return codes.get((asc, ascq))


def asc_text(asc: int, ascq: int) -> str:
    """Words for an additional sense code and qualifier; never raises for 0..255.

    Codes T10 does not assign are described the way sg3_utils words them: an ASC of 80h
    or more is ``vendor specific ASC=85, ASCQ=01 (hex)``, an ASCQ of 80h or more under a
    standard ASC is ``ASC=05, vendor specific qualification ASCQ=81 (hex)``, and anything
    else unassigned is ``unknown ASC=05, ASCQ=71 (hex)``.

    :param asc: additional sense code, 0..255
    :param ascq: additional sense code qualifier, 0..255
    """
    text = asc_lookup(asc, ascq)
    if text is not None:
        return text
    # SPC-5 4.4.2.1: ASC values 80h-FFh, and ASCQ values 80h-FFh under any ASC,
    # are vendor specific.
    if asc >= 0x80:
        return "vendor specific ASC=%02x, ASCQ=%02x (hex)" % (asc, ascq)
    if ascq >= 0x80:
        return "ASC=%02x, vendor specific qualification ASCQ=%02x (hex)" % (asc, ascq)
    return "unknown ASC=%02x, ASCQ=%02x (hex)" % (asc, ascq)
