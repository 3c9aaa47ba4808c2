"""Differential test: decode_sense against sg3_utils' sg_decode_sense.

Both must agree on the format, current/deferred, sense key, ASC/ASCQ and the
information field. sg3_utils prints words, so the ASC/ASCQ is compared as text (the
T10 list in sg3_utils and ours agree for the codes used here) or, for codes without
T10 text, as the codes it prints.
"""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from sgframe.sense import SenseKey, asc_lookup, decode_sense
from sgframe.sense.sks import progress_percent_text

SG_DECODE_SENSE = shutil.which("sg_decode_sense")
pytestmark = pytest.mark.skipif(SG_DECODE_SENSE is None,
                                reason="sg_decode_sense not found (apt-get install sg3-utils)")

# sg3_utils' names for the sense keys where they differ from T10's words in case only.
SG3_KEY_NAMES = {SenseKey.VENDOR_SPECIFIC: "vendor specific(9)", SenseKey.RESERVED_0C: "equal"}

BUFFERS = [
    # fixed format
    "f0 00 03 00 12 34 56 0a 00 00 00 00 11 00 00 00 00 00",
    "70 00 05 00 00 00 00 0a 00 00 00 00 24 00 00 cf 00 02",
    "71 00 06 00 00 00 00 0a 00 00 00 00 29 00 00 00 00 00",
    "70 00 02 00 00 00 00 0a 00 00 00 00 04 04 00 80 40 00",
    "f0 00 01 ff ff ff ff 0a 00 00 00 00 17 01 00 80 00 03",
    "70 00 0b 00 00 00 00 0a 00 00 00 00 4b 03 00 00 00 00",
    "70 00 05 00 00 00 00 0a 00 00 00 00 85 01 00 00 00 00",
    "70 00 05 00 00 00 00 0a 00 00 00 00 05 81 00 00 00 00",
    "70 00 05 00 00 00 00 0a 00 00 00 00 05 71 00 00 00 00",
    "70 00 04 00 00 00 00 0a 00 00 00 00 40 85 00 00 00 00",
    "70 00 03 00 00 00 99 0a 00 00 00 00 11 00 00 00 00 00",
    "f0 00 07 00 00 00 01 0a 00 00 00 00 27 00 00 00 00 00",
    "f1 00 04 00 00 10 00 0a 00 00 00 00 44 00 2a 00 00 00",
    "70 00 0e 00 00 00 00 0a 00 00 00 00 1d 00 00 00 00 00",
    # descriptor format
    "72 03 11 00 00 00 00 0c 00 0a 80 00 00 00 00 00 00 12 34 56",
    "72 03 11 00 00 00 00 0c 00 0a 80 00 00 00 12 34 56 78 9a bc",
    "72 03 11 00 00 00 00 0c 00 0a 00 00 00 00 00 00 00 00 00 09",
    "73 06 29 00 00 00 00 00",
    "72 05 24 00 00 00 00 08 02 06 00 00 c8 00 02 00",
    "72 01 04 00 00 00 00 0e 09 0c 01 00 00 01 00 02 00 03 00 04 40 50",
    "72 03 11 00 00 00 00 20 0d 1e a0 00 80 00 05 07 00 00 00 00 00 00 12 34"
    " 00 00 00 00 00 00 00 09 00 00 00 00 00 00 00 00",
    "72 0e 1d 00 00 00 00 00",
    "72 0b 4b 03 00 00 00 0c 01 0a 00 00 00 00 00 00 00 00 00 42",
    "72 05 85 01 00 00 00 04 80 02 ab cd",
    "72 02 04 1b 00 00 00 08 02 06 00 00 80 80 00 00",
    "72 05 26 00 00 00 00 08 02 06 00 00 8d 00 05 00",
]


def sg3(hex_bytes: str) -> str:
    out = subprocess.run([SG_DECODE_SENSE] + hex_bytes.split(), capture_output=True, text=True,
                         timeout=20, check=True)
    return out.stdout


def parse(text: str) -> dict:
    head = re.search(r"^(Fixed|Descriptor) format, (current|<<<deferred>>>); Sense key: (.+)$", text, re.M)
    assert head, text
    result = {"format": head.group(1).lower(), "deferred": head.group(2) != "current",
              "key": head.group(3).strip().lower()}
    m = re.search(r"^Additional sense: (.+)$", text, re.M)
    if m:
        result["asc_text"] = m.group(1).strip()
    m = re.search(r"ASC=([0-9a-f]{2}), (?:vendor specific qualification )?ASCQ=([0-9a-f]{2}) \(hex\)", text)
    if m:
        result["codes"] = (int(m.group(1), 16), int(m.group(2), 16))
    info = None
    if result["format"] == "fixed":
        m = re.search(r"(Valid=0, )?Info fld=0x([0-9a-f]+)", text)
        if m and not m.group(1):
            info = int(m.group(2), 16)
    else:
        m = re.search(r"Information: (Valid=0 \(-> vendor specific\) )?0x([0-9a-f]+)", text)
        if m and not m.group(1):
            info = int(m.group(2), 16)
    result["information"] = info
    m = re.search(r"Progress indication: (\d+\.\d\d)%", text)
    if m:
        result["progress"] = m.group(1) + "%"
    m = re.search(r"Error in (Command|Data parameters): byte (\d+)(?: bit (\d))?", text)
    if m:
        result["field_pointer"] = (m.group(1) == "Command", int(m.group(2)),
                                   None if m.group(3) is None else int(m.group(3)))
    return result


@pytest.mark.parametrize("hex_bytes", BUFFERS)
def test_same_as_sg_decode_sense(hex_bytes):
    theirs = parse(sg3(hex_bytes))
    ours = decode_sense(bytes.fromhex(hex_bytes.replace(" ", "")))
    assert ours.problems == ()
    assert ours.format == theirs["format"]
    assert ours.deferred == theirs["deferred"]
    assert SG3_KEY_NAMES.get(ours.sense_key, str(ours.sense_key).lower()) == theirs["key"]
    if asc_lookup(ours.asc, ours.ascq) is None:
        assert theirs["codes"] == (ours.asc, ours.ascq)
    else:
        assert ours.asc_text.lower() == theirs["asc_text"].lower()
    assert ours.information == theirs["information"]
    sks = ours.sense_key_specific
    if "progress" in theirs:
        assert progress_percent_text(sks.progress_indication) == theirs["progress"]
    if "field_pointer" in theirs:
        assert (sks.c_d, sks.field_pointer, sks.bit_pointer if sks.bpv else None) == theirs["field_pointer"]


def test_parser_sees_what_it_compares():
    # guard against a parse() that silently finds nothing
    r = parse(sg3(BUFFERS[0]))
    assert r == {"format": "fixed", "deferred": False, "key": "medium error",
                 "asc_text": "Unrecovered read error", "information": 0x123456}
