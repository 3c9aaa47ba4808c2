"""SPC-5 commands of the emulated disk: exact response bytes and exact sense."""
from __future__ import annotations

import pytest

from sgframe.emu import EmulatedDisk, Reply

from test_emu_core import fixed

H = bytes.fromhex


@pytest.fixture
def disk() -> EmulatedDisk:
    return EmulatedDisk(blocks=1024, serial="EMU-TEST-1")


def ok(reply: Reply) -> bytes:
    assert (reply.status, reply.sense) == (0, b""), reply
    return reply.data


def invalid_cdb(byte: int, bit: "int | None" = None) -> bytes:
    first = 0xC0 | (0x08 | bit if bit is not None else 0)
    return fixed(0x5, 0x24, 0x00, bytes((first,)) + byte.to_bytes(2, "big"))


def invalid_param(byte: int, bit: "int | None" = None) -> bytes:
    first = 0x80 | (0x08 | bit if bit is not None else 0)
    return fixed(0x5, 0x26, 0x00, bytes((first,)) + byte.to_bytes(2, "big"))


# ------------------------------------------------------------------------ INQUIRY


def test_standard_inquiry(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(H("12 00 00 00 ff 00"), None, 255))
    expected = bytearray(96)
    expected[0:8] = H("00 00 07 12 5b 10 00 02")
    expected[8:36] = b"SGFRAME EMU DISK        0001"
    expected[58:64] = H("00a0 05c0 0600")
    assert data == bytes(expected)


def test_inquiry_page_code_without_evpd(disk: EmulatedDisk) -> None:
    assert disk.respond(H("12 00 80 00 ff 00"), None, 255).sense == invalid_cdb(2)


def test_inquiry_unknown_vpd_page(disk: EmulatedDisk) -> None:
    assert disk.respond(H("12 01 c7 00 ff 00"), None, 255).sense == invalid_cdb(2)


def test_vpd_supported_pages(disk: EmulatedDisk) -> None:
    assert ok(disk.respond(H("12 01 00 00 ff 00"), None, 255)) == H(
        "00 00 0019 00 80 83 84 85 86 87 88 8a 8b 8c 8d 8f 90 91 92 b0 b1 b2 b3 b4 b5 b7 b8 b9")


def test_vpd_unit_serial_number(disk: EmulatedDisk) -> None:
    assert ok(disk.respond(H("12 01 80 00 ff 00"), None, 255)) == H("00 80 000a") + b"EMU-TEST-1"


def test_vpd_device_identification(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(H("12 01 83 00 ff 00"), None, 255))
    assert data[:4] == bytes((0, 0x83)) + (len(data) - 4).to_bytes(2, "big")
    naa = data[4:24]
    assert naa[:4] == H("01 03 00 10")
    assert naa[4] == 0x62 and naa[5:7] == H("a2a2") and naa[7] >> 4 == 0xA  # NAA 6, company 2A2A2Ah
    t10 = data[24 : 24 + 4 + 34]
    assert t10 == H("02 01 00 22") + b"SGFRAME EMU DISK        EMU-TEST-1"
    assert data[62:] == H("01 14 00 04 00000001 01 15 00 04 00000001")


def test_naa_differs_per_serial() -> None:
    first = EmulatedDisk(blocks=8, serial="A").respond(H("12 01 83 00 ff 00"), None, 255).data[8:24]
    second = EmulatedDisk(blocks=8, serial="B").respond(H("12 01 83 00 ff 00"), None, 255).data[8:24]
    assert first != second


def test_vpd_extended_inquiry(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(H("12 01 86 00 ff 00"), None, 255))
    # Byte 8: R_SUP, as the disk answers REPORT REFERRALS.
    assert data[:12] == H("00 86 003c 00 07 01 00 10 00 0001")
    assert data[12:] == bytes(52)


def test_vpd_block_limits(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(H("12 01 b0 00 ff 00"), None, 255))
    assert data[:44] == H(
        "00 b0 003c 01 08 0008 00010000 00000080 00010000 00400000 00000100 00000008 00000000 0000000000010000"
    )
    # MAXIMUM ATOMIC TRANSFER LENGTH 256, ATOMIC ALIGNMENT 1, ATOMIC TRANSFER LENGTH
    # GRANULARITY 1; no atomic boundaries (WRITE ATOMIC(16)).
    assert data[44:] == H("00000100 00000001 00000001 00000000 00000000")


