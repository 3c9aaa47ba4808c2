"""Mode parameter lists (SPC-5 7.5.4-7.5.6, SBC-4 6.5.2): MODE SENSE data and MODE SELECT lists.

:func:`decode_mode_parameters` reads what MODE SENSE (6)/(10) returned; every page goes
through :data:`~sgframe.decode.mode_pages.MODE_PAGE_DECODERS`.
:func:`encode_mode_parameters` builds the MODE SELECT (6)/(10) parameter list.  In a MODE
SELECT list the MODE DATA LENGTH field is reserved and every PS bit must be zero (SPC-5
7.5.6); :meth:`ModeParameters.for_select` turns sensed data into that form.

Block descriptors are decoded in the direct-access (SBC) layout: the short LBA descriptor
has NUMBER OF LOGICAL BLOCKS in bytes 0-3 and the byte SPC's general layout calls DENSITY
CODE at byte 4.
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple, Union

import attrs

from ..errors import UsageError
from ._util import Record, record
from .mode_pages import ModePage, decode_mode_page

__all__ = [
    "ModeParameterHeader",
    "ShortLbaBlockDescriptor",
    "LongLbaBlockDescriptor",
    "ModeParameters",
    "decode_mode_parameters",
    "encode_mode_parameters",
]


@record
class ModeParameterHeader(Record):
    """Mode parameter header (6) or (10).  ``longlba`` exists only in the 10-byte header.

    ``device_specific_parameter`` is kept whole; for direct-access devices :attr:`wp` and
    :attr:`dpofua` read its bits (SBC-4 6.5.2).
    """

    mode_data_length: int = 0
    medium_type: int = 0
    device_specific_parameter: int = 0
    longlba: bool = False
    block_descriptor_length: int = 0

    @property
    def wp(self) -> bool:
        return bool(self.device_specific_parameter & 0x80)

    @property
    def dpofua(self) -> bool:
        return bool(self.device_specific_parameter & 0x10)


@record
class ShortLbaBlockDescriptor(Record):
    """Eight-byte block descriptor (SBC-4 6.5.2.2)."""

    number_of_logical_blocks: int = 0
    density_code: int = 0
    logical_block_length: int = 0


@record
class LongLbaBlockDescriptor(Record):
    """Sixteen-byte block descriptor, LONGLBA=1 in the 10-byte header (SBC-4 6.5.2.3)."""

    number_of_logical_blocks: int = 0
    logical_block_length: int = 0


BlockDescriptor = Union[ShortLbaBlockDescriptor, LongLbaBlockDescriptor]


@record
class ModeParameters(Record):
    """A decoded mode parameter list.  ``ten`` tells the header format (MODE SENSE (10))."""

    ten: bool
    header: ModeParameterHeader
    block_descriptors: Tuple[BlockDescriptor, ...] = ()
    pages: Tuple[ModePage, ...] = ()
    problems: Tuple[str, ...] = attrs.field(default=(), eq=False)

    def page(self, page_code: int, subpage_code: int = 0) -> Optional[ModePage]:
        for p in self.pages:
            if p.page_code == page_code and p.subpage_code == subpage_code:
                return p
        return None

    def for_select(self) -> "ModeParameters":
        """The same parameters in MODE SELECT form: data length zero, PS bits clear."""
        size = 16 if self.header.longlba else 8
        header = attrs.evolve(self.header, mode_data_length=0,
                              block_descriptor_length=size * len(self.block_descriptors))
        pages = tuple(attrs.evolve(p, ps=False) for p in self.pages)
        return attrs.evolve(self, header=header, pages=pages, problems=())


def _decode_descriptors(data: bytes, longlba: bool, problems: List[str]) -> Tuple[BlockDescriptor, ...]:
    size = 16 if longlba else 8
    if len(data) % size:
        problems.append(f"block descriptor length {len(data)} is not a multiple of {size}")
    out: List[BlockDescriptor] = []
    for off in range(0, len(data) - len(data) % size, size):
        d = data[off:off + size]
        if longlba:
            out.append(LongLbaBlockDescriptor(
                number_of_logical_blocks=int.from_bytes(d[0:8], "big"),
                logical_block_length=int.from_bytes(d[12:16], "big"),
            ))
        else:
            out.append(ShortLbaBlockDescriptor(
                number_of_logical_blocks=int.from_bytes(d[0:4], "big"),
                density_code=d[4],
                logical_block_length=int.from_bytes(d[5:8], "big"),
            ))
    return tuple(out)


def _split_pages(data: bytes, problems: List[str]) -> Tuple[ModePage, ...]:
    pages = []
    offset = 0
    while offset < len(data):
        spf = bool(data[offset] & 0x40)
        header = 4 if spf else 2
        if offset + header > len(data):
            problems.append(f"mode page header at byte {offset} truncated")
            break
        if spf:
            length = int.from_bytes(data[offset + 2:offset + 4], "big")
        else:
            length = data[offset + 1]
        page = decode_mode_page(data[offset:offset + header + length])
        problems.extend(page.problems)
        pages.append(page)
        offset += header + length
    return tuple(pages)


def decode_mode_parameters(data: bytes, *, ten: bool) -> ModeParameters:
    """Decode MODE SENSE data.  Never raises on device data.

    :param data: the data-in buffer, or a MODE SELECT parameter list: a MODE DATA LENGTH
        of zero (reserved in MODE SELECT) means "all of ``data``".
    :param ten: ``True`` for MODE SENSE (10) data (8-byte header), ``False`` for (6).
    """
    data = bytes(data)
    problems: List[str] = []
    what = "mode parameters (10)" if ten else "mode parameters (6)"
    hsize = 8 if ten else 4
    if len(data) < hsize:
        problems.append(f"{what}: header truncated, {len(data)} of {hsize} bytes")
        data = data.ljust(hsize, b"\x00")
        truncated_header = True
    else:
        truncated_header = False
    if ten:
        header = ModeParameterHeader(
            mode_data_length=int.from_bytes(data[0:2], "big"),
            medium_type=data[2],
            device_specific_parameter=data[3],
            longlba=bool(data[4] & 0x01),
            block_descriptor_length=int.from_bytes(data[6:8], "big"),
        )
        total = header.mode_data_length + 2
    else:
        header = ModeParameterHeader(
            mode_data_length=data[0],
            medium_type=data[1],
            device_specific_parameter=data[2],
            block_descriptor_length=data[3],
        )
        total = header.mode_data_length + 1
    if truncated_header:
        return ModeParameters(ten=ten, header=header, problems=tuple(problems))
    if header.mode_data_length == 0:
        # Reserved (zero) in a MODE SELECT list: the list is as long as the data.
        pass
    elif total > len(data):
        problems.append(f"{what}: mode data length announces {total} bytes, {len(data)} received")
    elif total < hsize:
        problems.append(f"{what}: mode data length {header.mode_data_length} is shorter than the header")
    else:
        data = data[:total]
    bd_end = hsize + header.block_descriptor_length
    if bd_end > len(data):
        problems.append(f"{what}: block descriptor length {header.block_descriptor_length} overruns the data")
    descriptors = _decode_descriptors(data[hsize:bd_end], header.longlba, problems)
    pages = _split_pages(data[bd_end:], problems)
    return ModeParameters(ten=ten, header=header, block_descriptors=descriptors, pages=pages,
                          problems=tuple(problems))


def encode_mode_parameters(
    header: Union[ModeParameterHeader, ModeParameters, None] = None,
    block_descriptors: Sequence[BlockDescriptor] = (),
    pages: Sequence[ModePage] = (),
    *,
    ten: Optional[bool] = None,
) -> bytes:
    """Build a MODE SELECT (6) or (10) parameter list.

    :param header: the header (its MODE DATA LENGTH is written as zero, reserved in MODE
        SELECT, and BLOCK DESCRIPTOR LENGTH is computed), or a whole :class:`ModeParameters`,
        whose block descriptors, pages and ``ten`` are then used.
    :param block_descriptors: all short or, with ``ten`` and ``header.longlba``, all long.
    :param pages: mode page records; each must have ``ps`` clear.
    :param ten: ``True`` for MODE SELECT (10), ``False`` for (6).
    :raises UsageError: PS set, mixed or mismatched descriptor kinds, or a value that does
        not fit its field.
    """
    if isinstance(header, ModeParameters):
        params = header
        if ten is None:
            ten = params.ten
        header, block_descriptors, pages = params.header, params.block_descriptors, params.pages
    if header is None:
        header = ModeParameterHeader()
    if ten is None:
        raise UsageError("ten is required: True for MODE SELECT (10), False for MODE SELECT (6)")
    long_kind = bool(header.longlba)
    if long_kind and not ten:
        raise UsageError("longlba=True needs the 10-byte header (ten=True)")
    want = LongLbaBlockDescriptor if long_kind else ShortLbaBlockDescriptor
    body = bytearray()
    for i, d in enumerate(block_descriptors):
        if not isinstance(d, want):
            raise UsageError(
                f"block_descriptors[{i}] is {type(d).__name__}; with longlba={long_kind} "
                f"only {want.__name__} is allowed")
        if long_kind:
            _fit("number_of_logical_blocks", d.number_of_logical_blocks, 64)
            _fit("logical_block_length", d.logical_block_length, 32)
            body += d.number_of_logical_blocks.to_bytes(8, "big") + bytes(4)
            body += d.logical_block_length.to_bytes(4, "big")
        else:
            _fit("number_of_logical_blocks", d.number_of_logical_blocks, 32)
            _fit("density_code", d.density_code, 8)
            _fit("logical_block_length", d.logical_block_length, 24)
            body += d.number_of_logical_blocks.to_bytes(4, "big") + bytes([d.density_code])
            body += d.logical_block_length.to_bytes(3, "big")
    bd_length = len(body)
    for i, page in enumerate(pages):
        if page.ps:
            raise UsageError(f"pages[{i}] ({type(page).__name__}) has ps=True; PS must be zero in MODE SELECT")
        body += page.encode()
    _fit("medium_type", header.medium_type, 8)
    _fit("device_specific_parameter", header.device_specific_parameter, 8)
    if ten:
        _fit("block descriptor length", bd_length, 16)
        head = bytes([0, 0, header.medium_type, header.device_specific_parameter,
                      int(long_kind), 0]) + bd_length.to_bytes(2, "big")
        _fit("parameter list length", len(head) + len(body), 16)
    else:
        _fit("block descriptor length", bd_length, 8)
        head = bytes([0, header.medium_type, header.device_specific_parameter, bd_length])
        _fit("parameter list length", len(head) + len(body), 8)
    return head + bytes(body)


def _fit(name: str, value: int, width: int) -> None:
    if not isinstance(value, int) or not 0 <= value < (1 << width):
        raise UsageError(f"{name}={value!r} is out of range: allowed 0..{(1 << width) - 1}")
