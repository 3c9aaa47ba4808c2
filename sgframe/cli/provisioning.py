"""``lba-status``, ``unmap`` and ``write-same``: logical block provisioning (sg_get_lba_status,
sg_unmap, sg_write_same). The last two change the medium and keep the mounted-device
safety of ``write``.
An action that succeeds prints nothing, as its sg3_utils counterpart (``--json`` says
what was done)."""
from __future__ import annotations

import argparse
import sys
from typing import Any

from ..command import GetLbaStatus, GetLbaStatus32, Unmap, WriteSame10, WriteSame16, WriteSame32
from ..decode.lba_status import decode_lba_status
from ..errors import UsageError
from ..params import MAX_UNMAP_DESCRIPTORS, unmap_parameters
from .base import Subcommand, warn
from .device import add_device, add_output, add_readonly, open_channel, parse_int
from .exitcodes import SYNTAX_ERROR, CliError, os_error_code
from .media import capacity
from .output import print_json
from .response import add_inhex, add_response_options, emit_undecoded, read_inhex
from .safety import add_safety, confirm, guard_medium

__all__ = ["LBA_STATUS", "UNMAP", "WRITE_SAME", "lba_status_lines", "PROVISIONING_WORDS"]

#: sg_get_lba_status's words for PROVISIONING STATUS.
PROVISIONING_WORDS = {0: "mapped (or unknown)", 1: "deallocated", 2: "anchored", 3: "mapped", 4: "unknown"}
#: sg_get_lba_status's words for COMPLETION CONDITION, with the option it names.
_COMPLETION_WORDS = {
    0: "No indication of the completion condition",
    1: "Command completed due to meeting allocation length (--maxlen=LEN (def 24))",
    2: "Command completed due to meeting scan length (--scan-len=SL)",
    3: "Command completed due to meeting capacity of medium",
}


def lba_status_lines(record: Any, brief: bool = False) -> list[str]:
    """GET LBA STATUS data in sg_get_lba_status's layout (``brief``: its ``-b``)."""
    cc = record.completion_condition or 0
    lines = [f"Completion condition={cc}" if brief else _COMPLETION_WORDS.get(cc, f"Completion condition={cc}"),
             f"RTP={int(bool(record.rtp))}"]
    for n, d in enumerate(record.lba_status_descriptors, 1):
        if brief:
            lines.append(f"0x{d.lba_status_logical_block_address:016x}  0x{d.number_of_logical_blocks:x}  "
                         f"{d.provisioning_status}  {d.additional_status}")
        else:
            word = PROVISIONING_WORDS.get(d.provisioning_status, f"reserved [{d.provisioning_status}]")
            lines.append(f"[{n}] LBA: 0x{d.lba_status_logical_block_address:016x}  "
                         f"blocks: {d.number_of_logical_blocks:10d}  {word}")
    return lines


def _run_lba_status(args: argparse.Namespace) -> int:
    if args.maxlen < 24 and args.maxlen != 0:
        raise UsageError(f"--maxlen is at least 24 (a header and one descriptor), got {args.maxlen}")
    length = args.maxlen or 24
    if args.use32:
        command: Any = GetLbaStatus32(starting_lba=args.lba, allocation_length=length, report_type=args.report_type,
                                      scan_length=args.scan_len, element_identifier=args.element_id)
    else:
        if args.scan_len or args.element_id:
            raise UsageError("--scan-len and --element-id need GET LBA STATUS(32): add --32")
        command = GetLbaStatus(starting_lba=args.lba, allocation_length=length, report_type=args.report_type)
    data = read_inhex(args)
    if data is None:
        with open_channel(args) as channel:
            data = channel.execute(command).data
    elif len(data) > length:
        # --maxlen bounds a saved response as it bounds the device's (sg_get_lba_status too).
        warn(f"--inhex: {len(data)} bytes in the file, decoding the first {length} (raise --maxlen for more)",
             "lba-status")
        data = data[:length]
    record = decode_lba_status(data)
    if emit_undecoded(args, data):
        return 0
    if args.json:
        print_json(record)
    else:
        print("\n".join(lba_status_lines(record, args.brief)))
    return 0


def _lba_status_arguments(parser: argparse.ArgumentParser) -> None:
    add_inhex(parser)
    parser.add_argument("-S", "--16", dest="use16", action="store_true", help="GET LBA STATUS(16) (default)")
    parser.add_argument("-T", "--32", dest="use32", action="store_true", help="GET LBA STATUS(32)")
    parser.add_argument("-b", "--brief", action="store_true", help="a descriptor a line: LBA blocks status add_status")
    parser.add_argument("-e", "--element-id", type=parse_int, default=0, metavar="EI", help="element identifier (--32)")
    parser.add_argument("-l", "--lba", type=parse_int, default=0, help="starting LBA (default 0)")
    parser.add_argument("-m", "--maxlen", type=parse_int, default=0, metavar="LEN",
                        help="allocation length (default 0: 24 bytes, one descriptor)")
    parser.add_argument("-t", "--report-type", type=parse_int, default=0, metavar="RT",
                        help="0 all, 1 non-zero status, 2 mapped, 3 deallocated, 4 anchored, 16 maybe unreadable")
    parser.add_argument("-s", "--scan-len", type=parse_int, default=0, metavar="SL", help="scan length (--32)")
    add_readonly(parser, "-R")
    add_response_options(parser, "the response")


