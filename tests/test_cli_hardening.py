"""The command line tells the truth (issue 10, items 14-19), on the emulated disk."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from sgframe.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- 14. no data is "received" from a command that failed -------------------------------------

def test_raw_after_check_condition_received_no_data_and_writes_no_file(capsys, tmp_path):
    out_file = tmp_path / "data.bin"
    # READ(10) past the end of a 1024-block disk: ILLEGAL REQUEST, LBA out of range.
    code, out, err = run(capsys, "raw", "emu:disk?blocks=1024", "28 00 00 00 10 00 00 00 01 00",
                         "-r", "512", "-o", str(out_file))
    assert code == 22  # sg3_utils' SG_LIB_LBA_OUT_OF_RANGE
    assert "No data received" in out and "Received" not in out
    assert not out_file.exists()


def test_raw_json_after_check_condition_has_no_data(capsys):
    code, out, _ = run(capsys, "raw", "emu:disk?blocks=1024", "28 00 00 00 10 00 00 00 01 00", "-r", "512", "--json")
    data = json.loads(out)
    assert code == 22 and data["data"] == "" and data["status"] == 2 and data["exit_code"] == 22


def test_the_emulated_disk_leaves_resid_at_zero_after_check_condition_like_the_kernel():
    from sgframe import Channel
    from sgframe.command import Read10
    from sgframe.handler import must_fail

    with Channel.open("emu:disk?blocks=1024") as channel:
        io = channel.execute(Read10(lba=4096, transfer_length=1), verify_handler=must_fail(sense_key=5))
        assert io.hdr.status == 2 and io.hdr.resid == 0


def test_raw_that_succeeds_still_writes_its_data(capsys, tmp_path):
    out_file = tmp_path / "inq.bin"
    code, out, _ = run(capsys, "raw", "emu:disk", "12 00 00 00 24 00", "-r", "36", "-o", str(out_file))
    assert code == 0 and "Received 36 bytes of data, written to" in out
    assert out_file.read_bytes()[8:15] == b"SGFRAME"


# --- 15. allocation lengths fit what devices take --------------------------------------------

def test_opcodes_asks_for_at_most_0xffff_bytes(capsys, monkeypatch):
    from sgframe.command import ReportSupportedOperationCodes

    sent = []
    real = ReportSupportedOperationCodes.__new__

    def spy(cls, *args, **kwargs):
        command = real(cls, *args, **kwargs)
        sent.append(command)
        return command

    monkeypatch.setattr(ReportSupportedOperationCodes, "__new__", spy)
    code, out, _ = run(capsys, "opcodes", "emu:disk")
    assert code == 0 and "TEST UNIT READY" in out
    assert [c.allocation_length for c in sent] == [0xFFFF]


# --- 17. a misspelt SGFRAME_DISABLE_PLUGINS says so ------------------------------------------

@pytest.mark.parametrize("value, words", [
    ("SAT", "'SAT' (did you mean 'sat'?)"),
    ("garbage", "'garbage': nothing was disabled"),
])
def test_an_unknown_plugin_name_to_disable_is_reported(value, words):
    env = dict(os.environ, SGFRAME_DISABLE_PLUGINS=value)
    done = subprocess.run([sys.executable, "-m", "sgframe.cli", "plugins"], capture_output=True, text=True, env=env)
    assert done.returncode == 0
    assert words in done.stderr
    assert f"problem: SGFRAME_DISABLE_PLUGINS names no installed plugin {words.split(':')[0]}" in done.stdout
    assert "the installed plugins are: sat, seagate" in done.stdout


def test_space_separated_names_disable_both():
    env = dict(os.environ, SGFRAME_DISABLE_PLUGINS="sat seagate")
    done = subprocess.run([sys.executable, "-m", "sgframe.cli", "plugins", "--json"], capture_output=True,
                          text=True, env=env)
    states = {p["name"]: p["state"] for p in json.loads(done.stdout)["loaded"]}
    assert states == {"builtin": "loaded", "sat": "disabled", "seagate": "disabled"}


# --- 18. --json on failure is an object on stdout, for every subcommand ----------------------

@pytest.mark.parametrize("argv", [
    ("inq", "/dev/sg-no-such-node"), ("readcap", "/dev/sg-no-such-node"), ("luns", "/dev/sg-no-such-node"),
    ("modes", "/dev/sg-no-such-node"), ("logs", "/dev/sg-no-such-node"), ("opcodes", "/dev/sg-no-such-node"),
    ("inq", "emu:tape"), ("read", "emu:disk?blocks=8", "--lba", "100", "--count", "1"),
    ("modes", "emu:disk", "-p", "0x3e"), ("readcap", "emu:disk?blocks=0"),
])
def test_every_failure_with_json_prints_an_error_object(capsys, argv):
    code, out, err = run(capsys, *argv, "--json")
    assert code != 0
    data = json.loads(out)
    assert data["exit_code"] == code and data["error"]


# --- 19. plugin commands are named, listed and decoded ---------------------------------------

def _sat_loaded() -> bool:
    from sgframe.plugins import manager

    return any(i.name == "sat" and i.state == "loaded" for i in manager())


@pytest.mark.skipif(not _sat_loaded(), reason="the SAT plugin is not loaded here (tox -e noplugins disables it)")
def test_plugin_commands_are_listed_decoded_and_named(capsys):
    code, out, _ = run(capsys, "commands", "--json")
    rows = json.loads(out)
    passthrough = [r for r in rows if r["opcode"] == 0x85]
    assert passthrough and passthrough[0]["plugin"] == "sat"
    code, out, _ = run(capsys, "decode-cdb", "85 08 0e 00 00 00 01 00 00 00 00 00 00 00 ec 00")
    assert code == 0 and "ATA PASS-THROUGH(16)" in out
    from sgframe.cli.raw import medium_effect

    name, modifies, _ = medium_effect(bytes.fromhex("85080e00000001000000000000 00ec00".replace(" ", "")))
    assert name == "ATA PASS-THROUGH(16)"


# --- 11. the --chunk hint names the limits -------------------------------------------------

def test_a_chunk_above_the_devices_maximum_transfer_length_is_refused_naming_it(capsys, tmp_path):
    out = tmp_path / "x"
    code, _, err = run(capsys, "read", "emu:disk?blocks=0x100000&max_transfer_length=128", "--count", "1000",
                       "--chunk", "256", "-o", str(out))
    assert code == 1
    assert "MAXIMUM TRANSFER LENGTH (Block Limits VPD page B0h) allows: 128 blocks; give --chunk 128 or less" in err
    assert not out.exists()


def test_a_chunk_above_what_sg_carries_is_refused_naming_it(capsys):
    code, _, err = run(capsys, "read", "emu:disk?blocks=0x10000000&max_transfer_length=0xFFFFFFFF",
                       "--count", "600000", "--chunk", "600000", "-o", os.devnull)
    assert code == 1 and "more than what the host carries per command allows: 524287 blocks" in err
