"""``emu:enclosure``: an SES-4 enclosure services device (peripheral device type 0Dh).

A disk shelf's enclosure processor as the host sees it: INQUIRY with EncServ, VPD pages
00h/80h/83h, and the SES diagnostic pages through RECEIVE DIAGNOSTIC RESULTS and SEND
DIAGNOSTIC.  The enclosure has, in this order of type descriptor headers:

====  ==========================  =============================================
ti    element type                what the emulation does
====  ==========================  =============================================
0     device slot (01h), or       ``slots`` slots; the first ``devices`` hold a SAS
      array device slot (17h)     disk (status OK), the rest are empty (NOT
      with ``array=1``            INSTALLED); IDENT, FAULT, DO NOT REMOVE, DEVICE
                                  OFF, remove/insert requests stick; an array
                                  device slot's array state (OK, HOT SPARE, IN
                                  FAILED ARRAY, REBUILD/REMAP ...) too
1     power supply (02h)          ``power_supplies``, on and OK
2     cooling (03h)               ``fans``, 8400 rpm; a REQUESTED SPEED CODE sticks
3     temperature sensor (04h)    ``temperature_sensors``, 25 C and up
4     voltage sensor (12h)        two sensors, 12 V and 5 V
5     enclosure (0Eh)             one; REQUEST FAILURE / WARNING stick
====  ==========================  =============================================

Pages: 00h, 01h, 02h, 03h, 04h, 05h, 07h, 08h, 09h, 0Ah, 0Bh-0Fh (one subenclosure, the
primary; no microcode download in progress); SEND DIAGNOSTIC takes 02h, 04h, 05h, 0Ch
and 0Fh, and the string, thresholds and nickname sent are what later reads return.
With array device slots, also SES-1's array status page (06h: the enclosure status
page's elements under page code 06h, as an enclosure that kept SES-1's page would
answer) and array control page (06h, applied as the enclosure control page is), so
either page changes the same elements.

A control page applies, for every element with SELECT set, the control bits that have
a status bit of the same meaning in the same place (RQST IDENT -> IDENT, RQST FAULT ->
FAULT REQSTD, ...), plus PRDFAIL, DISABLE and RST SWAP of byte 0.  A control page whose
EXPECTED GENERATION CODE is not the current one is refused with INVALID FIELD IN
PARAMETER LIST pointing at it.  The additional element status page gives each slot's
disk SAS address with EIP=1 and EIIOE=00b, so a host can map disks to slots.

This module builds its bytes from SES-4 directly and does not use sgframe's decoders,
so the tests that decode its pages check one against the other.
"""
from __future__ import annotations

import hashlib
from typing import Dict, List, Optional, Tuple

from sgframe.emu import sense as _sense
from sgframe.emu import table as _table
from sgframe.emu import vpd as _vpd
from sgframe.emu.disk import EmulatedDisk, _check_int
from sgframe.emu.reply import Request

__all__ = ["EmulatedEnclosure"]

PERIPHERAL = 0x0D  # enclosure services device

DEVICE_SLOT, POWER_SUPPLY, COOLING, TEMPERATURE, VOLTAGE, ENCLOSURE = 0x01, 0x02, 0x03, 0x04, 0x12, 0x0E
ARRAY_DEVICE_SLOT = 0x17

# ELEMENT STATUS CODE values used (SES-4 table 74).
UNSUPPORTED, OK, NOT_INSTALLED = 0x0, 0x1, 0x5

