"""SMART data structures (ATA/ATAPI-7 volume 1 8.55 and ACS-4 7.44; the attribute
table layout is the de-facto one every vendor and smartmontools use).

SMART READ DATA: bytes 0-1 revision, 2-361 thirty 12-byte attribute entries, 362 off-line
data collection status, 363 self-test execution status, 364-365 off-line collection
time, 367 off-line capability, 368-369 SMART capability, 370 error logging capability,
372-373 short and extended self-test polling times (minutes), 511 checksum.
SMART READ THRESHOLDS: the same revision and thirty 12-byte entries (ID, threshold).
"""
from __future__ import annotations

from typing import Dict, Optional, Tuple

import attrs

__all__ = [
    "SmartAttribute", "SmartData", "SmartThreshold", "SmartThresholds", "GeneralPurposeLogDirectory",
    "decode_smart_data", "decode_smart_thresholds", "decode_log_directory", "power_mode_name",
    "SMART_OK", "SMART_THRESHOLD_EXCEEDED",
]

#: LBA (15:8) and LBA (23:16) after SMART RETURN STATUS (ACS-4 7.44.7).
SMART_OK = (0x4F, 0xC2)
SMART_THRESHOLD_EXCEEDED = (0xF4, 0x2C)


def _checksum(data: bytes) -> bool:
    return sum(data[:512]) & 0xFF == 0


@attrs.frozen
class SmartAttribute:
    id: int
    flags: int
    current: int
    worst: int
    raw_value: int

    @property
    def prefailure(self) -> bool:
        """Flag bit 0: failing this attribute predicts a drive failure."""
        return bool(self.flags & 1)


@attrs.frozen
class SmartData:
    revision: int
    attributes: Tuple[SmartAttribute, ...]
    offline_data_collection_status: int
    self_test_execution_status: int
    offline_collection_time: int
    offline_capability: int
    smart_capability: int
    error_logging_capability: int
    short_self_test_minutes: int
    extended_self_test_minutes: int
    checksum_valid: bool
    problems: Tuple[str, ...] = ()

    def attribute(self, id: int) -> Optional[SmartAttribute]:  # noqa: A002 - the ATA name
        for a in self.attributes:
            if a.id == id:
                return a
        return None


@attrs.frozen
class SmartThreshold:
    id: int
    threshold: int


@attrs.frozen
class SmartThresholds:
    revision: int
    thresholds: Tuple[SmartThreshold, ...]
    checksum_valid: bool
    problems: Tuple[str, ...] = ()

    def as_dict(self) -> Dict[int, int]:
        return {t.id: t.threshold for t in self.thresholds}


def _sized(data: bytes, what: str, problems: list) -> bytes:
    data = bytes(data)
    if len(data) < 512:
        problems.append(f"{what} is {len(data)} bytes, not 512")
        data = data.ljust(512, b"\0")
    return data


def decode_smart_data(data: bytes) -> SmartData:
    """Decode SMART READ DATA (512 bytes); never raises on device data."""
    problems: list = []
    data = _sized(data, "SMART data", problems)
    attributes = []
    for offset in range(2, 362, 12):
        entry = data[offset:offset + 12]
        if entry[0] == 0:
            continue  # an unused slot
        attributes.append(SmartAttribute(id=entry[0], flags=entry[1] | entry[2] << 8, current=entry[3],
                                         worst=entry[4], raw_value=int.from_bytes(entry[5:11], "little")))
    extended = data[373]
    if extended == 0xFF:
        # ACS: a polling time too long for one byte is in bytes 375-376.
        extended = data[375] | data[376] << 8
    valid = _checksum(data)
    if not valid:
        problems.append("SMART data checksum (byte 511) does not match")
    return SmartData(
        revision=data[0] | data[1] << 8, attributes=tuple(attributes),
        offline_data_collection_status=data[362], self_test_execution_status=data[363],
        offline_collection_time=data[364] | data[365] << 8, offline_capability=data[367],
        smart_capability=data[368] | data[369] << 8, error_logging_capability=data[370],
        short_self_test_minutes=data[372], extended_self_test_minutes=extended,
        checksum_valid=valid, problems=tuple(problems))


def decode_smart_thresholds(data: bytes) -> SmartThresholds:
    """Decode SMART READ THRESHOLDS (512 bytes); never raises on device data."""
    problems: list = []
    data = _sized(data, "SMART thresholds", problems)
    thresholds = tuple(SmartThreshold(id=data[o], threshold=data[o + 1]) for o in range(2, 362, 12) if data[o])
    valid = _checksum(data)
    if not valid:
        problems.append("SMART thresholds checksum (byte 511) does not match")
    return SmartThresholds(revision=data[0] | data[1] << 8, thresholds=thresholds,
                           checksum_valid=valid, problems=tuple(problems))


@attrs.frozen
class GeneralPurposeLogDirectory:
    """Log address 00h of READ LOG EXT (ACS-4 9.2): the number of 512-byte pages of
    each log address (0: not supported)."""

    version: int
    pages: Dict[int, int]


def decode_log_directory(data: bytes) -> GeneralPurposeLogDirectory:
    data = bytes(data).ljust(512, b"\0")
    words = [data[2 * n] | data[2 * n + 1] << 8 for n in range(256)]
    return GeneralPurposeLogDirectory(version=words[0], pages={n: w for n, w in enumerate(words) if n and w})


_POWER_MODES = {
    0x00: "standby", 0x01: "standby (EPC standby_y)", 0x40: "active, NV cache spun down",
    0x41: "active, NV cache spun up", 0x80: "idle", 0x81: "idle (EPC idle_a)",
    0x82: "idle (EPC idle_b)", 0x83: "idle (EPC idle_c)", 0xFF: "active or idle",
}


def power_mode_name(count: int) -> str:
    """The power mode CHECK POWER MODE returns in COUNT (ACS-4 7.3)."""
    return _POWER_MODES.get(count, f"reserved power mode 0x{count:02x}")
