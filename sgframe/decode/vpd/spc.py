"""SPC-5 VPD pages about what a logical unit does (SPC-5 7.7, SAT-4 12.4.2): extended
INQUIRY data (86h), mode page policy (87h), ATA information (89h), power condition (8Ah),
CFA profile information (8Ch), power consumption (8Dh), protocol specific logical unit and
port information (90h, 91h) and SCSI feature sets (92h)."""
from __future__ import annotations

from typing import Optional, Tuple

import attrs

from .._util import Reader, Record, record, ascii_text, name_of, raw_repr
from ..designators import PROTOCOL_IDENTIFIERS
from ._common import VpdPage, descriptors, finish, fixed_size, flags, start, uint_fields

__all__ = [
    "MODE_PAGE_POLICIES",
    "POWER_CONSUMPTION_UNITS",
    "FEATURE_SETS",
    "feature_set_name",
    "ExtendedInquiryData",
    "ModePagePolicyDescriptor",
    "ModePagePolicy",
    "AtaInformation",
    "PowerCondition",
    "CfaProfileDescriptor",
    "CfaProfileInformation",
    "PowerConsumptionDescriptor",
    "PowerConsumption",
    "SasPhyDescriptor",
    "ProtocolSpecificDescriptor",
    "ProtocolSpecificLogicalUnitInformation",
    "ProtocolSpecificPortInformation",
    "ScsiFeatureSets",
    "decode_extended_inquiry",
    "decode_mode_page_policy",
    "decode_ata_information",
    "decode_power_condition",
    "decode_cfa_profile_information",
    "decode_power_consumption",
    "decode_protocol_specific_lu_information",
    "decode_protocol_specific_port_information",
    "decode_scsi_feature_sets",
]

#: SPC-5 table 655 (MODE PAGE POLICY field); 10b was "per initiator port" before SPC-4.
MODE_PAGE_POLICIES = {0: "shared", 1: "per target port", 2: "per initiator port", 3: "per I_T nexus"}

#: SPC-5 table 662 (POWER CONSUMPTION UNITS field).
POWER_CONSUMPTION_UNITS = {
    0: "gigawatts", 1: "megawatts", 2: "kilowatts", 3: "watts", 4: "milliwatts", 5: "microwatts",
}

#: SPC-5 table 676, SBC-4 and ZBC-2 (feature set codes), named the way sg_vpd names them.
FEATURE_SETS = {
    0x0001: "Discovery 2016",
    0x0101: "SBC Base 2016",
    0x0102: "SBC Base 2010",
    0x0103: "Basic provisioning 2016",
    0x0104: "Drive maintenance 2016",
    0x0300: "Host Aware 2020",
    0x0301: "Host Managed 2020",
    0x0302: "Domains and Realms 2020",
}

_SAS = 0x6


def feature_set_name(code: int) -> str:
    """A feature set code's name; an unknown one says which standard's range it is in."""
    if code in FEATURE_SETS:
        return FEATURE_SETS[code]
    family = {0x0: "SPC", 0x1: "SBC", 0x2: "SSC", 0x3: "ZBC"}.get(code >> 8)
    return f"{family} reserved" if family else "reserved"


@record
class ExtendedInquiryData(VpdPage):
    """Extended INQUIRY data (SPC-5 7.7.7); bits marked obsolete in SPC-5 are still decoded."""

    activate_microcode: Optional[int] = None
    spt: Optional[int] = None
    grd_chk: Optional[bool] = None
    app_chk: Optional[bool] = None
    ref_chk: Optional[bool] = None
    uask_sup: Optional[bool] = None
    group_sup: Optional[bool] = None
    prior_sup: Optional[bool] = None
    headsup: Optional[bool] = None
    ordsup: Optional[bool] = None
    simpsup: Optional[bool] = None
    wu_sup: Optional[bool] = None
    crd_sup: Optional[bool] = None
    nv_sup: Optional[bool] = None
    v_sup: Optional[bool] = None
    no_pi_chk: Optional[bool] = None
    p_i_i_sup: Optional[bool] = None
    luiclr: Optional[bool] = None
    lu_coll_type: Optional[int] = None
    r_sup: Optional[bool] = None
    rtd_sup: Optional[bool] = None
    hssrelef: Optional[bool] = None
    cbcs: Optional[bool] = None
    multi_i_t_nexus_microcode_download: Optional[int] = None
    extended_self_test_completion_minutes: Optional[int] = None
    poa_sup: Optional[bool] = None
    hra_sup: Optional[bool] = None
    vsa_sup: Optional[bool] = None
    dms_valid: Optional[bool] = None
    maximum_supported_sense_data_length: Optional[int] = None
    ibs: Optional[bool] = None
    ias: Optional[bool] = None
    sac: Optional[bool] = None
    nrd1: Optional[bool] = None
    nrd0: Optional[bool] = None
    maximum_inquiry_change_logs: Optional[int] = None
    maximum_mode_page_change_logs: Optional[int] = None


