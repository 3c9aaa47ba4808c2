"""Issue 14's command-line rule: a failure is one line that names the program once and
the subcommand that failed ("sgframe read: ..."), and an option's bad value is reported
against the option, not against the CDB field it would have filled."""
from __future__ import annotations

import pytest

from sgframe.cli import main


def run(capsys, *argv: str):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, message", [
    (["start", "emu:disk", "--bogus"], "sgframe start: unrecognized arguments: --bogus"),
    (["inq", "emu:disk", "extra"], "sgframe inq: unrecognized arguments: extra"),
    (["--bogus"], "sgframe: unrecognized arguments: --bogus"),
    (["write-same", "emu:disk", "--lba", "-1", "--num", "1"],
     "sgframe write-same: argument -l/--lba: '-1' is negative: give 0 or more"),
    (["lba-status", "emu:disk", "--lba", "-1"], "sgframe lba-status: argument -l/--lba: '-1' is negative"),
    (["read-buffer", "emu:disk", "--length", "-1"], "sgframe read-buffer: argument -l/--length: '-1' is negative"),
    (["unmap", "emu:disk", "--lba", "-1", "--num", "1"], "sgframe unmap: --lba: '-1' is negative"),
    (["read", "emu:disk?blocks=100", "--lba", "100"],
     "sgframe read: --lba 100 is past the last LBA (99); give --count to send the command anyway"),
    (["read", "emu:disk?blocks=100", "--count", "0"], "sgframe read: nothing to do: --count 0"),
])
def test_syntax_errors_name_the_subcommand_once(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, "")
    assert err.startswith(message) and err.count("\n") == 1 and err.count("sgframe") == 1


def test_device_errors_after_partial_output_name_the_subcommand(capsys):
    code, out, err = run(capsys, "read", "emu:disk?blocks=100", "--lba", "100", "--count", "1")
    assert code == 22 and out.startswith("Read 0 of 1 blocks")
    assert err == ("sgframe read: READ(16) on emu:disk?blocks=100: CHECK CONDITION, ILLEGAL REQUEST, "
                   "Logical block address out of range [21h/00h]\n")
    code, _, err = run(capsys, "tur", "emu:disk?unit_attention=1")
    assert code == 6 and err.startswith("sgframe tur: TEST UNIT READY on ")


def test_the_exit_code_table_is_printed_once(capsys):
    _, top, _ = run(capsys, "--help")
    assert top.count("exit codes (sg3_utils' categories):") == 1 and "  22  logical block address" in top
    _, topic, _ = run(capsys, "help", "exit-codes")
    assert topic.startswith("exit codes (sg3_utils' categories):") and "  22  logical block address" in topic
    for sub in ("read", "ses", "inq", "persist", "format"):
        _, text, _ = run(capsys, sub, "--help")
        assert "  22  logical block address" not in text and text.rstrip().endswith("exit codes: sgframe help exit-codes")


def test_persist_read_status_is_sg_persists_other_name_for_read_full_status(capsys):
    assert run(capsys, "persist", "emu:disk", "--read-status") == run(capsys, "persist", "emu:disk",
                                                                         "--read-full-status")
    code, out, _ = run(capsys, "persist", "emu:disk", "--read-status")
    assert code == 0 and "No full status descriptors" in out


def test_sanitize_desc_polls_with_descriptor_format_sense(capsys, monkeypatch):
    from sgframe.emu import EmulatedDisk
    from sgframe.emu.uri import KINDS
    from sgframe.sense import build_descriptor_sense

    disk = EmulatedDisk(blocks=64)
    monkeypatch.setitem(KINDS, "msg", (lambda **_: disk, {}))
    monkeypatch.setattr("sgframe.cli.formatting.time.sleep", lambda seconds: None)
    asked = []

    def request_sense(_, request):
        asked.append(request.cdb[1])
        return build_descriptor_sense(0, 0, 0)[:request.cdb[4]]

    disk.register(0x03, None, request_sense, name="REQUEST SENSE")
    code, out, _ = run(capsys, "sanitize", "emu:msg", "--crypto", "-Q", "--desc", "--json")
    assert code == 0 and asked == [0x01]  # DESC set in the one poll
    asked.clear()
    assert run(capsys, "sanitize", "emu:msg", "--crypto", "-Q")[0] == 0 and asked == [0x00]
