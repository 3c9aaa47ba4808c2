"""PERSISTENT RESERVE IN parameter data (SPC-5 6.16): the four service actions.

The data does not say which service action produced it, so the caller passes the one it
sent: 0 READ KEYS, 1 READ RESERVATION, 2 REPORT CAPABILITIES, 3 READ FULL STATUS.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple, Union

import attrs

from ._util import Reader, Record, name_of, raw_repr, record
from .designators import PROTOCOL_IDENTIFIERS
from .transport_id import FIBRE_CHANNEL, ISCSI, ISCSI_SEPARATOR, SAS, SRP, decode_transport_identifier

__all__ = [
    "PERSISTENT_RESERVATION_TYPES",
    "SERVICE_ACTION_NAMES",
    "ReadKeysData",
    "ReadReservationData",
    "ReportCapabilitiesData",
    "TransportId",
    "FullStatusDescriptor",
    "ReadFullStatusData",
    "PersistentReserveInData",
    "PR_IN_DECODERS",
    "decode_transport_id",
    "decode_persistent_reserve_in",
]

#: SPC-5 table 194 (TYPE field).
PERSISTENT_RESERVATION_TYPES = {
    0x1: "write exclusive",
    0x3: "exclusive access",
    0x5: "write exclusive, registrants only",
    0x6: "exclusive access, registrants only",
    0x7: "write exclusive, all registrants",
    0x8: "exclusive access, all registrants",
}

SERVICE_ACTION_NAMES = {0: "READ KEYS", 1: "READ RESERVATION", 2: "REPORT CAPABILITIES", 3: "READ FULL STATUS"}


@record
class ReadKeysData(Record):
    prgeneration: Optional[int] = None
    additional_length: Optional[int] = None
    reservation_keys: Tuple[int, ...] = ()
    problems: Tuple[str, ...] = ()


@record
class ReadReservationData(Record):
    """``reservation_key`` and the rest are ``None`` when no reservation is held."""

    prgeneration: Optional[int] = None
    additional_length: Optional[int] = None
    reservation_key: Optional[int] = None
    scope: Optional[int] = None
    type: Optional[int] = None
    type_name: Optional[str] = None
    problems: Tuple[str, ...] = ()


@record
class ReportCapabilitiesData(Record):
    """REPORT CAPABILITIES (SPC-5 6.16.4); the ``*_type`` flags are the TYPE MASK bits."""

    length: Optional[int] = None
    rlr_c: Optional[bool] = None
    crh: Optional[bool] = None
    sip_c: Optional[bool] = None
    atp_c: Optional[bool] = None
    ptpl_c: Optional[bool] = None
    tmv: Optional[bool] = None
    allow_commands: Optional[int] = None
    ptpl_a: Optional[bool] = None
    wr_ex_ar: Optional[bool] = None
    ex_ac_ro: Optional[bool] = None
    wr_ex_ro: Optional[bool] = None
    ex_ac: Optional[bool] = None
    wr_ex: Optional[bool] = None
    ex_ac_ar: Optional[bool] = None
    problems: Tuple[str, ...] = ()


@record
class TransportId(Record):
    """A TransportID (SPC-5 7.6.4); the protocol's own identifier is decoded where simple."""

    format_code: int
    protocol_identifier: int
    protocol_identifier_name: str
    raw: bytes = attrs.field(repr=raw_repr)
    n_port_name: Optional[int] = None
    sas_address: Optional[int] = None
    iscsi_name: Optional[str] = None
    initiator_port_identifier: Optional[bytes] = None


def decode_transport_id(raw: bytes) -> TransportId:
    """The TransportID of a full status descriptor, read by :mod:`.transport_id`; this
    record keeps its earlier shape (an iSCSI format 01b name stays whole, ISID and all)."""
    raw = bytes(raw)
    tid = decode_transport_identifier(raw)
    fields: dict = {}
    if tid.protocol_identifier == FIBRE_CHANNEL:
        fields["n_port_name"] = tid.n_port_name
    elif tid.protocol_identifier == SAS:
        fields["sas_address"] = tid.sas_address
    elif tid.protocol_identifier == ISCSI and len(raw) >= 4:
        name = tid.iscsi_name or ""
        if tid.iscsi_initiator_session_id is not None:
            name += ISCSI_SEPARATOR + tid.iscsi_initiator_session_id
        fields["iscsi_name"] = name
    elif tid.protocol_identifier == SRP:
        fields["initiator_port_identifier"] = tid.initiator_port_identifier
    return TransportId(format_code=tid.format_code if raw else 0, protocol_identifier=tid.protocol_identifier,
                       protocol_identifier_name=PROTOCOL_IDENTIFIERS.get(tid.protocol_identifier, "reserved"),
                       raw=raw, **fields)


@record
class FullStatusDescriptor(Record):
    reservation_key: int
    all_tg_pt: bool
    r_holder: bool
    scope: int
    type: int
    type_name: Optional[str]
    relative_target_port_identifier: int
    additional_descriptor_length: int
    transport_id: Optional[TransportId] = None


@record
class ReadFullStatusData(Record):
    prgeneration: Optional[int] = None
    additional_length: Optional[int] = None
    full_status_descriptors: Tuple[FullStatusDescriptor, ...] = ()
    problems: Tuple[str, ...] = ()