def test_vpd_block_device_characteristics(disk: EmulatedDisk) -> None:
    assert ok(disk.respond(H("12 01 b1 00 ff 00"), None, 255)) == H("00 b1 003c 0001") + bytes(58)


def test_vpd_logical_block_provisioning(disk: EmulatedDisk) -> None:
    assert ok(disk.respond(H("12 01 b2 00 ff 00"), None, 255)) == H("00 b2 0004 00 e4 02 00")
    thick = EmulatedDisk(blocks=8, lbpu=False)
    assert ok(thick.respond(H("12 01 b2 00 ff 00"), None, 255)) == H("00 b2 0004 00 00 00 00")


# -------------------------------------------------------------- REQUEST SENSE etc.


def test_request_sense_descriptor_format(disk: EmulatedDisk) -> None:
    disk.reset()
    assert ok(disk.respond(H("03 01 00 00 ff 00"), None, 255)) == H("72 06 29 00 000000 00")


def test_request_sense_stopped_unit(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("1b 00 00 00 00 00")))
    assert ok(disk.respond(H("03 00 00 00 12 00"), None, 18)) == fixed(0x2, 0x04, 0x02)


def test_report_luns(disk: EmulatedDisk) -> None:
    assert ok(disk.respond(H("a0 00 00 000000 00000100 00 00"), None, 256)) == H("00000008 00000000 0000000000000000")
    assert ok(disk.respond(H("a0 00 01 000000 00000100 00 00"), None, 256)) == bytes(8)


def test_report_luns_errors(disk: EmulatedDisk) -> None:
    assert disk.respond(H("a0 00 00 000000 0000000f 00 00"), None, 256).sense == invalid_cdb(6)
    assert disk.respond(H("a0 00 03 000000 00000100 00 00"), None, 256).sense == invalid_cdb(2)


# ------------------------------------------------------------- operation codes


def test_rsoc_all_commands(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(H("a3 0c 00 00 0000 00010000 00 00"), None, 65536))
    length = int.from_bytes(data[:4], "big")
    assert length == len(data) - 4 and length % 8 == 0
    descriptors = [data[4 + i : 12 + i] for i in range(0, length, 8)]
    assert H("28 00 0000 00 00 000a") in descriptors
    assert H("9e 00 0012 00 01 0010") in descriptors
    assert H("7f 00 0009 00 01 0020") in descriptors
    assert H("42 00 0000 00 00 000a") in descriptors  # UNMAP on a thin disk
    assert len(descriptors) == len(list(disk.table))


def test_rsoc_all_commands_with_timeouts(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(H("a3 0c 80 00 0000 00010000 00 00"), None, 65536))
    first = data[4:24]
    assert first == H("00 00 0000 00 02 0006 000a 00 00 00000000 0000000a")


def test_rsoc_one_command(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(H("a3 0c 01 88 0000 00000100 00 00"), None, 256))
    assert data == H("00 03 0010 88 fc ffffffffffffffff ffffffff 3f 00")


def test_rsoc_one_command_with_service_action_and_timeouts(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(H("a3 0c 82 9e 0010 00000100 00 00"), None, 256))
    assert data == H("00 83 0010 9e 10 ffffffffffffffff ffffffff 01 00") + H("000a 00 00 00000000 0000000a")


def test_rsoc_variable_length(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(H("a3 0c 02 7f 000b 00000100 00 00"), None, 256))
    assert data[:4] == H("00 03 0020")
    assert data[4:16] == H("7f 00 00 00 00 00 3f 18 00 0b f8 00")


