"""Issue 14 command line beside sg3_utils on emulated devices served to the kernel (TCMU):
``sgframe ses`` beside ``sg_ses`` on the enclosure:
the nickname, --filter and fields named by byte and bit.

    python -m sgframe.testbed run --lab "emu:enclosure?slots=12" --timeout 900 -- \
        python -m pytest tests/integration/test_cli14_lab.py
"""
from __future__ import annotations

import os
import subprocess
import sys
from typing import Iterator

import pytest

from sgframe.lab import Lab
from sgframe.testbed import guest

ENCLOSURE = "emu:enclosure?slots=12&devices=10&serial=LABSES00001"


@pytest.fixture(scope="module")
def enclosure() -> Iterator:
    guest.load_modules(*guest.LAB_MODULES)
    with Lab([ENCLOSURE], cmd_time_out=4) as served:
        yield served.luns[0], served.served[0]


def tool(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if check and proc.returncode:
        raise AssertionError(f"{' '.join(argv)}: status {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def sgframe(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    return tool(sys.executable, "-m", "sgframe.cli", *argv, check=check)


def test_nickname_set_by_one_is_read_by_the_other(enclosure):
    lun, served = enclosure
    sgframe("ses", lun.sg, "--nickname", "rack 4 shelf", "--control")
    assert served.device.nickname == b"rack 4 shelf"
    theirs = tool("sg_ses", "-p", "snic", lun.sg).stdout
    assert "rack 4 shelf" in theirs
    tool("sg_ses", "--nickname=from sg_ses", "--control", lun.sg)
    assert '"from sg_ses"' in sgframe("ses", lun.sg, "-p", "snic", "--json").stdout


def test_nickname_failures_exit_as_sg_ses_exits(enclosure):
    lun, served = enclosure
    # Without --control: both refuse it as a syntax error, before any command.
    ours, theirs = sgframe("ses", lun.sg, "-n", "x", check=False), tool("sg_ses", "-n", "x", lun.sg, check=False)
    assert ours.returncode == theirs.returncode == 1
    # A subenclosure the enclosure does not have: ILLEGAL REQUEST from the device (5).
    ours = sgframe("ses", lun.sg, "-n", "x", "-N", "3", "-c", check=False)
    theirs = tool("sg_ses", "-n", "x", "--nickid=3", "-c", lun.sg, check=False)
    assert ours.returncode == theirs.returncode == 5
    assert "Invalid field in parameter list" in ours.stderr


def test_fields_by_byte_and_bit_agree_with_sg_ses(enclosure):
    lun, served = enclosure
    sgframe("ses", lun.sg, "--set", "2:1:1", "-I", "0,7")
    assert tool("sg_ses", "--index=0,7", "--get=ident", lun.sg).stdout.strip() == "1"
    tool("sg_ses", "--index=coo,1", "--set=3:2:3=5", lun.sg)
    for field in ("3:2:3", "1:2:11"):
        mine = sgframe("ses", lun.sg, "-I", "coo,1", "-G", field, "-H").stdout
        theirs = tool("sg_ses", "--index=coo,1", f"--get={field}", "-H", lun.sg).stdout
        assert mine == theirs, field
    assert served.device.element(2, 1)[3] & 0x07 == 5
    tool("sg_ses", "--index=0,7", "--clear=2:1:1", lun.sg)
    assert sgframe("ses", lun.sg, "-I", "0,7", "-G", "ident").stdout == "0\n"


def test_filter_shows_the_elements_sg_ses_shows(enclosure):
    lun, _ = enclosure
    for flags in ("-f", "-ff"):
        mine = sgframe("ses", lun.sg, "-j", flags).stdout
        theirs = tool("sg_ses", "--join", flags, lun.sg).stdout
        slots = [f"SLOT {i:02d} [" for i in range(12)]
        assert [s in mine for s in slots] == [s in theirs for s in slots], flags
    # Twice: the two empty slots (NOT INSTALLED) are gone from both.
    assert "SLOT 10 [" not in mine and "SLOT 09 [" in mine


@pytest.mark.parametrize("view, heading", [("di_lu", "Addressed logical unit"), ("di_port", "Target port")])
def test_device_identification_views_agree_with_sg_vpd(enclosure, view, heading):
    lun, served = enclosure
    theirs = tool("sg_vpd", "-p", view, lun.sg).stdout
    mine = sgframe("inq", lun.sg, "-p", view).stdout
    # Both show only that association; the WWNs sg_vpd prints are the ones we print.
    others = {"di_lu": "Target port", "di_port": "Addressed logical unit"}[view]
    assert heading in mine and others not in mine and others.lower() not in theirs.lower()
    for wwn in ("0x%016x" % served.device.sas_base, "0x%016x" % served.device.expander_sas_address):
        assert (wwn in mine) == (wwn in theirs), wwn
