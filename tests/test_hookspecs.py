"""One test per hookspec, through a test plugin registered in the process's manager; a
parametrized test fails for a hookspec that has none."""
from __future__ import annotations

import inspect
import sys
import types

import pytest

from sgframe import Channel, errors, hookimpl, hookspecs, plugins
from sgframe.cdb import Command, Direction, define, field
from sgframe.cli import main
from sgframe.cli.base import Subcommand
from sgframe.emu import EmulatedDisk
from sgframe.emu.uri import KINDS, integer
from sgframe.plugins import ACCEPT, DeviceIdentity, DeviceMatch, Interpretation
from sgframe.sense import build_descriptor_sense, build_fixed_sense, decode_sense
from sgframe.transport import SCHEMES
from sgframe.transport.emu import EmuTransport

HOOKSPECS = sorted(name for name, f in inspect.getmembers(hookspecs, inspect.isfunction)
                   if name.startswith("sgframe_"))
ACME = DeviceIdentity("ACME", "ROCKET", "0001")
OTHER = DeviceIdentity("SGFRAME", "EMU DISK", "0001")


@pytest.fixture
def install():
    """Register plugin objects in the process's manager for one test."""
    names = []

    def add(plugin, name):
        info = plugins.register(plugin, name)
        names.append(name)
        assert info.state == "loaded", info.problems
        return info

    yield add
    present = {info.name for info in plugins.manager()}
    for name in names:
        if name in present:
            plugins.unregister(name)


class _Plugin(types.SimpleNamespace):
    # pluggy keeps plugins in sets: a plugin object must be hashable, as modules are.
    __hash__ = object.__hash__


def namespace(**functions):
    return _Plugin(**{k: hookimpl(v) if not hasattr(v, "sgframe_impl") else v
                                    for k, v in functions.items()})


@define
class AcmeLaunch(Command):
    """ACME LAUNCH: a vendor command in the vendor-specific opcode range (C0h)."""

    OPCODE = 0xC0
    NAME = "ACME LAUNCH"
    CDB_LENGTH = 10
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    countdown: int = field(byte=2)
    allocation_length: int = field(byte=7, width=16, default=4)


def acme_bound():
    return [DeviceMatch("ACME")]


def test_every_hookspec_is_prefixed_typed_and_documented():
    assert HOOKSPECS, "no hookspecs found"
    for name in HOOKSPECS:
        spec = getattr(hookspecs, name)
        assert spec.sgframe_spec is not None
        assert "return" in spec.__annotations__
        params = [p for p in inspect.signature(spec).parameters]
        for param in params:
            assert param in spec.__annotations__, f"{name}.{param} has no type"
            assert f":param {param}:" in spec.__doc__, f"{name} does not document {param}"


@pytest.mark.parametrize("name", HOOKSPECS)
def test_every_hookspec_has_a_test(name):
    tests = {n for n in dir(sys.modules[__name__]) if n.startswith("test_hook_")}
    assert f"test_hook_{name}" in tests, f"hookspec {name} has no test_hook_{name}"


def test_hook_sgframe_bind_devices(install):
    info = install(namespace(sgframe_bind_devices=lambda: [DeviceMatch("acme", "ROCK*")]), "acme")
    assert info.binding == (DeviceMatch("acme", "ROCK*"),)
    manager = plugins.manager()
    assert manager.bound(ACME) == ["acme"]
    assert manager.bound(DeviceIdentity("ACME", "PAPER")) == []
    assert manager.bound(OTHER) == []
    assert "acme" not in manager.applicable(OTHER)
    assert "acme" in manager.applicable(OTHER, ["acme"])


def test_hook_sgframe_bind_devices_rejects_what_is_not_a_match():
    with pytest.warns(plugins.PluginWarning, match="'liar'.*not a DeviceMatch"):
        info = plugins.register(namespace(sgframe_bind_devices=lambda: ["ACME"]), "liar")
    try:
        assert info.state == "failed"
    finally:
        plugins.unregister("liar")


