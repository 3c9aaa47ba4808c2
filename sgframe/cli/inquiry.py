"""``inq``, ``readcap``, ``luns`` and ``opcodes``: what a device is and what it holds."""
from __future__ import annotations

import argparse
import sys
from typing import Any, Optional

import attrs

from ..channel import Channel
from ..command import REGISTRY, Inquiry, ReadCapacity10, ReadCapacity16, ReportLuns, ReportSupportedOperationCodes
from ..decode.capacity import decode_read_capacity10, decode_read_capacity16
from ..decode.inquiry import decode_inquiry
from ..decode.luns import decode_report_luns
from ..decode.opcodes import decode_supported_opcodes
from ..decode.versions import version_descriptor_name
from ..decode.vpd import DESIGNATOR_VIEWS, VPD_PAGE_ACRONYMS, DeviceIdentification, decode_vpd
from ..errors import CheckCondition, UsageError
from .base import Subcommand
from .device import add_device, add_output, open_channel, parse_int
from .exitcodes import FILE_ERROR, MALFORMED, NOT_LISTED, CliError, exit_code_for
from .output import hexdump, print_json, print_record, print_table, to_jsonable
from .response import add_inhex, read_inhex
from .vpd_text import vpd_lines

__all__ = ["INQ", "READCAP", "LUNS", "OPCODES", "VPD_PAGES", "vpd_page_code", "read_vpd"]

#: sg_vpd's views of the device identification page (83h): the designators of one
#: association only (the decoder's DESIGNATOR_VIEWS: di_lu, di_port, di_target), or all
#: of them in the order the device gave them (``di_asis``) rather than grouped.
DI_VIEWS = (*DESIGNATOR_VIEWS, "di_asis")

#: VPD page codes by the names sg_vpd accepts for them (``sg_vpd --enumerate``), and
#: "zbdc", which sgframe took for B6h before it followed sg_vpd's "zbdch".
VPD_PAGES = {**VPD_PAGE_ACRONYMS, **{name: 0x83 for name in DI_VIEWS}, "zbdc": 0xB6}


class VpdChoice(int):
    """A page code as ``-p`` gave it by name; ``view`` is one of :data:`DI_VIEWS` when the
    name asked for a view of page 83h. (A page given as a number stays a plain int.)"""

    view: Optional[str] = None


#: What the names that are not a page's own acronym stand for (sg_vpd -e's wording).
_NAME_MEANINGS = {
    "di_asis": "Like 'di' but designators ordered as found",
    "di_lu": "Device identification, lu only",
    "di_port": "Device identification, target port only",
    "di_target": "Device identification, target device only",
    "zbdc": "Zoned block device characteristics (sgframe's older name for zbdch)",
}


def vpd_name_rows(code: Optional[int] = None) -> list:
    """``(name, page code, meaning)`` for every name ``-p`` takes, sorted by name as
    sg_vpd --enumerate sorts them; only those of page ``code`` when given."""
    from ..decode.vpd import VPD_PAGE_NAMES

    rows = [(name, page, _NAME_MEANINGS.get(name, VPD_PAGE_NAMES.get(page, "")))
            for name, page in VPD_PAGES.items() if code is None or page == code]
    return sorted(rows)


# sg_inq's first INQUIRY asks for 36 bytes on old devices' behalf; every device since
# SCSI-2 accepts more, and 252 keeps the length within one byte for SCSI-1 era firmware
# that only reads byte 4 of the allocation length.
_FIRST_ALLOCATION = 252


def vpd_page_code(text: str) -> int:
    """A VPD page as a number (0x83, 83h, 131) or an sg_vpd abbreviation (di, di_lu)."""
    if text.lower() in VPD_PAGES:
        choice = VpdChoice(VPD_PAGES[text.lower()])
        choice.view = text.lower() if text.lower() in DI_VIEWS else None
        return choice
    try:
        code = parse_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a VPD page: give a number or one of {', '.join(VPD_PAGES)}") from None
    if not 0 <= code <= 0xFF:
        raise argparse.ArgumentTypeError(f"a VPD page code is 0..255 (0x00..0xff), got {text}")
    return code


