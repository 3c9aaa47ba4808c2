"""SBC-4 commands of the emulated disk: data path, capacity, provisioning, errors."""
from __future__ import annotations

import pytest

from sgframe.emu import EmulatedDisk, Reply

from test_emu_core import fixed
from test_emu_spc import invalid_cdb, invalid_param, ok

H = bytes.fromhex
LBA_OUT_OF_RANGE = fixed(0x5, 0x21, 0x00)


@pytest.fixture
def disk() -> EmulatedDisk:
    return EmulatedDisk(blocks=1024, serial="EMU-TEST-1")


def block(char: bytes, size: int = 512) -> bytes:
    return char * size


def read32(lba: int, count: int, byte10: int = 0) -> bytes:
    return (
        H("7f 00 00 00 00 00 00 18 0009")
        + bytes((byte10, 0))
        + lba.to_bytes(8, "big")
        + bytes(8)
        + count.to_bytes(4, "big")
    )


def write32(lba: int, count: int, byte10: int = 0) -> bytes:
    cdb = bytearray(read32(lba, count, byte10))
    cdb[9] = 0x0B
    return bytes(cdb)


# --------------------------------------------------------- write and read back


@pytest.mark.parametrize(
    "write, read",
    [
        (H("0a 00 00 05 02 00"), H("08 00 00 05 02 00")),
        (H("2a 00 00000005 00 0002 00"), H("28 00 00000005 00 0002 00")),
        (H("aa 00 00000005 00000002 00 00"), H("a8 00 00000005 00000002 00 00")),
        (H("8a 00 0000000000000005 00000002 00 00"), H("88 00 0000000000000005 00000002 00 00")),
        (write32(5, 2), read32(5, 2)),
    ],
    ids=["6", "10", "12", "16", "32"],
)
def test_write_then_read_back(disk: EmulatedDisk, write: bytes, read: bytes) -> None:
    data = block(b"A") + block(b"B")
    assert disk.respond(write, data) == Reply(0)
    assert disk.respond(read, None, 1024) == Reply(0, data)
    # The neighbours were not touched.
    assert ok(disk.respond(H("28 00 00000004 00 0004 00"), None, 2048)) == bytes(512) + data + bytes(512)


def test_unwritten_blocks_read_as_zeros(disk: EmulatedDisk) -> None:
    assert ok(disk.respond(H("28 00 00000000 00 0003 00"), None, 1536)) == bytes(1536)


def test_read6_transfer_length_zero_means_256(disk: EmulatedDisk) -> None:
    assert len(ok(disk.respond(H("08 00 00 00 00 00"), None, 256 * 512))) == 256 * 512


def test_transfer_length_zero_transfers_nothing(disk: EmulatedDisk) -> None:
    assert disk.respond(H("28 00 00000000 00 0000 00"), None, 512) == Reply(0)
    assert disk.respond(H("2a 00 00000000 00 0000 00"), b"") == Reply(0)


def test_fua_dpo_accepted(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("2a 18 00000000 00 0001 00"), block(b"x")))
    assert ok(disk.respond(H("28 1c 00000000 05 0001 00"), None, 512)) == block(b"x")


def test_lba_out_of_range(disk: EmulatedDisk) -> None:
    assert disk.respond(H("28 00 000003ff 00 0002 00"), None, 1024) == Reply(2, b"", LBA_OUT_OF_RANGE)
    assert disk.respond(H("88 00 0000000000000400 00000001 00 00"), None, 512).sense == LBA_OUT_OF_RANGE
    assert disk.respond(H("2a 00 00000400 00 0001 00"), block(b"x")).sense == LBA_OUT_OF_RANGE
    assert ok(disk.respond(H("28 00 000003ff 00 0001 00"), None, 512)) == bytes(512)


