"""``modes`` and ``logs``: mode pages (MODE SENSE) and log pages (LOG SENSE).

Pages are named by (page, subpage) and take sg_modes' and sg_logs' acronyms.  ``modes``
prints the mode parameter header the way sg_modes does for a disk: the device-specific
parameter as WP and DpoFua, and "Mode data length" as the length of the whole response
(MODE DATA LENGTH plus the bytes of the field itself).
"""
from __future__ import annotations

import argparse
from typing import Any, Callable, Dict, List, Tuple

from ..command import LogSense, ModeSense6, ModeSense10
from ..decode import decode_log_page, decode_mode_parameters
from ..decode.log import LogPage, SupportedLogPages, SupportedLogPagesAndSubpages, log_page_name
from ..decode.mode_pages import mode_page_name
from .base import Subcommand
from .device import add_device, add_output, open_channel, parse_int
from .output import hexdump, print_json, render, to_jsonable

__all__ = ["MODES", "LOGS", "MODE_PAGES", "LOG_PAGES", "page_argument", "mode_parameters_json",
           "mode_parameters_text", "log_page_text"]

#: Mode page acronyms (sg_modes' ``-p xxx`` list for a disk and SAS) -> (page, subpage).
MODE_PAGES: Dict[str, Tuple[int, int]] = {
    "rw": (0x01, 0), "dr": (0x02, 0), "fo": (0x03, 0), "rd": (0x04, 0), "ve": (0x07, 0),
    "ca": (0x08, 0), "co": (0x0A, 0), "coe": (0x0A, 1), "atag": (0x0A, 2), "ioad": (0x0A, 5),
    "bop": (0x0A, 6), "pslu": (0x18, 0), "pspo": (0x19, 0), "pcd": (0x19, 1), "spc": (0x19, 2),
    "sep": (0x19, 3), "po": (0x1A, 0), "ps": (0x1A, 1), "apo": (0x1A, 0xF1), "ie": (0x1C, 0),
    "bc": (0x1C, 1), "lbp": (0x1C, 2), "asmp": (0x3F, 0), "asmsp": (0x3F, 0xFF), "all": (0x3F, 0),
}
#: Log page acronyms (sg_logs' ``--enumerate`` list for a disk) -> (page, subpage).
LOG_PAGES: Dict[str, Tuple[int, int]] = {
    "sp": (0x00, 0), "ssp": (0x00, 0xFF), "bou": (0x01, 0), "we": (0x02, 0), "re": (0x03, 0),
    "rre": (0x04, 0), "ve": (0x05, 0), "nm": (0x06, 0), "lne": (0x07, 0), "fs": (0x08, 0),
    "lnd": (0x0B, 0), "lnic": (0x0B, 1), "lnmc": (0x0B, 2), "lbp": (0x0C, 0), "temp": (0x0D, 0),
    "enr": (0x0D, 1), "enl": (0x0D, 2), "sscc": (0x0E, 0), "util": (0x0E, 1), "ac": (0x0F, 0),
    "str": (0x10, 0), "ssm": (0x11, 0), "zbds": (0x14, 1), "bsr": (0x15, 0), "pd": (0x15, 1),
    "bop": (0x15, 2), "lps": (0x15, 3), "aptr": (0x16, 0), "nvc": (0x17, 0), "psp": (0x18, 0),
    "gsp": (0x19, 0), "cms": (0x19, 0x20), "pct": (0x1A, 0), "ie": (0x2F, 0),
}

# Page 3Fh asks for every page; subpage FFh for every subpage too (SPC-5 6.14).
_ALL_PAGES = 0x3F
_PAGE_CONTROL = ("current", "changeable", "default", "saved")


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


def _label(page: int, subpage: int) -> str:
    return f"0x{page:02x}" + (f",0x{subpage:02x}" if subpage else "")


# --- modes -------------------------------------------------------------------------------

def _protocol(page: Any) -> Any:
    return getattr(page, "protocol_identifier", None)


def _total_length(record: Any) -> int:
    # sg_modes' "Mode data length": the whole response, MODE DATA LENGTH counts the bytes
    # after its own field (two in the 10-byte header, one in the 6-byte one).
    return record.header.mode_data_length + (2 if record.ten else 1)


