"""SES-4 element types: the fields of each one's status element and control element.

Every status and control element is four bytes (SES-4 7.3).  Byte 0 is common: in a
status element PRDFAIL (bit 6), DISABLED (5), SWAP (4) and the ELEMENT STATUS CODE
(3-0); in a control element SELECT (7), PRDFAIL (6), DISABLE (5) and RST SWAP (4).
Bytes 1-3 belong to the element type; each type's fields are declared once below, as
(name, byte, lowest bit, width) in the order of its SES-4 table, and the same
declaration decodes a status element, names its fields for the command line (the label
``sg_ses`` prints) and tells the control page builder which bits it may carry over.

``keep`` on a control field means the status element has the same field, with the same
meaning, in the same place (RQST IDENT and IDENT, RQST FAULT and FAULT REQSTD): a
read-modify-write keeps the current value there.  Everything else in a control element
starts at zero, because the status bit in that position means something else (status
ENCLOSURE BYPASSED B sits where control RQST MISSING does) or is reserved; SES-4 makes
reserved bits zero.  The kept bits are the ones sg_ses' table for the same purpose
(``ses3_element_cmask_arr``) keeps, plus DO NOT REMOVE where SES-4 added it to the
power supply, cooling, enclosure services controller and UPS elements.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

import attrs

from .._util import Record, name_of, raw_repr

__all__ = [
    "StatusField",
    "ControlField",
    "ElementType",
    "ELEMENT_TYPES",
    "ELEMENT_STATUS_CODES",
    "CONNECTOR_TYPES",
    "element_type",
    "element_type_name",
    "decode_status_element",
    "decode_array_status_element",
    "array_element_type",
    "SES1_ARRAY_DEVICE",
]

#: SES-4 table 74 (ELEMENT STATUS CODE).
ELEMENT_STATUS_CODES = {
    0x0: "Unsupported", 0x1: "OK", 0x2: "Critical", 0x3: "Noncritical", 0x4: "Unrecoverable",
    0x5: "Not installed", 0x6: "Unknown", 0x7: "Not available", 0x8: "No access allowed",
}

#: SES-4 table 139 (CONNECTOR TYPE of the SAS connector element).
CONNECTOR_TYPES = {
    0x00: "No information",
    0x01: "SAS 4x receptacle (SFF-8470)",
    0x02: "Mini SAS 4x receptacle (SFF-8088)",
    0x03: "QSFP+ receptacle (SFF-8436)",
    0x04: "Mini SAS 4x active receptacle (SFF-8088)",
    0x05: "Mini SAS HD 4x receptacle (SFF-8644)",
    0x06: "Mini SAS HD 8x receptacle (SFF-8644)",
    0x07: "Mini SAS HD 16x receptacle (SFF-8644)",
    0x0F: "vendor specific external connector",
    0x10: "SAS 4i plug (SFF-8484)",
    0x11: "Mini SAS 4i receptacle (SFF-8087)",
    0x12: "Mini SAS HD 4i receptacle (SFF-8643)",
    0x13: "Mini SAS HD 8i receptacle (SFF-8643)",
    0x14: "Mini SAS HD 16i receptacle (SFF-8643)",
    0x15: "SlimSAS 4i (SFF-8654)",
    0x16: "SlimSAS 8i (SFF-8654)",
    0x17: "SAS MiniLink 4i (SFF-8612)",
    0x18: "SAS MiniLink 8i (SFF-8612)",
    0x1F: "vendor specific internal wide connector",
    0x20: "SAS drive backplane receptacle (SFF-8482)",
    0x21: "SATA host plug",
    0x22: "SAS drive plug (SFF-8482)",
    0x23: "SATA device plug",
    0x24: "Micro SAS receptacle",
    0x25: "Micro SATA device plug",
    0x26: "Micro SAS plug",
    0x27: "Micro SAS/SATA plug",
    0x28: "12 Gb/s SAS drive backplane receptacle (SFF-8680)",
    0x29: "12 Gb/s SAS drive plug (SFF-8680)",
    0x2A: "Multifunction 12 Gb/s 6x unshielded receptacle (SFF-8639)",
    0x2B: "Multifunction 12 Gb/s 6x unshielded plug (SFF-8639)",
    0x2C: "SAS MultiLink drive backplane receptacle (SFF-8630)",
    0x2D: "SAS MultiLink drive backplane plug (SFF-8630)",
    0x2F: "SAS virtual connector",
    0x3F: "vendor specific internal connector",
    0x40: "SAS high density drive backplane receptacle (SFF-8631)",
    0x41: "SAS high density drive backplane plug (SFF-8631)",
}


@attrs.frozen
class StatusField:
    """A field of a status element: ``width`` bits of byte ``byte`` from bit ``shift``
    (a 16-bit field starts at ``byte`` and takes the next one too).

    :param label: what ``sg_ses`` calls it in ``Label=value`` (None: sg_ses shows it
        differently or not at all).
    :param when: for fields that exist only for some values of an earlier one (the
        invalid operation reason element), a test on the four raw bytes.
    """

    name: str
    byte: int
    shift: int = 0
    width: int = 1
    label: Optional[str] = None
    signed: bool = False
    when: Optional[Callable[[bytes], bool]] = attrs.field(default=None, eq=False)

    def read(self, raw: bytes) -> Any:
        if self.width > 8:
            value = int.from_bytes(raw[self.byte:self.byte + 2], "big") & ((1 << self.width) - 1)
            if self.signed and value >= 1 << (self.width - 1):
                value -= 1 << self.width
            return value
        value = (raw[self.byte] >> self.shift) & ((1 << self.width) - 1)
        return bool(value) if self.width == 1 else value


@attrs.frozen
class ControlField:
    """A field of a control element (same coordinates as :class:`StatusField`).

    :param keep: carried over from the status element in a read-modify-write.
    :param aliases: sg_ses' acronyms for it (``ident`` for RQST IDENT).
    """

    name: str
    byte: int
    shift: int = 0
    width: int = 1
    keep: bool = True
    aliases: Tuple[str, ...] = ()

    @property
    def mask(self) -> int:
        """The field's bits within bytes 0-3, as a 32-bit big-endian mask."""
        bits = ((1 << self.width) - 1) << self.shift
        if self.width > 8:
            return bits << (8 * (2 - self.byte))
        return bits << (8 * (3 - self.byte))


