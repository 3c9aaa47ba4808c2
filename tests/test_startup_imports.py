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
    "sgframe.host_status": "the host and driver byte enumerations: at the first failure that carries one",
    "sgframe.command.identity": "INQUIRY: only the command named is imported",
    "sgframe.command.reports": "REPORT LUNS and the other reports",
    "sgframe.emu.logs": "the emulator's log pages: at the first log or self-test command",
    "sgframe.emu.faults": "the emulator's injected failures: at the first inject()",
    "mmap": "large data buffers (64 KiB and more): at the first one",
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


def test_the_host_and_driver_enumerations_are_there_when_named_or_needed():
    # sgframe.status forwards the names it used to define; a failure with a host byte
    # carries the enumeration member, as before they moved to sgframe.host_status.
    script = (
        "import sys\n"
        "from sgframe.status import HostStatus, DriverStatus, host_status_text\n"
        "print(HostStatus.DID_NO_CONNECT == 1, DriverStatus.DRIVER_SENSE == 8, host_status_text(3))\n"
        "from sgframe.errors import HostError\n"
        "print(repr(HostError(status=0, host_status=3).host_status))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [
        "True True DID_TIME_OUT (the command timed out)", "<HostStatus.DID_TIME_OUT: 3>"]


def test_import_sgframe_alone_imports_almost_nothing():
    # A library user's `import sgframe` pays for the lazy namespace only: no typing (about
    # 3 ms), no attrs, no command, no plugin manager until a name is used.
    script = "import sys; import sgframe; print(sorted(m for m in ('typing', 'attr', 'pluggy', 'sgframe.cdb', 'sgframe.plugins', 'argparse') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
