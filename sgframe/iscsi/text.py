"""Text segments: ``key=value`` pairs, each ended by a NUL (RFC 7143 6.1).

Login and Text PDUs carry them. Order matters (SendTargets answers repeat TargetName
and TargetAddress), so a segment decodes to a list of pairs, not a dict. A segment can
be split over several PDUs (the C bit); the session joins the pieces before decoding.

Binary values (CHAP challenges and responses) are written ``0x`` + hex or ``0b`` +
base64 (RFC 7143 6.1, "binary-value").
"""
from __future__ import annotations

import base64
import binascii
from typing import Iterable, List, Tuple

from .errors import RemoteProtocolError

__all__ = ["decode_binary", "decode_text", "encode_binary", "encode_text"]

#: RFC 7143 6.1: a key name is at most 63 bytes.
MAX_KEY = 63


def encode_text(pairs: Iterable[Tuple[str, str]]) -> bytes:
    """``key=value\\0`` for each pair, in order."""
    out = []
    for key, value in pairs:
        if not key or "=" in key or "\0" in key or len(key) > MAX_KEY:
            raise ValueError("bad text key %r: 1 to 63 characters, no '=' or NUL" % key)
        if "\0" in value:
            raise ValueError("the value of %s contains a NUL" % key)
        out.append(("%s=%s\0" % (key, value)).encode("utf-8"))
    return b"".join(out)


def decode_text(data: bytes) -> List[Tuple[str, str]]:
    """The pairs of a whole text segment (padding NULs after the last pair ignored)."""
    pairs = []
    for item in bytes(data).split(b"\0"):
        if not item:
            continue
        key, sep, value = item.partition(b"=")
        if not sep or not key:
            raise RemoteProtocolError("malformed text key=value pair %r" % item[:80])
        try:
            pairs.append((key.decode("utf-8"), value.decode("utf-8")))
        except UnicodeDecodeError:
            raise RemoteProtocolError("text pair %r is not UTF-8" % item[:80]) from None
    return pairs


def encode_binary(value: bytes) -> str:
    return "0x" + value.hex()


def decode_binary(text: str) -> bytes:
    """A binary-value: ``0x``/``0X`` hex or ``0b``/``0B`` base64."""
    prefix, body = text[:2].lower(), text[2:]
    try:
        if prefix == "0x":
            if len(body) % 2:
                body = "0" + body  # RFC 7143 6.1 allows an odd number of hex digits
            return bytes.fromhex(body)
        if prefix == "0b":
            return base64.b64decode(body, validate=True)
    except (ValueError, binascii.Error):
        pass
    raise RemoteProtocolError("%r is not a binary value (0x hex or 0b base64)" % text[:80])
