"""The last sg3_utils options of issue 14 beside the sg3_utils tools through the real sg
driver: sg_vpd's --force, --ident and --quiet (inq), sg_dd's --dry-run, --progress and
--verify (dd), sg_format's --tape (format; a scsi_debug tape with ptype=1), on scsi_debug
and LIO; and SES-1's array status/control page (06h) on the emulated enclosure with
array device slots served through TCMU, beside sg_ses.

    python -m sgframe.testbed run --lio 2 --timeout 1500 -- \\
        python -m pytest tests/integration/test_cli14_h14_options.py
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Iterator

import pytest

from sgframe.testbed import guest

from .test_cli14_sg import device, ours, same, sg3  # noqa: F401  (device: a fixture)


def test_page_not_listed_exits_as_sg_vpd_and_force_asks_anyway(capsys, device):
    # B9h (concurrent positioning ranges): neither scsi_debug nor LIO lists it.
    same(sg3(device, "sg_vpd", "-p", "0xb9", device.sg), ours(capsys, device, "inq", "-p", "0xb9", device.sg))
    assert ours(capsys, device, "inq", "-p", "0xb9", device.sg)[0] == 83
    same(sg3(device, "sg_vpd", "-f", "-p", "0xb9", device.sg),
         ours(capsys, device, "inq", "-f", "-p", "0xb9", device.sg))
    # A listed page: the check passes and both print it.
    same(sg3(device, "sg_vpd", "-p", "sn", device.sg), ours(capsys, device, "inq", "-p", "sn", device.sg), stdout=False)


def test_ident_and_quiet_designators_are_sg_vpd_s(capsys, device):
    if device.kind == "lio" and sg3(device, "sg_vpd", "-p", "di", device.sg)[0] != 0:
        pytest.skip("this LIO configuration answers no page 83h (TESTBED.md)")
    for argv in (["-ii"], ["-q", "-p", "di"], ["-q", "-p", "di_lu"], ["-q", "-p", "di_port"],
                 ["-q", "-p", "di_target"]):
        theirs = sg3(device, "sg_vpd", *argv, device.sg)
        mine = ours(capsys, device, "inq", *argv, device.sg)
        assert (mine[0], mine[1]) == (theirs[0], theirs[1]), argv


def _random_file(tmp_path, blocks: int) -> str:
    path = tmp_path / "random.bin"
    path.write_bytes(os.urandom(blocks * 512))
    return str(path)


def test_dd_dry_run_copies_nothing_as_sg_dd(capsys, device, tmp_path):
    data = _random_file(tmp_path, 16)
    before = sg3(device, "sg_dd", f"if={device.sg}", "of=/dev/stdout", "bs=512", "skip=3000", "count=16",
                 binary=True)[1]
    for tool in (("sg_dd", "--dry-run"), ("ours", "--dry-run")):
        argv = [f"if={data}", f"of={device.sg}", "bs=512", "seek=3000", "count=16", tool[1]]
        result = sg3(device, "sg_dd", *argv) if tool[0] == "sg_dd" else ours(capsys, device, "dd", *argv)
        assert result[0] == 0 and "Since --dry-run option given, bypassing copy" in result[2], tool
    after = sg3(device, "sg_dd", f"if={device.sg}", "of=/dev/stdout", "bs=512", "skip=3000", "count=16",
                binary=True)[1]
    assert after == before


def test_dd_verify_exits_as_sg_dd(capsys, device, tmp_path):
    data = _random_file(tmp_path, 64)
    argv = [f"if={data}", f"of={device.sg}", "bs=512", "seek=2000", "count=64"]
    # Random data against what the device holds: a miscompare (14) for both on scsi_debug;
    # whatever LIO answers VERIFY with BYTCHK=1, both read it alike.
    theirs, mine = sg3(device, "sg_dd", *argv, "--verify"), ours(capsys, device, "dd", *argv, "--verify")
    code = same(theirs, mine, stdout=False)
    if device.kind == "scsi_debug":
        assert code == 14
    # Written, then compared: both find them equal.
    assert ours(capsys, device, "dd", *argv)[0] == 0
    theirs, mine = sg3(device, "sg_dd", *argv, "--verify"), ours(capsys, device, "dd", *argv, "--verify")
    assert same(theirs, mine, stdout=False) == 0
    assert "64+0 records verified" in theirs[2] and "64+0 records verified" in mine[2]
    # The output a file: sg_dd's SG_LIB_CONTRADICT (31) for both.
    out = str(tmp_path / "out.bin")
    same(sg3(device, "sg_dd", f"if={device.sg}", f"of={out}", "bs=512", "count=8", "--verify"),
         ours(capsys, device, "dd", f"if={device.sg}", f"of={out}", "bs=512", "count=8", "--verify"), stdout=False)


def test_dd_progress_ends_with_completed_as_sg_dd(capsys, device):
    argv = [f"if={device.sg}", "of=/dev/null", "bs=512", "count=4096"]
    theirs, mine = sg3(device, "sg_dd", *argv, "-p"), ours(capsys, device, "dd", *argv, "-p")
    assert same(theirs, mine, stdout=False) == 0
    for text in (theirs[2], mine[2]):
        assert re.search(r"\nCompleted:\n4096\+0 records in\n4096\+0 records out\n", text), text


def test_format_tape_is_refused_on_a_disk_as_sg_format(capsys, device):
    theirs = sg3(device, "sg_format", "--tape=0", "--quick", device.sg)
    mine = ours(capsys, device, "format", "--tape", "0", "--quick", device.sg)
    assert same(theirs, mine, stdout=False) == 97


@pytest.fixture
def tape(sdebug_params, sdebug_host) -> guest.Device:
    """scsi_debug devices that say they are tapes (ptype=1): set before the host is added."""
    return sdebug_host[0]


@pytest.fixture
def sdebug_host(sdebug_params, testbed) -> Iterator[list]:
    sdebug_params(ptype=1)
    added = guest.add_sdebug_hosts(1)
    try:
        yield added
    finally:
        guest.remove_sdebug_host()
        guest.wait_for(lambda: not any(d.exists() for d in added), 10, "removal of the host")


def test_format_tape_on_a_scsi_debug_tape_exits_as_sg_format(capsys, tape):
    """scsi_debug as a tape answers INQUIRY with type 01h but has no FORMAT MEDIUM: both
    tools send it (IMMED, FORMAT=FM) and exit 9, invalid command operation code."""
    assert ours(capsys, tape, "inq", tape.sg, "--json")[1].count('"peripheral_device_type": 1') == 1
    for fm in ("0", "2"):
        theirs = sg3(tape, "sg_format", f"--tape={fm}", "--quick", tape.sg)
        mine = ours(capsys, tape, "format", "--tape", fm, "--quick", tape.sg)
        assert same(theirs, mine, stdout=False) == 9, (theirs, mine)
        assert "Invalid command operation code" in mine[2]


# --- SES-1 array status/control page on the emulated enclosure (TCMU) --------------------

ARRAY_ENCLOSURE = "emu:enclosure?array=1&slots=6&devices=5&serial=LABARRAY01"


@pytest.fixture(scope="module")
def enclosure():
    from sgframe.lab import Lab

    guest.load_modules(*guest.LAB_MODULES)
    with Lab([ARRAY_ENCLOSURE], cmd_time_out=4) as lab:
        yield lab.luns[0], lab.served[0]


def tool(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def sgframe(*argv: str) -> subprocess.CompletedProcess:
    return tool(sys.executable, "-m", "sgframe.cli", *argv)


def _element(text: str, index: int) -> str:
    return text.split(f"Element {index} descriptor:")[1].split("descriptor:")[0]


def test_array_page_set_by_sgframe_is_read_by_sg_ses(enclosure):
    lun, served = enclosure
    assert sgframe("ses", lun.sg, "-p", "as", "--set", "hotspare", "--set", "ident", "-I", "0,1").returncode == 0
    assert served.device.element(0, 1) == bytes.fromhex("01 a0 02 00")
    theirs = tool("sg_ses", "-p", "as", lun.sg)
    assert theirs.returncode == 0 and "Array Status diagnostic page:" in theirs.stdout
    assert "Hot spare=1" in _element(theirs.stdout, 1) and "Ident=1" in _element(theirs.stdout, 1)
    assert "Hot spare=0" in _element(theirs.stdout, 2)
    mine = sgframe("ses", lun.sg, "-p", "as").stdout
    assert "Hot spare=1" in _element(mine, 1) and "Hot spare=0" in _element(mine, 2)


def test_array_control_sent_by_sg_ses_is_read_by_sgframe(enclosure):
    lun, served = enclosure
    body = bytearray.fromhex(" ".join(tool("sg_ses", "-p", "as", "-r", lun.sg).stdout.split()))
    # sg_ses -r: the page less its header; select slot 3 with RQST IN FAILED ARRAY, RQST OK kept.
    at = 4 + 4 * 4
    body[at] = 0x80
    body[at + 1] = 0x84
    sent = tool("sg_ses", "--control", "--page=ac", f"--data={body.hex(',')}", lun.sg)
    assert sent.returncode == 0, sent.stderr
    assert served.device.element(0, 3)[1] == 0x84
    got = sgframe("ses", lun.sg, "-p", "as", "-I", "0,3", "-G", "infailedarray", "-G", "ok")
    assert got.stdout == "1\n1\n"
    # sg_ses 1.46 does no --set on page 06h; sgframe's --clear does the same change back.
    refused = tool("sg_ses", "-p", "as", "--index=0,3", "--clear=infailedarray", lun.sg)
    assert refused.returncode != 0
    assert sgframe("ses", lun.sg, "-p", "ac", "--clear", "infailedarray", "-I", "0,3").returncode == 0
    assert served.device.element(0, 3)[1] == 0x80
