"""Decoders against bytes the Linux 6.1 scsi_debug driver really sent.

Captured with sg_raw in the User-Mode Linux test bed (../shared/TESTBED.md) from
``modprobe scsi_debug dev_size_mb=64 num_tgts=1 max_luns=2 delay=0 lbpu=1 lbpws=1
physblk_exp=3 lowest_aligned=1 dif=1 dix=1``; the ``zbc_`` vectors from a second load with
``zbc=managed zone_size_mb=4 zone_nr_conv=2``.  GET LBA STATUS ``lbas_1000`` started at
LBA 1000h.  The module is also the corpus of valid vectors for tests/test_decode_fuzz.py.
"""
from __future__ import annotations

import json

import pytest

from sgframe.decode import (
    AllCommandsData,
    AtaInformation,
    BlockDeviceCharacteristics,
    BlockLimits,
    CachingPage,
    ControlPage,
    DeviceIdentification,
    DisconnectReconnectPage,
    ExtendedInquiryData,
    InformationalExceptionsControlPage,
    InformationalExceptionsPage,
    LogicalBlockProvisioning,
    LongLbaBlockDescriptor,
    ReadWriteErrorRecoveryPage,
    FormatDevicePage,
    SasPortPage,
    PhyControlAndDiscoverPage,
    SharedPortControlPage,
    ShortLbaBlockDescriptor,
    SupportedLogPages,
    SupportedLogPagesAndSubpages,
    SupportedVpdPages,
    TemperaturePage,
    UnknownModePage,
    UnknownVpdPage,
    ZonedBlockDeviceCharacteristics,
    decode_inquiry,
    decode_lba_status,
    decode_log_page,
    decode_mode_parameters,
    decode_read_capacity10,
    decode_read_capacity16,
    decode_report_luns,
    decode_report_zones,
    decode_supported_opcodes,
    decode_vpd,
    encode_mode_parameters,
)

