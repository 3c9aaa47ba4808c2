"""Every long option of the sg3_utils tools issue 14 names is a long option of its sgframe
subcommand, but for the few listed here with the reason. Read from the installed tools'
--help (sg3_utils 1.46 on Debian 12); skipped where the tool is not installed."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from sgframe.cli import main

PAIRS = {
    "sg_persist": "persist", "sg_rtpg": "rtpg", "sg_stpg": "stpg", "sg_get_lba_status": "lba-status",
    "sg_rep_zones": "zones", "sg_zone": "zones", "sg_start": "start", "sg_sync": "sync", "sg_format": "format",
    "sg_sanitize": "sanitize", "sg_unmap": "unmap", "sg_write_same": "write-same", "sg_wr_mode": "wr-mode",
    "sg_read_buffer": "read-buffer", "sg_write_buffer": "write-buffer", "sg_ses": "ses",
    "sg_sat_identify": "sat-identify", "sg_vpd": "inq", "sg_dd": "dd",
}

#: Options still missing, and why. A gap that closes, or a new one, fails the test.
MISSING: dict = {}

_COMMON = {"help", "verbose", "version"}


def _disabled(plugin: str) -> bool:
    from sgframe.plugins import manager

    return any(info.name == plugin and info.state == "disabled" for info in manager())


def _long_options(text: str) -> set:
    return set(re.findall(r"--([a-z0-9][a-z0-9_-]*)", text))


@pytest.mark.parametrize("tool, subcommand", sorted(PAIRS.items()))
def test_long_options_match_the_sg3_utils_tool(capsys, monkeypatch, tool, subcommand):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    if subcommand == "sat-identify" and _disabled("sat"):
        pytest.skip("sat-identify is the sat plugin's, disabled here (SGFRAME_DISABLE_PLUGINS, tox -e noplugins)")
    done = subprocess.run([tool, "--help"], capture_output=True, text=True)
    theirs = _long_options(done.stdout + done.stderr)
    if tool == "sg_ses":  # sg_ses lists its other options with -hh
        theirs |= _long_options(subprocess.run([tool, "-hh"], capture_output=True, text=True).stderr)
    monkeypatch.setenv("COLUMNS", "200")
    assert main([subcommand, "--help"]) == 0
    ours = _long_options(capsys.readouterr().out)
    assert theirs - ours - _COMMON == MISSING.get(tool, set())
