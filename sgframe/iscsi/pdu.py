"""iSCSI PDUs declared once, as RFC 7143 chapter 11 draws them.

Every PDU starts with a 48-byte Basic Header Segment (BHS, RFC 7143 11.2.1)::

    byte 0      . | I | Opcode (6 bits)
    byte 1      F | opcode-specific
    bytes 2-3   opcode-specific
    byte 4      TotalAHSLength (in 4-byte words)
    bytes 5-7   DataSegmentLength (in bytes)
    bytes 8-15  LUN or opcode-specific
    bytes 16-19 Initiator Task Tag
    bytes 20-47 opcode-specific

then the Additional Header Segments, an optional header digest, the data segment padded
to a multiple of 4 bytes, and an optional data digest.

A PDU class declares its BHS fields with the same ``field(byte, bit, width)`` and
``flag(byte, bit)`` the CDB classes use (:mod:`sgframe.cdb`); the opcode is the class
constant ``OPCODE``. TotalAHSLength and DataSegmentLength are not fields: they follow
from the ``ahs`` and ``data`` bytes a PDU carries, so a PDU cannot lie about them by
accident (a negative test that wants a lie edits the encoded bytes in a PDU hook).
From the declaration, :func:`define` derives one table of (name, shift, mask) over the
BHS as one 384-bit integer. The reference codec (:meth:`Pdu.encode_bhs_reference`,
:func:`decode_bhs_reference`) walks it; the codec in use is generated from the same
table into one ``struct`` call per PDU (:mod:`sgframe.iscsi._compile`), and tests hold
the two equal.

Field names are RFC 7143's, in snake case (``cmd_sn`` is CmdSN, ``exp_stat_sn`` is
ExpStatSN). Values are not range-checked beyond their width: PDU hooks build wrong
values on purpose (RFC 7143 numbers wrap, and 0xFFFFFFFF is a reserved tag, not an
error).
"""
from __future__ import annotations

import enum
from typing import Any, ClassVar, Dict, List, Tuple, Type

import attrs

from ..cdb import BITS, Bits, field, flag
from ._compile import compile_codec
from .errors import LocalProtocolError, RemoteProtocolError

__all__ = [
    "AsyncEvent", "AsyncMessage", "BHS_LENGTH", "DataIn", "DataOut", "LoginRequest",
    "LoginResponse", "LogoutReason", "LogoutRequest", "LogoutResponse", "NopIn", "NopOut",
    "Opcode", "Pdu", "R2T", "RESERVED_TAG", "Reject", "RejectReason", "ScsiCommand",
    "ScsiResponse", "SnackRequest", "TaskAttribute", "TaskManagementRequest",
    "TaskManagementResponse", "TmfFunction", "TmfResponse", "TextRequest", "TextResponse",
    "decode_bhs", "decode_bhs_reference", "define", "octets", "pdu_class", "segment_lengths",
]

BHS_LENGTH = 48
#: The tag value RFC 7143 reserves for "no task" (ITT) and "no transfer" (TTT).
RESERVED_TAG = 0xFFFFFFFF


class Opcode(enum.IntEnum):
    """RFC 7143 11.2.1.2. Initiator opcodes are 00h-1Fh, target opcodes 20h-3Fh."""

    NOP_OUT = 0x00
    SCSI_COMMAND = 0x01
    TASK_MANAGEMENT_REQUEST = 0x02
    LOGIN_REQUEST = 0x03
    TEXT_REQUEST = 0x04
    DATA_OUT = 0x05
    LOGOUT_REQUEST = 0x06
    SNACK_REQUEST = 0x10
    NOP_IN = 0x20
    SCSI_RESPONSE = 0x21
    TASK_MANAGEMENT_RESPONSE = 0x22
    LOGIN_RESPONSE = 0x23
    TEXT_RESPONSE = 0x24
    DATA_IN = 0x25
    LOGOUT_RESPONSE = 0x26
    R2T = 0x31
    ASYNC_MESSAGE = 0x32
    REJECT = 0x3F


