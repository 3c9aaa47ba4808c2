"""VPD pages that say what a logical unit and its ports are (SPC-5 7.7): supported pages
(00h), unit serial number (80h), device identification (83h), software interface
identification (84h), management network addresses (85h) and SCSI ports (88h)."""
from __future__ import annotations

from typing import Optional, Tuple

import attrs

from ...errors import UsageError
from .._util import Reader, Record, record, ascii_text, name_of, raw_repr
from ..designators import ASSOCIATIONS, Designator, decode_designators
from ..persistent_reservation import TransportId, decode_transport_id
from ._common import VPD_PAGE_NAMES, VpdPage, descriptors, finish, start

__all__ = [
    "DESIGNATOR_VIEWS",
    "NETWORK_SERVICE_TYPES",
    "SupportedVpdPages",
    "UnitSerialNumber",
    "DeviceIdentification",
    "SoftwareInterfaceIdentifier",
    "SoftwareInterfaceIdentification",
    "NetworkServiceDescriptor",
    "ManagementNetworkAddresses",
    "ScsiPortDesignationDescriptor",
    "ScsiPorts",
    "decode_supported_vpd_pages",
    "decode_unit_serial_number",
    "decode_device_identification",
    "decode_software_interface_identification",
    "decode_management_network_addresses",
    "decode_scsi_ports",
]

#: SPC-5 table 652 (SERVICE TYPE field).
NETWORK_SERVICE_TYPES = {
    0x00: "unspecified",
    0x01: "storage configuration service",
    0x02: "diagnostics",
    0x03: "status",
    0x04: "logging",
    0x05: "code download",
    0x06: "copy service",
    0x07: "administrative configuration service",
}


@record
class SupportedVpdPages(VpdPage):
    supported_pages: Tuple[int, ...] = ()
    supported_page_names: Tuple[str, ...] = ()


@record
class UnitSerialNumber(VpdPage):
    product_serial_number: Optional[str] = None


#: sg_vpd's views of page 83h that keep the designators of one association
#: (``sg_vpd -p di_lu``): the logical unit, the target port it was reached through, and the
#: target device that contains it.
DESIGNATOR_VIEWS = {"di_lu": 0, "di_port": 1, "di_target": 2}


@record
class DeviceIdentification(VpdPage):
    designation_descriptors: Tuple[Designator, ...] = ()

    def for_association(self, association: int) -> Tuple[Designator, ...]:
        """The designators of one ASSOCIATION (0 logical unit, 1 target port, 2 target
        device), in the order the page lists them."""
        if association not in ASSOCIATIONS:
            raise UsageError(f"association={association!r}: one of {', '.join(map(str, sorted(ASSOCIATIONS)))}")
        return tuple(d for d in self.designation_descriptors if d.association == association)

    def view(self, name: str) -> "DeviceIdentification":
        """The page as sg_vpd's ``di_lu``, ``di_port`` or ``di_target`` shows it: only that
        association's designators (``raw`` stays the whole page)."""
        if name not in DESIGNATOR_VIEWS:
            raise UsageError(f"{name!r} is not a view of page 83h: one of {', '.join(DESIGNATOR_VIEWS)}")
        return attrs.evolve(self, designation_descriptors=self.for_association(DESIGNATOR_VIEWS[name]))


@record
class SoftwareInterfaceIdentifier(Record):
    """One 6-byte software interface identifier: an EUI-48 (SPC-5 7.7.16)."""

    ieee_company_id: int
    vendor_specific_extension_identifier: int
    raw: bytes = attrs.field(repr=raw_repr)


@record
class SoftwareInterfaceIdentification(VpdPage):
    software_interface_identifiers: Tuple[SoftwareInterfaceIdentifier, ...] = ()


@record
class NetworkServiceDescriptor(Record):
    """One network services descriptor (SPC-5 7.7.10)."""

    association: int
    association_name: str
    service_type: int
    service_type_name: str
    network_address_length: int
    network_address: str
    raw: bytes = attrs.field(repr=raw_repr)


@record
class ManagementNetworkAddresses(VpdPage):
    network_service_descriptors: Tuple[NetworkServiceDescriptor, ...] = ()


