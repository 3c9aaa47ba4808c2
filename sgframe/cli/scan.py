"""``scan``: every SCSI device the kernel knows, from sysfs (like ``lsscsi -g``)."""
from __future__ import annotations

import argparse

from ..linux.sysfs import scan
from .base import Subcommand
from .device import add_output
from .output import print_json, print_table

__all__ = ["SCAN"]


def _size(size: int | None) -> str | None:
    if size is None:
        return None
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f}{unit}"
    return f"{size}B"


def _run_scan(args: argparse.Namespace) -> int:
    devices = scan(args.root)
    if args.json:
        print_json([{
            "hctl": d.hctl, "scsi_type": d.scsi_type, "type_name": d.type_name, "vendor": d.vendor,
            "model": d.model, "rev": d.rev, "sg": d.sg, "block": d.block, "bsg": d.bsg,
            "size_bytes": d.size_bytes,
        } for d in devices])
        return 0
    if not devices:
        print("no SCSI devices (is a SCSI driver loaded? for sg nodes: modprobe sg)")
        return 0
    print_table(("H:C:T:L", "type", "vendor", "model", "rev", "sg", "block", "bsg", "size"), (
        (f"[{d.hctl}]", d.type_name, d.vendor, d.model, d.rev, d.sg, d.block, d.bsg, _size(d.size_bytes))
        for d in devices))
    return 0


def _scan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", default="/", help=argparse.SUPPRESS)  # a fake sysfs tree, for tests
    add_output(parser)


SCAN = Subcommand(
    name="scan", help="list SCSI devices and their sg, block and bsg nodes", add_arguments=_scan_arguments,
    run=_run_scan, description="List every SCSI device from sysfs: H:C:T:L, type, identity, nodes, size.",
)
