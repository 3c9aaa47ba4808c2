"""``zones``: REPORT ZONES (sg_rep_zones) and the zone actions OPEN, CLOSE, FINISH,
SEQUENTIALIZE and RESET WRITE POINTER (sg_zone, sg_reset_wp), and sg_zone's REMOVE ELEMENT
AND MODIFY ZONES (``--remove --element EID``). An action changes what the zone holds (FINISH
and RESET lose data, removing an element takes its zones offline), so actions keep the
mounted-device safety of ``write``, and removing an element asks first unless ``--yes``.
An action that succeeds prints nothing, as its sg3_utils counterpart (``--json`` says
what was done)."""
from __future__ import annotations

import argparse
import sys
from typing import Any

from ..command import (CloseZone, FinishZone, OpenZone, RemoveElementAndModifyZones, ReportZones,
                       ResetWritePointer, SequentializeZone)
from ..decode.zones import decode_report_zones
from ..errors import UsageError
from .base import Subcommand
from .device import add_device, add_readonly, open_channel, parse_int
from .output import print_json
from .response import add_response_options, emit_undecoded
from .safety import add_safety, confirm, guard_medium

__all__ = ["ZONES", "zones_lines"]

_ACTIONS = (("open", OpenZone), ("close", CloseZone), ("finish", FinishZone), ("reset", ResetWritePointer),
            ("sequentialize", SequentializeZone), ("remove", RemoveElementAndModifyZones))


def zones_lines(record: Any, number: int = 0, wp_only: bool = False) -> list[str]:
    """REPORT ZONES data in sg_rep_zones's layout; ``number`` limits the zones shown,
    ``wp_only`` prints just each zone's write pointer (sg_rep_zones --wp)."""
    zones = record.zone_descriptors[:number] if number else record.zone_descriptors
    if wp_only:
        return [f"0x{z.write_pointer_lba:x}" for z in zones]
    lines = ["Report zones response:", f"  Same={record.same}: {record.same_name}",
             f"  Maximum LBA: 0x{record.maximum_lba or 0:x}"]
    if record.zone_starting_lba_granularity:
        lines.append(f"  Zone starting LBA granularity: 0x{record.zone_starting_lba_granularity:x}")
    for n, z in enumerate(zones):
        lines += ["", f" Zone descriptor: {n}",
                  f"   Zone type: {z.zone_type_name}", f"   Zone condition: {z.zone_condition_name}",
                  f"   Non_seq: {int(z.non_seq)}", f"   Reset: {int(z.reset)}",
                  f"   Zone Length: 0x{z.zone_length:x}", f"   Zone start LBA: 0x{z.zone_start_lba:x}",
                  f"   Write pointer LBA: 0x{z.write_pointer_lba:x}"]
    return lines


def _run(args: argparse.Namespace) -> int:
    chosen = [(name, cls) for name, cls in _ACTIONS if getattr(args, name)]
    if len(chosen) > 1:
        raise UsageError("give one zone action: --open, --close, --finish, --reset, --sequentialize or --remove")
    if args.element is not None and not args.remove:
        raise UsageError("--element names the element --remove takes out; it goes with --remove only")
    if chosen and chosen[0][0] == "remove":
        return _remove(args)
    if chosen:
        return _act(args, *chosen[0])
    if args.all or args.zone is not None or args.count:
        raise UsageError("--all, --zone and --count go with a zone action (--open, --close, --finish, --reset)")
    with open_channel(args) as channel:
        data = channel.execute(ReportZones(zone_start_lba=args.start, allocation_length=args.maxlen or 8192,
                                           partial=args.partial, reporting_options=args.report)).data
    record = decode_report_zones(data)
    if emit_undecoded(args, data):
        return 0
    if args.json:
        print_json(record)
    else:
        print("\n".join(zones_lines(record, args.num, args.wp)))
    return 0


