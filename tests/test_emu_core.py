"""The emulated disk's machinery: dispatch, sense building, unit attentions, faults,
plugin registration and the emu: URI."""
from __future__ import annotations

import pytest

from sgframe.emu import EmulatedDisk, Failure, Reply, build_sense, create, field_pointer, parse_emu_uri, register_kind
from sgframe.emu.uri import KINDS
from sgframe.errors import UsageError

TUR = bytes(6)
INQUIRY = bytes.fromhex("12 00 00 00 60 00")
READ10_LBA0 = bytes.fromhex("28 00 00000000 00 0001 00")


def fixed(key: int, asc: int, ascq: int, sks: bytes = b"\x00\x00\x00", info: "int | None" = None) -> bytes:
    """Fixed-format sense bytes written out by hand from SPC-5 table 48."""
    raw = bytearray(18)
    raw[0] = 0xF0 if info is not None else 0x70
    raw[2] = key
    if info is not None:
        raw[3:7] = info.to_bytes(4, "big")
    raw[7] = 0x0A
    raw[12] = asc
    raw[13] = ascq
    raw[15:18] = sks
    return bytes(raw)


@pytest.fixture
def disk() -> EmulatedDisk:
    return EmulatedDisk(blocks=1024, serial="EMU-TEST-1")


# ------------------------------------------------------------------ sense builder


def test_fixed_sense_invalid_field_with_bit_pointer() -> None:
    raw = build_sense(0x5, 0x24, 0x00, sks=field_pointer(1, 4))
    assert raw == bytes.fromhex("70 00 05 00000000 0a 00000000 24 00 00 cc 0001")


def test_fixed_sense_information_sets_valid() -> None:
    assert build_sense(0x3, 0x11, 0x00, information=0x123456) == bytes.fromhex(
        "f0 00 03 00123456 0a 00000000 11 00 00 000000"
    )


def test_fixed_sense_information_too_large_clears_valid() -> None:
    raw = build_sense(0x3, 0x11, 0x00, information=2**33)
    assert raw[0] == 0x70 and raw[3:7] == bytes(4)


def test_descriptor_sense_information_and_field_pointer() -> None:
    raw = build_sense(0x5, 0x26, 0x00, information=7, sks=field_pointer(2, None, in_cdb=False), descriptor=True)
    assert raw == bytes.fromhex(
        "72 05 26 00 000000 14"
        "00 0a 80 00 0000000000000007"
        "02 06 00 00 80 0002 00"
    )


def test_parameter_list_field_pointer_has_cd_clear() -> None:
    assert field_pointer(300, 6, in_cdb=False) == bytes.fromhex("8e 012c")


# ----------------------------------------------------------------------- dispatch


def test_new_disk_starts_clean(disk: EmulatedDisk) -> None:
    assert disk.respond(TUR) == Reply(0, b"", b"")


def test_power_on_unit_attention_when_asked() -> None:
    disk = EmulatedDisk(blocks=8, unit_attention=True)
    assert disk.respond(TUR) == Reply(2, b"", fixed(0x6, 0x29, 0x01))
    assert disk.respond(TUR).status == 0


def test_unknown_opcode(disk: EmulatedDisk) -> None:
    assert disk.respond(bytes.fromhex("ff 00 00 00 00 00")) == Reply(2, b"", fixed(0x5, 0x20, 0x00))


def test_empty_cdb_is_invalid_opcode(disk: EmulatedDisk) -> None:
    assert disk.respond(b"").sense == fixed(0x5, 0x20, 0x00)


def test_unknown_service_action_points_at_the_field(disk: EmulatedDisk) -> None:
    reply = disk.respond(bytes.fromhex("9e 1f") + bytes(14), None, 32)
    assert reply.sense == fixed(0x5, 0x24, 0x00, bytes.fromhex("cc 0001"))


def test_unknown_variable_length_service_action(disk: EmulatedDisk) -> None:
    cdb = bytearray(32)
    cdb[0], cdb[7], cdb[9] = 0x7F, 0x18, 0x0A
    assert disk.respond(bytes(cdb)).sense == fixed(0x5, 0x24, 0x00, bytes.fromhex("c0 0008"))


def test_reserved_bit_is_rejected_with_its_position(disk: EmulatedDisk) -> None:
    # READ(10) byte 1 bit 1 was FUA_NV, obsolete in SBC-4.
    reply = disk.respond(bytes.fromhex("28 02 00000000 00 0001 00"), None, 512)
    assert reply == Reply(2, b"", fixed(0x5, 0x24, 0x00, bytes.fromhex("c9 0001")))


