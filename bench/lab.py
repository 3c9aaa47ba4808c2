"""4 KiB random reads through the kernel: a served emulated disk beside scsi_debug and LIO.

    python bench/lab.py [--seconds 3] [--out bench/results/lab-DATE.txt]

Boots the test bed once with three disks: scsi_debug (``delay=0``), a LIO fileio disk
(tcm_loop) and ``emu:disk`` served through TCMU by ``sgframe lab serve`` (also on tcm_loop).
On each it runs the same fio jobs with the sg engine (``--ioengine=sg --rw=randread
--bs=4k``), and prints IOPS and the lab's ratio to the other two.  Where the time goes: the
lab server's CPU seconds per command (from /proc/PID/stat across each lab run) beside the
emulator's own ``respond()`` cost in a bare loop.

Queue depth 32 with the sg engine.  The Linux sg driver holds at most 16 commands per open
file descriptor (SG_MAX_QUEUE in drivers/scsi/sg.c: a 17th write() fails with EDOM), and
fio's sg engine keeps one job's commands on one descriptor, so ``--iodepth=32`` fails with
errno 33 on every sg device.  On the /dev/sdX block node the sg engine does not queue at all
(it issues the SG_IO ioctl, which waits for each command).  The honest 32 in flight is two
jobs of iodepth 16 on the same /dev/sgN (``--numjobs=2 --iodepth=16 --group_reporting``):
each job opens its own descriptor, and both queue on one SCSI device.  The same job runs on
all three disks; the first row shows plain ``--iodepth=32`` failing.  Figures are relative:
only ratios within one boot mean anything.
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
#: (label, fio iodepth, fio numjobs): the same jobs on every disk.
JOBS = (
    ("QD1", 1, 1),
    ("QD16 (1 job x iodepth 16)", 16, 1),
    ("QD32 (iodepth 32: sg holds 16 per fd)", 32, 1),
    ("QD32 (2 jobs x iodepth 16, one sg node)", 16, 2),
)


def fio(path: str, depth: int, seconds: float, jobs: int = 1):
    """Total IOPS of all jobs, or the error fio reported."""
    args = ["fio", "--output-format=json", "--name=bench", f"--filename={path}", "--ioengine=sg",
            "--rw=randread", "--bs=4k", f"--iodepth={depth}", f"--runtime={seconds}", "--time_based",
            "--randrepeat=0", "--size=64m", f"--numjobs={jobs}", "--group_reporting"]
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
    print(f"fio --ioengine=sg --rw=randread --bs=4k, {seconds:g} s per cell; disks: "
          + ", ".join(f"{kind} {path}" for kind, path in disks.items()))
    print(f"{'4 KiB random read IOPS':42s} {'scsi_debug':>10s} {'LIO fileio':>10s} "
          f"{'lab (TCMU)':>10s} {'lab/sdebug':>10s} {'lab/LIO':>7s} {'lab CPU/cmd':>11s}")
    for label, depth, jobs in JOBS:
        results = {}
        cost = None
        for kind, path in disks.items():
            if kind == "lab":
                before, started = cpu_seconds(server), time.monotonic()
                results[kind] = fio(path, depth, seconds, jobs)
                if isinstance(results[kind], float):
                    commands = results[kind] * (time.monotonic() - started)
                    cost = (cpu_seconds(server) - before) / commands
            else:
                results[kind] = fio(path, depth, seconds, jobs)
        per_command = f"{cost * 1e6:8.0f} us" if cost is not None else f"{'-':>11s}"
        print(f"{label:42s} {_fmt(results['scsi_debug'])} {_fmt(results['lio'])} {_fmt(results['lab'])} "
              f"{_ratio(results['lab'], results['scsi_debug']):>10s} {_ratio(results['lab'], results['lio']):>7s} "
              f"{per_command}")
    bare = respond_cost(seconds)
    print(f"the emulator's respond() alone (READ(10) of 8 blocks, in process): {bare * 1e6:.0f} us per command; "
          "the rest of the lab's CPU per command is the ring, uio, epoll and the reactor")
    print("iodepth 32 fails (errno 33, EDOM): the sg driver holds 16 commands per file descriptor "
          "(SG_MAX_QUEUE); 2 jobs x 16 is 32 in flight on one device through two descriptors")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--out", help="also write the table to this file (bench/results/)")
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
                         scsi_debug=SCSI_DEBUG, lio=1, lab=(LAB,), timeout=900, capture=bool(args.out))
    if args.out:
        out = (result.stdout or b"").decode(errors="replace")
        sys.stdout.write(out)
        sys.stderr.write((result.stderr or b"").decode(errors="replace"))
        with open(args.out, "w") as f:
            f.write(f"# python bench/lab.py --seconds {args.seconds:g} (test bed, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n")
            f.write(out)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