@pytest.mark.parametrize("service_action, usage", [
    (0x0009, "7f 00 00 00 00 00 3f 18 0009 fc 00 ffffffffffffffff ffffffff ffffffff ffffffff"),
    (0x000B, "7f 00 00 00 00 00 3f 18 000b f8 00 ffffffffffffffff ffffffff ffffffff ffffffff"),
    (0x0012, "7f 00 00 00 00 00 00 18 0012 03 00 ffffffffffffffff ffffffff ffffffff ffffffff"),
], ids=["READ(32)", "WRITE(32)", "GET LBA STATUS(32)"])
def test_rsoc_one_command_variable_length_usage_data_is_whole(disk: EmulatedDisk, service_action: int,
                                                              usage: str) -> None:
    # SPC-5 6.35.3: CDB SIZE is the CDB's length (32) and the CDB USAGE DATA holds that many
    # bytes, byte 0 the operation code (7Fh), bytes 8-9 the service action.  libiscsi's
    # ReportSupportedOpcodes.OneCommand reads byte 0 as 00h here: its unmarshalled record
    # keeps 16 usage bytes and copies none of a longer CDB's.
    cdb = H("a3 0c 02 7f") + service_action.to_bytes(2, "big") + H("00000100 00 00")
    data = ok(disk.respond(cdb, None, 256))
    assert data == H("00 03 0020") + H(usage)
    assert len(data) == 36 and data[4] == 0x7F


def test_rsoc_unsupported_and_bad_requests(disk: EmulatedDisk) -> None:
    assert ok(disk.respond(H("a3 0c 01 c5 0000 00000100 00 00"), None, 256)) == H("00 01 0000")
    assert ok(disk.respond(H("a3 0c 02 9e 0019 00000100 00 00"), None, 256)) == H("00 01 0000")  # RESTORE ELEMENTS AND REBUILD
    assert ok(disk.respond(H("a3 0c 03 28 0005 00000100 00 00"), None, 256))[:4] == H("00 03 000a")
    assert disk.respond(H("a3 0c 01 9e 0000 00000100 00 00"), None, 256).sense == invalid_cdb(2, 2)
    assert disk.respond(H("a3 0c 02 28 0000 00000100 00 00"), None, 256).sense == invalid_cdb(2, 2)
    assert disk.respond(H("a3 0c 04 28 0000 00000100 00 00"), None, 256).sense == invalid_cdb(2, 2)


def test_rsoc_usage_data_accepts_its_own_bits(disk: EmulatedDisk) -> None:
    # Every bit a command's usage data claims must pass the reserved-bit check.
    for spec in disk.table:
        assert disk.table.lookup(bytes(spec.usage)) is spec


def test_report_supported_task_management_functions(disk: EmulatedDisk) -> None:
    assert ok(disk.respond(H("a3 0d 00 000000 00000004 00 00"), None, 4)) == H("da 01 00 00")
    assert ok(disk.respond(H("a3 0d 80 000000 00000010 00 00"), None, 16)) == H("da 01 00 0c") + bytes(12)
    assert disk.respond(H("a3 0d 00 000000 00000003 00 00"), None, 4).sense == invalid_cdb(6)


def test_report_target_port_groups(disk: EmulatedDisk) -> None:
    group = H("00 01 0001 00 00 00 01 0000 0001")
    assert ok(disk.respond(H("a3 0a 00 000000 00000100 00 00"), None, 256)) == H("0000000c") + group
    assert ok(disk.respond(H("a3 2a 00 000000 00000100 00 00"), None, 256)) == H("00000010 10 00 0000") + group
    assert disk.respond(H("a3 4a 00 000000 00000100 00 00"), None, 256).sense == invalid_cdb(1, 7)


# ---------------------------------------------------------------------- mode pages


def test_mode_sense6_caching(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(H("1a 00 08 00 ff 00"), None, 255))
    assert data == H("1f 00 10 08 00000400 00 000200") + H("88 12 04 00 ffff 0000 ffff ffff 00 10 0000 00 000000")


def test_mode_sense6_dbd_and_changeable(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(H("1a 08 48 00 ff 00"), None, 255))
    assert data == H("17 00 10 00") + H("88 12 05 00 0000 0000 0000 0000 00 00 0000 00 000000")


def test_mode_sense10_long_lba_control_page(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(H("5a 10 0a 00 000000 00ff 00"), None, 255))
    assert data == (
        H("0022 00 10 01 00 0010")
        + H("0000000000000400 00000000 00000200")
        + H("8a 0a 02 10 00 00 00 00 ffff 001e")
    )


