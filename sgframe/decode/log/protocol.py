"""Protocol specific port log page, 18h, for SAS (SPL-4 9.2.8.1): one parameter per target
port (the parameter code is the relative target port identifier) with a SAS phy log
descriptor per phy, each with its phy event descriptors.  Other protocols' parameters are
kept as generic parameters and named in ``problems``.
"""
from __future__ import annotations

from typing import Tuple

from .._util import Record, name_of, record
from ._core import LogPage, read_page

__all__ = [
    "SAS_PROTOCOL_IDENTIFIER",
    "PHY_EVENT_SOURCE_NAMES",
    "SAS_LINK_RATE_NAMES",
    "PhyEventDescriptor",
    "SasPhyLogDescriptor",
    "SasPortLogParameter",
    "ProtocolSpecificPortPage",
    "decode_protocol_specific_port_page",
]

SAS_PROTOCOL_IDENTIFIER = 0x6

#: SPL-4 table 155 (PHY EVENT SOURCE field).
PHY_EVENT_SOURCE_NAMES = {
    0x00: "no event",
    0x01: "invalid dword count",
    0x02: "running disparity error count",
    0x03: "loss of dword synchronization count",
    0x04: "phy reset problem count",
    0x05: "elasticity buffer overflow count",
    0x06: "received ERROR count",
    0x07: "invalid SPL packet count",
    0x08: "loss of SPL packet synchronization count",
    0x20: "received address frame error count",
    0x21: "transmitted abandon-class OPEN_REJECT count",
    0x22: "received abandon-class OPEN_REJECT count",
    0x23: "transmitted retry-class OPEN_REJECT count",
    0x24: "received retry-class OPEN_REJECT count",
    0x25: "received AIP (WAITING ON PARTIAL) count",
    0x26: "received AIP (WAITING ON CONNECTION) count",
    0x27: "transmitted BREAK count",
    0x28: "received BREAK count",
    0x29: "break timeout count",
    0x2A: "connection count",
    0x2B: "peak transmitted pathway blocked count",
    0x2C: "peak transmitted arbitration wait time",
    0x2D: "peak arbitration time",
    0x2E: "peak connection time",
    0x2F: "persistent connection count",
    0x40: "transmitted SSP frame count",
    0x41: "received SSP frame count",
    0x42: "transmitted SSP frame error count",
    0x43: "received SSP frame error count",
    0x44: "transmitted CREDIT_BLOCKED count",
    0x45: "received CREDIT_BLOCKED count",
    0x50: "transmitted SATA frame count",
    0x51: "received SATA frame count",
    0x52: "SATA flow control buffer overflow count",
    0x60: "transmitted SMP frame count",
    0x61: "received SMP frame count",
    0x63: "received SMP frame error count",
}

#: SPL-4 table 297 (NEGOTIATED LOGICAL LINK RATE field).
SAS_LINK_RATE_NAMES = {
    0x0: "phy enabled; unknown rate",
    0x1: "phy disabled",
    0x2: "phy enabled; speed negotiation failed",
    0x3: "phy enabled; SATA spinup hold state",
    0x4: "phy enabled; port selector",
    0x5: "phy enabled; reset in progress",
    0x6: "phy enabled; unsupported phy attached",
    0x8: "1.5 Gbit/s",
    0x9: "3 Gbit/s",
    0xA: "6 Gbit/s",
    0xB: "12 Gbit/s",
    0xC: "22.5 Gbit/s",
}


@record
class PhyEventDescriptor(Record):
    """Phy event descriptor (SPL-4 table 154), twelve bytes."""

    phy_event_source: int
    phy_event_source_name: str
    phy_event: int
    peak_value_detector_threshold: int


@record
class SasPhyLogDescriptor(Record):
    """SAS phy log descriptor (SPL-4 table 153)."""

    phy_identifier: int
    attached_sas_device_type: int
    attached_reason: int
    reason: int
    negotiated_logical_link_rate: int
    negotiated_logical_link_rate_name: str
    attached_ssp_initiator_port: bool
    attached_stp_initiator_port: bool
    attached_smp_initiator_port: bool
    attached_ssp_target_port: bool
    attached_stp_target_port: bool
    attached_smp_target_port: bool
    sas_address: int
    attached_sas_address: int
    attached_phy_identifier: int
    invalid_dword_count: int
    running_disparity_error_count: int
    loss_of_dword_synchronization_count: int
    phy_reset_problem_count: int
    phy_event_descriptors: Tuple[PhyEventDescriptor, ...] = ()