def test_naca_in_control_byte_is_rejected(disk: EmulatedDisk) -> None:
    assert disk.respond(bytes.fromhex("00 00 00 00 00 04")).sense == fixed(
        0x5, 0x24, 0x00, bytes.fromhex("ca 0005")
    )


def test_short_cdb(disk: EmulatedDisk) -> None:
    assert disk.respond(bytes.fromhex("28 00 00")).sense == fixed(0x5, 0x24, 0x00)


def test_wrong_additional_cdb_length(disk: EmulatedDisk) -> None:
    cdb = bytearray(32)
    cdb[0], cdb[7], cdb[9] = 0x7F, 0x10, 0x09
    assert disk.respond(bytes(cdb), None, 0).sense == fixed(0x5, 0x24, 0x00, bytes.fromhex("c0 0007"))


def test_data_never_longer_than_allocation_length(disk: EmulatedDisk) -> None:
    assert len(disk.respond(INQUIRY, None, 5).data) == 5
    assert disk.respond(INQUIRY, None, 0).data == b""


def test_cdb_allocation_length_bounds_data(disk: EmulatedDisk) -> None:
    # INQUIRY with ALLOCATION LENGTH 36 into a 96-byte buffer returns 36 bytes.
    assert len(disk.respond(bytes.fromhex("12 00 00 00 24 00"), None, 96).data) == 36


def test_dsense_gives_descriptor_sense() -> None:
    disk = EmulatedDisk(blocks=8, dsense=True)
    assert disk.respond(bytes.fromhex("ff") + bytes(5)).sense == bytes.fromhex("72 05 20 00 000000 00")


def test_short_data_out_is_a_data_phase_error(disk: EmulatedDisk) -> None:
    reply = disk.respond(bytes.fromhex("2a 00 00000000 00 0002 00"), b"x" * 512)
    assert reply == Reply(2, b"", fixed(0xB, 0x4B, 0x00))
    assert disk.medium.written_blocks == 0


# ------------------------------------------------------------------ unit attention


def test_unit_attention_after_reset_once_then_clean(disk: EmulatedDisk) -> None:
    disk.reset()
    assert disk.respond(TUR) == Reply(2, b"", fixed(0x6, 0x29, 0x00))
    assert disk.respond(TUR) == Reply(0)


def test_inquiry_neither_reports_nor_clears_unit_attention(disk: EmulatedDisk) -> None:
    disk.reset()
    assert disk.respond(INQUIRY, None, 96).status == 0
    assert disk.respond(bytes.fromhex("a0 00 00 000000 00000010 00 00"), None, 16).status == 0
    assert disk.respond(TUR).sense == fixed(0x6, 0x29, 0x00)


def test_request_sense_returns_and_clears_unit_attention(disk: EmulatedDisk) -> None:
    disk.reset()
    reply = disk.respond(bytes.fromhex("03 00 00 00 12 00"), None, 18)
    assert reply == Reply(0, fixed(0x6, 0x29, 0x00))
    assert disk.respond(bytes.fromhex("03 00 00 00 12 00"), None, 18).data == fixed(0x0, 0x00, 0x00)
    assert disk.respond(TUR).status == 0


def test_reset_reaches_every_nexus(disk: EmulatedDisk) -> None:
    disk.respond(TUR, nexus=1)
    disk.reset()
    assert disk.respond(TUR, nexus=1).sense == fixed(0x6, 0x29, 0x00)
    assert disk.respond(TUR, nexus=0).sense == fixed(0x6, 0x29, 0x00)
    assert disk.respond(TUR, nexus=0).status == 0


# -------------------------------------------------------------------------- faults


def test_inject_busy_once(disk: EmulatedDisk) -> None:
    disk.inject(0x28, 0x08)
    assert disk.respond(READ10_LBA0, None, 512) == Reply(0x08)
    assert disk.respond(READ10_LBA0, None, 512).status == 0


def test_inject_counts_and_only_matches_its_opcode(disk: EmulatedDisk) -> None:
    disk.inject(0x28, 0x28, count=2)
    assert disk.respond(TUR).status == 0
    assert disk.respond(READ10_LBA0, None, 512).status == 0x28
    assert disk.respond(READ10_LBA0, None, 512).status == 0x28
    assert disk.respond(READ10_LBA0, None, 512).status == 0


