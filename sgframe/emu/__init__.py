"""An in-process emulated SCSI disk: SPC-5/SBC-4 (and ZBC) answers, no hardware.

Names are imported when first used: a plugin that only registers an emulated kind (and
the URI converters of :mod:`sgframe.emu.uri`) does not build the disk's command table.
"""
from __future__ import annotations

from .._lazy import attach

# name -> module under sgframe.emu
_WHERE = {
    "CommandSpec": "table",
    "EmulatedDisk": "disk",
    "Failure": "sense",
    "Fault": "disk",
    "KINDS": "uri",
    "Reply": "reply",
    "Request": "reply",
    "StatusFailure": "sense",
    "build_sense": "sense",
    "create": "uri",
    "field_pointer": "sense",
    "parse_emu_uri": "uri",
    "register_kind": "uri",
}

__all__ = sorted(_WHERE)


__getattr__, __dir__ = attach(__name__, {name: ("." + module, name) for name, module in _WHERE.items()})
