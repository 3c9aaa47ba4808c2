"""The emulated disk's log and mode pages: every page decodes cleanly, and the values agree
with each other and with what the disk was told."""
from __future__ import annotations

import pytest

from sgframe.decode import decode_log_page, decode_mode_parameters, encode_mode_parameters
from sgframe.decode.log import LogPage
from sgframe.decode.mode_pages import (
    BackgroundControlPage,
    CachingPage,
    FormatDevicePage,
    PhyControlAndDiscoverPage,
    RigidDiskGeometryPage,
    UnknownModePage,
)
from sgframe.emu import EmulatedDisk
from sgframe.emu.modes import sas_address

H = bytes.fromhex


def ok(reply) -> bytes:
    assert reply.status == 0, reply.sense
    return reply.data


def log_sense(disk, page, subpage=0, pc=1):
    # The application client page (0Fh) is 16388 bytes: ask for the most LOG SENSE gives.
    cdb = bytes((0x4D, 0, (pc << 6) | page, subpage, 0, 0, 0, 0xFF, 0xFF, 0))
    return decode_log_page(ok(disk.respond(cdb, None, 0xFFFF)))


def mode_sense(disk, page=0x3F, subpage=0xFF, pc=0, ten=True):
    if ten:
        cdb = bytes((0x5A, 0x08, (pc << 6) | page, subpage, 0, 0, 0, 0x10, 0, 0))
    else:
        cdb = bytes((0x1A, 0x08, (pc << 6) | page, subpage, 0xFF, 0))
    return decode_mode_parameters(ok(disk.respond(cdb, None, 0x1000)), ten=ten)


def mode_select(disk, *pages):
    data = encode_mode_parameters(None, (), pages, ten=True)
    cdb = bytes((0x55, 0x10, 0, 0, 0, 0, 0)) + len(data).to_bytes(2, "big") + b"\x00"
    return disk.respond(cdb, data)


@pytest.fixture
def disk() -> EmulatedDisk:
    return EmulatedDisk(blocks=1 << 20, serial="LOGMODE1")


def listed(disk):
    return log_sense(disk, 0, 0xFF).supported_pages_and_subpages


def test_every_log_page_decodes_cleanly_with_its_name(disk):
    pairs = [p for p in listed(disk) if p[1] != 0xFF and p != (0, 0)]
    assert (0x0D, 0x01) in pairs and (0x15, 0x01) in pairs and (0x1A, 0) in pairs
    for page, subpage in pairs:
        d = log_sense(disk, page, subpage)
        assert type(d) is not LogPage, (page, subpage)
        assert d.problems == (), (page, subpage)
        assert (d.page_code, d.subpage_code if d.spf else 0) == (page, subpage)
        assert d.page_name not in ("reserved", "vendor specific")


def test_temperatures_agree(disk):
    temperature = log_sense(disk, 0x0D)
    (report,) = log_sense(disk, 0x0D, 0x01).temperature_reports
    (limits,) = log_sense(disk, 0x0D, 0x02).temperature_limits
    ie = log_sense(disk, 0x2F)
    assert temperature.temperature == report.temperature == ie.most_recent_temperature_reading == 35
    assert report.lifetime_minimum_temperature <= report.temperature <= report.lifetime_maximum_temperature
    assert limits.high_critical_temperature_limit_trigger == temperature.reference_temperature == 65
    assert limits.low_critical_temperature_limit_trigger is None  # 80h: no limit
    (humidity,) = log_sense(disk, 0x0D, 0x01).relative_humidity_reports
    assert humidity.relative_humidity == 40


def test_medium_errors_are_pending_defects_and_scan_results(disk):
    assert log_sense(disk, 0x15, 0x01).pending_defect_count == 0
    disk.inject_medium_error(0x1234, 2)
    disk.inject_medium_error(0x9000)
    pd = log_sense(disk, 0x15, 0x01)
    assert pd.pending_defect_count == 2
    assert [d.logical_block_address for d in pd.pending_defects] == [0x1234, 0x9000]
    bsr = log_sense(disk, 0x15)
    assert bsr.background_scan_status == 0x08  # EN_BMS set in mode page 1Ch/01h
    assert [(m.logical_block_address, m.reassign_status, m.sense_key, m.additional_sense_code)
            for m in bsr.medium_scan_parameters] == [(0x1234, 1, 3, 0x11), (0x9000, 1, 3, 0x11)]


def test_background_scan_status_follows_the_background_control_page(disk):
    current = mode_sense(disk, 0x1C, 0x01).page(0x1C, 0x01)
    assert isinstance(current, BackgroundControlPage) and current.en_bms is True
    ok(mode_select(disk, BackgroundControlPage(en_bms=False, background_medium_scan_interval_time=24,
                                               minimum_idle_time_before_background_scan=1)))
    assert mode_sense(disk, 0x1C, 0x01).page(0x1C, 0x01).en_bms is False
    assert log_sense(disk, 0x15).background_scan_status == 0x00


