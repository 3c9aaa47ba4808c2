"""Safe by default, exit codes, progress bar and output helpers of the command line."""
from __future__ import annotations

import io
import json

import pytest

from sgframe.judge import exception_for
from sgframe import errors
from sgframe.channel import Channel
from sgframe.cli import exitcodes, main
from sgframe.cli import device as cli_device
from sgframe.cli import safety
from sgframe.cli.output import hexdump, to_jsonable
from sgframe.cli.progress import Progress
from sgframe.cli.raw import medium_effect
from sgframe.emu import EmulatedDisk
from sgframe.emu.uri import KINDS
from sgframe.linux.sysfs import DeviceNodes
from sgframe.sense import build_fixed_sense
from sgframe.sense.keys import SenseKey

NODES = DeviceNodes(hctl="0:0:0:0", sg="/dev/sg0", block="/dev/sda", bsg="/dev/bsg/0:0:0:0", scsi_type=0,
                    vendor="Linux", model="scsi_debug", rev="0191", size_bytes=1 << 26)
MOUNTED = "/dev/sda1 is mounted on /mnt (ext2)"


@pytest.fixture
def in_use_disk(monkeypatch):
    """/dev/sg0 resolves to a disk with a mounted filesystem, and opens an emulated disk."""
    disk = EmulatedDisk(blocks=64)
    monkeypatch.setitem(KINDS, "safety", (lambda **_: disk, {}))
    asked = []

    def resolve(device):
        asked.append(device)
        return NODES

    monkeypatch.setattr(safety, "resolve", resolve)
    monkeypatch.setattr(safety, "in_use", lambda nodes: [MOUNTED] if nodes is NODES else [])

    class FakeChannel:
        @staticmethod
        def open(device, **options):
            assert device == "/dev/sg0"
            return Channel.open("emu:safety", **options)

    monkeypatch.setattr(cli_device, "Channel", FakeChannel)
    disk.asked = asked
    return disk


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_write_refuses_a_device_in_use(capsys, in_use_disk):
    code, out, err = run(capsys, "write", "/dev/sg0", "--count", "1", "--pattern", "aa")
    assert (code, out) == (15, "")
    assert err == f"sgframe write: refusing WRITE(16) on /dev/sg0: {MOUNTED} (give --force to do it anyway)\n"
    assert in_use_disk.medium.read(0, 1) == bytes(512)


def test_write_with_force_warns_and_writes(capsys, in_use_disk):
    code, out, err = run(capsys, "write", "/dev/sg0", "--count", "1", "--pattern", "aa", "--force")
    assert code == 0 and out.startswith("Wrote 1 of 1 blocks")
    assert err == f"sgframe write: /dev/sg0 is in use ({MOUNTED}); going ahead with WRITE(16) (--force)\n"
    assert in_use_disk.medium.read(0, 1) == b"\xaa" * 512


def test_reading_a_device_in_use_is_fine(capsys, in_use_disk):
    assert run(capsys, "read", "/dev/sg0", "--count", "1")[0] == 0
    assert run(capsys, "raw", "/dev/sg0", "28 00 00 00 00 00 00 00 01 00", "-r", "512")[0] == 0
    assert in_use_disk.asked == []


@pytest.mark.parametrize("cdb", [
    "2a 00 00 00 00 00 00 00 01 00",               # WRITE(10)
    "42 00 00 00 00 00 00 00 18 00",               # UNMAP
    "3b 05 00 00 00 00 00 00 00 00",               # WRITE BUFFER
    "c0 00 00 00 00 00",                           # vendor specific: unknown, so assumed to write
])
def test_raw_refuses_medium_modifying_cdbs_on_a_device_in_use(capsys, in_use_disk, cdb):
    code, out, err = run(capsys, "raw", "/dev/sg0", cdb, "--send", "00" * 512)
    assert (code, out) == (15, "")
    assert err.startswith("sgframe raw: refusing ") and err.endswith("(give --force to do it anyway)\n")


def test_raw_format_unit_needs_force_and_yes(capsys, in_use_disk):
    assert run(capsys, "raw", "/dev/sg0", "04 00 00 00 00 00")[0] == 15
    code, _, err = run(capsys, "raw", "/dev/sg0", "04 00 00 00 00 00", "--force")
    assert code == 1 and "FORMAT UNIT acts on the whole medium of /dev/sg0; go ahead?" in err
    assert run(capsys, "raw", "/dev/sg0", "04 00 00 00 00 00", "--force", "--yes")[0] == 0


def test_medium_effect_uses_the_registry():
    assert medium_effect(bytes.fromhex("8a000000000000000000000100000000")) == ("WRITE(16)", True, False)
    assert medium_effect(bytes.fromhex("88000000000000000000000100000000")) == ("READ(16)", False, False)
    assert medium_effect(bytes.fromhex("040000000000")) == ("FORMAT UNIT", True, True)
    assert medium_effect(bytes.fromhex("481f00000000000000000000")[:10]) == ("SANITIZE", True, True)
    assert medium_effect(bytes.fromhex("c00000000000")) == ("opcode 0xc0", True, False)


def test_emulated_devices_are_never_in_use():
    assert safety.reasons_in_use("emu:disk") == []


