"""REPORT SUPPORTED OPERATION CODES parameter data (SPC-5 6.35.2 and 6.35.3).

The CDB's REPORTING OPTIONS field decides the format: 000b returns the all-commands list,
001b-011b the one-command format.  Nothing in the data says which one came back, so the
caller passes the reporting options it sent.
"""
from __future__ import annotations

from typing import List, Optional, Tuple, Union

import attrs

from ._util import Reader, Record, name_of, raw_repr, record

__all__ = [
    "SUPPORT_NAMES",
    "MLU_NAMES",
    "CommandTimeoutsDescriptor",
    "CommandDescriptor",
    "AllCommandsData",
    "OneCommandData",
    "decode_supported_opcodes",
]

#: SPC-5 table 263 (SUPPORT field).
SUPPORT_NAMES = {
    0: "not currently available",
    1: "not supported",
    3: "supported, conforming to a SCSI standard",
    5: "supported in a vendor specific manner",
}

#: SPC-5 table 259 (MLU field).
MLU_NAMES = {
    0: "not reported",
    1: "affects only this logical unit",
    2: "affects more than one, not all, logical units",
    3: "affects all logical units in the target",
}

_TIMEOUTS_LENGTH = 12


@record
class CommandTimeoutsDescriptor(Record):
    """Timeouts in seconds; zero means "not specified" (SPC-5 6.35.4)."""

    descriptor_length: Optional[int] = None
    command_specific: Optional[int] = None
    nominal_command_processing_timeout: Optional[int] = None
    recommended_command_timeout: Optional[int] = None


def _timeouts(r: Reader, offset: int) -> CommandTimeoutsDescriptor:
    length = r.uint(offset, 2)
    if length is not None and length != 0x0A:
        r.problem(f"command timeouts descriptor length {length} at byte {offset}, expected 10")
    return CommandTimeoutsDescriptor(
        descriptor_length=length,
        command_specific=r.uint(offset + 3),
        nominal_command_processing_timeout=r.uint(offset + 4, 4),
        recommended_command_timeout=r.uint(offset + 8, 4),
    )


@record
class CommandDescriptor(Record):
    """One entry of the all-commands list.  ``service_action`` is ``None`` unless SERVACTV."""

    operation_code: int
    service_action: Optional[int]
    rwcdlp: bool
    mlu: int
    cdlp: int
    ctdp: bool
    servactv: bool
    cdb_length: int
    command_timeouts_descriptor: Optional[CommandTimeoutsDescriptor] = None


@record
class AllCommandsData(Record):
    command_data_length: Optional[int] = None
    command_descriptors: Tuple[CommandDescriptor, ...] = ()
    problems: Tuple[str, ...] = ()

    def find(self, operation_code: int, service_action: Optional[int] = None) -> Optional[CommandDescriptor]:
        """The descriptor for a command, or ``None`` when the device did not list it."""
        for d in self.command_descriptors:
            if d.operation_code == operation_code and d.service_action == service_action:
                return d
        return None


@record
class OneCommandData(Record):
    """One-command format.  ``cdb_usage_data`` is the CDB mask: a set bit may be set in the CDB."""

    rwcdlp: Optional[bool] = None
    ctdp: Optional[bool] = None
    mlu: Optional[int] = None
    mlu_name: Optional[str] = None
    cdlp: Optional[int] = None
    support: Optional[int] = None
    support_name: Optional[str] = None
    cdb_size: Optional[int] = None
    cdb_usage_data: bytes = attrs.field(default=b"", repr=raw_repr)
    command_timeouts_descriptor: Optional[CommandTimeoutsDescriptor] = None
    problems: Tuple[str, ...] = ()


def _decode_all(data: bytes) -> AllCommandsData:
    r = Reader(data, "REPORT SUPPORTED OPERATION CODES (all commands)")
    length = r.uint(0, 4)
    if length is None:
        return AllCommandsData(problems=tuple(r.problems))
    end = 4 + length
    if end > len(r):
        r.problem(f"command data length {length}, {len(r) - 4} bytes received")
        end = len(r)
    descriptors: List[CommandDescriptor] = []
    offset = 4
    while offset < end:
        if end - offset < 8:
            r.problem(f"{end - offset} stray bytes at byte {offset}")
            break
        flags = r.data[offset + 5]
        ctdp = bool(flags & 0x02)
        servactv = bool(flags & 0x01)
        timeouts = None
        size = 8
        if ctdp:
            size += _TIMEOUTS_LENGTH
            if offset + size > end:
                r.problem(f"command descriptor at byte {offset} lacks its timeouts descriptor")
                break
            timeouts = _timeouts(r, offset + 8)
        descriptors.append(CommandDescriptor(
            operation_code=r.data[offset],
            service_action=r.uint(offset + 2, 2) if servactv else None,
            rwcdlp=bool(flags & 0x40),
            mlu=(flags >> 4) & 0x3,
            cdlp=(flags >> 2) & 0x3,
            ctdp=ctdp,
            servactv=servactv,
            cdb_length=r.uint(offset + 6, 2),
            command_timeouts_descriptor=timeouts,
        ))
        offset += size
    return AllCommandsData(command_data_length=length, command_descriptors=tuple(descriptors),
                           problems=tuple(r.problems))


def _decode_one(data: bytes) -> OneCommandData:
    r = Reader(data, "REPORT SUPPORTED OPERATION CODES (one command)")
    fields: dict = {}
    if r.has(0):
        fields["rwcdlp"] = r.flag(0, 0)
    ctdp = r.flag(1, 7)
    if ctdp is not None:
        mlu, support = r.bits(1, 5, 2), r.bits(1, 0, 3)
        fields.update(
            ctdp=ctdp,
            mlu=mlu,
            mlu_name=name_of(MLU_NAMES, mlu),
            cdlp=r.bits(1, 3, 2),
            support=support,
            support_name=name_of(SUPPORT_NAMES, support),
        )
    size = r.uint(2, 2)
    if size is not None:
        fields["cdb_size"] = size
        fields["cdb_usage_data"] = r.raw(4, size)
        if ctdp and not r.truncated:
            fields["command_timeouts_descriptor"] = _timeouts(r, 4 + size)
    return OneCommandData(problems=tuple(r.problems), **fields)


def decode_supported_opcodes(data: bytes, reporting_options: int = 0) -> Union[AllCommandsData, OneCommandData]:
    """Decode REPORT SUPPORTED OPERATION CODES data.  Never raises on device data.

    :param data: the data-in buffer.
    :param reporting_options: the REPORTING OPTIONS the CDB carried: 0 for the all-commands
        format, 1, 2 or 3 for the one-command format.
    """
    data = bytes(data)
    if reporting_options == 0:
        return _decode_all(data)
    record_ = _decode_one(data)
    if reporting_options not in (1, 2, 3):
        record_ = attrs.evolve(record_, problems=record_.problems + (
            f"reporting options {reporting_options} is reserved; decoded as the one-command format",))
    return record_