def test_mode_select_is_logged_in_last_n_mode_page_data_changed(disk):
    before = log_sense(disk, 0x0B, 0x02)
    assert (before.changes, before.mode_page_data_changed_generation_number) == ((), 0)
    caching = mode_sense(disk, 0x08, 0).page(0x08)
    ok(mode_select(disk, CachingPage(**{**{a: getattr(caching, a) for a in ("disable_pre_fetch_transfer_length",
                                                                             "maximum_pre_fetch",
                                                                             "maximum_pre_fetch_ceiling",
                                                                             "number_of_cache_segments")},
                                        "wce": False}),
                   BackgroundControlPage(en_bms=False, background_medium_scan_interval_time=24,
                                         minimum_idle_time_before_background_scan=1)))
    after = log_sense(disk, 0x0B, 0x02)
    assert after.mode_page_data_changed_generation_number == 1
    assert [(c.page_code, c.subpage_code, c.spf) for c in after.changes] == [(0x08, 0, False), (0x1C, 0x01, True)]


def test_power_condition_transitions_follow_start_stop_unit(disk):
    ok(disk.respond(H("1b 00 00 00 20 00")))  # IDLE
    ok(disk.respond(H("1b 00 00 00 20 00")))  # IDLE again: no transition
    ok(disk.respond(H("1b 00 00 00 30 00")))  # STANDBY
    ok(disk.respond(H("1b 00 00 00 10 00")))  # ACTIVE
    d = log_sense(disk, 0x1A)
    assert (d.accumulated_transitions_to_active, d.accumulated_transitions_to_idle_a,
            d.accumulated_transitions_to_standby_z, d.accumulated_transitions_to_idle_b) == (1, 1, 1, 0)
    assert log_sense(disk, 0x1A, pc=3).accumulated_transitions_to_idle_a == 0  # default values


def test_format_status_after_format_unit(disk):
    before = log_sense(disk, 0x08)
    assert (before.format_data_out, before.grown_defects_during_certification) == (None, None)
    ok(disk.respond(H("04 10 00 00 00 00"), H("00 00 0000")))  # FMTDATA, a short header
    after = log_sense(disk, 0x08)
    assert after.format_data_out == H("00 00 0000")
    assert (after.grown_defects_during_certification, after.total_blocks_reassigned_during_format,
            after.total_new_blocks_reassigned, after.power_on_minutes_since_format) == (0, 0, 0, 0)


def test_verify_counts_in_the_verify_error_counters(disk):
    ok(disk.respond(H("2f 00 00000000 00 0004 00")))
    assert log_sense(disk, 0x05).total_bytes_processed == 4 * 512
    assert log_sense(disk, 0x03).total_bytes_processed == 0
    disk.inject_medium_error(2)
    assert disk.respond(H("2f 00 00000000 00 0004 00")).status == 2
    assert log_sense(disk, 0x05).total_uncorrected_errors == 1


def test_start_stop_and_utilization(disk):
    ok(disk.respond(H("1b 00 00 00 00 00")))
    ok(disk.respond(H("1b 00 00 00 01 00")))
    assert log_sense(disk, 0x0E).accumulated_start_stop_cycles == 1
    u = log_sense(disk, 0x0E, 0x01)
    assert (u.workload_utilization, u.utilization_usage_rate_based_on_date_and_time) == (0, 0)


def test_one_pages_subpages(disk):
    assert log_sense(disk, 0x15, 0xFF).supported_pages_and_subpages == (
        (0x15, 0), (0x15, 1), (0x15, 2), (0x15, 3), (0x15, 0xFF))
    reply = disk.respond(H("4d 00 55 07 00 0000 0100 00"), None, 256)
    assert reply.status == 2 and reply.sense[12] == 0x24  # INVALID FIELD IN CDB: no subpage 07h


# --- mode pages ---------------------------------------------------------------------------

KEYS = [(0x01, 0), (0x02, 0), (0x03, 0), (0x04, 0), (0x07, 0), (0x08, 0), (0x0A, 0), (0x0A, 1), (0x0A, 2),
        (0x0A, 5), (0x0A, 6), (0x18, 0), (0x19, 0), (0x19, 1), (0x19, 2), (0x19, 3), (0x1A, 0), (0x1A, 1),
        (0x1C, 0), (0x1C, 1)]


@pytest.mark.parametrize("pc", [0, 2, 3])
def test_every_mode_page_decodes_cleanly(disk, pc):
    d = mode_sense(disk, pc=pc)
    assert d.problems == ()
    assert [(p.page_code, p.subpage_code) for p in d.pages] == KEYS
    assert not any(isinstance(p, UnknownModePage) for p in d.pages)


