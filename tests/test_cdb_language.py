"""The CDB field language itself (sgframe.cdb): declaration errors, validation, values,
and the record behaviour (frozen, evolve, pickle) of the classes it makes."""
from __future__ import annotations

import copy
import enum
import pickle

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgframe.cdb import Bits, Command, Direction, VariableLengthCommand, constructor, define, field, fields_of, flag
from sgframe.command import REGISTRY, Read16, Read32, Write32
from sgframe.errors import UsageError

from strategies import field_values


@define
class Sample(Command):
    """A made-up 10-byte CDB exercising every kind of field."""

    OPCODE = 0xC0
    NAME = "SAMPLE"
    CDB_LENGTH = 10
    DIRECTION = Direction.IN
    LENGTH_FIELD = "length"
    mode: int = field(byte=1, bit=7, width=3)
    on: bool = flag(byte=1, bit=4)
    low: int = field(byte=1, bit=3, width=4)
    address: int = field(byte=2, width=32)
    narrow: int = field(byte=6, bit=5, width=6)
    length: int = field(byte=7, width=16)
    control: int = field(byte=9)


class Mode(enum.IntEnum):
    FAST = 5


@define
class Vendor32(VariableLengthCommand):
    """A made-up variable-length CDB."""

    SERVICE_ACTION = 0xF801
    NAME = "VENDOR(32)"
    control: int = field(byte=1)
    value: int = field(byte=12, width=64)


def test_bits_geometry():
    bits = Bits(byte=1, bit=4, width=21)
    assert (bits.start, bits.end, bits.max) == (11, 32, 0x1FFFFF)
    assert list(bits.pieces()) == [(1, 16, 5, 0), (2, 8, 8, 0), (3, 0, 8, 0)]


def test_encodes_every_kind_of_field():
    cmd = Sample(mode=5, on=True, low=0xA, address=0x01020304, narrow=0x2A, length=0x0506, control=0x80)
    assert bytes(cmd) == bytes.fromhex("c0 ba 01020304 2a 0506 80")
    assert Sample.from_bytes(bytes(cmd)) == cmd


def test_defaults_are_zero_and_false():
    cmd = Sample()
    assert (cmd.mode, cmd.on, cmd.address, cmd.control) == (0, False, 0, 0)
    assert bytes(cmd) == bytes.fromhex("c0 00 00000000 00 0000 00")


def test_fields_are_keyword_only():
    with pytest.raises(TypeError):
        Sample(1)


def test_unknown_field_is_a_type_error():
    with pytest.raises(TypeError):
        Sample(nonsense=1)


def test_out_of_range_message_names_field_and_range():
    with pytest.raises(UsageError) as info:
        Sample(mode=8)
    assert str(info.value) == "Sample.mode=8 is out of range: a 3-bit field holds 0..7 (0x7)"


def test_out_of_range_in_whole_bytes_is_caught_too():
    with pytest.raises(UsageError, match=r"Sample.address=4294967296 is out of range: a 32-bit field holds 0..4294967295"):
        Sample(address=1 << 32)
    with pytest.raises(UsageError, match=r"Sample.length=-1 is out of range"):
        Sample(length=-1)


def test_usage_error_is_a_value_error():
    with pytest.raises(ValueError):
        Sample(control=256)


def test_non_int_is_refused():
    with pytest.raises(UsageError, match=r"Sample.mode must be an int in 0..7, got 1.0"):
        Sample(mode=1.0)
    with pytest.raises(UsageError, match=r"Sample.address must be an int"):
        Sample(address="1")


def test_narrow_field_alone_in_its_byte_is_range_checked():
    # struct.pack would take 0..255 for the "B" this field packs into.
    with pytest.raises(UsageError, match=r"Sample.narrow=64 is out of range"):
        Sample(narrow=64)


def test_flags_take_bools_and_zero_one():
    assert Sample(on=1).on is True
    assert Sample(on=0).on is False
    assert Sample(on=True) == Sample(on=1)
    for bad in (2, -1, 1.0, "yes", None):
        with pytest.raises(UsageError, match=r"Sample.on is a one-bit flag"):
            Sample(on=bad)


def test_flags_decode_as_bool():
    cmd = Sample.from_bytes(bytes.fromhex("c0 10 00000000 00 0000 00"))
    assert cmd.on is True and cmd.mode == 0


