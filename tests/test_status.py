"""SCSI status, Linux host and driver bytes."""
from __future__ import annotations

import pytest

from sgframe.status import (
    DriverStatus, DriverSuggest, HostStatus, ScsiStatus, driver_code, driver_status_text,
    driver_suggest, host_status_text, is_good_status, masked_status, status_from_masked, status_text,
)


@pytest.mark.parametrize("value, text", [
    (0x00, "GOOD"), (0x02, "CHECK CONDITION"), (0x04, "CONDITION MET"), (0x08, "BUSY"),
    (0x10, "INTERMEDIATE"), (0x14, "INTERMEDIATE-CONDITION MET"), (0x18, "RESERVATION CONFLICT"),
    (0x22, "COMMAND TERMINATED"), (0x28, "TASK SET FULL"), (0x30, "ACA ACTIVE"), (0x40, "TASK ABORTED"),
])
def test_status_values_and_text(value, text):
    assert ScsiStatus(value) == value
    assert str(ScsiStatus(value)) == text
    assert status_text(value) == text


def test_unassigned_status_text():
    assert status_text(0x2E) == "status 0x2e (reserved)"


@pytest.mark.parametrize("status, good", [(0x00, True), (0x04, True), (0x10, True), (0x14, True),
                                          (0x02, False), (0x08, False), (0x28, False), (0x40, False)])
def test_is_good_status(status, good):
    assert is_good_status(status) is good


@pytest.mark.parametrize("status, masked", [(0x02, 0x01), (0x08, 0x04), (0x18, 0x0C), (0x28, 0x14), (0x40, 0x20)])
def test_masked_status(status, masked):
    # the sg v3 header's masked_status: CHECK_CONDITION is 1, BUSY 4, ... (linux/scsi/scsi.h of old)
    assert masked_status(status) == masked
    assert status_from_masked(masked) == status


@pytest.mark.parametrize("name, value", [
    ("DID_OK", 0x00), ("DID_NO_CONNECT", 0x01), ("DID_BUS_BUSY", 0x02), ("DID_TIME_OUT", 0x03),
    ("DID_BAD_TARGET", 0x04), ("DID_ABORT", 0x05), ("DID_PARITY", 0x06), ("DID_ERROR", 0x07),
    ("DID_RESET", 0x08), ("DID_BAD_INTR", 0x09), ("DID_PASSTHROUGH", 0x0A), ("DID_SOFT_ERROR", 0x0B),
    ("DID_IMM_RETRY", 0x0C), ("DID_REQUEUE", 0x0D), ("DID_TRANSPORT_DISRUPTED", 0x0E),
    ("DID_TRANSPORT_FAILFAST", 0x0F), ("DID_TARGET_FAILURE", 0x10), ("DID_NEXUS_FAILURE", 0x11),
    ("DID_ALLOC_FAILURE", 0x12), ("DID_MEDIUM_ERROR", 0x13), ("DID_TRANSPORT_MARGINAL", 0x14),
])
def test_host_status_values(name, value):
    assert HostStatus[name] == value
    assert str(HostStatus(value)) == name
    assert HostStatus(value).description


def test_host_status_text():
    assert host_status_text(3) == "DID_TIME_OUT (the command timed out)"
    assert host_status_text(1) == "DID_NO_CONNECT (could not connect to the device)"
    assert host_status_text(0x2A) == "0x2a (unknown host status)"


@pytest.mark.parametrize("name, value", [
    ("DRIVER_OK", 0), ("DRIVER_BUSY", 1), ("DRIVER_SOFT", 2), ("DRIVER_MEDIA", 3), ("DRIVER_ERROR", 4),
    ("DRIVER_INVALID", 5), ("DRIVER_TIMEOUT", 6), ("DRIVER_HARD", 7), ("DRIVER_SENSE", 8),
])
def test_driver_status_values(name, value):
    assert DriverStatus[name] == value


@pytest.mark.parametrize("name, value", [
    ("SUGGEST_RETRY", 0x10), ("SUGGEST_ABORT", 0x20), ("SUGGEST_REMAP", 0x30), ("SUGGEST_DIE", 0x40),
    ("SUGGEST_SENSE", 0x80),
])
def test_driver_suggest_values(name, value):
    assert DriverSuggest[name] == value


def test_driver_byte_split_and_text():
    assert driver_code(0x18) == DriverStatus.DRIVER_SENSE
    assert driver_suggest(0x18) == DriverSuggest.SUGGEST_RETRY
    assert driver_status_text(0x08) == "DRIVER_SENSE (sense data is available)"
    assert driver_status_text(0x14) == "DRIVER_ERROR|SUGGEST_RETRY (driver error)"
    assert driver_status_text(0x06) == "DRIVER_TIMEOUT (the driver timed the command out)"
    assert driver_status_text(0x0C) == "0xc (unknown driver status)"
    assert driver_status_text(0x54) == "DRIVER_ERROR|suggest 0x50 (driver error)"
