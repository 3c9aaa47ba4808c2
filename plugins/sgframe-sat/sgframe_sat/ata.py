"""ATA commands wrapped in ATA PASS-THROUGH (16), and :class:`Sat`, which sends them on a
channel and decodes what comes back.

The builders are sans-IO: each returns a command object. ATA register values follow
ACS-4: SMART subcommands go in FEATURES with the signature 4Fh/C2h in LBA (15:8) and
LBA (23:16); READ LOG EXT takes the log address in LBA (7:0) and the page number in
LBA (15:8) and LBA (39:32).
"""
from __future__ import annotations

from typing import Any, Optional

from sgframe import errors
from sgframe.errors import UsageError

from .commands import AtaPassThrough16, Protocol, TLength, lba_fields
from .identify import IdentifyDevice, decode_identify_device
from .registers import AtaRegisters, registers_from_sense
from .smart import (
    SMART_OK, SMART_THRESHOLD_EXCEEDED, GeneralPurposeLogDirectory, SmartData, SmartThresholds,
    decode_log_directory, decode_smart_data, decode_smart_thresholds, power_mode_name,
)

__all__ = [
    "IDENTIFY_DEVICE", "IDENTIFY_PACKET_DEVICE", "SMART", "CHECK_POWER_MODE", "READ_LOG_EXT",
    "SMART_READ_DATA", "SMART_READ_THRESHOLDS", "SMART_RETURN_STATUS",
    "identify_device", "identify_packet_device", "smart_read_data", "smart_read_thresholds", "smart_return_status",
    "check_power_mode", "read_log_ext", "Sat",
]

IDENTIFY_DEVICE = 0xEC
IDENTIFY_PACKET_DEVICE = 0xA1
SMART = 0xB0
CHECK_POWER_MODE = 0xE5
READ_LOG_EXT = 0x2F
SMART_READ_DATA = 0xD0
SMART_READ_THRESHOLDS = 0xD1
SMART_RETURN_STATUS = 0xDA
_SMART_SIGNATURE = {"lba_15_8": 0x4F, "lba_23_16": 0xC2}


def _pio_in(command: int, count: int = 1, **fields: Any) -> AtaPassThrough16:
    # Transfer length in COUNT, counted in 512-byte blocks, from the device.
    return AtaPassThrough16(protocol=Protocol.PIO_DATA_IN, t_dir=True, byte_block=True,
                            t_length=TLength.COUNT, count=count, command=command, **fields)


def identify_device() -> AtaPassThrough16:
    """IDENTIFY DEVICE (ECh): 512 bytes of identification, PIO data-in."""
    return _pio_in(IDENTIFY_DEVICE)


def identify_packet_device() -> AtaPassThrough16:
    """IDENTIFY PACKET DEVICE (A1h): the 512 bytes of an ATAPI device (an optical drive);
    a non-packet device aborts it."""
    return _pio_in(IDENTIFY_PACKET_DEVICE)


def smart_read_data() -> AtaPassThrough16:
    """SMART READ DATA (B0h/D0h): the 512-byte SMART data structure."""
    return _pio_in(SMART, features=SMART_READ_DATA, **_SMART_SIGNATURE)


def smart_read_thresholds() -> AtaPassThrough16:
    """SMART READ ATTRIBUTE THRESHOLDS (B0h/D1h, obsolete in ACS but widely kept)."""
    return _pio_in(SMART, features=SMART_READ_THRESHOLDS, **_SMART_SIGNATURE)


def smart_return_status() -> AtaPassThrough16:
    """SMART RETURN STATUS (B0h/DAh): non-data; the answer is in the output registers,
    so CK_COND asks the SATL to return them."""
    return AtaPassThrough16(protocol=Protocol.NON_DATA, ck_cond=True, features=SMART_RETURN_STATUS,
                            command=SMART, **_SMART_SIGNATURE)


def check_power_mode() -> AtaPassThrough16:
    """CHECK POWER MODE (E5h): non-data; the mode comes back in COUNT (CK_COND set)."""
    return AtaPassThrough16(protocol=Protocol.NON_DATA, ck_cond=True, command=CHECK_POWER_MODE)


def read_log_ext(log_address: int, page: int = 0, count: int = 1) -> AtaPassThrough16:
    """READ LOG EXT (2Fh), 48-bit: ``count`` pages of 512 bytes from ``page`` of a log.

    :raises UsageError: log address beyond 0..255, page beyond 0..65535, count beyond 1..65535.
    """
    for name, value, top, bottom in (("log_address", log_address, 0xFF, 0), ("page", page, 0xFFFF, 0),
                                     ("count", count, 0xFFFF, 1)):
        if not isinstance(value, int) or isinstance(value, bool) or not bottom <= value <= top:
            raise UsageError(f"READ LOG EXT {name} must be an int in {bottom}..{top}, got {value!r}")
    lba = log_address | (page & 0xFF) << 8 | (page >> 8) << 32
    return _pio_in(READ_LOG_EXT, count=count, extend=True, **lba_fields(lba, extend=True))


class Sat:
    """ATA commands on a channel to a device behind a SATL.

    Methods raise what the channel raises; an ATA command that fails comes back as
    :class:`sgframe.errors.AbortedCommand` whose sense holds the ATA registers
    (:func:`sgframe_sat.registers.registers_from_sense`).
    """

    def __init__(self, channel: Any) -> None:
        self.channel = channel

    def identify(self) -> IdentifyDevice:
        return decode_identify_device(self.channel.execute(identify_device()).data)

    def smart_data(self) -> SmartData:
        return decode_smart_data(self.channel.execute(smart_read_data()).data)

    def smart_thresholds(self) -> SmartThresholds:
        return decode_smart_thresholds(self.channel.execute(smart_read_thresholds()).data)

    def registers(self, command: AtaPassThrough16) -> AtaRegisters:
        """Send a non-data command with CK_COND set and return the output registers."""
        io = self.channel.execute(command)
        sense = io.sense
        found = registers_from_sense(sense) if sense is not None else None
        if found is None:
            raise errors.UsageError(f"{command.NAME} on {self.channel.name}: the SATL returned no ATA registers "
                                    "(was CK_COND set?)")
        return found

    def smart_status(self) -> Optional[bool]:
        """True when SMART says the drive is fine, False when a threshold is exceeded,
        None when the registers hold neither signature."""
        regs = self.registers(smart_return_status())
        pair = (regs.lba_mid, regs.lba_high)
        if pair == SMART_OK:
            return True
        if pair == SMART_THRESHOLD_EXCEEDED:
            return False
        return None

    def power_mode(self) -> str:
        return power_mode_name(self.registers(check_power_mode()).count & 0xFF)

    def read_log_ext(self, log_address: int, page: int = 0, count: int = 1) -> bytes:
        return self.channel.execute(read_log_ext(log_address, page, count)).data

    def log_directory(self) -> GeneralPurposeLogDirectory:
        return decode_log_directory(self.read_log_ext(0x00))
