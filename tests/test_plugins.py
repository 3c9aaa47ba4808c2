"""Loading plugins: the built-in one, entry points, SGFRAME_DISABLE_PLUGINS, broken plugins."""
from __future__ import annotations

import types

import pytest

import sgframe
from sgframe import command, hookimpl, plugins
from sgframe.cli import main
from sgframe.errors import UsageError
from sgframe.plugins import DeviceIdentity, DeviceMatch, PluginManager
from sgframe.registry import CommandRegistry


class FakeEntryPoint:
    def __init__(self, name, load):
        self.name = name
        self.value = f"fake_{name}:plugin"
        self.dist = types.SimpleNamespace(name=f"fake-{name}")
        self._load = load

    def load(self):
        return self._load()


class Plugin(types.SimpleNamespace):
    __hash__ = object.__hash__


def fresh(monkeypatch, *eps):
    # A world of its own: these entry points, and none of the environment's disabling
    # (tox -e noplugins names sat and seagate, which this world does not have).
    monkeypatch.setattr(plugins, "entry_points", lambda group: list(eps) if group == "sgframe" else [])
    monkeypatch.delenv(plugins.DISABLE_VARIABLE, raising=False)
    manager = PluginManager(schemes={}, commands=CommandRegistry())
    from sgframe import builtin

    manager.register(builtin, plugins.BUILTIN, origin="builtin")
    return manager


def good():
    return Plugin(sgframe_bind_devices=hookimpl(lambda: [DeviceMatch("GOOD")]))


def test_builtin_plugin_registers_the_standard_commands_and_schemes(monkeypatch):
    manager = fresh(monkeypatch)
    info = manager.info("builtin")
    assert list(info.commands) == list(command.BUILTIN_COMMANDS)
    assert info.schemes == ["emu", "sg", "bsg", "iscsi"] and info.kinds == ["disk", "zoned"]
    assert info.binding is None
    # The process's manager filled sgframe.command.REGISTRY the same way.
    assert list(command.REGISTRY) == list(command.BUILTIN_COMMANDS)
    assert sgframe.hookimpl is hookimpl


def test_entry_points_load_in_name_order(monkeypatch):
    manager = fresh(monkeypatch, FakeEntryPoint("zeta", good), FakeEntryPoint("alpha", good))
    manager.load_entry_points()
    assert [i.name for i in manager] == ["builtin", "alpha", "zeta"]
    assert manager.info("alpha").origin == "entry point alpha = fake_alpha:plugin [fake-alpha]"
    assert manager.bound(DeviceIdentity("GOOD")) == ["alpha", "zeta"]


def test_disable_variable_blocks_named_plugins(monkeypatch):
    loaded = []
    manager = fresh(monkeypatch, FakeEntryPoint("alpha", lambda: loaded.append("alpha") or good()),
                    FakeEntryPoint("beta", good))
    monkeypatch.setenv("SGFRAME_DISABLE_PLUGINS", " alpha , nosuch,")
    manager.load_entry_points()
    assert loaded == []  # not even imported
    assert [(i.name, i.state) for i in manager] == [("builtin", "loaded"), ("alpha", "disabled"), ("beta", "loaded")]
    assert manager.applicable(DeviceIdentity("GOOD")) == ["builtin", "beta"]
    with pytest.raises(UsageError, match="plugin 'alpha' is disabled, not loaded"):
        manager.applicable(None, ["alpha"])


def test_a_plugin_that_fails_to_import_is_reported_by_name(monkeypatch):
    def broken():
        raise ImportError("No module named 'vendor_sdk'")

    manager = fresh(monkeypatch, FakeEntryPoint("broken", broken), FakeEntryPoint("fine", good))
    with pytest.warns(plugins.PluginWarning, match=r"sgframe plugin 'broken' \(entry point broken = fake_broken:plugin"):
        manager.load_entry_points()
    assert manager.info("broken").state == "failed"
    assert manager.problems == ["broken: cannot import: ImportError: No module named 'vendor_sdk'"]
    assert manager.info("fine").state == "loaded"


def test_a_plugin_whose_registration_fails_leaves_nothing_behind(monkeypatch):
    @hookimpl
    def transports(registry):
        registry.add("half", print)

    @hookimpl
    def kinds(kinds):
        raise RuntimeError("oops")

    manager = fresh(monkeypatch, FakeEntryPoint("half", lambda: Plugin(
        sgframe_register_transports=transports, sgframe_register_emu_kinds=kinds)))
    with pytest.warns(plugins.PluginWarning, match="'half'.*registration failed: RuntimeError: oops"):
        manager.load_entry_points()
    assert manager.info("half").state == "failed"
    assert "half" not in manager._schemes
    assert manager.pm.get_plugin("half") is None


def test_registering_twice_and_unknown_names_are_usage_errors(monkeypatch):
    manager = fresh(monkeypatch)
    manager.register(good(), "twice")
    with pytest.raises(UsageError, match="'twice' is already registered"):
        manager.register(good(), "twice")
    with pytest.raises(UsageError, match="no plugin named 'nope'"):
        manager.unregister("nope")
    with pytest.raises(UsageError, match="no plugin named 'nope'"):
        manager.info("nope")