VECTORS = {
    "inq": bytes.fromhex(
        "000007025b01100a4c696e7578202020736373695f646562756720202020202030313931323032313035323000000000"
        "0000000000000000000000c005c006002100000000000000000000000000000000000000000000000000000000000000"
    ),
    "zbc_inq": bytes.fromhex(
        "140007025b00100a4c696e7578202020736373695f646562756720202020202030313931323032313035323000000000"
        "0000000000000000000000c005c006242100000000000000000000000000000000000000000000000000000000000000"
    ),
    "vpd00": bytes.fromhex("0000000c008083848586878889b0b1b2"),
    "zbc_vpd00": bytes.fromhex("1400000c008083848586878889b0b1b6"),
    "vpd80": bytes.fromhex("0080000432303030"),
    "vpd83": bytes.fromhex(
        "008300700201001c4c696e7578202020736373695f6465627567202020202020323030300103000833333330000007d0"
        "61940004000000016193000832222220000007ce619500040000010061a3000832222220000007cd63a800186e61612e"
        "3332323232323230303030303037434400000000"
    ),
    "vpd86": bytes.fromhex(
        "0086003c0507000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "00000000000000000000000000000000"
    ),
    "vpd87": bytes.fromhex("008700080200800018008200"),
    "vpd89": bytes.fromhex(
        "00890238000000006c696e757820202053415420736373695f6465627567202031323334340000000100000000000000"
        "0100000000000000ec0000005a0cff3f37c81000000000003f0000000000000058585858585858582020202020202020"
        "202020200000004004002e33383120202020545338333030333153412020202020202020202020202020202020202020"
        "2020202020202020202010800000002f0000000200020700ffff01003f00c1ff3e001001b0f850090000070003007800"
        "7800f0007800000000000000000000000000000002000000000000007e001b006b34017d03406934013c03407f400000"
        "0000fefe0000000000fe00000000000000000000b0f85009000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000100b0f85009b0f8500920200200b64200808a00"
        "063c0a3cffffc60700010008f00f00100200300000000000000006fe0000020050008a004f95000021000b0000000000"
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000a551"
    ),
    "vpdb0": bytes.fromhex(
        "00b0003c00000008000200000000040000000000ffffffff000001000000000100000000000000000000ffff00000000"
        "00000000000000000000000000000000"
    ),
    "vpdb1": bytes.fromhex(
        "00b1003c0001000500000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "00000000000000000000000000000000"
    ),
    "vpdb2": bytes.fromhex("00b2000400c40000"),
    "zbc_vpdb6": bytes.fromhex(
        "14b6003c01000000ffffffffffffffff0000000800000000000000000000000000000000000000000000000000000000"
        "00000000000000000000000000000000"
    ),
    "rc10": bytes.fromhex("0001ffff00000200"),
    "rc16": bytes.fromhex("000000000001ffff000002000103c00100000000000000000000000000000000"),
    "zbc_rc16": bytes.fromhex("000000000001ffff000002001000000000000000000000000000000000000000"),
    "luns": bytes.fromhex("000000100000000000000000000000000001000000000000"),
    "opc_all": bytes.fromhex(
        "000001a01200000000000006a00000000000000c030000000000000600000000000000065a0000000000000a1a000000"
        "00000006550000000000000a15000000000000064d0000000000000a250000000000000a880000000000001028000000"
        "0000000a0800000000000006a80000000000000c8a000000000000102a0000000000000a0a00000000000006aa000000"
        "0000000c1b000000000000069e000010000100109e000012000100109f00001200010010a300000a0001000ca300000c"
        "0001000ca300000d0001000c8f000000000000102f0000000000000a7f000009000100207f00000b000100207f000011"
        "00010020560000000000000a1600000000000006570000000000000a17000000000000061e0000000000000601000000"
        "000000061d00000200000006420000000000000a3b0000000000000a410000000000000a930000000000001035000000"
        "0000000a91000000000000108900000000000010340000000000000a9000000000000010940000030001001094000001"
        "000100109400000200010010940000040001001095000000000100109500000600010010"
    ),
    "opc_all_rctd": bytes.fromhex(
        "000004101200000000020006000a00000000000000000000a00000000002000c000a0000000000000000000003000000"
        "00020006000a000000000000000000000000000000020006000a000000000000000000005a0000000002000a000a0000"
        "00000000000000001a00000000020006000a00000000000000000000550000000002000a000a00000000000000000000"
        "1500000000020006000a000000000000000000004d0000000002000a000a00000000000000000000250000000002000a"
        "000a000000000000000000008800000000020010000a00000000000000000000280000000002000a000a000000000000"
        "000000000800000000020006000a00000000000000000000a80000000002000c000a000000000000000000008a000000"
        "00020010000a000000000000000000002a0000000002000a000a000000000000000000000a00000000020006000a0000"
        "0000000000000000aa0000000002000c000a000000000000000000001b00000000020006000a00000000000000000000"
        "9e00001000030010000a000000000000000000009e00001200030010000a000000000000000000009f00001200030010"
        "000a00000000000000000000a300000a0003000c000a00000000000000000000a300000c0003000c000a000000000000"
        "00000000a300000d0003000c000a000000000000000000008f00000000020010000a000000000000000000002f000000"
        "0002000a000a000000000000000000007f00000900030020000a000000000000000000007f00000b00030020000a0000"
        "00000000000000007f00001100030020000a00000000000000000000560000000002000a000a00000000000000000000"
        "1600000000020006000a00000000000000000000570000000002000a000a000000000000000000001700000000020006"
        "000a000000000000000000001e00000000020006000a000000000000000000000100000000020006000a000000000000"
        "000000001d00000200020006000a00000000000000000000420000000002000a000a000000000000000000003b000000"
        "0002000a000a00000000000000000000410000000002000a000a000000000000000000009300000000020010000a0000"
        "0000000000000000350000000002000a000a000000000000000000009100000000020010000a00000000000000000000"
        "8900000000020010000a00000000000000000000340000000002000a000a000000000000000000009000000000020010"
        "000a000000000000000000009400000300030010000a000000000000000000009400000100030010000a000000000000"
        "000000009400000200030010000a000000000000000000009400000400030010000a0000000000000000000095000000"
        "00030010000a000000000000000000009500000600030010000a00000000000000000000"
    ),
    "opc_one28": bytes.fromhex("0003000a28ffffffffff3fffffc7"),
    "opc_one28_rctd": bytes.fromhex("0083000a28ffffffffff3fffffc7000a00000000000000000000"),
    "opc_sa9e10": bytes.fromhex("000300109e10ffffffffffffffffffffffff01c7"),
    "ms6_all": bytes.fromhex(
        "730010080002000000000200010ac00bf00000000500ffff020e8080000a000000000000000000000316000000000000"
        "0000002002000000000000004000000008121400ffff0000ffffffff80140000000000000a0a0200008000000000024b"
        "1906060007d000001c0a08000000000000000000"
    ),
    "ms6_all_dbd": bytes.fromhex(
        "6b001000010ac00bf00000000500ffff020e8080000a0000000000000000000003160000000000000000002002000000"
        "000000004000000008121400ffff0000ffffffff80140000000000000a0a0200008000000000024b1906060007d00000"
        "1c0a08000000000000000000"
    ),
    "ms10_all": bytes.fromhex(
        "00760010000000080002000000000200010ac00bf00000000500ffff020e8080000a0000000000000000000003160000"
        "000000000000002002000000000000004000000008121400ffff0000ffffffff80140000000000000a0a020000800000"
        "0000024b1906060007d000001c0a08000000000000000000"
    ),
    "ms10_llbaa": bytes.fromhex(
        "007e00100100001000000000000200000000000000000200010ac00bf00000000500ffff020e8080000a000000000000"
        "0000000003160000000000000000002002000000000000004000000008121400ffff0000ffffffff8014000000000000"
        "0a0a0200008000000000024b1906060007d000001c0a08000000000000000000"
    ),
    "ms10_allsub": bytes.fromhex(
        "00ee0010000000080002000000000200010ac00bf00000000500ffff020e8080000a0000000000000000000003160000"
        "000000000000002002000000000000004000000008121400ffff0000ffffffff80140000000000000a0a020000800000"
        "0000024b1906060007d000005901006400060002000000001009080032222220000007ce311111100000000102000000"
        "0000000088990000000000000000000000000000000100001009080032222220000007cf311111100000000103000000"
        "00000000889900000000000000000000000000005902000c0006100000000000000000001c0a08000000000000000000"
    ),
    "ms10_all_ch": bytes.fromhex(
        "00760010000000080002000000000200010a00000000000000000000020e000000000000000000000000000003160000"
        "000000000000000000000000000000000000000008120400000000000000000000000000000000000a0a060000000000"
        "0000000019060000000000001c0a040f0000000000000000"
    ),
    "ms10_08": bytes.fromhex("0022001000000008000200000000020008121400ffff0000ffffffff8014000000000000"),
    "log00": bytes.fromhex("00000003000d2f"),
    "log00ff": bytes.fromhex("40ff000e000000ff0d000d010dff2f002fff"),
    "log0d": bytes.fromhex("0d00000c000003020026000103020041"),
    "log0dff": bytes.fromhex("4dff00060d000d010dff"),
    "log2f": bytes.fromhex("2f00000700000303000026"),
    "lbas": bytes.fromhex("0000001400000000000000000000000000020000010000000000000000000000"),
    "lbas_1000": bytes.fromhex("000000140000000000000000000010000001f000010000000000000000000000"),
    "zbc_zones": bytes.fromhex(
        "0000040000000000000000000001ffff0000000000000000000000000000000000000000000000000000000000000000"
        "00000000000000000000000000000000010000000000000000000000000020000000000000000000ffffffffffffffff"
        "000000000000000000000000000000000000000000000000000000000000000001000000000000000000000000002000"
        "0000000000002000ffffffffffffffff0000000000000000000000000000000000000000000000000000000000000000"
        "021000000000000000000000000020000000000000004000000000000000400000000000000000000000000000000000"
        "000000000000000000000000000000000210000000000000000000000000200000000000000060000000000000006000"
        "000000000000000000000000000000000000000000000000000000000000000002100000000000000000000000002000"
        "000000000000800000000000000080000000000000000000000000000000000000000000000000000000000000000000"
        "02100000000000000000000000002000000000000000a000000000000000a00000000000000000000000000000000000"
        "0000000000000000000000000000000002100000000000000000000000002000000000000000c000000000000000c000"
        "000000000000000000000000000000000000000000000000000000000000000002100000000000000000000000002000"
        "000000000000e000000000000000e0000000000000000000000000000000000000000000000000000000000000000000"
        "021000000000000000000000000020000000000000010000000000000001000000000000000000000000000000000000"
        "000000000000000000000000000000000210000000000000000000000000200000000000000120000000000000012000"
        "000000000000000000000000000000000000000000000000000000000000000002100000000000000000000000002000"
        "000000000001400000000000000140000000000000000000000000000000000000000000000000000000000000000000"
        "021000000000000000000000000020000000000000016000000000000001600000000000000000000000000000000000"
        "000000000000000000000000000000000210000000000000000000000000200000000000000180000000000000018000"
        "000000000000000000000000000000000000000000000000000000000000000002100000000000000000000000002000"
        "000000000001a000000000000001a0000000000000000000000000000000000000000000000000000000000000000000"
        "02100000000000000000000000002000000000000001c000000000000001c00000000000000000000000000000000000"
        "0000000000000000000000000000000002100000000000000000000000002000000000000001e000000000000001e000"
        "0000000000000000000000000000000000000000000000000000000000000000"
    ),
    "zbc_zones_partial": bytes.fromhex(
        "0000004000000000000000000001ffff0000000000000000000000000000000000000000000000000000000000000000"
        "00000000000000000000000000000000010000000000000000000000000020000000000000000000ffffffffffffffff"
        "0000000000000000000000000000000000000000000000000000000000000000"
    ),
}


