"""``ses``: SCSI Enclosure Services pages, and setting or clearing an element's IDENT or
FAULT, with sg_ses' option names.

Reading: ``sgframe ses DEV`` lists the supported diagnostic pages; ``-p PG`` shows one
(a number or sg_ses' acronym: cf, es, ed, aes, th, ...), ``-j`` joins the status,
element descriptor and additional element status of each element.  Elements are picked
with ``-I`` (type header and element index), ``-A`` (the SAS address of the disk in a
slot), ``-D`` (the element descriptor text) or ``-x`` (the device slot number); ``-G``
prints one field of them.
Changing: ``--set ident -I 0,3`` reads the enclosure status page, builds the control page
that changes only that field of that element and sends it (SEND DIAGNOSTIC); a field is
an acronym or, as in sg_ses, ``BYTE:BIT[:BITS]`` of the element.  With ``-p as`` (or
``ac``, 06h) the same is done through SES-1's array status and control pages, whose
array device elements have the array state requests (``--set hotspare``, ``--clear
infailedarray``); sg_ses 1.46 reads page 06h and sends it only as ``--control --data``,
which works here too.  ``--nickname TEXT
--control`` names a subenclosure (``--nickid``).  ``--filter`` leaves out lines whose
flags are all clear; twice, every element whose status is not OK.
``--inhex FILE`` decodes pages saved as hex (``sg_ses -HHHH`` output) without a device.
"""
from __future__ import annotations

import argparse
import re
import sys
from typing import Any, Dict, List, Optional, Tuple

from ..command import ReceiveDiagnosticResults, SendDiagnostic
from ..decode.ses import (
    DIAGNOSTIC_PAGE_NAMES,
    ELEMENT_TYPES,
    SES1_ARRAY_DEVICE,
    array_element_type,
    build_array_control,
    build_enclosure_control,
    build_subenclosure_nickname_control,
    decode_diagnostic_page,
    element_type,
    join,
    slot_of_sas_address,
)
from ..errors import UsageError
from .base import Subcommand
from .device import DEVICE_HELP, add_readonly, open_channel, parse_int
from .exitcodes import FILE_ERROR, OTHER, SYNTAX_ERROR, CliError
from .output import hexdump, print_json, print_record, to_jsonable

__all__ = ["SES", "PAGE_ACRONYMS", "parse_index", "parse_hex_pages", "render_element"]

#: sg_ses' diagnostic page acronyms (``sg_ses -e``).
PAGE_ACRONYMS: Dict[str, int] = {
    "sdp": 0x00, "cf": 0x01, "ec": 0x02, "es": 0x02, "ht": 0x03, "str": 0x04, "th": 0x05, "ac": 0x06, "as": 0x06,
    "ed": 0x07, "ses": 0x08, "eb": 0x09, "aes": 0x0A, "sht": 0x0B, "sstr": 0x0C, "ssp": 0x0D, "dm": 0x0E,
    "snic": 0x0F, "all": 0xFF,
}
# The pages whose elements only the configuration page (01h) can name; 06h is SES-1's
# array status page, laid out as the enclosure status page.
_NEEDS_CONFIGURATION = (0x02, 0x05, 0x06, 0x07, 0x0A)
_EIIOE_MODES = ("auto", "force")
_ALLOCATION = 65532  # what sg_ses asks for: the largest multiple of 4 in 16 bits

Index = Tuple[int, Optional[Tuple[Optional[int], Optional[int]]]]


def _page(text: str) -> int:
    lowered = text.lower()
    if lowered in PAGE_ACRONYMS:
        return PAGE_ACRONYMS[lowered]
    try:
        code = parse_int(text)
    except argparse.ArgumentTypeError:
        code = -1
    if not 0 <= code <= 0xFF:
        raise argparse.ArgumentTypeError(
            f"a diagnostic page is 0..255 or one of {', '.join(PAGE_ACRONYMS)}, got {text!r}")
    return code


