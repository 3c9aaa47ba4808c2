"""Seagate's vendor log pages on an emulated disk whose vendor is SEAGATE.

The LOG SENSE handler of the disk is wrapped: pages 37h and 3Eh are answered here (and
listed in page 00h), everything else by the disk's own handler. Page 37h counts the
blocks the disk's read and write error counter pages have seen (bytes processed over
the block size), so reads and writes move it.
"""
from __future__ import annotations

from typing import Any

from sgframe.emu import EmulatedDisk, Request
from sgframe.emu.sense import invalid_field_in_cdb

from .pages import CACHE_STATISTICS_PAGE, FACTORY_LOG_PAGE

__all__ = ["install_seagate_pages", "POWER_ON_MINUTES", "MINUTES_UNTIL_SMART_TEST"]

POWER_ON_MINUTES = 61 * 60 + 30
MINUTES_UNTIL_SMART_TEST = 42
_READ_ERRORS, _WRITE_ERRORS, _BYTES_PROCESSED = 0x03, 0x02, 0x0005


def _parameter(code: int, value: int, length: int = 4) -> bytes:
    # Control byte 03h: binary format and linking, as smartmontools expects counters.
    return code.to_bytes(2, "big") + bytes((0x03, length)) + value.to_bytes(length, "big")


def _page(code: int, body: bytes) -> bytes:
    return bytes((code, 0)) + len(body).to_bytes(2, "big") + body


def _cache_page(disk: EmulatedDisk) -> bytes:
    counters = disk.logs.counters
    sent = counters[_READ_ERRORS].get(_BYTES_PROCESSED, 0) // disk.block_size
    received = counters[_WRITE_ERRORS].get(_BYTES_PROCESSED, 0) // disk.block_size
    body = (_parameter(0, sent) + _parameter(1, received) + _parameter(2, 0)
            + _parameter(3, 0) + _parameter(4, 0))
    return _page(CACHE_STATISTICS_PAGE, body)


def _factory_page() -> bytes:
    return _page(FACTORY_LOG_PAGE, _parameter(0, POWER_ON_MINUTES) + _parameter(8, MINUTES_UNTIL_SMART_TEST))


def install_seagate_pages(disk: EmulatedDisk) -> None:
    """Wrap ``disk``'s LOG SENSE so it also serves pages 37h and 3Eh."""
    spec = disk.table.get(0x4D, None)
    if spec is None:
        return
    inner = spec.handler

    def log_sense(d: Any, request: Request) -> Any:
        cdb = request.cdb
        page, subpage = cdb[2] & 0x3F, cdb[3]
        if page in (CACHE_STATISTICS_PAGE, FACTORY_LOG_PAGE):
            if subpage or cdb[2] >> 6 not in (1, 3):
                raise invalid_field_in_cdb(3 if subpage else 2, None if subpage else 7)
            return _cache_page(d) if page == CACHE_STATISTICS_PAGE else _factory_page()
        answer = inner(d, request)
        if page == 0 and subpage == 0 and isinstance(answer, (bytes, bytearray)):
            codes = sorted(set(answer[4:]) | {CACHE_STATISTICS_PAGE, FACTORY_LOG_PAGE})
            return _page(0, bytes(codes))
        return answer

    disk.register(0x4D, None, log_sense, name=spec.name, usage=spec.usage, medium=spec.medium,
                  access=spec.access, timeouts=spec.timeouts, allocation=spec.allocation)
