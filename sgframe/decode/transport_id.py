"""TransportIDs (SPC-5 7.6.4): an initiator port's name, in the form its protocol gives it.

Byte 0 holds the FORMAT CODE (bits 7-6) and the PROTOCOL IDENTIFIER (bits 3-0); what
follows is the protocol's own identifier:

====  ====================  ===========================================================
code  protocol              TransportID (format 00b unless noted)
====  ====================  ===========================================================
0h    Fibre Channel         24 bytes; N_PORT_NAME in bytes 8-15
1h    parallel SCSI         24 bytes; SCSI ADDRESS 2-3, RELATIVE TARGET PORT IDENTIFIER 6-7
2h    SSA                   none defined; 24 bytes kept as they are
3h    IEEE 1394 (SBP)       24 bytes; EUI-64 NAME in bytes 8-15
4h    SCSI RDMA (SRP)       24 bytes; INITIATOR PORT IDENTIFIER in bytes 8-23
5h    iSCSI                 4 + ADDITIONAL LENGTH bytes: the iSCSI NAME (format 00b), or
                            the name, ``",i,0x"`` and the ISID in hex (format 01b);
                            NUL terminated, padded to a multiple of 4, at least 24 bytes
6h    SAS                   24 bytes; SAS ADDRESS in bytes 4-11
7h    ADT                   none defined; 24 bytes kept as they are
8h    ATA (ACS)             none defined; 24 bytes kept as they are
9h    USB (UAS)             none defined; 24 bytes kept as they are
Ah    SCSI over PCIe (SOP)  24 bytes; ROUTING ID in bytes 2-3
====  ====================  ===========================================================

sg3_utils' ``sg_decode_transportid_str`` reads them the same way (and, like SPC-5, says
"transport id not defined" for SSA, ADT, ATA and UAS).  Decoding never raises: what does
not fit is listed in ``problems``.  The builders raise :class:`~sgframe.errors.UsageError`
for a value that does not fit its field.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import attrs

from ..errors import UsageError
from ._util import Record, raw_repr, record
from .designators import PROTOCOL_IDENTIFIERS

__all__ = [
    "FIBRE_CHANNEL", "PARALLEL_SCSI", "SSA", "IEEE_1394", "SRP", "ISCSI", "SAS", "ADT", "ATA", "UAS", "SOP",
    "TRANSPORT_ID_LENGTH",
    "ISCSI_SEPARATOR",
    "TransportIdentifier",
    "decode_transport_identifier",
    "decode_transport_identifiers",
    "fc_transport_id",
    "spi_transport_id",
    "sbp_transport_id",
    "srp_transport_id",
    "iscsi_transport_id",
    "sas_transport_id",
    "sop_transport_id",
    "opaque_transport_id",
]

FIBRE_CHANNEL, PARALLEL_SCSI, SSA, IEEE_1394, SRP, ISCSI, SAS, ADT, ATA, UAS, SOP = range(11)

#: Every TransportID but iSCSI's is 24 bytes, and iSCSI's is never shorter (SPC-5 7.6.4.1).
TRANSPORT_ID_LENGTH = 24
#: What separates the iSCSI name from the ISID in format 01b (SPC-5 table 512).
ISCSI_SEPARATOR = ",i,0x"

# Protocols SPC-5 lists without a TransportID format of their own.
_UNDEFINED = (SSA, ADT, ATA, UAS)


@record
class TransportIdentifier(Record):
    """One TransportID; only the fields of its protocol are set.

    :param length: bytes it occupies (24, or 4 + ADDITIONAL LENGTH for iSCSI).
    :param body: bytes 1.. of a TransportID whose protocol defines no format (SSA, ADT,
        ATA, UAS), kept as they are.
    """

    format_code: int
    protocol_identifier: int
    protocol_identifier_name: str
    length: int
    raw: bytes = attrs.field(repr=raw_repr)
    n_port_name: Optional[int] = None
    scsi_address: Optional[int] = None
    relative_target_port_identifier: Optional[int] = None
    eui_64_name: Optional[int] = None
    initiator_port_identifier: Optional[bytes] = None
    additional_length: Optional[int] = None
    iscsi_name: Optional[str] = None
    iscsi_initiator_session_id: Optional[str] = None
    sas_address: Optional[int] = None
    routing_id: Optional[int] = None
    body: Optional[bytes] = None
    problems: Tuple[str, ...] = ()


def _be(raw: bytes, start: int, stop: int) -> int:
    return int.from_bytes(raw[start:stop], "big")


def decode_transport_identifier(data: bytes) -> TransportIdentifier:
    """The TransportID at the start of ``data`` (extra bytes after it are ignored)."""
    data = bytes(data)
    problems: List[str] = []
    if not data:
        return TransportIdentifier(format_code=0, protocol_identifier=0, protocol_identifier_name=PROTOCOL_IDENTIFIERS[0],
                                   length=0, raw=b"", problems=("TransportID: no bytes",))
    fmt = data[0] >> 6
    proto = data[0] & 0x0F
    fields: dict = {}
    length = TRANSPORT_ID_LENGTH
    if proto == ISCSI and len(data) >= 4:
        fields["additional_length"] = _be(data, 2, 4)
        length = 4 + fields["additional_length"]
        if fields["additional_length"] % 4:
            problems.append(f"TransportID: iSCSI ADDITIONAL LENGTH {fields['additional_length']} is not a multiple of 4")
        if length < TRANSPORT_ID_LENGTH:
            problems.append(f"TransportID: iSCSI TransportID of {length} bytes, shorter than the 24 SPC-5 requires")
    raw = data[:length]
    if len(raw) < length:
        problems.append(f"TransportID: truncated, {length} bytes needed but only {len(raw)} present")
    expected_format = (0, 1) if proto == ISCSI else (0,)
    if proto not in _UNDEFINED and fmt not in expected_format:
        problems.append(f"TransportID: FORMAT CODE {fmt} is reserved for protocol {proto:X}h")
    if proto == FIBRE_CHANNEL and len(raw) >= 16:
        fields["n_port_name"] = _be(raw, 8, 16)
    elif proto == PARALLEL_SCSI and len(raw) >= 8:
        fields["scsi_address"] = _be(raw, 2, 4)
        fields["relative_target_port_identifier"] = _be(raw, 6, 8)
    elif proto == IEEE_1394 and len(raw) >= 16:
        fields["eui_64_name"] = _be(raw, 8, 16)
    elif proto == SRP and len(raw) >= 24:
        fields["initiator_port_identifier"] = raw[8:24]
    elif proto == ISCSI and len(raw) > 4:
        text = raw[4:].split(b"\x00", 1)[0].decode("utf-8", "replace")
        if fmt == 1:
            name, sep, isid = text.partition(ISCSI_SEPARATOR)
            if not sep:
                problems.append(f"TransportID: iSCSI format 01b without the {ISCSI_SEPARATOR!r} separator")
            fields["iscsi_name"] = name
            fields["iscsi_initiator_session_id"] = isid if sep else None
        else:
            fields["iscsi_name"] = text
    elif proto == SAS and len(raw) >= 12:
        fields["sas_address"] = _be(raw, 4, 12)
    elif proto == SOP and len(raw) >= 4:
        fields["routing_id"] = _be(raw, 2, 4)
    elif proto in _UNDEFINED:
        fields["body"] = raw[1:]
    elif proto not in PROTOCOL_IDENTIFIERS:
        problems.append(f"TransportID: PROTOCOL IDENTIFIER {proto:X}h is reserved")
    return TransportIdentifier(
        format_code=fmt, protocol_identifier=proto,
        protocol_identifier_name=PROTOCOL_IDENTIFIERS.get(proto, "reserved"),
        length=length, raw=raw, problems=tuple(problems), **fields,
    )


def decode_transport_identifiers(data: bytes) -> Tuple[TransportIdentifier, ...]:
    """TransportIDs back to back (as in a PERSISTENT RESERVE OUT parameter list)."""
    data = bytes(data)
    found: List[TransportIdentifier] = []
    offset = 0
    while offset < len(data):
        tid = decode_transport_identifier(data[offset:])
        found.append(tid)
        if tid.length <= 0 or len(tid.raw) < tid.length:
            break
        offset += tid.length
    return tuple(found)


# ------------------------------------------------------------------------ builders

def _check(name: str, value: object, bits: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < (1 << bits):
        raise UsageError(f"{name}={value!r} does not fit: allowed 0..0x{(1 << bits) - 1:x}")
    return value


def _header(protocol: int, fmt: int = 0) -> bytearray:
    raw = bytearray(TRANSPORT_ID_LENGTH)
    raw[0] = (fmt << 6) | protocol
    return raw


def fc_transport_id(n_port_name: int) -> bytes:
    """Fibre Channel: the 8-byte N_Port_Name (a WWPN) in bytes 8-15."""
    raw = _header(FIBRE_CHANNEL)
    raw[8:16] = _check("n_port_name", n_port_name, 64).to_bytes(8, "big")
    return bytes(raw)


def spi_transport_id(scsi_address: int, relative_target_port_identifier: int) -> bytes:
    """Parallel SCSI: the initiator's SCSI ADDRESS and the target port it talks to."""
    raw = _header(PARALLEL_SCSI)
    raw[2:4] = _check("scsi_address", scsi_address, 16).to_bytes(2, "big")
    raw[6:8] = _check("relative_target_port_identifier", relative_target_port_identifier, 16).to_bytes(2, "big")
    return bytes(raw)


