"""The sans-IO session fed canned target bytes: login, commands, R2T, Data-In, the CmdSN
window, NOPs, task management, async messages, rejects, logout, failures and PDU hooks."""
from __future__ import annotations

import attrs
import pytest

from sgframe.errors import UsageError
from sgframe.iscsi import (
    DROP, AsyncMessageReceived, CommandAborted, CommandCompleted, CommandFailed,
    CommandRejected, ConnectionClosed, ConnectionLost, LocalProtocolError, LoginCompleted,
    LoginFailed, LogoutCompleted, PingReplied, Rejected, RemoteProtocolError, Session, State,
    TaskManagementCompleted, TextCompleted, TmfFunction,
)
from sgframe.iscsi.chap import chap_response
from sgframe.iscsi.errors import AuthenticationFailed, NegotiationFailed, TargetClosedConnection
from sgframe.iscsi.framing import PduReader, encode_pdu
from sgframe.iscsi.pdu import (
    AsyncMessage, DataIn, DataOut, LoginRequest, LoginResponse, LogoutRequest, LogoutResponse,
    NopIn, NopOut, R2T, Reject, ScsiCommand, ScsiResponse, TaskManagementRequest,
    TaskManagementResponse, TextRequest, TextResponse,
)
from sgframe.iscsi.text import decode_text, encode_text
from sgframe.iscsi.uri import IscsiUrl

IQN = "iqn.2026-12.test:disk1"
ISID = 0x80ABCDEF0000
READ10 = bytes.fromhex("28000000000000000800")


def sent(session, digests=False):
    reader = PduReader(1 << 24)
    reader.header_digest = reader.data_digest = digests
    pdus = reader.feed(session.data_to_send())
    assert reader.buffered == 0
    return pdus


def answer(pdu, **keys):
    return encode_text([(k, v) for k, v in keys.items()])


TARGET_ANSWERS = dict(HeaderDigest="None", DataDigest="None", MaxConnections="1", InitialR2T="Yes",
                      ImmediateData="Yes", MaxRecvDataSegmentLength="8192",
                      MaxBurstLength="262144", FirstBurstLength="65536", DefaultTime2Wait="2",
                      DefaultTime2Retain="0", MaxOutstandingR2T="1", DataPDUInOrder="Yes",
                      DataSequenceInOrder="Yes", ErrorRecoveryLevel="0")


def login(url=None, *, answers=None, max_cmd_sn=32, offer=None, hook=None):
    """A session in full feature phase after a login without CHAP."""
    url = url or IscsiUrl(host="127.0.0.1", target=IQN, lun=1)
    s = Session(url, offer=offer, hook=hook, isid=ISID)
    s.start_login()
    first, = sent(s)
    assert isinstance(first, LoginRequest)
    assert (first.transit, first.csg, first.nsg, first.isid, first.tsih) == (True, 0, 1, ISID, 0)
    assert decode_text(first.data) == [("InitiatorName", url.initiator_name),
                                       ("SessionType", "Normal"), ("TargetName", IQN),
                                       ("AuthMethod", "None")]
    s.receive_data(encode_pdu(LoginResponse(
        transit=True, csg=0, nsg=1, isid=ISID, tsih=0, initiator_task_tag=first.initiator_task_tag,
        stat_sn=100, exp_cmd_sn=1, max_cmd_sn=1,
        data=encode_text([("AuthMethod", "None"), ("TargetPortalGroupTag", "1")]))))
    second, = sent(s)
    assert (second.transit, second.csg, second.nsg, second.exp_stat_sn) == (True, 1, 3, 101)
    offered = dict(decode_text(second.data))
    assert offered["ErrorRecoveryLevel"] == "0" and offered["MaxConnections"] == "1"
    pairs = dict(TARGET_ANSWERS, **(answers or {}))
    s.receive_data(encode_pdu(LoginResponse(
        transit=True, csg=1, nsg=3, isid=ISID, tsih=0x21, initiator_task_tag=first.initiator_task_tag,
        stat_sn=101, exp_cmd_sn=1, max_cmd_sn=max_cmd_sn, data=encode_text(pairs.items()))))
    events = s.next_events()
    assert isinstance(events[0], LoginCompleted) and events[0].tsih == 0x21
    assert s.state is State.FULL_FEATURE
    return s