# Per element type: the bits of bytes 1-3 (as a 24-bit mask) where a control element's
# field and the status element's field are the same thing.  Device slot (SES-4 7.3.2):
# DO NOT REMOVE, RQST INSERT/READY TO INSERT, RQST REMOVE/RMV, RQST IDENT/IDENT in byte 2;
# RQST FAULT/FAULT REQSTD, DEVICE OFF, ENABLE BYP A/B and BYPASSED A/B in byte 3.
# Power supply and cooling: RQST IDENT, DO NOT REMOVE; RQST FAIL/FAIL, RQST ON/RQSTED ON.
# Sensors: RQST IDENT, RQST FAIL.  Enclosure: RQST IDENT; REQUEST FAILURE/WARNING.
# Array device slot (SES-4 7.3.3): the device slot's, and in byte 1 every array state bit
# (RQST OK/OK, RQST RSVD DEVICE/RSVD DEVICE, ... RQST R/R ABORT/R/R ABORT).
_APPLIED: Dict[int, int] = {
    DEVICE_SLOT: 0x004E3C,
    ARRAY_DEVICE_SLOT: 0xFF4E3C,
    POWER_SUPPLY: 0xC00060,
    COOLING: 0xC00060,
    TEMPERATURE: 0xC00000,
    VOLTAGE: 0xC00000,
    ENCLOSURE: 0x800003,
}

_SUPPORTED_PAGES = (0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F)
_ARRAY_STATUS = 0x06  # SES-1's array status/control page: only with array device slots
# The largest microcode image the download microcode status page announces (no
# download is ever in progress: the control page 0Eh is not emulated).
_MICROCODE_MAXIMUM_SIZE = 0x100000
_HELP_TEXT = b"sgframe emulated enclosure: SES-4 pages 01h-0Fh; IDENT and FAULT stick."

# Thresholds (high critical, high warning, low warning, low critical): temperatures in
# degrees C + 20, voltages in 0.5 % steps of the nominal (SES-4 7.3.6, 7.3.21).
_TEMPERATURE_THRESHOLDS = bytes((60 + 20, 50 + 20, 5 + 20, 0 + 20))
_VOLTAGE_THRESHOLDS = bytes((20, 10, 10, 20))

def _sas_base(serial: str) -> int:
    # NAA 5 with a company identifier nobody owns (the emulated disk's 2A2A2Ah), the
    # rest from the serial number: stable across runs, distinct between enclosures.
    digest = int.from_bytes(hashlib.sha256(serial.encode("ascii")).digest()[:3], "big")
    return (0x5 << 60) | (_vpd.EMU_COMPANY_ID << 36) | (digest << 12)