def test_standard_inquiry():
    d = decode_inquiry(VECTORS["inq"])
    assert (d.peripheral_qualifier, d.peripheral_device_type) == (0, 0)
    assert d.peripheral_device_type_name == "direct access block device"
    assert (d.version, d.version_name, d.response_data_format, d.additional_length) == (7, "SPC-5", 2, 0x5B)
    assert (d.protect, d.tpgs, d.multip, d.cmdque, d.rmb, d.hisup, d.three_pc) == (True, 0, True, True, False, False, False)
    assert (d.vendor_identification, d.product_identification, d.product_revision_level) == (
        "Linux", "scsi_debug", "0191")
    assert d.vendor_specific[:8] == b"20210520"
    assert d.version_descriptors == (0x00C0, 0x05C0, 0x0600, 0x2100)
    assert d.problems == ()


def test_standard_inquiry_zbc():
    d = decode_inquiry(VECTORS["zbc_inq"])
    assert d.peripheral_device_type == 0x14
    assert d.peripheral_device_type_name == "host managed zoned block device"
    assert d.protect is False
    assert d.version_descriptors == (0x00C0, 0x05C0, 0x0624, 0x2100)


def test_supported_vpd_pages():
    d = decode_vpd(VECTORS["vpd00"])
    assert isinstance(d, SupportedVpdPages)
    assert d.supported_pages == (0x00, 0x80, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0xB0, 0xB1, 0xB2)
    assert d.supported_page_names[-1] == "Logical block provisioning"
    assert decode_vpd(VECTORS["zbc_vpd00"]).supported_pages[-1] == 0xB6


