"""A write-protected medium (SBC-4 4.x write protection; WP bit of the mode parameter
header, 6.5.1)."""
from __future__ import annotations

import pytest

from sgframe import errors

pytestmark = [pytest.mark.requires("read_only")]


@pytest.mark.parametrize("name", ["Write10", "Write16"])
def test_write_is_rejected(scsi_channel, scsi_expect, name):
    """SBC-4 4.x and 6.5.1: while WP=1, a write: DATA PROTECT, WRITE PROTECTED (27h/00h)."""
    with scsi_expect(errors.DataProtect, asc=0x27):
        getattr(scsi_channel.cmd, name)(lba=0, transfer_length=1, data=bytes(scsi_channel.block_size))


def test_reads_still_work(scsi_channel):
    """SBC-4 4.x: write protection does not affect reads."""
    scsi_channel.cmd.Read10(lba=0, transfer_length=1)
