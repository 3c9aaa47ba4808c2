"""``format`` and ``sanitize``: whole-medium operations (sg_format, sg_sanitize).

Both destroy every block, so both refuse a device in use unless ``--force`` and ask before
they start unless ``--quick`` (sg3_utils' word for "no time to reconsider"; ``--yes`` is the
same). Both start the operation with IMMED set and follow it with REQUEST SENSE, whose
progress indication (SPC-5 4.4.2.4.4) draws the progress bar, unless ``--wait`` (the device
answers when it is done) or ``--early`` (return as soon as it started).
"""
from __future__ import annotations

import argparse
import struct
import time
from typing import Any, Optional, Tuple

from ..channel import Channel
from ..command import (FormatUnit, FormatWithPreset, Inquiry, ModeSelect6, ModeSelect10, ModeSense6, ModeSense10,
                       RequestSense, Sanitize, SanitizeServiceAction, TestUnitReady)
from ..errors import NotReady, UsageError
from ..sense import decode_sense
from ..sense.sks import ProgressIndication
from .base import Subcommand
from .device import add_device, add_output, open_channel, parse_int
from .exitcodes import FILE_ERROR, MALFORMED, CliError
from .media import capacity
from .output import print_json
from .progress import Progress
from .safety import add_safety, confirm, guard_medium

__all__ = ["FORMAT", "SANITIZE", "poll_progress", "format_header", "block_descriptor_with_length",
           "block_descriptor_with_length6", "sanitize_overwrite_parameters"]

_FULL = 65536


def _tur_sense(channel: Channel) -> Any:
    """TEST UNIT READY's answer as sense: None when GOOD, else the NOT READY sense (whose
    sense-key specific bytes carry the progress while a format runs)."""
    try:
        channel.execute(TestUnitReady())
    except NotReady as exc:
        return exc.sense
    return None


def poll_progress(channel: Channel, interval: float, *, show: bool, desc: bool = False,
                  tur: bool = False) -> int:
    """Poll REQUEST SENSE (or TEST UNIT READY with ``tur``, sg_format --poll=0) until it
    carries no progress indication; the number of polls.

    :param show: draw a progress bar on a terminal (stderr).
    :param desc: ask for descriptor format sense (REQUEST SENSE's DESC bit, sg_sanitize --desc).
    """
    bar = Progress(_FULL, enabled=None if show else False)
    polls = 0
    last = 0
    try:
        while True:
            if tur:
                sense = _tur_sense(channel)
                polls += 1
                if sense is None:
                    return polls
            else:
                sense = decode_sense(channel.execute(RequestSense(desc=desc, allocation_length=252)).data)
                polls += 1
            sks = sense.sense_key_specific
            if not isinstance(sks, ProgressIndication):
                return polls
            last = sks.progress_indication
            bar.update(last, force=True)
            time.sleep(interval)
    finally:
        bar.finish(_FULL if last else 0)


def format_header(*, immed: bool, fov: bool = False, dcrt: bool = False, ip: bool = False,
                  protection_field_usage: int = 0, protection_interval_exponent: Optional[int] = None,
                  security: bool = False) -> bytes:
    """The parameter list of FORMAT UNIT (SBC-4 5.3.2): the short header (PROTECTION FIELD
    USAGE, FOV, DCRT, IP, IMMED), or the long one when a PROTECTION INTERVAL EXPONENT is
    given (the CDB's LONGLIST must say so); with ``ip``, the initialization pattern
    descriptor of the default pattern (type 00h, no pattern bytes), SI set for
    ``security``; an empty defect list.

    :raises UsageError: ``protection_field_usage`` beyond 0..7, an exponent beyond 0..15.
    """
    if not 0 <= protection_field_usage <= 7:
        raise UsageError(f"protection field usage (--pfu) is 0..7, got {protection_field_usage}")
    flags = fov << 7 | dcrt << 5 | ip << 3 | immed << 1
    if protection_interval_exponent is None:
        header = struct.pack(">BBH", protection_field_usage, flags, 0)
    else:
        if not 0 <= protection_interval_exponent <= 15:
            raise UsageError(f"protection interval exponent (--pie) is 0..15, got {protection_interval_exponent}")
        header = struct.pack(">BBBBI", protection_field_usage, flags, 0, protection_interval_exponent, 0)
    if ip:
        header += bytes((0x20 if security else 0x00, 0x00, 0, 0))  # SI; pattern type 00h, length 0
    return header