def feed(s, *pdus, digests=False):
    s.receive_data(b"".join(encode_pdu(p, digests, digests) for p in pdus))
    return s.next_events()


def window(**kw):
    base = dict(stat_sn=102, exp_cmd_sn=2, max_cmd_sn=33)
    base.update(kw)
    return base


def test_login_records_parameters():
    s = login(answers={"MaxRecvDataSegmentLength": "4096", "ImmediateData": "No"})
    p = s.params
    assert (p.target_max_recv_data_segment_length, p.immediate_data, p.initial_r2t) == (4096, False, True)
    assert p.target_portal_group_tag == 1
    assert (s.cmd_sn, s.max_cmd_sn, s.exp_stat_sn) == (1, 32, 102)


def test_read_with_phase_collapsed_status():
    s = login()
    tag = s.submit(READ10, data_in_length=4096)
    cmd, = sent(s)
    assert isinstance(cmd, ScsiCommand)
    assert (cmd.read, cmd.write, cmd.final, cmd.attr, cmd.lun) == (True, False, True, 1, 1 << 48)
    assert (cmd.expected_data_transfer_length, cmd.cmd_sn, cmd.exp_stat_sn) == (4096, 1, 102)
    assert cmd.cdb == READ10 + bytes(6)
    # Two Data-In PDUs out of order (DataPDUInOrder is about offsets; DataSN still counts).
    events = feed(s, DataIn(initiator_task_tag=tag, data_sn=0, buffer_offset=2048, data=b"b" * 2048, **window()),
                  DataIn(initiator_task_tag=tag, data_sn=1, buffer_offset=0, data=b"a" * 2048,
                         final=True, status_present=True, status=0, **window(stat_sn=102)))
    assert events == [CommandCompleted(tag, 0, 0, b"", b"a" * 2048 + b"b" * 2048, 0, False, False)]
    assert s.exp_stat_sn == 103 and s.outstanding == 0


def test_short_read_with_underflow_and_check_condition_with_sense():
    s = login()
    tag = s.submit(READ10, data_in_length=4096)
    sent(s)
    sense = bytes.fromhex("700005000000000a00000000240000000000")
    events = feed(s, DataIn(initiator_task_tag=tag, data_sn=0, data=b"x" * 512, **window()),
                  ScsiResponse(initiator_task_tag=tag, status=2, underflow=True, residual_count=3584,
                               data=len(sense).to_bytes(2, "big") + sense + b"resp", **window()))
    assert events == [CommandCompleted(tag, 0, 2, sense, b"x" * 512, 3584, True, False)]


def test_overflow_and_target_failure():
    s = login()
    a = s.submit(READ10, data_in_length=16)
    b = s.submit(READ10, data_in_length=16)
    sent(s)
    events = feed(s, ScsiResponse(initiator_task_tag=a, overflow=True, residual_count=100, **window()),
                  ScsiResponse(initiator_task_tag=b, response=1, status=0, **window(stat_sn=103)))
    assert events[0].overflow and events[0].residual_count == 100
    assert events[1].response == 1
    from sgframe.iscsi import error_for
    from sgframe.iscsi.errors import ServiceResponseError
    assert isinstance(error_for(events[1]), ServiceResponseError)
    assert error_for(events[0]) is None


def test_check_condition_raises_what_sg_raises():
    from sgframe.errors import IllegalRequest
    from sgframe.iscsi import error_for
    sense = bytes.fromhex("700005000000000a00000000240000000000")
    error = error_for(CommandCompleted(1, 0, 2, sense), command="READ(10)", device="iscsi://h/x/1")
    assert isinstance(error, IllegalRequest) and (error.asc, error.ascq) == (0x24, 0)


