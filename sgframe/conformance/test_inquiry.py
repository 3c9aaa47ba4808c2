"""INQUIRY: standard data and the vital product data pages (SPC-5 6.7, 7.7)."""
from __future__ import annotations

import pytest

from sgframe import errors

from .helpers import INVALID_FIELD_IN_CDB


def test_standard_data_is_at_least_36_bytes(scsi_channel):
    """SPC-5 6.7.2: the standard INQUIRY data are at least 36 bytes; ADDITIONAL LENGTH
    counts the bytes after byte 4 (n - 4)."""
    io = scsi_channel.cmd.Inquiry(allocation_length=255)
    data = io.data
    assert len(data) >= 36
    assert data[4] + 5 >= 36
    assert len(data) == min(255, data[4] + 5)


def test_response_data_format_is_2(scsi_channel):
    """SPC-5 6.7.2: RESPONSE DATA FORMAT shall be 2h; the VERSION of a device claiming
    SPC-2 or later is 04h..07h (or 00h, no claim)."""
    data = scsi_channel.cmd.Inquiry().result
    assert data.response_data_format == 2
    assert data.version in (0x00, 0x03, 0x04, 0x05, 0x06, 0x07)


def test_identification_fields_are_ascii(scsi_channel):
    """SPC-5 4.3.1 and 6.7.2: T10 VENDOR IDENTIFICATION, PRODUCT IDENTIFICATION and
    PRODUCT REVISION LEVEL hold ASCII graphic characters (20h-7Eh), left aligned."""
    raw = scsi_channel.cmd.Inquiry(allocation_length=36).data
    for field in (raw[8:16], raw[16:32], raw[32:36]):
        assert all(0x20 <= b <= 0x7E for b in field), field
        assert not field.startswith(b" ") or field.strip() == b""


@pytest.mark.parametrize("length", [5, 36])
def test_allocation_length_truncates(scsi_channel, length):
    """SPC-5 4.2.5.6: the device returns no more than the ALLOCATION LENGTH and the
    truncated data are the leading bytes of the full response."""
    full = scsi_channel.cmd.Inquiry(allocation_length=255).data
    short = scsi_channel.cmd.Inquiry(allocation_length=length).data
    assert short == full[:length]


def test_allocation_length_zero_is_not_an_error(scsi_channel):
    """SPC-5 4.2.5.6: an ALLOCATION LENGTH of zero is not an error; no data are sent."""
    io = scsi_channel.cmd.Inquiry(allocation_length=0)
    assert io.data == b""


def test_page_code_without_evpd_is_rejected(scsi_channel, scsi_expect):
    """SPC-5 6.7.1: EVPD=0 with a non-zero PAGE CODE: CHECK CONDITION, ILLEGAL REQUEST,
    INVALID FIELD IN CDB."""
    with scsi_expect(errors.IllegalRequest, **INVALID_FIELD_IN_CDB):
        scsi_channel.cmd.Inquiry(evpd=False, page_code=0x83)


def test_supported_pages_lists_00h_in_ascending_order(scsi_channel):
    """SPC-5 7.7.16: the Supported VPD Pages page lists 00h itself and the page codes in
    ascending order."""
    pages = scsi_channel.cmd.Inquiry(evpd=True, page_code=0x00, allocation_length=255).result
    supported = list(pages.supported_pages)
    assert supported and supported[0] == 0x00
    assert supported == sorted(set(supported))


def test_device_identification_page_is_supported(scsi_channel, scsi_device):
    """SPC-5 7.7.6: the Device Identification VPD page (83h) shall be supported; for a
    logical unit it has at least one designator with ASSOCIATION 00b."""
    assert 0x83 in scsi_device.supported_vpd_pages
    raw = scsi_channel.cmd.Inquiry(evpd=True, page_code=0x83, allocation_length=0xFFFF).data
    assert raw[1] == 0x83
    at, end, associations = 4, 4 + int.from_bytes(raw[2:4], "big"), []
    while at + 4 <= end:
        associations.append((raw[at + 1] >> 4) & 3)
        at += 4 + raw[at + 3]
    assert at == end, "designators overrun the page length"
    assert 0 in associations


def test_every_listed_page_answers_with_its_code(scsi_channel, scsi_device):
    """SPC-5 7.7.1: each VPD page returns its own PAGE CODE and PERIPHERAL DEVICE TYPE,
    and PAGE LENGTH counts the bytes after byte 3."""
    for code in scsi_device.supported_vpd_pages:
        raw = scsi_channel.cmd.Inquiry(evpd=True, page_code=code, allocation_length=0xFFFF).data
        assert raw[1] == code, f"page {code:02X}h came back as {raw[1]:02X}h"
        assert raw[0] & 0x1F == scsi_device.peripheral_device_type
        assert len(raw) == min(0xFFFF, 4 + int.from_bytes(raw[2:4], "big")), f"page {code:02X}h"


def test_unsupported_page_is_rejected(scsi_channel, scsi_device, scsi_expect):
    """SPC-5 6.7.1: a VPD page the device does not support: ILLEGAL REQUEST, INVALID
    FIELD IN CDB."""
    unsupported = next((c for c in range(0xBF, 0x7F, -1) if c not in scsi_device.supported_vpd_pages), None)
    if unsupported is None:
        pytest.skip("every page 80h-BFh is listed")
    with scsi_expect(errors.IllegalRequest, **INVALID_FIELD_IN_CDB):
        scsi_channel.cmd.Inquiry(evpd=True, page_code=unsupported)