def block_descriptor_with_length(mode_sense10: bytes, block_length: int, blocks: Optional[int]) -> bytes:
    """A MODE SELECT(10) parameter list that keeps the device's block descriptor and sets
    its LOGICAL BLOCK LENGTH (and NUMBER OF LOGICAL BLOCKS, all ones when ``blocks`` is
    None: the most the new length allows), no mode pages.

    :raises UsageError: the device returned no block descriptor to change.
    """
    data = bytearray(mode_sense10)
    if len(data) < 8:
        raise UsageError("MODE SENSE(10) returned no header")
    longlba = data[4] & 1
    bd_length = int.from_bytes(data[6:8], "big")
    want = 16 if longlba else 8
    if bd_length < want or len(data) < 8 + want:
        raise UsageError("the device returned no block descriptor, so --size cannot change the block length")
    bd = data[8:8 + want]
    if longlba:
        bd[0:8] = (0xFFFFFFFFFFFFFFFF if blocks is None else blocks).to_bytes(8, "big")
        bd[12:16] = block_length.to_bytes(4, "big")
    else:
        bd[0:4] = (0xFFFFFFFF if blocks is None else blocks).to_bytes(4, "big")
        bd[5:8] = block_length.to_bytes(3, "big")
    # MODE DATA LENGTH is reserved in MODE SELECT (SPC-5 7.5.6); the medium type and the
    # device-specific parameter are sent back as zero, as sg_format does.
    header = bytearray(8)
    header[4] = longlba
    header[6:8] = want.to_bytes(2, "big")
    return bytes(header + bd)


def block_descriptor_with_length6(mode_sense6: bytes, block_length: int, blocks: Optional[int]) -> bytes:
    """The MODE SELECT(6) parameter list of :func:`block_descriptor_with_length` (sg_format
    --six): the 4-byte header and the device's 8-byte block descriptor with NUMBER OF
    LOGICAL BLOCKS (bytes 0-3) and LOGICAL BLOCK LENGTH (bytes 5-7) set.

    :raises UsageError: the device returned no block descriptor to change.
    """
    data = bytes(mode_sense6)
    if len(data) < 4:
        raise UsageError("MODE SENSE(6) returned no header")
    if data[3] < 8 or len(data) < 12:
        raise UsageError("the device returned no block descriptor, so --size/--resize cannot change it")
    bd = bytearray(data[4:12])
    bd[0:4] = (0xFFFFFFFF if blocks is None else blocks).to_bytes(4, "big")
    bd[5:8] = block_length.to_bytes(3, "big")
    # MODE DATA LENGTH is reserved in MODE SELECT; medium type and device-specific 0.
    return bytes((0, 0, 0, 8)) + bytes(bd)


def _select_block_descriptor(args: argparse.Namespace, channel: Channel, block_length: int,
                             blocks: Optional[int]) -> None:
    """MODE SENSE the --mode page with its block descriptor, then MODE SELECT it with the
    new length and count: (6) with --six, else (10) (sg_format's probe and change)."""
    if not 0 <= args.mode <= 0x3E:
        raise UsageError(f"--mode is a mode page number 0..62, got {args.mode}")
    if args.six:
        sensed = channel.execute(ModeSense6(page_code=args.mode, allocation_length=252)).data
        select = block_descriptor_with_length6(sensed, block_length, blocks)
        command: Any = ModeSelect6(pf=True, parameter_list_length=len(select))
    else:
        sensed = channel.execute(ModeSense10(llbaa=args.long, page_code=args.mode, allocation_length=252)).data
        select = block_descriptor_with_length(sensed, block_length, blocks)
        command = ModeSelect10(pf=True, parameter_list_length=len(select))
    if not args.dry_run:
        channel.execute(command, data=select)


def _finish(args: argparse.Namespace, channel: Channel, immed: bool) -> int:
    if not immed or args.early:
        return 0
    return poll_progress(channel, args.poll_interval, show=not args.json, desc=getattr(args, "desc", False),
                         tur=getattr(args, "poll", None) == 0)