def test_transfer_longer_than_maximum() -> None:
    disk = EmulatedDisk(blocks=1024, max_transfer_length=8)
    assert disk.respond(H("28 00 00000000 00 0009 00"), None, 9 * 512).sense == invalid_cdb(7)
    assert disk.respond(H("88 00 0000000000000000 00000009 00 00"), None, 9 * 512).sense == invalid_cdb(10)


@pytest.mark.parametrize(
    "cdb, byte",
    [
        (H("28 20 00000000 00 0001 00"), 1),
        (H("2a 40 00000000 00 0001 00"), 1),
        (H("88 e0 0000000000000000 00000001 00 00"), 1),
        (read32(0, 1, 0x20), 10),
        (write32(0, 1, 0x60), 10),
        (H("2f 20 00000000 00 0001 00"), 1),
    ],
)
def test_protection_fields_rejected_without_protection(disk: EmulatedDisk, cdb: bytes, byte: int) -> None:
    assert disk.respond(cdb, block(b"x"), 512).sense == invalid_cdb(byte, 7)


# ------------------------------------------------------------------- medium errors


def test_medium_error_reports_first_bad_lba_and_good_blocks(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("2a 00 00000008 00 0002 00"), block(b"g") + block(b"h")))
    disk.inject_medium_error(10, 4)
    reply = disk.respond(H("28 00 00000008 00 0008 00"), None, 4096)
    assert reply == Reply(2, block(b"g") + block(b"h"), fixed(0x3, 0x11, 0x00, info=10))
    # Blocks before the bad range still read.
    assert ok(disk.respond(H("28 00 00000008 00 0002 00"), None, 1024)) == block(b"g") + block(b"h")
    # A read starting inside the range fails at its own first LBA.
    assert disk.respond(H("28 00 0000000c 00 0004 00"), None, 2048).sense == fixed(0x3, 0x11, 0x00, info=12)


def test_medium_error_in_descriptor_sense() -> None:
    disk = EmulatedDisk(blocks=2**40, dsense=True)
    disk.inject_medium_error(2**33, 1)
    reply = disk.respond(H("88 00 0000000200000000 00000001 00 00"), None, 512)
    assert reply.sense == H("72 03 11 00 000000 0c 00 0a 80 00 0000000200000000")


def test_write_heals_a_medium_error(disk: EmulatedDisk) -> None:
    disk.inject_medium_error(10, 3)
    ok(disk.respond(H("2a 00 0000000b 00 0001 00"), block(b"z")))
    assert disk.bad_ranges == [(10, 11), (12, 13)]
    assert disk.respond(H("28 00 0000000b 00 0001 00"), None, 512) == Reply(0, block(b"z"))


def test_verify_reports_medium_errors(disk: EmulatedDisk) -> None:
    disk.inject_medium_error(3, 1)
    assert disk.respond(H("2f 00 00000000 00 0008 00")) == Reply(2, b"", fixed(0x3, 0x11, 0x00, info=3))


def test_inject_medium_error_bad_arguments(disk: EmulatedDisk) -> None:
    from sgframe.errors import UsageError

    with pytest.raises(UsageError):
        disk.inject_medium_error(1024, 1)
    with pytest.raises(UsageError):
        disk.inject_medium_error(1020, 5)


# --------------------------------------------------------------------------- verify


def test_verify_bytchk_compare(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("2a 00 00000000 00 0002 00"), block(b"a") + block(b"b")))
    assert disk.respond(H("2f 02 00000000 00 0002 00"), block(b"a") + block(b"b")) == Reply(0)
    changed = block(b"a") + block(b"b")[:100] + b"X" + block(b"b")[101:]
    assert disk.respond(H("8f 02 0000000000000000 00000002 00 00"), changed) == Reply(
        2, b"", fixed(0xE, 0x1D, 0x00, info=612)
    )


def test_verify_bytchk_single_block(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("2a 00 00000000 00 0002 00"), block(b"a") * 2))
    assert disk.respond(H("2f 06 00000000 00 0002 00"), block(b"a")) == Reply(0)
    assert disk.respond(H("2f 06 00000000 00 0003 00"), block(b"a")).sense == fixed(0xE, 0x1D, 0x00, info=1024)
    assert disk.respond(H("2f 04 00000000 00 0001 00"), block(b"a")).sense == invalid_cdb(1, 2)


