"""Sense data descriptors (SPC-5 4.4.2.2, types 00h-0Fh), one record per type.

Each record knows its wire form (``bytes(descriptor)`` gives the whole descriptor with
its 2-byte header) and a short ``str()``. :func:`decode_descriptors` walks the
descriptor list of descriptor-format sense data; it never raises, and reports what was
wrong as strings in the ``problems`` list it returns.
"""
from __future__ import annotations

from typing import Any, Callable, ClassVar, List, Optional, Tuple, Union

import attrs

from .sks import SenseKeySpecific, decode_sense_key_specific, progress_percent_text

__all__ = [
    "InformationDescriptor", "CommandSpecificDescriptor", "SenseKeySpecificDescriptor",
    "FieldReplaceableUnitDescriptor", "StreamCommandsDescriptor", "BlockCommandsDescriptor",
    "OsdObjectIdentificationDescriptor", "OsdResponseIntegrityCheckValueDescriptor",
    "OsdAttribute", "OsdAttributeIdentificationDescriptor", "AtaStatusReturnDescriptor",
    "AnotherProgressIndicationDescriptor", "TargetPortGroup", "UserDataSegmentReferral",
    "UserDataSegmentReferralDescriptor", "ForwardedSenseDataDescriptor",
    "DirectAccessBlockDeviceDescriptor", "DeviceDesignationDescriptor",
    "MicrocodeActivationDescriptor", "VendorSpecificDescriptor", "UnknownDescriptor",
    "TruncatedDescriptor", "Descriptor", "decode_descriptors", "DESCRIPTOR_NAMES",
]

DESCRIPTOR_NAMES = {
    0x00: "information", 0x01: "command-specific information", 0x02: "sense key specific",
    0x03: "field replaceable unit", 0x04: "stream commands", 0x05: "block commands",
    0x06: "OSD object identification", 0x07: "OSD response integrity check value",
    0x08: "OSD attribute identification", 0x09: "ATA status return",
    0x0A: "another progress indication", 0x0B: "user data segment referral",
    0x0C: "forwarded sense data", 0x0D: "direct-access block device",
    0x0E: "device designation", 0x0F: "microcode activation",
}


def _be(data: bytes, start: int, size: int) -> int:
    return int.from_bytes(data[start:start + size], "big")


def _wrap(dtype: int, body: bytes) -> bytes:
    return bytes((dtype, len(body))) + body


@attrs.frozen
class InformationDescriptor:
    """00h: the INFORMATION field (an LBA, a count ...); meaningful only when ``valid``."""

    DESCRIPTOR_TYPE: ClassVar[int] = 0x00
    valid: bool
    information: int

    def __bytes__(self) -> bytes:
        return _wrap(0x00, bytes((0x80 if self.valid else 0, 0)) + self.information.to_bytes(8, "big"))

    def __str__(self) -> str:
        return "information 0x%x%s" % (self.information, "" if self.valid else " (VALID=0)")


@attrs.frozen
class CommandSpecificDescriptor:
    """01h: COMMAND-SPECIFIC INFORMATION (e.g. EXTENDED COPY, REASSIGN BLOCKS)."""

    DESCRIPTOR_TYPE: ClassVar[int] = 0x01
    command_specific_information: int

    def __bytes__(self) -> bytes:
        return _wrap(0x01, b"\0\0" + self.command_specific_information.to_bytes(8, "big"))

    def __str__(self) -> str:
        return "command-specific information 0x%x" % self.command_specific_information


@attrs.frozen
class SenseKeySpecificDescriptor:
    """02h: SENSE KEY SPECIFIC, decoded for the sense key of the sense data it came in
    (``None`` when SKSV is clear); ``raw`` is the 3 bytes as sent."""

    DESCRIPTOR_TYPE: ClassVar[int] = 0x02
    sense_key_specific: Optional[SenseKeySpecific]
    raw: bytes

    def __bytes__(self) -> bytes:
        return _wrap(0x02, b"\0\0" + bytes(self.raw[:3]).ljust(3, b"\0") + b"\0")

    def __str__(self) -> str:
        return str(self.sense_key_specific) if self.sense_key_specific else "sense key specific (SKSV=0)"


