"""Log page vectors built from the SPC-5 / SBC-4 / ZBC-2 / SPL-4 layouts, shared by the vector
tests and the sg_logs comparison.  Each page is a header (page code, SPF, subpage, length)
followed by parameters (code, control byte, length, value)."""
from __future__ import annotations

from typing import Dict, Optional


def log_page(page: int, params, sub: Optional[int] = None, ds: bool = False) -> bytes:
    body = b"".join(params)
    first = page | (0x40 if sub is not None else 0) | (0x80 if ds else 0)
    return bytes([first, sub or 0]) + len(body).to_bytes(2, "big") + body


def param(code: int, control: int, value: bytes) -> bytes:
    return code.to_bytes(2, "big") + bytes([control, len(value)]) + value


def be(value: int, size: int) -> bytes:
    return value.to_bytes(size, "big")


def _phy(phy_id: int, events) -> bytes:
    """SAS phy log descriptor (SPL-4 table 153) with phy event descriptors."""
    d = bytes([0, phy_id, 0, 0])
    # Attached SAS device type 1 (end device), attached reason 2h (hard reset); reason 1h
    # (power on), negotiated logical link rate Bh (12 Gbit/s).
    d += bytes([0x12, 0x1B])
    d += bytes([0x08, 0x00])  # attached SSP initiator
    d += be(0x5000C50012345678 + phy_id, 8) + be(0x500605B000ABCDEF, 8)
    d += bytes([phy_id + 4]) + bytes(7)
    d += be(11, 4) + be(22, 4) + be(33, 4) + be(44, 4)
    d += bytes(2) + bytes([12, len(events)])
    for source, value, threshold in events:
        d += bytes([0, 0, 0, source]) + be(value, 4) + be(threshold, 4)
    d = d[:3] + bytes([len(d) - 4]) + d[4:]
    return d


