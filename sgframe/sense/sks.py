"""The SENSE KEY SPECIFIC field (SPC-5 4.4.2.4): three bytes whose meaning depends on
the sense key. Byte 0 bit 7 is SKSV; when it is zero the other 23 bits mean nothing.
"""
from __future__ import annotations

from typing import Optional, Union

import attrs

from .keys import SenseKey

__all__ = [
    "FieldPointer", "ActualRetryCount", "ProgressIndication", "SegmentPointer",
    "UnitAttentionQueueOverflow", "SenseKeySpecificRaw", "SenseKeySpecific",
    "decode_sense_key_specific", "progress_percent_text",
]

_SKSV = 0x80


def progress_percent_text(progress_indication: int) -> str:
    """``progress_indication`` (a numerator over 65536) as a percentage with two
    decimals, truncated rather than rounded, as sg3_utils prints it."""
    whole, rest = divmod(progress_indication * 100, 65536)
    return "%d.%02d%%" % (whole, rest // 656)


@attrs.frozen
class FieldPointer:
    """ILLEGAL REQUEST: which byte (and bit) of the CDB or parameter list was wrong.

    ``c_d`` is True when the error is in the CDB, False when in the parameter data.
    ``bit_pointer`` means something only when ``bpv`` (bit pointer valid) is set.
    """

    c_d: bool
    bpv: bool
    bit_pointer: int
    field_pointer: int

    def __bytes__(self) -> bytes:
        b0 = _SKSV | (0x40 if self.c_d else 0) | (0x08 if self.bpv else 0) | (self.bit_pointer & 7)
        return bytes((b0,)) + (self.field_pointer & 0xFFFF).to_bytes(2, "big")

    def __str__(self) -> str:
        where = "CDB" if self.c_d else "parameter data"
        text = "error in %s byte %d" % (where, self.field_pointer)
        if self.bpv:
            text += " bit %d" % self.bit_pointer
        return text


@attrs.frozen
class ActualRetryCount:
    """RECOVERED ERROR, MEDIUM ERROR, HARDWARE ERROR: retries the device made."""

    actual_retry_count: int

    def __bytes__(self) -> bytes:
        return bytes((_SKSV,)) + (self.actual_retry_count & 0xFFFF).to_bytes(2, "big")

    def __str__(self) -> str:
        return "actual retry count %d" % self.actual_retry_count


@attrs.frozen
class ProgressIndication:
    """NO SENSE, NOT READY: how far a long operation (FORMAT UNIT, SANITIZE ...) has
    got, as a numerator over 65536."""

    progress_indication: int

    @property
    def fraction(self) -> float:
        """Progress as a fraction of 1 (65536 would be complete)."""
        return self.progress_indication / 65536

    @property
    def percent(self) -> float:
        """Progress in percent."""
        return self.progress_indication * 100 / 65536

    def __bytes__(self) -> bytes:
        return bytes((_SKSV,)) + (self.progress_indication & 0xFFFF).to_bytes(2, "big")

    def __str__(self) -> str:
        return "progress %s" % progress_percent_text(self.progress_indication)


@attrs.frozen
class SegmentPointer:
    """COPY ABORTED: where in the EXTENDED COPY parameter list the problem is.

    ``sd`` set means relative to the start of the segment descriptor, clear means
    relative to the start of the parameter list.
    """

    sd: bool
    bpv: bool
    bit_pointer: int
    field_pointer: int

    def __bytes__(self) -> bytes:
        b0 = _SKSV | (0x20 if self.sd else 0) | (0x08 if self.bpv else 0) | (self.bit_pointer & 7)
        return bytes((b0,)) + (self.field_pointer & 0xFFFF).to_bytes(2, "big")

    def __str__(self) -> str:
        where = "segment descriptor" if self.sd else "parameter list"
        text = "segment pointer: %s byte %d" % (where, self.field_pointer)
        if self.bpv:
            text += " bit %d" % self.bit_pointer
        return text


@attrs.frozen
class UnitAttentionQueueOverflow:
    """UNIT ATTENTION: ``overflow`` set means unit attention conditions were lost."""

    overflow: bool

    def __bytes__(self) -> bytes:
        return bytes((_SKSV | (1 if self.overflow else 0), 0, 0))

    def __str__(self) -> str:
        return "unit attention queue overflow" if self.overflow else "no unit attention queue overflow"


@attrs.frozen
class SenseKeySpecificRaw:
    """SKSV set under a sense key for which SPC-5 defines no layout: the 3 bytes."""

    raw: bytes

    def __bytes__(self) -> bytes:
        return bytes(self.raw)

    def __str__(self) -> str:
        return "sense key specific 0x%s" % self.raw.hex()


SenseKeySpecific = Union[FieldPointer, ActualRetryCount, ProgressIndication,
                         SegmentPointer, UnitAttentionQueueOverflow, SenseKeySpecificRaw]


def decode_sense_key_specific(sense_key: int, raw: bytes) -> Optional[SenseKeySpecific]:
    """Decode the three SENSE KEY SPECIFIC bytes for ``sense_key``.

    Returns ``None`` when SKSV is clear or fewer than three bytes are given.
    """
    if len(raw) < 3 or not raw[0] & _SKSV:
        return None
    b0 = raw[0]
    value = int.from_bytes(raw[1:3], "big")
    key = sense_key & 0xF
    if key == SenseKey.ILLEGAL_REQUEST:
        return FieldPointer(c_d=bool(b0 & 0x40), bpv=bool(b0 & 0x08),
                            bit_pointer=b0 & 7, field_pointer=value)
    if key in (SenseKey.RECOVERED_ERROR, SenseKey.MEDIUM_ERROR, SenseKey.HARDWARE_ERROR):
        return ActualRetryCount(actual_retry_count=value)
    if key in (SenseKey.NO_SENSE, SenseKey.NOT_READY):
        return ProgressIndication(progress_indication=value)
    if key == SenseKey.COPY_ABORTED:
        return SegmentPointer(sd=bool(b0 & 0x20), bpv=bool(b0 & 0x08),
                              bit_pointer=b0 & 7, field_pointer=value)
    if key == SenseKey.UNIT_ATTENTION:
        return UnitAttentionQueueOverflow(overflow=bool(b0 & 1))
    return SenseKeySpecificRaw(raw=bytes(raw[:3]))