def _check_format_options(args: argparse.Namespace) -> None:
    if args.verify and args.tape is None:
        raise UsageError("--verify sets VERIFY in FORMAT MEDIUM, a tape command: it goes with --tape FM")
    if args.tape is not None:
        if not 0 <= args.tape <= 15:
            raise UsageError(f"--tape is FORMAT MEDIUM's FORMAT field, 0..15 (8..15 vendor specific), got {args.tape}")
        clashing = [name for name, given in (("--preset", args.preset is not None), ("--resize", args.resize),
                                             ("--size", bool(args.size)), ("--fmtpinfo", bool(args.fmtpinfo)),
                                             ("--pie", args.pie is not None), ("--ip-def", args.ip_def),
                                             ("--security", args.security)) if given]
        if clashing:
            raise UsageError(f"--tape sends FORMAT MEDIUM (a tape); {', '.join(clashing)} belong to the disk "
                             "commands (FORMAT UNIT, FORMAT WITH PRESET, MODE SELECT)")
    if args.poll is not None and args.poll not in (0, 1):
        raise UsageError(f"--poll is 0 (TEST UNIT READY) or 1 (REQUEST SENSE), got {args.poll}")
    if args.fmtmaxlba and args.preset is None:
        raise UsageError("--fmtmaxlba is a FORMAT WITH PRESET bit: it goes with --preset ID")
    if args.resize and (args.format or args.preset is not None):
        raise UsageError("--resize changes the block count without formatting: it excludes --format and --preset")
    if args.preset is not None and args.format:
        raise UsageError("--preset sends FORMAT WITH PRESET instead of FORMAT UNIT: give one of them")


def _run_resize(args: argparse.Namespace) -> int:
    """sg_format --resize: MODE SELECT the block descriptor with --count blocks of the
    current length; the blocks keep their data, so no confirmation is asked."""
    if not args.count:
        raise UsageError("--resize needs --count COUNT (the new number of blocks)")
    guard_medium(args, "MODE SELECT (resize)")
    with open_channel(args) as channel:
        blocks, block_size = capacity(channel)
        if args.size and args.size != block_size:
            raise UsageError(f"--resize keeps the block length ({block_size}); --size {args.size} needs --format")
        _select_block_descriptor(args, channel, block_size, args.count)
        if not args.dry_run:
            blocks, block_size = capacity(channel)
    if args.json:
        print_json({"device": args.device, "resized": not args.dry_run, "blocks": blocks, "block_length": block_size})
    else:
        print(("Dry run: would resize to" if args.dry_run else "Resize done:")
              + f" {args.count if args.dry_run else blocks} blocks of {block_size} bytes")
    return 0


def _run_preset(args: argparse.Namespace) -> int:
    """sg_format --preset ID: FORMAT WITH PRESET, IMMED unless --wait, then progress."""
    if not 0 <= args.preset <= 0xFFFFFFFF:
        raise UsageError(f"--preset is a 32-bit PRESET IDENTIFIER, got {args.preset}")
    immed = not args.wait
    command = FormatWithPreset(immed=immed, fmtmaxlba=args.fmtmaxlba, preset_identifier=args.preset)
    guard_medium(args, command.NAME)
    if not args.dry_run:
        confirm(args, f"{command.NAME} destroys every block of {args.device}: go ahead?")
    polls = 0
    with open_channel(args) as channel:
        if not args.dry_run:
            channel.execute(command)
            # sg_format polls a FORMAT WITH PRESET with REQUEST SENSE unless --poll=0.
            polls = _finish(args, channel, immed)
        blocks, block_size = capacity(channel)
    if args.json:
        print_json({"device": args.device, "formatted": not args.dry_run, "preset_identifier": args.preset,
                    "cdb": bytes(command).hex(), "polls": polls, "blocks": blocks, "block_length": block_size})
    else:
        print(("Dry run: would format with preset" if args.dry_run else "Format with preset complete:")
              + f" {args.preset}; {blocks} blocks of {block_size} bytes")
    return 0


def _peripheral_device_type(channel: Channel) -> Tuple[int, str]:
    """The device type of standard INQUIRY data (byte 0 bits 4-0), and its name."""
    from ..decode.inquiry import decode_inquiry

    record = decode_inquiry(channel.execute(Inquiry(allocation_length=36)).data)
    return record.peripheral_device_type, record.peripheral_device_type_name or "unknown"


