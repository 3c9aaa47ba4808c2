"""sg3_utils' response options, shared by the subcommands that mirror its tools: ``-H/--hex``
(the response as a hex dump) and ``-r/--raw`` (the response's bytes on stdout, for a pipe
or ``--inhex`` of another tool), beside ``--json``."""
from __future__ import annotations

import argparse
import sys

from ..errors import UsageError
from .device import add_output
from .output import hexdump

__all__ = ["add_response_options", "emit_undecoded"]


def add_response_options(parser: argparse.ArgumentParser, what: str, *, raw: bool = True) -> None:
    """``--json``, ``-H/--hex`` and (unless ``raw=False``, where ``-r`` means something else
    in the sg3_utils tool) ``-r/--raw`` for a subcommand whose device answers ``what``."""
    add_output(parser)
    parser.add_argument("-H", "--hex", action="store_true", help=f"print {what} as a hex dump")
    if raw:
        parser.add_argument("-r", "--raw", action="store_true", help=f"write {what} to stdout as bytes")


def emit_undecoded(args: argparse.Namespace, data: bytes) -> bool:
    """Print ``data`` as --raw or --hex asked; False when neither was (decode it then).

    :raises UsageError: --raw together with --json (one stdout, two formats).
    """
    if getattr(args, "raw", False):
        if getattr(args, "json", False):
            raise UsageError("--raw writes the bytes to stdout; it cannot also carry --json")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return True
    if getattr(args, "hex", False) and not getattr(args, "json", False):
        hexdump(data)
        return True
    return False