def _inquiry(channel: Channel, evpd: bool, page: int, maxlen: int = 0) -> bytes:
    """The whole response: asked with 252 bytes, then again with the length it says; with
    ``maxlen`` (sg_vpd/sg_inq --maxlen), one INQUIRY with that allocation length."""
    if maxlen:
        return channel.execute(Inquiry(evpd=evpd, page_code=page, allocation_length=maxlen)).data
    data = channel.execute(Inquiry(evpd=evpd, page_code=page, allocation_length=_FIRST_ALLOCATION)).data
    # Standard data says its length in byte 4, a VPD page in bytes 2-3; ask again for all.
    if evpd:
        wanted = 4 + int.from_bytes(data[2:4], "big") if len(data) >= 4 else 0
    else:
        wanted = 5 + data[4] if len(data) >= 5 else 0
    if wanted > len(data) and len(data) == _FIRST_ALLOCATION:
        data = channel.execute(Inquiry(evpd=evpd, page_code=page,
                                       allocation_length=min(wanted, 0xFFFF))).data
    return data


def read_vpd(channel: Channel, page: int, maxlen: int = 0, vendor: Optional[str] = None) -> tuple[bytes, Any]:
    """A VPD page's bytes and its decoded record (by the plugin named ``vendor`` first,
    when given: sg_vpd --vendor)."""
    data = _inquiry(channel, True, page, maxlen)
    return data, _decode_vpd(data, vendor)


def _decode_vpd(data: bytes, vendor: Optional[str]) -> Any:
    if vendor is None:
        return decode_vpd(data)
    from ..plugins import manager

    return manager().decode_vpd_page(data, plugins=[vendor])


def _check_vendor(vendor: Optional[str]) -> None:
    """--vendor names a loaded plugin: sg_vpd picks a vendor's decoder of the shared
    vendor-specific page codes (C0h..FFh) by an acronym; sgframe's vendor decoders are
    the plugins (``sgframe plugins``), bound to a device by its INQUIRY vendor, and
    --vendor applies one to any device or saved page."""
    if vendor is None:
        return
    from ..plugins import BUILTIN, manager

    loaded = sorted(i.name for i in manager() if i.state == "loaded" and i.name != BUILTIN)
    if vendor not in loaded:
        raise UsageError(f"--vendor {vendor!r}: not a loaded plugin; loaded: {', '.join(loaded) or 'none'}")


def _run_enumerate(args: argparse.Namespace) -> int:
    """sg_vpd --enumerate: the VPD page names ``-p`` takes, without a device; with
    ``-p NUMBER``, the names of that page only."""
    if isinstance(args.vpd, VpdChoice):
        raise UsageError("with --enumerate, --page is a page number to search for (e.g. -p 0xb1), not a name")
    code = None if args.vpd is None else int(args.vpd)
    rows = vpd_name_rows(code)
    if args.json:
        print_json([{"name": name, "page_code": page, "description": meaning} for name, page, meaning in rows])
        return 0
    if not rows:
        print(f"No matches found for VPD page number 0x{code:x}")
        return 0
    print("Standard VPD pages:" if code is None else "Matching standard VPD pages:")
    for name, page, meaning in rows:
        print(f"  {name:<10} 0x{page:02x}      {meaning}")
    if code is None:
        print("Vendor specific pages (C0h..FFh) are decoded by plugins: see 'sgframe plugins' and --vendor.")
    return 0


def _check_listed(channel: Channel, code: int) -> None:
    """sg_vpd's sanity check before asking for a page other than 00h: the device's
    supported VPD pages (00h) must list it (--force skips this).

    :raises CliError: not listed (exit 83, as sg_vpd), or page 00h itself refused.
    """
    try:
        listing = decode_vpd(_inquiry(channel, True, 0x00))
    except CheckCondition as exc:
        raise CliError(f"the device did not return its supported VPD pages (page 00h): {exc}; "
                       f"--force asks for page 0x{code:02x} without that check", exit_code_for(exc)) from None
    supported = tuple(getattr(listing, "supported_pages", ()))
    if code not in supported:
        raise CliError(f"VPD page 0x{code:02x} is not in the device's supported VPD pages (page 00h lists "
                       f"{', '.join(f'0x{c:02x}' for c in supported) or 'none'}); --force asks for it anyway",
                       NOT_LISTED)