def _run_tape(args: argparse.Namespace) -> int:
    """sg_format --tape FM: FORMAT MEDIUM with FORMAT=FM (VERIFY with --verify, IMMED
    unless --wait) on a sequential-access device only; then polled as a format is."""
    from ..command.ssc import FORMAT_MEDIUM_FORMATS, SEQUENTIAL_ACCESS, FormatMedium

    immed = not args.wait
    command = FormatMedium(verify=args.verify, immed=immed, format=args.tape)
    what = FORMAT_MEDIUM_FORMATS.get(args.tape, "vendor specific" if args.tape >= 8 else "reserved")
    guard_medium(args, command.NAME)
    polls = 0
    with open_channel(args) as channel:
        pdt, kind = _peripheral_device_type(channel)
        if pdt != SEQUENTIAL_ACCESS:
            # sg_format: "This format is only defined for tapes" (exit 97).
            raise CliError(f"--tape sends FORMAT MEDIUM, defined for tapes (peripheral device type 01h); "
                           f"{args.device} is a {kind} (0x{pdt:02x})", MALFORMED)
        if not args.dry_run:
            confirm(args, f"{command.NAME} destroys every block of the medium in {args.device}: go ahead?")
            channel.execute(command)
            # sg_format polls a FORMAT MEDIUM with REQUEST SENSE unless --poll=0.
            polls = _finish(args, channel, immed)
    if args.json:
        print_json({"device": args.device, "formatted": not args.dry_run, "format": args.tape,
                    "format_name": what, "verify": args.verify, "cdb": bytes(command).hex(), "polls": polls})
    else:
        done = "Dry run: would send" if args.dry_run else "started" if immed and args.early else "complete"
        line = f"FORMAT MEDIUM (format {args.tape}: {what}{', verify' if args.verify else ''})"
        print(f"{done} {line}" if args.dry_run else f"{line} {done}")
    return 0


def _run_format(args: argparse.Namespace) -> int:
    _check_format_options(args)
    if args.tape is not None:
        return _run_tape(args)
    if args.resize:
        return _run_resize(args)
    if args.preset is not None:
        return _run_preset(args)
    if not args.format:
        return _report_format(args)
    if not 0 <= args.fmtpinfo <= 3:
        raise UsageError(f"--fmtpinfo is 0..3, got {args.fmtpinfo}")
    # sg_format's deprecated --pinfo and --rto_req are FMTPINFO's two bits (SBC-2's FMTPINFO
    # and RTO_REQ).
    fmtpinfo = args.fmtpinfo | (2 if args.pinfo else 0) | (1 if args.rto_req else 0)
    if args.ip_def and args.security:
        raise UsageError("--ip-def and --security exclude each other (as in sg_format)")
    if not 0 <= args.ffmt <= 3:
        raise UsageError(f"--ffmt is 0..3, got {args.ffmt}")
    guard_medium(args, "FORMAT UNIT")
    if not args.dry_run:
        confirm(args, f"FORMAT UNIT destroys every block of {args.device}: go ahead?")
    immed = not args.wait
    with open_channel(args) as channel:
        blocks, block_size = capacity(channel)
        if args.size and args.size != block_size:
            _select_block_descriptor(args, channel, args.size, args.count or None)
        ip = args.ip_def or args.security
        header = format_header(immed=immed, fov=args.dcrt or ip, dcrt=args.dcrt, ip=ip, protection_field_usage=args.pfu,
                               protection_interval_exponent=args.pie, security=args.security)
        command: Any = FormatUnit(fmtpinfo=fmtpinfo, longlist=args.pie is not None, fmtdata=True,
                                  cmplst=bool(args.cmplst), ffmt=args.ffmt)
        # The list's own fields size the data phase (the initialization pattern descriptor
        # makes it longer than the header).
        command = command.with_parameter_list(header)
        polls = 0
        if not args.dry_run:
            channel.execute(command, data=header)
            polls = _finish(args, channel, immed)
            blocks, block_size = capacity(channel)
    summary = {"device": args.device, "formatted": not args.dry_run, "fmtpinfo": fmtpinfo,
               "polls": polls, "blocks": blocks, "block_length": block_size}
    if args.json:
        print_json(summary)
    else:
        print(("Dry run: would format" if args.dry_run else "Format complete:")
              + f" {blocks} blocks of {block_size} bytes")
    return 0


def _report_format(args: argparse.Namespace) -> int:
    """sg_format without --format: the current count and size, nothing changed."""
    with open_channel(args) as channel:
        blocks, block_size = capacity(channel)
    if args.json:
        print_json({"device": args.device, "formatted": False, "blocks": blocks, "block_length": block_size})
    else:
        print(f"    Number of logical blocks={blocks}\n    Logical block size={block_size} bytes\n"
              "No changes made. To format use '--format'.")
    return 0


