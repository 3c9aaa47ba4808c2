"""The optional C speedups (sgframe/_speedups.c): calling a command class goes straight to
its generated ``_construct`` and a C assembler fills the slots. Both must build exactly what
the plain class call through ``__new__`` builds, fail the same way, and leak nothing."""
from __future__ import annotations

import collections
import os
import pickle
import subprocess
import sys

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgframe import cdb
from sgframe.cdb import Command, define, field, flag
from sgframe.command import REGISTRY, Read16
from sgframe.errors import UsageError

from strategies import field_values

speedups = cdb._speedups
needs_speedups = pytest.mark.skipif(speedups is None, reason="sgframe._speedups is not built here")
CLASSES = sorted(REGISTRY, key=lambda cls: cls.__name__)


def plain_call(cls, **kwargs):
    """What ``cls(**kwargs)`` does without the speedups: type.__call__ runs __new__."""
    return cls.__new__(cls, **kwargs)


def test_built_where_the_test_environment_says_it_must_be():
    # tox sets SGFRAME_EXPECT_SPEEDUPS: there a missing compiler must fail loudly, not
    # leave the benchmark quietly slower.
    if not os.environ.get("SGFRAME_EXPECT_SPEEDUPS"):
        pytest.skip("SGFRAME_EXPECT_SPEEDUPS is not set")
    assert os.environ.get("SGFRAME_NO_SPEEDUPS", "0") == "0", "SGFRAME_NO_SPEEDUPS is set"
    assert speedups is not None, (
        "sgframe._speedups was not built: install gcc and the Python headers "
        "(Debian: gcc libc6-dev python3-dev) and reinstall sgframe"
    )


@needs_speedups
@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_registered_command_has_the_fast_call(cls):
    assert cdb.constructor_is_fast(cls)
    assert speedups.has_constructor(cls)


@needs_speedups
@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_call_builds_what_the_plain_call_builds(cls, data):
    kwargs = data.draw(field_values(cls))
    fast, plain = cls(**kwargs), plain_call(cls, **kwargs)
    assert type(fast) is type(plain) is cls
    assert fast == plain and hash(fast) == hash(plain)
    assert bytes(fast) == bytes(plain) == plain.to_bitstring()
    assert attrs.asdict(fast) == attrs.asdict(plain) == kwargs
    assert fast.handlers == plain.handlers == ()
    assert repr(fast) == repr(plain)
    assert pickle.loads(pickle.dumps(fast)) == fast


@needs_speedups
@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_the_call_really_goes_through_the_constructor(cls):
    seen = []
    new, real = cls.__dict__["_fast_call"]

    def spy(**kwargs):
        seen.append(kwargs)
        return real(**kwargs)

    cls._fast_call = (new, spy)
    try:
        cmd = cls(control=4)
    finally:
        cls._fast_call = (new, real)
    assert seen == [{"control": 4}]
    assert cmd.control == 4 and cmd == plain_call(cls, control=4)
    assert bytes(cmd) == bytes(plain_call(cls, control=4))


@needs_speedups
def test_read16_bytes_through_the_constructor():
    assert bytes(Read16(lba=7, fua=True)) == bytes.fromhex("88 08 0000000000000007 00000000 00 00")


@needs_speedups
def test_a_patched_new_takes_effect_and_the_fast_call_comes_back():
    from unittest import mock

    sentinel = object()
    with mock.patch.object(Read16, "__new__", lambda cls, **kwargs: sentinel):
        assert not cdb.constructor_is_fast(Read16)
        assert Read16(lba=1) is sentinel
    assert cdb.constructor_is_fast(Read16)
    assert bytes(Read16(lba=1))[9] == 1


@needs_speedups
def test_an_init_added_later_runs():
    @define
    class Later(Command):
        OPCODE = 0xC3
        NAME = "LATER"
        CDB_LENGTH = 6
        address: int = field(byte=2, width=24)

    assert cdb.constructor_is_fast(Later)
    calls = []
    Later.__init__ = lambda self, **kwargs: calls.append(kwargs)
    cmd = Later(address=3)
    assert calls == [{"address": 3}] and bytes(cmd) == bytes.fromhex("c3 00 000003 00")
    assert not cdb.constructor_is_fast(Later)


def test_define_accepts_the_same_classes_with_or_without_speedups():
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
    assert not cdb.constructor_is_fast(WithInit) and not cdb.constructor_is_fast(WithMeta)


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


@needs_speedups
def test_enum_values_become_plain_ints_on_the_fast_path():
    import enum

    class Protect(enum.IntEnum):
        TYPE2 = 2

    cmd = Read16(rdprotect=Protect.TYPE2)
    assert cdb.constructor_is_fast(Read16)
    assert type(cmd.rdprotect) is int and cmd.rdprotect == 2
    assert bytes(cmd)[1] == 0x40