def mode_parameters_json(record: Any) -> Dict[str, Any]:
    """The decoded MODE SENSE data as JSON, with sg_modes' header view and page names."""
    out = to_jsonable(record)
    out["header"].update(wp=record.header.wp, dpofua=record.header.dpofua, total_length=_total_length(record))
    for page, data in zip(record.pages, out["pages"]):
        data["page_name"] = mode_page_name(page.page_code, page.subpage_code, _protocol(page))
    return out


def mode_parameters_text(record: Any, page_control: int = 0) -> List[str]:
    """sg_modes' layout: header, block descriptors, then each page by name with its fields."""
    h = record.header
    lines = [
        f"Mode parameter header from MODE SENSE({'10' if record.ten else '6'}):",
        f"  Mode data length={_total_length(record)}, medium type=0x{h.medium_type:02x}, "
        f"WP={int(h.wp)}, DpoFua={int(h.dpofua)}, longlba={int(h.longlba)}",
        f"  Block descriptor length={h.block_descriptor_length}",
    ]
    for descriptor in record.block_descriptors:
        lines.extend(render(descriptor, 2))
    for page in record.pages:
        name = mode_page_name(page.page_code, page.subpage_code, _protocol(page))
        lines.append(f">> {name} [{_label(page.page_code, page.subpage_code)}], "
                     f"page_control: {_PAGE_CONTROL[page_control]}")
        # The codes are in the title line; an empty extra says nothing.
        lines.extend(line for line in render(page, 1)
                     if line.split()[0] not in ("page_code", "subpage_code")
                     and line.split() != ["extra", "(none)"])
    lines.extend(f"problem: {p}" for p in record.problems)
    return lines


def _run_modes(args: argparse.Namespace) -> int:
    page, subpage = (_ALL_PAGES, 0xFF) if args.all_subpages else args.page
    cls: Any = ModeSense6 if args.six else ModeSense10
    allocation = 0xFF if args.six else 0xFFFF
    with open_channel(args) as channel:
        raw = channel.execute(cls(dbd=args.dbd, pc=args.pc, page_code=page, subpage_code=subpage,
                                  allocation_length=allocation)).data
    record = decode_mode_parameters(raw, ten=not args.six)
    if args.json:
        print_json(mode_parameters_json(record))
    elif args.hex:
        hexdump(raw)
    else:
        print("\n".join(mode_parameters_text(record, args.pc)))
    return 0


def _modes_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-p", "--page", type=page_argument(MODE_PAGES), default=(_ALL_PAGES, 0),
                        metavar="PAGE[,SUBPAGE]",
                        help=f"the page (default: all, 0x3f); names: {', '.join(MODE_PAGES)}")
    parser.add_argument("-A", "--all-subpages", action="store_true",
                        help="every page and subpage (0x3f,0xff)")
    parser.add_argument("-c", "--pc", type=int, choices=range(4), default=0,
                        help="page control: 0 current (default), 1 changeable, 2 default, 3 saved")
    parser.add_argument("-6", "--six", action="store_true", help="use MODE SENSE(6), not (10)")
    parser.add_argument("-d", "--dbd", action="store_true", help="no block descriptors")
    add_output(parser, hex_help="print the response bytes as a hex dump")


MODES = Subcommand(
    name="modes", help="MODE SENSE: mode pages", add_arguments=_modes_arguments, run=_run_modes,
    description="Send MODE SENSE(10) (or (6)) and decode the header, block descriptors and pages.",
)


# --- logs --------------------------------------------------------------------------------

def _log_page(channel: Any, page: int, subpage: int, pc: int) -> Tuple[bytes, Any]:
    # Ask for the header first: some devices fail a LOG SENSE whose allocation length
    # exceeds the page (sg_logs does the same two-step).
    head = channel.execute(LogSense(pc=pc, page_code=page, subpage_code=subpage, allocation_length=4)).data
    length = 4 + int.from_bytes(head[2:4], "big") if len(head) >= 4 else 0xFFFF
    raw = head if length <= len(head) else channel.execute(LogSense(
        pc=pc, page_code=page, subpage_code=subpage, allocation_length=min(length, 0xFFFF))).data
    return raw, decode_log_page(raw)


