"""sg3_utils' response options, shared by the subcommands that mirror its tools: ``-H/--hex``
(the response as a hex dump) and ``-r/--raw`` (the response's bytes on stdout, for a pipe
or ``--inhex`` of another tool), beside ``--json``."""
from __future__ import annotations

import argparse
import sys

import re
from typing import Optional

from ..errors import UsageError
from .device import DEVICE_HELP, add_output
from .exitcodes import FILE_ERROR, CliError, os_error_code
from .output import hexdump

__all__ = ["add_response_options", "emit_undecoded", "add_inhex", "read_inhex"]


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


def add_inhex(parser: argparse.ArgumentParser) -> None:
    """The device made optional, and sg3_utils' ``--inhex FILE``: decode a response saved
    as hex (``#`` comments; spaces, commas or line ends between bytes), or as bytes with
    ``--raw``, instead of asking a device.  Call it instead of ``add_device``."""
    parser.add_argument("device", metavar="DEVICE", nargs="?", help=DEVICE_HELP + " (not with --inhex)")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="per-command timeout, passed to the kernel (default 60)")
    parser.add_argument("--inhex", metavar="FILE", help="decode a response saved in FILE (hex; '-' is stdin) "
                                                        "instead of asking a device")


def read_inhex(args: argparse.Namespace) -> Optional[bytes]:
    """The response --inhex names (None without --inhex).

    :raises UsageError: neither a device nor --inhex, or both.
    :raises CliError: the file cannot be read (50 + errno, as sg3_utils) or is not hex (15).
    """
    if args.inhex is None:
        if args.device is None:
            raise UsageError("give a DEVICE, or --inhex FILE to decode a saved response")
        return None
    if args.device is not None:
        raise UsageError("give a DEVICE or --inhex FILE, not both")
    binary = getattr(args, "raw", False)
    try:
        if args.inhex == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(args.inhex, "rb") as f:
                raw = f.read()
    except OSError as exc:
        # sg3_utils' read_hex failing to open or read the file: 50 + errno (sg_inq, sg_vpd,
        # sg_get_lba_status, sg_read_buffer --inhex=/missing exit 52).
        raise CliError(f"--inhex {args.inhex}: {exc.strerror or exc}", os_error_code(exc.errno or 0)) from None
    if binary:
        args.raw = False  # sg3_utils: with --inhex, -r says how the file is written, not the output
        return raw
    words = [w for w in re.split(r"[\s,]+", re.sub(r"#.*", "", raw.decode("latin-1"))) if w]
    if not all(re.fullmatch(r"[0-9a-fA-F]{1,2}", w) for w in words):
        raise CliError(f"--inhex {args.inhex}: not hex bytes (give --raw for a binary file)", FILE_ERROR)
    return bytes(int(w, 16) for w in words)
