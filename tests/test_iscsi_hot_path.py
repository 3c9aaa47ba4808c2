"""The session's hot path (no hook: SCSI Command packed with one struct, Data-In and SCSI
Response read straight from the receive buffer) against the declared PDU classes (a hook
that changes nothing sends every PDU through them): the same bytes out and the same
events, for random commands, answers, digests and read sizes."""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings, strategies as st

from sgframe.iscsi import CommandCompleted, CommandFailed, ConnectionClosed, RemoteProtocolError
from sgframe.iscsi.framing import PduReader, encode_pdu
from sgframe.iscsi.pdu import DataIn, NopIn, ScsiCommand, ScsiResponse
from sgframe.iscsi.uri import IscsiUrl

from test_iscsi_session import IQN, login


def _pass_through(direction, pdu):
    return None


def _pair(digests: bool, max_cmd_sn: int):
    answers, url = {}, None
    if digests:
        answers = {"HeaderDigest": "CRC32C", "DataDigest": "CRC32C"}
        url = IscsiUrl(host="h", target=IQN, lun=1, header_digest=("CRC32C",), data_digest=("CRC32C",))
    fast = login(url, answers=answers, max_cmd_sn=max_cmd_sn)
    slow = login(url, answers=answers, max_cmd_sn=max_cmd_sn, hook=_pass_through)
    assert fast.hook is None and slow.hook is not None
    return fast, slow


def _answers(rng: random.Random, command: ScsiCommand, stat_sn: int, exp_cmd_sn: int, max_cmd_sn: int):
    """A target's answer to one command: Data-In PDUs (the last with or without status)
    and maybe a SCSI Response with sense."""
    length = command.expected_data_transfer_length if command.read else 0
    moved = rng.choice([length, length // 2, 0]) if length else 0
    pdus = []
    offset, data_sn = 0, 0
    collapse = rng.random() < 0.6
    while offset < moved:
        size = min(moved - offset, rng.choice([512, 4096, 8192]))
        last = offset + size == moved
        with_status = last and collapse
        pdus.append(DataIn(final=last, status_present=with_status, status=0, lun=command.lun,
                           initiator_task_tag=command.initiator_task_tag, stat_sn=stat_sn if with_status else 0,
                           exp_cmd_sn=exp_cmd_sn, max_cmd_sn=max_cmd_sn, data_sn=data_sn,
                           buffer_offset=offset, residual_count=length - moved if with_status else 0,
                           underflow=with_status and moved < length,
                           data=bytes(rng.getrandbits(8) for _ in range(size))))
        offset += size
        data_sn += 1
    if not (pdus and collapse):
        check = rng.random() < 0.4
        sense = bytes([0x70, 0, 0x05, 0, 0, 0, 0, 10] + [0] * 4 + [0x24, 0, 0, 0, 0, 0]) if check else b""
        pdus.append(ScsiResponse(
            status=0x02 if check else 0, response=0, initiator_task_tag=command.initiator_task_tag,
            stat_sn=stat_sn, exp_cmd_sn=exp_cmd_sn, max_cmd_sn=max_cmd_sn,
            residual_count=length - moved, underflow=moved < length,
            overflow=rng.random() < 0.1 and not moved < length,
            data=len(sense).to_bytes(2, "big") + sense if sense else b""))
    return pdus


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), digests=st.booleans(), commands=st.integers(1, 12),
       window=st.integers(1, 8))
