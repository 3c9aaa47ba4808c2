"""``modes`` and ``logs``: mode pages (MODE SENSE) and log pages (LOG SENSE)."""
from __future__ import annotations

import argparse
from typing import Any, Callable, Dict, Tuple

from ..command import LogSense, ModeSense6, ModeSense10
from ..decode import decode_log_page, decode_mode_parameters
from .base import Subcommand
from .device import add_device, add_output, open_channel, parse_int
from .output import hexdump, print_json, print_record, to_jsonable

__all__ = ["MODES", "LOGS", "MODE_PAGES", "LOG_PAGES", "page_argument"]

#: Mode page abbreviations (sg_modes' acronyms) -> (page, subpage).
MODE_PAGES: Dict[str, Tuple[int, int]] = {
    "rw": (0x01, 0), "dr": (0x02, 0), "ca": (0x08, 0), "co": (0x0A, 0), "coe": (0x0A, 1),
    "ie": (0x1C, 0), "all": (0x3F, 0),
}
#: Log page abbreviations (sg_logs' acronyms) -> (page, subpage).
LOG_PAGES: Dict[str, Tuple[int, int]] = {
    "sp": (0x00, 0), "ssp": (0x00, 0xFF), "we": (0x02, 0), "re": (0x03, 0), "ve": (0x05, 0),
    "temp": (0x0D, 0), "sscc": (0x0E, 0), "str": (0x10, 0), "ie": (0x2F, 0),
}

# Page 3Fh asks for every page; subpage FFh for every subpage too (SPC-5 6.14).
_ALL_PAGES = 0x3F


def page_argument(names: Dict[str, Tuple[int, int]]) -> Callable[[str], Tuple[int, int]]:
    """An argparse type for ``PAGE[,SUBPAGE]`` (numbers as sg3_utils reads them) or a name."""

    def parse(text: str) -> Tuple[int, int]:
        if text.lower() in names:
            return names[text.lower()]
        page_text, _, sub_text = text.partition(",")
        page = parse_int(page_text)
        subpage = parse_int(sub_text) if sub_text else 0
        if not 0 <= page <= 0x3F or not 0 <= subpage <= 0xFF:
            raise argparse.ArgumentTypeError(
                f"a page is 0..63 and a subpage 0..255, got {text!r} (or one of {', '.join(names)})")
        return page, subpage

    return parse


def _run_modes(args: argparse.Namespace) -> int:
    page, subpage = args.page
    cls: Any = ModeSense6 if args.six else ModeSense10
    allocation = 0xFF if args.six else 0xFFFF
    with open_channel(args) as channel:
        raw = channel.execute(cls(dbd=args.dbd, pc=args.pc, page_code=page, subpage_code=subpage,
                                  allocation_length=allocation)).data
    record = decode_mode_parameters(raw, ten=not args.six)
    if args.json:
        print_json(record)
    elif args.hex:
        hexdump(raw)
    else:
        print_record(record)
    return 0


def _modes_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-p", "--page", type=page_argument(MODE_PAGES), default=(_ALL_PAGES, 0),
                        metavar="PAGE[,SUBPAGE]",
                        help=f"the page (default: all, 0x3f); names: {', '.join(MODE_PAGES)}")
    parser.add_argument("-c", "--pc", type=int, choices=range(4), default=0,
                        help="page control: 0 current (default), 1 changeable, 2 default, 3 saved")
    parser.add_argument("-6", "--six", action="store_true", help="use MODE SENSE(6), not (10)")
    parser.add_argument("-d", "--dbd", action="store_true", help="no block descriptors")
    add_output(parser, hex_help="print the response bytes as a hex dump")


MODES = Subcommand(
    name="modes", help="MODE SENSE: mode pages", add_arguments=_modes_arguments, run=_run_modes,
    description="Send MODE SENSE(10) (or (6)) and decode the header, block descriptors and pages.",
)


def _log_page(channel: Any, page: int, subpage: int, pc: int) -> Tuple[bytes, Any]:
    # Ask for the header first: some devices fail a LOG SENSE whose allocation length
    # exceeds the page (sg_logs does the same two-step).
    head = channel.execute(LogSense(pc=pc, page_code=page, subpage_code=subpage, allocation_length=4)).data
    length = 4 + int.from_bytes(head[2:4], "big") if len(head) >= 4 else 0xFFFF
    raw = head if length <= len(head) else channel.execute(LogSense(
        pc=pc, page_code=page, subpage_code=subpage, allocation_length=min(length, 0xFFFF))).data
    return raw, decode_log_page(raw)


def _run_logs(args: argparse.Namespace) -> int:
    page, subpage = args.page
    with open_channel(args) as channel:
        pages = [(page, subpage, *_log_page(channel, page, subpage, args.pc))]
        if args.all:
            listed = getattr(pages[0][3], "supported_pages", ())
            for code in listed:
                if code != 0x00:
                    pages.append((code, 0, *_log_page(channel, code, 0, args.pc)))
    if args.json:
        if args.all:
            print_json({f"0x{p:02x}" + (f",0x{s:02x}" if s else ""): to_jsonable(r) for p, s, _, r in pages})
        else:
            print_json(pages[0][3])
        return 0
    for i, (code, sub, raw, record) in enumerate(pages):
        if len(pages) > 1:
            if i:
                print()
            print(f"Log page 0x{code:02x}" + (f",0x{sub:02x}" if sub else "") + ":")
        hexdump(raw) if args.hex else print_record(record)
    return 0


def _logs_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-p", "--page", type=page_argument(LOG_PAGES), default=(0, 0),
                        metavar="PAGE[,SUBPAGE]",
                        help=f"the page (default: 0, the list of supported pages); names: {', '.join(LOG_PAGES)}")
    parser.add_argument("-c", "--pc", type=int, choices=range(4), default=1,
                        help="page control: 0 current threshold, 1 current cumulative (default), "
                             "2 default threshold, 3 default cumulative")
    parser.add_argument("-a", "--all", action="store_true", help="every page the device lists in page 00h")
    add_output(parser, hex_help="print the response bytes as a hex dump")


LOGS = Subcommand(
    name="logs", help="LOG SENSE: log pages", add_arguments=_logs_arguments, run=_run_logs,
    description="Send LOG SENSE and decode the page (the list of supported pages by default).",
)