@record
class ModePagePolicyDescriptor(Record):
    """One mode page policy descriptor (SPC-5 7.7.11); page 3Fh subpage FFh means all."""

    policy_page_code: int
    policy_subpage_code: int
    mlus: bool
    mode_page_policy: int
    mode_page_policy_name: str


@record
class ModePagePolicy(VpdPage):
    mode_page_policy_descriptors: Tuple[ModePagePolicyDescriptor, ...] = ()


@record
class AtaInformation(VpdPage):
    """ATA information (SAT-4 12.4.2).  ``identify_device_data`` is the raw 512 bytes.

    The ``ata_*`` strings come from IDENTIFY DEVICE words 10-19, 23-26 and 27-46, whose
    characters ATA stores two per little-endian word, first character in the high byte.
    """

    sat_vendor_identification: Optional[str] = None
    sat_product_identification: Optional[str] = None
    sat_product_revision_level: Optional[str] = None
    device_signature: bytes = attrs.field(default=b"", repr=raw_repr)
    command_code: Optional[int] = None
    identify_device_data: bytes = attrs.field(default=b"", repr=raw_repr)
    ata_serial_number: Optional[str] = None
    ata_firmware_revision: Optional[str] = None
    ata_model_number: Optional[str] = None


@record
class PowerCondition(VpdPage):
    """Power condition (SPC-5 7.7.12): which conditions exist and how long (in
    milliseconds) leaving each takes; FFFFh means "more than 65 534 ms"."""

    standby_y: Optional[bool] = None
    standby_z: Optional[bool] = None
    idle_c: Optional[bool] = None
    idle_b: Optional[bool] = None
    idle_a: Optional[bool] = None
    stopped_condition_recovery_time: Optional[int] = None
    standby_z_condition_recovery_time: Optional[int] = None
    standby_y_condition_recovery_time: Optional[int] = None
    idle_a_condition_recovery_time: Optional[int] = None
    idle_b_condition_recovery_time: Optional[int] = None
    idle_c_condition_recovery_time: Optional[int] = None


@record
class CfaProfileDescriptor(Record):
    """One CFA profile descriptor (SPC-5 7.7.5); the write size is in logical blocks."""

    cfa_profile_summary: int
    sequential_write_data_size: int


@record
class CfaProfileInformation(VpdPage):
    cfa_profile_descriptors: Tuple[CfaProfileDescriptor, ...] = ()


@record
class PowerConsumptionDescriptor(Record):
    """One power consumption descriptor (SPC-5 7.7.14); ``watts`` is the value in watts."""

    power_consumption_identifier: int
    power_consumption_units: int
    power_consumption_units_name: str
    power_consumption_value: int
    watts: Optional[float]


@record
class PowerConsumption(VpdPage):
    power_consumption_descriptors: Tuple[PowerConsumptionDescriptor, ...] = ()


@record
class SasPhyDescriptor(Record):
    """A SAS phy in the protocol specific port information page (SPL-4 table 275)."""

    phy_identifier: int
    ssp_persistent_capable: bool


@record
class ProtocolSpecificDescriptor(Record):
    """One logical unit or port information descriptor (SPC-5 7.7.15, 7.7.16).

    The protocol's own fields are decoded for SAS, the only protocol that defines them
    (SPL-4 9.2.8.2, 9.2.8.3); ``protocol_specific`` keeps them as sent for every protocol.
    """

    relative_port_identifier: int
    protocol_identifier: int
    protocol_identifier_name: str
    descriptor_length: int
    protocol_specific: bytes = attrs.field(repr=raw_repr)
    tlr_control_supported: Optional[bool] = None
    pwr_d_s: Optional[bool] = None
    phy_descriptors: Tuple[SasPhyDescriptor, ...] = ()