def parse_index(text: str, configuration: Any) -> List[Tuple[int, Optional[int]]]:
    """sg_ses' ``--index``: ``II``, ``A``, ``TIA,II`` with II a number, ``-1`` (overall)
    or a range ``2-5``; A an element type acronym, ``ps1`` the second power supply type.
    ``A`` alone is ``A,-1``, the overall element, as sg_ses reads it; ``TIA,`` with
    nothing after the comma is every individual element of the type.

    :returns: (type_index, element_index or None) pairs.
    :raises UsageError: an index the configuration does not have.
    """
    headers = configuration.type_descriptor_headers
    tia, comma, ii = text.partition(",")
    if not comma:
        tia, ii = ("0", tia) if re.fullmatch(r"-?\d+(-\d+)?", tia) else (tia, "-1")
    if re.fullmatch(r"\d+", tia):
        ti = int(tia)
    else:
        m = re.fullmatch(r"([a-z]+)(\d*)", tia.lower())
        codes = [t.code for t in ELEMENT_TYPES.values() if m and t.acronym == m.group(1)]
        if not codes:
            raise UsageError(f"--index {text!r}: {tia!r} is neither a type header index nor an element type "
                             f"acronym ({', '.join(t.acronym for t in ELEMENT_TYPES.values())})")
        nth = int(m.group(2) or 0)
        matching = [h.type_index for h in headers if h.element_type == codes[0]]
        if nth >= len(matching):
            raise UsageError(f"--index {text!r}: the enclosure has {len(matching)} {tia} type header(s)")
        ti = matching[nth]
    if ti >= len(headers):
        raise UsageError(f"--index {text!r}: type header index {ti} is past the last one ({len(headers) - 1})")
    count = headers[ti].number_of_possible_elements
    if ii == "":
        return [(ti, i) for i in range(count)]
    if ii == "-1":
        return [(ti, None)]
    m = re.fullmatch(r"(\d+)(?:-(\d+))?", ii)
    if not m:
        raise UsageError(f"--index {text!r}: an individual index is a number, -1 or a range such as 2-5")
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    if last >= count or first > last:
        raise UsageError(f"--index {text!r}: type header {ti} ({headers[ti].element_type_name}) has elements "
                         f"0..{count - 1}")
    return [(ti, i) for i in range(first, last + 1)]


def _select(args: argparse.Namespace, source: "_Source", configuration: Any) -> Optional[set]:
    """The elements --index, --sas-addr, --descriptor or --dev-slot-num name (None: all)."""
    given = [o for o in ("index", "sas_addr", "descriptor", "dev_slot_num") if getattr(args, o) is not None]
    if len(given) > 1:
        raise UsageError(f"give one of --index, --sas-addr, --descriptor, --dev-slot-num, not "
                         f"{' and '.join('--' + g.replace('_', '-') for g in given)}")
    if not given:
        return None
    if args.index is not None:
        return set(parse_index(args.index, configuration))
    if args.descriptor is not None:
        ed = decode_diagnostic_page(source.get(0x07), configuration)
        found = {(t.type_index, None) for t in ed.types if t.overall == args.descriptor}
        found |= {(t.type_index, i) for t in ed.types for i, text in enumerate(t.elements) if text == args.descriptor}
        what = f"--descriptor {args.descriptor!r}: no element has that descriptor"
    else:
        aes = source.decoded(0x0A, configuration)
        if args.sas_addr is not None:
            joined = join(configuration, None, None, aes)
            slot = slot_of_sas_address(joined, args.sas_addr)
            found = set() if slot is None else {(slot.type_index, slot.element_index)}
            what = f"--sas-addr 0x{args.sas_addr:x}: no slot holds a device with that SAS address"
        else:
            found = {(d.type_index, d.element_index) for d in aes.descriptors
                     if d.device_slot_number == args.dev_slot_num and d.type_index is not None}
            what = f"--dev-slot-num {args.dev_slot_num}: no element has that device slot number"
    if not found:
        raise UsageError(what)
    return found


Field = Tuple[str, Optional[int]]  # an acronym, or "#<mask>" for BYTE:BIT[:BITS]


def _position_mask(text: str) -> Optional[int]:
    """sg_ses' ``BYTE:BIT[:BITS]``: BITS bits (default 1) from bit BIT of byte BYTE
    downwards, read left to right as the SES tables draw them, as a mask of bytes 0-3.

    :returns: None when ``text`` is not of that form (it is an acronym).
    """
    m = re.fullmatch(r"(\d+):(\d+)(?::(\d+))?", text)
    if not m:
        return None
    byte, bit, bits = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
    if byte > 3 or bit > 7:
        raise UsageError(f"{text!r}: an element has bytes 0..3 and bits 0..7")
    top = (3 - byte) * 8 + bit  # the field's most significant bit within the 32-bit element
    if not 1 <= bits <= top + 1:
        raise UsageError(f"{text!r}: {bits} bit(s) from byte {byte} bit {bit} do not fit in the 4-byte element "
                         f"(at most {top + 1})")
    return ((1 << bits) - 1) << (top + 1 - bits)


def _field_mask(element: Any, name: str, array: bool = False) -> int:
    mask = _position_mask(name)
    if mask is not None:
        return mask
    return (array_element_type if array else element_type)(element.element_type).control_field(name).mask