def test_inject_sense_tuple_and_raw(disk: EmulatedDisk) -> None:
    disk.inject(None, sense=(0x4, 0x44, 0x00))
    assert disk.respond(TUR) == Reply(2, b"", fixed(0x4, 0x44, 0x00))
    disk.inject(0x00, sense=b"\x70\x00\x02")
    assert disk.respond(TUR) == Reply(2, b"", b"\x70\x00\x02")


def test_inject_service_action(disk: EmulatedDisk) -> None:
    disk.inject(0x9E, 0x08, service_action=0x12)
    rc16 = bytes.fromhex("9e 10 0000000000000000 00000020 00 00")
    assert disk.respond(rc16, None, 32).status == 0
    assert disk.respond(bytes.fromhex("9e 12 0000000000000000 00000020 00 00"), None, 32).status == 0x08


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((0x28,), {}),
        ((0x28, 0), {}),
        ((0x100, 8), {}),
        ((0x28, 8), {"sense": (5, 0x24, 0)}),
        ((0x28,), {"sense": (16, 0, 0)}),
        ((0x28,), {"sense": "junk"}),
        ((0x28, 8), {"count": 0}),
        ((None, 8), {"service_action": 1}),
    ],
)
def test_inject_rejects_bad_arguments(disk: EmulatedDisk, args: tuple, kwargs: dict) -> None:
    with pytest.raises(UsageError):
        disk.inject(*args, **kwargs)


# -------------------------------------------------------------------- registration


def test_register_a_vendor_command(disk: EmulatedDisk) -> None:
    def vendor(device: EmulatedDisk, request) -> bytes:
        if request.cdb[2] == 0xEE:
            raise Failure(0x5, 0x24, 0x00, sks=field_pointer(2))
        return b"hello " + device.serial.encode()

    disk.register(0xC0, None, vendor)
    assert disk.respond(bytes.fromhex("c0 00 00 00 00 00 00 00 00 00"), None, 64).data == b"hello EMU-TEST-1"
    assert disk.respond(bytes.fromhex("c0 00 ee 00 00 00 00 00 00 00"), None, 64).sense == fixed(
        0x5, 0x24, 0x00, bytes.fromhex("c0 0002")
    )
    # It shows up in REPORT SUPPORTED OPERATION CODES, one-command format.
    reply = disk.respond(bytes.fromhex("a3 0c 01 c0 0000 00000100 00 00"), None, 256)
    assert reply.data == bytes.fromhex("00 03 000a c0 ffffffffffffffff 00")


def test_register_overrides_a_builtin(disk: EmulatedDisk) -> None:
    disk.register(0x00, None, lambda device, request: Reply(0x08), usage=bytes(6))
    assert disk.respond(TUR) == Reply(0x08)


def test_register_service_action_and_unregister(disk: EmulatedDisk) -> None:
    disk.register(0x9E, 0x1F, lambda device, request: b"\x01\x02")
    assert disk.respond(bytes.fromhex("9e 1f") + bytes(14), None, 8).data == b"\x01\x02"
    disk.unregister(0x9E, 0x1F)
    assert disk.respond(bytes.fromhex("9e 1f") + bytes(14), None, 8).status == 2


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((0x28, None, "not callable"), {}),
        ((0x28, None, lambda d, r: None), {"access": "exclusive"}),
        ((0x9E, None, lambda d, r: None), {}),  # 9Eh takes service actions
        ((0x28, 3, lambda d, r: None), {}),  # 28h has none
        ((0x9E, 0x20, lambda d, r: None), {}),  # a 5-bit field
        ((0x28, None, lambda d, r: None), {"usage": bytes(10)}),  # usage must start with the opcode
    ],
)
def test_register_rejects_bad_arguments(disk: EmulatedDisk, args: tuple, kwargs: dict) -> None:
    with pytest.raises(UsageError):
        disk.register(*args, **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"blocks": 0},
        {"blocks": 2**64},
        {"block_size": 256},
        {"block_size": 514},
        {"vendor": "TOO LONG VENDOR"},
        {"product": "caf\u00e9"},
        {"zone_size": 16},
        {"zoned": True},
        {"zoned": True, "zone_size": 16, "conventional_zones": 100, "blocks": 64},
        {"blocks": True},
    ],
)
def test_constructor_rejects_bad_arguments(kwargs: dict) -> None:
    with pytest.raises(UsageError):
        EmulatedDisk(**kwargs)


def test_big_sparse_disk_is_cheap() -> None:
    disk = EmulatedDisk(blocks=2**32)
    write = bytes.fromhex("8a 00 00000000fffffffe 00000001 00 00")
    assert disk.respond(write, b"\xab" * 512).status == 0
    read = bytes.fromhex("88 00 00000000fffffffe 00000002 00 00")
    assert disk.respond(read, None, 1024).data == b"\xab" * 512 + bytes(512)
    assert disk.medium.written_blocks == 1


