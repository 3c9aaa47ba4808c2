"""The VPD and log pages the emulated disk answers since issue 14 instead of ILLEGAL
REQUEST: VPD 85h, 8Bh, 8Ch, B3h, B8h, B9h and log pages 01h, 0Ch, 0Fh (LOG SELECT writes
it), 15h/03h, 17h, 19h.  Each is read through ``Channel.open("emu:...")`` and decoded,
its bytes checked against SPC-5/SBC-4, its values against the rest of the disk's state,
and the same bytes are given to sg3_utils (sg_vpd/sg_logs --inhex) whose text must agree."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sgframe import Channel, errors
from sgframe import command as c
from sgframe.decode.log import decode_log_page
from sgframe.decode.vpd import decode_vpd
from sgframe.emu import EmulatedDisk

from test_emu_core import fixed
from test_emu_spc import invalid_cdb, invalid_param, ok

H = bytes.fromhex
SG_VPD, SG_LOGS = shutil.which("sg_vpd"), shutil.which("sg_logs")
needs_sg_vpd = pytest.mark.skipif(SG_VPD is None, reason="sg3_utils' sg_vpd is not installed")
needs_sg_logs = pytest.mark.skipif(SG_LOGS is None, reason="sg3_utils' sg_logs is not installed")


@pytest.fixture
def channel(reactor):
    with Channel.open("emu:disk?blocks=4096&serial=EMU-PAGES-1", reactor=reactor) as channel:
        yield channel


@pytest.fixture
def zoned(reactor):
    uri = "emu:zoned?blocks=4096&zone_size=256&conventional_zones=2&serial=EMU-ZONED-1"
    with Channel.open(uri, reactor=reactor) as channel:
        yield channel


def vpd_raw(channel, code: int) -> bytes:
    return bytes(channel.execute(c.Inquiry(evpd=True, page_code=code, allocation_length=0xFFFF)).data)


def log_raw(channel, page: int, subpage: int = 0, pc: int = 1, pointer: int = 0) -> bytes:
    return bytes(channel.execute(c.LogSense(page_code=page, subpage_code=subpage, pc=pc, parameter_pointer=pointer,
                                            allocation_length=0xFFFF)).data)


def sg3(tool: str, raw: bytes, tmp_path: Path) -> str:
    path = tmp_path / "page.hex"
    path.write_text(raw.hex(" "))
    return subprocess.run([tool, f"--inhex={path}"], capture_output=True, text=True, check=True, timeout=30).stdout


def lines(text: str) -> list:
    return [line.strip() for line in text.splitlines()]


# ------------------------------------------------------------------------ VPD 00h

def test_the_new_vpd_pages_are_listed(channel, zoned):
    for ch in (channel, zoned):
        listed = decode_vpd(vpd_raw(ch, 0x00)).supported_pages
        assert {0x85, 0x8B, 0x8C, 0xB3, 0xB8, 0xB9} <= set(listed)
        assert 0x89 not in listed  # ATA information: a SATL's page


def test_ata_information_is_still_invalid_field():
    disk = EmulatedDisk(blocks=64)
    assert disk.respond(H("12 01 89 00 ff 00"), None, 255).sense == invalid_cdb(2)


# ------------------------------------------------------------------------ VPD 85h

def test_management_network_addresses(channel):
    raw = vpd_raw(channel, 0x85)
    config = b"http://sgframe-emu.invalid/EMU-PAGES-1/config\x00"
    config += bytes(-len(config) % 4)
    assert raw[:8] == H("00 85") + (len(raw) - 4).to_bytes(2, "big") + H("01 00") + len(config).to_bytes(2, "big")
    assert raw[8:8 + len(config)] == config
    page = decode_vpd(raw)
    assert page.problems == ()
    assert [(d.association, d.service_type_name, d.network_address) for d in page.network_service_descriptors] == [
        (0, "storage configuration service", "http://sgframe-emu.invalid/EMU-PAGES-1/config"),
        (0, "diagnostics", "http://sgframe-emu.invalid/EMU-PAGES-1/diagnostics")]
    assert all(d.network_address_length % 4 == 0 for d in page.network_service_descriptors)


def test_management_url_escapes_the_serial(reactor):
    with Channel.open("emu:disk?blocks=64&serial=A/B%20C", reactor=reactor) as ch:
        (config, _) = decode_vpd(vpd_raw(ch, 0x85)).network_service_descriptors
    assert config.network_address == "http://sgframe-emu.invalid/A%2FB%20C/config"


@needs_sg_vpd
def test_sg_vpd_reads_the_management_network_addresses(channel, tmp_path):
    text = lines(sg3(SG_VPD, vpd_raw(channel, 0x85), tmp_path))
    assert text[1:5] == ["Addressed logical unit, Service type: storage configuration service",
                         "http://sgframe-emu.invalid/EMU-PAGES-1/config",
                         "Addressed logical unit, Service type: diagnostics",
                         "http://sgframe-emu.invalid/EMU-PAGES-1/diagnostics"]


# ------------------------------------------------------------------------ VPD 8Bh

def test_device_constituents(channel, zoned):
    raw = vpd_raw(channel, 0x8B)
    assert raw == H("00 8b 0024 0003 00 00") + b"SGFRAME " + b"EMU MEDIUM      " + b"0001" + H("0000 0000")
    (constituent,) = decode_vpd(raw).constituent_descriptors
    assert (constituent.constituent_type_name, constituent.constituent_device_type_name,
            constituent.t10_vendor_identification, constituent.product_identification,
            constituent.constituent_specific_descriptors) == (
        "direct access block device", "direct access block device", "SGFRAME", "EMU MEDIUM", ())
    # The disk's revision, and on a zoned disk its device type, are the constituent's.
    standard = channel.execute(c.Inquiry(allocation_length=96)).data
    assert constituent.product_revision_level == standard[32:36].decode()
    (zc,) = decode_vpd(vpd_raw(zoned, 0x8B)).constituent_descriptors
    assert zc.constituent_device_type == 0x14


@needs_sg_vpd
def test_sg_vpd_reads_the_device_constituents(channel, tmp_path):
    text = lines(sg3(SG_VPD, vpd_raw(channel, 0x8B), tmp_path))
    assert "Constituent type: Direct access block device [0x3]" in text
    assert "Constituent device type: disk [0x0]" in text
    assert "Product_identification: EMU MEDIUM" in text
    assert "Product_revision_level: 0001" in text


# ------------------------------------------------------------------------ VPD 8Ch

def test_cfa_profile_information_names_the_stream_granularity(channel):
    raw = vpd_raw(channel, 0x8C)
    assert raw == H("00 8c 0004 01 00 0400")
    (profile,) = decode_vpd(raw).cfa_profile_descriptors
    stream_granularity = decode_vpd(vpd_raw(channel, 0xB7)).stream_granularity_size
    assert (profile.cfa_profile_summary, profile.sequential_write_data_size) == (1, stream_granularity) == (1, 1024)


@needs_sg_vpd
def test_sg_vpd_dumps_the_cfa_profile_page_in_hex(channel, tmp_path):
    # sg3_utils 1.46 has no decoder for 8Ch: its hex dump carries our bytes.
    text = sg3(SG_VPD, vpd_raw(channel, 0x8C), tmp_path)
    assert "Only hex output supported" in text and "00 8c 00 04 01 00 04 00" in text


# ------------------------------------------------------------------------ VPD B3h

def test_referrals_say_the_segments_come_with_the_referrals(channel):
    raw = vpd_raw(channel, 0xB3)
    assert raw == H("00 b3 000c 00000000 00000000 00000000")
    page = decode_vpd(raw)
    assert (page.user_data_segment_size, page.user_data_segment_multiplier, page.problems) == (0, 0, ())


@needs_sg_vpd
def test_sg_vpd_reads_the_referrals(channel, tmp_path):
    text = lines(sg3(SG_VPD, vpd_raw(channel, 0xB3), tmp_path))
    assert text[1:] == ["User data segment size: 0 [per sense descriptor]", "User data segment multiplier: 0"]


# ------------------------------------------------------------------------ VPD B8h

def capacity(channel) -> tuple:
    got = channel.execute(c.ReadCapacity16(allocation_length=32)).data
    return int.from_bytes(got[0:8], "big"), int.from_bytes(got[8:12], "big"), got[13] & 0x0F


def test_format_presets_describe_the_current_format(channel):
    raw = vpd_raw(channel, 0xB8)
    descriptor = bytearray(64)
    descriptor[0:8] = H("00000001 01 0000 00")  # preset 1, block device schema, LBPPBE 0
    descriptor[8:12] = (512).to_bytes(4, "big")
    descriptor[16:24] = (4095).to_bytes(8, "big")
    assert raw == H("00 b8 0040") + bytes(descriptor)
    (preset,) = decode_vpd(raw).format_preset_descriptors
    last, length, lbppbe = capacity(channel)
    assert (preset.designed_last_logical_block_address, preset.logical_block_length,
            preset.logical_blocks_per_physical_block_exponent) == (last, length, lbppbe)
    assert (preset.schema_type_name, preset.fmtpinfo, preset.prot_field_usage) == ("block device", 0, 0)


@pytest.mark.parametrize("protection, fmtpinfo, usage", [(1, 2, 0), (2, 3, 0), (3, 3, 1)])
def test_format_presets_carry_the_protection_type(reactor, protection, fmtpinfo, usage):
    with Channel.open(f"emu:disk?blocks=256&block_size=4096&protection={protection}", reactor=reactor) as ch:
        (preset,) = decode_vpd(vpd_raw(ch, 0xB8)).format_preset_descriptors
        assert (preset.logical_block_length, preset.designed_last_logical_block_address) == (4096, 255)
        p_type = (ch.execute(c.ReadCapacity16(allocation_length=32)).data[12] >> 1) & 0x7
    assert (preset.fmtpinfo, preset.prot_field_usage) == (fmtpinfo, usage)
    assert p_type == protection - 1  # READ CAPACITY(16) P_TYPE names the same type


def test_format_presets_of_a_zoned_disk_have_its_zones(zoned):
    (preset,) = decode_vpd(vpd_raw(zoned, 0xB8)).format_preset_descriptors
    assert (preset.schema_type, preset.schema_type_name) == (3, "host managed zoned block device")
    # 2 conventional zones of 16: 12.5 %, in tenths of a percent.
    assert (preset.low_lba_conventional_zones_percentage, preset.high_lba_conventional_zones_percentage,
            preset.logical_blocks_per_zone) == (125, 0, 256)
    zones = zoned.execute(c.ReportZones(allocation_length=128)).data
    assert int.from_bytes(zones[64 + 8:64 + 16], "big") == preset.logical_blocks_per_zone  # first zone's length


def test_format_with_preset_formats_to_the_listed_preset(channel):
    channel.execute(c.Write10(lba=7, transfer_length=1), data=b"\x5a" * 512)
    (preset,) = decode_vpd(vpd_raw(channel, 0xB8)).format_preset_descriptors
    channel.execute(c.FormatWithPreset(preset_identifier=preset.preset_identifier, immed=True))
    assert channel.execute(c.Read10(lba=7, transfer_length=1)).data == bytes(512)
    assert capacity(channel) == (4095, 512, 0)  # the preset's designed last LBA and block length
    with pytest.raises(errors.IllegalRequest) as caught:
        channel.execute(c.FormatWithPreset(preset_identifier=2))  # not in B8h
    assert caught.value.sense.asc == 0x24 and caught.value.sense.sense_key_specific.field_pointer == 2


def test_format_with_preset_heals_medium_errors_and_empties_zones():
    disk = EmulatedDisk(blocks=1024, zoned=True, zone_size=256)
    ok(disk.respond(H("8a 00 0000000000000000 00000002 00 00"), bytes(1024)))
    disk.inject_medium_error(600)
    ok(disk.respond(H("38 00 00000001 000000 00")))
    assert disk.bad_ranges == [] and disk.zones.wp(0) == 0
    # REPORT SUPPORTED OPERATION CODES has it, with the CDB usage data of SBC-4.
    assert ok(disk.respond(H("a3 0c 01 38 0000 00000100 00 00"), None, 256)) == H("0003 000a 38 c0 ffffffff 000000 00")


@needs_sg_vpd
def test_sg_vpd_reads_the_format_presets(zoned, tmp_path):
    text = lines(sg3(SG_VPD, vpd_raw(zoned, 0xB8), tmp_path))
    for line in ("Preset identifier: 0x1", "schema type: 3", "logical block length: 512", "designed last LBA: 0xfff",
                 "FMPT_INFO: 0", "low LBA conventional zones percentage: 12.5 %", "logical blocks per zone: 256"):
        assert line in text, line


# ------------------------------------------------------------------------ VPD B9h

def test_one_concurrent_positioning_range_covers_every_lba(channel, zoned):
    raw = vpd_raw(channel, 0xB9)
    # Four storage elements: the default of a disk of 4096 blocks, as GET PHYSICAL ELEMENT
    # STATUS reports them.
    assert raw == H("00 b9 005c") + bytes(60) + H("00 04 000000000000 0000000000000000 0000000000001000") + bytes(8)
    for ch in (channel, zoned):
        (whole,) = decode_vpd(vpd_raw(ch, 0xB9)).lba_range_descriptors
        last, _, _ = capacity(ch)
        assert (whole.lba_range_number, whole.starting_lba, whole.number_of_lbas) == (0, 0, last + 1)


def test_the_range_loses_the_storage_elements_removed(reactor):
    from sgframe.emu.disk import EmulatedDisk
    from sgframe.transport.emu import EmuTransport

    disk = EmulatedDisk(blocks=4096, storage_elements=2)
    with Channel(EmuTransport(disk), reactor=reactor) as ch:
        assert decode_vpd(vpd_raw(ch, 0xB9)).lba_range_descriptors[0].number_of_storage_elements == 2
        # REMOVE ELEMENT AND TRUNCATE (9Eh/18h) of element 2, to the largest capacity left
        ch.execute(c.RemoveElementAndTruncate(element_identifier=2))
        (whole,) = decode_vpd(vpd_raw(ch, 0xB9)).lba_range_descriptors
        assert (whole.number_of_storage_elements, whole.number_of_lbas) == (1, 2048)


@needs_sg_vpd
def test_sg_vpd_reads_the_concurrent_positioning_ranges(channel, tmp_path):
    text = lines(sg3(SG_VPD, vpd_raw(channel, 0xB9), tmp_path))
    assert text[1:] == ["LBA range number: 0", "number of storage elements: 4", "starting LBA: 0x0",
                        "number of LBAs: 0x1000 [4096]"]


# ------------------------------------------------------------------------ log 00h

def test_the_new_log_pages_are_listed(channel, zoned):
    pairs = decode_log_page(log_raw(channel, 0x00, 0xFF)).supported_pages_and_subpages
    assert {(0x01, 0), (0x0C, 0), (0x0F, 0), (0x15, 0x03), (0x17, 0), (0x19, 0)} <= set(pairs)
    assert {0x01, 0x0C, 0x0F, 0x17, 0x19} <= set(decode_log_page(log_raw(channel, 0x00)).supported_pages)
    assert not {(0x16, 0), (0x19, 0x20)} & set(pairs)
    # No logical block provisioning on a zoned disk: it has no UNMAP (LBPU 0).
    assert 0x0C not in decode_log_page(log_raw(zoned, 0x00)).supported_pages


# ------------------------------------------------------------------------ log 01h

def test_buffer_over_run_under_run_counters(channel):
    raw = log_raw(channel, 0x01)
    assert raw == H("81 00 0020 0022 00 04 00000000 0023 00 04 00000000 0024 00 04 00000000 0025 00 04 00000000")
    page = decode_log_page(raw)
    assert [(k.count_basis_name, k.cause_name, k.type_name, k.count) for k in page.counters] == [
        ("per command", "service delivery subsystem busy", "under-run", 0),
        ("per command", "service delivery subsystem busy", "over-run", 0),
        ("per command", "transfer rate too slow", "under-run", 0),
        ("per command", "transfer rate too slow", "over-run", 0)]


@needs_sg_logs
def test_sg_logs_reads_the_buffer_counters(channel, tmp_path):
    text = lines(sg3(SG_LOGS, log_raw(channel, 0x01), tmp_path))
    assert text[1:] == ["command, service delivery subsystem busy, under-run = 0",
                        "command, service delivery subsystem busy, over-run = 0",
                        "command, transfer too slow, under-run = 0", "command, transfer too slow, over-run = 0"]


# ------------------------------------------------------------------------ log 0Ch

def test_logical_block_provisioning_counts_the_mapped_blocks(channel):
    assert log_raw(channel, 0x0C) == H("8c 00 0018 0001 03 08 00001000 01 000000 0002 03 08 00000000 01 000000")
    channel.execute(c.Write10(lba=8, transfer_length=4), data=bytes(4 * 512))
    page = decode_log_page(log_raw(channel, 0x0C))
    assert [(r.name, r.resource_count, r.scope_name) for r in page.resources] == [
        ("available LBA mapping resource count", 4092, "dedicated to the logical unit"),
        ("used LBA mapping resource count", 4, "dedicated to the logical unit")]
    unmap = H("0016 0010 00000000") + (10).to_bytes(8, "big") + (2).to_bytes(4, "big") + bytes(4)
    channel.execute(c.Unmap(parameter_list_length=len(unmap)), data=unmap)
    assert [r.resource_count for r in decode_log_page(log_raw(channel, 0x0C)).resources] == [4094, 2]
    assert [r.resource_count for r in decode_log_page(log_raw(channel, 0x0C, pc=3)).resources] == [4096, 0]


@needs_sg_logs
def test_sg_logs_reads_the_provisioning_counts(channel, tmp_path):
    channel.execute(c.Write10(lba=0, transfer_length=3), data=bytes(3 * 512))
    text = lines(sg3(SG_LOGS, log_raw(channel, 0x0C), tmp_path))
    assert text[1:] == ["Available LBA mapping threshold resource count: 4093", "Scope: dedicated to lu",
                        "Used LBA mapping threshold resource count: 3", "Scope: dedicated to lu"]


# ------------------------------------------------------------------------ log 0Fh

def app_page(*parameters: tuple) -> bytes:
    body = b"".join(code.to_bytes(2, "big") + bytes((0x83, len(value))) + value for code, value in parameters)
    return H("0f 00") + len(body).to_bytes(2, "big") + body


def log_select(channel, data: bytes, **fields) -> None:
    channel.execute(c.LogSelect(parameter_list_length=len(data), **fields), data=data)


def test_application_client_parameters_are_written_and_read_back(channel):
    raw = log_raw(channel, 0x0F)
    assert raw[:4] == H("8f 00 4000") and len(raw) == 4 + 64 * 256
    assert raw[4:8] == H("0000 83 fc") and raw[8:260] == bytes(252)
    first, second = b"backup 2026-12-02".ljust(252, b"\0"), bytes(range(252))
    log_select(channel, app_page((0x05, first), (0x3F, second)))
    page = decode_log_page(log_raw(channel, 0x0F))
    assert page.problems == () and len(page.parameters) == 64
    assert (page.parameter(0x05).value, page.parameter(0x3F).value, page.parameter(0x06).value) == (
        first, second, bytes(252))
    assert page.parameter(0x05).name == "general usage application client parameter data"
    # PARAMETER POINTER: from parameter 003Fh on, the last one alone.
    assert log_raw(channel, 0x0F, pointer=0x3F) == H("8f 00 0100 003f 83 fc") + second
    # Default values (PC 11b): nothing stored.
    assert decode_log_page(log_raw(channel, 0x0F, pc=3)).parameter(0x05).value == bytes(252)


def test_log_select_pcr_clears_the_application_client_page(channel):
    log_select(channel, app_page((0x01, b"\x11" * 252)))
    channel.execute(c.LogSelect(pcr=True, pc=3))
    assert decode_log_page(log_raw(channel, 0x0F)).parameter(0x01).value == bytes(252)


@pytest.mark.parametrize("cdb, data, sense", [
    # Page code or subpage code in the CDB with a parameter list.
    ("4c 00 4f 00 00 00 00 {n} 00", "ok", invalid_cdb(2, 5)),
    ("4c 00 40 01 00 00 00 {n} 00", "ok", invalid_cdb(3)),
    # Threshold values (PC 00b) do not exist; default values (11b) are not written.
    ("4c 00 00 00 00 00 00 {n} 00", "ok", invalid_cdb(2, 7)),
    ("4c 00 c0 00 00 00 00 {n} 00", "ok", invalid_cdb(2, 7)),
    # A read-only page in the list: the temperature is the disk's.
    ("4c 00 40 00 00 00 00 {n} 00", "0d 00 0006 0000 03 02 00 28", invalid_param(0, 5)),
    # Parameter 0040h: beyond the 64 general usage parameters.
    ("4c 00 40 00 00 00 00 {n} 00", "0f 00 0100 0040 83 fc" + "00" * 252, invalid_param(4)),
    # PARAMETER LENGTH other than FCh.
    ("4c 00 40 00 00 00 00 {n} 00", "0f 00 0008 0001 83 04 01020304", invalid_param(7)),
    # A page longer than the list.
    ("4c 00 40 00 00 00 00 {n} 00", "0f 00 0100 0001 83 fc", fixed(0x5, 0x1A, 0x00)),
])
def test_log_select_refuses(cdb, data, sense):
    disk = EmulatedDisk(blocks=64)
    good = app_page((0x02, b"\x22" * 252))
    payload = good if data == "ok" else H(data)
    cdb_bytes = H(cdb.format(n=len(payload).to_bytes(2, "big").hex()))
    assert disk.respond(cdb_bytes, payload).sense == sense
    # Nothing of a refused list is stored, not even a good page before the bad one.
    assert disk.respond(H("4c 00 40 00 00 00 00") + (len(good) + len(payload)).to_bytes(2, "big") + b"\0",
                        good + payload).status == (0 if data == "ok" else 2)
    if data != "ok":
        stored = ok(disk.respond(H("4d 00 4f 00 00 0002 0104 00"), None, 0x104))
        assert stored[8:] == bytes(252)


def test_log_select_tells_the_other_initiators():
    disk = EmulatedDisk(blocks=64)
    assert disk.respond(H("00 00 00 00 00 00"), nexus=1).status == 0  # initiator 1 is known
    page = app_page((0x00, b"\x01" * 252))
    ok(disk.respond(H("4c 00 40 00 00 00 00") + len(page).to_bytes(2, "big") + b"\0", page))
    # LOG PARAMETERS CHANGED for initiator 1, not for initiator 0 that wrote them.
    assert disk.respond(H("00 00 00 00 00 00"), nexus=1).sense == fixed(0x6, 0x2A, 0x02)
    assert disk.respond(H("00 00 00 00 00 00")).status == 0
    stored = ok(disk.respond(H("4d 00 4f 00 00 0000 0104 00"), None, 0x104, nexus=1))
    assert stored[8:] == b"\x01" * 252


@needs_sg_logs
def test_sg_logs_dumps_what_log_select_stored(channel, tmp_path):
    log_select(channel, app_page((0x00, b"\xab" * 252)))
    text = sg3(SG_LOGS, log_raw(channel, 0x0F), tmp_path)
    assert "Application client page  [0xf]" in text
    assert " 00     8f 00 40 00 00 00 83 fc  ab ab ab ab ab ab ab ab" in text


# ------------------------------------------------------------------------ log 03h, 15h

def test_read_errors_and_scan_results_tell_one_story(reactor, tmp_path):
    """03h and 15h, already there before issue 14, agree with each other, with the write
    and verify counters' layout (02h, 05h) and, where sg_logs is installed, with it."""
    disk = EmulatedDisk(blocks=4096)
    ok(disk.respond(H("28 00 00000000 00 0004 00"), None, 2048))
    disk.inject_medium_error(0x40)
    assert disk.respond(H("28 00 00000040 00 0001 00"), None, 512).sense[2] == 0x03
    read = decode_log_page(ok(disk.respond(H("4d 00 43 00 00 0000 1000 00"), None, 4096)))
    write = decode_log_page(ok(disk.respond(H("4d 00 42 00 00 0000 1000 00"), None, 4096)))
    scan = decode_log_page(ok(disk.respond(H("4d 00 55 00 00 0000 1000 00"), None, 4096)))
    assert [p.parameter_code for p in read.parameters] == [p.parameter_code for p in write.parameters] == list(range(7))
    assert (read.total_bytes_processed, read.total_uncorrected_errors) == (2048, 1)
    assert [(m.logical_block_address, m.sense_key, m.additional_sense_code) for m in scan.medium_scan_parameters] == [
        (0x40, 0x3, 0x11)]
    if SG_LOGS is None:
        pytest.skip("sg3_utils' sg_logs is not installed")
    text = lines(sg3(SG_LOGS, read.raw, tmp_path))
    assert "Total bytes processed = 2048" in text and "Total uncorrected errors = 1" in text
    text = lines(sg3(SG_LOGS, scan.raw, tmp_path))
    assert "LBA (associated with medium error): 0x0000000000000040" in text
    assert "sense key: Medium Error  [sk,asc,ascq: 0x3,0x11,0x0]" in text


