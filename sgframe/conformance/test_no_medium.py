"""A logical unit without a medium: START STOP UNIT ejects it, commands that need it end in
NOT READY, MEDIUM NOT PRESENT (SBC-4 4.20 and 5.25, SPC-5 5.x and Table F.2)."""
from __future__ import annotations

from typing import Iterator

import pytest

from sgframe import errors

pytestmark = [pytest.mark.requires("removable"), pytest.mark.requires_command("StartStopUnit")]

#: ASC 3Ah is MEDIUM NOT PRESENT; its ASCQ tells the tray (00h unknown, 01h closed, 02h open,
#: 03h loadable, 04h auxiliary memory accessible): any of them (SPC-5 Table F.2).
_MEDIUM_NOT_PRESENT = 0x3A


@pytest.fixture
def ejected(scsi_channel) -> Iterator[object]:
    """The medium ejected (START=0, LOEJ=1), loaded again afterwards (START=1, LOEJ=1)."""
    scsi_channel.cmd.PreventAllowMediumRemoval(prevent=0)
    try:
        scsi_channel.cmd.StartStopUnit(loej=True, start=False)
    except errors.IllegalRequest as failure:
        pytest.skip(f"the device does not eject its medium: {failure}")
    try:
        yield scsi_channel
    finally:
        scsi_channel.cmd.StartStopUnit(loej=True, start=True)


def _not_present(call) -> None:
    with pytest.raises(errors.NotReady) as caught:
        call()
    assert caught.value.asc == _MEDIUM_NOT_PRESENT, caught.value


@pytest.mark.destructive  # the medium is away while it runs
def test_commands_need_the_medium(ejected):
    """SBC-4 4.20 (medium not present) and 5.25 (LOEJ): with the medium ejected TEST UNIT
    READY, READ(10), READ(16), WRITE(10) and READ CAPACITY(10)/(16) end in NOT READY,
    MEDIUM NOT PRESENT (3Ah): there are no logical blocks to read, write or count."""
    channel = ejected
    _not_present(channel.cmd.TestUnitReady)
    _not_present(lambda: channel.cmd.Read10(lba=0, transfer_length=1))
    _not_present(lambda: channel.cmd.Read16(lba=0, transfer_length=1))
    _not_present(lambda: channel.cmd.Write10(lba=0, transfer_length=1, data=bytes(channel.block_size)))
    _not_present(channel.cmd.ReadCapacity10)
    _not_present(channel.cmd.ReadCapacity16)


@pytest.mark.destructive
def test_the_unit_still_answers_about_itself(ejected, scsi_device):
    """SPC-5 6.7 and 6.33 (and 4.3: commands that do not touch the medium): without a
    medium INQUIRY and REPORT LUNS complete, and REQUEST SENSE reports NOT READY, MEDIUM
    NOT PRESENT as its sense data (SPC-5 6.39: the condition the next command would see)."""
    channel = ejected
    assert channel.cmd.Inquiry().result.rmb
    luns = channel.cmd.ReportLuns().data
    assert int.from_bytes(luns[:4], "big") >= 8 and len(luns) >= 16  # LUN LIST LENGTH: at least this one
    sense = channel.cmd.RequestSense(allocation_length=252).result
    assert (sense.sense_key, sense.asc) == (0x02, _MEDIUM_NOT_PRESENT), sense


@pytest.mark.destructive
def test_load_makes_the_unit_ready(ejected, scsi_device):
    """SBC-4 5.25: START=1 with LOEJ=1 loads the medium; the unit becomes ready again and
    reads its blocks (a unit attention for the medium change may come first, SBC-4 4.20)."""
    channel = ejected
    channel.cmd.StartStopUnit(loej=True, start=True)
    for _ in range(4):
        try:
            channel.cmd.TestUnitReady()
            break
        except errors.UnitAttention:
            continue
    assert len(channel.cmd.Read16(lba=0, transfer_length=1).data) == scsi_device.block_size
