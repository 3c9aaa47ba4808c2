"""``commands`` and ``plugins``: what this sgframe knows."""
from __future__ import annotations

import argparse
from .._compat import entry_points

from ..command import REGISTRY
from .base import Subcommand, load_subcommands
from .device import add_output
from .output import print_json, print_table, to_jsonable

__all__ = ["COMMANDS", "PLUGINS", "PLUGIN_GROUP"]

#: The entry-point group of sgframe plugins (issue 5).
PLUGIN_GROUP = "sgframe"


def _run_commands(args: argparse.Namespace) -> int:
    from ..plugins import manager

    plugins = manager()
    rows = [(plugins.describe(cls)[0], cls, plugin) for cls, plugin in plugins.every_command()]
    if args.modifying:
        rows = [row for row in rows if row[0].modifies_medium]
    rows.sort(key=lambda r: (r[0].opcode, -1 if r[0].service_action is None else r[0].service_action, r[2]))
    if args.json:
        print_json([dict(to_jsonable(i), module=cls.__module__, plugin=plugin) for i, cls, plugin in rows])
        return 0
    print_table(("opcode", "SA", "name", "class", "CDB", "data", "modifies", "plugin"), (
        (f"{i.opcode:02x}", None if i.service_action is None else f"{i.service_action:x}", i.name,
         i.class_name, i.cdb_length, i.direction_text, "yes" if i.modifies_medium else "", plugin)
        for i, _, plugin in rows))
    return 0


def _commands_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-m", "--modifying", action="store_true", help="only commands that modify the medium")
    add_output(parser)


COMMANDS = Subcommand(
    name="commands", help="every registered SCSI command (plugins' included)",
    add_arguments=_commands_arguments, run=_run_commands,
)


def _plugin_entry_points() -> list[dict]:
    return [{"name": ep.name, "value": ep.value, "distribution": getattr(getattr(ep, "dist", None), "name", None)}
            for ep in sorted(entry_points(group=PLUGIN_GROUP), key=lambda e: e.name)]


def _loaded_plugins() -> list[dict]:
    from ..plugins import manager

    return [{"name": i.name, "origin": i.origin, "state": i.state,
             "binding": None if i.binding is None else [{"vendor": m.vendor, "product": m.product} for m in i.binding],
             "commands": [cls.__name__ for cls in i.commands] if i.name != "builtin" else len(i.commands),
             "schemes": list(i.schemes), "emu_kinds": list(i.kinds), "problems": list(i.problems)}
            for i in manager()]


def _manager():
    from ..plugins import manager

    return manager()


def _run_plugins(args: argparse.Namespace) -> int:
    subcommands = load_subcommands()
    modules = sorted({cls.__module__ for cls in REGISTRY})
    report = {
        "plugins": _plugin_entry_points(),
        "loaded": _loaded_plugins(),
        "subcommands": [{"name": s.name, "origin": s.origin, "help": s.help} for s in subcommands],
        "subcommand_problems": list(subcommands.problems),
        "environment_problems": list(_manager().environment_problems),
        "commands": {"count": len(REGISTRY), "modules": modules},
    }
    if args.json:
        print_json(report)
        return 0
    print(f"plugins (entry-point group {PLUGIN_GROUP!r}):")
    for problem in report["environment_problems"]:
        print(f"  problem: {problem}")
    for p in report["loaded"]:
        bound = "every device" if p["binding"] is None else ", ".join(
            f"vendor {m['vendor']} product {m['product']}" for m in p["binding"])
        print(f"  {p['name']:<10} {p['state']:<8} {p['origin']}" + (f"; binds to {bound}" if p["state"] == "loaded" else ""))
        for problem in p["problems"]:
            print(f"    problem: {problem}")
    print("subcommands (registered by the plugins' sgframe_register_subcommands hook):")
    for s in subcommands:
        print(f"  {s.name:<13} {s.origin}")
    for problem in subcommands.problems:
        print(f"  failed: {problem}")
    print(f"commands: {len(REGISTRY)} registered, from {', '.join(modules)}")
    return 0


def _plugins_arguments(parser: argparse.ArgumentParser) -> None:
    add_output(parser)


PLUGINS = Subcommand(
    name="plugins", help="what is loaded: plugins, subcommands, command modules",
    add_arguments=_plugins_arguments, run=_run_plugins,
)
