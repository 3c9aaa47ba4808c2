"""SES-1's array control page (06h): the builder (read the array status page, keep the
bits whose status and control meanings agree, SELECT and change only the named fields),
the emulated enclosure with array device slots answering and taking page 06h, and
``sgframe ses -p as --set/--clear/--get``; sg_ses --inhex reads the pages the same way."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sgframe.channel import Channel
from sgframe.cli import main
from sgframe.command import ReceiveDiagnosticResults, SendDiagnostic
from sgframe.decode.ses import (SES1_ARRAY_DEVICE, array_element_type, build_array_control, decode_diagnostic_page,
                                element_type)
from sgframe.emu.enclosure import EmulatedEnclosure
from sgframe.emu.uri import KINDS
from sgframe.errors import IllegalRequest, UsageError

SG_SES = shutil.which("sg_ses")


def _page(code: int, body: bytes, byte1: int = 0) -> bytes:
    return bytes((code, byte1)) + len(body).to_bytes(2, "big") + body


GENERATION = bytes.fromhex("00000007")
# Type headers: SES-1 device (01h) x2, array device slot (17h) x1, power supply (02h) x1.
CONFIG = _page(0x01, GENERATION + bytes((0x11, 0, 3, 36)) + bytes(8) + b"ACME    " + b"OLD ARRAY       " + b"0001"
               + bytes((0x01, 2, 0, 0, 0x17, 1, 0, 0, 0x02, 1, 0, 0)))
ELEMENTS = bytes.fromhex(
    "00 00 00 00"   # device overall
    "01 a4 46 0f"   # device 0: OK, HOT SPARE, IN FAILED ARRAY; DNR, RMV, IDENT; ENABLE BYPASS A/B, BYPASS A/B ENABLED
    "41 80 b9 30"   # device 1: PRDFAIL; OK; byte 2 bits 7,5,4,3,0 (not control bits); byte 3 bits 5,4 (status only)
    "00 00 00 00"   # array device slot overall
    "01 40 02 60"   # array slot 0: RSVD DEVICE; IDENT; FAULT SENSED, FAULT REQSTD
    "00 00 00 00"   # power supply overall
    "01 00 00 20")  # power supply 0: RQSTED ON


def _status(code: int = 0x06):
    cfg = decode_diagnostic_page(CONFIG)
    return decode_diagnostic_page(_page(code, GENERATION + ELEMENTS, 0x00), cfg)


# --- the builder ----------------------------------------------------------------------

def test_array_control_keeps_only_bits_of_the_same_meaning():
    page = build_array_control(_status(), {})
    assert page[:8] == bytes.fromhex("06 00 00 20 00 00 00 07")  # page 06h, 4 + 7 x 4 bytes, expected generation 7
    elements = [page[8 + 4 * i:12 + 4 * i].hex(" ") for i in range(7)]
    assert elements == [
        "00 00 00 00",
        "00 a4 46 0c",  # array state, DNR, RQST REMOVE, RQST IDENT, ENABLE BYP A/B kept; no SELECT
        "40 80 00 00",  # PRDFAIL and RQST OK kept; the status-only bits dropped
        "00 00 00 00",
        "00 40 02 20",  # array slot: RQST RSVD DEVICE, RQST IDENT, RQST FAULT (FAULT REQSTD)
        "00 00 00 00",
        "00 00 00 20",  # power supply: RQST ON
    ]


def test_array_control_selects_and_changes_the_named_fields():
    page = build_array_control(_status(), {(0, 1): {"hotspare": 1, "rqst_ok": 0, "ident": True},
                                           (1, 0): {"rqst_in_crit_array": 1, "fault": 0}},
                               info=True, crit=True)
    assert page[1] == 0x0A  # INFO, CRIT
    assert page[8 + 4 * 2:8 + 4 * 3] == bytes.fromhex("c0 20 02 00")  # SELECT, PRDFAIL; HOT SPARE; IDENT
    assert page[8 + 4 * 4:8 + 4 * 5] == bytes.fromhex("80 48 02 00")  # SELECT; RSVD + IN CRIT ARRAY; IDENT
    assert page[8 + 4:8 + 8] == bytes.fromhex("00 a4 46 0c")  # not named: not selected


def test_array_control_refuses_what_it_cannot_build():
    with pytest.raises(UsageError, match=r"array status page \(06h\), not page 02h"):
        build_array_control(_status(0x02), {})
    with pytest.raises(UsageError, match="has no field 'speed'"):
        build_array_control(_status(), {(0, 0): {"speed": 1}})
    with pytest.raises(UsageError, match=r"no element \(0, 5\)"):
        build_array_control(_status(), {(0, 5): {"ident": 1}})
    with pytest.raises(UsageError, match="does not fit its 1 bit"):
        build_array_control(_status(), {(0, 0): {"hotspare": 2}})
    with pytest.raises(UsageError, match="needs the array status page decoded with its configuration"):
        build_array_control(decode_diagnostic_page(_page(0x06, GENERATION + ELEMENTS)), {})


def test_ses1_device_has_the_array_device_slot_s_control_fields():
    assert array_element_type(0x01) is SES1_ARRAY_DEVICE and array_element_type(0x17) is element_type(0x17)
    ours = {(f.name, f.mask) for f in SES1_ARRAY_DEVICE.control}
    slot = {(f.name, f.mask) for f in element_type(0x17).control}
    assert ours == slot  # the same places (SES-2 took SES-1's array control element for 17h)
    assert SES1_ARRAY_DEVICE.keep_mask == 0x40FF460C


# --- the emulated enclosure -----------------------------------------------------------

@pytest.fixture
def enc(monkeypatch) -> EmulatedEnclosure:
    shared = EmulatedEnclosure(slots=4, devices=3, array=True)
    monkeypatch.setitem(KINDS, "arrenc", (lambda **_: shared, {}))
    return shared


def _read(channel, code: int) -> bytes:
    return bytes(channel.execute(ReceiveDiagnosticResults(pcv=True, page_code=code, allocation_length=4096)).data)


def test_enclosure_with_array_slots_answers_page_06h(enc):
    with Channel.open("emu:arrenc") as channel:
        listed = decode_diagnostic_page(_read(channel, 0x00)).supported_pages
        cfg = decode_diagnostic_page(_read(channel, 0x01))
        array = _read(channel, 0x06)
        status = _read(channel, 0x02)
    assert 0x06 in listed
    assert cfg.type_descriptor_headers[0].element_type == 0x17
    assert cfg.type_descriptor_headers[0].type_descriptor_text == "Array Device Slots"
    assert array[0] == 0x06 and array[1:] == status[1:]  # the same elements as page 02h
    slots = decode_diagnostic_page(array, cfg).types[0].elements
    assert [(s.element_status_code_name, s.ok) for s in slots] == [("OK", True)] * 3 + [("Not installed", False)]


def test_array_control_page_changes_the_elements(enc):
    with Channel.open("emu:arrenc") as channel:
        cfg = decode_diagnostic_page(_read(channel, 0x01))
        status = decode_diagnostic_page(_read(channel, 0x06), cfg)
        page = build_array_control(status, {(0, 2): {"rqst_rebuild_remap": 1, "rqst_ok": 0, "ident": 1}})
        channel.execute(SendDiagnostic(pf=True, parameter_list_length=len(page)), data=page)
        after = decode_diagnostic_page(_read(channel, 0x02), cfg).types[0].elements
    assert enc.element(0, 2) == bytes.fromhex("01 02 02 00")
    assert (after[2].ok, after[2].rebuild_remap, after[2].ident) == (False, True, True)
    assert enc.element(0, 1) == bytes.fromhex("01 80 00 00")  # not selected: as it was


def test_array_control_page_of_a_stale_generation_is_refused(enc):
    with Channel.open("emu:arrenc") as channel:
        cfg = decode_diagnostic_page(_read(channel, 0x01))
        page = bytearray(build_array_control(decode_diagnostic_page(_read(channel, 0x06), cfg), {(0, 0): {"ident": 1}}))
        page[7] ^= 1
        with pytest.raises(IllegalRequest) as failure:
            channel.execute(SendDiagnostic(pf=True, parameter_list_length=len(page)), data=bytes(page))
    assert (failure.value.asc, failure.value.ascq) == (0x26, 0x00)
    assert enc.element(0, 0) == bytes.fromhex("01 80 00 00")


def test_enclosure_without_array_slots_has_no_page_06h():
    with Channel.open("emu:enclosure") as channel:
        assert 0x06 not in decode_diagnostic_page(_read(channel, 0x00)).supported_pages
        with pytest.raises(IllegalRequest):
            _read(channel, 0x06)
        page = _page(0x06, bytes(4 + 4 * 64))
        with pytest.raises(IllegalRequest):
            channel.execute(SendDiagnostic(pf=True, parameter_list_length=len(page)), data=page)


# --- sgframe ses -p as --set/--clear/--get --------------------------------------------

def run(capsys, *argv: str):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def sent(monkeypatch) -> list:
    seen: list = []
    original = Channel.execute

    def spy(self, command, *args, **kwargs):
        data = kwargs.get("data", args[0] if args else None)
        seen.append((bytes(command).hex(), None if data is None else bytes(data)))
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(Channel, "execute", spy)
    return seen


def test_cli_set_and_clear_through_the_array_page(capsys, enc, sent):
    code, out, err = run(capsys, "ses", "emu:arrenc", "-p", "as", "--set", "hotspare", "--set", "ident",
                         "--clear", "ok", "-I", "0,1")
    assert (code, out, err) == (0, "", "")
    # Read: configuration (01h), array status (06h); sent: array control (06h).
    assert [cdb[:6] for cdb, _ in sent] == ["1c0101", "1c0106", "1d1000"]
    page = sent[-1][1]
    elements = sum(1 + count for _, count, _ in enc.types)  # an overall element per type header, then each one
    assert page[:8] == bytes((0x06, 0, 0, 4 + 4 * elements)) + bytes(4)
    assert page[8 + 4 * 2:8 + 4 * 3] == bytes.fromhex("80 20 02 00")  # SELECT; HOT SPARE; RQST IDENT
    assert page[8 + 4:8 + 8] == bytes.fromhex("00 80 00 00")  # slot 0: kept, not selected
    assert enc.element(0, 1) == bytes.fromhex("01 20 02 00")
    code, out, _ = run(capsys, "ses", "emu:arrenc", "-p", "as", "--get", "hotspare", "--get", "ok", "--get", "1:7:8",
                       "-I", "0,1", "--hex")
    assert (code, out) == (0, "0x1\n0x0\n0x20\n")


def test_cli_array_page_shows_the_change(capsys, enc):
    assert run(capsys, "ses", "emu:arrenc", "-p", "ac", "--set", "infailedarray", "-I", "0,2")[0] == 0
    code, out, _ = run(capsys, "ses", "emu:arrenc", "-p", "as", "-I", "0,2")
    assert code == 0 and out.startswith("Array Status diagnostic page:\n")
    assert "        OK=1, Reserved device=0, Hot spare=0, Cons check=0\n" \
           "        In crit array=0, In failed array=1, Rebuild/remap=0, R/R abort=0\n" in out


def test_cli_mask_and_position_on_the_array_page(capsys, enc):
    enc.status[0][1][3] = 0x40  # FAULT SENSED: status only, dropped unless --mask
    assert run(capsys, "ses", "emu:arrenc", "-p", "as", "--set", "1:5", "-I", "0,0")[0] == 0
    assert enc.element(0, 0) == bytes.fromhex("01 a0 00 40")  # OK kept, HOT SPARE set by position
    assert run(capsys, "ses", "emu:arrenc", "-p", "as", "--set", "rrabort", "-I", "0,0", "--mask")[0] == 0
    assert enc.element(0, 0) == bytes.fromhex("01 a1 00 40")


def test_cli_cgs_pages_are_02h_and_06h(capsys, enc):
    code, _, err = run(capsys, "ses", "emu:arrenc", "-p", "th", "--set", "ident", "-I", "0,0")
    assert code == 1
    assert "act on the enclosure status/control page (es, ec: 0x02) or SES-1's array status/control page " \
           "(as, ac: 0x06), not page 0x05" in err
    code, _, err = run(capsys, "ses", "emu:arrenc", "-p", "as", "--set", "speed", "-I", "0,0")
    assert code == 1 and "Array device slot control element has no field 'speed'" in err


def test_cli_raw_array_control_page_as_sg_ses_sends_it(capsys, enc):
    """sg_ses --control --page ac --data H,H...: the page body as given, behind its header."""
    with Channel.open("emu:arrenc") as channel:
        body = bytearray(_read(channel, 0x06)[4:])
    body[4 + 4 * 4] |= 0x80  # SELECT slot 3 (the empty one)
    body[4 + 4 * 4 + 2] |= 0x02  # RQST IDENT
    code, _, _ = run(capsys, "ses", "emu:arrenc", "--control", "--page", "ac", "--data", body.hex(","))
    assert code == 0 and enc.element(0, 3) == bytes.fromhex("05 00 02 00")


@pytest.mark.skipif(SG_SES is None, reason="sg3_utils (sg_ses) is not installed")
def test_sg_ses_reads_the_array_page_after_a_change_as_sgframe(capsys, enc, tmp_path):
    from test_ses_sg3 import ours, parse_status, sg_ses

    assert run(capsys, "ses", "emu:arrenc", "-p", "as", "--set", "hotspare", "--set", "rebuildremap",
               "--set", "dnr", "-I", "0,1")[0] == 0
    assert run(capsys, "ses", "emu:arrenc", "-p", "as", "--set", "fault", "--set", "conscheck", "-I", "0,2")[0] == 0
    with Channel.open("emu:arrenc") as channel:
        config, array = _read(channel, 0x01), _read(channel, 0x06)
    path = Path(tmp_path) / "array.hex"
    path.write_text(config.hex(" ") + "\n" + array.hex(" ") + "\n")
    theirs = parse_status(sg_ses(path, "as"))
    got = decode_diagnostic_page(array, decode_diagnostic_page(config))
    compared = 0
    for group in got.types:
        for index, element in [(None, group.overall)] + list(enumerate(group.elements)):
            assert theirs[(group.type_index, index)] == ours(element), (group.type_index, index)
            compared += 1
    assert compared == len(theirs)
    assert theirs[(0, 1)]["Hot spare"] == theirs[(0, 1)]["Rebuild/remap"] == theirs[(0, 1)]["Do not remove"] == 1
    assert theirs[(0, 2)]["Fault reqstd"] == theirs[(0, 2)]["Cons check"] == 1
