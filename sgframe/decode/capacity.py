"""READ CAPACITY (10) and (16) parameter data (SBC-4 5.20.2 and 5.21.2)."""
from __future__ import annotations

from typing import Optional, Tuple

from ._util import Reader, Record, record

__all__ = ["ReadCapacity10Data", "ReadCapacity16Data", "decode_read_capacity10", "decode_read_capacity16"]

class _Size:
    __slots__ = ()

    @property
    def blocks(self) -> Optional[int]:
        """Number of logical blocks: the returned LBA is the last one, so one more."""
        lba = getattr(self, "returned_lba")
        return None if lba is None else lba + 1

    @property
    def size_bytes(self) -> Optional[int]:
        blocks, length = self.blocks, getattr(self, "block_length")
        if blocks is None or length is None:
            return None
        return blocks * length


@record
class ReadCapacity10Data(_Size, Record):
    """READ CAPACITY (10) data.

    ``needs_read_capacity16`` is set when the device answered FFFFFFFFh: the capacity does
    not fit and READ CAPACITY (16) must be used (SBC-4 5.20.2).
    """

    returned_lba: Optional[int] = None
    block_length: Optional[int] = None
    needs_read_capacity16: bool = False
    problems: Tuple[str, ...] = ()




@record
class ReadCapacity16Data(_Size, Record):
    """READ CAPACITY (16) data.

    ``returned_lba`` is the RETURNED LOGICAL BLOCK ADDRESS and ``block_length`` the LOGICAL
    BLOCK LENGTH IN BYTES (short names, as sg3_utils and the kernel use them).  ``rc_basis``
    (ZBC) is 0 when the LBA describes a minimum-size zoned device, 1 for the whole unit.
    """

    returned_lba: Optional[int] = None
    block_length: Optional[int] = None
    rc_basis: Optional[int] = None
    p_type: Optional[int] = None
    prot_en: Optional[bool] = None
    p_i_exponent: Optional[int] = None
    logical_blocks_per_physical_block_exponent: Optional[int] = None
    lbpme: Optional[bool] = None
    lbprz: Optional[bool] = None
    lowest_aligned_lba: Optional[int] = None
    problems: Tuple[str, ...] = ()




    @property
    def protection_type(self) -> Optional[int]:
        """0 when protection is off, else 1, 2 or 3 (SBC-4 table 127)."""
        if self.prot_en is None:
            return None
        return self.p_type + 1 if self.prot_en else 0

    @property
    def physical_block_length(self) -> Optional[int]:
        exp = self.logical_blocks_per_physical_block_exponent
        if exp is None or self.block_length is None:
            return None
        return self.block_length << exp


def decode_read_capacity10(data: bytes) -> ReadCapacity10Data:
    """Decode the 8 bytes READ CAPACITY (10) returns.  Never raises on device data."""
    r = Reader(data, "READ CAPACITY (10)")
    lba = r.uint(0, 4)
    length = r.uint(4, 4)
    return ReadCapacity10Data(
        returned_lba=lba,
        block_length=length,
        needs_read_capacity16=lba == 0xFFFFFFFF,
        problems=tuple(r.problems),
    )


def decode_read_capacity16(data: bytes) -> ReadCapacity16Data:
    """Decode the 32 bytes READ CAPACITY (16) returns (bytes 16-31 are reserved).

    Devices before SBC-3 returned only 12 bytes; the later fields are then ``None`` and not
    a problem.
    """
    r = Reader(data, "READ CAPACITY (16)")
    fields = dict(
        returned_lba=r.uint(0, 8),
        block_length=r.uint(8, 4),
    )
    if r.has(12):
        fields.update(rc_basis=r.bits(12, 4, 2), p_type=r.bits(12, 1, 3), prot_en=r.flag(12, 0))
    if r.has(13):
        fields.update(p_i_exponent=r.bits(13, 4, 4), logical_blocks_per_physical_block_exponent=r.bits(13, 0, 4))
    if r.has(14, 2):
        fields.update(
            lbpme=r.flag(14, 7),
            lbprz=r.flag(14, 6),
            lowest_aligned_lba=r.uint(14, 2) & 0x3FFF,
        )
    elif r.has(14):
        r.problem("byte 15 missing: lowest aligned LBA not decoded")
    return ReadCapacity16Data(problems=tuple(r.problems), **fields)
