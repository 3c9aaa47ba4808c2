"""``tur``, ``requests`` and ``reset``: the state of a logical unit."""
from __future__ import annotations

import argparse
import sys
import time

from ..command import TestUnitReady
from .. import command
from ..errors import TaskFailed, UsageError
from .base import Subcommand, warn
from .device import add_device, add_output, open_channel
from .exitcodes import exit_code_for
from .output import hexdump, print_json

__all__ = ["TUR", "REQUESTS", "RESET"]


def _run_tur(args: argparse.Namespace) -> int:
    if args.number < 1:
        raise UsageError(f"--number is at least 1, got {args.number}")
    failures = 0
    last: TaskFailed | None = None
    started = time.monotonic()
    with open_channel(args) as channel:
        for _ in range(args.number):
            try:
                channel.execute(TestUnitReady())
            except TaskFailed as exc:
                failures += 1
                last = exc
    seconds = time.monotonic() - started
    code = exit_code_for(last) if last is not None else 0
    if args.json:
        print_json({"ready": last is None, "commands": args.number, "failures": failures,
                    "seconds": round(seconds, 6), "error": None if last is None else str(last),
                    "exit_code": code})
        return code
    if args.number > 1:
        print(f"{args.number} TEST UNIT READY commands in {seconds:.3f} s, {failures} failed")
    if last is not None:
        warn(str(last), getattr(args, "subcommand", None))
    elif args.number == 1:
        print("ready")
    return code


def _tur_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-n", "--number", type=int, default=1, metavar="N", help="send N commands (default 1)")
    add_output(parser)


TUR = Subcommand(
    name="tur", help="TEST UNIT READY: is the device ready?", add_arguments=_tur_arguments, run=_run_tur,
    description="Send TEST UNIT READY; the exit code says why a device is not ready (2, 6 ...).",
)


def _progress(sense) -> float | None:
    from ..sense.sks import ProgressIndication

    sks = sense.sense_key_specific
    return sks.percent if isinstance(sks, ProgressIndication) else None


def _run_requests(args: argparse.Namespace) -> int:
    # Imported here, not at the top: ``sgframe tur`` shares this module and sees no sense
    # data when the device is ready.
    from ..sense import decode_sense
    from ..sense.sks import progress_percent_text

    if args.number < 1:
        raise UsageError(f"--number is at least 1, got {args.number}")
    results = []
    with open_channel(args) as channel:
        count = 0
        while True:
            raw = channel.execute(command.RequestSense(desc=args.desc, allocation_length=252)).data
            sense = decode_sense(raw)
            count += 1
            percent = _progress(sense)
            if args.json:
                from .decoders import sense_json  # only when there is sense to show

                results.append(sense_json(sense))
            elif args.progress:
                if percent is None:
                    print("no progress indication: the operation is complete (or none is running)")
                else:
                    print(f"progress indication: {progress_percent_text(sense.sense_key_specific.progress_indication)} done")
                    sys.stdout.flush()
            elif args.hex:
                hexdump(raw)
            elif not raw:
                print("no sense data")
            else:
                from .decoders import sense_lines

                print("\n".join(sense_lines(sense)))
            if args.progress:
                if percent is None or count >= args.number:
                    break
                time.sleep(args.interval)
            elif count >= args.number:
                break
    if args.json:
        print_json(results[0] if len(results) == 1 else results)
    return 0


def _requests_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-d", "--desc", action="store_true", help="ask for descriptor format sense")
    parser.add_argument("-p", "--progress", action="store_true",
                        help="report the progress indication (FORMAT, SANITIZE ...), polling until "
                             "it is gone or --number polls were made")
    parser.add_argument("-n", "--number", type=int, default=None, metavar="N",
                        help="send N commands (default 1; with --progress, poll at most N times, default 1000)")
    parser.add_argument("--interval", type=float, default=2.0, metavar="SECONDS",
                        help="with --progress: time between polls (default 2)")
    add_output(parser, hex_help="print the sense bytes as a hex dump")


def _run_requests_defaulted(args: argparse.Namespace) -> int:
    if args.number is None:
        args.number = 1000 if args.progress else 1
    return _run_requests(args)


REQUESTS = Subcommand(
    name="requests", help="REQUEST SENSE, with progress indication", add_arguments=_requests_arguments,
    run=_run_requests_defaulted,
    description="Send REQUEST SENSE and decode the sense data; --progress follows a long operation.",
)


def _run_reset(args: argparse.Namespace) -> int:
    with open_channel(args) as channel:
        if getattr(channel.transport, "reset", None) is None and hasattr(getattr(channel.transport, "device", None), "reset"):
            # The emulated disk knows only a logical unit reset, whatever the kind.
            channel.transport.device.reset()
        else:
            channel.reset(args.kind)
    if args.json:
        print_json({"device": args.device, "kind": args.kind, "done": True})
    else:
        print(f"{args.kind} reset done")
    return 0


def _reset_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-k", "--kind", choices=("device", "target", "bus", "host"), default="device",
                        help="what to reset (default: device, a logical unit reset)")
    add_output(parser)


RESET = Subcommand(
    name="reset", help="reset the device, target, bus or host (SG_SCSI_RESET)",
    add_arguments=_reset_arguments, run=_run_reset,
    description="Reset through SG_SCSI_RESET; the next command to the device gets a UNIT ATTENTION.",
)