def test_device_match():
    assert DeviceMatch("seagate").matches(DeviceIdentity("SEAGATE", "ST4000NM0023"))
    assert DeviceMatch("SEAGATE", "ST4*").matches(DeviceIdentity("SEAGATE", "ST4000NM0023"))
    assert not DeviceMatch("SEAGATE", "ST8*").matches(DeviceIdentity("SEAGATE", "ST4000NM0023"))
    assert not DeviceMatch("SEAGATE").matches(DeviceIdentity("SEAGATEX"))
    assert not DeviceMatch("SEAGATE").matches(None)
    with pytest.raises(UsageError, match="1 to 8 characters"):
        DeviceMatch("TOOLONGVENDOR")


def test_identity_from_inquiry_bytes_and_channel_cache():
    raw = bytes((0, 0, 6, 2, 31, 0, 0, 0)) + b"ACME    " + b"ROCKET          " + b"0042"
    assert DeviceIdentity.from_inquiry(raw) == DeviceIdentity("ACME", "ROCKET", "0042")
    assert str(DeviceIdentity("ACME", "ROCKET", "0042")) == "ACME ROCKET 0042"
    with sgframe.Channel.open("emu:disk?vendor=ACME&product=ROCKET") as channel:
        first = channel.identity
        assert first == DeviceIdentity("ACME", "ROCKET", "0001")
        channel.transport.device.vendor = "CHANGED"
        assert channel.identity is first
        channel.forget_identity()
        assert channel.identity.vendor_identification == "CHANGED"


def test_cli_plugins_lists_a_broken_plugin(monkeypatch, capsys):
    manager = plugins.manager()
    with pytest.warns(plugins.PluginWarning):
        manager._fail(plugins.PluginInfo(name="kaputt", origin="entry point kaputt = kaputt:plugin"),
                      "cannot import: ImportError: gone")
    try:
        assert main(["plugins"]) == 0
        out = capsys.readouterr().out
        assert "  kaputt     failed   entry point kaputt = kaputt:plugin\n    problem: cannot import: ImportError: gone\n" in out
        assert "  builtin    loaded   builtin; binds to every device\n" in out
    finally:
        manager.unregister("kaputt")


@pytest.mark.parametrize("group", ["sgframe", "console_scripts", "pytest11", "distutils.commands"])
def test_entry_points_are_read_as_importlib_metadata_reads_them(group):
    # sgframe reads entry_points.txt itself (importlib.metadata costs ~28 ms to import);
    # on this interpreter it must find what importlib.metadata finds.
    import importlib.metadata

    from sgframe._compat import entry_points

    ours = [(ep.name, ep.value) for ep in entry_points(group=group)]
    found = importlib.metadata.entry_points()
    theirs = found.select(group=group) if hasattr(found, "select") else found.get(group, [])
    # Python 3.9 lists a distribution once per place it is found; the set compares content.
    assert sorted(ours) == sorted(set(ours)) and set(ours) == {(ep.name, ep.value) for ep in theirs}
    if hasattr(found, "select"):
        assert sorted(ep.dist.name for ep in entry_points(group=group)) == sorted(ep.dist.name for ep in theirs)


def _odd_plugin_module() -> types.ModuleType:
    """A plugin module holding every kind of name pluggy meets in a namespace."""
    module = types.ModuleType("odd_plugin")

    @hookimpl
    def sgframe_register_commands(registry):
        pass

    @hookimpl(trylast=True)
    def renamed(sense, device):
        return None

    renamed_impl = renamed

    class Holder:
        @hookimpl
        def sgframe_bind_devices(self):
            return []

    def not_a_hook():
        pass

    module.__dict__.update(
        sgframe_register_commands=sgframe_register_commands, sgframe_interpret_sense=renamed_impl,
        not_a_hook=not_a_hook, Holder=Holder, CONSTANT=3, submodule=types, bound=Holder().sgframe_bind_devices,
        static=staticmethod(sgframe_register_commands), cls_method=classmethod(sgframe_register_commands),
    )
    return module


@pytest.mark.parametrize("namespace", ["builtin", "hookspecs", "odd"])
def test_module_hooks_are_found_as_pluggy_finds_them(namespace):
    # The manager reads a module's hooks from its __dict__ (plugins._module_marker)
    # instead of pluggy's getattr_static walk: every name must get pluggy's own answer.
    import pluggy

    from sgframe import builtin, hookspecs

    module = {"builtin": builtin, "hookspecs": hookspecs, "odd": _odd_plugin_module()}[namespace]
    ours, theirs = plugins._Pluggy("sgframe"), pluggy.PluginManager("sgframe")
    names = dir(module)
    assert [ours.parse_hookimpl_opts(module, n) for n in names] == [theirs.parse_hookimpl_opts(module, n) for n in names]
    assert [ours.parse_hookspec_opts(module, n) for n in names] == [theirs.parse_hookspec_opts(module, n) for n in names]
    found = [n for n in names if ours.parse_hookimpl_opts(module, n) is not None]
    if namespace == "odd":
        assert found == ["bound", "cls_method", "sgframe_interpret_sense", "sgframe_register_commands", "static"]
    elif namespace == "builtin":
        assert "sgframe_register_commands" in found and "hookimpl" not in found
    else:
        assert len([n for n in names if ours.parse_hookspec_opts(module, n) is not None]) >= 10
