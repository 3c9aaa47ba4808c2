"""Issue 14's subcommands against the emulated disks: text as sg3_utils prints it, --json,
exit codes, and the mounted-device safety of every modifying one."""
from __future__ import annotations

import json
import struct

import pytest

from sgframe.channel import Channel
from sgframe.cli import device as cli_device
from sgframe.cli import main, safety
from sgframe.cli.alua import rtpg_lines
from sgframe.cli.buffer import decode_descriptor, mode_number, READ_MODES, WRITE_MODES
from sgframe.cli.dd import is_scsi_device, parse_operands
from sgframe.cli.formatting import block_descriptor_with_length, format_header, sanitize_overwrite_parameters
from sgframe.cli.persist import parse_transport_ids
from sgframe.cli.provisioning import lba_status_lines
from sgframe.cli.wr_mode import overlay, select_parameters, split_mode_data
from sgframe.decode.alua import decode_report_target_port_groups
from sgframe.decode.lba_status import decode_lba_status
from sgframe.emu import EmulatedDisk
from sgframe.emu.uri import KINDS
from sgframe.errors import UsageError
from sgframe.linux.sysfs import DeviceNodes


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def disk(monkeypatch) -> EmulatedDisk:
    """One emulated disk shared by every command of a test, as ``emu:c14``."""
    shared = EmulatedDisk(blocks=1024)
    monkeypatch.setitem(KINDS, "c14", (lambda **_: shared, {}))
    return shared


@pytest.fixture
def zoned(monkeypatch):
    """A shared zoned disk, ``emu:z14``: 8 zones of 128 blocks, the first conventional."""
    shared = KINDS["zoned"][0](blocks=1024, zone_size=128, conventional_zones=1)
    monkeypatch.setitem(KINDS, "z14", (lambda **_: shared, {}))
    return shared


# --- help and errors ---------------------------------------------------------------------

NEW = ("persist", "rtpg", "stpg", "lba-status", "unmap", "write-same", "zones", "start", "sync", "format",
       "sanitize", "wr-mode", "read-buffer", "write-buffer", "dd")


@pytest.mark.parametrize("name", NEW)
def test_each_subcommand_help_is_short(capsys, name):
    code, out, _ = run(capsys, name, "--help")
    assert code == 0 and out.startswith(f"usage: sgframe {name}")
    assert "exit codes (sg3_utils' categories)" not in out and "file error" not in out


def test_a_usage_error_names_the_subcommand_once(capsys):
    code, out, err = run(capsys, "persist", "emu:disk", "-k", "-r")
    assert (code, out) == (1, "")
    assert err == "sgframe persist: give one PR action, not --read-keys, --read-reservation\n"
    code, _, err = run(capsys, "sync", "emu:disk", "--lba", "x")
    assert code == 1 and err.startswith("sgframe sync: argument -l/--lba: ") and err.count("sgframe") == 1


# --- persist ---------------------------------------------------------------------------------

def test_persist_read_keys_empty_then_registered(capsys, disk):
    code, out, _ = run(capsys, "persist", "emu:c14")
    assert code == 0
    assert out.splitlines() == ["  SGFRAME   EMU DISK          0001",
                                "  Peripheral device type: direct access block device",
                                "  PR generation=0x0, there are NO registered reservation keys"]
    assert run(capsys, "persist", "emu:c14", "--out", "--register", "--param-sark", "123abc") == (0, "", "")
    code, out, _ = run(capsys, "persist", "emu:c14", "-n", "-k")
    assert out == "  PR generation=0x1, 1 registered reservation key follows:\n    0x123abc\n"
    data = run_json(capsys, "persist", "emu:c14", "--read-keys")
    assert (data["service_action"], data["prgeneration"], data["reservation_keys"]) == ("read_keys", 1, [0x123ABC])


def test_persist_reserve_read_reservation_release(capsys, disk):
    run(capsys, "persist", "emu:c14", "--out", "-G", "-S", "0xabc")
    assert run(capsys, "persist", "emu:c14", "--out", "--reserve", "-K", "abc", "-T", "1")[0] == 0
    code, out, _ = run(capsys, "persist", "emu:c14", "-n", "-r")
    assert out.splitlines() == ["  PR generation=0x1, Reservation follows:", "    Key=0xabc",
                                "    scope: LU_SCOPE,  type: Write Exclusive"]
    data = run_json(capsys, "persist", "emu:c14", "-r")
    assert (data["reservation_key"], data["type"], data["type_name"]) == (0xABC, 1, "write exclusive")
    assert run(capsys, "persist", "emu:c14", "--out", "--release", "-K", "abc", "-T", "1")[0] == 0
    code, out, _ = run(capsys, "persist", "emu:c14", "-n", "-r")
    assert out == "  PR generation=0x1, there is NO reservation held\n"
    assert run(capsys, "persist", "emu:c14", "--out", "--clear", "-K", "abc")[0] == 0
    assert run_json(capsys, "persist", "emu:c14", "-k")["reservation_keys"] == []


def test_persist_reserve_unregistered_is_a_reservation_conflict_24(capsys, disk):
    code, out, err = run(capsys, "persist", "emu:c14", "--out", "--reserve", "-K", "1", "-T", "3")
    assert (code, out) == (24, "")
    assert err.startswith("sgframe persist: PERSISTENT RESERVE OUT on emu:c14: RESERVATION CONFLICT")
    data = json.loads(run(capsys, "persist", "emu:c14", "--out", "--reserve", "-K", "1", "-T", "3", "--json")[1])
    assert data["exit_code"] == 24 and data["error_type"] == "ReservationConflict"


def test_persist_capabilities_and_full_status(capsys, disk):
    caps = run_json(capsys, "persist", "emu:c14", "-c")
    assert caps["service_action"] == "report_capabilities" and caps["length"] == 8
    text = run(capsys, "persist", "emu:c14", "-n", "-c")[1].splitlines()
    assert text[0] == "Report capabilities response:" and len(text) == (16 if caps["tmv"] else 9)
    assert text[2] == f"  Compatible Reservation Handling(CRH): {int(caps['crh'])}"
    assert text[7] == f"  Allow Commands: {caps['allow_commands']}"
    run(capsys, "persist", "emu:c14", "--out", "-G", "-S", "5")
    status = run_json(capsys, "persist", "emu:c14", "-s")
    assert [d["reservation_key"] for d in status["full_status_descriptors"]] == [5]


