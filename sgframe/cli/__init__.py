"""The ``sgframe`` command line: subcommands found through entry points, JSON output,
sg3_utils' exit codes, and safety checks before anything that changes the medium."""
from __future__ import annotations

from .app import build_parser, main
from .base import ENTRY_POINT_GROUP, Subcommand, SubcommandRegistry, load_subcommands, register_provider
from .exitcodes import exit_code_for

__all__ = [
    "ENTRY_POINT_GROUP", "Subcommand", "SubcommandRegistry", "build_parser", "exit_code_for",
    "load_subcommands", "main", "register_provider",
]
