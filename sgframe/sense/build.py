"""Building sense data, for emulated devices and tests (SPC-5 4.4.2 and 4.4.3)."""
from __future__ import annotations

from typing import Iterable, Optional, Union

from ..errors import UsageError
from .descriptors import Descriptor
from .sks import SenseKeySpecific

__all__ = ["build_fixed_sense", "build_descriptor_sense"]

_SksArg = Union[SenseKeySpecific, bytes, None]


def _byte(name: str, value: int, limit: int = 0xFF) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= limit:
        raise UsageError("%s must be an int in 0..%d, not %r" % (name, limit, value))
    return value


def _sks_bytes(sks: _SksArg) -> bytes:
    if sks is None:
        return b"\0\0\0"
    raw = bytes(sks)
    if len(raw) != 3:
        raise UsageError("sense_key_specific must be a sense key specific record or 3 bytes, "
                         "got %d bytes" % len(raw))
    return raw


def build_fixed_sense(sense_key: int, asc: int = 0, ascq: int = 0, information: Optional[int] = None, *,
                      deferred: bool = False, command_specific: int = 0, fru: int = 0,
                      sense_key_specific: _SksArg = None, filemark: bool = False, eom: bool = False,
                      ili: bool = False, sdat_ovfl: bool = False, additional: bytes = b"") -> bytes:
    """Fixed format sense data (response code 70h, or 71h when ``deferred``).

    :param sense_key: 0..15
    :param information: sets VALID and the 4-byte INFORMATION field; ``None`` leaves VALID
        clear. Values above FFFFFFFFh need descriptor format.
    :param sense_key_specific: a record from :mod:`sgframe.sense.sks` (sets SKSV) or 3 raw bytes
    :param additional: additional sense bytes after byte 17
    :returns: 18 bytes plus ``additional``, additional sense length filled in
    """
    _byte("sense_key", sense_key, 0xF)
    _byte("asc", asc)
    _byte("ascq", ascq)
    _byte("fru", fru)
    if information is not None and not (isinstance(information, int) and 0 <= information <= 0xFFFFFFFF):
        raise UsageError("information must fit the 4-byte fixed format field (0..0xFFFFFFFF), not %r; "
                         "use build_descriptor_sense for 8-byte values" % (information,))
    if not (isinstance(command_specific, int) and 0 <= command_specific <= 0xFFFFFFFF):
        raise UsageError("command_specific must be in 0..0xFFFFFFFF, not %r" % (command_specific,))
    extra = bytes(additional)
    if len(extra) > 244:
        raise UsageError("additional sense bytes can be at most 244 (a 252-byte buffer), got %d" % len(extra))
    b0 = (0x71 if deferred else 0x70) | (0x80 if information is not None else 0)
    b2 = sense_key | (0x80 if filemark else 0) | (0x40 if eom else 0) | (0x20 if ili else 0) | (
        0x10 if sdat_ovfl else 0)
    out = bytearray(18)
    out[0], out[2] = b0, b2
    out[3:7] = (information or 0).to_bytes(4, "big")
    out[7] = 10 + len(extra)
    out[8:12] = command_specific.to_bytes(4, "big")
    out[12], out[13], out[14] = asc, ascq, fru
    out[15:18] = _sks_bytes(sense_key_specific)
    return bytes(out) + extra


def build_descriptor_sense(sense_key: int, asc: int = 0, ascq: int = 0, information: Optional[int] = None,
                           *, deferred: bool = False, command_specific: Optional[int] = None,
                           sense_key_specific: _SksArg = None, fru: Optional[int] = None,
                           ili: Optional[bool] = None, sdat_ovfl: bool = False,
                           descriptors: Iterable[Union[Descriptor, bytes]] = ()) -> bytes:
    """Descriptor format sense data (response code 72h, or 73h when ``deferred``).

    Each of ``information`` (00h, VALID set), ``command_specific`` (01h),
    ``sense_key_specific`` (02h), ``fru`` (03h) and ``ili`` (05h, block commands) adds its
    descriptor when given; ``descriptors`` (records or raw descriptor bytes) follow.

    :raises UsageError: a value out of range, or more than 244 bytes of descriptors
    """
    _byte("sense_key", sense_key, 0xF)
    _byte("asc", asc)
    _byte("ascq", ascq)
    body = bytearray()
    if information is not None:
        if not (isinstance(information, int) and 0 <= information < 1 << 64):
            raise UsageError("information must be in 0..2**64-1, not %r" % (information,))
        body += bytes((0x00, 0x0A, 0x80, 0)) + information.to_bytes(8, "big")
    if command_specific is not None:
        if not (isinstance(command_specific, int) and 0 <= command_specific < 1 << 64):
            raise UsageError("command_specific must be in 0..2**64-1, not %r" % (command_specific,))
        body += bytes((0x01, 0x0A, 0, 0)) + command_specific.to_bytes(8, "big")
    if sense_key_specific is not None:
        body += bytes((0x02, 0x06, 0, 0)) + _sks_bytes(sense_key_specific) + b"\0"
    if fru is not None:
        body += bytes((0x03, 0x02, 0, _byte("fru", fru)))
    if ili is not None:
        body += bytes((0x05, 0x02, 0, 0x20 if ili else 0))
    for d in descriptors:
        body += bytes(d)
    if len(body) > 244:
        raise UsageError("descriptors total %d bytes; the additional sense length allows 244" % len(body))
    head = bytes((0x73 if deferred else 0x72, sense_key, asc, ascq, 0x80 if sdat_ovfl else 0, 0, 0, len(body)))
    return head + bytes(body)