def sbp_transport_id(eui_64_name: int) -> bytes:
    """IEEE 1394: the EUI-64 NAME in bytes 8-15."""
    raw = _header(IEEE_1394)
    raw[8:16] = _check("eui_64_name", eui_64_name, 64).to_bytes(8, "big")
    return bytes(raw)


def srp_transport_id(initiator_port_identifier: bytes) -> bytes:
    """SRP: the 16-byte INITIATOR PORT IDENTIFIER in bytes 8-23."""
    if not isinstance(initiator_port_identifier, (bytes, bytearray)) or len(initiator_port_identifier) != 16:
        raise UsageError(f"initiator_port_identifier must be 16 bytes, not {initiator_port_identifier!r}")
    raw = _header(SRP)
    raw[8:24] = initiator_port_identifier
    return bytes(raw)


def iscsi_transport_id(iscsi_name: str, isid: Optional[int] = None) -> bytes:
    """iSCSI: format 00b names the initiator; with ``isid`` (48 bits) format 01b names
    one of its sessions' ports (``name,i,0x<ISID>``).

    The text ends in at least one NUL and is padded with NULs to a multiple of 4, the
    whole at least 24 bytes (SPC-5 7.6.4.6).
    """
    if not isinstance(iscsi_name, str) or not iscsi_name or "\x00" in iscsi_name:
        raise UsageError(f"iscsi_name must be a non-empty string without NUL, not {iscsi_name!r}")
    text = iscsi_name
    fmt = 0
    if isid is not None:
        text += f"{ISCSI_SEPARATOR}{_check('isid', isid, 48):012x}"
        fmt = 1
    body = text.encode("utf-8") + b"\x00"
    body += bytes(-len(body) % 4)
    body += bytes(max(0, TRANSPORT_ID_LENGTH - 4 - len(body)))
    if len(body) > 0xFFFF:
        raise UsageError(f"iscsi_name is {len(body)} bytes with its padding; the ADDITIONAL LENGTH field holds 65535")
    return bytes(((fmt << 6) | ISCSI, 0)) + len(body).to_bytes(2, "big") + body


