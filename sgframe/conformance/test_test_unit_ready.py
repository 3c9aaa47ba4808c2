"""TEST UNIT READY (SPC-5 6.47)."""
from __future__ import annotations


def test_ready_unit_answers_good(scsi_channel):
    """SPC-5 6.47: a logical unit that is ready to accept medium-access commands
    completes TEST UNIT READY with GOOD status."""
    io = scsi_channel.cmd.TestUnitReady()
    assert io.hdr.status == 0


def test_no_data_is_transferred(scsi_channel):
    """SPC-5 6.47: TEST UNIT READY has no data phase; repeated, it stays GOOD."""
    for _ in range(3):
        io = scsi_channel.cmd.TestUnitReady()
        assert io.hdr.status == 0 and io.data == b""