def _act(args: argparse.Namespace, name: str, cls: type) -> int:
    if args.all and args.zone is not None:
        raise UsageError("--all acts on every zone; it takes no --zone")
    zone = args.zone or 0
    guard_medium(args, cls.NAME)
    if args.all and name in ("finish", "reset"):
        confirm(args, f"{cls.NAME} on every zone of {args.device}?")
    with open_channel(args) as channel:
        channel.execute(cls(zone_id=zone, zone_count=args.count, all=args.all))
    if args.json:
        print_json({"device": args.device, "command": cls.NAME, "zone_id": zone, "all": args.all, "done": True})
    return 0


def _remove(args: argparse.Namespace) -> int:
    """REMOVE ELEMENT AND MODIFY ZONES of --element EID (sg_zone --remove)."""
    if args.all or args.zone is not None or args.count:
        raise UsageError("--remove takes --element EID, not --all, --zone or --count")
    element = args.element or 0
    if not 0 <= element <= 0xFFFFFFFF:
        raise UsageError(f"--element is a 32-bit element identifier, got {element}")
    if element == 0:
        # As sg_zone: 0 is not an element identifier, but the device is the judge.
        print("Warning: element identifier 0 is invalid (give --element EID)", file=sys.stderr)
    command = RemoveElementAndModifyZones(element_identifier=element)
    guard_medium(args, command.NAME)
    confirm(args, f"{command.NAME} takes element {element} of {args.device} and its zones offline: go ahead?")
    with open_channel(args) as channel:
        channel.execute(command)
    if args.json:
        print_json({"device": args.device, "command": command.NAME, "element_identifier": element, "done": True})
    return 0


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-s", "--start", type=parse_int, default=0, metavar="LBA", help="report from this LBA")
    parser.add_argument("-m", "--maxlen", type=parse_int, default=0, metavar="LEN",
                        help="allocation length (default 0: 8192)")
    parser.add_argument("-n", "--num", type=parse_int, default=0, metavar="NUM", help="zones to show (0: all)")
    parser.add_argument("-p", "--partial", action="store_true", help="set PARTIAL")
    parser.add_argument("-o", "--report", type=parse_int, default=0, metavar="OPT",
                        help="reporting options (0 all, 1 empty, 2 implicitly open, 3 explicitly open, "
                             "4 closed, 5 full, 0x3f not write pointer)")
    parser.add_argument("-w", "--wp", action="store_true", help="print the write pointers only")
    add_readonly(parser, "-R")
    actions = parser.add_argument_group("zone actions (sg_zone)")
    actions.add_argument("--open", action="store_true", help="OPEN ZONE")
    actions.add_argument("-c", "--close", action="store_true", help="CLOSE ZONE")
    actions.add_argument("-f", "--finish", action="store_true", help="FINISH ZONE")
    actions.add_argument("--reset", action="store_true", help="RESET WRITE POINTER")
    actions.add_argument("-S", "--sequentialize", action="store_true", help="SEQUENTIALIZE ZONE (ZBC-2)")
    actions.add_argument("--remove", action="store_true",  # -r is sg_rep_zones --raw here
                         help="REMOVE ELEMENT AND MODIFY ZONES of --element (ZBC-2; asks first unless --yes)")
    actions.add_argument("-e", "--element", type=parse_int, metavar="EID", help="element identifier, with --remove")
    actions.add_argument("-a", "--all", action="store_true", help="the ALL bit: every zone")
    actions.add_argument("-z", "--zone", type=parse_int, metavar="ID", help="zone start LBA (default 0)")
    actions.add_argument("-C", "--count", type=parse_int, default=0, metavar="ZC", help="zone count")
    add_safety(parser)
    parser.add_argument("-q", "--quick", dest="yes", action="store_true", help="same as --yes (sg_zone's name)")
    add_response_options(parser, "the REPORT ZONES response")


ZONES = Subcommand(
    name="zones", help="REPORT ZONES, and OPEN/CLOSE/FINISH/RESET zones (sg_rep_zones, sg_zone)",
    add_arguments=_arguments, run=_run,
)
