"""Mode pages and parameter lists: vectors from SPC-5/SBC-4, the MODE SELECT encoder, round trips."""
from __future__ import annotations

import attrs
import pytest
from hypothesis import given, settings, strategies as st

from sgframe.decode import (
    MODE_PAGE_DECODERS,
    CachingPage,
    ControlExtensionPage,
    ControlPage,
    DisconnectReconnectPage,
    InformationalExceptionsControlPage,
    LongLbaBlockDescriptor,
    ModeParameterHeader,
    ModeParameters,
    ReadWriteErrorRecoveryPage,
    ShortLbaBlockDescriptor,
    UnknownModePage,
    decode_mode_page,
    decode_mode_parameters,
    encode_mode_parameters,
)
from sgframe.errors import UsageError

LAYOUT_PAGES = [
    ReadWriteErrorRecoveryPage,
    DisconnectReconnectPage,
    CachingPage,
    ControlPage,
    ControlExtensionPage,
    InformationalExceptionsControlPage,
]


@pytest.mark.parametrize("page, raw_hex", [
    (CachingPage(wce=True, rcd=True), "0812 05 00" + "00" * 16),
    (CachingPage(ic=True, demand_read_retention_priority=0xF, write_retention_priority=1,
                 disable_pre_fetch_transfer_length=0x1234, maximum_pre_fetch_ceiling=0xFFFF,
                 fsw=True, nv_dis=True, sync_prog=2, number_of_cache_segments=3, cache_segment_size=0x100),
     "0812 80 f1 1234 0000 0000 ffff 85 03 0100 00000000"),
    (ReadWriteErrorRecoveryPage(awre=True, per=True, dcr=True, read_retry_count=3, lbpere=True, mwr=2,
                                write_retry_count=4, recovery_time_limit=1000),
     "010a 85 03 000000 c0 04 00 03e8"),
    (DisconnectReconnectPage(buffer_full_ratio=0x80, bus_inactivity_limit=0x102, maximum_burst_size=0x10,
                             emdp=True, fair_arbitration=5, dimm=True, dtdc=3, first_burst_size=0xABCD),
     "020e 80 00 0102 0000 0000 0010 db 00 abcd"),
    (ControlPage(tst=1, d_sense=True, queue_algorithm_modifier=1, qerr=1, swp=True, ua_intlck_ctrl=2,
                 tas=True, autoload_mode=2, busy_timeout_period=0xFFFF, extended_self_test_completion_time=90),
     "0a0a 24 12 28 42 0000 ffff 005a"),
    (ControlExtensionPage(tcmos=True, ialuae=True, initial_command_priority=3, maximum_sense_data_length=252),
     "4a01001c 05 03 fc" + "00" * 25),
    (InformationalExceptionsControlPage(perf=True, ewasc=True, logerr=True, mrie=6, interval_timer=6000, report_count=1),
     "1c0a 91 06 00001770 00000001"),
])
def test_page_vectors(page, raw_hex):
    raw = bytes.fromhex(raw_hex.replace(" ", ""))
    assert page.encode() == raw
    decoded = decode_mode_page(raw)
    assert decoded == page
    assert decoded.problems == ()


def test_page_code_fields_are_fixed():
    page = CachingPage()
    assert (page.page_code, page.subpage_code, page.ps) == (0x08, 0, False)
    assert (ControlExtensionPage().page_code, ControlExtensionPage().subpage_code) == (0x0A, 0x01)
    with pytest.raises(TypeError):
        CachingPage(page_code=9)


def test_ps_is_decoded_and_rejected_by_the_encoder():
    page = decode_mode_page(bytes.fromhex("9c0a0800") + bytes(8))
    assert (page.ps, page.dexcpt) == (True, True)
    with pytest.raises(UsageError, match=r"pages\[0\] \(InformationalExceptionsControlPage\) has ps=True"):
        encode_mode_parameters(ModeParameterHeader(), (), [page], ten=True)


def test_short_page_keeps_its_length_and_extra_bytes_are_kept():
    short = decode_mode_page(bytes.fromhex("080a 04 00 0000 0000 0000 0000"))
    assert (short.wce, short.page_length, short.number_of_cache_segments) == (True, 10, 0)
    assert short.problems == ("CachingPage: page length 10 is shorter than the standard 18",)
    assert short.encode() == bytes.fromhex("080a04000000000000000000")
    longer = decode_mode_page(bytes.fromhex("1c0c 08 00 00000000 00000000 abcd"))
    assert (longer.dexcpt, longer.extra, longer.page_length) == (True, b"\xab\xcd", None)
    assert longer.encode() == bytes.fromhex("1c0c 08 00 00000000 00000000 abcd".replace(" ", ""))


