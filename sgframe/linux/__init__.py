"""The Linux layer: sg v3 and bsg v4 pass-through, device nodes in sysfs, device usage."""
from __future__ import annotations

from . import bsg, sg
from .sysfs import PERIPHERAL_TYPES, DeviceNodes, resolve, scan
from .usage import in_use

__all__ = ["bsg", "sg", "DeviceNodes", "PERIPHERAL_TYPES", "resolve", "scan", "in_use"]