def test_write_immediate_unsolicited_and_r2t():
    # ImmediateData=Yes, InitialR2T=No, FirstBurstLength 16 KiB, target MRDSL 4 KiB:
    # 4 KiB immediate, then 12 KiB unsolicited in three Data-Out PDUs, the rest by R2T.
    s = login(answers={"InitialR2T": "No", "FirstBurstLength": "16384",
                       "MaxRecvDataSegmentLength": "4096", "MaxBurstLength": "32768"})
    data = bytes(range(256)) * 256  # 64 KiB
    tag = s.submit(bytes.fromhex("2a000000000000008000"), data_out=data)
    pdus = sent(s)
    cmd = pdus[0]
    assert isinstance(cmd, ScsiCommand) and (cmd.write, cmd.final) == (True, False)
    assert cmd.expected_data_transfer_length == 65536 and cmd.data == data[:4096]
    outs = pdus[1:]
    assert [(p.buffer_offset, len(p.data), p.data_sn, p.final, p.target_transfer_tag) for p in outs] == [
        (4096, 4096, 0, False, 0xFFFFFFFF), (8192, 4096, 1, False, 0xFFFFFFFF),
        (12288, 4096, 2, True, 0xFFFFFFFF)]
    # R2T for 32 KiB at 16 KiB: eight 4 KiB PDUs, DataSN from 0, F on the last.
    feed(s, R2T(initiator_task_tag=tag, target_transfer_tag=0x77, r2t_sn=0, buffer_offset=16384,
                desired_data_transfer_length=32768, **window()))
    outs = sent(s)
    assert [p.data_sn for p in outs] == list(range(8))
    assert [p.final for p in outs] == [False] * 7 + [True]
    assert all(isinstance(p, DataOut) and p.target_transfer_tag == 0x77 and len(p.data) == 4096 for p in outs)
    assert b"".join(p.data for p in outs) == data[16384:49152]
    feed(s, R2T(initiator_task_tag=tag, target_transfer_tag=0x78, r2t_sn=1, buffer_offset=49152,
                desired_data_transfer_length=16384, **window()))
    assert b"".join(p.data for p in sent(s)) == data[49152:]
    events = feed(s, ScsiResponse(initiator_task_tag=tag, **window()))
    assert events == [CommandCompleted(tag, 0, 0)]


def test_write_with_initial_r2t_sends_only_immediate_data():
    s = login(answers={"InitialR2T": "Yes", "ImmediateData": "No"})
    s.submit(bytes.fromhex("2a000000000000000100"), data_out=bytes(512))
    cmd, = sent(s)
    assert (cmd.final, cmd.data, cmd.expected_data_transfer_length) == (True, b"", 512)


def test_r2t_beyond_the_data_is_a_protocol_error_and_fails_everything():
    s = login()
    tag = s.submit(bytes.fromhex("2a000000000000000100"), data_out=bytes(512))
    other = s.submit(READ10, data_in_length=512)
    sent(s)
    events = feed(s, R2T(initiator_task_tag=tag, target_transfer_tag=1, buffer_offset=0,
                         desired_data_transfer_length=1024, **window()))
    assert [type(e) for e in events] == [CommandFailed, CommandFailed, ConnectionClosed]
    assert {e.tag for e in events[:2]} == {tag, other}
    assert all(isinstance(e.error, ConnectionLost) for e in events[:2])
    assert isinstance(events[2].error, RemoteProtocolError) and "asks for bytes 0..1024" in str(events[2].error)
    assert s.state is State.CLOSED
    with pytest.raises(LocalProtocolError, match="the session is closed"):
        s.submit(READ10, data_in_length=1)


def test_data_sn_gap_fails_the_connection():
    s = login()
    tag = s.submit(READ10, data_in_length=4096)
    sent(s)
    events = feed(s, DataIn(initiator_task_tag=tag, data_sn=1, data=b"x" * 512, **window()))
    assert isinstance(events[0].error, ConnectionLost)
    assert "DataSN 1, expected 0" in str(events[-1].error)


def test_cmdsn_window_and_queue_depth():
    s = login(max_cmd_sn=2)  # CmdSN 1 and 2 may go
    tags = [s.submit(READ10, data_in_length=1) for _ in range(4)]
    assert [p.cmd_sn for p in sent(s)] == [1, 2]
    assert (s.window, s.outstanding) == (0, 4)
    # The target opens the window by one: one more command leaves.
    feed(s, ScsiResponse(initiator_task_tag=tags[0], stat_sn=102, exp_cmd_sn=2, max_cmd_sn=3))
    assert [p.cmd_sn for p in sent(s)] == [3]
    # A MaxCmdSN below ExpCmdSN - 1 is ignored (RFC 7143 4.2.2.1); one going back too.
    feed(s, NopIn(stat_sn=103, exp_cmd_sn=10, max_cmd_sn=5))
    feed(s, NopIn(stat_sn=103, exp_cmd_sn=2, max_cmd_sn=2))
    assert (s.exp_cmd_sn, s.max_cmd_sn) == (2, 3) and sent(s) == []
    feed(s, NopIn(stat_sn=103, exp_cmd_sn=4, max_cmd_sn=40))
    assert [p.cmd_sn for p in sent(s)] == [4]
    depth = login(IscsiUrl(host="h", target=IQN, lun=0, queue_depth=2))
    for _ in range(3):
        depth.submit(READ10, data_in_length=1)
    assert len(sent(depth)) == 2


