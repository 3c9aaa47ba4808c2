"""The ATA registers a SATL returns, read out of sense data (SAT-5 12.2.2.6 and 12.2.4).

With CK_COND set, or when the ATA command fails, the SATL ends the pass-through
command with CHECK CONDITION and ASC/ASCQ 00h/1Dh, ATA PASS THROUGH INFORMATION
AVAILABLE, and puts the ATA registers in the sense data: in the ATA Status Return
descriptor (09h) in descriptor format, or packed into the INFORMATION and COMMAND-SPECIFIC
INFORMATION fields in fixed format.
"""
from __future__ import annotations

from typing import Optional, Tuple

import attrs

from sgframe.sense import AtaStatusReturnDescriptor, Sense

__all__ = ["AtaRegisters", "registers_from_sense", "status_flags", "ATA_INFORMATION_AVAILABLE"]

#: ASC/ASCQ 00h/1Dh: ATA PASS THROUGH INFORMATION AVAILABLE.
ATA_INFORMATION_AVAILABLE = (0x00, 0x1D)

# ATA STATUS register bits (ACS-4 6.2): BSY 7, DRDY 6, DF 5, DRQ 3, ERR 0.
_STATUS_BITS = ((0x80, "BSY"), (0x40, "DRDY"), (0x20, "DF"), (0x08, "DRQ"), (0x01, "ERR"))
# ATA ERROR register bits of a failed command (ACS-4 6.3): ICRC 7, UNC 6, IDNF 4, ABRT 2.
_ERROR_BITS = ((0x80, "ICRC"), (0x40, "UNC"), (0x10, "IDNF"), (0x04, "ABRT"))


def status_flags(status: int) -> Tuple[str, ...]:
    return tuple(name for bit, name in _STATUS_BITS if status & bit)


def error_flags(error: int) -> Tuple[str, ...]:
    return tuple(name for bit, name in _ERROR_BITS if error & bit)


@attrs.frozen
class AtaRegisters:
    """The ATA output registers.

    :param extend: 48-bit command: ``count`` has 16 bits and ``lba`` 48.
    :param complete: False for fixed-format sense, which keeps only the low byte of
        COUNT and LBA (23:0) and flags whether the upper bytes were nonzero.
    """

    error: int
    status: int
    device: int
    count: int
    lba: int
    extend: bool = False
    complete: bool = True
    upper_nonzero: bool = False

    @property
    def failed(self) -> bool:
        """ERR or DF set: the ATA command failed."""
        return bool(self.status & 0x21)

    @property
    def lba_mid(self) -> int:
        """LBA (15:8), where SMART RETURN STATUS answers."""
        return self.lba >> 8 & 0xFF

    @property
    def lba_high(self) -> int:
        return self.lba >> 16 & 0xFF

    def __str__(self) -> str:
        flags = " ".join(status_flags(self.status)) or "none"
        text = f"ATA status 0x{self.status:02x} ({flags}), error 0x{self.error:02x}"
        if self.error:
            text += f" ({' '.join(error_flags(self.error)) or 'vendor bits'})"
        return text + f", count 0x{self.count:x}, lba 0x{self.lba:x}, device 0x{self.device:02x}"


def registers_from_sense(sense: Sense) -> Optional[AtaRegisters]:
    """The ATA registers in sense data, or None when it carries none."""
    descriptor = sense.find(AtaStatusReturnDescriptor)
    if descriptor is not None:
        return AtaRegisters(error=descriptor.error, status=descriptor.status, device=descriptor.device,
                            count=descriptor.count, lba=descriptor.lba, extend=descriptor.extend)
    if sense.format != "fixed" or (sense.asc, sense.ascq) != ATA_INFORMATION_AVAILABLE:
        return None
    raw = sense.raw
    if len(raw) < 12:
        return None
    # SAT-5 table 166: INFORMATION = ERROR, STATUS, DEVICE, COUNT (7:0); byte 8 =
    # EXTEND (7), COUNT UPPER NONZERO (6), LBA UPPER NONZERO (5), LOG INDEX (3-0);
    # bytes 9-11 = LBA (7:0), (15:8), (23:16).
    return AtaRegisters(error=raw[3], status=raw[4], device=raw[5], count=raw[6],
                        lba=raw[11] << 16 | raw[10] << 8 | raw[9], extend=bool(raw[8] & 0x80),
                        complete=False, upper_nonzero=bool(raw[8] & 0x60))
