"""Options every device subcommand shares, and opening the device they name."""
from __future__ import annotations

import argparse
import errno
import os

from ..channel import Channel
from ..errors import DeviceOpenError, UsageError, WrongNodeType, for_errno
from ..transport.opening import split_scheme
from .exitcodes import READ_ONLY_OPENERS

__all__ = ["DEVICE_HELP", "add_device", "add_output", "add_readonly", "open_channel", "is_uri", "parse_int"]

DEVICE_HELP = ("the device: /dev/sgN, /dev/sdX, /dev/bsg/H:C:T:L, H:C:T:L or a transport URI "
               "such as emu:disk")

def is_uri(device: str) -> bool:
    """True for ``emu:disk`` and other scheme URIs; False for paths and H:C:T:L."""
    return split_scheme(device) is not None


def parse_int(text: str) -> int:
    """Decimal, 0x-prefixed hex, or hex with an ``h`` suffix as sg3_utils accepts (``80h``).

    Every number an option takes is an unsigned SCSI field (an LBA, a count, a length, a
    code), so a negative one is refused here, where the option is still named, rather
    than by the CDB field it would land in.
    """
    t = text.strip().lower()
    try:
        value = int(t[:-1], 16) if t.endswith("h") and len(t) > 1 else int(t, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (decimal, 0x1f or 1fh)") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative: give 0 or more")
    return value


def add_output(parser: argparse.ArgumentParser, *, hex_help: str | None = None) -> None:
    """``--json`` (every subcommand) and, where raw bytes exist, ``--hex``."""
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print JSON (field names are the T10 names of the decoded records)")
    if hex_help is not None:
        parser.add_argument("--hex", action="store_true", help=hex_help)


def add_device(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("device", metavar="DEVICE", help=DEVICE_HELP)
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="per-command timeout, passed to the kernel (default 60)")


def add_readonly(parser: argparse.ArgumentParser, *flags: str) -> None:
    """sg3_utils' ``--readonly`` (``-R`` in most tools, ``-r`` in sg_start): open the
    node O_RDONLY. ``flags`` are the short spellings the counterpart uses."""
    parser.add_argument(*flags, "--readonly", action="store_true",
                        help="open DEVICE read-only (default: read-write)")


def open_channel(args: argparse.Namespace) -> Channel:
    """Open ``args.device``; a device that cannot be opened raises :class:`DeviceOpenError`
    with the errno sg3_utils' tool would have met (its exit code is 50 + errno)."""
    timeout = getattr(args, "timeout", 60.0)
    if not 0 < timeout <= 0xFFFFFFFF / 1000:
        raise UsageError(f"--timeout is in seconds, more than 0 and at most 4294967; got {timeout}")
    try:
        read_only = bool(getattr(args, "readonly", False))
        return Channel.open(args.device, timeout=int(timeout * 1000), read_only=read_only)
    except DeviceOpenError:
        raise
    except UsageError as exc:
        if is_uri(args.device):
            raise  # a malformed URI is a syntax error
        raise _not_scsi(args, str(exc)) from None


def _not_scsi(args: argparse.Namespace, why: str) -> DeviceOpenError:
    """A path sysfs does not lead to a SCSI device (a directory, a file, /dev/null), as the
    sg3_utils tool meets it: its open fails (a directory opened O_RDWR: EISDIR), or the
    open succeeds and the first SG_IO fails with ENOTTY. Which errno is the exit code."""
    read_only = bool(getattr(args, "readonly", False)) or getattr(args, "subcommand", None) in READ_ONLY_OPENERS
    try:
        fd = os.open(args.device, (os.O_RDONLY if read_only else os.O_RDWR) | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        number = exc.errno or errno.EIO
        # The class for_errno picks (permission, missing node, ...), with sysfs' more precise why.
        return type(for_errno(exc, args.device))(number, f"{why} ({errno.errorcode.get(number, number)})", args.device)
    os.close(fd)
    return WrongNodeType(errno.ENOTTY, f"{why} (ENOTTY)", args.device)
