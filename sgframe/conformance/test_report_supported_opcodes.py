"""REPORT SUPPORTED OPERATION CODES (SPC-5 6.35)."""
from __future__ import annotations

import pytest

from sgframe import errors

from .helpers import INVALID_FIELD_IN_CDB



@pytest.fixture(autouse=True)
def _answered(scsi_device):
    # Not requires_command: a device whose list omits this very command must fail
    # test_lists_itself, not skip it. The probe's listing says whether it answers.
    if scsi_device.opcodes is None:
        pytest.skip("the device does not answer REPORT SUPPORTED OPERATION CODES (optional, SPC-5 6.35)")


def _all(channel, **fields):
    return channel.cmd.ReportSupportedOperationCodes(reporting_options=0, allocation_length=0xFFFF, **fields).result


def test_lists_itself(scsi_channel):
    """SPC-5 6.35.2: the list of all commands includes REPORT SUPPORTED OPERATION CODES
    (A3h/0Ch) and, for a block device, the mandatory INQUIRY and TEST UNIT READY."""
    listed = {(d.operation_code, d.service_action if d.servactv else None) for d in _all(scsi_channel).command_descriptors}
    assert (0xA3, 0x0C) in listed
    assert (0x12, None) in listed and (0x00, None) in listed


def test_service_action_is_zero_without_servactv(scsi_channel):
    """SPC-5 6.35.2 Table 255: with SERVACTV=0 the SERVICE ACTION field is reserved (zero)."""
    raw = scsi_channel.cmd.ReportSupportedOperationCodes(reporting_options=0, allocation_length=0xFFFF).data
    at, end = 4, min(len(raw), 4 + int.from_bytes(raw[0:4], "big"))
    while at + 8 <= end:  # command descriptors (SPC-5 Table 254), read raw: the field is reserved
        action, flags = int.from_bytes(raw[at + 2:at + 4], "big"), raw[at + 5]
        assert flags & 0x01 or action == 0, f"{raw[at]:02X}h lists service action {action:04X}h with SERVACTV=0"
        at += 8 + (12 if flags & 0x02 else 0)


def test_each_listed_command_reports_supported(scsi_channel):
    """SPC-5 6.35.3: asked one at a time (REPORTING OPTIONS 001b, or 010b with a service
    action), every listed command reports SUPPORT 011b with a CDB usage bitmap as long as
    the CDB, whose first byte is the operation code."""
    for d in _all(scsi_channel).command_descriptors:
        if d.servactv:
            one = scsi_channel.cmd.ReportSupportedOperationCodes(
                reporting_options=2, requested_operation_code=d.operation_code,
                requested_service_action=d.service_action, allocation_length=0xFFFF).result
        else:
            one = scsi_channel.cmd.ReportSupportedOperationCodes(
                reporting_options=1, requested_operation_code=d.operation_code, allocation_length=0xFFFF).result
        assert one.support == 3, f"{d.operation_code:02X}h"
        assert one.cdb_size == d.cdb_length == len(one.cdb_usage_data)
        assert one.cdb_usage_data[0] == d.operation_code


def test_rctd_adds_timeouts_descriptors(scsi_channel):
    """SPC-5 6.35.2: with RCTD=1 each command descriptor has CTDP=1 and a command
    timeouts descriptor of DESCRIPTOR LENGTH 0Ah."""
    listing = _all(scsi_channel, rctd=True)
    for d in listing.command_descriptors:
        assert d.ctdp
        assert d.command_timeouts_descriptor is not None
    raw = scsi_channel.cmd.ReportSupportedOperationCodes(reporting_options=0, rctd=True, allocation_length=0xFFFF).data
    # header (4 bytes), the first command descriptor (8), then its timeouts descriptor
    assert int.from_bytes(raw[12:14], "big") == 0x0A


def test_unsupported_opcode_reports_not_supported(scsi_channel):
    """SPC-5 6.35.3 Table 256: a command the device does not support reports SUPPORT 001b."""
    listed = {d.operation_code for d in _all(scsi_channel).command_descriptors}
    missing = next((op for op in range(0xBF, 0x00, -1) if op not in listed and op not in (0x7E, 0x7F)), None)
    if missing is None:
        pytest.skip("every operation code is listed")
    try:
        one = scsi_channel.cmd.ReportSupportedOperationCodes(
            reporting_options=1, requested_operation_code=missing, allocation_length=0xFFFF).result
    except errors.IllegalRequest as failure:
        # 001b with an opcode that has service actions is an error instead (SPC-5 6.35.1).
        assert failure.asc == 0x24
        return
    assert one.support == 1


def test_reserved_reporting_option_is_rejected(scsi_channel, scsi_expect):
    """SPC-5 6.35.1 Table 253: REPORTING OPTIONS 111b is reserved: ILLEGAL REQUEST,
    INVALID FIELD IN CDB."""
    with scsi_expect(errors.IllegalRequest, **INVALID_FIELD_IN_CDB):
        scsi_channel.cmd.ReportSupportedOperationCodes(reporting_options=7, allocation_length=0xFFFF)