@record
class ProtocolSpecificLogicalUnitInformation(VpdPage):
    logical_unit_information_descriptors: Tuple[ProtocolSpecificDescriptor, ...] = ()


@record
class ProtocolSpecificPortInformation(VpdPage):
    port_information_descriptors: Tuple[ProtocolSpecificDescriptor, ...] = ()


@record
class ScsiFeatureSets(VpdPage):
    feature_set_codes: Tuple[int, ...] = ()
    feature_set_names: Tuple[str, ...] = ()


def decode_extended_inquiry(data: bytes) -> ExtendedInquiryData:
    r, f = start(data, "Extended INQUIRY data")
    more: dict = {}
    if r.has(4):
        more.update(activate_microcode=r.bits(4, 6, 2), spt=r.bits(4, 3, 3))
        more.update(flags(r, 4, (("grd_chk", 2), ("app_chk", 1), ("ref_chk", 0))))
    more.update(flags(r, 5, (("uask_sup", 5), ("group_sup", 4), ("prior_sup", 3),
                             ("headsup", 2), ("ordsup", 1), ("simpsup", 0))))
    more.update(flags(r, 6, (("wu_sup", 3), ("crd_sup", 2), ("nv_sup", 1), ("v_sup", 0))))
    more.update(flags(r, 7, (("no_pi_chk", 5), ("p_i_i_sup", 4), ("luiclr", 0))))
    if r.has(8):
        more["lu_coll_type"] = r.bits(8, 5, 3)
        more.update(flags(r, 8, (("r_sup", 4), ("rtd_sup", 3), ("hssrelef", 1), ("cbcs", 0))))
    if r.has(9):
        more["multi_i_t_nexus_microcode_download"] = r.bits(9, 0, 4)
    more.update(uint_fields(r, (("extended_self_test_completion_minutes", 10, 2),)))
    more.update(flags(r, 12, (("poa_sup", 7), ("hra_sup", 6), ("vsa_sup", 5), ("dms_valid", 4))))
    more.update(uint_fields(r, (("maximum_supported_sense_data_length", 13, 1),)))
    more.update(flags(r, 14, (("ibs", 7), ("ias", 6), ("sac", 2), ("nrd1", 1), ("nrd0", 0))))
    more.update(uint_fields(r, (("maximum_inquiry_change_logs", 15, 2),
                                ("maximum_mode_page_change_logs", 17, 2))))
    return finish(ExtendedInquiryData, r, f, **more)


def decode_mode_page_policy(data: bytes) -> ModePagePolicy:
    r, f = start(data, "Mode page policy")
    found = []
    for offset, _ in descriptors(r, 4, "mode page policy descriptor", fixed_size(4)):
        policy = r.bits(offset + 2, 0, 2)
        found.append(ModePagePolicyDescriptor(
            policy_page_code=r.bits(offset, 0, 6), policy_subpage_code=r.uint(offset + 1),
            mlus=r.flag(offset + 2, 7), mode_page_policy=policy,
            mode_page_policy_name=MODE_PAGE_POLICIES[policy]))
    return finish(ModePagePolicy, r, f, mode_page_policy_descriptors=tuple(found))


def _ata_string(identify: bytes, first_word: int, last_word: int) -> Optional[str]:
    raw = identify[first_word * 2:(last_word + 1) * 2]
    if len(raw) < (last_word - first_word + 1) * 2:
        return None
    swapped = bytes(b for i in range(0, len(raw), 2) for b in (raw[i + 1], raw[i]))
    return ascii_text(swapped)


def decode_ata_information(data: bytes) -> AtaInformation:
    r, f = start(data, "ATA information")
    more: dict = {}
    if r.has(8):
        more.update(
            sat_vendor_identification=r.text(8, 8),
            sat_product_identification=r.text(16, 16),
            sat_product_revision_level=r.text(32, 4),
        )
    if r.has(36):
        more["device_signature"] = r.raw(36, 20)
    if r.has(56):
        more["command_code"] = r.uint(56)
    if r.has(60):
        identify = r.raw(60, 512)
        more.update(
            identify_device_data=identify,
            ata_serial_number=_ata_string(identify, 10, 19),
            ata_firmware_revision=_ata_string(identify, 23, 26),
            ata_model_number=_ata_string(identify, 27, 46),
        )
    return finish(AtaInformation, r, f, **more)