def test_unit_serial_number():
    d = decode_vpd(VECTORS["vpd80"])
    assert (d.page_code, d.page_length, d.product_serial_number, d.problems) == (0x80, 4, "2000", ())


def test_device_identification():
    d = decode_vpd(VECTORS["vpd83"])
    assert isinstance(d, DeviceIdentification)
    assert d.problems == ()
    t10, lu_naa, rtpi, tp_naa, tpg, td_naa, name = d.designation_descriptors
    assert (t10.designator_type, t10.code_set_name, t10.association) == (1, "ASCII", 0)
    assert t10.t10_vendor_identification == "Linux"
    assert t10.vendor_specific_identifier == b"scsi_debug      2000"
    assert (lu_naa.naa, lu_naa.naa_name, lu_naa.designator) == (3, "locally assigned", bytes.fromhex("33333330000007d0"))
    assert lu_naa.locally_administered_value == 0x3333330000007D0
    assert (rtpi.piv, rtpi.protocol_identifier, rtpi.protocol_identifier_name) == (True, 6, "SAS (SPL)")
    assert (rtpi.association_name, rtpi.relative_target_port_identifier) == ("target port", 1)
    assert tp_naa.designator == bytes.fromhex("32222220000007ce")
    assert tpg.target_port_group == 0x100
    assert (td_naa.association_name, td_naa.designator) == ("target device", bytes.fromhex("32222220000007cd"))
    assert (name.code_set_name, name.scsi_name_string) == ("UTF-8", "naa.32222220000007CD")
    assert name.designator_length == 24
    assert name.identifier == "naa.32222220000007CD"
    json.dumps(d.to_dict())


