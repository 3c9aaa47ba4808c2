"""``python -m sgframe.testbed``: boot the test bed around a command, or say whether it can."""
from __future__ import annotations

import argparse
import signal
import sys
from typing import List, Optional, Sequence

from sgframe.errors import UsageError
from sgframe.testbed.plan import DEFAULT_MEM, DEFAULT_SCSI_DEBUG, DEFAULT_TIMEOUT
from sgframe.testbed.runner import available, run

__all__ = ["build_parser", "parse_args", "main"]

_EPILOG = """\
examples:
  python -m sgframe.testbed run -- sg_inq /dev/sg0
  python -m sgframe.testbed run --lio 2 -- python -m pytest tests/integration
  python -m sgframe.testbed run --lab emu:disk --lab "emu:enclosure?slots=12" -- lsscsi
  python -m sgframe.testbed run --scsi-debug "dev_size_mb=64 num_tgts=1 max_luns=1 delay=0" -- sh

Inside, SGFRAME_TESTBED=1 and SGFRAME_TESTBED_MANIFEST names a JSON description of every
SCSI device. Without user-mode-linux the command runs on the host with
SGFRAME_TESTBED=unavailable and SGFRAME_TESTBED_REASON saying how to install it.
Exit status: the command's; 124 when the guest was killed at the timeout; 125 when the
guest failed before reporting the command's status.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sgframe.testbed",
        description="A real Linux SCSI stack (sg, scsi_debug, LIO) in a User-Mode Linux guest.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="action", required=True)
    runp = sub.add_parser(
        "run",
        help="boot the guest and run COMMAND inside",
        usage="python -m sgframe.testbed run [options] -- COMMAND...",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    runp.add_argument(
        "--scsi-debug",
        metavar="PARAMS",
        default=DEFAULT_SCSI_DEBUG,
        help=f"scsi_debug module parameters (default: {DEFAULT_SCSI_DEBUG!r})",
    )
    runp.add_argument(
        "--no-scsi-debug", action="store_true", help="do not load scsi_debug at all"
    )
    runp.add_argument(
        "--lio", metavar="N", type=int, default=0, help="add N LIO fileio disks (default 0)"
    )
    runp.add_argument(
        "--lab",
        metavar="URI",
        action="append",
        default=[],
        help="serve this emulated device through TCMU (sgframe lab serve); repeatable",
    )
    runp.add_argument(
        "--lio-iscsi", action="store_true",
        help="export LIO disk0 on an iSCSI portal on the guest's 127.0.0.1:3260 too (CHAP, digests)",
    )
    runp.add_argument(
        "--mem", default=DEFAULT_MEM, help=f"guest memory (default {DEFAULT_MEM})"
    )
    runp.add_argument(
        "--timeout",
        metavar="S",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"kill the guest after S seconds (default {DEFAULT_TIMEOUT:g})",
    )
    runp.add_argument(
        "-v", "--verbose", action="store_true", help="show the guest console (kernel messages)"
    )
    runp.add_argument("command", nargs=argparse.REMAINDER, help="the command to run")
    sub.add_parser("check", help="say whether the test bed can boot here (exit 0) or why not (1)")
    return parser


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the arguments; everything after the first ``--`` is the command, verbatim."""
    argv = list(argv)
    command: Optional[List[str]] = None
    if "--" in argv:
        cut = argv.index("--")
        argv, command = argv[:cut], argv[cut + 1:]
    parser = build_parser()
    ns = parser.parse_args(argv)
    if ns.action == "run":
        if command is not None:
            if ns.command:
                parser.error(f"unexpected arguments before '--': {' '.join(ns.command)}")
            ns.command = command
        if not ns.command:
            parser.error("run needs a command: python -m sgframe.testbed run [options] -- COMMAND...")
        if ns.no_scsi_debug:
            ns.scsi_debug = None
    return ns


def main(argv: Optional[Sequence[str]] = None) -> int:
    ns = parse_args(sys.argv[1:] if argv is None else argv)
    if ns.action == "check":
        ok, reason = available()
        print("the test bed can boot here" if ok else f"the test bed cannot boot here: {reason}")
        return 0 if ok else 1
    ok, reason = available()
    if not ok:
        print(
            f"sgframe.testbed: {reason}; running the command on the host with "
            "SGFRAME_TESTBED=unavailable",
            file=sys.stderr,
            flush=True,
        )
    # A SIGTERM (tox, CI timeouts) must still kill the guest: turn it into SystemExit so
    # run()'s cleanup kills the guest's process group and removes the boot's files.
    signal.signal(signal.SIGTERM, _terminate)
    try:
        result = run(
            ns.command,
            scsi_debug=ns.scsi_debug,
            lio=ns.lio,
            lab=tuple(ns.lab),
            lio_iscsi=ns.lio_iscsi,
            mem=ns.mem,
            timeout=ns.timeout,
            verbose=ns.verbose,
        )
    except UsageError as exc:
        print(f"sgframe.testbed: {exc}", file=sys.stderr)
        return 2
    return result.returncode


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)