def test_cmdsn_wraps_around():
    s = login()
    s.cmd_sn = s.exp_cmd_sn = 0xFFFFFFFF
    s.max_cmd_sn = 0
    s.submit(READ10, data_in_length=1)
    s.submit(READ10, data_in_length=1)
    s.submit(READ10, data_in_length=1)
    assert [p.cmd_sn for p in sent(s)] == [0xFFFFFFFF, 0]


def test_target_ping_is_answered_and_ours_is_echoed():
    s = login()
    events = feed(s, NopIn(lun=1 << 48, initiator_task_tag=0xFFFFFFFF, target_transfer_tag=0x4321, **window()))
    assert events == []
    reply, = sent(s)
    assert isinstance(reply, NopOut)
    assert (reply.immediate, reply.initiator_task_tag, reply.target_transfer_tag, reply.lun) == (
        True, 0xFFFFFFFF, 0x4321, 1 << 48)
    assert (reply.cmd_sn, reply.exp_stat_sn) == (1, 102)  # a ping does not advance StatSN
    tag = s.ping(b"hello")
    ping, = sent(s)
    assert (ping.initiator_task_tag, ping.target_transfer_tag, ping.data) == (tag, 0xFFFFFFFF, b"hello")
    assert feed(s, NopIn(initiator_task_tag=tag, data=b"hello", **window())) == [PingReplied(tag, b"hello")]
    assert s.exp_stat_sn == 103


def test_lun_reset_fails_that_luns_commands():
    s = login(max_cmd_sn=1)
    sent_tag = s.submit(READ10, data_in_length=1)
    queued = s.submit(READ10, data_in_length=1)
    other_lun = s.submit(READ10, data_in_length=1, lun=2)
    sent(s)
    tmf = s.task_management(TmfFunction.LOGICAL_UNIT_RESET)
    events = s.next_events()
    assert events == [CommandFailed(queued, events[0].error)]  # never sent: failed at once
    req, = sent(s)
    assert isinstance(req, TaskManagementRequest)
    assert (req.function, req.lun, req.immediate, req.cmd_sn) == (5, 1 << 48, True, 2)
    events = feed(s, TaskManagementResponse(initiator_task_tag=tmf, response=0, **window(max_cmd_sn=3)))
    assert isinstance(events[0], CommandFailed) and events[0].tag == sent_tag
    assert isinstance(events[0].error, CommandAborted) and "LOGICAL UNIT RESET" in str(events[0].error)
    assert events[1] == TaskManagementCompleted(tmf, TmfFunction.LOGICAL_UNIT_RESET, 0)
    assert [p.lun for p in sent(s)] == [2 << 48]  # the other LUN's command goes on


def test_abort_task_references_the_command():
    s = login()
    tag = s.submit(READ10, data_in_length=1)
    cmd, = sent(s)
    tmf = s.task_management(TmfFunction.ABORT_TASK, referenced_tag=tag)
    req, = sent(s)
    assert (req.function, req.referenced_task_tag, req.ref_cmd_sn) == (1, tag, cmd.cmd_sn)
    events = feed(s, TaskManagementResponse(initiator_task_tag=tmf, response=1, **window()))
    assert events == [TaskManagementCompleted(tmf, 1, 1)]  # task does not exist: nothing aborted
    with pytest.raises(UsageError, match="ABORT TASK needs referenced_tag"):
        s.task_management(TmfFunction.ABORT_TASK)