# ------------------------------------------------------------------------ log 15h/03h

def test_lps_misalignment_count_is_zero_with_one_block_per_physical_block(channel):
    channel.execute(c.Write10(lba=3, transfer_length=1), data=bytes(512))  # any LBA is a physical block's first
    raw = log_raw(channel, 0x15, 0x03)
    assert raw == H("d5 03 0008 0000 03 04 0010 0000")
    page = decode_log_page(raw)
    assert (page.max_lpsm, page.lps_misalignment_count, page.lba_of_misaligned_blocks) == (16, 0, ())
    assert capacity(channel)[2] == 0  # LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT: why it is zero


@pytest.fixture
def emulated_4k(reactor):
    with Channel.open("emu:disk?blocks=4096&physical_block_size=4096", reactor=reactor) as channel:
        yield channel


def test_a_512e_disk_reports_its_physical_blocks(emulated_4k):
    assert capacity(emulated_4k) == (4095, 512, 3)  # eight logical blocks per physical block
    (preset,) = decode_vpd(vpd_raw(emulated_4k, 0xB8)).format_preset_descriptors
    assert (preset.logical_block_length, preset.logical_blocks_per_physical_block_exponent) == (512, 3)


def test_writes_that_split_a_physical_block_are_lps_misalignments(emulated_4k):
    def write(lba: int, count: int) -> None:
        emulated_4k.execute(c.Write16(lba=lba, transfer_length=count), data=bytes(512 * count))

    write(8, 16)  # two whole physical blocks
    write(3, 8)  # starts inside physical block 0: LBA 3
    write(16, 4)  # ends inside physical block 2, whose first LBA is 16
    raw = log_raw(emulated_4k, 0x15, 0x03)
    assert raw == H("d5 03 0020 0000 03 04 0010 0002 0001 03 08 0000000000000003 0002 03 08 0000000000000010")
    page = decode_log_page(raw)
    assert (page.lps_misalignment_count, page.lba_of_misaligned_blocks, page.problems) == (2, (3, 16), ())
    assert decode_log_page(log_raw(emulated_4k, 0x15, 0x03, pc=3)).lps_misalignment_count == 0
    # The count goes on past MAX_LPSM; the LBAs stop at 16.
    for n in range(20):
        write(64 * n + 1, 1)
    page = decode_log_page(log_raw(emulated_4k, 0x15, 0x03))
    assert (page.lps_misalignment_count, len(page.lba_of_misaligned_blocks)) == (22, 16)
    # LOG SELECT resets page 15h with its subpages.
    emulated_4k.execute(c.LogSelect(pc=1, page_code=0x15))
    assert decode_log_page(log_raw(emulated_4k, 0x15, 0x03)).lba_of_misaligned_blocks == ()


