"""IDENTIFY DEVICE data (ACS-4 7.13.7): 256 little-endian words.

Strings are stored two characters per word, the first in the high byte. Words that do
not hold what they should (a word 106 without its 01b validity pattern, a bad checksum)
are listed in ``problems``; decoding never raises on device data.
"""
from __future__ import annotations

from typing import Optional, Tuple

import attrs

__all__ = ["IdentifyDevice", "decode_identify_device", "ata_string"]


def _word(data: bytes, n: int) -> int:
    return data[2 * n] | data[2 * n + 1] << 8


def ata_string(data: bytes, first: int, last: int) -> str:
    """Words ``first``..``last`` as text, each word's bytes swapped, blanks stripped."""
    out = bytearray()
    for n in range(first, last + 1):
        out += bytes((data[2 * n + 1], data[2 * n]))
    return out.decode("ascii", "replace").strip(" \0")


# (word, bit, name): "supported" feature sets (words 82-84, 119, 169, 76).
_FEATURES = (
    (82, 0, "smart"), (82, 1, "security"), (82, 3, "power_management"), (82, 5, "volatile_write_cache"),
    (82, 6, "read_look_ahead"), (83, 10, "lba48"), (83, 12, "flush_cache"), (83, 13, "flush_cache_ext"),
    (84, 0, "smart_error_logging"), (84, 1, "smart_self_test"), (84, 5, "general_purpose_logging"),
    (76, 8, "ncq"), (169, 0, "trim"),
)
# Words 85-87 say which of the word 82-84 features are enabled.
_ENABLED = ((85, 0, "smart"), (85, 5, "volatile_write_cache"), (85, 6, "read_look_ahead"),
            (85, 1, "security"))


@attrs.frozen
class IdentifyDevice:
    """Decoded IDENTIFY DEVICE data.

    ``user_addressable_sectors`` is the 48-bit count (words 100-103) when the device
    supports 48-bit addressing, else the 28-bit one (words 60-61).
    """

    serial_number: str
    firmware_revision: str
    model_number: str
    lba_supported: bool
    user_addressable_sectors: int
    logical_sector_size: int
    physical_sector_size: int
    rotation_rate: Optional[int]
    features_supported: Tuple[str, ...]
    features_enabled: Tuple[str, ...]
    major_version: Tuple[str, ...]
    checksum_valid: Optional[bool]
    problems: Tuple[str, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=False)

    @property
    def capacity(self) -> int:
        """Bytes: user addressable sectors times the logical sector size."""
        return self.user_addressable_sectors * self.logical_sector_size

    @property
    def solid_state(self) -> bool:
        return self.rotation_rate == 1


# Word 80 bits (ACS-4): 5 ATA/ATAPI-5 ... 8 ATA8-ACS, 9 ACS-2, 10 ACS-3, 11 ACS-4, 12 ACS-5.
_MAJOR = ((5, "ATA/ATAPI-5"), (6, "ATA/ATAPI-6"), (7, "ATA/ATAPI-7"), (8, "ATA8-ACS"), (9, "ACS-2"),
          (10, "ACS-3"), (11, "ACS-4"), (12, "ACS-5"))


def decode_identify_device(data: bytes) -> IdentifyDevice:
    """Decode 512 bytes of IDENTIFY DEVICE data; shorter data is padded with zeros and
    reported in ``problems``."""
    data = bytes(data)
    problems = []
    if len(data) < 512:
        problems.append(f"IDENTIFY DEVICE data is {len(data)} bytes, not 512")
        data = data.ljust(512, b"\0")
    word = lambda n: _word(data, n)  # noqa: E731
    lba48 = bool(word(83) & 0x0400)
    sectors28 = word(60) | word(61) << 16
    sectors48 = word(100) | word(101) << 16 | word(102) << 32 | word(103) << 48
    logical = physical = 512
    w106 = word(106)
    if w106 & 0xC000 == 0x4000:
        if w106 & 0x1000:
            logical = 2 * (word(117) | word(118) << 16)
            if logical < 512:
                problems.append(f"words 117-118 give a logical sector of {logical} bytes")
                logical = 512
        if w106 & 0x2000:
            physical = logical << (w106 & 0x0F)
        else:
            physical = logical
    elif w106:
        problems.append(f"word 106 is 0x{w106:04x}, without its validity pattern 01b in bits 15-14")
    checksum: Optional[bool] = None
    if data[510] == 0xA5:
        checksum = sum(data) & 0xFF == 0
        if not checksum:
            problems.append("integrity word 255: checksum mismatch")
    rotation = word(217)
    major = word(80)
    return IdentifyDevice(
        serial_number=ata_string(data, 10, 19),
        firmware_revision=ata_string(data, 23, 26),
        model_number=ata_string(data, 27, 46),
        lba_supported=bool(word(49) & 0x0200),
        user_addressable_sectors=sectors48 if lba48 and sectors48 else sectors28,
        logical_sector_size=logical,
        physical_sector_size=physical,
        rotation_rate=rotation if rotation not in (0, 0xFFFF) else None,
        features_supported=tuple(name for w, bit, name in _FEATURES if word(w) >> bit & 1),
        features_enabled=tuple(name for w, bit, name in _ENABLED if word(w) >> bit & 1),
        major_version=() if major in (0, 0xFFFF) else tuple(n for bit, n in _MAJOR if major >> bit & 1),
        checksum_valid=checksum,
        problems=tuple(problems),
        raw=data,
    )
