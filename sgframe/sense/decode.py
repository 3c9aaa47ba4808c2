"""Decoding sense data (SPC-5 4.4): fixed (70h/71h) and descriptor (72h/73h) formats.

:func:`decode_sense` never raises on what a device sent. Whatever was wrong (an empty
buffer, a bad response code, an additional sense length that runs past the buffer, a
short descriptor) is decoded as far as it goes and listed in ``Sense.problems``.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import attrs

from ..errors import UsageError

from .asc import asc_text
from .descriptors import (
    BlockCommandsDescriptor, CommandSpecificDescriptor, Descriptor, DirectAccessBlockDeviceDescriptor,
    FieldReplaceableUnitDescriptor, InformationDescriptor, SenseKeySpecificDescriptor,
    StreamCommandsDescriptor, decode_descriptors,
)
from .keys import SenseKey
from .sks import SenseKeySpecific, decode_sense_key_specific

__all__ = ["Sense", "decode_sense"]

# A forwarded sense data descriptor holds sense data that may hold another one;
# random or hostile input must not recurse without bound.
_MAX_NESTING = 4

# Descriptors whose content Sense already shows as its own fields.
_FOLDED = (InformationDescriptor, CommandSpecificDescriptor, SenseKeySpecificDescriptor,
           FieldReplaceableUnitDescriptor, StreamCommandsDescriptor, BlockCommandsDescriptor,
           DirectAccessBlockDeviceDescriptor)


@attrs.frozen
class Sense:
    """Decoded sense data.

    In descriptor format, ``information``, ``command_specific``, ``sense_key_specific``,
    ``fru``, ``filemark``, ``eom`` and ``ili`` are taken from the descriptors that carry
    them (00h-05h, 0Dh), so both formats of the same condition compare the same way.
    ``information`` is ``None`` unless the VALID bit is set.
    """

    response_code: int
    format: str
    deferred: bool
    sense_key: SenseKey
    asc: int
    ascq: int
    information: Optional[int] = None
    command_specific: Optional[int] = None
    sense_key_specific: Optional[SenseKeySpecific] = None
    fru: Optional[int] = None
    filemark: bool = False
    eom: bool = False
    ili: bool = False
    sdat_ovfl: bool = False
    descriptors: Tuple[Descriptor, ...] = ()
    additional_sense_bytes: bytes = b""
    problems: Tuple[str, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=False)

    @property
    def asc_text(self) -> str:
        """The T10 words for ASC/ASCQ, e.g. ``Unrecovered read error``."""
        return asc_text(self.asc, self.ascq)

    @property
    def current(self) -> bool:
        """True for current errors (70h/72h), False for deferred ones."""
        return not self.deferred

    def find(self, descriptor_class: type) -> Optional[Descriptor]:
        """The first descriptor of ``descriptor_class``, or ``None``."""
        for d in self.descriptors:
            if isinstance(d, descriptor_class):
                return d
        return None

    def __str__(self) -> str:
        if not self.raw and self.problems:
            return "No sense data (%s)" % "; ".join(self.problems)
        if self.response_code in (0x70, 0x71, 0x72, 0x73):
            head = "%s format, %s" % ("Fixed" if self.format == "fixed" else "Descriptor",
                                      "deferred" if self.deferred else "current")
        else:
            head = "Response code 0x%02x, read as fixed format" % self.response_code
        parts = [head, "Sense key: %s" % self.sense_key,
                 "Additional sense: %s [%02Xh/%02Xh]" % (self.asc_text, self.asc, self.ascq)]
        if self.information is not None:
            parts.append("Info fld=0x%x" % self.information)
        if self.command_specific:
            parts.append("Command specific=0x%x" % self.command_specific)
        if self.sense_key_specific is not None:
            parts.append("Sense key specific: %s" % self.sense_key_specific)
        if self.fru:
            parts.append("FRU=0x%x" % self.fru)
        flags = [n for n, v in (("FILEMARK", self.filemark), ("EOM", self.eom), ("ILI", self.ili),
                                ("SDAT_OVFL", self.sdat_ovfl)) if v]
        if flags:
            parts.append(" ".join(flags))
        parts.extend(str(d) for d in self.descriptors if not isinstance(d, _FOLDED))
        if self.problems:
            parts.append("problems: %s" % ", ".join(self.problems))
        return "; ".join(parts)


def _fixed(raw: bytes, response_code: int, problems: List[str]) -> Sense:
    n = len(raw)
    if n < 3:
        problems.append("fixed format sense is %d bytes, the sense key is in byte 2" % n)
    b2 = raw[2] if n > 2 else 0
    info = None
    if n >= 7:
        if raw[0] & 0x80:
            info = int.from_bytes(raw[3:7], "big")
    elif raw[0] & 0x80:
        problems.append("VALID is set but the information field is cut off")
    end = n
    if n >= 8:
        end = 8 + raw[7]
        if end > n:
            problems.append("additional sense length %d needs %d bytes, the buffer has %d" % (raw[7], end, n))
            end = n
    body = raw[:end]
    if len(body) < 14:
        problems.append("fixed format sense ends at byte %d, before ASC/ASCQ (bytes 12-13)" % len(body))
    key = b2 & 0xF
    return Sense(
        response_code=response_code, format="fixed", deferred=response_code == 0x71,
        sense_key=SenseKey(key), asc=body[12] if len(body) > 12 else 0,
        ascq=body[13] if len(body) > 13 else 0, information=info,
        command_specific=int.from_bytes(body[8:12], "big") if len(body) >= 12 else None,
        sense_key_specific=decode_sense_key_specific(key, body[15:18]),
        fru=body[14] if len(body) > 14 else None,
        filemark=bool(b2 & 0x80), eom=bool(b2 & 0x40), ili=bool(b2 & 0x20), sdat_ovfl=bool(b2 & 0x10),
        additional_sense_bytes=bytes(body[18:]), problems=tuple(problems), raw=raw)


def _descriptor(raw: bytes, response_code: int, problems: List[str], depth: int) -> Sense:
    n = len(raw)
    if n < 8:
        problems.append("descriptor format sense is %d bytes, the header is 8" % n)
    key = raw[1] & 0xF if n > 1 else 0
    descriptors: Tuple[Descriptor, ...] = ()
    if n > 8:
        end = 8 + raw[7]
        if end > n:
            problems.append("additional sense length %d needs %d bytes, the buffer has %d" % (raw[7], end, n))
            end = n

        def nested(data: bytes) -> Optional[Sense]:
            return _decode(data, depth + 1) if depth < _MAX_NESTING else None

        descriptors, found = decode_descriptors(raw[8:end], key, nested)
        problems.extend(found)
    info = command_specific = fru = None
    sks: Optional[SenseKeySpecific] = None
    filemark = eom = ili = False
    for d in descriptors:
        # SPC-5 allows one descriptor of each type; if a device repeats one, the first wins.
        if isinstance(d, InformationDescriptor) and info is None and d.valid:
            info = d.information
        elif isinstance(d, CommandSpecificDescriptor) and command_specific is None:
            command_specific = d.command_specific_information
        elif isinstance(d, SenseKeySpecificDescriptor) and sks is None:
            sks = d.sense_key_specific
        elif isinstance(d, FieldReplaceableUnitDescriptor) and fru is None:
            fru = d.field_replaceable_unit_code
        elif isinstance(d, StreamCommandsDescriptor):
            filemark, eom, ili = filemark or d.filemark, eom or d.eom, ili or d.ili
        elif isinstance(d, BlockCommandsDescriptor):
            ili = ili or d.ili
        elif isinstance(d, DirectAccessBlockDeviceDescriptor):
            if info is None and d.valid:
                info = d.information
            if command_specific is None:
                command_specific = d.command_specific_information
            if sks is None:
                sks = d.sense_key_specific
            if fru is None:
                fru = d.field_replaceable_unit_code
            ili = ili or d.ili
    return Sense(
        response_code=response_code, format="descriptor", deferred=response_code == 0x73,
        sense_key=SenseKey(key), asc=raw[2] if n > 2 else 0, ascq=raw[3] if n > 3 else 0,
        information=info, command_specific=command_specific, sense_key_specific=sks, fru=fru,
        filemark=filemark, eom=eom, ili=ili, sdat_ovfl=bool(raw[4] & 0x80) if n > 4 else False,
        descriptors=descriptors, problems=tuple(problems), raw=raw)


def _decode(raw: bytes, depth: int) -> Sense:
    raw = bytes(raw)
    if not raw:
        return Sense(response_code=0, format="fixed", deferred=False, sense_key=SenseKey.NO_SENSE,
                     asc=0, ascq=0, problems=("sense buffer is empty",), raw=raw)
    problems: List[str] = []
    response_code = raw[0] & 0x7F
    if response_code in (0x72, 0x73):
        # Byte 0 bit 7 is reserved in descriptor format; VALID lives in the 00h descriptor.
        if raw[0] & 0x80:
            problems.append("reserved bit 7 of byte 0 is set")
        return _descriptor(raw, response_code, problems, depth)
    if response_code not in (0x70, 0x71):
        # 7Fh is vendor specific; anything else is not sense data SPC-5 defines.
        # Fixed format is the older and commoner layout, so that is the best guess.
        problems.append("response code 0x%02x is not 70h-73h" % response_code)
    return _fixed(raw, response_code, problems)


def decode_sense(raw: bytes) -> Sense:
    """Decode sense data as a device returned it; never raises.

    :param raw: the sense buffer, cut to the length the transport reported
        (``sb_len_wr`` for sg); trailing bytes past the additional sense length are ignored
    :returns: a :class:`Sense`; ``problems`` lists whatever was malformed
    :raises UsageError: ``raw`` is not bytes-like (an int, a str, None): a usage error, not
        malformed sense data.
    """
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        raise UsageError(f"decode_sense() takes the sense bytes (bytes, bytearray or memoryview), "
                         f"not {type(raw).__name__}; for hex text use bytes.fromhex()")
    try:
        return _decode(raw, 0)
    except Exception as exc:  # a decoder bug must not turn a device error into a crash
        return Sense(response_code=0, format="fixed", deferred=False, sense_key=SenseKey.NO_SENSE,
                     asc=0, ascq=0, problems=("sense decoder failed: %r" % (exc,),),
                     raw=bytes(raw) if isinstance(raw, (bytes, bytearray, memoryview)) else b"")