class EmulatedEnclosure(EmulatedDisk):
    """An SES enclosure in memory; the command machinery (unit attentions, injected
    faults, CDB checking, REPORT SUPPORTED OPERATION CODES) is the emulated disk's.

    :param slots: device slots (1..255).
    :param devices: how many of the first slots hold a disk (default: all).
    :param power_supplies: power supply elements (0..255).
    :param fans: cooling elements (0..255).
    :param temperature_sensors: temperature sensor elements (0..255).
    :param array: the slots are array device slots (17h, with the array state of a RAID
        member), and SES-1's array status/control page (06h) is answered.
    """

    def __init__(
        self,
        slots: int = 12,
        *,
        devices: Optional[int] = None,
        power_supplies: int = 2,
        fans: int = 4,
        temperature_sensors: int = 2,
        vendor: str = "SGFRAME",
        product: str = "EMU ENCLOSURE",
        revision: str = "0001",
        serial: Optional[str] = None,
        dsense: bool = False,
        unit_attention: bool = False,
        array: bool = False,
    ) -> None:
        super().__init__(blocks=1, vendor=vendor, product=product, revision=revision, serial=serial, lbpu=False,
                         dsense=dsense, write_cache=False,
                         unit_attention=unit_attention)
        self.slots = _check_int("slots", slots, 1, 255)
        self.devices = self.slots if devices is None else _check_int("devices", devices, 0, self.slots)
        self.array = bool(array)
        counts = (
            (ARRAY_DEVICE_SLOT, self.slots, "Array Device Slots") if self.array else (DEVICE_SLOT, self.slots,
                                                                                      "Drive Slots"),
            (POWER_SUPPLY, _check_int("power_supplies", power_supplies, 0, 255), "Power Supplies"),
            (COOLING, _check_int("fans", fans, 0, 255), "Cooling Fans"),
            (TEMPERATURE, _check_int("temperature_sensors", temperature_sensors, 0, 255), "Temperature Sensors"),
            (VOLTAGE, 2, "Voltage Sensors"),
            (ENCLOSURE, 1, "Enclosure"),
        )
        #: (element type, count, type descriptor text) per type descriptor header.
        self.types: Tuple[Tuple[int, int, str], ...] = counts
        self.generation = 0
        self.sas_base = _sas_base(self.serial)
        #: Per type header: [overall, individual...] status elements, 4 bytes each.
        self.status: List[List[bytearray]] = [
            [self._initial(kind, None)] + [self._initial(kind, i) for i in range(count)] for kind, count, _ in counts
        ]
        self.thresholds: List[List[bytes]] = [
            [self._threshold(kind)] * (count + 1) for kind, count, _ in counts
        ]
        self.string_out = b""
        self.subenclosure_string = b""
        self.nickname = b""
        self._become_enclosure()

    # ------------------------------------------------------------------ the elements

    def device_sas_address(self, slot: int) -> int:
        """The SAS address of the disk in ``slot`` (0-based)."""
        return self.sas_base | (0x100 + slot)

    @property
    def expander_sas_address(self) -> int:
        return self.sas_base | 0xFFF

    def _initial(self, kind: int, index: Optional[int]) -> bytearray:
        if index is None:
            return bytearray((UNSUPPORTED, 0, 0, 0))
        if kind == DEVICE_SLOT:
            code = OK if index < self.devices else NOT_INSTALLED
            return bytearray((code, index, 0, 0))
        if kind == ARRAY_DEVICE_SLOT:  # a member in use: the array state's OK bit; an empty slot none
            return bytearray((OK, 0x80, 0, 0)) if index < self.devices else bytearray((NOT_INSTALLED, 0, 0, 0))
        if kind == POWER_SUPPLY:
            return bytearray((OK, 0, 0, 0x20))  # RQSTED ON
        if kind == COOLING:
            rpm = 8400 + 120 * index
            value = rpm // 10  # FAN SPEED FACTOR 0: units of 10 rpm
            return bytearray((OK, value >> 8, value & 0xFF, 0x20 | 0x04))  # RQSTED ON, intermediate speed
        if kind == TEMPERATURE:
            return bytearray((OK, 0, 25 + 3 * index + 20, 0))
        if kind == VOLTAGE:
            centivolts = (1205, 502)[index % 2]
            return bytearray((OK, 0, centivolts >> 8, centivolts & 0xFF))
        return bytearray((OK, 0, 0, 0))  # the enclosure

    @staticmethod
    def _threshold(kind: int) -> bytes:
        if kind == TEMPERATURE:
            return _TEMPERATURE_THRESHOLDS
        if kind == VOLTAGE:
            return _VOLTAGE_THRESHOLDS
        return bytes(4)

    def element(self, type_index: int, element_index: Optional[int]) -> bytes:
        """The current status element (None as the element index: the overall one)."""
        group = self.status[type_index]
        return bytes(group[0 if element_index is None else element_index + 1])

    # ------------------------------------------------------------------- the pages

    def _page(self, code: int, body: bytes, byte1: int = 0) -> bytes:
        return bytes((code, byte1)) + len(body).to_bytes(2, "big") + body

    def _generation(self) -> bytes:
        return self.generation.to_bytes(4, "big")

    def configuration_page(self) -> bytes:
        descriptor = bytearray(40)
        descriptor[0] = 0x11  # relative ES process 1 of 1
        descriptor[1] = 0  # subenclosure 0: the primary
        descriptor[2] = len(self.types)
        descriptor[3] = len(descriptor) - 4
        descriptor[4:12] = self.sas_base.to_bytes(8, "big")  # ENCLOSURE LOGICAL IDENTIFIER
        descriptor[12:20] = self.vendor.ljust(8).encode("ascii")
        descriptor[20:36] = self.product.ljust(16).encode("ascii")
        descriptor[36:40] = self.revision.ljust(4).encode("ascii")
        headers = b"".join(bytes((kind, count, 0, len(text))) for kind, count, text in self.types)
        texts = b"".join(text.encode("ascii") for _, _, text in self.types)
        return self._page(0x01, self._generation() + bytes(descriptor) + headers + texts)

    def enclosure_status_page(self, code: int = 0x02) -> bytes:
        """Page 02h; with ``code`` 06h the same elements as SES-1's array status page."""
        elements = b"".join(bytes(e) for group in self.status for e in group)
        crit = any(bytes(e)[0] & 0x0F == 0x2 for group in self.status for e in group)
        return self._page(code, self._generation() + elements, 0x02 if crit else 0)

    @property
    def supported_pages(self) -> Tuple[int, ...]:
        return tuple(sorted(_SUPPORTED_PAGES + ((_ARRAY_STATUS,) if self.array else ())))

    def threshold_in_page(self) -> bytes:
        return self._page(0x05, self._generation() + b"".join(t for group in self.thresholds for t in group))

    def _descriptor_texts(self) -> List[List[str]]:
        names = {DEVICE_SLOT: "SLOT {:02d}", ARRAY_DEVICE_SLOT: "SLOT {:02d}", POWER_SUPPLY: "PSU {}", COOLING: "FAN {}", TEMPERATURE: "TEMP {}",
                 ENCLOSURE: "ENCLOSURE"}
        texts = []
        for kind, count, header in self.types:
            if kind == VOLTAGE:
                texts.append([header] + ["12V", "5V"][:count])
            else:
                texts.append([header] + [names[kind].format(i) for i in range(count)])
        return texts

    def element_descriptor_page(self) -> bytes:
        body = bytearray(self._generation())
        for group in self._descriptor_texts():
            for text in group:
                raw = text.encode("ascii")
                body += bytes((0, 0)) + len(raw).to_bytes(2, "big") + raw
        return self._page(0x07, bytes(body))

    def additional_element_status_page(self) -> bytes:
        body = bytearray(self._generation())
        for slot in range(self.slots):
            phy = bytearray(28)
            if slot < self.devices:
                phy[0] = 0x10  # DEVICE TYPE 001b: end device
                phy[3] = 0x08  # SSP TARGET PORT
                phy[4:12] = self.expander_sas_address.to_bytes(8, "big")
                phy[12:20] = self.device_sas_address(slot).to_bytes(8, "big")
            phy[20] = slot  # PHY IDENTIFIER
            # EIP=1, PROTOCOL IDENTIFIER 6h (SAS); EIIOE 00b; ELEMENT INDEX counts the
            # individual elements only, and the device slots come first, so it is the slot.
            specific = bytes((1, 0x00, 0, slot)) + bytes(phy)  # one phy, descriptor type 00b
            body += bytes((0x16, 2 + len(specific), 0x00, slot)) + specific
        return self._page(0x0A, bytes(body))

    def diagnostic_page(self, code: int) -> bytes:
        if code == 0x00:
            return self._page(0x00, bytes(self.supported_pages))
        if code == 0x01:
            return self.configuration_page()
        if code == 0x02:
            return self.enclosure_status_page()
        if code == 0x03:
            return self._page(0x03, _HELP_TEXT)
        if code == 0x04:
            return self._page(0x04, self.string_out)
        if code == 0x05:
            return self.threshold_in_page()
        if code == _ARRAY_STATUS and self.array:
            return self.enclosure_status_page(_ARRAY_STATUS)
        if code == 0x07:
            return self.element_descriptor_page()
        if code == 0x08:
            return self._page(0x08, b"", 0)  # SHORT ENCLOSURE STATUS 0: nothing to report
        if code == 0x09:
            return self._page(0x09, b"", 0)  # not busy
        if code == 0x0A:
            return self.additional_element_status_page()
        if code == 0x0B:  # one subenclosure (the primary): its help text
            return self._page(0x0B, self._generation() + bytes((0, 0)) + len(_HELP_TEXT).to_bytes(2, "big")
                              + _HELP_TEXT)
        if code == 0x0C:
            data = self.subenclosure_string
            return self._page(0x0C, self._generation() + bytes((0, 0)) + len(data).to_bytes(2, "big") + data)
        if code == 0x0D:
            return self._page(0x0D, bytes(c for c in self.supported_pages if c))
        if code == 0x0E:  # subenclosure 0: no download in progress
            return self._page(0x0E, self._generation() + bytes(4) + _MICROCODE_MAXIMUM_SIZE.to_bytes(4, "big")
                              + bytes(8))
        if code == 0x0F:  # subenclosure 0: nickname status 0, language code 0 (English)
            return self._page(0x0F, self._generation() + bytes(8) + self.nickname.ljust(32, b"\x00"))
        raise KeyError(code)

    # ---------------------------------------------------------------- control pages

    def _check_generation(self, data: bytes) -> None:
        if len(data) < 8:
            raise _sense.parameter_list_length_error()
        if int.from_bytes(data[4:8], "big") != self.generation:
            raise _sense.invalid_field_in_parameter_list(4)

    def apply_control(self, data: bytes) -> None:
        """An enclosure control page (02h), or SES-1's array control page (06h): the same
        layout, and here the same elements."""
        self._check_generation(data)
        expected = 8 + 4 * sum(len(group) for group in self.status)
        if len(data) != expected:
            raise _sense.invalid_field_in_parameter_list(2)
        at = 8
        for (kind, _, _), group in zip(self.types, self.status):
            applied = _APPLIED[kind]
            for element in group:
                control = data[at:at + 4]
                at += 4
                if not control[0] & 0x80:  # SELECT clear: leave this element alone
                    continue
                byte0 = element[0] & ~0x70 | control[0] & 0x60  # PRDFAIL, DISABLE -> DISABLED
                if not control[0] & 0x10:  # RST SWAP clears SWAP
                    byte0 |= element[0] & 0x10
                rest = int.from_bytes(element[1:4], "big")
                rest = rest & ~applied | int.from_bytes(control[1:4], "big") & applied
                element[0] = byte0
                element[1:4] = rest.to_bytes(3, "big")
                if kind in (POWER_SUPPLY, COOLING):
                    # OFF follows RQST ON: the supply or fan turns off when asked to.
                    element[3] = element[3] & ~0x10 | (0 if element[3] & 0x20 else 0x10)
                if kind == COOLING and control[3] & 0x07:
                    element[3] = element[3] & ~0x07 | control[3] & 0x07  # REQUESTED -> ACTUAL SPEED CODE

    def apply_subenclosure_page(self, data: bytes) -> None:
        """Subenclosure string out (0Ch) or nickname control (0Fh), for subenclosure 0."""
        if data[1] != 0:
            raise _sense.invalid_field_in_parameter_list(1)  # no secondary subenclosures
        self._check_generation(data)
        if data[0] == 0x0C:
            self.subenclosure_string = bytes(data[8:])
        else:
            if len(data) != 40:
                raise _sense.invalid_field_in_parameter_list(2)
            self.nickname = bytes(data[8:40]).rstrip(b"\x00")

    def apply_thresholds(self, data: bytes) -> None:
        """A threshold out page (05h)."""
        self._check_generation(data)
        expected = 8 + 4 * sum(len(group) for group in self.thresholds)
        if len(data) != expected:
            raise _sense.invalid_field_in_parameter_list(2)
        at = 8
        for group in self.thresholds:
            for i in range(len(group)):
                group[i] = bytes(data[at:at + 4])
                at += 4

    # ------------------------------------------------------------- command handlers

    def _become_enclosure(self) -> None:
        # An enclosure services device has no medium: keep the SPC commands, drop the rest.
        keep = {0x00, 0x03, 0x12, 0x1C, 0x1D, 0x3B, 0x3C, 0xA0, 0xA3}
        for spec in list(self.table):
            if spec.opcode not in keep:
                self.table.remove(spec.opcode, spec.service_action)
        for spec in list(self.table):
            if spec.opcode == 0xA3 and spec.service_action == 0x0A:
                self.table.remove(0xA3, 0x0A)  # no target port groups either
        for spec in list(self.table):
            if spec.opcode in (0x12, 0x1C, 0x1D):
                handler = {0x12: _inquiry, 0x1C: _receive_diagnostic_results, 0x1D: _send_diagnostic}[spec.opcode]
                self.table.add(_table.CommandSpec(
                    opcode=spec.opcode, service_action=None, name=spec.name, handler=handler, usage=spec.usage,
                    medium=False, access=spec.access, timeouts=spec.timeouts, allocation=spec.allocation,
                ))


