"""sgframe.pool: devices dealt over worker processes, each with its own reactor."""
from __future__ import annotations

import os

import pytest

from sgframe import command, errors
from sgframe.pool import deal, merged, spread


def test_deal_hands_out_devices_in_turn():
    assert deal(["a", "b", "c", "d", "e"], 2) == [["a", "c", "e"], ["b", "d"]]
    assert deal(["a"], 4) == [["a"]]


def _read_and_report(channels, reactor):
    ios = [c.execute(command.Read10(lba=lba, transfer_length=1), async_=True) for c in channels for lba in range(8)]
    reactor.wait_for(lambda: all(io.returned for io in ios), 10)
    return {c.name: (os.getpid(), sum(io.ok for io in ios if io.channel is c)) for c in channels}


def test_spread_runs_the_job_in_each_worker_and_returns_results():
    devices = [f"emu:disk?blocks={1024 + i}" for i in range(5)]
    results = spread(devices, _read_and_report, processes=2)
    assert len(results) == 2
    everything = merged(results)
    assert sorted(everything) == sorted(devices)
    assert all(count == 8 for _, count in everything.values())
    pids = {pid for pid, _ in everything.values()}
    assert len(pids) == 2 and os.getpid() not in pids


def _depths(channels, reactor):
    return [c.transport.depth for c in channels]


def _broken(channels, reactor):
    raise ValueError("the job broke")


def test_spread_passes_channel_options():
    assert spread(["emu:disk", "emu:disk"], _depths, processes=1, queue_depth=3) == [[3, 3]]


def test_spread_checks_its_arguments():
    with pytest.raises(errors.UsageError, match="at least one device"):
        spread([], _read_and_report)
    with pytest.raises(errors.UsageError, match="processes is an int >= 1, not 0"):
        spread(["emu:disk"], _read_and_report, processes=0)


def test_a_failing_job_raises_in_the_caller():
    with pytest.raises(ValueError, match="the job broke"):
        spread(["emu:disk"], _broken, processes=1)
