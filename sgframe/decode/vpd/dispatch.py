"""Dispatch on the page code, and the one page that needs it: device constituents (8Bh,
SPC-5 7.7.6), whose descriptors carry whole VPD pages of the constituents.

:data:`VPD_DECODERS` maps a page code to a function ``decoder(data) -> record`` that takes the
whole page, header included; a plugin registers vendor pages there.  :func:`decode_vpd`
dispatches on byte 1 (and, for B0h-BFh, the device type) and falls back to
:class:`UnknownVpdPage` for everything else.
"""
from __future__ import annotations

from typing import Callable, Dict, Optional, Tuple

import attrs

from .._util import Reader, Record, record, name_of, raw_repr
from ..inquiry import PERIPHERAL_DEVICE_TYPES
from . import identification as _id
from . import sbc as _sbc
from . import sbc_ext as _sbc_ext
from . import spc as _spc
from . import tpc as _tpc
from ._common import BLOCK_DEVICE_TYPES, VpdPage, decode_unknown_vpd, descriptors, finish, start

__all__ = [
    "CONSTITUENT_TYPES",
    "ConstituentSpecificDescriptor",
    "ConstituentDescriptor",
    "DeviceConstituents",
    "decode_device_constituents",
    "VPD_DECODERS",
    "decode_vpd",
]

#: SPC-5 table 632 (CONSTITUENT TYPE field).
CONSTITUENT_TYPES = {1: "virtual tape library", 2: "virtual tape drive", 3: "direct access block device"}

_VPD_PAGE, _VENDOR = 0x01, 0xFF


@record
class ConstituentSpecificDescriptor(Record):
    """Type 01h carries a VPD page of the constituent, decoded into ``vpd_page``."""

    constituent_specific_descriptor_type: int
    constituent_specific_descriptor_length: int
    data: bytes = attrs.field(repr=raw_repr)
    vpd_page: Optional[VpdPage] = None


@record
class ConstituentDescriptor(Record):
    constituent_type: int
    constituent_type_name: str
    constituent_device_type: int
    constituent_device_type_name: str
    t10_vendor_identification: str
    product_identification: str
    product_revision_level: str
    constituent_descriptor_length: int
    constituent_specific_descriptors: Tuple[ConstituentSpecificDescriptor, ...]
    raw: bytes = attrs.field(repr=raw_repr)


@record
class DeviceConstituents(VpdPage):
    constituent_descriptors: Tuple[ConstituentDescriptor, ...] = ()


def _specific(r: Reader, o: int, length: int) -> Tuple[ConstituentSpecificDescriptor, ...]:
    inner = Reader(r.data[o + 36:o + length], "constituent specific descriptors", r.problems)
    found = []
    for at, size in descriptors(inner, 0, "constituent specific descriptor",
                                lambda x, a: None if not x.has(a, 4) else 4 + x.uint(a + 2, 2)):
        kind = inner.uint(at)
        body = inner.data[at + 4:at + size]
        page = None
        # SPC-5 forbids a device constituents page here, so this cannot recurse forever;
        # refuse one anyway rather than trust the device.
        if kind == _VPD_PAGE and len(body) >= 4 and body[1] != 0x8B:
            page = decode_vpd(body)
        found.append(ConstituentSpecificDescriptor(
            constituent_specific_descriptor_type=kind, constituent_specific_descriptor_length=size - 4,
            data=body, vpd_page=page))
    return tuple(found)


def decode_device_constituents(data: bytes) -> DeviceConstituents:
    r, f = start(data, "Device constituents")
    found = []
    for o, length in descriptors(r, 4, "constituent descriptor",
                                 lambda r, o: None if not r.has(o, 36) else 36 + r.uint(o + 34, 2)):
        kind, dtype = r.uint(o, 2), r.uint(o + 2)
        found.append(ConstituentDescriptor(
            constituent_type=kind,
            constituent_type_name=name_of(CONSTITUENT_TYPES, kind),
            constituent_device_type=dtype,
            constituent_device_type_name=("unknown" if dtype == 0xFF
                                          else name_of(PERIPHERAL_DEVICE_TYPES, dtype)),
            t10_vendor_identification=r.text(o + 4, 8),
            product_identification=r.text(o + 12, 16),
            product_revision_level=r.text(o + 28, 4),
            constituent_descriptor_length=length - 36,
            constituent_specific_descriptors=_specific(r, o, length),
            raw=r.data[o:o + length]))
    return finish(DeviceConstituents, r, f, constituent_descriptors=tuple(found))


VPD_DECODERS: Dict[int, Callable[[bytes], VpdPage]] = {
    0x00: _id.decode_supported_vpd_pages,
    0x80: _id.decode_unit_serial_number,
    0x83: _id.decode_device_identification,
    0x84: _id.decode_software_interface_identification,
    0x85: _id.decode_management_network_addresses,
    0x86: _spc.decode_extended_inquiry,
    0x87: _spc.decode_mode_page_policy,
    0x88: _id.decode_scsi_ports,
    0x89: _spc.decode_ata_information,
    0x8A: _spc.decode_power_condition,
    0x8B: decode_device_constituents,
    0x8C: _spc.decode_cfa_profile_information,
    0x8D: _spc.decode_power_consumption,
    0x8F: _tpc.decode_third_party_copy,
    0x90: _spc.decode_protocol_specific_lu_information,
    0x91: _spc.decode_protocol_specific_port_information,
    0x92: _spc.decode_scsi_feature_sets,
    0xB0: _sbc.decode_block_limits,
    0xB1: _sbc.decode_block_device_characteristics,
    0xB2: _sbc.decode_logical_block_provisioning,
    0xB3: _sbc_ext.decode_referrals,
    0xB4: _sbc_ext.decode_supported_block_lengths,
    0xB5: _sbc_ext.decode_block_device_characteristics_extension,
    0xB6: _sbc.decode_zoned_block_device_characteristics,
    0xB7: _sbc_ext.decode_block_limits_extension,
    0xB8: _sbc_ext.decode_format_presets,
    0xB9: _sbc_ext.decode_concurrent_positioning_ranges,
}


def decode_vpd(data: bytes) -> VpdPage:
    """Decode a VPD page (INQUIRY with EVPD=1) by its page code.  Never raises on device data.

    A decoder that fails (a plugin's bug, or ours) is reported in ``problems`` of the generic
    record rather than propagated: device data must not take the caller down.
    """
    data = bytes(data)
    decoder = VPD_DECODERS.get(data[1]) if len(data) > 1 else None
    if decoder is not None and 0xB0 <= data[1] <= 0xBF and data[0] & 0x1F not in BLOCK_DEVICE_TYPES:
        # The same page code means another page on a tape drive or a changer (SSC, SMC).
        decoder = None
    if decoder is None:
        return decode_unknown_vpd(data)
    try:
        return decoder(data)
    except Exception as exc:  # noqa: BLE001 - see docstring
        page = decode_unknown_vpd(data)
        return attrs.evolve(page, problems=page.problems + (f"internal error in {decoder.__name__}: {exc!r}",))
