"""SES-4 diagnostic pages (RECEIVE DIAGNOSTIC RESULTS): 00h-0Fh and 3Fh.

Every page starts with PAGE CODE (byte 0), a page-specific byte 1 and PAGE LENGTH (bytes
2-3, the bytes that follow).  The enclosure status, threshold in, element descriptor and
additional element status pages list their elements in the order of the configuration
page's type descriptor headers, so their decoders take the decoded configuration page;
without it they keep the bytes and say so in ``problems``.

Indexes follow sg_ses: ``type_index`` is the position of the type descriptor header,
``element_index`` the position of an individual element within its type (the overall
element has none).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

import attrs

from .._util import Reader, Record, ascii_text, name_of, raw_repr, record
from ..designators import PROTOCOL_IDENTIFIERS
from .elements import decode_array_status_element, decode_status_element, element_type_name

__all__ = [
    "DIAGNOSTIC_PAGE_NAMES",
    "DIAGNOSTIC_PAGE_DECODERS",
    "SupportedDiagnosticPages",
    "EnclosureDescriptor",
    "TypeDescriptorHeader",
    "ConfigurationPage",
    "TypeStatus",
    "EnclosureStatusPage",
    "ArrayStatusPage",
    "HelpTextPage",
    "StringInPage",
    "ThresholdDescriptor",
    "TypeThresholds",
    "ThresholdInPage",
    "TypeDescriptors",
    "ElementDescriptorPage",
    "ShortEnclosureStatusPage",
    "EnclosureBusyPage",
    "SasPhyDescriptor",
    "ExpanderPhyDescriptor",
    "PortPhyDescriptor",
    "FcPortDescriptor",
    "AdditionalElementStatusDescriptor",
    "AdditionalElementStatusPage",
    "SubenclosureText",
    "SubenclosureTextPage",
    "DownloadMicrocodeStatusDescriptor",
    "DownloadMicrocodeStatusPage",
    "SubenclosureNicknameDescriptor",
    "SubenclosureNicknameStatusPage",
    "ProtocolSpecificPage",
    "UnknownDiagnosticPage",
    "decode_diagnostic_page",
    "element_positions",
]

#: SES-4 table 10 with SPC-5's pages 00h and 3Fh (names as sg_ses prints them).
DIAGNOSTIC_PAGE_NAMES = {
    0x00: "Supported Diagnostic Pages",
    0x01: "Configuration",
    0x02: "Enclosure Status",
    0x03: "Help Text",
    0x04: "String In",
    0x05: "Threshold In",
    0x06: "Array Status",
    0x07: "Element Descriptor",
    0x08: "Short Enclosure Status",
    0x09: "Enclosure Busy",
    0x0A: "Additional Element Status",
    0x0B: "Subenclosure Help Text",
    0x0C: "Subenclosure String In",
    0x0D: "Supported SES Diagnostic Pages",
    0x0E: "Download Microcode Status",
    0x0F: "Subenclosure Nickname Status",
    0x3F: "Protocol Specific",
    0x40: "Translate Address",
    0x41: "Device Status",
    0x42: "Rebuild Assist",
}

#: SES-4 table 119 (SAS DEVICE TYPE of a phy descriptor).
SAS_DEVICE_TYPES = {
    0: "no SAS device attached", 1: "end device", 2: "expander device", 3: "expander device (fanout, SAS-1.1)",
}

#: SES-4 table 88 (SUBENCLOSURE DOWNLOAD MICROCODE STATUS), in outline.
DOWNLOAD_MICROCODE_STATUS = {
    0x00: "no download microcode operation in progress",
    0x01: "download in progress, awaiting more",
    0x02: "download complete, updating non-volatile storage",
    0x03: "updating non-volatile storage with deferred microcode",
    0x10: "complete, no error, starting now",
    0x11: "complete, no error, start after hard reset or power on",
    0x12: "complete, no error, start after power on",
    0x13: "complete, no error, start after activate mc, hard reset or power on",
    0x14: "complete, no error, start after activate mc or power on",
    0x80: "error, discarded, see additional status",
    0x81: "error, discarded, image error",
    0x82: "timeout, discarded",
    0x83: "internal error, new image needed before reset",
    0x84: "internal error, hard reset and power on safe",
    0x85: "processed activate deferred microcode",
}


# ------------------------------------------------------------------ common pieces

def _header(r: Reader) -> Dict[str, Any]:
    return {"page_code": r.uint(0), "page_length": r.uint(2, 2)}


def _page(data: bytes, what: str) -> Reader:
    """A reader over the page, cut at 4 + PAGE LENGTH (padding after it is not the page)."""
    data = bytes(data)
    r = Reader(data, what)
    length = r.uint(2, 2)
    if length is not None and 4 + length < len(data):
        r = Reader(data[:4 + length], what)
    elif length is not None and 4 + length > len(data):
        r.problem(f"PAGE LENGTH says {length} bytes follow the header but only {len(data) - 4} do")
    return r


@record
class SupportedDiagnosticPages(Record):
    """Page 00h (SPC-5 7.2.2) and 0Dh (supported SES pages, SES-4 6.1.16): a list of codes."""

    page_code: Optional[int] = None
    page_length: Optional[int] = None
    supported_pages: Tuple[int, ...] = ()
    page_names: Tuple[str, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def _supported(data: bytes, configuration: Any = None) -> SupportedDiagnosticPages:
    r = _page(data, "supported diagnostic pages")
    codes = tuple(r.data[4:])
    return SupportedDiagnosticPages(**_header(r), supported_pages=codes,
                                    page_names=tuple(name_of(DIAGNOSTIC_PAGE_NAMES, c, "unknown") for c in codes),
                                    raw=r.data, problems=tuple(r.problems))


# ----------------------------------------------------------------- configuration

@record
class EnclosureDescriptor(Record):
    """One enclosure descriptor of the configuration page (SES-4 6.1.2.2)."""

    relative_enclosure_services_process_identifier: int
    number_of_enclosure_services_processes: int
    subenclosure_identifier: int
    number_of_type_descriptor_headers: int
    enclosure_descriptor_length: int
    enclosure_logical_identifier: Optional[bytes] = None
    enclosure_vendor_identification: Optional[str] = None
    product_identification: Optional[str] = None
    product_revision_level: Optional[str] = None
    vendor_specific_enclosure_information: bytes = b""


@record
class TypeDescriptorHeader(Record):
    """A type descriptor header (SES-4 6.1.2.3) with its text."""

    type_index: int
    element_type: int
    element_type_name: str
    number_of_possible_elements: int
    subenclosure_identifier: int
    type_descriptor_text_length: int
    type_descriptor_text: str = ""


@record
class ConfigurationPage(Record):
    """Page 01h (SES-4 6.1.2)."""

    page_code: Optional[int] = None
    number_of_secondary_subenclosures: Optional[int] = None
    page_length: Optional[int] = None
    generation_code: Optional[int] = None
    enclosure_descriptors: Tuple[EnclosureDescriptor, ...] = ()
    type_descriptor_headers: Tuple[TypeDescriptorHeader, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()

    @property
    def primary_enclosure_logical_identifier(self) -> Optional[bytes]:
        for e in self.enclosure_descriptors:
            if e.subenclosure_identifier == 0:
                return e.enclosure_logical_identifier
        return None


def decode_configuration(data: bytes, configuration: Any = None) -> ConfigurationPage:
    r = _page(data, "configuration page")
    secondary = r.uint(1)
    descriptors: List[EnclosureDescriptor] = []
    offset = 8
    for _ in range((secondary or 0) + 1):
        if not r.has(offset, 4):
            r.problem(f"enclosure descriptor at byte {offset} missing")
            break
        length = r.uint(offset + 3)
        body = r.data[offset:offset + 4 + length]
        if len(body) < 4 + length:
            r.problem(f"enclosure descriptor at byte {offset} truncated")
        fields: Dict[str, Any] = {}
        if length >= 36:
            fields = dict(
                enclosure_logical_identifier=body[4:12],
                enclosure_vendor_identification=ascii_text(body[12:20]),
                product_identification=ascii_text(body[20:36]),
                product_revision_level=ascii_text(body[36:40]),
                vendor_specific_enclosure_information=body[40:],
            )
        else:
            r.problem(f"enclosure descriptor at byte {offset}: ENCLOSURE DESCRIPTOR LENGTH {length} < 36")
        descriptors.append(EnclosureDescriptor(
            relative_enclosure_services_process_identifier=(body[0] >> 4) & 0x7,
            number_of_enclosure_services_processes=body[0] & 0x7,
            subenclosure_identifier=body[1], number_of_type_descriptor_headers=body[2],
            enclosure_descriptor_length=length, **fields,
        ))
        offset += 4 + length
    count = sum(d.number_of_type_descriptor_headers for d in descriptors)
    heads = []
    for i in range(count):
        at = offset + 4 * i
        if not r.has(at, 4):
            r.problem(f"type descriptor header {i} at byte {at} missing")
            count = i
            break
        heads.append(r.data[at:at + 4])
    text_at = offset + 4 * count
    headers = []
    for i, h in enumerate(heads):
        text = r.data[text_at:text_at + h[3]]
        if len(text) < h[3]:
            r.problem(f"type descriptor text {i} truncated")
        text_at += h[3]
        headers.append(TypeDescriptorHeader(
            type_index=i, element_type=h[0], element_type_name=element_type_name(h[0]),
            number_of_possible_elements=h[1], subenclosure_identifier=h[2],
            type_descriptor_text_length=h[3], type_descriptor_text=ascii_text(text),
        ))
    return ConfigurationPage(page_code=r.uint(0), number_of_secondary_subenclosures=secondary,
                             page_length=r.uint(2, 2), generation_code=r.uint(4, 4),
                             enclosure_descriptors=tuple(descriptors), type_descriptor_headers=tuple(headers),
                             raw=r.data, problems=tuple(r.problems))


def _groups(r: Reader, configuration: Optional[ConfigurationPage], start: int, size: int,
            what: str) -> Optional[List[Tuple[TypeDescriptorHeader, List[bytes]]]]:
    """Split fixed-size descriptors from ``start`` into (header, [overall, individual...])."""
    if configuration is None:
        r.problem("decoding the elements needs the configuration page (01h)")
        return None
    groups = []
    at = start
    for h in configuration.type_descriptor_headers:
        chunk = []
        for _ in range(h.number_of_possible_elements + 1):
            if not r.has(at, size):
                if r.has(at):
                    r.problem(f"descriptor at byte {at} truncated")
                else:
                    r.problem(f"the configuration lists more elements than the page holds (type index "
                              f"{h.type_index} onwards missing)")
                return groups
            chunk.append(r.data[at:at + size])
            at += size
        groups.append((h, chunk))
    if at < len(r.data):
        r.problem(f"{len(r.data) - at} bytes after the last element the configuration lists")
    return groups


def _check_generation(r: Reader, configuration: Optional[ConfigurationPage], what: str) -> None:
    generation = r.uint(4, 4)
    if configuration is not None and generation is not None and configuration.generation_code is not None \
            and generation != configuration.generation_code:
        # SES-4 6.1.4: a different generation code means the configuration changed;
        # read the configuration page again before trusting the element order.
        r.problem(f"GENERATION CODE {generation} differs from the configuration page's "
                  f"{configuration.generation_code}")


# --------------------------------------------------------------- enclosure status

@record
class TypeStatus(Record):
    """The status elements of one type descriptor header: its overall element, then each
    individual element."""

    type_index: int
    element_type: int
    element_type_name: str
    subenclosure_identifier: int
    overall: Any
    elements: Tuple[Any, ...] = ()


@record
class EnclosureStatusPage(Record):
    """Page 02h (SES-4 6.1.4)."""

    page_code: Optional[int] = None
    invop: Optional[bool] = None
    info: Optional[bool] = None
    non_crit: Optional[bool] = None
    crit: Optional[bool] = None
    unrecov: Optional[bool] = None
    page_length: Optional[int] = None
    generation_code: Optional[int] = None
    types: Tuple[TypeStatus, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()

    def element(self, type_index: int, element_index: Optional[int]) -> Any:
        """The status element at (type_index, element_index); None as the element index
        is the overall element."""
        group = self.types[type_index]
        return group.overall if element_index is None else group.elements[element_index]


def _status_page(cls: type, data: bytes, configuration: Optional[ConfigurationPage], what: str,
                 element: Callable[[int, bytes], Any] = decode_status_element) -> Any:
    r = _page(data, what)
    _check_generation(r, configuration, what)
    groups = _groups(r, configuration, 8, 4, what) or []
    types = tuple(
        TypeStatus(type_index=h.type_index, element_type=h.element_type, element_type_name=h.element_type_name,
                   subenclosure_identifier=h.subenclosure_identifier,
                   overall=element(h.element_type, chunk[0]),
                   elements=tuple(element(h.element_type, c) for c in chunk[1:]))
        for h, chunk in groups
    )
    return cls(page_code=r.uint(0), invop=r.flag(1, 4), info=r.flag(1, 3), non_crit=r.flag(1, 2),
               crit=r.flag(1, 1), unrecov=r.flag(1, 0), page_length=r.uint(2, 2),
               generation_code=r.uint(4, 4), types=types, raw=r.data, problems=tuple(r.problems))


def decode_enclosure_status(data: bytes, configuration: Optional[ConfigurationPage] = None) -> EnclosureStatusPage:
    return _status_page(EnclosureStatusPage, data, configuration, "enclosure status page")


@record
class ArrayStatusPage(EnclosureStatusPage):
    """Page 06h (SES-1 only; obsolete since SES-2, which moved array device slots into the
    enclosure status page as element type 17h).  Laid out as the enclosure status page:
    the flags of byte 1, the generation code, then an overall and the individual status
    elements of each type header of the configuration page, four bytes each, which is
    how sg_ses reads it; a device element (01h) carries the array bits there
    (:data:`~sgframe.decode.ses.elements.SES1_ARRAY_DEVICE`)."""


def decode_array_status(data: bytes, configuration: Optional[ConfigurationPage] = None) -> ArrayStatusPage:
    return _status_page(ArrayStatusPage, data, configuration, "array status page", decode_array_status_element)


# ------------------------------------------------------------- text pages

@record
class HelpTextPage(Record):
    """Page 03h (SES-4 6.1.5)."""

    page_code: Optional[int] = None
    page_length: Optional[int] = None
    help_text: str = ""
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def _help_text(data: bytes, configuration: Any = None) -> HelpTextPage:
    r = _page(data, "help text page")
    return HelpTextPage(**_header(r), help_text=r.data[4:].decode("utf-8", "replace").rstrip("\x00 "),
                        raw=r.data, problems=tuple(r.problems))


@record
class StringInPage(Record):
    """Page 04h (SES-4 6.1.6): vendor-specific data, kept as bytes."""

    page_code: Optional[int] = None
    page_length: Optional[int] = None
    string_in_data: bytes = b""
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def _string_in(data: bytes, configuration: Any = None) -> StringInPage:
    r = _page(data, "string in page")
    return StringInPage(**_header(r), string_in_data=r.data[4:], raw=r.data, problems=tuple(r.problems))


# -------------------------------------------------------------- thresholds

@record
class ThresholdDescriptor(Record):
    """One threshold status element (SES-4 6.1.8.3); units are the element's own."""

    high_critical_threshold: int
    high_warning_threshold: int
    low_warning_threshold: int
    low_critical_threshold: int


