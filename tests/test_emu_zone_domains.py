"""emu:zoned with zone domains (ZBC-2 4.6): two domains, conventional and sequential write
required, over realms; REPORT ZONE DOMAINS, REPORT REALMS, ZONE QUERY and ZONE ACTIVATE
byte for byte and decoded, inactive zones refused, and the errors of bad fields."""
from __future__ import annotations

import pytest

from sgframe import Channel
from sgframe.decode import decode_report_zones
from sgframe.decode.zone_domains import (
    decode_report_realms, decode_report_zone_domains, decode_zone_activation_results,
)
from sgframe.emu import EmulatedDisk, Reply
from sgframe.errors import UsageError

from test_emu_core import fixed
from test_emu_spc import invalid_cdb, ok

H = bytes.fromhex
INACTIVE = fixed(0x5, 0x2C, 0x12)


@pytest.fixture
def disk() -> EmulatedDisk:
    # 8 zones of 64 blocks: domain 0 is zones 0-3 (conventional), domain 1 zones 4-7.
    return EmulatedDisk(blocks=8 * 64, zoned=True, zone_size=64, zone_domains=True)


def _in(disk: EmulatedDisk, sa: int, lba: int = 0, length: int = 4096, byte14: int = 0) -> Reply:
    return disk.respond(bytes((0x95, sa)) + lba.to_bytes(8, "big") + length.to_bytes(4, "big") + bytes((byte14, 0)),
                        None, length)


def _activation(disk: EmulatedDisk, sa: int, zone_id: int = 0, zones: int = 0, domain: int = 0,
                all_: bool = False, length: int = 4096) -> Reply:
    cdb = (bytes((0x95, sa | (0x80 if all_ else 0))) + zone_id.to_bytes(8, "big") + zones.to_bytes(2, "big")
           + length.to_bytes(2, "big") + bytes((domain, 0)))
    return disk.respond(cdb, None, length)


def _conditions(disk: EmulatedDisk):
    data = ok(disk.respond(H("95 00 0000000000000000 00001000 00 00"), None, 4096))
    return [(z.zone_type, z.zone_condition) for z in decode_report_zones(data).zone_descriptors]


def test_report_zone_domains_bytes(disk: EmulatedDisk) -> None:
    data = ok(_in(disk, 0x07))
    assert data[:64] == H("000000c0 000000c0 02 02 00") + bytes(53)
    assert data[64:104] == H("00") + bytes(15) + H("0000000000000004 0000000000000000 00000000000000ff")
    assert data[104:107] == H("01 00 00")
    decoded = decode_report_zone_domains(data)
    assert [(d.zone_domain_id, d.zone_domain_zone_type_name, d.starting_lba, d.ending_lba, d.zone_count)
            for d in decoded.zone_domain_descriptors] == [
        (0, "conventional", 0, 255, 4), (1, "sequential write required", 256, 511, 4)]
    # From a locator in domain 1, and cut by the allocation length: the next locator.
    assert decode_report_zone_domains(ok(_in(disk, 0x07, lba=300))).number_of_zone_domains_reported == 1
    cut = decode_report_zone_domains(ok(_in(disk, 0x07, length=160)))
    assert (cut.zone_domains_list_length, cut.zone_domains_returned_list_length, cut.zone_domain_locator) == (192, 96, 256)


def test_report_realms_pairs_a_zone_of_each_domain(disk: EmulatedDisk) -> None:
    data = ok(_in(disk, 0x06))
    assert data[:20] == H("00000000 00000004 00000030 0000000000000000")
    assert data[64:112] == H("00000000 0000 00 01 0000000000000000"
                             "0000000000000000 000000000000003f 0000000000000100 000000000000013f")
    decoded = decode_report_realms(data)
    assert [(r.realm_id, r.active_zone_domain_id) for r in decoded.realm_descriptors] == [(n, 1) for n in range(4)]
    # A locator in domain 1 names realm 2; room for one descriptor: the next is realm 3.
    cut = decode_report_realms(ok(_in(disk, 0x06, lba=0x180, length=64 + 48)))
    assert ([r.realm_id for r in cut.realm_descriptors], cut.realms_count, cut.next_realm_locator) == ([2], 2, 0xC0)


def test_zones_start_sequential_with_the_conventional_half_inactive(disk: EmulatedDisk) -> None:
    assert _conditions(disk) == [(1, 5)] * 4 + [(2, 1)] * 4
    assert disk.respond(H("28 00 00000010 00 0001 00"), None, 512).sense == INACTIVE
    assert disk.respond(H("2a 00 00000010 00 0001 00"), bytes(512)).sense == INACTIVE
    # Reporting option 08h: the inactive zones only.
    data = ok(disk.respond(H("95 00 0000000000000000 00001000 08 00"), None, 4096))
    assert [z.zone_start_lba for z in decode_report_zones(data).zone_descriptors] == [0, 64, 128, 192]


def test_zone_query_changes_nothing(disk: EmulatedDisk) -> None:
    data = ok(_activation(disk, 0x09, zone_id=64, zones=2, domain=0))
    assert data[:32] == H("00000040 00000040 00 00 00 00") + bytes(20)
    # Realms 1-2 would be conventional (type 1, condition 0h) and their zones 5-6 inactive.
    assert data[64:128] == H("01 00 00 00 00000000 0000000000000002 0000000000000040 0000000000000000"
                             "02 50 01 00 00000000 0000000000000002 0000000000000140 0000000000000000")
    assert _conditions(disk) == [(1, 5)] * 4 + [(2, 1)] * 4


