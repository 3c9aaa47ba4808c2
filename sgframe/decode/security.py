"""SECURITY PROTOCOL IN parameter data of protocol 00h, security protocol information
(SPC-5 7.7.1): the supported security protocols list, the certificate data and the
security compliance information."""
from __future__ import annotations

from typing import Optional, Tuple, Union

import attrs

from ._util import Reader, Record, ascii_text, name_of, raw_repr, record

__all__ = [
    "SECURITY_PROTOCOL_NAMES",
    "FIPS_140_REVISIONS",
    "Certificate",
    "ComplianceDescriptor",
    "SecurityComplianceInformation",
    "SecurityProtocolData",
    "SupportedSecurityProtocols",
    "decode_security_protocol_in",
]

#: SPC-5 table 263 (SECURITY PROTOCOL field).
SECURITY_PROTOCOL_NAMES = {
    0x00: "security protocol information",
    0x01: "TCG",
    0x02: "TCG",
    0x03: "TCG",
    0x04: "TCG",
    0x05: "TCG",
    0x06: "TCG",
    0x07: "CbCS",
    0x20: "tape data encryption",
    0x21: "data encryption configuration",
    0x40: "SA creation capabilities",
    0x41: "IKEv2-SCSI",
    0xEC: "JEDEC universal flash storage",
    0xED: "SDcard TrustedFlash security systems specification",
    0xEE: "IEEE 1667",
    0xEF: "ATA device server password security",
}

#: SECURITY PROTOCOL SPECIFIC values of protocol 00h.
SUPPORTED_PROTOCOLS = 0x0000
CERTIFICATE_DATA = 0x0001
COMPLIANCE_INFORMATION = 0x0002

#: COMPLIANCE DESCRIPTOR TYPE (SPC-5 table 268).
COMPLIANCE_DESCRIPTOR_TYPE_NAMES = {0x0001: "security requirements for cryptographic modules (FIPS 140)"}

#: REVISION of a FIPS 140 compliance descriptor: an ASCII digit naming the standard.
FIPS_140_REVISIONS = {"2": "FIPS 140-2", "3": "FIPS 140-3"}

# FIPS 140 compliance descriptor (SPC-5 7.7.1.5.3): COMPLIANCE DESCRIPTOR TYPE 0001h (bytes
# 0-1), reserved (2-3), COMPLIANCE DESCRIPTOR LENGTH 00000208h (4-7: the bytes after byte 7),
# REVISION (8), OVERALL SECURITY LEVEL (9), reserved (10-15), then three ASCII fields:
# HARDWARE VERSION (16-143), VERSION (144-271), MODULE NAME (272-527).
_FIPS_140_SIZE = 8 + 0x208


def _protocol_name(code: int) -> str:
    if 0xF0 <= code <= 0xFF:
        return "vendor specific"
    return name_of(SECURITY_PROTOCOL_NAMES, code)


@record
class SupportedProtocol(Record):
    security_protocol: int
    name: str


