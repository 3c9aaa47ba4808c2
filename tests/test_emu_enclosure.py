"""emu:enclosure: an SES-4 enclosure services device; exact bytes, sense, and control
pages whose effect sticks."""
from __future__ import annotations

import pytest

from sgframe import Channel
from sgframe.command import Inquiry, ReceiveDiagnosticResults, SendDiagnostic
from sgframe.decode import decode_inquiry, decode_vpd
from sgframe.decode.ses import (
    build_enclosure_control,
    build_string_out,
    build_subenclosure_nickname_control,
    build_subenclosure_string_out,
    build_threshold_out,
    decode_diagnostic_page,
)
from sgframe.emu import Reply, create
from sgframe.emu.enclosure import EmulatedEnclosure
from sgframe.errors import IllegalRequest, UsageError

from test_emu_core import fixed

H = bytes.fromhex


def ok(reply: Reply) -> bytes:
    assert (reply.status, reply.sense) == (0, b""), reply
    return reply.data


@pytest.fixture
def enc() -> EmulatedEnclosure:
    return EmulatedEnclosure(slots=4, devices=3, power_supplies=1, fans=1, temperature_sensors=1, serial="ENC-1")


def rdr(enc: EmulatedEnclosure, code: int) -> bytes:
    return ok(enc.respond(bytes((0x1C, 0x01, code, 0xFF, 0xFC, 0)), None, 0xFFFC))


def send(enc: EmulatedEnclosure, data: bytes) -> Reply:
    return enc.respond(bytes((0x1D, 0x10, 0, len(data) >> 8, len(data) & 0xFF, 0)), data)


def decoded(enc: EmulatedEnclosure, code: int):
    return decode_diagnostic_page(rdr(enc, code), decode_diagnostic_page(rdr(enc, 0x01)))


def test_uri_makes_an_enclosure_with_encserv_and_its_vpd_pages():
    enc = create("emu:enclosure?slots=12&devices=5&serial=SHELF-9")
    with Channel.open("emu:enclosure?slots=12") as channel:
        inq = decode_inquiry(channel.execute(Inquiry()).data)
    data = ok(enc.respond(H("12 00 00 00 60 00"), None, 96))
    assert data[0] == 0x0D and data[6] & 0x40  # enclosure services device, ENCSERV
    assert data[8:36] == b"SGFRAME EMU ENCLOSURE   0001"
    assert (inq.peripheral_device_type, inq.encserv) == (0x0D, True)
    assert ok(enc.respond(H("12 01 00 00 ff 00"), None, 255)) == H("0d 00 00 03 00 80 83")
    assert ok(enc.respond(H("12 01 80 00 ff 00"), None, 255)) == H("0d 80 00 07") + b"SHELF-9"
    ids = decode_vpd(ok(enc.respond(H("12 01 83 00 ff 00"), None, 255)))
    naa, t10, port, relative = ids.designation_descriptors
    assert (naa.designator_type, naa.association, int.from_bytes(naa.designator, "big")) == (3, 0, enc.sas_base)
    assert t10.designator == b"SGFRAME EMU ENCLOSURE   SHELF-9"
    assert (port.piv, port.protocol_identifier, port.association, int.from_bytes(port.designator, "big")) == (
        True, 6, 1, enc.expander_sas_address)
    assert (relative.designator_type, relative.designator) == (4, H("00000001"))
    assert enc.respond(H("12 01 b0 00 ff 00"), None, 255).sense == fixed(0x5, 0x24, 0x00, H("c0 00 02"))


def test_uri_parameters_are_checked():
    with pytest.raises(UsageError, match="slots=0 is out of range"):
        create("emu:enclosure?slots=0")
    with pytest.raises(UsageError, match="devices=5 is out of range"):
        create("emu:enclosure?slots=4&devices=5")
    with pytest.raises(UsageError, match="unknown parameter 'blocks' for emu:enclosure"):
        create("emu:enclosure?blocks=8")


def test_no_medium_commands(enc):
    assert enc.respond(H("28 00 00 00 00 00 00 00 01 00"), None, 512).sense == fixed(0x5, 0x20, 0x00)
    assert enc.respond(H("25 00 00 00 00 00 00 00 00 00"), None, 8).sense == fixed(0x5, 0x20, 0x00)
    assert ok(enc.respond(H("00 00 00 00 00 00"), None, 0)) == b""