def test_write_and_verify(disk: EmulatedDisk) -> None:
    assert disk.respond(H("2e 02 00000001 00 0001 00"), block(b"w")) == Reply(0)
    assert disk.respond(H("8e 00 0000000000000002 00000001 00 00"), block(b"v")) == Reply(0)
    assert ok(disk.respond(H("28 00 00000001 00 0002 00"), None, 1024)) == block(b"w") + block(b"v")
    assert disk.respond(H("2e 04 00000001 00 0001 00"), block(b"w")).sense == invalid_cdb(1, 2)


# ------------------------------------------------------------------ provisioning


def lba_status(disk: EmulatedDisk, lba: int = 0, allocation: int = 4096, report_type: int = 0) -> bytes:
    cdb = H("9e 12") + lba.to_bytes(8, "big") + allocation.to_bytes(4, "big") + bytes((report_type, 0))
    return ok(disk.respond(cdb, None, allocation))


def test_get_lba_status_fresh_disk_is_deallocated(disk: EmulatedDisk) -> None:
    assert lba_status(disk) == H("00000014 00000000 0000000000000000 00000400 01 000000")


def test_get_lba_status_after_write_and_unmap(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("2a 00 00000010 00 0008 00"), block(b"d") * 8))
    parameters = H("0018 0010 00000000 0000000000000012 00000002 00000000")
    assert disk.respond(H("42 00 00 00 00 00 00 0018 00"), parameters) == Reply(0)
    assert lba_status(disk) == H(
        "00000054 00000000"
        "0000000000000000 00000010 01 000000"
        "0000000000000010 00000002 00 000000"
        "0000000000000012 00000002 01 000000"
        "0000000000000014 00000004 00 000000"
        "0000000000000018 000003e8 01 000000"
    )
    assert ok(disk.respond(H("28 00 00000012 00 0001 00"), None, 512)) == bytes(512)
    # Report types: only mapped, from LBA 17.
    assert lba_status(disk, 17, report_type=2) == H(
        "00000024 00000000 0000000000000011 00000001 00 000000 0000000000000014 00000004 00 000000"
    )


def test_get_lba_status_allocation_limits_descriptors(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("2a 00 00000010 00 0001 00"), block(b"d")))
    assert lba_status(disk, 0, allocation=24) == H("00000014 00000000 0000000000000000 00000010 01 000000")


def test_get_lba_status_out_of_range(disk: EmulatedDisk) -> None:
    cdb = H("9e 12 0000000000000400 00001000 00 00")
    assert disk.respond(cdb, None, 4096).sense == LBA_OUT_OF_RANGE


def test_unmap_errors(disk: EmulatedDisk) -> None:
    assert disk.respond(H("42 00 00 00 00 00 00 0004 00"), bytes(4)).sense == fixed(0x5, 0x1A, 0x00)
    beyond = H("0018 0010 00000000 00000000000003ff 00000002 00000000")
    assert disk.respond(H("42 00 00 00 00 00 00 0018 00"), beyond).sense == LBA_OUT_OF_RANGE
    assert disk.respond(H("42 01 00 00 00 00 00 0000 00")).sense == invalid_cdb(1, 0)
    assert disk.respond(H("42 00 00 00 00 00 00 0000 00")) == Reply(0)