def test_hot_path_sends_and_reports_what_the_pdu_classes_do(seed, digests, commands, window):
    fast, slow = _pair(digests, max_cmd_sn=window)
    rng = random.Random(seed)
    reader = PduReader(1 << 24)
    reader.header_digest = reader.data_digest = digests
    stat_sn = 102
    for _ in range(commands):
        kind = rng.choice(["read", "write", "none", "long cdb"])
        args = {}
        cdb = bytes([0x28]) + bytes(rng.getrandbits(8) for _ in range(9))
        if kind == "read":
            args = dict(data_in_length=rng.choice([512, 4096, 20000]))
        elif kind == "write":
            args = dict(data_out=bytes(rng.getrandbits(8) for _ in range(rng.choice([16, 3000]))))
        elif kind == "long cdb":
            cdb = bytes([0x7F]) + bytes(rng.getrandbits(8) for _ in range(rng.choice([17, 31])))
        # Reads land in a buffer of the caller's (the transport's way) or the session's own.
        into = kind == "read" and rng.random() < 0.5
        tags = {session.submit(cdb, **args, **({"data_in_buffer": bytearray(args["data_in_length"])} if into else {}))
                for session in (fast, slow)}
        assert len(tags) == 1
    # The window lets min(window, commands) out; each answer opens it by one.
    out_fast, out_slow = fast.data_to_send(), slow.data_to_send()
    assert out_fast == out_slow
    pending = [p for p in reader.feed(out_fast) if isinstance(p, ScsiCommand)]
    exp_cmd_sn, max_cmd_sn = 1, window
    while pending:
        command = pending.pop(0)
        exp_cmd_sn += 1
        max_cmd_sn += 1
        chunk = b"".join(encode_pdu(p, digests, digests)
                         for p in _answers(rng, command, stat_sn, exp_cmd_sn, max_cmd_sn))
        stat_sn += 1
        cut = rng.randrange(1, len(chunk))  # a PDU split across two reads
        for session in (fast, slow):
            session.receive_data(chunk[:cut])
            session.receive_data(chunk[cut:])
        events = fast.next_events()
        assert not [e for e in events if isinstance(e, (CommandFailed, ConnectionClosed))], events
        assert events == slow.next_events()
        out_fast, out_slow = fast.data_to_send(), slow.data_to_send()
        assert out_fast == out_slow
        pending += [p for p in reader.feed(out_fast) if isinstance(p, ScsiCommand)]
    assert not fast.tasks and not slow.tasks
    assert (fast.exp_stat_sn, fast.cmd_sn, fast.max_cmd_sn) == (slow.exp_stat_sn, slow.cmd_sn, slow.max_cmd_sn)


def test_hot_path_reads_into_the_callers_buffer():
    s = login()
    buffer = bytearray(b"\xEE" * 4100)
    tag = s.submit(bytes(10), data_in_length=4096, data_in_buffer=buffer)
    s.data_to_send()
    first = DataIn(initiator_task_tag=tag, exp_cmd_sn=2, max_cmd_sn=33, data_sn=0, buffer_offset=0,
                   data=b"\x01" * 1000)
    last = DataIn(final=True, status_present=True, initiator_task_tag=tag, stat_sn=102, exp_cmd_sn=2,
                  max_cmd_sn=33, data_sn=1, buffer_offset=1000, residual_count=96, underflow=True,
                  data=b"\x02" * 3000)
    s.receive_data(encode_pdu(first) + encode_pdu(last))
    done, = s.next_events()
    assert isinstance(done, CommandCompleted)
    assert (done.tag, done.status, done.residual_count, done.underflow, done.overflow) == (tag, 0, 96, True, False)
    assert isinstance(done.data, memoryview) and done.data.obj is buffer
    assert bytes(done.data) == b"\x01" * 1000 + b"\x02" * 3000
    assert buffer[4000:] == b"\xEE" * 100  # nothing written past the data that came
    assert (s.exp_stat_sn, s.max_cmd_sn) == (103, 33)


@pytest.mark.parametrize("bad, message", [
    (dict(data_sn=1), "DataSN 1, expected 0"),
    (dict(status_present=True, final=False), "RFC 7143 11.7.1"),
    (dict(buffer_offset=4000), "writes bytes 4000..4512"),
])
@pytest.mark.parametrize("hook", [None, _pass_through], ids=["hot path", "pdu classes"])
def test_hot_path_faults_end_the_connection(bad, message, hook):
    s = login(hook=hook)
    tag = s.submit(bytes(10), data_in_length=4096)
    s.data_to_send()
    fields = dict(final=True, initiator_task_tag=tag, exp_cmd_sn=2, max_cmd_sn=33, data=bytes(512))
    fields.update(bad)
    s.receive_data(encode_pdu(DataIn(**fields)) + encode_pdu(NopIn(initiator_task_tag=0xFFFFFFFF,
                                                                  exp_cmd_sn=2, max_cmd_sn=40)))
    failed, closed = s.next_events()
    assert isinstance(failed, CommandFailed) and failed.tag == tag
    assert isinstance(closed, ConnectionClosed) and isinstance(closed.error, RemoteProtocolError)
    assert message in str(closed.error)
    assert s.max_cmd_sn == 33  # the NOP-In behind the fault was not processed