def test_hook_sgframe_register_commands(install):
    install(namespace(sgframe_bind_devices=acme_bound,
                      sgframe_register_commands=lambda registry: registry.add(AcmeLaunch)), "acme")
    assert list(plugins.manager().info("acme").commands) == [AcmeLaunch]
    assert AcmeLaunch not in plugins.manager().info("builtin").commands
    acme = Channel.open("emu:disk?vendor=ACME&product=ROCKET")
    other = Channel.open("emu:disk")
    try:
        sender = acme.cmd.AcmeLaunch
        # The emulated disk has no C0h: the command was built and sent, and refused.
        with pytest.raises(errors.IllegalRequest) as failure:
            sender(countdown=3)
        assert bytes(failure.value.io.command) == bytes.fromhex("c0 00 03 00 00 00 00 00 04 00")
        assert "AcmeLaunch" in dir(acme.cmd)
        with pytest.raises(AttributeError, match="plugin 'acme', which is not bound to SGFRAME EMU DISK"):
            other.cmd.AcmeLaunch
        assert "AcmeLaunch" not in dir(other.cmd)
        assert plugins.manager().decode_cdb(bytes(AcmeLaunch(countdown=3)), ACME) == AcmeLaunch(countdown=3)
        with pytest.raises(errors.UsageError):
            plugins.manager().decode_cdb(bytes(AcmeLaunch(countdown=3)), OTHER)
    finally:
        acme.close()
        other.close()


def _vendor_asc(sense, device):
    if sense.asc >= 0x80:
        return Interpretation(f"ACME fuel low ({sense.ascq})")
    return None


def test_hook_sgframe_interpret_sense(install):
    install(namespace(sgframe_bind_devices=acme_bound, sgframe_interpret_sense=_vendor_asc), "acme")
    manager = plugins.manager()
    vendor = decode_sense(build_fixed_sense(0x4, 0x80, 0x07))
    assert manager.interpret_sense(vendor, ACME).text == "ACME fuel low (7)"
    # Not an ACME device: only unbound plugins (and the built-in's standard text) answer.
    assert manager.interpret_sense(vendor, OTHER).text == vendor.asc_text
    assert manager.interpret_sense(vendor, OTHER, ["acme"]).text == "ACME fuel low (7)"
    standard = build_fixed_sense(0x3, 0x11, 0x00)
    assert manager.interpret_sense(standard, ACME).text == "Unrecovered read error"


def test_hook_sgframe_interpret_sense_vendor_descriptor_first_answer_wins(install):
    def descriptor(sense, device):
        found = [d for d in sense.descriptors if d.descriptor_type == 0x80]
        return Interpretation(f"ACME descriptor {found[0].data.hex()}") if found else None

    install(namespace(sgframe_interpret_sense=descriptor), "first")
    install(namespace(sgframe_interpret_sense=lambda sense, device: Interpretation("never")), "second")
    raw = build_descriptor_sense(0x4, 0x44, 0x00, descriptors=[bytes((0x80, 2, 0xBE, 0xEF))])
    # pluggy calls the most recently registered first: "second" answers for everything.
    assert plugins.manager().interpret_sense(raw, OTHER).text == "never"
    plugins.unregister("second")
    assert plugins.manager().interpret_sense(raw, OTHER).text == "ACME descriptor beef"


def test_hook_sgframe_decode_vpd_page(install):
    def decoder(page_code, data, device):
        return ("acme vpd", data[4:]) if page_code == 0xC0 else None

    install(namespace(sgframe_bind_devices=acme_bound, sgframe_decode_vpd_page=decoder), "acme")
    manager = plugins.manager()
    page = bytes((0, 0xC0, 0, 2, 0xAB, 0xCD))
    assert manager.decode_vpd_page(page, ACME) == ("acme vpd", b"\xab\xcd")
    assert type(manager.decode_vpd_page(page, OTHER)).__name__ == "UnknownVpdPage"
    serial = bytes((0, 0x80, 0, 3)) + b"XYZ"
    assert manager.decode_vpd_page(serial, ACME).product_serial_number == "XYZ"