VECTORS: Dict[str, bytes] = {
    # 01h: parameter code 0023h: count basis 001b (per command), cause 0001b, type 1 (over-run).
    "buffer_over_run": log_page(0x01, [param(0x0023, 0x02, be(7, 4)), param(0x0080, 0x02, be(1, 2))]),
    # 05h: the seven counters of SPC-5 7.3.6, four bytes each.
    "verify_errors": log_page(0x05, [param(c, 0x02, be(c * 3, 4)) for c in range(7)]),
    # 04h: read reverse error counter, eight-byte counters.
    "read_reverse_errors": log_page(0x04, [param(5, 0x02, be(1 << 41, 8)), param(6, 0x02, be(2, 8))]),
    "non_medium": log_page(0x06, [param(0, 0x02, be(9, 4)), param(0x8001, 0x02, be(1, 1))]),
    # 07h: one ASCII event (FORMAT AND LINKING 01b), one binary (11b).
    "last_n_error_events": log_page(0x07, [param(0, 0x01, b"medium error\x00\x00"),
                                           param(1, 0x03, bytes.fromhex("0102"))]),
    # 08h: FORMAT DATA OUT not available (all FFh), a counter, one counter not available.
    "format_status": log_page(0x08, [param(0, 0x03, b"\xff" * 4), param(1, 0x02, be(5, 4)),
                                     param(2, 0x02, be(6, 8)), param(3, 0x02, be(0, 4)),
                                     param(4, 0x02, b"\xff" * 4)]),
    # 0Bh: a fixed-format deferred error (71h), MEDIUM ERROR 11h/00h.
    "last_n_deferred": log_page(0x0B, [param(0, 0x03, bytes.fromhex("f1 00 03 00 00 12 34 0a 00 00 00 00 11 00 00 00 00 00"))]),
    # 0Bh/01h: generations 5 (INQUIRY) and 6 (mode pages); standard INQUIRY data and VPD 83h changed.
    "last_n_inquiry_changed": log_page(0x0B, [param(0, 0x03, be(5, 4) + be(6, 4)),
                                              param(1, 0x03, bytes(4)), param(2, 0x03, bytes.fromhex("01830000"))], sub=0x01),
    # 0Bh/02h: the Caching page (08h) and the Control extension subpage (0Ah/01h) changed.
    "last_n_mode_changed": log_page(0x0B, [param(0, 0x03, be(5, 4) + be(6, 4)),
                                           param(1, 0x03, bytes.fromhex("08000000")),
                                           param(2, 0x03, bytes.fromhex("4a010000"))], sub=0x02),
    # 0Dh/01h: 40 C now, lifetime 72/-1, since power on 45/18, OTV clear; humidity 55 % ..
    "environmental_reporting": log_page(0x0D, [
        param(0x0000, 0x03, bytes([0x00, 40, 72, 0xFF, 45, 18, 0, 0])),
        param(0x0001, 0x03, bytes([0x01, 0x80, 90, 0xF6, 50, 0xFB, 60, 0xEC])),
        param(0x0100, 0x03, bytes([0x00, 55, 72, 35, 55, 45, 0, 0])),
    ], sub=0x01),
    # 0Dh/02h: temperature limits (signed, 80h no limit) and humidity limits (FFh no limit).
    "environmental_limits": log_page(0x0D, [
        param(0x0000, 0x03, bytes([70, 65, 0xFB, 0xF6, 60, 55, 5, 0x80])),
        param(0x0100, 0x03, bytes([95, 90, 10, 5, 80, 75, 20, 0xFF])),
    ], sub=0x02),
    # 0Ch: 1000h available (scope 01b, dedicated), 20h used (scope 10b), 75 % available.
    "provisioning": log_page(0x0C, [param(1, 0x03, be(0x1000, 4) + bytes([1, 0, 0, 0])),
                                    param(2, 0x03, be(0x20, 4) + bytes([2, 0, 0, 0])),
                                    param(3, 0x03, be(75, 2) + bytes(2) + bytes([0, 0, 0, 0]))]),
    "start_stop": log_page(0x0E, [param(1, 0x01, b"202312"), param(2, 0x01, b"      "),
                                  param(3, 0x03, be(50000, 4)), param(4, 0x03, be(7, 4)),
                                  param(5, 0x03, be(600000, 4)), param(6, 0x03, be(42, 4))]),
    # 0Eh/01h: 46.60 % of the workload; 55 % usage rate.
    "utilization": log_page(0x0E, [param(0, 0x03, be(4660, 2)), param(1, 0x03, bytes([55, 0]))], sub=0x01),
    "application_client": log_page(0x0F, [param(0, 0x83, b"hello world!")]),
    "solid_state_media": log_page(0x11, [param(1, 0x03, bytes([0, 0, 0, 17]))]),
    "zbd_statistics": log_page(0x14, [param(c, 0x03, be(c + 100, 8)) for c in range(12)], sub=0x01),
    # 15h: status parameter (4660 minutes, status 08h, 3 scans, progress 8000h = 50 %, 2
    # medium scans) and one result: reassigned (2h), MEDIUM ERROR 11h/00h at LBA 1000h.
    "background_scan": log_page(0x15, [
        param(0, 0x03, bytes.fromhex("00001234 00 08 0003 8000 0002")),
        param(1, 0x03, bytes.fromhex("00000064 23 11 00 0102030405 0000000000001000")),
    ]),
    "pending_defects": log_page(0x15, [param(0, 0x03, be(2, 4)),
                                       param(1, 0x03, be(16, 4) + be(0x777, 8)),
                                       param(2, 0x03, be(17, 4) + be(0x888, 8))], sub=0x01),
    "background_operation": log_page(0x15, [param(0, 0x03, bytes([1, 0, 0, 0]))], sub=0x02),
    "lps_misalignment": log_page(0x15, [param(0, 0x03, bytes.fromhex("00080002")),
                                        param(1, 0x03, be(0x1234, 8)), param(2, 0x03, be(0x5678, 8))], sub=0x03),
    # 18h: relative target port 1, SAS (6h), generation 3, one phy with two events.
    "protocol_specific_port": log_page(0x18, [param(1, 0x03, bytes([0x06, 0, 3, 1]) + _phy(0, [(0x01, 11, 0), (0x2B, 5, 7)]))]),
    # 19h/00h: statistics (eight counters 1..8), idle time 9, time interval 10^-3 x 1
    # (milliseconds), FUA statistics 11..18.
    "general_statistics": log_page(0x19, [
        param(1, 0x03, b"".join(be(n, 8) for n in range(1, 9))), param(2, 0x03, be(9, 8)),
        param(3, 0x03, be(3, 4) + be(1, 4)), param(4, 0x03, b"".join(be(n, 8) for n in range(11, 19)))]),
    # 19h/05h: group 5, six counters 21..26 and FUA statistics 31..38.
    "group_statistics": log_page(0x19, [param(1, 0x03, b"".join(be(n, 8) for n in range(21, 27))),
                                        param(4, 0x03, b"".join(be(n, 8) for n in range(31, 39)))], sub=0x05),
    # 19h/20h: hits, reads, write hits, writes, time from last hard reset; interval 10^-6 x 5.
    "cache_statistics": log_page(0x19, [param(c, 0x03, be(c * 100, 8)) for c in range(1, 6)]
                                 + [param(6, 0x03, be(6, 4) + be(5, 4))], sub=0x20),
    "power_condition_transitions": log_page(0x1A, [param(c, 0x02, be(c * 10, 4)) for c in (1, 2, 3, 4, 8, 9)]),
    # 16h: a 48-bit command's registers (EXTEND 1: count 0001h, LBA ABCDEF012345h, high
    # bytes interleaved with the low ones as SAT lays them out) and a 28-bit one's.
    "ata_pass_through": log_page(0x16, [
        param(0, 0x03, bytes.fromhex("090c 01 04 0001 ef 45 cd 23 ab 01 40 51")),
        param(1, 0x03, bytes.fromhex("090c 00 00 0005 00 10 00 20 00 30 e0 50")),
    ]),
    # 17h: 90 minutes remaining (byte 4 reserved), maximum indefinite (FFFFFFh).
    "non_volatile_cache": log_page(0x17, [param(0, 0x03, be(90, 4)), param(1, 0x03, bytes.fromhex("00ffffff"))]),
    # 19h/21h in the spc6r01 draft layout sg_logs 1.46 reads: 0001h eight bytes, T2A
    # descriptor 1 (0011h) and T2B descriptor 2 (0022h) with eight counters each.
    "cdl_draft": log_page(0x19, [param(1, 0x03, be(1000, 8)),
                                 param(0x11, 0x03, b"".join(be(n, 4) for n in range(1, 9))),
                                 param(0x22, 0x03, b"".join(be(n, 4) for n in range(11, 19)))], sub=0x21),
    # 19h/21h as SPC-6 publishes it: achievable latency target 500 us, T2A descriptor 1
    # (0021h) and T2B descriptor 7 (0047h) with four counters, a restricted code (0011h).
    "cdl_spc6": log_page(0x19, [param(1, 0x03, be(500, 4)),
                                param(0x11, 0x03, bytes(4)),
                                param(0x21, 0x03, b"".join(be(n, 4) for n in (4, 3, 2, 100))),
                                param(0x47, 0x03, b"".join(be(n, 4) for n in (0, 1, 0, 50)))], sub=0x21),
}