def test_full_status_lines_as_sg_persist_prints_them():
    from sgframe.cli.persist import full_status_lines
    from sgframe.decode.persistent_reservation import decode_read_full_status

    sas = bytes.fromhex("06000000 5001405000000002") + bytes(12)
    holder = struct.pack(">Q4xBB4xHI", 0xABC, 0x01, 0x01, 1, len(sas)) + sas
    other = struct.pack(">Q4xBB4xHI", 0x5, 0x02, 0x00, 2, 0)
    data = struct.pack(">II", 3, len(holder) + len(other)) + holder + other
    assert full_status_lines(decode_read_full_status(data)) == [
        "  PR generation=0x3", "    Key=0xabc", "      All target ports bit clear", "      Relative port address: 0x1",
        "      << Reservation holder >>", "      scope: LU_SCOPE,  type: Write Exclusive",
        "      Transport Id of initiator:", "        SAS address: 0x5001405000000002",
        "    Key=0x5", "      All target ports bit set", "      not reservation holder"]
    assert full_status_lines(decode_read_full_status(bytes(8))) == ["  PR generation=0x0", "  No full status descriptors"]


def test_capabilities_lines_vector():
    from sgframe.cli.persist import capabilities_lines
    from sgframe.decode.persistent_reservation import decode_report_capabilities

    # CRH, SIP_C, ATP_C, PTPL_C; TMV, ALLOW COMMANDS 1; every type but EX_AC_AR.
    lines = capabilities_lines(decode_report_capabilities(bytes.fromhex("0008 1d 90 ea 00 0000")))
    assert lines[1:9] == ["  Replace Lost Reservation Capable(RLR_C): 0", "  Compatible Reservation Handling(CRH): 1",
                          "  Specify Initiator Ports Capable(SIP_C): 1", "  All Target Ports Capable(ATP_C): 1",
                          "  Persist Through Power Loss Capable(PTPL_C): 1", "  Type Mask Valid(TMV): 1",
                          "  Allow Commands: 1", "  Persist Through Power Loss Active(PTPL_A): 0"]
    assert lines[9:] == ["    Support indicated in Type mask:", "      Write Exclusive, all registrants: 1",
                         "      Exclusive Access, registrants only: 1", "      Write Exclusive, registrants only: 1",
                         "      Exclusive Access: 1", "      Write Exclusive: 1", "      Exclusive Access, all registrants: 0"]
    assert len(capabilities_lines(decode_report_capabilities(bytes.fromhex("0008 00 00 00 00 0000")))) == 9


def test_persist_option_errors(capsys):
    assert run(capsys, "persist", "emu:disk", "--out")[0] == 1
    assert run(capsys, "persist", "emu:disk", "--in", "--register")[0] == 1
    code, _, err = run(capsys, "persist", "emu:disk", "-K", "xyz", "--out", "--reserve")
    assert code == 1 and "'xyz' is not a hex reservation key" in err


def test_transport_ids_in_sg_persist_forms():
    sas, = parse_transport_ids("sas,5000c50012345678")
    assert sas == bytes.fromhex("06 00 00 00 50 00 c5 00 12 34 56 78") + bytes(12)
    iscsi, = parse_transport_ids("iqn.2026-12.test:a")
    assert iscsi[0] == 0x05 and iscsi[4:22] == b"iqn.2026-12.test:a" and len(iscsi) % 4 == 0
    raw, fc = parse_transport_ids("1,2,3;fcp,21000024ff000001")
    assert raw == bytes((1, 2, 3)) + bytes(21) and fc[8:16] == bytes.fromhex("21000024ff000001")
    with pytest.raises(UsageError, match="names no TransportID"):
        parse_transport_ids(";")
    with pytest.raises(UsageError, match="give sas,ADDR"):
        parse_transport_ids("sas,zz")


# --- rtpg, stpg ------------------------------------------------------------------------------

def test_rtpg_text_json_and_hex(capsys):
    code, out, _ = run(capsys, "rtpg", "emu:disk", "--decode")
    assert code == 0
    assert out.splitlines() == [
        "Report target port groups:",
        "  target port group id : 0x1 , Pref=0, Rtpg_fmt=0",
        "    target port group asymmetric access state : 0x00 (active/optimized)",
        "    T_SUP : 0, O_SUP : 0, LBD_SUP : 0, U_SUP : 0, S_SUP : 0, AN_SUP : 0, AO_SUP : 1",
        "    status code : 0x00 (no status available)",
        "    vendor unique status : 0x00",
        "    target port count : 01",
        "    Relative target port ids:",
        "      0x01"]
    group, = run_json(capsys, "rtpg", "emu:disk")["target_port_groups"]
    assert (group["target_port_group"], group["relative_target_port_identifiers"]) == (1, [1])
    assert run(capsys, "rtpg", "emu:disk", "--hex")[1].startswith(" 0000  00 00 00 0c 00 01")


def test_raw_and_hex_give_the_response_bytes(capsysbinary):
    def raw(*argv):
        code = main(list(argv))
        out, err = capsysbinary.readouterr()
        assert code == 0, err
        return out

    rtpg = raw("rtpg", "emu:disk", "--raw")
    assert rtpg == bytes.fromhex("0000000c 00 01 0001 00 00 00 01 00000001")
    assert raw("lba-status", "emu:disk", "-r")[:8] == bytes.fromhex("00000014 00000000")
    assert len(raw("zones", "emu:zoned", "-r", "-m", "128")) == 128
    assert raw("read-buffer", "emu:disk", "-m", "desc", "-r") == bytes.fromhex("00 010000")
    assert raw("rtpg", "emu:disk", "-H").startswith(b" 0000  00 00 00 0c 00 01 00 01")
    keys = raw("persist", "emu:disk", "-k", "-H")  # the 8-byte header: generation 0, no keys
    assert keys.startswith(b" 0000  00 00 00 00 00 00 00 00 ") and keys.endswith(b"  ........\n")
    assert main(["rtpg", "emu:disk", "--raw", "--json"]) == 1
    assert b"--raw writes the bytes to stdout; it cannot also carry --json" in capsysbinary.readouterr().err


