"""The lab's control socket: faults set from another process reach the served device.

The ring is the fake kernel of test_lab_ring; the socket and the reactor are real.
"""
from __future__ import annotations

import json
import os
import socket
import stat

import pytest

from sgframe.errors import UsageError
from sgframe.lab.control import ControlServer, handle, request
from sgframe.reactor import Reactor

from test_lab_ring import TUR, FakeKernel, _served

READ10_LBA4 = bytes.fromhex("28000000000400000100")


@pytest.fixture
def control(tmp_path):
    kernel = FakeKernel()
    served, notes, timers, disk = _served(kernel)
    reactor = Reactor()
    path = tmp_path / "lab.sock"
    server = ControlServer(path, [served], reactor)
    reactor.start()
    try:
        yield path, kernel, served, disk
    finally:
        reactor.stop()
        server.close()
        reactor.close()
    assert not path.exists()


def test_the_socket_is_for_its_owner_only(control):
    path, *_ = control
    assert stat.S_ISSOCK(os.stat(path).st_mode)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_medium_error_set_from_outside_reaches_the_ring(control):
    path, kernel, served, _ = control
    assert request(path, "medium_error", lba=4, count=2) == {"ok": True}
    kernel.queue(9, READ10_LBA4, buffers=[512])
    served.serve()
    _, _, status, _, sense = kernel.response(0)
    assert status == 0x02
    assert (sense[2] & 0x0F, sense[12], sense[13]) == (0x03, 0x11, 0x00)
    assert sense[3:7] == (4).to_bytes(4, "big")
    assert request(path, "clear") == {"ok": True}
    position = kernel.queue(10, READ10_LBA4, buffers=[512])
    served.serve()
    assert kernel.response(position)[2] == 0x00


def test_busy_task_set_full_check_condition_and_unit_attention(control):
    path, kernel, served, _ = control
    request(path, "busy", opcode=0)
    request(path, "task_set_full")
    request(path, "check_condition", key=0x4, asc=0x44, ascq=0x00, opcode=0x00)
    request(path, "unit_attention", asc=0x2A, ascq=0x01)
    positions = [kernel.queue(n, TUR) for n in range(1, 6)]
    served.serve()
    responses = [kernel.response(p) for p in positions]
    # Injected failures come before the unit attention (the emulator's order), each once.
    assert [r[2] for r in responses] == [0x08, 0x28, 0x02, 0x02, 0x00]
    assert (responses[2][4][2] & 0x0F, responses[2][4][12]) == (0x04, 0x44)
    assert (responses[3][4][2] & 0x0F, responses[3][4][12], responses[3][4][13]) == (0x06, 0x2A, 0x01)


def test_delay_drop_status_and_clear(control):
    path, kernel, served, _ = control
    request(path, "delay", seconds=2.5, opcode=0)
    request(path, "drop", count=2)
    assert request(path, "status") == {"ok": True, "completed": 0, "dropped": 0, "pending": 3}
    request(path, "clear")
    assert request(path, "status")["pending"] == 0
    kernel.queue(1, TUR)
    served.serve()
    assert kernel.response(0)[2] == 0x00
    assert request(path, "status")["completed"] == 1


@pytest.mark.parametrize("fields, message", [
    ({"fault": "frobnicate"}, "unknown fault 'frobnicate'; known: busy, check_condition, clear"),
    ({"fault": "medium_error"}, "medium_error: the field 'lba' is required"),
    ({"fault": "medium_error", "lba": -1}, "lba must be an integer 0..18446744073709551615, not -1"),
    ({"fault": "busy", "opcode": 256}, "opcode must be an integer 0..255, not 256"),
    ({"fault": "busy", "count": True}, "count must be an integer 1..1048576, not True"),
    ({"fault": "busy", "device": 1}, "device must be the index of a served device, 0..0, not 1"),
    ({"fault": "delay", "seconds": 0}, "delay must be a number of seconds in (0, 3600], not 0"),
    ({"fault": "medium_error", "lba": 64}, "lba_start"),
])
def test_bad_requests_are_refused_with_the_reason(control, fields, message):
    path, *_ = control
    with socket.socket(socket.AF_UNIX) as conn:
        conn.connect(str(path))
        conn.sendall(json.dumps(fields).encode() + b"\n")
        reply = json.loads(conn.makefile().readline())
    assert reply["ok"] is False and message in reply["error"], reply
    with pytest.raises(UsageError, match="lab control .*: "):
        request(path, **fields)


def test_not_json_and_two_requests_in_one_write(control):
    path, *_ = control
    with socket.socket(socket.AF_UNIX) as conn:
        conn.connect(str(path))
        conn.sendall(b'nonsense\n{"fault": "status"}\n[1]\n')
        lines = conn.makefile()
        first, second, third = (json.loads(lines.readline()) for _ in range(3))
    assert first["ok"] is False and "Expecting value" in first["error"]
    assert second == {"ok": True, "completed": 0, "dropped": 0, "pending": 0}
    assert third == {"ok": False, "error": "a request is a JSON object, not list"}


def test_no_server_is_an_oserror(tmp_path):
    with pytest.raises(OSError):
        request(tmp_path / "nobody.sock", "status")


def test_handle_needs_no_socket():
    served, *_ = _served(FakeKernel())
    assert handle([served], b'{"fault": "status", "device": 0}') == {
        "ok": True, "completed": 0, "dropped": 0, "pending": 0}


def test_sgframe_lab_fault_command(control, capsys):
    from sgframe.cli.app import main

    path, kernel, served, _ = control
    assert main(["lab", "--control", str(path), "fault", "medium_error", "lba=0x4", "count=1"]) == 0
    assert capsys.readouterr().out == "ok\n"
    assert served.device.bad_ranges == [(4, 5)]
    assert main(["lab", "--control", str(path), "fault", "delay", "seconds=1.5", "opcode=0"]) == 0
    assert served.faults[0].seconds == 1.5 and served.faults[0].opcode == 0
    capsys.readouterr()
    assert main(["lab", "--control", str(path), "fault", "status"]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "completed": 0, "dropped": 0, "pending": 1}


@pytest.mark.parametrize("argv, message", [
    (["lab", "fault", "status"], "lab fault needs --control SOCKET"),
    (["lab", "--control", "/nonexistent.sock", "fault", "nope"], "NAME is one of busy, check_condition"),
    (["lab", "--control", "/nonexistent.sock", "fault", "busy", "opcode"], "'opcode' is not FIELD=VALUE"),
])
def test_sgframe_lab_fault_usage_errors(argv, message, capsys):
    from sgframe.cli.app import main

    assert main(argv) != 0
    assert message in capsys.readouterr().err
