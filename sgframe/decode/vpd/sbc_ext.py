"""The newer block device VPD pages (SBC-4 6.6, SBC-5): referrals (B3h), supported block
lengths and protection types (B4h), block device characteristics extension (B5h), block
limits extension (B7h), format presets (B8h) and concurrent positioning ranges (B9h)."""
from __future__ import annotations

from typing import Optional, Tuple

import attrs

from .._util import Record, record, name_of, raw_repr
from ._common import VpdPage, descriptors, finish, fixed_size, start, uint_fields

__all__ = [
    "UTILIZATION_TYPES",
    "UTILIZATION_UNITS",
    "UTILIZATION_INTERVALS",
    "SCHEMA_TYPES",
    "Referrals",
    "SupportedBlockLength",
    "SupportedBlockLengthsAndProtectionTypes",
    "BlockDeviceCharacteristicsExtension",
    "BlockLimitsExtension",
    "FormatPreset",
    "FormatPresets",
    "LbaRange",
    "ConcurrentPositioningRanges",
    "decode_referrals",
    "decode_supported_block_lengths",
    "decode_block_device_characteristics_extension",
    "decode_block_limits_extension",
    "decode_format_presets",
    "decode_concurrent_positioning_ranges",
]

#: SBC-4 table 268 (UTILIZATION TYPE field).
UTILIZATION_TYPES = {1: "combined writes and reads", 2: "writes only", 3: "separate writes and reads"}

#: SBC-4 table 269 (UTILIZATION UNITS field).
UTILIZATION_UNITS = {2: "megabytes", 3: "gigabytes", 4: "terabytes", 5: "petabytes", 6: "exabytes"}

#: SBC-4 table 270 (UTILIZATION INTERVAL field).
UTILIZATION_INTERVALS = {0x0A: "per day", 0x0E: "per year"}

#: SBC-5 (SCHEMA TYPE field of a format preset descriptor).
SCHEMA_TYPES = {1: "block device", 2: "host aware zoned block device", 3: "host managed zoned block device"}

_HOST_AWARE, _HOST_MANAGED = 2, 3


@record
class Referrals(VpdPage):
    """Referrals (SBC-4 6.6.5).  A zero segment size means the sense data says it."""

    user_data_segment_size: Optional[int] = None
    user_data_segment_multiplier: Optional[int] = None


@record
class SupportedBlockLength(Record):
    """One logical block length descriptor (SBC-4 6.6.8); ``t0ps`` .. ``t3ps`` say which
    protection types work with this length."""

    logical_block_length: int
    p_i_i_sup: bool
    no_pi_chk: bool
    grd_chk: bool
    app_chk: bool
    ref_chk: bool
    t3ps: bool
    t2ps: bool
    t1ps: bool
    t0ps: bool


@record
class SupportedBlockLengthsAndProtectionTypes(VpdPage):
    logical_block_length_descriptors: Tuple[SupportedBlockLength, ...] = ()


@record
class BlockDeviceCharacteristicsExtension(VpdPage):
    """Block device characteristics extension (SBC-4 6.6.3): the workload the device is
    designed for, as UTILIZATION A and B in the units and interval named."""

    utilization_type: Optional[int] = None
    utilization_type_name: Optional[str] = None
    utilization_units: Optional[int] = None
    utilization_units_name: Optional[str] = None
    utilization_interval: Optional[int] = None
    utilization_interval_name: Optional[str] = None
    utilization_b: Optional[int] = None
    utilization_a: Optional[int] = None


@record
class BlockLimitsExtension(VpdPage):
    """Block limits extension (SBC-4 6.6.5; the scattered write limits are SBC-5)."""

    maximum_number_of_streams: Optional[int] = None
    optimal_stream_write_size: Optional[int] = None
    stream_granularity_size: Optional[int] = None
    maximum_scattered_lba_range_transfer_length: Optional[int] = None
    maximum_scattered_lba_range_descriptor_count: Optional[int] = None
    maximum_scattered_transfer_length: Optional[int] = None


@record
class FormatPreset(Record):
    """One 64-byte format preset descriptor (SBC-5).  The zone fields are filled in for the
    zoned schema types; ``schema_type_specific`` keeps bytes 40-63 as sent."""

    preset_identifier: int
    schema_type: int
    schema_type_name: str
    logical_blocks_per_physical_block_exponent: int
    logical_block_length: int
    designed_last_logical_block_address: int
    fmtpinfo: int
    prot_field_usage: int
    protection_interval_exponent: int
    schema_type_specific: bytes = attrs.field(repr=raw_repr)
    low_lba_conventional_zones_percentage: Optional[int] = None
    high_lba_conventional_zones_percentage: Optional[int] = None
    designed_zone_alignment_method: Optional[int] = None
    designed_zone_starting_lba_granularity: Optional[int] = None
    logical_blocks_per_zone: Optional[int] = None


@record
class FormatPresets(VpdPage):
    format_preset_descriptors: Tuple[FormatPreset, ...] = ()


@record
class LbaRange(Record):
    """One LBA range descriptor: the LBAs one actuator serves (SBC-5)."""

    lba_range_number: int
    number_of_storage_elements: int
    starting_lba: int
    number_of_lbas: int