def _check_page_code(raw: bytes, code: int, force: bool) -> None:
    """The response says it is page ``code`` (byte 1); a device that answers another page
    (or standard data) is refused, unless --force (then decoded as what it says it is)."""
    if len(raw) > 1 and raw[1] == code:
        return
    got = f"page 0x{raw[1]:02x}" if len(raw) > 1 else f"{len(raw)} bytes"
    if not force:
        raise CliError(f"asked for VPD page 0x{code:02x}, the device returned {got}; --force decodes it anyway",
                       MALFORMED)
    print(f"sgframe inq: asked for VPD page 0x{code:02x}, the device returned {got} (decoded as it is: --force)",
          file=sys.stderr)


def _examine(channel: Channel, args: argparse.Namespace) -> list:
    """sg_vpd --examine: INQUIRY every VPD page code from 80h (00h when given twice) to
    --page or FFh, whatever page 00h lists; the pages the device answers."""
    first = 0x00 if args.examine > 1 else 0x80
    last = 0xFF if args.vpd is None else int(args.vpd)
    if last < first:
        raise UsageError(f"--examine scans from 0x{first:02x} to --page; --page 0x{last:02x} is below that")
    found = []
    for code in range(first, last + 1):
        try:
            raw, record = read_vpd(channel, code, args.maxlen, args.vendor)
        except CheckCondition:
            continue  # ILLEGAL REQUEST: no such page
        if len(raw) > 1 and raw[1] == code:
            found.append((code, raw, record))
    return found


def _unit_serial_number(channel: Channel) -> str | None:
    """Page 80h's serial number, as sg_inq shows it beside the standard data; ``None`` when
    the device has no such page (it answers ILLEGAL REQUEST)."""
    try:
        return read_vpd(channel, 0x80)[1].product_serial_number
    except CheckCondition:
        return None


def _standard_summary(record: Any, serial: str | None) -> None:
    flags = [name for name, value in (
        ("RMB", record.rmb), ("NormACA", record.normaca), ("HiSup", record.hisup),
        ("SCCS", record.sccs), ("ACC", record.acc), ("3PC", record.three_pc),
        ("Protect", record.protect), ("EncServ", record.encserv), ("MultiP", record.multip),
        ("CmdQue", record.cmdque)) if value]
    if record.tpgs:
        flags.append(f"TPGS={record.tpgs}")
    rows = [
        ("Vendor", record.vendor_identification),
        ("Product", record.product_identification),
        ("Revision", record.product_revision_level),
        ("Device type", f"{record.peripheral_device_type_name} ({record.peripheral_device_type:#04x})"
         if record.peripheral_device_type is not None else None),
        ("Qualifier", record.peripheral_qualifier_name),
        ("Version", f"{record.version_name} ({record.version:#04x})" if record.version is not None else None),
        ("Flags", " ".join(flags) or "(none)"),
        ("Serial", serial),
    ]
    for label, value in rows:
        if value is not None:
            print(f"{label + ':':<13}{value}")
    if record.version_descriptors:
        print("Version descriptors:")
        for code in record.version_descriptors:
            print(f"  0x{code:04x}  {version_descriptor_name(code)}")
    for problem in record.problems:
        print(f"problem:     {problem}")


def _view(record: Any, args: argparse.Namespace) -> Any:
    """Page 83h narrowed to the association ``-p di_lu/di_port/di_target`` asked for."""
    view = getattr(args.vpd, "view", None)
    if view in DESIGNATOR_VIEWS and isinstance(record, DeviceIdentification):
        return record.view(view)
    return record


def _take_ident(args: argparse.Namespace) -> None:
    """sg_vpd --ident: page 83h (``-p di``); given twice, the logical unit's designators
    in the short form (``--quiet -p di_lu``)."""
    if not args.ident:
        return
    choice = VpdChoice(0x83)
    choice.view = "di_lu" if args.ident > 1 else None
    args.vpd = choice
    args.quiet = args.quiet or args.ident > 1