@pytest.mark.parametrize("hook", [None, _pass_through], ids=["hot path", "pdu classes"])
def test_sense_length_beyond_the_segment_is_a_protocol_error(hook):
    """The command with the malformed sense fails with the connection: not lost."""
    s = login(hook=hook)
    tag = s.submit(bytes(6))
    s.data_to_send()
    s.receive_data(encode_pdu(ScsiResponse(status=2, initiator_task_tag=tag, stat_sn=102, exp_cmd_sn=2,
                                           max_cmd_sn=33, data=b"\x00\x20" + bytes(8))))
    failed, closed = s.next_events()
    assert isinstance(failed, CommandFailed) and failed.tag == tag
    assert "SenseLength 32 but only 8 sense bytes follow" in str(closed.error)


def _receive(session, data: bytes, chunk: int, seen: list) -> None:
    """Feed ``data`` the way the transport does: recv_into the session's receive buffer;
    ``seen`` gets (the object received into, bytes) per receive."""
    while data:
        with session.receive_buffer(chunk) as view:
            count = min(len(view), len(data))
            view[:count] = data[:count]
            seen.append((view.obj, count))
        session.received(count)
        data = data[count:]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), chunk=st.sampled_from([4096, 65536, 1 << 20]),
       sizes=st.lists(st.sampled_from([40000, 65536, 131072, 262144]), min_size=1, max_size=4),
       digests=st.booleans())
def test_long_data_in_goes_straight_into_the_callers_buffer(seed, chunk, sizes, digests):
    """Data-In segments still missing 32 KiB or more are received into the Io's buffer
    itself (no copy in user space), with the same events and bytes as through the classes;
    with a data digest they cannot be (the digest covers the bytes), and are not."""
    fast, slow = _pair(digests, max_cmd_sn=8)
    rng = random.Random(seed)
    total = sum(sizes)
    buffers = [bytearray(total + 8), bytearray(total + 8)]
    tags = {s.submit(bytes(10), data_in_length=total + 8, data_in_buffer=b) for s, b in zip((fast, slow), buffers)}
    tag, = tags
    fast.data_to_send(), slow.data_to_send()
    pdus, offset = [], 0
    for n, size in enumerate(sizes):
        last = n == len(sizes) - 1
        pdus.append(DataIn(final=last, status_present=last, initiator_task_tag=tag, stat_sn=102 if last else 0,
                           exp_cmd_sn=2, max_cmd_sn=9 + n, data_sn=n, buffer_offset=offset,
                           residual_count=8 if last else 0, underflow=last,
                           data=rng.getrandbits(8 * size).to_bytes(size, "big")))
        offset += size
    wire = b"".join(encode_pdu(p, digests, digests) for p in pdus)
    seen_fast: list = []
    _receive(fast, wire, chunk, seen_fast)
    _receive(slow, wire, chunk, [])
    events = fast.next_events()
    assert events == slow.next_events()
    done, = events
    assert isinstance(done, CommandCompleted) and done.underflow and done.residual_count == 8
    assert bytes(done.data) == b"".join(p.data for p in pdus) == bytes(buffers[0][:total])
    assert buffers[0] == buffers[1]
    straight = sum(count for obj, count in seen_fast if obj is buffers[0])
    if digests:
        assert not straight
    elif chunk == 4096:
        # The first read brings the first header and some data; the rest goes straight,
        # and from then on header by header, each data segment straight into the buffer.
        assert straight == total - (4096 - 48)
        assert [count for obj, count in seen_fast if obj is not buffers[0]][1:] == [48] * (len(sizes) - 1)
    elif chunk == 65536 and sizes[0] >= 131072:
        assert straight >= total - (65536 - 48) - sum(sizes[1:2])
    assert fast._reader.sinking == 0 and fast._reader.buffered == 0
    assert (fast.exp_stat_sn, fast.max_cmd_sn) == (slow.exp_stat_sn, slow.max_cmd_sn) == (103, 8 + len(sizes))


