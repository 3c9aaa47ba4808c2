"""The command registry: registration rules, lookups, decode_cdb and describe."""
from __future__ import annotations

import pytest

from sgframe import command as c
from sgframe.cdb import Command, Direction, VariableLengthCommand, define, field
from sgframe.command import REGISTRY, decode_cdb
from sgframe.errors import UsageError
from sgframe.registry import CommandInfo, CommandRegistry


@define
class VendorRead(Command):
    """A vendor command on a vendor-specific opcode."""

    OPCODE = 0xC8
    NAME = "VENDOR READ"
    CDB_LENGTH = 10
    DIRECTION = Direction.IN
    control: int = field(byte=9)


@define
class OtherVendorRead(Command):
    """Same opcode as VendorRead."""

    OPCODE = 0xC8
    NAME = "OTHER VENDOR READ"
    CDB_LENGTH = 10
    control: int = field(byte=9)


@define
class ClashingName(Command):
    """Takes the T10 name READ(16) on another opcode."""

    OPCODE = 0xC9
    NAME = "read(16)"
    CDB_LENGTH = 6
    control: int = field(byte=5)


@define
class ServiceActionIn18(Command):
    """A made-up SERVICE ACTION IN(16) service action."""

    OPCODE = 0x9E
    SERVICE_ACTION = 0x18
    NAME = "MADE UP IN"
    CDB_LENGTH = 16
    control: int = field(byte=15)


@define
class ServiceActionInAny(Command):
    """Claims 9Eh without a service action: the fallback for unclaimed ones."""

    OPCODE = 0x9E
    NAME = "SERVICE ACTION IN(16)"
    CDB_LENGTH = 16
    service_action: int = field(byte=1, bit=4, width=5)
    control: int = field(byte=15)


@define
class Vendor32(VariableLengthCommand):
    """A vendor variable-length CDB."""

    SERVICE_ACTION = 0xF800
    NAME = "VENDOR(32)"
    control: int = field(byte=1)


def test_default_registry_holds_the_built_in_commands():
    # 57, and 42 added with issue 14 (READ BUFFER(16), FORMAT WITH PRESET, SEQUENTIALIZE ZONE,
    # REMOVE ELEMENT AND MODIFY ZONES and WRITE SAME(32) the last, for sg3_utils' options).
    assert len(REGISTRY) == 99
    assert list(REGISTRY) == list(c.BUILTIN_COMMANDS)
    assert c.Read16 in REGISTRY and VendorRead not in REGISTRY


@pytest.mark.parametrize("name", ["Read16", "read16", "READ(16)", "read(16)", "ReAd(16)"])
def test_by_name_takes_class_or_t10_name_in_any_case(name):
    assert REGISTRY.by_name(name) is c.Read16


def test_by_name_long_names():
    assert REGISTRY.by_name("report supported operation codes") is c.ReportSupportedOperationCodes
    assert REGISTRY.by_name("TEST UNIT READY") is c.TestUnitReady


def test_by_name_unknown():
    with pytest.raises(UsageError, match=r"no command named 'READ\(64\)' is registered"):
        REGISTRY.by_name("READ(64)")


def test_lookup_by_opcode_and_service_action():
    assert REGISTRY.lookup(0x88) is c.Read16
    assert REGISTRY.lookup(0x9E, 0x10) is c.ReadCapacity16
    assert REGISTRY.lookup(0x9E, 0x12) is c.GetLbaStatus
    assert REGISTRY.lookup(0x7F, 0x0009) is c.Read32
    assert REGISTRY.lookup(0x7F, 0x000B) is c.Write32
    assert REGISTRY.lookup(0x94, 0x04) is c.ResetWritePointer
    assert REGISTRY.lookup(0x5E) is c.PersistentReserveIn
    # A command whose caller picks the service action answers for any of them.
    assert REGISTRY.lookup(0x5E, 0x03) is c.PersistentReserveIn


def test_lookup_unknown():
    with pytest.raises(UsageError, match=r"no command is registered for opcode 0xc8"):
        REGISTRY.lookup(0xC8)
    with pytest.raises(UsageError, match=r"opcode 0x9e service action 1Fh"):
        REGISTRY.lookup(0x9E, 0x1F)


def test_decode_cdb_uses_byte_one_service_action():
    assert decode_cdb(bytes(c.GetLbaStatus(starting_lba=9))) == c.GetLbaStatus(starting_lba=9)
    assert type(decode_cdb(bytes.fromhex("a3 0a 00 00 00 00 00 00 04 00 00 00"))) is c.ReportTargetPortGroups
    # Bits 7-5 of byte 1 are not part of the service action (PARAMETER DATA FORMAT here).
    assert decode_cdb(bytes.fromhex("a3 2a 00 00 00 00 00 00 04 00 00 00")) == c.ReportTargetPortGroups(
        parameter_data_format=1, allocation_length=0x400
    )


def test_decode_cdb_uses_bytes_8_9_of_variable_length_cdbs():
    assert type(decode_cdb(bytes(c.Write32(lba=4)))) is c.Write32
    assert type(decode_cdb(bytes(c.Read32(lba=4)))) is c.Read32


