"""An emulated SATA drive behind a SAT layer: ``emu:sata``.

:class:`AtaDrive` models the ATA side (IDENTIFY DEVICE, SMART READ DATA / READ THRESHOLDS /
RETURN STATUS, CHECK POWER MODE, READ LOG EXT; anything else is aborted with ABRT).
:func:`install_sat` puts a SATL in front of it on an
:class:`~sgframe.emu.EmulatedDisk`: ATA PASS-THROUGH (12) and (16) are translated, and
the output registers come back as SAT-5 says (12.2.2.6): with CK_COND, or when the ATA
command fails, CHECK CONDITION with 00h/1Dh ATA PASS THROUGH INFORMATION AVAILABLE,
RECOVERED ERROR for success and ABORTED COMMAND for failure, the registers in the ATA
Status Return descriptor (descriptor format, D_SENSE=1) or in the fixed-format fields.
Like a SATL, the disk reports INQUIRY vendor ``ATA`` and the model's first 16 characters.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from sgframe.emu import EmulatedDisk, Failure, Reply, Request
from sgframe.emu.uri import boolean, integer, text
from sgframe.errors import UsageError
from sgframe.sense import AtaStatusReturnDescriptor, build_descriptor_sense, build_fixed_sense

from .commands import AtaPassThrough12, AtaPassThrough16, Protocol
from .registers import ATA_INFORMATION_AVAILABLE, AtaRegisters

__all__ = ["AtaDrive", "AtaAbort", "install_sat", "sata_disk", "SATA_PARAMETERS"]

_GOOD_STATUS = 0x50  # DRDY and bit 4, as drives report after success
_ERROR_STATUS = 0x51  # ... and ERR
_ABRT = 0x04
_CHECK_CONDITION = 0x02
_RECOVERED_ERROR = 0x1
_ABORTED_COMMAND = 0xB
_ILLEGAL_REQUEST = 0x5

# Attribute id, flags, current, worst, threshold: reallocated sectors (5), power-on
# hours (9), power cycles (12), temperature (194), pending sectors (197), interface CRC
# errors (199). Raw values are set per drive. A drive whose SMART RETURN STATUS reports a
# threshold exceeded has its reallocated-sector value below the threshold (see
# AtaDrive._attribute_values): RETURN STATUS and READ DATA tell one story.
_ATTRIBUTES = ((5, 0x0033, 100, 100, 10), (9, 0x0032, 99, 99, 0), (12, 0x0032, 100, 100, 0),
               (194, 0x0022, 64, 55, 0), (197, 0x0012, 100, 100, 0), (199, 0x003E, 200, 200, 0))
#: Current and worst value, and raw count, of attribute 5 on a failing drive.
_FAILING_REALLOCATED = (5, 5, 2000)


class AtaAbort(Exception):
    """The ATA command ends with ERR set; ``error`` is the ERROR register."""

    def __init__(self, error: int = _ABRT) -> None:
        super().__init__(f"ATA error 0x{error:02x}")
        self.error = error


def _words_to_bytes(words: Dict[int, int]) -> bytearray:
    data = bytearray(512)
    for n, value in words.items():
        data[2 * n] = value & 0xFF
        data[2 * n + 1] = value >> 8 & 0xFF
    return data


def _put_string(data: bytearray, first: int, last: int, value: str) -> None:
    padded = value.ljust(2 * (last - first + 1)).encode("ascii")
    for i in range(0, len(padded), 2):
        data[2 * first + i] = padded[i + 1]
        data[2 * first + i + 1] = padded[i]


def _with_checksum(data: bytearray, signature: bool) -> bytes:
    if signature:
        data[510] = 0xA5
    data[511] = -sum(data[:511]) & 0xFF
    return bytes(data)


class AtaDrive:
    """The ATA device.

    :param sectors: user addressable logical sectors (48-bit).
    :param model: model number (40 characters at most).
    :param serial: serial number (20 at most).
    :param firmware: firmware revision (8 at most).
    :param smart_ok: False makes SMART RETURN STATUS report a threshold exceeded.
    :param power_mode: what CHECK POWER MODE returns in COUNT (FFh active or idle).
    :param power_on_hours: raw value of SMART attribute 9.
    :param temperature: raw value of SMART attribute 194 (degrees Celsius).
    """

    def __init__(self, sectors: int = 2**21, *, model: str = "SGFRAME EMULATED SATA SSD",
                 serial: str = "SGF0000000001", firmware: str = "1.0", smart_ok: bool = True,
                 power_mode: int = 0xFF, power_on_hours: int = 1234, temperature: int = 36,
                 rotation_rate: int = 1, power_cycles: int = 42, wwn: int = 0x5001405000000001) -> None:
        for name, value, width in (("model", model, 40), ("serial", serial, 20), ("firmware", firmware, 8)):
            if not isinstance(value, str) or not value.isascii() or len(value) > width:
                raise UsageError(f"{name} must be ASCII of at most {width} characters, not {value!r}")
        if not isinstance(sectors, int) or not 1 <= sectors < 1 << 48:
            raise UsageError(f"sectors must be an int in 1..2**48-1, not {sectors!r}")
        self.sectors = sectors
        self.model, self.serial, self.firmware = model, serial, firmware
        self.smart_ok = smart_ok
        self.power_mode = power_mode
        self.power_on_hours = power_on_hours
        self.temperature = temperature
        self.rotation_rate = rotation_rate
        self.power_cycles = power_cycles
        if not isinstance(wwn, int) or not 0 <= wwn < 1 << 64:
            raise UsageError(f"wwn must be a 64-bit int, not {wwn!r}")
        self.wwn = wwn

    # --- the data structures ----------------------------------------------------------

    def identify_data(self) -> bytes:
        s28 = min(self.sectors, 0x0FFFFFFF)
        data = _words_to_bytes({
            0: 0x0040,  # fixed device
            49: 0x0300,  # LBA and DMA supported
            60: s28 & 0xFFFF, 61: s28 >> 16,
            76: 0x0100 | 0x000E,  # NCQ; SATA gen 1-3
            80: 0x07F0,  # ATA/ATAPI-5 .. ACS-3
            82: 0x0069,  # SMART, power management, write cache, look-ahead
            83: 0x7400,  # 48-bit, FLUSH CACHE, FLUSH CACHE EXT (bit 14 set, 15 clear: valid)
            84: 0x4123,  # SMART error logging, SMART self-test, GPL, WWN (bit 8)
            85: 0x0061, 86: 0x3400, 87: 0x4123,
            100: self.sectors & 0xFFFF, 101: self.sectors >> 16 & 0xFFFF, 102: self.sectors >> 32 & 0xFFFF,
            106: 0x4000,  # valid; one 512-byte logical sector per physical sector
            # Words 108-111: the world wide name, most significant word first (ACS-4 7.12.7.61).
            108: self.wwn >> 48 & 0xFFFF, 109: self.wwn >> 32 & 0xFFFF, 110: self.wwn >> 16 & 0xFFFF,
            111: self.wwn & 0xFFFF,
            169: 0x0001,  # DATA SET MANAGEMENT (TRIM)
            217: self.rotation_rate,
        })
        _put_string(data, 10, 19, self.serial.rjust(20))
        _put_string(data, 23, 26, self.firmware)
        _put_string(data, 27, 46, self.model)
        return _with_checksum(data, signature=True)

    def _attribute_values(self) -> Dict[int, Tuple[int, int, int]]:
        """Current value, worst value and raw value of each attribute."""
        raw = {5: 0, 9: self.power_on_hours, 12: self.power_cycles, 194: self.temperature, 197: 0, 199: 0}
        values = {ident: (current, worst, raw[ident]) for ident, _f, current, worst, _t in _ATTRIBUTES}
        if not self.smart_ok:
            values[5] = _FAILING_REALLOCATED
        return values

    def smart_data(self) -> bytes:
        data = bytearray(512)
        data[0:2] = (0x10).to_bytes(2, "little")
        values = self._attribute_values()
        for slot, (ident, flags, _current, _worst, _threshold) in enumerate(_ATTRIBUTES):
            current, worst, raw_value = values[ident]
            o = 2 + 12 * slot
            data[o] = ident
            data[o + 1:o + 3] = flags.to_bytes(2, "little")
            data[o + 3], data[o + 4] = current, worst
            data[o + 5:o + 11] = raw_value.to_bytes(6, "little")
        data[362], data[363] = 0x82, 0x00  # off-line collection completed; last self-test fine
        data[364:366] = (30).to_bytes(2, "little")
        data[367], data[368:370], data[370] = 0x7B, (0x0003).to_bytes(2, "little"), 0x01
        data[372], data[373] = 2, 0xFF  # extended self-test: see bytes 375-376
        data[375:377] = (300).to_bytes(2, "little")
        return _with_checksum(data, signature=False)

    def smart_thresholds(self) -> bytes:
        data = bytearray(512)
        data[0:2] = (0x10).to_bytes(2, "little")
        for slot, (ident, _f, _c, _w, threshold) in enumerate(_ATTRIBUTES):
            data[2 + 12 * slot], data[3 + 12 * slot] = ident, threshold
        return _with_checksum(data, signature=False)

    def log(self, address: int, page: int, count: int) -> bytes:
        if address == 0x00:
            directory = _words_to_bytes({0: 0x0001, 0x10: 1})
            pages = [bytes(directory)]
        elif address == 0x10:
            pages = [bytes(512)]  # NCQ command error log: no error recorded
        else:
            raise AtaAbort()
        if page + count > len(pages):
            raise AtaAbort()
        return b"".join(pages[page:page + count])

    # --- executing one command ----------------------------------------------------------

    def execute(self, command: int, features: int, count: int, lba: int, extend: bool) -> Tuple[bytes, int, int]:
        """Run one ATA command: (data-in bytes, output COUNT, output LBA).

        :raises AtaAbort: the command is not supported or its inputs are wrong.
        """
        if command == 0xEC:
            return self.identify_data(), count, lba
        if command == 0xE5:
            return b"", self.power_mode, lba
        if command == 0xB0:
            if (lba >> 8 & 0xFFFF) != 0xC24F:
                raise AtaAbort()  # SMART needs the 4Fh/C2h signature
            if features == 0xD0:
                return self.smart_data(), count, lba
            if features == 0xD1:
                return self.smart_thresholds(), count, lba
            if features == 0xDA:
                out = 0xC24F if self.smart_ok else 0x2CF4
                return b"", count, (lba & ~0xFFFF00) | out << 8
            raise AtaAbort()
        if command == 0x2F and extend:
            return self.log(lba & 0xFF, (lba >> 8 & 0xFF) | (lba >> 32 & 0xFF) << 8, count), count, lba
        raise AtaAbort()


def _satl(drive: AtaDrive) -> Any:
    def ata_pass_through(disk: EmulatedDisk, request: Request) -> Reply:
        cls = AtaPassThrough16 if request.cdb[0] == 0x85 else AtaPassThrough12
        try:
            cdb = cls.from_bytes(request.cdb[:cls.CDB_LENGTH])
        except UsageError:
            raise Failure(_ILLEGAL_REQUEST, 0x24, 0x00) from None
        if cdb.protocol not in set(Protocol):
            raise Failure(_ILLEGAL_REQUEST, 0x24, 0x00)
        extend = bool(cdb.extend)
        count = cdb.count if extend else cdb.count & 0xFF
        try:
            data, out_count, out_lba = drive.execute(cdb.command, cdb.features, count, cdb.lba, extend)
            wants_in = cdb.protocol in (Protocol.PIO_DATA_IN, Protocol.DMA, Protocol.UDMA_DATA_IN) and cdb.t_dir
            if data and not wants_in:
                # The ATA command moves data the CDB did not ask for: the SATL cannot
                # carry it (SAT-5 12.2.2.1 leaves this to the application client).
                raise Failure(_ILLEGAL_REQUEST, 0x24, 0x00)
            registers = AtaRegisters(error=0, status=_GOOD_STATUS, device=cdb.device, count=out_count,
                                     lba=out_lba, extend=extend)
            if not cdb.ck_cond:
                return Reply(0, data)
            return Reply(_CHECK_CONDITION, data, _sense(disk, _RECOVERED_ERROR, registers))
        except AtaAbort as abort:
            registers = AtaRegisters(error=abort.error, status=_ERROR_STATUS, device=cdb.device,
                                     count=count, lba=cdb.lba, extend=extend)
            return Reply(_CHECK_CONDITION, b"", _sense(disk, _ABORTED_COMMAND, registers))

    return ata_pass_through


def _sense(disk: EmulatedDisk, key: int, regs: AtaRegisters) -> bytes:
    asc, ascq = ATA_INFORMATION_AVAILABLE
    if disk.modes.descriptor_sense:
        descriptor = AtaStatusReturnDescriptor(extend=regs.extend, error=regs.error, count=regs.count,
                                               lba=regs.lba, device=regs.device, status=regs.status)
        return build_descriptor_sense(key, asc, ascq, descriptors=[descriptor])
    # SAT-5 table 166: fixed format keeps the low bytes and flags the rest.
    upper = (regs.count >> 8 != 0) << 6 | (regs.lba >> 24 != 0) << 5
    specific = (0x80 if regs.extend else 0) | upper
    raw = bytearray(build_fixed_sense(key, asc, ascq, command_specific=(
        specific << 24 | (regs.lba & 0xFF) << 16 | (regs.lba >> 8 & 0xFF) << 8 | (regs.lba >> 16 & 0xFF))))
    raw[3:7] = bytes((regs.error, regs.status, regs.device, regs.count & 0xFF))
    return bytes(raw)


def install_sat(disk: EmulatedDisk, drive: AtaDrive) -> None:
    """Put a SATL for ``drive`` on ``disk``: ATA PASS-THROUGH (12) and (16)."""
    handler = _satl(drive)
    disk.ata = drive  # type: ignore[attr-defined]
    disk.register(0x85, None, handler, name="ATA PASS-THROUGH(16)")
    disk.register(0xA1, None, handler, name="ATA PASS-THROUGH(12)")


def make_sata(*, blocks: int = 2**21, model: str = "SGFRAME EMULATED SATA SSD", serial: str = "SGF0000000001",
              firmware: str = "1.0", smart_ok: bool = True, power_mode: int = 0xFF, dsense: bool = True,
              temperature: int = 36, power_on_hours: int = 1234) -> EmulatedDisk:
    """The ``emu:sata`` factory: a disk whose INQUIRY says what a SATL says, with its
    :class:`AtaDrive` attached as ``disk.ata``; the SAT plugin's emulation hook installs
    the SATL (or call :func:`install_sat`)."""
    drive = AtaDrive(blocks, model=model, serial=serial, firmware=firmware, smart_ok=smart_ok, power_mode=power_mode,
                     temperature=temperature, power_on_hours=power_on_hours)
    disk = EmulatedDisk(blocks, 512, vendor="ATA", product=model[:16], revision=firmware[:4],
                        serial=serial[:20], lbpu=False, dsense=dsense)
    disk.ata = drive  # type: ignore[attr-defined]
    return disk


def sata_disk(**params: Any) -> EmulatedDisk:
    """:func:`make_sata` with the SATL installed, for use without the plugin manager."""
    disk = make_sata(**params)
    install_sat(disk, disk.ata)  # type: ignore[attr-defined]
    return disk


from .emu_params import SATA_PARAMETERS  # noqa: E402,F401 - re-exported for existing users


def sata_drive_of(disk: Any) -> Optional[AtaDrive]:
    return getattr(disk, "ata", None)