def _run_inq(args: argparse.Namespace) -> int:
    if args.enumerate:
        return _run_enumerate(args)
    _take_ident(args)
    if not 0 <= args.maxlen <= 0xFFFF:
        raise UsageError(f"--maxlen is an allocation length, 0 (as needed) .. 65535, got {args.maxlen}")
    _check_vendor(args.vendor)
    if args.examine and (args.all_vpd or args.inhex is not None):
        raise UsageError("--examine asks a device for each page code; not with --all-vpd or --inhex")
    saved = read_inhex(args)
    if saved is not None:
        if args.all_vpd:
            raise UsageError("--all-vpd asks a device for each page; with --inhex give -p PAGE (a VPD page) or "
                             "nothing (standard INQUIRY data)")
        if args.vpd is not None and len(saved) > 1 and saved[1] != args.vpd:
            if not args.force:
                raise CliError(f"--inhex {args.inhex}: the file holds VPD page 0x{saved[1]:02x}, not "
                               f"0x{args.vpd:02x}; --force decodes it as the page it holds", FILE_ERROR)
            print(f"sgframe inq: --inhex {args.inhex} holds VPD page 0x{saved[1]:02x}, not 0x{args.vpd:02x} "
                  "(decoded as it is: --force)", file=sys.stderr)
        record = _view(_decode_vpd(saved, args.vendor), args) if args.vpd is not None else decode_inquiry(saved)
        return _show_inq(args, saved, record, None)
    with open_channel(args) as channel:
        if args.all_vpd or args.examine:
            if args.examine:
                pages = _examine(channel, args)
            else:
                listing, supported = read_vpd(channel, 0x00, args.maxlen, args.vendor)
                pages = [(0x00, listing, supported)]
                for code in supported.supported_pages:
                    if code != 0x00:
                        pages.append((code, *read_vpd(channel, code, args.maxlen, args.vendor)))
            if args.raw:
                for _, raw, _ in pages:
                    sys.stdout.buffer.write(raw)
                sys.stdout.flush()
                return 0
            if args.json:
                print_json({f"0x{code:02x}": to_jsonable(record) for code, _, record in pages})
                return 0
            for i, (code, raw, record) in enumerate(pages):
                if i:
                    print()
                if args.hex:
                    print(f"VPD page 0x{code:02x}:")
                    hexdump(raw)
                elif args.quiet:  # sg_vpd -qa: each page's heading, then its short form
                    print("\n".join(vpd_lines(record)[:1] + vpd_lines(record, quiet=True)))
                else:
                    print("\n".join(vpd_lines(record)))
            return 0
        serial = None
        if args.vpd is not None:
            if not args.force and args.vpd != 0x00:
                _check_listed(channel, int(args.vpd))
            raw, record = read_vpd(channel, args.vpd, args.maxlen, args.vendor)
            if not args.raw:
                _check_page_code(raw, int(args.vpd), args.force)
            record = _view(record, args)
        else:
            raw = _inquiry(channel, False, 0, args.maxlen)
            record = decode_inquiry(raw)
            if not args.hex and not args.raw:
                serial = _unit_serial_number(channel)
    return _show_inq(args, raw, record, serial)


def _show_inq(args: argparse.Namespace, raw: bytes, record: Any, serial: Optional[str]) -> int:
    if args.raw:
        sys.stdout.buffer.write(raw)  # sg_vpd/sg_inq --raw: the response in binary
        sys.stdout.flush()
        return 0
    if args.json:
        if args.vpd is None:
            print_json(dict(to_jsonable(record), unit_serial_number=serial,
                            version_descriptor_names=[version_descriptor_name(c) for c in record.version_descriptors]))
        else:
            print_json(record)
    elif args.hex:
        hexdump(raw)
    elif args.vpd is not None:
        view = getattr(args.vpd, "view", None)
        lines = vpd_lines(record, as_is=view == "di_asis", quiet=args.quiet, view=view)
        if lines:  # the short form of a page may have nothing to say
            print("\n".join(lines))
    elif not args.long:
        _standard_summary(record, serial)
    else:
        print_record(record)
        if serial is not None:
            # Aligned with print_record's columns: the longest field name and two spaces.
            width = max(len(a.name) for a in attrs.fields(type(record))) + 2
            print(f"{'unit_serial_number':<{width}}{serial}")
    return 0


