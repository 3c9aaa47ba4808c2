"""Readable text for VPD pages where sg_vpd's layout reads better than a field list: the
supported pages (with the names ``inq -p`` takes), and designators (83h, 88h) grouped by
association with an NAA name as its 0x... WWN and a transport named only where the
descriptor says it applies (PIV set, a port or device association)."""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List

from ..decode.designators import Designator
from ..decode.vpd import VPD_PAGE_ACRONYMS, VPD_PAGE_NAMES
from .output import render

__all__ = ["vpd_lines", "designator_lines"]

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


def vpd_lines(page: Any, as_is: bool = False) -> List[str]:
    """A decoded VPD page as text: a heading with the page's name and hex code, then the
    fields (sg_vpd's layout for 00h, 83h and 88h; ``name  value`` lines for the others).

    :param as_is: page 83h's designators in the device's order (sg_vpd's ``di_asis``).
    """
    code = page.page_code
    name = VPD_PAGE_NAMES.get(code, "vendor specific" if code is not None and code >= 0xC0 else "reserved")
    heading = f"{name} VPD page (0x{code:02x}):" if code is not None else "VPD page:"
    special = _as_is if as_is and code == 0x83 else _PAGES.get(code)
    if special is None or type(page).__name__ == "UnknownVpdPage":
        body = ["  " + line for line in render(page)]
    else:
        body = special(page) + [f"  problem: {p}" for p in page.problems]
    return [heading] + body