@attrs.frozen
class ElementType:
    code: int
    name: str
    acronym: str
    status: Tuple[StatusField, ...]
    control: Tuple[ControlField, ...]
    #: Values computed from the fields, as sg_ses shows them (a fan's rpm, degrees C).
    derive: Optional[Callable[[Dict[str, Any]], Dict[str, Any]]] = attrs.field(default=None, eq=False)
    #: The generated record class of this type's status elements.
    record: Any = attrs.field(default=None, eq=False)

    @property
    def keep_mask(self) -> int:
        """Bits of bytes 0-3 a control element carries over from the status element:
        PRDFAIL, and every kept control field."""
        mask = 0x40 << 24
        for f in self.control:
            if f.keep:
                mask |= f.mask
        return mask

    def control_field(self, name: str) -> ControlField:
        """The control field called ``name`` (its T10 name or an sg_ses acronym)."""
        wanted = name.lower().replace("-", "_")
        for f in self.control + _COMMON_CONTROL:
            if wanted == f.name or wanted in f.aliases:
                return f
        from ...errors import UsageError

        known = sorted({n for f in self.control + _COMMON_CONTROL for n in (f.name,) + f.aliases})
        raise UsageError(f"a {self.name} control element has no field {name!r}; it has: {', '.join(known)}")


S = StatusField
C = ControlField

# Byte 0 of every control element but SELECT, which the page builder owns.
_COMMON_CONTROL = (
    C("prdfail", 0, 6, aliases=("predicted_failure",)),
    C("disable", 0, 5, keep=False),
    C("rst_swap", 0, 4, keep=False, aliases=("swap",)),
)

_IDENT_FAIL = (S("ident", 1, 7, label="Ident"), S("fail", 1, 6, label="Fail"))
_RQST_IDENT_FAIL = (C("rqst_ident", 1, 7, aliases=("ident", "locate")), C("rqst_fail", 1, 6, aliases=("fail",)))