def _inq_arguments(parser: argparse.ArgumentParser) -> None:
    add_inhex(parser)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("-p", "--page", "--vpd", dest="vpd", type=vpd_page_code, metavar="PAGE",
                       help="a VPD page: a number (0x83, 83h) or sg_vpd's name for it "
                            "(sv, sn, di, di_lu, di_port, di_target, di_asis, sp, bl, bdc, lbpv, zbdch, ...)")
    which.add_argument("-a", "--all-vpd", "--all", dest="all_vpd", action="store_true",
                       help="every VPD page the device lists in page 00h")
    which.add_argument("-i", "--ident", action="count", default=0,
                       help="device identification page 83h (-p di); twice: the logical unit's designators in "
                            "the short form (-q -p di_lu)")
    parser.add_argument("-e", "--enumerate", action="store_true",
                        help="list the VPD page names -p takes (no DEVICE); with -p NUMBER, those of that page")
    parser.add_argument("-f", "--force", action="store_true",
                        help="ask for the page even if the device's supported VPD pages (00h) do not list it; "
                             "decode a response of another page code as what it says it is")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="VPD pages without their heading; 83h's designators in the short form, one line "
                             "each; 00h as names and acronyms")
    parser.add_argument("-l", "--long", action="store_true", help="every field of standard INQUIRY data")
    parser.add_argument("-m", "--maxlen", type=parse_int, default=0, metavar="LEN",
                        help="allocation length: one INQUIRY asking for LEN bytes (default 0: 252, then as "
                             "much as the response says)")
    parser.add_argument("-r", "--raw", action="store_true",
                        help="write the response in binary to stdout (with --inhex: the file is binary)")
    parser.add_argument("-M", "--vendor", metavar="PLUGIN",
                        help="decode vendor-specific pages with this plugin (see 'sgframe plugins'), whatever the "
                             "device's vendor")
    parser.add_argument("-E", "--examine", action="count", default=0,
                        help="ask for every VPD page from 0x80 (twice: 0x00) to --page or 0xff, listed in 00h "
                             "or not")
    add_output(parser, hex_help="print the response bytes as a hex dump")


INQ = Subcommand(
    name="inq", help="INQUIRY: standard data or VPD pages", add_arguments=_inq_arguments, run=_run_inq,
    description="Send INQUIRY and print the standard data (with the unit serial number and the "
                "version descriptors named), one VPD page (-p NAME, sg_vpd's page names: "
                + ", ".join(VPD_PAGES) + ") or all of them (--all-vpd). As sg_vpd, a page other than 00h "
                "is asked for only when page 00h lists it (--force: asked anyway); --enumerate lists the "
                "names without a device.",
)


def _binary_size(size: int) -> str:
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:.2f} {unit}"
    return f"{size} bytes"


def _run_readcap(args: argparse.Namespace) -> int:
    with open_channel(args) as channel:
        raw = b""
        record: Any = None
        if not args.long:
            raw = channel.execute(ReadCapacity10()).data
            record = decode_read_capacity10(raw)
        # SBC-4: FFFFFFFFh means the capacity does not fit in READ CAPACITY (10).
        if args.long or record.needs_read_capacity16:
            raw = channel.execute(ReadCapacity16(allocation_length=32)).data
            record = decode_read_capacity16(raw)
    if args.json:
        print_json(dict(to_jsonable(record), blocks=record.blocks, size_bytes=record.size_bytes))
        return 0
    if args.hex:
        hexdump(raw)
        return 0
    print(f"Last LBA:         {record.returned_lba}")
    print(f"Number of blocks: {record.blocks}")
    print(f"Block length:     {record.block_length} bytes")
    size = record.size_bytes
    if size is not None:
        print(f"Capacity:         {size} bytes ({_binary_size(size)})")
    if hasattr(record, "lbpme"):
        print(f"Protection:       {'type %d' % (record.p_type + 1) if record.prot_en else 'none'}")
        print(f"Physical blocks:  {2 ** (record.logical_blocks_per_physical_block_exponent or 0)} "
              f"logical blocks each, lowest aligned LBA {record.lowest_aligned_lba}")
        print(f"Provisioning:     LBPME={int(bool(record.lbpme))} LBPRZ={int(bool(record.lbprz))}")
    for problem in record.problems:
        print(f"problem:          {problem}")
    return 0


