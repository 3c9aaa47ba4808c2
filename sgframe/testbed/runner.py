"""Boot the User-Mode Linux guest, run one command inside it, report what it did.

The guest is Debian's ``linux.uml``: a Linux kernel that runs as an ordinary host process,
with the host's filesystem as its root (hostfs).  The command's output leaves the guest
through two UML consoles wired to host pipes, and its exit status through a file: the
kernel's own exit status says nothing about it.
"""
from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Mapping, Optional, Sequence, Tuple

import attrs

from sgframe.errors import UsageError
from sgframe.testbed.plan import (
    DEFAULT_MEM,
    DEFAULT_SCSI_DEBUG,
    DEFAULT_TIMEOUT,
    LIO_SIZE_MB,
    BootPlan,
    init_script,
    kernel_cmdline,
    parse_scsi_debug,
)

__all__ = [
    "EXIT_TIMEOUT",
    "EXIT_GUEST_FAILED",
    "KERNEL",
    "MODULES",
    "UNAVAILABLE_REASON",
    "TestbedResult",
    "available",
    "run",
]

KERNEL = "/usr/bin/linux.uml"
MODULES = "/usr/lib/uml/modules"
UNAVAILABLE_REASON = "user-mode-linux is not installed: apt-get install user-mode-linux kmod"
#: Exit status when the guest was killed at the timeout (as coreutils ``timeout``).
EXIT_TIMEOUT = 124
#: Exit status when the guest ended without reporting the command's status.
EXIT_GUEST_FAILED = 125
_SBIN = ("/usr/sbin", "/sbin", "/usr/local/sbin")


@attrs.frozen
class TestbedResult:
    """What one ``run`` did; shaped like :class:`subprocess.CompletedProcess`.

    :param args: the command.
    :param returncode: the command's exit status (128+N when a signal N ended it), or
        :data:`EXIT_TIMEOUT` / :data:`EXIT_GUEST_FAILED` when the guest failed.
    :param stdout: the command's output when captured, else ``None``.
    :param stderr: likewise; the test bed's own messages are appended here when captured.
    :param console: the guest console (kernel and init messages), always kept.
    :param in_guest: ``False`` when user-mode-linux was unavailable and the command ran
        on the host with ``SGFRAME_TESTBED=unavailable``.
    :param timed_out: the guest (or host command) was killed at the timeout.
    :param seconds: wall-clock time of the whole run, the boot included.
    :param umid: the UML instance name (``None`` on the host path).
    """

    __test__ = False  # not a pytest test class, despite the name

    args: Tuple[str, ...]
    returncode: int
    stdout: Optional[bytes] = None
    stderr: Optional[bytes] = None
    console: bytes = b""
    in_guest: bool = True
    timed_out: bool = False
    seconds: float = 0.0
    umid: Optional[str] = None

    def check_returncode(self) -> None:
        """Raise :class:`subprocess.CalledProcessError` if the command failed."""
        if self.returncode:
            raise subprocess.CalledProcessError(
                self.returncode, list(self.args), self.stdout, self.stderr
            )


def _kernel() -> str:
    # An override lets tests (and unusual installs) point elsewhere.
    return os.environ.get("SGFRAME_TESTBED_KERNEL", KERNEL)


def _modprobe() -> Optional[str]:
    path = os.pathsep.join([os.environ.get("PATH", ""), *_SBIN])
    return shutil.which("modprobe", path=path)


def available() -> Tuple[bool, str]:
    """Can this machine boot the test bed?  ``(True, "")`` or ``(False, why and what to do)``."""
    if not sys.platform.startswith("linux"):
        return False, f"the test bed needs Linux (User-Mode Linux), not {sys.platform}"
    if os.environ.get("SGFRAME_TESTBED") == "1":
        return False, "already inside the test bed: a User-Mode Linux guest cannot boot another"
    kernel = _kernel()
    if not os.access(kernel, os.X_OK):
        return False, UNAVAILABLE_REASON
    modules = Path(MODULES)
    if not modules.is_dir() or not any(modules.glob("*/modules.dep")):
        return False, f"{MODULES} has no kernel modules: apt-get install --reinstall user-mode-linux"
    if _modprobe() is None:
        return False, "kmod is not installed (no modprobe): apt-get install kmod"
    return True, ""


def _check_command(command: Sequence[str]) -> Tuple[str, ...]:
    if isinstance(command, (str, bytes)) or not command:
        raise UsageError("command must be a non-empty list of strings, e.g. ['sg_inq', '/dev/sg0']")
    if not all(isinstance(word, str) for word in command):
        raise UsageError(f"command must be a list of strings, not {command!r}")
    return tuple(command)


def _command_env(env: Optional[Mapping[str, str]]) -> dict:
    result = dict(os.environ if env is None else env)
    # The caller's interpreter first: `python` in the command is the one running us, so a
    # virtualenv works unchanged even when it was not activated.
    bindir = os.path.dirname(sys.executable)
    path = result.get("PATH", os.defpath).split(os.pathsep)
    if bindir and bindir not in path[:1]:
        result["PATH"] = os.pathsep.join([bindir, *path])
    return result