class TaskAttribute(enum.IntEnum):
    """ATTR of the SCSI Command PDU (RFC 7143 11.3.1.3, SAM task attributes)."""

    UNTAGGED = 0
    SIMPLE = 1
    ORDERED = 2
    HEAD_OF_QUEUE = 3
    ACA = 4


class TmfFunction(enum.IntEnum):
    """Task Management Function Request, Function (RFC 7143 11.5.1)."""

    ABORT_TASK = 1
    ABORT_TASK_SET = 2
    CLEAR_ACA = 3
    CLEAR_TASK_SET = 4
    LOGICAL_UNIT_RESET = 5
    TARGET_WARM_RESET = 6
    TARGET_COLD_RESET = 7
    TASK_REASSIGN = 8


class TmfResponse(enum.IntEnum):
    """Task Management Function Response, Response (RFC 7143 11.6.1)."""

    FUNCTION_COMPLETE = 0
    TASK_DOES_NOT_EXIST = 1
    LUN_DOES_NOT_EXIST = 2
    TASK_STILL_ALLEGIANT = 3
    TASK_ALLEGIANCE_REASSIGNMENT_NOT_SUPPORTED = 4
    TASK_MANAGEMENT_FUNCTION_NOT_SUPPORTED = 5
    FUNCTION_AUTHORIZATION_FAILED = 6
    FUNCTION_REJECTED = 255


class AsyncEvent(enum.IntEnum):
    """Asynchronous Message, AsyncEvent (RFC 7143 11.9.1)."""

    SCSI_ASYNC_EVENT = 0
    LOGOUT_REQUESTED = 1
    CONNECTION_DROP = 2
    SESSION_DROP = 3
    NEGOTIATION_REQUESTED = 4
    TASK_TERMINATION = 5
    VENDOR_SPECIFIC = 255


class RejectReason(enum.IntEnum):
    """Reject, Reason (RFC 7143 11.17.1)."""

    DATA_DIGEST_ERROR = 0x02
    SNACK_REJECT = 0x03
    PROTOCOL_ERROR = 0x04
    COMMAND_NOT_SUPPORTED = 0x05
    IMMEDIATE_COMMAND_REJECT = 0x06
    TASK_IN_PROGRESS = 0x07
    INVALID_DATA_ACK = 0x08
    INVALID_PDU_FIELD = 0x09
    LONG_OPERATION_REJECT = 0x0A
    NEGOTIATION_RESET = 0x0B
    WAITING_FOR_LOGOUT = 0x0C


class LogoutReason(enum.IntEnum):
    """Logout Request, Reason Code (RFC 7143 11.14.1)."""

    CLOSE_SESSION = 0
    CLOSE_CONNECTION = 1
    REMOVE_CONNECTION_FOR_RECOVERY = 2


_BHS_BITS = BHS_LENGTH * 8
_INT, _FLAG, _OCTETS = 0, 1, 2
_OCTETS_KEY = "sgframe.iscsi.octets"
_BY_OPCODE: Dict[int, Type["Pdu"]] = {}


class Pdu:
    """Base of every PDU class. Subclasses are made with :func:`define`."""

    OPCODE: ClassVar[int]
    NAME: ClassVar[str]
    #: the compiled codec (see _compile.py), filled by define()
    _encode: ClassVar[Any]
    _decode: ClassVar[Any]
    #: (name, shift, mask, kind) for each declared BHS field, filled by define().
    _LAYOUT: ClassVar[Tuple[Tuple[str, int, int, int], ...]] = ()

    ahs: bytes
    data: bytes

    def encode_bhs(self) -> bytes:
        """The 48-byte BHS, lengths taken from ``ahs`` and ``data`` (the compiled codec)."""
        if len(self.ahs) & 3 or len(self.ahs) > 1020 or len(self.data) > 0xFFFFFF:
            _bad_lengths(self)
        return self._encode()

    def encode_bhs_reference(self) -> bytes:
        """The same bytes by walking the field table: the reference the tests hold the
        compiled codec to."""
        if len(self.ahs) & 3 or len(self.ahs) > 1020 or len(self.data) > 0xFFFFFF:
            _bad_lengths(self)
        value = (self.OPCODE << (_BHS_BITS - 8)) | (len(self.ahs) // 4) << (_BHS_BITS - 40) \
            | len(self.data) << (_BHS_BITS - 64)
        for name, shift, mask, kind in self._LAYOUT:
            v = getattr(self, name)
            if kind == _OCTETS:
                v = int.from_bytes(v, "big")
            value |= (int(v) & mask) << shift
        return value.to_bytes(BHS_LENGTH, "big")

    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"pdu": self.NAME, "opcode": self.OPCODE}
        for name, _, _, kind in self._LAYOUT:
            value = getattr(self, name)
            out[name] = value.hex() if kind == _OCTETS else bool(value) if kind == _FLAG else int(value)
        out["ahs"] = self.ahs.hex()
        out["data"] = self.data.hex()
        return out