@record
class ConcurrentPositioningRanges(VpdPage):
    lba_range_descriptors: Tuple[LbaRange, ...] = ()


def decode_referrals(data: bytes) -> Referrals:
    r, f = start(data, "Referrals")
    more = uint_fields(r, (("user_data_segment_size", 8, 4), ("user_data_segment_multiplier", 12, 4)))
    return finish(Referrals, r, f, **more)


def decode_supported_block_lengths(data: bytes) -> SupportedBlockLengthsAndProtectionTypes:
    r, f = start(data, "Supported block lengths and protection types")
    found = []
    for o, _ in descriptors(r, 4, "logical block length descriptor", fixed_size(8)):
        b4, b5 = r.uint(o + 4), r.uint(o + 5)
        found.append(SupportedBlockLength(
            logical_block_length=r.uint(o, 4),
            p_i_i_sup=bool(b4 & 0x40), no_pi_chk=bool(b4 & 0x08), grd_chk=bool(b4 & 0x04),
            app_chk=bool(b4 & 0x02), ref_chk=bool(b4 & 0x01),
            t3ps=bool(b5 & 0x08), t2ps=bool(b5 & 0x04), t1ps=bool(b5 & 0x02), t0ps=bool(b5 & 0x01)))
    return finish(SupportedBlockLengthsAndProtectionTypes, r, f,
                  logical_block_length_descriptors=tuple(found))


def decode_block_device_characteristics_extension(data: bytes) -> BlockDeviceCharacteristicsExtension:
    r, f = start(data, "Block device characteristics extension")
    more: dict = {}
    for name, offset, table in (("utilization_type", 5, UTILIZATION_TYPES),
                                ("utilization_units", 6, UTILIZATION_UNITS),
                                ("utilization_interval", 7, UTILIZATION_INTERVALS)):
        if r.has(offset):
            value = r.uint(offset)
            more.update({name: value, f"{name}_name": name_of(table, value)})
    more.update(uint_fields(r, (("utilization_b", 8, 4), ("utilization_a", 12, 4))))
    return finish(BlockDeviceCharacteristicsExtension, r, f, **more)


def decode_block_limits_extension(data: bytes) -> BlockLimitsExtension:
    r, f = start(data, "Block limits extension")
    more = uint_fields(r, (
        ("maximum_number_of_streams", 6, 2),
        ("optimal_stream_write_size", 8, 2),
        ("stream_granularity_size", 10, 4),
        ("maximum_scattered_lba_range_transfer_length", 16, 4),
        ("maximum_scattered_lba_range_descriptor_count", 22, 2),
        ("maximum_scattered_transfer_length", 24, 4),
    ))
    return finish(BlockLimitsExtension, r, f, **more)


def decode_format_presets(data: bytes) -> FormatPresets:
    r, f = start(data, "Format presets")
    found = []
    for o, _ in descriptors(r, 4, "format preset descriptor", fixed_size(64)):
        schema = r.uint(o + 4)
        zones: dict = {}
        if schema in (_HOST_AWARE, _HOST_MANAGED):
            zones.update(low_lba_conventional_zones_percentage=r.uint(o + 40),
                         high_lba_conventional_zones_percentage=r.uint(o + 41),
                         logical_blocks_per_zone=r.uint(o + 52, 4))
        if schema == _HOST_MANAGED:
            zones.update(designed_zone_alignment_method=r.bits(o + 43, 0, 3),
                         designed_zone_starting_lba_granularity=r.uint(o + 44, 8))
        found.append(FormatPreset(
            preset_identifier=r.uint(o, 4),
            schema_type=schema,
            schema_type_name=name_of(SCHEMA_TYPES, schema),
            logical_blocks_per_physical_block_exponent=r.bits(o + 7, 0, 4),
            logical_block_length=r.uint(o + 8, 4),
            designed_last_logical_block_address=r.uint(o + 16, 8),
            fmtpinfo=r.bits(o + 38, 6, 2),
            prot_field_usage=r.bits(o + 38, 0, 3),
            protection_interval_exponent=r.bits(o + 39, 0, 4),
            schema_type_specific=r.data[o + 40:o + 64],
            **zones))
    return finish(FormatPresets, r, f, format_preset_descriptors=tuple(found))


def decode_concurrent_positioning_ranges(data: bytes) -> ConcurrentPositioningRanges:
    r, f = start(data, "Concurrent positioning ranges")
    found = []
    # Bytes 4-63 are reserved; the 32-byte LBA range descriptors follow (SBC-5).
    if len(r) > 4 and len(r) < 64:
        r.problem(f"{len(r)} bytes, the descriptors start at byte 64")
    for o, _ in descriptors(r, 64, "LBA range descriptor", fixed_size(32)):
        found.append(LbaRange(lba_range_number=r.uint(o), number_of_storage_elements=r.uint(o + 1),
                              starting_lba=r.uint(o + 8, 8), number_of_lbas=r.uint(o + 16, 8)))
    return finish(ConcurrentPositioningRanges, r, f, lba_range_descriptors=tuple(found))
