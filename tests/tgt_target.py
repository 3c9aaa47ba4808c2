"""tgt's tgtd as an ordinary process for tests: 127.0.0.1, a free port, its own IPC
socket, file-backed LUNs in a temporary directory (shared by the iSCSI test modules)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

TGTD = shutil.which("tgtd") or "/usr/sbin/tgtd"
TGTADM = shutil.which("tgtadm") or "/usr/sbin/tgtadm"
HAVE_TGT = os.access(TGTD, os.X_OK) and os.access(TGTADM, os.X_OK)

DISK = "iqn.2026-12.test:disk1"
CHAP = "iqn.2026-12.test:chap"
SIZE = 64 << 20
USER, SECRET = "alice", "alice-secret-1"
TUSER, TSECRET = "tgtuser", "target-secret-2"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


class Tgt:
    """One tgtd: started in ``start``, configured with tgtadm, stopped by pid."""

    def __init__(self, directory, portal_options=""):
        self.dir = directory
        self.port = free_port()
        self.env = dict(os.environ, TGT_IPC_SOCKET=str(directory / "ipc"))
        self.log = open(directory / "tgtd.log", "wb")
        self.proc = subprocess.Popen([TGTD, "-f", "-C", "1", "--iscsi", "portal=127.0.0.1:%d%s" % (self.port, portal_options)],
                                     env=self.env, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 15
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("tgtd exited: %s" % (directory / "tgtd.log").read_text())
            ready = subprocess.run([TGTADM, "-C", "1", "--mode", "sys", "--op", "show"], env=self.env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
            if ready:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    break
                except OSError:
                    pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("tgtd did not come up on port %d" % self.port)
            time.sleep(0.05)

    def adm(self, *args: str) -> str:
        done = subprocess.run([TGTADM, "-C", "1", "--lld", "iscsi", *args], env=self.env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def add_target(self, tid: int, name: str) -> str:
        image = self.dir / ("lun%d.img" % tid)
        with open(image, "wb") as f:
            f.truncate(SIZE)
        self.adm("--mode", "target", "--op", "new", "--tid", str(tid), "--targetname", name)
        self.adm("--mode", "logicalunit", "--op", "new", "--tid", str(tid), "--lun", "1",
                 "--backing-store", str(image))
        self.adm("--mode", "target", "--op", "bind", "--tid", str(tid), "--initiator-address", "ALL")
        return str(image)

    def url(self, target: str = DISK, query: str = "", userinfo: str = "") -> str:
        return "iscsi://%s127.0.0.1:%d/%s/1%s" % (userinfo, self.port, target, query)

    def stop(self) -> None:
        if self.proc.poll() is None:
            # tgtd keeps running on SIGTERM while it has targets (measured: > 5 s); it
            # holds nothing but files in its tmp directory, so it is killed outright.
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


