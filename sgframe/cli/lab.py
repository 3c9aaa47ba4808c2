"""``lab``: serve emulated devices to the kernel through TCMU (root, LIO loaded).

``sgframe lab serve emu:disk "emu:enclosure?slots=12"`` creates a TCMU backstore per
device, exports them as LUNs of a tcm_loop target, prints each one's /dev/sgN and serves
until SIGINT or SIGTERM; then it removes everything it created.  ``sgframe lab cleanup``
removes what a killed server left behind (``serve`` does that first by itself).

Faults on cue from another process: ``sgframe lab --control /tmp/lab.sock serve emu:disk``
listens on that Unix socket, and ``sgframe lab --control /tmp/lab.sock fault medium_error
lba=1000 count=2`` (or any program speaking :mod:`sgframe.lab.control`'s one-line JSON)
sets a fault on the running server; ``fault clear`` withdraws them, ``fault status`` counts.
"""
from __future__ import annotations

import argparse
import atexit
import json
import os
import signal
import sys

from .base import Subcommand

__all__ = ["LAB"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    # One positional list: argparse cannot take options between a choice and a list.
    parser.add_argument("words", metavar="serve URI... | cleanup | fault NAME [FIELD=VALUE...]", nargs="+",
                        help="serve the emulated devices (emu:disk, emu:enclosure?slots=12 ...), remove the "
                             "leftovers of a server that was killed, or set a fault on a running server "
                             "(medium_error lba=N count=N, unit_attention asc=N ascq=N, busy, task_set_full, "
                             "check_condition key=N asc=N ascq=N, delay seconds=S, drop, clear, status; "
                             "opcode=N count=N device=N where they apply)")
    parser.add_argument("--iscsi", metavar="ADDRESS:PORT",
                        help="serve: also export the devices on an LIO iSCSI target on this portal "
                             "(iscsi_target_mod loaded), e.g. 127.0.0.1:3261")
    parser.add_argument("--control", metavar="SOCKET",
                        help="serve: listen for faults on this Unix socket; fault: the server's socket")
    parser.add_argument("--cmd-time-out", type=int, default=None, metavar="SECONDS",
                        help="seconds before the kernel fails a command the handler has not answered (kernel default 30)")
    parser.add_argument("--ready", metavar="FILE",
                        help="write the served devices as JSON to FILE once they are all usable")
    parser.add_argument("--json", action="store_true", default=False, help="print the served devices as JSON")


def _terminate(signum: int, frame: object) -> None:
    # SystemExit unwinds through the finally below: the clean-up runs on SIGTERM too.
    raise SystemExit(128 + signum)


def _run(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..lab import Lab, remove_leftovers

    action, uris = args.words[0], args.words[1:]
    if action not in ("serve", "cleanup", "fault"):
        raise UsageError(f"lab: unknown action {action!r}; use 'serve URI...', 'cleanup' or 'fault NAME ...'")
    if action == "fault":
        return _fault(args, uris)
    if action == "cleanup" and uris:
        raise UsageError("lab cleanup takes no URI")
    if action == "serve" and not uris:
        raise UsageError("lab serve needs at least one emu: URI, e.g. sgframe lab serve emu:disk")
    problems = remove_leftovers()
    for problem in problems:
        print(f"sgframe lab: could not remove {problem}", file=sys.stderr)
    if action == "cleanup":
        return 1 if problems else 0
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, _terminate)
    lab = Lab(uris, cmd_time_out=args.cmd_time_out, control=args.control, iscsi=args.iscsi)
    atexit.register(lab.close)
    try:
        luns = lab.start()
        records = [lun.to_dict() for lun in luns]
        if args.json:
            print(json.dumps(records, indent=2), flush=True)
        else:
            for lun in luns:
                block = f" {lun.block}" if lun.block else ""
                iscsi = f" {lun.iscsi}" if lun.iscsi else ""
                print(f"{lun.uri}: {lun.sg}{block}{iscsi} [{lun.hctl}] ({lun.uio})", flush=True)
        if args.ready:
            temporary = f"{args.ready}.tmp"
            with open(temporary, "w") as f:
                json.dump({"pid": os.getpid(), "devices": records, "control": args.control}, f)
            os.replace(temporary, args.ready)
        while True:
            signal.pause()
    finally:
        lab.close()


def _value(word: str) -> object:
    for parse in (lambda text: int(text, 0), float):
        try:
            return parse(word)
        except ValueError:
            continue
    return word


def _fault(args: argparse.Namespace, words: list) -> int:
    from ..errors import UsageError
    from ..lab.control import FAULTS, request

    if not args.control:
        raise UsageError("lab fault needs --control SOCKET, the socket the server was started with")
    if not words or words[0] not in FAULTS:
        raise UsageError(f"lab fault NAME [FIELD=VALUE...]: NAME is one of {', '.join(sorted(FAULTS))}")
    fields = {}
    for word in words[1:]:
        name, sep, value = word.partition("=")
        if not sep or not name:
            raise UsageError(f"lab fault: {word!r} is not FIELD=VALUE (lba=1000, opcode=0x28, seconds=2.5)")
        fields[name] = _value(value)
    reply = request(args.control, words[0], **fields)
    print(json.dumps(reply) if args.json or len(reply) > 1 else "ok")
    return 0


LAB = Subcommand(
    name="lab", help="serve emulated devices to the kernel through TCMU (a real /dev/sgN)", add_arguments=_arguments,
    run=_run,
    description="Serve sgframe's emulated devices (emu: URIs) through the kernel's TCMU (target_core_user) as "
                "LUNs of a tcm_loop target, so that every tool sees a real /dev/sgN and /dev/sdX. Needs root and "
                "the target_core_user, tcm_loop and uio modules.",
)
