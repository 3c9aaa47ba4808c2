"""Sense data: ASC/ASCQ text, sense keys, fixed and descriptor decoding, builders."""
from __future__ import annotations

import hypothesis.strategies as st
import pytest
from hypothesis import given

from sgframe.errors import UsageError
from sgframe.sense import (
    ActualRetryCount, AnotherProgressIndicationDescriptor, AtaStatusReturnDescriptor,
    BlockCommandsDescriptor, CommandSpecificDescriptor, DeviceDesignationDescriptor,
    DirectAccessBlockDeviceDescriptor, FieldPointer, FieldReplaceableUnitDescriptor,
    ForwardedSenseDataDescriptor, InformationDescriptor, MicrocodeActivationDescriptor,
    OsdAttribute, OsdAttributeIdentificationDescriptor, OsdObjectIdentificationDescriptor,
    OsdResponseIntegrityCheckValueDescriptor, ProgressIndication, SegmentPointer, SenseKey,
    SenseKeySpecificDescriptor, SenseKeySpecificRaw, StreamCommandsDescriptor, TargetPortGroup,
    TruncatedDescriptor, UnitAttentionQueueOverflow, UnknownDescriptor, UserDataSegmentReferral,
    UserDataSegmentReferralDescriptor, VendorSpecificDescriptor, asc_lookup, asc_text,
    build_descriptor_sense, build_fixed_sense, decode_sense,
)
from sgframe.sense.asc import asc_ranges, asc_table


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


def desc_sense(key: int, asc: int, ascq: int, body: str, response_code: int = 0x72) -> bytes:
    data = h(body)
    return bytes((response_code, key, asc, ascq, 0, 0, 0, len(data))) + data


# ---------------------------------------------------------------- ASC/ASCQ text

def test_table_has_every_t10_row():
    assert len(asc_table()) == 766
    assert len(asc_ranges()) == 6


@pytest.mark.parametrize("asc, ascq, text", [
    (0x00, 0x00, "No additional sense information"),
    (0x11, 0x00, "Unrecovered read error"),
    (0x21, 0x00, "Logical block address out of range"),
    (0x29, 0x00, "Power on, reset, or bus device reset occurred"),
    (0x4B, 0x03, "Ack/nak timeout"),
    # range rows, with the ASCQ filled into the placeholder
    (0x40, 0x01, "Ram failure [0x1]"),
    (0x40, 0x7F, "Ram failure [0x7f]"),
    (0x40, 0x85, "Diagnostic failure on component [0x85]"),
    (0x41, 0xFF, "Data path failure [0xff]"),
    (0x42, 0x10, "Power-on or self-test failure [0x10]"),
    (0x4D, 0x00, "Tagged overlapped commands [0x0]"),   # range wins over the "nn" row
    (0x70, 0x22, "Decompression exception short algorithm id of 0x22"),
    (0x40, 0x00, "Ram failure (should use 40 nn)"),
    # vendor specific and unknown, worded like sg3_utils
    (0x85, 0x01, "vendor specific ASC=85, ASCQ=01 (hex)"),
    (0x80, 0x80, "vendor specific ASC=80, ASCQ=80 (hex)"),
    (0x05, 0x81, "ASC=05, vendor specific qualification ASCQ=81 (hex)"),
    (0x05, 0x71, "unknown ASC=05, ASCQ=71 (hex)"),
    (0x7F, 0x00, "unknown ASC=7f, ASCQ=00 (hex)"),
])
def test_asc_text(asc, ascq, text):
    assert asc_text(asc, ascq) == text


def test_asc_lookup_none_for_unassigned():
    assert asc_lookup(0x05, 0x71) is None
    assert asc_lookup(0x85, 0x01) is None
    assert asc_lookup(0x24, 0x00) == asc_text(0x24, 0x00)


@given(st.integers(0, 255), st.integers(0, 255))
def test_asc_text_total(asc, ascq):
    assert asc_text(asc, ascq)


# ---------------------------------------------------------------- sense keys