def test_page_encoder_refuses_bad_values():
    with pytest.raises(UsageError, match=r"mrie=16 is out of range: allowed 0\.\.15"):
        InformationalExceptionsControlPage(mrie=16).encode()
    with pytest.raises(UsageError, match="page_length=4 would drop non-zero fields"):
        CachingPage(number_of_cache_segments=1, page_length=4).encode()
    with pytest.raises(UsageError, match="longer than the fields and extra"):
        CachingPage(page_length=40).encode()


def test_stray_reserved_bits_are_reported():
    page = decode_mode_page(bytes.fromhex("1c0a 48 f0") + bytes(8))
    assert page.problems == (
        "InformationalExceptionsControlPage: reserved or obsolete bits set in byte(s) 2, 3; encode() sends them as zero",)
    assert page.encode() == bytes.fromhex("1c0a0800") + bytes(8)


def test_unknown_pages_round_trip():
    page_0 = decode_mode_page(bytes.fromhex("3903aabbcc"))
    assert page_0 == UnknownModePage(page_code=0x39, page_data=bytes.fromhex("aabbcc"))
    assert page_0.encode() == bytes.fromhex("3903aabbcc")
    sub = decode_mode_page(bytes.fromhex("5901 0002 0102"))
    assert (sub.spf, sub.page_code, sub.subpage_code, sub.page_data) == (True, 0x19, 1, b"\x01\x02")
    assert sub.encode() == bytes.fromhex("590100020102")
    # A page_0 page 0Ah/xx is the control page; the same code in sub_page format with an
    # unregistered subpage stays raw.
    assert isinstance(decode_mode_page(bytes.fromhex("4a03 0001 00")), UnknownModePage)
    with pytest.raises(UsageError, match="needs spf=True"):
        UnknownModePage(page_code=1, subpage_code=2).encode()


def test_mode_select6_list_exact_bytes():
    out = encode_mode_parameters(
        ModeParameterHeader(medium_type=0, device_specific_parameter=0),
        [ShortLbaBlockDescriptor(number_of_logical_blocks=0x1000, logical_block_length=4096)],
        [CachingPage(wce=True)],
        ten=False,
    )
    assert out == bytes.fromhex("00000008" "00001000 00 001000" "0812 04 00" + "00" * 16)


def test_mode_select10_list_exact_bytes_long_lba():
    out = encode_mode_parameters(
        ModeParameterHeader(longlba=True),
        [LongLbaBlockDescriptor(number_of_logical_blocks=1 << 33, logical_block_length=512)],
        [ControlPage(d_sense=True)],
        ten=True,
    )
    assert out == bytes.fromhex(
        "0000 00 00 01 00 0010" "0000000200000000 00000000 00000200" "0a0a 04 00 00 00 0000 0000 0000")


def test_mode_data_length_is_written_as_zero():
    out = encode_mode_parameters(ModeParameterHeader(mode_data_length=0x73, block_descriptor_length=99), ten=False)
    assert out == bytes(4)


def test_encoder_usage_errors():
    with pytest.raises(UsageError, match="longlba=True needs the 10-byte header"):
        encode_mode_parameters(ModeParameterHeader(longlba=True), ten=False)
    with pytest.raises(UsageError, match=r"block_descriptors\[0\] is LongLbaBlockDescriptor"):
        encode_mode_parameters(ModeParameterHeader(), [LongLbaBlockDescriptor()], ten=True)
    with pytest.raises(UsageError, match="logical_block_length=16777216 is out of range"):
        encode_mode_parameters(ModeParameterHeader(), [ShortLbaBlockDescriptor(logical_block_length=1 << 24)], ten=False)
    with pytest.raises(UsageError, match="ten is required"):
        encode_mode_parameters(ModeParameterHeader())
    with pytest.raises(UsageError, match="parameter list length"):
        encode_mode_parameters(ModeParameterHeader(), (), [UnknownModePage(page_code=0x3E, page_data=bytes(250))], ten=False)