# The handlers take the enclosure the way the disk's handlers take the disk.

def _standard_inquiry(enc: EmulatedEnclosure) -> bytes:
    raw = bytearray(_vpd.standard_inquiry(enc))
    raw[0] = PERIPHERAL
    raw[5] = 0x00  # no ALUA
    raw[6] = 0x40  # ENCSERV: the logical unit is an enclosure services process
    raw[58:64] = bytes((0x00, 0xA0, 0x05, 0xC0, 0x00, 0x00))  # SAM-5, SPC-5
    return bytes(raw)


def _vpd_page(enc: EmulatedEnclosure, code: int) -> Optional[bytes]:
    if code == 0x00:
        body = bytes((0x00, 0x80, 0x83))
    elif code == 0x80:
        body = enc.serial.encode("ascii")
    elif code == 0x83:
        t10 = (enc.vendor.ljust(8) + enc.product.ljust(16) + enc.serial).encode("ascii")
        body = (
            bytes((0x01, 0x03, 0, 8)) + enc.sas_base.to_bytes(8, "big")  # NAA 5, logical unit
            + bytes((0x02, 0x01, 0, len(t10))) + t10  # T10 vendor ID, logical unit
            # SAS target port of the enclosure (PIV=1, protocol 6h, association target port)
            + bytes((0x61, 0x93, 0, 8)) + enc.expander_sas_address.to_bytes(8, "big")
            + bytes((0x61, 0x94, 0, 4)) + (1).to_bytes(4, "big")  # relative target port 1
        )
    else:
        return None
    return bytes((PERIPHERAL, code)) + len(body).to_bytes(2, "big") + body


