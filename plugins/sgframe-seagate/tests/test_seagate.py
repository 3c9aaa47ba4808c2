"""sgframe-seagate: page decoders, binding by vendor, sense, emulation end to end."""
from __future__ import annotations

import pytest

from sgframe import Channel, errors, plugins
from sgframe.plugins import DeviceIdentity
from sgframe.sense import build_descriptor_sense, build_fixed_sense

import sgframe_seagate as seagate

SEAGATE = DeviceIdentity("SEAGATE", "ST4000NM0023", "0004")
OTHER = DeviceIdentity("HGST", "HUS726T4TAL", "A907")

# Page 37h as a drive sends it: 8-byte counters for parameters 0-4.
CACHE = bytes.fromhex(
    "37 00 00 3c"
    "0000 03 08 0000000000001000" "0001 03 08 0000000000000200" "0002 03 08 0000000000000030"
    "0003 03 08 0000000000000004" "0004 03 08 0000000000000005")
FACTORY = bytes.fromhex("3e 00 00 10" "0000 03 04 00001770" "0008 03 04 0000002a")


def test_cache_statistics_decoder():
    page = seagate.decode_cache_statistics(CACHE)
    assert (page.blocks_sent_to_initiator, page.blocks_received_from_initiator, page.blocks_read_from_cache,
            page.commands_within_segment_size, page.commands_beyond_segment_size) == (0x1000, 0x200, 0x30, 4, 5)
    assert page.problems == ()


def test_factory_log_decoder():
    page = seagate.decode_factory_log(FACTORY)
    assert page.power_on_minutes == 6000 and page.power_on_hours == 100.0
    assert page.minutes_until_next_smart_test == 42


def test_decoders_report_unknown_parameters_and_garbage():
    page = seagate.decode_cache_statistics(bytes.fromhex("37 00 00 06 0009 03 02 0001"))
    assert page.problems == ("parameter 0009h is not defined for page 37h",)
    assert seagate.decode_factory_log(b"\x3e").power_on_minutes is None


def test_decoders_apply_to_seagate_drives_only():
    manager = plugins.manager()
    assert manager.decode_log_page(CACHE, SEAGATE).blocks_sent_to_initiator == 0x1000
    assert manager.decode_log_page(CACHE, OTHER).page_name == "vendor specific"
    assert manager.decode_log_page(CACHE, OTHER, ["seagate"]).blocks_sent_to_initiator == 0x1000
    assert plugins.manager().bound(SEAGATE) == ["seagate"]


def test_vendor_sense_on_a_seagate_drive():
    manager = plugins.manager()
    meaning = manager.interpret_sense(build_fixed_sense(0x4, 0x81, 0x00), SEAGATE)
    assert meaning.text == ("Seagate vendor specific additional sense 81h/00h under HARDWARE ERROR; "
                            "see the drive's product manual (ST4000NM0023)")
    assert manager.interpret_sense(build_fixed_sense(0x4, 0x81, 0x00), OTHER).text == "vendor specific ASC=81, ASCQ=00 (hex)"
    raw = build_descriptor_sense(0x1, 0x5D, 0x00, descriptors=[bytes((0x80, 2, 1, 2))])
    assert manager.interpret_sense(raw, SEAGATE).text == "Seagate vendor descriptor 80h: 0102"


def test_emulated_seagate_drive_end_to_end():
    with Channel.open("emu:disk?vendor=SEAGATE&product=ST4000NM0023&block_size=512") as ch:
        ch.cmd.Read16(lba=0, transfer_length=8)
        cache = ch.cmd.SeagateLogSense().result
        assert cache.blocks_sent_to_initiator == 8
        factory = ch.cmd.SeagateLogSense(page_code=0x3E).result
        assert factory.power_on_minutes == seagate.emu.POWER_ON_MINUTES
        supported = ch.cmd.LogSense(page_code=0).result.supported_pages
        assert 0x37 in supported and 0x3E in supported and 0x0D in supported
    with Channel.open("emu:disk?vendor=SGFRAME") as ch:
        with pytest.raises(AttributeError, match="not bound"):
            ch.cmd.SeagateLogSense
        with pytest.raises(errors.IllegalRequest):
            ch.execute(seagate.SeagateLogSense())


def test_plain_log_sense_result_uses_the_bound_vendor_decoder():
    # LogSense is the standard command; page 37h is vendor specific, so its result is
    # decoded by the plugin bound to the device's INQUIRY vendor, not by the generic table.
    with Channel.open("emu:disk?vendor=SEAGATE&product=ST4000NM0023&block_size=512") as ch:
        ch.cmd.Read16(lba=0, transfer_length=8)
        cache = ch.cmd.LogSense(page_code=0x37).result
        assert cache.blocks_sent_to_initiator == 8
        cache_type = type(cache)
    with Channel.open("emu:disk?vendor=SGFRAME") as ch:
        from sgframe.command import LogSense

        other = ch._decode_vendor_page(LogSense(page_code=0x37), bytes.fromhex("37000000"))
        assert other is not None and not isinstance(other, cache_type)
        assert ch._decode_vendor_page(LogSense(page_code=0x0D), bytes.fromhex("0d000000")) is None


def test_the_plugin_registers_its_commands_by_rows_that_match_the_classes():
    from sgframe_seagate import commands, plugin

    assert plugin.COMMAND_ROWS == tuple(
        ("commands", cls.__name__, cls.NAME, cls.OPCODE, cls.SERVICE_ACTION) for cls in commands.COMMANDS)