def test_int_enum_values_encode_as_their_value():
    cmd = Sample(mode=Mode.FAST, control=Mode.FAST)
    assert bytes(cmd)[1] == 0xA0 and bytes(cmd)[9] == 5
    assert cmd == Sample(mode=5, control=5)
    assert type(cmd.mode) is int


def test_overlapping_fields_fail_at_definition():
    with pytest.raises(TypeError, match=r"Bad\.b overlaps a at bit offset 12"):

        @define
        class Bad(Command):
            OPCODE = 0xC1
            NAME = "BAD"
            CDB_LENGTH = 6
            a: int = field(byte=1, bit=7, width=5)
            b: int = field(byte=1, bit=3, width=2)


def test_field_over_the_opcode_fails_at_definition():
    with pytest.raises(TypeError, match=r"Bad.constant 0xc1 overlaps a at bit offset 0"):

        @define
        class Bad(Command):
            OPCODE = 0xC1
            NAME = "BAD"
            CDB_LENGTH = 6
            a: int = field(byte=0)


def test_fields_out_of_order_fail_at_definition():
    with pytest.raises(TypeError, match=r"Bad: declare fields in wire order"):

        @define
        class Bad(Command):
            OPCODE = 0xC1
            NAME = "BAD"
            CDB_LENGTH = 6
            b: int = field(byte=4)
            a: int = field(byte=2)


def test_field_past_the_end_fails_at_definition():
    with pytest.raises(TypeError, match=r"does not fit a 6-byte CDB"):

        @define
        class Bad(Command):
            OPCODE = 0xC1
            NAME = "BAD"
            CDB_LENGTH = 6
            a: int = field(byte=5, width=16)


def test_bad_bit_number_fails_at_definition():
    with pytest.raises(TypeError, match=r"does not fit"):

        @define
        class Bad(Command):
            OPCODE = 0xC1
            NAME = "BAD"
            CDB_LENGTH = 6
            a: int = field(byte=1, bit=8, width=1)


def test_subclassing_a_command_is_refused():
    with pytest.raises(TypeError, match=r"derive commands from Command"):

        @define
        class Read16Again(Read16):
            pass


def test_frozen():
    cmd = Sample(mode=1)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        cmd.mode = 2
    assert cmd.mode == 1


def test_evolve_re_encodes_and_re_validates():
    cmd = Sample(mode=1, address=5)
    other = attrs.evolve(cmd, address=6)
    assert bytes(other) == bytes.fromhex("c0 20 00000006 00 0000 00")
    assert bytes(cmd) == bytes.fromhex("c0 20 00000005 00 0000 00")
    with pytest.raises(UsageError, match="mode"):
        attrs.evolve(cmd, mode=9)


def test_pickle_and_copy_keep_value_and_bytes():
    cmd = Read16(lba=1 << 40, transfer_length=8, fua=True, group_number=3)
    for clone in (pickle.loads(pickle.dumps(cmd)), copy.copy(cmd), copy.deepcopy(cmd)):
        assert clone == cmd and type(clone) is Read16
        assert bytes(clone) == bytes(cmd)


def test_equality_and_hash_follow_values():
    assert Sample(mode=1) == Sample(mode=1)
    assert Sample(mode=1) != Sample(mode=2)
    assert hash(Sample(mode=1)) == hash(Sample(mode=1))
    assert len({Sample(mode=1), Sample(mode=1), Sample(mode=2)}) == 2


def test_repr_lists_fields_in_wire_order():
    assert repr(Sample(mode=2)) == "Sample(mode=2, on=False, low=0, address=0, narrow=0, length=0, control=0)"


def test_fields_of_in_wire_order():
    assert [(n, b.byte, f) for n, b, f in fields_of(Sample)] == [
        ("mode", 1, False), ("on", 1, True), ("low", 1, False), ("address", 2, False),
        ("narrow", 6, False), ("length", 7, False), ("control", 9, False),
    ]


def test_from_bytes_checks_length_and_opcode():
    with pytest.raises(UsageError, match=r"SAMPLE CDB must be 10 bytes, got 6"):
        Sample.from_bytes(bytes(6))
    with pytest.raises(UsageError, match=r"not a SAMPLE CDB: byte 0 holds 0x28 where SAMPLE has 0xc0"):
        Sample.from_bytes(bytes.fromhex("28 00 00000000 00 0000 00"))


def test_strict_rejects_reserved_bits_by_byte():
    raw = bytes.fromhex("c0 00 00000000 c0 0000 00")  # byte 6 bits 7-6 are reserved
    assert Sample.from_bytes(raw) == Sample()
    with pytest.raises(UsageError, match=r"SAMPLE CDB byte 6 = 0xc0 sets reserved bits 0xc0"):
        Sample.from_bytes(raw, strict=True)


