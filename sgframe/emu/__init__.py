"""An in-process emulated SCSI disk: SPC-5/SBC-4 (and ZBC) answers, no hardware."""
from __future__ import annotations

from sgframe.emu.disk import EmulatedDisk, Fault
from sgframe.emu.reply import Reply, Request
from sgframe.emu.sense import Failure, StatusFailure, build_sense, field_pointer
from sgframe.emu.table import CommandSpec
from sgframe.emu.uri import KINDS, create, parse_emu_uri, register_kind

__all__ = [
    "CommandSpec",
    "EmulatedDisk",
    "Failure",
    "Fault",
    "KINDS",
    "Reply",
    "Request",
    "StatusFailure",
    "build_sense",
    "create",
    "field_pointer",
    "parse_emu_uri",
    "register_kind",
]