def test_mode_sense_all_pages(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(H("1a 08 3f 00 ff 00"), None, 255))
    # Every page_0 page: 01h, 02h, 03h, 04h, 07h, 08h, 0Ah, 18h, 19h, 1Ah, 1Ch.
    offsets, offset = [], 4
    while offset < len(data):
        offsets.append(data[offset])
        offset += 2 + data[offset + 1]
    assert offsets == [0x81, 0x82, 0x83, 0x84, 0x87, 0x88, 0x8A, 0x98, 0x99, 0x9A, 0x9C]
    assert data[0] == len(data) - 1 == 3 + 12 + 16 + 24 + 24 + 12 + 20 + 12 + 8 + 16 + 40 + 12


def test_mode_sense_errors(disk: EmulatedDisk) -> None:
    assert disk.respond(H("1a 00 05 00 ff 00"), None, 255).sense == invalid_cdb(2, 5)
    assert disk.respond(H("1a 00 08 01 ff 00"), None, 255).sense == invalid_cdb(3)
    assert disk.respond(H("1a 00 3f 01 ff 00"), None, 255).sense == invalid_cdb(3)


def test_mode_sense6_big_disk_reports_ffffffff() -> None:
    disk = EmulatedDisk(blocks=2**33)
    assert ok(disk.respond(H("1a 00 08 00 ff 00"), None, 255))[4:12] == H("ffffffff 00 000200")


def caching_select(byte2: int) -> bytes:
    return H("00 00 00 00") + H("08 12") + bytes((byte2,)) + H("00 ffff 0000 ffff ffff 00 10 0000 00 000000")


def test_mode_select_turns_write_cache_off(disk: EmulatedDisk) -> None:
    parameters = caching_select(0x00)
    assert disk.respond(H("15 10 00 00 18 00"), parameters) == Reply(0)
    assert ok(disk.respond(H("1a 08 08 00 ff 00"), None, 255))[6] == 0x00
    assert disk.modes.write_cache is False


def test_mode_select_tells_other_initiators(disk: EmulatedDisk) -> None:
    disk.respond(bytes(6), nexus=1)
    ok(disk.respond(H("15 10 00 00 18 00"), caching_select(0x00)))
    assert disk.respond(bytes(6), nexus=1).sense == fixed(0x6, 0x2A, 0x01)
    assert disk.respond(bytes(6), nexus=0).status == 0


def test_mode_select_rejects_unchangeable_bits(disk: EmulatedDisk) -> None:
    # IC (bit 7 of byte 2 of the caching page, byte 6 of the list) is not changeable.
    assert disk.respond(H("15 10 00 00 18 00"), caching_select(0x84)).sense == invalid_param(6, 7)


def test_mode_select_errors(disk: EmulatedDisk) -> None:
    assert disk.respond(H("15 00 00 00 18 00"), caching_select(0)).sense == invalid_cdb(1, 4)
    assert disk.respond(H("15 10 00 00 03 00"), b"\x00" * 3).sense == fixed(0x5, 0x1A, 0x00)
    assert disk.respond(H("15 10 00 00 10 00"), caching_select(0)[:16]).sense == fixed(0x5, 0x1A, 0x00)
    bad_page = H("00 00 00 00 05 06 00 00 00 00 00 00")
    assert disk.respond(H("15 10 00 00 0c 00"), bad_page).sense == invalid_param(4, 5)
    bad_length = H("00 00 00 00 08 11") + bytes(17)
    assert disk.respond(H("15 10 00 00 17 00"), bad_length).sense == invalid_param(5)
    descriptor = H("00 00 00 08 00000400 00 000800") + H("0a 0a 02 10 00 00 00 00 ffff 001e")
    assert disk.respond(H("15 10 00 00 18 00"), descriptor).sense == invalid_param(9)


def test_mode_select10_dsense_switches_sense_format(disk: EmulatedDisk) -> None:
    parameters = H("0000 00 00 00 00 0000") + H("0a 0a 06 10 00 00 00 00 ffff 001e")
    ok(disk.respond(H("55 10 00 00 00 00 00 0014 00"), parameters))
    assert disk.respond(H("ff 00 00 00 00 00")).sense == H("72 05 20 00 000000 00")


# ----------------------------------------------------------------------- log pages


