"""Protection information (T10 DIF) on the emulated disk (SBC-4 4.22).

``EmulatedDisk(protection=1|2|3)`` (``emu:disk?protection=N``) formats the medium with
type N protection: READ CAPACITY(16) says PROT_EN=1 and P_TYPE=N-1, the standard INQUIRY
data PROTECT=1, the Extended INQUIRY Data VPD page the type (SPT) and the checks made.
Every block carries 8 bytes of protection information beside its data: the LOGICAL
BLOCK GUARD (CRC-16, polynomial 8BB7h), the LOGICAL BLOCK APPLICATION TAG and the
LOGICAL BLOCK REFERENCE TAG.

READ and WRITE 10/12/16/32 take RDPROTECT/WRPROTECT as SBC-4 Tables 70 and 105 say:
001b-100b transfer block + 8 bytes per block and choose which tags are checked; 000b
transfers data only, the device server generating (on write) or checking (on read) the
protection information itself. A failed check is ABORTED COMMAND with 10h/01h (guard),
10h/02h (application tag) or 10h/03h (reference tag) and the block's LBA in the
INFORMATION field; a write with a failed check stores nothing.

The reference tag is the low 32 bits of the LBA for type 1, the EXPECTED INITIAL
LOGICAL BLOCK REFERENCE TAG of the 32-byte CDB plus the block's index for type 2, and
not checked for type 3. The application tag is checked only by 32-byte CDBs (they carry
the EXPECTED LOGICAL BLOCK APPLICATION TAG and its mask). An application tag FFFFh (and,
for type 3, a reference tag FFFFFFFFh as well) disables the checks of that block (SBC-4
4.22.3). With type 2, READ/WRITE 10/12/16 with RDPROTECT/WRPROTECT non-zero end in
INVALID COMMAND OPERATION CODE (20h/00h): only 32-byte CDBs carry the expected tag.

Deallocated and never written blocks have protection information of all FFh bytes;
blocks written without protection information (WRPROTECT=000b, WRITE SAME, COMPARE AND
WRITE ...) get it generated from their data when read: the guard of the data,
application tag 0000h, the reference tag as the type wants (the LBA for types 1 and 2,
FFFFFFFFh for type 3). Such generated information is correct by construction and so is
never reported as a check failure.

Not modelled: RDPROTECT/WRPROTECT/VRPROTECT/ORPROTECT of VERIFY, WRITE AND VERIFY,
WRITE SAME, ORWRITE and COMPARE AND WRITE (a non-zero field stays INVALID FIELD IN CDB),
FORMAT UNIT with FMTPINFO, the ATO bit and the Control mode page's protection fields.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

import attrs

from sgframe.emu import sense as _sense
from sgframe.emu import sbc as _sbc
from sgframe.emu.medium import DEALLOCATED, SparseMedium
from sgframe.emu.reply import Request
from sgframe.errors import UsageError

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

__all__ = ["ProtectedMedium", "crc16_t10dif", "generated", "install", "read", "write"]

PI_SIZE = 8
_ESCAPE_APP = 0xFFFF
_ESCAPE_REF = 0xFFFFFFFF
_UNWRITTEN = b"\xff" * PI_SIZE


def _table() -> Tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x8BB7) if crc & 0x8000 else crc << 1
        table.append(crc & 0xFFFF)
    return tuple(table)


_CRC = _table()


def crc16_t10dif(data: bytes) -> int:
    """The LOGICAL BLOCK GUARD: CRC-16, polynomial 8BB7h, initial value 0, no
    reflection, no final XOR (SBC-4 4.22.4.2)."""
    crc = 0
    table = _CRC
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ table[(crc >> 8) ^ byte]
    return crc


def generated(block: bytes, lba: int, p_type: int) -> bytes:
    """The protection information the device server makes for a block written without
    any: guard of the data, application tag 0, the LBA as reference tag (types 1 and 2)
    or FFFFFFFFh (type 3, whose reference tag the standard leaves to the application)."""
    reference = _ESCAPE_REF if p_type == 3 else lba & 0xFFFFFFFF
    return crc16_t10dif(block).to_bytes(2, "big") + bytes(2) + reference.to_bytes(4, "big")


class ProtectedMedium(SparseMedium):
    """A sparse medium that keeps, beside each block, the protection information that
    came with it (only where it was transferred: other blocks have it generated or, when
    deallocated, all FFh). Every way of changing data drops the stored information."""

    def __init__(self, blocks: int, block_size: int, p_type: int) -> None:
        super().__init__(blocks, block_size)
        self.p_type = p_type
        self._pi: Dict[int, bytes] = {}

    def write(self, lba: int, data: bytes) -> None:
        super().write(lba, data)
        self._drop(lba, len(data) // self.block_size)

    def write_same(self, lba: int, count: int, block: bytes) -> None:
        super().write_same(lba, count, block)
        self._drop(lba, count)

    def deallocate(self, lba: int, count: int) -> None:
        super().deallocate(lba, count)
        self._drop(lba, count)

    def fill(self, pattern: Optional[bytes]) -> None:
        super().fill(pattern)
        self._pi.clear()

    def truncate(self, blocks: int) -> None:
        super().truncate(blocks)
        for key in [k for k in self._pi if k >= blocks]:
            del self._pi[key]

    def _drop(self, lba: int, count: int) -> None:
        if not self._pi:
            return
        if count > len(self._pi):
            for key in [k for k in self._pi if lba <= k < lba + count]:
                del self._pi[key]
        else:
            for key in range(lba, lba + count):
                self._pi.pop(key, None)

    def write_protected(self, lba: int, data: bytes, pi: List[bytes]) -> None:
        """Store blocks with the protection information transferred with them."""
        SparseMedium.write(self, lba, data)
        for index, value in enumerate(pi):
            self._pi[lba + index] = bytes(value)

    def protection(self, lba: int, count: int, data: bytes) -> List[Tuple[bytes, bool]]:
        """(protection information, whether it was stored rather than made up) per block."""
        out = []
        size = self.block_size
        for index in range(count):
            block = lba + index
            stored = self._pi.get(block)
            if stored is not None:
                out.append((stored, True))
            elif self.state(block) == DEALLOCATED:
                out.append((_UNWRITTEN, False))
            else:
                out.append((generated(data[index * size:(index + 1) * size], block, self.p_type), False))
        return out


@attrs.frozen
class _Checks:
    guard: bool
    app: bool
    ref: bool


# SBC-4 Table 70 (RDPROTECT) and Table 105 (WRPROTECT): which checks each value asks for.
# The application tag is checked only where the CDB gives an expected one (32-byte CDBs).
_PROTECT = {
    0: _Checks(True, True, True),
    1: _Checks(True, True, True),
    2: _Checks(False, True, True),
    3: _Checks(False, False, False),
    4: _Checks(True, False, False),
}

_WRITES = (0x0A, 0x2A, 0xAA, 0x8A)


def _fields(disk: "EmulatedDisk", request: Request) -> Tuple[int, int, int]:
    """(lba, count, protect field) of a READ/WRITE, its protect field cleared for the
    generic range and length checks of :mod:`sgframe.emu.sbc`."""
    cdb = request.cdb
    if cdb[0] in (0x08, 0x0A):
        lba, count = _sbc._transfer(disk, request)
        return lba, count, 0
    at = 10 if cdb[0] == 0x7F else 1
    protect = cdb[at] >> 5
    if protect not in _PROTECT:
        raise _sense.invalid_field_in_cdb(at, 7)
    if protect and disk.protection == 2 and cdb[0] != 0x7F:
        # Type 2 wants the expected initial reference tag only a 32-byte CDB carries.
        raise _sense.invalid_opcode()
    plain = bytearray(cdb)
    plain[at] &= 0x1F
    lba, count = _sbc._transfer(disk, attrs.evolve(request, cdb=bytes(plain)))
    return lba, count, protect


def _expected(disk: "EmulatedDisk", request: Request, lba: int) -> Tuple[Optional[int], Optional[Tuple[int, int]]]:
    """The reference tag of the first block (None: not checked), and the expected
    application tag with its mask (None: not checked)."""
    cdb = request.cdb
    app = None
    if cdb[0] == 0x7F:
        mask = request.u(26, 2)
        app = (request.u(24, 2), mask) if mask else None
    if disk.protection == 3:
        return None, app
    if disk.protection == 2 and cdb[0] == 0x7F:
        return request.u(20, 4), app
    if disk.protection == 2:
        return None, app  # a short CDB (RDPROTECT/WRPROTECT 000b) has no expected tag
    return lba & 0xFFFFFFFF, app


def _check(disk: "EmulatedDisk", lba: int, blocks: List[Tuple[bytes, bytes]], checks: _Checks,
           first_reference: Optional[int], app: Optional[Tuple[int, int]]) -> None:
    """Raise ABORTED COMMAND 10h/01h-03h at the first block whose protection
    information fails a check (SBC-4 4.22.4)."""
    for index, (block, pi) in enumerate(blocks):
        tag, reference = int.from_bytes(pi[2:4], "big"), int.from_bytes(pi[4:8], "big")
        if tag == _ESCAPE_APP and (disk.protection != 3 or reference == _ESCAPE_REF):
            continue  # checking disabled for this block (SBC-4 4.22.3)
        if checks.guard and int.from_bytes(pi[0:2], "big") != crc16_t10dif(block):
            raise _sense.Failure(_sense.ABORTED_COMMAND, 0x10, 0x01, information=lba + index)
        if checks.app and app is not None and (tag ^ app[0]) & app[1]:
            raise _sense.Failure(_sense.ABORTED_COMMAND, 0x10, 0x02, information=lba + index)
        if checks.ref and first_reference is not None and reference != (first_reference + index) & 0xFFFFFFFF:
            raise _sense.Failure(_sense.ABORTED_COMMAND, 0x10, 0x03, information=lba + index)


def read(disk: "EmulatedDisk", request: Request) -> bytes:
    """READ 6/10/12/16/32 of a disk formatted with protection information."""
    lba, count, protect = _fields(disk, request)
    if not count:
        return b""
    data = _sbc._read_checked(disk, lba, count)
    medium: ProtectedMedium = disk.medium
    size = disk.block_size
    pi = medium.protection(lba, count, data)
    reference, app = _expected(disk, request, lba)
    for n, (value, real) in enumerate(pi):
        if real:  # only what was transferred can be wrong: generated information matches its data
            _check(disk, lba + n, [(data[n * size:(n + 1) * size], value)], _PROTECT[protect],
                   None if reference is None else reference + n, app)
    if not protect:
        return data
    return b"".join(data[n * size:(n + 1) * size] + value for n, (value, _) in enumerate(pi))


def write(disk: "EmulatedDisk", request: Request) -> None:
    """WRITE 6/10/12/16/32 of a disk formatted with protection information."""
    lba, count, protect = _fields(disk, request)
    if not count:
        return None
    if not protect:
        _sbc._store(disk, lba, request.parameters(count * disk.block_size), request)
        return None
    size = disk.block_size
    raw = request.parameters(count * (size + PI_SIZE))
    blocks = [(raw[n * (size + PI_SIZE):n * (size + PI_SIZE) + size],
               raw[n * (size + PI_SIZE) + size:(n + 1) * (size + PI_SIZE)]) for n in range(count)]
    reference, app = _expected(disk, request, lba)
    _check(disk, lba, blocks, _PROTECT[protect], reference, app)
    data = b"".join(block for block, _ in blocks)
    _sbc._store(disk, lba, data, request)  # zones, healing, counters; drops stored PI
    disk.medium.write_protected(lba, data, [pi for _, pi in blocks])
    return None


_READ_WRITE = ((0x08, None), (0x28, None), (0xA8, None), (0x88, None), (0x7F, 0x0009),
               (0x0A, None), (0x2A, None), (0xAA, None), (0x8A, None), (0x7F, 0x000B))


def install(disk: "EmulatedDisk") -> None:
    """Give a disk formatted with protection information its medium and READ/WRITE."""
    if disk.protection not in (1, 2, 3):
        raise UsageError(f"protection={disk.protection!r}: allowed: 0 (none), 1, 2, 3 (the DIF type)")
    disk.medium = ProtectedMedium(disk.blocks, disk.block_size, disk.protection)
    for opcode, service_action in _READ_WRITE:
        spec = disk.table.get(opcode, service_action)
        handler = write if opcode in _WRITES or service_action == 0x000B else read
        disk.table.add(attrs.evolve(spec, handler=handler))  # replaces the plain READ/WRITE