@attrs.frozen
class FieldReplaceableUnitDescriptor:
    """03h: FIELD REPLACEABLE UNIT CODE (vendor specific; zero means none named)."""

    DESCRIPTOR_TYPE: ClassVar[int] = 0x03
    field_replaceable_unit_code: int

    def __bytes__(self) -> bytes:
        return _wrap(0x03, bytes((0, self.field_replaceable_unit_code)))

    def __str__(self) -> str:
        return "FRU 0x%x" % self.field_replaceable_unit_code


@attrs.frozen
class StreamCommandsDescriptor:
    """04h (SSC): FILEMARK, EOM and ILI for sequential-access devices."""

    DESCRIPTOR_TYPE: ClassVar[int] = 0x04
    filemark: bool
    eom: bool
    ili: bool

    def __bytes__(self) -> bytes:
        b3 = (0x80 if self.filemark else 0) | (0x40 if self.eom else 0) | (0x20 if self.ili else 0)
        return _wrap(0x04, bytes((0, b3)))

    def __str__(self) -> str:
        flags = [n for n, v in (("FILEMARK", self.filemark), ("EOM", self.eom), ("ILI", self.ili)) if v]
        return "stream commands: %s" % (" ".join(flags) or "no flags")


@attrs.frozen
class BlockCommandsDescriptor:
    """05h (SBC): ILI, the requested length did not match the logical block length."""

    DESCRIPTOR_TYPE: ClassVar[int] = 0x05
    ili: bool

    def __bytes__(self) -> bytes:
        return _wrap(0x05, bytes((0, 0x20 if self.ili else 0)))

    def __str__(self) -> str:
        return "block commands: ILI %s" % ("set" if self.ili else "clear")


@attrs.frozen
class OsdObjectIdentificationDescriptor:
    """06h (OSD): which object failed, and which command functions did or did not run.
    The two function fields are kept as the big-endian 32-bit values on the wire."""

    DESCRIPTOR_TYPE: ClassVar[int] = 0x06
    not_initiated_command_functions: int
    completed_command_functions: int
    partition_id: int
    object_id: int

    def __bytes__(self) -> bytes:
        return _wrap(0x06, bytes(6)
                     + self.not_initiated_command_functions.to_bytes(4, "big")
                     + self.completed_command_functions.to_bytes(4, "big")
                     + self.partition_id.to_bytes(8, "big") + self.object_id.to_bytes(8, "big"))

    def __str__(self) -> str:
        return "OSD object: partition 0x%x object 0x%x" % (self.partition_id, self.object_id)


@attrs.frozen
class OsdResponseIntegrityCheckValueDescriptor:
    """07h (OSD): the RESPONSE INTEGRITY CHECK VALUE, everything after the header."""

    DESCRIPTOR_TYPE: ClassVar[int] = 0x07
    response_integrity_check_value: bytes

    def __bytes__(self) -> bytes:
        return _wrap(0x07, bytes(self.response_integrity_check_value))

    def __str__(self) -> str:
        return "OSD response integrity check value %s" % self.response_integrity_check_value.hex()


@attrs.frozen
class OsdAttribute:
    """One attribute named by an OSD attribute identification descriptor."""

    attributes_page: int
    attribute_number: int


@attrs.frozen
class OsdAttributeIdentificationDescriptor:
    """08h (OSD): the attributes involved in the failure."""

    DESCRIPTOR_TYPE: ClassVar[int] = 0x08
    attributes: Tuple[OsdAttribute, ...]

    def __bytes__(self) -> bytes:
        body = bytes(6) + b"".join(a.attributes_page.to_bytes(4, "big") + a.attribute_number.to_bytes(4, "big")
                                   for a in self.attributes)
        return _wrap(0x08, body)

    def __str__(self) -> str:
        return "OSD attributes %s" % ", ".join("%x/%x" % (a.attributes_page, a.attribute_number)
                                               for a in self.attributes)