def test_log_sense_supported_pages(disk: EmulatedDisk) -> None:
    assert ok(disk.respond(H("4d 00 40 00 00 0000 0100 00"), None, 256)) == H(
        "80 00 0015 00 01 02 03 05 06 07 08 0b 0c 0d 0e 0f 10 11 15 17 18 19 1a 2f")


def test_log_sense_supported_pages_and_subpages(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(H("4d 00 40 ff 00 0000 0100 00"), None, 256))
    assert data == H("c0 ff 0064 0000 00ff 0100 01ff 0200 02ff 0300 03ff 0500 05ff 0600 06ff 0700 07ff 0800 08ff"
                     " 0b00 0b01 0b02 0bff 0c00 0cff 0d00 0d01 0d02 0dff 0e00 0e01 0eff 0f00 0fff 1000 10ff 1100 11ff"
                     " 1500 1501 1502 1503 15ff 1700 17ff 1800 18ff 1900 19ff 1a00 1aff 2f00 2fff")
    # One page's subpages: xxh/FFh.
    assert ok(disk.respond(H("4d 00 4d ff 00 0000 0100 00"), None, 256)) == H("cd ff 0008 0d00 0d01 0d02 0dff")


def test_log_sense_temperature(disk: EmulatedDisk) -> None:
    assert ok(disk.respond(H("4d 00 4d 00 00 0000 0100 00"), None, 256)) == H(
        "8d 00 000c 0000 03 02 00 23 0001 03 02 00 41"
    )


def test_log_sense_read_counters_follow_the_data_path(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("28 00 00000000 00 0002 00"), None, 1024))
    disk.inject_medium_error(10, 1)
    assert disk.respond(H("28 00 0000000a 00 0001 00"), None, 512).status == 2
    data = ok(disk.respond(H("4d 00 43 00 00 0005 0100 00"), None, 256))
    assert data == H("83 00 0018") + H("0005 00 08 0000000000000400") + H("0006 00 08 0000000000000001")


def test_log_select_pcr_resets_counters(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("28 00 00000000 00 0001 00"), None, 512))
    ok(disk.respond(H("4c 02 40 00 00 00 00 0000 00")))
    data = ok(disk.respond(H("4d 00 43 00 00 0005 0100 00"), None, 256))
    assert data[8:16] == bytes(8)


def test_log_sense_errors(disk: EmulatedDisk) -> None:
    assert disk.respond(H("4d 00 0d 00 00 0000 0100 00"), None, 256).sense == invalid_cdb(2, 7)
    # 04h read reverse error counters: a tape drive's page.
    assert disk.respond(H("4d 00 44 00 00 0000 0100 00"), None, 256).sense == invalid_cdb(2, 5)
    assert disk.respond(H("4d 01 4d 00 00 0000 0100 00"), None, 256).sense == invalid_cdb(1, 0)
    assert disk.respond(H("4d 00 4d 00 00 0002 0100 00"), None, 256).sense == invalid_cdb(5)
    assert disk.respond(H("4d 00 4d 03 00 0000 0100 00"), None, 256).sense == invalid_cdb(3)
    assert disk.respond(H("4c 02 40 00 00 00 00 0004 00"), bytes(4)).sense == invalid_cdb(7)


def test_log_sense_informational_exceptions_test_bit(disk: EmulatedDisk) -> None:
    assert ok(disk.respond(H("4d 00 6f 00 00 0000 0100 00"), None, 256)) == H("af 00 0007 0000 03 03 00 00 23")
    disk.modes.current[(0x1C, 0)][0] |= 0x04
    assert ok(disk.respond(H("4d 00 6f 00 00 0000 0100 00"), None, 256))[8:10] == H("5d ff")


# -------------------------------------------------------- start/stop, diagnostics


def test_start_stop_unit(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("1b 00 00 00 00 00")))
    assert disk.respond(bytes(6)).sense == fixed(0x2, 0x04, 0x02)
    assert disk.respond(H("28 00 00000000 00 0001 00"), None, 512) == Reply(2, b"", fixed(0x2, 0x04, 0x02))
    ok(disk.respond(H("25 00 00000000 00 00 00 00"), None, 8))  # no medium access
    ok(disk.respond(H("1b 00 00 00 01 00")))
    assert disk.respond(bytes(6)).status == 0
    data = ok(disk.respond(H("4d 00 4e 00 00 0004 0100 00"), None, 256))
    assert data[4:12] == H("0004 03 04 00000001")


