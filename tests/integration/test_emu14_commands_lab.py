"""The commands emu:disk gained with issue 14 (READ MEDIA SERIAL NUMBER, REPORT REFERRALS,
GET PHYSICAL ELEMENT STATUS, REMOVE ELEMENT AND TRUNCATE, SECURITY PROTOCOL OUT), sent by sg3_utils through the
kernel to an emulated disk served by the lab (TCMU), and read back by sgframe's decoders
from the very bytes the tools received.

    python -m sgframe.testbed run --no-scsi-debug --timeout 900 -- \
        python -m pytest tests/integration/test_emu14_commands_lab.py
"""
from __future__ import annotations

import re
import subprocess
from typing import Iterator

import pytest

from sgframe.decode.alua import decode_report_referrals
from sgframe.decode.elements import decode_physical_element_status
from sgframe.decode.maintenance import decode_media_serial_number
from sgframe.lab import Lab
from sgframe.testbed import guest

DISK = "emu:disk?blocks=262144&serial=LABDISK14C&storage_elements=4"


@pytest.fixture(scope="module")
def disk() -> Iterator:
    guest.load_modules(*guest.LAB_MODULES)
    with Lab([DISK], cmd_time_out=4) as served:
        yield served.luns[0], served.served[0]


def tool(*argv: str, text: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, capture_output=True, text=text, timeout=120)
    if proc.returncode:
        raise AssertionError(f"{' '.join(argv)}: status {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def test_sg_rmsn_reads_the_media_serial_number(disk):
    lun, _ = disk
    raw = tool("sg_rmsn", "--raw", lun.sg, text=False).stdout
    assert raw == b"LABDISK14C-M"  # 12 bytes: no padding needed
    # sg_rmsn --raw writes the serial number alone; the decoder reads the length too.
    decoded = decode_media_serial_number(len(raw).to_bytes(4, "big") + raw)
    assert decoded.text == "LABDISK14C-M"
    assert "LABDISK14C-M" in tool("sg_rmsn", lun.sg).stdout


def test_sg_referrals_sees_one_segment_through_target_port_group_1(disk):
    lun, _ = disk
    raw = tool("sg_referrals", "--raw", lun.sg, text=False).stdout
    (segment,) = decode_report_referrals(raw).user_data_segment_referrals
    assert (segment.first_user_data_segment_lba, segment.last_user_data_segment_lba) == (0, 262143)
    text = tool("sg_referrals", lun.sg).stdout
    assert "user data segment: first lba 0, last lba 262143" in text, text
    assert re.search(r"port group 1 state \(active/optimized\)", text), text


def test_sg_get_elem_status_and_depopulation(disk):
    lun, served = disk
    served.device.elements.set_health(3, 0x70)
    raw = tool("sg_get_elem_status", "--raw", "--maxlen=1024", lun.sg, text=False).stdout
    decoded = decode_physical_element_status(raw)
    text = tool("sg_get_elem_status", "--maxlen=1024", lun.sg).stdout
    assert "Number of descriptors: 4" in text
    for element in decoded.physical_element_status_descriptors:
        line = (f"[{element.element_identifier}] identifier: 0x{element.element_identifier:06x}  "
                f"associated LBs: 0x{element.associated_capacity:x}  health: {element.physical_element_health_name}")
        assert line in text, (line, text)
    # REMOVE ELEMENT AND TRUNCATE (no sg3_utils tool in this release): sg_raw sends it,
    # then sg_readcap sees the smaller disk and sg_get_elem_status the depopulated head.
    tool("sg_raw", lun.sg, "9e", "18", *["00"] * 8, "00", "00", "00", "02", "00", "00")
    assert "Last LBA=196607" in tool("sg_readcap", lun.sg).stdout
    text = tool("sg_get_elem_status", "--filter=1", "--maxlen=1024", lun.sg).stdout
    # sg_get_elem_status numbers the descriptors it lists in [brackets], from 1.
    assert "Number of descriptors: 2" in text
    assert "[1] identifier: 0x000002" in text and "depopulation completed, no errors" in text
    assert "[2] identifier: 0x000003" in text and "identifier: 0x000001" not in text


def test_sg_raw_sends_a_tcg_stack_reset_and_reads_the_answer(disk, tmp_path):
    lun, _ = disk
    got = tmp_path / "in.bin"
    # GET_COMID: SECURITY PROTOCOL IN, protocol 02h, specific 0000h, 4 bytes.
    tool("sg_raw", f"--outfile={got}", "-r", "4", lun.sg, "a2", "02", "00", "00", "00", "00",
         "00", "00", "00", "04", "00", "00")
    comid = got.read_bytes()[:2]
    request = tmp_path / "out.bin"
    request.write_bytes((comid + bytes.fromhex("0000 00000002")).ljust(512, b"\0"))
    tool("sg_raw", f"--infile={request}", "-s", "512", lun.sg, "b5", "02", comid[:1].hex(), comid[1:].hex(),
         "00", "00", "00", "00", "02", "00", "00", "00")
    tool("sg_raw", f"--outfile={got}", "-r", "16", lun.sg, "a2", "02", comid[:1].hex(), comid[1:].hex(),
         "00", "00", "00", "00", "00", "10", "00", "00")
    assert got.read_bytes() == comid + bytes.fromhex("0000 00000002 0000 0004 00000000")


@pytest.mark.parametrize("opcode, sa, usage", [
    ("0xab", "1", "ab 01 00 00 00 00 ff ff ff ff 00 00"),
    ("0x9e", "0x13", "9e 13 ff ff ff ff ff ff ff ff ff ff ff ff 01 00"),
    ("0x9e", "0x17", "9e 17 00 00 00 00 ff ff ff ff ff ff ff ff cf 00"),
    ("0x9e", "0x18", "9e 18 ff ff ff ff ff ff ff ff ff ff ff ff 00 00"),
    ("0x83", "1", "83 01 00 00 00 00 00 00 00 00 ff ff ff ff 00 00"),
    ("0x84", "7", "84 07 ff ff ff ff 00 00 00 00 ff ff ff ff 00 00"),
    ("0xb5", None, "b5 ff ff ff 80 00 ff ff ff ff 00 00"),
])
def test_sg_opcodes_reads_the_usage_data(disk, opcode, sa, usage):
    lun, _ = disk
    out = tool("sg_opcodes", "-o", opcode, *(["-s", sa] if sa else []), lun.sg).stdout
    assert "Command is supported" in out and usage in out.replace("\n", " "), out