def test_rtpg_lines_extended_format_vector():
    # Extended header: format type 1, implicit transition time 10 s; one group 0x0002,
    # standby, supports AO/AN/S, status 01h, two ports (3 and 4).
    # RTPG_FMT 001b in the descriptor's byte 0.
    data = bytes.fromhex("00000014 10 0a 0000 12 07 0002 00 01 00 02 00000003 00000004")
    lines = rtpg_lines(decode_report_target_port_groups(data), decode=True)
    assert lines[1:4] == ["  Implicit transition time: 10", "  target port group id : 0x2 , Pref=0, Rtpg_fmt=1",
                          "    target port group asymmetric access state : 0x02 (standby)"]
    assert lines[-2:] == ["      0x03", "      0x04"]


def test_stpg_on_a_disk_without_it_is_invalid_opcode_9(capsys):
    code, out, err = run(capsys, "stpg", "emu:disk", "--tp", "1", "--standby")
    assert (code, out) == (9, "")
    assert err == ("sgframe stpg: SET TARGET PORT GROUPS on emu:disk: CHECK CONDITION, ILLEGAL REQUEST, "
                   "Invalid command operation code [20h/00h]\n")


def test_stpg_sends_the_descriptors_sg_stpg_builds(capsys, disk):
    """A disk that implements SET TARGET PORT GROUPS (A4h/0Ah): the parameter list names
    each group and its state; --offline names a relative target port, sent as its group."""
    sent = []
    disk.register(0xA4, 0x0A, lambda d, request: sent.append(request.parameters(request.u(6, 4))),
                  name="SET TARGET PORT GROUPS")
    assert run(capsys, "stpg", "emu:c14", "--tp", "1", "--standby") == (
        0, "target port group 0x1: set to standby\n", "")
    assert sent[-1] == bytes.fromhex("00000000 02 00 0001")
    data = run_json(capsys, "stpg", "emu:c14", "--tp", "1,1", "--state", "ao,u")
    assert sent[-1] == bytes.fromhex("00000000 00 00 0001 03 00 0001")
    assert [g["asymmetric_access_state_name"] for g in data["set"]] == ["active/optimized", "unavailable"]
    assert run(capsys, "stpg", "emu:c14", "--tp", "1", "--offline")[0] == 0  # port 1 is in group 1
    assert sent[-1] == bytes.fromhex("00000000 0e 00 0001")
    code, _, err = run(capsys, "stpg", "emu:c14", "--tp", "7", "--offline")
    assert (code, err) == (1, "sgframe stpg: relative target port 0x7 is in no target port group\n")


def test_stpg_option_errors(capsys):
    assert run(capsys, "stpg", "emu:disk", "--standby")[2] == (
        "sgframe stpg: --tp names the target port groups (or, with --offline, relative target ports)\n")
    assert run(capsys, "stpg", "emu:disk", "--tp", "1,2", "--state", "s,an,ao")[0] == 1
    assert "give a state" in run(capsys, "stpg", "emu:disk", "--tp", "1")[2]
    assert "a number or one of ao, an, s, u, o" in run(capsys, "stpg", "emu:disk", "--tp", "1", "-S", "zz")[2]


# --- lba-status, unmap, write-same ---------------------------------------------------------

def test_lba_status_after_writes_and_unmap(capsys, disk):
    disk.medium.write(0, b"\x11" * 512 * 16)
    code, out, _ = run(capsys, "lba-status", "emu:c14", "-m", "64")
    assert code == 0
    assert out.splitlines() == ["No indication of the completion condition", "RTP=0",
                                "[1] LBA: 0x0000000000000000  blocks:         16  mapped (or unknown)",
                                "[2] LBA: 0x0000000000000010  blocks:       1008  deallocated"]
    assert run(capsys, "unmap", "emu:c14", "--lba", "4", "--num", "4") == (0, "", "")
    code, out, _ = run(capsys, "lba-status", "emu:c14", "-m", "64", "-b")
    assert out.splitlines()[2:5] == ["0x0000000000000000  0x4  0  0", "0x0000000000000004  0x4  1  0",
                                     "0x0000000000000008  0x8  0  0"]
    data = run_json(capsys, "lba-status", "emu:c14", "--32", "--lba", "8")
    first, = data["lba_status_descriptors"]  # the default allocation length: one descriptor
    assert (first["lba_status_logical_block_address"], first["number_of_logical_blocks"]) == (8, 8)


def test_lba_status_lines_completion_condition_vector():
    data = bytes.fromhex("00000014 00000004") + struct.pack(">QIB3x", 0x100, 0x20, 3)
    record = decode_lba_status(data)
    assert lba_status_lines(record) == ["Command completed due to meeting scan length (--scan-len=SL)", "RTP=0",
                                        "[1] LBA: 0x0000000000000100  blocks:         32  mapped"]


def test_lba_status_errors(capsys):
    assert "need GET LBA STATUS(32)" in run(capsys, "lba-status", "emu:disk", "--scan-len", "5")[2]
    assert run(capsys, "lba-status", "emu:disk", "-m", "8")[0] == 1