def test_unmap_zero_blocks_at_the_capacity_is_not_an_error(disk: EmulatedDisk) -> None:
    # SBC-4 5.30.2: a descriptor with NUMBER OF LOGICAL BLOCKS zero unmaps nothing and is not
    # an error; LBA 1024 + 0 blocks does not exceed the capacity of 1024 blocks (libiscsi's
    # Unmap.ZeroBlocks sends it; LIO accepts it).
    ok(disk.respond(H("2a 00 000003ff 00 0001 00"), block(b"z")))
    at_capacity = H("0018 0010 00000000 0000000000000400 00000000 00000000")
    assert disk.respond(H("42 00 00 00 00 00 00 0018 00"), at_capacity) == Reply(0)
    assert ok(disk.respond(H("28 00 000003ff 00 0001 00"), None, 512)) == block(b"z")
    zero_at_0 = H("0018 0010 00000000 0000000000000000 00000000 00000000")
    assert disk.respond(H("42 00 00 00 00 00 00 0018 00"), zero_at_0) == Reply(0)
    # One past it is beyond the capacity even with zero blocks; one block at the capacity too.
    past = H("0018 0010 00000000 0000000000000401 00000000 00000000")
    assert disk.respond(H("42 00 00 00 00 00 00 0018 00"), past).sense == LBA_OUT_OF_RANGE
    one = H("0018 0010 00000000 0000000000000400 00000001 00000000")
    assert disk.respond(H("42 00 00 00 00 00 00 0018 00"), one).sense == LBA_OUT_OF_RANGE
    # A bad descriptor after a good one unmaps nothing (the command is checked whole).
    both = H("0028 0020 00000000 00000000000003ff 00000001 00000000 0000000000000401 00000000 00000000")
    assert disk.respond(H("42 00 00 00 00 00 00 0028 00"), both).sense == LBA_OUT_OF_RANGE
    assert ok(disk.respond(H("28 00 000003ff 00 0001 00"), None, 512)) == block(b"z")


def test_unmap_too_many_blocks() -> None:
    disk = EmulatedDisk(blocks=2**32)
    too_many = H("0018 0010 00000000 0000000000000000 00400001 00000000")
    assert disk.respond(H("42 00 00 00 00 00 00 0018 00"), too_many).sense == invalid_param(16)


def test_unmap_not_supported_on_a_thick_disk() -> None:
    disk = EmulatedDisk(blocks=64, lbpu=False)
    assert disk.respond(H("42 00 00 00 00 00 00 0000 00")).sense == fixed(0x5, 0x20, 0x00)
    assert ok(disk.respond(H("9e 10 0000000000000000 00000020 00 00"), None, 32))[14] == 0x00


def test_write_same(disk: EmulatedDisk) -> None:
    assert disk.respond(H("41 00 00000004 00 0003 00"), block(b"s")) == Reply(0)
    assert ok(disk.respond(H("28 00 00000003 00 0005 00"), None, 2560)) == bytes(512) + block(b"s") * 3 + bytes(512)
    assert disk.medium.written_blocks == 3


def test_write_same_unmap_with_zeros_deallocates(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("2a 00 00000000 00 0004 00"), block(b"q") * 4))
    assert disk.respond(H("93 08 0000000000000001 00000002 00 00"), bytes(512)) == Reply(0)
    assert lba_status(disk)[8:56] == H(
        "0000000000000000 00000001 00 000000 0000000000000001 00000002 01 000000 0000000000000003 00000001 00 000000"
    )


def test_write_same_ndob(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("2a 00 00000000 00 0001 00"), block(b"q")))
    assert disk.respond(H("93 01 0000000000000000 00000001 00 00"), None) == Reply(0)
    assert ok(disk.respond(H("28 00 00000000 00 0001 00"), None, 512)) == bytes(512)


def test_write_same_errors(disk: EmulatedDisk) -> None:
    assert disk.respond(H("41 00 00000000 00 0000 00"), block(b"s")).sense == invalid_cdb(7)
    assert disk.respond(H("93 00 0000000000000000 00010001 00 00"), block(b"s")).sense == invalid_cdb(10)
    assert disk.respond(H("41 10 00000000 00 0001 00"), block(b"s")).sense == invalid_cdb(1, 4)
    assert disk.respond(H("41 00 000003ff 00 0002 00"), block(b"s")).sense == LBA_OUT_OF_RANGE
    thick = EmulatedDisk(blocks=64, lbpu=False)
    assert thick.respond(H("41 08 00000000 00 0001 00"), bytes(512)).sense == invalid_cdb(1, 3)


