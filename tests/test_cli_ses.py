"""``sgframe ses`` against the emulated enclosure and sg3_utils' Areca dump."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from sgframe.cli import main
from sgframe.cli.ses import SES, parse_hex_pages
from sgframe.emu.enclosure import EmulatedEnclosure
from sgframe.emu.uri import KINDS

ARECA = str(Path(__file__).parent / "data" / "ses_areca_all.hex")


@pytest.fixture
def enc(monkeypatch) -> EmulatedEnclosure:
    shared = EmulatedEnclosure(slots=6, devices=4)
    monkeypatch.setitem(KINDS, "shelf", (lambda **_: shared, {}))
    return shared


def run(capsys, *argv: str):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_lists_supported_pages(capsys, enc):
    code, out, _ = run(capsys, "ses", "emu:shelf")
    assert code == 0
    assert "  Configuration [0x1]\n" in out and "  Additional Element Status [0xa]\n" in out


def test_set_ident_then_read_it_back(capsys, enc):
    assert run(capsys, "ses", "emu:shelf", "--set", "ident", "--index", "0,3") == (0, "", "")
    assert enc.element(0, 3) == bytes.fromhex("01030200")
    page = run_json(capsys, "ses", "emu:shelf", "-p", "es")
    slot = page["types"][0]["elements"][3]
    assert (slot["ident"], slot["element_status_code_name"], slot["raw"]) == (True, "OK", "01030200")
    assert [e["ident"] for e in page["types"][0]["elements"]] == [False, False, False, True, False, False]
    code, out, _ = run(capsys, "ses", "emu:shelf", "-p", "es", "-I", "0,3")
    assert "      Element 3 descriptor:\n" in out and "Ident=1" in out and "Element 2 descriptor" not in out
    assert run(capsys, "ses", "emu:shelf", "--clear", "ident", "-I", "0,3")[0] == 0
    assert enc.element(0, 3) == bytes.fromhex("01030000")


def test_set_fault_by_type_acronym_and_range(capsys, enc):
    assert run(capsys, "ses", "emu:shelf", "-c", "-S", "fault", "-I", "dev,1-2")[0] == 0
    assert [enc.element(0, i)[3] & 0x20 for i in range(4)] == [0, 0x20, 0x20, 0]
    # "ps" alone is the overall power supply element, as sg_ses reads --index=A.
    assert run(capsys, "ses", "emu:shelf", "--set", "ident", "-I", "ps")[0] == 0
    assert [enc.element(1, i)[1] for i in (None, 0, 1)] == [0x80, 0, 0]
    assert run(capsys, "ses", "emu:shelf", "--set", "ident", "-I", "ps,")[0] == 0
    assert [enc.element(1, i)[1] for i in range(2)] == [0x80, 0x80]
    assert run(capsys, "ses", "emu:shelf", "--set", "speed_code=6", "-I", "coo,0")[0] == 0
    assert enc.element(2, 0)[3] & 0x07 == 6


def test_join_shows_descriptor_status_and_sas_address(capsys, enc):
    joined = run_json(capsys, "ses", "emu:shelf", "-j", "-I", "0,1")
    (slot,) = joined
    assert (slot["element_descriptor"], slot["status"]["slot_address"]) == ("SLOT 01", 1)
    assert slot["additional"]["phy_descriptors"][0]["sas_address"] == enc.device_sas_address(1)
    code, out, _ = run(capsys, "ses", "emu:shelf", "--join")
    assert out.startswith("SLOT 00 [0,0]  Element type: Device slot\n")
    assert f"SAS address: 0x{enc.device_sas_address(3):x}" in out


def test_all_pages_and_hex(capsys, enc):
    pages = run_json(capsys, "ses", "emu:shelf", "-p", "all")
    assert sorted(pages) == ["0x01", "0x02", "0x03", "0x04", "0x05", "0x07", "0x08", "0x09", "0x0a", "0x0b", "0x0c",
                             "0x0d", "0x0e", "0x0f"]
    assert pages["0x03"]["help_text"].startswith("sgframe emulated enclosure")
    code, out, _ = run(capsys, "ses", "emu:shelf", "-p", "cf", "--hex")
    assert code == 0 and out.startswith(" 0000  01 00 00 ")


def test_inhex_decodes_saved_pages(capsys):
    page = run_json(capsys, "ses", "--inhex", ARECA, "-p", "aes")
    expander = page["descriptors"][-1]
    assert (expander["type_index"], expander["sas_address"]) == (2, 0x5001B4D516ECC03F)
    cooling = run_json(capsys, "ses", "-X", ARECA, "-p", "es", "-I", "coo,4")
    assert cooling["types"][3]["elements"][4]["actual_speed_rpm"] == 7500
    code, out, _ = run(capsys, "ses", "-X", ARECA, "-p", "0x5")
    assert code == 0 and "high_critical_threshold" in out


def test_parse_hex_pages():
    pages = parse_hex_pages("# comment\n08 2a 00 00\n09 00 00 01 ff  # trailing\n")
    assert pages == {0x08: bytes.fromhex("082a0000"), 0x09: bytes.fromhex("09000001ff")}


@pytest.mark.parametrize("argv, code, message", [
    (["ses", "emu:shelf", "--set", "ident"], 1, "--set/--clear need --index"),
    (["ses", "emu:shelf", "--set", "ident", "-I", "9,0"], 1, "type header index 9 is past the last one (5)"),
    (["ses", "emu:shelf", "--set", "ident", "-I", "0,6"], 1, "has elements 0..5"),
    (["ses", "emu:shelf", "--set", "ident", "-I", "zz,0"], 1, "neither a type header index nor an element type"),
    (["ses", "emu:shelf", "--set", "bogus", "-I", "0,0"], 1, "a Device slot control element has no field 'bogus'"),
    (["ses", "emu:shelf", "--clear", "ident=1", "-I", "0,0"], 1, "--clear takes no value"),
    (["ses", "emu:shelf", "-p", "xyz"], 1, "a diagnostic page is 0..255"),
    (["ses", "emu:shelf", "-p", "0x10"], 5, "INVALID FIELD IN CDB"),
    (["ses", "--inhex", ARECA, "--set", "ident", "-I", "0,0"], 1, "do not go with --inhex"),
    (["ses", "--inhex", ARECA, "-p", "ht"], 15, "the file has no page 03h"),
    (["ses", "--inhex", "/nonexistent/file.hex"], 1, "--inhex /nonexistent/file.hex"),
    (["ses"], 1, "give a DEVICE, or --inhex FILE"),
])
def test_errors(capsys, enc, argv, code, message):
    got, out, err = run(capsys, *argv)
    assert got == code, err
    assert message.lower() in err.lower() and err.count("\n") == 1


def test_medium_level_indexing_and_get(capsys, enc):
    address = f"{enc.device_sas_address(2):x}"
    assert run(capsys, "ses", "emu:shelf", "--set", "ident", "--sas-addr", address)[0] == 0
    assert enc.element(0, 2)[2] == 0x02
    assert run(capsys, "ses", "emu:shelf", "--get", "ident", "-A", address) == (0, "1\n", "")
    assert run(capsys, "ses", "emu:shelf", "--set", "fault", "--descriptor", "SLOT 04")[0] == 0
    assert run(capsys, "ses", "emu:shelf", "-G", "fault", "-G", "ident", "--dsn", "4") == (0, "1\n0\n", "")
    assert run(capsys, "ses", "emu:shelf", "-G", "ident", "-I", "0,1-2") == (0, "0\n1\n", "")
    code, _, err = run(capsys, "ses", "emu:shelf", "--set", "ident", "-A", "5000c50000000001")
    assert code == 1 and "no slot holds a device with that SAS address" in err
    code, _, err = run(capsys, "ses", "emu:shelf", "-G", "ident", "-A", address, "-I", "0,0")
    assert code == 1 and "give one of --index, --sas-addr" in err
    code, _, err = run(capsys, "ses", "emu:shelf", "-G", "ident")
    assert code == 1 and "--get needs an element" in err


def test_nickname_is_sent_with_the_current_generation_code(capsys, enc):
    enc.generation = 7  # the control page must carry it, or the enclosure refuses it
    assert run(capsys, "ses", "emu:shelf", "--nickname", "1st enclosure", "--control") == (0, "", "")
    assert enc.nickname == b"1st enclosure"
    page = run_json(capsys, "ses", "emu:shelf", "-p", "snic")
    assert [d["subenclosure_nickname"] for d in page["descriptors"]] == ["1st enclosure"]
    # --nickid names a subenclosure; this enclosure has only the primary (0), so the
    # device refuses subenclosure 1 with INVALID FIELD IN PARAMETER LIST (exit 5).
    code, _, err = run(capsys, "ses", "emu:shelf", "-n", "other", "-N", "1", "-c")
    assert code == 5 and "Invalid field in parameter list" in err and enc.nickname == b"1st enclosure"


@pytest.mark.parametrize("argv, message", [
    (["--nickname", "x"], "give --control as well"),
    (["--nickname", "x" * 33, "-c"], "is 33 bytes; a subenclosure nickname holds 32"),
    (["--nickname", "x", "-c", "-p", "es"], "not page 0x02"),
    (["--nickname", "x", "-c", "--set", "ident", "-I", "0"], "--nickname goes alone"),
    (["--nickid", "1"], "give --nickname too"),
    (["--maxlen", "70000"], "--maxlen is 0"),
    (["--set", "4:0", "-I", "0,0"], "an element has bytes 0..3 and bits 0..7"),
    (["--set", "3:3:5", "-I", "0,0"], "5 bit(s) from byte 3 bit 3 do not fit"),
    (["--set", "2:1:1=2", "-I", "0,0"], "2:1:1=2 does not fit its 1 bit(s)"),
])
def test_nickname_and_field_errors(capsys, enc, argv, message):
    code, out, err = run(capsys, "ses", "emu:shelf", *argv)
    assert (code, out) == (1, "") and message in err and err.count("\n") == 1
    assert enc.nickname == b"" and enc.element(0, 0) == bytes.fromhex("01000000")


def test_fields_by_byte_and_bit_as_sg_ses_takes_them(capsys, enc):
    # 2:1:1 is RQST IDENT of a device slot (SES-4 7.3.2): the same bit as "ident".
    assert run(capsys, "ses", "emu:shelf", "--set", "2:1:1", "-I", "0,2")[0] == 0
    assert enc.element(0, 2) == bytes.fromhex("01020200")
    assert run(capsys, "ses", "emu:shelf", "-G", "ident", "-G", "2:1", "-I", "0,2") == (0, "1\n1\n", "")
    # A wider field: byte 3 bits 2..0 of a cooling element is REQUESTED SPEED CODE.
    assert run(capsys, "ses", "emu:shelf", "--set", "3:2:3=5", "-I", "coo,1")[0] == 0
    assert enc.element(2, 1)[3] & 0x07 == 5
    assert run(capsys, "ses", "emu:shelf", "-G", "3:2:3", "-I", "coo,1", "-H") == (0, "0x5\n", "")
    # Byte 1 and 2 of a cooling element: the ACTUAL FAN SPEED (11 bits), 8520 rpm / 10.
    assert run(capsys, "ses", "emu:shelf", "-G", "1:2:11", "-I", "coo,1") == (0, "852\n", "")
    assert run(capsys, "ses", "emu:shelf", "--clear", "2:1:1", "-I", "0,2")[0] == 0
    assert enc.element(0, 2) == bytes.fromhex("01020000")


def test_filter_leaves_out_clear_flags_and_twice_elements_not_ok(capsys, enc):
    # Slots 0-3 hold disks (OK), 4-5 are empty (NOT INSTALLED).
    run(capsys, "ses", "emu:shelf", "--set", "ident", "-I", "0,1")
    _, plain, _ = run(capsys, "ses", "emu:shelf", "-p", "es", "-I", "0,0-5")
    _, once, _ = run(capsys, "ses", "emu:shelf", "-p", "es", "-I", "0,0-5", "--filter")
    assert "Fault requested=0" in plain and "Fault requested=0" not in once
    # What stays at 0: the status lines, the page's summary flags and the (multi-bit)
    # slot addresses; no one-bit flag that is clear.
    zeros = [line.strip() for line in once.splitlines() if "=0" in line]
    assert zeros and all(z.startswith(("Predicted failure=", "INVOP=", "Slot address=0", "Element type:")) for z in zeros)
    assert once.count("status: OK") == plain.count("status: OK") == 4
    assert "Ident=1" in once and once.count("Ident=") == 1
    assert once.count("status: Not installed") == 2
    _, twice, _ = run(capsys, "ses", "emu:shelf", "-p", "es", "-I", "0,0-5", "-ff")
    assert twice.count("descriptor:") == 4 and "Not installed" not in twice
    joined = run_json(capsys, "ses", "emu:shelf", "-j", "-ff")
    assert [e["element_descriptor"] for e in joined if e["type_index"] == 0] == [
        "SLOT 00", "SLOT 01", "SLOT 02", "SLOT 03"]
    _, text, _ = run(capsys, "ses", "emu:shelf", "-j", "-f", "-I", "0,1")
    assert "Ident=1" in text and "Fault reqstd=0" not in text


def test_maxlen_bounds_the_allocation_length(capsys, enc):
    # 8 bytes of the configuration page: the header and generation code only, so its
    # decoder reports the page truncated and the hex dump shows the 8 bytes.
    code, out, _ = run(capsys, "ses", "emu:shelf", "-p", "cf", "--maxlen", "8", "--hex")
    assert code == 0 and out.strip().split("  ")[1].split() == ["01", "00", "00", out.split()[4], "00", "00", "00",
                                                                  "00"]


def test_enumerate_lists_acronyms_as_sg_ses_does(capsys):
    code, out, _ = run(capsys, "ses", "--enumerate")
    assert code == 0 and "    Enclosure Status  [ec,es] [0x2]\n" in out and "    Device slot  [dev] [0x1]\n" in out
    code, out, _ = run(capsys, "ses", "-ee")
    # The positions sg_ses -ee prints for the same acronyms (SES-4 7.3.2, 7.3.5).
    assert "  ident  [Device slot] [2:1:1]\n" in out and "  fault  [Device slot] [3:5:1]\n" in out
    assert "  speed_code  [Cooling] [3:2:3]\n" in out
    assert run(capsys, "ses", "-l") == run(capsys, "ses", "-e")


def test_raw_output_goes_back_in_with_data(capsys, enc, tmp_path):
    enc.string_out = bytes(range(20))
    code, out, _ = run(capsys, "ses", "emu:shelf", "-p", "str", "--raw")
    assert (code, out) == (0, bytes(range(16)).hex(" ") + "\n" + bytes(range(16, 20)).hex(" ") + "\n")
    saved = tmp_path / "str.hex"
    saved.write_text("# string out\n" + out.replace("00 01", "aa bb"))
    assert run(capsys, "ses", "emu:shelf", "-p", "str", "--control", "--data", f"@{saved}") == (0, "", "")
    assert enc.string_out == b"\xaa\xbb" + bytes(range(2, 20))
    assert run(capsys, "ses", "emu:shelf", "-p", "4", "-c", "-d", "1,2,3")[0] == 0
    assert enc.string_out == b"\x01\x02\x03"
    # A control page the enclosure does not take: byte 0 of the parameter list is wrong.
    code, _, err = run(capsys, "ses", "emu:shelf", "-p", "0x0b", "-c", "-d", "00 00 00 00")
    assert code == 5 and "Invalid field in parameter list" in err


@pytest.mark.parametrize("argv, message", [
    (["-p", "str", "-d", "01"], "--data sends a control page: give --control as well"),
    (["-c", "-d", "01"], "--data needs --page"),
    (["-p", "str", "-c", "-d", "1xx"], "--data: give bytes as hex pairs"),
    (["-p", "str", "-c", "-d", "01", "-b", "256"], "--byte1 is 0..255"),
])
def test_data_errors(capsys, enc, argv, message):
    code, out, err = run(capsys, "ses", "emu:shelf", *argv)
    assert (code, out) == (1, "") and message in err and enc.string_out == b""


def test_medium_level_indexing_implies_join_as_in_sg_ses(capsys, enc):
    code, out, _ = run(capsys, "ses", "emu:shelf", "--descriptor", "SLOT 02")
    assert code == 0 and out.startswith("SLOT 02 [0,2]  Element type: Device slot\n")
    assert "Additional Element Status:" in out and "SLOT 03" not in out
    # With a page, the page is shown, filtered to the element.
    code, out, _ = run(capsys, "ses", "emu:shelf", "--dsn", "2", "-p", "es")
    assert out.startswith("Enclosure Status diagnostic page:") and "Element 2 descriptor:" in out


def test_inner_hex_shows_the_element_bytes(capsys, enc):
    run(capsys, "ses", "emu:shelf", "--set", "ident", "-I", "0,1")
    code, out, _ = run(capsys, "ses", "emu:shelf", "-p", "es", "-I", "0,1", "--inner-hex")
    assert code == 0 and out.endswith("      Element 1 descriptor:\n        01 01 02 00\n")
    code, out, _ = run(capsys, "ses", "emu:shelf", "-j", "-i", "-I", "0,1")
    assert "  Enclosure Status:\n    01 01 02 00\n" in out


def test_mask_keeps_every_status_bit_of_the_selected_element(capsys, enc, monkeypatch):
    sent = []
    real = enc.apply_control
    monkeypatch.setattr(enc, "apply_control", lambda data: (sent.append(bytes(data)), real(data)))
    enc.status[0][3][3] |= 0x40  # slot 2: a status-only bit in byte 3 (bypassed A, say)
    assert run(capsys, "ses", "emu:shelf", "--set", "ident", "-I", "0,2")[0] == 0
    assert run(capsys, "ses", "emu:shelf", "--set", "ident", "-I", "0,2", "--mask")[0] == 0
    at = 8 + 4 * 3  # header, generation code, the overall element, slots 0 and 1
    # Masked: SELECT and RQST IDENT only (the status code and slot address are not
    # control fields).  --mask: the status element's bytes, SELECT and RQST IDENT.
    assert sent[0][at:at + 4] == bytes.fromhex("80000200")
    assert sent[1][at:at + 4] == bytes.fromhex("81020240")