PersistentReserveInData = Union[ReadKeysData, ReadReservationData, ReportCapabilitiesData, ReadFullStatusData]


def _generation_and_body(data: bytes, what: str) -> Tuple[Reader, Optional[int], Optional[int], bytes]:
    r = Reader(data, what)
    generation = r.uint(0, 4)
    length = r.uint(4, 4)
    if length is None:
        return r, generation, None, b""
    body = r.data[8:8 + length]
    if len(body) < length:
        r.problem(f"additional length {length}, {len(body)} bytes received")
    return r, generation, length, body


def decode_read_keys(data: bytes) -> ReadKeysData:
    r, gen, length, body = _generation_and_body(data, "READ KEYS")
    if len(body) % 8:
        r.problem(f"{len(body) % 8} stray bytes after the last reservation key")
    keys = tuple(int.from_bytes(body[i:i + 8], "big") for i in range(0, len(body) - 7, 8))
    return ReadKeysData(prgeneration=gen, additional_length=length, reservation_keys=keys,
                        problems=tuple(r.problems))


def decode_read_reservation(data: bytes) -> ReadReservationData:
    r, gen, length, body = _generation_and_body(data, "READ RESERVATION")
    fields: dict = {}
    if len(body) >= 16:
        rtype = body[13] & 0xF
        fields = dict(
            reservation_key=int.from_bytes(body[0:8], "big"),
            scope=body[13] >> 4,
            type=rtype,
            type_name=name_of(PERSISTENT_RESERVATION_TYPES, rtype),
        )
    elif body:
        r.problem(f"reservation descriptor has {len(body)} of 16 bytes")
    return ReadReservationData(prgeneration=gen, additional_length=length, problems=tuple(r.problems), **fields)


def decode_report_capabilities(data: bytes) -> ReportCapabilitiesData:
    r = Reader(data, "REPORT CAPABILITIES")
    fields: dict = {"length": r.uint(0, 2)}
    if r.has(2):
        fields.update(rlr_c=r.flag(2, 7), crh=r.flag(2, 4), sip_c=r.flag(2, 3), atp_c=r.flag(2, 2),
                      ptpl_c=r.flag(2, 0))
    if r.has(3):
        fields.update(tmv=r.flag(3, 7), allow_commands=r.bits(3, 4, 3), ptpl_a=r.flag(3, 0))
    if r.has(4):
        fields.update(wr_ex_ar=r.flag(4, 7), ex_ac_ro=r.flag(4, 6), wr_ex_ro=r.flag(4, 5),
                      ex_ac=r.flag(4, 3), wr_ex=r.flag(4, 1))
    if r.has(5):
        fields["ex_ac_ar"] = r.flag(5, 0)
    elif fields["length"] is not None:
        r.problem(f"{len(r)} of 8 bytes")
    return ReportCapabilitiesData(problems=tuple(r.problems), **fields)


def decode_read_full_status(data: bytes) -> ReadFullStatusData:
    r, gen, length, body = _generation_and_body(data, "READ FULL STATUS")
    descriptors: List[FullStatusDescriptor] = []
    offset = 0
    while offset < len(body):
        if len(body) - offset < 24:
            r.problem(f"full status descriptor at byte {8 + offset} has {len(body) - offset} of 24 bytes")
            break
        d = body[offset:offset + 24]
        extra = int.from_bytes(d[20:24], "big")
        tid_raw = body[offset + 24:offset + 24 + extra]
        if len(tid_raw) < extra:
            r.problem(f"TransportID at byte {8 + offset + 24}: length {extra}, {len(tid_raw)} bytes present")
        rtype = d[13] & 0xF
        descriptors.append(FullStatusDescriptor(
            reservation_key=int.from_bytes(d[0:8], "big"),
            all_tg_pt=bool(d[12] & 0x02),
            r_holder=bool(d[12] & 0x01),
            scope=d[13] >> 4,
            type=rtype,
            type_name=name_of(PERSISTENT_RESERVATION_TYPES, rtype),
            relative_target_port_identifier=int.from_bytes(d[18:20], "big"),
            additional_descriptor_length=extra,
            transport_id=decode_transport_id(tid_raw) if tid_raw else None,
        ))
        offset += 24 + extra
    return ReadFullStatusData(prgeneration=gen, additional_length=length,
                              full_status_descriptors=tuple(descriptors), problems=tuple(r.problems))


PR_IN_DECODERS: Dict[int, Callable[[bytes], PersistentReserveInData]] = {
    0: decode_read_keys,
    1: decode_read_reservation,
    2: decode_report_capabilities,
    3: decode_read_full_status,
}


def decode_persistent_reserve_in(data: bytes, service_action: int) -> PersistentReserveInData:
    """Decode PERSISTENT RESERVE IN data for the service action that was sent.

    Never raises on device data; an unknown service action decodes as READ KEYS with a
    problem noted (the common 8-byte header is the same).
    """
    data = bytes(data)
    decoder = PR_IN_DECODERS.get(service_action)
    if decoder is None:
        result = decode_read_keys(data)
        return attrs.evolve(result, problems=result.problems + (
            f"service action {service_action!r} is not one of 0-3; decoded as READ KEYS",))
    return decoder(data)