def test_a_device_that_does_not_resolve_is_left_to_open(monkeypatch):
    def missing(device):
        raise errors.UsageError("no such device node")

    monkeypatch.setattr(safety, "resolve", missing)
    assert safety.reasons_in_use("/dev/nothing") == []


# --- exit codes -------------------------------------------------------------------

def _check(key, asc=0, ascq=0):
    return exception_for(2, sense=build_fixed_sense(SenseKey(key), asc, ascq))


@pytest.mark.parametrize("failure, code", [
    (_check(0x2, 0x04, 0x01), 2),
    (_check(0x3, 0x11, 0x00), 3),
    (_check(0x4, 0x44, 0x00), 3),
    (_check(0x8), 3),
    (_check(0x5, 0x21, 0x00), 22),  # sg_err_category_sense: LBA out of range
    (_check(0x5, 0x24, 0x00), 5),
    (_check(0x5, 0x20, 0x00), 9),
    (_check(0x6, 0x29, 0x00), 6),
    (_check(0x7, 0x27, 0x00), 7),
    (_check(0xA), 10),
    (_check(0xB, 0x47, 0x00), 11),
    (_check(0xB, 0x10, 0x01), 40),
    (_check(0xE, 0x1D, 0x00), 14),
    (_check(0x0), 20),
    (_check(0x1, 0x17, 0x00), 21),
    (_check(0xD), 98),
    (exception_for(2), 98),
    (exception_for(0x18), 24),
    (exception_for(0x08), 26),
    (exception_for(0x28), 27),
    (exception_for(0x30), 28),
    (exception_for(0x40), 29),
    (exception_for(0, host_status=0x03), 33),
    (exception_for(0, host_status=0x01), 33),  # sg_err_category3: DID_NO_CONNECT
    (exception_for(0, host_status=0x02), 33),  # DID_BUS_BUSY
    (exception_for(0, host_status=0x11), 24),  # DID_NEXUS_FAILURE
    (exception_for(0, driver_status=0x04), 99),
    (errors.DeviceGone(device="/dev/sg0"), 99),
    (errors.UsageError("bad"), 1),
    (errors.DevicePermissionError(13, "cannot open", "/dev/sg0"), 63),  # 50 + EACCES
    (FileNotFoundError(2, "No such file"), 52),  # 50 + ENOENT
    (exitcodes.CliError("refused", 15), 15),
    (KeyboardInterrupt(), 130),
    (RuntimeError("bug"), 99),
])
def test_exit_code_for(failure, code):
    assert exitcodes.exit_code_for(failure) == code


def test_every_code_in_the_table_is_documented(capsys):
    main(["--help"])
    out = capsys.readouterr().out
    for code, meaning in exitcodes.TABLE:
        assert f"{code:5d}  {meaning}" in out


# --- output and progress -------------------------------------------------------------

class Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_draws_only_on_a_terminal():
    tty = Tty()
    bar = Progress(200, 512, stream=tty, width=10)
    bar.update(100, force=True)
    bar.finish(200)
    lines = tty.getvalue().split("\r")
    assert lines[1].startswith("[#####.....]  50.0%  100/200 blocks  ")
    assert lines[2].startswith("[##########] 100.0%  200/200 blocks  ") and lines[2].endswith("MB/s\n")
    plain = io.StringIO()
    quiet = Progress(200, 512, stream=plain)
    quiet.update(100, force=True)
    quiet.finish(200)
    assert plain.getvalue() == ""


def test_to_jsonable():
    from sgframe.cdb import Direction

    assert to_jsonable({"a": (b"\x01\xff", SenseKey.MEDIUM_ERROR, Direction.OUT, None)}) == {
        "a": ["01ff", {"name": "MEDIUM_ERROR", "value": 3}, {"name": "OUT", "value": "to device"}, None]}
    assert json.dumps(to_jsonable(NODES))


def test_hexdump_layout():
    out = io.StringIO()
    hexdump(b"ABCDEFGHIJKLMNOPQ\x00", out)
    assert out.getvalue() == (" 0000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  ABCDEFGHIJKLMNOP\n"
                              " 0010  51 00                                             Q.\n")


def test_parse_int():
    assert [cli_device.parse_int(t) for t in ("12", "0x12", "12h", "0X1f")] == [12, 18, 18, 31]
    with pytest.raises(Exception, match="not a number"):
        cli_device.parse_int("zz")


def test_sense_is_judged_before_the_host_byte_as_sg3_utils_does():
    from sgframe.cli.exitcodes import exit_code_for
    from sgframe.sense import build_fixed_sense

    medium = build_fixed_sense(0x3, 0x11, 0x00)
    # CHECK CONDITION with MEDIUM ERROR sense beside DID_TIME_OUT: sg_err_category_new
    # goes by the sense (3), not the host byte (33).
    assert exit_code_for(exception_for(0x02, host_status=0x03, driver_status=0x08, sense=medium)) == 3
    assert exit_code_for(exception_for(0x02, host_status=0x11, driver_status=0x08, sense=medium)) == 3
    assert exit_code_for(exception_for(0x00, host_status=0x03)) == 33
