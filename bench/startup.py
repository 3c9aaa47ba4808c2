"""How fast the command line starts, beside importing the libraries it stands on.

Prints, from one run, the median wall time over N process starts (taking turns) of
``sgframe tur emu:disk`` and of ``python -c "import attrs, pluggy"``, and their ratio
(issue 11's target: at most 1.5). The machine is shared: only the ratio means much, and
on a loaded machine the CPU time (user + system) of the same starts, printed beside, moves
less than the wall time does.

``sgframe`` is the console script installed beside this interpreter (what a user runs);
without one, ``python -m sgframe.cli`` (which also pays for importing runpy).

    python bench/startup.py [--runs 10] [--importtime]
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time


def _medians(commands: list[list[str]], runs: int) -> list[tuple[float, float]]:
    """Median wall and CPU (user + system) seconds of ``runs`` starts of each command.

    The commands take turns, one start each per round: on a shared machine the load
    drifts, and taking turns lets the drift fall on every command alike.
    """
    # As a user's install runs: with compiled bytecode. This workplace (and tox) set
    # PYTHONDONTWRITEBYTECODE, which would recompile every module at every start; one
    # warm-up run of each writes the caches, the timed runs use them.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for argv in commands:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    walls: list[list[float]] = [[] for _ in commands]
    cpus: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for index, argv in enumerate(commands):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
            walls[index].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[index].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return [(statistics.median(w), statistics.median(c)) for w, c in zip(walls, cpus)]


def _sgframe_argv() -> list[str]:
    script = os.path.join(os.path.dirname(sys.executable), "sgframe")
    if os.path.exists(script):
        return [sys.executable, script]
    return [sys.executable, "-m", "sgframe.cli"]


def _importtime_top(n: int = 10) -> list[tuple[int, str]]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "sgframe.cli", "tur", "emu:disk"],
                          capture_output=True, text=True, check=True, env=env)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = (part.strip() for part in line[len("import time:"):].split("|"))
        rows.append((int(cumulative), name))
    return sorted(rows, reverse=True)[:n]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--importtime", action="store_true", help="also print the top ten imports of that start")
    args = parser.parse_args()
    sgframe = _sgframe_argv()
    tur, base, bare = _medians([[*sgframe, "tur", "emu:disk"], [sys.executable, "-c", "import attrs, pluggy"],
                                [sys.executable, "-c", "pass"]], args.runs)
    print(f"{'what':<40} {'wall s':>8} {'ratio':>7} {'cpu s':>8} {'ratio':>7}")
    label = 'python -c "import attrs, pluggy"'
    tur_label = "sgframe tur emu:disk" if sgframe[1] != "-m" else "python -m sgframe.cli tur emu:disk"
    for name, (wall, cpu) in (("python -c pass", bare), (label, base), (tur_label, tur)):
        print(f"{name:<40} {wall:8.3f} {wall / base[0]:7.2f} {cpu:8.3f} {cpu / base[1]:7.2f}")
    print("(target: sgframe tur emu:disk at most 1.50 times import attrs, pluggy)")
    if args.importtime:
        print("\npython -X importtime -m sgframe.cli tur emu:disk, top ten by cumulative microseconds:")
        for micros, name in _importtime_top():
            print(f"  {micros:>8}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
