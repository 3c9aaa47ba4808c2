"""What a subcommand is, and where the command line finds them.

A subcommand is a :class:`Subcommand` record: its name, one line of help, a function that
adds its options to an argparse parser, and a function that runs it and returns the exit
code. There is one way to add one: the plugin hook ``sgframe_register_subcommands``. The
built-in plugin registers sgframe's own as :class:`LazySubcommand` records (name and help
only), so the command line imports the module of the subcommand that runs and no other.
"""
from __future__ import annotations

import sys
from typing import Any, Optional

from ..plugin_types import LazySubcommand, Subcommand, SubcommandRegistry

__all__ = ["LazySubcommand", "Subcommand", "SubcommandRegistry", "load_subcommands", "warn"]


def load_subcommands(plugins: Optional[Any] = None) -> SubcommandRegistry:
    """Every subcommand the loaded plugins register (the built-in plugin's first).

    A plugin whose registration fails is left out and described in
    ``registry.problems``; one broken plugin does not take the command line down.

    :param plugins: the plugin manager (default: the process's).
    """
    if plugins is None:
        from ..plugins import manager

        plugins = manager()
    registry = SubcommandRegistry()
    plugins.register_subcommands(registry)
    return registry


def warn(message: str, subcommand: "str | None" = None) -> None:
    """One line on stderr, prefixed like every message of the command line: ``sgframe
    read: ...`` when a subcommand speaks, ``sgframe: ...`` otherwise."""
    print(f"sgframe {subcommand}: {message}" if subcommand else f"sgframe: {message}", file=sys.stderr)