def test_async_messages():
    s = login()
    sense = bytes.fromhex("70000600000000" "0a00000000" "3f0e00000000")
    events = feed(s, AsyncMessage(lun=1 << 48, async_event=0, data=len(sense).to_bytes(2, "big") + sense, **window()),
                  AsyncMessage(async_event=1, parameter3=10, **window(stat_sn=103)))
    assert events == [AsyncMessageReceived(0, 1 << 48, sense), AsyncMessageReceived(1, 0, b"", 0, 0, 0, 10)]
    assert s.exp_stat_sn == 104


def test_reject_of_a_command():
    s = login()
    tag = s.submit(READ10, data_in_length=1)
    cmd, = sent(s)
    events = feed(s, Reject(reason=9, data=cmd.encode_bhs(), **window()))
    assert events[0] == Rejected(9, tag, 0x01, cmd.encode_bhs())
    assert events[1].tag == tag and isinstance(events[1].error, CommandRejected)
    assert "Reject reason 09h" in str(events[1].error)


def test_text_discovery_with_continuation():
    url = IscsiUrl(host="127.0.0.1")
    s = Session(url, isid=ISID)
    s.start_login()
    first, = sent(s)
    assert dict(decode_text(first.data))["SessionType"] == "Discovery"
    assert "TargetName" not in dict(decode_text(first.data))
    s.receive_data(encode_pdu(LoginResponse(transit=True, csg=0, nsg=1, initiator_task_tag=first.initiator_task_tag,
                                            stat_sn=1, exp_cmd_sn=5, max_cmd_sn=5, data=encode_text([("AuthMethod", "None")]))))
    op, = sent(s)
    assert [k for k, _ in decode_text(op.data)][0] == "HeaderDigest"
    s.receive_data(encode_pdu(LoginResponse(transit=True, csg=1, nsg=3, initiator_task_tag=first.initiator_task_tag,
                                            stat_sn=2, exp_cmd_sn=5, max_cmd_sn=5)))
    assert isinstance(s.next_events()[0], LoginCompleted)
    tag = s.send_targets()
    req, = sent(s)
    assert isinstance(req, TextRequest) and req.data == b"SendTargets=All\0" and req.cmd_sn == 5
    whole = encode_text([("TargetName", IQN), ("TargetAddress", "127.0.0.1:3260,1"),
                         ("TargetName", "iqn.2026-12.test:disk2"), ("TargetAddress", "[::1]:3260,1")])
    feed(s, TextResponse(final=False, cont=True, initiator_task_tag=tag, target_transfer_tag=9,
                         data=whole[:30], stat_sn=3, exp_cmd_sn=6, max_cmd_sn=6))
    more, = sent(s)
    assert (more.target_transfer_tag, more.data, more.cmd_sn) == (9, b"", 6)
    events = feed(s, TextResponse(initiator_task_tag=tag, data=whole[30:], stat_sn=4, exp_cmd_sn=7, max_cmd_sn=7))
    assert events[0].targets() == [(IQN, ["127.0.0.1:3260,1"]), ("iqn.2026-12.test:disk2", ["[::1]:3260,1"])]


def test_logout():
    s = login()
    pending = s.submit(READ10, data_in_length=1)
    sent(s)
    tag = s.logout()
    req, = sent(s)
    assert isinstance(req, LogoutRequest) and (req.reason_code, req.immediate) == (0, True)
    events = feed(s, LogoutResponse(initiator_task_tag=tag, time2wait=2, time2retain=20, **window()))
    assert events[0].tag == pending and isinstance(events[0].error, ConnectionLost)
    assert events[1] == LogoutCompleted(0, 2, 20)
    s.receive_data(b"")
    assert s.next_events() == [ConnectionClosed(None)] and s.state is State.CLOSED


def test_eof_fails_every_outstanding_command():
    s = login(max_cmd_sn=1)
    tags = [s.submit(READ10, data_in_length=1) for _ in range(3)]
    ping = s.ping()
    s.receive_data(b"")
    events = s.next_events()
    assert sorted(e.tag for e in events[:-1]) == sorted(tags + [ping])
    assert all(isinstance(e.error, ConnectionLost) for e in events[:-1])
    assert isinstance(events[-1].error, TargetClosedConnection)