def test_hook_sgframe_decode_mode_page(install):
    def decoder(page_code, subpage_code, data, device):
        return ("acme mode", page_code, subpage_code) if page_code == 0x20 else None

    install(namespace(sgframe_bind_devices=acme_bound, sgframe_decode_mode_page=decoder), "acme")
    manager = plugins.manager()
    assert manager.decode_mode_page(bytes((0x60, 0x05, 0, 2, 1, 2)), ACME) == ("acme mode", 0x20, 0x05)
    assert manager.decode_mode_page(bytes((0x20, 2, 1, 2)), ACME) == ("acme mode", 0x20, 0)
    assert type(manager.decode_mode_page(bytes((0x20, 2, 1, 2)), OTHER)).__name__ == "UnknownModePage"


def test_hook_sgframe_decode_log_page(install):
    def decoder(page_code, subpage_code, data, device):
        return ("acme log", page_code) if page_code == 0x30 else None

    install(namespace(sgframe_bind_devices=acme_bound, sgframe_decode_log_page=decoder), "acme")
    manager = plugins.manager()
    page = bytes((0x30, 0, 0, 0))
    assert manager.decode_log_page(page, ACME) == ("acme log", 0x30)
    assert manager.decode_log_page(page, OTHER).page_code == 0x30
    assert manager.decode_log_page(page, OTHER).page_name == "vendor specific"


def test_hook_sgframe_decode_log_page_a_raising_plugin_is_skipped_and_reported(install):
    def broken(page_code, subpage_code, data, device):
        raise ZeroDivisionError("plugin bug")

    install(namespace(sgframe_decode_log_page=broken), "broken")
    with pytest.warns(plugins.PluginWarning, match="'broken': sgframe_decode_log_page raised"):
        page = plugins.manager().decode_log_page(bytes((0x0D, 0, 0, 0)), OTHER)
    assert page.page_code == 0x0D
    assert plugins.manager().info("broken").problems == [
        "sgframe_decode_log_page raised ZeroDivisionError: plugin bug"]


def test_hook_sgframe_register_transports(install):
    def opener(rest, **options):
        return EmuTransport(EmulatedDisk(blocks=int(rest.partition("=")[2])), name="loop:" + rest)

    info = install(namespace(sgframe_register_transports=lambda registry: registry.add("loop", opener)), "loop")
    assert info.schemes == ["loop"] and SCHEMES["loop"] is opener
    with Channel.open("loop:blocks=100") as channel:
        assert channel.cmd.ReadCapacity10().result.returned_lba == 99
    plugins.unregister("loop")
    assert "loop" not in SCHEMES
    with pytest.raises(errors.UsageError, match="unknown transport 'loop'"):
        Channel.open("loop:blocks=100")


def test_hook_sgframe_register_transports_refuses_a_taken_scheme():
    with pytest.warns(plugins.PluginWarning, match="'thief'.*scheme 'sg' is already registered"):
        info = plugins.register(namespace(sgframe_register_transports=lambda registry: registry.add("sg", print)), "thief")
    try:
        assert info.state == "failed" and SCHEMES["sg"] is not print
    finally:
        plugins.unregister("thief")


def test_hook_sgframe_register_subcommands(install, capsys):
    def run(args):
        print(f"hello {args.who}")
        return 0

    hello = Subcommand(name="hello", help="greet", add_arguments=lambda p: p.add_argument("who"), run=run)
    install(namespace(sgframe_register_subcommands=lambda registry: registry.add(hello)), "greeter")
    assert main(["hello", "world"]) == 0
    assert capsys.readouterr().out == "hello world\n"
    assert main(["plugins", "--json"]) == 0
    assert '"origin": "plugin greeter"' in capsys.readouterr().out


def test_hook_sgframe_register_emu_kinds(install):
    info = install(namespace(sgframe_register_emu_kinds=lambda kinds: kinds.add(
        "tinydisk", lambda blocks=8: EmulatedDisk(blocks=blocks), {"blocks": integer})), "tiny")
    assert info.kinds == ["tinydisk"]
    with Channel.open("emu:tinydisk?blocks=16") as channel:
        assert channel.cmd.ReadCapacity10().result.returned_lba == 15
    plugins.unregister("tiny")
    assert "tinydisk" not in KINDS and "disk" in KINDS


