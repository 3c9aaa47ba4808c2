"""READ CAPACITY (10) and (16) (SBC-4 5.20, 5.21)."""
from __future__ import annotations

import pytest


def test_read_capacity_10_and_16_agree(scsi_channel):
    """SBC-4 5.20.2 and 5.21.2: both report the same LOGICAL BLOCK LENGTH and, when the
    capacity fits, the same RETURNED LOGICAL BLOCK ADDRESS (FFFFFFFFh when it does not)."""
    ten = scsi_channel.cmd.ReadCapacity10().result
    try:
        sixteen = scsi_channel.cmd.ReadCapacity16().result
    except Exception as failure:  # noqa: BLE001 - SBC-4: READ CAPACITY (16) is optional below 2 TiB
        pytest.skip(f"READ CAPACITY (16) not answered: {failure}")
    assert ten.block_length == sixteen.block_length
    if sixteen.returned_lba < 0xFFFFFFFF:
        assert ten.returned_lba == sixteen.returned_lba
    else:
        assert ten.returned_lba == 0xFFFFFFFF


def test_block_length_is_sane(scsi_device):
    """SBC-4 4.5: logical blocks are at least 512 bytes (a multiple of 4 with PI, here
    any length a host can address); the medium holds at least one block."""
    assert scsi_device.block_size >= 512
    assert scsi_device.blocks >= 1


def test_read_capacity_16_allocation_length_truncates(scsi_channel):
    """SPC-5 4.2.5.6 applied to SBC-4 5.21: ALLOCATION LENGTH 8 returns the first 8
    bytes of the 32-byte parameter data."""
    try:
        full = scsi_channel.cmd.ReadCapacity16(allocation_length=32).data
    except Exception as failure:  # noqa: BLE001
        pytest.skip(f"READ CAPACITY (16) not answered: {failure}")
    assert scsi_channel.cmd.ReadCapacity16(allocation_length=8).data == full[:8]


def test_protection_fields_agree_with_inquiry(scsi_device):
    """SBC-4 5.21.2 and SPC-5 6.7.2: P_TYPE is meaningful only with PROT_EN; PROT_EN=1
    requires the PROTECT bit of the standard INQUIRY data."""
    if scsi_device.prot_en:
        assert scsi_device.protect
        assert scsi_device.p_type in (0, 1, 2)