# Bytes 2-3 of the device slot and array device slot status elements (SES-4 7.3.2, 7.3.3).
_SLOT_STATUS = (
    S("app_client_bypassed_a", 2, 7),
    S("do_not_remove", 2, 6, label="Do not remove"),
    S("enclosure_bypassed_a", 2, 5),
    S("enclosure_bypassed_b", 2, 4),
    S("ready_to_insert", 2, 3, label="Ready to insert"),
    S("rmv", 2, 2, label="RMV"),
    S("ident", 2, 1, label="Ident"),
    S("report", 2, 0, label="Report"),
    S("app_client_bypassed_b", 3, 7),
    S("fault_sensed", 3, 6, label="Fault sensed"),
    S("fault_reqstd", 3, 5),
    S("device_off", 3, 4, label="Device off"),
    S("bypassed_a", 3, 3, label="Bypassed A"),
    S("bypassed_b", 3, 2, label="Bypassed B"),
    S("device_bypassed_a", 3, 1),
    S("device_bypassed_b", 3, 0),
)
_SLOT_CONTROL = (
    C("rqst_active", 2, 7, keep=False, aliases=("active",)),
    C("do_not_remove", 2, 6, aliases=("dnr",)),
    C("rqst_missing", 2, 4, keep=False, aliases=("missing",)),
    C("rqst_insert", 2, 3, aliases=("insert",)),
    C("rqst_remove", 2, 2, aliases=("remove",)),
    C("rqst_ident", 2, 1, aliases=("ident", "locate")),
    C("rqst_fault", 3, 5, aliases=("fault",)),
    C("device_off", 3, 4, aliases=("devoff",)),
    C("enable_byp_a", 3, 3, aliases=("bypa",)),
    C("enable_byp_b", 3, 2, aliases=("bypb",)),
)


def _fan(values: Dict[str, Any]) -> Dict[str, Any]:
    # SES-4 7.3.5: the ACTUAL FAN SPEED unit depends on the FAN SPEED FACTOR
    # (0: x10 rpm; 1: x10 rpm + 20480; 2: x100 rpm; 3: reserved).
    factor, speed = values["fan_speed_factor"], values["actual_fan_speed"]
    rpm = {0: speed * 10, 1: speed * 10 + 20480, 2: speed * 100}.get(factor)
    return {"actual_speed_rpm": rpm}


def _temperature(values: Dict[str, Any]) -> Dict[str, Any]:
    # SES-4 7.3.6: degrees C + 20, so -19..235; 0 is reserved.
    value = values["temperature"]
    return {"temperature_celsius": value - 20 if value else None}


def _voltage(values: Dict[str, Any]) -> Dict[str, Any]:
    return {"volts": values["voltage"] / 100}  # units of 10 mV (SES-4 7.3.21)


def _current(values: Dict[str, Any]) -> Dict[str, Any]:
    return {"amperes": values["current"] / 100}  # units of 10 mA (SES-4 7.3.22)


def _connector(values: Dict[str, Any]) -> Dict[str, Any]:
    code = values["connector_type"]
    default = "vendor specific" if 0x70 <= code <= 0x7F else "reserved"
    return {"connector_type_name": name_of(CONNECTOR_TYPES, code, default)}


def _invop(kind: int) -> Callable[[bytes], bool]:
    return lambda raw: raw[1] >> 6 == kind


# sg_ses words the same bytes 2-3 differently for the two slot types.
_ARRAY_LABELS = {
    "app_client_bypassed_a": "App client bypass A", "enclosure_bypassed_a": "Enc bypass A",
    "enclosure_bypassed_b": "Enc bypass B", "app_client_bypassed_b": "App client bypass B",
    "fault_reqstd": "Fault reqstd", "device_bypassed_a": "Dev bypassed A", "device_bypassed_b": "Dev bypassed B",
}
_DEVICE_LABELS = {
    "app_client_bypassed_a": "App client bypassed A", "enclosure_bypassed_a": "Enc bypassed A",
    "enclosure_bypassed_b": "Enc bypassed B", "app_client_bypassed_b": "App client bypassed B",
    "fault_reqstd": "Fault requested", "device_bypassed_a": "Device bypassed A", "device_bypassed_b": "Device bypassed B",
}


