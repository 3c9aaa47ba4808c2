"""``sgframe inq`` against the emulated disk: sg_vpd's page names, the standard summary's
serial number and version descriptor names, pages in sg_vpd's layout, --json."""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from sgframe.cli import main
from sgframe.cli.inquiry import VPD_PAGES, vpd_page_code
from sgframe.cli.vpd_text import vpd_lines
from sgframe.decode.inquiry import decode_inquiry
from sgframe.decode.versions import version_descriptor_name
from sgframe.decode.vpd import VPD_PAGE_ACRONYMS, decode_vpd
from sgframe.emu import EmulatedDisk
from sgframe.emu.vpd import naa_identifier, port_identifier, standard_inquiry

from test_decode_vpd_pages import VECTORS

DATA = Path(__file__).parent / "data" / "sg3-inhex"
SG_INQ = shutil.which("sg_inq")
# What emu:disk lists in its page 00h.
EMU_PAGES = {0x00, 0x80, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x8A, 0x8B, 0x8C, 0x8D, 0x8F, 0x90, 0x91, 0x92, 0xB0,
             0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB7, 0xB8, 0xB9}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


# --- page names -------------------------------------------------------------------------

@pytest.mark.parametrize("name, code", sorted(VPD_PAGE_ACRONYMS.items()))
def test_every_sg_vpd_page_name_is_accepted(name, code):
    assert vpd_page_code(name) == code
    assert vpd_page_code(name.upper()) == code


def test_page_numbers_and_the_old_name():
    assert [vpd_page_code(t) for t in ("0x88", "88h", "136", "zbdc", "zbdch")] == [0x88, 0x88, 0x88, 0xB6, 0xB6]
    with pytest.raises(argparse.ArgumentTypeError, match=r"'nope' is not a VPD page: give a number or one of sv, "
                                                         r"sn, di, sii, mna, ei, mpp, sp"):
        vpd_page_code("nope")
    with pytest.raises(argparse.ArgumentTypeError, match=r"a VPD page code is 0..255 \(0x00..0xff\), got 0x100"):
        vpd_page_code("0x100")


@pytest.mark.parametrize("name", sorted(n for n, c in VPD_PAGES.items() if c in EMU_PAGES))
def test_inq_p_name_reads_that_page(capsys, name):
    data = run_json(capsys, "inq", "emu:disk", "-p", name)
    assert data["page_code"] == VPD_PAGES[name]
    assert data["problems"] == []
    assert bytes.fromhex(data["raw"])[1] == VPD_PAGES[name]


@pytest.mark.parametrize("name", sorted(n for n, c in VPD_PAGES.items() if c not in EMU_PAGES))
def test_inq_p_name_of_a_page_the_disk_lacks_is_illegal_request(capsys, name):
    code, out, err = run(capsys, "inq", "emu:disk", "--page", name)
    assert (code, out) == (83, "")  # not listed in page 00h: sg_vpd's EDOM exit
    assert f"VPD page 0x{VPD_PAGES[name]:02x} is not in the device's supported VPD pages" in err
    code, out, err = run(capsys, "inq", "emu:disk", "--page", name, "--force")
    assert (code, out) == (5, "")
    assert "ILLEGAL REQUEST, Invalid field in cdb [24h/00h], error in CDB byte 2" in err


