"""Soak: a mixed workload on every test-bed device until N commands have completed, with
scsi_debug's fault injection switched on and off, threads and asyncio, and a LUN deleted
and brought back mid-run. Every command is accounted for.

Run it in the test bed (not part of tox):

    python -m sgframe.testbed run --lio 2 --timeout 1800 -- python bench/soak.py --commands 500000

It prints: commands sent, completed exactly once, lost, duplicated, wrong data, wrong
exception class, and the fd count and RSS at start and end; it exits 1 when any of lost,
duplicated, wrong data or wrong exception class is not 0.

What counts as right:
* data: every block of the region a worker owns holds a pattern computed from its LBA
  (written once at start, rewritten by WRITE commands with the same pattern), so a READ
  that succeeds must return exactly that pattern;
* exceptions: what scsi_debug's injected faults produce (MEDIUM ERROR, TASK SET FULL,
  RECOVERED ERROR when raised, a transport error as HostError, ABORTED COMMAND) and
  DeviceGone for commands on the LUN being deleted. Anything else (a UsageError, a
  DriverError, an unexpected class) is wrong.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import struct
import sys
import threading
import time
from collections import Counter
from typing import Dict, List

from sgframe import Channel, Reactor, errors
from sgframe.command import Inquiry, Read10, TestUnitReady, Write10
from sgframe.testbed import guest

BLOCK = 512
REGION = 256  # blocks each worker owns on a device
# Exception classes the injected faults (and the deleted LUN) may legitimately produce.
ALLOWED = (errors.MediumError, errors.TaskSetFull, errors.RecoveredError, errors.HostError,
           errors.AbortedCommand, errors.Busy, errors.DeviceGone, errors.UnitAttention)
FAULTS = [  # scsi_debug delay, opts, every_nth (see ../shared/TESTBED.md); each fires on
            # every_nth-th command of the scsi_debug devices, whatever issued it
    {"delay": 0, "opts": 0, "every_nth": 0},
    {"delay": 0, "opts": 2, "every_nth": 0},       # MEDIUM ERROR in medium_error_start..+count
    {"delay": 1, "opts": 0x10, "every_nth": 97},   # transport error: ABORTED COMMAND 4Bh/03h
    {"delay": 0, "opts": 8, "every_nth": 89},      # RECOVERED ERROR (success by default)
    {"delay": 0, "opts": 0x20, "every_nth": 101},  # DIF error: ABORTED COMMAND 10h/01h, DID_ABORT
]


def set_fault(fault: dict) -> None:
    """scsi_debug refuses a new delay (EBUSY) while commands are queued: try again a few
    times, then change the rest without it."""
    for _ in range(40):
        try:
            guest.set_sdebug_params(**fault)
            return
        except errors.UsageError:
            time.sleep(0.05)
    guest.set_sdebug_params(**{k: v for k, v in fault.items() if k != "delay"})


def pattern(lba: int) -> bytes:
    return struct.pack(">Q", lba) * (BLOCK // 8)


class Ledger:
    """Every command: sent once, completed once, with the right data or exception."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent = 0
        self.completions: Dict[int, int] = {}
        self.wrong_data = 0
        self.wrong_class: Counter = Counter()
        self.outcomes: Counter = Counter()

    def send(self) -> int:
        with self.lock:
            self.sent += 1
            return self.sent

    def done(self, ident: int, failure: BaseException | None, data_ok: bool = True) -> None:
        with self.lock:
            self.completions[ident] = self.completions.get(ident, 0) + 1
            self.outcomes[type(failure).__name__ if failure else "ok"] += 1
            if failure is not None and not isinstance(failure, ALLOWED):
                self.wrong_class[type(failure).__name__] += 1
            if not data_ok:
                self.wrong_data += 1