@attrs.frozen
class AtaStatusReturnDescriptor:
    """09h (SAT): the ATA registers after an ATA PASS-THROUGH command.

    SAT keeps the high bytes of COUNT and LBA interleaved with the low ones; ``count``
    and ``lba`` are reassembled. With ``extend`` clear the high bytes are not part of
    the result (28-bit command), so ``count`` is 8 bits and ``lba`` 24 bits.
    """

    DESCRIPTOR_TYPE: ClassVar[int] = 0x09
    extend: bool
    error: int
    count: int
    lba: int
    device: int
    status: int

    def __bytes__(self) -> bytes:
        c, lba = self.count, self.lba
        body = bytes((1 if self.extend else 0, self.error, (c >> 8) & 0xFF, c & 0xFF,
                      (lba >> 24) & 0xFF, lba & 0xFF, (lba >> 32) & 0xFF, (lba >> 8) & 0xFF,
                      (lba >> 40) & 0xFF, (lba >> 16) & 0xFF, self.device, self.status))
        return _wrap(0x09, body)

    def __str__(self) -> str:
        return "ATA status return: extend=%d error=0x%x count=0x%x lba=0x%x device=0x%x status=0x%x" % (
            self.extend, self.error, self.count, self.lba, self.device, self.status)


@attrs.frozen
class AnotherProgressIndicationDescriptor:
    """0Ah: progress of an operation other than the one the sense data reports on,
    named by its own sense key and ASC/ASCQ."""

    DESCRIPTOR_TYPE: ClassVar[int] = 0x0A
    sense_key: int
    asc: int
    ascq: int
    progress_indication: int

    @property
    def fraction(self) -> float:
        return self.progress_indication / 65536

    @property
    def percent(self) -> float:
        return self.progress_indication * 100 / 65536

    def __bytes__(self) -> bytes:
        return _wrap(0x0A, bytes((self.sense_key, self.asc, self.ascq, 0))
                     + self.progress_indication.to_bytes(2, "big"))

    def __str__(self) -> str:
        return "another progress indication: %s for %xh/%02xh/%02xh" % (
            progress_percent_text(self.progress_indication), self.sense_key, self.asc, self.ascq)


@attrs.frozen
class TargetPortGroup:
    """A target port group descriptor inside a user data segment referral."""

    asymmetric_access_state: int
    target_port_group: int


@attrs.frozen
class UserDataSegmentReferral:
    """One user data segment (SBC-4 referrals) and the port groups that can reach it."""

    first_user_data_segment_lba: int
    last_user_data_segment_lba: int
    target_port_groups: Tuple[TargetPortGroup, ...]


@attrs.frozen
class UserDataSegmentReferralDescriptor:
    """0Bh (SBC): where to resend a command whose LBA range the device does not hold."""

    DESCRIPTOR_TYPE: ClassVar[int] = 0x0B
    not_all_r: bool
    referrals: Tuple[UserDataSegmentReferral, ...]

    def __bytes__(self) -> bytes:
        body = bytearray((1 if self.not_all_r else 0, 0))
        for ref in self.referrals:
            body += bytes((0, 0, 0, len(ref.target_port_groups)))
            body += ref.first_user_data_segment_lba.to_bytes(8, "big")
            body += ref.last_user_data_segment_lba.to_bytes(8, "big")
            for tpg in ref.target_port_groups:
                body += bytes((tpg.asymmetric_access_state & 0xF, 0)) + tpg.target_port_group.to_bytes(2, "big")
        return _wrap(0x0B, bytes(body))

    def __str__(self) -> str:
        return "user data segment referral: %s" % ", ".join(
            "0x%x-0x%x" % (r.first_user_data_segment_lba, r.last_user_data_segment_lba) for r in self.referrals)


@attrs.frozen
class ForwardedSenseDataDescriptor:
    """0Ch: sense data forwarded from another device (EXTENDED COPY source or
    destination); ``forwarded_sense`` is ``sense_data`` decoded."""

    DESCRIPTOR_TYPE: ClassVar[int] = 0x0C
    fsdt: bool
    sense_data_source: int
    forwarded_status: int
    sense_data: bytes
    forwarded_sense: Any = attrs.field(default=None, eq=False, repr=False)

    def __bytes__(self) -> bytes:
        return _wrap(0x0C, bytes(((0x80 if self.fsdt else 0) | (self.sense_data_source & 0xF),
                                  self.forwarded_status)) + bytes(self.sense_data))

    def __str__(self) -> str:
        text = "forwarded sense data from source %d, status 0x%02x" % (self.sense_data_source,
                                                                       self.forwarded_status)
        if self.forwarded_sense is not None and self.sense_data:
            text += " (%s)" % self.forwarded_sense
        return text


