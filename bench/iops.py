"""4 KiB random-read IOPS: sgframe beside fio's sg engine, in one boot of the test bed.

    python bench/iops.py [--seconds 3] [--reps 3]

Boots the User-Mode Linux test bed (scsi_debug, delay=0, four disks) and, on the same
devices in the same boot, runs fio (--ioengine=sg) and sgframe at:

* QD1, synchronous (SG_IO),
* QD16 on one device,
* QD16 on each of 4 devices through one reactor (fio: 4 jobs),

then prints IOPS side by side and a last line ``min ratio vs fio: X.XX``. Each row runs
fio and sgframe in turn ``--reps`` times; the ratio is the median of the pairs' ratios
(each pair ran back to back, so a busy host slows both alike), the IOPS the medians.
It also prints the framework's own cost: commands per second through the emu transport
(no kernel) beside the emulated disk called in a bare loop, a bare Python SG_IO loop on
the real device beside fio, and the Python calls per command (counted with
sys.setprofile: the same on any machine, unlike the times).

Figures are relative: the guest's system calls are slow, so only ratios within one run
mean anything.
"""
from __future__ import annotations

import argparse
import ctypes
import fcntl
import json
import os
import random
import statistics
import subprocess
import sys
import time
from typing import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

BLOCK = 512
READ_BLOCKS = 8  # 4 KiB
SCSI_DEBUG = "dev_size_mb=64 num_tgts=2 max_luns=2 delay=0"