@pytest.mark.parametrize("uri", ["emu:disk?physical_block_size=1000", "emu:disk?block_size=4096&physical_block_size=512"])
def test_a_physical_block_size_must_be_the_logical_times_a_power_of_two(uri):
    from sgframe.emu import create

    with pytest.raises(errors.UsageError, match=r"is not block_size=\d+ times a power of two \(allowed: "):
        create(uri)


@needs_sg_logs
def test_sg_logs_reads_the_lps_misalignment_page(emulated_4k, tmp_path):
    emulated_4k.execute(c.Write10(lba=5, transfer_length=2), data=bytes(1024))
    text = lines(sg3(SG_LOGS, log_raw(emulated_4k, 0x15, 0x03), tmp_path))
    assert text[1:] == ["LPS misalignment count: max lpsm: 16, count=1", "LBA of misaligned block: 0x5"]


# ------------------------------------------------------------------------ log 17h

def test_non_volatile_cache_is_volatile_as_extended_inquiry_says(channel):
    raw = log_raw(channel, 0x17)
    assert raw == H("97 00 0010 0000 03 04 00 000000 0001 03 04 00 000000")
    page = decode_log_page(raw)
    assert (page.remaining_non_volatile_time, page.maximum_non_volatile_time) == (0, 0)
    extended = decode_vpd(vpd_raw(channel, 0x86))
    assert (extended.v_sup, extended.nv_sup) == (True, False)