def test_changeable_masks(disk):
    d = mode_sense(disk, pc=1)
    assert d.page(0x08).wce is True and d.page(0x08).ic is False
    assert d.page(0x1C, 0x01).en_bms is True
    # A SAS page's mask has PROTOCOL IDENTIFIER 0h: it is not SAS-decodable, but present.
    assert isinstance(d.page(0x19, 0x01), UnknownModePage)
    assert d.page(0x19, 0x01).page_data[3] == 0  # NUMBER OF PHYS is not changeable


def test_values_agree_with_the_disk():
    disk = EmulatedDisk(blocks=1 << 22, block_size=4096, serial="LOGMODE2")
    d = mode_sense(disk)
    fmt = d.page(0x03)
    assert isinstance(fmt, FormatDevicePage) and fmt.data_bytes_per_physical_sector == 4096
    geometry = d.page(0x04)
    assert isinstance(geometry, RigidDiskGeometryPage)
    assert geometry.number_of_cylinders * geometry.number_of_heads * fmt.sectors_per_track >= disk.blocks
    assert geometry.medium_rotation_rate == 1  # as VPD B1h: non-rotating
    phys = d.page(0x19, 0x01)
    assert isinstance(phys, PhyControlAndDiscoverPage) and phys.number_of_phys == 2
    assert [p.sas_address for p in phys.descriptors] == [sas_address(disk, 0), sas_address(disk, 1)]
    assert sas_address(disk, 0) >> 60 == 0x5
    assert [p.phy_identifier for p in d.page(0x19, 0x03).descriptors] == [0, 1]
    assert (d.header.wp, d.header.dpofua) == (False, True)


def test_mode_sense6_keeps_whole_pages_that_fit(disk):
    d = mode_sense(disk, ten=False)
    assert d.problems == ()
    assert d.header.mode_data_length <= 0xFF
    assert [(p.page_code, p.subpage_code) for p in d.pages] == KEYS[:len(d.pages)]
    assert len(d.pages) < len(KEYS)  # IO advice hints grouping alone is 1040 bytes


def test_mode_select_subpage_errors(disk):
    # S_L_FULL is not changeable (EN_BMS, EN_PS and two timers are).
    page = BackgroundControlPage(en_bms=True, s_l_full=True, background_medium_scan_interval_time=24,
                                 minimum_idle_time_before_background_scan=1)
    reply = mode_select(disk, page)
    assert reply.status == 2 and reply.sense[12] == 0x26  # INVALID FIELD IN PARAMETER LIST
    assert reply.sense[15:18] == H("8a 00 0c")  # parameter list byte 12 (8 + 4 header), bit 2
    # No subpage 1Ch/07h.
    data = H("0000 00 00 00 00 0000") + H("5c 07 000c") + bytes(12)
    reply = disk.respond(H("55 10 00 00 00 00 00 0018 00"), data)
    assert reply.status == 2 and reply.sense[15:18] == H("80 00 09")
    # Page 02h in sub_page format is not a page of this disk.
    data = H("0000 00 00 00 00 0000") + H("42 00 000e") + bytes(14)
    reply = disk.respond(H("55 10 00 00 00 00 00 001a 00"), data)
    assert reply.status == 2 and reply.sense[15:18] == H("80 00 09")


def test_mode_sense_data_goes_back_in_mode_select(disk):
    # Every page read, decoded, encoded for MODE SELECT and sent back: accepted, nothing
    # changed, so no unit attention for another initiator and nothing logged in 0Bh/02h.
    sensed = mode_sense(disk)
    data = encode_mode_parameters(sensed.for_select())
    raw = ok(disk.respond(bytes.fromhex("5a 08 3f ff 00 00 00 ffff 00"), None, 0xFFFF))
    # Only the (reserved) MODE DATA LENGTH and the PS bits differ from what was sensed.
    assert len(data) == len(raw) and data[:2] == bytes(2)
    assert bytes(b & 0x7F if i in _page_starts(raw) else b for i, b in enumerate(raw))[2:] == data[2:]
    disk.respond(bytes(6), nexus=1)
    cdb = bytes((0x55, 0x10, 0, 0, 0, 0, 0)) + len(data).to_bytes(2, "big") + b"\x00"
    ok(disk.respond(cdb, data))
    assert disk.respond(bytes(6), nexus=1).status == 0
    assert log_sense(disk, 0x0B, 0x02).changes == ()


def _page_starts(raw: bytes) -> set:
    """Offsets of the pages of MODE SENSE (10) data without block descriptors."""
    starts, offset = set(), 8
    while offset < len(raw):
        starts.add(offset)
        spf = raw[offset] & 0x40
        offset += (4 + int.from_bytes(raw[offset + 2:offset + 4], "big")) if spf else 2 + raw[offset + 1]
    return starts
