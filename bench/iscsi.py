"""iSCSI reads: sgframe's initiator beside libiscsi's ``iscsi-perf``, on one tgt LUN.

    python bench/iscsi.py [--seconds 5] [--repeat 3] [--instructions] [--profile]

Starts tgtd as an ordinary process on 127.0.0.1 with one LUN backed by a file in tmpfs
(/dev/shm), then runs, in the same run and against the same LUN:

* 4 KiB random reads and 1 MiB sequential reads,
* at queue depth 1 and 32,

first with ``iscsi-perf`` (libiscsi, C) and then with sgframe (a Channel over a
Reactor: every completion's done callback sends the next read), and prints IOPS side
by side with the ratio, plus a synchronous QD1 row (``channel.execute`` in a loop).
Each pair runs ``--repeat`` times, interleaved (theirs, ours, theirs, ours ...), and the
table shows the medians: on a shared machine one run of either can be off by a third.

It also prints what each command costs in CPU: sgframe's process time per command
(Python, system calls included) and iscsi-perf's (its rusage), so that the ratio can
be read against what the target itself costs. ``--instructions`` adds the instructions
our process executes per command, counted by callgrind: repeatable where times are not.
``--profile`` adds a cProfile of 4 KiB reads at QD1
and QD32, by own time per command: where the Python goes.

Figures are relative: tgtd, iscsi-perf and Python share the machine's cores, so only
ratios within one run mean anything.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from typing import Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

BLOCK = 512
LUN_BYTES = 256 << 20
TARGET = "iqn.2026-12.bench:ram"
INSTR_COMMANDS = 2000
WORKLOADS = (("4 KiB random read", 8, True), ("1 MiB sequential read", 2048, False))


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def iscsi_perf(url: str, depth: int, blocks: int, random_: bool, seconds: float) -> Tuple[float, float]:
    """(IOPS, CPU seconds per command) of ``iscsi-perf`` for one workload."""
    args = ["iscsi-perf", "-i", "iqn.2026-12.bench:libiscsi", "-m", str(depth), "-b", str(blocks),
            "-t", str(max(1, round(seconds)))]
    if random_:
        args.append("-r")
    before = _cpu(resource.RUSAGE_CHILDREN)
    out = subprocess.run(args + [url], capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    cpu = _cpu(resource.RUSAGE_CHILDREN) - before
    # Its last line: "iops average N (M MB/s)", over the whole run.
    found = re.findall(r"iops average (\d+)", out)
    if not found:
        raise RuntimeError("iscsi-perf printed no average:\n" + out)
    iops = float(found[-1])
    return iops, cpu / max(1.0, iops * round(seconds))


def sgframe_async(url: str, depth: int, blocks: int, random_: bool, seconds: float,
                  count: Optional[int] = None) -> Tuple[float, float]:
    """(IOPS, CPU seconds per command): ``depth`` reads in flight on a Channel; each
    completion sends the next one, through the reactor. With ``count``: exactly that many
    completions, whatever the time."""
    from sgframe import Channel, Reactor
    from sgframe.command import Read16

    with Reactor() as reactor, Channel.open(url, reactor=reactor, queue_depth=depth, block_size=BLOCK) as channel:
        last = LUN_BYTES // BLOCK - blocks
        rng = random.Random(1)
        state = {"done": 0, "next": 0, "running": True}

        def lba() -> int:
            if random_:
                return rng.randrange(last)
            state["next"] = (state["next"] + blocks) % last
            return state["next"]

        def again(io) -> None:
            state["done"] += 1
            if io.exception is not None:
                raise io.exception
            if count is not None and state["done"] + depth > count:
                state["running"] = False  # the ones in flight make it exactly count
            if state["running"]:
                channel.execute(Read16(lba=lba(), transfer_length=blocks), async_=True, io=io)
                io.add_done_callback(again)

        for _ in range(depth):
            channel.execute(Read16(lba=lba(), transfer_length=blocks), async_=True).add_done_callback(again)
        cpu = _cpu(resource.RUSAGE_SELF)
        start = time.perf_counter()
        end = start + seconds
        while state["done"] < count if count is not None else time.perf_counter() < end:
            reactor.run_once(0.1)
        elapsed = time.perf_counter() - start
        cpu = _cpu(resource.RUSAGE_SELF) - cpu
        counted = state["done"]
        state["running"] = False
        channel.wait(timeout=30)
    return counted / elapsed, cpu / max(1, counted)


def sgframe_sync(url: str, blocks: int, random_: bool, seconds: float) -> Tuple[float, float]:
    """QD1 with ``channel.execute`` (synchronous: the transport drives the socket itself)."""
    from sgframe import Channel, Reactor
    from sgframe.command import Read16

    with Reactor() as reactor, Channel.open(url, reactor=reactor, queue_depth=1, block_size=BLOCK) as channel:
        last = LUN_BYTES // BLOCK - blocks
        rng = random.Random(2)
        io = channel.execute(Read16(lba=0, transfer_length=blocks))
        done, position = 0, 0
        cpu = _cpu(resource.RUSAGE_SELF)
        start = time.perf_counter()
        end = start + seconds
        while time.perf_counter() < end:
            for _ in range(20):
                position = rng.randrange(last) if random_ else (position + blocks) % last
                channel.execute(Read16(lba=position, transfer_length=blocks), io=io)
            done += 20
        elapsed = time.perf_counter() - start
        cpu = _cpu(resource.RUSAGE_SELF) - cpu
    return done / elapsed, cpu / done


def instructions(url: str, depth: int, blocks: int) -> float:
    """User-space instructions (valgrind's callgrind, Ir) sgframe's process spends per
    command: two runs of different lengths, the difference divided by the difference in
    commands, so start-up and login cancel out. Unlike time, repeatable on a busy machine
    (system calls are not counted: only the Python and C of our process)."""
    counts = []
    base = INSTR_COMMANDS if blocks <= 64 else INSTR_COMMANDS // 10  # 1 MiB copies are slow under valgrind
    for commands in (base, 3 * base):
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
             "--run-commands", str(commands), "--depth", str(depth), "--blocks", str(blocks), url],
            capture_output=True, text=True, timeout=1800)
        found = re.findall(r"Collected : (\d+)", done.stderr)
        if done.returncode or not found:
            raise RuntimeError("callgrind run failed:\n" + done.stderr[-2000:])
        counts.append(int(found[-1]))
    return (counts[1] - counts[0]) / (2 * base)


def _median(runs: list) -> Tuple[float, float]:
    """(median IOPS, CPU per command of that same run)."""
    ordered = sorted(runs)
    return ordered[len(ordered) // 2]


class Target:
    """tgtd with one LUN on a tmpfs file."""

    def __init__(self) -> None:
        from tgt_target import Tgt

        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="sgframe-bench-", dir="/dev/shm"))
        self.tgt = Tgt(self.dir)
        image = self.dir / "ram.img"
        with open(image, "wb") as f:
            f.truncate(LUN_BYTES)
        self.tgt.adm("--mode", "target", "--op", "new", "--tid", "1", "--targetname", TARGET)
        self.tgt.adm("--mode", "logicalunit", "--op", "new", "--tid", "1", "--lun", "1", "--backing-store", str(image))
        self.tgt.adm("--mode", "target", "--op", "bind", "--tid", "1", "--initiator-address", "ALL")
        # Fill the image, so that reads copy real pages rather than tmpfs holes.
        with open(image, "r+b") as f:
            chunk = os.urandom(1 << 20)
            for _ in range(LUN_BYTES >> 20):
                f.write(chunk)
        self.url = "iscsi://127.0.0.1:%d/%s/1" % (self.tgt.port, TARGET)

    def close(self) -> None:
        self.tgt.stop()
        for path in self.dir.iterdir():
            path.unlink()
        self.dir.rmdir()


def profile(url: str, commands: int = 20000) -> None:
    """cProfile of ``commands`` 4 KiB random reads at QD1 and at QD32: own time per
    command by function, the heaviest first (the profiler slows every Python call, so
    read the split, not the sum)."""
    import cProfile
    import pstats

    for depth in (1, 32):
        sgframe_async(url, depth, 8, True, 0, count=200)  # imports and login out of the way
        profiler = cProfile.Profile()
        profiler.enable()
        sgframe_async(url, depth, 8, True, 0, count=commands)
        profiler.disable()
        rows = []
        for (path, line, name), (_, calls, own, _, _) in pstats.Stats(profiler).stats.items():
            where = name if path == "~" else "%s:%d %s" % (os.path.relpath(path, os.path.dirname(HERE))
                                                          if path.startswith(os.path.dirname(HERE)) else
                                                          os.path.basename(path), line, name)
            rows.append((own / commands * 1e6, calls / commands, where))
        rows.sort(reverse=True)
        print(f"\ncProfile, 4 KiB random reads at QD{depth}, {commands} commands: own time per command "
              f"(us, profiled), calls per command")
        for own, calls, where in rows[:16]:
            print(f"{own:8.2f} {calls:6.2f}  {where}")
        print(f"{sum(r[0] for r in rows):8.2f} {sum(r[1] for r in rows):6.1f}  all")


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each pair; the table shows medians")
    parser.add_argument("--profile", action="store_true", help="cProfile 4 KiB reads at QD1 and QD32")
    parser.add_argument("--instructions", action="store_true",
                        help="also count instructions per command under callgrind (repeatable)")
    parser.add_argument("--run-commands", type=int, help=argparse.SUPPRESS)  # one callgrind child
    parser.add_argument("--depth", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--blocks", type=int, default=8, help=argparse.SUPPRESS)
    parser.add_argument("url", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_commands:
        sgframe_async(args.url, args.depth, args.blocks, True, 0, count=args.run_commands)
        return 0
    from tgt_target import HAVE_TGT

    if not HAVE_TGT or subprocess.run(["which", "iscsi-perf"], capture_output=True).returncode:
        print("cannot benchmark: needs tgt (tgtd, tgtadm) and libiscsi-bin (iscsi-perf)", file=sys.stderr)
        return 2
    target = Target()
    rows = []
    try:
        for name, blocks, random_ in WORKLOADS:
            for depth in (1, 32):
                runs: dict = {"theirs": [], "ours": [], "sync": []}
                for _ in range(args.repeat):
                    runs["theirs"].append(iscsi_perf(target.url, depth, blocks, random_, args.seconds))
                    runs["ours"].append(sgframe_async(target.url, depth, blocks, random_, args.seconds))
                    if depth == 1:
                        runs["sync"].append(sgframe_sync(target.url, blocks, random_, args.seconds))
                theirs, their_cpu = _median(runs["theirs"])
                ours, our_cpu = _median(runs["ours"])
                rows.append((f"{name}, QD{depth}", theirs, ours, their_cpu, our_cpu))
                if depth == 1:
                    sync, sync_cpu = _median(runs["sync"])
                    rows.append((f"{name}, QD1 synchronous", theirs, sync, their_cpu, sync_cpu))
        print(f"tgtd on 127.0.0.1, one {LUN_BYTES >> 20} MiB LUN in tmpfs; {args.seconds:g} s per run, "
              f"medians of {args.repeat}")
        print(f"{'workload':36s} {'iscsi-perf':>10s} {'sgframe':>9s} {'ratio':>6s} {'MB/s ours':>9s}"
              f" {'us CPU/cmd: libiscsi':>21s} {'sgframe':>8s}")
        for (name, theirs, ours, their_cpu, our_cpu), (_, blocks, _) in zip(
                rows, [w for w in WORKLOADS for _ in range(3)]):
            print(f"{name:36s} {theirs:10,.0f} {ours:9,.0f} {ours / theirs:6.2f} {ours * blocks * BLOCK / 1e6:9.1f}"
                  f" {their_cpu * 1e6:21.1f} {our_cpu * 1e6:8.1f}")
        qd1 = [ours / theirs for name, theirs, ours, _, _ in rows if name.endswith("QD1")]
        qd32 = [ours / theirs for name, theirs, ours, _, _ in rows if name.endswith("QD32")]
        print(f"min ratio vs iscsi-perf: QD1 {min(qd1):.2f}, QD32 {min(qd32):.2f}")
        if args.instructions:
            print(f"\nsgframe's user-space instructions per command (callgrind Ir; "
                  f"{INSTR_COMMANDS} vs {3 * INSTR_COMMANDS} commands, a tenth of that for 1 MiB):")
            for name, blocks, _ in WORKLOADS:
                for depth in (1, 32):
                    print(f"{name + ', QD' + str(depth):36s} {instructions(target.url, depth, blocks):12,.0f}")
        if args.profile:
            profile(target.url)
    finally:
        target.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
