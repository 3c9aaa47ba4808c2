"""``start`` and ``sync``: START STOP UNIT (sg_start) and SYNCHRONIZE CACHE (sg_sync).

Like their sg3_utils counterparts they print nothing when the device says GOOD (``--json``
prints what was sent). Stopping, ejecting or changing the power condition of a disk the host
is using takes its filesystem away, so those keep the mounted-device safety; starting and
flushing do not need it.
"""
from __future__ import annotations

import argparse

from ..command import StartStopUnit, SynchronizeCache10, SynchronizeCache16
from ..errors import UsageError
from .base import Subcommand
from .device import add_device, add_output, add_readonly, open_channel, parse_int
from .output import print_json, to_jsonable
from .safety import add_safety, guard_medium

__all__ = ["START", "SYNC", "start_command"]


def _positional_words(args: argparse.Namespace) -> None:
    """sg_start's bare ``0`` (stop) and ``1`` (start), before or after DEVICE, as both its
    interfaces take them: the one word that is neither is the device."""
    words = [args.device, *getattr(args, "words", [])]
    devices = [w for w in words if w not in ("0", "1")]
    if len(devices) != 1:
        raise UsageError(f"give one DEVICE (besides 0 and 1); got {', '.join(devices) or 'none'}")
    args.device = devices[0]
    for word in words:
        if word == "0":
            args.stop = True
        elif word == "1":
            args.start = True
    args.words = []


def start_command(args: argparse.Namespace) -> StartStopUnit:
    """The START STOP UNIT sg_start sends for these options (START=1 when none is given).

    ``--fl=FL`` is MMC's format layer: the same CDB bits SBC calls POWER CONDITION
    MODIFIER (byte 3 bits 1-0: FORMAT LAYER NUMBER) and NO_FLUSH (byte 4 bit 2: FL), with
    LOEJ and START set, as sg_start sends it.
    """
    if getattr(args, "words", None) or getattr(args, "device", None) in ("0", "1"):
        _positional_words(args)
    imm, fl = getattr(args, "imm", None), getattr(args, "fl", None)
    if imm is not None:
        if imm not in (0, 1):
            raise UsageError(f"--imm is 0 or 1, got {imm}")
        args.immed = args.immed or bool(imm)
    if fl is not None:
        if not 0 <= fl <= 3:
            raise UsageError(f"--fl (format layer) is 0..3, got {fl}")
        if args.stop or args.eject:
            raise UsageError("--fl=FL loads and starts: it excludes --stop and --eject")
        if args.pc:
            raise UsageError("--fl=FL excludes a non-zero --pc")
        return StartStopUnit(immed=args.immed, power_condition_modifier=fl, no_flush=True, loej=True,
                             start=True)
    words = [w for w in ("start", "stop", "eject", "load") if getattr(args, w)]
    if len(words) > 1:
        raise UsageError(f"--{words[0]} and --{words[1]} exclude each other")
    if args.pc and words:
        raise UsageError(f"--pc sets a power condition; it excludes --{words[0]}")
    if not 0 <= args.pc <= 0xF:
        raise UsageError(f"--pc is 0..15, got {args.pc}")
    if not 0 <= args.mod <= 0xF:
        raise UsageError(f"--mod is 0..15, got {args.mod}")
    # START=1 when asked, and by default: but not with a power condition, and not with
    # LOEJ alone, which sg_start sends as an eject.
    start = bool(args.start or args.load or (not words and not args.pc and not args.loej))
    loej = bool(args.eject or args.load or args.loej)
    return StartStopUnit(immed=args.immed, power_condition_modifier=args.mod, power_condition=args.pc,
                         no_flush=args.noflush, loej=loej, start=start)


def _run_start(args: argparse.Namespace) -> int:
    command = start_command(args)
    if not command.start or command.power_condition:
        guard_medium(args, "START STOP UNIT (stop, eject or power condition)")
    with open_channel(args) as channel:
        channel.execute(command)
    if args.json:
        print_json({"device": args.device, "cdb": bytes(command).hex(), **{k: v for k, v in to_jsonable(command).items()
                    if k in ("immed", "power_condition", "power_condition_modifier", "no_flush", "loej", "start")}})
    return 0