@record
class SasPortLogParameter(Record):
    """Protocol specific port log parameter for SAS (SPL-4 table 152)."""

    relative_target_port_identifier: int
    protocol_identifier: int
    generation_code: int
    number_of_phys: int
    phys: Tuple[SasPhyLogDescriptor, ...] = ()


@record
class ProtocolSpecificPortPage(LogPage):
    """Protocol specific port, 18h: SAS ports decoded, other protocols left generic."""

    ports: Tuple[SasPortLogParameter, ...] = ()


def _phy(d: bytes) -> SasPhyLogDescriptor:
    events = []
    count = d[51] if len(d) > 51 else 0
    size = (d[50] or 12) if len(d) > 50 else 12
    for i in range(count):
        e = d[52 + i * size:52 + (i + 1) * size]
        if len(e) < 12:
            break
        events.append(PhyEventDescriptor(
            phy_event_source=e[3], phy_event_source_name=name_of(PHY_EVENT_SOURCE_NAMES, e[3]),
            phy_event=int.from_bytes(e[4:8], "big"),
            peak_value_detector_threshold=int.from_bytes(e[8:12], "big"),
        ))
    return SasPhyLogDescriptor(
        phy_identifier=d[1],
        attached_sas_device_type=(d[4] >> 4) & 0x7,
        attached_reason=d[4] & 0xF,
        reason=d[5] >> 4,
        negotiated_logical_link_rate=d[5] & 0xF,
        negotiated_logical_link_rate_name=name_of(SAS_LINK_RATE_NAMES, d[5] & 0xF),
        attached_ssp_initiator_port=bool(d[6] & 0x08),
        attached_stp_initiator_port=bool(d[6] & 0x04),
        attached_smp_initiator_port=bool(d[6] & 0x02),
        attached_ssp_target_port=bool(d[7] & 0x08),
        attached_stp_target_port=bool(d[7] & 0x04),
        attached_smp_target_port=bool(d[7] & 0x02),
        sas_address=int.from_bytes(d[8:16], "big"),
        attached_sas_address=int.from_bytes(d[16:24], "big"),
        attached_phy_identifier=d[24],
        invalid_dword_count=int.from_bytes(d[32:36], "big"),
        running_disparity_error_count=int.from_bytes(d[36:40], "big"),
        loss_of_dword_synchronization_count=int.from_bytes(d[40:44], "big"),
        phy_reset_problem_count=int.from_bytes(d[44:48], "big"),
        phy_event_descriptors=tuple(events),
    )


def decode_protocol_specific_port_page(data: bytes) -> ProtocolSpecificPortPage:
    r, f = read_page(data, "Protocol specific port log page")
    ports = []
    for p in f["parameters"]:
        v = p.value
        if len(v) < 4:
            r.problem(f"port parameter {p.parameter_code:04x}h has {len(v)} of 4 bytes")
            continue
        protocol = v[0] & 0xF
        if protocol != SAS_PROTOCOL_IDENTIFIER:
            r.problem(f"port parameter {p.parameter_code:04x}h: protocol identifier {protocol:x}h "
                      f"is not decoded (only SAS, 6h)")
            continue
        phys = []
        offset = 4
        while offset + 4 <= len(v):
            # SAS-1.1 devices leave the descriptor length zero: their descriptors are 48 bytes.
            length = v[offset + 3] + 4 if v[offset + 3] >= 44 else 48
            descriptor = v[offset:offset + length]
            if len(descriptor) < 48:
                r.problem(f"port {p.parameter_code}: phy log descriptor at byte {offset} has "
                          f"{len(descriptor)} of 48 bytes")
                break
            phys.append(_phy(descriptor))
            offset += length
        if len(phys) != v[3]:
            r.problem(f"port {p.parameter_code}: NUMBER OF PHYS is {v[3]}, {len(phys)} descriptors present")
        ports.append(SasPortLogParameter(relative_target_port_identifier=p.parameter_code,
                                         protocol_identifier=protocol, generation_code=v[2],
                                         number_of_phys=v[3], phys=tuple(phys)))
    return ProtocolSpecificPortPage(ports=tuple(ports), problems=tuple(r.problems), **f)

