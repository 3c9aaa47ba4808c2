"""Protection information on the emulated disk (``protection=1|2|3``): exact bytes of
READ CAPACITY(16), INQUIRY and VPD 86h, PI stored and returned beside the data, and the
exact sense of every check (SBC-4 4.22, Tables 70 and 105)."""
from __future__ import annotations

import pytest

from sgframe.emu import EmulatedDisk, Reply
from sgframe.emu.protection import crc16_t10dif
from sgframe.emu.uri import parse_emu_uri
from sgframe.errors import UsageError

from test_emu_core import fixed

H = bytes.fromhex
BS = 512
LBA = 100


def ok(reply: Reply) -> bytes:
    assert (reply.status, reply.sense) == (0, b""), reply
    return reply.data


def check(reply: Reply, sense: bytes) -> None:
    assert (reply.status, reply.sense) == (2, sense), reply


def aborted(ascq: int, lba: int = LBA) -> bytes:
    return fixed(0xB, 0x10, ascq, info=lba)


def write16(lba: int, count: int, protect: int) -> bytes:
    return bytes((0x8A, protect << 5)) + lba.to_bytes(8, "big") + count.to_bytes(4, "big") + bytes(2)


def read16(lba: int, count: int, protect: int) -> bytes:
    return bytes((0x88, protect << 5)) + lba.to_bytes(8, "big") + count.to_bytes(4, "big") + bytes(2)


def cdb32(service_action: int, lba: int, count: int, protect: int, reference: int,
          app: int = 0, mask: int = 0) -> bytes:
    return (H("7f 00 00 00 00 00 00 18") + service_action.to_bytes(2, "big") + bytes((protect << 5, 0))
            + lba.to_bytes(8, "big") + reference.to_bytes(4, "big") + app.to_bytes(2, "big")
            + mask.to_bytes(2, "big") + count.to_bytes(4, "big"))


def block(n: int) -> bytes:
    return bytes((n + i) & 0xFF for i in range(BS))


def pi(data: bytes, reference: int, app: int = 0x1234, guard_xor: int = 0) -> bytes:
    return ((crc16_t10dif(data) ^ guard_xor).to_bytes(2, "big") + app.to_bytes(2, "big")
            + reference.to_bytes(4, "big"))


def disk(p_type: int) -> EmulatedDisk:
    return EmulatedDisk(blocks=1024, protection=p_type)


def test_crc16_t10dif_known_vectors():
    # SBC-4 4.22.4.2, Table 17
    assert crc16_t10dif(bytes(32)) == 0x0000
    assert crc16_t10dif(b"\xff" * 32) == 0xA293
    assert crc16_t10dif(bytes(range(32))) == 0x0224


@pytest.mark.parametrize("p_type, byte12, spt_checks", [(1, 0x01, 0x07), (2, 0x03, 0x17), (3, 0x05, 0x26)])
def test_capacity_inquiry_and_extended_inquiry(p_type, byte12, spt_checks):
    d = disk(p_type)
    rc16 = ok(d.respond(H("9e 10 0000000000000000 00000020 00 00"), None, 32))
    assert rc16[:13] == H("00000000000003ff 00000200") + bytes((byte12,))
    assert ok(d.respond(H("12 00 00 00 24 00"), None, 36))[5] == 0x11  # TPGS 01b, PROTECT
    assert ok(d.respond(H("12 01 86 00 40 00"), None, 64))[4] == spt_checks


def test_no_protection_leaves_the_fields_clear():
    d = EmulatedDisk(blocks=1024)
    assert ok(d.respond(H("9e 10 0000000000000000 00000020 00 00"), None, 32))[12] == 0x00
    assert ok(d.respond(H("12 00 00 00 24 00"), None, 36))[5] == 0x10
    check(d.respond(read16(0, 1, 1), None, BS + 8), fixed(0x5, 0x24, 0x00, H("cf 0001")))


def test_written_protection_information_reads_back():
    d = disk(1)
    sent = block(1) + pi(block(1), LBA) + block(2) + pi(block(2), LBA + 1)
    ok(d.respond(write16(LBA, 2, 1), sent))
    assert ok(d.respond(read16(LBA, 2, 1), None, 2 * (BS + 8))) == sent
    assert ok(d.respond(read16(LBA, 2, 0), None, 2 * BS)) == block(1) + block(2)


def test_unwritten_blocks_have_all_ff_protection_information():
    assert ok(disk(1).respond(read16(LBA, 1, 1), None, BS + 8)) == bytes(BS) + b"\xff" * 8


def test_a_plain_write_gets_generated_protection_information_and_drops_the_old():
    d = disk(1)
    ok(d.respond(write16(LBA, 1, 1), block(1) + pi(block(1), LBA)))
    ok(d.respond(write16(LBA, 1, 0), block(7)))
    expected = crc16_t10dif(block(7)).to_bytes(2, "big") + H("0000") + LBA.to_bytes(4, "big")
    assert ok(d.respond(read16(LBA, 1, 1), None, BS + 8)) == block(7) + expected


def test_unmap_leaves_all_ff_protection_information():
    d = disk(1)
    ok(d.respond(write16(LBA, 1, 1), block(1) + pi(block(1), LBA)))
    ok(d.respond(H("42 00 00 00 00 00 00 00 18 00"), H("0016 0010 00000000") + (LBA).to_bytes(8, "big") + H("00000001 00000000")))
    assert ok(d.respond(read16(LBA, 1, 1), None, BS + 8)) == bytes(BS) + b"\xff" * 8


