"""One SCSI command's data transfer: which Data-Out PDUs to send, and Data-In to collect.

Write data goes out in up to three ways (RFC 7143 4.2.5.2, 13.11, 13.13, 13.14):

- *immediate data* in the SCSI Command PDU itself, when ImmediateData=Yes;
- *unsolicited* Data-Out PDUs right after the command, when InitialR2T=No;
- *solicited* Data-Out PDUs answering each R2T.

Immediate plus unsolicited data together never exceed FirstBurstLength; each Data-Out
sequence answering an R2T covers exactly the R2T's offset and Desired Data Transfer
Length (the target keeps that within MaxBurstLength). Every data segment we send is at
most the target's MaxRecvDataSegmentLength. DataSN counts the Data-Out PDUs of one
sequence from 0 (11.7.5), and the last PDU of a sequence has the F bit.

Read data arrives in Data-In PDUs whose DataSN counts from 0 across the whole command;
each carries its Buffer Offset, so they are placed where they say even when
DataPDUInOrder=No. The last one may carry the status ("phase collapse", S bit).
"""
from __future__ import annotations

from typing import Any, List, Optional

from .errors import RemoteProtocolError
from .negotiation import Parameters
from .pdu import RESERVED_TAG, DataIn, DataOut, R2T

__all__ = ["ScsiTask"]


class ScsiTask:
    """The transfer state of one command, by Initiator Task Tag."""

    __slots__ = ("tag", "lun", "cdb", "data_out", "data_in_length", "cmd_sn", "attr",
                 "buffer", "received", "next_data_sn", "immediate_length", "sent", "external")

    def __init__(self, tag: int, lun: int, cdb: bytes, data_out: bytes, data_in_length: int,
                 attr: int, buffer: Optional[bytearray] = None) -> None:
        self.tag = tag
        self.lun = lun
        self.cdb = cdb
        # bytes, not a view: a slice of it copies once, as bytes(view[a:b]) would.
        self.data_out = bytes(data_out)
        self.data_in_length = data_in_length
        self.attr = attr
        self.cmd_sn = 0
        # A caller's buffer (an Io's): Data-In lands there, and data() is a view of it.
        self.external = buffer is not None
        self.buffer: Optional[bytearray] = buffer
        self.received = 0  # end of the highest Data-In segment placed so far
        self.next_data_sn = 0
        self.immediate_length = 0
        self.sent = False

    # --- data out ------------------------------------------------------------------

    def first_burst(self, params: Parameters, exp_stat_sn: int = 0) -> tuple:
        """(immediate data, unsolicited Data-Out PDUs) to send with the command."""
        total = len(self.data_out)
        if not total:
            return b"", []
        limit = params.target_max_recv_data_segment_length
        unsolicited_end = 0 if params.initial_r2t else min(total, params.first_burst_length)
        immediate = 0
        if params.immediate_data:
            immediate = min(total, params.first_burst_length, limit)
        self.immediate_length = immediate
        pdus = self._sequence(RESERVED_TAG, immediate, unsolicited_end - immediate, limit, exp_stat_sn) \
            if unsolicited_end > immediate else []
        return bytes(self.data_out[:immediate]), pdus

    def answer_r2t(self, r2t: R2T, params: Parameters, exp_stat_sn: int = 0) -> List[DataOut]:
        """The Data-Out sequence an R2T asks for."""
        end = r2t.buffer_offset + r2t.desired_data_transfer_length
        if r2t.desired_data_transfer_length == 0 or end > len(self.data_out):
            raise RemoteProtocolError(
                "R2T for task %08x asks for bytes %d..%d; the command has %d bytes to write"
                % (self.tag, r2t.buffer_offset, end, len(self.data_out)))
        return self._sequence(r2t.target_transfer_tag, r2t.buffer_offset,
                              r2t.desired_data_transfer_length,
                              params.target_max_recv_data_segment_length, exp_stat_sn)

    def _sequence(self, ttt: int, offset: int, length: int, limit: int,
                  exp_stat_sn: int) -> List[DataOut]:
        pdus = []
        end = offset + length
        data_sn = 0
        while offset < end:
            size = min(limit, end - offset)
            pdus.append(DataOut(final=offset + size == end, lun=self.lun,
                                initiator_task_tag=self.tag, target_transfer_tag=ttt,
                                exp_stat_sn=exp_stat_sn, data_sn=data_sn, buffer_offset=offset,
                                data=bytes(self.data_out[offset:offset + size])))
            offset += size
            data_sn += 1
        return pdus

    # --- data in -------------------------------------------------------------------

    def place(self, pdu: DataIn) -> None:
        """Put a Data-In segment where its Buffer Offset says."""
        self.place_segment(pdu.data_sn, pdu.buffer_offset, pdu.data)

    def place_segment(self, data_sn: int, offset: int, data: Any) -> None:
        """Put ``data`` (bytes or a view of the receive buffer: copied once, here) at
        ``offset``; ``data_sn`` must be the next DataSN."""
        self._check(data_sn, offset, len(data))
        if not data:
            return
        end = offset + len(data)
        if self.buffer is None:
            if offset == 0 and end == self.data_in_length:
                self.buffer = bytearray(data)  # the common case: all data in one PDU
                self.received = end
                return
            self.buffer = bytearray(self.data_in_length)
        self.buffer[offset:end] = data
        if end > self.received:
            self.received = end

    def placed(self, data_sn: int, offset: int, length: int) -> None:
        """A segment received straight into the caller's buffer at ``offset``."""
        self._check(data_sn, offset, length)
        if offset + length > self.received:
            self.received = offset + length

    def _check(self, data_sn: int, offset: int, length: int) -> None:
        if data_sn != self.next_data_sn:
            raise RemoteProtocolError("Data-In for task %08x has DataSN %d, expected %d "
                                      "(a lost PDU; ErrorRecoveryLevel 0 cannot recover it)"
                                      % (self.tag, data_sn, self.next_data_sn))
        self.next_data_sn = (data_sn + 1) & 0xFFFFFFFF
        if length and offset + length > self.data_in_length:
            raise RemoteProtocolError("Data-In for task %08x writes bytes %d..%d; the command "
                                      "expects %d" % (self.tag, offset, offset + length, self.data_in_length))

    def data(self) -> bytes:
        if self.buffer is None:
            return b""
        if self.external:
            return memoryview(self.buffer)[:self.received]  # type: ignore[return-value]
        return bytes(self.buffer[:self.received]) if self.received != len(self.buffer) else bytes(self.buffer)