def test_extended_inquiry():
    d = decode_vpd(VECTORS["vpd86"])
    assert isinstance(d, ExtendedInquiryData)
    assert (d.spt, d.grd_chk, d.app_chk, d.ref_chk) == (0, True, False, True)
    assert (d.headsup, d.ordsup, d.simpsup, d.uask_sup) == (True, True, True, False)


def test_mode_page_policy():
    # 87h was undecoded (an UnknownVpdPage) until the mode page policy decoder came.
    d = decode_vpd(VECTORS["vpd87"])
    assert d.raw == VECTORS["vpd87"] and d.problems == ()
    assert [(p.policy_page_code, p.policy_subpage_code, p.mlus, p.mode_page_policy_name)
            for p in d.mode_page_policy_descriptors] == [(0x02, 0, True, "shared"), (0x18, 0, True, "per initiator port")]


def test_unknown_vpd_page_keeps_bytes():
    d = decode_vpd(VECTORS["vpd87"][:1] + b"\xc7" + VECTORS["vpd87"][2:])
    assert isinstance(d, UnknownVpdPage)
    assert (d.page_code, d.payload) == (0xC7, bytes.fromhex("0200800018008200"))


def test_ata_information():
    d = decode_vpd(VECTORS["vpd89"])
    assert isinstance(d, AtaInformation)
    assert (d.page_length, d.problems) == (0x238, ())
    assert (d.sat_vendor_identification, d.sat_product_identification, d.sat_product_revision_level) == (
        "linux", "SAT scsi_debug", "1234")
    assert d.command_code == 0xEC
    assert d.device_signature == bytes.fromhex("3400000001000000000000000100000000000000")
    assert len(d.identify_device_data) == 512
    assert d.identify_device_data[:4] == bytes.fromhex("5a0cff3f")
    assert (d.ata_model_number, d.ata_serial_number, d.ata_firmware_revision) == ("ST380013AS", "XXXXXXXX", "3.18")


