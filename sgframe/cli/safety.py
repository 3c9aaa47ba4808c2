"""Safe by default: commands that change the medium leave a device in use alone.

Writing through sg bypasses the block layer, so nothing in the kernel stops a write to a
disk that holds a mounted filesystem, active swap, or an LVM/MD/device-mapper member.
Before such a command the command line asks :func:`sgframe.linux.usage.in_use` and
refuses unless ``--force``; before a whole-device operation it asks the user unless
``--yes`` (and with nobody to ask, it refuses).
"""
from __future__ import annotations

import argparse
import sys

from ..errors import UsageError
from ..linux.sysfs import resolve
from ..linux.usage import in_use
from .base import warn
from .device import is_uri
from .exitcodes import FILE_ERROR, SYNTAX_ERROR, CliError

__all__ = ["add_safety", "guard_medium", "confirm"]


def add_safety(parser: argparse.ArgumentParser, *, whole_device: bool = True) -> None:
    parser.add_argument("--force", action="store_true",
                        help="modify the device even if it backs a mounted filesystem, swap "
                             "or another block device")
    if whole_device:
        parser.add_argument("-y", "--yes", action="store_true",
                            help="do not ask before a whole-device operation")


def reasons_in_use(device: str) -> list[str]:
    """Why modifying ``device`` would hurt the running system; [] when nothing says so.

    Emulated and other URI devices are never backed by a block device here.
    """
    if is_uri(device):
        return []
    try:
        nodes = resolve(device)
    except UsageError:
        return []  # opening it will fail with the reason
    return in_use(nodes)


def guard_medium(args: argparse.Namespace, what: str) -> None:
    """Refuse (exit 15) to run ``what`` on a device in use, unless ``--force``.

    :raises CliError: the device is in use and ``--force`` was not given.
    """
    reasons = reasons_in_use(args.device)
    if not reasons:
        return
    if getattr(args, "force", False):
        warn(f"{args.device} is in use ({'; '.join(reasons)}); going ahead with {what} (--force)",
             getattr(args, "subcommand", None))
        return
    raise CliError(f"refusing {what} on {args.device}: {'; '.join(reasons)} (give --force to do it anyway)",
                   FILE_ERROR)


def confirm(args: argparse.Namespace, question: str) -> None:
    """Ask ``question`` on the terminal unless ``--yes``; refuse without a terminal.

    :raises CliError: the user said no (exit 0 would hide that nothing happened: 1), or
        there is no terminal to ask and ``--yes`` was not given (1).
    """
    if getattr(args, "yes", False):
        return
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise CliError(f"{question} There is no terminal to ask: give --yes to go ahead", SYNTAX_ERROR)
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise CliError("not confirmed; nothing was done", SYNTAX_ERROR)
