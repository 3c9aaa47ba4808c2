"""Readable text for VPD pages where sg_vpd's layout reads better than a field list: the
supported pages (with the names ``inq -p`` takes), and designators (83h, 88h) grouped by
association with an NAA name as its 0x... WWN and a transport named only where the
descriptor says it applies (PIV set, a port or device association)."""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional

from ..decode.designators import Designator
from ..decode.vpd import VPD_PAGE_ACRONYMS, VPD_PAGE_NAMES
from .output import render

__all__ = ["vpd_lines", "designator_lines", "short_designator_lines", "quiet_identification_lines"]

_ACRONYMS = {code: name for name, code in VPD_PAGE_ACRONYMS.items()}
_HEADINGS = {0: "Addressed logical unit", 1: "Target port", 2: "Target device that contains addressed lu"}


def _value_lines(d: Designator) -> List[str]:
    kind = d.designator_type
    if kind in (0x2, 0x3) and not d.problems:
        return [d.identifier]
    if kind == 0x1 and d.t10_vendor_identification is not None:
        specific = bytes(d.vendor_specific_identifier or b"").decode("latin-1")
        return [f"vendor id: {d.t10_vendor_identification}", f"vendor specific: {specific}"]
    for label, value in (("relative target port", d.relative_target_port_identifier),
                         ("target port group", d.target_port_group),
                         ("logical unit group", d.logical_unit_group)):
        if value is not None:
            return [f"{label}: {value:#x}"]
    if d.scsi_name_string is not None:
        return [d.scsi_name_string]
    if d.uuid is not None:
        return [f"UUID: {d.uuid}"]
    if d.device_address is not None:
        return [f"USB device address: {d.device_address:#x}, interface number: {d.interface_number:#x}"]
    if d.routing_id is not None:
        return [f"PCIe routing ID: {d.routing_id:#06x}"]
    return [d.designator.hex(" ") if d.designator else "(empty)"]


def designator_lines(d: Designator, indent: str = "") -> List[str]:
    lines = [f"{indent}designator type: {d.designator_type_name}, code set: {d.code_set_name}"]
    if d.protocol_identifier_name is not None:
        lines.append(f"{indent}  transport: {d.protocol_identifier_name}")
    lines += [f"{indent}  {line}" for line in _value_lines(d)]
    lines += [f"{indent}  problem: {p}" for p in d.problems]
    return lines


def _grouped(designators: Iterable[Designator], indent: str) -> List[str]:
    designators = list(designators)
    lines: List[str] = []
    for assoc in sorted({d.association for d in designators}):
        lines.append(f"{indent}{_HEADINGS.get(assoc, f'association {assoc}')}:")
        for d in designators:
            if d.association == assoc:
                lines += designator_lines(d, indent + "  ")
    return lines


def _supported(page: Any) -> List[str]:
    return [f"  0x{code:02x}  {_ACRONYMS.get(code, ''):<6} {name}"
            for code, name in zip(page.supported_pages, page.supported_page_names)]


def _device_identification(page: Any) -> List[str]:
    return _grouped(page.designation_descriptors, "  ")


def _scsi_ports(page: Any) -> List[str]:
    lines: List[str] = []
    for port in page.scsi_port_designation_descriptors:
        lines.append(f"  relative port: {port.relative_port_identifier}")
        tid = port.initiator_port_transportid
        if tid is not None:
            lines.append(f"    initiator port TransportID: {tid.protocol_identifier_name}, {tid.raw.hex()}")
        if port.target_port_descriptors:
            lines.append("    target port descriptors:")
            lines += [line for d in port.target_port_descriptors for line in designator_lines(d, "      ")]
    return lines


_PAGES: Dict[int, Callable[[Any], List[str]]] = {
    0x00: _supported,
    0x83: _device_identification,
    0x88: _scsi_ports,
}


def _as_is(page: Any) -> List[str]:
    """Page 83h as sg_vpd -p di_asis shows it: each designator in the device's order,
    saying its association, rather than grouped by association."""
    lines: List[str] = []
    for d in page.designation_descriptors:
        lines.append(f"  {_HEADINGS.get(d.association, f'association {d.association}')}:")
        lines += designator_lines(d, "    ")
    return lines


_SAS = 0x6  # protocol identifier of SAS (SPC-5 table 444)


def _hex(d: Designator) -> str:
    return "  0x" + bytes(d.designator).hex()


