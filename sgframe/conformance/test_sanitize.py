"""SANITIZE (SBC-4 5.30, 4.11)."""
from __future__ import annotations

import pytest

from sgframe import errors

from .helpers import drain_unit_attentions, read

pytestmark = [pytest.mark.sanitize, pytest.mark.requires("writable")]


@pytest.mark.requires_command("Sanitize", service_action=0x01)
def test_overwrite_leaves_the_pattern(scsi_channel, scsi_device):
    """SBC-4 5.30.2.2: OVERWRITE with one pass writes the initialization pattern to every
    block (the first, the middle and the last read it back)."""
    size = scsi_channel.block_size
    pattern = b"SANITIZE"
    data = bytes((0x01, 0x00)) + len(pattern).to_bytes(2, "big") + pattern
    scsi_channel.cmd.Sanitize(service_action=0x01, parameter_list_length=len(data), data=data)
    drain_unit_attentions(scsi_channel)
    expected = (pattern * (size // len(pattern) + 1))[:size]
    for lba in (0, scsi_device.blocks // 2, scsi_device.last_lba):
        assert read(scsi_channel, lba, 1) == expected


@pytest.mark.requires_command("Sanitize", service_action=0x01)
def test_overwrite_without_passes_is_rejected(scsi_channel, scsi_expect):
    """SBC-4 5.30.2.2: OVERWRITE COUNT zero: ILLEGAL REQUEST, INVALID FIELD IN PARAMETER
    LIST."""
    data = bytes((0x00, 0x00, 0x00, 0x04)) + b"ABCD"
    with scsi_expect(errors.IllegalRequest, asc=0x26, ascq=0x00):
        scsi_channel.cmd.Sanitize(service_action=0x01, parameter_list_length=len(data), data=data)


@pytest.mark.requires_command("Sanitize", service_action=0x03)
def test_cryptographic_erase_with_parameters_is_rejected(scsi_channel, scsi_expect):
    """SBC-4 5.30.1: a non-zero PARAMETER LIST LENGTH with a service action other than
    OVERWRITE: ILLEGAL REQUEST, INVALID FIELD IN CDB."""
    with scsi_expect(errors.IllegalRequest, asc=0x24, ascq=0x00):
        scsi_channel.cmd.Sanitize(service_action=0x03, parameter_list_length=4, data=bytes(4))
