"""Sense keys (SPC-5 table 49, "Sense key descriptions")."""
from __future__ import annotations

import enum

__all__ = ["SenseKey"]


class SenseKey(enum.IntEnum):
    """The 4-bit sense key; ``str()`` gives the T10 name, e.g. ``ILLEGAL REQUEST``."""

    NO_SENSE = 0x0
    RECOVERED_ERROR = 0x1
    NOT_READY = 0x2
    MEDIUM_ERROR = 0x3
    HARDWARE_ERROR = 0x4
    ILLEGAL_REQUEST = 0x5
    UNIT_ATTENTION = 0x6
    DATA_PROTECT = 0x7
    BLANK_CHECK = 0x8
    VENDOR_SPECIFIC = 0x9
    COPY_ABORTED = 0xA
    ABORTED_COMMAND = 0xB
    # 0Ch was EQUAL (SEARCH DATA) in SCSI-2; SPC-3 onwards leave it reserved.
    RESERVED_0C = 0xC
    VOLUME_OVERFLOW = 0xD
    MISCOMPARE = 0xE
    # SPC-5 assigns 0Fh to COMPLETED: the command completed, with sense data to report.
    COMPLETED = 0xF

    def __str__(self) -> str:
        if self is SenseKey.RESERVED_0C:
            return "RESERVED (0Ch)"
        return self.name.replace("_", " ")

    @property
    def text(self) -> str:
        """The T10 name, the same as ``str(key)``."""
        return str(self)
