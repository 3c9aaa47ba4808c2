"""Protection information: DIF types 1-3, guard, reference and application tags (SBC-4
4.22; RDPROTECT/WRPROTECT tables of 5.16 and 5.41)."""
from __future__ import annotations

import pytest

from sgframe import errors

from .helpers import pattern, scratch_lba

pytestmark = [pytest.mark.requires("protection", "not_zoned")]


def _crc_table():
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x8BB7) if crc & 0x8000 else crc << 1
        table.append(crc & 0xFFFF)
    return table


_TABLE = _crc_table()


def guard(block: bytes) -> int:
    """The LOGICAL BLOCK GUARD: CRC-16 with polynomial 8BB7h, initial value 0 (SBC-4 4.22.4.2)."""
    crc = 0
    for byte in block:
        crc = ((crc << 8) & 0xFFFF) ^ _TABLE[(crc >> 8) ^ byte]
    return crc


def _protected(lba, count, size, *, bad_guard=False, bad_reference=False, first_reference=None):
    """Blocks each followed by its 8 bytes of protection information: the guard, an
    application tag 1234h and a reference tag counting up from ``first_reference``
    (default: the LBA, as type 1 wants)."""
    out = bytearray()
    data = pattern(lba, count, size, tag=0xD1)
    start = lba if first_reference is None else first_reference
    for n in range(count):
        block = data[n * size:(n + 1) * size]
        check = guard(block) ^ (0xFFFF if bad_guard else 0)
        reference = (start + n + (1 if bad_reference else 0)) & 0xFFFFFFFF
        out += block + check.to_bytes(2, "big") + (0x1234).to_bytes(2, "big") + reference.to_bytes(4, "big")
    return bytes(out)


@pytest.fixture
def pi_channel(scsi_channel, scsi_device):
    """The channel counting 8 bytes of protection information per block on the wire."""
    if scsi_device.protection_type == 2:
        pytest.skip("type 2 protection takes 32-byte CDBs with an expected initial reference tag")
    scsi_channel.block_size = scsi_device.block_size + 8
    yield scsi_channel
    scsi_channel.block_size = scsi_device.block_size


@pytest.mark.destructive
def test_write_and_read_with_protection(pi_channel, scsi_device):
    """SBC-4 5.41 Table 105 and 5.16 Table 70: WRPROTECT=001b writes data and PI;
    RDPROTECT=001b returns both as written."""
    lba = scratch_lba(scsi_device)
    data = _protected(lba, 2, scsi_device.block_size)
    pi_channel.cmd.Write16(lba=lba, transfer_length=2, wrprotect=1, data=data)
    assert pi_channel.cmd.Read16(lba=lba, transfer_length=2, rdprotect=1).data == data


@pytest.mark.destructive
def test_bad_guard_is_rejected(pi_channel, scsi_device, scsi_expect):
    """SBC-4 4.22.4.2 and 5.41 Table 105: a LOGICAL BLOCK GUARD that does not match the
    data: ABORTED COMMAND, LOGICAL BLOCK GUARD CHECK FAILED (10h/01h)."""
    lba = scratch_lba(scsi_device)
    with scsi_expect(errors.AbortedCommand, asc=0x10, ascq=0x01):
        pi_channel.cmd.Write16(lba=lba, transfer_length=1, wrprotect=1,
                               data=_protected(lba, 1, scsi_device.block_size, bad_guard=True))


@pytest.mark.destructive
def test_bad_reference_tag_is_rejected(pi_channel, scsi_device, scsi_expect):
    """SBC-4 4.22.4.4 and 5.41 Table 105: type 1: a LOGICAL BLOCK REFERENCE TAG that is
    not the LBA's low 32 bits: ABORTED COMMAND, LOGICAL BLOCK REFERENCE TAG CHECK FAILED
    (10h/03h)."""
    if scsi_device.protection_type != 1:
        pytest.skip("the reference tag is the LBA only with type 1 protection")
    lba = scratch_lba(scsi_device)
    with scsi_expect(errors.AbortedCommand, asc=0x10, ascq=0x03):
        pi_channel.cmd.Write16(lba=lba, transfer_length=1, wrprotect=1,
                               data=_protected(lba, 1, scsi_device.block_size, bad_reference=True))


def test_read_without_rdprotect_returns_data_only(scsi_channel, scsi_device):
    """SBC-4 5.16 Table 70: RDPROTECT=000b transfers no protection information: one
    logical block is block-length bytes."""
    assert len(scsi_channel.cmd.Read16(lba=0, transfer_length=1).data) == scsi_device.block_size


