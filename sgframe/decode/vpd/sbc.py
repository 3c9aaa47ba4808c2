"""Block device VPD pages (SBC-4 6.6, ZBC-2 6.5): block limits (B0h), block device
characteristics (B1h), logical block provisioning (B2h) and zoned block device
characteristics (B6h).  The newer SBC pages are in :mod:`.sbc_ext`."""
from __future__ import annotations

from typing import Optional

from .._util import name_of, record
from ..designators import Designator, decode_designator
from ._common import VpdPage, finish, flags, start, uint_fields

__all__ = [
    "NOMINAL_FORM_FACTORS",
    "ZONED_NAMES",
    "PRODUCT_TYPES",
    "PROVISIONING_TYPES",
    "BlockLimits",
    "BlockDeviceCharacteristics",
    "LogicalBlockProvisioning",
    "ZonedBlockDeviceCharacteristics",
    "decode_block_limits",
    "decode_block_device_characteristics",
    "decode_logical_block_provisioning",
    "decode_zoned_block_device_characteristics",
]


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


def decode_block_limits(data: bytes) -> BlockLimits:
    r, f = start(data, "Block limits")
    more = flags(r, 4, (("wsnz", 0),))
    more.update(uint_fields(r, (
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
    more.update(uint_fields(r, (
        ("maximum_write_same_length", 36, 8),
        ("maximum_atomic_transfer_length", 44, 4),
        ("atomic_alignment", 48, 4),
        ("atomic_transfer_length_granularity", 52, 4),
        ("maximum_atomic_transfer_length_with_atomic_boundary", 56, 4),
        ("maximum_atomic_boundary_size", 60, 4),
    )))
    return finish(BlockLimits, r, f, **more)


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
    r, f = start(data, "Block device characteristics")
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
        more.update(flags(r, 8, (("bocs", 2), ("fuab", 1), ("vbuls", 0))))
    more.update(uint_fields(r, (("depopulation_time", 12, 4),)))
    return finish(BlockDeviceCharacteristics, r, f, **more)


def decode_logical_block_provisioning(data: bytes) -> LogicalBlockProvisioning:
    r, f = start(data, "Logical block provisioning")
    more = uint_fields(r, (("threshold_exponent", 4, 1),))
    if r.has(5):
        more.update(flags(r, 5, (("lbpu", 7), ("lbpws", 6), ("lbpws10", 5), ("anc_sup", 1), ("dp", 0))))
        more["lbprz"] = r.bits(5, 2, 3)
    if r.has(6):
        ptype = r.bits(6, 0, 3)
        more.update(
            minimum_percentage=r.bits(6, 3, 5),
            provisioning_type=ptype,
            provisioning_type_name=name_of(PROVISIONING_TYPES, ptype),
        )
    more.update(uint_fields(r, (("threshold_percentage", 7, 1),)))
    if more.get("dp") and len(r) > 8:
        descriptor, _ = decode_designator(r.data, 8)
        r.problems.extend(f"provisioning group descriptor: {p}" for p in descriptor.problems)
        more["provisioning_group_descriptor"] = descriptor
    return finish(LogicalBlockProvisioning, r, f, **more)


def decode_zoned_block_device_characteristics(data: bytes) -> ZonedBlockDeviceCharacteristics:
    r, f = start(data, "Zoned block device characteristics")
    more = flags(r, 4, (("urswrz", 0),))
    more.update(uint_fields(r, (
        ("optimal_number_of_open_sequential_write_preferred_zones", 8, 4),
        ("optimal_number_of_non_sequentially_written_sequential_write_preferred_zones", 12, 4),
        ("maximum_number_of_open_sequential_write_required_zones", 16, 4),
    )))
    if r.has(23):
        more["zone_alignment_method"] = r.bits(23, 0, 4)
    more.update(uint_fields(r, (("zone_starting_lba_granularity", 24, 8),)))
    return finish(ZonedBlockDeviceCharacteristics, r, f, **more)
