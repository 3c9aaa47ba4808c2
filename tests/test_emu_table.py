"""The emulated disk's command table (sgframe.emu.table): entries added by key and made at
their first lookup behave as entries added whole."""
from __future__ import annotations

import pytest

from sgframe.emu import builtin
from sgframe.emu.disk import EmulatedDisk
from sgframe.emu.table import NONE, CommandSpec, CommandTable, usage_from_hex
from sgframe.errors import UsageError


def _spec(opcode_sa):
    opcode, sa = opcode_sa
    usage = bytes([opcode, 0xE0 | sa if sa is not None else 0]) + bytes(4)
    return CommandSpec(opcode=opcode, service_action=sa, name=f"X{opcode:02X}", handler=lambda d, r: None,
                       usage=usage, access=NONE)


def test_an_unmade_entry_is_made_once_at_its_first_lookup():
    made = []

    def make(key):
        made.append(key)
        return _spec(key)

    table = CommandTable()
    table.add_unmade(0xC0, None, make, (0xC0, None))
    table.add_unmade(0xC1, 0x03, make, (0xC1, 0x03))
    assert made == [] and table.has_service_actions(0xC1) and not table.has_service_actions(0xC0)
    first = table.lookup(bytes([0xC0, 0, 0, 0, 0, 0]))
    assert made == [(0xC0, None)] and first.name == "XC0"
    assert table.get(0xC0, None) is first and made == [(0xC0, None)]
    assert [s.name for s in table] == ["XC0", "XC1"] and made == [(0xC0, None), (0xC1, 0x03)]


def test_add_replaces_an_unmade_entry_and_remove_forgets_it():
    table = CommandTable()
    table.add_unmade(0xC0, None, _spec, (0xC0, None))
    override = _spec((0xC0, None))
    table.add(override)
    assert table.get(0xC0, None) is override
    table.add_unmade(0xC1, 1, _spec, (0xC1, 1))
    table.remove(0xC1, 1)
    assert table.get(0xC1, 1) is None and not table.has_service_actions(0xC1)
    with pytest.raises(UsageError, match="no command C1h/1 is registered"):
        table.remove(0xC1, 1)


def test_unmade_entries_are_checked_as_added_ones():
    table = CommandTable()
    table.add_unmade(0xC1, 0x02, _spec, (0xC1, 0x02))
    with pytest.raises(UsageError, match="opcode C1h takes a service action"):
        table.add_unmade(0xC1, None, _spec, (0xC1, None))
    with pytest.raises(UsageError, match="service action 32 of opcode C2h is not 0..31"):
        table.add_unmade(0xC2, 32, _spec, (0xC2, 32))
    table.add_unmade(0xC3, None, _spec, (0xC4, None))  # a maker that makes another command
    with pytest.raises(UsageError, match="the entry made for C3h/None is XC4"):
        table.get(0xC3, None)
    bad = CommandSpec(opcode=0xC5, service_action=None, name="BAD", handler=lambda d, r: None,
                      usage=usage_from_hex("c6 00 00 00 00 00"))
    table.add_unmade(0xC5, None, lambda _: bad, None)
    with pytest.raises(UsageError, match="usage data of BAD must start with its opcode"):
        table.get(0xC5, None)


def test_a_disk_makes_only_the_entries_it_is_asked_about():
    builtin._MADE.clear()
    disk = EmulatedDisk()
    assert builtin._MADE == {}
    assert disk.respond(bytes(6)).status == 0  # TEST UNIT READY
    assert [spec.name for spec in builtin._MADE.values()] == ["TEST UNIT READY"]
    names = {spec.name for spec in disk.table}  # REPORT SUPPORTED OPERATION CODES' view: all of them
    assert {"TEST UNIT READY", "READ(16)", "REPORT LUNS", "INQUIRY"} <= names
    assert len(builtin._MADE) == len(names)
    assert EmulatedDisk().table.get(0x00, None) is disk.table.get(0x00, None)  # shared by every disk