def test_block_limits():
    d = decode_vpd(VECTORS["vpdb0"])
    assert isinstance(d, BlockLimits)
    assert d.optimal_transfer_length_granularity == 8  # 1 << physblk_exp
    assert d.maximum_transfer_length == 0x20000        # store sectors
    assert d.optimal_transfer_length == 1024
    assert d.maximum_unmap_lba_count == 0xFFFFFFFF
    assert d.maximum_unmap_block_descriptor_count == 256
    assert (d.optimal_unmap_granularity, d.ugavalid, d.unmap_granularity_alignment) == (1, False, 0)
    assert d.maximum_write_same_length == 0xFFFF


def test_block_device_characteristics():
    d = decode_vpd(VECTORS["vpdb1"])
    assert isinstance(d, BlockDeviceCharacteristics)
    assert (d.medium_rotation_rate, d.medium_rotation_rate_name) == (1, "non-rotating medium")
    assert (d.nominal_form_factor, d.nominal_form_factor_name) == (5, "less than 1.8 inch")
    assert d.zoned == 0


def test_logical_block_provisioning():
    d = decode_vpd(VECTORS["vpdb2"])
    assert isinstance(d, LogicalBlockProvisioning)
    assert (d.lbpu, d.lbpws, d.lbpws10, d.lbprz, d.anc_sup, d.dp) == (True, True, False, 1, False, False)
    assert d.provisioning_group_descriptor is None


def test_zoned_block_device_characteristics():
    d = decode_vpd(VECTORS["zbc_vpdb6"])
    assert isinstance(d, ZonedBlockDeviceCharacteristics)
    assert d.peripheral_device_type == 0x14
    assert d.urswrz is True
    assert d.optimal_number_of_open_sequential_write_preferred_zones == 0xFFFFFFFF
    assert d.maximum_number_of_open_sequential_write_required_zones == 8


def test_read_capacity():
    rc10 = decode_read_capacity10(VECTORS["rc10"])
    assert (rc10.returned_lba, rc10.block_length, rc10.blocks, rc10.size_bytes) == (0x1FFFF, 512, 0x20000, 64 << 20)
    rc16 = decode_read_capacity16(VECTORS["rc16"])
    assert (rc16.returned_lba, rc16.block_length, rc16.size_bytes) == (0x1FFFF, 512, 64 << 20)
    assert (rc16.prot_en, rc16.p_type, rc16.protection_type, rc16.p_i_exponent) == (True, 0, 1, 0)
    assert rc16.logical_blocks_per_physical_block_exponent == 3
    assert rc16.physical_block_length == 4096
    assert (rc16.lbpme, rc16.lbprz, rc16.lowest_aligned_lba) == (True, True, 1)
    assert decode_read_capacity16(VECTORS["zbc_rc16"]).rc_basis == 1


def test_report_luns():
    d = decode_report_luns(VECTORS["luns"])
    assert d.lun_list_length == 16
    assert [lun.linux_lun for lun in d.luns] == [0, 1]
    assert d.luns[1].levels[0].address_method_name == "peripheral device addressing"
    assert d.luns[1].lun == 1


def test_supported_opcodes_all():
    d = decode_supported_opcodes(VECTORS["opc_all"], 0)
    assert isinstance(d, AllCommandsData)
    assert (d.command_data_length, len(d.command_descriptors), d.problems) == (0x1A0, 52, ())
    first = d.command_descriptors[0]
    assert (first.operation_code, first.servactv, first.cdb_length, first.ctdp) == (0x12, False, 6, False)
    rc16 = d.find(0x9E, 0x10)
    assert (rc16.cdb_length, rc16.servactv) == (16, True)
    timed = decode_supported_opcodes(VECTORS["opc_all_rctd"], 0)
    assert len(timed.command_descriptors) == 52
    assert all(c.ctdp and c.command_timeouts_descriptor.descriptor_length == 10 for c in timed.command_descriptors)