@record
class TypeThresholds(Record):
    type_index: int
    element_type: int
    element_type_name: str
    overall: ThresholdDescriptor
    elements: Tuple[ThresholdDescriptor, ...] = ()


@record
class ThresholdInPage(Record):
    """Page 05h (SES-4 6.1.8)."""

    page_code: Optional[int] = None
    invop: Optional[bool] = None
    page_length: Optional[int] = None
    generation_code: Optional[int] = None
    types: Tuple[TypeThresholds, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def _threshold(raw: bytes) -> ThresholdDescriptor:
    return ThresholdDescriptor(high_critical_threshold=raw[0], high_warning_threshold=raw[1],
                               low_warning_threshold=raw[2], low_critical_threshold=raw[3])


def decode_threshold_in(data: bytes, configuration: Optional[ConfigurationPage] = None) -> ThresholdInPage:
    r = _page(data, "threshold in page")
    _check_generation(r, configuration, "threshold in page")
    groups = _groups(r, configuration, 8, 4, "threshold in page") or []
    types = tuple(
        TypeThresholds(type_index=h.type_index, element_type=h.element_type, element_type_name=h.element_type_name,
                       overall=_threshold(chunk[0]), elements=tuple(_threshold(c) for c in chunk[1:]))
        for h, chunk in groups
    )
    return ThresholdInPage(page_code=r.uint(0), invop=r.flag(1, 4), page_length=r.uint(2, 2),
                           generation_code=r.uint(4, 4), types=types, raw=r.data, problems=tuple(r.problems))


# ------------------------------------------------------- element descriptors

@record
class TypeDescriptors(Record):
    type_index: int
    element_type: int
    element_type_name: str
    overall: str
    elements: Tuple[str, ...] = ()


@record
class ElementDescriptorPage(Record):
    """Page 07h (SES-4 6.1.10): a text per element (a slot's label, "SLOT 01")."""

    page_code: Optional[int] = None
    page_length: Optional[int] = None
    generation_code: Optional[int] = None
    types: Tuple[TypeDescriptors, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def decode_element_descriptor(data: bytes, configuration: Optional[ConfigurationPage] = None) -> ElementDescriptorPage:
    r = _page(data, "element descriptor page")
    _check_generation(r, configuration, "element descriptor page")
    types: List[TypeDescriptors] = []
    if configuration is None:
        r.problem("decoding the elements needs the configuration page (01h)")
    else:
        at = 8
        for h in configuration.type_descriptor_headers:
            texts: List[str] = []
            for _ in range(h.number_of_possible_elements + 1):
                length = r.uint(at + 2, 2)
                if length is None:
                    break
                texts.append(ascii_text(r.raw(at + 4, length)))
                at += 4 + length
            if len(texts) < h.number_of_possible_elements + 1:
                break
            types.append(TypeDescriptors(type_index=h.type_index, element_type=h.element_type,
                                         element_type_name=h.element_type_name, overall=texts[0],
                                         elements=tuple(texts[1:])))
    return ElementDescriptorPage(**_header(r), generation_code=r.uint(4, 4), types=tuple(types), raw=r.data,
                                 problems=tuple(r.problems))


# ------------------------------------------------------------ small pages

@record
class ShortEnclosureStatusPage(Record):
    """Page 08h (SES-4 6.1.11): the status is byte 1; PAGE LENGTH is zero."""

    page_code: Optional[int] = None
    short_enclosure_status: Optional[int] = None
    page_length: Optional[int] = None
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def _short_status(data: bytes, configuration: Any = None) -> ShortEnclosureStatusPage:
    r = _page(data, "short enclosure status page")
    return ShortEnclosureStatusPage(page_code=r.uint(0), short_enclosure_status=r.uint(1), page_length=r.uint(2, 2),
                                    raw=r.data, problems=tuple(r.problems))


@record
class EnclosureBusyPage(Record):
    """Page 09h (SES-4 6.1.12): BUSY is bit 0 of byte 1; bits 7-1 are vendor specific."""

    page_code: Optional[int] = None
    vendor_specific_flags: Optional[int] = None
    busy: Optional[bool] = None
    page_length: Optional[int] = None
    vendor_specific: bytes = b""
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def _busy(data: bytes, configuration: Any = None) -> EnclosureBusyPage:
    r = _page(data, "enclosure busy page")
    return EnclosureBusyPage(page_code=r.uint(0), vendor_specific_flags=r.bits(1, 1, 7), busy=r.flag(1, 0),
                             page_length=r.uint(2, 2), vendor_specific=r.data[4:], raw=r.data,
                             problems=tuple(r.problems))


# ----------------------------------------------------- additional element status

@record
class SasPhyDescriptor(Record):
    """A phy descriptor of a device slot or array device slot (SES-4 table 117)."""

    device_type: int
    device_type_name: str
    ssp_initiator_port: bool
    stp_initiator_port: bool
    smp_initiator_port: bool
    sata_port_selector: bool
    ssp_target_port: bool
    stp_target_port: bool
    smp_target_port: bool
    sata_device: bool
    attached_sas_address: int
    sas_address: int
    phy_identifier: int


@record
class ExpanderPhyDescriptor(Record):
    """An expander phy descriptor (SES-4 table 121); FFh means none."""

    connector_element_index: int
    other_element_index: int


@record
class PortPhyDescriptor(Record):
    """A phy descriptor of an ESC electronics or SCSI port element (SES-4 table 123)."""

    phy_identifier: int
    connector_element_index: int
    other_element_index: int
    sas_address: int


@record
class FcPortDescriptor(Record):
    """A port descriptor of the Fibre Channel protocol-specific information (SES-4 table 113)."""

    port_loop_position: int
    bypass_reason: int
    port_requested_hard_address: int
    n_port_identifier: int
    n_port_name: int


@record
class AdditionalElementStatusDescriptor(Record):
    """One additional element status descriptor (SES-4 6.1.13).

    ``type_index`` and ``element_index`` say which element it describes: from ELEMENT
    INDEX when EIP is set, from the descriptor's position otherwise (SES-4 6.1.13.1).
    """

    invalid: bool
    eip: bool
    protocol_identifier: int
    protocol_identifier_name: str
    additional_element_status_descriptor_length: int
    eiioe: Optional[int] = None
    element_index_field: Optional[int] = None
    type_index: Optional[int] = None
    element_index: Optional[int] = None
    element_type: Optional[int] = None
    # SAS (protocol 6h)
    number_of_phy_descriptors: Optional[int] = None
    descriptor_type: Optional[int] = None
    not_all_phys: Optional[bool] = None
    device_slot_number: Optional[int] = None
    phy_descriptors: Tuple[Any, ...] = ()
    sas_address: Optional[int] = None
    # Fibre Channel (protocol 0h)
    number_of_ports: Optional[int] = None
    bay_number: Optional[int] = None
    node_name: Optional[int] = None
    port_descriptors: Tuple[FcPortDescriptor, ...] = ()
    protocol_specific_information: bytes = attrs.field(default=b"", repr=raw_repr)
    raw: bytes = attrs.field(default=b"", repr=raw_repr)


@record
class AdditionalElementStatusPage(Record):
    """Page 0Ah (SES-4 6.1.13)."""

    page_code: Optional[int] = None
    page_length: Optional[int] = None
    generation_code: Optional[int] = None
    descriptors: Tuple[AdditionalElementStatusDescriptor, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()

    def for_element(self, type_index: int, element_index: int) -> Optional[AdditionalElementStatusDescriptor]:
        for d in self.descriptors:
            if d.type_index == type_index and d.element_index == element_index:
                return d
        return None


# Element types that have additional element status (SES-4 6.1.13.1): device slot,
# ESC electronics, SCSI target port, SCSI initiator port, array device slot, SAS expander.
_AES_TYPES = (0x01, 0x07, 0x14, 0x15, 0x17, 0x18)


def element_positions(configuration: ConfigurationPage, *, overall: bool) -> List[Tuple[int, Optional[int], int]]:
    """(type_index, element_index or None for the overall element, element type) in the
    order the status page lists them; the overall elements only when ``overall``."""
    out: List[Tuple[int, Optional[int], int]] = []
    for h in configuration.type_descriptor_headers:
        if overall:
            out.append((h.type_index, None, h.element_type))
        out.extend((h.type_index, i, h.element_type) for i in range(h.number_of_possible_elements))
    return out


def _sas(body: bytes, eip: bool, element_type: Optional[int], problems: List[str]) -> Dict[str, Any]:
    if len(body) < 2:
        problems.append("SAS information shorter than 2 bytes")
        return {}
    count = body[0]
    kind = body[1] >> 6
    out: Dict[str, Any] = {"number_of_phy_descriptors": count, "descriptor_type": kind}
    if kind == 0:
        out["not_all_phys"] = bool(body[1] & 0x01)
        at = 2
        if eip:
            out["device_slot_number"] = body[3] if len(body) > 3 else None
            at = 4
        phys = []
        for i in range(count):
            p = body[at + 28 * i: at + 28 * (i + 1)]
            if len(p) < 28:
                problems.append(f"SAS phy descriptor {i} truncated")
                break
            device_type = (p[0] >> 4) & 0x7
            phys.append(SasPhyDescriptor(
                device_type=device_type, device_type_name=name_of(SAS_DEVICE_TYPES, device_type),
                ssp_initiator_port=bool(p[2] & 8), stp_initiator_port=bool(p[2] & 4),
                smp_initiator_port=bool(p[2] & 2), sata_port_selector=bool(p[3] & 0x80),
                ssp_target_port=bool(p[3] & 8), stp_target_port=bool(p[3] & 4), smp_target_port=bool(p[3] & 2),
                sata_device=bool(p[3] & 1), attached_sas_address=int.from_bytes(p[4:12], "big"),
                sas_address=int.from_bytes(p[12:20], "big"), phy_identifier=p[20],
            ))
        out["phy_descriptors"] = tuple(phys)
    elif kind == 1 and element_type == 0x18:
        out["sas_address"] = int.from_bytes(body[4:12], "big") if len(body) >= 12 else None
        phys = []
        for i in range(count):
            p = body[12 + 2 * i: 14 + 2 * i]
            if len(p) < 2:
                problems.append(f"expander phy descriptor {i} truncated")
                break
            phys.append(ExpanderPhyDescriptor(connector_element_index=p[0], other_element_index=p[1]))
        out["phy_descriptors"] = tuple(phys)
    elif kind == 1:
        phys = []
        for i in range(count):
            p = body[4 + 12 * i: 16 + 12 * i]
            if len(p) < 12:
                problems.append(f"port phy descriptor {i} truncated")
                break
            phys.append(PortPhyDescriptor(phy_identifier=p[0], connector_element_index=p[2],
                                          other_element_index=p[3], sas_address=int.from_bytes(p[4:12], "big")))
        out["phy_descriptors"] = tuple(phys)
    else:
        problems.append(f"SAS DESCRIPTOR TYPE {kind} is reserved")
    return out


def _fc(body: bytes, eip: bool, problems: List[str]) -> Dict[str, Any]:
    if len(body) < 12:
        problems.append("Fibre Channel information shorter than 12 bytes")
        return {}
    count = body[0]
    out: Dict[str, Any] = {"number_of_ports": count, "node_name": int.from_bytes(body[4:12], "big")}
    if eip:
        out["bay_number"] = body[3]
    ports = []
    for i in range(count):
        p = body[12 + 16 * i: 28 + 16 * i]
        if len(p) < 16:
            problems.append(f"Fibre Channel port descriptor {i} truncated")
            break
        ports.append(FcPortDescriptor(port_loop_position=p[0], bypass_reason=p[1], port_requested_hard_address=p[3],
                                      n_port_identifier=int.from_bytes(p[5:8], "big"),
                                      n_port_name=int.from_bytes(p[8:16], "big")))
    out["port_descriptors"] = tuple(ports)
    return out


def decode_additional_element_status(data: bytes, configuration: Optional[ConfigurationPage] = None
                                     ) -> AdditionalElementStatusPage:
    r = _page(data, "additional element status page")
    _check_generation(r, configuration, "additional element status page")
    if configuration is None:
        r.problem("naming the element of each descriptor needs the configuration page (01h)")
    with_overall = element_positions(configuration, overall=True) if configuration else []
    without = element_positions(configuration, overall=False) if configuration else []
    # Descriptors follow the individual elements of the types that have them, in order
    # (SES-4 6.1.13.1); that order is the fallback when EIP is clear, and when ELEMENT
    # INDEX names an element that cannot have one (firmware gets this wrong: sg_ses
    # goes by the order alone).
    expected = [p for p in without if p[2] in _AES_TYPES]
    claimed: set = set()
    cursor = 0
    descriptors: List[AdditionalElementStatusDescriptor] = []
    at = 8
    while at + 2 <= len(r.data):
        first = r.data[at]
        length = r.data[at + 1]
        raw = r.data[at:at + 2 + length]
        if len(raw) < 2 + length:
            r.problem(f"descriptor at byte {at} truncated")
        eip = bool(first & 0x10)
        protocol = first & 0x0F
        fields: Dict[str, Any] = {}
        position: Optional[Tuple[int, Optional[int], int]] = None
        if eip:
            eiioe = raw[2] & 0x03 if len(raw) > 2 else 0
            index = raw[3] if len(raw) > 3 else 0
            fields.update(eiioe=eiioe, element_index_field=index)
            # EIIOE 01b: ELEMENT INDEX counts the overall elements too; otherwise not
            # (SES-4 table 107; 10b and 11b count like 00b for individual elements).
            table = with_overall if eiioe == 1 else without
            if configuration is not None:
                named = table[index] if index < len(table) else None
                if named is not None and named[2] in _AES_TYPES and named not in claimed:
                    position = named
                    if named in expected:
                        cursor = expected.index(named) + 1
                else:
                    position = next((p for p in expected[cursor:] if p not in claimed), None)
                    r.problem(f"descriptor at byte {at}: ELEMENT INDEX {index} names no element that has "
                              f"additional status; taken as the next one in order"
                              + (f", type index {position[0]} element {position[1]}" if position else ""))
                    if position is not None:
                        cursor = expected.index(position) + 1
            body = raw[4:]
        else:
            if configuration is not None:
                position = next((p for p in expected[cursor:] if p not in claimed), None)
                if position is not None:
                    cursor = expected.index(position) + 1
            body = raw[2:]
        if position is not None:
            claimed.add(position)
        if position is not None:
            fields.update(type_index=position[0], element_index=position[1], element_type=position[2])
        problems: List[str] = []
        if protocol == 0x6:
            fields.update(_sas(body, eip, fields.get("element_type"), problems))
        elif protocol == 0x0:
            fields.update(_fc(body, eip, problems))
        for p in problems:
            r.problem(p)
        descriptors.append(AdditionalElementStatusDescriptor(
            invalid=bool(first & 0x80), eip=eip, protocol_identifier=protocol,
            protocol_identifier_name=PROTOCOL_IDENTIFIERS.get(protocol, "reserved"),
            additional_element_status_descriptor_length=length, protocol_specific_information=body, raw=raw,
            **fields,
        ))
        at += 2 + length
    return AdditionalElementStatusPage(**_header(r), generation_code=r.uint(4, 4), descriptors=tuple(descriptors),
                                       raw=r.data, problems=tuple(r.problems))


# ---------------------------------------------------------- subenclosure pages

@record
class SubenclosureText(Record):
    """A subenclosure's help text (0Bh) or string in data (0Ch)."""

    subenclosure_identifier: int
    length: int
    text: Optional[str] = None
    data: bytes = b""


@record
class SubenclosureTextPage(Record):
    """Page 0Bh (subenclosure help text, SES-4 6.1.14) or 0Ch (subenclosure string in, 6.1.15)."""

    page_code: Optional[int] = None
    number_of_secondary_subenclosures: Optional[int] = None
    page_length: Optional[int] = None
    generation_code: Optional[int] = None
    subenclosures: Tuple[SubenclosureText, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def _subenclosure_text(data: bytes, configuration: Any = None) -> SubenclosureTextPage:
    r = _page(data, "subenclosure page")
    texts = []
    at = 8
    is_help = r.uint(0) == 0x0B
    while at + 4 <= len(r.data):
        length = r.uint(at + 2, 2) or 0
        body = r.raw(at + 4, length)
        texts.append(SubenclosureText(subenclosure_identifier=r.data[at + 1], length=length, data=body,
                                      text=body.decode("utf-8", "replace").rstrip("\x00 ") if is_help else None))
        at += 4 + length
    return SubenclosureTextPage(page_code=r.uint(0), number_of_secondary_subenclosures=r.uint(1),
                                page_length=r.uint(2, 2), generation_code=r.uint(4, 4), subenclosures=tuple(texts),
                                raw=r.data, problems=tuple(r.problems))


@record
class DownloadMicrocodeStatusDescriptor(Record):
    """SES-4 table 87."""

    subenclosure_identifier: int
    subenclosure_download_microcode_status: int
    subenclosure_download_microcode_status_name: str
    subenclosure_download_microcode_additional_status: int
    subenclosure_download_microcode_maximum_size: int
    subenclosure_download_microcode_expected_buffer_id: int
    subenclosure_download_microcode_expected_buffer_offset: int


@record
class DownloadMicrocodeStatusPage(Record):
    """Page 0Eh (SES-4 6.1.17)."""

    page_code: Optional[int] = None
    number_of_secondary_subenclosures: Optional[int] = None
    page_length: Optional[int] = None
    generation_code: Optional[int] = None
    descriptors: Tuple[DownloadMicrocodeStatusDescriptor, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def _download_status(data: bytes, configuration: Any = None) -> DownloadMicrocodeStatusPage:
    r = _page(data, "download microcode status page")
    out = []
    for at in range(8, len(r.data) - 15, 16):
        d = r.data[at:at + 16]
        status = d[2]
        default = "vendor specific" if 0x70 <= status <= 0x7F or 0xF0 <= status else "reserved"
        out.append(DownloadMicrocodeStatusDescriptor(
            subenclosure_identifier=d[1], subenclosure_download_microcode_status=status,
            subenclosure_download_microcode_status_name=name_of(DOWNLOAD_MICROCODE_STATUS, status, default),
            subenclosure_download_microcode_additional_status=d[3],
            subenclosure_download_microcode_maximum_size=int.from_bytes(d[4:8], "big"),
            subenclosure_download_microcode_expected_buffer_id=d[11],
            subenclosure_download_microcode_expected_buffer_offset=int.from_bytes(d[12:16], "big"),
        ))
    if (len(r.data) - 8) % 16 and len(r.data) > 8:
        r.problem("download microcode status page: a descriptor is shorter than 16 bytes")
    return DownloadMicrocodeStatusPage(page_code=r.uint(0), number_of_secondary_subenclosures=r.uint(1),
                                       page_length=r.uint(2, 2), generation_code=r.uint(4, 4),
                                       descriptors=tuple(out), raw=r.data, problems=tuple(r.problems))


@record
class SubenclosureNicknameDescriptor(Record):
    """SES-4 table 91."""

    subenclosure_identifier: int
    subenclosure_nickname_status: int
    subenclosure_nickname_additional_status: int
    subenclosure_nickname_language_code: int
    subenclosure_nickname: str


@record
class SubenclosureNicknameStatusPage(Record):
    """Page 0Fh (SES-4 6.1.19)."""

    page_code: Optional[int] = None
    number_of_secondary_subenclosures: Optional[int] = None
    page_length: Optional[int] = None
    generation_code: Optional[int] = None
    descriptors: Tuple[SubenclosureNicknameDescriptor, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def _nickname_status(data: bytes, configuration: Any = None) -> SubenclosureNicknameStatusPage:
    r = _page(data, "subenclosure nickname status page")
    out = []
    for at in range(8, len(r.data) - 39, 40):
        d = r.data[at:at + 40]
        out.append(SubenclosureNicknameDescriptor(
            subenclosure_identifier=d[1], subenclosure_nickname_status=d[2],
            subenclosure_nickname_additional_status=d[3],
            subenclosure_nickname_language_code=int.from_bytes(d[4:6], "big"),
            subenclosure_nickname=d[8:40].decode("utf-8", "replace").rstrip("\x00 "),
        ))
    if (len(r.data) - 8) % 40 and len(r.data) > 8:
        r.problem("subenclosure nickname status page: a descriptor is shorter than 40 bytes")
    return SubenclosureNicknameStatusPage(page_code=r.uint(0), number_of_secondary_subenclosures=r.uint(1),
                                          page_length=r.uint(2, 2), generation_code=r.uint(4, 4),
                                          descriptors=tuple(out), raw=r.data, problems=tuple(r.problems))


@record
class ProtocolSpecificPage(Record):
    """Page 3Fh (SPC-5 7.2.1): its layout belongs to the transport; byte 5's low nibble
    is the PROTOCOL IDENTIFIER in SAS (SPL-4) and FC, kept with the bytes."""

    page_code: Optional[int] = None
    page_length: Optional[int] = None
    protocol_identifier: Optional[int] = None
    protocol_identifier_name: Optional[str] = None
    parameters: bytes = b""
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def _protocol_specific(data: bytes, configuration: Any = None) -> ProtocolSpecificPage:
    r = _page(data, "protocol specific page")
    proto = r.bits(5, 0, 4) if r.has(5) else None
    name = None if proto is None else PROTOCOL_IDENTIFIERS.get(proto, "reserved")
    return ProtocolSpecificPage(**_header(r), protocol_identifier=proto, protocol_identifier_name=name,
                                parameters=r.data[4:], raw=r.data, problems=tuple(r.problems))


@record
class UnknownDiagnosticPage(Record):
    page_code: Optional[int] = None
    page_name: Optional[str] = None
    page_length: Optional[int] = None
    parameters: bytes = b""
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def _unknown(data: bytes, configuration: Any = None) -> UnknownDiagnosticPage:
    r = _page(data, "diagnostic page")
    code = r.uint(0)
    default = "vendor specific" if code is not None and code >= 0x80 else "reserved"
    return UnknownDiagnosticPage(**_header(r), page_name=name_of(DIAGNOSTIC_PAGE_NAMES, code, default),
                                 parameters=r.data[4:], raw=r.data, problems=tuple(r.problems))


#: Page code -> decoder(data, configuration).  The SBC pages 40h-42h are left to
#: :class:`UnknownDiagnosticPage`.
DIAGNOSTIC_PAGE_DECODERS: Dict[int, Callable[..., Any]] = {
    0x00: _supported,
    0x01: decode_configuration,
    0x02: decode_enclosure_status,
    0x03: _help_text,
    0x04: _string_in,
    0x05: decode_threshold_in,
    0x06: decode_array_status,
    0x07: decode_element_descriptor,
    0x08: _short_status,
    0x09: _busy,
    0x0A: decode_additional_element_status,
    0x0B: _subenclosure_text,
    0x0C: _subenclosure_text,
    0x0D: _supported,
    0x0E: _download_status,
    0x0F: _nickname_status,
    0x3F: _protocol_specific,
}


def decode_diagnostic_page(data: bytes, configuration: Optional[ConfigurationPage] = None) -> Any:
    """A diagnostic page as its record; ``configuration`` (the decoded page 01h) is what
    pages 02h, 05h, 07h and 0Ah need to name their elements."""
    data = bytes(data)
    code = data[0] if data else None
    decoder = DIAGNOSTIC_PAGE_DECODERS.get(code, _unknown) if code is not None else _unknown
    return decoder(data, configuration)
