"""GET STREAM STATUS and STREAM CONTROL parameter data (SBC-4 5.9, 5.32)."""
from __future__ import annotations

from typing import Optional, Tuple

import attrs

from ._util import Reader, Record, raw_repr, record

__all__ = ["StreamControlData", "StreamStatus", "StreamStatusData", "decode_stream_control", "decode_stream_status"]


@record
class StreamStatus(Record):
    """``perm``: a permanent stream, which STREAM CONTROL cannot close."""

    perm: bool
    stream_identifier: int
    relative_lifetime: int


@record
class StreamStatusData(Record):
    parameter_data_length: Optional[int] = None
    number_of_open_streams: Optional[int] = None
    stream_status_descriptors: Tuple[StreamStatus, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def decode_stream_status(data: bytes) -> StreamStatusData:
    """Decode GET STREAM STATUS data.  PARAMETER DATA LENGTH counts the descriptors (the
    bytes after the 8-byte header), as sg_stream_ctl reads it."""
    r = Reader(data, "GET STREAM STATUS")
    length = r.uint(0, 4)
    if length is None:
        return StreamStatusData(raw=r.data, problems=tuple(r.problems))
    end = min(len(r), 8 + length)
    if 8 + length > len(r):
        r.problem(f"parameter data length {length}, {max(len(r) - 8, 0)} descriptor bytes received")
    descriptors = tuple(
        StreamStatus(perm=bool(r.data[k] & 0x80), stream_identifier=int.from_bytes(r.data[k + 2:k + 4], "big"),
                     relative_lifetime=r.data[k + 4] & 0x7F)
        for k in range(8, end - 7, 8)
    )
    if (end - 8) % 8 > 0 and end > 8:
        r.problem(f"{(end - 8) % 8} bytes of an incomplete stream status descriptor")
    return StreamStatusData(parameter_data_length=length, number_of_open_streams=r.uint(6, 2),
                            stream_status_descriptors=descriptors, raw=r.data, problems=tuple(r.problems))


@record
class StreamControlData(Record):
    parameter_length: Optional[int] = None
    assigned_str_id: Optional[int] = None
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def decode_stream_control(data: bytes) -> StreamControlData:
    """Decode STREAM CONTROL data (sent for an open): PARAMETER LENGTH (bytes after byte
    0) and ASSIGNED_STR_ID in bytes 4-5.  Empty data (a close) decodes to an empty record."""
    if not data:
        return StreamControlData()
    r = Reader(data, "STREAM CONTROL")
    return StreamControlData(parameter_length=r.uint(0), assigned_str_id=r.uint(4, 2), raw=r.data,
                             problems=tuple(r.problems))