def _sorted(wanted: set) -> List[Tuple[int, Optional[int]]]:
    return sorted(wanted, key=lambda k: (k[0], -1 if k[1] is None else k[1]))


def _get(status: Any, wanted: set, names: List[str], hex_output: bool, array: bool = False) -> List[str]:
    """sg_ses --get: the bits a field occupies, read from the status element (decimal,
    or 0x... with --hex as sg_ses prints them); ``array``: of the array status page."""
    lines = []
    for ti, ii in _sorted(wanted):
        element = status.element(ti, ii)
        word = int.from_bytes(element.raw, "big")
        for name in names:
            mask = _field_mask(element, name, array)
            value = (word & mask) >> ((mask & -mask).bit_length() - 1)
            lines.append(f"0x{value:x}" if hex_output else str(value))
    return lines


def _control_page(status: Any, wanted: set, changes: List[Tuple[str, int]], ignore_mask: bool = False,
                  array: bool = False) -> bytes:
    """The enclosure control page (SES-1's array control page with ``array``): the
    decoder's builder for acronyms; fields given as BYTE:BIT[:BITS] are then written
    into the selected elements' bytes.

    :param ignore_mask: sg_ses --mask: a selected element starts from all the bits of its
        status element rather than only those that mean the same in the control element
        (what sg_ses did before 1.98, for enclosures that want it).
    """
    named = [(n, v) for n, v in changes if _position_mask(n) is None]
    keys = _sorted(wanted)
    build = build_array_control if array else build_enclosure_control
    type_of = array_element_type if array else element_type
    page = bytearray(build(status, {key: dict(named) for key in keys}))
    offsets = {}
    at = 8  # page header and generation code
    for group in status.types:
        for index in [None] + list(range(len(group.elements))):
            offsets[(group.type_index, index)] = at
            at += 4
    if ignore_mask:
        for key in keys:
            element = status.element(*key)
            word = int.from_bytes(element.raw, "big") | 0x80000000  # SELECT
            for name, value in named:
                mask = type_of(element.element_type).control_field(name).mask
                word = word & ~mask | value << ((mask & -mask).bit_length() - 1)
            page[offsets[key]:offsets[key] + 4] = word.to_bytes(4, "big")
    for name, value in changes:
        mask = _position_mask(name)
        if mask is None:
            continue
        shift = (mask & -mask).bit_length() - 1
        if not 0 <= value <= mask >> shift:
            raise UsageError(f"{name}={value} does not fit its {bin(mask).count('1')} bit(s)")
        for key in keys:
            word = int.from_bytes(page[offsets[key]:offsets[key] + 4], "big")
            word = word & ~mask | value << shift
            page[offsets[key]:offsets[key] + 4] = word.to_bytes(4, "big")
    return bytes(page)


def parse_hex_pages(text: str) -> Dict[int, bytes]:
    """Pages saved as hex (``#`` starts a comment; pages back to back), by page code."""
    cleaned = re.sub(r"#.*", "", text)
    try:
        data = bytes.fromhex(re.sub(r"[\s,]+|0x", "", cleaned))
    except ValueError as exc:
        raise CliError(f"--inhex: not hex: {exc}", FILE_ERROR) from None
    pages: Dict[int, bytes] = {}
    at = 0
    while at + 4 <= len(data):
        length = 4 + int.from_bytes(data[at + 2:at + 4], "big")
        pages.setdefault(data[at], data[at:at + length])
        at += length
    if not pages:
        raise CliError("--inhex: no diagnostic page in the file", FILE_ERROR)
    return pages