def test_from_bytes_accepts_bytearray_and_memoryview():
    raw = bytes(Sample(address=7))
    assert Sample.from_bytes(bytearray(raw)) == Sample(address=7)
    assert Sample.from_bytes(memoryview(raw)) == Sample(address=7)


def test_variable_length_constants():
    cmd = Vendor32(control=4, value=0x1122334455667788)
    raw = bytes(cmd)
    assert len(raw) == 32
    assert raw[0] == 0x7F and raw[1] == 4
    assert raw[7] == 0x18  # ADDITIONAL CDB LENGTH = 32 - 8
    assert raw[8:10] == b"\xf8\x01"
    assert raw[12:20] == bytes.fromhex("1122334455667788")
    assert Vendor32.from_bytes(raw) == cmd
    with pytest.raises(UsageError, match="byte 7 holds 0x10"):
        Vendor32.from_bytes(raw[:7] + b"\x10" + raw[8:])
    with pytest.raises(UsageError, match="not a VENDOR"):
        Vendor32.from_bytes(raw[:9] + b"\x02" + raw[10:])


def test_variable_length_service_actions_tell_read_from_write():
    raw = bytes(Read32(lba=1))
    with pytest.raises(UsageError, match=r"not a WRITE\(32\) CDB"):
        Write32.from_bytes(raw)


def test_fixed_service_action_is_a_constant():
    assert Read32.fixed_fields() == ((Bits(0), 0x7F), (Bits(8, 7, 16), 0x0009), (Bits(7), 24))


def test_data_length_counts_bytes_or_blocks():
    assert Sample(length=300).data_length() == 300
    assert Read16(transfer_length=3).data_length(4096) == 12288
    assert Read16().needs_block_size and not Sample().needs_block_size


def test_encode_equals_bytes_and_reference():
    cmd = Sample(mode=7, on=True, low=15, address=0xFFFFFFFF, narrow=63, length=0xFFFF, control=0xFF)
    assert cmd.encode() == bytes(cmd) == cmd.to_bitstring() == bytes.fromhex("c0 ff ffffffff 3f ffff ff")
    assert Sample.from_bitstring(bytes(cmd)) == cmd


def test_whole_byte_int_fields_refuse_bools_and_store_enum_members_as_ints():
    import enum

    class Kind(enum.IntEnum):
        FIVE = 5

    with pytest.raises(UsageError, match=r"Sample.address must be an int in 0\.\.4294967295, got True"):
        Sample(address=True)
    cmd = Sample(address=Kind.FIVE)
    assert type(cmd.address) is int and cmd.address == 5


# --- construction paths: calling the class and its __new__ agree ------------------------------


def plain_call(cls, **kwargs):
    """What ``cls(**kwargs)`` runs: type.__call__ calls __new__."""
    return cls.__new__(cls, **kwargs)


def test_read16_bytes_through_the_constructor():
    assert bytes(Read16(lba=7, fua=True)) == bytes.fromhex("88 08 0000000000000007 00000000 00 00")


def test_define_accepts_classes_with_an_init_or_a_metaclass():
    # An __init__ or a metaclass keeps a class on the plain call; neither is refused.
    import abc

    inits = []

    @define
    class WithInit(Command):
        OPCODE = 0xC4
        NAME = "WITH INIT"
        CDB_LENGTH = 6
        address: int = field(byte=2, width=24)

        def __init__(self, **kwargs):
            inits.append(kwargs)

    @define
    class WithMeta(Command, metaclass=abc.ABCMeta):
        OPCODE = 0xC5
        NAME = "WITH META"
        CDB_LENGTH = 6
        address: int = field(byte=2, width=24)

    assert bytes(WithInit(address=1)) == bytes.fromhex("c4 00 000001 00") and inits == [{"address": 1}]
    assert bytes(WithMeta(address=2)) == bytes.fromhex("c5 00 000002 00")
    # Calling either class does more than its generated __new__: no plain-function constructor.
    assert constructor(WithInit) is WithInit and constructor(WithMeta) is WithMeta


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"lba": 1 << 64}, UsageError, "Read16.lba=18446744073709551616 is out of range: a 64-bit field"),
        ({"rdprotect": 8}, UsageError, "Read16.rdprotect=8 is out of range: a 3-bit field holds 0..7"),
        ({"lba": -1}, UsageError, "Read16.lba=-1 is out of range"),
        ({"lba": True}, UsageError, "Read16.lba must be an int in 0..18446744073709551615, got True"),
        ({"transfer_length": 1.0}, UsageError, "Read16.transfer_length must be an int"),
        ({"dpo": 2}, UsageError, "Read16.dpo is a one-bit flag: give True/False (or 1/0), got 2"),
        ({"lbaa": 1}, TypeError, "got an unexpected keyword argument 'lbaa'"),
    ],
)
def test_bad_values_fail_the_same_way_on_both_paths(kwargs, error, message):
    with pytest.raises(error) as fast:
        Read16(**kwargs)
    with pytest.raises(error) as plain:
        plain_call(Read16, **kwargs)
    assert message in str(fast.value)
    assert message in str(plain.value)
    if error is UsageError:
        assert str(fast.value) == str(plain.value)


