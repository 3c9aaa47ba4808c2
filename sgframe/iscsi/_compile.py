"""The fast BHS codec: one ``struct`` call per PDU, generated from the declaration.

The reference codec in :mod:`sgframe.iscsi.pdu` walks the field table over the BHS as
one 384-bit integer: obviously right, and slow. Per PDU class
this module generates Python source that packs or unpacks the 48 bytes with one
precompiled ``struct.Struct``, each field a shift and mask of the struct item that holds
it. Measured on a SCSI Command PDU: encode 4.2 -> 1.2 us, decode 10 -> 6 us (what is
left of decoding is mostly attrs' ``__init__`` with its bytes converters). Tests hold the
two codecs equal for every class on random field values and random headers.

Byte-aligned items: a run of bytes that fields share becomes one item (``B``, ``H``,
``I``, ``Q``, or ``Ns`` for other widths, converted with int.from_bytes); bytes no field
uses are pad bytes (``x``), reserved, so they encode as zero.
"""
from __future__ import annotations

import linecache
import struct
from typing import Any, Callable, Dict, List, Tuple

__all__ = ["compile_codec"]

_CODES = {1: "B", 2: "H", 4: "I", 8: "Q"}
_OCTETS = 2  # the kind number pdu.py gives byte-string fields


def _units(spans: List[Tuple[str, int, int, int]]) -> List[Tuple[int, int, List[Tuple[str, int, int, int]]]]:
    """Group (name, start bit, width, kind) into byte runs: (first byte, length, fields)."""
    units: List[Tuple[int, int, List[Tuple[str, int, int, int]]]] = []
    for span in sorted(spans, key=lambda s: s[1]):
        first, last = span[1] // 8, (span[1] + span[2] - 1) // 8
        if units and first < units[-1][0] + units[-1][1]:
            start, length, members = units[-1]
            units[-1] = (start, max(length, last + 1 - start), members + [span])
        else:
            units.append((first, last + 1 - first, [span]))
    return units


def compile_codec(cls: type, layout: Tuple[Tuple[str, int, int, int], ...], total_bits: int,
                  ) -> Tuple[Callable[[Any], bytes], Callable[[bytes, bytes, bytes], Any]]:
    """(encode(pdu) -> 48 bytes, decode(bhs, ahs, data) -> pdu) for one PDU class."""
    spans = [(name, total_bits - shift - mask.bit_length(), mask.bit_length(), kind)
             for name, shift, mask, kind in layout]
    # The opcode (a constant) and the two lengths (from ahs and data) sit in the BHS too.
    spans += [("<opcode>", 2, 6, 0), ("<ahs>", 32, 8, 0), ("<dsl>", 40, 24, 0)]
    fmt = ">"
    pack_args: List[str] = []
    unpack_names: List[str] = []
    decode_lines: List[str] = []
    kwargs: List[str] = []
    position = 0
    for index, (first, length, members) in enumerate(_units(spans)):
        if first > position:
            fmt += "%dx" % (first - position)
        position = first + length
        code = _CODES.get(length, "%ds" % length)
        fmt += code
        unit = "u%d" % index
        unpack_names.append(unit)
        if len(members) == 1 and members[0][3] == _OCTETS:
            pack_args.append("self.%s" % members[0][0])
            kwargs.append("%s=%s" % (members[0][0], unit))
            continue
        unit_bits = length * 8
        pieces = []
        value = unit if code != "%ds" % length else "_from(%s, 'big')" % unit
        if value != unit:
            decode_lines.append("    %s = %s" % (unit, value))
        for name, start, width, kind in members:
            shift = (first * 8 + unit_bits) - (start + width)
            mask = (1 << width) - 1
            source = {"<opcode>": str(cls.OPCODE), "<ahs>": "(len(self.ahs) >> 2)",
                      "<dsl>": "len(self.data)"}.get(name, "self.%s" % name)
            pieces.append("((%s & %#x) << %d)" % (source, mask, shift) if shift else "(%s & %#x)" % (source, mask))
            if name.startswith("<"):
                continue
            read = "(%s >> %d) & %#x" % (unit, shift, mask) if shift else "%s & %#x" % (unit, mask)
            kwargs.append("%s=%s" % (name, "bool(%s)" % read if kind == 1 else read))
        expr = " | ".join(pieces)
        pack_args.append(expr if code in _CODES.values() else "(%s).to_bytes(%d, 'big')" % (expr, length))
    if position < total_bits // 8:
        fmt += "%dx" % (total_bits // 8 - position)
    layout_struct = struct.Struct(fmt)
    assert layout_struct.size == total_bits // 8, (cls.__name__, fmt)
    source = "\n".join([
        "def encode(self):",
        "    return _pack(%s)" % ", ".join(pack_args),
        "",
        "def decode(bhs, ahs, data):",
        "    %s, = _unpack(bhs)" % ", ".join(unpack_names),
        *decode_lines,
        "    return _cls(%s, ahs=ahs, data=data)" % ", ".join(kwargs),
        "",
    ])
    filename = "<sgframe.iscsi generated codec %s>" % cls.__name__
    # A linecache entry, as attrs does for its generated methods: tracebacks and
    # inspect.getsource show the generated lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: Dict[str, Any] = {"_pack": layout_struct.pack, "_unpack": layout_struct.unpack,
                                 "_from": int.from_bytes, "_cls": cls}
    exec(compile(source, filename, "exec"), namespace)
    return namespace["encode"], namespace["decode"]