def sas_transport_id(sas_address: int) -> bytes:
    """SAS: the initiator port's SAS ADDRESS in bytes 4-11."""
    raw = _header(SAS)
    raw[4:12] = _check("sas_address", sas_address, 64).to_bytes(8, "big")
    return bytes(raw)


def sop_transport_id(routing_id: int) -> bytes:
    """SCSI over PCIe: the ROUTING ID (bus, device, function) in bytes 2-3."""
    raw = _header(SOP)
    raw[2:4] = _check("routing_id", routing_id, 16).to_bytes(2, "big")
    return bytes(raw)


def opaque_transport_id(protocol_identifier: int, body: bytes = b"", format_code: int = 0) -> bytes:
    """A TransportID for SSA, ADT, ATA or UAS, whose formats SPC-5 leaves undefined:
    byte 0, then ``body`` (at most 23 bytes) padded with zeros to 24 bytes."""
    if protocol_identifier not in _UNDEFINED:
        raise UsageError(
            f"protocol_identifier {protocol_identifier!r} has a TransportID format of its own; "
            f"opaque_transport_id takes SSA (2), ADT (7), ATA (8) or UAS (9)")
    _check("format_code", format_code, 2)
    if not isinstance(body, (bytes, bytearray)) or len(body) > TRANSPORT_ID_LENGTH - 1:
        raise UsageError(f"body must be at most 23 bytes, not {body!r}")
    raw = _header(protocol_identifier, format_code)
    raw[1:1 + len(body)] = body
    return bytes(raw)
