"""VERIFY and WRITE AND VERIFY (10), (12), (16) (SBC-4 5.33-5.35, 5.46-5.48)."""
from __future__ import annotations

import pytest

from sgframe import errors

from .helpers import LBA_OUT_OF_RANGE, MISCOMPARE_DURING_VERIFY, pattern, read, scratch_lba, write

# Each parameter requires its own command: a device may have VERIFY (16) and not (12).
VERIFIES = [pytest.param(n, marks=pytest.mark.requires_command(n), id=n) for n in ("Verify10", "Verify12", "Verify16")]
WRITE_AND_VERIFIES = [pytest.param(n, marks=pytest.mark.requires_command(n), id=n)
                      for n in ("WriteAndVerify10", "WriteAndVerify12", "WriteAndVerify16")]
pytestmark = pytest.mark.requires("not_zoned")


@pytest.mark.parametrize("name", VERIFIES)
def test_verify_medium(scsi_channel, name):
    """SBC-4 5.33 Table 92: BYTCHK=00b verifies the medium, no data transferred."""
    io = getattr(scsi_channel.cmd, name)(lba=0, verification_length=8, bytchk=0)
    assert io.hdr.status == 0


@pytest.mark.parametrize("name", VERIFIES)
def test_verify_beyond_capacity(scsi_channel, scsi_device, scsi_expect, name):
    """SBC-4 5.33: a VERIFY past the last LBA: LOGICAL BLOCK ADDRESS OUT OF RANGE."""
    if name != "Verify16" and scsi_device.blocks > 0xFFFFFFFF:
        pytest.skip("the capacity exceeds a 32-bit LBA")
    with scsi_expect(errors.IllegalRequest, **LBA_OUT_OF_RANGE):
        getattr(scsi_channel.cmd, name)(lba=scsi_device.last_lba, verification_length=2)


@pytest.mark.destructive
@pytest.mark.requires("writable")
@pytest.mark.parametrize("name", VERIFIES)
def test_verify_bytchk_match(scsi_channel, scsi_device, name):
    """SBC-4 5.33 Table 92: BYTCHK=01b compares the data-out with the medium; equal: GOOD."""
    lba = scratch_lba(scsi_device)
    data = pattern(lba, 2, scsi_channel.block_size)
    write(scsi_channel, lba, data)
    getattr(scsi_channel.cmd, name)(lba=lba, verification_length=2, bytchk=1, data=data)


@pytest.mark.destructive
@pytest.mark.requires("writable")
@pytest.mark.parametrize("name", VERIFIES)
def test_verify_bytchk_miscompare(scsi_channel, scsi_device, scsi_expect, name):
    """SBC-4 5.33 and 4.x: a byte that differs: CHECK CONDITION, MISCOMPARE, MISCOMPARE
    DURING VERIFY OPERATION (1Dh/00h)."""
    lba = scratch_lba(scsi_device)
    data = pattern(lba, 2, scsi_channel.block_size)
    write(scsi_channel, lba, data)
    changed = bytearray(data)
    changed[scsi_channel.block_size + 7] ^= 0xFF
    with scsi_expect(errors.Miscompare, **MISCOMPARE_DURING_VERIFY):
        getattr(scsi_channel.cmd, name)(lba=lba, verification_length=2, bytchk=1, data=bytes(changed))


@pytest.mark.destructive
@pytest.mark.requires("writable")
@pytest.mark.parametrize("name", WRITE_AND_VERIFIES)
def test_write_and_verify_stores(scsi_channel, scsi_device, name):
    """SBC-4 5.46-5.48: WRITE AND VERIFY writes the data, then verifies it; READ returns it."""
    lba = scratch_lba(scsi_device)
    data = pattern(lba, 3, scsi_channel.block_size, tag=0x3C)
    getattr(scsi_channel.cmd, name)(lba=lba, transfer_length=3, data=data)
    assert read(scsi_channel, lba, 3) == data


@pytest.mark.destructive
@pytest.mark.requires("writable")
@pytest.mark.parametrize("name", WRITE_AND_VERIFIES)
def test_write_and_verify_beyond_capacity(scsi_channel, scsi_device, scsi_expect, name):
    """SBC-4 5.46: past the last LBA: LOGICAL BLOCK ADDRESS OUT OF RANGE."""
    if name != "WriteAndVerify16" and scsi_device.blocks > 0xFFFFFFFF:
        pytest.skip("the capacity exceeds a 32-bit LBA")
    with scsi_expect(errors.IllegalRequest, **LBA_OUT_OF_RANGE):
        getattr(scsi_channel.cmd, name)(lba=scsi_device.last_lba, transfer_length=2,
                                        data=pattern(0, 2, scsi_channel.block_size))