@record
class ScsiPortDesignationDescriptor(Record):
    """One SCSI port designation descriptor of the SCSI ports page (SPC-5 7.7.17)."""

    relative_port_identifier: int
    initiator_port_transportid_length: int
    initiator_port_transportid: Optional[TransportId]
    target_port_descriptors_length: int
    target_port_descriptors: Tuple[Designator, ...]
    raw: bytes = attrs.field(repr=raw_repr)


@record
class ScsiPorts(VpdPage):
    scsi_port_designation_descriptors: Tuple[ScsiPortDesignationDescriptor, ...] = ()


def decode_supported_vpd_pages(data: bytes) -> SupportedVpdPages:
    r, f = start(data, "Supported VPD pages")
    pages = tuple(r.data[4:])
    names = tuple(VPD_PAGE_NAMES.get(p, "vendor specific" if p >= 0xC0 else "reserved") for p in pages)
    return finish(SupportedVpdPages, r, f, supported_pages=pages, supported_page_names=names)


def decode_unit_serial_number(data: bytes) -> UnitSerialNumber:
    r, f = start(data, "Unit serial number")
    serial = ascii_text(r.data[4:]) if len(r) >= 4 else None
    return finish(UnitSerialNumber, r, f, product_serial_number=serial)


def decode_device_identification(data: bytes) -> DeviceIdentification:
    r, f = start(data, "Device identification")
    found = decode_designators(r.data[4:], "Device identification", r.problems)
    return finish(DeviceIdentification, r, f, designation_descriptors=found)


def decode_software_interface_identification(data: bytes) -> SoftwareInterfaceIdentification:
    r, f = start(data, "Software interface identification")
    ids = []
    for offset in range(4, len(r) - 5, 6):
        ids.append(SoftwareInterfaceIdentifier(
            ieee_company_id=r.uint(offset, 3),
            vendor_specific_extension_identifier=r.uint(offset + 3, 3),
            raw=r.data[offset:offset + 6]))
    if len(r) > 4 and (len(r) - 4) % 6:
        r.problem(f"{(len(r) - 4) % 6} bytes after the last 6-byte identifier")
    return finish(SoftwareInterfaceIdentification, r, f, software_interface_identifiers=tuple(ids))


def decode_management_network_addresses(data: bytes) -> ManagementNetworkAddresses:
    r, f = start(data, "Management network addresses")
    found = []
    for offset, length in descriptors(r, 4, "network services descriptor",
                                      lambda r, o: None if not r.has(o, 4) else 4 + r.uint(o + 2, 2)):
        assoc, stype = r.bits(offset, 5, 2), r.bits(offset, 0, 5)
        # A null-terminated, null-padded URL or address (SPC-5 7.7.10).
        address = r.data[offset + 4:offset + length].split(b"\x00", 1)[0].decode("utf-8", "replace")
        found.append(NetworkServiceDescriptor(
            association=assoc, association_name=name_of(ASSOCIATIONS, assoc),
            service_type=stype, service_type_name=name_of(NETWORK_SERVICE_TYPES, stype),
            network_address_length=length - 4, network_address=address,
            raw=r.data[offset:offset + length]))
    return finish(ManagementNetworkAddresses, r, f, network_service_descriptors=tuple(found))


def _port_descriptor_size(r: Reader, offset: int) -> Optional[int]:
    if not r.has(offset, 8):
        return None
    tid_end = offset + 8 + r.uint(offset + 6, 2)
    if not r.has(tid_end, 4):
        return None
    return tid_end + 4 + r.uint(tid_end + 2, 2) - offset


def decode_scsi_ports(data: bytes) -> ScsiPorts:
    r, f = start(data, "SCSI ports")
    found = []
    for offset, length in descriptors(r, 4, "SCSI port designation descriptor", _port_descriptor_size):
        tid_length = r.uint(offset + 6, 2)
        tid_end = offset + 8 + tid_length
        tpd_length = r.uint(tid_end + 2, 2)
        targets = decode_designators(r.data[tid_end + 4:offset + length], "SCSI ports", r.problems)
        found.append(ScsiPortDesignationDescriptor(
            relative_port_identifier=r.uint(offset + 2, 2),
            initiator_port_transportid_length=tid_length,
            initiator_port_transportid=decode_transport_id(r.data[offset + 8:tid_end]) if tid_length else None,
            target_port_descriptors_length=tpd_length,
            target_port_descriptors=targets,
            raw=r.data[offset:offset + length]))
    return finish(ScsiPorts, r, f, scsi_port_designation_descriptors=tuple(found))