@pytest.mark.parametrize("value, text", [
    (0, "NO SENSE"), (1, "RECOVERED ERROR"), (2, "NOT READY"), (3, "MEDIUM ERROR"),
    (4, "HARDWARE ERROR"), (5, "ILLEGAL REQUEST"), (6, "UNIT ATTENTION"), (7, "DATA PROTECT"),
    (8, "BLANK CHECK"), (9, "VENDOR SPECIFIC"), (10, "COPY ABORTED"), (11, "ABORTED COMMAND"),
    (12, "RESERVED (0Ch)"), (13, "VOLUME OVERFLOW"), (14, "MISCOMPARE"), (15, "COMPLETED"),
])
def test_sense_key_names(value, text):
    assert str(SenseKey(value)) == text
    assert SenseKey(value) == value


# ---------------------------------------------------------------- fixed format

def test_fixed_example_from_the_issue():
    s = decode_sense(h("f00003001234560a00000000110000000000"))
    assert (s.response_code, s.format, s.deferred) == (0x70, "fixed", False)
    assert s.sense_key is SenseKey.MEDIUM_ERROR
    assert (s.asc, s.ascq, s.information) == (0x11, 0x00, 0x123456)
    assert s.problems == ()
    assert str(s) == ("Fixed format, current; Sense key: MEDIUM ERROR; "
                      "Additional sense: Unrecovered read error [11h/00h]; Info fld=0x123456")


def test_fixed_deferred_and_valid_clear():
    # 71h: deferred; VALID clear, so the information bytes are not an information field
    s = decode_sense(h("71 00 03 00 00 00 99 0a 00 00 00 00 0c 02 00 00 00 00"))
    assert s.deferred is True and s.format == "fixed"
    assert s.information is None
    assert (s.asc, s.ascq) == (0x0C, 0x02)
    assert str(s).startswith("Fixed format, deferred; Sense key: MEDIUM ERROR; ")


def test_fixed_flags_fru_command_specific_and_extra_bytes():
    s = decode_sense(h("f0 00 f0 00 00 00 01 0c 01 02 03 04 00 01 2a 00 00 00 ab cd"))
    assert (s.filemark, s.eom, s.ili, s.sdat_ovfl) == (True, True, True, True)
    assert s.sense_key is SenseKey.NO_SENSE
    assert s.command_specific == 0x01020304
    assert s.fru == 0x2A
    assert s.information == 1
    assert s.sense_key_specific is None
    assert s.additional_sense_bytes == h("abcd")
    assert "FILEMARK EOM ILI SDAT_OVFL" in str(s)


@pytest.mark.parametrize("key, sks, expected", [
    (0x5, "cb 00 11", FieldPointer(c_d=True, bpv=True, bit_pointer=3, field_pointer=0x11)),
    (0x5, "80 01 00", FieldPointer(c_d=False, bpv=False, bit_pointer=0, field_pointer=0x100)),
    (0x1, "80 00 07", ActualRetryCount(actual_retry_count=7)),
    (0x3, "80 01 02", ActualRetryCount(actual_retry_count=0x102)),
    (0x4, "80 ff ff", ActualRetryCount(actual_retry_count=0xFFFF)),
    (0x2, "80 40 00", ProgressIndication(progress_indication=0x4000)),
    (0x0, "80 80 00", ProgressIndication(progress_indication=0x8000)),
    (0xA, "a9 00 20", SegmentPointer(sd=True, bpv=True, bit_pointer=1, field_pointer=0x20)),
    (0x6, "81 00 00", UnitAttentionQueueOverflow(overflow=True)),
    (0x7, "81 23 45", SenseKeySpecificRaw(raw=h("812345"))),
    (0x5, "4b 00 11", None),   # SKSV clear
])
def test_fixed_sense_key_specific(key, sks, expected):
    raw = h("70 00") + bytes((key,)) + h("00 00 00 00 0a 00 00 00 00 24 00 00") + h(sks)
    s = decode_sense(raw)
    assert s.sense_key_specific == expected
    if expected is not None:
        assert bytes(expected) == h(sks)


def test_progress_indication_fraction_and_percent():
    p = ProgressIndication(progress_indication=0x4000)
    assert p.fraction == 0.25
    assert p.percent == 25.0
    assert str(p) == "progress 25.00%"
    assert str(ProgressIndication(progress_indication=1)) == "progress 0.00%"