LBA_STATUS = Subcommand(
    name="lba-status", help="GET LBA STATUS: provisioning of LBA ranges (sg_get_lba_status)",
    add_arguments=_lba_status_arguments, run=_run_lba_status,
)


def _number_list(text: str, what: str) -> list[int]:
    try:
        return [parse_int(word) for word in text.split(",") if word.strip()]
    except argparse.ArgumentTypeError as exc:
        raise UsageError(f"{what}: {exc}") from None


def _pairs_from_file(name: str) -> list[tuple[int, int]]:
    """LBA,NUM a line (or whitespace separated), '#' comments, as sg_unmap --in reads."""
    try:
        text = sys.stdin.read() if name == "-" else open(name).read()  # noqa: SIM115 - read whole
    except OSError as exc:
        # sg_unmap --in=/missing: "bad argument to '--in'", a syntax error
        raise CliError(f"--in {name}: {exc.strerror}", SYNTAX_ERROR) from None
    numbers = _number_list(" ".join(line.split("#")[0] for line in text.splitlines()).replace(" ", ",").replace("\t", ","),
                           f"--in {name}")
    if len(numbers) % 2:
        raise UsageError(f"--in {name}: an odd count of numbers; it holds LBA,NUM pairs")
    return list(zip(numbers[0::2], numbers[1::2]))


def _unmap_ranges(args: argparse.Namespace, channel: Any) -> list[tuple[int, int]]:
    given = [x for x in (args.all, args.in_, args.lba) if x is not None]
    if len(given) != 1:
        raise UsageError("give the ranges one way: --lba with --num, --all ST,RN[,LA] or --in FILE")
    if args.all is not None:
        parts = _number_list(args.all, "--all")
        if len(parts) not in (2, 3) or parts[1] <= 0:
            raise UsageError("--all is ST,RN[,LA]: start LBA, blocks per UNMAP (1 or more), optional last LBA")
        blocks, _ = capacity(channel)
        last = parts[2] if len(parts) == 3 else blocks - 1
        return [(lba, min(parts[1], last + 1 - lba)) for lba in range(parts[0], last + 1, parts[1])]
    if args.in_ is not None:
        return _pairs_from_file(args.in_)
    lbas = _number_list(args.lba, "--lba")
    nums = _number_list(args.num or "", "--num")
    if len(lbas) != len(nums):
        raise UsageError(f"--lba gives {len(lbas)} LBAs, --num {len(nums)} counts: one each")
    return list(zip(lbas, nums))


def _run_unmap(args: argparse.Namespace) -> int:
    guard_medium(args, "UNMAP")
    with open_channel(args) as channel:
        ranges = _unmap_ranges(args, channel)
        total = sum(n for _, n in ranges)
        if args.all is not None:
            confirm(args, f"unmap {total} blocks of {args.device} (irreversible)?")
        commands = 0
        if not args.dry_run:
            # --all sends one range a command, as sg_unmap does; given lists go in as
            # few commands as the 16-bit parameter list length allows.
            step = 1 if args.all is not None else MAX_UNMAP_DESCRIPTORS
            for start in range(0, len(ranges), step):
                payload = unmap_parameters(ranges[start:start + step])
                channel.execute(Unmap(anchor=args.anchor, group_number=args.grpnum,
                                      parameter_list_length=len(payload)), data=payload)
                commands += 1
    summary = {"device": args.device, "ranges": [{"lba": lba, "blocks": n} for lba, n in ranges],
               "blocks": total, "commands": commands, "dry_run": args.dry_run}
    if args.json:
        print_json(summary)
    elif args.dry_run:
        # Done, it is silent like sg_unmap; a dry run says what it would have done.
        print(f"would unmap {total} blocks in {len(ranges)} range{'s' if len(ranges) != 1 else ''}")
    return 0


def _unmap_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-A", "--all", metavar="ST,RN[,LA]",
                        help="from LBA ST, RN blocks an UNMAP, to the end (or to LBA LA)")
    parser.add_argument("-a", "--anchor", action="store_true", help="set ANCHOR")
    parser.add_argument("-d", "--dry-run", action="store_true", help="prepare, send no UNMAP")
    parser.add_argument("-g", "--grpnum", type=parse_int, default=0, metavar="GN", help="group number")
    parser.add_argument("-I", "--in", dest="in_", metavar="FILE", help="LBA,NUM pairs from FILE ('-': stdin)")
    parser.add_argument("-l", "--lba", metavar="LBA,LBA...", help="first LBAs of the ranges")
    parser.add_argument("-n", "--num", metavar="NUM,NUM...", help="blocks of each range")
    add_safety(parser)
    add_output(parser)