@needs_sg_logs
def test_sg_logs_reads_the_non_volatile_cache_page(channel, tmp_path):
    text = lines(sg3(SG_LOGS, log_raw(channel, 0x17), tmp_path))
    assert text[0] == "Non-volatile cache page  [0x17]"
    # sg3_utils 1.45 wants the reserved byte 0 to be 3 (see decode/log/non_volatile_cache.py);
    # later versions print "0 (i.e. it is now volatile)".
    assert [line.split(":")[0] for line in text[1:]] == ["Remaining non-volatile time", "Maximum non-volatile time"]


# ------------------------------------------------------------------------ log 19h

def statistics(channel, pc: int = 1):
    page = decode_log_page(log_raw(channel, 0x19, pc=pc))
    assert page.problems == ()
    return page


def test_general_statistics_count_reads_and_writes(channel):
    channel.execute(c.Write10(lba=0, transfer_length=8), data=bytes(8 * 512))
    channel.execute(c.Write16(lba=8, transfer_length=2, fua=True), data=bytes(2 * 512))
    channel.execute(c.Read10(lba=0, transfer_length=4))
    channel.execute(c.Read16(lba=0, transfer_length=1, fua=True))
    channel.execute(c.Read6(lba=0, transfer_length=3))
    s = statistics(channel)
    assert (s.number_of_read_commands, s.number_of_write_commands, s.number_of_logical_blocks_received,
            s.number_of_logical_blocks_transmitted) == (3, 2, 10, 8)
    assert (s.number_of_read_fua_commands, s.number_of_write_fua_commands, s.number_of_read_fua_nv_commands,
            s.number_of_write_fua_nv_commands) == (1, 1, 0, 0)
    assert (s.weighted_number_of_read_commands_plus_write_commands,
            s.weighted_read_command_processing_plus_write_command_processing) == (
        5, s.read_command_processing_intervals + s.write_command_processing_intervals)
    assert s.read_fua_command_processing_intervals <= s.read_command_processing_intervals
    assert (s.time_interval_exponent, s.time_interval_integer) == (6, 1)  # microseconds
    assert s.idle_time_intervals > 0