_TYPES: List[ElementType] = [
    ElementType(0x00, "Unspecified", "un", (), ()),
    ElementType(0x01, "Device slot", "dev", (S("slot_address", 1, 0, 8, label="Slot address"),) + tuple(
        attrs.evolve(f, label=f.label or _DEVICE_LABELS.get(f.name)) for f in _SLOT_STATUS
    ), _SLOT_CONTROL),
    ElementType(0x02, "Power supply", "ps", (
        S("ident", 1, 7, label="Ident"), S("do_not_remove", 1, 6, label="Do not remove"),
        S("dc_over_voltage", 2, 3, label="DC overvoltage"), S("dc_under_voltage", 2, 2, label="DC undervoltage"),
        S("dc_over_current", 2, 1, label="DC overcurrent"),
        S("hot_swap", 3, 7, label="Hot swap"), S("fail", 3, 6, label="Fail"), S("rqsted_on", 3, 5, label="Requested on"),
        S("off", 3, 4, label="Off"), S("overtmp_fail", 3, 3, label="Overtmp fail"),
        S("temp_warn", 3, 2, label="Temperature warn"), S("ac_fail", 3, 1, label="AC fail"),
        S("dc_fail", 3, 0, label="DC fail"),
    ), (
        C("rqst_ident", 1, 7, aliases=("ident", "locate")), C("do_not_remove", 1, 6, aliases=("dnr",)),
        C("rqst_fail", 3, 6, aliases=("fail",)), C("rqst_on", 3, 5, aliases=("on",)),
    )),
    ElementType(0x03, "Cooling", "coo", (
        S("ident", 1, 7, label="Ident"), S("do_not_remove", 1, 6, label="Do not remove"),
        S("fan_speed_factor", 1, 3, 2), S("actual_fan_speed", 1, 0, 11),
        S("hot_swap", 3, 7, label="Hot swap"), S("fail", 3, 6, label="Fail"), S("rqsted_on", 3, 5, label="Requested on"),
        S("off", 3, 4, label="Off"), S("actual_speed_code", 3, 0, 3),
    ), (
        C("rqst_ident", 1, 7, aliases=("ident", "locate")), C("do_not_remove", 1, 6, aliases=("dnr",)),
        C("rqst_fail", 3, 6, aliases=("fail",)), C("rqst_on", 3, 5, aliases=("on",)),
        C("requested_speed_code", 3, 0, 3, keep=False, aliases=("speed_code",)),
    ), derive=_fan),
    ElementType(0x04, "Temperature sensor", "ts", _IDENT_FAIL + (
        S("offset_for_reference_temperature", 1, 0, 6), S("temperature", 2, 0, 8),
        S("rqsted_override", 3, 7), S("ot_failure", 3, 3, label="OT failure"),
        S("ot_warning", 3, 2, label="OT warning"), S("ut_failure", 3, 1, label="UT failure"),
        S("ut_warning", 3, 0, label="UT warning"),
    ), _RQST_IDENT_FAIL, derive=_temperature),
    ElementType(0x05, "Door", "do", _IDENT_FAIL + (S("open", 3, 1, label="Open"), S("unlocked", 3, 0, label="Unlock")),
                _RQST_IDENT_FAIL + (C("unlock", 3, 0),)),
    ElementType(0x06, "Audible alarm", "aa", _IDENT_FAIL + (
        S("rqst_mute", 3, 7, label="Request mute"), S("muted", 3, 6, label="Mute"), S("remind", 3, 4, label="Remind"),
        S("info", 3, 3, label="Info"), S("non_crit", 3, 2, label="Non-crit"), S("crit", 3, 1, label="Crit"),
        S("unrecov", 3, 0, label="Unrecov"),
    ), _RQST_IDENT_FAIL + (
        C("set_mute", 3, 6, aliases=("mute",)), C("set_remind", 3, 4, aliases=("remind",)),
        C("tone_urgency_control", 3, 0, 4, aliases=("urgency",)),
    )),
    ElementType(0x07, "Enclosure services controller electronics", "esc", _IDENT_FAIL + (
        S("do_not_remove", 1, 5, label="Do not remove"), S("report", 2, 0, label="Report"),
        S("hot_swap", 3, 7, label="Hot swap"),
    ), _RQST_IDENT_FAIL + (
        C("do_not_remove", 1, 5, aliases=("dnr",)), C("select_element", 2, 0),
    )),
    ElementType(0x08, "SCC controller electronics", "sce", _IDENT_FAIL + (S("report", 2, 0, label="Report"),),
                _RQST_IDENT_FAIL),
    ElementType(0x09, "Nonvolatile cache", "nc", _IDENT_FAIL + (
        S("size_multiplier", 1, 0, 2, label="Size multiplier"),
        S("nonvolatile_cache_size", 2, 0, 16, label="Non volatile cache size"),
    ), _RQST_IDENT_FAIL),
    ElementType(0x0A, "Invalid operation reason", "ior", (
        S("invop_type", 1, 6, 2, label="Invop type"),
        S("page_not_supported", 1, 0, label="Page not supported", when=_invop(0)),
        S("bit_number", 1, 0, 3, label="bit number", when=_invop(1)),
        S("byte_offset", 2, 0, 16, label="Byte offset", when=_invop(1)),
    ), ()),
    ElementType(0x0B, "Uninterruptible power supply", "ups", (
        S("battery_status", 1, 0, 8),
        S("ac_lo", 2, 7, label="AC low"), S("ac_hi", 2, 6, label="AC high"), S("ac_qual", 2, 5, label="AC qual"),
        S("ac_fail", 2, 4, label="AC fail"), S("dc_fail", 2, 3, label="DC fail"), S("ups_fail", 2, 2, label="UPS fail"),
        S("warn", 2, 1, label="Warn"), S("intf_fail", 2, 0, label="Intf fail"),
        S("ident", 3, 7, label="Ident"), S("fail", 3, 6, label="Fail"), S("do_not_remove", 3, 5, label="Do not remove"),
        S("batt_fail", 3, 1, label="Batt fail"), S("bpf", 3, 0, label="BPF"),
    ), (
        C("rqst_ident", 3, 7, aliases=("ident", "locate")), C("rqst_fail", 3, 6, aliases=("fail",)),
        C("do_not_remove", 3, 5, aliases=("dnr",)),
    )),
    ElementType(0x0C, "Display", "dis", _IDENT_FAIL + (
        S("display_mode_status", 1, 0, 2, label="Display mode status"), S("display_character_status", 2, 0, 16),
    ), _RQST_IDENT_FAIL + (
        C("display_mode", 1, 0, 2, keep=False, aliases=("disp_mode",)),
        C("display_character", 2, 0, 16, aliases=("disp_char",)),
    )),
    ElementType(0x0D, "Key pad entry", "kpe", _IDENT_FAIL, _RQST_IDENT_FAIL),
    ElementType(0x0E, "Enclosure", "enc", (
        S("ident", 1, 7, label="Ident"),
        S("time_until_power_cycle", 2, 2, 6, label="Time until power cycle"),
        S("failure_indication", 2, 1, label="Failure indication"),
        S("warning_indication", 2, 0, label="Warning indication"),
        S("requested_power_off_duration", 3, 2, 6, label="Requested power off duration"),
        S("failure_requested", 3, 1, label="Failure requested"),
        S("warning_requested", 3, 0, label="Warning requested"),
    ), (
        C("rqst_ident", 1, 7, aliases=("ident", "locate")),
        C("power_cycle_request", 2, 6, 2, keep=False, aliases=("pow_cycle",)),
        C("power_cycle_delay", 2, 0, 6, keep=False, aliases=("pow_c_delay",)),
        C("power_off_duration", 3, 2, 6, keep=False, aliases=("pow_c_duration",)),
        C("request_failure", 3, 1, aliases=("failure",)),
        C("request_warning", 3, 0, aliases=("warning",)),
    )),
    # SES-4 calls byte 3's bit DISABLED in these two, as byte 0's; port_disabled keeps
    # the record's names unique.
    ElementType(0x0F, "SCSI port/transceiver", "sp", _IDENT_FAIL + (
        S("report", 2, 0, label="Report"), S("port_disabled", 3, 4, label="Disabled"),
        S("lol", 3, 1, label="Loss of link"), S("xmit_fail", 3, 0, label="Xmit fail"),
    ), _RQST_IDENT_FAIL + (C("disable", 3, 4, aliases=("disable_elm",)),)),
    ElementType(0x10, "Language", "lan", (S("ident", 1, 7, label="Ident"), S("language_code", 2, 0, 16)),
                (C("rqst_ident", 1, 7, aliases=("ident", "locate")), C("language_code", 2, 0, 16, aliases=("language",)))),
    ElementType(0x11, "Communication port", "cp", _IDENT_FAIL + (S("port_disabled", 3, 0, label="Disabled"),),
                _RQST_IDENT_FAIL + (C("disable", 3, 0, aliases=("disable_elm",)),)),
    ElementType(0x12, "Voltage sensor", "vs", _IDENT_FAIL + (
        S("warn_over", 1, 3, label="Warn Over"), S("warn_under", 1, 2, label="Warn Under"),
        S("crit_over", 1, 1, label="Crit Over"), S("crit_under", 1, 0, label="Crit Under"),
        S("voltage", 2, 0, 16, signed=True),
    ), _RQST_IDENT_FAIL, derive=_voltage),
    ElementType(0x13, "Current sensor", "cs", _IDENT_FAIL + (
        S("warn_over", 1, 3, label="Warn Over"), S("crit_over", 1, 1, label="Crit Over"),
        S("current", 2, 0, 16, signed=True),
    ), _RQST_IDENT_FAIL, derive=_current),
    ElementType(0x14, "SCSI target port", "stp", _IDENT_FAIL + (
        S("report", 2, 0, label="Report"), S("enabled", 3, 0, label="Enabled"),
    ), _RQST_IDENT_FAIL + (C("enable", 3, 0),)),
    ElementType(0x15, "SCSI initiator port", "sip", _IDENT_FAIL + (
        S("report", 2, 0, label="Report"), S("enabled", 3, 0, label="Enabled"),
    ), _RQST_IDENT_FAIL + (C("enable", 3, 0),)),
    ElementType(0x16, "Simple subenclosure", "ss", _IDENT_FAIL + (S("short_enclosure_status", 3, 0, 8),),
                _RQST_IDENT_FAIL),
    ElementType(0x17, "Array device slot", "arr", (
        S("ok", 1, 7, label="OK"), S("rsvd_device", 1, 6, label="Reserved device"),
        S("hot_spare", 1, 5, label="Hot spare"), S("cons_chk", 1, 4, label="Cons check"),
        S("in_crit_array", 1, 3, label="In crit array"), S("in_failed_array", 1, 2, label="In failed array"),
        S("rebuild_remap", 1, 1, label="Rebuild/remap"), S("r_r_abort", 1, 0, label="R/R abort"),
    ) + tuple(
        attrs.evolve(f, label=f.label or _ARRAY_LABELS.get(f.name)) for f in _SLOT_STATUS
    ), (
        C("rqst_ok", 1, 7, aliases=("ok",)), C("rqst_rsvd_device", 1, 6, aliases=("rsvddevice",)),
        C("rqst_hot_spare", 1, 5, aliases=("hotspare",)), C("rqst_cons_check", 1, 4, aliases=("conscheck",)),
        C("rqst_in_crit_array", 1, 3, aliases=("incritarray",)),
        C("rqst_in_failed_array", 1, 2, aliases=("infailedarray",)),
        C("rqst_rebuild_remap", 1, 1, aliases=("rebuildremap",)), C("rqst_r_r_abort", 1, 0, aliases=("rrabort",)),
    ) + _SLOT_CONTROL),
    ElementType(0x18, "SAS expander", "sse", _IDENT_FAIL, _RQST_IDENT_FAIL),
    ElementType(0x19, "SAS connector", "ssc", (
        S("ident", 1, 7, label="Ident"), S("connector_type", 1, 0, 7),
        S("connector_physical_link", 2, 0, 8, label="Connector physical link"),
        S("mated", 3, 7, label="Mated"), S("fail", 3, 6, label="Fail"), S("overcurrent", 3, 5, label="OC"),
    ), (C("rqst_ident", 1, 7, aliases=("ident", "locate")), C("rqst_fail", 3, 6, aliases=("fail",))),
        derive=_connector),
]