def test_zone_activate_switches_realms_and_their_data(disk: EmulatedDisk) -> None:
    results = decode_zone_activation_results(ok(_activation(disk, 0x08, zone_id=64, zones=2, domain=0)))
    assert (results.activated, results.unmet_prerequisites) == (True, 0)
    assert _conditions(disk) == [(1, 5), (1, 0), (1, 0), (1, 5), (2, 1), (2, 5), (2, 5), (2, 1)]
    ok(disk.respond(H("2a 00 00000050 00 0001 00"), b"D" * 512))  # anywhere in a conventional zone
    assert disk.respond(H("8a 00 0000000000000140 00000001 00 00"), bytes(512)).sense == INACTIVE
    assert disk.respond(H("94 04 0000000000000140 0000 0000 00 00")).sense == INACTIVE
    ok(disk.respond(H("94 04 0000000000000000 0000 0000 01 00")))  # RESET ALL passes inactive zones by
    # Back to sequential: the conventional data is gone, the zone starts empty.
    ok(_activation(disk, 0x08, zone_id=0x140, zones=1, domain=1))
    assert _conditions(disk)[1] == (1, 5) and _conditions(disk)[5] == (2, 1)
    ok(_activation(disk, 0x08, zone_id=64, zones=1, domain=0))
    assert ok(disk.respond(H("28 00 00000050 00 0001 00"), None, 512)) == bytes(512)


def test_zone_activate_with_unmet_prerequisites_changes_nothing(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("8a 00 0000000000000140 00000001 00 00"), bytes(512)))  # zone 5 not empty
    data = ok(_activation(disk, 0x08, zone_id=0, zones=2, domain=0))
    assert data[:32] == H("00000000 00000000 40 02 00 00 00000000 00000000 00000000 0000000000000140")
    assert decode_zone_activation_results(data).unmet_prerequisite_names == ("not empty",)
    # Realm 0 is already sequential: "not inactive", naming zone 4.
    data = ok(_activation(disk, 0x08, zone_id=0x100, zones=1, domain=1))
    assert (data[8], data[9], data[24:32]) == (0x40, 0x01, (0x100).to_bytes(8, "big"))
    assert _conditions(disk) == [(1, 5)] * 4 + [(2, 1), (2, 2), (2, 1), (2, 1)]


def test_zone_activate_all(disk: EmulatedDisk) -> None:
    data = ok(_activation(disk, 0x08, domain=0, all_=True))
    results = decode_zone_activation_results(data)
    assert (results.nz_valid, results.number_of_zones, results.all, results.activated) == (True, 4, True, True)
    assert _conditions(disk) == [(1, 0)] * 4 + [(2, 5)] * 4
    # Nothing left to move to domain 0: zero zones, still activated.
    assert decode_zone_activation_results(ok(_activation(disk, 0x08, domain=0, all_=True))).number_of_zones == 0


def test_zone_domain_field_errors(disk: EmulatedDisk) -> None:
    assert _activation(disk, 0x08, domain=2).sense == invalid_cdb(14)  # no zone domain 2
    assert _activation(disk, 0x08, zone_id=0x100, domain=0).sense == invalid_cdb(2)  # a zone of the other domain
    assert _activation(disk, 0x08, zone_id=65, domain=0).sense == invalid_cdb(2)  # not a zone start
    assert _activation(disk, 0x09, zone_id=0xC0, zones=2, domain=0).sense == invalid_cdb(10)  # past the domain
    assert _in(disk, 0x07, byte14=0x01).sense == invalid_cdb(14, 5)
    assert _in(disk, 0x06, lba=512).sense == fixed(0x5, 0x21, 0x00)
    assert _in(disk, 0x07, byte14=0x40).sense == invalid_cdb(14, 6)  # reserved bit
    assert _activation(disk, 0x09, length=0).data == b""
    with pytest.raises(UsageError, match="zone_domains is only meaningful"):
        EmulatedDisk(blocks=64, zone_domains=True)
    with pytest.raises(UsageError, match="even number"):
        EmulatedDisk(blocks=3 * 64, zoned=True, zone_size=64, zone_domains=True)
    with pytest.raises(UsageError, match="conventional_zones"):
        EmulatedDisk(blocks=4 * 64, zoned=True, zone_size=64, conventional_zones=1, zone_domains=True)


def test_a_zoned_disk_without_domains_refuses_the_commands() -> None:
    plain = EmulatedDisk(blocks=8 * 64, zoned=True, zone_size=64)
    for sa in (0x06, 0x07, 0x08, 0x09):
        assert _in(plain, sa).sense == invalid_cdb(1, 4)


def test_zone_domains_through_a_channel(reactor) -> None:
    with Channel.open("emu:zoned?blocks=1024&zone_size=128&zone_domains=1", reactor=reactor) as channel:
        domains = channel.cmd.ReportZoneDomains().result
        assert [d.zone_domain_zone_type_name for d in domains.zone_domain_descriptors] == [
            "conventional", "sequential write required"]
        query = channel.cmd.ZoneQuery(zone_id=0, number_of_zones=1, other_zone_domain_id=0).result
        assert (query.activated, len(query.zone_activation_descriptors)) == (False, 2)
        done = channel.cmd.ZoneActivate(zone_id=0, number_of_zones=1, other_zone_domain_id=0).result
        assert done.activated
        realms = channel.cmd.ReportRealms().result
        assert [r.active_zone_domain_id for r in realms.realm_descriptors] == [0, 1, 1, 1]
        listed = channel.cmd.ReportSupportedOperationCodes(
            reporting_options=3, requested_operation_code=0x95, requested_service_action=0x08).result
        assert listed.cdb_usage_data == H("95 88 ff ff ff ff ff ff ff ff ff ff ff ff ff 00")