def test_field_pointer_text():
    s = decode_sense(h("70 00 05 00 00 00 00 0a 00 00 00 00 24 00 00 cf 00 02"))
    assert str(s) == ("Fixed format, current; Sense key: ILLEGAL REQUEST; "
                      "Additional sense: Invalid field in cdb [24h/00h]; "
                      "Sense key specific: error in CDB byte 2 bit 7")


# ---------------------------------------------------------------- descriptor format

DESCRIPTOR_VECTORS = [
    (0x3, "00 0a 80 00 00 00 00 00 00 12 34 56", InformationDescriptor(valid=True, information=0x123456)),
    (0x3, "00 0a 00 00 00 00 00 00 00 00 00 09", InformationDescriptor(valid=False, information=9)),
    (0x3, "01 0a 00 00 00 00 00 00 de ad be ef", CommandSpecificDescriptor(command_specific_information=0xDEADBEEF)),
    (0x5, "02 06 00 00 c8 00 02 00", SenseKeySpecificDescriptor(
        sense_key_specific=FieldPointer(c_d=True, bpv=True, bit_pointer=0, field_pointer=2), raw=h("c80002"))),
    (0x3, "03 02 00 2a", FieldReplaceableUnitDescriptor(field_replaceable_unit_code=0x2A)),
    (0x0, "04 02 00 e0", StreamCommandsDescriptor(filemark=True, eom=True, ili=True)),
    (0x0, "04 02 00 40", StreamCommandsDescriptor(filemark=False, eom=True, ili=False)),
    (0x5, "05 02 00 20", BlockCommandsDescriptor(ili=True)),
    (0x5, "06 1e 000000000000 00000010 00000020 0000000000010000 0000000000010005",
     OsdObjectIdentificationDescriptor(not_initiated_command_functions=0x10, completed_command_functions=0x20,
                                       partition_id=0x10000, object_id=0x10005)),
    (0x5, "07 20 " + bytes(range(32)).hex(),
     OsdResponseIntegrityCheckValueDescriptor(response_integrity_check_value=bytes(range(32)))),
    (0x5, "08 16 000000000000 00000001 00000002 f0000003 00000004",
     OsdAttributeIdentificationDescriptor(attributes=(OsdAttribute(attributes_page=1, attribute_number=2),
                                                      OsdAttribute(attributes_page=0xF0000003, attribute_number=4)))),
    (0x1, "09 0c 01 00 00 01 00 02 00 03 00 04 40 50",
     AtaStatusReturnDescriptor(extend=True, error=0, count=1, lba=0x040302, device=0x40, status=0x50)),
    (0x1, "09 0c 01 04 12 34 56 78 9a bc de f0 e0 51",
     AtaStatusReturnDescriptor(extend=True, error=4, count=0x1234, lba=0xDE9A56F0BC78, device=0xE0, status=0x51)),
    (0x1, "09 0c 00 04 00 22 00 78 00 bc 00 f0 e0 51",
     AtaStatusReturnDescriptor(extend=False, error=4, count=0x22, lba=0xF0BC78, device=0xE0, status=0x51)),
    (0x2, "0a 06 02 04 04 00 80 00",
     AnotherProgressIndicationDescriptor(sense_key=2, asc=4, ascq=4, progress_indication=0x8000)),
    (0x5, "0b 1e 01 00 00000002 0000000000001000 0000000000001fff 0e 00 0001 01 00 0002",
     UserDataSegmentReferralDescriptor(not_all_r=True, referrals=(UserDataSegmentReferral(
         first_user_data_segment_lba=0x1000, last_user_data_segment_lba=0x1FFF,
         target_port_groups=(TargetPortGroup(asymmetric_access_state=0xE, target_port_group=1),
                             TargetPortGroup(asymmetric_access_state=1, target_port_group=2))),))),
    (0xA, "0c 14 81 02 700003000000000a000000001100000000 00",
     ForwardedSenseDataDescriptor(fsdt=True, sense_data_source=1, forwarded_status=2,
                                  sense_data=h("700003000000000a00000000110000000000"))),
    (0x3, "0d 1e a0 00 80 00 05 07 0000000000001234 0000000000000009 0000000000000000",
     DirectAccessBlockDeviceDescriptor(valid=True, ili=True, sense_key_specific=ActualRetryCount(5),
                                       sks_raw=h("800005"), field_replaceable_unit_code=7,
                                       information=0x1234, command_specific_information=9)),
    (0x6, "0e 0e 00 01 01 03 00 08 5001234567 89abcd",
     DeviceDesignationDescriptor(usage_reason=1, protocol_identifier=0, code_set=1, piv=False, association=0,
                                 designator_type=3, designator=h("500123456789abcd"))),
    (0x6, "0f 06 00 00 00 00 00 3c", MicrocodeActivationDescriptor(microcode_activation_time=60)),
    (0x5, "80 02 ab cd", VendorSpecificDescriptor(descriptor_type=0x80, data=h("abcd"))),
    (0x5, "fe 00", VendorSpecificDescriptor(descriptor_type=0xFE, data=b"")),
    (0x5, "10 02 00 00", UnknownDescriptor(descriptor_type=0x10, data=h("0000"))),
]