def test_start_stop_unit_errors(disk: EmulatedDisk) -> None:
    assert disk.respond(H("1b 00 00 00 03 00")).sense == invalid_cdb(4, 1)
    assert disk.respond(H("1b 00 00 00 50 00")).sense == invalid_cdb(4, 7)
    assert disk.respond(H("1b 00 00 01 01 00")).sense == invalid_cdb(3, 3)
    ok(disk.respond(H("1b 00 00 00 30 00")))  # STANDBY


def test_prevent_allow_medium_removal(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("1e 00 00 00 01 00")))
    assert disk.prevent_removal is True
    assert disk.respond(H("1e 00 00 00 02 00")).sense == invalid_cdb(4, 1)


def test_send_diagnostic_self_test(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("1d 04 00 0000 00")))
    disk.inject_medium_error(100, 2)
    assert disk.respond(H("1d 04 00 0000 00")).sense == fixed(0x4, 0x3E, 0x03)
    assert disk.respond(H("1d 24 00 0000 00")).sense == invalid_cdb(1, 7)


def test_extended_self_test_logs_first_failure(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("1d 20 00 0000 00")))  # background short: passes
    disk.inject_medium_error(100, 2)
    ok(disk.respond(H("1d 40 00 0000 00")))  # background extended: fails, logged
    data = ok(disk.respond(H("4d 00 50 00 00 0001 0100 00"), None, 512))
    assert data[4:24] == H("0001 03 10 47 00 0000 0000000000000064 03 11 00 00")
    assert data[24:44] == H("0002 03 10 20 00 0000 ffffffffffffffff 00 00 00 00")
    assert disk.respond(H("1d c0 00 0000 00")).sense == fixed(0x4, 0x3E, 0x03)  # foreground extended


def test_send_diagnostic_page_and_receive(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("1d 10 00 0004 00"), H("00 00 0000")))
    assert ok(disk.respond(H("1c 01 00 0010 00"), None, 16)) == H("00 00 0001 00")
    assert disk.respond(H("1d 00 00 0004 00"), H("00 00 0000")).sense == invalid_cdb(1, 4)
    assert disk.respond(H("1d 10 00 0004 00"), H("40 00 0000")).sense == invalid_param(0)
    assert disk.respond(H("1d 10 00 0005 00"), H("00 00 0000 00")).sense == fixed(0x5, 0x1A, 0x00)
    assert disk.respond(H("1c 01 40 0010 00"), None, 16).sense == invalid_cdb(2)


def test_write_buffer_read_buffer(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("3b 02 00 000010 000004 00"), b"WXYZ"))
    assert ok(disk.respond(H("3c 02 00 00000e 000008 00"), None, 8)) == H("0000") + b"WXYZ" + H("0000")
    assert ok(disk.respond(H("3c 03 00 000000 000004 00"), None, 4)) == H("00 010000")
    assert ok(disk.respond(H("3c 00 00 000000 000008 00"), None, 8)) == H("00 010000 00000000")
    assert disk.respond(H("3c 02 01 000000 000004 00"), None, 4).sense == invalid_cdb(2)
    assert disk.respond(H("3b 02 00 00fffe 000004 00"), b"abcd").sense == invalid_cdb(6)
    assert disk.respond(H("3c 1c 00 000000 000004 00"), None, 4).sense == invalid_cdb(1, 4)


def test_echo_buffer(disk: EmulatedDisk) -> None:
    assert disk.respond(H("3c 0a 00 000000 000004 00"), None, 4).sense == fixed(0x5, 0x2C, 0x00)
    ok(disk.respond(H("3b 0a 00 000000 000003 00"), b"abc"))
    assert ok(disk.respond(H("3c 0a 00 000000 000010 00"), None, 16)) == b"abc"
    assert ok(disk.respond(H("3c 0b 00 000000 000004 00"), None, 4)) == H("0000 1000")


# -------------------------------------------------------------------- reservations


