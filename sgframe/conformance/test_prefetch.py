"""PRE-FETCH (10) and (16) (SBC-4 5.9, 5.10)."""
from __future__ import annotations

import pytest

from sgframe import errors

from .helpers import LBA_OUT_OF_RANGE

NAMES = [pytest.param(n, marks=pytest.mark.requires_command(n), id=n) for n in ("PreFetch10", "PreFetch16")]


def _prefetch(channel, name, **fields):
    from sgframe import handler

    # CONDITION MET (04h) says the blocks fit the cache: success too (SBC-4 5.9).
    return getattr(channel.cmd, name)(verify_handler=handler.might_fail(status=0x04), **fields)


@pytest.mark.requires("not_zoned")
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("immed", [False, True])
def test_prefetch(scsi_channel, name, immed):
    """SBC-4 5.9 and 5.10: GOOD, or CONDITION MET when the blocks fit in the cache."""
    io = _prefetch(scsi_channel, name, lba=0, prefetch_length=8, immed=immed)
    assert io.hdr.status in (0x00, 0x04)


@pytest.mark.parametrize("name", NAMES)
def test_prefetch_beyond_capacity(scsi_channel, scsi_device, scsi_expect, name):
    """SBC-4 5.9: a range past the last LBA: ILLEGAL REQUEST, LOGICAL BLOCK ADDRESS OUT
    OF RANGE."""
    if name == "PreFetch10" and scsi_device.blocks > 0xFFFFFFFF:
        pytest.skip("the capacity exceeds a 32-bit LBA")
    with scsi_expect(errors.IllegalRequest, **LBA_OUT_OF_RANGE):
        getattr(scsi_channel.cmd, name)(lba=scsi_device.last_lba, prefetch_length=2)
