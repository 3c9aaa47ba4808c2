"""How fast sgframe builds, encodes and decodes a READ(16) CDB, beside struct, bitstring
and the peers (pyscsi, infi.asi) building the same CDB.

Run: ``python bench/encode.py [--peer-python PATH] [--quick]``

Each figure is the best (minimum time) of several timeit repeats, as ops per second, and
its ratio to ``struct.pack`` packing the same 16 bytes in the same run: the ratios carry
from one machine (or one load) to another, the figures do not.

The peers are measured in this interpreter when importable, else with ``--peer-python``
(or ``$SGFRAME_PEER_PYTHON``), an interpreter of a throwaway venv made with
``python -m venv /tmp/peers && /tmp/peers/bin/pip install pyscsi infi.asi``; otherwise
they are skipped with a message.
"""
from __future__ import annotations

import argparse
import os
import struct
import subprocess
import sys
import timeit
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bitstring  # noqa: E402

from sgframe.cdb import constructor  # noqa: E402
from sgframe.command import Read16, decode_cdb  # noqa: E402

#: The targets of issue 11 for CPython 3.11 on the 2-core development machine, in pure
#: Python: calling the class, the generated constructor called as a function (as
#: channel.cmd and execute_many build commands in bulk), and bytes() of a built command.
TARGETS = {"construct+encode": 400_000, "bulk constructor": 500_000, "encode (existing instance)": 2_000_000}

FIELDS = dict(lba=1024, transfer_length=27, rdprotect=2, dpo=True, fua=True, rarc=True, group_number=19)
EXPECTED = bytes.fromhex("885c00000000000004000000001b1300")

BITSTRING_FORMAT = (
    "uint8=opcode, uint3=rdprotect, bool=dpo, bool=fua, bool=rarc, uint2=0, uint64=lba, "
    "uint32=transfer_length, uint2=0, uint6=group_number, uint8=control"
)

# The peers' code, run in whichever interpreter has them. Each snippet defines build()
# returning the CDB bytes, so the output can be checked against EXPECTED.
PEERS = {
    "pyscsi": """
from pyscsi.pyscsi.scsi_cdb_read16 import Read16
from pyscsi.pyscsi.scsi_enum_command import sbc
op = sbc.READ_16
def build():
    return bytes(Read16(op, 512, 1024, 27, rdprotect=2, dpo=1, fua=1, rarc=1, group=19).cdb)
""",
    # infi.asi 0.4.23 patches inspect.getargspec at import, which Python 3.11 removed;
    # aliasing it lets the package import so it can be measured. It has no RARC bit, so
    # its CDB differs from the others in byte 1 (58h, not 5Ch).
    "infi.asi": """
import inspect
if not hasattr(inspect, "getargspec"):
    inspect.getargspec = inspect.getfullargspec
from infi.asi.cdb.read import Read16Command
def build():
    cdb = Read16Command(logical_block_address=1024, transfer_length=27)
    cdb.dpo = 1; cdb.fua = 1; cdb.group_number = 19; cdb.reserved = 2
    return cdb.create_datagram()
""",
}

PEER_RUNNER = """
import sys, timeit
{code}
raw = build()
timer = timeit.Timer(build)
number, _ = timer.autorange()
number = max(1, int(number * {scale}))
best = min(timer.repeat(repeat={repeat}, number=number))
print(raw.hex(), number / best)
"""


def rate(func: Callable[[], object], repeat: int, scale: float) -> float:
    """Operations per second: the best of ``repeat`` runs of an auto-ranged loop."""
    timer = timeit.Timer(func)
    number, _ = timer.autorange()  # at least 0.2 s per run
    number = max(1, int(number * scale))
    return number / min(timer.repeat(repeat=repeat, number=number))


def construct_and_encode() -> bytes:
    return bytes(Read16(lba=1024, transfer_length=27, rdprotect=2, dpo=True, fua=True, rarc=True, group_number=19))


