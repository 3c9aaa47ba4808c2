"""``scan``: every SCSI device the kernel knows, from sysfs (like ``lsscsi -g``); or, given
an iSCSI portal, its targets and their LUNs (like ``iscsi-ls -s``)."""
from __future__ import annotations

import argparse

from ..linux.sysfs import scan
from ..errors import UsageError
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
    if args.portal is not None:
        return _scan_iscsi(args)
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


def _scan_iscsi(args: argparse.Namespace) -> int:
    from .iscsi_scan import scan_portal

    if not args.portal.lower().startswith("iscsi://"):
        raise UsageError(f"scan takes an iSCSI portal (iscsi://host[:port]), not {args.portal!r}; "
                         "without one it lists the kernel's devices")
    targets = scan_portal(args.portal, timeout=args.timeout)
    if args.json:
        print_json(targets)
        return 0
    if not targets:
        print(f"{args.portal}: the portal reports no targets")
        return 0
    print_table(("target", "portal", "LUN", "type", "vendor", "model", "rev"), (
        (t["target"], ",".join(t["addresses"]), lun["lun"], lun["type_name"], lun["vendor"], lun["model"], lun["rev"])
        for t in targets for lun in (t["luns"] or [{"lun": None, "type_name": None, "vendor": None,
                                                    "model": None, "rev": None}])))
    return 0


def _scan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("portal", nargs="?", metavar="ISCSI_PORTAL",
                        help="an iSCSI portal, iscsi://[user%%password@]host[:port]: list its targets "
                             "(SendTargets) and each target's LUNs (REPORT LUNS, INQUIRY)")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                        help="iSCSI only: seconds to wait for the portal and each answer (default 10)")
    parser.add_argument("--root", default="/", help=argparse.SUPPRESS)  # a fake sysfs tree, for tests
    add_output(parser)


SCAN = Subcommand(
    name="scan", help="list SCSI devices and their sg, block and bsg nodes", add_arguments=_scan_arguments,
    run=_run_scan, description="List every SCSI device from sysfs: H:C:T:L, type, identity, nodes, size; "
    "or, given iscsi://host[:port], the portal's targets and their LUNs.",
)