@needs_speedups
def test_construction_keeps_reference_counts_balanced():
    lba = int("1000000000000001")  # a new int object: only this test holds it
    before = sys.getrefcount(lba)
    built = [Read16(lba=lba, transfer_length=8) for _ in range(1000)]
    assert sys.getrefcount(lba) == before + 1000  # one per slot, no more
    del built
    assert sys.getrefcount(lba) == before
    for _ in range(1000):  # failures too: nothing kept by a refused construction
        with pytest.raises(UsageError):
            Read16(lba=lba, rdprotect=9)
    assert sys.getrefcount(lba) == before


@needs_speedups
def test_a_test_defined_command_gets_the_fast_call_too():
    @define
    class Vendor(Command):
        OPCODE = 0xC1
        NAME = "VENDOR"
        CDB_LENGTH = 6
        mode: int = field(byte=1, bit=7, width=5)
        on: bool = flag(byte=1, bit=0)
        address: int = field(byte=2, width=24)

    assert cdb.constructor_is_fast(Vendor)
    assert bytes(Vendor(mode=3, on=True, address=0x123456)) == bytes.fromhex("c1 19 123456 00")
    assert Vendor() == plain_call(Vendor)


@needs_speedups
def test_a_dropped_command_class_is_collected():
    # The class's generated code holds its assembler and the assembler holds the class:
    # a cycle the collector must see through (the assembler is GC-aware) and free.
    import gc
    import weakref

    def make():
        @define
        class Temporary(Command):
            OPCODE = 0xC2
            NAME = "TEMPORARY"
            CDB_LENGTH = 6
            address: int = field(byte=2, width=24)

        assert bytes(Temporary(address=5)) == bytes.fromhex("c2 00 000005 00")
        return weakref.ref(Temporary), weakref.ref(Temporary._fast_call[1])

    cls_ref, construct_ref = make()
    gc.collect()
    assert cls_ref() is None and construct_ref() is None


@needs_speedups
def test_assembler_refuses_what_it_cannot_fill():
    with pytest.raises(TypeError, match="takes a class defined in Python"):
        speedups.assembler(int, ())
    with pytest.raises(TypeError, match="is not a slot"):
        speedups.assembler(Read16, ("encode",))
    with pytest.raises(AttributeError):
        speedups.assembler(Read16, ("no_such_slot",))
    class Other:
        __slots__ = ("a",)

    class Borrower:
        __slots__ = ("own",)
        stolen = Other.__dict__["a"]  # another class's slot: its offset means nothing here

    class Queue(collections.deque):  # tp_new sets up the deque; skipping it would crash
        pass

    with pytest.raises(TypeError, match="Borrower.stolen is a slot of Other"):
        speedups.assembler(Borrower, ("stolen",))
    with pytest.raises(TypeError, match="built on object, Queue is built on collections.deque"):
        speedups.assembler(Queue, ())
    with pytest.raises(ValueError, match="'lba' is named twice"):
        speedups.assembler(Read16, ("lba", "lba"))
    with pytest.raises(TypeError, match="a tuple of slot names"):
        speedups.assembler(Read16, ["lba"])
    assemble = speedups.assembler(Read16, ("lba",))
    assert repr(assemble) == "<sgframe._speedups assembler of Read16, 1 slots>"
    with pytest.raises(TypeError, match="takes 1 positional values, got 2"):
        assemble(1, 2)
    with pytest.raises(TypeError, match="got 1 and keywords"):
        assemble(1, lba=2)
    assert assemble(9).lba == 9


@needs_speedups
def test_install_refuses_classes_it_would_break():
    class WithInit:
        def __init__(self):
            self.ran = True

    WithInit._fast_call = (WithInit.__dict__.get("__new__"), lambda: object.__new__(WithInit))

    class WithoutConstruct:
        pass

    class WithMeta(metaclass=type("Meta", (type,), {})):
        pass

    with pytest.raises(TypeError, match="defines __init__, which the fast call would skip"):
        speedups.install_constructor(WithInit)
    with pytest.raises(TypeError, match=r"WithoutConstruct._fast_call must be \(its __new__, the constructor"):
        speedups.install_constructor(WithoutConstruct)
    with pytest.raises(TypeError, match="WithMeta has a metaclass"):
        speedups.install_constructor(WithMeta)
    with pytest.raises(TypeError, match="takes a class defined in Python"):
        speedups.install_constructor(dict)
    assert not speedups.has_constructor(WithInit)


def test_without_speedups_the_plain_call_does_the_same_work():
    script = (
        "from sgframe import cdb; from sgframe.command import Read16; "
        "cmd = Read16(lba=1024, transfer_length=27, rdprotect=2, dpo=True, fua=True, rarc=True, group_number=19); "
        "print(cdb._speedups is None, cdb.constructor_is_fast(Read16), bytes(cmd).hex())"
    )
    env = dict(os.environ, SGFRAME_NO_SPEEDUPS="1")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False", "885c00000000000004000000001b1300"]
