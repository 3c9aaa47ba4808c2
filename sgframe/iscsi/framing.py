"""PDUs to bytes and bytes to PDUs on one TCP stream (RFC 7143 11.1, 11.2).

On the wire a PDU is the BHS, the AHS, a header digest when negotiated, the data segment
padded with zeros to a multiple of 4 bytes, and a data digest when negotiated and the
data segment is not empty. Digests start with the first PDU after the final Login
Response (RFC 7143 13.1), so both directions switch when the session says so.

:class:`PduReader` cuts a byte stream into PDUs, checking what a target can get wrong:
digests, and a data segment longer than we declared we receive
(MaxRecvDataSegmentLength, RFC 7143 13.12). Every such fault is a
:class:`RemoteProtocolError`: at ErrorRecoveryLevel 0 nothing can be repaired within
the connection.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from .digest import crc32c, digest_bytes
from .errors import RemoteProtocolError
from .pdu import _BY_OPCODE, BHS_LENGTH, Pdu, pdu_class

__all__ = ["PduReader", "encode_pdu", "frame"]

# A data segment still missing this many bytes is received straight into its destination
# (PduReader.dispatch's sink); shorter ones are not worth a second receive.
_SINK_AT_LEAST = 32768


def encode_pdu(pdu: Pdu, header_digest: bool = False, data_digest: bool = False) -> bytes:
    """The bytes of one PDU, with digests as negotiated."""
    return frame(pdu.encode_bhs() + pdu.ahs, pdu.data, header_digest, data_digest)


def frame(header: bytes, data: bytes, header_digest: bool = False, data_digest: bool = False) -> bytes:
    """A PDU on the wire from its BHS and AHS (``header``) and its data segment: the
    digests as negotiated and the data padded to a multiple of 4 bytes."""
    if not data and not header_digest:
        return header
    parts = [header]
    if header_digest:
        parts.append(digest_bytes(header))
    if data:
        padded = data + bytes(-len(data) % 4)
        parts.append(padded)
        if data_digest:
            parts.append(digest_bytes(padded))
    return b"".join(parts)


class PduReader:
    """Feed bytes with :meth:`feed` (or receive straight into :meth:`receive_buffer`);
    get whole PDUs back.

    The bytes wait in one buffer that is reused, not reallocated per read: the unread
    ones lie between ``_start`` and ``_end``. A socket can ``recv_into`` the view
    :meth:`receive_buffer` gives, which saves copying every byte read once more (measured
    on 1 MiB reads: the append was a quarter of the initiator's time).

    :param max_data_segment: the largest data segment accepted (our declared
        MaxRecvDataSegmentLength).
    """

    def __init__(self, max_data_segment: int = 8192) -> None:
        self.header_digest = False
        self.data_digest = False
        self.max_data_segment = max_data_segment
        self._buffer = bytearray()
        self._start = 0
        self._end = 0
        # A data segment received straight where it belongs (see dispatch's ``sink``):
        # the view still to fill, and what to call once it is full.
        self._sink: Optional[memoryview] = None
        self._sink_done: Optional[Callable[[], Any]] = None
        self._sunk: Optional[Callable[[], Any]] = None  # full, its callback not yet run
        # After a segment went straight to its destination, the next receive takes one
        # header only: a stream of long Data-In PDUs then goes header, data, header, data,
        # each data segment straight where it belongs (a system call is cheaper than
        # copying 256 KiB); the first short PDU ends that, and receives are long again.
        self._header_next = False

    @property
    def buffered(self) -> int:
        return self._end - self._start

    @property
    def sinking(self) -> int:
        """Bytes of a data segment still to arrive straight into its destination."""
        return len(self._sink) if self._sink is not None else 0

    def abandon(self) -> None:
        """Forget a data segment being received into its destination (the connection is
        gone): the destination's buffer is no longer held."""
        if self._sink is not None:
            self._sink.release()
        self._sink = self._sink_done = self._sunk = None
        self._header_next = False

    def _room(self, size: int) -> None:
        buf = self._buffer
        if len(buf) - self._end >= size:
            return
        unread = self._end - self._start
        if self._start:
            buf[:unread] = buf[self._start:self._end]  # move the unread part to the front
            self._start, self._end = 0, unread
        free = len(buf) - self._end
        if free < size:
            buf.extend(bytes(max(size - free, len(buf))))  # at least doubles: amortized

    def _fill_sink(self, count: int) -> None:
        sink = self._sink
        assert sink is not None
        if count < len(sink):
            self._sink = sink[count:]
        else:
            self._sink = None
            self._sunk, self._sink_done = self._sink_done, None
            self._header_next = True
        sink.release()

    def append(self, data: bytes) -> None:
        self._header_next = False  # bytes fed whole: no receive to shorten
        if self._sink is not None:
            count = min(len(data), len(self._sink))
            self._sink[:count] = data[:count]
            self._fill_sink(count)
            data = data[count:]
            if not data:
                return
        self._room(len(data))
        self._buffer[self._end:self._end + len(data)] = data
        self._end += len(data)

    def receive_buffer(self, size: int) -> memoryview:
        """A writable view of up to ``size`` bytes to receive into: after the unread
        ones, or the rest of a data segment that goes straight to its destination. Say
        how many were written with :meth:`received`, and release the view before
        anything else."""
        if self._sink is not None:
            return self._sink[:size]
        if self._header_next and self._start == self._end:
            # (Until bytes come: a receive that finds none yet must not end the mode.)
            size = min(size, BHS_LENGTH + (4 if self.header_digest else 0))
        end = self._end
        if len(self._buffer) - end < size:
            self._room(size)
            end = self._end
        return memoryview(self._buffer)[end:end + size]

    def received(self, count: int) -> None:
        room = len(self._sink) if self._sink is not None else len(self._buffer) - self._end
        if not 0 <= count <= room:
            raise ValueError("received(%d): the receive buffer has %d bytes" % (count, room))
        if self._sink is not None:
            self._fill_sink(count)
        else:
            self._end += count
            if count:
                self._header_next = False

    def feed(self, data: bytes) -> List[Pdu]:
        """Append ``data``; return the PDUs now complete. Raises RemoteProtocolError."""
        self.append(data)
        return self.pdus()

    def pdus(self, limit: int = -1) -> List[Pdu]:
        """Whole PDUs already buffered, at most ``limit`` of them (-1: all)."""
        out: List[Pdu] = []
        self.dispatch(out.append, None, limit)
        return out

    def dispatch(self, handle: Callable[[Pdu], Any],
                 fast: Optional[Dict[int, Callable[[memoryview, int, int, int], Any]]] = None,
                 limit: int = -1, sink: Optional[Callable[[memoryview, int, int, int], Any]] = None) -> int:
        """Hand the whole PDUs already buffered to ``handle``, in order, at most ``limit``
        of them (-1: all); returns how many.

        ``fast`` maps opcodes to ``f(buffer, bhs_start, data_start, data_length)``, called
        instead of decoding a :class:`Pdu` (the session's hot path for Data-In and SCSI
        Response: one ``struct.unpack_from`` on the buffer, and the read data copied once,
        from here to where it belongs). The view must not be kept past the call.
        Digests and segment lengths are checked first either way.

        ``sink(view, bhs_start, data_start, data_length)``, for a Data-In whose header is
        here and whose long data segment is not yet (no data digest, no padding), may
        return ``(destination, done)``: a writable view of ``data_length`` bytes where the
        data goes, and what to call once it is all there. The bytes already buffered are
        copied there, and the rest is received straight into it (:meth:`receive_buffer`):
        the read data is not copied in user space, as through sg.
        """
        if self._sunk is not None:
            done, self._sunk = self._sunk, None
            done()
            limit -= limit > 0
            if not limit:
                return 1
        if self._sink is not None:
            return 0
        buf = self._buffer
        view = memoryview(buf)
        pos = self._start
        stop = self._end
        count = 0
        header_digest = self.header_digest
        data_digest = self.data_digest
        try:
            while count != limit and stop - pos >= BHS_LENGTH:
                opcode = buf[pos] & 0x3F
                cls = _BY_OPCODE.get(opcode)
                if cls is None:
                    pdu_class(opcode)  # raises: garbage shows first as an unknown opcode
                ahs_length = buf[pos + 4] * 4
                data_length = (buf[pos + 5] << 16) | (buf[pos + 6] << 8) | buf[pos + 7]
                if data_length > self.max_data_segment:
                    raise RemoteProtocolError(
                        "the target sent a %d-byte data segment (opcode %02Xh); we declared "
                        "MaxRecvDataSegmentLength=%d" % (data_length, opcode, self.max_data_segment))
                header_end = pos + BHS_LENGTH + ahs_length
                data_start = header_end + 4 if header_digest else header_end
                padded = data_length + (-data_length % 4)
                end = data_start + padded + (4 if data_digest and data_length else 0)
                if stop < end:
                    if sink is not None and opcode == 0x25 and not ahs_length and stop >= data_start \
                            and end - stop >= _SINK_AT_LEAST and not data_digest and not data_length & 3:
                        # (A header digest error is raised once the whole PDU is here.)
                        taken = None if header_digest and digest_bytes(view[pos:header_end]) != \
                            view[header_end:data_start] else sink(view, pos, data_start, data_length)
                        if taken is not None:
                            destination, self._sink_done = taken
                            present = stop - data_start
                            destination[:present] = view[data_start:stop]
                            self._sink = destination[present:]
                            destination.release()
                            self._start = stop
                            count += 1
                    break
                if header_digest and digest_bytes(view[pos:header_end]) != view[header_end:data_start]:
                    raise RemoteProtocolError("header digest error (opcode %02Xh): CRC32C %08x, "
                                              "the PDU says %s" % (
                                                  opcode, crc32c(view[pos:header_end]),
                                                  bytes(view[header_end:data_start]).hex()))
                if data_digest and data_length and \
                        digest_bytes(view[data_start:data_start + padded]) != view[end - 4:end]:
                    raise RemoteProtocolError("data digest error (opcode %02Xh, %d bytes)" % (
                        opcode, data_length))
                quick = fast.get(opcode) if fast is not None and not ahs_length else None
                # Consumed before it is handled: a handler that raises leaves the reader
                # after the faulty PDU (the session closes anyway).
                start, pos = pos, end
                self._start = end
                count += 1
                if quick is not None:
                    quick(view, start, data_start, data_length)
                else:
                    handle(cls._decode(bytes(view[start:start + BHS_LENGTH]),
                                       bytes(view[start + BHS_LENGTH:header_end]),
                                       bytes(view[data_start:data_start + data_length])))
        finally:
            view.release()
            if self._start == self._end:
                self._start = self._end = 0  # all read: the next bytes start at the front
        return count
