"""sgframe-sat: CDB vectors, decoders, ATA registers from sense, and emu:sata end to end."""
from __future__ import annotations

import pytest

from sgframe import Channel, errors, plugins
from sgframe.cdb import Direction
from sgframe.sense import AtaStatusReturnDescriptor, build_descriptor_sense, decode_sense

import sgframe_sat as sat
from sgframe_sat.emu import AtaDrive


def test_identify_device_cdb_is_what_hdparm_sends():
    cmd = sat.identify_device()
    assert bytes(cmd) == bytes.fromhex("85 08 0e 00 00 00 01 00 00 00 00 00 00 00 ec 00")
    assert cmd.DIRECTION is Direction.IN and cmd.data_length() == 512


def test_smart_return_status_cdb():
    cmd = sat.smart_return_status()
    assert bytes(cmd) == bytes.fromhex("85 06 20 00 da 00 00 00 00 00 4f 00 c2 00 b0 00")
    assert cmd.DIRECTION is Direction.NONE and cmd.data_length() == 0


def test_read_log_ext_splits_page_and_log_address():
    cmd = sat.read_log_ext(0x10, page=0x0102, count=2)
    assert bytes(cmd) == bytes.fromhex("85 09 0e 00 00 00 02 00 10 01 02 00 00 00 2f 00")
    assert cmd.lba == 0x01_0000_0210 and cmd.data_length() == 1024
    with pytest.raises(errors.UsageError, match="page must be an int in 0..65535"):
        sat.read_log_ext(0, page=0x10000)


def test_pass_through_12_round_trip_and_lba():
    cmd = sat.AtaPassThrough12(protocol=sat.Protocol.NON_DATA, ck_cond=True, lba_7_0=1, lba_15_8=2,
                               lba_23_16=3, device=0xE4, command=0xE5)
    assert bytes(cmd) == bytes.fromhex("a1 06 20 00 00 01 02 03 e4 e5 00 00")
    assert sat.AtaPassThrough12.from_bytes(bytes(cmd)) == cmd and cmd.lba == 0x4030201
    with pytest.raises(errors.UsageError, match="protocol=16 is out of range"):
        sat.AtaPassThrough12(protocol=16)


def test_t_type_counts_logical_sectors():
    cmd = sat.AtaPassThrough16(protocol=sat.Protocol.DMA, t_dir=True, byte_block=True, t_type=True,
                               t_length=sat.TLength.COUNT, count=2, command=0x25)
    assert cmd.needs_block_size and cmd.data_length(4096) == 8192
    with pytest.raises(errors.UsageError, match="T_TYPE=1 counts logical sectors"):
        cmd.data_length()


def test_identify_decoder_reads_strings_capacity_and_features():
    drive = AtaDrive(0x1_0000_0000, model="WDC WD40EFRX-68N32N0", serial="WD-ABC123", firmware="82.00A82")
    ident = sat.decode_identify_device(drive.identify_data())
    assert (ident.model_number, ident.serial_number, ident.firmware_revision) == (
        "WDC WD40EFRX-68N32N0", "WD-ABC123", "82.00A82")
    assert ident.user_addressable_sectors == 0x1_0000_0000 and ident.capacity == 0x1_0000_0000 * 512
    assert "lba48" in ident.features_supported and "smart" in ident.features_enabled
    assert ident.checksum_valid is True and ident.problems == ()


def test_identify_decoder_reports_garbage_without_raising():
    ident = sat.decode_identify_device(b"\xff" * 100)
    assert ident.problems[0] == "IDENTIFY DEVICE data is 100 bytes, not 512"
    corrupt = bytearray(AtaDrive().identify_data())
    corrupt[54] ^= 1
    assert sat.decode_identify_device(bytes(corrupt)).checksum_valid is False


def test_registers_from_descriptor_and_fixed_sense():
    descriptor = AtaStatusReturnDescriptor(extend=True, error=0, count=0x1234, lba=0x0102_0304_0506,
                                           device=0x40, status=0x50)
    sense = decode_sense(build_descriptor_sense(0x1, 0x00, 0x1D, descriptors=[descriptor]))
    regs = sat.registers_from_sense(sense)
    assert regs == sat.AtaRegisters(error=0, status=0x50, device=0x40, count=0x1234, lba=0x0102_0304_0506,
                                    extend=True)
    fixed = bytes.fromhex("70 00 01 04 51 e0 07 0a 00 00 00 00 00 1d 00 00 00 00")
    fixed = fixed[:8] + bytes((0x80, 0x11, 0x22, 0x33)) + fixed[12:]
    regs = sat.registers_from_sense(decode_sense(fixed))
    assert (regs.error, regs.status, regs.device, regs.count, regs.lba, regs.extend, regs.complete) == (
        0x04, 0x51, 0xE0, 0x07, 0x332211, True, False)
    assert regs.failed
    assert sat.registers_from_sense(decode_sense(bytes.fromhex("70 00 05 00 00 00 00 0a 00 00 00 00 24 00"))) is None


def test_sat_interprets_sense_for_every_device():
    raw = build_descriptor_sense(0xB, 0x00, 0x1D, descriptors=[AtaStatusReturnDescriptor(
        extend=False, error=0x04, count=1, lba=0, device=0, status=0x51)])
    meaning = plugins.manager().interpret_sense(raw, None)
    assert meaning.text == ("ATA PASS THROUGH INFORMATION AVAILABLE: the ATA command failed; ATA status 0x51 "
                            "(DRDY ERR), error 0x04 (ABRT), count 0x1, lba 0x0, device 0x00")
    assert meaning.record.error == 0x04


@pytest.mark.parametrize("dsense", ["1", "0"])
def test_emulated_sata_disk_end_to_end(dsense):
    with Channel.open(f"emu:sata?model=ST2000DM008-2FR102&serial=ZFL0TEST&dsense={dsense}&smart_ok=0") as ch:
        assert ch.identity.vendor_identification == "ATA"
        assert ch.identity.product_identification == "ST2000DM008-2FR1"
        drive = sat.Sat(ch)
        ident = drive.identify()
        assert (ident.model_number, ident.serial_number) == ("ST2000DM008-2FR102", "ZFL0TEST")
        assert drive.smart_status() is False
        assert drive.power_mode() == "active or idle"
        assert drive.smart_data().attribute(9).raw_value == 1234
        assert drive.smart_thresholds().as_dict() == {5: 10, 9: 0, 12: 0, 194: 0, 197: 0, 199: 0}
        assert drive.log_directory().pages == {0x10: 1}
        # Through channel.cmd: the SAT plugin is bound to every device.
        io = ch.cmd.AtaPassThrough12(protocol=sat.Protocol.NON_DATA, ck_cond=True, command=0xE5)
        assert sat.registers_from_sense(io.sense).count == 0xFF
        with pytest.raises(errors.AbortedCommand) as failure:
            drive.read_log_ext(0x99)
        assert (failure.value.asc, failure.value.ascq) == (0x00, 0x1D)
        assert sat.registers_from_sense(failure.value.sense).error == 0x04


def test_sata_kind_parameters_are_checked():
    with pytest.raises(errors.UsageError, match="bad value 'x' for power_mode"):
        Channel.open("emu:sata?power_mode=x")


def test_the_plugin_registers_its_commands_by_rows_that_match_the_classes():
    from sgframe_sat import commands, plugin

    assert plugin.COMMAND_ROWS == tuple(
        ("commands", cls.__name__, cls.NAME, cls.OPCODE, cls.SERVICE_ACTION) for cls in commands.COMMANDS)