def test_hook_sgframe_emulate_commands(install):
    seen = []

    def emulate(disk, kind):
        seen.append((disk.vendor, kind))
        disk.register(0xC0, None, lambda d, request: bytes((request.cdb[2], 0, 0, 0)), name="ACME LAUNCH")

    install(namespace(sgframe_bind_devices=acme_bound, sgframe_register_commands=lambda registry: registry.add(AcmeLaunch),
                      sgframe_emulate_commands=emulate), "acme")
    with Channel.open("emu:disk?vendor=ACME") as channel:
        assert channel.cmd.AcmeLaunch(countdown=9).data == bytes((9, 0, 0, 0))
    with Channel.open("emu:zoned?vendor=NOTACME") as channel:
        with pytest.raises(errors.IllegalRequest):
            channel.execute(AcmeLaunch(countdown=9))
    assert seen == [("ACME", "disk")]


def test_hook_sgframe_judge_response(install):
    judge = plugins.manager()  # the manager publishes the hook channels call (or None)

    seen = []

    # First answer wins: an observer runs first (tryfirst) and answers None.
    @hookimpl(tryfirst=True)
    def observe(io, outcome):
        seen.append((io.command.NAME, type(outcome).__name__ if outcome else None))

    def forgive(io, outcome):
        if isinstance(outcome, errors.IllegalRequest) and io.command.OPCODE == 0xC0:
            return ACCEPT
        return None

    assert judge.judge_hook is None
    install(namespace(sgframe_judge_response=observe), "observer")
    assert judge.judge_hook is not None
    with Channel.open("emu:disk") as channel:
        channel.cmd.TestUnitReady()
        with pytest.raises(errors.IllegalRequest):
            channel.execute(AcmeLaunch())
        install(namespace(sgframe_judge_response=forgive), "forgiver")
        io = channel.execute(AcmeLaunch())
        assert io.ok and io.exception is None and io.sense.asc == 0x20
    assert seen == [("TEST UNIT READY", None), ("ACME LAUNCH", "IllegalRequest"), ("ACME LAUNCH", "IllegalRequest")]
    plugins.unregister("forgiver")
    plugins.unregister("observer")
    assert judge.judge_hook is None


def test_hook_sgframe_judge_response_wrapper_and_raising(install):
    class Refused(Exception):
        pass

    @hookimpl(wrapper=True)
    def wrap(io, outcome):
        answer = yield
        return Refused(io.command.NAME) if answer is None and outcome is None else answer

    install(namespace(sgframe_judge_response=wrap), "strict")
    with Channel.open("emu:disk") as channel:
        with pytest.raises(Refused, match="TEST UNIT READY"):
            channel.cmd.TestUnitReady()


@pytest.mark.parametrize("uri, expected", [
    ("emu:disk", ("emu", "disk")),
    ("iscsi://127.0.0.1/iqn.x/0", ("iscsi", "//127.0.0.1/iqn.x/0")),
    ("my-vendor.v2+x:rest:with:colons", ("my-vendor.v2+x", "rest:with:colons")),
    ("emu:", ("emu", "")),
    ("0:0:0:0", None),            # H:C:T:L: not a scheme (starts with a digit)
    ("sg:0:0:0", None),           # a colon followed by a digit is an H:C:T:L's, not a URI's
    ("Emu:disk", None),           # schemes are lower case
    ("/dev/sg0", None),
    ("/dev/bsg/0:0:0:0", None),
    ("ém:disk", None),            # ASCII only
    ("emu disk:x", None),
    ("", None),
])
def test_split_scheme(uri, expected):
    from sgframe.transport.opening import is_scheme, split_scheme

    assert split_scheme(uri) == expected
    if expected:
        assert is_scheme(expected[0])


@pytest.mark.parametrize("name, ok", [("iscsi", True), ("a", True), ("x-1.2+y", True), ("", False), ("1x", False),
                                      ("Iscsi", False), ("a b", False), ("a:", False), (None, False), (b"emu", False)])
def test_is_scheme(name, ok):
    from sgframe.transport.opening import is_scheme

    assert is_scheme(name) is ok
