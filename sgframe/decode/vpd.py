"""Vital product data pages (SPC-5 7.7, SBC-4 6.6, ZBC 6.5, SAT-4 12.4.2).

:data:`VPD_DECODERS` maps a page code to a function ``decoder(data) -> record`` that takes the
whole page, header included; a plugin registers vendor pages there.  :func:`decode_vpd`
dispatches on byte 1 and falls back to :class:`UnknownVpdPage` for everything else.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

import attrs

from ._util import Reader, Record, record, ascii_text, name_of, raw_repr
from .designators import Designator, decode_designator, decode_designators
from .inquiry import PERIPHERAL_DEVICE_TYPES

__all__ = [
    "VPD_PAGE_NAMES",
    "VPD_DECODERS",
    "VpdPage",
    "UnknownVpdPage",
    "SupportedVpdPages",
    "UnitSerialNumber",
    "DeviceIdentification",
    "ExtendedInquiryData",
    "AtaInformation",
    "BlockLimits",
    "BlockDeviceCharacteristics",
    "LogicalBlockProvisioning",
    "ZonedBlockDeviceCharacteristics",
    "decode_vpd",
]

VPD_PAGE_NAMES = {
    0x00: "Supported VPD pages",
    0x80: "Unit serial number",
    0x81: "Implemented operating definitions (obsolete)",
    0x82: "ASCII implemented operating definition (obsolete)",
    0x83: "Device identification",
    0x84: "Software interface identification",
    0x85: "Management network addresses",
    0x86: "Extended INQUIRY data",
    0x87: "Mode page policy",
    0x88: "SCSI ports",
    0x89: "ATA information",
    0x8A: "Power condition",
    0x8B: "Device constituents",
    0x8C: "CFA profile information",
    0x8D: "Power consumption",
    0x8F: "Third-party copy",
    0x90: "Protocol specific logical unit information",
    0x91: "Protocol specific port information",
    0x92: "SCSI feature sets",
    0xB0: "Block limits",
    0xB1: "Block device characteristics",
    0xB2: "Logical block provisioning",
    0xB3: "Referrals",
    0xB4: "Supported block lengths and protection types",
    0xB5: "Block device characteristics extension",
    0xB6: "Zoned block device characteristics",
    0xB7: "Block limits extension",
    0xB8: "Format presets",
    0xB9: "Concurrent positioning ranges",
}


@record
class VpdPage(Record):
    """The four header bytes every VPD page starts with; base of every VPD record."""

    peripheral_qualifier: Optional[int] = None
    peripheral_device_type: Optional[int] = None
    peripheral_device_type_name: Optional[str] = None
    page_code: Optional[int] = None
    page_length: Optional[int] = None
    problems: Tuple[str, ...] = ()


@record
class UnknownVpdPage(VpdPage):
    """A page no decoder is registered for; ``payload`` is everything after the header."""

    payload: bytes = attrs.field(default=b"", repr=raw_repr)


@record
class SupportedVpdPages(VpdPage):
    supported_pages: Tuple[int, ...] = ()
    supported_page_names: Tuple[str, ...] = ()


@record
class UnitSerialNumber(VpdPage):
    product_serial_number: Optional[str] = None


@record
class DeviceIdentification(VpdPage):
    designation_descriptors: Tuple[Designator, ...] = ()


@record
class ExtendedInquiryData(VpdPage):
    """Extended INQUIRY data (SPC-5 7.7.7); bits marked obsolete in SPC-5 are still decoded."""

    activate_microcode: Optional[int] = None
    spt: Optional[int] = None
    grd_chk: Optional[bool] = None
    app_chk: Optional[bool] = None
    ref_chk: Optional[bool] = None
    uask_sup: Optional[bool] = None
    group_sup: Optional[bool] = None
    prior_sup: Optional[bool] = None
    headsup: Optional[bool] = None
    ordsup: Optional[bool] = None
    simpsup: Optional[bool] = None
    wu_sup: Optional[bool] = None
    crd_sup: Optional[bool] = None
    nv_sup: Optional[bool] = None
    v_sup: Optional[bool] = None
    no_pi_chk: Optional[bool] = None
    p_i_i_sup: Optional[bool] = None
    luiclr: Optional[bool] = None
    lu_coll_type: Optional[int] = None
    r_sup: Optional[bool] = None
    rtd_sup: Optional[bool] = None
    hssrelef: Optional[bool] = None
    cbcs: Optional[bool] = None
    multi_i_t_nexus_microcode_download: Optional[int] = None
    extended_self_test_completion_minutes: Optional[int] = None
    poa_sup: Optional[bool] = None
    hra_sup: Optional[bool] = None
    vsa_sup: Optional[bool] = None
    dms_valid: Optional[bool] = None
    maximum_supported_sense_data_length: Optional[int] = None
    ibs: Optional[bool] = None
    ias: Optional[bool] = None
    sac: Optional[bool] = None
    nrd1: Optional[bool] = None
    nrd0: Optional[bool] = None
    maximum_inquiry_change_logs: Optional[int] = None
    maximum_mode_page_change_logs: Optional[int] = None


@record
class AtaInformation(VpdPage):
    """ATA information (SAT-4 12.4.2).  ``identify_device_data`` is the raw 512 bytes.

    The ``ata_*`` strings come from IDENTIFY DEVICE words 10-19, 23-26 and 27-46, whose
    characters ATA stores two per little-endian word, first character in the high byte.
    """

    sat_vendor_identification: Optional[str] = None
    sat_product_identification: Optional[str] = None
    sat_product_revision_level: Optional[str] = None
    device_signature: bytes = attrs.field(default=b"", repr=raw_repr)
    command_code: Optional[int] = None
    identify_device_data: bytes = attrs.field(default=b"", repr=raw_repr)
    ata_serial_number: Optional[str] = None
    ata_firmware_revision: Optional[str] = None
    ata_model_number: Optional[str] = None


@record
class BlockLimits(VpdPage):
    """Block limits (SBC-4 6.6.4).  Zero in a length field means "no limit reported"."""

    wsnz: Optional[bool] = None
    maximum_compare_and_write_length: Optional[int] = None
    optimal_transfer_length_granularity: Optional[int] = None
    maximum_transfer_length: Optional[int] = None
    optimal_transfer_length: Optional[int] = None
    maximum_prefetch_length: Optional[int] = None
    maximum_unmap_lba_count: Optional[int] = None
    maximum_unmap_block_descriptor_count: Optional[int] = None
    optimal_unmap_granularity: Optional[int] = None
    ugavalid: Optional[bool] = None
    unmap_granularity_alignment: Optional[int] = None
    maximum_write_same_length: Optional[int] = None
    maximum_atomic_transfer_length: Optional[int] = None
    atomic_alignment: Optional[int] = None
    atomic_transfer_length_granularity: Optional[int] = None
    maximum_atomic_transfer_length_with_atomic_boundary: Optional[int] = None
    maximum_atomic_boundary_size: Optional[int] = None


#: SBC-4 table 263.
NOMINAL_FORM_FACTORS = {
    0: "not reported",
    1: "5.25 inch",
    2: "3.5 inch",
    3: "2.5 inch",
    4: "1.8 inch",
    5: "less than 1.8 inch",
}

#: SBC-4 table 264 (ZONED field).
ZONED_NAMES = {0: "not reported", 1: "host aware zoned block device", 2: "device managed zoned block device"}

#: SBC-4 table 261 (PRODUCT TYPE field).
PRODUCT_TYPES = {
    0x00: "not indicated",
    0x01: "CFast",
    0x02: "CompactFlash",
    0x03: "MemoryStick",
    0x04: "MultiMediaCard",
    0x05: "Secure Digital Card (SD Card)",
    0x06: "XQD",
    0x07: "Universal Flash Storage Card (UFS)",
}


@record
class BlockDeviceCharacteristics(VpdPage):
    """Block device characteristics (SBC-4 6.6.2)."""

    medium_rotation_rate: Optional[int] = None
    medium_rotation_rate_name: Optional[str] = None
    product_type: Optional[int] = None
    product_type_name: Optional[str] = None
    wabereq: Optional[int] = None
    wacereq: Optional[int] = None
    nominal_form_factor: Optional[int] = None
    nominal_form_factor_name: Optional[str] = None
    zoned: Optional[int] = None
    zoned_name: Optional[str] = None
    bocs: Optional[bool] = None
    fuab: Optional[bool] = None
    vbuls: Optional[bool] = None
    depopulation_time: Optional[int] = None


#: SBC-4 table 272 (PROVISIONING TYPE field).
PROVISIONING_TYPES = {0: "not reported or fully provisioned", 1: "resource provisioned", 2: "thin provisioned"}


@record
class LogicalBlockProvisioning(VpdPage):
    """Logical block provisioning (SBC-4 6.6.6).  ``lbprz`` is the 3-bit SBC-4 field."""

    threshold_exponent: Optional[int] = None
    lbpu: Optional[bool] = None
    lbpws: Optional[bool] = None
    lbpws10: Optional[bool] = None
    lbprz: Optional[int] = None
    anc_sup: Optional[bool] = None
    dp: Optional[bool] = None
    minimum_percentage: Optional[int] = None
    provisioning_type: Optional[int] = None
    provisioning_type_name: Optional[str] = None
    threshold_percentage: Optional[int] = None
    provisioning_group_descriptor: Optional[Designator] = None


@record
class ZonedBlockDeviceCharacteristics(VpdPage):
    """Zoned block device characteristics (ZBC 6.5.2; the last two fields are ZBC-2).

    FFFFFFFFh in the three counts means "not reported".
    """

    urswrz: Optional[bool] = None
    optimal_number_of_open_sequential_write_preferred_zones: Optional[int] = None
    optimal_number_of_non_sequentially_written_sequential_write_preferred_zones: Optional[int] = None
    maximum_number_of_open_sequential_write_required_zones: Optional[int] = None
    zone_alignment_method: Optional[int] = None
    zone_starting_lba_granularity: Optional[int] = None


def _start(data: bytes, name: str) -> Tuple[Reader, dict]:
    """Header fields, and a reader limited to the length the page announces."""
    data = bytes(data)
    problems: List[str] = []
    head = Reader(data, name, problems)
    pdt = head.bits(0, 0, 5)
    page_length = head.uint(2, 2)
    end = len(data)
    if page_length is not None:
        if page_length + 4 < end:
            end = page_length + 4
        elif page_length + 4 > end:
            head.problem(f"page length announces {page_length + 4} bytes, {len(data)} received")
    r = Reader(data[:end], name, problems)
    r.truncated = head.truncated
    fields = dict(
        peripheral_qualifier=head.bits(0, 5, 3),
        peripheral_device_type=pdt,
        peripheral_device_type_name=name_of(PERIPHERAL_DEVICE_TYPES, pdt),
        page_code=head.uint(1),
        page_length=page_length,
    )
    return r, fields


def _finish(cls, r: Reader, fields: dict, **more):
    return cls(problems=tuple(r.problems), **fields, **more)


def _uint_fields(r: Reader, layout: Tuple[Tuple[str, int, int], ...]) -> dict:
    """Optional big-endian fields present only when the page is long enough."""
    return {name: r.uint(off, n) for name, off, n in layout if r.has(off, n)}


def _flags(r: Reader, offset: int, names: Tuple[Tuple[str, int], ...]) -> dict:
    if not r.has(offset):
        return {}
    return {name: r.flag(offset, bit) for name, bit in names}


def decode_supported_vpd_pages(data: bytes) -> SupportedVpdPages:
    r, f = _start(data, "Supported VPD pages")
    pages = tuple(r.data[4:])
    names = tuple(VPD_PAGE_NAMES.get(p, "vendor specific" if p >= 0xC0 else "reserved") for p in pages)
    return _finish(SupportedVpdPages, r, f, supported_pages=pages, supported_page_names=names)


def decode_unit_serial_number(data: bytes) -> UnitSerialNumber:
    r, f = _start(data, "Unit serial number")
    serial = ascii_text(r.data[4:]) if len(r) >= 4 else None
    return _finish(UnitSerialNumber, r, f, product_serial_number=serial)


def decode_device_identification(data: bytes) -> DeviceIdentification:
    r, f = _start(data, "Device identification")
    descriptors = decode_designators(r.data[4:], "Device identification", r.problems)
    return _finish(DeviceIdentification, r, f, designation_descriptors=descriptors)


def decode_extended_inquiry(data: bytes) -> ExtendedInquiryData:
    r, f = _start(data, "Extended INQUIRY data")
    more: dict = {}
    if r.has(4):
        more.update(activate_microcode=r.bits(4, 6, 2), spt=r.bits(4, 3, 3))
        more.update(_flags(r, 4, (("grd_chk", 2), ("app_chk", 1), ("ref_chk", 0))))
    more.update(_flags(r, 5, (("uask_sup", 5), ("group_sup", 4), ("prior_sup", 3),
                              ("headsup", 2), ("ordsup", 1), ("simpsup", 0))))
    more.update(_flags(r, 6, (("wu_sup", 3), ("crd_sup", 2), ("nv_sup", 1), ("v_sup", 0))))
    more.update(_flags(r, 7, (("no_pi_chk", 5), ("p_i_i_sup", 4), ("luiclr", 0))))
    if r.has(8):
        more["lu_coll_type"] = r.bits(8, 5, 3)
        more.update(_flags(r, 8, (("r_sup", 4), ("rtd_sup", 3), ("hssrelef", 1), ("cbcs", 0))))
    if r.has(9):
        more["multi_i_t_nexus_microcode_download"] = r.bits(9, 0, 4)
    more.update(_uint_fields(r, (("extended_self_test_completion_minutes", 10, 2),)))
    more.update(_flags(r, 12, (("poa_sup", 7), ("hra_sup", 6), ("vsa_sup", 5), ("dms_valid", 4))))
    more.update(_uint_fields(r, (("maximum_supported_sense_data_length", 13, 1),)))
    more.update(_flags(r, 14, (("ibs", 7), ("ias", 6), ("sac", 2), ("nrd1", 1), ("nrd0", 0))))
    more.update(_uint_fields(r, (("maximum_inquiry_change_logs", 15, 2),
                                 ("maximum_mode_page_change_logs", 17, 2))))
    return _finish(ExtendedInquiryData, r, f, **more)


def _ata_string(identify: bytes, first_word: int, last_word: int) -> Optional[str]:
    raw = identify[first_word * 2:(last_word + 1) * 2]
    if len(raw) < (last_word - first_word + 1) * 2:
        return None
    swapped = bytes(b for i in range(0, len(raw), 2) for b in (raw[i + 1], raw[i]))
    return ascii_text(swapped)


def decode_ata_information(data: bytes) -> AtaInformation:
    r, f = _start(data, "ATA information")
    more: dict = {}
    if r.has(8):
        more.update(
            sat_vendor_identification=r.text(8, 8),
            sat_product_identification=r.text(16, 16),
            sat_product_revision_level=r.text(32, 4),
        )
    if r.has(36):
        more["device_signature"] = r.raw(36, 20)
    if r.has(56):
        more["command_code"] = r.uint(56)
    if r.has(60):
        identify = r.raw(60, 512)
        more.update(
            identify_device_data=identify,
            ata_serial_number=_ata_string(identify, 10, 19),
            ata_firmware_revision=_ata_string(identify, 23, 26),
            ata_model_number=_ata_string(identify, 27, 46),
        )
    return _finish(AtaInformation, r, f, **more)


def decode_block_limits(data: bytes) -> BlockLimits:
    r, f = _start(data, "Block limits")
    more = _flags(r, 4, (("wsnz", 0),))
    more.update(_uint_fields(r, (
        ("maximum_compare_and_write_length", 5, 1),
        ("optimal_transfer_length_granularity", 6, 2),
        ("maximum_transfer_length", 8, 4),
        ("optimal_transfer_length", 12, 4),
        ("maximum_prefetch_length", 16, 4),
        ("maximum_unmap_lba_count", 20, 4),
        ("maximum_unmap_block_descriptor_count", 24, 4),
        ("optimal_unmap_granularity", 28, 4),
    )))
    if r.has(32, 4):
        word = r.uint(32, 4)
        more.update(ugavalid=bool(word >> 31), unmap_granularity_alignment=word & 0x7FFFFFFF)
    more.update(_uint_fields(r, (
        ("maximum_write_same_length", 36, 8),
        ("maximum_atomic_transfer_length", 44, 4),
        ("atomic_alignment", 48, 4),
        ("atomic_transfer_length_granularity", 52, 4),
        ("maximum_atomic_transfer_length_with_atomic_boundary", 56, 4),
        ("maximum_atomic_boundary_size", 60, 4),
    )))
    return _finish(BlockLimits, r, f, **more)


def _rotation_name(rate: Optional[int]) -> Optional[str]:
    if rate is None:
        return None
    if rate == 0:
        return "not reported"
    if rate == 1:
        return "non-rotating medium"
    if 0x401 <= rate <= 0xFFFE:
        return f"{rate} rpm"
    return "reserved"


def decode_block_device_characteristics(data: bytes) -> BlockDeviceCharacteristics:
    r, f = _start(data, "Block device characteristics")
    more: dict = {}
    if r.has(4, 2):
        rate = r.uint(4, 2)
        more.update(medium_rotation_rate=rate, medium_rotation_rate_name=_rotation_name(rate))
    if r.has(6):
        ptype = r.uint(6)
        more.update(product_type=ptype, product_type_name=name_of(
            PRODUCT_TYPES, ptype, "vendor specific" if ptype >= 0xF0 else "reserved"))
    if r.has(7):
        nff = r.bits(7, 0, 4)
        more.update(
            wabereq=r.bits(7, 6, 2),
            wacereq=r.bits(7, 4, 2),
            nominal_form_factor=nff,
            nominal_form_factor_name=name_of(NOMINAL_FORM_FACTORS, nff),
        )
    if r.has(8):
        zoned = r.bits(8, 4, 2)
        more.update(zoned=zoned, zoned_name=name_of(ZONED_NAMES, zoned))
        more.update(_flags(r, 8, (("bocs", 2), ("fuab", 1), ("vbuls", 0))))
    more.update(_uint_fields(r, (("depopulation_time", 12, 4),)))
    return _finish(BlockDeviceCharacteristics, r, f, **more)


def decode_logical_block_provisioning(data: bytes) -> LogicalBlockProvisioning:
    r, f = _start(data, "Logical block provisioning")
    more = _uint_fields(r, (("threshold_exponent", 4, 1),))
    if r.has(5):
        more.update(_flags(r, 5, (("lbpu", 7), ("lbpws", 6), ("lbpws10", 5), ("anc_sup", 1), ("dp", 0))))
        more["lbprz"] = r.bits(5, 2, 3)
    if r.has(6):
        ptype = r.bits(6, 0, 3)
        more.update(
            minimum_percentage=r.bits(6, 3, 5),
            provisioning_type=ptype,
            provisioning_type_name=name_of(PROVISIONING_TYPES, ptype),
        )
    more.update(_uint_fields(r, (("threshold_percentage", 7, 1),)))
    if more.get("dp") and len(r) > 8:
        descriptor, _ = decode_designator(r.data, 8)
        r.problems.extend(f"provisioning group descriptor: {p}" for p in descriptor.problems)
        more["provisioning_group_descriptor"] = descriptor
    return _finish(LogicalBlockProvisioning, r, f, **more)


def decode_zoned_block_device_characteristics(data: bytes) -> ZonedBlockDeviceCharacteristics:
    r, f = _start(data, "Zoned block device characteristics")
    more = _flags(r, 4, (("urswrz", 0),))
    more.update(_uint_fields(r, (
        ("optimal_number_of_open_sequential_write_preferred_zones", 8, 4),
        ("optimal_number_of_non_sequentially_written_sequential_write_preferred_zones", 12, 4),
        ("maximum_number_of_open_sequential_write_required_zones", 16, 4),
    )))
    if r.has(23):
        more["zone_alignment_method"] = r.bits(23, 0, 4)
    more.update(_uint_fields(r, (("zone_starting_lba_granularity", 24, 8),)))
    return _finish(ZonedBlockDeviceCharacteristics, r, f, **more)


def decode_unknown_vpd(data: bytes) -> UnknownVpdPage:
    r, f = _start(data, "VPD page")
    return _finish(UnknownVpdPage, r, f, payload=r.data[4:])


VPD_DECODERS: Dict[int, Callable[[bytes], VpdPage]] = {
    0x00: decode_supported_vpd_pages,
    0x80: decode_unit_serial_number,
    0x83: decode_device_identification,
    0x86: decode_extended_inquiry,
    0x89: decode_ata_information,
    0xB0: decode_block_limits,
    0xB1: decode_block_device_characteristics,
    0xB2: decode_logical_block_provisioning,
    0xB6: decode_zoned_block_device_characteristics,
}


def decode_vpd(data: bytes) -> VpdPage:
    """Decode a VPD page (INQUIRY with EVPD=1) by its page code.  Never raises on device data.

    A decoder that fails (a plugin's bug, or ours) is reported in ``problems`` of the generic
    record rather than propagated: device data must not take the caller down.
    """
    data = bytes(data)
    decoder = VPD_DECODERS.get(data[1]) if len(data) > 1 else None
    if decoder is None:
        return decode_unknown_vpd(data)
    try:
        return decoder(data)
    except Exception as exc:  # noqa: BLE001 - see docstring
        page = decode_unknown_vpd(data)
        return attrs.evolve(page, problems=page.problems + (f"internal error in {decoder.__name__}: {exc!r}",))