def _every_page(channel: Any, pc: int, first: Any) -> List[Tuple[int, int]]:
    """(page, subpage) of every page: from 00h/FFh when the device has it, else from 00h."""
    from ..errors import CheckCondition

    try:
        _, listing = _log_page(channel, 0x00, 0xFF, pc)
        pairs = getattr(listing, "supported_pages_and_subpages", ())
    except CheckCondition:  # a device from before subpages
        pairs = ()
    if not pairs:
        pairs = tuple((code, 0) for code in getattr(first, "supported_pages", ()))
    return [p for p in pairs if p[1] != 0xFF and p != (0x00, 0x00)]


# Header fields a title line already says, left out of the text output.
_TITLE_FIELDS = ("ds", "spf", "page_code", "subpage_code", "page_length", "page_name")


def _has_own_fields(cls: type) -> bool:
    """Does the decoder's record name fields beyond :class:`LogPage`'s (its parameters)?"""
    import attrs

    return bool(set(attrs.fields_dict(cls)) - set(attrs.fields_dict(LogPage)))


def log_page_text(record: Any) -> List[str]:
    """A log page as text: a title naming (page, subpage), then the decoded fields.

    A page with a named decoder shows its named fields, not the raw parameter list
    (``--json`` has both); a page without one, or whose decoder names no field of its own
    (application client, 0Fh: the parameters are the data), shows its parameters.
    """
    page, subpage = record.page_code or 0, (record.subpage_code or 0) if record.spf else 0
    lines = [f"{record.page_name} page  [{_label(page, subpage)}]"]
    if isinstance(record, SupportedLogPagesAndSubpages):
        lines += [f"    {_label(p, s):<11} {log_page_name(p, s)}" for p, s in record.supported_pages_and_subpages]
    elif isinstance(record, SupportedLogPages):
        lines += [f"    {_label(p, 0):<11} {log_page_name(p, 0)}" for p in record.supported_pages]
    else:
        named = _has_own_fields(type(record))
        skipping = False
        for line in render(record):
            top = not line.startswith(" ")
            if top:
                name = line.split(":")[0].split()[0]
                skipping = name in _TITLE_FIELDS or (named and name == "parameters")
            if not skipping:
                lines.append("  " + line)
        if len(lines) == 1:
            lines.append("  (no values available)")  # every field None: FFh "not available"
    lines.extend(f"  problem: {p}" for p in record.problems)
    return lines


def _run_logs(args: argparse.Namespace) -> int:
    page, subpage = args.page
    with open_channel(args) as channel:
        pages = [(page, subpage, *_log_page(channel, page, subpage, args.pc))]
        if args.all:
            for code, sub in _every_page(channel, args.pc, pages[0][3]):
                if (code, sub) != (page, subpage):
                    pages.append((code, sub, *_log_page(channel, code, sub, args.pc)))
    if args.json:
        if args.all:
            print_json({_label(p, s): to_jsonable(r) for p, s, _, r in pages})
        else:
            print_json(pages[0][3])
        return 0
    for i, (code, sub, raw, record) in enumerate(pages):
        if i:
            print()
        if args.hex:
            print(f"{record.page_name} page  [{_label(code, sub)}]")
            hexdump(raw)
        else:
            print("\n".join(log_page_text(record)))
    return 0


def _logs_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-p", "--page", type=page_argument(LOG_PAGES), default=(0, 0),
                        metavar="PAGE[,SUBPAGE]",
                        help=f"the page (default: 0, the list of supported pages); names: {', '.join(LOG_PAGES)}")
    parser.add_argument("-c", "--pc", type=int, choices=range(4), default=1,
                        help="page control: 0 current threshold, 1 current cumulative (default), "
                             "2 default threshold, 3 default cumulative")
    parser.add_argument("-a", "--all", action="store_true",
                        help="every page and subpage the device lists (00h/FFh, or 00h)")
    add_output(parser, hex_help="print the response bytes as a hex dump")


LOGS = Subcommand(
    name="logs", help="LOG SENSE: log pages", add_arguments=_logs_arguments, run=_run_logs,
    description="Send LOG SENSE and decode the page (the list of supported pages by default).",
)