def _start_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-s", "--start", action="store_true", help="start the unit (the default)")
    parser.add_argument("-S", "--stop", action="store_true", help="stop the unit (spin down)")
    parser.add_argument("-e", "--eject", action="store_true", help="stop, then eject the medium")
    parser.add_argument("-l", "--load", action="store_true", help="load the medium, then start")
    parser.add_argument("-L", "--loej", action="store_true", help="the LOEJ bit alone (eject unless --start)")
    parser.add_argument("-i", "--immed", action="store_true", help="return before the action completes")
    parser.add_argument("-p", "--pc", type=parse_int, default=0, metavar="PC",
                        help="power condition: 1 active, 2 idle, 3 standby (0: none)")
    parser.add_argument("-m", "--mod", type=parse_int, default=0, metavar="PC_MOD", help="power condition modifier")
    parser.add_argument("-n", "--noflush", action="store_true", help="NO_FLUSH: no cache flush first")
    parser.add_argument("-f", "--fl", type=parse_int, metavar="FL",
                        help="MMC format layer 0..3: FL=1, FORMAT LAYER NUMBER=FL, LOEJ and START set")
    parser.add_argument("-O", "--old", action="store_true",
                        help="sg_start's old interface: its spellings (bare 0 or 1, --imm=0|1) are taken "
                             "either way, so this only documents the command line")
    parser.add_argument("--new", "-N", dest="new", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--imm", type=parse_int, metavar="0|1", help="old interface: 1 is --immed")
    parser.add_argument("words", nargs="*", metavar="0|1", help="0 stops, 1 starts (as sg_start takes them)")
    add_readonly(parser, "-r")
    add_safety(parser, whole_device=False)
    add_output(parser)


START = Subcommand(
    name="start", help="START STOP UNIT: start, stop, eject, load, power condition (sg_start)",
    add_arguments=_start_arguments, run=_run_start,
)


def _run_sync(args: argparse.Namespace) -> int:
    if args.lba < 0 or args.count < 0:
        raise UsageError("--lba and --count are 0 or more")
    sixteen = args.use16 or args.lba > 0xFFFFFFFF or args.count > 0xFFFF
    if sixteen:
        command = SynchronizeCache16(immed=args.immed, lba=args.lba, number_of_logical_blocks=args.count,
                                     group_number=args.group, sync_nv=args.sync_nv)
    else:
        command = SynchronizeCache10(immed=args.immed, lba=args.lba, number_of_logical_blocks=args.count,
                                     group_number=args.group, sync_nv=args.sync_nv)
    with open_channel(args) as channel:
        channel.execute(command)
    if args.json:
        print_json({"device": args.device, "command": command.NAME, "lba": args.lba, "count": args.count,
                    "immed": args.immed, "cdb": bytes(command).hex()})
    return 0


def _sync_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-S", "--16", dest="use16", action="store_true", help="SYNCHRONIZE CACHE(16)")
    parser.add_argument("-c", "--count", type=parse_int, default=0, help="blocks (0: to the end)")
    parser.add_argument("-g", "--group", type=parse_int, default=0, metavar="GN", help="group number")
    parser.add_argument("-i", "--immed", action="store_true", help="return before the flush completes")
    parser.add_argument("-l", "--lba", type=parse_int, default=0, help="first LBA (default 0)")
    parser.add_argument("-s", "--sync-nv", "--sync_nv", dest="sync_nv", action="store_true",
                        help="set the SYNC_NV bit (byte 1 bit 2): SBC-2's 'to non-volatile cache'; obsolete "
                             "since SBC-3, so a current device ignores it or rejects the CDB")
    add_output(parser)


SYNC = Subcommand(
    name="sync", help="SYNCHRONIZE CACHE: flush the write cache (sg_sync)",
    add_arguments=_sync_arguments, run=_run_sync,
)