def test_unmap_all_in_file_dry_run_and_json(capsys, disk, tmp_path):
    disk.medium.write(0, b"\x22" * 512 * 1024)
    data = run_json(capsys, "unmap", "emu:c14", "--all", "1000,10", "--yes")
    assert (data["blocks"], data["commands"]) == (24, 3)
    assert data["ranges"][-1] == {"lba": 1020, "blocks": 4}
    assert disk.medium.read(999, 1) == b"\x22" * 512 and disk.medium.read(1000, 1) == bytes(512)
    pairs = tmp_path / "pairs"
    pairs.write_text("# lba,num\n10,2\n20 3\n")
    assert run(capsys, "unmap", "emu:c14", "--in", str(pairs), "--dry-run") == (
        0, "would unmap 5 blocks in 2 ranges\n", "")
    assert disk.medium.read(10, 1) == b"\x22" * 512
    assert run(capsys, "unmap", "emu:c14", "--in", str(pairs))[0] == 0
    assert disk.medium.read(10, 1) == bytes(512) and disk.medium.read(12, 1) == b"\x22" * 512


def test_unmap_errors(capsys):
    assert "give the ranges one way" in run(capsys, "unmap", "emu:disk")[2]
    assert "--lba gives 2 LBAs, --num 1 counts" in run(capsys, "unmap", "emu:disk", "-l", "1,2", "-n", "3")[2]
    assert run(capsys, "unmap", "emu:disk", "--in", "/no/such/file")[0] == 1  # as sg_unmap: a bad --in
    # The whole-range form asks first; with nobody to ask it refuses (1).
    assert run(capsys, "unmap", "emu:disk", "--all", "0,100")[0] == 1


def test_unmap_beyond_the_end_is_lba_out_of_range_22(capsys):
    assert run(capsys, "unmap", "emu:disk?blocks=100", "--lba", "99", "--num", "2")[0] == 22


def test_write_same_fills_and_unmaps(capsys, disk, tmp_path):
    block = tmp_path / "block"
    block.write_bytes(bytes(range(256)) * 2)
    assert run(capsys, "write-same", "emu:c14", "--in", str(block), "--lba", "3", "--num", "2") == (0, "", "")
    assert disk.medium.read(3, 2) == bytes(range(256)) * 4 and disk.medium.read(5, 1) == bytes(512)
    data = run_json(capsys, "write-same", "emu:c14", "--lba", "3", "--num", "1", "--ff")
    assert data == {"device": "emu:c14", "command": "WRITE SAME(10)", "lba": 3, "blocks": 1, "unmap": False,
                    "ndob": False, "cdb": "41000000000300000100"}
    assert disk.medium.read(3, 1) == b"\xff" * 512
    assert run_json(capsys, "write-same", "emu:c14", "--lba", "4", "--unmap")["command"] == "WRITE SAME(16)"
    assert disk.medium.read(4, 1) == bytes(512)


def test_write_same_errors(capsys, tmp_path):
    assert "as a precaution" in run(capsys, "write-same", "emu:disk")[2]
    short = tmp_path / "short"
    short.write_bytes(b"x" * 100)
    assert "WRITE SAME sends one 512-byte block" in run(capsys, "write-same", "emu:disk", "--in", str(short))[2]
    assert run(capsys, "write-same", "emu:disk?blocks=10", "--lba", "9", "--num", "2")[0] == 22


# --- zones -----------------------------------------------------------------------------------

def test_zones_report_and_actions(capsys, zoned):
    code, out, _ = run(capsys, "zones", "emu:z14", "--num", "2")
    assert code == 0
    assert out.splitlines()[:3] == ["Report zones response:", "  Same=0: zone type and length may differ",
                                    "  Maximum LBA: 0x3ff"]
    assert out.splitlines()[4:] == [
        " Zone descriptor: 0", "   Zone type: conventional", "   Zone condition: not write pointer", "   Non_seq: 0",
        "   Reset: 0", "   Zone Length: 0x80", "   Zone start LBA: 0x0", "   Write pointer LBA: 0xffffffffffffffff",
        "", " Zone descriptor: 1", "   Zone type: sequential write required", "   Zone condition: empty",
        "   Non_seq: 0", "   Reset: 0", "   Zone Length: 0x80", "   Zone start LBA: 0x80", "   Write pointer LBA: 0x80"]
    assert run(capsys, "zones", "emu:z14", "--open", "--zone", "0x100") == (0, "", "")
    zones = run_json(capsys, "zones", "emu:z14", "--start", "0x100")["zone_descriptors"]
    assert zones[0]["zone_condition_name"] == "explicitly opened"
    assert run(capsys, "zones", "emu:z14", "--finish", "--zone", "0x100")[0] == 0
    assert run(capsys, "zones", "emu:z14", "--wp", "--start", "0x100", "-n", "2")[1] == "0x180\n0x180\n"
    assert run(capsys, "zones", "emu:z14", "--reset", "--all", "--yes") == (0, "", "")
    assert run(capsys, "zones", "emu:z14", "--wp", "--start", "0x100", "-n", "1")[1] == "0x100\n"


def test_zones_errors(capsys, zoned):
    assert "give one zone action" in run(capsys, "zones", "emu:z14", "--open", "--close")[2]
    assert "go with a zone action" in run(capsys, "zones", "emu:z14", "--all")[2]
    # OPEN ZONE on a conventional zone: ILLEGAL REQUEST (invalid field in CDB): 5.
    assert run(capsys, "zones", "emu:z14", "--open", "--zone", "0")[0] == 5
    # A disk that is not zoned rejects REPORT ZONES as an unknown command: 9.
    assert run(capsys, "zones", "emu:disk")[0] == 9


# --- start, sync -----------------------------------------------------------------------------

def test_start_stop_eject_json_cdb(capsys, disk):
    assert run(capsys, "start", "emu:c14", "--stop") == (0, "", "")
    assert disk.started is False
    assert run(capsys, "tur", "emu:c14")[0] == 2  # NOT READY once stopped, as sg_turs says
    assert run(capsys, "start", "emu:c14") == (0, "", "")
    assert disk.started is True
    assert run_json(capsys, "start", "emu:c14", "--pc", "3", "--mod", "1")["cdb"] == "1b0000013000"
    # The emulated disk has no removable medium: LOEJ is an invalid field (5), as on scsi_debug.
    code, out, err = run(capsys, "start", "emu:c14", "--eject")
    assert (code, out) == (5, "") and "Invalid field in cdb [24h/00h], error in CDB byte 4 bit 1" in err