@pytest.mark.parametrize("key, body, expected", DESCRIPTOR_VECTORS)
def test_every_descriptor_type(key, body, expected):
    s = decode_sense(desc_sense(key, 0x00, 0x00, body))
    assert s.problems == ()
    assert s.descriptors == (expected,)
    # and each record writes itself back to the same bytes
    assert bytes(s.descriptors[0]) == h(body)
    assert str(s)


def test_every_standard_descriptor_type_has_a_vector():
    types = {h(body)[0] for _, body, _ in DESCRIPTOR_VECTORS}
    assert set(range(0x10)) <= types


def test_forwarded_sense_is_decoded():
    s = decode_sense(desc_sense(0xA, 0x0D, 0x00, "0c 14 81 02 700003000000000a00000000110000000000"))
    inner = s.descriptors[0].forwarded_sense
    assert inner.sense_key is SenseKey.MEDIUM_ERROR and (inner.asc, inner.ascq) == (0x11, 0)
    assert "Unrecovered read error" in str(s)


def test_another_progress_indication_percent():
    d = AnotherProgressIndicationDescriptor(sense_key=2, asc=4, ascq=4, progress_indication=0xC000)
    assert d.percent == 75.0 and d.fraction == 0.75


def test_descriptor_fields_fold_into_sense():
    body = ("00 0a 80 00 0000000000abcdef  01 0a 00 00 0000000000000042  02 06 00 00 80 00 03 00"
            "  03 02 00 11  04 02 00 c0  05 02 00 20")
    s = decode_sense(desc_sense(0x3, 0x11, 0x00, body))
    assert s.information == 0xABCDEF
    assert s.command_specific == 0x42
    assert s.sense_key_specific == ActualRetryCount(3)
    assert s.fru == 0x11
    assert (s.filemark, s.eom, s.ili) == (True, True, True)
    assert str(s) == ("Descriptor format, current; Sense key: MEDIUM ERROR; Additional sense: "
                      "Unrecovered read error [11h/00h]; Info fld=0xabcdef; Command specific=0x42; "
                      "Sense key specific: actual retry count 3; FRU=0x11; FILEMARK EOM ILI")


def test_information_descriptor_valid_clear_gives_no_information():
    s = decode_sense(desc_sense(0x3, 0x11, 0x00, "00 0a 00 00 0000000000000009"))
    assert s.information is None


def test_direct_access_block_device_descriptor_folds():
    s = decode_sense(desc_sense(0x3, 0x11, 0x00,
                                "0d 1e a0 00 80 00 05 07 0000000000001234 0000000000000009 0000000000000000"))
    assert (s.information, s.command_specific, s.fru, s.ili) == (0x1234, 9, 7, True)
    assert s.sense_key_specific == ActualRetryCount(5)


def test_descriptor_deferred_and_sdat_ovfl():
    s = decode_sense(h("73 06 29 00 80 00 00 00"))
    assert (s.format, s.deferred, s.sdat_ovfl) == ("descriptor", True, True)
    assert s.sense_key is SenseKey.UNIT_ATTENTION
    assert str(s).startswith("Descriptor format, deferred; Sense key: UNIT ATTENTION; "
                             "Additional sense: Power on, reset, or bus device reset occurred [29h/00h]")