def test_positional_arguments_are_refused_by_name():
    with pytest.raises(TypeError, match=r"Read16.*positional argument"):
        Read16(1024)


# --- the bulk constructor, generated source, compiling on first use -------------------------


@pytest.mark.parametrize("cls", sorted(REGISTRY, key=lambda cls: cls.__name__), ids=lambda cls: cls.__name__)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_constructor_builds_what_calling_the_class_builds(cls, data):
    kwargs = data.draw(field_values(cls))
    build = constructor(cls)
    assert build is not cls and build.__name__ == cls.__name__
    built, called = build(**kwargs), cls(**kwargs)
    assert type(built) is cls
    assert built == called and hash(built) == hash(called) and repr(built) == repr(called)
    assert bytes(built) == bytes(called) == called.to_bitstring() == built.encode()
    assert attrs.asdict(built) == kwargs and built.handlers == ()
    assert pickle.loads(pickle.dumps(built)) == built
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.control = 1


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"lba": 1 << 64}, UsageError, "Read16.lba=18446744073709551616 is out of range: a 64-bit field holds"),
        ({"rdprotect": 8}, UsageError, "Read16.rdprotect=8 is out of range: a 3-bit field holds 0..7 (0x7)"),
        ({"lba": True}, UsageError, "Read16.lba must be an int in 0..18446744073709551615, got True"),
        ({"dpo": 2}, UsageError, "Read16.dpo is a one-bit flag: give True/False (or 1/0), got 2"),
        ({"lbaa": 1}, TypeError, "Read16() got an unexpected keyword argument 'lbaa'"),
    ],
)
def test_constructor_fails_as_calling_the_class_does(kwargs, error, message):
    with pytest.raises(error) as built:
        constructor(Read16)(**kwargs)
    with pytest.raises(error) as called:
        Read16(**kwargs)
    assert message in str(built.value)
    if error is UsageError:
        assert str(built.value) == str(called.value)
    with pytest.raises(TypeError, match=r"Read16\(\) takes 0 positional arguments but 1 was given"):
        constructor(Read16)(1024)


def test_constructor_stores_enum_members_as_ints():
    cmd = constructor(Sample)(mode=Mode.FAST, control=Mode.FAST)
    assert type(cmd.mode) is int and type(cmd.control) is int
    assert cmd == Sample(mode=5, control=5) and bytes(cmd)[1] == 0xA0


def test_constructor_is_the_class_where_calling_it_does_more():
    from unittest import mock

    from sgframe.raw import RawCommand

    @define
    class Later(Command):
        OPCODE = 0xC3
        NAME = "LATER"
        CDB_LENGTH = 6
        address: int = field(byte=2, width=24)

    generated = constructor(Later)
    assert generated is not Later and bytes(generated(address=3)) == bytes.fromhex("c3 00 000003 00")
    sentinel = object()
    with mock.patch.object(Later, "__new__", lambda cls, **kwargs: sentinel):
        assert constructor(Later) is Later and Later(address=1) is sentinel
    assert constructor(Later) is generated
    calls = []
    Later.__init__ = lambda self, **kwargs: calls.append(kwargs)
    assert constructor(Later) is Later
    assert bytes(Later(address=4)) == bytes.fromhex("c3 00 000004 00") and calls == [{"address": 4}]
    assert constructor(RawCommand) is RawCommand
    with pytest.raises(TypeError, match=r"constructor\(\) takes a command class, got <class 'int'>"):
        constructor(int)