@pytest.mark.parametrize("options,cdb", [
    ({}, "1b0000000100"), ({"stop": True}, "1b0000000000"), ({"eject": True, "immed": True}, "1b0100000200"),
    ({"load": True}, "1b0000000300"), ({"loej": True}, "1b0000000200"), ({"loej": True, "start": True}, "1b0000000300"),
    ({"pc": 2, "noflush": True}, "1b0000002400"),
])
def test_start_command_is_what_sg_start_sends(options, cdb):
    import argparse

    from sgframe.cli.startstop import start_command

    args = argparse.Namespace(**{**dict(start=False, stop=False, eject=False, load=False, loej=False, immed=False,
                                        pc=0, mod=0, noflush=False), **options})
    assert bytes(start_command(args)).hex() == cdb


def test_start_option_errors(capsys):
    assert "--start and --stop exclude each other" in run(capsys, "start", "emu:disk", "--start", "--stop")[2]
    assert "--pc is 0..15" in run(capsys, "start", "emu:disk", "--pc", "16")[2]


def test_sync_is_quiet_and_picks_the_cdb(capsys):
    assert run(capsys, "sync", "emu:disk") == (0, "", "")
    assert run_json(capsys, "sync", "emu:disk", "--lba", "3", "--count", "5")["command"] == "SYNCHRONIZE CACHE(10)"
    assert run_json(capsys, "sync", "emu:disk", "--16")["command"] == "SYNCHRONIZE CACHE(16)"
    code, _, err = run(capsys, "sync", "emu:disk", "--lba", "0x100000000")
    assert code == 22 and err.startswith("sgframe sync: SYNCHRONIZE CACHE(16) on emu:disk: ")
    assert run(capsys, "sync", "emu:disk?blocks=10", "--lba", "20")[0] == 22


# --- format, sanitize ------------------------------------------------------------------------

def test_format_reports_then_formats(capsys, disk):
    disk.medium.write(0, b"\x33" * 512)
    assert run(capsys, "format", "emu:c14") == (0, "    Number of logical blocks=1024\n    Logical block size=512 bytes\n"
                                                   "No changes made. To format use '--format'.\n", "")
    # No terminal here to ask: refused with 1 and nothing done.
    code, _, err = run(capsys, "format", "emu:c14", "--format")
    assert code == 1 and "There is no terminal to ask: give --yes" in err
    assert disk.medium.read(0, 1) == b"\x33" * 512
    assert run(capsys, "format", "emu:c14", "--format", "--quick") == (
        0, "Format complete: 1024 blocks of 512 bytes\n", "")
    assert disk.medium.read(0, 1) == bytes(512)
    data = run_json(capsys, "format", "emu:c14", "--format", "-Q", "--wait")
    assert data == {"device": "emu:c14", "formatted": True, "fmtpinfo": 0, "polls": 0, "blocks": 1024,
                    "block_length": 512}
    assert run_json(capsys, "format", "emu:c14", "--format", "-Q")["polls"] == 1


class _Formatting:
    """REQUEST SENSE of a disk in the middle of a format: NOT READY, 04h/04h FORMAT IN
    PROGRESS with a progress indication (SPC-5 4.4.2.4.4), for the given steps; then
    nothing to report."""

    def __init__(self, steps):
        self.steps = list(steps)
        self.polls = 0

    def __call__(self, disk, request):
        from sgframe.sense import build_fixed_sense
        from sgframe.sense.sks import ProgressIndication

        self.polls += 1
        if not self.steps:
            return build_fixed_sense(0, 0, 0)[:request.cdb[4]]
        step = self.steps.pop(0)
        return build_fixed_sense(2, 0x04, 0x04, sense_key_specific=ProgressIndication(step))[:request.cdb[4]]


def test_format_follows_the_progress_indication(capsys, disk, monkeypatch):
    import io

    formatting = _Formatting([0x4000, 0x8000, 0xC000])
    disk.register(0x03, None, formatting, name="REQUEST SENSE")
    waits = []
    monkeypatch.setattr("sgframe.cli.formatting.time.sleep", waits.append)
    terminal = io.StringIO()
    terminal.isatty = lambda: True
    monkeypatch.setattr("sys.stderr", terminal)
    assert run(capsys, "format", "emu:c14", "--format", "-Q", "--poll-interval", "0.5")[0] == 0
    assert formatting.polls == 4 and waits == [0.5, 0.5, 0.5]
    drawn = terminal.getvalue()
    assert " 25.0%  16384/65536 blocks" in drawn and " 75.0%  49152/65536" in drawn
    assert drawn.endswith("100.0%  65536/65536 blocks  " + drawn.rsplit("blocks  ", 1)[1]) and drawn.endswith("\n")
    # --early returns once the format has started: no polling.
    formatting.steps, formatting.polls = [0x100], 0
    assert run_json(capsys, "format", "emu:c14", "--format", "-Q", "--early")["polls"] == 0 and formatting.polls == 0


def test_sanitize_follows_the_progress_indication(capsys, disk, monkeypatch):
    formatting = _Formatting([0x1000, 0x2000])
    disk.register(0x03, None, formatting, name="REQUEST SENSE")
    monkeypatch.setattr("sgframe.cli.formatting.time.sleep", lambda seconds: None)
    assert run_json(capsys, "sanitize", "emu:c14", "--crypto", "-Q")["polls"] == 3


def test_format_protection_is_refused_by_a_disk_without_it(capsys):
    assert run(capsys, "format", "emu:disk", "--format", "-Q", "--fmtpinfo", "2")[0] == 5
    assert "--fmtpinfo is 0..3" in run(capsys, "format", "emu:disk", "--format", "-Q", "--fmtpinfo", "4")[2]