# ----------------------------------------------------- capacity, cache, prefetch


def test_read_capacity(disk: EmulatedDisk) -> None:
    assert ok(disk.respond(H("25 00 00000000 00 00 00 00"), None, 8)) == H("000003ff 00000200")
    assert ok(disk.respond(H("9e 10 0000000000000000 00000020 00 00"), None, 32)) == (
        H("00000000000003ff 00000200 00 00 c0 00") + bytes(16)
    )
    assert disk.respond(H("25 00 00000001 00 00 00 00"), None, 8).sense == invalid_cdb(2)
    assert ok(disk.respond(H("25 00 00000001 00 00 01 00"), None, 8)) == H("000003ff 00000200")


def test_read_capacity10_too_big() -> None:
    disk = EmulatedDisk(blocks=2**32 + 5, block_size=4096)
    assert ok(disk.respond(H("25 00 00000000 00 00 00 00"), None, 8)) == H("ffffffff 00001000")
    assert ok(disk.respond(H("9e 10 0000000000000000 0000000c 00 00"), None, 32)) == H("0000000100000004 00001000")
    exact = EmulatedDisk(blocks=2**32)
    assert ok(exact.respond(H("25 00 00000000 00 00 00 00"), None, 8)) == H("ffffffff 00000200")


def test_synchronize_cache_and_prefetch(disk: EmulatedDisk) -> None:
    assert disk.respond(H("35 00 00000000 00 0000 00")) == Reply(0)
    assert disk.respond(H("91 02 0000000000000010 00000010 00 00")) == Reply(0)
    assert disk.respond(H("35 00 00000400 00 0000 00")).sense == LBA_OUT_OF_RANGE
    assert disk.respond(H("34 00 00000000 00 0010 00")) == Reply(0x04)
    assert disk.respond(H("90 00 00000000000003f8 00000010 00 00")).sense == LBA_OUT_OF_RANGE


# ------------------------------------------------------------- compare and write


def test_compare_and_write(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("2a 00 00000007 00 0001 00"), block(b"o")))
    assert disk.respond(H("89 00 0000000000000007 000000 01 00 00"), block(b"o") + block(b"n")) == Reply(0)
    assert ok(disk.respond(H("28 00 00000007 00 0001 00"), None, 512)) == block(b"n")


def test_compare_and_write_miscompare_reports_offset(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("2a 00 00000007 00 0001 00"), block(b"o")))
    verify = block(b"o")[:40] + b"?" + block(b"o")[41:]
    reply = disk.respond(H("89 00 0000000000000007 000000 01 00 00"), verify + block(b"n"))
    assert reply == Reply(2, b"", fixed(0xE, 0x1D, 0x00, info=40))
    assert ok(disk.respond(H("28 00 00000007 00 0001 00"), None, 512)) == block(b"o")


def test_compare_and_write_errors(disk: EmulatedDisk) -> None:
    assert disk.respond(H("89 00 0000000000000000 000000 09 00 00"), bytes(9 * 1024)).sense == invalid_cdb(13)
    assert disk.respond(H("89 20 0000000000000000 000000 01 00 00"), bytes(1024)).sense == invalid_cdb(1, 7)
    assert disk.respond(H("89 00 00000000000003ff 000000 02 00 00"), bytes(2048)).sense == LBA_OUT_OF_RANGE


# ---------------------------------------------------------------- format, sanitize


def test_format_unit_erases_and_clears_errors(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("2a 00 00000000 00 0001 00"), block(b"f")))
    disk.inject_medium_error(5, 1)
    assert disk.respond(H("04 00 00 00 00 00")) == Reply(0)
    assert ok(disk.respond(H("28 00 00000000 00 0008 00"), None, 4096)) == bytes(4096)