def measure_peer(name: str, code: str, python: Optional[str], repeat: int, scale: float) -> Tuple[Optional[str], Optional[float], str]:
    """(cdb hex, ops/s, note) for one peer, in-process or through ``python``."""
    namespace: Dict[str, object] = {}
    try:
        exec(code, namespace)
    except ImportError:
        pass
    else:
        build = namespace["build"]
        return build().hex(), rate(build, repeat, scale), "in-process"  # type: ignore[operator]
    if python is None:
        return None, None, f"not installed: pip install {name} in a venv and pass --peer-python"
    script = PEER_RUNNER.format(code=code, repeat=repeat, scale=scale)
    done = subprocess.run([python, "-c", script], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return None, None, f"failed under {python}: {last}"
    cdb_hex, per_second = done.stdout.split()
    return cdb_hex, float(per_second), f"via {python}"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-python", default=os.environ.get("SGFRAME_PEER_PYTHON"),
                        help="interpreter that has pyscsi and infi.asi installed")
    parser.add_argument("--repeat", type=int, default=5, help="timeit repeats (the minimum is kept)")
    parser.add_argument("--quick", action="store_true", help="shorter loops, for a smoke test")
    args = parser.parse_args(argv)
    scale = 0.1 if args.quick else 1.0

    cmd = Read16(**FIELDS)
    raw = bytes(cmd)
    build = constructor(Read16)
    assert raw == EXPECTED and cmd.encode() == raw and cmd.to_bitstring() == raw, raw.hex()
    assert Read16.from_bytes(raw) == cmd and build(**FIELDS) == cmd and build is not Read16

    pack = struct.Struct(">BBQIBB").pack
    assert pack(0x88, 0x5C, 1024, 27, 19, 0) == raw
    bits_values = dict(FIELDS, opcode=0x88, control=0)
    assert bitstring.pack(BITSTRING_FORMAT, **bits_values).tobytes() == raw

    rows: List[Tuple[str, Optional[float], str]] = []

    def row(label: str, func: Callable[[], object], note: str = "") -> None:
        rows.append((label, rate(func, args.repeat, scale), note))

    row("construct+encode", construct_and_encode, "bytes(Read16(...)): calling the class")
    row("bulk constructor", lambda: build(**FIELDS), "build(**fields), build = sgframe.cdb.constructor(Read16)")
    row("encode (existing instance)", lambda: bytes(cmd), "bytes(cmd): packed at construction")
    row("compiled encode()", cmd.encode, "cmd.encode(): struct.pack from the attributes")
    row("decode", lambda: Read16.from_bytes(raw), "Read16.from_bytes(raw)")
    row("decode_cdb", lambda: decode_cdb(raw), "registry lookup + from_bytes")
    row("struct.pack", lambda: pack(0x88, 0x5C, 1024, 27, 19, 0), "the same 16 bytes, precomputed byte 1")
    row("bitstring.pack", lambda: bitstring.pack(BITSTRING_FORMAT, **bits_values), "the reference codec's way")
    for name, code in PEERS.items():
        cdb_hex, per_second, note = measure_peer(name, code, args.peer_python, args.repeat, scale)
        if cdb_hex is not None and cdb_hex != raw.hex():
            note += f"; its CDB is {cdb_hex}"
        rows.append((f"{name} construct+encode", per_second, note))

    reference = next(per_second for label, per_second, _ in rows if label == "struct.pack")
    assert reference is not None

    def ratio(per_second: Optional[float]) -> str:
        """The rate as a multiple of struct.pack's: 0.100 is a tenth as fast."""
        return f"{per_second / reference:.3f}" if per_second else ""

    print(f"READ(16) {raw.hex()}  (CPython {sys.version.split()[0]}, best of {args.repeat})")
    print(f"  {'':<28}{'ops/s':>14}  {'/struct.pack':>12}  how")
    for label, per_second, note in rows:
        figure = f"{per_second:>12,.0f}/s" if per_second is not None else f"{'skipped':>14}"
        print(f"  {label:<28}{figure}  {ratio(per_second):>12}  {note}")
    failed = False
    for label, target in TARGETS.items():
        got = next(per_second for name, per_second, _ in rows if name == label)
        verdict = "PASS" if got is not None and got >= target else "FAIL"
        failed |= verdict == "FAIL"
        shown = f"{got:,.0f}/s ({ratio(got)} of struct.pack)" if got is not None else "not measured"
        print(f"{verdict}: {label} {shown}, target >= {target:,}/s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