def fio(files: list[str], depth: int, seconds: float) -> float:
    args = ["fio", "--output-format=json", "--group_reporting", "--ioengine=sg", "--rw=randread",
            "--bs=4k", f"--iodepth={depth}", f"--runtime={seconds}", "--time_based", "--randrepeat=0"]
    for index, path in enumerate(files):
        args += [f"--name=job{index}", f"--filename={path}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    report = json.loads(out[out.index("{"):])
    return sum(job["read"]["iops"] for job in report["jobs"])


def per_second(one: Callable[[], object], seconds: float) -> float:
    """How many times a second ``one()`` runs, over ``seconds`` (clock read per 100)."""
    done = 0
    start = time.perf_counter()
    end = start + seconds
    while time.perf_counter() < end:
        for _ in range(100):
            one()
        done += 100
    return done / (time.perf_counter() - start)


def read10(lba: int) -> bytes:
    return bytes([0x28, 0]) + lba.to_bytes(4, "big") + bytes([0, 0, READ_BLOCKS, 0])


def sgframe_sync(path: str, seconds: float) -> float:
    from sgframe import Channel, Reactor, command

    with Reactor() as reactor, Channel.from_path(path, reactor=reactor, block_size=BLOCK) as channel:
        blocks = channel.cmd.ReadCapacity10().result.returned_lba + 1 - READ_BLOCKS
        rng = random.Random(1)
        io = channel.execute(command.Read10(lba=0, transfer_length=READ_BLOCKS))
        return per_second(
            lambda: channel.execute(command.Read10(lba=rng.randrange(blocks), transfer_length=READ_BLOCKS), io=io),
            seconds)


def sgframe_async(paths: list[str], depth: int, seconds: float) -> float:
    """Keep ``depth`` reads in flight on each device; every completion sends the next."""
    from sgframe import Channel, Reactor, command

    with Reactor() as reactor:
        channels = [Channel.from_path(p, queue_depth=depth, reactor=reactor, block_size=BLOCK) for p in paths]
        try:
            blocks = channels[0].cmd.ReadCapacity10().result.returned_lba + 1 - READ_BLOCKS
            rng = random.Random(2)
            state = {"done": 0, "running": True}

            def again(io):
                state["done"] += 1
                if io.exception is not None:
                    raise io.exception
                if state["running"]:
                    io.channel.execute(command.Read10(lba=rng.randrange(blocks), transfer_length=READ_BLOCKS),
                                       async_=True, io=io)
                    io.add_done_callback(again)

            start = time.perf_counter()
            for channel in channels:
                for _ in range(depth):
                    io = channel.execute(command.Read10(lba=rng.randrange(blocks), transfer_length=READ_BLOCKS),
                                         async_=True)
                    io.add_done_callback(again)
            end = start + seconds
            while time.perf_counter() < end:
                reactor.run_once(0.1)
            elapsed = time.perf_counter() - start
            counted = state["done"]
            state["running"] = False
            for channel in channels:
                channel.wait(timeout=30)
            return counted / elapsed
        finally:
            for channel in channels:
                channel.close()


def bare_sg_io(path: str, seconds: float) -> float:
    """The floor: a minimal ctypes SG_IO loop, no framework (only the header's layout)."""
    from sgframe.linux.sg import SG_IO, SgIoHdr

    fd = os.open(path, os.O_RDWR)
    try:
        data = ctypes.create_string_buffer(READ_BLOCKS * BLOCK)
        sense = ctypes.create_string_buffer(32)
        cdb = ctypes.create_string_buffer(10)
        hdr = SgIoHdr(interface_id=ord("S"), dxfer_direction=-3, cmd_len=10, mx_sb_len=32,
                      dxfer_len=len(data), dxferp=ctypes.addressof(data), cmdp=ctypes.addressof(cdb),
                      sbp=ctypes.addressof(sense), timeout=60000)
        blocks = 64 * 1024 * 1024 // BLOCK - READ_BLOCKS
        rng = random.Random(3)

        def one() -> None:
            cdb.raw = read10(rng.randrange(blocks))
            fcntl.ioctl(fd, SG_IO, hdr)

        return per_second(one, seconds)
    finally:
        os.close(fd)


def calls_per_command(path: str, commands: int = 2000) -> tuple[float, float]:
    """Python-level and C-level calls per synchronous READ(10) with a reused Io."""
    from sgframe import Channel, Reactor, command

    counts = {"call": 0, "c_call": 0}

    def count(frame, event, arg) -> None:
        if event in counts:
            counts[event] += 1

    with Reactor() as reactor, Channel.from_path(path, reactor=reactor, block_size=BLOCK) as channel:
        io = channel.execute(command.Read10(lba=0, transfer_length=READ_BLOCKS))
        sys.setprofile(count)
        try:
            for lba in range(commands):
                channel.execute(command.Read10(lba=lba, transfer_length=READ_BLOCKS), io=io)
        finally:
            sys.setprofile(None)
    return counts["call"] / commands, counts["c_call"] / commands


def emu_rate(seconds: float) -> float:
    from sgframe import Channel, Reactor, command

    with Reactor() as reactor, Channel.open("emu:disk?blocks=131072", reactor=reactor) as channel:
        io = channel.execute(command.Read10(lba=0, transfer_length=READ_BLOCKS))
        rng = random.Random(4)
        return per_second(
            lambda: channel.execute(command.Read10(lba=rng.randrange(131000), transfer_length=READ_BLOCKS), io=io),
            seconds)


def emu_bare_rate(seconds: float) -> float:
    """The same reads handed straight to the emulated disk: what the framework adds is
    the difference to emu_rate."""
    from sgframe.emu import create

    disk = create("emu:disk?blocks=131072")
    rng = random.Random(4)
    return per_second(lambda: disk.respond(read10(rng.randrange(131000)), b"", READ_BLOCKS * BLOCK), seconds)


def paired(theirs: Callable[[], float], ours: Callable[[], float], reps: int) -> tuple[float, float, float]:
    """(median fio IOPS, median sgframe IOPS, median of the pairs' ratios), run in turn."""
    pairs = [(theirs(), ours()) for _ in range(reps)]
    return (statistics.median(t for t, _ in pairs), statistics.median(o for _, o in pairs),
            statistics.median(o / t for t, o in pairs))


def inside(seconds: float, reps: int) -> int:
    from sgframe.testbed import guest

    disks = [d.sg for d in guest.devices("scsi_debug")][:4]
    print(f"medians of {reps} runs of {seconds} s each; ratio: the median of the runs' sgframe/fio", flush=True)
    print(f"{'4 KiB random read (scsi_debug delay=0)':40s} {'fio IOPS':>10s} {'sgframe IOPS':>13s} {'ratio':>6s}")
    rows = [
        ("QD1 synchronous, 1 device", lambda: fio(disks[:1], 1, seconds), lambda: sgframe_sync(disks[0], seconds)),
        ("QD16, 1 device", lambda: fio(disks[:1], 16, seconds), lambda: sgframe_async(disks[:1], 16, seconds)),
        ("QD16 x 4 devices, 1 reactor", lambda: fio(disks, 16, seconds), lambda: sgframe_async(disks, 16, seconds)),
    ]
    ratios = []
    for name, theirs, ours in rows:
        fio_iops, our_iops, ratio = paired(theirs, ours, reps)
        ratios.append(ratio)
        print(f"{name:40s} {fio_iops:10,.0f} {our_iops:13,.0f} {ratio:6.2f}", flush=True)
    fio_iops, bare, ratio = paired(lambda: fio(disks[:1], 1, seconds), lambda: bare_sg_io(disks[0], seconds), reps)
    print(f"{'bare ctypes SG_IO loop, QD1':40s} {fio_iops:10,.0f} {bare:13,.0f} {ratio:6.2f}")
    print(f"{'framework cost: emu transport, QD1':40s} {'':10s} {emu_rate(seconds):13,.0f}   (commands/s, no kernel)")
    print(f"{'  the emulated disk alone (bare loop)':40s} {'':10s} {emu_bare_rate(seconds):13,.0f}   (respond() calls/s)")
    python_calls, c_calls = calls_per_command(disks[0])
    print(f"calls per synchronous READ(10), Io reused: {python_calls:.1f} Python, {c_calls:.1f} C "
          "(sys.setprofile, command construction included)")
    print(f"min ratio vs fio: {min(ratios):.2f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--reps", type=int, default=3, help="runs per row, fio and sgframe in turn (default 3)")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        return inside(args.seconds, args.reps)
    from sgframe import testbed

    ok, reason = testbed.available()
    if not ok:
        print(f"cannot benchmark: {reason}", file=sys.stderr)
        return 2
    result = testbed.run([sys.executable, os.path.abspath(__file__), "--inside", "--seconds", str(args.seconds),
                          "--reps", str(args.reps)],
                         scsi_debug=SCSI_DEBUG, timeout=600 + 60 * args.reps * args.seconds)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