def _readcap_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-l", "--long", "--16", action="store_true", help="use READ CAPACITY (16)")
    add_output(parser, hex_help="print the response bytes as a hex dump")


READCAP = Subcommand(
    name="readcap", help="READ CAPACITY: number of blocks and block length",
    add_arguments=_readcap_arguments, run=_run_readcap,
    description="Send READ CAPACITY (10), or (16) when asked or when the capacity needs it.",
)


def _run_luns(args: argparse.Namespace) -> int:
    with open_channel(args) as channel:
        first = channel.execute(ReportLuns(select_report=args.select, allocation_length=8192)).data
        listed = 8 + int.from_bytes(first[0:4], "big") if len(first) >= 4 else 0
        raw = first
        if listed > len(first) == 8192:
            raw = channel.execute(ReportLuns(select_report=args.select, allocation_length=listed)).data
    record = decode_report_luns(raw)
    if args.json:
        print_json(record)
    elif args.hex:
        hexdump(raw)
    else:
        print_table(("LUN", "Linux LUN", "address method"), (
            (lun.raw.hex(), lun.linux_lun, ", ".join(level.address_method_name for level in lun.levels))
            for lun in record.luns))
        for problem in record.problems:
            print(f"problem: {problem}")
    return 0


def _luns_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-s", "--select", type=parse_int, default=0, metavar="SR",
                        help="SELECT REPORT (0 all LUNs, 1 well known, 2 all; default 0)")
    add_output(parser, hex_help="print the response bytes as a hex dump")


LUNS = Subcommand(name="luns", help="REPORT LUNS", add_arguments=_luns_arguments, run=_run_luns)


def command_name(opcode: int, service_action: int | None) -> str | None:
    """The registered command's T10 name for an opcode (and service action), if any."""
    try:
        return REGISTRY.lookup(opcode, service_action).NAME
    except UsageError:
        return None


def _run_opcodes(args: argparse.Namespace) -> int:
    if args.sa is not None and args.opcode is None:
        raise UsageError("--sa needs --opcode")
    if args.opcode is None:
        options, opcode, sa = 0, 0, 0
    else:
        options, opcode, sa = (1, args.opcode, 0) if args.sa is None else (2, args.opcode, args.sa)
    with open_channel(args) as channel:
        raw = channel.execute(ReportSupportedOperationCodes(
            reporting_options=options, requested_operation_code=opcode,
            # 0xFFFF: scsi_debug (and SPC-2 era devices) refuse more, sg_opcodes asks the same.
            requested_service_action=sa, allocation_length=0xFFFF)).data
    record = decode_supported_opcodes(raw, options)
    if args.json:
        print_json(record)
    elif args.hex:
        hexdump(raw)
    elif options == 0:
        print_table(("opcode", "SA", "CDB", "name"), (
            (f"{d.operation_code:02x}", f"{d.service_action:x}" if d.servactv else None, d.cdb_length,
             command_name(d.operation_code, d.service_action if d.servactv else None))
            for d in record.command_descriptors))
    else:
        print_record(record)
    return 0


def _opcodes_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-o", "--opcode", type=parse_int, metavar="OP", help="report this opcode only")
    parser.add_argument("-s", "--sa", type=parse_int, metavar="SA", help="with --opcode: this service action")
    add_output(parser, hex_help="print the response bytes as a hex dump")


OPCODES = Subcommand(
    name="opcodes", help="REPORT SUPPORTED OPERATION CODES", add_arguments=_opcodes_arguments,
    run=_run_opcodes,
)