def test_format_size_changes_the_block_descriptor_first(capsys, disk):
    # The emulated disk keeps 512-byte blocks: its MODE SELECT refuses the new descriptor
    # (the all-ones block count, byte 8), and nothing is formatted.
    disk.medium.write(0, b"\x33" * 512)
    code, out, err = run(capsys, "format", "emu:c14", "--format", "-Q", "--size", "4096")
    assert (code, out) == (5, "")
    assert err.startswith("sgframe format: MODE SELECT(10) on emu:c14: CHECK CONDITION, ILLEGAL REQUEST, "
                          "Invalid field in parameter list [26h/00h], error in parameter data byte 8")
    assert disk.medium.read(0, 1) == b"\x33" * 512
    # The size it has already: no MODE SELECT, the format goes ahead.
    assert run(capsys, "format", "emu:c14", "--format", "-Q", "--size", "512")[0] == 0


def test_format_parameter_vectors():
    assert format_header(immed=True) == bytes.fromhex("00 02 00 00")
    assert format_header(immed=False, fov=True, dcrt=True, protection_field_usage=1) == bytes.fromhex("01 a0 00 00")
    with pytest.raises(UsageError, match="0..7"):
        format_header(immed=True, protection_field_usage=8)
    sensed = bytes.fromhex("0016 00 00 00 00 0008") + bytes.fromhex("00000400 00 000200") + bytes.fromhex("010a") + bytes(10)
    assert block_descriptor_with_length(sensed, 4096, None) == bytes.fromhex("0000 00 00 00 00 0008 ffffffff 00 001000")
    assert block_descriptor_with_length(sensed, 512, 100)[8:] == bytes.fromhex("00000064 00 000200")
    with pytest.raises(UsageError, match="no block descriptor"):
        block_descriptor_with_length(bytes.fromhex("000a 00 00 00 00 0000") + bytes.fromhex("0108") + bytes(8), 512, None)


def test_sanitize_actions(capsys, disk, tmp_path):
    disk.medium.write(0, b"\x44" * 512 * 2)
    assert run(capsys, "sanitize", "emu:c14", "--block", "-Q") == (0, "SANITIZE (block erase): complete\n", "")
    assert disk.medium.read(0, 1) == bytes(512)
    pattern = tmp_path / "pattern"
    pattern.write_bytes(b"\xa5\x5a")
    data = run_json(capsys, "sanitize", "emu:c14", "--overwrite", "--pattern", str(pattern), "--yes")
    assert data == {"device": "emu:c14", "service_action": "overwrite", "done": True, "polls": 1}
    assert disk.medium.read(7, 1) == b"\xa5\x5a" * 256
    assert run(capsys, "sanitize", "emu:c14", "--crypto", "-Q", "--dry-run") == (
        0, "SANITIZE (cryptographic erase): dry run, nothing sent\n", "")
    assert disk.medium.read(7, 1) == b"\xa5\x5a" * 256


def test_sanitize_errors_and_vector(capsys):
    assert "give one of --overwrite" in run(capsys, "sanitize", "emu:disk", "-Q")[2]
    assert "--overwrite needs --pattern FILE or --zero" in run(capsys, "sanitize", "emu:disk", "-O", "-Q")[2]
    assert run(capsys, "sanitize", "emu:disk", "--block")[0] == 1  # not confirmed
    assert sanitize_overwrite_parameters(b"\x00\xff", count=3, invert=True, test=1) == bytes.fromhex("a3 00 0002 00ff")
    with pytest.raises(UsageError, match="1..31"):
        sanitize_overwrite_parameters(b"\x00", count=32)


# --- wr-mode ---------------------------------------------------------------------------------

def caching(byte2: str) -> str:
    """The emulated disk's caching page (20 bytes) with byte 2 (WCE, RCD ...) as given."""
    return f"8,12,{byte2},0,ff,ff,0,0,ff,ff,ff,ff,0,10,0,0,0,0,0,0"


def test_wr_mode_changes_the_caching_page(capsys, disk):
    before = run_json(capsys, "modes", "emu:c14", "--page", "8")
    data = run_json(capsys, "wr-mode", "emu:c14", "--page", "8", "--contents", caching("0"))
    assert data["before"][:6] == "881204" and data["after"][:6] == "081200"
    after = run_json(capsys, "modes", "emu:c14", "--page", "8")
    assert before != after
    assert run(capsys, "wr-mode", "emu:c14", "-p", "8", "-c", caching("4")) == (0, "", "")
    assert run_json(capsys, "wr-mode", "emu:c14", "-p", "8", "-c", caching("0"), "--mask", "0,0,0")["after"][:6] == "881204"
    code, _, err = run(capsys, "wr-mode", "emu:c14", "-p", "8", "-c", "8,12,0")
    assert (code, err) == (1, "sgframe wr-mode: contents length=3 but reference mode page length=20\n")


def test_wr_mode_refuses_unchangeable_bits_without_force(capsys, disk):
    code, out, err = run(capsys, "wr-mode", "emu:c14", "-p", "8", "-c", caching("ff"))
    assert (code, out) == (1, "")
    assert err == ("sgframe wr-mode: byte 2 of page 0x08: bits 0xfa are not changeable (the device's changeable "
                   "values); --force sends it anyway\n")
    # Sent anyway, the device itself rejects it: ILLEGAL REQUEST, invalid field in parameter list.
    assert run(capsys, "wr-mode", "emu:c14", "-p", "8", "-c", caching("ff"), "--force")[0] == 5


def test_wr_mode_helpers():
    ten = bytes.fromhex("0012 00 10 00 00 0008") + bytes.fromhex("00000400 00 000200") + bytes.fromhex("8802 04 00")
    header, bd, page = split_mode_data(ten, ten=True)
    assert (len(header), bd.hex(), page.hex()) == (8, "0000040000000200", "88020400")
    assert overlay(page, b"\x08\x02\x05\x00", b"") == bytes.fromhex("08020500")
    assert overlay(page, b"\x08\x02\xff\x00", b"\xff\xff\x01") == bytes.fromhex("08020500")
    assert select_parameters(header, bd, page, ten=True) == bytes.fromhex("0000 00 00 00 00 0008") + bd + bytes.fromhex("08020400")
    with pytest.raises(UsageError, match="contents length=5 but reference mode page length=4"):
        overlay(page, bytes(5), b"")
    with pytest.raises(UsageError, match="no mode page"):
        split_mode_data(bytes.fromhex("0006 00 00 00 00 0000"), ten=True)


