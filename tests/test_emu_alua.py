"""Explicit ALUA on the emulated disk (``alua="explicit"``): exact bytes of INQUIRY, REPORT
and SET TARGET PORT GROUPS, and the sense of commands the standby and unavailable states
refuse (SPC-5 5.16.2.4.4, 5.16.2.4.5, 6.36, 6.44)."""
from __future__ import annotations

import pytest

from sgframe.emu import EmulatedDisk, Reply
from sgframe.emu.uri import parse_emu_uri
from sgframe.errors import UsageError

from test_emu_core import fixed

H = bytes.fromhex
RTPG = H("a3 0a 00 00 00 00 00 00 01 00 00 00")
READ16 = H("88 00 0000000000000000 00000001 00 00")
TUR = H("00 00 00 00 00 00")


def ok(reply: Reply) -> bytes:
    assert (reply.status, reply.sense) == (0, b""), reply
    return reply.data


def check(reply: Reply, sense: bytes) -> None:
    assert (reply.status, reply.sense) == (2, sense), reply


def stpg(disk: EmulatedDisk, descriptors: bytes, nexus: int = 0) -> Reply:
    data = bytes(4) + descriptors
    cdb = H("a4 0a 00 00 00 00") + len(data).to_bytes(4, "big") + H("00 00")
    return disk.respond(cdb, data, nexus=nexus)


@pytest.fixture
def disk() -> EmulatedDisk:
    return EmulatedDisk(blocks=1024, alua="explicit")


def test_tpgs_is_11b_with_explicit_alua(disk):
    assert ok(disk.respond(H("12 00 00 00 24 00"), None, 36))[5] == 0x30
    assert ok(EmulatedDisk(blocks=8).respond(H("12 00 00 00 24 00"), None, 36))[5] == 0x10


def test_report_lists_the_group_active_optimized_with_its_supported_states(disk):
    # length 12; state 0h; U_SUP S_SUP AN_SUP AO_SUP; group 1; status 00h; 1 port: port 1
    assert ok(disk.respond(RTPG, None, 256)) == H("0000000c 00 0f 0001 00 00 00 01 0000 0001")


def test_implicit_alua_reports_only_active_optimized_and_has_no_set():
    disk = EmulatedDisk(blocks=8)
    assert ok(disk.respond(RTPG, None, 256)) == H("0000000c 00 01 0001 00 00 00 01 0000 0001")
    check(stpg(disk, H("02 00 0001")), fixed(0x5, 0x20, 0x00))


def test_standby_is_reported_through_every_nexus_and_others_get_a_unit_attention(disk):
    ok(disk.respond(TUR, nexus=1))  # nexus 1 known before the change
    assert ok(stpg(disk, H("02 00 0001"))) == b""
    expected = H("0000000c 02 0f 0001 00 01 00 01 0000 0001")  # status 01h: set by STPG
    assert ok(disk.respond(RTPG, None, 256)) == expected
    check(disk.respond(TUR, nexus=1), fixed(0x6, 0x2A, 0x06))  # ASYMMETRIC ACCESS STATE CHANGED
    assert ok(disk.respond(RTPG, None, 256, nexus=1)) == expected


def test_standby_refuses_media_access_with_04h_0bh(disk):
    ok(stpg(disk, H("02 00 0001")))
    check(disk.respond(READ16, None, 512), fixed(0x2, 0x04, 0x0B))
    check(disk.respond(TUR), fixed(0x2, 0x04, 0x0B))
    check(disk.respond(H("25 00 00000000 00 00 00 00"), None, 8), fixed(0x2, 0x04, 0x0B))
    assert len(ok(disk.respond(H("12 00 00 00 24 00"), None, 36))) == 36
    assert len(ok(disk.respond(H("1a 00 3f 00 ff 00"), None, 255))) > 4  # MODE SENSE allowed
    ok(stpg(disk, H("00 00 0001")))
    assert len(ok(disk.respond(READ16, None, 512))) == 512
    # back to active/optimized, still "altered by SET TARGET PORT GROUPS" (status 01h)
    assert ok(disk.respond(RTPG, None, 256)) == H("0000000c 00 0f 0001 00 01 00 01 0000 0001")


def test_unavailable_refuses_more_with_04h_0ch(disk):
    ok(stpg(disk, H("03 00 0001")))
    check(disk.respond(READ16, None, 512), fixed(0x2, 0x04, 0x0C))
    check(disk.respond(H("1a 00 3f 00 ff 00"), None, 255), fixed(0x2, 0x04, 0x0C))
    assert len(ok(disk.respond(H("a0 00 00 00 00 00 00 00 01 00 00 00"), None, 256))) == 16  # REPORT LUNS
    assert ok(disk.respond(RTPG, None, 256))[4] == 0x03


def test_active_non_optimized_allows_media_access(disk):
    ok(stpg(disk, H("01 00 0001")))
    assert len(ok(disk.respond(READ16, None, 512))) == 512


@pytest.mark.parametrize("descriptors, byte", [
    (H("0e 00 0001"), 4),       # offline cannot be set
    (H("0f 00 0001"), 4),       # transitioning cannot be set
    (H("02 00 0001 05 00 0001"), 8),  # the second descriptor's state is reserved
])
def test_a_state_that_cannot_be_set_changes_nothing(disk, descriptors, byte):
    check(stpg(disk, descriptors), fixed(0x5, 0x26, 0x00, bytes((0x8B,)) + byte.to_bytes(2, "big")))
    assert ok(disk.respond(RTPG, None, 256))[4] == 0x00


def test_unknown_group_is_an_invalid_parameter(disk):
    check(stpg(disk, H("02 00 0002")), fixed(0x5, 0x26, 0x00, H("80 0006")))


def test_parameter_list_not_whole_descriptors(disk):
    cdb = H("a4 0a 00 00 00 00 00000006 00 00")
    check(disk.respond(cdb, bytes(6)), fixed(0x5, 0x1A, 0x00))


def test_uri_takes_alua_and_names_the_allowed_values():
    assert parse_emu_uri("emu:disk?alua=explicit") == ("disk", {"alua": "explicit"})
    with pytest.raises(UsageError, match="implicit, explicit"):
        parse_emu_uri("emu:disk?alua=yes")
    with pytest.raises(UsageError, match="alua='both'"):
        EmulatedDisk(alua="both")
