"""Third-party copy VPD page (8Fh, SPC-5 7.7.18): what EXTENDED COPY and the ROD token
commands (POPULATE TOKEN, WRITE USING TOKEN) accept.

The page is a list of third-party copy descriptors, each a 2-byte type, a 2-byte length and
a body; every type SPC-5 defines has its own record below, an unknown type keeps its bytes.
"""
from __future__ import annotations

from typing import Optional, Tuple

import attrs

from .._util import Reader, Record, record, raw_repr
from ._common import VpdPage, descriptors, finish, start

__all__ = [
    "THIRD_PARTY_COPY_DESCRIPTOR_TYPES",
    "COPY_DESCRIPTOR_NAMES",
    "ROD_TYPE_NAMES",
    "CSCD_DESCRIPTOR_ID_NAMES",
    "ThirdPartyCopyDescriptor",
    "BlockDeviceRodTokenLimits",
    "CommandSupport",
    "SupportedCommands",
    "ParameterData",
    "SupportedDescriptors",
    "SupportedCscdDescriptorIds",
    "CopyGroupIdentifier",
    "RodTokenFeatures",
    "RodTypeDescriptor",
    "SupportedRodTypes",
    "GeneralCopyOperations",
    "StreamCopyOperations",
    "HeldData",
    "ThirdPartyCopy",
    "decode_third_party_copy",
]

#: SPC-5 table 668 (THIRD-PARTY COPY DESCRIPTOR TYPE field).
THIRD_PARTY_COPY_DESCRIPTOR_TYPES = {
    0x0000: "Block device ROD token limits",
    0x0001: "Supported commands",
    0x0004: "Parameter data",
    0x0008: "Supported descriptors",
    0x000C: "Supported CSCD descriptor IDs",
    0x000D: "Copy group identifier",
    0x0106: "ROD token features",
    0x0108: "Supported ROD types",
    0x8001: "General copy operations",
    0x9101: "Stream copy operations",
    0xC001: "Held data",
}

#: SPC-5 tables 114 and 128: segment and CSCD descriptor type codes (EXTENDED COPY).
COPY_DESCRIPTOR_NAMES = {
    0x00: "block -> stream", 0x01: "stream -> block", 0x02: "block -> block",
    0x03: "stream -> stream", 0x04: "inline -> stream", 0x05: "embedded -> stream",
    0x06: "stream -> discard", 0x07: "verify CSCD", 0x08: "block<o> -> stream",
    0x09: "stream -> block<o>", 0x0A: "block<o> -> block<o>",
    0x0B: "block -> stream & application client", 0x0C: "stream -> block & application client",
    0x0D: "block -> block & application client", 0x0E: "stream -> stream & application client",
    0x0F: "stream -> discard & application client", 0x10: "filemark -> tape",
    0x11: "space -> tape", 0x12: "locate -> tape", 0x13: "<i>tape -> <i>tape",
    0x14: "register persistent reservation key",
    0x15: "third party persistent reservation source I_T nexus",
    0x16: "<i>block -> <i>block", 0x17: "positioning -> tape", 0x18: "<loi>tape -> <loi>tape",
    0xBE: "ROD <- block range(n)", 0xBF: "ROD <- block range(1)",
    0xE0: "CSCD: FC N_Port_Name", 0xE1: "CSCD: FC N_Port_ID",
    0xE2: "CSCD: FC N_Port_ID with N_Port_Name, checking", 0xE3: "CSCD: parallel interface: I_T",
    0xE4: "CSCD: identification descriptor", 0xE5: "CSCD: IPv4", 0xE6: "CSCD: alias",
    0xE7: "CSCD: RDMA", 0xE8: "CSCD: IEEE 1394 EUI-64", 0xE9: "CSCD: SAS SSP",
    0xEA: "CSCD: IPv6", 0xEB: "CSCD: IP copy service", 0xFE: "CSCD: ROD", 0xFF: "CSCD: extension",
}

#: SPC-5 table 136 (ROD TYPE field).
ROD_TYPE_NAMES = {
    0x00000000: "copy manager internal",
    0x00010000: "access upon reference",
    0x00800000: "point in time copy - default",
    0x00800001: "point in time copy - change vulnerable",
    0x00800002: "point in time copy - persistent",
    0x0080FFFF: "point in time copy - any",
    0xFFFF0001: "block device zero",
}

#: SPC-5 table 127: the CSCD descriptor IDs above 07FFh that name something other than
#: an entry of the CSCD descriptor list.
CSCD_DESCRIPTOR_ID_NAMES = {
    0xC000: "null logical unit, peripheral device type 00h",
    0xC001: "null logical unit, peripheral device type 01h",
    0xF800: "copy source or destination in the ROD token",
    0xFFFF: "the copy manager's logical unit",
}


