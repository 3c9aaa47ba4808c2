"""Issue 10's edges that only the kernel shows: threads sharing an sg channel, an Io in two
synchronous calls, fork(), a LUN deleted under synchronous commands, and the command
line beside sg3_utils on the same failure."""
from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time

import pytest

from sgframe import Channel, Reactor, errors
from sgframe.command import Read10, TestUnitReady
from sgframe.io import io_for
from sgframe.testbed import guest


@pytest.fixture
def extra_host(testbed):
    added = guest.add_sdebug_hosts(1)
    try:
        yield added
    finally:
        guest.remove_sdebug_host()
        guest.wait_for(lambda: not any(d.exists() for d in added), 10, "removal of the added host")


def _sgframe(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sgframe.cli", *argv], capture_output=True, text=True, timeout=120)


# --- 1. one Io in two synchronous execute() calls ------------------------------------------

def test_an_io_in_a_synchronous_sg_io_refuses_a_second_caller(scsi_debug_devices, sdebug_params, no_fd_leak):
    disk = scsi_debug_devices[0]
    sdebug_params(delay=100)  # 100 jiffies: the first READ is still in SG_IO a second later
    with Channel.from_path(disk.sg, reactor=Reactor(), block_size=512) as channel:
        channel.execute(Read10(lba=10, transfer_length=1))  # warm: the sync fd is open
        io = io_for(Read10(lba=10, transfer_length=1))
        outcome = {}

        def first():
            outcome["io"] = channel.execute(Read10(lba=10, transfer_length=1), io=io)

        a = threading.Thread(target=first)
        a.start()
        time.sleep(0.3)
        buffer = io.buffer
        with pytest.raises(errors.UsageError, match="still in flight"):
            channel.execute(Read10(lba=20, transfer_length=64), io=io)
        a.join(30)
        assert not a.is_alive()
        # A got its own command and one block, in the buffer the kernel wrote.
        assert outcome["io"] is io and io.command.lba == 10 and io.buffer is buffer and len(io.data) == 512
        expected = channel.execute(Read10(lba=10, transfer_length=1)).data
        assert io.data == expected
        channel.reactor.close()


# --- 2. more than 16 synchronous threads on one channel -------------------------------------

def test_64_threads_share_one_sg_channel(scsi_debug_devices, sdebug_params, no_fd_leak):
    disk = scsi_debug_devices[0]
    sdebug_params(delay=1)  # one jiffy: the 64 calls overlap in the driver
    failures = []
    done = []
    with Channel.from_path(disk.sg, reactor=Reactor(threadsafe=True)) as channel:
        start = threading.Barrier(64)

        def worker():
            try:
                start.wait(10)
                for _ in range(10):
                    channel.execute(TestUnitReady())
                done.append(1)
            except Exception as exc:  # noqa: BLE001 - asserted below
                failures.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(64)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        max_sync_fds = [len(channel.transport._sync_fds)]
        channel.reactor.close()
    assert failures == [] and len(done) == 64
    # 16 concurrent callers per synchronous fd: ceil(64 / 16) fds at most, none refused.
    assert 1 <= max_sync_fds[0] <= 4


# --- 8. fork() ---------------------------------------------------------------------------------

def test_after_fork_the_child_is_told_what_to_do_and_the_parent_does_not_spin(scsi_debug_devices, no_fd_leak):
    disk = scsi_debug_devices[0]
    parent = Channel.from_path(disk.sg, reactor=Reactor())
    parent.execute(TestUnitReady(), async_=True).wait(10)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the exit status is the assertion
        code = 1
        try:
            signal.alarm(30)
            os.close(read_end)
            try:
                parent.execute(TestUnitReady(), async_=True)
                code = 2
            except errors.UsageError as refused:
                code = 0 if "before fork()" in str(refused) else 3
            if code == 0:
                child = Channel.from_path(disk.sg)
                for _ in range(200):  # asynchronous: the child's own epoll set
                    child.execute(TestUnitReady(), async_=True).wait(10)
                child.close()
        finally:
            os.write(write_end, bytes([code]))
            os._exit(code)
    os.close(write_end)
    # While the child works, the parent's epoll set stays quiet: the child's channel is
    # in an epoll set of its own.
    wakeups = 0
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        if select.select([read_end], [], [], 0)[0]:
            break
        wakeups += len(parent.reactor.get_events(0.05))
    code = os.read(read_end, 1)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0 and code == b"\0"
    assert wakeups == 0
    assert parent.execute(TestUnitReady(), async_=True).wait(10) is None
    parent.reactor.close()


# --- 10. synchronous commands while the LUN is deleted --------------------------------------

def test_synchronous_commands_during_a_lun_delete_are_device_gone(extra_host, no_fd_leak):
    victim = extra_host[0]
    outcomes = []
    with Channel.from_path(victim.sg, reactor=Reactor(threadsafe=True)) as channel:
        stop = threading.Event()

        def hammer():
            while not stop.is_set():
                try:
                    channel.execute(TestUnitReady())
                    outcomes.append("ok")
                except errors.TaskFailed as failure:
                    outcomes.append(type(failure).__name__)
                    if isinstance(failure, errors.DeviceGone):
                        return

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        guest.delete_device(victim, timeout=30)
        for t in threads:
            t.join(30)
        stop.set()
        failures = [o for o in outcomes if o != "ok"]
        assert failures and set(failures) == {"DeviceGone"}, failures
        # The first synchronous command after the delete (a new sync fd must be opened).
        channel.transport._sync_pool.clear()
        with pytest.raises(errors.DeviceGone):
            channel.execute(TestUnitReady())
        channel.reactor.close()


# --- 14-16. the command line beside sg3_utils --------------------------------------------------

def test_raw_after_check_condition_says_no_data_like_sg_raw(scsi_debug_devices, tmp_path):
    disk = scsi_debug_devices[0]
    beyond = "28 00 7f ff ff ff 00 00 01 00"  # READ(10) far past the end
    out_file = tmp_path / "data.bin"
    ours = _sgframe("raw", disk.sg, *beyond.split(), "-r", "512", "-o", str(out_file))
    theirs = subprocess.run(["sg_raw", "-r", "512", disk.sg, *beyond.split()], capture_output=True, text=True)
    assert ours.returncode == theirs.returncode != 0
    assert "No data received" in ours.stdout and "Received" not in ours.stdout
    assert not out_file.exists()


def test_opcodes_works_on_scsi_debug_like_sg_opcodes(scsi_debug_devices):
    disk = scsi_debug_devices[0]
    ours = _sgframe("opcodes", disk.sg, "--json")
    theirs = subprocess.run(["sg_opcodes", disk.sg], capture_output=True, text=True)
    assert ours.returncode == theirs.returncode == 0, ours.stderr
    assert "TEST UNIT READY" in ours.stdout or "Test Unit Ready" in ours.stdout or '"operation_code": 0' in ours.stdout


def _clear_unit_attentions(devices) -> None:
    # A bus or host reset leaves POWER ON, RESET OR BUS DEVICE RESET OCCURRED pending on
    # every device behind it; the next test's first command must not be the one to see it.
    for device in devices:
        with Channel.from_path(device.sg, reactor=Reactor()) as channel:
            for _ in range(8):
                try:
                    channel.execute(TestUnitReady())
                    break
                except errors.UnitAttention:
                    continue
            channel.reactor.close()


@pytest.mark.parametrize("kind, flag", [("bus", "-b"), ("host", "-H")])
def test_reset_says_which_operation_failed(scsi_debug_devices, kind, flag, request):
    request.addfinalizer(lambda: _clear_unit_attentions(scsi_debug_devices))
    disk = scsi_debug_devices[0]
    ours = _sgframe("reset", disk.sg, "-k", kind)
    theirs = subprocess.run(["sg_reset", flag, disk.sg], capture_output=True, text=True)
    assert "cannot open" not in ours.stderr
    if ours.returncode:
        assert f"the {kind} reset failed" in ours.stderr
    else:
        assert f"{kind} reset done" in ours.stdout
    assert (ours.returncode == 0) == (theirs.returncode == 0), (ours.stderr, theirs.stderr)
