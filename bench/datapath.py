"""The data path at full speed: sgframe beside C loops, fio and sg_dd, in one boot of the test bed.

    python bench/datapath.py [--seconds 1] [--devices 256] [--rss-commands 100000]
                             [--reps 3] [--only seq,modes,qd16,devices,rss]

Boots the User-Mode Linux test bed with scsi_debug (delay=0, num_tgts x max_luns disks
sharing one store) and prints, medians of 3 runs, as ratios to the C counterpart:

* 1 MiB and 256 KiB sequential reads and writes at QD1 (SG_IO) and QD4 (write/poll/read),
  the data read the way a user does (``io.view``, ``io.data``, ``io.readinto``, ``buffer=``)
  or sent with ``data=`` (a fresh Io per command), beside bench/sgloop.c (SG_IO loop, QD1;
  write/poll/read loop, QD4), fio's sg engine and sg_dd;
* each io_mode (indirect, mmap, direct) beside sgloop.c in the same mode, and sg_dd dio=1;
* 4 KiB random reads at QD16 on one device;
* 4 KiB random reads at QD4 per device on 1, 16, 64 and 256 devices: one reactor, the
  process pool (sgframe.pool.spread), the C loop in one process, and fio with one job per
  device; and the cost per command of the one reactor relative to one device, as wall
  time and as the process's CPU time per command;
* RSS over 100,000 1 MiB reads with fresh Ios (the pool at work).

bench/sgloop.c is built with gcc when present; without gcc its rows say so. Figures are
relative: the guest's system calls are slow, and the guest has one CPU.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Callable, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

BLOCK = 512
MIB = 1 << 20
DEV_MB = 256
REPS = 3
SGLOOP: Optional[str] = None


def median(run: Callable[[], float]) -> float:
    return statistics.median(run() for _ in range(REPS))


def block(rows: List[tuple], unit: str = "MB/s") -> List[float]:
    """Run a block's rows in turn, REPS times (reference first, then each row once per
    round, so a busy host slows a row and its reference alike); print each row's median
    and the median of its per-round ratios to the first row. Returns the medians."""
    runs: List[List[float]] = [[] for _ in rows]
    for _ in range(REPS):
        for index, (_, run) in enumerate(rows):
            runs[index].append(run())
    reference = runs[0]
    medians = []
    for (name, _), values in zip(rows, runs):
        ratios = [v / r for v, r in zip(values, reference) if r == r and r and v == v]
        medians.append(statistics.median(values))
        row(name, medians[-1], statistics.median(ratios) if ratios else float("nan"), unit, ratio_given=True)
    return medians


# --- the C loop, fio, sg_dd -------------------------------------------------------------

NO_C = ""  # why the C rows are missing, once build_sgloop() has said


def build_sgloop() -> Optional[str]:
    """bench/sgloop.c built with gcc (or cc); None, with NO_C saying why, when it cannot be."""
    global NO_C
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        NO_C = "no gcc (or cc) on PATH: apt-get install gcc"
        return None
    out = os.path.join(tempfile.mkdtemp(prefix="sgloop"), "sgloop")
    built = subprocess.run([gcc, "-O2", "-o", out, os.path.join(HERE, "sgloop.c")], capture_output=True, text=True)
    if built.returncode:
        NO_C = f"{gcc} could not build bench/sgloop.c: {built.stderr.strip()}"
        return None
    return out


def c_loop(paths: List[str], size: int, qd: int, write: bool, mode: str, pattern: str, seconds: float) -> float:
    """Bytes per second (or, for 4 KiB random, commands per second when ``pattern`` is rand)."""
    if SGLOOP is None:
        return float("nan")
    out = subprocess.run([SGLOOP, "async" if qd > 1 or len(paths) > 1 else "sgio", "w" if write else "r", str(size),
                          str(qd), str(seconds), mode, pattern, str(DEV_MB * 2048), ",".join(paths)],
                         capture_output=True, text=True, check=True).stdout.split()
    commands, moved, elapsed = int(out[0]), int(out[1]), float(out[2])
    return (commands if pattern == "rand" else moved) / elapsed


def fio(paths: List[str], size: int, qd: int, rw: str, seconds: float, iops: bool = False) -> float:
    args = ["fio", "--output-format=json", "--group_reporting", "--ioengine=sg", f"--rw={rw}", f"--bs={size}",
            f"--iodepth={qd}", f"--runtime={seconds}", "--time_based", "--randrepeat=0", "--thread"]
    for index, path in enumerate(paths):
        args += [f"--name=job{index}", f"--filename={path}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    job = json.loads(out[out.index("{"):])["jobs"][0]
    side = job["write" if "write" in rw else "read"]
    return side["iops"] if iops else side["bw_bytes"]


def sg_dd(path: str, size: int, write: bool, dio: bool = False) -> float:
    count = DEV_MB * 2048
    args = ["sg_dd", f"bs={BLOCK}", f"bpt={size // BLOCK}", f"count={count}", "time=1"]
    args += [f"if=/dev/zero", f"of={path}"] if write else [f"if={path}", "of=/dev/null"]
    if dio:
        args.append("dio=1")
    err = subprocess.run(args, capture_output=True, text=True, check=True).stderr
    found = re.search(r"time to (?:transfer|read|write) data[^0-9]*([0-9.]+) secs", err)
    if found is None:
        raise RuntimeError(f"sg_dd said: {err.strip()}")
    secs = float(found.group(1))
    return count * BLOCK / secs


# --- sgframe ----------------------------------------------------------------------------

def sgframe_seq(path: str, size: int, qd: int, how: str, seconds: float, mode: str = "indirect") -> float:
    """Bytes per second, sequential, ``how`` in view | data | readinto | buffer | write."""
    from sgframe import Channel, Reactor, command
    from sgframe.io import allocate
    from sgframe.transport.sg import SgTransport

    blocks = size // BLOCK
    total = DEV_MB * 2048
    write = how == "write"
    payload = allocate(size)  # page-aligned, so direct I/O can be direct
    payload[:] = b"\x5a" * size
    buffers = [allocate(size) for _ in range(qd)]
    sink = allocate(size)
    lba = [0]

    def next_lba() -> int:
        at = lba[0]
        lba[0] = at + blocks if at + 2 * blocks <= total else 0
        return at

    def send(channel, slot: int, async_: bool):
        if write:
            return channel.cmd.Write10(lba=next_lba(), transfer_length=blocks, data=payload, async_=async_)
        if how == "buffer":
            return channel.cmd.Read10(lba=next_lba(), transfer_length=blocks, buffer=buffers[slot], async_=async_)
        return channel.cmd.Read10(lba=next_lba(), transfer_length=blocks, async_=async_)

    def consume(io) -> None:
        if how == "view":
            io.view
        elif how == "data":
            io.data
        elif how == "readinto":
            io.readinto(sink)

    transport = SgTransport(path, queue_depth=max(qd, 4), io_mode=mode, mmap_size=size)
    with Reactor() as reactor, Channel(transport, reactor=reactor, block_size=BLOCK) as channel:
        if qd == 1:
            done = 0
            start = time.perf_counter()
            end = start + seconds
            while time.perf_counter() < end:
                for _ in range(8):
                    consume(send(channel, 0, False))
                done += 8
            return done * size / (time.perf_counter() - start)
        state = {"done": 0, "running": True}

        def again(io, slot=0):
            state["done"] += 1
            if io.exception is not None:
                raise io.exception
            consume(io)
            if state["running"]:
                nxt = send(channel, slot, True)
                nxt.add_done_callback(lambda done_io: again(done_io, slot))

        start = time.perf_counter()
        for slot in range(qd):
            send(channel, slot, True).add_done_callback(lambda done_io, s=slot: again(done_io, s))
        end = start + seconds
        while time.perf_counter() < end:
            reactor.run_once(0.1)
        elapsed = time.perf_counter() - start
        counted = state["done"]
        state["running"] = False
        channel.wait(timeout=30)
        return counted * size / elapsed


def random_reads(channels, reactor, depth: int, seconds: float) -> tuple:
    """Keep ``depth`` 4 KiB random reads in flight per channel (Ios reused); (the count,
    when the clock started, when it stopped: time.perf_counter, CLOCK_MONOTONIC, which
    every process of the machine shares)."""
    from sgframe import command

    rng = random.Random(2)
    top = DEV_MB * 2048 - 8
    state = {"done": 0, "running": True}

    def again(io):
        state["done"] += 1
        if io.exception is not None:
            raise io.exception
        if state["running"]:
            io.channel.execute(command.Read10(lba=rng.randrange(top), transfer_length=8), async_=True, io=io)
            io.add_done_callback(again)

    for channel in channels:
        for _ in range(depth):
            io = channel.execute(command.Read10(lba=rng.randrange(top), transfer_length=8), async_=True)
            io.add_done_callback(again)
    # The clock starts once all are in flight: sending the first 1,024 (256 devices x 4)
    # is set-up, as opening fio's jobs is for fio.
    start = time.perf_counter()
    cpu = time.process_time()
    end = start + seconds
    while time.perf_counter() < end:
        reactor.run_once(0.1)
    counted = state["done"]
    stop = time.perf_counter()
    # The process's CPU time per command (user + system: the guest's one CPU runs the
    # device's completions in the submitting process, so this is the command's whole
    # cost): less at the mercy of a busy host than the wall clock.
    CPU_PER_COMMAND.append((time.process_time() - cpu) / max(counted, 1))
    state["running"] = False
    for channel in channels:
        channel.wait(timeout=60)
    return counted, start, stop


CPU_PER_COMMAND: List[float] = []


def sgframe_random(paths: List[str], depth: int, seconds: float) -> float:
    from sgframe import Channel, Reactor

    with Reactor() as reactor:
        channels = [Channel.from_path(p, queue_depth=depth, reactor=reactor, block_size=BLOCK) for p in paths]
        try:
            counted, start, stop = random_reads(channels, reactor, depth, seconds)
            return counted / (stop - start)
        finally:
            for channel in channels:
                channel.close()


def _pool_job(channels, reactor):
    return random_reads(channels, reactor, _POOL_DEPTH, _POOL_SECONDS)


_POOL_DEPTH, _POOL_SECONDS = 4, 1.0


def sgframe_pool(paths: List[str], depth: int, seconds: float, processes: int) -> float:
    global _POOL_DEPTH, _POOL_SECONDS
    from sgframe.pool import spread

    _POOL_DEPTH, _POOL_SECONDS = depth, seconds  # the workers fork with these
    runs = spread(paths, _pool_job, processes=processes, queue_depth=depth, block_size=BLOCK)
    # All commands over the time from the first worker's start to the last one's stop:
    # adding up each worker's own rate would count a worker that ran while another was
    # still starting (the guest has one CPU) as if both ran at once.
    return sum(count for count, _, _ in runs) / (max(stop for _, _, stop in runs) - min(start for _, start, _ in runs))


def rss_over(path: str, commands: int) -> List[tuple]:
    """RSS (KiB) after 1,000 and at every quarter of ``commands`` fresh 1 MiB reads."""
    from sgframe import Channel, Reactor

    def rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024

    marks = {1000, commands // 4, commands // 2, 3 * commands // 4, commands}
    points = []
    with Reactor() as reactor, Channel.from_path(path, reactor=reactor, block_size=BLOCK) as channel:
        lba, top = 0, DEV_MB * 2048 - 2048
        for n in range(1, commands + 1):
            channel.cmd.Read10(lba=lba, transfer_length=2048).view
            lba = lba + 2048 if lba < top else 0
            if n in marks:
                points.append((n, rss()))
    return points


# --- the report ---------------------------------------------------------------------------

def row(name: str, value: float, reference: float, unit: str = "MB/s", ratio_given: bool = False) -> None:
    """One line: the value, and its ratio to ``reference`` (or ``reference`` is the ratio)."""
    scale = 1e6 if unit == "MB/s" else 1
    if value != value:  # nan: a C row without the C loop
        print(f"  {name:46s} {'-':>12s} {unit:5s}   (no C loop: {NO_C})", flush=True)
        return
    ratio = reference if ratio_given else (value / reference if reference == reference and reference else reference)
    if ratio != ratio or not ratio:
        print(f"  {name:46s} {value / scale:12,.0f} {unit:5s}      - (no C loop to compare with)", flush=True)
        return
    print(f"  {name:46s} {value / scale:12,.0f} {unit:5s} {ratio:6.2f}", flush=True)


SECTIONS = ("seq", "modes", "qd16", "devices", "rss")


def inside(seconds: float, n_devices: int, rss_commands: int, only: tuple = SECTIONS) -> int:
    global SGLOOP
    from sgframe.linux import sg as sgdev
    from sgframe.testbed import guest

    devices = guest.devices("scsi_debug")
    disks = [d.sg for d in devices]
    disk = disks[0]
    # sg caps an fd's reserved buffer (mmap'd I/O) at max_sectors_kb: raise it to the hardware's.
    queue = f"/sys/block/{os.path.basename(devices[0].block)}/queue/"
    with open(queue + "max_hw_sectors_kb") as f:
        hw = int(f.read())
    for kib in (min(hw, 4096), 2048, 1024):
        try:
            with open(queue + "max_sectors_kb", "w") as g:
                g.write(str(kib))
            break
        except OSError:
            continue
    with open(queue + "max_sectors_kb") as f:
        print(f"max_sectors_kb of {devices[0].block}: {f.read().strip()} (hw {hw})")
    SGLOOP = build_sgloop()
    with open("/sys/module/sg/parameters/allow_dio", "w") as f:
        f.write("1")
    print(f"{len(disks)} scsi_debug devices (delay=0, {DEV_MB} MiB shared store); allow_dio={int(sgdev.allow_dio())}; "
          f"medians of {REPS} rounds of {seconds} s; ratio = median over the rounds of row / its reference "
          "(the first row of its block, run just before it in each round)")
    if SGLOOP is None:
        print(f"WITHOUT THE C LOOP: {NO_C}. Its rows and every ratio to it are left out.", flush=True)

    for size in (MIB, 256 << 10) if "seq" in only else ():
        for qd in (1, 4):
            for write in (False, True):
                what = "write" if write else "read"
                loop = "SG_IO" if qd == 1 else "write/poll/read"
                print(f"{size >> 10} KiB sequential {what}s, QD{qd}")
                rows = [(f"C {loop} loop", lambda: c_loop([disk], size, qd, write, "indirect", "seq", seconds))]
                hows = ("write",) if write else ("view", "data", "readinto", "buffer")
                for how in hows:
                    label = {"view": "io.view (no copy)", "data": "io.data (one copy to bytes)",
                             "readinto": "io.readinto(buf) (one copy)", "buffer": "buffer= (kernel fills it)",
                             "write": "data= (fresh Io, lent)"}[how]
                    rows.append((f"sgframe {label}", lambda how=how: sgframe_seq(disk, size, qd, how, seconds)))
                rows.append(("fio --ioengine=sg", lambda: fio([disk], size, qd, what, seconds)))
                if qd == 1:
                    rows.append(("sg_dd", lambda: sg_dd(disk, size, write)))
                block(rows)

    if "modes" in only:
        print("1 MiB sequential, each io_mode beside the C loop in the same mode")
    for mode in ("indirect", "mmap", "direct") if "modes" in only else ():
        for qd in (1, 4):
            for write in (False, True):
                block([(f"{mode:8s} QD{qd} {'write' if write else 'read '}: C",
                        lambda: c_loop([disk], MIB, qd, write, mode, "seq", seconds)),
                       (f"{mode:8s} QD{qd} {'write' if write else 'read '}: sgframe",
                        lambda: sgframe_seq(disk, MIB, qd, "write" if write else "view", seconds, mode))])
    if "modes" in only:
        block([("C direct QD1 read", lambda: c_loop([disk], MIB, 1, False, "direct", "seq", seconds)),
               ("sg_dd dio=1 read", lambda: sg_dd(disk, MIB, False, dio=True))])

    if "qd16" in only:
        print("4 KiB random reads, QD16, one device")
        block([("C write/poll/read loop", lambda: c_loop([disk], 4096, 16, False, "indirect", "rand", seconds)),
           ("sgframe, one reactor", lambda: sgframe_random([disk], 16, seconds)),
           ("fio --ioengine=sg", lambda: fio([disk], 4096, 16, "randread", seconds, iops=True))], "IOPS")

    if "devices" in only:
        print("4 KiB random reads, QD4 per device: N devices (ratio to fio, one job per device)")
    base = base_cpu = None
    for n in (1, 16, 64, 256):
        if n > len(disks) or n > n_devices or "devices" not in only:
            continue
        some = disks[:n]
        print(f"  {n} device(s)")
        CPU_PER_COMMAND.clear()
        _, _, one, _ = block([
            ("fio, one job per device", lambda: fio(some, 4096, 4, "randread", seconds, iops=True)),
            ("C loop, one process", lambda: c_loop(some, 4096, 4, False, "indirect", "rand", seconds)),
            ("sgframe, one reactor", lambda: sgframe_random(some, 4, seconds)),
            (f"sgframe.pool.spread, {min(n, 4)} processes",
             lambda: sgframe_pool(some, 4, seconds, processes=min(n, 4)))], "IOPS")
        cpu = statistics.median(CPU_PER_COMMAND) if CPU_PER_COMMAND else float("nan")  # the one reactor's rounds
        base = base or one
        base_cpu = base_cpu or cpu
        print(f"  {'one reactor: wall time per command vs 1 device':46s} {base / one:12.2f}")
        print(f"  {'one reactor: CPU time per command':46s} {cpu * 1e6:12.1f} us    {cpu / base_cpu:6.2f} (vs 1 device)")

    if "rss" not in only:
        return 0
    print(f"RSS over {rss_commands:,} fresh 1 MiB reads (io.view), KiB")
    for n, kib in rss_over(disk, rss_commands):
        print(f"  after {n:>9,} commands {kib:12,} KiB")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--devices", type=int, default=256, help="scsi_debug devices (16 x 16 LUNs for 256)")
    parser.add_argument("--rss-commands", type=int, default=100000)
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run (default all: {','.join(SECTIONS)})")
    parser.add_argument("--reps", type=int, default=REPS, help="rounds per block (default 3)")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    only = tuple(args.only.split(","))
    if set(only) - set(SECTIONS):
        parser.error(f"--only takes {', '.join(SECTIONS)}")
    if args.inside:
        globals()["REPS"] = args.reps
        return inside(args.seconds, args.devices, args.rss_commands, only)
    from sgframe import testbed

    ok, reason = testbed.available()
    if not ok:
        print(f"cannot benchmark: {reason}", file=sys.stderr)
        return 2
    if not (shutil.which("gcc") or shutil.which("cc")):
        print("note: no gcc (or cc) on PATH: the C loop (bench/sgloop.c) cannot be built, so its rows and the "
              "ratios to it are left out; apt-get install gcc", file=sys.stderr)
    luns = 16 if args.devices >= 16 else args.devices
    targets = max(1, args.devices // luns)
    result = testbed.run([sys.executable, os.path.abspath(__file__), "--inside", "--seconds", str(args.seconds),
                          "--devices", str(args.devices), "--rss-commands", str(args.rss_commands),
                          "--only", args.only, "--reps", str(args.reps)],
                         scsi_debug=f"dev_size_mb={DEV_MB} num_tgts={targets} max_luns={luns} delay=0",
                         timeout=3000)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