def test_general_statistics_layout(channel):
    raw = log_raw(channel, 0x19, pc=3)
    assert raw == (H("99 00 00a0") + H("0001 03 40") + bytes(64) + H("0002 03 08") + bytes(8)
                   + H("0003 03 08 00000006 00000001") + H("0004 03 40") + bytes(64))


def test_refused_and_failed_reads():
    disk = EmulatedDisk(blocks=64)

    def reads() -> tuple:
        s = decode_log_page(ok(disk.respond(H("4d 00 59 00 00 0000 0100 00"), None, 256)))
        return s.number_of_read_commands, s.number_of_logical_blocks_transmitted

    # Past the last LBA: refused before any READ is processed.
    assert disk.respond(H("28 00 0000003f 00 0002 00"), None, 1024).sense == fixed(0x5, 0x21, 0x00)
    assert reads() == (0, 0)
    # A medium error: processed, but no block delivered whole counts as transmitted.
    disk.inject_medium_error(5)
    assert disk.respond(H("28 00 00000004 00 0002 00"), None, 1024).sense[2] == 0x03
    assert reads() == (1, 0)


def test_log_select_resets_the_statistics(channel):
    channel.execute(c.Read10(lba=0, transfer_length=4))
    channel.execute(c.LogSelect(pc=1, page_code=0x19))
    s = statistics(channel)
    assert (s.number_of_read_commands, s.number_of_logical_blocks_transmitted) == (0, 0)


