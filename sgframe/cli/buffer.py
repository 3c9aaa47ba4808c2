"""``read-buffer`` and ``write-buffer``: READ BUFFER(10) and WRITE BUFFER with their modes
(sg_read_buffer, sg_write_buffer), by number or by sg3_utils' acronym.

Writing a data or echo buffer leaves the medium alone; the download-microcode modes replace
the device's firmware and keep the mounted-device safety (and ask first unless ``--yes``).
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

from ..command import ReadBuffer10, ReadBuffer16, WriteBuffer
from ..errors import UsageError
from .base import Subcommand
from .device import add_device, add_output, add_readonly, open_channel, parse_int
from .exitcodes import CliError, os_error_code
from .output import hexdump, print_json
from .response import add_inhex, add_response_options, emit_undecoded, read_inhex
from .safety import add_safety, confirm, guard_medium

__all__ = ["READ_BUFFER", "WRITE_BUFFER", "READ_MODES", "WRITE_MODES", "mode_number", "decode_descriptor"]

#: sg_read_buffer's mode acronyms (SPC-5 table 167).
READ_MODES = {"hd": 0x00, "vendor": 0x01, "data": 0x02, "desc": 0x03, "echo": 0x0A, "echo_desc": 0x0B,
              "rd_microc_st": 0x0F, "en_ex": 0x1A, "err_hist": 0x1C}
#: sg_write_buffer's mode acronyms (SPC-5 table 213).
WRITE_MODES = {"hd": 0x00, "vendor": 0x01, "data": 0x02, "dmc": 0x04, "dmc_save": 0x05, "dmc_offs": 0x06,
               "dmc_offs_save": 0x07, "echo": 0x0A, "dmc_offs_ev_defer": 0x0D, "dmc_offs_defer": 0x0E,
               "activate_mc": 0x0F, "en_ex": 0x1A, "dis_ex": 0x1B, "deh": 0x1C}
# The modes that download or activate microcode: they change what the device runs.
_MICROCODE = {0x04, 0x05, 0x06, 0x07, 0x0D, 0x0E, 0x0F}


def mode_number(text: str, modes: dict) -> int:
    """A mode given as a number or an acronym.

    :raises UsageError: neither, or a number beyond 0..31.
    """
    word = text.strip().lower()
    if word in modes:
        return modes[word]
    try:
        value = parse_int(word)
    except argparse.ArgumentTypeError:
        raise UsageError(f"--mode {text!r}: a number 0..31 or one of {', '.join(sorted(modes))}") from None
    if not 0 <= value <= 0x1F:
        raise UsageError(f"--mode is 0..31, got {value}")
    return value


def decode_descriptor(mode: int, data: bytes) -> dict:
    """The descriptor modes: 03h (OFFSET BOUNDARY, BUFFER CAPACITY; SPC-5 6.18.5) and 0Bh
    (EBOS, echo BUFFER CAPACITY; 6.18.7)."""
    if mode == 0x03 and len(data) >= 4:
        boundary = data[0]
        return {"offset_boundary": boundary,
                "offset_alignment": None if boundary == 0xFF else 1 << boundary,
                "buffer_capacity": int.from_bytes(data[1:4], "big")}
    if mode == 0x0B and len(data) >= 4:
        return {"ebos": bool(data[0] & 1), "buffer_capacity": int.from_bytes(data[2:4], "big") & 0x1FFF}
    return {}


def _run_read(args: argparse.Namespace) -> int:
    mode = mode_number(args.mode, READ_MODES)
    if not 0 <= args.id <= 0xFF:
        raise UsageError(f"--id is 0..255, got {args.id}")
    if not 0 <= args.specific <= 7:
        raise UsageError(f"--specific (MODE SPECIFIC) is 0..7, got {args.specific}")
    if not args.long and (args.offset > 0xFFFFFF or args.length > 0xFFFFFF):
        raise UsageError("READ BUFFER(10) takes a 24-bit --offset and --length; give --long for READ BUFFER(16)")
    data = read_inhex(args)
    if data is None:
        cls = ReadBuffer16 if args.long else ReadBuffer10
        with open_channel(args) as channel:
            data = channel.execute(cls(mode=mode, mode_specific=args.specific, buffer_id=args.id,
                                       buffer_offset=args.offset, allocation_length=args.length)).data
    described = decode_descriptor(mode, data)
    if emit_undecoded(args, data):
        pass
    elif args.json:
        print_json({"mode": mode, "buffer_id": args.id, "buffer_offset": args.offset, "data": data.hex(), **described})
    elif described:
        if mode == 0x03:
            alignment = described["offset_alignment"]
            print(f"OFFSET BOUNDARY: {described['offset_boundary']}, Buffer offset alignment: "
                  f"{'unknown' if alignment is None else f'{alignment}-byte'}")
        else:
            print(f"EBOS:{int(described['ebos'])}")
        print(f"BUFFER CAPACITY: {described['buffer_capacity']} (0x{described['buffer_capacity']:x})")
    else:
        hexdump(data)
    return 0


def _read_arguments(parser: argparse.ArgumentParser) -> None:
    add_inhex(parser)
    parser.add_argument("-i", "--id", type=parse_int, default=0, help="buffer id (0..255)")
    parser.add_argument("-l", "--length", type=parse_int, default=4, metavar="LEN", help="bytes to read (default 4)")
    parser.add_argument("-m", "--mode", default="0", metavar="MO",
                        help=f"mode number or acronym ({', '.join(sorted(READ_MODES))}); default 0")
    parser.add_argument("-o", "--offset", type=parse_int, default=0, metavar="OFF", help="buffer offset")
    parser.add_argument("-S", "--specific", type=parse_int, default=0, metavar="MS",
                        help="MODE SPECIFIC field (0..7), byte 1 bits 7-5")
    parser.add_argument("-L", "--long", "--16", dest="long", action="store_true",
                        help="READ BUFFER(16): 64-bit offset, 32-bit length (default READ BUFFER(10))")
    add_readonly(parser, "-R")
    add_response_options(parser, "the data read")


READ_BUFFER = Subcommand(
    name="read-buffer", help="READ BUFFER: data, descriptor and echo modes (sg_read_buffer)",
    add_arguments=_read_arguments, run=_run_read,
)


def _data(args: argparse.Namespace) -> bytes:
    name = "-" if args.read_stdin else args.in_
    if name is None:
        if not args.length:
            raise UsageError("give the data: --in FILE, --read-stdin, or --length (that many 0xff bytes)")
        return b"\xff" * args.length
    try:
        if name == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(name, "rb") as f:
                data = f.read()
    except OSError as exc:
        # as sg_write_buffer --in=/missing: 50 + errno
        raise CliError(f"{name}: {exc.strerror}", os_error_code(exc.errno or 0)) from None
    data = data[args.skip:]
    if args.length:
        if args.length > len(data):
            raise UsageError(f"--length {args.length}: {name} holds {len(data)} bytes after --skip")
        data = data[:args.length]
    return data


def _run_write(args: argparse.Namespace) -> int:
    mode = mode_number(args.mode, WRITE_MODES)
    if not 0 <= args.specific <= 7:
        raise UsageError(f"--specific is 0..7, got {args.specific}")
    if not 0 <= args.id <= 0xFF:
        raise UsageError(f"--id is 0..255, got {args.id}")
    data = _data(args) if mode != 0x0F else b""
    chunk = args.bpw or len(data) or 1
    if mode in _MICROCODE:
        guard_medium(args, f"WRITE BUFFER mode 0x{mode:02x} (microcode)")
        if not args.dry_run:
            confirm(args, f"download microcode (WRITE BUFFER mode 0x{mode:02x}) to {args.device}?")
    commands = 0
    with open_channel(args) as channel:
        # --bpw splits the data over several commands, each at its own offset (sg_write_buffer).
        for start in range(0, max(len(data), 1), chunk):
            piece = data[start:start + chunk]
            command: Any = WriteBuffer(mode_specific=args.specific, mode=mode, buffer_id=args.id,
                                       buffer_offset=args.offset + start, parameter_list_length=len(piece))
            if not args.dry_run:
                channel.execute(command, data=piece or None)
            commands += 1
    if args.json:
        print_json({"mode": mode, "buffer_id": args.id, "buffer_offset": args.offset, "bytes": len(data),
                    "commands": commands, "dry_run": args.dry_run})
    return 0


def _write_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-b", "--bpw", type=parse_int, default=0, metavar="CS", help="bytes per WRITE BUFFER (0: all)")
    parser.add_argument("-d", "--dry-run", action="store_true", help="everything but WRITE BUFFER")
    parser.add_argument("-i", "--id", type=parse_int, default=0, help="buffer id (0..255)")
    parser.add_argument("-I", "--in", dest="in_", metavar="FILE", help="the data, from FILE ('-': stdin)")
    parser.add_argument("-l", "--length", type=parse_int, default=0, metavar="LEN",
                        help="bytes to write (without --in: that many 0xff bytes)")
    parser.add_argument("-m", "--mode", default="0", metavar="MO",
                        help=f"mode number or acronym ({', '.join(sorted(WRITE_MODES))}); default 0")
    parser.add_argument("-o", "--offset", type=parse_int, default=0, metavar="OFF", help="buffer offset")
    parser.add_argument("-r", "--read-stdin", action="store_true", help="the data from stdin")
    parser.add_argument("-s", "--skip", type=parse_int, default=0, help="bytes of FILE to skip")
    parser.add_argument("-S", "--specific", type=parse_int, default=0, metavar="MS", help="mode specific (0..7)")
    add_safety(parser)
    add_output(parser)


WRITE_BUFFER = Subcommand(
    name="write-buffer", help="WRITE BUFFER: data, echo and microcode modes (sg_write_buffer)",
    add_arguments=_write_arguments, run=_run_write,
)
