"""The compiled-codec cache (sgframe._code_cache): used for exactly the source it holds,
written as .pyc files are written, and harmless when broken."""
from __future__ import annotations

import importlib
import marshal
import sys
import textwrap

import pytest

from sgframe import _code_cache

SOURCE = "def f():\n    return 42\n"


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """A module file under tmp_path, the process's cache forgotten, writing allowed, and
    ``compiles`` counting the real compilations."""
    monkeypatch.setattr(_code_cache, "_LOADED", {})
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    compiles = []

    def counting(source, filename, mode):
        compiles.append(filename)
        return compile(source, filename, mode)

    monkeypatch.setattr(_code_cache, "compile", counting, raising=False)
    module_file = tmp_path / "commands.py"
    module_file.write_text("# declares commands\n")
    cache = tmp_path / "__pycache__" / f"commands.{sys.implementation.cache_tag}.codecs"
    return str(module_file), cache, compiles


def _run(code):
    namespace = {}
    exec(code, namespace)
    return namespace["f"]()


def test_a_second_process_takes_the_code_from_the_file(fresh, monkeypatch):
    module_file, cache, compiles = fresh
    code = _code_cache.compile_cached(SOURCE, "<gen A>", module_file, "A")
    assert _run(code) == 42 and compiles == ["<gen A>"]
    version, entries = marshal.loads(cache.read_bytes())
    assert version == sys.version and entries["<gen A>"][0] == SOURCE
    monkeypatch.setattr(_code_cache, "_LOADED", {})  # as a new process starts
    again = _code_cache.compile_cached(SOURCE, "<gen A>", module_file, "A")
    assert compiles == ["<gen A>"]  # not compiled again
    assert _run(again) == 42 and again.co_filename == "<gen A>"


def test_changed_source_is_compiled_and_replaces_the_entry(fresh, monkeypatch):
    module_file, cache, compiles = fresh
    _code_cache.compile_cached(SOURCE, "<gen A>", module_file, "A")
    monkeypatch.setattr(_code_cache, "_LOADED", {})
    changed = SOURCE.replace("42", "43")
    assert _run(_code_cache.compile_cached(changed, "<gen A>", module_file, "A")) == 43
    assert compiles == ["<gen A>", "<gen A>"]
    assert marshal.loads(cache.read_bytes())[1]["<gen A>"][0] == changed


def test_entries_of_other_classes_and_writers_are_kept(fresh, monkeypatch):
    module_file, cache, _ = fresh
    _code_cache.compile_cached(SOURCE, "<gen A>", module_file, "A")
    monkeypatch.setattr(_code_cache, "_LOADED", {})
    _code_cache.compile_cached(SOURCE, "<gen B>", module_file, "B")
    assert set(marshal.loads(cache.read_bytes())[1]) == {"<gen A>", "<gen B>"}


@pytest.mark.parametrize("content", [b"", b"garbage", marshal.dumps(("2.7.18 (other)", {})), marshal.dumps(42),
                                     marshal.dumps((sys.version, {"<gen A>": ("x", "not code")}))])
def test_an_unreadable_or_foreign_file_is_ignored_and_rewritten(fresh, content):
    module_file, cache, compiles = fresh
    cache.parent.mkdir()
    cache.write_bytes(content)
    assert _run(_code_cache.compile_cached(SOURCE, "<gen A>", module_file, "A")) == 42
    assert compiles == ["<gen A>"]
    assert marshal.loads(cache.read_bytes())[1]["<gen A>"][0] == SOURCE


def test_nothing_is_written_under_dont_write_bytecode(fresh, monkeypatch):
    module_file, cache, compiles = fresh
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert _run(_code_cache.compile_cached(SOURCE, "<gen A>", module_file, "A")) == 42
    assert not cache.exists()


@pytest.mark.parametrize("module_file, qualname", [(None, "A"), ("module.pyc", "A"), ("<string>", "A"),
                                                   ("commands.py", "test.<locals>.A")])
def test_no_file_for_classes_without_a_source_module_or_defined_in_functions(fresh, module_file, qualname):
    real_file, cache, compiles = fresh
    if module_file == "commands.py":
        module_file = real_file
    assert _run(_code_cache.compile_cached(SOURCE, "<gen A>", module_file, qualname)) == 42
    assert not cache.exists() and compiles == ["<gen A>"]


def test_a_read_only_cache_directory_is_not_an_error(fresh):
    module_file, cache, compiles = fresh
    cache.parent.mkdir()
    cache.parent.chmod(0o500)
    try:  # (root writes there anyway: then this shows only that nothing is left behind)
        assert _run(_code_cache.compile_cached(SOURCE, "<gen A>", module_file, "A")) == 42
    finally:
        cache.parent.chmod(0o700)
    assert not list(cache.parent.glob("*.tmp"))


def test_a_command_module_gets_its_codecs_cached(fresh, monkeypatch, tmp_path):
    module_file, cache, compiles = fresh
    (tmp_path / "commands.py").write_text(textwrap.dedent("""
        from sgframe.cdb import Command, define, field

        @define
        class Probe(Command):
            OPCODE = 0xC5
            NAME = "PROBE"
            CDB_LENGTH = 6
            lba: int = field(byte=1, width=16)
            control: int = field(byte=5)
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "commands", raising=False)
    module = importlib.import_module("commands")
    assert bytes(module.Probe(lba=0x1234)) == bytes.fromhex("c51234000000")
    entries = marshal.loads(cache.read_bytes())[1]
    assert list(entries) == ["<sgframe codec commands.Probe>"]
    assert "def __new__" in entries["<sgframe codec commands.Probe>"][0]
