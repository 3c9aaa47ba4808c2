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


# --- --inhex: a saved response decoded without a device, as sg3_utils' tools do ---------------

import shutil  # noqa: E402 - the section's own imports
import subprocess  # noqa: E402

LBA_STATUS_HEX = "00 00 00 24 00 00 00 02\n" \
                 "00 00 00 00 00 00 00 00 00 00 00 10 01 00 00 00  # deallocated\n" \
                 "00 00 00 00 00 00 00 10 00 00 01 00 00 00 00 00  # mapped (or unknown)\n"


@pytest.mark.parametrize("brief", [False, True])
def test_lba_status_inhex(capsys, tmp_path, brief):
    path = tmp_path / "lba.hex"
    path.write_text(LBA_STATUS_HEX)
    flags = ["-b", "--maxlen", "64"] if brief else ["--maxlen", "64"]
    code, out, _ = run(capsys, "lba-status", "--inhex", str(path), *flags)
    expected = (["Completion condition=1", "RTP=0", "0x0000000000000000  0x10  1  0",
                 "0x0000000000000010  0x100  0  0"] if brief else
                ["Command completed due to meeting allocation length (--maxlen=LEN (def 24))", "RTP=0",
                 "[1] LBA: 0x0000000000000000  blocks:         16  deallocated",
                 "[2] LBA: 0x0000000000000010  blocks:        256  mapped (or unknown)"])
    assert (code, out.splitlines()) == (0, expected)
    if shutil.which("sg_get_lba_status"):
        theirs = subprocess.run(["sg_get_lba_status", f"--inhex={path}", *flags], capture_output=True, text=True)
        assert theirs.stdout == out
    binary = tmp_path / "lba.bin"
    binary.write_bytes(bytes.fromhex(LBA_STATUS_HEX.replace("# deallocated", "").replace("# mapped (or unknown)", "")))
    assert run(capsys, "lba-status", "--inhex", str(binary), "--raw", *flags)[1] == out
    # Without --maxlen, 24 bytes as from a device: the first descriptor, and a warning.
    code, out, err = run(capsys, "lba-status", "--inhex", str(path))
    assert code == 0 and out.splitlines()[-1].startswith("[1] ") and "decoding the first 24" in err


def test_read_buffer_inhex_descriptor(capsys, tmp_path):
    path = tmp_path / "desc.hex"
    path.write_text("02 00 10 00\n")
    code, out, _ = run(capsys, "read-buffer", "--inhex", str(path), "-m", "desc")
    assert (code, out) == (0, "OFFSET BOUNDARY: 2, Buffer offset alignment: 4-byte\nBUFFER CAPACITY: 4096 (0x1000)\n")
    if shutil.which("sg_read_buffer"):
        theirs = subprocess.run(["sg_read_buffer", f"--inhex={path}", "-m", "desc"], capture_output=True, text=True)
        assert theirs.stdout == out


@pytest.mark.parametrize("argv, code, message", [
    (["lba-status"], 1, "sgframe lba-status: give a DEVICE, or --inhex FILE"),
    (["lba-status", "emu:disk", "--inhex", "x.hex"], 1, "sgframe lba-status: give a DEVICE or --inhex FILE, not both"),
    (["lba-status", "--inhex", "/nonexistent.hex"], 52, "sgframe lba-status: --inhex /nonexistent.hex: No such file"),
    (["read-buffer", "--inhex", "BADHEX"], 15, "sgframe read-buffer: --inhex BADHEX: not hex bytes"),
])
def test_inhex_errors(capsys, tmp_path, monkeypatch, argv, code, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "BADHEX").write_text("zz 00\n")
    got, out, err = run(capsys, *argv)
    assert (got, out) == (code, "") and err.startswith(message) and err.count("\n") == 1


# --- format: sg_format's option letters and the parameter lists they make -------------------

def test_format_parameter_lists_of_sg_formats_options():
    from sgframe.cli.formatting import format_header

    assert format_header(immed=True, ip=True, fov=True) == bytes.fromhex("00 8a 0000 00 00 0000")
    assert format_header(immed=True, ip=True, fov=True, security=True) == bytes.fromhex("00 8a 0000 20 00 0000")
    assert format_header(immed=False, protection_field_usage=1, protection_interval_exponent=3) == \
        bytes.fromhex("01 00 00 03 00000000")
    with pytest.raises(Exception, match=r"--pie\) is 0..15"):
        format_header(immed=True, protection_interval_exponent=16)


@pytest.mark.parametrize("argv, cdb1, parameters", [
    (["--ip-def"], 0x18, "00 8a 0000 00 00 0000"),  # FMTDATA CMPLST; FOV IP IMMED; default pattern
    (["--security"], 0x18, "00 8a 0000 20 00 0000"),  # SI
    (["--pie", "0"], 0x38, "00 02 00 00 00000000"),  # LONGLIST: the long header
    (["-P", "1"], 0x18, "01 02 0000"),  # -P is sg_format's --pfu (-q is --pie)
])
def test_format_sends_what_sg_format_sends(capsys, monkeypatch, argv, cdb1, parameters):
    from sgframe.emu import EmulatedDisk
    from sgframe.emu.uri import KINDS

    disk = EmulatedDisk(blocks=64)
    monkeypatch.setitem(KINDS, "fmt", (lambda **_: disk, {}))
    seen = []
    real = disk.respond

    def spy(cdb, data_out=None, allocation_length=0, **kw):
        if cdb[0] == 0x04:
            seen.append((cdb[1], bytes(data_out or b"")))
        return real(cdb, data_out, allocation_length, **kw)

    monkeypatch.setattr(disk, "respond", spy)
    code, _, err = run(capsys, "format", "emu:fmt", "--format", "-Q", "--early", *argv)
    if "-P" in argv:
        # PROTECTION FIELD USAGE without protection information: the emulated disk says no.
        assert code == 5 and "Invalid field in parameter list" in err
    else:
        assert code == 0, err
    assert seen == [(cdb1, bytes.fromhex(parameters))]


@pytest.mark.parametrize("argv, fmtpinfo", [(["--pinfo"], 2), (["--rto_req"], 1), (["-p", "-R"], 3)])
def test_format_deprecated_pinfo_and_rto_req_are_fmtpinfo_bits(capsys, argv, fmtpinfo):
    code, out, _ = run(capsys, "format", "emu:disk", "--format", "-Q", "--dry-run", "--json", *argv)
    assert code == 0 and '"fmtpinfo": %d' % fmtpinfo in out


def test_format_ip_def_and_security_exclude_each_other(capsys):
    code, out, err = run(capsys, "format", "emu:disk", "--format", "-Q", "-I", "-S")
    assert (code, out) == (1, "") and "--ip-def and --security exclude each other" in err


def test_help_is_as_wide_as_columns_says_and_building_a_parser_imports_no_shutil():
    import subprocess
    import sys

    env = {"COLUMNS": "50", "PATH": "/usr/bin:/bin", "SGFRAME_DISABLE_PLUGINS": ""}
    out = subprocess.run([sys.executable, "-m", "sgframe.cli", "tur", "--help"], capture_output=True,
                         text=True, env=env, check=True).stdout
    assert max(len(line) for line in out.splitlines()) <= 48
    code = ("import sys; from sgframe.cli import app; "
            "app.build_parser(app.load_subcommands(), 'tur'); print('shutil' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"