def test_configuration_page_bytes(enc):
    data = rdr(enc, 0x01)
    headers_at = 8 + 40
    assert data[:12] == H("01 00 00") + bytes((len(data) - 4,)) + H("00000000 11 00 06 24")
    assert data[12:20] == enc.sas_base.to_bytes(8, "big")
    assert data[20:48] == b"SGFRAME EMU ENCLOSURE   0001"
    assert data[headers_at:headers_at + 24] == H("01 04 00 0b 02 01 00 0e 03 01 00 0c 04 01 00 13 12 02 00 0f 0e 01 00 09")
    assert data[headers_at + 24:] == b"Drive SlotsPower SuppliesCooling FansTemperature SensorsVoltage SensorsEnclosure"


def test_status_page_bytes(enc):
    data = rdr(enc, 0x02)
    assert data[:8] == H("02 00 00 44 00 00 00 00")
    assert data[8:28] == H("00000000 01 00 00 00 01 01 00 00 01 02 00 00 05 03 00 00")
    assert data[28:36] == H("00000000 01 00 00 20")  # power supply: OK, RQSTED ON
    assert data[36:44] == H("00000000 01 03 48 24")  # fan: 840 x 10 rpm, RQSTED ON, speed code 4
    assert data[44:52] == H("00000000 01 00 2d 00")  # 25 C
    assert data[52:64] == H("00000000 01 00 04 b5 01 00 01 f6")  # 12.05 V, 5.02 V


def test_ident_and_fault_stick(enc):
    status = decoded(enc, 0x02)
    assert ok(send(enc, build_enclosure_control(status, {(0, 1): {"ident": 1}, (0, 2): {"fault": 1}}))) == b""
    assert enc.element(0, 1) == H("01 01 02 00") and enc.element(0, 2) == H("01 02 00 20")
    assert enc.element(0, 0) == H("01 00 00 00")
    # A later page for another element leaves them as they are: they stick.
    status = decoded(enc, 0x02)
    ok(send(enc, build_enclosure_control(status, {(1, 0): {"ident": 1}})))
    after = decoded(enc, 0x02)
    assert (after.element(0, 1).ident, after.element(0, 2).fault_reqstd, after.element(1, 0).ident) == (True, True, True)
    ok(send(enc, build_enclosure_control(after, {(0, 1): {"ident": 0}})))
    assert decoded(enc, 0x02).element(0, 1).ident is False
    assert decoded(enc, 0x02).element(0, 2).fault_reqstd is True


def test_power_fan_and_enclosure_controls(enc):
    status = decoded(enc, 0x02)
    ok(send(enc, build_enclosure_control(status, {
        (1, 0): {"on": 0}, (2, 0): {"speed_code": 7, "fail": 1}, (5, 0): {"warning": 1}, (0, 0): {"prdfail": 1}})))
    s = decoded(enc, 0x02)
    assert (s.element(1, 0).rqsted_on, s.element(1, 0).off) == (False, True)
    assert (s.element(2, 0).actual_speed_code, s.element(2, 0).fail) == (7, True)
    assert s.element(5, 0).warning_requested is True and s.element(0, 0).prdfail is True


def test_control_page_with_an_old_generation_code_is_refused(enc):
    status = decoded(enc, 0x02)
    page = bytearray(build_enclosure_control(status, {(0, 0): {"ident": 1}}))
    page[7] = 1
    assert send(enc, bytes(page)).sense == fixed(0x5, 0x26, 0x00, H("80 00 04"))
    assert enc.element(0, 0) == H("01 00 00 00")
    assert send(enc, bytes(page[:-4])).sense == fixed(0x5, 0x1A, 0x00)  # PAGE LENGTH disagrees
    assert send(enc, H("02 00 00 04 00 00 00 00")).sense == fixed(0x5, 0x26, 0x00, H("80 00 02"))
    assert send(enc, H("03 00 00 00")).sense == fixed(0x5, 0x26, 0x00, H("80 00 00"))  # help text is read-only


def test_send_diagnostic_cdb_checks(enc):
    assert enc.respond(H("1d 00 00 00 04 00"), H("02 00 00 00")).sense == fixed(0x5, 0x24, 0x00, H("cc 00 01"))
    assert ok(enc.respond(H("1d 04 00 00 00 00"), b"")) == b""  # default self-test passes
    assert enc.respond(H("1d 20 00 00 00 00"), b"").sense == fixed(0x5, 0x24, 0x00, H("cf 00 01"))
    assert enc.respond(H("1c 01 06 00 ff 00"), None, 255).sense == fixed(0x5, 0x24, 0x00, H("c0 00 02"))