# --- read-buffer, write-buffer -------------------------------------------------------------

def test_buffer_round_trip(capsys, disk, tmp_path):
    payload = tmp_path / "payload"
    payload.write_bytes(bytes(range(1, 33)))
    assert run(capsys, "write-buffer", "emu:c14", "--mode", "data", "--in", str(payload), "--bpw", "10") == (0, "", "")
    assert bytes(disk.buffer[:32]) == bytes(range(1, 33))
    code, out, _ = run(capsys, "read-buffer", "emu:c14", "-m", "data", "-l", "16", "-o", "4")
    assert out == " 0000  05 06 07 08 09 0a 0b 0c  0d 0e 0f 10 11 12 13 14  ................\n"
    data = run_json(capsys, "read-buffer", "emu:c14", "-m", "2", "-l", "4")
    assert data["data"] == "01020304"
    assert run(capsys, "read-buffer", "emu:c14", "-m", "desc") == (
        0, "OFFSET BOUNDARY: 0, Buffer offset alignment: 1-byte\nBUFFER CAPACITY: 65536 (0x10000)\n", "")
    assert run_json(capsys, "write-buffer", "emu:c14", "-m", "echo", "-l", "8")["commands"] == 1
    assert run_json(capsys, "read-buffer", "emu:c14", "-m", "echo", "-l", "8")["data"] == "ff" * 8
    assert run_json(capsys, "read-buffer", "emu:c14", "-m", "echo_desc")["buffer_capacity"] == 4096


def test_buffer_errors(capsys):
    assert run(capsys, "read-buffer", "emu:disk", "-m", "vendor")[0] == 5
    assert "a number 0..31 or one of" in run(capsys, "read-buffer", "emu:disk", "-m", "nosuch")[2]
    assert "give the data" in run(capsys, "write-buffer", "emu:disk", "-m", "data")[2]
    # Microcode asks first; with nobody to ask it is refused (1).
    assert run(capsys, "write-buffer", "emu:disk", "-m", "dmc_save", "-l", "4")[0] == 1
    assert run(capsys, "write-buffer", "emu:disk", "-m", "dmc_save", "-l", "4", "--yes")[0] == 0


def test_buffer_mode_names_and_descriptors():
    assert (mode_number("echo_desc", READ_MODES), mode_number("0x1c", READ_MODES)) == (0x0B, 0x1C)
    assert mode_number("dmc_offs_save", WRITE_MODES) == 0x07
    with pytest.raises(UsageError, match="--mode is 0..31"):
        mode_number("32", READ_MODES)
    assert decode_descriptor(3, bytes.fromhex("09 000400")) == {"offset_boundary": 9, "offset_alignment": 512,
                                                                "buffer_capacity": 1024}
    assert decode_descriptor(3, bytes.fromhex("ff 000001"))["offset_alignment"] is None
    assert decode_descriptor(0x0B, bytes.fromhex("01 00 f0 10")) == {"ebos": True, "buffer_capacity": 0x1010}


# --- dd --------------------------------------------------------------------------------------

def test_dd_device_to_file_and_back(capsys, disk, tmp_path):
    disk.medium.write(10, bytes(range(256)) * 2 * 5)
    out_file = tmp_path / "out"
    code, out, err = run(capsys, "dd", "if=emu:c14", f"of={out_file}", "bs=512", "skip=10", "count=5", "bpt=2")
    assert (code, out) == (0, "")
    lines = err.splitlines()
    assert lines[:2] == ["5+0 records in", "5+0 records out"]
    assert lines[2].startswith("time to transfer data: ") and lines[2].endswith(" MB/sec")
    assert out_file.read_bytes() == bytes(range(256)) * 10
    code, out, err = run(capsys, "dd", f"if={out_file}", "of=emu:c14", "seek=100", "--json")
    summary = json.loads(out)
    assert (summary["records_in"], summary["records_out"], summary["bytes"], summary["exit_code"]) == (5, 5, 2560, 0)
    assert disk.medium.read(100, 5) == bytes(range(256)) * 10


def test_dd_device_to_device_and_partial_record(capsys, disk, monkeypatch, tmp_path):
    other = EmulatedDisk(blocks=64)
    monkeypatch.setitem(KINDS, "c14b", (lambda **_: other, {}))
    disk.medium.write(0, b"\x5a" * 512 * 64)
    assert run(capsys, "dd", "if=emu:c14", "of=emu:c14b", "count=64", "bpt=16")[0] == 0
    assert other.medium.read(0, 64) == b"\x5a" * 512 * 64
    odd = tmp_path / "odd"
    odd.write_bytes(b"\x01" * 700)
    code, _, err = run(capsys, "dd", f"if={odd}", "of=emu:c14b")
    # sg_dd counts whole records from the file's size; the rest is dropped.
    assert code == 0 and err.startswith("1+0 records in\n1+0 records out\n")


def test_dd_writes_an_existing_file_in_place(capsys, disk, tmp_path):
    target = tmp_path / "target"
    target.write_bytes(b"\x11" * 512 * 4)
    disk.medium.write(7, b"\x99" * 512)
    assert run(capsys, "dd", "if=emu:c14", f"of={target}", "skip=7", "seek=2", "count=1")[0] == 0
    assert target.read_bytes() == b"\x11" * 1024 + b"\x99" * 512 + b"\x11" * 512


