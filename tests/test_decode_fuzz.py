"""Every decoder entry point survives random and damaged input and still returns a record.

Three kinds of input: random bytes; valid device responses (the scsi_debug corpus) cut at a
random point or with random bytes overwritten; and a valid-looking header for every page
code in the dispatch tables followed by random bytes, so the page decoders themselves see
garbage (random bytes alone would almost never reach them).
"""
from __future__ import annotations

import json

import attrs
from hypothesis import given, settings, strategies as st

from sgframe.decode import (
    LOG_PAGE_DECODERS,
    MODE_PAGE_DECODERS,
    PR_IN_DECODERS,
    VPD_DECODERS,
    decode_designator,
    decode_inquiry,
    decode_lba_status,
    decode_log_page,
    decode_lun,
    decode_mode_page,
    decode_mode_parameters,
    decode_persistent_reserve_in,
    decode_read_capacity10,
    decode_read_capacity16,
    decode_report_luns,
    decode_report_zones,
    decode_supported_opcodes,
    decode_vpd,
)
from test_decode_scsi_debug import VECTORS

ENTRY_POINTS = {
    "inquiry": decode_inquiry,
    "vpd": decode_vpd,
    "read_capacity10": decode_read_capacity10,
    "read_capacity16": decode_read_capacity16,
    "report_luns": decode_report_luns,
    "lun": decode_lun,
    "opcodes_all": lambda d: decode_supported_opcodes(d, 0),
    "opcodes_one": lambda d: decode_supported_opcodes(d, 1),
    "opcodes_sa": lambda d: decode_supported_opcodes(d, 3),
    "opcodes_reserved": lambda d: decode_supported_opcodes(d, 7),
    "mode6": lambda d: decode_mode_parameters(d, ten=False),
    "mode10": lambda d: decode_mode_parameters(d, ten=True),
    "mode_page": decode_mode_page,
    "log": decode_log_page,
    "pr_in_0": lambda d: decode_persistent_reserve_in(d, 0),
    "pr_in_1": lambda d: decode_persistent_reserve_in(d, 1),
    "pr_in_2": lambda d: decode_persistent_reserve_in(d, 2),
    "pr_in_3": lambda d: decode_persistent_reserve_in(d, 3),
    "pr_in_bad": lambda d: decode_persistent_reserve_in(d, 9),
    "lba_status": decode_lba_status,
    "report_zones": decode_report_zones,
    "designator": lambda d: decode_designator(d)[0],
}
# The table entries are called directly too: decode_vpd & co. catch a decoder's exception
# and report it, which would hide a bug here.
for _code, _fn in VPD_DECODERS.items():
    ENTRY_POINTS[f"vpd_{_code:02x}"] = _fn
for (_page, _sub), _fn in MODE_PAGE_DECODERS.items():
    ENTRY_POINTS[f"mode_page_{_page:02x}_{_sub:02x}"] = _fn
for (_page, _sub), _fn in LOG_PAGE_DECODERS.items():
    ENTRY_POINTS[f"log_{_page:02x}_{_sub:02x}"] = _fn
for _sa, _fn in PR_IN_DECODERS.items():
    ENTRY_POINTS[f"pr_in_table_{_sa}"] = _fn

corpus = st.sampled_from(sorted(VECTORS.values()))
truncated = corpus.flatmap(lambda v: st.integers(0, len(v)).map(lambda n: v[:n]))


@st.composite
def damaged(draw):
    raw = bytearray(draw(corpus))
    for _ in range(draw(st.integers(1, 6))):
        if raw:
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
    return bytes(raw[:draw(st.integers(0, len(raw)))])


@st.composite
def page_headers(draw):
    """A VPD, mode or log page header naming a known page, then random bytes."""
    body = draw(st.binary(max_size=80))
    length = draw(st.one_of(st.just(len(body)), st.integers(0, 0xFFFF)))
    kind = draw(st.sampled_from(["vpd", "mode", "log"]))
    if kind == "vpd":
        code = draw(st.sampled_from(sorted(VPD_DECODERS)))
        return bytes([draw(st.integers(0, 255)), code]) + length.to_bytes(2, "big") + body
    if kind == "mode":
        page, sub = draw(st.sampled_from(sorted(MODE_PAGE_DECODERS)))
        if sub or draw(st.booleans()):
            return bytes([0x40 | page, sub]) + length.to_bytes(2, "big") + body
        return bytes([page, length & 0xFF]) + body
    page, sub = draw(st.sampled_from(sorted(LOG_PAGE_DECODERS)))
    return bytes([(0x40 if sub else 0) | page, sub]) + length.to_bytes(2, "big") + body


@st.composite
def mode_lists(draw):
    """Mode parameter lists whose pages carry known codes and random contents."""
    ten = draw(st.booleans())
    pages = draw(st.lists(page_headers(), max_size=4))
    descriptors = draw(st.binary(max_size=40))
    body = descriptors + b"".join(pages)
    if ten:
        head = (len(body) + 6).to_bytes(2, "big") + bytes([0, 0x10, draw(st.integers(0, 1)), 0])
        head += draw(st.sampled_from([len(descriptors), draw(st.integers(0, 0xFFFF))])).to_bytes(2, "big")
    else:
        head = bytes([(len(body) + 3) & 0xFF, 0, 0x10, draw(st.integers(0, 255))])
    return ten, head + body


any_input = st.one_of(st.binary(max_size=700), truncated, damaged(), page_headers())


def _check(record):
    assert attrs.has(type(record)), record
    problems = record.problems
    assert isinstance(problems, tuple)
    assert all(isinstance(p, str) for p in problems)
    assert not any("internal error" in p for p in problems), problems
    json.dumps(record.to_dict())
    repr(record)


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(sorted(ENTRY_POINTS)), data=any_input)
def test_every_entry_point_returns_a_record(name, data):
    _check(ENTRY_POINTS[name](data))


@settings(max_examples=100, deadline=None)
@given(case=mode_lists())
def test_mode_parameter_lists_with_garbage_pages(case):
    ten, data = case
    _check(decode_mode_parameters(data, ten=ten))


@settings(max_examples=60, deadline=None)
@given(data=truncated)
def test_truncation_is_reported(data):
    # Whatever the cut, each decoder either finishes cleanly or says what it missed; the
    # INQUIRY decoder in particular must flag anything shorter than the 36 mandatory bytes.
    record = decode_inquiry(data)
    if len(data) < 36:
        assert record.problems
