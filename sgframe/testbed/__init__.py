"""A real Linux SCSI stack for tests and benchmarks: User-Mode Linux with sg, scsi_debug and LIO.

On the host, :func:`run` boots the guest around a command; inside it,
:mod:`sgframe.testbed.guest` reads the device manifest and drives scsi_debug.
"""
from __future__ import annotations

from sgframe.testbed.plan import DEFAULT_MEM, DEFAULT_SCSI_DEBUG, DEFAULT_TIMEOUT
from sgframe.testbed.runner import (
    EXIT_GUEST_FAILED,
    EXIT_TIMEOUT,
    TestbedResult,
    available,
    run,
)

__all__ = [
    "DEFAULT_MEM",
    "DEFAULT_SCSI_DEBUG",
    "DEFAULT_TIMEOUT",
    "EXIT_GUEST_FAILED",
    "EXIT_TIMEOUT",
    "TestbedResult",
    "available",
    "run",
]