def test_generated_source_shows_in_getsource_and_tracebacks():
    import inspect
    import traceback

    filename = "<sgframe codec sgframe.command.rw.Read16>"
    Read16()  # compiled on first use
    assert Read16.__new__.__code__.co_filename == filename
    assert constructor(Read16).__code__.co_filename == filename
    assert inspect.getsource(Read16.__new__).startswith(
        "def __new__(cls, *, rdprotect=0, dpo=False, fua=False, rarc=False, lba=0, transfer_length=0,"
    )
    assert inspect.getsource(constructor(Read16)).startswith("def construct(*, rdprotect=0,")
    assert inspect.getsource(Read16.encode).startswith("def encode(self):\n    rdprotect = self.rdprotect\n")
    assert inspect.getsource(Read16.from_bytes).startswith("def from_bytes(cls, raw, *, strict=False):\n")
    with pytest.raises(UsageError) as info:
        Read16(lba=1 << 64)
    shown = "".join(traceback.format_exception(info.type, info.value, info.tb))
    assert f'File "{filename}", line ' in shown
    assert "cdb = _pack(0x88, (rdprotect << 5) | (dpo << 4) | (fua << 3) | (rarc << 2), lba," in shown


def test_each_class_of_a_name_gets_its_own_source():
    import inspect
    import linecache

    def declare(opcode):
        @define
        class Twice(Command):
            OPCODE = opcode
            NAME = "TWICE"
            CDB_LENGTH = 6
            address: int = field(byte=2, width=24)

        return Twice

    first, second = declare(0xC6), declare(0xC7)
    assert bytes(first()) == bytes.fromhex("c6 00 000000 00") and bytes(second()) == bytes.fromhex("c7 00 000000 00")
    names = first.__new__.__code__.co_filename, second.__new__.__code__.co_filename
    assert names[0] != names[1] and all(name in linecache.cache for name in names)
    assert "_pack(0xc6" in inspect.getsource(first.__new__) and "_pack(0xc7" in inspect.getsource(second.__new__)


@pytest.mark.parametrize("first_use", ["call", "from_bytes", "constructor", "evolve"])
def test_the_codec_is_compiled_on_first_use_of_any_kind(first_use):
    import linecache

    @define
    class Fresh(Command):
        OPCODE = 0xC8
        NAME = "FRESH"
        CDB_LENGTH = 6
        on: bool = flag(byte=1, bit=0)
        address: int = field(byte=2, width=24)

    def compiled():
        return {name for name in linecache.cache if name.startswith(f"<sgframe codec {Fresh.__module__}.{Fresh.__qualname__}")}

    before = compiled()
    assert "<sgframe codec" not in Fresh.__new__.__code__.co_filename  # the stand-in
    raw = bytes.fromhex("c8 01 000102 00")
    if first_use == "call":
        cmd = Fresh(on=True, address=0x102)
    elif first_use == "from_bytes":
        cmd = Fresh.from_bytes(raw)
    elif first_use == "constructor":
        cmd = constructor(Fresh)(on=True, address=0x102)
    else:
        cmd = attrs.evolve(Fresh.from_bytes(raw))
    assert bytes(cmd) == cmd.encode() == raw and cmd == Fresh(on=True, address=0x102)
    new = compiled() - before
    assert len(new) == 1
    assert Fresh.__new__.__code__.co_filename in new and Fresh.encode.__code__.co_filename in new
    assert copy.copy(cmd) == cmd and attrs.evolve(cmd, address=1).address == 1
    assert compiled() - before == new  # compiled once


def test_importing_the_commands_compiles_no_codec_and_not_bitstring():
    import subprocess
    import sys
    from pathlib import Path

    import sgframe

    script = (
        "import linecache, sys\n"
        "import sgframe.cdb\n"
        "print('bitstring' in sys.modules)\n"
        "import sgframe.command as c\n"
        "codecs = lambda: sorted(n for n in linecache.cache if n.startswith('<sgframe codec sgframe.command'))\n"
        "print(codecs())\n"
        "bytes(c.Read16(lba=1)); c.Inquiry.from_bytes(bytes.fromhex('120000000000'))\n"
        "print(codecs(), 'bitstring' in sys.modules)\n"
        "c.Read16().to_bitstring()\n"
        "print('bitstring' in sys.modules)\n"
    )
    root = Path(sgframe.__file__).parents[1]  # the sgframe under test, not another install
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=root)
    assert done.stdout.splitlines() == [
        "False",
        "[]",
        "['<sgframe codec sgframe.command.identity.Inquiry>', '<sgframe codec sgframe.command.rw.Read16>'] False",
        "True",
    ]
