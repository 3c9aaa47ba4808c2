"""Second stage of the guest's init: wait for the devices, write the manifest, run the command.

The generated ``init.sh`` runs this file by path with ``python -I``, so it uses the standard
library only and imports nothing from sgframe.  :func:`scan_devices` is also imported by
:mod:`sgframe.testbed.guest`, which describes devices added later the same way.
"""
from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import termios
import time

SYS_SG = "/sys/class/scsi_generic"
#: ``proc_name`` of the SCSI host -> the manifest's ``kind``.
KINDS = {"scsi_debug": "scsi_debug", "tcm_loopback": "lio"}


def _read(path: str) -> str:
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def _only_entry(path: str):
    try:
        names = sorted(os.listdir(path))
    except OSError:
        return None
    return names[0] if names else None


def describe(sg_name: str) -> dict:
    """One manifest record for ``/sys/class/scsi_generic/<sg_name>``."""
    device = os.path.join(SYS_SG, sg_name, "device")
    hctl = os.path.basename(os.path.realpath(device))
    host = hctl.split(":")[0]
    proc_name = _read(f"/sys/class/scsi_host/host{host}/proc_name")
    block = _only_entry(os.path.join(device, "block"))
    bsg = _only_entry(os.path.join(device, "bsg"))
    numbers = [int(part) for part in hctl.split(":")]
    return {
        "hctl": hctl,
        "host": numbers[0],
        "channel": numbers[1],
        "target": numbers[2],
        "lun": numbers[3],
        "sg": f"/dev/{sg_name}",
        "block": f"/dev/{block}" if block else None,
        "bsg": f"/dev/bsg/{bsg}" if bsg else None,
        "vendor": _read(os.path.join(device, "vendor")),
        "product": _read(os.path.join(device, "model")),
        "revision": _read(os.path.join(device, "rev")),
        "peripheral_device_type": int(_read(os.path.join(device, "type")) or -1),
        "kind": KINDS.get(proc_name, proc_name or "unknown"),
    }


def sg_names() -> list:
    try:
        names = os.listdir(SYS_SG)
    except OSError:
        return []
    return sorted(names, key=lambda n: int(n[2:]) if n[2:].isdigit() else 1 << 30)


def scan_devices() -> list:
    """Every SCSI device with an sg node, in sg number order."""
    return [describe(name) for name in sg_names()]


def wait_for_devices(expected: int, timeout: float) -> list:
    """Wait until ``expected`` sg devices exist in sysfs with their /dev nodes.

    No udev runs in the guest: devtmpfs creates /dev/sgN, /dev/sdX and /dev/bsg/H:C:T:L
    itself when the device is registered, so the nodes follow sysfs closely.
    """
    deadline = time.monotonic() + timeout
    while True:
        names = sg_names()
        ready = len(names) >= expected and all(os.path.exists(f"/dev/{n}") for n in names)
        if ready or time.monotonic() > deadline:
            if not ready:
                print(
                    f"sgframe.testbed guest: expected {expected} sg devices, found "
                    f"{len(names)} after {timeout:.0f} s; continuing",
                    file=sys.stderr,
                    flush=True,
                )
            return scan_devices()
        time.sleep(0.05)


def _raw_tty(path: str) -> int:
    fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
    mode = termios.tcgetattr(fd)
    # Without this the line discipline turns every "\n" into "\r\n" on the way out.
    mode[1] &= ~termios.OPOST
    termios.tcsetattr(fd, termios.TCSANOW, mode)
    return fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _relay(proc: subprocess.Popen, pipes: dict) -> None:
    """Copy the command's pipes to the consoles until both close.

    A background child of the command can keep a pipe open after the command exits; stop
    reading one second after the command's exit once nothing more arrives.
    """
    sel = selectors.DefaultSelector()
    for src, dst in pipes.items():
        sel.register(src, selectors.EVENT_READ, dst)
    quiet_since = None
    while sel.get_map():
        events = sel.select(timeout=0.2)
        for key, _ in events:
            data = os.read(key.fd, 65536)
            if data:
                _write_all(key.data, data)
            else:
                sel.unregister(key.fd)
                os.close(key.fd)
        if proc.poll() is not None:
            if events:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > 1.0:
                break
    for key in list(sel.get_map().values()):
        os.close(key.fd)
    sel.close()


