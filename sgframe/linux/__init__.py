"""The Linux layer: sg v3 and bsg v4 pass-through, device nodes in sysfs, device usage.

Each name imports its module on first use: an emulated device or an iSCSI session never
loads ctypes and the pass-through structures.
"""
from __future__ import annotations

from .._lazy import attach

__getattr__, __dir__ = attach(__name__, {
    "bsg": (".bsg", None),
    "sg": (".sg", None),
    "DeviceNodes": (".sysfs", "DeviceNodes"),
    "PERIPHERAL_TYPES": (".sysfs", "PERIPHERAL_TYPES"),
    "resolve": (".sysfs", "resolve"),
    "scan": (".sysfs", "scan"),
    "in_use": (".usage", "in_use"),
})

__all__ = ["bsg", "sg", "DeviceNodes", "PERIPHERAL_TYPES", "resolve", "scan", "in_use"]