@record
class ThirdPartyCopyDescriptor(Record):
    """A descriptor of a type this decoder does not know; base of the known ones."""

    third_party_copy_descriptor_type: int
    third_party_copy_descriptor_type_name: str
    third_party_copy_descriptor_length: int
    raw: bytes = attrs.field(repr=raw_repr)


@record
class BlockDeviceRodTokenLimits(ThirdPartyCopyDescriptor):
    """Zero in any field means "not reported"."""

    maximum_range_descriptors: Optional[int] = None
    maximum_inactivity_timeout: Optional[int] = None
    default_inactivity_timeout: Optional[int] = None
    maximum_token_transfer_size: Optional[int] = None
    optimal_transfer_count: Optional[int] = None


@record
class CommandSupport(Record):
    operation_code: int
    service_actions: Tuple[int, ...]


@record
class SupportedCommands(ThirdPartyCopyDescriptor):
    commands_supported_list_length: Optional[int] = None
    command_support_descriptors: Tuple[CommandSupport, ...] = ()


@record
class ParameterData(ThirdPartyCopyDescriptor):
    maximum_cscd_descriptor_count: Optional[int] = None
    maximum_segment_descriptor_count: Optional[int] = None
    maximum_descriptor_list_length: Optional[int] = None
    maximum_inline_data_length: Optional[int] = None


@record
class SupportedDescriptors(ThirdPartyCopyDescriptor):
    descriptor_type_codes: Tuple[int, ...] = ()
    descriptor_type_names: Tuple[str, ...] = ()


@record
class SupportedCscdDescriptorIds(ThirdPartyCopyDescriptor):
    cscd_descriptor_ids: Tuple[int, ...] = ()


@record
class CopyGroupIdentifier(ThirdPartyCopyDescriptor):
    copy_group_identifier_length: Optional[int] = None
    copy_group_identifier: bytes = attrs.field(default=b"", repr=raw_repr)


@record
class RodTokenFeatures(ThirdPartyCopyDescriptor):
    """Lifetimes and the inactivity timeout are in seconds.  The ROD device type specific
    features descriptors are kept as sent."""

    remote_tokens: Optional[int] = None
    minimum_token_lifetime: Optional[int] = None
    maximum_token_lifetime: Optional[int] = None
    maximum_token_inactivity_timeout: Optional[int] = None
    rod_device_type_specific_features_descriptors: bytes = attrs.field(default=b"", repr=raw_repr)


@record
class RodTypeDescriptor(Record):
    rod_type: int
    rod_type_name: str
    ecpy_int: bool
    token_in: bool
    token_out: bool
    preference_indication: int


@record
class SupportedRodTypes(ThirdPartyCopyDescriptor):
    rod_type_descriptors: Tuple[RodTypeDescriptor, ...] = ()


@record
class GeneralCopyOperations(ThirdPartyCopyDescriptor):
    """The two granularities are powers of two, as sent (log2 of the byte count)."""

    total_concurrent_copies: Optional[int] = None
    maximum_identified_concurrent_copies: Optional[int] = None
    maximum_segment_length: Optional[int] = None
    data_segment_granularity: Optional[int] = None
    inline_data_granularity: Optional[int] = None


@record
class StreamCopyOperations(ThirdPartyCopyDescriptor):
    maximum_stream_device_transfer_size: Optional[int] = None


@record
class HeldData(ThirdPartyCopyDescriptor):
    """``held_data_granularity`` is log2 of the byte count, as sent."""

    held_data_limit: Optional[int] = None
    held_data_granularity: Optional[int] = None


@record
class ThirdPartyCopy(VpdPage):
    third_party_copy_descriptors: Tuple[ThirdPartyCopyDescriptor, ...] = ()


def _fields(r: Reader, o: int, layout: Tuple[Tuple[str, int, int], ...]) -> dict:
    return {name: r.uint(o + off, n) for name, off, n in layout if r.has(o + off, n)}


def _commands(r: Reader, o: int, end: int) -> dict:
    length = r.uint(o + 4)
    found = []
    at, stop = o + 5, min(o + 5 + length, end)
    while at + 1 < stop:
        count = r.uint(at + 1)
        found.append(CommandSupport(operation_code=r.uint(at),
                                    service_actions=tuple(r.data[at + 2:min(at + 2 + count, stop)])))
        at += 2 + count
    return dict(commands_supported_list_length=length, command_support_descriptors=tuple(found))