class _Source:
    """Where pages come from: the device, or a hex file."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.channel: Any = None
        self.pages: Optional[Dict[int, bytes]] = None
        self.maxlen = args.maxlen or _ALLOCATION  # sg_ses: 0 means the default
        self.eiioe = getattr(args, "eiioe", None)
        if args.inhex is not None:
            try:
                with open(args.inhex, encoding="latin-1") as f:
                    self.pages = parse_hex_pages(f.read())
            except OSError as exc:
                # sg_ses --inhex=/missing: "bad argument, expect '--inhex=FN'", a syntax error
                raise CliError(f"--inhex {args.inhex}: {exc.strerror or exc}", SYNTAX_ERROR) from None
        elif args.device is None:
            raise UsageError("give a DEVICE, or --inhex FILE to decode saved pages")
        else:
            self.channel = open_channel(args)

    def get(self, code: int) -> bytes:
        if self.pages is not None:
            if code not in self.pages:
                raise CliError(f"--inhex: the file has no page {code:02x}h (it has "
                               f"{', '.join(f'{c:02x}h' for c in sorted(self.pages))})", FILE_ERROR)
            return self.pages[code]
        return bytes(self.channel.execute(ReceiveDiagnosticResults(pcv=True, page_code=code,
                                                                   allocation_length=self.maxlen)).data)

    def decoded(self, code: int, configuration: Any = None) -> Any:
        """Page ``code`` read and decoded (0Ah as --eiioe says to read it)."""
        return decode_diagnostic_page(apply_eiioe(self.get(code), self.eiioe), configuration)

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()


# ------------------------------------------------------------------------ text

def apply_eiioe(page: bytes, mode: Optional[str]) -> bytes:
    """sg_ses --eiioe: the additional element status page (0Ah) to decode, with EIIOE set to
    01b in each descriptor that has EIP set and EIIOE 00b, so that ELEMENT INDEX counts the
    overall elements too (SES-3 before r12 left this open; some enclosures count them).

    ``force`` always does so; ``auto`` only when the first descriptor has EIP set and
    ELEMENT INDEX 1 (its first device cannot be element 0 when overall elements count:
    sg_ses' guess). A descriptor whose EIIOE is already non-zero is left as the enclosure
    says. The raw page shown by --hex/--raw is the one read, not this copy.
    """
    if mode is None or len(page) < 8 or page[0] != 0x0A:
        return page
    data = bytearray(page)
    if mode == "auto":
        if len(data) < 12 or not data[8] & 0x10 or data[11] != 1:
            return page
    at = 8
    while at + 4 <= len(data):
        if data[at] & 0x10 and data[at + 2] & 0x03 == 0:
            data[at + 2] |= 0x01
        at += 2 + data[at + 1]
    return bytes(data)


def render_element(status: Any, filtered: bool = False, inner_hex: bool = False, array: bool = False) -> List[str]:
    """A status element the way sg_ses shows it: the status code, then ``Label=value``
    for every field sg_ses names, then the values it computes (rpm, degrees, volts).

    :param filtered: sg_ses --filter: leave out the one-bit flags that are clear (the
        status line and the values stay).
    :param inner_hex: sg_ses --inner-hex: the element's four bytes in hex instead.
    :param array: an element of SES-1's array status page (06h): a device element has the
        array bits (:data:`SES1_ARRAY_DEVICE`).
    """
    if inner_hex:
        return [bytes(status.raw).hex(" ")]
    t = SES1_ARRAY_DEVICE if array and status.element_type == 0x01 else element_type(status.element_type)
    lines = [f"Predicted failure={int(status.prdfail)}, Disabled={int(status.disabled)}, "
             f"Swap={int(status.swap)}, status: {status.element_status_code_name}"]
    pairs = []
    for f in t.status:
        value = getattr(status, f.name, None)
        if f.label is None or value is None or (filtered and f.width == 1 and not value):
            continue
        pairs.append(f"{f.label}={int(value)}")
    for i in range(0, len(pairs), 4):
        lines.append(", ".join(pairs[i:i + 4]))
    extra = {
        "actual_speed_rpm": "Actual speed={} rpm", "temperature_celsius": "Temperature={} C",
        "volts": "Voltage: {:.2f} volts", "amperes": "Current: {:.2f} amps",
        "connector_type_name": "Connector type: {}",
    }
    for name, fmt in extra.items():
        value = getattr(status, name, None)
        if value is not None:
            lines.append(fmt.format(value))
    others = [f"{f.name}={getattr(status, f.name)}" for f in t.status
              if f.label is None and getattr(status, f.name, None) is not None]
    if others:
        lines.append(", ".join(others))
    return lines


def _ok_only(status: Any, level: int) -> bool:
    """sg_ses --filter given twice: only the elements whose status is OK (code 1)."""
    return level < 2 or (status is not None and status.element_status_code == 0x1)


def _print_status(page: Any, wanted: Optional[set], level: int = 0, inner_hex: bool = False,
                  array: bool = False) -> None:
    print("Array Status diagnostic page:" if array else "Enclosure Status diagnostic page:")
    print(f"  INVOP={int(bool(page.invop))}, INFO={int(bool(page.info))}, NON-CRIT={int(bool(page.non_crit))}, "
          f"CRIT={int(bool(page.crit))}, UNRECOV={int(bool(page.unrecov))}")
    print(f"  generation code: 0x{page.generation_code or 0:x}")
    for group in page.types:
        items = [(None, group.overall)] + list(enumerate(group.elements))
        items = [(i, s) for i, s in items if (wanted is None or (group.type_index, i) in wanted)
                 and _ok_only(s, level)]
        if not items:
            continue
        print(f"    Element type: {group.element_type_name}, subenclosure id: {group.subenclosure_identifier} "
              f"[ti={group.type_index}]")
        for index, status in items:
            print("      Overall descriptor:" if index is None else f"      Element {index} descriptor:")
            for line in render_element(status, level > 0, inner_hex, array):
                print(f"        {line}")


def _print_join(joined: Any, wanted: Optional[set], level: int = 0, inner_hex: bool = False) -> None:
    for e in joined:
        if wanted is not None and (e.type_index, e.element_index) not in wanted:
            continue
        if wanted is None and e.element_index is None:
            continue
        if not _ok_only(e.status, level):
            continue
        where = f"[{e.type_index},{-1 if e.element_index is None else e.element_index}]"
        print(f"{e.element_descriptor or ''} {where}  Element type: {e.element_type_name}".strip())
        if e.status is not None:
            print("  Enclosure Status:")
            for line in render_element(e.status, level > 0, inner_hex):
                print(f"    {line}")
        if e.additional is not None:
            a = e.additional
            print("  Additional Element Status:")
            print(f"    Transport protocol: {a.protocol_identifier_name}")
            if a.device_slot_number is not None:
                print(f"    number of phys: {a.number_of_phy_descriptors}, device slot number: {a.device_slot_number}")
            for k, p in enumerate(a.phy_descriptors):
                if hasattr(p, "attached_sas_address"):
                    print(f"    phy index: {k}: {p.device_type_name}, SAS address: 0x{p.sas_address:x}, "
                          f"attached SAS address: 0x{p.attached_sas_address:x}, phy identifier: 0x{p.phy_identifier:x}")


# ------------------------------------------------------------------------ run

def _parse_change(text: str, value: bool) -> Tuple[str, int]:
    name, eq, raw = text.partition("=")
    if not name:
        raise UsageError(f"--set/--clear take a field acronym such as ident or fault, not {text!r}")
    if eq:
        if not value:
            raise UsageError(f"--clear {text!r}: --clear takes no value (it sets the field to 0)")
        try:
            return name, parse_int(raw)
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"--set {text!r}: {exc}") from None
    return name, int(value)


def _nickname(args: argparse.Namespace) -> int:
    """sg_ses --nickname: read the nickname status page for its generation code, send
    the nickname control page for subenclosure --nickid."""
    if not args.control:
        # sg_ses asks for --control as a guard: the nickname changes the enclosure.
        raise UsageError("--nickname changes the enclosure: give --control as well (as sg_ses asks)")
    if args.inhex is not None:
        raise UsageError("--nickname changes a device; it does not go with --inhex")
    if args.set or args.clear or args.get:
        raise UsageError("--nickname goes alone: not with --set, --clear or --get")
    if args.page not in (None, 0x0F):
        raise UsageError(f"--nickname sends the subenclosure nickname control page (snic, 0x0f), not page "
                         f"0x{args.page:02x}")
    if len(args.nickname.encode("utf-8")) > 32:
        # sg_ses drops what is past 32 bytes; sgframe says so rather than send a name
        # the user did not write.
        raise UsageError(f"--nickname {args.nickname!r} is {len(args.nickname.encode('utf-8'))} bytes; a "
                         f"subenclosure nickname holds 32")
    source = _Source(args)
    try:
        status = decode_diagnostic_page(source.get(0x0F))
        if status.generation_code is None:
            raise CliError("the subenclosure nickname status page has no generation code (it is truncated)", OTHER)
        control = build_subenclosure_nickname_control(args.nickid or 0, status.generation_code, args.nickname)
        source.channel.execute(SendDiagnostic(pf=True, parameter_list_length=len(control)), data=control)
    finally:
        source.close()
    return 0


def _enumerate(level: int) -> None:
    """sg_ses --enumerate: the page and element type acronyms; twice, the field acronyms
    --set/--clear/--get take, each with its BYTE:BIT:BITS."""
    if level == 1:
        print("Diagnostic pages, followed by abbreviation(s) then page code:")
        by_code: Dict[int, List[str]] = {}
        for name, code in PAGE_ACRONYMS.items():
            by_code.setdefault(code, []).append(name)
        for code, names in sorted(by_code.items()):
            label = DIAGNOSTIC_PAGE_NAMES.get(code, "All SES diagnostic pages (sgframe ses)")
            print(f"    {label}  [{','.join(names)}] [0x{code:x}]")
        print("\nSES element type names, followed by abbreviation and element type code:")
        for t in sorted(ELEMENT_TYPES.values(), key=lambda t: t.code):
            print(f"    {t.name}  [{t.acronym}] [0x{t.code:x}]")
        return
    print("--clear, --get, --set acronyms for the Enclosure Status/Control page ['es' or 'ec']:")
    rows = set()
    for t in ELEMENT_TYPES.values():
        for f in t.control:
            top = f.mask.bit_length() - 1
            for name in (f.name,) + f.aliases:
                rows.add((name, t.name, f"{3 - top // 8}:{top % 8}:{bin(f.mask).count('1')}"))
    for name, type_name, where in sorted(rows):
        print(f"  {name}  [{type_name}] [{where}]")


def _raw_page(args: argparse.Namespace) -> bytes:
    """--data: page bytes without their 4-byte header, as sg_ses takes them: hex
    separated by spaces or commas, ``@FILE`` or ``-`` (stdin) with # comments."""
    text = args.data
    if text == "-":
        text = sys.stdin.read()
    elif text.startswith("@"):
        try:
            with open(text[1:], encoding="latin-1") as f:
                text = f.read()
        except OSError as exc:
            raise CliError(f"--data {text}: {exc.strerror or exc}", FILE_ERROR) from None
    cleaned = re.sub(r"#.*", "", text)
    words = [w for w in re.split(r"[\s,]+", cleaned) if w]
    if not all(re.fullmatch(r"[0-9a-fA-F]{1,2}", w) for w in words):
        raise UsageError(f"--data: give bytes as hex pairs (a space or comma between them), not {args.data!r}")
    return bytes(int(w, 16) for w in words)


def _send_data(args: argparse.Namespace) -> int:
    """sg_ses --control --data: the page code (--page) and byte 1 (--byte1) before the
    data, the length after them, sent with SEND DIAGNOSTIC as it is."""
    if not args.control:
        raise UsageError("--data sends a control page: give --control as well (as sg_ses asks)")
    if args.page is None or args.page == 0xFF:
        raise UsageError("--data needs --page: the code of the control page it is")
    body = _raw_page(args)
    if len(body) > 0xFFFF:
        raise UsageError(f"--data: {len(body)} bytes; a page holds 65535")
    page = bytes((args.page, args.byte1)) + len(body).to_bytes(2, "big") + body
    with open_channel(args) as channel:
        channel.execute(SendDiagnostic(pf=True, parameter_list_length=len(page)), data=page)
    return 0


def _warn(*records: Any, joined: Any = None) -> None:
    """sg_ses --warn: what the decoders found irregular (a generation code that does not
    match the configuration page's, a descriptor that names no element, a truncated
    page), and the elements the join could not match, on stderr."""
    for record in records:
        for problem in getattr(record, "problems", ()) or ():
            print(f"warning: {problem}", file=sys.stderr)
    for e in joined or ():
        for problem in getattr(e, "problems", ()) or ():
            print(f"warning: [{e.type_index},{-1 if e.element_index is None else e.element_index}] {problem}",
                  file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    if args.eiioe is not None and args.eiioe not in _EIIOE_MODES:
        raise UsageError(f"--eiioe is auto or force, got {args.eiioe!r}")
    if args.enumerate:
        _enumerate(args.enumerate)
        return 0
    if not 0 <= args.byte1 <= 0xFF:
        raise UsageError(f"--byte1 is 0..255, got {args.byte1}")
    if args.data is not None:
        if args.inhex is not None or args.device is None:
            raise UsageError("--data --control sends a page to a DEVICE; use --inhex FILE to decode saved pages")
        return _send_data(args)
    if not 0 <= args.maxlen <= 0xFFFF:
        raise UsageError(f"--maxlen is 0 (the default, {_ALLOCATION}) .. 65535, got {args.maxlen}")
    if args.nickname is not None:
        return _nickname(args)
    if args.nickid is not None:
        raise UsageError("--nickid says which subenclosure --nickname names; give --nickname too")
    changes = [_parse_change(s, True) for s in args.set or ()] + [_parse_change(s, False) for s in args.clear or ()]
    if changes and args.inhex is not None:
        raise UsageError("--set/--clear change a device; they do not go with --inhex")
    if (changes or args.get) and args.page not in (None, 0x02, 0x06):
        raise UsageError(f"--set/--clear/--get act on the enclosure status/control page (es, ec: 0x02) or SES-1's "
                         f"array status/control page (as, ac: 0x06), not page 0x{args.page:02x}")
    # The page --set/--clear/--get read and write: 02h, or 06h for SES-1's array elements.
    array = args.page == 0x06
    selecting = any(getattr(args, o) is not None for o in ("index", "sas_addr", "descriptor", "dev_slot_num"))
    if changes and not selecting:
        raise UsageError("--set/--clear need --index (or --sas-addr, --descriptor, --dev-slot-num) to say which "
                         "element (e.g. --index 0,3)")
    medium_level = any(getattr(args, o) is not None for o in ("sas_addr", "descriptor", "dev_slot_num"))
    if medium_level and args.page is None and not changes and not args.get:
        args.join = True  # sg_ses: --descriptor, --dev-slot-num and --sas-addr imply --join
    page_code = args.page
    if page_code is None:
        page_code = 0x02 if (selecting or changes) else 0x00
    source = _Source(args)
    try:
        selecting = any(getattr(args, o) is not None for o in ("index", "sas_addr", "descriptor", "dev_slot_num"))
        needs_configuration = args.join or changes or args.get or selecting or page_code in _NEEDS_CONFIGURATION
        configuration = decode_diagnostic_page(source.get(0x01)) if needs_configuration else None
        wanted = _select(args, source, configuration)
        if args.get:
            if wanted is None:
                raise UsageError("--get needs an element: --index, --sas-addr, --descriptor or --dev-slot-num")
            print("\n".join(_get(decode_diagnostic_page(source.get(0x06 if array else 0x02), configuration), wanted,
                                  args.get, args.hex, array)))
            return 0
        if changes:
            status = decode_diagnostic_page(source.get(0x06 if array else 0x02), configuration)
            control = _control_page(status, wanted, changes, args.mask, array)
            source.channel.execute(SendDiagnostic(pf=True, parameter_list_length=len(control)), data=control)
            return 0
        if args.join:
            pages = {}
            for code in (0x02, 0x07, 0x0A):
                try:
                    pages[code] = source.decoded(code, configuration)
                except CliError:
                    if source.pages is None:
                        raise
            joined = join(configuration, pages.get(0x02), pages.get(0x07), pages.get(0x0A))
            if args.warn:
                _warn(configuration, *pages.values(), joined=joined)
            if args.json:
                print_json([e for e in joined if (wanted is None or (e.type_index, e.element_index) in wanted)
                            and _ok_only(e.status, args.filter)])
            else:
                _print_join(joined, wanted, args.filter, args.inner_hex)
            return 0
        codes = [page_code]
        if page_code == 0xFF:
            listed = decode_diagnostic_page(source.get(0x00)).supported_pages
            codes = [c for c in listed if c in DIAGNOSTIC_PAGE_NAMES and c not in (0x00,)]
        records = []
        for code in codes:
            raw = source.get(code)
            records.append((code, raw, decode_diagnostic_page(apply_eiioe(raw, source.eiioe), configuration)))
    finally:
        source.close()
    if args.warn:
        _warn(configuration, *(record for _, _, record in records))
    if args.json:
        if len(records) == 1:
            print_json(records[0][2])
        else:
            print_json({f"0x{c:02x}": to_jsonable(r) for c, _, r in records})
        return 0
    if args.raw:
        for code, raw, _ in records:
            if args.raw > 1:
                sys.stdout.buffer.write(raw)  # sg_ses -rr: the whole page, binary
            else:
                body = raw[4:]  # sg_ses -r: the page less its header, as --data takes it back
                print("\n".join(body[i:i + 16].hex(" ") for i in range(0, len(body), 16)))
        sys.stdout.flush()
        return 0
    for n, (code, raw, record) in enumerate(records):
        if len(records) > 1:
            print(("\n" if n else "") + f"{DIAGNOSTIC_PAGE_NAMES.get(code, 'page')} (0x{code:02x}):")
        if args.hex:
            hexdump(raw)
        elif code in (0x02, 0x06) and record.types:
            _print_status(record, wanted, args.filter, args.inner_hex, array=code == 0x06)
        elif code == 0x00 or code == 0x0D:
            print(f"{DIAGNOSTIC_PAGE_NAMES[code]} diagnostic page:")
            for c, name in zip(record.supported_pages, record.page_names):
                print(f"  {name} [0x{c:x}]")
        else:
            print_record(record)
    return 0


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("device", metavar="DEVICE", nargs="?", help=DEVICE_HELP + " (not with --inhex)")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="per-command timeout, passed to the kernel (default 60)")
    parser.add_argument("-p", "--page", type=_page, default=None, metavar="PG",
                        help="diagnostic page: a number or sg_ses' acronym (sdp, cf, es, ht, str, th, as, ed, ses, eb, "
                             "aes, sht, sstr, ssp, dm, snic, all); default sdp, or es with --index; with "
                             "--set/--clear/--get, es (0x02) or SES-1's array page as/ac (0x06)")
    parser.add_argument("-I", "--index", metavar="IIA|TIA,II",
                        help="elements: II (type header 0), A (the overall element of a type, by its acronym such "
                             "as ps or arr), or TIA,II; II is a number, -1 (the overall element), a range 2-5, "
                             "or nothing (every element)")
    parser.add_argument("-A", "--sas-addr", type=lambda t: int(t, 16), metavar="SA",
                        help="the slot whose device has this SAS address (hex), from the additional element status")
    parser.add_argument("-D", "--descriptor", metavar="DES", help="the element whose element descriptor is DES")
    parser.add_argument("-x", "--dev-slot-num", "--dsn", type=parse_int, metavar="SN",
                        help="the element with this device slot number (additional element status)")
    parser.add_argument("-G", "--get", action="append", metavar="STR",
                        help="print a field (ident, fault, ... or BYTE:BIT[:BITS]) of the selected element(s); "
                             "with --hex as 0x...")
    parser.add_argument("-j", "--join", action="store_true",
                        help="each element's status, descriptor and additional element status together")
    parser.add_argument("-a", "--all", dest="join", action="store_true", help="same as --join (as in sg_ses)")
    parser.add_argument("-S", "--set", action="append", metavar="STR",
                        help="set a control field of the selected element(s): an acronym (ident, fault, locate, ...) or "
                             "BYTE:BIT[:BITS], then =VALUE (default 1)")
    parser.add_argument("-C", "--clear", action="append", metavar="STR",
                        help="clear a control field (ident, fault, ...)")
    parser.add_argument("-c", "--control", action="store_true",
                        help="send a control page: needed with --nickname; --set/--clear imply it")
    parser.add_argument("-n", "--nickname", metavar="SEN",
                        help="with --control: set the subenclosure nickname (at most 32 bytes)")
    parser.add_argument("-N", "--nickid", type=parse_int, metavar="SEID",
                        help="the subenclosure --nickname names (default 0, the primary)")
    parser.add_argument("-f", "--filter", action="count", default=0,
                        help="leave out flags that are clear; twice: only elements whose status is OK")
    parser.add_argument("-m", "--maxlen", type=parse_int, default=0, metavar="LEN",
                        help=f"ALLOCATION LENGTH of RECEIVE DIAGNOSTIC RESULTS (default {_ALLOCATION})")
    parser.add_argument("-X", "--inhex", metavar="FILE", help="decode pages saved as hex instead of asking a device")
    parser.add_argument("-d", "--data", metavar="H,H...|@FN|-",
                        help="with --control and --page: send this page body (hex, without the 4-byte header)")
    parser.add_argument("-b", "--byte1", type=parse_int, default=0, metavar="B1", help="byte 1 of the --data page")
    parser.add_argument("-e", "--enumerate", "-l", "--list", action="count", default=0,
                        help="list page and element type acronyms; twice: the field acronyms of --set/--get")
    parser.add_argument("-r", "--raw", action="count", default=0,
                        help="print the page body in hex as --data takes it; twice: the whole page in binary")
    parser.add_argument("-s", "--status", action="store_true",
                        help="read status pages (what sgframe ses does unless it sends a control page)")
    parser.add_argument("-q", "--quiet", action="store_true", help="accepted for sg_ses compatibility")
    add_readonly(parser, "-R")
    parser.add_argument("-E", "--eiioe", metavar="A_F",
                        help="auto or force: read the additional element status page as if EIIOE were 1 "
                             "(ELEMENT INDEX counts overall elements); auto only when its first descriptor "
                             "says element index 1")
    parser.add_argument("-w", "--warn", action="store_true",
                        help="print what does not add up in the pages (generation codes, unmatched "
                             "descriptors, truncation) on stderr")
    parser.add_argument("-M", "--mask", action="store_true",
                        help="with --set/--clear: keep every status bit of the element, not only those the "
                             "control element shares (sg_ses' old read-modify-write)")
    parser.add_argument("-i", "--inner-hex", action="store_true",
                        help="status elements as their four bytes in hex (with -p es or --join)")
    parser.add_argument("-H", "--hex", action="store_true", help="print the page bytes as a hex dump")
    parser.add_argument("--json", action="store_true", default=False,
                        help="print JSON (field names are the T10 names of the decoded records)")


SES = Subcommand(
    name="ses", help="SCSI Enclosure Services: pages, IDENT and FAULT (sg_ses)", add_arguments=_arguments, run=_run,
    description="Read SES diagnostic pages (RECEIVE DIAGNOSTIC RESULTS) and set or clear an element's control "
                "fields (SEND DIAGNOSTIC), with sg_ses' option names.",
)
