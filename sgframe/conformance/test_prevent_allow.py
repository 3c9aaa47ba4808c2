"""PREVENT ALLOW MEDIUM REMOVAL (SBC-4 5.14)."""
from __future__ import annotations

import pytest

from sgframe import errors

pytestmark = pytest.mark.requires_command("PreventAllowMediumRemoval")


def test_allow(scsi_channel):
    """SBC-4 5.14: PREVENT=00b (removal allowed) is always accepted."""
    scsi_channel.cmd.PreventAllowMediumRemoval(prevent=0)


@pytest.mark.requires("removable")
def test_prevent_blocks_eject(scsi_channel, scsi_expect):
    """SBC-4 5.14 and 5.25: while removal is prevented, START STOP UNIT with LOEJ=1
    fails: ILLEGAL REQUEST, MEDIUM REMOVAL PREVENTED (53h/02h)."""
    scsi_channel.cmd.PreventAllowMediumRemoval(prevent=1)
    try:
        with scsi_expect(errors.IllegalRequest, asc=0x53, ascq=0x02):
            scsi_channel.cmd.StartStopUnit(loej=True, start=False)
    finally:
        scsi_channel.cmd.PreventAllowMediumRemoval(prevent=0)


def test_prevent_then_allow(scsi_channel):
    """SBC-4 5.14: PREVENT=01b then 00b: both GOOD on a device that supports the command
    (on a non-removable medium the prevention has no effect)."""
    try:
        scsi_channel.cmd.PreventAllowMediumRemoval(prevent=1)
    except errors.IllegalRequest as failure:
        if failure.asc == 0x24:
            pytest.skip("PREVENT=01b rejected: the device has no removable medium to hold")
        raise
    scsi_channel.cmd.PreventAllowMediumRemoval(prevent=0)