@needs_sg_logs
def test_sg_logs_reads_the_general_statistics(channel, tmp_path):
    channel.execute(c.Write10(lba=0, transfer_length=8), data=bytes(8 * 512))
    channel.execute(c.Read10(lba=0, transfer_length=2, fua=True))
    raw = log_raw(channel, 0x19)
    page = decode_log_page(raw)
    text = lines(sg3(SG_LOGS, raw, tmp_path))
    values = dict(re.fullmatch(r"(.+?) = (\d+)", line).groups() for line in text if " = " in line)
    assert {k: int(v) for k, v in values.items() if k in (
        "number of read commands", "number of write commands", "number of logical blocks received",
        "number of logical blocks transmitted", "number of read FUA commands", "time interval negative exponent",
        "read command processing intervals", "idle time intervals")} == {
        "number of read commands": 1, "number of write commands": 1, "number of logical blocks received": 8,
        "number of logical blocks transmitted": 2, "number of read FUA commands": 1,
        "time interval negative exponent": 6,
        "read command processing intervals": page.read_command_processing_intervals,
        "idle time intervals": page.idle_time_intervals}


# ------------------------------------------------------------------------ sgframe CLI

def run(capsys, *argv: str):
    from sgframe.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_inq_shows_the_format_presets(capsys):
    code, out, _ = run(capsys, "inq", "emu:disk?blocks=4096", "-p", "fp")
    assert code == 0 and out.splitlines()[0] == "Format presets VPD page (0xb8):"
    assert "      logical_block_length                        512" in out.splitlines()
    assert "      designed_last_logical_block_address         4095" in out.splitlines()


def test_cli_logs_shows_the_application_client_parameters(capsys):
    code, out, _ = run(capsys, "logs", "emu:disk", "--page", "ac")
    text = out.splitlines()
    assert code == 0 and text[:2] == ["Application client page  [0x0f]", "  parameters: 64"]
    assert "      name                general usage application client parameter data" in text


def test_cli_logs_shows_the_general_statistics(capsys):
    code, out, _ = run(capsys, "logs", "emu:disk", "--page", "gsp")
    text = out.splitlines()
    assert code == 0 and text[0] == "General statistics and performance page  [0x19]"
    assert "  number_of_read_commands                                         0" in text
    assert "  time_interval_exponent                                          6" in text
