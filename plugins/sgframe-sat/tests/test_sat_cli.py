"""``sgframe sat-identify`` and ``sgframe smart`` on emu:sata: the plugin's subcommands, their
text, --json and exit codes, checked against fields read straight from the drive's bytes."""
from __future__ import annotations

import json

import pytest

from sgframe.cli import main
from sgframe.emu.uri import KINDS

from sgframe_sat.attributes import ATTRIBUTE_NAMES, raw_text, when_failed
from sgframe_sat.cli import identify_words, wwn_of
from sgframe_sat.emu import AtaDrive, install_sat, make_sata


def _installed(disk):
    install_sat(disk, disk.ata)
    return disk


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _word(data: bytes, n: int) -> int:
    return data[2 * n] | data[2 * n + 1] << 8


def _ata_string(data: bytes, first: int, last: int) -> str:
    # ATA strings swap the two bytes of each word (ACS-4 3.4.9).
    return b"".join(data[2 * n:2 * n + 2][::-1] for n in range(first, last + 1)).decode().strip()


@pytest.fixture
def drive(monkeypatch):
    """emu:sata14 with its AtaDrive, so a test reads the same bytes the command line gets."""
    disk = _installed(make_sata(blocks=1 << 20, model="WDC WD40EFRX-68N32N0", serial="WD-WCC7K0000001",
                                firmware="82.00A82"))
    monkeypatch.setitem(KINDS, "sata14", (lambda **_: disk, {}))
    return disk.ata


def test_the_plugin_registers_both_subcommands(capsys):
    code, out, _ = run(capsys, "plugins")
    assert code == 0
    assert "  sat-identify  plugin sat" in out and "  smart         plugin sat" in out
    code, out, _ = run(capsys, "smart", "--help")
    assert code == 0 and out.startswith("usage: sgframe smart") and "file error" not in out


def test_sat_identify_fields_are_the_bytes(capsys, drive):
    data = drive.identify_data()
    code, out, _ = run(capsys, "sat-identify", "emu:sata14")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"Model number:       {_ata_string(data, 27, 46)}" == "Model number:       WDC WD40EFRX-68N32N0"
    assert lines[1] == f"Serial number:      {_ata_string(data, 10, 19)}"
    assert lines[2] == "Firmware revision:  82.00A82"
    sectors = _word(data, 100) | _word(data, 101) << 16 | _word(data, 102) << 32
    assert lines[4] == f"User capacity:      {sectors} sectors of 512 bytes ({sectors * 512} bytes)"
    wwn = _word(data, 108) << 48 | _word(data, 109) << 32 | _word(data, 110) << 16 | _word(data, 111)
    assert run(capsys, "sat-identify", "emu:sata14", "--ident") == (0, f"0x{wwn:016x}\n", "")
    assert wwn == 0x5001405000000001 and wwn_of(data) == wwn


def test_sat_identify_hex_json_and_12_byte_cdb(capsys, drive):
    data = drive.identify_data()
    code, out, _ = run(capsys, "sat-identify", "emu:sata14", "--hex")
    lines = out.splitlines()
    assert lines[0] == "Response for IDENTIFY DEVICE ATA command:" and len(lines) == 33
    assert lines[1].startswith("00   " + " ".join(f"{_word(data, n):04x}" for n in range(8)) + "  ")
    assert lines[-1].startswith("f8   ") and f" {_word(data, 255):04x}  " in lines[-1]
    # Line 0x18 shows words 24-31: the end of the firmware revision (23-26), the model from 27.
    assert lines[4].endswith(" 82 WD C  WD 40 EF")
    info = json.loads(run(capsys, "sat-identify", "emu:sata14", "--json", "--len", "12")[1])
    assert (info["model_number"], info["wwn"], info["user_addressable_sectors"]) == (
        "WDC WD40EFRX-68N32N0", "0x5001405000000001", 1 << 20)
    assert "smart" in info["features_enabled"] and info["checksum_valid"] is True
    assert "--len is 12 or 16" in run(capsys, "sat-identify", "emu:sata14", "--len", "32")[2]


def test_identify_words_layout_is_sg_sat_identifys():
    # The first line of the example in sg_sat_identify(8).
    words = (0x0C5A, 0x3FFF, 0xC837, 0x0010, 0x0000, 0x0000, 0x003F, 0x0000)
    data = b"".join(w.to_bytes(2, "little") for w in words) + bytes(496)
    assert identify_words(data)[0] == "00   0c5a 3fff c837 0010 0000 0000 003f 0000  .Z ?. .7 .. .. .. .? .."
    assert identify_words(data)[1].startswith("08   0000")
    assert wwn_of(bytes(512)) == 0


def _attributes_from_bytes(data: bytes, thresholds: bytes) -> list[tuple]:
    """(id, flags, value, worst, threshold, raw) read from the two 512-byte structures."""
    limits = {thresholds[o]: thresholds[o + 1] for o in range(2, 362, 12) if thresholds[o]}
    rows = []
    for o in range(2, 362, 12):
        if data[o]:
            rows.append((data[o], data[o + 1] | data[o + 2] << 8, data[o + 3], data[o + 4], limits.get(data[o]),
                         int.from_bytes(data[o + 5:o + 11], "little")))
    return rows


