"""Building what SEND DIAGNOSTIC sends to an enclosure: the enclosure control page (02h),
string out (04h), threshold out (05h), SES-1's array control (06h), subenclosure string
out (0Ch), download microcode control (0Eh) and subenclosure nickname control (0Fh).

An enclosure control page holds one control element for every status element, in the
same order (SES-4 6.1.3).  The device server acts only on elements whose SELECT bit is
set, and acts on every field of those, so changing one bit of one element means: read
the enclosure status page, carry over the bits whose status meaning is the same as
their control meaning (:attr:`ElementType.keep_mask`), clear every other bit (reserved
or status-only: a status bit in a control position would ask for something nobody
asked for), set SELECT on the elements being changed and change the named fields.
That is what :func:`build_enclosure_control` does.  The EXPECTED GENERATION CODE is
the status page's: an enclosure whose configuration changed in between refuses the page
rather than apply it to the wrong element (SES-4 6.1.3).

SES-1's array control page (06h; obsolete since SES-2 moved its bits into the array
device slot element, 17h, of page 02h) is laid out the same way and built from the
array status page (06h) the same way, by :func:`build_array_control`; a device element
(01h) there is SES-1's array device (:data:`~.elements.SES1_ARRAY_DEVICE`).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Union

from ...errors import UsageError
from .elements import ElementType, array_element_type, element_type
from .pages import ArrayStatusPage, ConfigurationPage, EnclosureStatusPage, ThresholdInPage

__all__ = [
    "build_enclosure_control", "build_array_control", "build_string_out", "build_threshold_out", "build_subenclosure_string_out",
    "build_subenclosure_nickname_control", "build_download_microcode_control", "ElementKey",
]

#: (type_index, element_index); element_index None is the type's overall element.
ElementKey = Tuple[int, Optional[int]]

_SELECT = 0x80 << 24


def _page(code: int, byte1: int, body: bytes) -> bytes:
    if len(body) > 0xFFFF:
        raise UsageError(f"diagnostic page {code:02X}h would be {len(body)} bytes; PAGE LENGTH holds 65535")
    return bytes((code, byte1)) + len(body).to_bytes(2, "big") + body


def _field_value(name: str, value: Union[bool, int], width: int) -> int:
    if isinstance(value, bool):
        value = int(value)
    if not isinstance(value, int) or not 0 <= value < (1 << width):
        raise UsageError(f"{name}={value!r} does not fit its {width} bit(s): allowed 0..{(1 << width) - 1}")
    return value


def build_enclosure_control(
    status: EnclosureStatusPage,
    changes: Mapping[ElementKey, Mapping[str, Union[bool, int]]],
    *,
    info: bool = False,
    non_crit: bool = False,
    crit: bool = False,
    unrecov: bool = False,
) -> bytes:
    """The enclosure control page that changes only the named fields.

    :param status: the current enclosure status page, decoded with its configuration.
    :param changes: ``{(type_index, element_index): {field: value}}``; fields are the
        control element's T10 names (``rqst_ident``, ``rqst_fault``) or sg_ses' acronyms
        (``ident``, ``fault``, ``locate``).
    :param info: the INFO, NON-CRIT, CRIT and UNRECOV requests of byte 1.
    :raises UsageError: the status page was decoded without its configuration, an
        element that does not exist, a field its type does not have, a value too wide.
    """
    return _build_control(0x02, "build_enclosure_control", "enclosure status page", element_type, status, changes,
                          (info, non_crit, crit, unrecov))


def build_array_control(
    status: ArrayStatusPage,
    changes: Mapping[ElementKey, Mapping[str, Union[bool, int]]],
    *,
    info: bool = False,
    non_crit: bool = False,
    crit: bool = False,
    unrecov: bool = False,
) -> bytes:
    """SES-1's array control page (06h) that changes only the named fields: the array
    status page read, each selected element's bits that mean the same in control kept,
    SELECT set, the named fields changed (``rqst_hot_spare``, ``rqst_in_failed_array``,
    ``rqst_ident`` ... or sg_ses' acronyms ``hotspare``, ``infailedarray``, ``ident``).

    :param status: the current array status page (06h), decoded with its configuration.
    :param changes: ``{(type_index, element_index): {field: value}}``, as
        :func:`build_enclosure_control`; a device element (01h) has the fields of
        :data:`~.elements.SES1_ARRAY_DEVICE`, an array device slot (17h) its own.
    :raises UsageError: as :func:`build_enclosure_control`; also a status page that is
        not the array status page.
    """
    if status.page_code != 0x06:
        got = "a page without a page code" if status.page_code is None else f"page {status.page_code:02X}h"
        raise UsageError(f"build_array_control starts from the array status page (06h), not {got}")
    return _build_control(0x06, "build_array_control", "array status page", array_element_type, status, changes,
                          (info, non_crit, crit, unrecov))


def _build_control(code: int, builder: str, what: str, type_of: Callable[[int], ElementType], status: Any,
                   changes: Mapping[ElementKey, Mapping[str, Union[bool, int]]], flags: Tuple[bool, ...]) -> bytes:
    """A control page of the enclosure control page's layout (02h, 06h) from its status
    page: every element, its kept bits, SELECT and the changes on the named ones."""
    if not status.types:
        raise UsageError(f"{builder} needs the {what} decoded with its "
                         "configuration page (decode_diagnostic_page(data, configuration))")
    if status.generation_code is None:
        raise UsageError(f"the {what} has no GENERATION CODE (it is truncated)")
    known = {(g.type_index, None) for g in status.types}
    known |= {(g.type_index, i) for g in status.types for i in range(len(g.elements))}
    for key in changes:
        if key not in known:
            raise UsageError(f"no element {key!r}: type indexes are 0..{len(status.types) - 1} and element "
                             f"indexes 0..count-1 (None for the overall element)")
    body = bytearray(status.generation_code.to_bytes(4, "big"))
    for group in status.types:
        t = type_of(group.element_type)
        for index, element in [(None, group.overall)] + list(enumerate(group.elements)):
            word = int.from_bytes(element.raw, "big") & t.keep_mask
            wanted = changes.get((group.type_index, index))
            if wanted is not None:
                word |= _SELECT
                for name, value in wanted.items():
                    f = t.control_field(name)
                    mask = f.mask
                    shift = (mask & -mask).bit_length() - 1
                    word = (word & ~mask) | (_field_value(name, value, f.width) << shift)
            body += word.to_bytes(4, "big")
    info, non_crit, crit, unrecov = flags
    byte1 = (info << 3) | (non_crit << 2) | (crit << 1) | int(unrecov)
    return _page(code, byte1, bytes(body))


def build_string_out(data: bytes) -> bytes:
    """Page 04h (SES-4 6.1.7): vendor-specific bytes for the enclosure."""
    if not isinstance(data, (bytes, bytearray)):
        raise UsageError(f"string out data must be bytes, not {type(data).__name__}")
    return _page(0x04, 0, bytes(data))


_THRESHOLDS = ("high_critical_threshold", "high_warning_threshold", "low_warning_threshold", "low_critical_threshold")


def build_threshold_out(
    thresholds: ThresholdInPage,
    changes: Mapping[ElementKey, Mapping[str, int]],
) -> bytes:
    """Page 05h (SES-4 6.1.9): the current thresholds with the named ones changed.

    A threshold control element has no SELECT bit: the enclosure takes every element's
    thresholds, so each one not being changed is sent back as it was read.

    :param changes: ``{(type_index, element_index): {"high_warning_threshold": 50}}``.
    """
    if not thresholds.types or thresholds.generation_code is None:
        raise UsageError("build_threshold_out needs the threshold in page decoded with its configuration page")
    body = bytearray(thresholds.generation_code.to_bytes(4, "big"))
    seen = set()
    for group in thresholds.types:
        for index, element in [(None, group.overall)] + list(enumerate(group.elements)):
            values: Dict[str, Any] = {n: getattr(element, n) for n in _THRESHOLDS}
            for name, value in changes.get((group.type_index, index), {}).items():
                if name not in values:
                    raise UsageError(f"a threshold element has no field {name!r}; it has: {', '.join(_THRESHOLDS)}")
                values[name] = _field_value(name, value, 8)
            seen.add((group.type_index, index))
            body += bytes(values[n] for n in _THRESHOLDS)
    for key in changes:
        if key not in seen:
            raise UsageError(f"no element {key!r} in the threshold page")
    return _page(0x05, 0, bytes(body))


def _subenclosure(code: int, subenclosure_identifier: int, generation_code: int, body: bytes) -> bytes:
    # Pages 0Ch, 0Eh and 0Fh: byte 1 is the SUBENCLOSURE IDENTIFIER, bytes 4-7 the
    # EXPECTED GENERATION CODE (SES-4 6.1.15, 6.1.18, 6.1.20).
    _field_value("subenclosure_identifier", subenclosure_identifier, 8)
    _field_value("generation_code", generation_code, 32)
    return _page(code, subenclosure_identifier, generation_code.to_bytes(4, "big") + body)


def build_subenclosure_string_out(subenclosure_identifier: int, generation_code: int, data: bytes) -> bytes:
    """Page 0Ch: vendor-specific bytes for one subenclosure."""
    if not isinstance(data, (bytes, bytearray)):
        raise UsageError(f"subenclosure string out data must be bytes, not {type(data).__name__}")
    return _subenclosure(0x0C, subenclosure_identifier, generation_code, bytes(data))


def build_subenclosure_nickname_control(subenclosure_identifier: int, generation_code: int, nickname: str) -> bytes:
    """Page 0Fh: a new SUBENCLOSURE NICKNAME (at most 32 bytes, NUL padded)."""
    raw = nickname.encode("utf-8") if isinstance(nickname, str) else None
    if raw is None or len(raw) > 32:
        raise UsageError(f"nickname must be text of at most 32 bytes, not {nickname!r}")
    return _subenclosure(0x0F, subenclosure_identifier, generation_code, raw.ljust(32, b"\x00"))


def build_download_microcode_control(
    subenclosure_identifier: int,
    generation_code: int,
    mode: int,
    microcode_image_length: int,
    data: bytes = b"",
    *,
    buffer_id: int = 0,
    buffer_offset: int = 0,
) -> bytes:
    """Page 0Eh: one piece of a microcode image (SES-4 6.1.18).

    :param mode: DOWNLOAD MICROCODE MODE (06h: download with offsets, defer activation;
        07h: download with offsets, save, activate; 0Eh: with offsets, save, defer
        activation; 0Fh: activate deferred microcode).
    :param data: this piece; padded with zeros to a multiple of 4 bytes.
    """
    _field_value("mode", mode, 8)
    _field_value("buffer_id", buffer_id, 8)
    _field_value("buffer_offset", buffer_offset, 32)
    _field_value("microcode_image_length", microcode_image_length, 32)
    data = bytes(data)
    body = bytes((mode, 0, 0, buffer_id)) + buffer_offset.to_bytes(4, "big") + \
        microcode_image_length.to_bytes(4, "big") + len(data).to_bytes(4, "big") + data + bytes(-len(data) % 4)
    return _subenclosure(0x0E, subenclosure_identifier, generation_code, body)