def test_dd_draws_a_progress_bar_on_a_terminal(capsys, disk, monkeypatch):
    import io

    terminal = io.StringIO()
    terminal.isatty = lambda: True
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setattr("sgframe.cli.progress._MIN_INTERVAL", 0.0)
    assert run(capsys, "dd", "if=emu:c14", "of=/dev/null", "count=64", "bpt=16") == (0, "", "")
    drawn = terminal.getvalue()
    assert drawn.count("\r[") == 5  # after each of the 4 transfers, and once more at the end
    assert "\r[#######.......................]  25.0%  16/64 blocks" in drawn
    assert "\r[##############################] 100.0%  64/64 blocks" in drawn
    assert drawn.split("\n")[1:3] == ["64+0 records in", "64+0 records out"]
    assert run(capsys, "dd", "if=emu:c14", "of=/dev/null", "count=8", "--no-progress") == (0, "", "")
    assert "\r[" not in terminal.getvalue()[len(drawn):]


def test_dd_errors(capsys, tmp_path):
    assert "if= is needed" in run(capsys, "dd", "of=/dev/null")[2]
    assert "unknown operand ibs=" in run(capsys, "dd", "if=emu:disk", "ibs=512")[2]
    assert "bs=4096, but emu:disk has 512-byte blocks" in run(capsys, "dd", "if=emu:disk", "bs=4096")[2]
    assert run(capsys, "dd", "if=/no/such/file", "of=/dev/null")[0] == 15
    code, out, err = run(capsys, "dd", "if=emu:disk?blocks=100", "of=/dev/null", "skip=98", "count=4", "bpt=2", "--json")
    assert code == 22 and json.loads(out)["records_out"] == 2
    assert "sgframe dd: READ(16) on emu:disk?blocks=100: CHECK CONDITION" in err


def test_dd_operands():
    assert parse_operands(["if=a", "bs=4k", "count=0x10", "skip=2kb"]) == {"if": "a", "bs": 4096, "count": 16,
                                                                          "skip": 2000}
    with pytest.raises(UsageError, match="bs= given twice"):
        parse_operands(["bs=1", "bs=2"])
    with pytest.raises(UsageError, match="a number"):
        parse_operands(["bs=12q"])
    assert [is_scsi_device(n) for n in ("emu:disk", "/dev/sg1", "/dev/sdb", "2:0:0:0", "/dev/null", "-", "f.img")] == [
        True, True, True, True, False, False, False]


# --- the mounted-device safety ---------------------------------------------------------------

NODES = DeviceNodes(hctl="0:0:0:0", sg="/dev/sg0", block="/dev/sda", bsg="/dev/bsg/0:0:0:0", scsi_type=0,
                    vendor="Linux", model="scsi_debug", rev="0191", size_bytes=1 << 26)
MOUNTED = "/dev/sda1 is mounted on /mnt (ext2)"


@pytest.fixture
def in_use(monkeypatch):
    """/dev/sg0 resolves to a disk with a mounted filesystem, and opens an emulated disk."""
    shared = EmulatedDisk(blocks=64)
    monkeypatch.setitem(KINDS, "inuse14", (lambda **_: shared, {}))
    monkeypatch.setattr(safety, "resolve", lambda device: NODES)
    monkeypatch.setattr(safety, "in_use", lambda nodes: [MOUNTED])

    class FakeChannel:
        @staticmethod
        def open(device, **options):
            return Channel.open("emu:inuse14", **options)

    monkeypatch.setattr(cli_device, "Channel", FakeChannel)
    shared.medium.write(0, b"\x77" * 512 * 64)
    return shared


MODIFYING = [
    (("persist", "/dev/sg0", "--out", "--register", "-S", "1"), "PERSISTENT RESERVE OUT (REGISTER)"),
    (("stpg", "/dev/sg0", "--tp", "1", "--standby"), "SET TARGET PORT GROUPS"),
    (("unmap", "/dev/sg0", "--lba", "0", "--num", "1"), "UNMAP"),
    (("write-same", "/dev/sg0", "--lba", "0", "--num", "1"), "WRITE SAME"),
    (("zones", "/dev/sg0", "--reset", "--zone", "0"), "RESET WRITE POINTER"),
    (("start", "/dev/sg0", "--stop"), "START STOP UNIT (stop, eject or power condition)"),
    (("format", "/dev/sg0", "--format", "-Q"), "FORMAT UNIT"),
    (("sanitize", "/dev/sg0", "--block", "-Q"), "SANITIZE"),
    (("wr-mode", "/dev/sg0", "-p", "8", "-c", caching("0")), "MODE SELECT"),
    (("write-buffer", "/dev/sg0", "-m", "dmc_save", "-l", "4", "--yes"), "WRITE BUFFER mode 0x05 (microcode)"),
    (("dd", "if=emu:disk", "of=/dev/sg0", "count=1"), "WRITE(16)"),
]


@pytest.mark.parametrize("argv,what", MODIFYING, ids=[m[0][0] for m in MODIFYING])
def test_modifying_subcommands_refuse_a_device_in_use(capsys, in_use, argv, what):
    code, out, err = run(capsys, *argv)
    assert (code, out) == (15, "")
    assert err == f"sgframe {argv[0]}: refusing {what} on /dev/sg0: {MOUNTED} (give --force to do it anyway)\n"
    assert in_use.medium.read(0, 64) == b"\x77" * 512 * 64
    assert in_use.reservations.registrations == {} and in_use.started is True


def test_force_goes_ahead_on_a_device_in_use(capsys, in_use):
    code, _, err = run(capsys, "write-same", "/dev/sg0", "--lba", "0", "--num", "1", "--force")
    assert code == 0 and err == f"sgframe write-same: /dev/sg0 is in use ({MOUNTED}); going ahead with WRITE SAME (--force)\n"
    assert in_use.medium.read(0, 1) == bytes(512)


@pytest.mark.parametrize("argv", [("persist", "/dev/sg0"), ("rtpg", "/dev/sg0"), ("lba-status", "/dev/sg0"),
                                  ("sync", "/dev/sg0"), ("start", "/dev/sg0"), ("format", "/dev/sg0"),
                                  ("read-buffer", "/dev/sg0", "-m", "desc"), ("dd", "if=/dev/sg0", "count=1")])
def test_reading_subcommands_leave_a_device_in_use_alone(capsys, in_use, argv):
    code, _, err = run(capsys, *argv)
    assert code == 0 and "refusing" not in err