@attrs.frozen
class DirectAccessBlockDeviceDescriptor:
    """0Dh (SBC): information, command-specific, sense key specific and FRU in one."""

    DESCRIPTOR_TYPE: ClassVar[int] = 0x0D
    valid: bool
    ili: bool
    sense_key_specific: Optional[SenseKeySpecific]
    sks_raw: bytes
    field_replaceable_unit_code: int
    information: int
    command_specific_information: int

    def __bytes__(self) -> bytes:
        body = (bytes(((0x80 if self.valid else 0) | (0x20 if self.ili else 0), 0))
                + bytes(self.sks_raw[:3]).ljust(3, b"\0") + bytes((self.field_replaceable_unit_code,))
                + self.information.to_bytes(8, "big")
                + self.command_specific_information.to_bytes(8, "big") + bytes(8))
        return _wrap(0x0D, body)

    def __str__(self) -> str:
        return "direct-access block device: information 0x%x%s" % (
            self.information, "" if self.valid else " (VALID=0)")


@attrs.frozen
class DeviceDesignationDescriptor:
    """0Eh: a designation descriptor (the VPD page 83h form) and why it is reported.

    The designation descriptor header is split out; ``designator`` holds its bytes.
    """

    DESCRIPTOR_TYPE: ClassVar[int] = 0x0E
    usage_reason: int
    protocol_identifier: int
    code_set: int
    piv: bool
    association: int
    designator_type: int
    designator: bytes

    def __bytes__(self) -> bytes:
        head = bytes(((self.protocol_identifier & 0xF) << 4 | (self.code_set & 0xF),
                      (0x80 if self.piv else 0) | (self.association & 3) << 4 | (self.designator_type & 0xF),
                      0, len(self.designator)))
        return _wrap(0x0E, bytes((0, self.usage_reason)) + head + bytes(self.designator))

    def __str__(self) -> str:
        return "device designation: usage reason %d, designator type %d, %s" % (
            self.usage_reason, self.designator_type, self.designator.hex())


@attrs.frozen
class MicrocodeActivationDescriptor:
    """0Fh: seconds until new microcode is active (zero means unknown)."""

    DESCRIPTOR_TYPE: ClassVar[int] = 0x0F
    microcode_activation_time: int

    def __bytes__(self) -> bytes:
        return _wrap(0x0F, bytes(4) + self.microcode_activation_time.to_bytes(2, "big"))

    def __str__(self) -> str:
        t = self.microcode_activation_time
        return "microcode activation time %s" % ("unknown" if t == 0 else "%d s" % t)


@attrs.frozen
class VendorSpecificDescriptor:
    """80h-FFh: vendor specific; ``data`` is everything after the 2-byte header."""

    descriptor_type: int
    data: bytes

    def __bytes__(self) -> bytes:
        return _wrap(self.descriptor_type, bytes(self.data))

    def __str__(self) -> str:
        return "vendor specific descriptor %02xh: %s" % (self.descriptor_type, self.data.hex())


@attrs.frozen
class UnknownDescriptor:
    """A type SPC-5 does not assign (10h-7Fh); ``data`` follows the 2-byte header."""

    descriptor_type: int
    data: bytes

    def __bytes__(self) -> bytes:
        return _wrap(self.descriptor_type, bytes(self.data))

    def __str__(self) -> str:
        return "unknown descriptor %02xh: %s" % (self.descriptor_type, self.data.hex())


@attrs.frozen
class TruncatedDescriptor:
    """A standard descriptor too short to hold its fields; kept as sent."""

    descriptor_type: int
    data: bytes

    def __bytes__(self) -> bytes:
        return _wrap(self.descriptor_type, bytes(self.data))

    def __str__(self) -> str:
        return "truncated %s descriptor: %s" % (
            DESCRIPTOR_NAMES.get(self.descriptor_type, "%02xh" % self.descriptor_type), self.data.hex())