def test_descriptor_information_beyond_32_bits():
    s = decode_sense(build_descriptor_sense(3, 0x11, 0, information=0x123456789ABC))
    assert s.information == 0x123456789ABC


@pytest.mark.parametrize("key, asc, ascq, info, deferred", [
    (SenseKey.MEDIUM_ERROR, 0x11, 0x00, 0x123456, False),
    (SenseKey.ILLEGAL_REQUEST, 0x21, 0x00, None, False),
    (SenseKey.HARDWARE_ERROR, 0x44, 0x00, 0xFFFFFFFF, True),
    (SenseKey.UNIT_ATTENTION, 0x29, 0x00, 0, False),
    (SenseKey.ABORTED_COMMAND, 0x4B, 0x03, None, True),
])
def test_fixed_and_descriptor_agree(key, asc, ascq, info, deferred):
    fixed = decode_sense(build_fixed_sense(key, asc, ascq, info, deferred=deferred))
    desc = decode_sense(build_descriptor_sense(key, asc, ascq, info, deferred=deferred))
    assert (fixed.format, desc.format) == ("fixed", "descriptor")
    for s in (fixed, desc):
        assert (s.sense_key, s.asc, s.ascq, s.information, s.deferred) == (key, asc, ascq, info, deferred)
        assert s.problems == ()
    assert str(fixed).split("; ", 1)[1] == str(desc).split("; ", 1)[1]


# ---------------------------------------------------------------- builders

def test_build_fixed_sense_bytes():
    assert build_fixed_sense(3, 0x11, 0, 0x123456) == h("f00003001234560a00000000110000000000")
    assert build_fixed_sense(5, 0x24, 0, sense_key_specific=FieldPointer(True, True, 7, 2)) == \
        h("70000500000000 0a 00000000 2400 00 cf0002")
    assert build_fixed_sense(6, 0x29, 0, deferred=True, additional=b"\x01\x02") == \
        h("71000600000000 0c 00000000 2900 00 000000 0102")


def test_build_descriptor_sense_bytes():
    assert build_descriptor_sense(3, 0x11, 0, 0x123456) == \
        h("72 03 11 00 00 00 00 0c  00 0a 80 00 00 00 00 00 00 12 34 56")


def test_build_descriptor_sense_layout():
    raw = build_descriptor_sense(5, 0x24, 0, sense_key_specific=h("c80002"), fru=3, ili=True,
                                 descriptors=[MicrocodeActivationDescriptor(10), h("8001ff")])
    assert raw == h("72 05 24 00 00 00 00 1b  02 06 00 00 c8 00 02 00  03 02 00 03  05 02 00 20"
                    "  0f 06 00 00 00 00 00 0a  80 01 ff")


@pytest.mark.parametrize("call", [
    lambda: build_fixed_sense(16, 0, 0),
    lambda: build_fixed_sense(3, 256, 0),
    lambda: build_fixed_sense(3, 0, -1),
    lambda: build_fixed_sense(3, 0, 0, 1 << 32),
    lambda: build_fixed_sense(3, 0, 0, sense_key_specific=b"\x80\x00"),
    lambda: build_fixed_sense(3, 0, 0, additional=bytes(245)),
    lambda: build_descriptor_sense(3, 0, 0, 1 << 64),
    lambda: build_descriptor_sense(3, 0, 0, descriptors=[bytes(245)]),
])
def test_builders_reject_bad_arguments(call):
    with pytest.raises(UsageError):
        call()


# ---------------------------------------------------------------- malformed sense