def test_supported_opcodes_one():
    d = decode_supported_opcodes(VECTORS["opc_one28"], 1)
    assert (d.support, d.support_name, d.ctdp, d.cdb_size) == (3, "supported, conforming to a SCSI standard", False, 10)
    assert d.cdb_usage_data == bytes.fromhex("28ffffffffff3fffffc7")
    t = decode_supported_opcodes(VECTORS["opc_one28_rctd"], 1)
    assert t.ctdp is True
    assert t.command_timeouts_descriptor.nominal_command_processing_timeout == 0
    sa = decode_supported_opcodes(VECTORS["opc_sa9e10"], 2)
    assert sa.cdb_usage_data[:2] == b"\x9e\x10" and sa.cdb_size == 16


def test_mode_sense6_all_pages():
    d = decode_mode_parameters(VECTORS["ms6_all"], ten=False)
    assert d.problems == ()
    assert (d.header.mode_data_length, d.header.device_specific_parameter, d.header.dpofua, d.header.wp) == (
        0x73, 0x10, True, False)
    assert d.block_descriptors == (ShortLbaBlockDescriptor(number_of_logical_blocks=0x20000, logical_block_length=512),)
    assert [type(p) for p in d.pages] == [
        ReadWriteErrorRecoveryPage, DisconnectReconnectPage, FormatDevicePage,
        CachingPage, ControlPage, SasPortPage, InformationalExceptionsControlPage,
    ]
    assert [p.page_code for p in d.pages] == [0x01, 0x02, 0x03, 0x08, 0x0A, 0x19, 0x1C]
    fmt = d.page(0x03)
    assert (fmt.sectors_per_track, fmt.data_bytes_per_physical_sector, fmt.hsec, fmt.ssec) == (0x20, 512, True, False)
    port = d.page(0x19)
    assert (port.protocol_identifier, port.i_t_nexus_loss_time, port.page_length) == (6, 2000, 6)
    caching = d.page(0x08)
    assert (caching.wce, caching.disc, caching.rcd, caching.fsw, caching.number_of_cache_segments) == (
        True, True, False, True, 20)
    control = d.page(0x0A)
    assert (control.gltsd, control.ato, control.d_sense, control.extended_self_test_completion_time) == (
        True, True, False, 0x24B)
    assert d.page(0x1C).dexcpt is True
    rwer = d.page(0x01)
    assert (rwer.awre, rwer.arre, rwer.read_retry_count, rwer.write_retry_count, rwer.recovery_time_limit) == (
        True, True, 11, 5, 0xFFFF)


@pytest.mark.parametrize("name, ten", [
    ("ms6_all", False), ("ms6_all_dbd", False), ("ms10_all", True), ("ms10_llbaa", True),
    ("ms10_allsub", True), ("ms10_08", True),
])
def test_mode_sense_data_goes_back_unchanged(name, ten):
    # MODE SENSE -> for_select() -> MODE SELECT list: only the reserved mode data length
    # differs from what the device sent.
    raw = VECTORS[name]
    d = decode_mode_parameters(raw, ten=ten)
    out = encode_mode_parameters(d.for_select())
    length = 2 if ten else 1
    assert out[:length] == bytes(length)
    assert out[length:] == raw[length:]
    assert decode_mode_parameters(out, ten=ten) == d.for_select()


def test_mode_sense10_long_lba_and_subpages():
    d = decode_mode_parameters(VECTORS["ms10_llbaa"], ten=True)
    assert d.header.longlba is True and d.header.block_descriptor_length == 16
    assert d.block_descriptors == (LongLbaBlockDescriptor(number_of_logical_blocks=0x20000, logical_block_length=512),)
    sub = decode_mode_parameters(VECTORS["ms10_allsub"], ten=True)
    phys = sub.page(0x19, 0x01)
    assert isinstance(phys, PhyControlAndDiscoverPage)
    assert (phys.protocol_identifier, phys.number_of_phys, len(phys.descriptors)) == (6, 2, 2)
    assert [(d.phy_identifier, d.attached_phy_identifier, d.negotiated_logical_link_rate) for d in phys.descriptors] == [
        (0, 2, 9), (1, 3, 9)]
    assert phys.descriptors[0].sas_address == 0x32222220000007CE
    assert isinstance(sub.page(0x19, 0x02), SharedPortControlPage)