def _rod_types(r: Reader, o: int, end: int) -> dict:
    length = r.uint(o + 6, 2)
    found = []
    # SPC-5 table 683: eight bytes each.
    for at in range(o + 8, min(o + 8 + length, end) - 7, 8):
        rod_type = r.uint(at, 4)
        found.append(RodTypeDescriptor(
            rod_type=rod_type, rod_type_name=ROD_TYPE_NAMES.get(rod_type, "reserved"),
            ecpy_int=r.flag(at + 4, 7), token_in=r.flag(at + 4, 1), token_out=r.flag(at + 4, 0),
            preference_indication=r.uint(at + 6, 2)))
    return dict(rod_type_descriptors=tuple(found))


def _type_fields(kind: int, r: Reader, o: int, end: int) -> Tuple[type, dict]:
    if kind == 0x0000:
        return BlockDeviceRodTokenLimits, _fields(r, o, (
            ("maximum_range_descriptors", 10, 2), ("maximum_inactivity_timeout", 12, 4),
            ("default_inactivity_timeout", 16, 4), ("maximum_token_transfer_size", 20, 8),
            ("optimal_transfer_count", 28, 8)))
    if kind == 0x0001 and r.has(o + 4):
        return SupportedCommands, _commands(r, o, end)
    if kind == 0x0004:
        return ParameterData, _fields(r, o, (
            ("maximum_cscd_descriptor_count", 8, 2), ("maximum_segment_descriptor_count", 10, 2),
            ("maximum_descriptor_list_length", 12, 4), ("maximum_inline_data_length", 16, 4)))
    if kind == 0x0008 and r.has(o + 4):
        codes = tuple(r.data[o + 5:min(o + 5 + r.uint(o + 4), end)])
        return SupportedDescriptors, dict(
            descriptor_type_codes=codes,
            descriptor_type_names=tuple(COPY_DESCRIPTOR_NAMES.get(c, "reserved") for c in codes))
    if kind == 0x000C and r.has(o + 4, 2):
        stop = min(o + 6 + r.uint(o + 4, 2), end)
        return SupportedCscdDescriptorIds, dict(
            cscd_descriptor_ids=tuple(r.uint(at, 2) for at in range(o + 6, stop - 1, 2)))
    if kind == 0x000D and r.has(o + 4):
        length = r.uint(o + 4)
        return CopyGroupIdentifier, dict(copy_group_identifier_length=length,
                                         copy_group_identifier=r.data[o + 5:min(o + 5 + length, end)])
    if kind == 0x0106:
        more = _fields(r, o, (("minimum_token_lifetime", 16, 4), ("maximum_token_lifetime", 20, 4),
                              ("maximum_token_inactivity_timeout", 24, 4)))
        if r.has(o + 4):
            more["remote_tokens"] = r.bits(o + 4, 0, 4)
        if r.has(o + 46, 2):
            more["rod_device_type_specific_features_descriptors"] = r.data[o + 48:min(o + 48 + r.uint(o + 46, 2), end)]
        return RodTokenFeatures, more
    if kind == 0x0108 and r.has(o + 6, 2):
        return SupportedRodTypes, _rod_types(r, o, end)
    if kind == 0x8001:
        return GeneralCopyOperations, _fields(r, o, (
            ("total_concurrent_copies", 4, 4), ("maximum_identified_concurrent_copies", 8, 4),
            ("maximum_segment_length", 12, 4), ("data_segment_granularity", 16, 1),
            ("inline_data_granularity", 17, 1)))
    if kind == 0x9101:
        return StreamCopyOperations, _fields(r, o, (("maximum_stream_device_transfer_size", 4, 4),))
    if kind == 0xC001:
        return HeldData, _fields(r, o, (("held_data_limit", 4, 4), ("held_data_granularity", 8, 1)))
    return ThirdPartyCopyDescriptor, {}


def decode_third_party_copy(data: bytes) -> ThirdPartyCopy:
    r, f = start(data, "Third-party copy")
    found = []
    for o, length in descriptors(r, 4, "third-party copy descriptor",
                                 lambda r, o: None if not r.has(o, 4) else 4 + r.uint(o + 2, 2)):
        # Fields past a descriptor's own length belong to the next one: read through a
        # reader that ends where this descriptor ends.
        inner = Reader(r.data[:o + length], r.what, r.problems)
        kind = inner.uint(o, 2)
        cls, more = _type_fields(kind, inner, o, o + length)
        found.append(cls(
            third_party_copy_descriptor_type=kind,
            third_party_copy_descriptor_type_name=THIRD_PARTY_COPY_DESCRIPTOR_TYPES.get(kind, "reserved"),
            third_party_copy_descriptor_length=length - 4,
            raw=r.data[o:o + length], **more))
    return finish(ThirdPartyCopy, r, f, third_party_copy_descriptors=tuple(found))
