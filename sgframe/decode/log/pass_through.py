"""ATA PASS-THROUGH results, 16h (SAT-4 10.3.3): the ATA registers of the last fifteen
ATA PASS-THROUGH commands that had CK_COND set, one parameter each.

Each parameter (codes 0000h-000Eh; sg_logs names it "Log_index" code + 1) holds an ATA
Status Return descriptor, the sense data descriptor 09h.  The register arithmetic (the
high bytes of COUNT and LBA interleaved with the low ones) is the sense decoder's:
:func:`sgframe.sense.descriptors.decode_descriptors` reads it for both.
"""
from __future__ import annotations

from typing import Optional, Tuple

import attrs

from ...sense.descriptors import AtaStatusReturnDescriptor, decode_descriptors
from .._util import Record, raw_repr, record
from ._core import LogPage, read_page

__all__ = ["AtaPassThroughResult", "AtaPassThroughResultsPage", "decode_ata_pass_through_results_page"]

_DESCRIPTOR_LENGTH = 14  # descriptor code 09h, additional length 0Ch, twelve register bytes


@record
class AtaPassThroughResult(Record):
    """One ATA PASS-THROUGH results parameter: the ATA Status Return descriptor's fields.
    ``count`` and ``lba`` are 8 and 24 bits wide unless ``extend`` is set (48-bit command)."""

    parameter_code: int
    extend: Optional[bool] = None
    error: Optional[int] = None
    count: Optional[int] = None
    lba: Optional[int] = None
    device: Optional[int] = None
    status: Optional[int] = None
    descriptor: bytes = attrs.field(default=b"", repr=raw_repr)


@record
class AtaPassThroughResultsPage(LogPage):
    """ATA PASS-THROUGH results log page, 16h (SAT-4 10.3.3)."""

    results: Tuple[AtaPassThroughResult, ...] = ()


def decode_ata_pass_through_results_page(data: bytes) -> AtaPassThroughResultsPage:
    r, f = read_page(data, "ATA PASS-THROUGH results log page")
    results = []
    for p in f["parameters"]:
        code = p.parameter_code
        if code > 0x000E:
            r.problem(f"parameter code {code:04x}h outside 0000h-000Eh")
            continue
        value = bytes(p.value)
        if len(value) < _DESCRIPTOR_LENGTH or value[0] != 0x09:
            r.problem(f"parameter {code:04x}h is not a 14-byte ATA Status Return descriptor "
                      f"(code {value[:1].hex() or 'missing'}, {len(value)} bytes)")
            results.append(AtaPassThroughResult(parameter_code=code, descriptor=value))
            continue
        (ata,), problems = decode_descriptors(value[:_DESCRIPTOR_LENGTH], 0)
        for problem in problems:
            r.problem(f"parameter {code:04x}h: {problem}")
        assert isinstance(ata, AtaStatusReturnDescriptor)
        results.append(AtaPassThroughResult(
            parameter_code=code, extend=ata.extend, error=ata.error, count=ata.count, lba=ata.lba,
            device=ata.device, status=ata.status, descriptor=value))
    return AtaPassThroughResultsPage(results=tuple(results), problems=tuple(r.problems), **f)