def _inquiry(enc: EmulatedEnclosure, request: Request) -> bytes:
    cdb = request.cdb
    if not cdb[1] & 0x01:
        if cdb[2]:
            raise _sense.invalid_field_in_cdb(2)
        return _standard_inquiry(enc)
    page = _vpd_page(enc, cdb[2])
    if page is None:
        raise _sense.invalid_field_in_cdb(2)
    return page


def _receive_diagnostic_results(enc: EmulatedEnclosure, request: Request) -> bytes:
    cdb = request.cdb
    code = cdb[2]
    if not cdb[1] & 0x01:  # PCV=0: the page the last SEND DIAGNOSTIC chose; none here
        code = 0x00
    try:
        return enc.diagnostic_page(code)
    except KeyError:
        raise _sense.invalid_field_in_cdb(2) from None


def _send_diagnostic(enc: EmulatedEnclosure, request: Request) -> None:
    cdb = request.cdb
    length = request.u(3, 2)
    if cdb[1] & 0x04:  # SELFTEST: the enclosure passes its default self-test
        if cdb[1] >> 5:
            raise _sense.invalid_field_in_cdb(1, 7)
        return None
    if cdb[1] >> 5:
        raise _sense.invalid_field_in_cdb(1, 7)  # no background or foreground self-tests
    if not length:
        return None
    if not cdb[1] & 0x10:
        raise _sense.invalid_field_in_cdb(1, 4)  # only page format parameter lists
    data = request.parameters(length)
    if length < 4 or 4 + int.from_bytes(data[2:4], "big") != length:
        raise _sense.parameter_list_length_error()
    code = data[0]
    if code == 0x02 or (code == _ARRAY_STATUS and enc.array):
        enc.apply_control(data)
    elif code == 0x04:
        enc.string_out = bytes(data[4:])
    elif code == 0x05:
        enc.apply_thresholds(data)
    elif code in (0x0C, 0x0F):
        enc.apply_subenclosure_page(data)
    else:
        raise _sense.invalid_field_in_parameter_list(0)
    return None
