"""START STOP UNIT (SBC-4 5.25, 4.20)."""
from __future__ import annotations

import pytest

from sgframe import errors

pytestmark = pytest.mark.requires_command("StartStopUnit")


def test_start(scsi_channel):
    """SBC-4 5.25: START=1 makes the logical unit ready; TEST UNIT READY is then GOOD."""
    scsi_channel.cmd.StartStopUnit(start=True)
    scsi_channel.cmd.TestUnitReady()


@pytest.mark.destructive
def test_stop_then_start(scsi_channel, scsi_expect):
    """SBC-4 4.20 and 5.25: after STOP, medium access reports NOT READY, INITIALIZING
    COMMAND REQUIRED (04h/02h) until START."""
    scsi_channel.cmd.StartStopUnit(start=False)
    try:
        with scsi_expect(errors.NotReady, asc=0x04):
            scsi_channel.cmd.Read10(lba=0, transfer_length=1)
    finally:
        scsi_channel.cmd.StartStopUnit(start=True)
    scsi_channel.cmd.Read10(lba=0, transfer_length=1)


def test_immed(scsi_channel):
    """SBC-4 5.25: IMMED=1 returns status as soon as the CDB is validated."""
    scsi_channel.cmd.StartStopUnit(start=True, immed=True)


def test_invalid_power_condition_is_rejected(scsi_channel, scsi_expect):
    """SBC-4 5.25 Table 80: POWER CONDITION 6h is reserved: ILLEGAL REQUEST, INVALID
    FIELD IN CDB."""
    with scsi_expect(errors.IllegalRequest, asc=0x24, ascq=0x00):
        scsi_channel.cmd.StartStopUnit(power_condition=0x6, start=True)