def test_additional_element_status_maps_disks_to_slots(enc):
    aes = decoded(enc, 0x0A)
    assert [(d.type_index, d.element_index, d.device_slot_number) for d in aes.descriptors] == [
        (0, 0, 0), (0, 1, 1), (0, 2, 2), (0, 3, 3)]
    for slot in range(3):
        phy = aes.descriptors[slot].phy_descriptors[0]
        assert (phy.device_type, phy.ssp_target_port, phy.sas_address, phy.attached_sas_address) == (
            1, True, enc.device_sas_address(slot), enc.expander_sas_address)
    assert aes.descriptors[3].phy_descriptors[0].device_type == 0
    assert rdr(enc, 0x0A)[8:12] == H("16 22 00 00")


def test_element_descriptors_thresholds_and_strings(enc):
    ed = decoded(enc, 0x07)
    assert [t.elements for t in ed.types] == [("SLOT 00", "SLOT 01", "SLOT 02", "SLOT 03"), ("PSU 0",), ("FAN 0",),
                                             ("TEMP 0",), ("12V", "5V"), ("ENCLOSURE",)]
    th = decoded(enc, 0x05)
    assert th.types[3].elements[0].high_warning_threshold == 70
    ok(send(enc, build_threshold_out(th, {(3, 0): {"high_warning_threshold": 65}})))
    assert decoded(enc, 0x05).types[3].elements[0].high_warning_threshold == 65
    ok(send(enc, build_string_out(b"hello")))
    assert rdr(enc, 0x04) == H("04 00 00 05") + b"hello"
    assert decode_diagnostic_page(rdr(enc, 0x00)).supported_pages == (
        0, 1, 2, 3, 4, 5, 7, 8, 9, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F)
    assert rdr(enc, 0x08) == H("08 00 00 00") and rdr(enc, 0x09) == H("09 00 00 00")


def test_through_a_channel():
    with Channel.open("emu:enclosure?slots=2") as channel:
        cfg = decode_diagnostic_page(channel.execute(ReceiveDiagnosticResults(pcv=True, page_code=1)).data)
        status = decode_diagnostic_page(channel.execute(ReceiveDiagnosticResults(pcv=True, page_code=2)).data, cfg)
        page = build_enclosure_control(status, {(0, 1): {"ident": True}})
        channel.execute(SendDiagnostic(pf=True, parameter_list_length=len(page)), data=page)
        status = decode_diagnostic_page(channel.execute(ReceiveDiagnosticResults(pcv=True, page_code=2)).data, cfg)
        assert status.element(0, 1).ident is True
        # The command's own decoder: pages that need no configuration decode whole.
        supported = channel.execute(ReceiveDiagnosticResults(pcv=True, page_code=0)).result
        assert supported.supported_pages[-5:] == (0x0B, 0x0C, 0x0D, 0x0E, 0x0F)
        assert channel.execute(ReceiveDiagnosticResults(pcv=True, page_code=1)).result == cfg
        with pytest.raises(IllegalRequest) as info:
            channel.execute(ReceiveDiagnosticResults(pcv=True, page_code=0x10))
        assert (info.value.asc, info.value.ascq) == (0x24, 0x00)


def test_subenclosure_pages_and_nickname(enc):
    gen = decode_diagnostic_page(rdr(enc, 0x0F)).generation_code
    ok(send(enc, build_subenclosure_nickname_control(0, gen, "Rack 4 shelf 2")))
    (nick,) = decode_diagnostic_page(rdr(enc, 0x0F)).descriptors
    assert (nick.subenclosure_identifier, nick.subenclosure_nickname, nick.subenclosure_nickname_language_code) == (
        0, "Rack 4 shelf 2", 0)
    ok(send(enc, build_subenclosure_string_out(0, gen, b"\x01\x02")))
    assert rdr(enc, 0x0C) == H("0c 00 00 0a 00000000 00 00 0002 0102")
    assert decode_diagnostic_page(rdr(enc, 0x0B)).subenclosures[0].text.startswith("sgframe emulated enclosure")
    (dm,) = decode_diagnostic_page(rdr(enc, 0x0E)).descriptors
    assert (dm.subenclosure_download_microcode_status, dm.subenclosure_download_microcode_maximum_size) == (0, 0x100000)
    assert send(enc, build_subenclosure_nickname_control(1, gen, "x")).sense == fixed(0x5, 0x26, 0x00, H("80 00 01"))
    assert send(enc, build_subenclosure_nickname_control(0, gen + 1, "x")).sense == fixed(0x5, 0x26, 0x00, H("80 00 04"))