del S, C


def _status_record(t: ElementType) -> Any:
    """An attrs record class for the status elements of one type: the common fields of
    byte 0, this type's fields, the derived values, and the raw four bytes."""
    these: Dict[str, Any] = {
        "element_type": attrs.field(),
        "element_type_name": attrs.field(),
        "prdfail": attrs.field(),
        "disabled": attrs.field(),
        "swap": attrs.field(),
        "element_status_code": attrs.field(),
        "element_status_code_name": attrs.field(),
    }
    for f in t.status:
        if f.name in these and f.name not in {g.name for g in t.status if g is not f}:
            raise ValueError(f"{t.name}: status field {f.name!r} clashes with a common field")
        these.setdefault(f.name, attrs.field(default=None))
    derived = t.derive({f.name: 0 for f in t.status}) if t.derive else {}
    for name in derived:
        these[name] = attrs.field(default=None)
    these["raw"] = attrs.field(repr=raw_repr, default=b"")
    words = "".join(w.capitalize() for w in t.name.replace("/", " ").split())
    return attrs.make_class(f"{words}Status", these, bases=(Record,), frozen=True, kw_only=True, repr=False,
                            slots=True)


#: Element type code -> :class:`ElementType`; codes 1Ah-7Fh are reserved, 80h-FFh vendor specific.
ELEMENT_TYPES: Dict[int, ElementType] = {}
for _t in _TYPES:
    ELEMENT_TYPES[_t.code] = attrs.evolve(_t, record=_status_record(_t))