def short_designator_lines(designators: Iterable[Designator]) -> List[str]:
    """Designators in sg_vpd's short form (``sg_vpd --quiet -p di``, ``-ii``): one line
    each for the names that identify something (EUI-64, NAA, SCSI name string, UUID);
    the others (T10 vendor ID, port and group numbers, MD5) print nothing. A SAS target
    port's NAA name is joined with its relative port number as ``0x<naa>,0x<port>``, in
    whichever order the two designators came (sg_vpd's decode_dev_ids_quiet)."""
    lines: List[str] = []
    port_naa: Optional[Designator] = None  # a SAS target port's NAA, waiting for its port number
    port = 0
    for d in designators:
        raw = bytes(d.designator)
        sas_port = d.piv and d.protocol_identifier == _SAS and d.association == 1
        kind = d.designator_type
        if kind == 0x2:  # EUI-64 based
            lines.append(_hex(d))
        elif kind == 0x3 and d.code_set == 1 and raw:  # NAA, binary as NAA must be
            naa = raw[0] >> 4
            if naa in (3, 5) and len(raw) == 8 and sas_port:
                if port:
                    lines.append(f"{_hex(d)},0x{port:x}")
                    port = 0
                else:
                    if port_naa is not None:
                        lines.append(_hex(port_naa))
                    port_naa = d
            elif (naa in (2, 3, 5) and len(raw) == 8) or (naa == 6 and len(raw) == 16):
                lines.append(_hex(d))
        elif kind == 0x4 and sas_port and d.code_set == 1 and len(raw) == 4:  # relative target port
            port = int.from_bytes(raw[2:4], "big")
            if port_naa is not None:
                lines.append(f"{_hex(port_naa)},0x{port:x}")
                port_naa, port = None, 0
        elif kind == 0x8 and d.code_set in (2, 3):  # SCSI name string (UTF-8; ASCII taken)
            lines.append("  " + raw.rstrip(b"\0").decode("utf-8", "replace"))
        elif kind == 0xA and d.code_set == 1 and len(raw) == 18 and raw[0] >> 4 == 1:  # UUID
            u = raw[2:18].hex()
            lines.append(f"{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:]}")  # sg_vpd: no indent here
    if port_naa is not None:
        lines.append(_hex(port_naa))
    return lines


def _old_format_identifier(raw: bytes) -> List[str]:
    """A page 83h of before SPC (byte 6, a designator's reserved byte, not zero: the page
    is one bare 16-byte identifier, as old EMC arrays send): sg_vpd's short form takes it
    as the logical unit's NAA name, printed when its NAA nibble is 6 (16 bytes)."""
    ident = bytes(raw[4:20])
    return [f"  0x{ident.hex()}"] if len(ident) == 16 and ident[0] >> 4 == 6 else []


def quiet_identification_lines(page: Any, view: Optional[str] = None) -> List[str]:
    """Page 83h as ``sg_vpd --quiet -p di`` (and ``-ii``, ``-q -p di_lu`` ...): the short
    form of the designators, the logical unit's first, then the target port's, then the
    target device's (``di_asis``: in the device's order); ``page`` may be a view already."""
    raw = bytes(page.raw)
    if len(raw) > 6 and raw[6] != 0:
        return _old_format_identifier(raw) if view in (None, "di_lu") else []  # sg_vpd: LU only
    designators = list(page.designation_descriptors)
    if view == "di_asis":
        return short_designator_lines(designators)
    return [line for assoc in (0, 1, 2)
            for line in short_designator_lines(d for d in designators if d.association == assoc)]


def _quiet_supported(page: Any) -> List[str]:
    """Page 00h as ``sg_vpd --quiet -p sv``: each page's name and the acronym -p takes."""
    return [f"  {name} [{_ACRONYMS[code]}]" if code in _ACRONYMS else f"  {name} [0x{code:02x}]"
            for code, name in zip(page.supported_pages, page.supported_page_names)]


def vpd_lines(page: Any, as_is: bool = False, quiet: bool = False, view: Optional[str] = None) -> List[str]:
    """A decoded VPD page as text: a heading with the page's name and hex code, then the
    fields (sg_vpd's layout for 00h, 83h and 88h; ``name  value`` lines for the others).

    :param as_is: page 83h's designators in the device's order (sg_vpd's ``di_asis``).
    :param quiet: sg_vpd --quiet: no heading; page 83h's designators in their short form
        (:func:`quiet_identification_lines`), page 00h as names and acronyms.
    :param view: the ``-p`` name page 83h was asked by (di_lu, di_asis ...), for the short form.
    """
    code = page.page_code
    name = VPD_PAGE_NAMES.get(code, "vendor specific" if code is not None and code >= 0xC0 else "reserved")
    heading = f"{name} VPD page (0x{code:02x}):" if code is not None else "VPD page:"
    known = type(page).__name__ != "UnknownVpdPage"
    if quiet and known and code == 0x83:
        return quiet_identification_lines(page, "di_asis" if as_is else view)
    if quiet and known and code == 0x00:
        return _quiet_supported(page)
    special = _as_is if as_is and code == 0x83 else _PAGES.get(code)
    if special is None or type(page).__name__ == "UnknownVpdPage":
        body = ["  " + line for line in render(page)]
    else:
        body = special(page) + [f"  problem: {p}" for p in page.problems]
    return body if quiet else [heading] + body
