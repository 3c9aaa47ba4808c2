"""SCSI status codes (SAM-5 5.3) and the Linux host and driver bytes that the sg v3
header (``sg_io_hdr``) reports beside them.

The enumerations of the host and driver bytes (:class:`HostStatus`, :class:`DriverStatus`,
:class:`DriverSuggest`) and their texts live in :mod:`sgframe.host_status`, imported the
first time they are named here: a run whose commands all succeed never needs them, and
making an enumeration of 20-odd members is a measurable part of a command-line start.

``status`` is the byte the device returned. The v3 header also carries
``masked_status``, which is ``(status >> 1) & 0x7f``, a left-over of the SCSI-2
era Linux constants (CHECK_CONDITION was 1); use ``status``.

The driver byte is a 4-bit code with "suggestions" in the top nibble. Since Linux 5.14
the midlayer no longer keeps a driver byte; sg and bsg synthesize ``DRIVER_SENSE``
when sense data came back, and that is not a failure by itself: the status (CHECK
CONDITION or not) says whether the command failed.
"""
from __future__ import annotations

import enum

from ._lazy import attach

__all__ = [
    "ScsiStatus", "HostStatus", "DriverStatus", "DriverSuggest", "masked_status",
    "status_from_masked", "status_text", "host_status_text", "driver_status_text",
    "driver_code", "driver_suggest", "is_good_status",
]


class ScsiStatus(enum.IntEnum):
    """The STATUS byte; ``str()`` gives the T10 name, e.g. ``CHECK CONDITION``."""

    GOOD = 0x00
    CHECK_CONDITION = 0x02
    CONDITION_MET = 0x04
    BUSY = 0x08
    INTERMEDIATE = 0x10                  # obsolete since SAM-4 (linked commands)
    INTERMEDIATE_CONDITION_MET = 0x14    # obsolete since SAM-4
    RESERVATION_CONFLICT = 0x18
    COMMAND_TERMINATED = 0x22            # obsolete since SAM-2
    TASK_SET_FULL = 0x28
    ACA_ACTIVE = 0x30
    TASK_ABORTED = 0x40

    def __str__(self) -> str:
        if self is ScsiStatus.INTERMEDIATE_CONDITION_MET:
            return "INTERMEDIATE-CONDITION MET"
        return self.name.replace("_", " ")


# Statuses after which the command did what it was asked (SAM-5 5.3.1).
_GOOD_STATUSES = frozenset((ScsiStatus.GOOD, ScsiStatus.CONDITION_MET, ScsiStatus.INTERMEDIATE,
                            ScsiStatus.INTERMEDIATE_CONDITION_MET))


def is_good_status(status: int) -> bool:
    """True for GOOD, CONDITION MET and the obsolete INTERMEDIATE statuses."""
    return status in _GOOD_STATUSES


def masked_status(status: int) -> int:
    """The sg v3 ``masked_status`` for a status byte."""
    return (status >> 1) & 0x7F


def status_from_masked(masked: int) -> int:
    """The status byte back from an sg ``masked_status`` (bit 0 is lost; it is reserved)."""
    return (masked & 0x7F) << 1


def status_text(status: int) -> str:
    """``CHECK CONDITION`` for 02h; ``status 0x2e (reserved)`` for values SAM-5 leaves unassigned."""
    try:
        return str(ScsiStatus(status))
    except ValueError:
        return "status 0x%02x (reserved)" % status


def driver_code(driver_status: int) -> int:
    """The ``DRIVER_*`` part of a driver byte."""
    return driver_status & 0x0F


def driver_suggest(driver_status: int) -> int:
    """The ``SUGGEST_*`` part of a driver byte."""
    return driver_status & 0xF0


__getattr__, __dir__ = attach(__name__, {
    name: ("sgframe.host_status", name)
    for name in ("HostStatus", "DriverStatus", "DriverSuggest", "host_status_text", "driver_status_text")
})