del _t

_VENDOR = ElementType(0x80, "Vendor specific", "vs", (), ())
_RESERVED = ElementType(0x7F, "Reserved", "", (), ())
_VENDOR = attrs.evolve(_VENDOR, record=_status_record(_VENDOR))
_RESERVED = attrs.evolve(_RESERVED, record=_status_record(_RESERVED))

#: The device element (01h) of SES-1's array status page (06h): byte 1 has the array
#: state bits of today's array device slot, bytes 2-3 the removal, identify and bypass
#: bits at the places sg_ses reads them.  Its control element, in SES-1's array control
#: page (06h), is what SES-2 made the array device slot's (7.3.3): the RQST bits of the
#: array state in byte 1, RQST ACTIVE .. RQST IDENT in byte 2, RQST FAULT, DEVICE OFF and
#: ENABLE BYP A/B in byte 3.  A read-modify-write carries over the bits whose status
#: meaning is the control meaning: the array state, DO NOT REMOVE, RMV (RQST REMOVE),
#: IDENT (RQST IDENT) and ENABLE BYPASS A/B; the status element has no bit for RQST
#: ACTIVE, MISSING, INSERT, FAULT or DEVICE OFF, so those start clear.
SES1_ARRAY_DEVICE = ElementType(0x01, "Device slot", "dev", (
    StatusField("ok", 1, 7, label="OK"), StatusField("rsvd_device", 1, 6, label="Reserved device"),
    StatusField("hot_spare", 1, 5, label="Hot spare"), StatusField("cons_chk", 1, 4, label="Cons check"),
    StatusField("in_crit_array", 1, 3, label="In crit array"),
    StatusField("in_failed_array", 1, 2, label="In failed array"),
    StatusField("rebuild_remap", 1, 1, label="Rebuild/remap"), StatusField("r_r_abort", 1, 0, label="R/R abort"),
    StatusField("do_not_remove", 2, 6, label="Do not remove"), StatusField("rmv", 2, 2, label="RMV"),
    StatusField("ident", 2, 1, label="Ident"),
    StatusField("enable_bypass_a", 3, 3, label="Enable bypass A"),
    StatusField("enable_bypass_b", 3, 2, label="Enable bypass B"),
    StatusField("bypass_a_enabled", 3, 1, label="Bypass A enabled"),
    StatusField("bypass_b_enabled", 3, 0, label="Bypass B enabled"),
), (
    ControlField("rqst_ok", 1, 7, aliases=("ok",)), ControlField("rqst_rsvd_device", 1, 6, aliases=("rsvddevice",)),
    ControlField("rqst_hot_spare", 1, 5, aliases=("hotspare",)),
    ControlField("rqst_cons_check", 1, 4, aliases=("conscheck",)),
    ControlField("rqst_in_crit_array", 1, 3, aliases=("incritarray",)),
    ControlField("rqst_in_failed_array", 1, 2, aliases=("infailedarray",)),
    ControlField("rqst_rebuild_remap", 1, 1, aliases=("rebuildremap",)),
    ControlField("rqst_r_r_abort", 1, 0, aliases=("rrabort",)),
    ControlField("rqst_active", 2, 7, keep=False, aliases=("active",)),
    ControlField("do_not_remove", 2, 6, aliases=("dnr",)),
    ControlField("rqst_missing", 2, 4, keep=False, aliases=("missing",)),
    ControlField("rqst_insert", 2, 3, keep=False, aliases=("insert",)),
    ControlField("rqst_remove", 2, 2, aliases=("remove",)),
    ControlField("rqst_ident", 2, 1, aliases=("ident", "locate")),
    ControlField("rqst_fault", 3, 5, keep=False, aliases=("fault",)),
    ControlField("device_off", 3, 4, keep=False, aliases=("devoff",)),
    ControlField("enable_byp_a", 3, 3, aliases=("bypa",)),
    ControlField("enable_byp_b", 3, 2, aliases=("bypb",)),
))
SES1_ARRAY_DEVICE = attrs.evolve(
    SES1_ARRAY_DEVICE, record=_status_record(attrs.evolve(SES1_ARRAY_DEVICE, name="Array status device")))


