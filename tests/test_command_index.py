"""The command index (sgframe/command/_index.py) against the command modules themselves,
and the registry's on-demand import of the module a command lives in."""
from __future__ import annotations

import subprocess
import sys
from importlib import import_module

import pytest

from sgframe.command import _index
from sgframe.cdb import Command, define, field
from sgframe.errors import UsageError
from sgframe.registry import CommandRegistry


def _declared_rows():
    for module in _index.MODULES:
        found = import_module(f"sgframe.command.{module}")
        for cls in found.COMMANDS:
            yield (module, cls.__name__, cls.NAME, cls.OPCODE, cls.SERVICE_ACTION)


def test_index_lists_every_command_of_every_module_in_registry_order():
    declared = list(_declared_rows())
    if declared != list(_index.COMMANDS):
        missing = [row for row in declared if row not in _index.COMMANDS]
        stale = [row for row in _index.COMMANDS if row not in declared]
        rows = "\n".join(f'    ("{m}", "{c}", "{n}", 0x{o:02X}, {"None" if sa is None else f"0x{sa:02X}"}),'
                         for m, c, n, o, sa in declared)
        pytest.fail(f"sgframe/command/_index.py is stale: missing {missing}, stale {stale}; "
                    f"its COMMANDS rows should be:\n{rows}")


def test_index_names_every_other_public_name():
    for module in _index.MODULES:
        found = import_module(f"sgframe.command.{module}")
        others = {name for name in found.__all__ if getattr(found, name) not in found.COMMANDS}
        assert others == {n for n, m in _index.OTHER_NAMES.items() if m == module}, module


def test_naming_one_command_imports_only_its_module():
    code = ("import sys, sgframe.command as c; c.TestUnitReady; c.REGISTRY.by_name('READ(16)');"
            "print(sorted(m for m in sys.modules if m.startswith('sgframe.command.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['sgframe.command._index', 'sgframe.command.rw', 'sgframe.command.spc']"


def test_lazy_registry_finds_by_name_opcode_and_cdb():
    registry = CommandRegistry()
    registry.add_indexed("sgframe.command", _index.COMMANDS)
    from sgframe.command.rw import Read16
    from sgframe.command.reservations import PersistentReserveIn

    assert len(registry) == len(_index.COMMANDS)
    assert registry.by_name("read(16)") is Read16
    assert registry.lookup(0x88) is Read16
    assert registry.lookup(0x5E, 0x01) is PersistentReserveIn  # stands in for its service actions
    decoded = registry.decode_cdb(bytes(Read16(lba=7, transfer_length=2)))
    assert (type(decoded), decoded.lba, decoded.transfer_length) == (Read16, 7, 2)
    assert Read16 in registry
    assert [cls.__name__ for cls in registry] == [row[1] for row in _index.COMMANDS]


def test_adding_a_class_again_or_its_row_again_does_nothing():
    registry = CommandRegistry()
    registry.add_indexed("sgframe.command", _index.COMMANDS)
    from sgframe.command.spc import Inquiry

    assert registry.add(Inquiry) is Inquiry  # before and after resolving
    assert registry.add(Inquiry) is Inquiry
    registry.add_indexed("sgframe.command", _index.COMMANDS)
    assert len(registry) == len(_index.COMMANDS)


def test_a_clash_with_an_unimported_row_names_both():
    registry = CommandRegistry()
    registry.add_indexed("sgframe.command", _index.COMMANDS)

    @define
    class NotInquiry(Command):
        OPCODE = 0x12
        NAME = "NOT INQUIRY"
        CDB_LENGTH = 6
        allocation_length = field(3, width=16)
        control = field(5)

    with pytest.raises(UsageError, match=r"opcode 12h already belongs to sgframe\.command\.identity\.Inquiry \(INQUIRY\)"):
        registry.add(NotInquiry)


def test_a_stale_row_is_named_when_resolved():
    registry = CommandRegistry()
    registry.add_indexed("sgframe.command", [("spc", "Inquiry", "INQUIRY", 0x13, None)])
    with pytest.raises(UsageError, match="the command index is stale"):
        registry.lookup(0x13)


def test_threads_looking_up_the_same_unimported_command_all_get_the_class():
    import threading

    registry = CommandRegistry()
    registry.add_indexed("sgframe.command", _index.COMMANDS)
    start = threading.Barrier(8)
    found = []

    def look():
        start.wait()
        found.append(registry.by_name("WRITE SAME(16)"))

    threads = [threading.Thread(target=look) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    from sgframe.command.rw import WriteSame16

    assert found == [WriteSame16] * 8
    assert [cls.__name__ for cls in registry] == [row[1] for row in _index.COMMANDS]
