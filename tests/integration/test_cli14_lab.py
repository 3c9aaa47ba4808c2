"""Issue 14 beside sg3_utils on emulated devices served to the kernel (TCMU): ``sgframe
ses`` beside ``sg_ses`` on the enclosure (the nickname, --filter, fields named by byte and
bit), ``inq -p di_lu/di_port`` beside ``sg_vpd``, and the pages and commands emu:disk
gained read by sg_vpd, sg_logs and sg_opcodes.  The lab is started in this process.

    python -m sgframe.testbed run --no-scsi-debug --timeout 900 -- \
        python -m pytest tests/integration/test_cli14_lab.py
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Iterator

import pytest

from sgframe.lab import Lab
from sgframe.testbed import guest

ENCLOSURE = "emu:enclosure?slots=12&devices=10&serial=LABSES00001"
DISK = "emu:disk?blocks=262144&serial=LABDISK14"


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    guest.load_modules(*guest.LAB_MODULES)
    with Lab([ENCLOSURE, DISK], cmd_time_out=4) as served:
        yield served


@pytest.fixture(scope="module")
def enclosure(lab: Lab):
    return lab.luns[0], lab.served[0]


@pytest.fixture(scope="module")
def disk(lab: Lab):
    return lab.luns[1], lab.served[1]


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


def test_raw_pages_and_data_agree_with_sg_ses(enclosure):
    lun, served = enclosure
    for page in ("cf", "ed", "aes"):
        assert sgframe("ses", lun.sg, "-p", page, "-r").stdout.split() == \
            tool("sg_ses", "-p", page, "-r", lun.sg).stdout.split(), page
    sgframe("ses", lun.sg, "-p", "str", "--control", "--data", "5a,a5,00,ff")
    assert served.device.string_out == bytes.fromhex("5aa500ff")
    assert tool("sg_ses", "-p", "str", "-r", lun.sg).stdout.split() == ["5a", "a5", "00", "ff"]
    # The field acronyms sit where sg_ses -ee puts them.
    theirs = tool("sg_ses", "-ee").stdout
    for acronym in ("ident  [Device slot] [2:1:1]", "fault  [Device slot] [3:5:1]", "ident  [Power supply] [1:7:1]"):
        assert acronym in theirs and acronym in sgframe("ses", "-ee").stdout, acronym


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


# --- what emu:disk gained, read by sg3_utils through the kernel ------------------------------


@pytest.mark.parametrize("page, expected", [
    ("sii", ["IEEE Company_id: 0x2a2a2a, vendor specific extension id: 0x000001"]),
    ("tpc", ["Extended copy(LID1)", "Receive copy operating parameters", "Maximum CSCD descriptor count: 2",
             "Maximum segment descriptor count: 16", "Maximum descriptor list length: 512", "block -> block [0x2]",
             "Data segment granularity: 512"]),
    ("pslu", ["Relative port=1", "Protocol identifier: SAS", "TLR control supported: 0"]),
    ("pspo", ["phy id=0, SSP persistent capable=1", "phy id=1, SSP persistent capable=1"]),
    ("ble", ["Maximum number of streams: 8", "Optimal stream write size: 8 blocks", "Stream granularity size: 1024"]),
    ("bl", ["Maximum atomic transfer length: 256 blocks", "Atomic alignment: 1"]),
    ("mna", ["Addressed logical unit, Service type: storage configuration service",
             "http://sgframe-emu.invalid/LABDISK14/config"]),
    ("dc", ["Constituent type: Direct access block device [0x3]", "Product_identification: EMU MEDIUM"]),
    ("ref", ["User data segment size: 0", "User data segment multiplier: 0"]),
    ("fp", ["Preset identifier: 0x1", "logical block length: 512", "designed last LBA: 0x3ffff"]),
    # four storage elements: the disk default, as GET PHYSICAL ELEMENT STATUS reports them
    ("cpr", ["LBA range number: 0", "number of storage elements: 4", "number of LBAs: 0x40000 [262144]"]),
])
def test_sg_vpd_reads_the_new_pages(disk, page, expected):
    lun, _ = disk
    theirs = tool("sg_vpd", "-p", page, lun.sg).stdout
    for line in expected:
        assert line in theirs, (page, line, theirs)
    mine = json.loads(sgframe("inq", lun.sg, "-p", page, "--json").stdout)
    assert mine["problems"] == []


def test_sg_logs_reads_the_new_pages(disk):
    lun, served = disk
    port = tool("sg_logs", "-p", "0x18", lun.sg).stdout
    mine = json.loads(sgframe("logs", lun.sg, "-p", "0x18", "--json").stdout)
    for phy in mine["ports"][0]["phys"]:
        assert f"SAS address = 0x{phy['sas_address']:x}" in port
        assert f"attached SAS address = 0x{phy['attached_sas_address']:x}" in port
    assert "number of phys = 2" in port and "negotiated logical link rate: 12 Gbps" in port
    assert "Percentage used endurance indicator: 3 %" in tool("sg_logs", "-p", "0x11", lun.sg).stdout
    assert "Generation number of Inquiry data changed indication: 0" in tool("sg_logs", "-p", "0xb,1", lun.sg).stdout
    # Parameter 0000h is sg_logs' background operation status, not a "Reserved" one.
    assert "Reserved" not in tool("sg_logs", "-p", "0x15,2", lun.sg).stdout


def test_sg_logs_reads_the_device_pages(disk):
    """The log pages issue 14 added to emu:disk (01h, 0Ch, 0Fh, 15h/03h, 17h, 19h), through
    the kernel: the application client page is 16 KiB, more than one TCMU data page."""
    lun, served = disk
    assert "command, transfer too slow, over-run = 0" in tool("sg_logs", "-p", "0x1", lun.sg).stdout
    assert "Used LBA mapping threshold resource count:" in tool("sg_logs", "-p", "0xc", lun.sg).stdout
    assert "LPS misalignment count: max lpsm: 16, count=0" in tool("sg_logs", "-p", "0x15,3", lun.sg).stdout
    application = json.loads(sgframe("logs", lun.sg, "-p", "0xf", "--json").stdout)
    assert (application["page_length"], len(application["parameters"]), application["problems"]) == (16384, 64, [])
    before = json.loads(sgframe("logs", lun.sg, "-p", "0x19", "--json").stdout)
    tool("sg_dd", f"if={lun.sg}", "of=/dev/null", "bs=512", "count=8", "blk_sgio=1")
    text = tool("sg_logs", "-p", "0x19", lun.sg).stdout
    reads = int(re.search(r"number of read commands = (\d+)", text).group(1))
    assert reads >= before["number_of_read_commands"] + 1
    assert served.device.logs.statistics.commands["read"] >= reads  # the kernel may read more since


@pytest.mark.parametrize("opcode, sa, name", [
    ("0x9c", None, "Write atomic(16)"), ("0xa3", "5", "Report identifying information"),
    ("0xa3", "0xe", "Report priority"),
])
def test_sg_opcodes_finds_the_new_commands(disk, opcode, sa, name):
    lun, _ = disk
    argv = ["sg_opcodes", "-o", opcode] + (["-s", sa] if sa else []) + [lun.sg]
    out = tool(*argv).stdout
    assert f"Command_name: {name}" in out and "Command is supported" in out


def test_index_by_type_acronym_is_the_overall_element_as_in_sg_ses(enclosure):
    lun, served = enclosure
    sgframe("ses", lun.sg, "-I", "ps", "--set", "ident")
    assert served.device.element(1, None)[1] & 0x80 and not served.device.element(1, 0)[1] & 0x80
    assert tool("sg_ses", "--index=ps", "--get=ident", lun.sg).stdout.strip() == "1"
    assert tool("sg_ses", "--index=ps,0", "--get=ident", lun.sg).stdout.strip() == "0"
    tool("sg_ses", "--index=ps", "--clear=ident", lun.sg)
    assert sgframe("ses", lun.sg, "-I", "ps", "-G", "ident").stdout == "0\n"


def test_inner_hex_shows_the_bytes_sg_ses_shows(enclosure):
    lun, served = enclosure
    element = served.device.element(0, 1).hex(" ")
    mine = sgframe("ses", lun.sg, "-p", "es", "-I", "0,1", "--inner-hex").stdout
    theirs = tool("sg_ses", "-p", "es", "--index=0,1", "--inner-hex", lun.sg).stdout
    assert element in mine and element in theirs


def test_format_ip_def_is_taken_by_the_served_disk_as_sg_format_sends_it(disk):
    lun, served = disk
    served.device.medium.write(0, b"\x5a" * 512)
    ours = sgframe("format", lun.sg, "--format", "--ip-def", "-Q", "--force", "--json", check=False)
    assert ours.returncode == 0, ours.stderr
    assert served.device.medium.read(0, 1) == bytes(512)
    served.device.medium.write(0, b"\x5a" * 512)
    theirs = tool("sg_format", "--format", "--ip-def", "--quick", "--early", lun.sg, check=False)
    assert theirs.returncode == 0, theirs.stderr
    assert served.device.medium.read(0, 1) == bytes(512)