def _command(rng: random.Random, base: int):
    lba = base + rng.randrange(REGION - 8)
    count = rng.choice((1, 1, 2, 8))
    kind = rng.random()
    if kind < 0.55:
        return Read10(lba=lba, transfer_length=count), None, lba
    if kind < 0.8:
        return Write10(lba=lba, transfer_length=count), b"".join(pattern(lba + i) for i in range(count)), lba
    if kind < 0.9:
        return TestUnitReady(), None, None
    return Inquiry(allocation_length=96), None, None


def _check(io, lba) -> bool:
    if lba is None or not isinstance(io.command, Read10) or io.exception is not None:
        return True
    return io.data == b"".join(pattern(lba + i) for i in range(io.command.transfer_length))


def async_worker(channel: Channel, base: int, ledger: Ledger, stop: threading.Event, depth: int) -> None:
    rng = random.Random(base)
    in_flight: List = []
    stop_this = False
    while not (stop.is_set() or stop_this) or in_flight:
        while not (stop.is_set() or stop_this) and len(in_flight) < depth:
            command, data, lba = _command(rng, base)
            ident = ledger.send()
            try:
                io = channel.execute(command, data=data, async_=True)
            except errors.SgframeError as failure:
                ledger.done(ident, failure)
                if isinstance(failure, errors.DeviceGone):
                    stop_this = True  # its device is gone: finish what is in flight, send no more
                    break
                continue

            def finished(io, ident=ident, lba=lba):
                ledger.done(ident, io.exception, _check(io, lba))

            io.add_done_callback(finished)
            in_flight.append(io)
        keep = []
        for io in in_flight:
            try:
                io.wait(120)
            except errors.TaskFailed:
                pass  # counted by its done callback
            except TimeoutError:
                keep.append(io)
        if keep and (stop.is_set() or stop_this):
            return  # two minutes without a completion: the ledger counts them as lost
        in_flight = keep


def sync_worker(channel: Channel, base: int, ledger: Ledger, stop: threading.Event) -> None:
    rng = random.Random(base + 1)
    while not stop.is_set():
        command, data, lba = _command(rng, base)
        ident = ledger.send()
        try:
            io = channel.execute(command, data=data)
            ledger.done(ident, None, _check(io, lba))
        except errors.SgframeError as failure:
            ledger.done(ident, failure)
            if isinstance(failure, errors.DeviceGone):
                return


async def asyncio_worker(channel: Channel, base: int, ledger: Ledger, stop: threading.Event) -> None:
    rng = random.Random(base + 2)
    while not stop.is_set():
        batch = [_command(rng, base) for _ in range(16)]
        idents = [ledger.send() for _ in batch]

        async def one(item, ident):
            command, data, lba = item
            try:
                io = await channel.aexecute(command, data=data)
                ledger.done(ident, None, _check(io, lba))
            except errors.SgframeError as failure:
                ledger.done(ident, failure)

        await asyncio.gather(*(one(item, ident) for item, ident in zip(batch, idents)))