def test_inquiry_protect_and_extended_inquiry(scsi_channel, scsi_device):
    """SPC-5 6.7.2 and 7.7.9: PROTECT=1 in the standard INQUIRY data; the Extended INQUIRY
    Data VPD page (86h), when present, has GRD_CHK and REF_CHK set for type 1 (the device
    server checks the guard and the reference tag, SBC-4 4.22.2)."""
    assert scsi_device.protect
    if 0x86 not in scsi_device.supported_vpd_pages:
        pytest.skip("no Extended INQUIRY Data VPD page")
    raw = scsi_channel.cmd.Inquiry(evpd=True, page_code=0x86, allocation_length=64).data
    if scsi_device.protection_type == 1:
        assert raw[4] & 0x05 == 0x05  # byte 4: GRD_CHK (bit 2) and REF_CHK (bit 0)


def _requires_type(device, wanted):
    if device.protection_type != wanted:
        pytest.skip(f"needs type {wanted} protection; the medium is formatted with type {device.protection_type}")


@pytest.mark.parametrize("command", ["Read10", "Read12", "Read16"])
def test_type2_rejects_rdprotect_in_short_cdbs(scsi_channel, scsi_device, scsi_expect, command):
    """SBC-4 4.22.2.4 (type 2 protection) and 5.16-5.18: type 2 protection takes the
    expected initial reference tag that only 32-byte CDBs carry, so a READ(10), READ(12)
    or READ(16) with RDPROTECT non-zero ends in ILLEGAL REQUEST, INVALID COMMAND OPERATION
    CODE (20h/00h)."""
    _requires_type(scsi_device, 2)
    with scsi_expect(errors.IllegalRequest, asc=0x20, ascq=0x00):
        getattr(scsi_channel.cmd, command)(lba=0, transfer_length=1, rdprotect=1)


@pytest.mark.destructive
@pytest.mark.requires_command("Write32")
def test_type2_write32_and_read32_with_protection(scsi_channel, scsi_device):
    """SBC-4 4.22.2.4, 5.45 (WRITE(32)) and 5.21 (READ(32)): with type 2 protection the
    reference tag of the first block is the EXPECTED INITIAL LOGICAL BLOCK REFERENCE TAG
    of the CDB (not the LBA) and counts up per block; WRPROTECT=001b stores data and
    protection information, RDPROTECT=001b returns both as written."""
    _requires_type(scsi_device, 2)
    lba, initial = scratch_lba(scsi_device), 0x5A000000
    data = _protected(lba, 2, scsi_device.block_size, first_reference=initial)
    scsi_channel.block_size = scsi_device.block_size + 8
    try:
        scsi_channel.cmd.Write32(lba=lba, transfer_length=2, wrprotect=1,
                                 expected_initial_logical_block_reference_tag=initial, data=data)
        back = scsi_channel.cmd.Read32(lba=lba, transfer_length=2, rdprotect=1,
                                       expected_initial_logical_block_reference_tag=initial).data
    finally:
        scsi_channel.block_size = scsi_device.block_size
    assert back == data


@pytest.mark.destructive
@pytest.mark.requires_command("Write32")
def test_type2_bad_reference_tag_is_rejected(scsi_channel, scsi_device, scsi_expect):
    """SBC-4 4.22.4.4 and 5.45 Table 111: type 2: a LOGICAL BLOCK REFERENCE TAG other than
    the EXPECTED INITIAL LOGICAL BLOCK REFERENCE TAG (plus the block's index) ends in
    ABORTED COMMAND, LOGICAL BLOCK REFERENCE TAG CHECK FAILED (10h/03h)."""
    _requires_type(scsi_device, 2)
    lba, initial = scratch_lba(scsi_device), 0x5A000000
    scsi_channel.block_size = scsi_device.block_size + 8
    try:
        with scsi_expect(errors.AbortedCommand, asc=0x10, ascq=0x03):
            scsi_channel.cmd.Write32(lba=lba, transfer_length=1, wrprotect=1,
                                     expected_initial_logical_block_reference_tag=initial,
                                     data=_protected(lba, 1, scsi_device.block_size, first_reference=initial + 7))
    finally:
        scsi_channel.block_size = scsi_device.block_size


@pytest.mark.destructive
def test_type3_reference_tag_is_not_checked(pi_channel, scsi_device):
    """SBC-4 4.22.2.5 (type 3 protection) and 4.22.4.4: with type 3 the LOGICAL BLOCK
    REFERENCE TAG is not defined by the standard and the device server does not check
    it: WRPROTECT=001b with a correct guard and any reference tag completes, and the data
    reads back."""
    _requires_type(scsi_device, 3)
    lba = scratch_lba(scsi_device)
    data = _protected(lba, 1, scsi_device.block_size, first_reference=0x00C0FFEE)
    pi_channel.cmd.Write16(lba=lba, transfer_length=1, wrprotect=1, data=data)
    pi_channel.block_size = scsi_device.block_size
    assert pi_channel.cmd.Read16(lba=lba, transfer_length=1).data == data[:scsi_device.block_size]
