"""``sgframe modes`` and ``sgframe logs`` against the emulated disk: names by (page, subpage),
sg_modes' header, --json."""
from __future__ import annotations

import json
import re

import pytest

from sgframe.cli import main
from sgframe.emu import EmulatedDisk
from sgframe.emu.uri import KINDS


def run(capsys, *argv: str):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def disk(monkeypatch) -> EmulatedDisk:
    shared = EmulatedDisk(blocks=4096)
    monkeypatch.setitem(KINDS, "pagetest", (lambda **_: shared, {}))
    return shared


# --- modes -------------------------------------------------------------------------------

def test_modes_header_as_sg_modes_shows_it(capsys):
    code, out, _ = run(capsys, "modes", "emu:disk", "--page", "ca")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Mode parameter header from MODE SENSE(10):"
    # "Mode data length" is the whole response (header 8, block descriptor 8, page 20):
    # MODE DATA LENGTH counts the bytes after its own two.
    assert lines[1] == "  Mode data length=36, medium type=0x00, WP=0, DpoFua=1, longlba=0"
    assert run_json(capsys, "modes", "emu:disk", "--page", "ca")["header"]["mode_data_length"] == 34
    assert lines[2] == "  Block descriptor length=8"
    code, out, _ = run(capsys, "modes", "emu:disk", "--page", "ca", "--six")
    assert "Mode parameter header from MODE SENSE(6):" in out
    assert "  Mode data length=32, medium type=0x00, WP=0, DpoFua=1, longlba=0" in out  # 4 + 8 + 20


def test_modes_json_header_and_page_names(capsys):
    data = run_json(capsys, "modes", "emu:disk", "-A")
    header = data["header"]
    assert (header["wp"], header["dpofua"], header["total_length"]) == (False, True, header["mode_data_length"] + 2)
    names = {(p["page_code"], p["subpage_code"]): p["page_name"] for p in data["pages"]}
    assert names[(0x0A, 0x01)] == "Control extension"
    assert names[(0x0A, 0x06)] == "Background operation control"
    assert names[(0x19, 0x01)] == "Phy control and discover (SAS)"
    assert names[(0x19, 0x03)] == "Enhanced phy control (SAS)"
    assert names[(0x1A, 0x01)] == "Power consumption"
    assert names[(0x1C, 0x01)] == "Background control"
    assert len(names) == 20


def test_modes_page_acronyms_and_subpages(capsys):
    code, out, _ = run(capsys, "modes", "emu:disk", "-p", "bc")
    assert code == 0
    assert ">> Background control [0x1c,0x01], page_control: current" in out
    assert re.search(r"^  en_bms\s+yes$", out, re.M)
    assert "page_code" not in out  # the title says it
    phys = run_json(capsys, "modes", "emu:disk", "-p", "0x19,1")["pages"]
    assert [p["page_name"] for p in phys] == ["Phy control and discover (SAS)"]
    assert [d["phy_identifier"] for d in phys[0]["descriptors"]] == [0, 1]
    code, out, _ = run(capsys, "modes", "emu:disk", "-p", "po", "--pc", "1")
    assert ">> Power condition [0x1a], page_control: changeable" in out


def test_modes_sees_mode_select(capsys, disk):
    from sgframe.decode.mode_pages import BackgroundControlPage
    from sgframe.decode import encode_mode_parameters

    data = encode_mode_parameters(None, (), [BackgroundControlPage(en_bms=False, background_medium_scan_interval_time=24,
                                                                   minimum_idle_time_before_background_scan=1)], ten=True)
    assert disk.respond(bytes((0x55, 0x10, 0, 0, 0, 0, 0, 0, len(data), 0)), data).status == 0
    page = run_json(capsys, "modes", "emu:pagetest", "-p", "bc")["pages"][0]
    assert page["en_bms"] is False
    logged = run_json(capsys, "logs", "emu:pagetest", "-p", "lnmc")
    assert [(c["page_code"], c["subpage_code"]) for c in logged["changes"]] == [(0x1C, 0x01)]


def test_modes_bad_page_is_a_syntax_error(capsys):
    code, _, err = run(capsys, "modes", "emu:disk", "-p", "nosuch")
    assert code == 1 and "'nosuch' is not a number" in err
    code, _, err = run(capsys, "modes", "emu:disk", "-p", "0x40")
    assert code == 1 and "a page is 0..63 and a subpage 0..255, got '0x40'" in err


# --- logs --------------------------------------------------------------------------------

def test_logs_subpage_named_by_page_and_subpage(capsys):
    code, out, _ = run(capsys, "logs", "emu:disk", "-p", "enr")
    assert code == 0
    assert out.splitlines()[0] == "Environmental reporting page  [0x0d,0x01]"
    assert re.search(r"^      temperature\s+35$", out, re.M)
    assert re.search(r"^      relative_humidity\s+40$", out, re.M)
    data = run_json(capsys, "logs", "emu:disk", "-p", "0x0d,2")
    assert data["page_name"] == "Environmental limits"
    assert data["temperature_limits"][0]["high_critical_temperature_limit_trigger"] == 65
    assert bytes.fromhex(data["raw"])[:4] == bytes.fromhex("cd 02 0018")


def test_logs_supported_subpages_listing(capsys):
    code, out, _ = run(capsys, "logs", "emu:disk", "-p", "ssp")
    assert code == 0
    assert "    0x0d,0x01   Environmental reporting" in out
    assert "    0x15,0x01   Pending defects" in out
    assert "    0x0e,0x01   Utilization" in out


def test_logs_all_json_covers_subpages(capsys):
    data = run_json(capsys, "logs", "emu:disk", "--all")
    assert data["0x0d,0x01"]["page_name"] == "Environmental reporting"
    assert data["0x1a"]["page_name"] == "Power condition transitions"
    assert data["0x15,0x01"]["pending_defect_count"] == 0
    assert all(not page["problems"] for page in data.values())


def test_logs_show_injected_medium_errors(capsys, disk):
    disk.inject_medium_error(77)
    code, out, _ = run(capsys, "logs", "emu:pagetest", "-p", "pd")
    assert code == 0
    assert out.splitlines()[0] == "Pending defects page  [0x15,0x01]"
    assert re.search(r"^  pending_defect_count\s+1$", out, re.M)
    assert re.search(r"^      logical_block_address\s+77$", out, re.M)
    bsr = run_json(capsys, "logs", "emu:pagetest", "-p", "bsr")
    assert [m["logical_block_address"] for m in bsr["medium_scan_parameters"]] == [77]
    assert bsr["background_scan_status"] == 8


def test_logs_hex_names_the_page(capsys, disk):
    code, out, _ = run(capsys, "logs", "emu:pagetest", "-p", "util", "--hex")
    assert code == 0 and out.splitlines()[0] == "Utilization page  [0x0e,0x01]"


def test_logs_unavailable_values_are_said(capsys):
    code, out, _ = run(capsys, "logs", "emu:disk", "-p", "fs")
    assert code == 0 and out.splitlines() == ["Format status page  [0x08]", "  (no values available)"]