def _clear_unit_attentions(channel: Channel) -> None:
    # A new host's LUNs report POWER ON / REPORTED LUNS DATA HAS CHANGED once each.
    for _ in range(8):
        try:
            channel.execute(TestUnitReady())
            return
        except errors.UnitAttention:
            continue


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commands", type=int, default=500_000)
    parser.add_argument("--depth", type=int, default=32)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--fault-period", type=float, default=3.0, help="seconds between fault changes")
    args = parser.parse_args()
    if not guest.in_testbed():
        print(f"soak: runs in the test bed: {guest.unavailable_reason()}", file=sys.stderr)
        return 2
    devices = [d for d in guest.devices() if d.kind in ("scsi_debug", "lio") and d.exists() and d.block]
    victim_host = guest.add_sdebug_hosts(1)
    victim = victim_host[0]
    fds_start, rss_start = len(guest.open_fds()), rss_kib()
    guest.set_sdebug_params(medium_error_start=REGION * 3 + 5, medium_error_count=3)
    reactor = Reactor()
    reactor.start()
    ledger = Ledger()
    stop = threading.Event()
    channels = [Channel.from_path(d.sg, reactor=reactor, queue_depth=args.depth, block_size=BLOCK)
                for d in devices + [victim]]
    for channel in channels:
        _clear_unit_attentions(channel)
    for channel in channels:  # the regions' pattern, before anything reads them
        for worker in range(args.threads + 2):
            base = worker * REGION
            channel.execute(Write10(lba=base, transfer_length=REGION),
                            data=b"".join(pattern(base + i) for i in range(REGION)))
    threads = []
    for channel in channels:
        threads.append(threading.Thread(target=async_worker, args=(channel, 0, ledger, stop, args.depth)))
        for t in range(1, args.threads + 1):
            threads.append(threading.Thread(target=sync_worker, args=(channel, t * REGION, ledger, stop)))

    def run_asyncio():
        async def all_channels():
            await asyncio.gather(*(asyncio_worker(c, (args.threads + 1) * REGION, ledger, stop) for c in channels[:2]))
        try:
            asyncio.run(asyncio.wait_for(all_channels(), timeout=3600))
        except asyncio.TimeoutError:
            print("soak: the asyncio worker did not finish: what it had in flight is lost", file=sys.stderr)

    threads.append(threading.Thread(target=run_asyncio))
    start = time.monotonic()
    for t in threads:
        t.start()
    fault_index = 0
    deleted = rescanned = False
    last_fault = last_report = time.monotonic()
    while ledger.sent < args.commands:
        time.sleep(0.2)
        if time.monotonic() - last_fault > args.fault_period:
            fault_index = (fault_index + 1) % len(FAULTS)
            set_fault(FAULTS[fault_index])
            last_fault = time.monotonic()
        if not deleted and ledger.sent > args.commands // 3:
            guest.delete_device(victim, timeout=60)
            deleted = True
        if deleted and not rescanned and ledger.sent > args.commands // 2:
            host = victim.hctl.split(":")[0]
            with open(f"/sys/class/scsi_host/host{host}/scan", "w") as f:
                f.write("- - -\n")
            rescanned = True
            back = guest.wait_for(lambda: [d for d in guest.scan() if d.hctl == victim.hctl], 30, "rescan")
            channel = Channel.from_path(back[0].sg, reactor=reactor, queue_depth=args.depth, block_size=BLOCK)
            _clear_unit_attentions(channel)
            channels.append(channel)
            extra = threading.Thread(target=async_worker, args=(channel, 0, ledger, stop, args.depth))
            threads.append(extra)
            extra.start()
        if time.monotonic() - last_report > 10:
            last_report = time.monotonic()
            print(f"{ledger.sent:>9} sent, {dict(ledger.outcomes)}", file=sys.stderr)
    stop.set()
    set_fault(FAULTS[0])
    for t in threads:
        t.join(300)
    seconds = time.monotonic() - start
    for channel in channels:
        channel.close()
    reactor.close()
    guest.remove_sdebug_host()
    fds_end, rss_end = len(guest.open_fds()), rss_kib()
    once = sum(1 for n in ledger.completions.values() if n == 1)
    duplicated = sum(1 for n in ledger.completions.values() if n > 1)
    lost = ledger.sent - len(ledger.completions)
    print()
    print(f"commands sent            {ledger.sent}")
    print(f"completed exactly once   {once}")
    print(f"lost                     {lost}")
    print(f"duplicated               {duplicated}")
    print(f"wrong data               {ledger.wrong_data}")
    print(f"wrong exception class    {sum(ledger.wrong_class.values())} {dict(ledger.wrong_class)}")
    print(f"outcomes                 {dict(ledger.outcomes)}")
    print(f"fds start/end            {fds_start}/{fds_end}")
    print(f"RSS KiB start/end        {rss_start}/{rss_end}")
    print(f"seconds                  {seconds:.1f} ({ledger.sent / seconds:.0f} commands/s)")
    bad = lost or duplicated or ledger.wrong_data or ledger.wrong_class
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