def decode_power_condition(data: bytes) -> PowerCondition:
    r, f = start(data, "Power condition")
    more = flags(r, 4, (("standby_y", 1), ("standby_z", 0)))
    more.update(flags(r, 5, (("idle_c", 2), ("idle_b", 1), ("idle_a", 0))))
    more.update(uint_fields(r, (
        ("stopped_condition_recovery_time", 6, 2),
        ("standby_z_condition_recovery_time", 8, 2),
        ("standby_y_condition_recovery_time", 10, 2),
        ("idle_a_condition_recovery_time", 12, 2),
        ("idle_b_condition_recovery_time", 14, 2),
        ("idle_c_condition_recovery_time", 16, 2),
    )))
    return finish(PowerCondition, r, f, **more)


def decode_cfa_profile_information(data: bytes) -> CfaProfileInformation:
    r, f = start(data, "CFA profile information")
    found = tuple(
        CfaProfileDescriptor(cfa_profile_summary=r.uint(offset), sequential_write_data_size=r.uint(offset + 2, 2))
        for offset, _ in descriptors(r, 4, "CFA profile descriptor", fixed_size(4)))
    return finish(CfaProfileInformation, r, f, cfa_profile_descriptors=found)


def decode_power_consumption(data: bytes) -> PowerConsumption:
    r, f = start(data, "Power consumption")
    found = []
    for offset, _ in descriptors(r, 4, "power consumption descriptor", fixed_size(4)):
        units, value = r.bits(offset + 1, 0, 3), r.uint(offset + 2, 2)
        found.append(PowerConsumptionDescriptor(
            power_consumption_identifier=r.uint(offset),
            power_consumption_units=units,
            power_consumption_units_name=name_of(POWER_CONSUMPTION_UNITS, units),
            power_consumption_value=value,
            watts=value * 10.0 ** (9 - 3 * units) if units in POWER_CONSUMPTION_UNITS else None))
    return finish(PowerConsumption, r, f, power_consumption_descriptors=tuple(found))


def _protocol_descriptors(r: Reader, port: bool) -> Tuple[ProtocolSpecificDescriptor, ...]:
    found = []
    for offset, length in descriptors(
            r, 4, "protocol specific descriptor",
            lambda r, o: None if not r.has(o, 8) else 8 + r.uint(o + 6, 2)):
        proto = r.bits(offset + 2, 0, 4)
        body = r.data[offset + 8:offset + length]
        sas: dict = {}
        if proto == _SAS and port:
            sas["pwr_d_s"] = r.flag(offset + 3, 0)
            sas["phy_descriptors"] = tuple(
                SasPhyDescriptor(phy_identifier=body[i + 1], ssp_persistent_capable=bool(body[i + 2] & 1))
                for i in range(0, len(body) - 3, 4))
        elif proto == _SAS and body:
            sas["tlr_control_supported"] = bool(body[0] & 1)
        found.append(ProtocolSpecificDescriptor(
            relative_port_identifier=r.uint(offset, 2),
            protocol_identifier=proto,
            protocol_identifier_name=PROTOCOL_IDENTIFIERS.get(proto, "reserved"),
            descriptor_length=length - 8,
            protocol_specific=body,
            **sas))
    return tuple(found)


def decode_protocol_specific_lu_information(data: bytes) -> ProtocolSpecificLogicalUnitInformation:
    r, f = start(data, "Protocol specific logical unit information")
    return finish(ProtocolSpecificLogicalUnitInformation, r, f,
                  logical_unit_information_descriptors=_protocol_descriptors(r, port=False))


def decode_protocol_specific_port_information(data: bytes) -> ProtocolSpecificPortInformation:
    r, f = start(data, "Protocol specific port information")
    return finish(ProtocolSpecificPortInformation, r, f,
                  port_information_descriptors=_protocol_descriptors(r, port=True))


def decode_scsi_feature_sets(data: bytes) -> ScsiFeatureSets:
    r, f = start(data, "SCSI feature sets")
    # Bytes 4-7 are reserved; the codes follow, two bytes each (SPC-5 7.7.19).
    codes = tuple(r.uint(offset, 2) for offset in range(8, len(r) - 1, 2))
    if len(r) > 8 and (len(r) - 8) % 2:
        r.problem("odd byte after the last feature set code")
    return finish(ScsiFeatureSets, r, f, feature_set_codes=codes,
                  feature_set_names=tuple(feature_set_name(c) for c in codes))
