"""What ``sgframe tur emu:disk`` imports: only what a ready TEST UNIT READY needs (issue 11's
start-up). Each name below was once imported by every start and cost a measurable share
of it (bench/startup.py); this holds them out."""
from __future__ import annotations

import ast
import subprocess
import sys

#: Modules a start must not import, and what imports them when they are needed.
NOT_AT_START = {
    "sgframe.command.rw": "the READ/WRITE classes: only the command named is imported",
    "sgframe.command.pages": "the MODE/LOG SENSE classes",
    "sgframe.decode.mode_pages": "the emulator's mode pages: built at the first MODE SENSE",
    "sgframe.sense.descriptors": "sense decoding and building: at the first CHECK CONDITION",
    "sgframe.emu.copy_manager": "the emulator's copy manager: at the first copy command",
    "sgframe.emu.sbc": "the emulator's READ/WRITE handlers: at the first command they answer",
    "sgframe.linux.sg": "ctypes and sg's header: only for an sg device",
    "sgframe_sat.commands": "a plugin's commands: at their first lookup",
    "hashlib": "the emulator's NAA names: at the first device identification page",
    "logging": "the reactor's and Io's failure reports: at the first failure",
    "shutil": "argparse's terminal width: given by the command line itself",
    "json": "--json output only",
}

# The probe prints a Python literal: importing json itself would hide the json check.
_PROBE = """
import sys
from sgframe.cli import main
code = main(["tur", "emu:disk"])
print(repr({"code": code, "modules": sorted(sys.modules)}))
"""


def test_tur_on_the_emulated_disk_imports_nothing_it_does_not_need():
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True)
    report = ast.literal_eval(done.stdout.splitlines()[-1])
    assert report["code"] == 0, done.stderr
    loaded = set(report["modules"])
    assert {"sgframe.command.spc", "sgframe.emu.spc"} <= loaded  # it did run TEST UNIT READY
    assert {name: why for name, why in NOT_AT_START.items() if name in loaded} == {}
