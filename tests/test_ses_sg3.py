"""SES pages decoded by sgframe and by ``sg_ses --inhex`` (sg3_utils) agree.

Two sources of pages: sg3_utils' own dump of an Areca ARC-8028 SAS-3 expander
(``tests/data/ses_areca_all.hex``, from sg3_utils' inhex directory) and the emulated
enclosure, dumped as hex after IDENT, FAULT and other fields were changed through
control pages, so that set bits are compared as well as clear ones.  Runs where
sg3_utils is installed.
"""
from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Dict, Optional, Tuple

import pytest

from sgframe.cli.ses import parse_hex_pages
from sgframe.decode.ses import SES1_ARRAY_DEVICE, build_enclosure_control, decode_diagnostic_page, element_type
from sgframe.emu.enclosure import EmulatedEnclosure

SG_SES = shutil.which("sg_ses")
pytestmark = pytest.mark.skipif(SG_SES is None, reason="sg3_utils (sg_ses) is not installed")

AREAC = Path(__file__).parent / "data" / "ses_areca_all.hex"

Key = Tuple[int, Optional[int]]


def sg_ses(path: Path, page: str) -> str:
    # latin-1: sg_ses prints a language element's code bytes as they are.
    done = subprocess.run([SG_SES, f"--inhex={path}", "--status", f"--page={page}"], capture_output=True,
                          encoding="latin-1", timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _sections(text: str):
    """Yield (ti, element index or None, [lines]) for each element sg_ses prints."""
    ti = None
    key = None
    lines: list = []
    for line in text.splitlines():
        m = re.search(r"Element type: .*\[ti=(\d+)\]", line)
        if m:
            if key is not None:
                yield key + (lines,)
            ti, key, lines = int(m.group(1)), None, []
            continue
        m = re.match(r"\s+(Overall descriptor|Element (\d+) descriptor|Element index: (\d+))", line)
        if m and ti is not None:
            if key is not None:
                yield key + (lines,)
            index = m.group(2) or m.group(3)
            key, lines = (ti, None if index is None else int(index)), []
            rest = line.split(":", 1)[1].strip()
            if rest and m.group(3) is None:
                lines.append(rest)
            continue
        if key is not None:
            lines.append(line.strip())
    if key is not None:
        yield key + (lines,)


def parse_status(text: str) -> Dict[Key, dict]:
    """sg_ses' enclosure status page as {(ti, ii): {label: value}} plus 'status'."""
    out: Dict[Key, dict] = {}
    for ti, ii, lines in _sections(text):
        fields: dict = {}
        for line in lines:
            m = re.match(r"(Voltage|Current): (-?\d+\.\d+) (volts|amps)", line, re.I)
            if m:
                fields[m.group(1)] = float(m.group(2))
                continue
            m = re.match(r"Slot address: (\d+)", line)
            if m:
                fields["Slot address"] = int(m.group(1))
                continue
            if line.startswith("Temperature: <reserved>"):
                fields["Temperature"] = None
                continue
            for item in line.split(","):
                item = item.strip()
                if item.startswith("status:"):
                    fields["status"] = item.split(":", 1)[1].strip()
                elif "=" in item:
                    label, value = item.split("=", 1)
                    label = label.split(":")[-1].strip()
                    if label == "Display character status":
                        continue  # sg_ses shows it for display modes 1 and 2 only
                    number = re.match(r"0x[0-9a-f]+|-?\d+", value.strip()).group(0)
                    fields[label] = int(number, 0)
        out[(ti, ii)] = fields
    return out


def ours(status: object, t=None) -> dict:
    t = t or element_type(status.element_type)
    fields = {"status": status.element_status_code_name, "Predicted failure": int(status.prdfail),
              "Disabled": int(status.disabled), "Swap": int(status.swap)}
    for f in t.status:
        value = getattr(status, f.name)
        if f.label is not None and value is not None:
            fields[f.label] = int(value)
    if t.code == 0x01 and t is not SES1_ARRAY_DEVICE:
        fields["Slot address"] = status.slot_address
    if t.code == 0x03:
        # FAN SPEED FACTOR 3 is reserved: no speed here, -1 in sg_ses.
        fields["Actual speed"] = -1 if status.actual_speed_rpm is None else status.actual_speed_rpm
    if t.code == 0x04:
        fields["Temperature"] = status.temperature_celsius
    if t.code == 0x12:
        fields["Voltage"] = status.volts
    if t.code == 0x13:
        fields["Current"] = status.amperes
    return fields


def compare_all(path: Path) -> int:
    pages = parse_hex_pages(path.read_text())
    cfg = decode_diagnostic_page(pages[0x01])
    # Configuration: each type header's element type, count and text.
    text = sg_ses(path, "cf")
    theirs = re.findall(r"Element type: (.+), subenclosure id: (\d+)\n\s+number of possible elements: (\d+)"
                        r"(?:\n\s+text: (.*))?", text)
    assert [(h.element_type_name, h.subenclosure_identifier, h.number_of_possible_elements,
             h.type_descriptor_text) for h in cfg.type_descriptor_headers] == [
        (n, int(s), int(c), t.strip()) for n, s, c, t in theirs]
    # Enclosure status: every element's fields.
    status = decode_diagnostic_page(pages[0x02], cfg)
    theirs = parse_status(sg_ses(path, "es"))
    compared = 0
    for group in status.types:
        for index, element in [(None, group.overall)] + list(enumerate(group.elements)):
            assert theirs[(group.type_index, index)] == ours(element), (group.type_index, index)
            compared += 1
    assert compared == len(theirs)
    # Element descriptors.
    if 0x07 in pages:
        ed = decode_diagnostic_page(pages[0x07], cfg)
        texts = {}
        for ti, ii, lines in _sections(sg_ses(path, "ed")):
            texts[(ti, ii)] = lines[0] if lines else ""
        mine = {(g.type_index, None): g.overall for g in ed.types}
        mine.update({(g.type_index, i): t for g in ed.types for i, t in enumerate(g.elements)})
        assert {k: v.strip() for k, v in texts.items()} == mine
    # Additional element status: which element, slot numbers and SAS addresses.
    if 0x0A in pages:
        aes = decode_diagnostic_page(pages[0x0A], cfg)
        text = sg_ses(path, "aes")
        theirs_aes = {}
        for ti, ii, lines in _sections(text):
            body = "\n".join(lines)
            slot = re.search(r"device slot number: (\d+)", body)
            theirs_aes[(ti, ii)] = (
                int(slot.group(1)) if slot else None,
                [int(a, 16) for a in re.findall(r"^SAS address: 0x([0-9a-f]+)", body, re.M)],
                [int(a, 16) for a in re.findall(r"^attached SAS address: 0x([0-9a-f]+)", body, re.M)],
            )
        mine_aes = {}
        for d in aes.descriptors:
            assert d.type_index is not None and d.element_index is not None
            # sg_ses numbers additional status by its position in the status page
            # without the overall elements (as ELEMENT INDEX does with EIIOE 00b).
            before = sum(h.number_of_possible_elements for h in cfg.type_descriptor_headers[:d.type_index])
            key = (d.type_index, before + d.element_index)
            addresses = [p.sas_address for p in d.phy_descriptors if hasattr(p, "attached_sas_address")]
            attached = [p.attached_sas_address for p in d.phy_descriptors if hasattr(p, "attached_sas_address")]
            if d.element_type == 0x18:
                addresses = [d.sas_address]
            mine_aes[key] = (d.device_slot_number, addresses, attached)
        assert mine_aes == theirs_aes
    return compared


def test_areca_pages_agree_with_sg_ses():
    assert compare_all(AREAC) == 50


def _dump(enc: EmulatedEnclosure, path: Path) -> Path:
    lines = []
    for code in (0x00, 0x01, 0x02, 0x05, 0x07, 0x0A):
        page = enc.diagnostic_page(code)
        lines.append(f"# page {code:02x}h")
        lines.extend(page[i:i + 16].hex(" ") for i in range(0, len(page), 16))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_emulated_enclosure_pages_agree_with_sg_ses(tmp_path):
    enc = EmulatedEnclosure(slots=8, devices=6, fans=3, temperature_sensors=3)
    cfg = decode_diagnostic_page(enc.diagnostic_page(0x01))
    status = decode_diagnostic_page(enc.diagnostic_page(0x02), cfg)
    control = build_enclosure_control(status, {
        (0, 1): {"ident": 1}, (0, 2): {"fault": 1, "dnr": 1}, (0, 5): {"devoff": 1, "remove": 1},
        (1, 0): {"ident": 1}, (1, 1): {"on": 0, "fail": 1}, (2, 2): {"ident": 1, "speed_code": 7},
        (3, 0): {"fail": 1}, (4, 1): {"ident": 1}, (5, 0): {"warning": 1, "ident": 1},
    })
    enc.respond(bytes((0x1D, 0x10, 0, len(control) >> 8, len(control) & 0xFF, 0)), control)
    compared = compare_all(_dump(enc, tmp_path / "emu.hex"))
    assert compared == (8 + 1) + (2 + 1) + (3 + 1) + (3 + 1) + (2 + 1) + (1 + 1)
    theirs = parse_status(sg_ses(tmp_path / "emu.hex", "es"))
    assert theirs[(0, 1)]["Ident"] == 1 and theirs[(0, 2)]["Fault requested"] == 1
    assert theirs[(0, 5)]["Device off"] == 1 and theirs[(0, 5)]["RMV"] == 1
    assert theirs[(1, 1)]["Fail"] == 1 and theirs[(1, 1)]["Off"] == 1 and theirs[(1, 1)]["Requested on"] == 0
    assert theirs[(5, 0)]["Warning requested"] == 1


def test_temperature_thresholds_agree_with_sg_ses(tmp_path):
    enc = EmulatedEnclosure(slots=2)
    path = _dump(enc, tmp_path / "emu.hex")
    th = decode_diagnostic_page(enc.diagnostic_page(0x05), decode_diagnostic_page(enc.diagnostic_page(0x01)))
    text = sg_ses(path, "th")
    values = [tuple(int(v) for v in m) for m in re.findall(
        r"high critical=(-?\d+), high warning=(-?\d+)\n\s+low warning=(-?\d+), low critical=(-?\d+) \(in Celsius\)",
        text)]
    sensors = th.types[3]
    mine = [tuple(getattr(t, n) - 20 for n in ("high_critical_threshold", "high_warning_threshold",
                                               "low_warning_threshold", "low_critical_threshold"))
            for t in (sensors.overall,) + sensors.elements]
    assert values == mine == [(60, 50, 5, 0)] * 3


@pytest.mark.parametrize("seed", range(12))
def test_every_element_type_agrees_with_sg_ses(tmp_path, seed):
    """Every SES-4 element type (01h-19h), three elements each with random bytes 1-3
    and a random byte 0, through both decoders."""
    rng = random.Random(seed)
    codes = list(range(0x01, 0x1A))
    generation = seed.to_bytes(4, "big")
    descriptor = bytes((0x11, 0, len(codes), 36)) + bytes(8) + b"ACME    " + b"ALL TYPES       " + b"0001"
    headers = b"".join(bytes((code, 3, 0, 0)) for code in codes)
    config = bytes((0x01, 0)) + (4 + len(descriptor) + len(headers)).to_bytes(2, "big") + generation + descriptor + \
        headers
    elements = b"".join(bytes((rng.choice((0x00, 0x01, 0x42, 0x13, 0x27, 0x78)),)) + rng.randbytes(3)
                        for _ in range(len(codes) * 4))
    status = bytes((0x02, 0)) + (4 + len(elements)).to_bytes(2, "big") + generation + elements
    path = tmp_path / "all.hex"
    path.write_text("\n".join(p.hex(" ") for p in (config, status)) + "\n")
    assert compare_all(path) == len(codes) * 4


def test_subenclosure_pages_agree_with_sg_ses(tmp_path):
    from sgframe.decode.ses import build_subenclosure_nickname_control

    enc = EmulatedEnclosure(slots=2)
    control = build_subenclosure_nickname_control(0, 0, "Rack 4 shelf 2")
    assert enc.respond(bytes((0x1D, 0x10, 0, 0, len(control), 0)), control).status == 0
    pages = {code: enc.diagnostic_page(code) for code in (0x0B, 0x0E, 0x0F)}
    path = tmp_path / "sub.hex"
    path.write_text("\n".join(p.hex(" ") for p in pages.values()) + "\n")
    nick = decode_diagnostic_page(pages[0x0F]).descriptors[0]
    text = sg_ses(path, "snic")
    assert re.search(r"subenclosure identifier: (\d+)", text).group(1) == str(nick.subenclosure_identifier)
    assert re.search(r"nickname: (.*)", text).group(1) == nick.subenclosure_nickname == "Rack 4 shelf 2"
    dm = decode_diagnostic_page(pages[0x0E]).descriptors[0]
    text = sg_ses(path, "dm")
    assert int(re.search(r"maximum size: (\d+) bytes", text).group(1)) == dm.subenclosure_download_microcode_maximum_size
    assert re.search(r"download microcode status: (.*) \[0x(\w+)\]", text).groups() == (
        "No download microcode operation in progress", f"{dm.subenclosure_download_microcode_status:x}")
    help_text = decode_diagnostic_page(pages[0x0B]).subenclosures[0].text
    assert sg_ses(path, "sht").splitlines()[-1].strip() == help_text


@pytest.mark.parametrize("seed", range(4))
def test_array_status_page_agrees_with_sg_ses(tmp_path, seed):
    """Page 06h (SES-1 array status): read by both as the enclosure status page's layout,
    for device slots, array device slots, power supplies and cooling elements."""
    rng = random.Random(100 + seed)
    codes = [0x01, 0x17, 0x02, 0x03]
    generation = seed.to_bytes(4, "big")
    descriptor = bytes((0x11, 0, len(codes), 36)) + bytes(8) + b"ACME    " + b"OLD ARRAY       " + b"0001"
    headers = b"".join(bytes((code, 2, 0, 0)) for code in codes)
    config = bytes((0x01, 0)) + (4 + len(descriptor) + len(headers)).to_bytes(2, "big") + generation + descriptor + \
        headers
    elements = b"".join(bytes((rng.choice((0x00, 0x01, 0x42, 0x13, 0x27)),)) + rng.randbytes(3)
                        for _ in range(len(codes) * 3))
    array = bytes((0x06, 0x09)) + (4 + len(elements)).to_bytes(2, "big") + generation + elements
    path = tmp_path / "array.hex"
    path.write_text("\n".join(p.hex(" ") for p in (config, array)) + "\n")
    cfg = decode_diagnostic_page(config)
    got = decode_diagnostic_page(array, cfg)
    assert type(got).__name__ == "ArrayStatusPage" and got.problems == ()
    text = sg_ses(path, "as")
    flags = re.search(r"INVOP=(\d), INFO=(\d), NON-CRIT=(\d), CRIT=(\d), UNRECOV=(\d)", text).groups()
    assert [int(f) for f in flags] == [got.invop, got.info, got.non_crit, got.crit, got.unrecov]
    theirs = parse_status(text)
    compared = 0
    for group in got.types:
        t = SES1_ARRAY_DEVICE if group.element_type == 0x01 else None
        for index, element in [(None, group.overall)] + list(enumerate(group.elements)):
            assert theirs[(group.type_index, index)] == ours(element, t), (group.type_index, index)
            compared += 1
    assert compared == len(theirs) == len(codes) * 3