def test_decode_header_problems():
    d = decode_mode_parameters(bytes.fromhex("0b00"), ten=False)
    assert d.problems == ("mode parameters (6): header truncated, 2 of 4 bytes",)
    d = decode_mode_parameters(bytes.fromhex("2300 0000") + bytes.fromhex("0812"), ten=False)
    assert d.problems[0] == "mode parameters (6): mode data length announces 36 bytes, 6 received"
    assert d.pages[0].problems == ("CachingPage: page length 18, only 0 bytes present",)
    d = decode_mode_parameters(bytes.fromhex("000a 00 00 00 00 0040") + bytes(4), ten=True)
    assert d.problems == (
        "mode parameters (10): block descriptor length 64 overruns the data",
        "block descriptor length 4 is not a multiple of 8",
    )


# --- round trips ---------------------------------------------------------------------


def _page_strategy(cls):
    kwargs = {}
    for name, _byte, _bit, width in cls.LAYOUT:
        kwargs[name] = st.booleans() if width == 1 else st.integers(0, (1 << width) - 1)
    kwargs["extra"] = st.binary(max_size=6)
    return st.builds(cls, **kwargs)


unknown_pages = st.one_of(
    st.builds(UnknownModePage, page_code=st.sampled_from([0x05, 0x09, 0x0B, 0x30, 0x3E]),
              page_data=st.binary(max_size=20)),
    st.builds(UnknownModePage, page_code=st.sampled_from([0x0B, 0x30]), subpage_code=st.integers(0, 255),
              spf=st.just(True), page_data=st.binary(max_size=20)),
)
pages = st.one_of(unknown_pages, *[_page_strategy(cls) for cls in LAYOUT_PAGES])


@st.composite
def mode_parameters(draw):
    ten = draw(st.booleans())
    longlba = ten and draw(st.booleans())
    if longlba:
        descriptors = draw(st.lists(st.builds(LongLbaBlockDescriptor, number_of_logical_blocks=st.integers(0, 2**64 - 1),
                                              logical_block_length=st.integers(0, 2**32 - 1)), max_size=2))
    else:
        descriptors = draw(st.lists(st.builds(ShortLbaBlockDescriptor, number_of_logical_blocks=st.integers(0, 2**32 - 1),
                                              density_code=st.integers(0, 255),
                                              logical_block_length=st.integers(0, 2**24 - 1)), max_size=2))
    page_list = draw(st.lists(pages, max_size=3 if ten else 2))
    header = ModeParameterHeader(
        medium_type=draw(st.integers(0, 255)),
        device_specific_parameter=draw(st.integers(0, 255)),
        longlba=longlba,
        block_descriptor_length=(16 if longlba else 8) * len(descriptors),
    )
    return ModeParameters(ten=ten, header=header, block_descriptors=tuple(descriptors), pages=tuple(page_list))


@settings(max_examples=150, deadline=None)
@given(params=mode_parameters())
def test_round_trip_decode_encode(params):
    raw = encode_mode_parameters(params)
    again = decode_mode_parameters(raw, ten=params.ten)
    assert again == params
    assert again.problems == ()
    assert encode_mode_parameters(again) == raw


@settings(max_examples=100, deadline=None)
@given(page=pages)
def test_page_round_trip(page):
    assert decode_mode_page(page.encode()) == page


def test_for_select_clears_ps_and_data_length():
    raw = bytes.fromhex("0017 00 10 00 00 0008") + bytes.fromhex("0000100000000200") + bytes.fromhex("8806 04 00 0000 0000")
    sensed = decode_mode_parameters(raw, ten=True)
    assert sensed.pages[0].ps is True and sensed.header.mode_data_length == 0x17
    select = sensed.for_select()
    assert select.header.mode_data_length == 0 and select.pages[0].ps is False
    assert select.page(0x08).wce is True
    assert encode_mode_parameters(select) == bytes.fromhex(
        "0000 00 10 00 00 0008" "0000100000000200" "0806 04 00 0000 0000")


def test_dispatch_table_is_extensible(monkeypatch):
    @attrs.frozen
    class VendorPage:
        ps: bool = False
        page_code: int = 0x20
        subpage_code: int = 0
        problems: tuple = ()

        @classmethod
        def decode(cls, raw):
            return cls()

    monkeypatch.setitem(MODE_PAGE_DECODERS, (0x20, 0), VendorPage.decode)
    assert decode_mode_page(bytes.fromhex("2002 0000")) == VendorPage()
