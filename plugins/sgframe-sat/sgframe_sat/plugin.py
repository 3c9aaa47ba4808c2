"""The SAT plugin's hook implementations (entry point ``sat`` of group ``sgframe``).

It binds to no vendor: a SATL can sit in front of any drive (an HBA, a USB bridge, the
kernel's libata), so its commands are on every channel's ``cmd``.
"""
from __future__ import annotations

from typing import Any, Optional

from sgframe import hookimpl
from sgframe.plugin_types import LazySubcommand

# Everything else is imported inside the hooks that need it: every sgframe start loads
# this module (the command line starts once per device in a shell loop), most never
# emulate a SATA drive, send ATA PASS-THROUGH or see ATA sense data.

#: The plugin's commands as index rows (module, class, T10 name, opcode, service action):
#: sgframe imports sgframe_sat.commands when one of them is first looked up. The plugin's
#: tests hold these rows to the classes.
COMMAND_ROWS = (
    ("commands", "AtaPassThrough12", "ATA PASS-THROUGH(12)", 0xA1, None),
    ("commands", "AtaPassThrough16", "ATA PASS-THROUGH(16)", 0x85, None),
)


@hookimpl
def sgframe_register_commands(registry: Any) -> None:
    registry.add_indexed("sgframe_sat", COMMAND_ROWS)


#: The plugin's subcommands, named and not imported (the command line imports the one that runs).
SUBCOMMANDS = (
    ("sat-identify", "sgframe_sat.cli:SAT_IDENTIFY", "ATA IDENTIFY DEVICE through SAT (sg_sat_identify)"),
    ("smart", "sgframe_sat.cli:SMART", "SMART health, attributes and thresholds through SAT (like smartctl -a)"),
)


@hookimpl
def sgframe_register_subcommands(registry: Any) -> None:
    for name, target, help_line in SUBCOMMANDS:
        registry.add(LazySubcommand(name, help_line, target))


@hookimpl
def sgframe_interpret_sense(sense: Any, device: Any) -> Optional[Any]:
    from .interpret import interpret_sat_sense

    return interpret_sat_sense(sense)


@hookimpl
def sgframe_register_emu_kinds(kinds: Any) -> None:
    from .emu_params import SATA_PARAMETERS

    kinds.add("sata", _make_sata, SATA_PARAMETERS)


def _make_sata(**parameters: Any) -> Any:
    from .emu import make_sata

    return make_sata(**parameters)


@hookimpl
def sgframe_emulate_commands(disk: Any, kind: str) -> None:
    if getattr(disk, "ata", None) is None:
        return  # not a SATA drive: nothing of this plugin's to import
    from .emu import install_sat, sata_drive_of

    drive = sata_drive_of(disk)
    if drive is not None:
        install_sat(disk, drive)