def _bad_lengths(pdu: Pdu) -> None:
    if len(pdu.ahs) & 3 or len(pdu.ahs) > 1020:
        raise LocalProtocolError("%s: the AHS must be a multiple of 4 bytes, at most 1020,"
                                 " not %d" % (pdu.NAME, len(pdu.ahs)))
    raise LocalProtocolError("%s: a data segment holds at most 16777215 bytes, not %d"
                             % (pdu.NAME, len(pdu.data)))


def _layout(cls: type) -> Tuple[Tuple[str, int, int, int], ...]:
    layout = []
    taken = 0xFF << (_BHS_BITS - 8) | 0xFFFFFFFF << (_BHS_BITS - 64)  # opcode byte, lengths
    taken &= ~(0xC0 << (_BHS_BITS - 8))  # byte 0's two top bits: I and reserved
    for a in attrs.fields(cls):
        bits = a.metadata.get(BITS)
        if bits is None:
            continue
        shift = _BHS_BITS - bits.end
        mask = bits.max
        if taken & (mask << shift):
            raise TypeError("%s.%s overlaps another field" % (cls.__name__, a.name))
        taken |= mask << shift
        kind = _FLAG if a.metadata.get("flag") else _OCTETS if a.metadata.get(_OCTETS_KEY) else _INT
        layout.append((a.name, shift, mask, kind))
    return tuple(layout)


def define(cls: type) -> Type[Pdu]:
    """Make a frozen attrs PDU class from a declaration and register its opcode."""
    cls = attrs.frozen(cls)
    cls._LAYOUT = _layout(cls)
    cls._encode, cls._decode = compile_codec(cls, cls._LAYOUT, _BHS_BITS)
    if cls.OPCODE in _BY_OPCODE:
        raise TypeError("opcode %02Xh declared twice" % cls.OPCODE)
    _BY_OPCODE[cls.OPCODE] = cls
    return cls


def pdu_class(opcode: int) -> Type[Pdu]:
    """The PDU class for an opcode; :class:`RemoteProtocolError` when none is defined."""
    try:
        return _BY_OPCODE[opcode]
    except KeyError:
        raise RemoteProtocolError("unknown iSCSI opcode %02Xh (RFC 7143 defines %s)" % (
            opcode, ", ".join("%02Xh" % o for o in sorted(_BY_OPCODE)))) from None


def decode_bhs(bhs: bytes, ahs: bytes = b"", data: bytes = b"") -> Pdu:
    """The PDU a BHS (and its AHS and data segment, without padding) describes."""
    if len(bhs) != BHS_LENGTH:
        raise RemoteProtocolError("a BHS is 48 bytes, got %d" % len(bhs))
    return pdu_class(bhs[0] & 0x3F)._decode(bhs, ahs, data)


