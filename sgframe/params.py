"""Parameter data builders: the bytes that go to the device in the data-out phase.

Each builder validates what it is given and raises :class:`~sgframe.errors.UsageError`
naming the field and its range, so a malformed list is never sent.
"""
from __future__ import annotations

import struct
from typing import Any, Iterable, Optional, Sequence, Tuple

from .errors import UsageError

__all__ = [
    "block_to_block_segment_descriptor",
    "extended_copy_lid1_parameters",
    "extended_copy_lid4_parameters",
    "identification_cscd_descriptor",
    "mode_select_parameters",
    "pr_out_parameters",
    "pr_out_register_and_move",
    "reassign_blocks_parameters",
    "set_target_port_groups_parameters",
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


def _flag(name: str, value: Any) -> int:
    if not isinstance(value, bool):
        raise UsageError(f"{name} must be True or False, got {value!r}")
    return int(value)


def reassign_blocks_parameters(lbas: Iterable[int], *, longlba: bool = False, longlist: bool = False) -> bytes:
    """The REASSIGN BLOCKS parameter list (SBC-4 5.31.2): a 4-byte header and one LBA per
    defect, 4 bytes each (8 with ``longlba``).

    Send it with ``ReassignBlocks(longlba=longlba, longlist=longlist)``: the CDB's bits
    must say what the list holds. ``longlist`` makes DEFECT LIST LENGTH 32 bits (bytes
    0-3) instead of 16 (bytes 2-3); a list longer than 65535 bytes needs it.
    """
    longlba = bool(_flag("longlba", longlba))
    longlist = bool(_flag("longlist", longlist))
    if isinstance(lbas, (bytes, bytearray, str)):
        raise UsageError("lbas must be a sequence of LBAs (ints)")
    size, limit = (8, _U64) if longlba else (4, _U32)
    body = b"".join(
        _uint(f"lbas[{i}]", lba, limit).to_bytes(size, "big") for i, lba in enumerate(lbas)
    )
    if not body:
        raise UsageError("REASSIGN BLOCKS needs at least one LBA")
    if longlist:
        if len(body) > _U32:
            raise UsageError("the LBA list does not fit a 32-bit DEFECT LIST LENGTH")
        return struct.pack(">I", len(body)) + body
    if len(body) > _U16:
        raise UsageError(f"{len(body)} bytes of LBAs do not fit a 16-bit DEFECT LIST LENGTH: give longlist=True")
    return struct.pack(">2xH", len(body)) + body


#: Asymmetric access states SET TARGET PORT GROUPS may request (SPC-5 6.44): the
#: transitioning and logical block dependent states are the device's alone to enter.
SETTABLE_ACCESS_STATES = {0x0: "active/optimized", 0x1: "active/non optimized", 0x2: "standby",
                          0x3: "unavailable", 0xE: "offline"}


def set_target_port_groups_parameters(groups: Iterable[Tuple[int, int]]) -> bytes:
    """The SET TARGET PORT GROUPS parameter list (SPC-5 6.44): 4 reserved bytes, then per
    ``(target_port_group, asymmetric_access_state)`` pair a 4-byte descriptor.

    :param groups: target port groups (0..65535) and the states to put them in, one of
        :data:`SETTABLE_ACCESS_STATES`.
    """
    out = bytearray(4)
    for index, item in enumerate(groups):
        try:
            group, state = item
        except (TypeError, ValueError):
            raise UsageError(f"groups[{index}] must be a (target_port_group, asymmetric_access_state) pair, got {item!r}") from None
        group = _uint(f"groups[{index}] target_port_group", group, _U16)
        if isinstance(state, bool) or not isinstance(state, int) or state not in SETTABLE_ACCESS_STATES:
            allowed = ", ".join(f"{k:X}h ({v})" for k, v in SETTABLE_ACCESS_STATES.items())
            raise UsageError(f"groups[{index}] asymmetric_access_state {state!r} cannot be set; allowed: {allowed}")
        out += struct.pack(">BxH", state, group)
    if len(out) == 4:
        raise UsageError("SET TARGET PORT GROUPS needs at least one target port group")
    return bytes(out)


# --- EXTENDED COPY (SPC-5 6.4, 6.5) -------------------------------------------------------

_CSCD_IDENTIFICATION = 0xE4
_SEGMENT_BLOCK_TO_BLOCK = 0x02


def identification_cscd_descriptor(
    designator: bytes,
    *,
    block_length: int,
    peripheral_device_type: int = 0x00,
    relative_initiator_port_identifier: int = 0,
    lu_id_type: int = 0,
    nul: bool = False,
    pad: bool = False,
) -> bytes:
    """An identification descriptor CSCD descriptor (E4h, 32 bytes) naming a block device.

    :param designator: a designation descriptor as INQUIRY VPD page 83h returns it (the
        4-byte header and the designator), at most 20 bytes. The PROTOCOL IDENTIFIER and
        PIV bits are cleared, as SPC-5 requires of this descriptor.
    :param block_length: the device's logical block length (DISK BLOCK LENGTH, 24 bits).
    """
    if not isinstance(designator, (bytes, bytearray)):
        raise UsageError(f"designator must be the bytes of a designation descriptor, got {type(designator).__name__}")
    designator = bytes(designator)
    if len(designator) < 4 or len(designator) != 4 + designator[3]:
        raise UsageError(f"designator is {len(designator)} bytes, not a 4-byte header plus its DESIGNATOR LENGTH")
    if len(designator) > 20:
        raise UsageError(f"a designation descriptor of {len(designator)} bytes does not fit the 20 bytes of an E4h descriptor")
    lu_id_type = _uint("lu_id_type", lu_id_type, 0x3)
    peripheral_device_type = _uint("peripheral_device_type", peripheral_device_type, 0x1F)
    relative = _uint("relative_initiator_port_identifier", relative_initiator_port_identifier, _U16)
    block_length = _uint("block_length", block_length, 0xFFFFFF)
    body = bytearray(32)
    body[0] = _CSCD_IDENTIFICATION
    body[1] = lu_id_type << 6 | _flag("nul", nul) << 5 | peripheral_device_type
    body[2:4] = relative.to_bytes(2, "big")
    body[4:4 + len(designator)] = designator
    body[4] &= 0x0F  # CODE SET only
    body[5] &= 0x3F  # ASSOCIATION and DESIGNATOR TYPE; no PIV
    body[28] = _flag("pad", pad) << 2
    body[29:32] = block_length.to_bytes(3, "big")
    return bytes(body)


def _cscd_id(name: str, value: Any) -> int:
    value = _uint(name, value, _U16)
    # SPC-5 table 121: 0000h-07FFh index the list; C000h-FFFFh are special (FFFFh is
    # the logical unit holding the copy manager); the rest is reserved.
    if 0x0800 <= value <= 0xBFFF:
        raise UsageError(f"{name}={value:#06x} is reserved: use 0000h-07FFh (a list index) or C000h-FFFFh")
    return value


def block_to_block_segment_descriptor(
    source_cscd_descriptor_id: int,
    destination_cscd_descriptor_id: int,
    number_of_blocks: int,
    source_lba: int,
    destination_lba: int,
    *,
    dc: bool = False,
    cat: bool = False,
) -> bytes:
    """A block device to block device segment descriptor (02h, 28 bytes, SPC-5 6.4.6.5).

    With ``dc`` the block count is counted in destination blocks; ``cat`` lets the copy
    manager hold a partial last block.
    """
    return struct.pack(
        ">BBHHH2xHQQ",
        _SEGMENT_BLOCK_TO_BLOCK,
        _flag("dc", dc) << 1 | _flag("cat", cat),
        0x18,  # DESCRIPTOR LENGTH: the bytes after byte 3
        _cscd_id("source_cscd_descriptor_id", source_cscd_descriptor_id),
        _cscd_id("destination_cscd_descriptor_id", destination_cscd_descriptor_id),
        _uint("number_of_blocks", number_of_blocks, _U16),
        _uint("source_lba", source_lba, _U64),
        _uint("destination_lba", destination_lba, _U64),
    )


def _descriptor_lists(cscd_descriptors: Sequence[bytes], segment_descriptors: Sequence[bytes]) -> Tuple[bytes, bytes]:
    cscds = []
    for i, d in enumerate(cscd_descriptors):
        if not isinstance(d, (bytes, bytearray)) or len(d) not in (32, 64):
            raise UsageError(f"cscd_descriptors[{i}] must be a 32- or 64-byte CSCD descriptor (SPC-5 6.4.5)")
        cscds.append(bytes(d))
    segments = []
    for i, d in enumerate(segment_descriptors):
        if not isinstance(d, (bytes, bytearray)) or len(d) < 4 or len(d) != 4 + int.from_bytes(d[2:4], "big"):
            raise UsageError(f"segment_descriptors[{i}] must be a segment descriptor whose DESCRIPTOR LENGTH "
                             "(bytes 2-3) counts the bytes after byte 3")
        segments.append(bytes(d))
    if not segments:
        raise UsageError("an EXTENDED COPY needs at least one segment descriptor")
    return b"".join(cscds), b"".join(segments)


def _copy_flags(str_bit: bool, list_id_usage: int, priority: int) -> int:
    return (_flag("str_bit", str_bit) << 5 | _uint("list_id_usage", list_id_usage, 0x3) << 3
            | _uint("priority", priority, 0x7))


def extended_copy_lid1_parameters(
    cscd_descriptors: Sequence[bytes],
    segment_descriptors: Sequence[bytes],
    *,
    list_identifier: int = 0,
    list_id_usage: int = 0,
    priority: int = 0,
    str_bit: bool = False,
    inline_data: bytes = b"",
) -> bytes:
    """The EXTENDED COPY(LID1) parameter list (SPC-5 6.4.3): a 16-byte header, the CSCD
    descriptors, the segment descriptors, the inline data.

    :param list_id_usage: 00b hold the data for RECEIVE COPY DATA, 10b release it at the
        end, 11b no list identifier (``list_identifier`` must then be 0).
    """
    if _uint("list_id_usage", list_id_usage, 0x3) == 0x3 and list_identifier:
        raise UsageError("list_id_usage 11b means no list identifier: give list_identifier=0")
    cscds, segments = _descriptor_lists(cscd_descriptors, segment_descriptors)
    if len(cscds) > _U16:
        raise UsageError("the CSCD descriptors do not fit a 16-bit CSCD DESCRIPTOR LIST LENGTH")
    inline = bytes(inline_data)
    header = struct.pack(">BBH4xII", _uint("list_identifier", list_identifier, 0xFF),
                         _copy_flags(str_bit, list_id_usage, priority), len(cscds), len(segments), len(inline))
    return header + cscds + segments + inline


def extended_copy_lid4_parameters(
    cscd_descriptors: Sequence[bytes],
    segment_descriptors: Sequence[bytes],
    *,
    list_identifier: int,
    list_id_usage: int = 0,
    priority: int = 0,
    str_bit: bool = False,
    g_sense: bool = False,
    immed: bool = False,
    inline_data: bytes = b"",
) -> bytes:
    """The EXTENDED COPY(LID4) parameter list (SPC-5 6.5.3): a 16-byte header, the 32-byte
    header CSCD descriptor (type FFh) that carries the 32-bit LIST IDENTIFIER and the
    list lengths, then the CSCD and segment descriptors and the inline data.

    :param g_sense: return sense data from copy operations in the copy status.
    :param immed: complete the command before the copy ends.
    """
    cscds, segments = _descriptor_lists(cscd_descriptors, segment_descriptors)
    inline = bytes(inline_data)
    for name, value in (("CSCD DESCRIPTOR", cscds), ("SEGMENT DESCRIPTOR", segments), ("INLINE DATA", inline)):
        if len(value) > _U16:
            raise UsageError(f"{len(value)} bytes do not fit the 16-bit {name} LIST LENGTH of a LID4 list")
    header = struct.pack(
        ">BBH11xBB3xI18xHHH",
        0x01,  # LIST FORMAT
        _copy_flags(str_bit, list_id_usage, priority),
        0x0020,  # HEADER CSCD DESCRIPTOR LIST LENGTH
        _flag("g_sense", g_sense) << 1 | _flag("immed", immed),
        0xFF,  # the header CSCD descriptor's type code
        _uint("list_identifier", list_identifier, _U32),
        len(cscds), len(segments), len(inline),
    )
    return header + cscds + segments + inline


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