def element_type(code: int) -> ElementType:
    """The declaration of element type ``code``; an unknown code gets one with no fields."""
    found = ELEMENT_TYPES.get(code)
    if found is not None:
        return found
    return attrs.evolve(_VENDOR if code >= 0x80 else _RESERVED, code=code)


def element_type_name(code: int) -> str:
    return element_type(code).name


def decode_status_element(code: int, raw: bytes) -> Any:
    """Four bytes of a status element of type ``code`` as that type's record."""
    return _decode(element_type(code), code, raw)


def array_element_type(code: int) -> ElementType:
    """The declaration of an element of type ``code`` in SES-1's array status and control
    pages (06h): :data:`SES1_ARRAY_DEVICE` for a device element (01h), else the type's own."""
    return SES1_ARRAY_DEVICE if code == 0x01 else element_type(code)


def decode_array_status_element(code: int, raw: bytes) -> Any:
    """A status element of SES-1's array status page (06h): a device element (01h) there
    has the array bits of :data:`SES1_ARRAY_DEVICE` (no slot address); other types read
    as in the enclosure status page."""
    return _decode(SES1_ARRAY_DEVICE if code == 0x01 else element_type(code), code, raw)


def _decode(t: ElementType, code: int, raw: bytes) -> Any:
    raw = bytes(raw[:4]).ljust(4, b"\x00")
    values: Dict[str, Any] = {}
    for f in t.status:
        if f.when is not None and not f.when(raw):
            continue
        values[f.name] = f.read(raw)
    derived = t.derive(values) if t.derive else {}
    status = raw[0] & 0x0F
    return t.record(
        element_type=code, element_type_name=t.name,
        prdfail=bool(raw[0] & 0x40), disabled=bool(raw[0] & 0x20), swap=bool(raw[0] & 0x10),
        element_status_code=status, element_status_code_name=name_of(ELEMENT_STATUS_CODES, status),
        raw=raw, **values, **derived,
    )