@pytest.mark.parametrize("raw, problem", [
    (b"", "sense buffer is empty"),
    (h("70"), "fixed format sense is 1 bytes, the sense key is in byte 2"),
    (h("70 00 03 00 00 00 00 0a 00 00 00 00"), "additional sense length 10 needs 18 bytes, the buffer has 12"),
    (h("70 00 03 00 00 00 00 02 00 00 00 00 11 00"), "fixed format sense ends at byte 10, before ASC/ASCQ (bytes 12-13)"),
    (h("7f 00 05 00 00 00 00 0a 00 00 00 00 24 00 00 00 00 00"), "response code 0x7f is not 70h-73h"),
    (h("00 00 00 00"), "response code 0x00 is not 70h-73h"),
    (h("72 03 11"), "descriptor format sense is 3 bytes, the header is 8"),
    (h("72 03 11 00 00 00 00 10 00 0a 80 00"), "additional sense length 16 needs 24 bytes, the buffer has 12"),
    (h("72 03 11 00 00 00 00 06 00 0a 80 00 00 00"), "descriptor 00h at byte 8 claims 12 bytes, 6 are left"),
    (h("72 03 11 00 00 00 00 04 00 02 00 00"), "information descriptor (00h) has 4 bytes, needs 12"),
    (h("72 03 11 00 00 00 00 01 00"), "a descriptor at byte 8 has no additional length byte"),
    (h("f2 03 11 00 00 00 00 00"), "reserved bit 7 of byte 0 is set"),
])
def test_malformed_sense_is_reported_not_raised(raw, problem):
    s = decode_sense(raw)
    assert problem in s.problems
    assert str(s)


def test_truncated_fixed_sense_keeps_what_is_there():
    s = decode_sense(h("f0 00 03 00 00 10 00 0a 00 00 00 00 11"))
    assert s.sense_key is SenseKey.MEDIUM_ERROR
    assert s.information == 0x1000
    assert s.asc == 0x11 and s.ascq == 0
    assert s.fru is None and s.sense_key_specific is None


def test_short_descriptor_is_kept_raw():
    s = decode_sense(h("72 03 11 00 00 00 00 04 00 02 80 00"))
    assert s.descriptors == (TruncatedDescriptor(descriptor_type=0, data=h("8000")),)
    assert s.information is None


def test_bad_response_code_is_read_as_fixed():
    s = decode_sense(h("7f 00 05 00 00 00 00 0a 00 00 00 00 24 00 00 00 00 00"))
    assert (s.format, s.sense_key, s.asc) == ("fixed", SenseKey.ILLEGAL_REQUEST, 0x24)
    assert str(s).startswith("Response code 0x7f, read as fixed format; Sense key: ILLEGAL REQUEST")


def test_empty_sense_text():
    assert str(decode_sense(b"")) == "No sense data (sense buffer is empty)"


def test_nested_forwarded_sense_is_bounded():
    inner = h("70 00 03 00 00 00 00 0a 00 00 00 00 11 00 00 00 00 00")
    for _ in range(10):
        inner = desc_sense(0xA, 0x0D, 0, (bytes((0x0C, len(inner) + 2, 0, 2)) + inner).hex())
    s = decode_sense(inner)
    depth = 0
    while s is not None and s.descriptors:
        s = s.descriptors[0].forwarded_sense
        depth += 1
    assert depth == 5   # the top level plus four nested levels are decoded


def test_accepts_bytearray_and_memoryview():
    raw = h("f00003001234560a00000000110000000000")
    assert decode_sense(bytearray(raw)) == decode_sense(raw) == decode_sense(memoryview(raw))


def _never_fails(raw: bytes) -> None:
    s = decode_sense(raw)
    assert not any(p.startswith("sense decoder failed") for p in s.problems), s.problems
    assert isinstance(str(s), str)
    assert 0 <= s.sense_key <= 15


@given(st.binary(max_size=260))
def test_random_bytes_never_raise(raw):
    _never_fails(raw)


@given(st.sampled_from([0x70, 0x71, 0x72, 0x73, 0xF0, 0xF1]), st.binary(max_size=252))
def test_random_sense_with_valid_response_code_never_raises(code, rest):
    _never_fails(bytes((code,)) + rest)


@given(st.lists(st.tuples(st.integers(0, 0x20) | st.integers(0x80, 0xFF), st.binary(max_size=40)), max_size=6),
       st.integers(0, 15))
def test_random_descriptor_lists_never_raise(items, key):
    body = b"".join(bytes((t, len(d))) + d for t, d in items)[:244]
    _never_fails(bytes((0x72, key, 0, 0, 0, 0, 0, len(body))) + body)
