"""How fast the command line starts, beside importing the libraries it stands on.

Prints, from one run, the median wall time over N process starts of
``sgframe tur emu:disk`` and of ``python -c "import attrs, pluggy"``, and their ratio
(issue 11's target: at most 1.5). The machine is shared: only the ratio means much.

    python bench/startup.py [--runs 10] [--importtime]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time


def _median_seconds(argv: list[str], runs: int) -> float:
    # As a user's install runs: with compiled bytecode. This workplace (and tox) set
    # PYTHONDONTWRITEBYTECODE, which would recompile every module at every start; one
    # warm-up run writes the caches, the timed runs use them.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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
    tur = _median_seconds([sys.executable, "-m", "sgframe.cli", "tur", "emu:disk"], args.runs)
    base = _median_seconds([sys.executable, "-c", "import attrs, pluggy"], args.runs)
    bare = _median_seconds([sys.executable, "-c", "pass"], args.runs)
    print(f"{'what':<40} {'median s':>9} {'ratio':>7}")
    print(f"{'python -c pass':<40} {bare:9.3f} {bare / base:7.2f}")
    label = 'python -c "import attrs, pluggy"'
    print(f"{label:<40} {base:9.3f} {1.0:7.2f}")
    print(f"{'sgframe tur emu:disk':<40} {tur:9.3f} {tur / base:7.2f}   (target <= 1.50)")
    if args.importtime:
        print("\npython -X importtime -m sgframe.cli tur emu:disk, top ten by cumulative microseconds:")
        for micros, name in _importtime_top():
            print(f"  {micros:>8}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
