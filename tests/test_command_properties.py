"""Properties every registered command holds, for random valid field values: the compiled
codec and the bitstring reference agree both ways, values round-trip, out-of-range values
are refused by name, and strict decoding refuses reserved bits."""
from __future__ import annotations

import inspect

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sgframe.command
from sgframe.cdb import Command, fields_of
from sgframe.command import REGISTRY, decode_cdb
from sgframe.errors import UsageError

from strategies import cdb_bytes, command_of, commands

CLASSES = sorted(REGISTRY, key=lambda cls: cls.__name__)
FEW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
@FEW
@given(data=st.data())
def test_round_trip_and_reference_codec(cls, data):
    cmd = data.draw(command_of(cls))
    raw = bytes(cmd)
    assert len(raw) == cls.CDB_LENGTH
    assert cmd.encode() == raw
    assert cmd.to_bitstring() == raw
    assert cls.from_bytes(raw, strict=True) == cmd
    assert cls.from_bitstring(raw) == cmd
    assert decode_cdb(raw) == cmd
    for name, _, is_flag in fields_of(cls):
        assert type(getattr(cls.from_bytes(raw), name)) is (bool if is_flag else int)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
@FEW
@given(data=st.data())
def test_decoders_agree_on_arbitrary_bytes(cls, data):
    raw = data.draw(cdb_bytes(cls))
    fast = cls.from_bytes(raw)
    assert fast == cls.from_bitstring(raw)
    # Re-encoding keeps every declared bit and clears the reserved ones.
    expected = bytes(b & ~m & 0xFF for b, m in zip(raw, cls._RESERVED_MASK))
    assert bytes(fast) == expected
    assert fast.to_bitstring() == expected


@given(cmd=commands())
@settings(max_examples=200, deadline=None)
def test_any_command_round_trips_through_decode_cdb(cmd):
    assert decode_cdb(bytes(cmd)) == cmd


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
@FEW
@given(data=st.data())
def test_out_of_range_values_name_the_field(cls, data):
    name, bits, is_flag = data.draw(st.sampled_from(fields_of(cls)))
    if is_flag:
        bad = data.draw(st.sampled_from([2, -1, 0.0, "yes", None]))
    else:
        bad = data.draw(
            st.one_of(
                st.integers(min_value=bits.max + 1, max_value=bits.max * 4 + 4),
                st.integers(max_value=-1),
                st.sampled_from([1.0, "1", None]),
            )
        )
    with pytest.raises(UsageError, match=rf"\b{name}\b"):
        cls(**{name: bad})


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
@FEW
@given(data=st.data())
def test_strict_decoding_rejects_reserved_bits(cls, data):
    reserved = [
        (byte, bit) for byte, mask in enumerate(cls._RESERVED_MASK) for bit in range(8) if mask >> bit & 1
    ]
    if not reserved:
        pytest.skip(f"{cls.__name__} declares every bit of its CDB")
    byte, bit = data.draw(st.sampled_from(reserved))
    raw = bytearray(bytes(data.draw(command_of(cls))))
    raw[byte] |= 1 << bit
    with pytest.raises(UsageError, match=f"byte {byte} "):
        cls.from_bytes(bytes(raw), strict=True)
    with pytest.raises(UsageError, match="reserved"):
        decode_cdb(bytes(raw), strict=True)
    assert bytes(cls.from_bytes(bytes(raw))) == bytes(raw[:byte]) + bytes([raw[byte] & ~(1 << bit)]) + bytes(raw[byte + 1:])


def test_only_the_buffer_commands_declare_every_bit():
    # READ BUFFER's byte 1 is MODE SPECIFIC and MODE (SPC-5): no reserved bit left.
    assert [cls.__name__ for cls in CLASSES if not any(cls._RESERVED_MASK)] == [
        "ReadBuffer10", "ReadBuffer16", "WriteBuffer"]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_wrong_length_and_opcode_are_refused(cls):
    raw = bytes(cls())
    with pytest.raises(UsageError, match=f"{cls.CDB_LENGTH} bytes"):
        cls.from_bytes(raw[:-1])
    with pytest.raises(UsageError, match="not a"):
        cls.from_bytes(bytes([raw[0] ^ 0xFF]) + raw[1:])


def _command_classes_in_package():
    found = set()
    for module in [sgframe.command] + [m for _, m in inspect.getmembers(sgframe.command, inspect.ismodule)]:
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Command) and hasattr(value, "_FIXED"):
                found.add(value)
    return found


#: Command classes the registry cannot hold: one class per opcode there, and these share
#: an opcode with a direct-access command (FORMAT MEDIUM, SSC, is 04h as FORMAT UNIT is).
UNREGISTERED = {"FormatMedium"}


def test_every_command_class_is_registered():
    import sgframe.command.ssc  # noqa: F401  (imported, so the search below sees its classes)

    found = _command_classes_in_package()
    assert len(found) >= 57
    assert {cls.__name__ for cls in found} - {cls.__name__ for cls in REGISTRY} == UNREGISTERED


def test_every_command_class_is_exported():
    exported = set(sgframe.command.__all__)
    assert {cls.__name__ for cls in _command_classes_in_package()} <= exported


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_declaration_conventions(cls):
    names = [name for name, _, _ in fields_of(cls)]
    assert names[-1] == "control" or cls.CDB_LENGTH == 32
    assert "control" in names
    assert cls.__doc__ and "byte" in cls.__doc__ and cls.NAME.split("(")[0] in cls.__doc__
    if cls.LENGTH_FIELD is not None:
        assert cls.LENGTH_FIELD in names
