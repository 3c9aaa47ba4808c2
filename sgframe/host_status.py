"""The Linux host and driver bytes of the sg v3 header (``sg_io_hdr``), named.

Imported at the first failure that carries one (or the first use of these names through
:mod:`sgframe.status`); see that module for what the bytes mean.
"""
from __future__ import annotations

import enum

from .status import driver_code, driver_suggest

__all__ = ["HostStatus", "DriverStatus", "DriverSuggest", "host_status_text", "driver_status_text"]


class HostStatus(enum.IntEnum):
    """The Linux host byte (``DID_*``, include/scsi/scsi_status.h): what the host
    adapter driver or the transport says happened to the command."""

    DID_OK = 0x00
    DID_NO_CONNECT = 0x01
    DID_BUS_BUSY = 0x02
    DID_TIME_OUT = 0x03
    DID_BAD_TARGET = 0x04
    DID_ABORT = 0x05
    DID_PARITY = 0x06
    DID_ERROR = 0x07
    DID_RESET = 0x08
    DID_BAD_INTR = 0x09
    DID_PASSTHROUGH = 0x0A
    DID_SOFT_ERROR = 0x0B
    DID_IMM_RETRY = 0x0C
    DID_REQUEUE = 0x0D
    DID_TRANSPORT_DISRUPTED = 0x0E
    DID_TRANSPORT_FAILFAST = 0x0F
    # 10h-13h were removed in Linux 5.14 (kept out of use so old values stay unambiguous);
    # older kernels still report them.
    DID_TARGET_FAILURE = 0x10
    DID_NEXUS_FAILURE = 0x11
    DID_ALLOC_FAILURE = 0x12
    DID_MEDIUM_ERROR = 0x13
    DID_TRANSPORT_MARGINAL = 0x14

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        """What the code means, in plain words."""
        return _HOST_WORDS[self]


_HOST_WORDS = {
    HostStatus.DID_OK: "no error",
    HostStatus.DID_NO_CONNECT: "could not connect to the device",
    HostStatus.DID_BUS_BUSY: "the bus stayed busy",
    HostStatus.DID_TIME_OUT: "the command timed out",
    HostStatus.DID_BAD_TARGET: "the target is not there or not usable",
    HostStatus.DID_ABORT: "the command was aborted",
    HostStatus.DID_PARITY: "parity error on the bus",
    HostStatus.DID_ERROR: "internal error in the host adapter driver",
    HostStatus.DID_RESET: "the command was lost to a reset",
    HostStatus.DID_BAD_INTR: "unexpected interrupt",
    HostStatus.DID_PASSTHROUGH: "forced past the midlayer",
    HostStatus.DID_SOFT_ERROR: "the low level driver asks for a retry",
    HostStatus.DID_IMM_RETRY: "retry without counting it",
    HostStatus.DID_REQUEUE: "requeued without counting a retry",
    HostStatus.DID_TRANSPORT_DISRUPTED: "the transport was disrupted while the link recovers",
    HostStatus.DID_TRANSPORT_FAILFAST: "the transport failed the command fast",
    HostStatus.DID_TARGET_FAILURE: "permanent target failure, do not retry on other paths",
    HostStatus.DID_NEXUS_FAILURE: "permanent nexus failure, other paths may work",
    HostStatus.DID_ALLOC_FAILURE: "space allocation on the device failed",
    HostStatus.DID_MEDIUM_ERROR: "medium error",
    HostStatus.DID_TRANSPORT_MARGINAL: "the transport path is marginal",
}


def host_status_text(host_status: int) -> str:
    """``DID_TIME_OUT (the command timed out)``; unknown values as ``0x2a (unknown host status)``."""
    try:
        code = HostStatus(host_status)
    except ValueError:
        return "0x%02x (unknown host status)" % host_status
    return "%s (%s)" % (code.name, code.description)


class DriverStatus(enum.IntEnum):
    """The low nibble of the Linux driver byte (``DRIVER_*``)."""

    DRIVER_OK = 0x00
    DRIVER_BUSY = 0x01
    DRIVER_SOFT = 0x02
    DRIVER_MEDIA = 0x03
    DRIVER_ERROR = 0x04
    DRIVER_INVALID = 0x05
    DRIVER_TIMEOUT = 0x06
    DRIVER_HARD = 0x07
    DRIVER_SENSE = 0x08

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        return _DRIVER_WORDS[self]


_DRIVER_WORDS = {
    DriverStatus.DRIVER_OK: "no error",
    DriverStatus.DRIVER_BUSY: "the driver was busy",
    DriverStatus.DRIVER_SOFT: "soft error",
    DriverStatus.DRIVER_MEDIA: "media error",
    DriverStatus.DRIVER_ERROR: "driver error",
    DriverStatus.DRIVER_INVALID: "invalid request",
    DriverStatus.DRIVER_TIMEOUT: "the driver timed the command out",
    DriverStatus.DRIVER_HARD: "hard error",
    DriverStatus.DRIVER_SENSE: "sense data is available",
}


class DriverSuggest(enum.IntEnum):
    """The high nibble of the driver byte (old kernels' ``SUGGEST_*``)."""

    SUGGEST_OK = 0x00
    SUGGEST_RETRY = 0x10
    SUGGEST_ABORT = 0x20
    SUGGEST_REMAP = 0x30
    SUGGEST_DIE = 0x40
    SUGGEST_SENSE = 0x80

    def __str__(self) -> str:
        return self.name


def driver_status_text(driver_status: int) -> str:
    """E.g. ``DRIVER_TIMEOUT (the driver timed the command out)`` or
    ``DRIVER_ERROR|SUGGEST_RETRY (driver error)``."""
    code, suggest = driver_code(driver_status), driver_suggest(driver_status)
    try:
        code_enum = DriverStatus(code)
        name, words = code_enum.name, code_enum.description
    except ValueError:
        name, words = "0x%x" % code, "unknown driver status"
    if suggest:
        try:
            name += "|" + DriverSuggest(suggest).name
        except ValueError:
            name += "|suggest 0x%02x" % suggest
    return "%s (%s)" % (name, words)