def test_connection_lost_while_data_goes_straight_to_the_buffer_lets_it_go():
    s = login()
    buffer = bytearray(131072)
    tag = s.submit(bytes(10), data_in_length=131072, data_in_buffer=buffer)
    s.data_to_send()
    wire = encode_pdu(DataIn(final=True, status_present=True, initiator_task_tag=tag, stat_sn=102, exp_cmd_sn=2,
                             max_cmd_sn=33, data=b"\x07" * 131072))
    s.receive_data(wire[:4096])
    assert s._reader.sinking == 131072 - (4096 - 48)
    s.connection_lost(ConnectionResetError(104, "reset"))
    failed, closed = s.next_events()
    assert isinstance(failed, CommandFailed) and failed.tag == tag
    assert s._reader.sinking == 0
    buffer.extend(b"x")  # no view left holding it: it can grow again


def test_header_digest_error_on_a_long_data_in_is_still_reported():
    url = IscsiUrl(host="h", target=IQN, lun=1, header_digest=("CRC32C",), data_digest=("None",))
    s = login(url, answers={"HeaderDigest": "CRC32C"})
    buffer = bytearray(131072)
    tag = s.submit(bytes(10), data_in_length=131072, data_in_buffer=buffer)
    s.data_to_send()
    wire = bytearray(encode_pdu(DataIn(final=True, status_present=True, initiator_task_tag=tag, stat_sn=102,
                                       exp_cmd_sn=2, max_cmd_sn=33, data=b"\x07" * 131072), True, False))
    wire[44] ^= 1  # in the Residual Count: the header digest no longer matches
    s.receive_data(bytes(wire[:4096]))
    assert s._reader.sinking == 0  # not taken straight: its header is not to be trusted
    s.receive_data(bytes(wire[4096:]))
    failed, closed = s.next_events()
    assert isinstance(failed, CommandFailed) and "header digest error" in str(closed.error)
    assert buffer == bytearray(131072)


@given(a=st.integers(0, 2 ** 32 - 1), delta=st.one_of(st.integers(0, 2 ** 32 - 1),
                                                        st.sampled_from([0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1])))
def test_inline_serial_number_comparison_is_sn_lt(a, delta):
    """The hot path compares serial numbers as ``0 < (b - a) mod 2**32 < 2**31``: RFC 1982's
    rule as sn_lt states it, including the undefined distance 2**31 (neither before)."""
    from sgframe.iscsi.session import sn_lt

    b = (a + delta) & 0xFFFFFFFF
    assert (0 < ((b - a) & 0xFFFFFFFF) < 0x80000000) == sn_lt(a, b)


def test_after_a_segment_went_straight_the_next_receive_is_one_header_until_bytes_come():
    s = login()
    buffer = bytearray(65536)
    tag = s.submit(bytes(10), data_in_length=65536, data_in_buffer=buffer)
    s.data_to_send()
    wire = encode_pdu(DataIn(final=True, status_present=True, initiator_task_tag=tag, stat_sn=102,
                             exp_cmd_sn=2, max_cmd_sn=33, data=b"\x05" * 65536))
    _receive(s, wire[:1000], 1 << 20, [])
    seen: list = []
    _receive(s, wire[1000:], 1 << 20, seen)
    assert seen == [(buffer, 65536 - (1000 - 48))]  # the rest, straight into the Io's buffer
    assert isinstance(s.next_events()[0], CommandCompleted) and buffer == b"\x05" * 65536
    for _ in range(2):  # a receive that found nothing (EAGAIN) does not end the mode
        with s.receive_buffer(1 << 20) as view:
            assert len(view) == 48
    _receive(s, encode_pdu(NopIn(initiator_task_tag=0xFFFFFFFF, exp_cmd_sn=2, max_cmd_sn=40)), 1 << 20, [])
    with s.receive_buffer(1 << 20) as view:
        assert len(view) == 1 << 20  # a short PDU came: long receives again
    assert s.max_cmd_sn == 40
