"""MODE SENSE (6) and (10) (SPC-5 6.13, 6.14, 7.5)."""
from __future__ import annotations

from sgframe import errors

from .helpers import INVALID_FIELD_IN_CDB


def test_all_pages_6(scsi_channel):
    """SPC-5 7.5.5: MODE DATA LENGTH counts the bytes after itself; the pages that
    follow the header and block descriptors fill it exactly."""
    raw = scsi_channel.cmd.ModeSense6(page_code=0x3F, allocation_length=255).data
    assert raw[0] + 1 == len(raw) or len(raw) == 255
    at = 4 + raw[3]
    while at < len(raw):
        spf = raw[at] & 0x40
        at += (4 + int.from_bytes(raw[at + 2:at + 4], "big")) if spf else 2 + raw[at + 1]
    assert at == len(raw)


def test_all_pages_10(scsi_channel):
    """SPC-5 7.5.5: the MODE SENSE (10) header; MODE DATA LENGTH counts the bytes after
    bytes 0-1; BLOCK DESCRIPTOR LENGTH is a multiple of 8 (16 with LONGLBA)."""
    raw = scsi_channel.cmd.ModeSense10(page_code=0x3F, allocation_length=0xFFFF).data
    assert int.from_bytes(raw[0:2], "big") + 2 == len(raw)
    descriptors = int.from_bytes(raw[6:8], "big")
    assert descriptors % (16 if raw[4] & 1 else 8) == 0


def test_block_descriptor_matches_capacity(scsi_channel, scsi_device):
    """SBC-4 6.5.2: the short LBA mode parameter block descriptor's LOGICAL BLOCK
    LENGTH is the logical block length READ CAPACITY reports."""
    result = scsi_channel.cmd.ModeSense10(page_code=0x3F, allocation_length=0xFFFF).result
    for descriptor in result.block_descriptors:
        assert descriptor.logical_block_length == scsi_device.block_size


def test_control_page_is_reported(scsi_channel):
    """SPC-5 7.5.8: the Control mode page (0Ah) is returned when asked for; it carries
    D_SENSE."""
    result = scsi_channel.cmd.ModeSense10(page_code=0x0A, allocation_length=255).result
    assert result.page(0x0A) is not None


def test_dbd_leaves_out_block_descriptors(scsi_channel):
    """SPC-5 6.14: with DBD=1 the device returns no block descriptors."""
    raw = scsi_channel.cmd.ModeSense10(dbd=True, page_code=0x3F, allocation_length=0xFFFF).data
    assert int.from_bytes(raw[6:8], "big") == 0


def test_unsupported_page_is_rejected(scsi_channel, scsi_expect):
    """SPC-5 6.13: a page code the device does not implement: ILLEGAL REQUEST, INVALID
    FIELD IN CDB (page 3Eh is vendor specific; a device that has it is skipped)."""
    raw = scsi_channel.cmd.ModeSense10(page_code=0x3F, allocation_length=0xFFFF).data
    at, codes = 8 + int.from_bytes(raw[6:8], "big"), set()
    while at < len(raw):
        codes.add(raw[at] & 0x3F)
        at += (4 + int.from_bytes(raw[at + 2:at + 4], "big")) if raw[at] & 0x40 else 2 + raw[at + 1]
    unused = next(c for c in (0x3E, 0x3D, 0x2F, 0x2E, 0x17) if c not in codes)
    with scsi_expect(errors.IllegalRequest, **INVALID_FIELD_IN_CDB):
        scsi_channel.cmd.ModeSense10(page_code=unused, allocation_length=255)