def test_garbage_is_a_remote_protocol_error():
    s = login()
    s.submit(READ10, data_in_length=1)
    events = feed_raw(s, b"\x3e" + bytes(47))
    assert isinstance(events[-1].error, RemoteProtocolError) and "unknown iSCSI opcode 3Eh" in str(events[-1].error)
    s = login()
    events = feed_raw(s, encode_pdu(LoginResponse(initiator_task_tag=1)))
    assert "Login Response in the full feature phase" in str(events[-1].error)


def feed_raw(s, raw):
    s.receive_data(raw)
    return s.next_events()


def test_digests_switch_on_after_login():
    s = login(IscsiUrl(host="h", target=IQN, lun=1, header_digest=("CRC32C",), data_digest=("CRC32C",)),
              answers={"HeaderDigest": "CRC32C", "DataDigest": "CRC32C"})
    tag = s.submit(READ10, data_in_length=4)
    cmd, = sent(s, digests=True)
    assert cmd.initiator_task_tag == tag
    events = feed(s, DataIn(initiator_task_tag=tag, final=True, status_present=True, data=b"abcd", **window()),
                  digests=True)
    assert events[0].data == b"abcd"
    s.submit(READ10, data_in_length=4)
    sent(s, digests=True)
    raw = bytearray(encode_pdu(NopIn(**window()), True, True))
    raw[10] ^= 1
    assert "header digest error" in str(feed_raw(s, bytes(raw))[-1].error)


def test_login_refused_and_chap():
    url = IscsiUrl(host="h", target=IQN, lun=1, user="alice", password="secret",
                   target_user="tgt", target_password="tsecret", chap_algorithms=(5,))
    s = Session(url, isid=ISID, random=lambda n: bytes(range(1, n + 1)))
    s.start_login()
    first, = sent(s)
    assert dict(decode_text(first.data))["AuthMethod"] == "CHAP"  # mutual: never None
    assert first.transit is False
    itt = first.initiator_task_tag

    def respond(transit=False, nsg=0, **keys):
        s.receive_data(encode_pdu(LoginResponse(transit=transit, csg=0, nsg=nsg, initiator_task_tag=itt,
                                                stat_sn=1, exp_cmd_sn=1, max_cmd_sn=1,
                                                data=encode_text(keys.items()))))
        return sent(s)

    req, = respond(AuthMethod="CHAP")
    assert decode_text(req.data) == [("CHAP_A", "5")]
    req, = respond(CHAP_A="5", CHAP_I="7", CHAP_C="0x" + bytes(16).hex())
    keys = dict(decode_text(req.data))
    assert keys["CHAP_R"] == "0x" + chap_response(5, 7, b"secret", bytes(16)).hex()
    assert (req.transit, req.nsg) == (True, 1)
    ours = bytes.fromhex(keys["CHAP_C"][2:])
    good = chap_response(5, int(keys["CHAP_I"]), b"tsecret", ours)
    op, = respond(True, 1, CHAP_N="tgt", CHAP_R="0x" + good.hex())
    assert (op.csg, op.nsg) == (1, 3)
    # The target's proof was right; a wrong one ends the login with AuthenticationFailed.
    s2 = Session(url, isid=ISID, random=lambda n: bytes(range(1, n + 1)))
    s2.start_login()
    itt2 = sent(s2)[0].initiator_task_tag
    for keys2 in ({"AuthMethod": "CHAP"}, {"CHAP_A": "5", "CHAP_I": "7", "CHAP_C": "0x" + bytes(16).hex()}):
        s2.receive_data(encode_pdu(LoginResponse(initiator_task_tag=itt2, data=encode_text(keys2.items()))))
    s2.receive_data(encode_pdu(LoginResponse(transit=True, nsg=1, initiator_task_tag=itt2,
                                             data=encode_text([("CHAP_N", "tgt"), ("CHAP_R", "0x" + bytes(16).hex())]))))
    closed = s2.next_events()[-1]
    assert isinstance(closed.error, AuthenticationFailed) and s2.state is State.CLOSED
    # A refusal names the target's Status-Class/Detail.
    s3 = Session(IscsiUrl(host="h", target=IQN, lun=1), isid=ISID)
    s3.start_login()
    s3.receive_data(encode_pdu(LoginResponse(initiator_task_tag=sent(s3)[0].initiator_task_tag,
                                             status_class=2, status_detail=3)))
    error = s3.next_events()[-1].error
    assert isinstance(error, LoginFailed) and "target not found (Status-Class 02h, Status-Detail 03h)" in str(error)