def _format_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-F", "--format", action="store_true", help="do FORMAT UNIT (default: report count and size)")
    parser.add_argument("-f", "--fmtpinfo", type=parse_int, default=0, metavar="FPI", help="FMTPINFO (0..3)")
    parser.add_argument("-P", "--pfu", type=parse_int, default=0, metavar="PFU", help="protection field usage")
    parser.add_argument("-q", "--pie", type=parse_int, metavar="PIE",
                        help="protection interval exponent (sends the long parameter list header)")
    parser.add_argument("-p", "--pinfo", action="store_true", help="deprecated: same as --fmtpinfo 2")
    parser.add_argument("-R", "--rto_req", "--rto-req", action="store_true", help="deprecated: FMTPINFO bit 0")
    parser.add_argument("-I", "--ip-def", "--ip_def", action="store_true",
                        help="send the default initialization pattern descriptor (some SSDs then provision fully)")
    parser.add_argument("-S", "--security", action="store_true",
                        help="the initialization pattern with SI set (a security erasure write technique)")
    parser.add_argument("-l", "--long", action="store_true",
                        help="64-bit LBAs in the MODE SENSE(10) --size reads (LLBAA)")
    parser.add_argument("-s", "--size", type=parse_int, default=0, metavar="LB_SZ", help="new logical block length")
    parser.add_argument("-c", "--count", type=parse_int, default=0, metavar="COUNT", help="blocks, with --size")
    parser.add_argument("-C", "--cmplst", type=int, choices=(0, 1), default=1, help="CMPLST (default 1)")
    parser.add_argument("-t", "--ffmt", type=parse_int, default=0, metavar="FFMT", help="fast format (0..3)")
    parser.add_argument("-D", "--dcrt", action="store_true", help="disable certification (DCRT, with FOV)")
    parser.add_argument("-d", "--dry-run", action="store_true", help="everything but FORMAT UNIT")
    parser.add_argument("-Q", "--quick", dest="yes", action="store_true", help="do not ask first (also --yes)")
    parser.add_argument("-w", "--wait", action="store_true", help="IMMED=0: the command returns when done")
    parser.add_argument("-e", "--early", action="store_true", help="return once the format has started")
    parser.add_argument("--poll-interval", type=float, default=5.0, metavar="SECONDS",
                        help="seconds between progress polls (default 5)")
    parser.add_argument("-x", "--poll", type=parse_int, metavar="PT",
                        help="poll with 0 TEST UNIT READY or 1 REQUEST SENSE (sgframe's default: 1; "
                             "sg_format's: 0 for FORMAT UNIT)")
    parser.add_argument("-M", "--mode", type=parse_int, default=1, metavar="MP",
                        help="mode page read and sent with the block descriptor for --size/--resize (default 1)")
    parser.add_argument("-6", "--six", action="store_true",
                        help="MODE SENSE(6)/MODE SELECT(6) for --size/--resize (default the 10-byte ones)")
    parser.add_argument("-r", "--resize", action="store_true",
                        help="MODE SELECT --count blocks of the current length; no FORMAT UNIT, data kept")
    parser.add_argument("-E", "--preset", type=parse_int, metavar="ID",
                        help="FORMAT WITH PRESET with PRESET IDENTIFIER ID (see inq -p fp) instead of FORMAT UNIT")
    parser.add_argument("-b", "--fmtmaxlba", action="store_true", help="with --preset: set FMTMAXLBA")
    parser.add_argument("-T", "--tape", type=parse_int, metavar="FM",
                        help="FORMAT MEDIUM (a tape drive only) with FORMAT FM: 0 default format, 1 partition, "
                             "2 default format then partition, 8..15 vendor specific")
    parser.add_argument("--verify", action="store_true",
                        help="with --tape: FORMAT MEDIUM's VERIFY bit (sg_format's -y is --yes here)")
    add_safety(parser)
    add_output(parser)


# The help line is also sgframe/builtin.py's (the lazy subcommand table); --tape (FORMAT
# MEDIUM on a tape) is in the options.
FORMAT = Subcommand(
    name="format", help="FORMAT UNIT, with progress (sg_format; safe by default)",
    add_arguments=_format_arguments, run=_run_format,
)


def sanitize_overwrite_parameters(pattern: bytes, *, count: int = 1, invert: bool = False, test: int = 0) -> bytes:
    """The OVERWRITE parameter list (SBC-4 5.30.2.2): INVERT, TEST, OVERWRITE COUNT, the
    pattern length and the pattern.

    :raises UsageError: count beyond 1..31, test beyond 0..3, an empty pattern.
    """
    if not 1 <= count <= 31:
        raise UsageError(f"--count (overwrite passes) is 1..31, got {count}")
    if not 0 <= test <= 3:
        raise UsageError(f"--test is 0..3, got {test}")
    if not pattern or len(pattern) > 0xFFFF:
        raise UsageError("the initialization pattern is 1..65535 bytes")
    return struct.pack(">BBH", invert << 7 | test << 5 | count, 0, len(pattern)) + pattern