def test_smart_table_is_the_bytes_in_smartctl_columns(capsys, drive):
    code, out, _ = run(capsys, "smart", "emu:sata14")
    assert code == 0
    lines = out.splitlines()
    assert "SMART overall-health self-assessment test result: PASSED" in lines
    assert "Device Model:     WDC WD40EFRX-68N32N0" in lines and "SMART support is: Enabled" in lines
    head = lines.index("ID# ATTRIBUTE_NAME          FLAG     VALUE WORST THRESH TYPE      UPDATED  WHEN_FAILED RAW_VALUE")
    table = lines[head + 1:]
    expected = _attributes_from_bytes(drive.smart_data(), drive.smart_thresholds())
    assert len(table) == len(expected) == 6
    for line, (ident, flags, value, worst, threshold, raw) in zip(table, expected):
        # smartctl -a's columns: ID in 3, name in 24, flags, value/worst/threshold in 3
        # digits, type in 10, updated in 9, when failed in 12, the raw value.
        assert line[:3] == f"{ident:3d}" and line[4:28].rstrip() == ATTRIBUTE_NAMES[ident]
        assert line[28:34] == f"0x{flags:04x}"
        assert line[37:40] == f"{value:03d}" and line[43:46] == f"{worst:03d}" and line[49:52] == f"{threshold:03d}"
        assert line[56:66].rstrip() == ("Pre-fail" if flags & 1 else "Old_age")
        assert line[66:75].rstrip() == ("Always" if flags & 2 else "Offline")
        assert line[75:87].strip() == "-" and line[87:] == str(raw)
    assert table[0] == "  5 Reallocated_Sector_Ct   0x0033   100   100   010    Pre-fail  Always       -       0"


def test_smart_failing_drive_exit_8_and_json(capsys, monkeypatch):
    monkeypatch.setitem(KINDS, "sick14", (lambda **_: _installed(make_sata(smart_ok=False)), {}))
    code, out, _ = run(capsys, "smart", "emu:sick14")
    assert code == 8
    assert "SMART overall-health self-assessment test result: FAILED!" in out
    assert "  5 Reallocated_Sector_Ct   0x0033   005   005   010    Pre-fail  Always   FAILING_NOW 2000" in out
    code, out, _ = run(capsys, "smart", "emu:sick14", "--json")
    data = json.loads(out)
    assert code == 8 and data["exit_code"] == 8 and data["smart_status_passed"] is False
    first = data["attributes"][0]
    assert (first["id"], first["name"], first["value"], first["threshold"], first["when_failed"]) == (
        5, "Reallocated_Sector_Ct", 5, 10, "FAILING_NOW")


def test_smart_on_a_disk_without_sat_is_invalid_opcode_9(capsys):
    code, out, err = run(capsys, "smart", "emu:disk")
    assert (code, out) == (9, "")
    assert err.startswith("sgframe smart: ATA PASS-THROUGH(16) on emu:disk: CHECK CONDITION, ILLEGAL REQUEST, "
                          "Invalid command operation code")


def test_emulated_drive_is_consistent():
    healthy, sick = AtaDrive(), AtaDrive(smart_ok=False)
    for drive in (healthy, sick):
        ident = drive.identify_data()
        assert _word(ident, 82) & 1 and _word(ident, 85) & 1  # SMART supported and enabled
        assert sum(drive.smart_data()) & 0xFF == 0 and sum(drive.smart_thresholds()) & 0xFF == 0
    # A failing RETURN STATUS has an attribute at or below its threshold, a passing one none.
    for drive, failing in ((healthy, False), (sick, True)):
        rows = _attributes_from_bytes(drive.smart_data(), drive.smart_thresholds())
        assert any(t and v <= t for _, _, v, _, t, _ in rows) is failing
        assert drive.execute(0xB0, 0xDA, 0, 0xC24F00, False)[2] >> 8 == (0x2CF4 if failing else 0xC24F)


@pytest.mark.parametrize("value,worst,threshold,text", [
    (100, 100, 10, "-"), (10, 10, 10, "FAILING_NOW"), (50, 9, 10, "In_the_past"), (1, 1, 0, "-")])
def test_when_failed(value, worst, threshold, text):
    assert when_failed(value, worst, threshold) == text


def test_raw_text_reads_temperatures_and_hours():
    assert raw_text(194, 36) == "36"
    assert raw_text(194, 36 | 20 << 16 | 45 << 32) == "36 (Min/Max 20/45)"
    assert raw_text(9, 1234 | 5 << 24) == "1234 (5)"
    assert raw_text(5, 0x1_0000_0000) == "4294967296"


def test_sat_identify_packet_sends_a1h_and_the_drive_aborts_it(capsys, drive, monkeypatch):
    """--packet (sg_sat_identify -p) is IDENTIFY PACKET DEVICE: the ATA PASS-THROUGH(16) CDB
    carries A1h; a disk drive (not ATAPI) aborts it, an error the SATL reports."""
    from sgframe.channel import Channel

    sent = []
    original = Channel.execute

    def spy(self, command, *args, **kwargs):
        sent.append(bytes(command))
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(Channel, "execute", spy)
    code, out, err = run(capsys, "sat-identify", "emu:sata14", "--packet", "-R")
    # PIO data-in, T_DIR, BYTE_BLOCK, T_LENGTH in COUNT, COUNT 1, COMMAND A1h.
    assert sent[-1].hex() == "85080e0000000100000000000000a100"
    assert code == 11 and out == "" and "ABORTED COMMAND" in err
    run(capsys, "sat-identify", "emu:sata14")
    assert sent[-1][14] == 0xEC