UNMAP = Subcommand(
    name="unmap", help="UNMAP: deallocate LBA ranges (sg_unmap; safe by default)",
    add_arguments=_unmap_arguments, run=_run_unmap,
)


def _pattern(args: argparse.Namespace, block_size: int) -> bytes:
    if args.in_ is not None:
        try:
            with open(args.in_, "rb") as f:
                data = f.read(args.xferlen or block_size)
        except OSError as exc:
            # as sg_write_same --in=/missing: 50 + errno
            raise CliError(f"{args.in_}: {exc.strerror}", os_error_code(exc.errno or 0)) from None
        if len(data) != block_size:
            raise UsageError(f"--in {args.in_} gives {len(data)} bytes; WRITE SAME sends one "
                             f"{block_size}-byte block")
        return data
    return (b"\xff" if args.ff else b"\0") * block_size


def _run_write_same(args: argparse.Namespace) -> int:
    if args.in_ is None and args.lba is None and args.num is None:
        raise UsageError("as a precaution give --in, --lba or --num (as sg_write_same wants)")
    if sum((args.use10, args.use16, args.use32)) > 1:
        raise UsageError("give one of --10, --16 and --32")
    lba = args.lba or 0
    num = 1 if args.num is None else args.num
    if args.ndob and args.use10:
        raise UsageError("NDOB is only in WRITE SAME(16) and (32)")
    guard_medium(args, "WRITE SAME")
    with open_channel(args) as channel:
        _, block_size = capacity(channel)
        sixteen = args.use16 or (not args.use10 and (args.unmap or args.ndob or lba + num > 0xFFFFFFFF
                                                     or num > 0xFFFF))
        fields = dict(wrprotect=args.wrprotect, anchor=args.anchor, unmap=args.unmap, lba=lba,
                      group_number=args.grpnum, number_of_logical_blocks=num, lbdata=args.lbdata,
                      pbdata=args.pbdata)
        if args.use32:
            command: Any = WriteSame32(ndob=args.ndob, **fields)
        elif sixteen:
            command = WriteSame16(ndob=args.ndob, **fields)
        else:
            command = WriteSame10(**fields)
        channel.execute(command, data=None if args.ndob else _pattern(args, block_size))
    if args.json:
        print_json({"device": args.device, "command": command.NAME, "lba": lba, "blocks": num,
                    "unmap": args.unmap, "ndob": args.ndob, "cdb": bytes(command).hex()})
    return 0


def _write_same_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-R", "--10", dest="use10", action="store_true", help="WRITE SAME(10)")
    parser.add_argument("-S", "--16", dest="use16", action="store_true",
                        help="WRITE SAME(16) (default with --unmap, --ndob or beyond 32 bits)")
    parser.add_argument("-T", "--32", dest="use32", action="store_true",
                        help="WRITE SAME(32) (a 32-byte CDB: sg passes it, or use bsg)")
    parser.add_argument("-a", "--anchor", action="store_true", help="set ANCHOR")
    parser.add_argument("-f", "--ff", action="store_true", help="a block of 0xff bytes (default zeros)")
    parser.add_argument("-g", "--grpnum", type=parse_int, default=0, metavar="GN", help="group number")
    parser.add_argument("-i", "--in", dest="in_", metavar="IF", help="the block to write, from file IF")
    parser.add_argument("-l", "--lba", type=parse_int, help="first LBA (default 0)")
    parser.add_argument("-N", "--ndob", action="store_true", help="no data-out buffer (zeros or the LBPRZ pattern)")
    parser.add_argument("-L", "--lbdata", action="store_true",
                        help="set the obsolete LBDATA bit (byte 1 bit 1; SBC-2: the LBA in each block written); "
                             "a current device ignores it or rejects the CDB")
    parser.add_argument("-P", "--pbdata", action="store_true",
                        help="set the obsolete PBDATA bit (byte 1 bit 2; SBC-2: the physical address in each "
                             "block)")
    parser.add_argument("-n", "--num", type=parse_int, help="blocks (default 1; 0 may mean to the end)")
    parser.add_argument("-U", "--unmap", action="store_true", help="set UNMAP")
    parser.add_argument("-w", "--wrprotect", type=parse_int, default=0, metavar="WRP", help="WRPROTECT")
    parser.add_argument("-x", "--xferlen", type=parse_int, default=0, metavar="LEN", help="bytes read from IF")
    add_safety(parser, whole_device=False)
    add_output(parser)


WRITE_SAME = Subcommand(
    name="write-same", help="WRITE SAME: one block over an LBA range (sg_write_same; safe by default)",
    add_arguments=_write_same_arguments, run=_run_write_same,
)
