"""The ``sgframe`` command line: subcommands registered by plugins, JSON output,
sg3_utils' exit codes, and safety checks before anything that changes the medium."""
from __future__ import annotations

from .app import build_parser, main
from .base import LazySubcommand, Subcommand, SubcommandRegistry, load_subcommands
from .exitcodes import exit_code_for

__all__ = [
    "LazySubcommand", "Subcommand", "SubcommandRegistry", "build_parser", "exit_code_for",
    "load_subcommands", "main",
]
