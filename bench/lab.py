"""4 KiB random reads through the kernel: a served emulated disk beside scsi_debug and LIO.

    python bench/lab.py [--seconds 3]

Boots the test bed once with three disks: scsi_debug (``delay=0``), a LIO fileio disk
(tcm_loop) and ``emu:disk`` served through TCMU by ``sgframe lab serve`` (also on tcm_loop).
On each it runs fio's sg engine (``--ioengine=sg --rw=randread --bs=4k``) at QD1, QD16 and
QD32, and prints IOPS and the lab's ratio to the other two.  Where the time goes: the lab
server's CPU seconds per command (from /proc/PID/stat across the QD1 run) beside the
emulator's own ``respond()`` cost in a bare loop.

fio's sg engine keeps its commands on one sg fd, which holds 16 at most: QD32 fails with
EDOM (errno 33) on every sg device, and the table says so.  Figures are relative: only ratios within
one boot mean anything.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

SCSI_DEBUG = "dev_size_mb=64 num_tgts=1 max_luns=1 delay=0"
LAB = "emu:disk?blocks=131072"
DEPTHS = (1, 16, 32)


def fio(path: str, depth: int, seconds: float):
    """IOPS, or the error fio reported."""
    args = ["fio", "--output-format=json", "--name=bench", f"--filename={path}", "--ioengine=sg",
            "--rw=randread", "--bs=4k", f"--iodepth={depth}", f"--runtime={seconds}", "--time_based",
            "--randrepeat=0", "--size=64m"]
    proc = subprocess.run(args, capture_output=True, text=True)
    try:
        job = json.loads(proc.stdout[proc.stdout.index("{"):])["jobs"][0]
    except ValueError:
        return f"fio failed: {proc.stderr.strip()[:60]}"
    if job["error"]:
        return f"errno {job['error']}"
    return job["read"]["iops"]


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def respond_cost(seconds: float) -> float:
    from sgframe.emu import create

    disk = create(LAB)
    rng = random.Random(1)
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(100):
            lba = rng.randrange(131072 - 8)
            disk.respond(bytes((0x28, 0)) + lba.to_bytes(4, "big") + bytes((0, 0, 8, 0)), b"", 4096)
        done += 100
    return (time.perf_counter() - start) / done


def _fmt(value) -> str:
    return f"{value:10,.0f}" if isinstance(value, float) else f"{value:>10s}"


def _ratio(a, b) -> str:
    return f"{a / b:6.2f}" if isinstance(a, float) and isinstance(b, float) else f"{'-':>6s}"


def inside(seconds: float) -> int:
    from sgframe.lab.configfs import owners
    from sgframe.testbed import guest

    disks = {kind: guest.devices(kind)[0].sg for kind in ("scsi_debug", "lio", "lab")}
    (server,) = owners()
    print(f"{'4 KiB random read, fio --ioengine=sg':36s} {'scsi_debug':>10s} {'LIO fileio':>10s} "
          f"{'lab (TCMU)':>10s} {'lab/sdebug':>10s} {'lab/LIO':>7s}")
    cost = None
    for depth in DEPTHS:
        results = {}
        for kind, path in disks.items():
            if kind == "lab" and depth == 1:
                before, started = cpu_seconds(server), time.monotonic()
                results[kind] = fio(path, depth, seconds)
                if isinstance(results[kind], float):
                    commands = results[kind] * (time.monotonic() - started)
                    cost = (cpu_seconds(server) - before) / commands
            else:
                results[kind] = fio(path, depth, seconds)
        print(f"{'QD' + str(depth):36s} {_fmt(results['scsi_debug'])} {_fmt(results['lio'])} {_fmt(results['lab'])} "
              f"{_ratio(results['lab'], results['scsi_debug']):>10s} {_ratio(results['lab'], results['lio']):>7s}")
    bare = respond_cost(seconds)
    if cost is not None:
        print(f"lab server CPU per command at QD1: {cost * 1e6:.0f} us "
              f"(the emulator's respond() alone: {bare * 1e6:.0f} us; the rest is the ring, uio and the reactor)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        return inside(args.seconds)
    from sgframe import testbed

    ok, reason = testbed.available()
    if not ok:
        print(f"cannot benchmark: {reason}", file=sys.stderr)
        return 2
    result = testbed.run([sys.executable, os.path.abspath(__file__), "--inside", "--seconds", str(args.seconds)],
                         scsi_debug=SCSI_DEBUG, lio=1, lab=(LAB,), timeout=900)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