@pytest.mark.parametrize("protect, guard_xor, reference, sense", [
    (1, 0xFFFF, LBA, aborted(0x01)),      # guard checked
    (1, 0, LBA + 1, aborted(0x03)),       # reference tag checked
    (2, 0xFFFF, LBA, None),               # 010b: no guard check
    (2, 0, LBA + 1, aborted(0x03)),
    (3, 0xFFFF, LBA + 1, None),           # 011b: nothing checked
    (4, 0xFFFF, LBA, aborted(0x01)),      # 100b: the guard only
    (4, 0, LBA + 1, None),
])
def test_wrprotect_checks_of_type_1(protect, guard_xor, reference, sense):
    d = disk(1)
    reply = d.respond(write16(LBA, 1, protect), block(3) + pi(block(3), reference, guard_xor=guard_xor))
    if sense is None:
        ok(reply)
        assert ok(d.respond(read16(LBA, 1, 3), None, BS + 8)) == block(3) + pi(block(3), reference, guard_xor=guard_xor)
    else:
        check(reply, sense)
        assert ok(d.respond(read16(LBA, 1, 0), None, BS)) == bytes(BS)  # nothing stored


def test_failure_names_the_first_bad_block_and_stores_none():
    d = disk(1)
    sent = block(1) + pi(block(1), LBA) + block(2) + pi(block(2), LBA + 1, guard_xor=1)
    check(d.respond(write16(LBA, 2, 1), sent), aborted(0x01, LBA + 1))
    assert ok(d.respond(read16(LBA, 2, 0), None, 2 * BS)) == bytes(2 * BS)


def test_application_tag_ffff_disables_the_checks():
    d = disk(1)
    ok(d.respond(write16(LBA, 1, 1), block(3) + pi(block(3), 0xDEAD, app=0xFFFF, guard_xor=0x55)))


def test_a_bad_stored_guard_fails_the_read():
    d = disk(1)
    ok(d.respond(write16(LBA, 1, 3), block(3) + pi(block(3), LBA, guard_xor=0x55)))  # 011b stores unchecked
    check(d.respond(read16(LBA, 1, 1), None, BS + 8), aborted(0x01))
    check(d.respond(read16(LBA, 1, 0), None, BS), aborted(0x01))  # 000b checks too
    assert len(ok(d.respond(read16(LBA, 1, 3), None, BS + 8))) == BS + 8  # 011b: no check


def test_reserved_protect_values_are_invalid_fields():
    check(disk(1).respond(read16(LBA, 1, 5), None, BS + 8), fixed(0x5, 0x24, 0x00, H("cf 0001")))


@pytest.mark.parametrize("opcode", ["28", "a8", "88"])
def test_type2_rejects_rdprotect_in_short_cdbs(opcode):
    cdb = {"28": H("28 20 00000064 00 0001 00"), "a8": H("a8 20 00000064 00000001 00 00"),
           "88": read16(LBA, 1, 1)}[opcode]
    check(disk(2).respond(cdb, None, BS + 8), fixed(0x5, 0x20, 0x00))


def test_type2_plain_short_cdbs_still_work():
    d = disk(2)
    ok(d.respond(write16(LBA, 1, 0), block(4)))
    assert ok(d.respond(read16(LBA, 1, 0), None, BS)) == block(4)


def test_type2_reference_tags_follow_the_expected_initial_tag():
    d, initial = disk(2), 0x5A000000
    sent = block(1) + pi(block(1), initial) + block(2) + pi(block(2), initial + 1)
    ok(d.respond(cdb32(0x0B, LBA, 2, 1, initial), sent))
    assert ok(d.respond(cdb32(0x09, LBA, 2, 1, initial), None, 2 * (BS + 8))) == sent
    check(d.respond(cdb32(0x09, LBA, 2, 1, initial + 9), None, 2 * (BS + 8)), aborted(0x03))
    check(d.respond(cdb32(0x0B, LBA, 1, 1, initial), block(1) + pi(block(1), initial + 7)), aborted(0x03))


def test_type2_application_tag_is_checked_under_its_mask():
    d, initial = disk(2), 0x10
    ok(d.respond(cdb32(0x0B, LBA, 1, 1, initial, app=0x1234, mask=0xFFFF), block(1) + pi(block(1), initial)))
    check(d.respond(cdb32(0x09, LBA, 1, 1, initial, app=0x1235, mask=0xFFFF), None, BS + 8), aborted(0x02))
    ok(d.respond(cdb32(0x09, LBA, 1, 1, initial, app=0x1235, mask=0xFFF0), None, BS + 8))
    check(d.respond(cdb32(0x0B, LBA, 1, 1, initial, app=0x9999, mask=0xFFFF), block(1) + pi(block(1), initial)),
          aborted(0x02))


def test_type3_does_not_check_the_reference_tag_but_the_guard():
    d = disk(3)
    ok(d.respond(write16(LBA, 1, 1), block(5) + pi(block(5), 0x00C0FFEE)))
    assert ok(d.respond(read16(LBA, 1, 1), None, BS + 8)) == block(5) + pi(block(5), 0x00C0FFEE)
    # type 3 disables checks only with both tags all ones: FFFFh alone still checks the guard
    check(d.respond(write16(LBA, 1, 1), block(5) + pi(block(5), 0x1, app=0xFFFF, guard_xor=1)), aborted(0x01))
    ok(d.respond(write16(LBA, 1, 1), block(5) + pi(block(5), 0xFFFFFFFF, app=0xFFFF, guard_xor=1)))


def test_bad_values_name_what_is_allowed():
    with pytest.raises(UsageError, match="protection"):
        EmulatedDisk(protection=4)
    with pytest.raises(UsageError, match="zoned"):
        EmulatedDisk(blocks=4096, zoned=True, zone_size=1024, protection=1)
    assert parse_emu_uri("emu:disk?protection=2") == ("disk", {"protection": 2})
