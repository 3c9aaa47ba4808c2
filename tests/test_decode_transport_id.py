"""TransportIDs (SPC-5 7.6.4): each protocol's bytes worked out from its table, built and decoded."""
from __future__ import annotations

import pytest

from sgframe.decode import transport_id as t
from sgframe.errors import UsageError


def hx(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


def test_fibre_channel():
    raw = t.fc_transport_id(0x21000024FF5A3B7C)
    assert raw == hx("00 00000000 000000 21000024ff5a3b7c 0000000000000000")
    d = t.decode_transport_identifier(raw)
    assert (d.protocol_identifier, d.format_code, d.length, d.n_port_name) == (0, 0, 24, 0x21000024FF5A3B7C)
    assert d.protocol_identifier_name == "Fibre Channel (FCP)" and d.problems == ()


def test_parallel_scsi():
    raw = t.spi_transport_id(7, 2)
    assert raw == hx("01 00 0007 0000 0002") + bytes(16)
    d = t.decode_transport_identifier(raw)
    assert (d.scsi_address, d.relative_target_port_identifier) == (7, 2)


def test_ieee_1394():
    raw = t.sbp_transport_id(0x0011223344556677)
    assert raw == hx("03") + bytes(7) + hx("0011223344556677") + bytes(8)
    assert t.decode_transport_identifier(raw).eui_64_name == 0x0011223344556677


def test_srp():
    port = bytes(range(16))
    raw = t.srp_transport_id(port)
    assert raw == hx("04") + bytes(7) + port
    assert t.decode_transport_identifier(raw).initiator_port_identifier == port
    with pytest.raises(UsageError, match="16 bytes"):
        t.srp_transport_id(b"\x01" * 8)


def test_iscsi_format_00b_is_name_nul_padded_to_24():
    raw = t.iscsi_transport_id("iqn.a")
    # "iqn.a" + NUL = 6 bytes, padded to 8, then to the 20 that make 24 in all.
    assert raw == hx("05 00 0014") + b"iqn.a" + bytes(15)
    d = t.decode_transport_identifier(raw + b"\xee")
    assert (d.format_code, d.additional_length, d.length, d.iscsi_name, d.iscsi_initiator_session_id) == (
        0, 20, 24, "iqn.a", None)
    assert d.raw == raw


def test_iscsi_format_01b_carries_the_isid():
    name = "iqn.2005-03.org.open-iscsi:abcdef"
    raw = t.iscsi_transport_id(name, isid=0x23D000000001)
    text = (name + ",i,0x23d000000001").encode() + b"\x00"
    assert len(text) == 51
    assert raw == hx("45 00 0034") + text + b"\x00"
    d = t.decode_transport_identifier(raw)
    assert (d.format_code, d.length, d.iscsi_name, d.iscsi_initiator_session_id) == (1, 56, name, "23d000000001")


def test_iscsi_problems():
    d = t.decode_transport_identifier(hx("05 00 0006") + b"iqn\x00\x00\x00")
    assert any("multiple of 4" in p for p in d.problems)
    assert any("shorter than the 24" in p for p in d.problems)
    d = t.decode_transport_identifier(hx("45 00 0014") + b"iqn.x" + bytes(15))
    assert d.iscsi_name == "iqn.x" and any("separator" in p for p in d.problems)
    d = t.decode_transport_identifier(hx("05 00 0040") + b"iqn")
    assert any("truncated, 68 bytes needed" in p for p in d.problems)


def test_sas():
    raw = t.sas_transport_id(0x5000C500A1B2C3D4)
    assert raw == hx("06 000000 5000c500a1b2c3d4") + bytes(12)
    assert t.decode_transport_identifier(raw).sas_address == 0x5000C500A1B2C3D4


def test_sop():
    raw = t.sop_transport_id(0x0108)
    assert raw == hx("0a 00 0108") + bytes(20)
    assert t.decode_transport_identifier(raw).routing_id == 0x0108


@pytest.mark.parametrize("protocol", [t.SSA, t.ADT, t.ATA, t.UAS])
def test_protocols_without_a_format_keep_their_bytes(protocol):
    raw = t.opaque_transport_id(protocol, b"\xab\xcd", format_code=1)
    assert raw == bytes([0x40 | protocol, 0xAB, 0xCD]) + bytes(21)
    d = t.decode_transport_identifier(raw)
    assert (d.protocol_identifier, d.format_code, d.body, d.problems) == (protocol, 1, raw[1:], ())


def test_builders_reject_what_does_not_fit():
    with pytest.raises(UsageError, match=r"sas_address=-1 does not fit: allowed 0..0xffffffffffffffff"):
        t.sas_transport_id(-1)
    with pytest.raises(UsageError, match="routing_id"):
        t.sop_transport_id(0x10000)
    with pytest.raises(UsageError, match="isid"):
        t.iscsi_transport_id("iqn.x", isid=1 << 48)
    with pytest.raises(UsageError, match="non-empty"):
        t.iscsi_transport_id("")
    with pytest.raises(UsageError, match="has a TransportID format of its own"):
        t.opaque_transport_id(t.SAS)
    with pytest.raises(UsageError, match="at most 23 bytes"):
        t.opaque_transport_id(t.ATA, bytes(24))


def test_reserved_format_and_protocol_are_problems():
    d = t.decode_transport_identifier(bytes([0x46]) + bytes(23))
    assert d.sas_address == 0 and d.problems == ("TransportID: FORMAT CODE 1 is reserved for protocol 6h",)
    d = t.decode_transport_identifier(bytes([0x0C]) + bytes(23))
    assert d.protocol_identifier_name == "reserved" and "reserved" in d.problems[0]
    assert t.decode_transport_identifier(b"").problems == ("TransportID: no bytes",)


def test_a_list_back_to_back():
    data = t.sas_transport_id(1) + t.iscsi_transport_id("iqn.2001-04.com.example:storage", isid=5) + t.fc_transport_id(2)
    ids = t.decode_transport_identifiers(data)
    assert [i.protocol_identifier for i in ids] == [t.SAS, t.ISCSI, t.FIBRE_CHANNEL]
    assert ids[1].iscsi_initiator_session_id == "000000000005" and ids[2].n_port_name == 2
    assert ids[0].to_dict()["raw"] == data[:24].hex()