Descriptor = Union[
    InformationDescriptor, CommandSpecificDescriptor, SenseKeySpecificDescriptor,
    FieldReplaceableUnitDescriptor, StreamCommandsDescriptor, BlockCommandsDescriptor,
    OsdObjectIdentificationDescriptor, OsdResponseIntegrityCheckValueDescriptor,
    OsdAttributeIdentificationDescriptor, AtaStatusReturnDescriptor,
    AnotherProgressIndicationDescriptor, UserDataSegmentReferralDescriptor,
    ForwardedSenseDataDescriptor, DirectAccessBlockDeviceDescriptor,
    DeviceDesignationDescriptor, MicrocodeActivationDescriptor, VendorSpecificDescriptor,
    UnknownDescriptor, TruncatedDescriptor,
]

# Bytes (header included) a descriptor needs before its fields can be read. Longer
# descriptors are accepted: later SPC revisions may add fields at the end.
_MIN_LENGTH = {0x00: 12, 0x01: 12, 0x02: 7, 0x03: 4, 0x04: 4, 0x05: 4, 0x06: 32, 0x07: 2,
               0x08: 8, 0x09: 14, 0x0A: 8, 0x0B: 4, 0x0C: 4, 0x0D: 24, 0x0E: 8, 0x0F: 8}