def pr_out(action: int, key: int, sa_key: int = 0, type_: int = 0, flags: int = 0) -> "tuple[bytes, bytes]":
    cdb = bytes((0x5F, action, type_, 0, 0, 0, 0, 0, 24, 0))
    data = key.to_bytes(8, "big") + sa_key.to_bytes(8, "big") + bytes(4) + bytes((flags, 0, 0, 0))
    return cdb, data


def pr_in(action: int) -> bytes:
    return bytes((0x5E, action, 0, 0, 0, 0, 0, 0x01, 0x00, 0))


READ = H("28 00 00000000 00 0001 00")
WRITE = H("2a 00 00000000 00 0001 00")


def test_persistent_reservation_register_reserve_read(disk: EmulatedDisk) -> None:
    ok(disk.respond(*pr_out(0, 0, 0xAA)))
    ok(disk.respond(*pr_out(0, 0, 0xBB), nexus=1))
    assert ok(disk.respond(pr_in(0), None, 256)) == H("00000002 00000010 00000000000000aa 00000000000000bb")
    ok(disk.respond(*pr_out(1, 0xAA, type_=1)))  # WRITE EXCLUSIVE
    assert ok(disk.respond(pr_in(1), None, 256)) == H("00000002 00000010 00000000000000aa 00000000 00 01 0000")
    # The other nexus may read but not write.
    assert disk.respond(READ, None, 512, nexus=1).status == 0
    assert disk.respond(WRITE, bytes(512), nexus=1) == Reply(0x18)
    assert disk.respond(WRITE, bytes(512), nexus=0).status == 0


def test_exclusive_access_blocks_reads(disk: EmulatedDisk) -> None:
    ok(disk.respond(*pr_out(0, 0, 0xAA)))
    ok(disk.respond(*pr_out(1, 0xAA, type_=3)))
    assert disk.respond(READ, None, 512, nexus=2) == Reply(0x18)
    assert disk.respond(H("12 00 00 00 24 00"), None, 36, nexus=2).status == 0


def test_registrants_only_lets_registrants_write(disk: EmulatedDisk) -> None:
    ok(disk.respond(*pr_out(0, 0, 0xAA)))
    ok(disk.respond(*pr_out(0, 0, 0xBB), nexus=1))
    ok(disk.respond(*pr_out(1, 0xAA, type_=5)))
    assert disk.respond(WRITE, bytes(512), nexus=1).status == 0
    assert disk.respond(WRITE, bytes(512), nexus=2) == Reply(0x18)


def test_persistent_reservation_conflicts(disk: EmulatedDisk) -> None:
    assert disk.respond(*pr_out(0, 0x11, 0xAA)) == Reply(0x18)  # not registered, key != 0
    ok(disk.respond(*pr_out(0, 0, 0xAA)))
    assert disk.respond(*pr_out(1, 0xAB, type_=1)) == Reply(0x18)  # wrong key
    ok(disk.respond(*pr_out(1, 0xAA, type_=1)))
    ok(disk.respond(*pr_out(0, 0, 0xBB), nexus=1))
    assert disk.respond(*pr_out(1, 0xBB, type_=1), nexus=1) == Reply(0x18)  # someone else holds it
    assert disk.respond(*pr_out(1, 0xAA, type_=2)).sense == invalid_cdb(2, 3)
    assert disk.respond(*pr_out(1, 0xAA, type_=0x11)).sense == invalid_cdb(2, 7)
    assert disk.respond(*pr_out(2, 0xAA, type_=3)).sense == fixed(0x5, 0x26, 0x04)
    assert disk.respond(H("5f 00 00 00 00 00 00 00 10 00"), bytes(16)).sense == fixed(0x5, 0x1A, 0x00)


def test_persistent_reservation_release_and_unregister(disk: EmulatedDisk) -> None:
    ok(disk.respond(*pr_out(0, 0, 0xAA)))
    ok(disk.respond(*pr_out(1, 0xAA, type_=1)))
    ok(disk.respond(*pr_out(2, 0xAA, type_=1)))
    assert ok(disk.respond(pr_in(1), None, 256)) == H("00000001 00000000")
    ok(disk.respond(*pr_out(0, 0xAA, 0)))  # unregister
    assert ok(disk.respond(pr_in(0), None, 256)) == H("00000002 00000000")