def test_decode_cdb_caller_chosen_service_action():
    assert decode_cdb(bytes.fromhex("5f 06 00 00 00 00 00 00 18 00")) == c.PersistentReserveOut(
        service_action=6, parameter_list_length=24
    )


def test_decode_cdb_unknown_opcode():
    with pytest.raises(UsageError, match=r"no command is registered for opcode 0xc8"):
        decode_cdb(bytes.fromhex("c8 00 00 00 00 00 00 00 00 00"))


def test_decode_cdb_unknown_service_action():
    with pytest.raises(UsageError, match=r"opcode 0x9e service action 1Fh"):
        decode_cdb(bytes.fromhex("9e 1f" + "00" * 14))
    with pytest.raises(UsageError, match=r"opcode 0x7f service action 1234h"):
        decode_cdb(bytes.fromhex("7f 00 00000000 00 18 1234") + bytes(22))


def test_decode_cdb_bad_input():
    with pytest.raises(UsageError, match="empty CDB"):
        decode_cdb(b"")
    with pytest.raises(UsageError, match="at least 10 bytes"):
        decode_cdb(b"\x7f\x00\x00")
    with pytest.raises(UsageError, match="too short"):
        decode_cdb(b"\x9e")
    with pytest.raises(UsageError, match=r"READ\(16\) CDB must be 16 bytes, got 10"):
        decode_cdb(bytes(c.Read16())[:10])


def test_decode_cdb_strict():
    raw = bytes.fromhex("00 01 00 00 00 00")
    assert decode_cdb(raw) == c.TestUnitReady()
    with pytest.raises(UsageError, match="reserved bits"):
        decode_cdb(raw, strict=True)


def test_add_rejects_same_opcode_naming_both():
    registry = CommandRegistry()
    registry.add(VendorRead)
    with pytest.raises(UsageError) as info:
        registry.add(OtherVendorRead)
    message = str(info.value)
    assert "OtherVendorRead (OTHER VENDOR READ)" in message and "VendorRead (VENDOR READ)" in message
    assert "opcode C8h" in message
    assert list(registry) == [VendorRead]


def test_add_rejects_same_opcode_and_service_action():
    @define
    class Impostor(Command):
        OPCODE = 0x9E
        SERVICE_ACTION = 0x10
        NAME = "IMPOSTOR"
        CDB_LENGTH = 16
        control: int = field(byte=15)

    registry = CommandRegistry()
    registry.add(c.ReadCapacity16)
    with pytest.raises(UsageError, match=r"opcode 9Eh service action 10h already belongs to .*ReadCapacity16"):
        registry.add(Impostor)


def test_add_rejects_same_name_naming_both():
    registry = CommandRegistry()
    registry.add(c.Read16)
    with pytest.raises(UsageError, match=r"ClashingName \(read\(16\)\): the name 'read\(16\)' already belongs to .*Read16"):
        registry.add(ClashingName)
    assert len(registry) == 1


def test_add_same_class_twice_is_harmless():
    registry = CommandRegistry()
    assert registry.add(VendorRead) is VendorRead
    assert registry.add(VendorRead) is VendorRead
    assert len(registry) == 1


def test_add_refuses_non_commands():
    with pytest.raises(UsageError, match="only classes made with sgframe.cdb.define"):
        CommandRegistry().add(int)
    with pytest.raises(UsageError, match="only classes made with sgframe.cdb.define"):
        CommandRegistry().add(c.Read16())


def test_fallback_class_for_unclaimed_service_actions():
    registry = CommandRegistry()
    for cls in (c.ReadCapacity16, ServiceActionIn18, ServiceActionInAny):
        registry.add(cls)
    assert type(registry.decode_cdb(bytes(c.ReadCapacity16()))) is c.ReadCapacity16
    assert type(registry.decode_cdb(bytes(ServiceActionIn18()))) is ServiceActionIn18
    assert registry.decode_cdb(bytes.fromhex("9e 05" + "00" * 14)) == ServiceActionInAny(service_action=5)


def test_plugin_style_registration_and_decode():
    registry = CommandRegistry()
    registry.add(Vendor32)
    registry.add(c.Read32)
    assert type(registry.decode_cdb(bytes(Vendor32(control=1)))) is Vendor32
    assert registry.by_name("vendor(32)") is Vendor32


def test_describe():
    assert REGISTRY.describe(c.Write32) == CommandInfo(
        name="WRITE(32)", class_name="Write32", opcode=0x7F, service_action=0x000B, cdb_length=32,
        direction=Direction.OUT, modifies_medium=True,
    )
    assert str(REGISTRY.describe(c.Write32)) == "WRITE(32) (7Fh/000Bh, 32-byte CDB, data to device, modifies medium)"
    assert str(REGISTRY.describe(c.Inquiry)) == "INQUIRY (12h, 6-byte CDB, data from device)"
    assert str(REGISTRY.describe(c.ReadCapacity16)) == "READ CAPACITY(16) (9Eh/10h, 16-byte CDB, data from device)"


def test_every_built_in_command_described_consistently():
    for cls in REGISTRY:
        info = REGISTRY.describe(cls)
        assert REGISTRY.lookup(info.opcode, info.service_action) is cls
        assert REGISTRY.by_name(info.name) is cls
        assert len(bytes(cls())) == info.cdb_length
