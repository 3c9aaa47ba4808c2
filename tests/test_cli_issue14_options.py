"""Issue 14's remaining sg3_utils options: --readonly, sg_ses --eiioe/--warn, sg_zone's
element operations, sg_start --fl/--old, the obsolete bits, sg_format's options, sg_vpd's
options on ``inq``, and the SES-1 array status page. Each asserts the CDB and parameter
bytes sent (or the open flags), and what is printed."""
from __future__ import annotations

import json
import os

import pytest

from sgframe.channel import Channel
from sgframe.cli import main
from sgframe.emu import EmulatedDisk
from sgframe.emu.uri import KINDS
from sgframe.errors import UsageError
from sgframe.transport import opening


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def disk(monkeypatch) -> EmulatedDisk:
    shared = EmulatedDisk(blocks=1024)
    monkeypatch.setitem(KINDS, "o14", (lambda **_: shared, {}))
    return shared


@pytest.fixture
def sent(monkeypatch) -> list:
    """Every CDB and data-out buffer a channel executes, as (cdb bytes, data bytes or None)."""
    seen: list = []
    original = Channel.execute

    def spy(self, command, *args, **kwargs):
        data = getattr(command, "data", None)
        seen.append((bytes(command), None if data is None else bytes(data)))
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(Channel, "execute", spy)
    return seen


# --- 1. --readonly --------------------------------------------------------------------------

@pytest.fixture
def opened(monkeypatch) -> list:
    """The options each Channel.open receives (the device is then opened as asked)."""
    calls: list = []
    original = Channel.open.__func__

    def spy(cls, uri, **options):
        calls.append(dict(options))
        return original(cls, uri, **options)

    monkeypatch.setattr(Channel, "open", classmethod(spy))
    return calls


@pytest.mark.parametrize("argv", [
    ("rtpg", "-R"), ("lba-status", "-R"), ("zones", "-R"), ("start", "-r"), ("read-buffer", "-R"),
    ("rtpg", "--readonly"), ("start", "--readonly"),
])
def test_readonly_reaches_channel_open(capsys, opened, disk, argv):
    name, flag = argv
    run(capsys, name, "emu:o14", flag)
    assert opened and opened[-1]["read_only"] is True


def test_without_readonly_the_device_opens_read_write(capsys, opened, disk):
    run(capsys, "rtpg", "emu:o14")
    assert opened[-1]["read_only"] is False


def test_channel_open_passes_read_only_to_the_opener_only_when_asked(monkeypatch):
    got: list = []

    def opener(rest, **options):
        got.append(options)
        return opening.BUILTIN_SCHEMES["emu"]("disk")

    monkeypatch.setitem(opening.BUILTIN_SCHEMES, "fake", opener)
    monkeypatch.setattr("sgframe.plugins.PluginManager.open_transport",
                        lambda self, uri, **o: opening.open_transport(uri, schemes=opening.BUILTIN_SCHEMES, **o))
    Channel.open("fake:x", read_only=True).close()
    Channel.open("fake:x").close()
    assert got == [{"read_only": True}, {}]


def test_read_only_must_be_a_bool():
    with pytest.raises(UsageError, match="read_only= takes True or False"):
        Channel.open("emu:disk", read_only="yes")


def test_emu_accepts_read_only():
    with Channel.open("emu:disk", read_only=True) as channel:
        assert channel.name == "emu:disk"


@pytest.mark.parametrize("read_only, mode", [(True, os.O_RDONLY), (False, os.O_RDWR)])
def test_sg_opener_opens_the_node_read_only(monkeypatch, tmp_path, read_only, mode):
    """_open_sg hands read_only to SgTransport, which opens the node with O_RDONLY."""
    import fcntl

    from sgframe.linux import sysfs
    from sgframe.linux.sysfs import DeviceNodes
    from sgframe.transport import sg as sgmod

    node = tmp_path / "sg9"
    node.write_bytes(b"")
    modes: list = []

    def watch(path, **kw):
        fd = os.open(path, (os.O_RDONLY if kw.get("read_only") else os.O_RDWR) | os.O_CLOEXEC)
        modes.append(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE)
        return fd

    nodes = DeviceNodes(hctl="9:0:0:0", sg=str(node), block=None, bsg=None, scsi_type=0, vendor="", model="",
                        rev="", size_bytes=None)
    monkeypatch.setattr(sysfs, "resolve", lambda rest: nodes)
    monkeypatch.setattr(sgmod, "open_sg", watch)
    monkeypatch.setattr(sgmod, "_host_limit", lambda name: 1 << 20)
    options = {"read_only": True} if read_only else {}
    transport = opening.BUILTIN_SCHEMES["sg"](str(node), **options)
    try:
        assert modes == [mode]
        assert transport._read_only is read_only
    finally:
        transport.close()