def test_inq_help_names_the_pages(capsys):
    code, out, _ = run(capsys, "inq", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "sv, sn, di, sii, mna, ei, mpp, sp, ai, pc, dc, cfa, psm, tpc, pslu, pspo, sfs, bl, bdc, lbpv, ref, " \
           "sbl, bdce, zbdch, ble, fp, cpr, di_lu, di_port, di_target, di_asis, zbdc" in text


# --- standard INQUIRY --------------------------------------------------------------------

def test_inq_shows_serial_number_and_version_descriptors(capsys):
    code, out, _ = run(capsys, "inq", "emu:disk?serial=SN4711")
    assert code == 0
    assert out.splitlines()[7:] == [
        "Serial:      SN4711",
        "Version descriptors:",
        "  0x00a0  SAM-5 (no version claimed)",
        "  0x05c0  SPC-5 (no version claimed)",
        "  0x0600  SBC-4 (no version claimed)",
    ]


def test_inq_json_carries_serial_number_and_version_descriptor_names(capsys):
    data = run_json(capsys, "inq", "emu:disk?serial=SN4711")
    assert data["unit_serial_number"] == "SN4711"
    assert data["version_descriptors"] == [0x00A0, 0x05C0, 0x0600]
    assert data["version_descriptor_names"] == [
        "SAM-5 (no version claimed)", "SPC-5 (no version claimed)", "SBC-4 (no version claimed)"]


def test_inq_long_shows_the_serial_number_too(capsys):
    code, out, _ = run(capsys, "inq", "emu:disk?serial=SN4711", "--long")
    assert code == 0
    assert "version_descriptors          0xa0, 0x5c0, 0x600" in out.splitlines()
    assert out.splitlines()[-1] == "unit_serial_number           SN4711"


def test_zoned_disk_claims_zbc(capsys):
    data = run_json(capsys, "inq", "emu:zoned")
    assert data["version_descriptor_names"][-1] == "ZBC (no version claimed)"


def test_version_descriptor_names():
    assert [version_descriptor_name(c) for c in (0x00C0, 0x0460, 0x046C, 0x0624, 0x1761, 0x2100)] == [
        "SAM-6 (no version claimed)", "SPC-4 (no version claimed)", "SPC-4 ANSI INCITS 513-2015",
        "ZBC BSR INCITS 536 revision 05", "ACS-2 (no version claimed)", "SPL-4 (no version claimed)"]
    assert version_descriptor_name(0x05C5) == "SPC-5 (version descriptor code 0x05c5)"
    assert version_descriptor_name(0x7000) == "unrecognised version descriptor code 0x7000"


@pytest.mark.skipif(SG_INQ is None, reason="sg_inq not found (apt-get install sg3-utils)")
@pytest.mark.parametrize("source", ["emu", "emu_zoned", "inq_standard"])
def test_version_descriptor_names_agree_with_sg_inq(source, tmp_path):
    if source == "inq_standard":
        raw = bytes.fromhex((DATA / "inq_standard.hex").read_text())
    else:
        disk = EmulatedDisk(blocks=1 << 16, **({"zoned": True, "zone_size": 1 << 12} if source == "emu_zoned" else {}))
        raw = standard_inquiry(disk)
    path = tmp_path / "inq.hex"
    path.write_text(raw.hex(" "))
    text = subprocess.run([SG_INQ, "-d", f"--inhex={path}"], capture_output=True, text=True, timeout=30).stdout
    theirs = [line.strip() for line in text.split("Version descriptors:\n", 1)[1].splitlines() if line.strip()]
    ours = [version_descriptor_name(c) for c in decode_inquiry(raw).version_descriptors]
    assert ours and ours == theirs


# --- pages in sg_vpd's layout ------------------------------------------------------------

def test_device_identification_text(capsys):
    disk = EmulatedDisk(blocks=8, serial="SN4711")
    code, out, _ = run(capsys, "inq", "emu:disk?serial=SN4711", "-p", "di")
    assert code == 0
    assert out.splitlines() == [
        "Device identification VPD page (0x83):",
        "  Addressed logical unit:",
        "    designator type: NAA, code set: binary",
        "      0x" + naa_identifier(disk).hex(),
        "    designator type: T10 vendor ID based, code set: ASCII",
        "      vendor id: SGFRAME",
        "      vendor specific: EMU DISK        SN4711",
        "  Target port:",
        "    designator type: relative target port identifier, code set: binary",
        "      relative target port: 0x1",
        "    designator type: target port group, code set: binary",
        "      target port group: 0x1",
    ]
    # PIV is 0 in every designator of the emulated disk: no transport is named.
    assert "transport" not in out


def test_device_identification_json_has_the_wwn(capsys):
    disk = EmulatedDisk(blocks=8, serial="SN4711")
    data = run_json(capsys, "inq", "emu:disk?serial=SN4711", "-p", "di")
    naa = data["designation_descriptors"][0]
    assert (naa["wwn"], naa["protocol_identifier_name"], naa["piv"]) == ("0x" + naa_identifier(disk).hex(), None, False)


def test_scsi_ports_text_and_json(capsys):
    disk = EmulatedDisk(blocks=8, serial="SN4711")
    code, out, _ = run(capsys, "inq", "emu:disk?serial=SN4711", "-p", "sp")
    assert out.splitlines() == [
        "SCSI ports VPD page (0x88):",
        "  relative port: 1",
        "    target port descriptors:",
        "      designator type: NAA, code set: binary",
        "        0x" + port_identifier(disk).hex(),
    ]
    data = run_json(capsys, "inq", "emu:disk?serial=SN4711", "-p", "sp")
    (port,) = data["scsi_port_designation_descriptors"]
    assert port["relative_port_identifier"] == 1 and port["initiator_port_transportid"] is None
    assert port["target_port_descriptors"][0]["wwn"] == "0x" + port_identifier(disk).hex()


def test_supported_pages_text_names_and_codes_in_hex(capsys):
    code, out, _ = run(capsys, "inq", "emu:disk", "-p", "sv")
    lines = out.splitlines()
    assert lines[0] == "Supported VPD pages VPD page (0x00):"
    assert lines[1:4] == ["  0x00  sv     Supported VPD pages", "  0x80  sn     Unit serial number",
                          "  0x83  di     Device identification"]
    assert "  0xb5  bdce   Block device characteristics extension" in lines
    assert len(lines) == 1 + len(EMU_PAGES)


def test_page_codes_print_in_hex(capsys):
    code, out, _ = run(capsys, "inq", "emu:disk", "-p", "mpp")
    assert "  page_code                     0x87" in out.splitlines()
    assert "      policy_page_code       0x3f" in out.splitlines()
    code, out, _ = run(capsys, "inq", "emu:disk", "-p", "sfs")
    assert "  feature_set_codes            0x01, 0x101, 0x103" in out.splitlines()
    assert "  feature_set_names            Discovery 2016, SBC Base 2016, Basic provisioning 2016" in out.splitlines()


def test_other_new_pages_json(capsys):
    data = run_json(capsys, "inq", "emu:disk", "-p", "pc")
    assert (data["standby_z"], data["idle_a"], data["idle_b"]) == (True, True, False)
    data = run_json(capsys, "inq", "emu:disk", "-p", "psm")
    assert data["power_consumption_descriptors"][0]["watts"] == 6.0
    data = run_json(capsys, "inq", "emu:disk?block_size=4096", "-p", "sbl")
    assert data["logical_block_length_descriptors"][0]["logical_block_length"] == 4096
    data = run_json(capsys, "inq", "emu:disk", "-p", "bdce")
    assert (data["utilization_type_name"], data["utilization_a"]) == ("combined writes and reads", 550)


def test_transport_is_named_only_where_piv_says_so():
    # vpd_dev_id.hex: the LU's NAA has PIV 0, the target port's and device's PIV 1 (SAS).
    raw = bytes.fromhex((DATA / "vpd_dev_id.hex").read_text())
    lines = vpd_lines(decode_vpd(raw))
    assert lines[:4] == ["Device identification VPD page (0x83):", "  Addressed logical unit:",
                         "    designator type: NAA, code set: binary", "      0x5000c5003011cb2b"]
    assert lines[4:8] == ["  Target port:", "    designator type: NAA, code set: binary",
                          "      transport: SAS (SPL)", "      0x5000c5003011cb29"]
    assert sum("transport:" in line for line in lines) == 3
    ports = vpd_lines(decode_vpd(VECTORS["sp"]))
    assert ports[6:8] == ["  relative port: 2",
                          "    initiator port TransportID: SAS (SPL), " + VECTORS["sp"][36:60].hex()]


def test_all_vpd_text_has_a_heading_per_page(capsys):
    code, out, _ = run(capsys, "inq", "emu:disk", "--all-vpd")
    headings = [line for line in out.splitlines() if line.endswith("):") and not line.startswith(" ")]
    assert headings[0] == "Supported VPD pages VPD page (0x00):"
    assert headings[-1] == "Concurrent positioning ranges VPD page (0xb9):"
    assert len(headings) == len(EMU_PAGES)


def test_descriptor_type_codes_print_in_hex():
    lines = vpd_lines(decode_vpd(VECTORS["tpc"]))
    assert "      third_party_copy_descriptor_type       0x8001" in lines
    assert "          service_actions  0x10, 0x11" in lines


def test_device_identification_views_by_association(capsys):
    # sg_vpd's di_lu / di_port / di_target: one association of page 83h (SPC-5 7.7.6.1).
    assert [vpd_page_code(n) for n in ("di_lu", "di_port", "di_target", "di_asis")] == [0x83] * 4
    assert [getattr(vpd_page_code(n), "view", None) for n in ("di_lu", "DI_PORT", "di", "0x83")] == ["di_lu", "di_port", None, None]
    lu = run_json(capsys, "inq", "emu:enclosure?serial=E1", "-p", "di_lu")
    assert [(d["association"], d["designator_type"]) for d in lu["designation_descriptors"]] == [(0, 3), (0, 1)]
    port = run_json(capsys, "inq", "emu:enclosure?serial=E1", "-p", "di_port")
    assert [(d["association"], d["designator_type"], d["protocol_identifier_name"])
            for d in port["designation_descriptors"]] == [(1, 3, "SAS (SPL)"), (1, 4, "SAS (SPL)")]
    # The raw bytes stay the whole page: the view chooses what is decoded and shown.
    assert port["raw"] == lu["raw"]
    code, out, _ = run(capsys, "inq", "emu:enclosure?serial=E1", "-p", "di_target")
    assert (code, out) == (0, "Device identification VPD page (0x83):\n")
    code, out, _ = run(capsys, "inq", "emu:enclosure?serial=E1", "-p", "di_port")
    assert "Addressed logical unit" not in out and out.count("  Target port:\n") == 1


def test_device_identification_as_is_keeps_the_device_order(capsys):
    code, out, _ = run(capsys, "inq", "emu:disk?serial=SN4711", "-p", "di_asis")
    assert code == 0
    assert [line for line in out.splitlines() if not line.startswith("      ")] == [
        "Device identification VPD page (0x83):",
        "  Addressed logical unit:",
        "    designator type: NAA, code set: binary",
        "  Addressed logical unit:",
        "    designator type: T10 vendor ID based, code set: ASCII",
        "  Target port:",
        "    designator type: relative target port identifier, code set: binary",
        "  Target port:",
        "    designator type: target port group, code set: binary",
    ]


def test_inhex_decodes_saved_standard_data_and_vpd_pages(capsys):
    code, out, _ = run(capsys, "inq", "--inhex", str(DATA / "inq_standard.hex"))
    assert code == 0 and out.startswith("Vendor:      Linux\nProduct:     scsi_debug\n")
    assert "  0x2100  SPL-4 (no version claimed)\n" in out
    lu = run_json(capsys, "inq", "--inhex", str(DATA / "vpd_dev_id.hex"), "-p", "di_lu")
    assert [(d["association"], d["wwn"]) for d in lu["designation_descriptors"]] == [(0, "0x5000c5003011cb2b")]
    code, out, err = run(capsys, "inq", "--inhex", str(DATA / "vpd_bl.hex"), "-p", "sn")
    assert (code, out) == (15, "") and "the file holds VPD page 0xb0, not 0x80" in err
    code, out, err = run(capsys, "inq", "--inhex", str(DATA / "vpd_bl.hex"), "--all-vpd")
    assert (code, out) == (1, "") and "--all-vpd asks a device for each page" in err
