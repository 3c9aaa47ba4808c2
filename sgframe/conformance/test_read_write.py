"""READ and WRITE (6), (10), (12), (16) (SBC-4 5.15-5.18, 5.40-5.43)."""
from __future__ import annotations

import pytest

from sgframe import errors

from .helpers import INVALID_FIELD_IN_CDB, LBA_OUT_OF_RANGE, pattern, read, scratch_lba, write

READS = ["Read10", "Read12", "Read16"]
WRITES = ["Write10", "Write12", "Write16"]
_LIMIT = {"Read6": 0x1FFFFF, "Write6": 0x1FFFFF, "Read10": 0xFFFFFFFF, "Write10": 0xFFFFFFFF,
          "Read12": 0xFFFFFFFF, "Write12": 0xFFFFFFFF, "Read16": 2**64 - 1, "Write16": 2**64 - 1}


def _send(channel, name, lba, count, **fields):
    command = getattr(channel.cmd, name)
    if name.startswith("Write"):
        fields["data"] = pattern(lba, count, channel.block_size)
    return command(lba=lba, transfer_length=count, **fields)


@pytest.mark.parametrize("name", ["Read6"] + READS)
def test_read_first_block(scsi_channel, name):
    """SBC-4 5.15-5.18: a READ of LBA 0 returns one logical block of data."""
    assert len(_send(scsi_channel, name, 0, 1).data) == scsi_channel.block_size


@pytest.mark.requires("not_zoned")
@pytest.mark.parametrize("name", ["Read6"] + READS)
def test_read_last_block(scsi_channel, scsi_device, name):
    """SBC-4 5.15-5.18: the last LBA READ CAPACITY reports is readable."""
    if scsi_device.last_lba > _LIMIT[name]:
        pytest.skip(f"the last LBA does not fit {name}'s LOGICAL BLOCK ADDRESS field")
    assert len(_send(scsi_channel, name, scsi_device.last_lba, 1).data) == scsi_channel.block_size


@pytest.mark.parametrize("name", ["Read6"] + READS)
def test_read_beyond_capacity(scsi_channel, scsi_device, scsi_expect, name):
    """SBC-4 4.5 and 5.16: an LBA past the last one: ILLEGAL REQUEST, LOGICAL BLOCK
    ADDRESS OUT OF RANGE."""
    if scsi_device.blocks > _LIMIT[name]:
        pytest.skip(f"the capacity exceeds what {name} can address")
    with scsi_expect(errors.IllegalRequest, **LBA_OUT_OF_RANGE):
        _send(scsi_channel, name, scsi_device.blocks, 1)


@pytest.mark.parametrize("name", ["Read16", pytest.param("Write16", marks=[
    pytest.mark.destructive, pytest.mark.requires("writable")], id="Write16")])
def test_the_largest_lba(scsi_channel, scsi_expect, name):
    """SBC-4 4.5: LBA FFFFFFFF_FFFFFFFFh (past any medium) with one block: LOGICAL BLOCK
    ADDRESS OUT OF RANGE; LBA + TRANSFER LENGTH wraps to zero in 64 bits, so a device
    that adds before it compares lets it through."""
    with scsi_expect(errors.IllegalRequest, **LBA_OUT_OF_RANGE):
        _send(scsi_channel, name, 2**64 - 1, 1)


@pytest.mark.parametrize("name", READS)
def test_read_across_the_end(scsi_channel, scsi_device, scsi_expect, name):
    """SBC-4 4.5: a transfer that starts on the medium and ends past it: LOGICAL BLOCK
    ADDRESS OUT OF RANGE, nothing beyond the end read."""
    if scsi_device.last_lba > _LIMIT[name]:
        pytest.skip(f"the last LBA does not fit {name}'s LOGICAL BLOCK ADDRESS field")
    with scsi_expect(errors.IllegalRequest, **LBA_OUT_OF_RANGE):
        _send(scsi_channel, name, scsi_device.last_lba, 2)


@pytest.mark.parametrize("name", READS)
def test_read_zero_length(scsi_channel, name):
    """SBC-4 5.16: TRANSFER LENGTH zero: no blocks are read; not an error."""
    io = _send(scsi_channel, name, 0, 0)
    assert io.hdr.status == 0 and io.data == b""


def test_read6_zero_means_256_blocks(scsi_channel, scsi_device):
    """SBC-4 5.15: in READ (6) a TRANSFER LENGTH of zero means 256 logical blocks."""
    if scsi_device.blocks < 256:
        pytest.skip("fewer than 256 blocks")
    assert len(scsi_channel.cmd.Read6(lba=0, transfer_length=0).data) == 256 * scsi_channel.block_size


