"""A device deleted through sysfs while commands are in flight.

What Linux 6.1 does (checked here): writing ``delete`` first detaches sg from the device,
which makes every open sg fd report POLLHUP, then waits for the commands the device still
holds. The channel fails whatever has not completed with DeviceGone at the POLLHUP and
closes its fds; completions sg already holds are delivered as they are.

The test deletes a device of a scsi_debug host it adds itself, so the boot's devices stay
for the other tests.
"""
from __future__ import annotations

import threading
import time

import pytest

from sgframe import Channel, Reactor, errors, handler
from sgframe.testbed import guest


@pytest.fixture
def extra_host(testbed):
    added = guest.add_sdebug_hosts(1)
    try:
        yield added
    finally:
        guest.remove_sdebug_host()
        guest.wait_for(lambda: not any(d.exists() for d in added), 10, "removal of the added host")


def test_deleting_a_device_with_32_commands_in_flight(extra_host, sdebug_params, no_fd_leak):
    victim, neighbour = extra_host[0], extra_host[1]
    # Two seconds a command: all 32 are still in the device when it is deleted.
    sdebug_params(delay=200)
    with Reactor() as reactor:
        channel = Channel.from_path(victim.sg, block_size=512, queue_depth=32, reactor=reactor)
        ios = [channel.cmd.Read10(lba=i, transfer_length=1, async_=True) for i in range(32)]
        assert channel.transport.in_flight == 32
        deleter = threading.Thread(target=guest.delete_device, args=(victim,), kwargs={"timeout": 30})
        started = time.monotonic()
        deleter.start()
        try:
            assert reactor.wait_for(lambda: all(io.returned for io in ios), 15), "a command never returned"
            took = time.monotonic() - started
        finally:
            deleter.join(30)
        assert not deleter.is_alive()
        for io in ios:
            with pytest.raises(errors.DeviceGone) as raised:
                io.wait()
            assert str(raised.value) == (
                f"READ(10) on {victim.sg}: the device went away with the command in flight"
            )
        assert took < 2.0, "DeviceGone came from the POLLHUP, before the device finished the commands"
        assert channel.transport.in_flight == 0 and channel.transport.fds() == ()
        with pytest.raises(errors.DeviceGone):
            channel.cmd.TestUnitReady()
        with pytest.raises(errors.DeviceGone):  # nor is anything queued that would never go
            channel.cmd.TestUnitReady(async_=True)
        assert channel.poll() is True
        channel.close()
        assert not victim.exists()
        sdebug_params(delay=0)
        # Its own reactor, not the process's default one: no_fd_leak would count that.
        with Channel.from_path(neighbour.sg, reactor=reactor) as other:
            other.cmd.TestUnitReady(verify_handler=handler.might_fail(errors.UnitAttention))
            assert other.cmd.TestUnitReady().ok


def test_deleted_device_node_cannot_be_opened(extra_host):
    victim = extra_host[0]
    guest.delete_device(victim)
    # The path is resolved through sysfs before it is opened, and the node is gone.
    with pytest.raises(errors.DeviceNodeMissing) as raised:
        Channel.from_path(victim.sg)
    assert str(raised.value).startswith(f"cannot open {victim.sg}: no such device node (ENOENT); list the SCSI")