def _sanitize_action(args: argparse.Namespace) -> SanitizeServiceAction:
    chosen = [sa for name, sa in (("overwrite", SanitizeServiceAction.OVERWRITE),
                                  ("block", SanitizeServiceAction.BLOCK_ERASE),
                                  ("crypto", SanitizeServiceAction.CRYPTOGRAPHIC_ERASE),
                                  ("fail", SanitizeServiceAction.EXIT_FAILURE_MODE)) if getattr(args, name)]
    if len(chosen) != 1:
        raise UsageError("give one of --overwrite, --block, --crypto, --fail")
    return chosen[0]


def _run_sanitize(args: argparse.Namespace) -> int:
    action = _sanitize_action(args)
    data: Optional[bytes] = None
    if action == SanitizeServiceAction.OVERWRITE:
        if args.pattern:
            try:
                with open(args.pattern, "rb") as f:
                    pattern = f.read()
            except OSError as exc:
                raise CliError(f"{args.pattern}: {exc.strerror}", FILE_ERROR) from None
        elif args.zero:
            pattern = bytes(args.ipl or 4)
        else:
            raise UsageError("--overwrite needs --pattern FILE or --zero")
        data = sanitize_overwrite_parameters(pattern, count=args.count, invert=args.invert, test=args.test)
    guard_medium(args, "SANITIZE")
    if not args.dry_run and action != SanitizeServiceAction.EXIT_FAILURE_MODE:
        confirm(args, f"SANITIZE destroys every block of {args.device}: go ahead?")
    immed = not args.wait
    command = Sanitize(immed=immed, znr=args.znr, ause=args.ause, service_action=action,
                       parameter_list_length=len(data or b""))
    polls = 0
    if not args.dry_run:
        with open_channel(args) as channel:
            channel.execute(command, data=data)
            polls = _finish(args, channel, immed)
    if args.json:
        print_json({"device": args.device, "service_action": action.name.lower(), "done": not args.dry_run,
                    "polls": polls})
    else:
        print(f"SANITIZE ({action.name.replace('_', ' ').lower()}): "
              + ("dry run, nothing sent" if args.dry_run else "complete" if not args.early else "started"))
    return 0


def _sanitize_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-O", "--overwrite", action="store_true", help="OVERWRITE")
    parser.add_argument("-B", "--block", action="store_true", help="BLOCK ERASE")
    parser.add_argument("-C", "--crypto", action="store_true", help="CRYPTOGRAPHIC ERASE")
    parser.add_argument("-F", "--fail", action="store_true", help="EXIT FAILURE MODE")
    parser.add_argument("-A", "--ause", action="store_true", help="AUSE")
    parser.add_argument("-Z", "--znr", action="store_true", help="ZNR (zone no reset)")
    parser.add_argument("-c", "--count", type=parse_int, default=1, metavar="OC", help="overwrite passes (1..31)")
    parser.add_argument("-I", "--invert", action="store_true", help="INVERT between passes")
    parser.add_argument("-i", "--ipl", type=parse_int, default=0, metavar="LEN", help="pattern length with --zero")
    parser.add_argument("-p", "--pattern", metavar="PF", help="file holding the overwrite pattern")
    parser.add_argument("-T", "--test", type=parse_int, default=0, metavar="TE", help="TEST field")
    parser.add_argument("-z", "--zero", action="store_true", help="overwrite with zeros")
    parser.add_argument("-D", "--dry-run", action="store_true", help="everything but SANITIZE")
    parser.add_argument("-Q", "--quick", dest="yes", action="store_true", help="do not ask first (also --yes)")
    parser.add_argument("-w", "--wait", action="store_true", help="IMMED=0: the command returns when done")
    parser.add_argument("-e", "--early", action="store_true", help="return once sanitize has started")
    parser.add_argument("-d", "--desc", action="store_true",
                        help="poll with REQUEST SENSE's DESC bit set (descriptor format sense)")
    parser.add_argument("--poll-interval", type=float, default=5.0, metavar="SECONDS",
                        help="seconds between progress polls (default 5)")
    add_safety(parser)
    add_output(parser)


SANITIZE = Subcommand(
    name="sanitize", help="SANITIZE: overwrite, block or crypto erase (sg_sanitize; safe by default)",
    add_arguments=_sanitize_arguments, run=_run_sanitize,
)