def run_command(config: dict) -> int:
    out_tty = _raw_tty("/dev/tty1")
    err_tty = _raw_tty("/dev/tty2")
    env = dict(config["env"])
    env.pop("SGFRAME_TESTBED_REASON", None)
    env["SGFRAME_TESTBED"] = "1"
    env["SGFRAME_TESTBED_MANIFEST"] = config["manifest"]
    # The command sees a terminal exactly when the caller's stream is one; otherwise a pipe
    # that this process copies to the console, so pytest and friends behave as on the host.
    pipes = {}
    streams = []
    for tty, is_tty in ((out_tty, config["stdout_tty"]), (err_tty, config["stderr_tty"])):
        if is_tty:
            streams.append(tty)
        else:
            r, w = os.pipe()
            pipes[r] = tty
            streams.append(w)
    try:
        proc = subprocess.Popen(
            config["argv"],
            stdin=subprocess.DEVNULL,
            stdout=streams[0],
            stderr=streams[1],
            cwd=config["cwd"],
            env=env,
        )
    except OSError as exc:
        _write_all(err_tty, f"sgframe.testbed guest: cannot run {config['argv'][0]!r}: "
                   f"{exc.strerror}\n".encode())
        status = 127 if isinstance(exc, FileNotFoundError) else 126
    else:
        for fd in streams:
            if fd not in (out_tty, err_tty):
                os.close(fd)
        _relay(proc, pipes)
        code = proc.wait()
        status = 128 - code if code < 0 else code
    for tty in (out_tty, err_tty):
        # Output still queued in the console driver would be lost at poweroff.
        termios.tcdrain(tty)
        os.close(tty)
    return status


def _write_file(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)
        f.flush()
        # hostfs keeps writes in the guest's page cache; fsync sends them to the host now.
        os.fsync(f.fileno())


def start_lab(config: dict):
    """Start ``sgframe lab serve`` for the boot's --lab URIs; wait until it says ready.

    Returns (the server process, its devices), or (None, []) when it failed: the command
    still runs, and finds no lab devices in the manifest.
    """
    env = dict(config["env"])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (config["pythonpath"], env.get("PYTHONPATH")) if p)
    argv = [config["python"], "-m", "sgframe.cli", "lab", "--ready", config["lab_ready"], "serve", *config["lab"]]
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, env=env, cwd=config["cwd"])
    except OSError as exc:
        print(f"sgframe.testbed guest: cannot start the lab server: {exc}", file=sys.stderr, flush=True)
        return None, []
    deadline = time.monotonic() + config.get("device_wait", 30.0) * 4
    while not os.path.exists(config["lab_ready"]):
        if proc.poll() is not None or time.monotonic() > deadline:
            print(f"sgframe.testbed guest: the lab server failed (status {proc.poll()}); no lab devices",
                  file=sys.stderr, flush=True)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            return None, []
        time.sleep(0.05)
    with open(config["lab_ready"]) as f:
        return proc, json.load(f)["devices"]


def stop_lab(proc) -> None:
    """SIGTERM: the server removes its LUNs and backstores before it exits."""
    if proc is None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main(argv: list) -> int:
    with open(argv[1]) as f:
        config = json.load(f)
    lab_proc, lab_devices = (None, [])
    if config.get("lab"):
        lab_proc, lab_devices = start_lab(config)
    devices = wait_for_devices(config["expected"] + len(lab_devices), config.get("device_wait", 30.0))
    by_hctl = {d["hctl"]: d for d in lab_devices}
    for device in devices:
        served = by_hctl.get(device["hctl"])
        if served is not None:
            device["kind"] = "lab"
            device["uri"] = served["uri"]
    sg_version = _read("/proc/scsi/sg/version").split()
    manifest = {
        "format": 1,
        "kernel": os.uname().release,
        "sg_version": int(sg_version[0]) if sg_version else None,
        "scsi_debug": config["scsi_debug"],
        "lio_files": config["lio_files"],
        "devices": devices,
    }
    _write_file(config["manifest"], json.dumps(manifest, indent=2) + "\n")
    status = run_command(config)
    stop_lab(lab_proc)
    _write_file(config["status"], f"exit {status}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