def test_format_unit_parameter_list(disk: EmulatedDisk) -> None:
    assert disk.respond(H("04 10 00 00 00 00"), H("00 02 0000")) == Reply(0)  # IMMED
    assert disk.respond(H("04 30 00 00 00 00"), H("00 00 00 00 00000000")) == Reply(0)
    # IP: the default initialization pattern (type 00h, no bytes), SI or not, is taken;
    # another pattern type or pattern bytes are not (the medium is always wiped to zeros).
    assert disk.respond(H("04 10 00 00 00 00"), H("00 88 0000 00 00 0000")) == Reply(0)
    assert disk.respond(H("04 30 00 00 00 00"), H("00 88 00 00 00000000 20 00 0000")) == Reply(0)
    assert disk.respond(H("04 10 00 00 00 00"), H("00 88 0000 00 01 0004 ffffffff")).sense == invalid_param(4)
    assert disk.respond(H("04 10 00 00 00 00"), H("00 88 0000 40 00 0000")).sense == invalid_param(4)
    assert disk.respond(H("04 10 00 00 00 00"), H("00 00 0008")).sense == invalid_param(2)
    assert disk.respond(H("04 40 00 00 00 00")).sense == invalid_cdb(1, 7)


def test_sanitize_overwrite(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("2a 00 00000000 00 0001 00"), block(b"f")))
    assert disk.respond(H("48 01 00 00 00 00 00 0006 00"), H("01 00 0002 abcd")) == Reply(0)
    assert ok(disk.respond(H("28 00 00000000 00 0001 00"), None, 512)) == H("abcd") * 256
    assert ok(disk.respond(H("28 00 000003ff 00 0001 00"), None, 512)) == H("abcd") * 256
    assert lba_status(disk) == H("00000014 00000000 0000000000000000 00000400 00 000000")
    # Unmapping after an overwrite deallocates just those blocks.
    ok(disk.respond(H("42 00 00 00 00 00 00 0018 00"), H("0018 0010 00000000 0000000000000001 00000001 00000000")))
    assert ok(disk.respond(H("28 00 00000000 00 0002 00"), None, 1024)) == H("abcd") * 256 + bytes(512)


def test_sanitize_overwrite_invert_even_passes(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("48 01 00 00 00 00 00 0005 00"), H("82 00 0001 0f")))
    assert ok(disk.respond(H("28 00 00000000 00 0001 00"), None, 512)) == H("f0") * 512


def test_sanitize_block_and_crypto_erase(disk: EmulatedDisk) -> None:
    for action in (0x02, 0x03, 0x82):
        ok(disk.respond(H("2a 00 00000000 00 0001 00"), block(b"f")))
        assert disk.respond(bytes((0x48, action, 0, 0, 0, 0, 0, 0, 0, 0))) == Reply(0)
        assert ok(disk.respond(H("28 00 00000000 00 0001 00"), None, 512)) == bytes(512)


def test_sanitize_errors(disk: EmulatedDisk) -> None:
    assert disk.respond(H("48 04 00 00 00 00 00 0000 00")).sense == invalid_cdb(1, 4)
    assert disk.respond(H("48 02 00 00 00 00 00 0004 00"), bytes(4)).sense == invalid_cdb(7)
    assert disk.respond(H("48 01 00 00 00 00 00 0006 00"), H("00 00 0002 abcd")).sense == invalid_param(0, 4)
    assert disk.respond(H("48 01 00 00 00 00 00 0006 00"), H("21 00 0002 abcd")).sense == invalid_param(0, 6)
    assert disk.respond(H("48 01 00 00 00 00 00 0006 00"), H("01 00 0000 abcd")).sense == invalid_param(2)
    assert disk.respond(H("48 01 00 00 00 00 00 0006 00"), H("01 00 0001 abcd")).sense == fixed(0x5, 0x1A, 0x00)
    assert disk.respond(H("48 01 00 00 00 00 00 0300 00"), bytes(0x300)).sense == invalid_cdb(7)