@record
class SupportedSecurityProtocols(Record):
    supported_security_protocol_list_length: Optional[int] = None
    supported_security_protocols: Tuple[SupportedProtocol, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


@record
class Certificate(Record):
    """The X.509 certificate (DER) the device sent, or empty: CERTIFICATE LENGTH 0 means
    the device has none."""

    certificate_length: Optional[int] = None
    certificate: bytes = attrs.field(default=b"", repr=raw_repr)
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


@record
class ComplianceDescriptor(Record):
    compliance_descriptor_type: int
    name: str
    compliance_descriptor_length: int
    #: FIPS 140 descriptors: REVISION ("2" for FIPS 140-2, "3" for 140-3; its name in
    #: ``revision_name``), OVERALL SECURITY LEVEL ("1".."4"), HARDWARE VERSION, VERSION,
    #: MODULE NAME; None for other descriptor types.
    revision: Optional[str] = None
    revision_name: Optional[str] = None
    overall_security_level: Optional[str] = None
    hardware_version: Optional[str] = None
    version: Optional[str] = None
    module_name: Optional[str] = None
    raw: bytes = attrs.field(default=b"", repr=raw_repr)


@record
class SecurityComplianceInformation(Record):
    security_compliance_information_length: Optional[int] = None
    compliance_descriptors: Tuple[ComplianceDescriptor, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


@record
class SecurityProtocolData(Record):
    """Data of a protocol other than 00h (TCG, IEEE 1667, ...), kept as sent."""

    security_protocol: int
    security_protocol_name: str
    security_protocol_specific: int
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def _supported(r: Reader) -> SupportedSecurityProtocols:
    length = r.uint(6, 2)
    codes = r.raw(8, length) if length else b""
    if length is not None and len(codes) < length:
        r.problem(f"list length {length}, {len(codes)} protocol bytes received")
    return SupportedSecurityProtocols(
        supported_security_protocol_list_length=length,
        supported_security_protocols=tuple(SupportedProtocol(security_protocol=c, name=_protocol_name(c)) for c in codes),
        raw=r.data, problems=tuple(r.problems),
    )


def _certificate(r: Reader) -> Certificate:
    length = r.uint(2, 2)
    cert = r.raw(4, length) if length else b""
    return Certificate(certificate_length=length, certificate=cert, raw=r.data, problems=tuple(r.problems))


def _compliance(r: Reader) -> SecurityComplianceInformation:
    length = r.uint(0, 4)
    if length is None:
        return SecurityComplianceInformation(raw=r.data, problems=tuple(r.problems))
    end = min(len(r), 4 + length)
    if 4 + length > len(r):
        r.problem(f"compliance information length {length}, {len(r) - 4} bytes received")
    descriptors = []
    offset = 4
    while offset + 8 <= end:
        kind = int.from_bytes(r.data[offset:offset + 2], "big")
        size = int.from_bytes(r.data[offset + 4:offset + 8], "big")
        d = r.data[offset:offset + 8 + size]
        if offset + 8 + size > end:
            r.problem(f"compliance descriptor at byte {offset} runs past the end")
        fields: dict = {}
        if kind == 0x0001 and len(d) < _FIPS_140_SIZE:
            r.problem(f"FIPS 140 compliance descriptor at byte {offset} has {len(d)} of {_FIPS_140_SIZE} bytes")
        elif kind == 0x0001:
            revision = ascii_text(d[8:9])
            fields = {
                "revision": revision, "revision_name": FIPS_140_REVISIONS.get(revision, "reserved"),
                "overall_security_level": ascii_text(d[9:10]),
                "hardware_version": ascii_text(d[16:144]), "version": ascii_text(d[144:272]),
                "module_name": ascii_text(d[272:528]),
            }
        descriptors.append(ComplianceDescriptor(
            compliance_descriptor_type=kind, name=name_of(COMPLIANCE_DESCRIPTOR_TYPE_NAMES, kind),
            compliance_descriptor_length=size, raw=d, **fields))
        offset += 8 + size
    return SecurityComplianceInformation(security_compliance_information_length=length,
                                         compliance_descriptors=tuple(descriptors), raw=r.data,
                                         problems=tuple(r.problems))


def decode_security_protocol_in(
    data: bytes, security_protocol: int = 0, security_protocol_specific: int = 0
) -> Union[SupportedSecurityProtocols, Certificate, SecurityComplianceInformation, SecurityProtocolData]:
    """Decode SECURITY PROTOCOL IN data for the protocol and protocol-specific value the
    CDB asked for.  Never raises on device data.

    Protocol 00h is decoded (specific 0000h, 0001h, 0002h); any other protocol's data
    comes back as :class:`SecurityProtocolData` with the bytes.
    """
    if security_protocol == 0x00:
        if security_protocol_specific == SUPPORTED_PROTOCOLS:
            return _supported(Reader(data, "supported security protocols"))
        if security_protocol_specific == CERTIFICATE_DATA:
            return _certificate(Reader(data, "certificate data"))
        if security_protocol_specific == COMPLIANCE_INFORMATION:
            return _compliance(Reader(data, "security compliance information"))
    return SecurityProtocolData(security_protocol=security_protocol,
                                security_protocol_name=_protocol_name(security_protocol),
                                security_protocol_specific=security_protocol_specific, raw=bytes(data))