def test_persistent_reservation_preempt(disk: EmulatedDisk) -> None:
    ok(disk.respond(*pr_out(0, 0, 0xAA)))
    ok(disk.respond(*pr_out(1, 0xAA, type_=1)))
    ok(disk.respond(*pr_out(0, 0, 0xBB), nexus=1))
    ok(disk.respond(*pr_out(4, 0xBB, 0xAA, type_=3), nexus=1))
    assert ok(disk.respond(pr_in(1), None, 256, nexus=1)) == H(
        "00000003 00000010 00000000000000bb 00000000 00 03 0000"
    )
    # The preempted nexus first learns of it through REGISTRATIONS PREEMPTED...
    assert disk.respond(bytes(6), nexus=0).sense == fixed(0x6, 0x2A, 0x05)
    # ...then meets the exclusive-access reservation of the new holder.
    assert disk.respond(READ, None, 512, nexus=0) == Reply(0x18)
    assert ok(disk.respond(pr_in(0), None, 256, nexus=0)) == H("00000003 00000008 00000000000000bb")
    assert disk.respond(*pr_out(4, 0xBB, 0, type_=3), nexus=1).sense == invalid_param(8)


def test_persistent_reservation_clear(disk: EmulatedDisk) -> None:
    ok(disk.respond(*pr_out(0, 0, 0xAA)))
    ok(disk.respond(*pr_out(0, 0, 0xBB), nexus=1))
    ok(disk.respond(*pr_out(1, 0xAA, type_=1)))
    ok(disk.respond(*pr_out(3, 0xAA)))
    assert ok(disk.respond(pr_in(0), None, 256)) == H("00000003 00000000")
    assert disk.respond(bytes(6), nexus=1).sense == fixed(0x6, 0x2A, 0x03)


def test_persistent_reserve_in_capabilities_and_full_status(disk: EmulatedDisk) -> None:
    assert ok(disk.respond(pr_in(2), None, 256)) == H("0008 05 80 ea 01 0000")
    ok(disk.respond(*pr_out(0, 0, 0xAA)))
    ok(disk.respond(*pr_out(1, 0xAA, type_=1)))
    data = ok(disk.respond(pr_in(3), None, 256))
    assert data == (
        H("00000001 00000030")
        + H("00000000000000aa 00000000 01 01 00000000 0001 00000018")
        + H("06 000000 5000000000000001") + bytes(12)
    )


def test_spc2_reserve_release(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("16 00 00 00 00 00")))
    assert disk.respond(bytes(6), nexus=1) == Reply(0x18)
    assert disk.respond(H("12 00 00 00 24 00"), None, 36, nexus=1).status == 0
    ok(disk.respond(H("17 00 00 00 00 00"), nexus=1))  # not the holder: nothing happens
    assert disk.respond(bytes(6), nexus=1) == Reply(0x18)
    ok(disk.respond(H("57 00 00 00 00 00 00 00 00 00")))
    assert disk.respond(bytes(6), nexus=1).status == 0


def test_reset_releases_spc2_reservation(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("56 00 00 00 00 00 00 00 00 00")))
    assert disk.respond(bytes(6), nexus=1) == Reply(0x18)
    disk.reset()
    assert disk.respond(bytes(6), nexus=1).sense == fixed(0x6, 0x29, 0x00)
    assert disk.respond(bytes(6), nexus=1).status == 0


def test_spc2_reserve_conflicts_with_registrations(disk: EmulatedDisk) -> None:
    ok(disk.respond(*pr_out(0, 0, 0xAA)))
    assert disk.respond(H("16 00 00 00 00 00")) == Reply(0x18)


def test_mode_sense_saved_values_equal_current(disk: EmulatedDisk) -> None:
    ok(disk.respond(H("15 11 00 00 18 00"), caching_select(0x01)))  # SP=1: saving is accepted
    saved = ok(disk.respond(H("1a 08 c8 00 ff 00"), None, 255))
    default = ok(disk.respond(H("1a 08 88 00 ff 00"), None, 255))
    assert saved[6] == 0x01 and default[6] == 0x04
