"""RESERVE (6) / RELEASE (6) with two initiators (SPC-2 5.5.1, 7.21, 7.24; obsolete in
SPC-5 but still implemented by most targets)."""
from __future__ import annotations

import pytest

from sgframe import errors

pytestmark = [pytest.mark.requires("second_nexus"), pytest.mark.requires_command("Reserve6")]


@pytest.fixture
def reserved(scsi_channel):
    scsi_channel.cmd.Reserve6()
    yield scsi_channel
    scsi_channel.cmd.Release6()


def test_other_initiator_conflicts(reserved, scsi_channel2, scsi_expect):
    """SPC-2 5.5.1: while one initiator holds the reservation, a medium command from
    another ends in RESERVATION CONFLICT."""
    with scsi_expect(status=0x18):
        scsi_channel2.cmd.Read10(lba=0, transfer_length=1)


def test_holder_keeps_access(reserved):
    """SPC-2 5.5.1: the initiator holding the reservation keeps full access."""
    reserved.cmd.Read10(lba=0, transfer_length=1)


def test_inquiry_is_allowed_to_others(reserved, scsi_channel2):
    """SPC-2 5.5.1: INQUIRY, REQUEST SENSE and REPORT LUNS do not conflict."""
    scsi_channel2.cmd.Inquiry()
    scsi_channel2.cmd.RequestSense()
    scsi_channel2.cmd.ReportLuns()


def test_release_by_other_is_harmless(reserved, scsi_channel2, scsi_expect):
    """SPC-2 7.24.2: RELEASE from an initiator that holds no reservation returns GOOD and
    releases nothing."""
    scsi_channel2.cmd.Release6()
    with scsi_expect(status=0x18):
        scsi_channel2.cmd.Read10(lba=0, transfer_length=1)


def test_reserve_by_other_conflicts(reserved, scsi_channel2, scsi_expect):
    """SPC-2 7.21.2: RESERVE from another initiator while reserved: RESERVATION CONFLICT."""
    with scsi_expect(status=0x18):
        scsi_channel2.cmd.Reserve6()


def test_release_frees_the_unit(scsi_channel, scsi_channel2):
    """SPC-2 7.24.2: after RELEASE by the holder, the other initiator has access again."""
    scsi_channel.cmd.Reserve6()
    scsi_channel.cmd.Release6()
    scsi_channel2.cmd.Read10(lba=0, transfer_length=1)
