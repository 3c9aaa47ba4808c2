"""The test bed's host side: plans, init script, argument parsing, the run paths."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sgframe.errors import UsageError
from sgframe.testbed import cli, plan, runner
from sgframe.testbed.plan import BootPlan, init_script, kernel_cmdline, parse_scsi_debug

REPO = Path(__file__).resolve().parents[1]
UML_OK, UML_REASON = runner.available()
needs_uml = pytest.mark.skipif(not UML_OK, reason=UML_REASON)


# --- scsi_debug parameters ---------------------------------------------------------------

def test_parse_scsi_debug_default():
    assert parse_scsi_debug(plan.DEFAULT_SCSI_DEBUG) == (
        ("dev_size_mb", "32"), ("num_tgts", "2"), ("max_luns", "2"), ("delay", "0")
    )
    assert parse_scsi_debug("") == ()
    assert parse_scsi_debug("  opts=0x10\tinq_vendor=SEAGATE ") == (
        ("opts", "0x10"), ("inq_vendor", "SEAGATE")
    )


@pytest.mark.parametrize(
    "bad",
    ["delay", "=1", "Delay=1", "delay=1;reboot", "delay=$(x)", "a=b c=d a=e", "x='1'"],
)
def test_parse_scsi_debug_rejects(bad):
    with pytest.raises(UsageError):
        parse_scsi_debug(bad)


def test_parse_scsi_debug_names_the_duplicate():
    with pytest.raises(UsageError, match="'delay' is given twice"):
        parse_scsi_debug("delay=0 delay=1")


def test_parse_scsi_debug_rejects_non_string():
    with pytest.raises(UsageError, match="must be a string, not list"):
        parse_scsi_debug(["delay=0"])


@pytest.mark.parametrize(
    "params, count",
    [
        (plan.DEFAULT_SCSI_DEBUG, 4),
        ("", 1),
        ("add_host=2 num_tgts=3 max_luns=2", 12),
        ("num_tgts=2 max_luns=2 no_lun_0=1", 2),
        ("add_host=0", 0),
        ("max_luns=0x3", 3),
    ],
)
def test_expected_scsi_debug_devices(params, count):
    assert plan.expected_scsi_debug_devices(parse_scsi_debug(params)) == count


def test_expected_scsi_debug_devices_needs_integers():
    with pytest.raises(UsageError, match=r"num_tgts='two' must be an integer"):
        plan.expected_scsi_debug_devices(parse_scsi_debug("num_tgts=two"))


# --- the boot plan -----------------------------------------------------------------------

def _plan(**kw):
    defaults = dict(
        workdir="/tmp/sgframe-testbed-x",
        scsi_debug=parse_scsi_debug(plan.DEFAULT_SCSI_DEBUG),
        python="/venv/bin/python",
        guest_main="/src/sgframe/testbed/_guest_init.py",
        umid="sgframe-test",
        stdout_fd=5,
        stderr_fd=6,
    )
    defaults.update(kw)
    return BootPlan(**defaults)


@pytest.mark.parametrize("lio", [-1, 33, True, 1.0])
def test_plan_rejects_bad_lio(lio):
    with pytest.raises(UsageError, match="lio must be an integer from 0 to 32"):
        _plan(lio=lio)


@pytest.mark.parametrize("mem", ["1X", "", "0G", "1 G", 1024])
def test_plan_rejects_bad_mem(mem):
    with pytest.raises(UsageError, match="mem must look like"):
        _plan(mem=mem)


def test_plan_counts_expected_devices():
    assert _plan(lio=2).expected_devices == 6
    assert _plan(scsi_debug=None, lio=3).expected_devices == 3


def test_umid_is_unique_per_plan():
    a = BootPlan(workdir="/w", scsi_debug=None)
    b = BootPlan(workdir="/w", scsi_debug=None)
    assert a.umid != b.umid
    assert a.umid.startswith("sgframe-")


def test_kernel_cmdline():
    assert kernel_cmdline(_plan(mem="512M")) == [
        "mem=512M",
        "rootfstype=hostfs",
        "rootflags=/",
        "rw",
        "init=/tmp/sgframe-testbed-x/init.sh",
        "con=null",
        "ssl=null",
        "con0=fd:0,fd:1",
        "con1=null,fd:5",
        "con2=null,fd:6",
        "umid=sgframe-test",
        "uml_dir=/tmp/sgframe-testbed-x/uml",
        "quiet",
        "scsi_mod.scan=sync",
    ]


def _lines(script):
    return script.splitlines()


def test_init_script_order_and_content():
    lines = _lines(init_script(_plan()))
    assert lines[0] == "#!/bin/sh"
    mp = "modprobe -d /tmp/sgframe-testbed-x/modroot"
    expected_in_order = [
        "mount -t proc proc /proc || fail 'cannot mount /proc'",
        "mount -t sysfs sysfs /sys || fail 'cannot mount /sys'",
        "echo /tmp/sgframe-testbed-x/modprobe > /proc/sys/kernel/modprobe",
        f"{mp} sg || fail 'modprobe sg failed'",
        f"{mp} sd_mod || fail 'modprobe sd_mod failed'",
        f"{mp} scsi_debug dev_size_mb=32 num_tgts=2 max_luns=2 delay=0"
        " || fail 'modprobe scsi_debug failed'",
        "/venv/bin/python -I /src/sgframe/testbed/_guest_init.py "
        "/tmp/sgframe-testbed-x/guest.json",
        "sync",
        "poweroff -f",
    ]
    positions = [lines.index(line) for line in expected_in_order]
    assert positions == sorted(positions)
    assert lines[-1] == "poweroff -f"
    assert not any("configfs" in line or "tcm_loop" in line for line in lines)


def test_init_script_without_scsi_debug():
    assert not any("scsi_debug" in line for line in _lines(init_script(_plan(scsi_debug=None))))


def test_init_script_lio():
    script = init_script(_plan(lio=2))
    lines = _lines(script)
    assert "mount -t configfs configfs /sys/kernel/config || fail 'cannot mount configfs'" in lines
    size = 64 * 1024 * 1024
    for i in range(2):
        assert (
            f"echo fd_dev_name=/tmp/sgframe-testbed-x/lio-disk{i}.img,fd_dev_size={size}"
            f" > $C/core/fileio_0/disk{i}/control" in lines
        )
        assert (
            f"ln -s $C/core/fileio_0/disk{i} $C/loopback/naa.5001405000000001/tpgt_1/lun/lun_{i}"
            f"/virtual_file || fail 'LIO: cannot map disk{i} as LUN {i}'" in lines
        )
    nexus = lines.index(
        "echo naa.5001405000000002 > $C/loopback/naa.5001405000000001/tpgt_1/nexus"
        " || fail 'LIO: cannot create the nexus'"
    )
    first_lun = next(i for i, line in enumerate(lines) if "lun/lun_0" in line)
    assert nexus < first_lun  # tcm_loop refuses a LUN before the nexus
    assert not any("lun_2" in line for line in lines)


def test_init_script_quotes_paths(tmp_path):
    odd = _plan(workdir="/tmp/with space/x", python="/v env/python", lio=1)
    script = init_script(odd)
    assert "modprobe -d '/tmp/with space/x/modroot' sg" in script
    assert "'/v env/python' -I" in script
    path = tmp_path / "init.sh"
    path.write_text(script)
    assert subprocess.run(["sh", "-n", str(path)]).returncode == 0


def test_init_script_is_valid_shell(tmp_path):
    path = tmp_path / "init.sh"
    path.write_text(init_script(_plan(lio=3)))
    checked = subprocess.run(["sh", "-n", str(path)], capture_output=True, text=True)
    assert (checked.returncode, checked.stderr) == (0, "")


# --- the command line --------------------------------------------------------------------

def test_parse_args_run():
    ns = cli.parse_args(["run", "--lio", "2", "--timeout", "30", "--", "sh", "-c", "exit 7"])
    assert (ns.action, ns.lio, ns.timeout, ns.command) == ("run", 2, 30.0, ["sh", "-c", "exit 7"])
    assert ns.scsi_debug == plan.DEFAULT_SCSI_DEBUG
    assert ns.mem == "1G"
    assert ns.verbose is False


def test_parse_args_options_after_the_separator_belong_to_the_command():
    ns = cli.parse_args(["run", "--scsi-debug", "delay=1", "--", "ls", "--lio", "--", "x"])
    assert ns.command == ["ls", "--lio", "--", "x"]
    assert ns.scsi_debug == "delay=1"
    assert ns.lio == 0


def test_parse_args_no_scsi_debug_and_no_separator():
    ns = cli.parse_args(["run", "--no-scsi-debug", "-v", "true"])
    assert (ns.scsi_debug, ns.verbose, ns.command) == (None, True, ["true"])


@pytest.mark.parametrize("argv", [["run"], ["run", "--"], ["run", "--lio", "x", "--", "true"], []])
def test_parse_args_errors(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.parse_args(argv)
    assert exc.value.code == 2


# --- running without user-mode-linux -----------------------------------------------------

@pytest.fixture
def no_uml(monkeypatch):
    monkeypatch.setenv("SGFRAME_TESTBED_KERNEL", "/nonexistent/linux.uml")
    monkeypatch.delenv("SGFRAME_TESTBED", raising=False)


def test_available_says_how_to_install(no_uml):
    assert runner.available() == (
        False, "user-mode-linux is not installed: apt-get install user-mode-linux kmod"
    )


def test_unavailable_runs_on_the_host(no_uml, tmp_path):
    result = runner.run(
        ["sh", "-c", 'printf "%s|%s|%s" "$SGFRAME_TESTBED" "$SGFRAME_TESTBED_REASON" "$PWD";'
         " echo oops >&2; exit 3"],
        capture=True,
        cwd=str(tmp_path),
    )
    assert result.stdout == (
        b"unavailable|user-mode-linux is not installed: apt-get install user-mode-linux kmod|"
        + str(tmp_path).encode()
    )
    assert result.stderr == b"oops\n"
    assert (result.returncode, result.in_guest, result.timed_out, result.umid) == (
        3, False, False, None
    )
    with pytest.raises(subprocess.CalledProcessError):
        result.check_returncode()


def test_unavailable_cli_exit_status_and_note(no_uml):
    done = subprocess.run(
        [sys.executable, "-m", "sgframe.testbed", "run", "--lio", "2", "--", "sh", "-c", "exit 7"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 7
    assert done.stderr == (
        "sgframe.testbed: user-mode-linux is not installed: apt-get install user-mode-linux "
        "kmod; running the command on the host with SGFRAME_TESTBED=unavailable\n"
    )


def test_unavailable_still_validates_arguments(no_uml):
    with pytest.raises(UsageError, match="lio must be an integer"):
        runner.run(["true"], lio=-1)
    with pytest.raises(UsageError, match="bad scsi_debug parameter"):
        runner.run(["true"], scsi_debug="delay")


@pytest.mark.parametrize("command", [[], "true", [b"true"], ["true", 1]])
def test_run_rejects_bad_commands(command):
    with pytest.raises(UsageError, match="command must be"):
        runner.run(command)


@pytest.mark.parametrize("timeout", [0, -1, True, "10"])
def test_run_rejects_bad_timeouts(timeout):
    with pytest.raises(UsageError, match="timeout must be a positive number"):
        runner.run(["true"], timeout=timeout)


def test_run_refuses_to_nest(monkeypatch):
    monkeypatch.setenv("SGFRAME_TESTBED", "1")
    with pytest.raises(UsageError, match="already inside the test bed"):
        runner.run(["true"])


def _gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def test_unavailable_timeout_kills_the_process_group(no_uml):
    started = time.monotonic()
    result = runner.run(
        ["sh", "-c", "sleep 1000 & echo $!; wait"], timeout=1, capture=True
    )
    assert time.monotonic() - started < 30
    assert (result.returncode, result.timed_out) == (124, True)
    assert result.stderr.startswith(b"sgframe.testbed: sh did not finish within 1 s; killed it")
    assert _gone(int(result.stdout))


# --- real boots (need user-mode-linux) ---------------------------------------------------

def _uml_processes(umid: str) -> list:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/cmdline", "rb") as f:
                    if f"umid={umid}".encode() in f.read():
                        found.append(int(name))
            except OSError:
                pass
    return [pid for pid in found if not _gone(pid, 0.0)]


@needs_uml
def test_boot_exit_status_propagates():
    done = subprocess.run(
        [sys.executable, "-m", "sgframe.testbed", "run", "--", "sh", "-c", "exit 7"],
        cwd=REPO, capture_output=True, timeout=300,
    )
    assert (done.returncode, done.stdout, done.stderr) == (7, b"", b"")


@needs_uml
def test_boot_separates_streams_and_passes_env_and_cwd(tmp_path):
    env = dict(os.environ, SGFRAME_PROBE="probe value")
    result = runner.run(
        ["sh", "-c", 'echo "$SGFRAME_PROBE"; pwd; echo "$SGFRAME_TESTBED"; ls /dev/sg3;'
         ' echo err >&2; exit 3'],
        capture=True, cwd=str(tmp_path), env=env, timeout=300,
    )
    assert result.stdout == f"probe value\n{tmp_path}\n1\n/dev/sg3\n".encode()
    assert result.stderr == b"err\n"
    assert (result.returncode, result.in_guest, result.timed_out) == (3, True, False)
    assert result.umid.startswith("sgframe-")
    assert _uml_processes(result.umid) == []


@needs_uml
def test_boot_missing_command_is_127():
    result = runner.run(["/nonexistent/program"], capture=True, timeout=300)
    assert result.returncode == 127
    assert result.stderr == (
        b"sgframe.testbed guest: cannot run '/nonexistent/program': No such file or directory\n"
    )


@needs_uml
def test_boot_setup_failure_is_reported():
    # The kernel rejects a non-numeric dev_size_mb, so modprobe scsi_debug fails.
    result = runner.run(["true"], scsi_debug="dev_size_mb=abc", capture=True, timeout=300)
    assert result.returncode == runner.EXIT_GUEST_FAILED
    assert result.stderr.startswith(
        b"sgframe.testbed: guest setup failed: modprobe scsi_debug failed\n"
    )


@needs_uml
def test_boot_timeout_kills_the_guest():
    started = time.monotonic()
    result = runner.run(["sleep", "1000"], timeout=15, capture=True)
    assert time.monotonic() - started < 60
    assert (result.returncode, result.timed_out, result.in_guest) == (124, True, True)
    assert result.stderr.startswith(
        b"sgframe.testbed: the guest did not finish within 15 s; killed it (process group "
    )
    assert _uml_processes(result.umid) == []
