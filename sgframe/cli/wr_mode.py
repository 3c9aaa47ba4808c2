"""``wr-mode``: change a mode page (sg_wr_mode).

The current page is read with MODE SENSE, the given bytes are laid over it under a mask, and
the result goes back with MODE SELECT (PF=1). Unless ``--force``, a change to a bit the
device's changeable-values page does not mark changeable is refused before anything is
sent, the check sg_wr_mode makes. A mode page changes how the device behaves (write cache,
error recovery), so this keeps the mounted-device safety.
"""
from __future__ import annotations

import argparse
from typing import Any

from ..command import ModeSelect6, ModeSelect10, ModeSense6, ModeSense10
from ..errors import UsageError
from .base import Subcommand
from .device import add_device, add_output, open_channel
from .output import print_json
from .safety import guard_medium

__all__ = ["WR_MODE", "split_mode_data", "overlay", "select_parameters"]

_CURRENT, _CHANGEABLE = 0, 1


def _hex_list(text: str, what: str) -> bytes:
    try:
        return bytes(int(word, 16) for word in text.replace(" ", ",").split(",") if word)
    except ValueError:
        raise UsageError(f"{what}: comma separated hex bytes (e.g. 8,12,4), got {text!r}") from None


def split_mode_data(data: bytes, ten: bool) -> tuple[bytes, bytes, bytes]:
    """``(header, block descriptors, first page)`` of MODE SENSE data.

    :raises UsageError: the data holds no page.
    """
    header_length = 8 if ten else 4
    if len(data) < header_length:
        raise UsageError("MODE SENSE returned less than a header")
    bd_length = int.from_bytes(data[6:8], "big") if ten else data[3]
    total = (int.from_bytes(data[0:2], "big") + 2) if ten else data[0] + 1
    data = data[:total]
    body = data[header_length + bd_length:]
    if len(body) < 2:
        raise UsageError("MODE SENSE returned no mode page")
    spf = bool(body[0] & 0x40)
    page_length = (int.from_bytes(body[2:4], "big") + 4) if spf else body[1] + 2
    return data[:header_length], data[header_length:header_length + bd_length], body[:page_length]


def overlay(current: bytes, contents: bytes, mask: bytes) -> bytes:
    """``contents`` over ``current`` where ``mask`` has ones (mask default: all ones).

    As sg_wr_mode, the contents are the whole page: a shorter list is more likely a
    mistake than a wish to keep the rest.
    """
    if len(contents) != len(current):
        raise UsageError(f"contents length={len(contents)} but reference mode page length={len(current)}")
    mask = mask + b"\xff" * (len(contents) - len(mask))
    out = bytearray(current)
    for i, (new, m) in enumerate(zip(contents, mask)):
        out[i] = (current[i] & ~m & 0xFF) | (new & m)
    return bytes(out)


def select_parameters(header: bytes, descriptors: bytes, page: bytes, ten: bool) -> bytes:
    """The MODE SELECT parameter list: MODE DATA LENGTH zero (reserved in MODE SELECT,
    SPC-5 7.5.6), the medium type and device-specific parameter cleared as sg_wr_mode
    sends them, the block descriptors as read, the page with PS cleared."""
    head = bytearray(len(header))
    if ten:
        head[4] = header[4] & 1  # LONGLBA
        head[6:8] = len(descriptors).to_bytes(2, "big")
    else:
        head[3] = len(descriptors)
    page = bytes([page[0] & 0x7F]) + page[1:]
    return bytes(head) + descriptors + page


def _run(args: argparse.Namespace) -> int:
    try:
        parts = [int(p, 16) for p in args.page.split(",")]
    except ValueError:
        raise UsageError(f"--page is PG_H[,SPG_H] in hex, got {args.page!r}") from None
    if not 1 <= len(parts) <= 2 or not 0 <= parts[0] <= 0x3E or (len(parts) == 2 and not 0 <= parts[1] <= 0xFE):
        raise UsageError(f"--page is a page 0..3e and an optional subpage 0..fe in hex, got {args.page!r}")
    page_code, subpage = parts[0], parts[1] if len(parts) == 2 else 0
    if not args.contents:
        raise UsageError("--contents gives the page bytes to write (hex, comma separated)")
    contents = _hex_list(args.contents, "--contents")
    mask = _hex_list(args.mask, "--mask") if args.mask else b""
    ten = args.len != 6 and not args.six
    sense_cls: Any = ModeSense10 if ten else ModeSense6
    select_cls: Any = ModeSelect10 if ten else ModeSelect6
    guard_medium(args, "MODE SELECT")
    with open_channel(args) as channel:
        def sense(pc: int) -> bytes:
            return channel.execute(sense_cls(dbd=args.dbd, pc=pc, page_code=page_code, subpage_code=subpage,
                                             allocation_length=0xFFFC if ten else 252)).data
        header, descriptors, current = split_mode_data(sense(_CURRENT), ten)
        new = overlay(current, contents, mask)
        if not args.force:
            _, _, changeable = split_mode_data(sense(_CHANGEABLE), ten)
            # Byte 0 (PS, SPF, page code) and the length are not settable values.
            start = 4 if current[0] & 0x40 else 2
            for i in range(start, len(new)):
                bad = (new[i] ^ current[i]) & ~(changeable[i] if i < len(changeable) else 0) & 0xFF
                if bad:
                    raise UsageError(f"byte {i} of page 0x{page_code:02x}: bits 0x{bad:02x} are not changeable "
                                     "(the device's changeable values); --force sends it anyway")
        payload = select_parameters(header, descriptors, new, ten)
        channel.execute(select_cls(pf=True, sp=args.save, rtd=args.rtd, parameter_list_length=len(payload)),
                        data=payload)
    if args.json:
        print_json({"device": args.device, "page_code": page_code, "subpage_code": subpage,
                    "before": current.hex(), "after": new.hex(), "saved": args.save})
    return 0


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-p", "--page", required=True, metavar="PG_H[,SPG_H]", help="page (and subpage) in hex")
    parser.add_argument("-c", "--contents", metavar="H,H...", help="the page bytes to write, in hex")
    parser.add_argument("-m", "--mask", metavar="M,M...", help="which bits of --contents to write (default all)")
    parser.add_argument("-d", "--dbd", action="store_true", help="DBD: no block descriptors")
    parser.add_argument("-f", "--force", action="store_true",
                        help="write even bits not marked changeable; and modify a device in use")
    parser.add_argument("-l", "--len", type=int, choices=(6, 10), default=10, help="MODE SENSE/SELECT 6 or 10")
    parser.add_argument("-6", "--six", action="store_true", help="MODE SENSE/SELECT(6)")
    parser.add_argument("-R", "--rtd", action="store_true", help="RTD: revert to defaults")
    parser.add_argument("-s", "--save", action="store_true", help="SP: save the page")
    add_output(parser)


WR_MODE = Subcommand(
    name="wr-mode", help="MODE SELECT: change a mode page (sg_wr_mode)",
    add_arguments=_arguments, run=_run,
)