def _udsr(d: bytes, problems: List[str]) -> UserDataSegmentReferralDescriptor:
    referrals = []
    pos = 4
    while pos < len(d):
        if pos + 20 > len(d):
            problems.append("user data segment referral %d is truncated" % (len(referrals) + 1))
            break
        count = d[pos + 3]
        end = pos + 20 + 4 * count
        if end > len(d):
            problems.append("user data segment referral %d lists %d port groups, room for %d"
                            % (len(referrals) + 1, count, (len(d) - pos - 20) // 4))
            count = (len(d) - pos - 20) // 4
            end = pos + 20 + 4 * count
        groups = tuple(TargetPortGroup(asymmetric_access_state=d[p] & 0xF, target_port_group=_be(d, p + 2, 2))
                       for p in range(pos + 20, end, 4))
        referrals.append(UserDataSegmentReferral(first_user_data_segment_lba=_be(d, pos + 4, 8),
                                                 last_user_data_segment_lba=_be(d, pos + 12, 8),
                                                 target_port_groups=groups))
        pos = end
    return UserDataSegmentReferralDescriptor(not_all_r=bool(d[2] & 1), referrals=tuple(referrals))


def _one(d: bytes, sense_key: int, problems: List[str],
         nested: Optional[Callable[[bytes], Any]]) -> Descriptor:
    dtype = d[0]
    if dtype >= 0x80:
        return VendorSpecificDescriptor(descriptor_type=dtype, data=d[2:])
    if dtype not in _MIN_LENGTH:
        return UnknownDescriptor(descriptor_type=dtype, data=d[2:])
    if len(d) < _MIN_LENGTH[dtype]:
        problems.append("%s descriptor (%02xh) has %d bytes, needs %d" % (
            DESCRIPTOR_NAMES[dtype], dtype, len(d), _MIN_LENGTH[dtype]))
        return TruncatedDescriptor(descriptor_type=dtype, data=d[2:])
    if dtype == 0x00:
        return InformationDescriptor(valid=bool(d[2] & 0x80), information=_be(d, 4, 8))
    if dtype == 0x01:
        return CommandSpecificDescriptor(command_specific_information=_be(d, 4, 8))
    if dtype == 0x02:
        return SenseKeySpecificDescriptor(sense_key_specific=decode_sense_key_specific(sense_key, d[4:7]),
                                          raw=d[4:7])
    if dtype == 0x03:
        return FieldReplaceableUnitDescriptor(field_replaceable_unit_code=d[3])
    if dtype == 0x04:
        return StreamCommandsDescriptor(filemark=bool(d[3] & 0x80), eom=bool(d[3] & 0x40),
                                        ili=bool(d[3] & 0x20))
    if dtype == 0x05:
        return BlockCommandsDescriptor(ili=bool(d[3] & 0x20))
    if dtype == 0x06:
        return OsdObjectIdentificationDescriptor(
            not_initiated_command_functions=_be(d, 8, 4), completed_command_functions=_be(d, 12, 4),
            partition_id=_be(d, 16, 8), object_id=_be(d, 24, 8))
    if dtype == 0x07:
        return OsdResponseIntegrityCheckValueDescriptor(response_integrity_check_value=d[2:])
    if dtype == 0x08:
        if (len(d) - 8) % 8:
            problems.append("OSD attribute identification descriptor has a partial entry")
        attrs_ = tuple(OsdAttribute(attributes_page=_be(d, p, 4), attribute_number=_be(d, p + 4, 4))
                       for p in range(8, len(d) - 7, 8))
        return OsdAttributeIdentificationDescriptor(attributes=attrs_)
    if dtype == 0x09:
        extend = bool(d[2] & 1)
        if extend:
            count = d[4] << 8 | d[5]
            lba = d[10] << 40 | d[8] << 32 | d[6] << 24 | d[11] << 16 | d[9] << 8 | d[7]
        else:
            count = d[5]
            lba = d[11] << 16 | d[9] << 8 | d[7]
        return AtaStatusReturnDescriptor(extend=extend, error=d[3], count=count, lba=lba,
                                         device=d[12], status=d[13])
    if dtype == 0x0A:
        return AnotherProgressIndicationDescriptor(sense_key=d[2] & 0xF, asc=d[3], ascq=d[4],
                                                   progress_indication=_be(d, 6, 2))
    if dtype == 0x0B:
        return _udsr(d, problems)
    if dtype == 0x0C:
        data = d[4:]
        inner = nested(data) if (nested is not None and data) else None
        return ForwardedSenseDataDescriptor(fsdt=bool(d[2] & 0x80), sense_data_source=d[2] & 0xF,
                                            forwarded_status=d[3], sense_data=data, forwarded_sense=inner)
    if dtype == 0x0D:
        return DirectAccessBlockDeviceDescriptor(
            valid=bool(d[2] & 0x80), ili=bool(d[2] & 0x20),
            sense_key_specific=decode_sense_key_specific(sense_key, d[4:7]), sks_raw=d[4:7],
            field_replaceable_unit_code=d[7], information=_be(d, 8, 8),
            command_specific_information=_be(d, 16, 8))
    if dtype == 0x0E:
        des_len = d[7]
        designator = d[8:8 + des_len]
        if len(designator) < des_len:
            problems.append("device designation descriptor: designator length %d, %d bytes present"
                            % (des_len, len(designator)))
        return DeviceDesignationDescriptor(
            usage_reason=d[3], protocol_identifier=d[4] >> 4, code_set=d[4] & 0xF, piv=bool(d[5] & 0x80),
            association=(d[5] >> 4) & 3, designator_type=d[5] & 0xF, designator=designator)
    return MicrocodeActivationDescriptor(microcode_activation_time=_be(d, 6, 2))


def decode_descriptors(data: bytes, sense_key: int,
                       nested: Optional[Callable[[bytes], Any]] = None
                       ) -> Tuple[Tuple[Descriptor, ...], List[str]]:
    """Decode a sense data descriptor list (the bytes after byte 7 of descriptor-format
    sense data, already cut to the additional sense length).

    :param data: the descriptor list
    :param sense_key: the sense key of the sense data, which decides how the sense key
        specific bytes of 02h and 0Dh descriptors read
    :param nested: decodes the sense data inside a forwarded sense data descriptor
    :returns: the descriptors, and a list of problems found (empty when well formed)
    """
    problems: List[str] = []
    out: List[Descriptor] = []
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            problems.append("a descriptor at byte %d has no additional length byte" % (8 + pos))
            out.append(TruncatedDescriptor(descriptor_type=data[pos], data=b""))
            break
        end = pos + 2 + data[pos + 1]
        if end > len(data):
            problems.append("descriptor %02xh at byte %d claims %d bytes, %d are left" % (
                data[pos], 8 + pos, end - pos, len(data) - pos))
            end = len(data)
        out.append(_one(bytes(data[pos:end]), sense_key, problems, nested))
        pos = end
    return tuple(out), problems
