"""Parameter data builders: the bytes that go to the device in the data-out phase.

Each builder validates what it is given and raises :class:`~sgframe.errors.UsageError`
naming the field and its range, so a malformed list is never sent.
"""
from __future__ import annotations

import struct
from typing import Any, Iterable, Optional, Sequence, Tuple

from .errors import UsageError

__all__ = [
    "mode_select_parameters",
    "pr_out_parameters",
    "pr_out_register_and_move",
    "unmap_parameters",
]

_U64 = (1 << 64) - 1
_U32 = (1 << 32) - 1
_U16 = (1 << 16) - 1
_UNMAP_HEADER = 8
_UNMAP_DESCRIPTOR = 16
# The PARAMETER LIST LENGTH of UNMAP is 16 bits, so the list is at most 65535 bytes.
MAX_UNMAP_DESCRIPTORS = (_U16 - _UNMAP_HEADER) // _UNMAP_DESCRIPTOR


def _uint(what: str, value: Any, limit: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"{what} must be an int in 0..{limit:#x}, got {value!r}")
    if not 0 <= value <= limit:
        raise UsageError(f"{what}={value} is out of range 0..{limit:#x}")
    return int(value)


def unmap_parameters(descriptors: Iterable[Tuple[int, int]]) -> bytes:
    """The UNMAP parameter list (SBC-4) for ``(lba, number_of_logical_blocks)`` pairs.

    An 8-byte header (UNMAP DATA LENGTH, UNMAP BLOCK DESCRIPTOR DATA LENGTH) and one 16-byte
    block descriptor per pair. Send it with ``Unmap(parameter_list_length=len(data))``.

    :param descriptors: LBAs (0..2**64-1) and block counts (0..2**32-1); at most
        4095 pairs, the most a 16-bit parameter list length can carry.
    """
    body = bytearray()
    count = 0
    for index, item in enumerate(descriptors):
        try:
            lba, blocks = item
        except (TypeError, ValueError):
            raise UsageError(f"UNMAP descriptor {index} must be an (lba, number_of_logical_blocks) pair, got {item!r}") from None
        lba = _uint(f"UNMAP descriptor {index} lba", lba, _U64)
        blocks = _uint(f"UNMAP descriptor {index} number_of_logical_blocks", blocks, _U32)
        body += struct.pack(">QI4x", lba, blocks)
        count += 1
        if count > MAX_UNMAP_DESCRIPTORS:
            raise UsageError(f"UNMAP takes at most {MAX_UNMAP_DESCRIPTORS} block descriptors (a 16-bit parameter list length)")
    # UNMAP DATA LENGTH counts the bytes after itself; the descriptor length counts the
    # descriptors alone.
    header = struct.pack(">HH4x", len(body) + _UNMAP_HEADER - 2, len(body))
    return header + bytes(body)


def _transport_id(what: str, value: Any) -> bytes:
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise UsageError(f"{what} must be bytes (an encoded TransportID), got {type(value).__name__}")
    value = bytes(value)
    # SPC-5 7.6.4: a TransportID is at least 24 bytes and a multiple of four long.
    if len(value) < 24 or len(value) % 4:
        raise UsageError(f"{what} must be at least 24 bytes and a multiple of 4, got {len(value)} bytes")
    return value


def pr_out_parameters(
    reservation_key: int = 0,
    service_action_reservation_key: int = 0,
    *,
    spec_i_pt: bool = False,
    all_tg_pt: bool = False,
    aptpl: bool = False,
    transport_ids: Sequence[bytes] = (),
) -> bytes:
    """The basic PERSISTENT RESERVE OUT parameter list (SPC-5), for every service action
    except REGISTER AND MOVE.

    24 bytes: RESERVATION KEY, SERVICE ACTION RESERVATION KEY, the SPEC_I_PT, ALL_TG_PT and
    APTPL bits; with ``spec_i_pt`` the TRANSPORTID PARAMETER DATA LENGTH and the
    TransportIDs follow.

    :param transport_ids: encoded TransportIDs; only with ``spec_i_pt=True``.
    """
    reservation_key = _uint("reservation_key", reservation_key, _U64)
    service_action_reservation_key = _uint("service_action_reservation_key", service_action_reservation_key, _U64)
    flags = 0
    for name, value, bit in (("spec_i_pt", spec_i_pt, 3), ("all_tg_pt", all_tg_pt, 2), ("aptpl", aptpl, 0)):
        if not isinstance(value, bool):
            raise UsageError(f"{name} must be True or False, got {value!r}")
        flags |= value << bit
    if isinstance(transport_ids, (bytes, bytearray)):
        raise UsageError("transport_ids must be a sequence of TransportIDs, not one bytes object")
    ids = b"".join(_transport_id(f"transport_ids[{i}]", t) for i, t in enumerate(transport_ids))
    if ids and not spec_i_pt:
        raise UsageError("transport_ids are only sent with spec_i_pt=True (SPC-5: SPEC_I_PT)")
    data = struct.pack(">QQ4xBx2x", reservation_key, service_action_reservation_key, flags)
    if spec_i_pt:
        if 28 + len(ids) > _U32:
            raise UsageError("the TransportIDs do not fit a 32-bit parameter list length")
        data += struct.pack(">I", len(ids)) + ids
    return data


def pr_out_register_and_move(
    reservation_key: int,
    service_action_reservation_key: int,
    transport_id: bytes,
    *,
    relative_target_port_identifier: int,
    unreg: bool = False,
    aptpl: bool = False,
) -> bytes:
    """The PERSISTENT RESERVE OUT parameter list of REGISTER AND MOVE (SPC-5).

    RESERVATION KEY, SERVICE ACTION RESERVATION KEY, the UNREG and APTPL bits, RELATIVE
    TARGET PORT IDENTIFIER, TRANSPORTID PARAMETER DATA LENGTH and the one TransportID of
    the I_T nexus the reservation moves to.
    """
    reservation_key = _uint("reservation_key", reservation_key, _U64)
    service_action_reservation_key = _uint("service_action_reservation_key", service_action_reservation_key, _U64)
    relative_target_port_identifier = _uint("relative_target_port_identifier", relative_target_port_identifier, _U16)
    for name, value in (("unreg", unreg), ("aptpl", aptpl)):
        if not isinstance(value, bool):
            raise UsageError(f"{name} must be True or False, got {value!r}")
    tid = _transport_id("transport_id", transport_id)
    return (
        struct.pack(
            ">QQxBHI",
            reservation_key,
            service_action_reservation_key,
            unreg << 1 | aptpl,
            relative_target_port_identifier,
            len(tid),
        )
        + tid
    )


def mode_select_parameters(
    header: Any = None,
    block_descriptors: Sequence[Any] = (),
    pages: Sequence[Any] = (),
    *,
    ten: Optional[bool] = None,
) -> bytes:
    """The MODE SELECT parameter list: header, block descriptors, pages.

    The encoder lives beside the mode page decoders so the two share one description of
    the pages; this is :func:`sgframe.decode.mode.encode_mode_parameters` under the
    builders' roof (see it for the arguments). ``ten`` picks MODE SELECT(10) over (6).
    """
    from .decode.mode import encode_mode_parameters

    return encode_mode_parameters(header, block_descriptors, pages, ten=ten)