def test_bad_negotiation_answer_fails_login():
    s = Session(IscsiUrl(host="h", target=IQN, lun=1), isid=ISID)
    s.start_login()
    itt = sent(s)[0].initiator_task_tag
    s.receive_data(encode_pdu(LoginResponse(transit=True, csg=0, nsg=1, initiator_task_tag=itt,
                                            data=encode_text([("AuthMethod", "None")]))))
    sent(s)
    s.receive_data(encode_pdu(LoginResponse(transit=True, csg=1, nsg=3, initiator_task_tag=itt,
                                            data=encode_text([("MaxBurstLength", "99999999")]))))
    assert isinstance(s.next_events()[-1].error, NegotiationFailed)


def test_pdu_hooks_change_drop_and_replace_bytes():
    seen = []

    def hook(direction, pdu):
        seen.append((direction, type(pdu).__name__))
        if isinstance(pdu, ScsiCommand) and pdu.cdb[0] == 0x28:
            return attrs.evolve(pdu, cmd_sn=pdu.cmd_sn + 100)  # a wrong CmdSN
        if isinstance(pdu, ScsiCommand) and pdu.cdb[0] == 0x00:
            return DROP
        if isinstance(pdu, NopOut):
            return b"garbage!"
        if direction == "in" and isinstance(pdu, NopIn):
            return DROP
        return None

    s = login(hook=hook)
    s.submit(READ10, data_in_length=1)
    s.submit(bytes(6))
    assert [p.cmd_sn for p in sent(s)] == [101]
    s.ping()
    assert s.data_to_send() == b"garbage!"
    assert feed(s, NopIn(initiator_task_tag=0xFFFFFFFF, target_transfer_tag=5, **window())) == []
    assert s.data_to_send() == b""  # the dropped ping was never answered
    assert ("in", "LoginResponse") in seen and ("out", "LoginRequest") in seen


def test_extended_cdb_goes_in_an_ahs():
    s = login()
    cdb = bytes(range(32))
    s.submit(cdb)
    cmd, = sent(s)
    assert cmd.cdb == cdb[:16]
    assert cmd.ahs == (17).to_bytes(2, "big") + b"\x01\x00" + cdb[16:] + bytes(-(4 + 16) % 4)


def test_local_misuse():
    s = Session(IscsiUrl(host="h", target=IQN, lun=1))
    with pytest.raises(LocalProtocolError, match="cannot submit a command: the session is idle"):
        s.submit(READ10, data_in_length=1)
    s.start_login()
    with pytest.raises(LocalProtocolError, match="logs in once"):
        s.start_login()
    with pytest.raises(UsageError, match="unknown operational key 'Foo'"):
        Session(IscsiUrl(host="h"), offer={"Foo": 1})
    s = login()
    with pytest.raises(UsageError, match="bidirectional"):
        s.submit(READ10, data_out=b"x", data_in_length=1)
    with pytest.raises(UsageError, match="LUN 20000"):
        s.submit(READ10, lun=20000)


@pytest.mark.parametrize("function, ended", [
    (TmfFunction.ABORT_TASK_SET, {"lun1-a", "lun1-b"}),
    (TmfFunction.TARGET_WARM_RESET, {"lun1-a", "lun1-b", "lun2"}),
])
def test_task_set_and_target_reset_scopes(function, ended):
    s = login()
    tags = {"lun1-a": s.submit(READ10, data_in_length=1), "lun1-b": s.submit(READ10, data_in_length=1),
            "lun2": s.submit(READ10, data_in_length=1, lun=2)}
    sent(s)
    tmf = s.task_management(function)
    req, = sent(s)
    assert req.function == function
    events = feed(s, TaskManagementResponse(initiator_task_tag=tmf, response=0, **window()))
    names = {name for name, tag in tags.items() for e in events[:-1] if e.tag == tag}
    assert names == ended
    assert all(isinstance(e.error, CommandAborted) for e in events[:-1])
    assert events[-1] == TaskManagementCompleted(tmf, function, 0)
    assert s.outstanding == 3 - len(ended)
