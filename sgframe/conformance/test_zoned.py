"""Host-managed zoned block devices: zone conditions and write pointer rules (ZBC-2 4.4,
5.x REPORT ZONES, RESET WRITE POINTER, OPEN/CLOSE/FINISH ZONE)."""
from __future__ import annotations

import pytest

from sgframe import errors

from .helpers import pattern

pytestmark = [pytest.mark.requires("zoned")]

EMPTY, IMPLICIT_OPEN, EXPLICIT_OPEN, CLOSED, FULL = 0x1, 0x2, 0x3, 0x4, 0xE
SEQUENTIAL_WRITE_REQUIRED = 0x2


def _zones(channel, start=0):
    return channel.cmd.ReportZones(zone_start_lba=start, allocation_length=0xFFFF).result.zone_descriptors


def _zone(channel, start):
    return _zones(channel, start)[0]


@pytest.fixture
def zone(scsi_channel):
    """An empty sequential write required zone (reset first), reset again afterwards."""
    for z in _zones(scsi_channel):
        if z.zone_type == SEQUENTIAL_WRITE_REQUIRED and z.zone_condition in (EMPTY, IMPLICIT_OPEN, EXPLICIT_OPEN, CLOSED, FULL):
            break
    else:
        pytest.skip("no sequential write required zone in the first REPORT ZONES answer")
    scsi_channel.cmd.ResetWritePointer(zone_id=z.zone_start_lba)
    yield _zone(scsi_channel, z.zone_start_lba)
    scsi_channel.cmd.ResetWritePointer(zone_id=z.zone_start_lba)


def test_zones_cover_the_medium_in_order(scsi_channel, scsi_device):
    """ZBC-2 4.4.1 and 5.x (REPORT ZONES): zones are contiguous from LBA 0; each write
    pointer lies within its zone (or is invalid for conventional and full zones)."""
    zones = _zones(scsi_channel)
    assert zones[0].zone_start_lba == 0
    for before, after in zip(zones, zones[1:]):
        assert after.zone_start_lba == before.zone_start_lba + before.zone_length
    for z in zones:
        if z.zone_type == SEQUENTIAL_WRITE_REQUIRED and z.zone_condition != FULL:
            assert z.zone_start_lba <= z.write_pointer_lba <= z.zone_start_lba + z.zone_length


@pytest.mark.destructive
def test_write_at_the_write_pointer_advances_it(scsi_channel, zone):
    """ZBC-2 4.4.3.3: a write starting at the write pointer succeeds and moves the write
    pointer past the blocks written; the zone becomes implicitly open."""
    scsi_channel.cmd.Write16(lba=zone.write_pointer_lba, transfer_length=2,
                             data=pattern(zone.write_pointer_lba, 2, scsi_channel.block_size))
    after = _zone(scsi_channel, zone.zone_start_lba)
    assert after.write_pointer_lba == zone.write_pointer_lba + 2
    assert after.zone_condition == IMPLICIT_OPEN


@pytest.mark.destructive
def test_unaligned_write_is_rejected(scsi_channel, zone, scsi_expect):
    """ZBC-2 4.4.3.3: a write that does not start at the write pointer of a sequential
    write required zone: ILLEGAL REQUEST, UNALIGNED WRITE COMMAND (21h/04h)."""
    lba = zone.write_pointer_lba + 1
    with scsi_expect(errors.IllegalRequest, asc=0x21, ascq=0x04):
        scsi_channel.cmd.Write16(lba=lba, transfer_length=1, data=pattern(lba, 1, scsi_channel.block_size))


@pytest.mark.destructive
def test_write_across_the_zone_end_is_rejected(scsi_channel, zone, scsi_expect):
    """ZBC-2 4.4.3.3: a write at the write pointer that crosses into the next zone:
    ILLEGAL REQUEST, WRITE BOUNDARY VIOLATION (21h/05h)."""
    start, length = zone.zone_start_lba, zone.zone_length
    if length > 2**17:
        pytest.skip(f"a zone of {length} blocks is too long to fill in a test")
    chunk = 1024
    lba = start
    while lba < start + length - 1:  # fill to one block before the end, in chunks
        count = min(chunk, start + length - 1 - lba)
        scsi_channel.cmd.Write16(lba=lba, transfer_length=count, data=bytes(count * scsi_channel.block_size))
        lba += count
    with scsi_expect(errors.IllegalRequest, asc=0x21, ascq=0x05):
        scsi_channel.cmd.Write16(lba=lba, transfer_length=2, data=bytes(2 * scsi_channel.block_size))


def test_read_past_the_write_pointer(scsi_channel, scsi_device, zone, scsi_expect):
    """ZBC-2 4.4.3.3 and 6.5.2: with URSWRZ=0 (Zoned Block Device Characteristics VPD
    page B6h) a read of blocks at or past the write pointer of a sequential write required
    zone: ILLEGAL REQUEST, ATTEMPT TO READ INVALID DATA (21h/06h)."""
    if 0xB6 not in scsi_device.supported_vpd_pages:
        pytest.skip("no Zoned Block Device Characteristics VPD page (B6h)")
    raw = scsi_channel.cmd.Inquiry(evpd=True, page_code=0xB6, allocation_length=64).data
    if raw[4] & 0x01:
        pytest.skip("URSWRZ=1: unrestricted reads are allowed")
    with scsi_expect(errors.IllegalRequest, asc=0x21, ascq=0x06):
        scsi_channel.cmd.Read16(lba=zone.write_pointer_lba, transfer_length=1)


@pytest.mark.destructive
def test_open_close_finish_reset(scsi_channel, zone):
    """ZBC-2 4.4.3.4: OPEN ZONE makes it explicitly open; CLOSE ZONE of a zone with
    written blocks makes it closed; FINISH ZONE makes it full; RESET WRITE POINTER makes it
    empty with the write pointer at the zone start."""
    start = zone.zone_start_lba
    scsi_channel.cmd.OpenZone(zone_id=start)
    assert _zone(scsi_channel, start).zone_condition == EXPLICIT_OPEN
    scsi_channel.cmd.Write16(lba=start, transfer_length=1, data=pattern(start, 1, scsi_channel.block_size))
    scsi_channel.cmd.CloseZone(zone_id=start)
    assert _zone(scsi_channel, start).zone_condition == CLOSED
    scsi_channel.cmd.FinishZone(zone_id=start)
    assert _zone(scsi_channel, start).zone_condition == FULL
    scsi_channel.cmd.ResetWritePointer(zone_id=start)
    after = _zone(scsi_channel, start)
    assert after.zone_condition == EMPTY and after.write_pointer_lba == start


@pytest.mark.destructive
def test_close_an_empty_open_zone_empties_it(scsi_channel, zone):
    """ZBC-2 4.4.3.4.x: CLOSE ZONE of an explicitly open zone whose write pointer is at
    its start makes it empty, not closed."""
    scsi_channel.cmd.OpenZone(zone_id=zone.zone_start_lba)
    scsi_channel.cmd.CloseZone(zone_id=zone.zone_start_lba)
    assert _zone(scsi_channel, zone.zone_start_lba).zone_condition == EMPTY


def test_zone_id_not_at_a_zone_start(scsi_channel, zone, scsi_expect):
    """ZBC-2 5.x (zone commands): a ZONE ID that is not the first LBA of a zone: ILLEGAL
    REQUEST, INVALID FIELD IN CDB."""
    with scsi_expect(errors.IllegalRequest, asc=0x24, ascq=0x00):
        scsi_channel.cmd.ResetWritePointer(zone_id=zone.zone_start_lba + 1)
