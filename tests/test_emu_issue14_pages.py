"""The pages and commands the emulated disk gained for issue 14, byte for byte from the
standards (SPC-5, SBC-4, SPL-4), and the ones it leaves out answering as a disk of its
kind answers them."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from sgframe.decode.log import decode_log_page
from sgframe.decode.opcodes import decode_supported_opcodes
from sgframe.decode.vpd import decode_vpd
from sgframe.emu import EmulatedDisk
from sgframe.emu.modes import attached_sas_address, sas_address

from test_emu_core import fixed
from test_emu_spc import invalid_cdb, ok

H = bytes.fromhex


@pytest.fixture
def disk() -> EmulatedDisk:
    return EmulatedDisk(blocks=1024, serial="EMU-TEST-14")


def vpd(disk: EmulatedDisk, code: int) -> bytes:
    return ok(disk.respond(bytes((0x12, 0x01, code, 0x01, 0x00, 0x00)), None, 256))


def log(disk: EmulatedDisk, page: int, subpage: int = 0) -> bytes:
    return ok(disk.respond(bytes((0x4D, 0, 0x40 | page, subpage, 0, 0, 0, 0x10, 0, 0)), None, 4096))


# ------------------------------------------------------------------------- VPD pages

def test_software_interface_identification(disk: EmulatedDisk) -> None:
    # One EUI-48: the emulator's company ID 2A2A2Ah, extension 000001h.
    assert vpd(disk, 0x84) == H("00 84 0006 2a2a2a 000001")


def test_third_party_copy_describes_the_copy_manager(disk: EmulatedDisk) -> None:
    assert vpd(disk, 0x8F) == H(
        "00 8f 0060"
        # Supported commands: EXTENDED COPY(LID1) and (LID4); RECEIVE COPY STATUS(LID1),
        # DATA(LID1), OPERATING PARAMETERS, FAILURE DETAILS(LID1), STATUS(LID4),
        # DATA(LID4) and RECEIVE ROD TOKEN INFORMATION; padded to a multiple of 4 bytes.
        "0001 0010 0d 83 02 00 01 84 07 00 01 03 04 05 06 07 00 00"
        # Parameter data: 2 CSCD and 16 segment descriptors, 2*32 + 16*28 = 512 bytes.
        "0004 001c 00000000 0002 0010 00000200 00000000" + "00" * 12 +
        # Supported descriptors: block to block (02h), identification CSCD (E4h).
        "0008 0004 02 02 e4 00"
        # General copy operations: one copy at a time, 65535 blocks of 512 bytes a
        # segment, granularity 2^9.
        "8001 0020 00000001 00000001 01fffe00 09 00" + "00" * 18)
    # RECEIVE COPY OPERATING PARAMETERS reports the same limits.
    rcop = ok(disk.respond(H("84 03 00000000 00000000 00000100 00 00"), None, 256))
    assert rcop[8:20] == H("0002 0010 00000200 01fffe00")


def test_protocol_specific_lu_and_port_information_are_sas(disk: EmulatedDisk) -> None:
    # Relative port 1, protocol identifier 6h (SAS); TLR CONTROL SUPPORTED 0.
    assert vpd(disk, 0x90) == H("00 90 000c 0001 06 00 0000 0004 00000000")
    # The two phys of mode page 19h/01h, each SSP PERSISTENT CAPABLE.
    assert vpd(disk, 0x91) == H("00 91 0010 0001 06 00 0000 0008 00 00 01 00 00 01 01 00")


def test_block_limits_extension_reports_the_streams(disk: EmulatedDisk) -> None:
    # MAXIMUM NUMBER OF STREAMS 8 (what STREAM CONTROL opens), OPTIMAL STREAM WRITE SIZE
    # 8 blocks, STREAM GRANULARITY SIZE 1024 blocks.
    assert vpd(disk, 0xB7) == H("00 b7 003c 0000 0008 0008 00000400") + bytes(50)
    opened = [ok(disk.respond(H("9e 34 0000 0000 00000000 00000008 00 00"), None, 8))[4:6] for _ in range(8)]
    assert opened == [i.to_bytes(2, "big") for i in range(1, 9)]
    assert disk.respond(H("9e 34 0000 0000 00000000 00000008 00 00"), None, 8).sense == fixed(0x5, 0x55, 0x03)


@pytest.mark.parametrize("code", [0x84, 0x8F, 0x90, 0x91, 0xB7])
def test_new_pages_decode_cleanly(disk: EmulatedDisk, code: int) -> None:
    decoded = decode_vpd(vpd(disk, code))
    assert (decoded.page_code, decoded.problems) == (code, ())


# ------------------------------------------------------------------------- log pages

def test_last_n_error_events_is_empty(disk: EmulatedDisk) -> None:
    assert log(disk, 0x07) == H("87 00 0000")


def test_last_n_inquiry_data_changed_has_only_the_generation_numbers(disk: EmulatedDisk) -> None:
    assert log(disk, 0x0B, 0x01) == H("cb 01 000c 0000 03 08 00000000 00000000")
    # A MODE SELECT counts in the second generation number, the same in both pages.
    caching = ok(disk.respond(H("5a 08 08 00 00 00 00 00 ff 00"), None, 255))  # DBD: no block descriptor
    body = bytearray(caching)
    body[0:2], body[3] = b"\0\0", 0  # MODE DATA LENGTH and device-specific byte are reserved in MODE SELECT
    body[8] &= 0x3F  # PS is reserved too
    body[10] ^= 0x04  # WCE changes
    ok(disk.respond(bytes((0x55, 0x10, 0, 0, 0, 0, 0)) + len(body).to_bytes(2, "big") + b"\0", bytes(body)))
    assert log(disk, 0x0B, 0x01)[8:16] == log(disk, 0x0B, 0x02)[8:16] == H("00000000 00000001")


def test_solid_state_media_percentage_used(disk: EmulatedDisk) -> None:
    assert log(disk, 0x11) == H("91 00 0008 0001 03 04 000000 03")
    default = ok(disk.respond(H("4d 00 d1 00 00 0000 0100 00"), None, 256))  # page control 11b
    assert default == H("91 00 0008 0001 03 04 000000 00")


def test_background_operation_is_idle(disk: EmulatedDisk) -> None:
    assert log(disk, 0x15, 0x02) == H("d5 02 0008 0000 03 04 00 000000")
    assert decode_log_page(log(disk, 0x15, 0x02)).bo_status == 0


def test_protocol_specific_port_has_a_sas_phy_log_descriptor_per_phy(disk: EmulatedDisk) -> None:
    data = log(disk, 0x18)
    phys = []
    for phy in range(2):
        descriptor = bytearray(52)
        descriptor[1], descriptor[3] = phy, 72
        descriptor[4:8] = H("11 1b 08 00")  # end device/power on; power on, 12 Gb/s; SSP initiator
        descriptor[8:16] = sas_address(disk, phy).to_bytes(8, "big")
        descriptor[16:24] = attached_sas_address(phy).to_bytes(8, "big")
        descriptor[24] = phy
        descriptor[50:52] = H("0c 02")
        phys.append(bytes(descriptor) + H("000000 01 00000000 00000000 000000 02 00000000 00000000"))
    body = H("06 00 00 02") + b"".join(phys)
    assert data == H("98 00") + (4 + len(body)).to_bytes(2, "big") + H("0001 03") + bytes((len(body),)) + body
    page = decode_log_page(data)
    assert page.problems == () and [p.sas_address for p in page.ports[0].phys] == [
        sas_address(disk, 0), sas_address(disk, 1)]


@pytest.mark.parametrize("page, subpage", [(0x04, 0), (0x16, 0), (0x14, 0x01), (0x19, 0x20)])
def test_log_pages_a_disk_of_this_kind_lacks_are_invalid_field(disk: EmulatedDisk, page: int, subpage: int) -> None:
    # 04h is a tape drive's, 16h a SATL's; 14h/01h only a zoned disk has; 19h/20h needs a
    # modelled cache.
    reply = disk.respond(bytes((0x4D, 0, 0x40 | page, subpage, 0, 0, 0, 0x10, 0, 0)), None, 4096)
    assert reply.sense == (invalid_cdb(2, 5) if page in (0x04, 0x14, 0x16) else invalid_cdb(3))


# ------------------------------------------------------------------------ commands

def test_write_atomic_writes_the_blocks(disk: EmulatedDisk) -> None:
    data = bytes(range(256)) * 4
    ok(disk.respond(H("9c 00 0000000000000010 0000 0002 00 00"), data))
    assert ok(disk.respond(H("88 00 0000000000000010 00000002 00 00"), None, 1024)) == data


@pytest.mark.parametrize("cdb, sense", [
    ("9c 00 0000000000000000 0001 0001 00 00", invalid_cdb(10)),  # no atomic boundaries
    ("9c 00 0000000000000000 0000 0101 00 00", invalid_cdb(12)),  # 257 > MAXIMUM ATOMIC TRANSFER LENGTH
    ("9c 20 0000000000000000 0000 0001 00 00", invalid_cdb(1, 7)),  # WRPROTECT: no protection information
    ("9c 00 00000000000003ff 0000 0002 00 00", fixed(0x5, 0x21, 0x00)),  # past the last LBA
    ("9c 04 0000000000000000 0000 0001 00 00", invalid_cdb(1, 2)),  # reserved bit
])
def test_write_atomic_refuses(disk: EmulatedDisk, cdb: str, sense: bytes) -> None:
    assert disk.respond(H(cdb), bytes(2 * 512)).sense == sense


def test_report_identifying_information(disk: EmulatedDisk) -> None:
    # Type 7Fh: the supported types, 00h (512 bytes at most) and 02h text (256).
    assert ok(disk.respond(H("a3 05 00000000 00000100 fe 00"), None, 256)) == H("0000 0008 00 00 0200 04 00 0100")
    assert ok(disk.respond(H("a3 05 00000000 00000100 00 00"), None, 256)) == H("0000 0000")
    assert ok(disk.respond(H("a3 05 00000000 00000100 04 00"), None, 256)) == H("0000 0000")
    assert disk.respond(H("a3 05 00000000 00000100 06 00"), None, 256).sense == invalid_cdb(10, 7)


def test_report_priority(disk: EmulatedDisk) -> None:
    # 00b: this I_T nexus, priority 0 at relative target port 1, no TransportID.
    assert ok(disk.respond(H("a3 0e 00 000000 00000100 00 00"), None, 256)) == H("00000008 00 00 0001 0000 0000")
    # 01b: the nexuses whose priority was changed: none.
    assert ok(disk.respond(H("a3 0e 40 000000 00000100 00 00"), None, 256)) == H("00000000")
    assert disk.respond(H("a3 0e 80 000000 00000100 00 00"), None, 256).sense == invalid_cdb(2, 7)


@pytest.mark.parametrize("cdb, sense", [
    ("a4 0a 00000000 00000100 00 00", fixed(0x5, 0x20, 0x00)),  # SET TARGET PORT GROUPS
    ("95 06 0000000000000000 00000100 00 00", fixed(0x5, 0x20, 0x00)),  # REPORT REALMS (not zoned)
    ("95 07 0000000000000000 00000100 00 00", fixed(0x5, 0x20, 0x00)),  # REPORT ZONE DOMAINS
])
def test_commands_a_disk_of_this_kind_lacks(disk: EmulatedDisk, cdb: str, sense: bytes) -> None:
    assert disk.respond(H(cdb), bytes(512), 256).sense == sense


def test_zone_domain_commands_on_a_zoned_disk_are_an_unsupported_service_action() -> None:
    zoned = EmulatedDisk(blocks=1 << 16, zoned=True, zone_size=4096)
    for action in (0x06, 0x07, 0x08, 0x09):  # REPORT REALMS .. ZONE QUERY
        cdb = bytes((0x95, action)) + bytes(8) + (256).to_bytes(4, "big") + bytes(2)
        assert zoned.respond(cdb, None, 256).sense == invalid_cdb(1, 4)


def test_report_supported_operation_codes_lists_the_new_commands(disk: EmulatedDisk) -> None:
    raw = ok(disk.respond(H("a3 0c 00 00 0000 0000ffff 00 00"), None, 0xFFFF))
    listed = {(d.operation_code, d.service_action if d.servactv else None, d.cdb_length)
              for d in decode_supported_opcodes(raw, 0).command_descriptors}
    assert {(0x9C, None, 16), (0xA3, 0x05, 12), (0xA3, 0x0E, 12)} <= listed
    assert {(0xAB, 0x01, 12), (0x9E, 0x13, 16), (0x9E, 0x17, 16), (0x9E, 0x18, 16), (0x83, 0x01, 16)} <= listed
    assert (0xB5, None, 12) in listed
    assert not {key for key in listed if key[:2] == (0xA4, 0x0A)}


def test_zoned_block_device_statistics_follow_the_zones() -> None:
    zoned = EmulatedDisk(blocks=16 * 64, zoned=True, zone_size=64, conventional_zones=1, max_open_zones=4)
    assert (0x14, 0x01) in decode_log_page(log(zoned, 0x00, 0xFF)).supported_pages_and_subpages
    assert 0x14 in decode_log_page(log(zoned, 0x00)).supported_pages
    # Two zones opened by writes, one explicitly: then a write off the write pointer.
    ok(zoned.respond(H("8a 00 0000000000000040 00000001 00 00"), bytes(512)))  # zone 1, implicitly
    ok(zoned.respond(H("94 03 0000000000000080 0000 0000 00 00")))  # OPEN ZONE 2
    ok(zoned.respond(H("8a 00 0000000000000080 00000001 00 00"), bytes(512)))
    assert zoned.respond(H("8a 00 00000000000000c5 00000001 00 00"), bytes(512)).sense[12:14] == H("2104")
    ok(zoned.respond(H("94 04 0000000000000040 0000 0000 00 00")))  # RESET WRITE POINTER zone 1
    page = log(zoned, 0x14, 0x01)
    # Parameter codes 0000h-0003h, 0005h and 000Ah, eight bytes each (ZBC-2 5.3).
    assert page[:4] == H("d4 01 0048") and page[4:16] == H("0000 03 08 0000000000000002")
    stats = decode_log_page(page)
    assert (stats.maximum_open_zones, stats.maximum_explicitly_open_zones, stats.maximum_implicitly_open_zones,
            stats.minimum_empty_zones, stats.zones_emptied, stats.write_rule_violations) == (2, 1, 1, 13, 1, 1)
    assert stats.problems == ()


@pytest.mark.skipif(shutil.which("sg_logs") is None, reason="sg3_utils' sg_logs is not installed")
def test_sg_logs_reads_the_zoned_statistics_page(tmp_path) -> None:
    zoned = EmulatedDisk(blocks=1024, zoned=True, zone_size=64)
    ok(zoned.respond(H("8a 00 0000000000000000 00000001 00 00"), bytes(512)))
    path = tmp_path / "zbd.hex"
    path.write_text(log(zoned, 0x14, 0x01).hex(" "))
    out = subprocess.run(["sg_logs", f"--inhex={path}"], capture_output=True, text=True).stdout
    assert out.splitlines()[1:] == ["  Maximum open zones: 1", "  Maximum explicitly open zones: 0",
                                    "  Maximum implicitly open zones: 1", "  Minimum empty zones: 15",
                                    "  Zones emptied: 0", "  Write rule violations: 0"]