class _Pump(threading.Thread):
    """Copy one pipe to a host fd (live) or into memory (captured) until end of file."""

    def __init__(self, fd: int, target: Optional[int], keep: bool) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.target = target
        self.keep = keep
        self.chunks: list = []

    def run(self) -> None:
        try:
            while True:
                data = os.read(self.fd, 65536)
                if not data:
                    break
                if self.keep:
                    self.chunks.append(data)
                if self.target is not None:
                    _write_all(self.target, data)
        except OSError:
            pass
        finally:
            os.close(self.fd)

    def data(self) -> bytes:
        return b"".join(self.chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _wait(proc: subprocess.Popen, timeout: float) -> bool:
    """Wait for ``proc``; on timeout kill its whole process group.  True if it timed out."""
    try:
        proc.wait(timeout=timeout)
        return False
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        proc.wait()
        return True
    finally:
        # UML runs each guest process as a host process of its group; none may outlive it.
        _kill_group(proc.pid)


def _run_on_host(
    args: Tuple[str, ...], env: dict, cwd: Optional[str], timeout: float, capture: bool, reason: str
) -> TestbedResult:
    env["SGFRAME_TESTBED"] = "unavailable"
    env["SGFRAME_TESTBED_REASON"] = reason
    env.pop("SGFRAME_TESTBED_MANIFEST", None)
    started = time.monotonic()
    pipe = subprocess.PIPE if capture else None
    proc = subprocess.Popen(
        args, env=env, cwd=cwd, stdout=pipe, stderr=pipe, start_new_session=True
    )
    out = err = b""
    try:
        out, err = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        out, err = proc.communicate()
        timed_out = True
    finally:
        _kill_group(proc.pid)
    code = proc.returncode
    code = 128 - code if code < 0 else code
    messages = b""
    if timed_out:
        code = EXIT_TIMEOUT
        messages = (
            f"sgframe.testbed: {args[0]} did not finish within {timeout:g} s; "
            f"killed it (process group {proc.pid})\n".encode()
        )
        _message(messages, capture)
    return TestbedResult(
        args=args,
        returncode=code,
        stdout=out if capture else None,
        stderr=(err or b"") + messages if capture else None,
        in_guest=False,
        timed_out=timed_out,
        seconds=time.monotonic() - started,
    )


def _message(text: bytes, capture: bool) -> None:
    if not capture:
        sys.stderr.flush()
        _write_all(2, text)


def run(
    command: Sequence[str],
    *,
    scsi_debug: Optional[str] = DEFAULT_SCSI_DEBUG,
    lio: int = 0,
    lab: Sequence[str] = (),
    lio_iscsi: bool = False,
    mem: str = DEFAULT_MEM,
    timeout: float = DEFAULT_TIMEOUT,
    capture: bool = False,
    cwd: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
    verbose: bool = False,
) -> TestbedResult:
    """Boot the test bed, run ``command`` inside with the caller's environment, return its result.

    Inside, ``SGFRAME_TESTBED=1`` and ``SGFRAME_TESTBED_MANIFEST`` names a JSON file that
    describes every SCSI device (see :mod:`sgframe.testbed.guest`).  Without
    user-mode-linux the command runs on the host with ``SGFRAME_TESTBED=unavailable`` and
    ``SGFRAME_TESTBED_REASON`` saying why, so integration tests skip instead of failing.

    :param command: the program and its arguments.
    :param scsi_debug: scsi_debug module parameters, or ``None`` not to load scsi_debug.
    :param lio: how many LIO fileio disks (64 MiB each) to add on the loopback fabric.
    :param lab: emu URIs to serve through TCMU (``sgframe lab serve``); the manifest lists
        their devices with kind ``"lab"`` and their ``uri``.
    :param lio_iscsi: export LIO disk0 on an iSCSI portal too (see ``plan.LIO_ISCSI``).
    :param mem: guest memory, as the kernel's ``mem=`` (``1G``, ``512M``).
    :param timeout: seconds for the whole run; then the guest's process group is killed.
    :param capture: keep stdout and stderr in the result instead of passing them through.
    :param cwd: working directory of the command (default: the current one).
    :param env: environment of the command (default: ``os.environ``).
    :param verbose: show the guest console (kernel messages) live on stderr.
    :raises UsageError: bad arguments.
    """
    args = _check_command(command)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise UsageError(f"timeout must be a positive number of seconds, not {timeout!r}")
    pairs = None if scsi_debug is None else parse_scsi_debug(scsi_debug)
    cwd = os.path.abspath(cwd if cwd is not None else os.getcwd())
    command_env = _command_env(env)
    ok, reason = available()
    if not ok:
        if os.environ.get("SGFRAME_TESTBED") == "1":
            raise UsageError(reason)
        BootPlan(workdir="/", scsi_debug=pairs, lio=lio, lab=tuple(lab), lio_iscsi=lio_iscsi, mem=mem)  # validate all the same
        return _run_on_host(args, command_env, cwd, timeout, capture, reason)

    workdir = tempfile.mkdtemp(prefix="sgframe-testbed-")
    try:
        return _boot(args, pairs, lio, tuple(lab), mem, timeout, capture, cwd, command_env, verbose, workdir, lio_iscsi)
    finally:
        if not os.environ.get("SGFRAME_TESTBED_KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)


def _prepare(plan: BootPlan, args: Tuple[str, ...], cwd: str, env: dict, capture: bool) -> None:
    # modprobe looks in <root>/lib/modules/<release>; Debian keeps UML's modules elsewhere.
    os.makedirs(os.path.join(plan.modroot, "lib"))
    os.symlink(MODULES, os.path.join(plan.modroot, "lib", "modules"))
    wrapper = f'#!/bin/sh\nexec {shlex.quote(str(_modprobe()))} -d {shlex.quote(plan.modroot)} "$@"\n'
    _write(plan.modprobe_path, wrapper, 0o755)
    for i in range(plan.lio):
        with open(plan.lio_file(i), "wb") as f:
            f.truncate(LIO_SIZE_MB * 1024 * 1024)
    config = {
        "manifest": plan.manifest_path,
        "status": plan.status_path,
        "expected": plan.expected_devices,
        "scsi_debug": None
        if plan.scsi_debug is None
        else " ".join(f"{k}={v}" for k, v in plan.scsi_debug),
        "lio_files": [plan.lio_file(i) for i in range(plan.lio)],
        "lab": list(plan.lab),
        "lab_ready": plan.lab_ready_path,
        "python": plan.python,
        # The lab server imports this sgframe, wherever the command's cwd is.
        "pythonpath": str(Path(__file__).resolve().parents[2]),
        "argv": list(args),
        "cwd": cwd,
        "env": env,
        "stdout_tty": not capture and os.isatty(1),
        "stderr_tty": not capture and os.isatty(2),
    }
    _write(plan.config_path, json.dumps(config), 0o600)
    _write(plan.init_path, init_script(plan), 0o755)


def _write(path: str, text: str, mode: int) -> None:
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def _boot(
    args: Tuple[str, ...],
    pairs: Optional[tuple],
    lio: int,
    lab: Tuple[str, ...],
    mem: str,
    timeout: float,
    capture: bool,
    cwd: str,
    env: dict,
    verbose: bool,
    workdir: str,
    lio_iscsi: bool = False,
) -> TestbedResult:
    started = time.monotonic()
    console_r, console_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    plan = BootPlan(
        workdir=workdir,
        scsi_debug=pairs,
        lio=lio,
        lab=lab,
        lio_iscsi=lio_iscsi,
        mem=mem,
        python=sys.executable,
        guest_main=str(Path(__file__).with_name("_guest_init.py")),
        stdout_fd=out_w,
        stderr_fd=err_w,
    )
    _prepare(plan, args, cwd, env, capture)
    pumps = [
        _Pump(console_r, 2 if verbose and not capture else None, keep=True),
        _Pump(out_r, None if capture else 1, keep=capture),
        _Pump(err_r, None if capture else 2, keep=capture),
    ]
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        proc = subprocess.Popen(
            [_kernel(), *kernel_cmdline(plan)],
            stdin=subprocess.DEVNULL,
            stdout=console_w,
            stderr=console_w,
            pass_fds=(out_w, err_w),
            cwd=workdir,
            start_new_session=True,
        )
    except BaseException:
        for fd in (console_r, out_r, err_r):
            os.close(fd)
        raise
    finally:
        for fd in (console_w, out_w, err_w):
            os.close(fd)
    for pump in pumps:
        pump.start()
    try:
        timed_out = _wait(proc, timeout)
    except BaseException:
        _kill_group(proc.pid)
        raise
    for pump in pumps:
        pump.join(timeout=10)
    console = pumps[0].data()
    status = _read_status(plan.status_path)
    message = ""
    if timed_out:
        code = EXIT_TIMEOUT
        message = (
            f"sgframe.testbed: the guest did not finish within {timeout:g} s; "
            f"killed it (process group {proc.pid})"
        )
    elif status is None:
        code = EXIT_GUEST_FAILED
        message = (
            f"sgframe.testbed: the guest ended (linux.uml status {proc.returncode}) "
            "without reporting the command's exit status"
        )
    elif status.startswith("exit "):
        code = int(status.split()[1])
    else:
        code = EXIT_GUEST_FAILED
        message = f"sgframe.testbed: guest setup failed: {status.partition(' ')[2]}"
    extra = b""
    if message:
        extra = message.encode() + b"\n"
        if not verbose and console:
            extra += b"--- guest console ---\n" + console
            if not console.endswith(b"\n"):
                extra += b"\n"
            extra += b"--- end of guest console ---\n"
        _message(extra, capture)
    return TestbedResult(
        args=args,
        returncode=code,
        stdout=pumps[1].data() if capture else None,
        stderr=pumps[2].data() + extra if capture else None,
        console=console,
        in_guest=True,
        timed_out=timed_out,
        seconds=time.monotonic() - started,
        umid=plan.umid,
    )


def _read_status(path: str) -> Optional[str]:
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return None
    if text.startswith("exit "):
        try:
            int(text.split()[1])
        except (IndexError, ValueError):
            return None
    return text or None