def _dpofua(channel, device, scsi_expect, send):
    """SBC-4 6.5.1: DPOFUA=1 in the mode parameter header says the DPO and FUA bits are
    supported; with DPOFUA=0 a command setting them is rejected with INVALID FIELD IN CDB
    (as libiscsi's DpoFua tests hold too)."""
    if device.dpofua:
        return send()
    with scsi_expect(errors.IllegalRequest, **INVALID_FIELD_IN_CDB):
        send()
    return None


@pytest.mark.parametrize("name", READS)
def test_read_dpo_fua(scsi_channel, scsi_device, scsi_expect, name):
    """SBC-4 5.16 Table 69 and 6.5.1: with DPOFUA=1, DPO and FUA are accepted in READ
    (10)/(12)/(16) and change no data; with DPOFUA=0 they are INVALID FIELD IN CDB."""
    plain = _send(scsi_channel, name, 0, 1).data
    io = _dpofua(scsi_channel, scsi_device, scsi_expect, lambda: _send(scsi_channel, name, 0, 1, dpo=True, fua=True))
    if io is not None:
        assert io.data == plain


@pytest.mark.requires("no_protection")
@pytest.mark.parametrize("name", READS)
def test_rdprotect_without_protection(scsi_channel, scsi_expect, name):
    """SBC-4 5.16 Table 70: RDPROTECT non-zero on a medium without protection
    information: ILLEGAL REQUEST, INVALID FIELD IN CDB."""
    with scsi_expect(errors.IllegalRequest, **INVALID_FIELD_IN_CDB):
        _send(scsi_channel, name, 0, 1, rdprotect=1)


@pytest.mark.destructive
@pytest.mark.requires("not_zoned", "writable", "no_protection")
@pytest.mark.parametrize("name", WRITES)
def test_wrprotect_without_protection(scsi_channel, scsi_expect, name):
    """SBC-4 5.41 Table 105: WRPROTECT non-zero on a medium without protection
    information: ILLEGAL REQUEST, INVALID FIELD IN CDB."""
    with scsi_expect(errors.IllegalRequest, **INVALID_FIELD_IN_CDB):
        _send(scsi_channel, name, 0, 1, wrprotect=1)


@pytest.mark.destructive
@pytest.mark.requires("not_zoned", "writable")
@pytest.mark.parametrize("name", ["Write6"] + WRITES)
def test_write_then_read_back(scsi_channel, scsi_device, name):
    """SBC-4 5.40-5.43: what WRITE stores, READ returns."""
    lba = min(scratch_lba(scsi_device), _LIMIT[name] - 4)
    _send(scsi_channel, name, lba, 4)
    assert read(scsi_channel, lba, 4) == pattern(lba, 4, scsi_channel.block_size)


@pytest.mark.destructive
@pytest.mark.requires("not_zoned", "writable")
@pytest.mark.parametrize("name", WRITES)
def test_write_dpo_fua(scsi_channel, scsi_device, scsi_expect, name):
    """SBC-4 5.41 and 6.5.1: with DPOFUA=1, WRITE with DPO and FUA stores the data (FUA:
    on the medium before GOOD); with DPOFUA=0 the bits are INVALID FIELD IN CDB."""
    lba = scratch_lba(scsi_device)
    if _dpofua(scsi_channel, scsi_device, scsi_expect, lambda: _send(scsi_channel, name, lba, 2, dpo=True, fua=True)):
        assert read(scsi_channel, lba, 2) == pattern(lba, 2, scsi_channel.block_size)


@pytest.mark.destructive
@pytest.mark.requires("not_zoned", "writable")
@pytest.mark.parametrize("name", WRITES)
def test_write_zero_length_writes_nothing(scsi_channel, scsi_device, name):
    """SBC-4 5.41: TRANSFER LENGTH zero: no blocks are written; not an error."""
    lba = scratch_lba(scsi_device)
    write(scsi_channel, lba, pattern(lba, 1, scsi_channel.block_size, tag=1))
    _send(scsi_channel, name, lba, 0)
    assert read(scsi_channel, lba, 1) == pattern(lba, 1, scsi_channel.block_size, tag=1)


@pytest.mark.destructive
@pytest.mark.requires("writable")
@pytest.mark.parametrize("name", ["Write6"] + WRITES)
def test_write_beyond_capacity(scsi_channel, scsi_device, scsi_expect, name):
    """SBC-4 4.5 and 5.41: a WRITE past the last LBA: ILLEGAL REQUEST, LOGICAL BLOCK
    ADDRESS OUT OF RANGE."""
    if scsi_device.blocks > _LIMIT[name]:
        pytest.skip(f"the capacity exceeds what {name} can address")
    with scsi_expect(errors.IllegalRequest, **LBA_OUT_OF_RANGE):
        _send(scsi_channel, name, scsi_device.blocks, 1)