def test_log_pages():
    d = decode_log_page(VECTORS["log00"])
    assert isinstance(d, SupportedLogPages) and d.supported_pages == (0x00, 0x0D, 0x2F)
    d = decode_log_page(VECTORS["log00ff"])
    assert isinstance(d, SupportedLogPagesAndSubpages)
    assert d.supported_pages_and_subpages == ((0, 0), (0, 0xFF), (0x0D, 0), (0x0D, 1), (0x0D, 0xFF), (0x2F, 0), (0x2F, 0xFF))
    assert decode_log_page(VECTORS["log0dff"]).supported_pages_and_subpages == ((0x0D, 0), (0x0D, 1), (0x0D, 0xFF))
    t = decode_log_page(VECTORS["log0d"])
    assert isinstance(t, TemperaturePage)
    assert (t.temperature, t.reference_temperature) == (38, 65)
    assert t.parameters[0].format_and_linking == 3
    ie = decode_log_page(VECTORS["log2f"])
    assert isinstance(ie, InformationalExceptionsPage)
    assert (ie.informational_exception_additional_sense_code, ie.most_recent_temperature_reading) == (0, 38)


def test_lba_status():
    d = decode_lba_status(VECTORS["lbas"])
    (only,) = d.lba_status_descriptors
    assert (only.lba_status_logical_block_address, only.number_of_logical_blocks) == (0, 0x20000)
    assert (only.provisioning_status, only.provisioning_status_name) == (1, "deallocated")
    (later,) = decode_lba_status(VECTORS["lbas_1000"]).lba_status_descriptors
    assert (later.lba_status_logical_block_address, later.number_of_logical_blocks) == (0x1000, 0x20000 - 0x1000)


def test_report_zones():
    d = decode_report_zones(VECTORS["zbc_zones"])
    assert (d.zone_list_length, d.maximum_lba, d.same, d.problems) == (1024, 0x1FFFF, 0, ())
    assert len(d.zone_descriptors) == 16
    conv = d.zone_descriptors[0]
    assert (conv.zone_type_name, conv.zone_condition_name, conv.zone_length, conv.zone_start_lba) == (
        "conventional", "not write pointer", 0x2000, 0)
    swr = d.zone_descriptors[2]
    assert (swr.zone_type_name, swr.zone_condition_name, swr.zone_start_lba, swr.write_pointer_lba) == (
        "sequential write required", "empty", 0x4000, 0x4000)
    partial = decode_report_zones(VECTORS["zbc_zones_partial"])
    assert (partial.zone_list_length, len(partial.zone_descriptors), partial.problems) == (64, 1, ())


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_every_vector_decodes_cleanly_and_serialises(name):
    raw = VECTORS[name]
    key = name.replace("zbc_", "")
    if key.startswith("inq"):
        d = decode_inquiry(raw)
    elif key.startswith("vpd"):
        d = decode_vpd(raw)
    elif key == "rc10":
        d = decode_read_capacity10(raw)
    elif key == "rc16":
        d = decode_read_capacity16(raw)
    elif key == "luns":
        d = decode_report_luns(raw)
    elif key.startswith("opc_all"):
        d = decode_supported_opcodes(raw, 0)
    elif key.startswith("opc"):
        d = decode_supported_opcodes(raw, 1)
    elif key.startswith("ms"):
        d = decode_mode_parameters(raw, ten=key.startswith("ms10"))
    elif key.startswith("log"):
        d = decode_log_page(raw)
    elif key.startswith("lbas"):
        d = decode_lba_status(raw)
    else:
        d = decode_report_zones(raw)
    assert d.problems == ()
    json.dumps(d.to_dict())
    assert type(d).__name__ in repr(d)