# ------------------------------------------------------------------------- URIs


def test_parse_emu_uri() -> None:
    assert parse_emu_uri("emu:disk") == ("disk", {})
    assert parse_emu_uri("emu:disk?blocks=0x100&block_size=4096&dsense=yes&vendor=ACME%20CO") == (
        "disk",
        {"blocks": 256, "block_size": 4096, "dsense": True, "vendor": "ACME CO"},
    )
    assert parse_emu_uri("emu:disk?blocks=0x100000000") == ("disk", {"blocks": 2**32})
    assert parse_emu_uri("emu:zoned?zone_size=64&conventional_zones=1") == (
        "zoned",
        {"zone_size": 64, "conventional_zones": 1},
    )


@pytest.mark.parametrize(
    "uri, words",
    [
        ("disk?blocks=1", "starts with 'emu:'"),
        # plugins may add kinds (emu:sata): the built-in ones are listed whatever is installed
        ("emu:tape", "unknown emu kind 'tape'; known kinds: disk, "),
        ("emu:disk?size=5", "unknown parameter 'size'"),
        ("emu:disk?blocks", "needs a value"),
        ("emu:disk?blocks=", "needs a value"),
        ("emu:disk?blocks=1&blocks=2", "given twice"),
        ("emu:disk?blocks=many", "bad value 'many' for blocks"),
        # Plain integers only: nothing is evaluated (9**9**9 would compute for hours).
        ("emu:disk?blocks=9**9**9", "bad value '9**9**9' for blocks: a plain integer is wanted"),
        ("emu:disk?blocks=2**32", "decimal (1024) or hexadecimal (0x400)"),
        ("emu:disk?blocks=1e9", "a plain integer is wanted"),
        ("emu:disk?dsense=maybe", "bad value 'maybe' for dsense"),
        ("emu:disk?zone_size=8", "unknown parameter 'zone_size'"),
    ],
)
def test_parse_emu_uri_errors(uri: str, words: str) -> None:
    with pytest.raises(UsageError, match=None) as raised:
        parse_emu_uri(uri)
    assert words in str(raised.value)


def test_create() -> None:
    disk = create("emu:disk?blocks=100&block_size=4096&serial=ABC")
    assert (disk.blocks, disk.block_size, disk.serial, disk.zoned) == (100, 4096, "ABC", False)
    zoned = create("emu:zoned?blocks=256&zone_size=64")
    assert zoned.zoned and zoned.zones.count == 4


def test_create_reports_constructor_errors_with_the_uri() -> None:
    with pytest.raises(UsageError) as raised:
        create("emu:disk?block_size=100")
    assert str(raised.value).startswith("emu:disk?block_size=100: block_size=100 is out of range")


def test_register_kind() -> None:
    register_kind("tiny", lambda blocks=8: EmulatedDisk(blocks=blocks), {"blocks": int})
    try:
        assert create("emu:tiny?blocks=4").blocks == 4
    finally:
        del KINDS["tiny"]
    with pytest.raises(UsageError):
        register_kind("no spaces", lambda: None, {})


def test_the_emulator_builds_sense_with_the_librarys_builder() -> None:
    # One SPC-5 sense encoder in the package (issue 11): the emulator's bytes are exactly
    # sgframe.sense.build's, and a fixed-format INFORMATION wider than 4 bytes is left
    # out (VALID 0) as SPC-5 4.4.3 tells a device, where the library builder refuses it.
    from sgframe.emu import sense as emu_sense
    from sgframe.sense import build_descriptor_sense, build_fixed_sense, decode_sense

    assert emu_sense.build_sense(3, 0x11, 0, information=0x1234) == build_fixed_sense(3, 0x11, 0, 0x1234)
    assert emu_sense.build_sense(5, 0x24, 0, sks=b"\xc0\x00\x02", descriptor=True) == \
        build_descriptor_sense(5, 0x24, 0, sense_key_specific=b"\xc0\x00\x02")
    wide = decode_sense(emu_sense.build_sense(3, 0x11, 0, information=2**40))
    assert wide.information is None and wide.sense_key == 3
    assert decode_sense(emu_sense.build_sense(3, 0x11, 0, information=2**40, descriptor=True)).information == 2**40
    assert emu_sense.CHECK_CONDITION == 2 and emu_sense.ILLEGAL_REQUEST == 5