def decode_bhs_reference(bhs: bytes, ahs: bytes = b"", data: bytes = b"") -> Pdu:
    """:func:`decode_bhs` by walking the field table (the reference codec)."""
    if len(bhs) != BHS_LENGTH:
        raise RemoteProtocolError("a BHS is 48 bytes, got %d" % len(bhs))
    cls = pdu_class(bhs[0] & 0x3F)
    value = int.from_bytes(bhs, "big")
    kwargs: Dict[str, Any] = {"ahs": ahs, "data": data}
    for name, shift, mask, kind in cls._LAYOUT:
        v = (value >> shift) & mask
        kwargs[name] = v if kind == _INT else bool(v) if kind == _FLAG else v.to_bytes(
            mask.bit_length() // 8, "big")
    return cls(**kwargs)


def segment_lengths(bhs: bytes) -> Tuple[int, int]:
    """(AHS bytes, data segment bytes without padding) announced by a BHS."""
    return bhs[4] * 4, int.from_bytes(bhs[5:8], "big")


def _bytes() -> Any:
    return attrs.field(default=b"", kw_only=True, converter=bytes)


def octets(byte: int, length: int) -> Any:
    """Declare a field of ``length`` whole bytes given and read back as bytes (the CDB):
    shorter values are padded with zero bytes on the right, as RFC 7143 11.3.1.4 pads a
    short CDB."""

    def pad(value: Any) -> bytes:
        value = bytes(value)
        if len(value) > length:
            raise LocalProtocolError("%d bytes do not fit a %d-byte field" % (len(value), length))
        return value.ljust(length, b"\0")

    return attrs.field(default=bytes(length), kw_only=True, converter=pad,
                       metadata={BITS: Bits(byte, 7, 8 * length), _OCTETS_KEY: True})


def _tag(byte: int) -> Any:
    return field(byte=byte, width=32, default=RESERVED_TAG)


# --- initiator PDUs ----------------------------------------------------------------


@define
class NopOut(Pdu):
    """NOP-Out (RFC 7143 11.18): a ping, or the answer to a target's NOP-In.

    byte 0 I; 1 F=1; 8-15 LUN; 16-19 ITT; 20-23 TTT; 24-27 CmdSN; 28-31 ExpStatSN.
    Data: ping data echoed back by the target.
    """

    OPCODE = Opcode.NOP_OUT
    NAME = "NOP-Out"
    immediate: bool = flag(byte=0, bit=6, default=True)
    final: bool = flag(byte=1, bit=7, default=True)
    lun: int = field(byte=8, width=64)
    initiator_task_tag: int = _tag(16)
    target_transfer_tag: int = _tag(20)
    cmd_sn: int = field(byte=24, width=32)
    exp_stat_sn: int = field(byte=28, width=32)
    ahs: bytes = _bytes()
    data: bytes = _bytes()


@define
class ScsiCommand(Pdu):
    """SCSI Command (RFC 7143 11.3).

    byte 0 I; 1: F(7) R(6) W(5) ATTR(2-0); 8-15 LUN; 16-19 ITT;
    20-23 Expected Data Transfer Length; 24-27 CmdSN; 28-31 ExpStatSN; 32-47 CDB
    (a CDB longer than 16 bytes continues in an Extended-CDB AHS, 11.3.1.4).
    Data: immediate data.
    """

    OPCODE = Opcode.SCSI_COMMAND
    NAME = "SCSI Command"
    immediate: bool = flag(byte=0, bit=6)
    final: bool = flag(byte=1, bit=7, default=True)
    read: bool = flag(byte=1, bit=6)
    write: bool = flag(byte=1, bit=5)
    attr: int = field(byte=1, bit=2, width=3, default=TaskAttribute.SIMPLE)
    lun: int = field(byte=8, width=64)
    initiator_task_tag: int = field(byte=16, width=32)
    expected_data_transfer_length: int = field(byte=20, width=32)
    cmd_sn: int = field(byte=24, width=32)
    exp_stat_sn: int = field(byte=28, width=32)
    cdb: bytes = octets(byte=32, length=16)
    ahs: bytes = _bytes()
    data: bytes = _bytes()


@define
class TaskManagementRequest(Pdu):
    """Task Management Function Request (RFC 7143 11.5).

    byte 0 I; 1: 1(7) Function(6-0); 8-15 LUN; 16-19 ITT; 20-23 Referenced Task Tag;
    24-27 CmdSN; 28-31 ExpStatSN; 32-35 RefCmdSN; 36-39 ExpDataSN.
    """

    OPCODE = Opcode.TASK_MANAGEMENT_REQUEST
    NAME = "Task Management Function Request"
    immediate: bool = flag(byte=0, bit=6, default=True)
    final: bool = flag(byte=1, bit=7, default=True)
    function: int = field(byte=1, bit=6, width=7)
    lun: int = field(byte=8, width=64)
    initiator_task_tag: int = field(byte=16, width=32)
    referenced_task_tag: int = _tag(20)
    cmd_sn: int = field(byte=24, width=32)
    exp_stat_sn: int = field(byte=28, width=32)
    ref_cmd_sn: int = field(byte=32, width=32)
    exp_data_sn: int = field(byte=36, width=32)
    ahs: bytes = _bytes()
    data: bytes = _bytes()


@define
class LoginRequest(Pdu):
    """Login Request (RFC 7143 11.12).

    byte 0 I=1; 1: T(7) C(6) CSG(3-2) NSG(1-0); 2 Version-max; 3 Version-min;
    8-13 ISID; 14-15 TSIH; 16-19 ITT; 20-21 CID; 24-27 CmdSN; 28-31 ExpStatSN.
    Data: text keys (key=value, NUL-terminated).
    """

    OPCODE = Opcode.LOGIN_REQUEST
    NAME = "Login Request"
    immediate: bool = flag(byte=0, bit=6, default=True)
    transit: bool = flag(byte=1, bit=7)
    cont: bool = flag(byte=1, bit=6)
    csg: int = field(byte=1, bit=3, width=2)
    nsg: int = field(byte=1, bit=1, width=2)
    version_max: int = field(byte=2)
    version_min: int = field(byte=3)
    isid: int = field(byte=8, width=48)
    tsih: int = field(byte=14, width=16)
    initiator_task_tag: int = field(byte=16, width=32)
    cid: int = field(byte=20, width=16)
    cmd_sn: int = field(byte=24, width=32)
    exp_stat_sn: int = field(byte=28, width=32)
    ahs: bytes = _bytes()
    data: bytes = _bytes()


@define
class TextRequest(Pdu):
    """Text Request (RFC 7143 11.10).

    byte 0 I; 1: F(7) C(6); 8-15 LUN; 16-19 ITT; 20-23 TTT; 24-27 CmdSN;
    28-31 ExpStatSN. Data: text keys.
    """

    OPCODE = Opcode.TEXT_REQUEST
    NAME = "Text Request"
    immediate: bool = flag(byte=0, bit=6)
    final: bool = flag(byte=1, bit=7, default=True)
    cont: bool = flag(byte=1, bit=6)
    lun: int = field(byte=8, width=64)
    initiator_task_tag: int = field(byte=16, width=32)
    target_transfer_tag: int = _tag(20)
    cmd_sn: int = field(byte=24, width=32)
    exp_stat_sn: int = field(byte=28, width=32)
    ahs: bytes = _bytes()
    data: bytes = _bytes()


@define
class DataOut(Pdu):
    """SCSI Data-Out (RFC 7143 11.7).

    byte 1 F(7); 8-15 LUN; 16-19 ITT; 20-23 TTT; 28-31 ExpStatSN; 36-39 DataSN;
    40-43 Buffer Offset. Data: write data.
    """

    OPCODE = Opcode.DATA_OUT
    NAME = "SCSI Data-Out"
    final: bool = flag(byte=1, bit=7)
    lun: int = field(byte=8, width=64)
    initiator_task_tag: int = field(byte=16, width=32)
    target_transfer_tag: int = _tag(20)
    exp_stat_sn: int = field(byte=28, width=32)
    data_sn: int = field(byte=36, width=32)
    buffer_offset: int = field(byte=40, width=32)
    ahs: bytes = _bytes()
    data: bytes = _bytes()


@define
class LogoutRequest(Pdu):
    """Logout Request (RFC 7143 11.14).

    byte 0 I; 1: 1(7) Reason Code(6-0); 16-19 ITT; 20-21 CID; 24-27 CmdSN;
    28-31 ExpStatSN.
    """

    OPCODE = Opcode.LOGOUT_REQUEST
    NAME = "Logout Request"
    immediate: bool = flag(byte=0, bit=6, default=True)
    final: bool = flag(byte=1, bit=7, default=True)
    reason_code: int = field(byte=1, bit=6, width=7)
    initiator_task_tag: int = field(byte=16, width=32)
    cid: int = field(byte=20, width=16)
    cmd_sn: int = field(byte=24, width=32)
    exp_stat_sn: int = field(byte=28, width=32)
    ahs: bytes = _bytes()
    data: bytes = _bytes()


@define
class SnackRequest(Pdu):
    """SNACK Request (RFC 7143 11.16); only ERL > 0 sends it, decoded for hooks and tests.

    byte 1: 1(7) Type(3-0); 8-15 LUN; 16-19 ITT; 20-23 TTT or SNACK Tag;
    28-31 ExpStatSN; 40-43 BegRun; 44-47 RunLength.
    """

    OPCODE = Opcode.SNACK_REQUEST
    NAME = "SNACK Request"
    final: bool = flag(byte=1, bit=7, default=True)
    type: int = field(byte=1, bit=3, width=4)
    lun: int = field(byte=8, width=64)
    initiator_task_tag: int = _tag(16)
    target_transfer_tag: int = _tag(20)
    exp_stat_sn: int = field(byte=28, width=32)
    beg_run: int = field(byte=40, width=32)
    run_length: int = field(byte=44, width=32)
    ahs: bytes = _bytes()
    data: bytes = _bytes()


# --- target PDUs -------------------------------------------------------------------


@define
class NopIn(Pdu):
    """NOP-In (RFC 7143 11.19): the answer to our ping, or the target's own ping
    (ITT FFFFFFFFh, TTT not FFFFFFFFh: it wants a NOP-Out back).

    byte 1 F=1; 8-15 LUN; 16-19 ITT; 20-23 TTT; 24-27 StatSN; 28-31 ExpCmdSN;
    32-35 MaxCmdSN.
    """

    OPCODE = Opcode.NOP_IN
    NAME = "NOP-In"
    final: bool = flag(byte=1, bit=7, default=True)
    lun: int = field(byte=8, width=64)
    initiator_task_tag: int = _tag(16)
    target_transfer_tag: int = _tag(20)
    stat_sn: int = field(byte=24, width=32)
    exp_cmd_sn: int = field(byte=28, width=32)
    max_cmd_sn: int = field(byte=32, width=32)
    ahs: bytes = _bytes()
    data: bytes = _bytes()


@define
class ScsiResponse(Pdu):
    """SCSI Response (RFC 7143 11.4).

    byte 1: 1(7) o(4) u(3) O(2) U(1); 2 Response; 3 Status; 16-19 ITT; 20-23 SNACK Tag;
    24-27 StatSN; 28-31 ExpCmdSN; 32-35 MaxCmdSN; 36-39 ExpDataSN;
    40-43 Bidirectional Read Residual Count; 44-47 Residual Count.
    Data: SenseLength (2 bytes), sense data, response data.
    """

    OPCODE = Opcode.SCSI_RESPONSE
    NAME = "SCSI Response"
    final: bool = flag(byte=1, bit=7, default=True)
    bidi_overflow: bool = flag(byte=1, bit=4)
    bidi_underflow: bool = flag(byte=1, bit=3)
    overflow: bool = flag(byte=1, bit=2)
    underflow: bool = flag(byte=1, bit=1)
    response: int = field(byte=2)
    status: int = field(byte=3)
    initiator_task_tag: int = field(byte=16, width=32)
    snack_tag: int = field(byte=20, width=32)
    stat_sn: int = field(byte=24, width=32)
    exp_cmd_sn: int = field(byte=28, width=32)
    max_cmd_sn: int = field(byte=32, width=32)
    exp_data_sn: int = field(byte=36, width=32)
    bidi_residual_count: int = field(byte=40, width=32)
    residual_count: int = field(byte=44, width=32)
    ahs: bytes = _bytes()
    data: bytes = _bytes()


@define
class TaskManagementResponse(Pdu):
    """Task Management Function Response (RFC 7143 11.6).

    byte 1 1(7); 2 Response; 16-19 ITT; 24-27 StatSN; 28-31 ExpCmdSN; 32-35 MaxCmdSN.
    """

    OPCODE = Opcode.TASK_MANAGEMENT_RESPONSE
    NAME = "Task Management Function Response"
    final: bool = flag(byte=1, bit=7, default=True)
    response: int = field(byte=2)
    initiator_task_tag: int = field(byte=16, width=32)
    stat_sn: int = field(byte=24, width=32)
    exp_cmd_sn: int = field(byte=28, width=32)
    max_cmd_sn: int = field(byte=32, width=32)
    ahs: bytes = _bytes()
    data: bytes = _bytes()


@define
class LoginResponse(Pdu):
    """Login Response (RFC 7143 11.13).

    byte 1: T(7) C(6) CSG(3-2) NSG(1-0); 2 Version-max; 3 Version-active; 8-13 ISID;
    14-15 TSIH; 16-19 ITT; 24-27 StatSN; 28-31 ExpCmdSN; 32-35 MaxCmdSN;
    36 Status-Class; 37 Status-Detail. Data: text keys.
    """

    OPCODE = Opcode.LOGIN_RESPONSE
    NAME = "Login Response"
    transit: bool = flag(byte=1, bit=7)
    cont: bool = flag(byte=1, bit=6)
    csg: int = field(byte=1, bit=3, width=2)
    nsg: int = field(byte=1, bit=1, width=2)
    version_max: int = field(byte=2)
    version_active: int = field(byte=3)
    isid: int = field(byte=8, width=48)
    tsih: int = field(byte=14, width=16)
    initiator_task_tag: int = field(byte=16, width=32)
    stat_sn: int = field(byte=24, width=32)
    exp_cmd_sn: int = field(byte=28, width=32)
    max_cmd_sn: int = field(byte=32, width=32)
    status_class: int = field(byte=36)
    status_detail: int = field(byte=37)
    ahs: bytes = _bytes()
    data: bytes = _bytes()


@define
class TextResponse(Pdu):
    """Text Response (RFC 7143 11.11).

    byte 1: F(7) C(6); 8-15 LUN; 16-19 ITT; 20-23 TTT; 24-27 StatSN; 28-31 ExpCmdSN;
    32-35 MaxCmdSN. Data: text keys.
    """

    OPCODE = Opcode.TEXT_RESPONSE
    NAME = "Text Response"
    final: bool = flag(byte=1, bit=7, default=True)
    cont: bool = flag(byte=1, bit=6)
    lun: int = field(byte=8, width=64)
    initiator_task_tag: int = field(byte=16, width=32)
    target_transfer_tag: int = _tag(20)
    stat_sn: int = field(byte=24, width=32)
    exp_cmd_sn: int = field(byte=28, width=32)
    max_cmd_sn: int = field(byte=32, width=32)
    ahs: bytes = _bytes()
    data: bytes = _bytes()


@define
class DataIn(Pdu):
    """SCSI Data-In (RFC 7143 11.7).

    byte 1: F(7) A(6) O(2) U(1) S(0); 3 Status (valid with S); 8-15 LUN; 16-19 ITT;
    20-23 TTT; 24-27 StatSN; 28-31 ExpCmdSN; 32-35 MaxCmdSN; 36-39 DataSN;
    40-43 Buffer Offset; 44-47 Residual Count. Data: read data.
    With S set the PDU also carries the command's status ("phase collapse", 11.7.3).
    """

    OPCODE = Opcode.DATA_IN
    NAME = "SCSI Data-In"
    final: bool = flag(byte=1, bit=7)
    acknowledge: bool = flag(byte=1, bit=6)
    overflow: bool = flag(byte=1, bit=2)
    underflow: bool = flag(byte=1, bit=1)
    status_present: bool = flag(byte=1, bit=0)
    status: int = field(byte=3)
    lun: int = field(byte=8, width=64)
    initiator_task_tag: int = field(byte=16, width=32)
    target_transfer_tag: int = _tag(20)
    stat_sn: int = field(byte=24, width=32)
    exp_cmd_sn: int = field(byte=28, width=32)
    max_cmd_sn: int = field(byte=32, width=32)
    data_sn: int = field(byte=36, width=32)
    buffer_offset: int = field(byte=40, width=32)
    residual_count: int = field(byte=44, width=32)
    ahs: bytes = _bytes()
    data: bytes = _bytes()


@define
class LogoutResponse(Pdu):
    """Logout Response (RFC 7143 11.15).

    byte 1 1(7); 2 Response; 16-19 ITT; 24-27 StatSN; 28-31 ExpCmdSN; 32-35 MaxCmdSN;
    40-41 Time2Wait; 42-43 Time2Retain.
    """

    OPCODE = Opcode.LOGOUT_RESPONSE
    NAME = "Logout Response"
    final: bool = flag(byte=1, bit=7, default=True)
    response: int = field(byte=2)
    initiator_task_tag: int = field(byte=16, width=32)
    stat_sn: int = field(byte=24, width=32)
    exp_cmd_sn: int = field(byte=28, width=32)
    max_cmd_sn: int = field(byte=32, width=32)
    time2wait: int = field(byte=40, width=16)
    time2retain: int = field(byte=42, width=16)
    ahs: bytes = _bytes()
    data: bytes = _bytes()


@define
class R2T(Pdu):
    """Ready To Transfer (RFC 7143 11.8).

    byte 1 1(7); 8-15 LUN; 16-19 ITT; 20-23 TTT; 24-27 StatSN; 28-31 ExpCmdSN;
    32-35 MaxCmdSN; 36-39 R2TSN; 40-43 Buffer Offset; 44-47 Desired Data Transfer Length.
    """

    OPCODE = Opcode.R2T
    NAME = "R2T"
    final: bool = flag(byte=1, bit=7, default=True)
    lun: int = field(byte=8, width=64)
    initiator_task_tag: int = field(byte=16, width=32)
    target_transfer_tag: int = field(byte=20, width=32)
    stat_sn: int = field(byte=24, width=32)
    exp_cmd_sn: int = field(byte=28, width=32)
    max_cmd_sn: int = field(byte=32, width=32)
    r2t_sn: int = field(byte=36, width=32)
    buffer_offset: int = field(byte=40, width=32)
    desired_data_transfer_length: int = field(byte=44, width=32)
    ahs: bytes = _bytes()
    data: bytes = _bytes()


@define
class AsyncMessage(Pdu):
    """Asynchronous Message (RFC 7143 11.9).

    byte 1 1(7); 8-15 LUN; 16-19 FFFFFFFFh; 24-27 StatSN; 28-31 ExpCmdSN; 32-35 MaxCmdSN;
    36 AsyncEvent; 37 AsyncVCode; 38-39 Parameter1; 40-41 Parameter2; 42-43 Parameter3.
    Data: for a SCSI asynchronous event, SenseLength (2 bytes) and sense data.
    """

    OPCODE = Opcode.ASYNC_MESSAGE
    NAME = "Asynchronous Message"
    final: bool = flag(byte=1, bit=7, default=True)
    lun: int = field(byte=8, width=64)
    initiator_task_tag: int = _tag(16)
    stat_sn: int = field(byte=24, width=32)
    exp_cmd_sn: int = field(byte=28, width=32)
    max_cmd_sn: int = field(byte=32, width=32)
    async_event: int = field(byte=36)
    async_vcode: int = field(byte=37)
    parameter1: int = field(byte=38, width=16)
    parameter2: int = field(byte=40, width=16)
    parameter3: int = field(byte=42, width=16)
    ahs: bytes = _bytes()
    data: bytes = _bytes()


@define
class Reject(Pdu):
    """Reject (RFC 7143 11.17).

    byte 1 1(7); 2 Reason; 16-19 FFFFFFFFh; 24-27 StatSN; 28-31 ExpCmdSN; 32-35 MaxCmdSN;
    36-39 DataSN/R2TSN. Data: the rejected PDU's header (its 48-byte BHS first).
    """

    OPCODE = Opcode.REJECT
    NAME = "Reject"
    final: bool = flag(byte=1, bit=7, default=True)
    reason: int = field(byte=2)
    initiator_task_tag: int = _tag(16)
    stat_sn: int = field(byte=24, width=32)
    exp_cmd_sn: int = field(byte=28, width=32)
    max_cmd_sn: int = field(byte=32, width=32)
    data_sn: int = field(byte=36, width=32)
    ahs: bytes = _bytes()
    data: bytes = _bytes()
