"""What one boot of the test bed does, as data: parameters, the kernel command line, init.

Everything here is pure (no processes, no files), so the host-side tests can check the
generated init script and command line without booting anything.
"""
from __future__ import annotations

import re
import shlex
import uuid
from typing import Optional, Sequence, Tuple

import attrs

from sgframe.errors import UsageError

__all__ = [
    "DEFAULT_SCSI_DEBUG",
    "DEFAULT_MEM",
    "DEFAULT_TIMEOUT",
    "LIO_ISCSI",
    "LIO_SIZE_MB",
    "BootPlan",
    "parse_scsi_debug",
    "expected_scsi_debug_devices",
    "kernel_cmdline",
    "init_script",
    "lio_wwn",
]

#: Four scsi_debug disks: 2 targets x 2 LUNs.  ``delay=0`` completes commands at once; the
#: default of one jiffy caps a device near 100 IOPS in the guest.
DEFAULT_SCSI_DEBUG = "dev_size_mb=32 num_tgts=2 max_luns=2 delay=0"
#: 1 GiB is proven; the guest touches far less of it, so several can run at once.
DEFAULT_MEM = "1G"
#: Seconds for the whole boot, the command included.
DEFAULT_TIMEOUT = 900.0
#: How ``--lio-iscsi`` exports LIO disk0 over iSCSI inside the guest: the target name, the
#: portal on the guest's loopback, the one initiator its ACL admits, and the CHAP secrets
#: (one-way: the initiator's; mutual: the target's). Header and data digests are required.
LIO_ISCSI = {
    "target": "iqn.2026-12.org.sgframe:lio",
    "portal": "127.0.0.1:3260",
    "initiator": "iqn.2026-12.org.sgframe:guest",
    "user": "sgframe",
    "password": "sgframe-secret1",
    "target_user": "lio",
    "target_password": "lio-target-secret2",
}

#: Size of each LIO fileio backing file (sparse on the host).
LIO_SIZE_MB = 64

_PARAM_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM_VALUE = re.compile(r"^[A-Za-z0-9_.,:+-]*$")
_MEM = re.compile(r"^[1-9][0-9]*[KMG]?$")
_MAX_LIO = 32


def parse_scsi_debug(params: str) -> Tuple[Tuple[str, str], ...]:
    """Split scsi_debug module parameters ``"name=value name=value"`` into pairs.

    :param params: the parameters as given to ``modprobe scsi_debug``.
    :raises UsageError: a word is not ``name=value`` with a plain name and value; the values
        end up in a shell script run as PID 1, so nothing that needs quoting is accepted.
    """
    if not isinstance(params, str):
        raise UsageError(f"scsi_debug parameters must be a string, not {type(params).__name__}")
    pairs = []
    seen = set()
    for word in params.split():
        name, sep, value = word.partition("=")
        if not sep or not _PARAM_NAME.match(name) or not _PARAM_VALUE.match(value):
            raise UsageError(
                f"bad scsi_debug parameter {word!r}: expected name=value, the name in "
                "lower case letters, digits and '_', the value in letters, digits and '_.,:+-'"
            )
        if name in seen:
            raise UsageError(f"scsi_debug parameter {name!r} is given twice")
        seen.add(name)
        pairs.append((name, value))
    return tuple(pairs)


def _int_param(pairs: Sequence[Tuple[str, str]], name: str, default: int) -> int:
    for key, value in pairs:
        if key == name:
            try:
                return int(value, 0)
            except ValueError:
                raise UsageError(
                    f"scsi_debug parameter {name}={value!r} must be an integer"
                ) from None
    return default


def expected_scsi_debug_devices(pairs: Sequence[Tuple[str, str]]) -> int:
    """How many SCSI devices scsi_debug creates with these parameters.

    One per LUN: ``add_host`` hosts x ``num_tgts`` targets x ``max_luns`` LUNs, less LUN 0
    on each target when ``no_lun_0=1`` (module defaults: 1, 1, 1, 0).
    """
    hosts = _int_param(pairs, "add_host", 1)
    targets = _int_param(pairs, "num_tgts", 1)
    luns = _int_param(pairs, "max_luns", 1)
    if _int_param(pairs, "no_lun_0", 0):
        luns -= 1
    return max(hosts, 0) * max(targets, 0) * max(luns, 0)


def lio_wwn(index: int) -> str:
    """The NAA WWN of the loopback target (index 0) or of its initiator nexus (index 1)."""
    return f"naa.50014050000000{index + 1:02x}"


@attrs.frozen
class BootPlan:
    """One boot: which targets, how much memory, where the per-boot files live.

    :param workdir: a directory private to this boot on the host; the guest sees the host's
        filesystem, so the same path works on both sides.
    :param scsi_debug: scsi_debug parameters as pairs, or ``None`` not to load it.
    :param lio: how many LIO fileio disks to put behind one loopback target.
    :param lab: emu URIs served through TCMU by ``sgframe lab serve`` (its own loopback
        target); the guest's second stage starts the server and waits for its devices.
    :param lio_iscsi: also export disk0 on an iSCSI portal (:data:`LIO_ISCSI`), with CHAP
        both ways and digests required.
    :param python: the interpreter that runs the guest's second stage (the caller's).
    :param guest_main: path of ``_guest_init.py``, run by path so it needs no sys.path.
    """

    workdir: str
    scsi_debug: Optional[Tuple[Tuple[str, str], ...]]
    lio: int = 0
    lab: Tuple[str, ...] = ()
    lio_iscsi: bool = False
    mem: str = DEFAULT_MEM
    python: str = "python3"
    guest_main: str = ""
    umid: str = attrs.field(factory=lambda: f"sgframe-{uuid.uuid4().hex[:12]}")
    stdout_fd: int = 3
    stderr_fd: int = 4

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.lio, int) or isinstance(self.lio, bool) or not (
            0 <= self.lio <= _MAX_LIO
        ):
            raise UsageError(f"lio must be an integer from 0 to {_MAX_LIO}, not {self.lio!r}")
        if not all(isinstance(uri, str) and uri.startswith("emu:") for uri in self.lab):
            raise UsageError(f"lab devices are emu: URIs (emu:disk, emu:enclosure?slots=12), not {list(self.lab)!r}")
        if self.lio_iscsi and not self.lio:
            raise UsageError("lio_iscsi exports LIO disk0 over iSCSI: it needs lio >= 1")
        if not isinstance(self.mem, str) or not _MEM.match(self.mem):
            raise UsageError(f"mem must look like 1G, 512M or 1048576K, not {self.mem!r}")

    def path(self, name: str) -> str:
        return f"{self.workdir}/{name}"

    @property
    def init_path(self) -> str:
        return self.path("init.sh")

    @property
    def status_path(self) -> str:
        return self.path("status")

    @property
    def manifest_path(self) -> str:
        return self.path("manifest.json")

    @property
    def config_path(self) -> str:
        return self.path("guest.json")

    @property
    def modroot(self) -> str:
        return self.path("modroot")

    @property
    def modprobe_path(self) -> str:
        return self.path("modprobe")

    def lio_file(self, index: int) -> str:
        return self.path(f"lio-disk{index}.img")

    @property
    def lab_ready_path(self) -> str:
        return self.path("lab-ready.json")

    @property
    def expected_devices(self) -> int:
        # The lab's devices are not counted: the lab server waits for its own.
        count = self.lio
        if self.scsi_debug is not None:
            count += expected_scsi_debug_devices(self.scsi_debug)
        return count


def kernel_cmdline(plan: BootPlan) -> list:
    """The arguments of ``linux.uml`` for this boot.

    Console 0 (the kernel's messages and init's own) goes to the kernel process's stdout;
    consoles 1 and 2 carry the command's stdout and stderr to two host fds, output only.
    Every other console and serial line is ``null``: UML's default opens xterms.
    """
    return [
        f"mem={plan.mem}",
        "rootfstype=hostfs",
        "rootflags=/",
        "rw",
        f"init={plan.init_path}",
        "con=null",
        "ssl=null",
        "con0=fd:0,fd:1",
        f"con1=null,fd:{plan.stdout_fd}",
        f"con2=null,fd:{plan.stderr_fd}",
        f"umid={plan.umid}",
        f"uml_dir={plan.path('uml')}",
        "quiet",
        # scsi_mod is a module; modprobe reads module options from /proc/cmdline.  A
        # synchronous scan means every LUN has its sg node when modprobe returns.
        "scsi_mod.scan=sync",
    ]


def init_script(plan: BootPlan) -> str:
    """The shell script the guest kernel runs as PID 1.

    It mounts what the kernel does not (proc, sysfs, configfs; devtmpfs is already on /dev),
    points modprobe at Debian's UML modules, loads the targets, then hands over to the
    Python second stage, which waits for the devices, writes the manifest, runs the command
    and writes its exit status.  ``sync`` matters: hostfs writes sit in the guest's page
    cache, and ``poweroff -f`` does not flush it.
    """
    q = shlex.quote
    modprobe = f"modprobe -d {q(plan.modroot)}"
    lines = [
        "#!/bin/sh",
        "# Generated by sgframe.testbed for one boot; PID 1 of a User-Mode Linux guest.",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "export PATH",
        f"STATUS={q(plan.status_path)}",
        "fail() {",
        '    echo "sgframe.testbed guest: $*" >&2',
        '    echo "setup-failed $*" > "$STATUS"',
        "    sync",
        "    poweroff -f",
        "}",
        "mount -t proc proc /proc || fail 'cannot mount /proc'",
        "mount -t sysfs sysfs /sys || fail 'cannot mount /sys'",
        # The host's /dev/shm and /dev/pts are hidden by devtmpfs; multiprocessing and
        # pty-using tests need their own.
        "mkdir -p /dev/shm /dev/pts",
        "mount -t tmpfs -o mode=1777 tmpfs /dev/shm",
        "mount -t devpts -o gid=5,mode=620 devpts /dev/pts",
        "stty -F /dev/console -opost 2>/dev/null",
        # Modules that load other modules (LIO's) call the kernel's modprobe helper.
        f"echo {q(plan.modprobe_path)} > /proc/sys/kernel/modprobe",
        f"{modprobe} sg || fail 'modprobe sg failed'",
        f"{modprobe} sd_mod || fail 'modprobe sd_mod failed'",
    ]
    if plan.scsi_debug is not None:
        words = [modprobe, "scsi_debug"] + [q(f"{k}={v}") for k, v in plan.scsi_debug]
        lines.append(" ".join(words) + " || fail 'modprobe scsi_debug failed'")
    if plan.lio or plan.lab:
        lines += _configfs_lines(plan, modprobe)
    if plan.lio:
        lines += _lio_lines(plan, modprobe)
    if plan.lio_iscsi:
        lines += _lio_iscsi_lines(modprobe)
    lines += [
        f"{q(plan.python)} -I {q(plan.guest_main)} {q(plan.config_path)}",
        'if [ ! -s "$STATUS" ]; then echo "setup-failed the guest\'s second stage '
        'exited with status $?" > "$STATUS"; fi',
        "sync",
        "poweroff -f",
        "",
    ]
    return "\n".join(lines)


def _configfs_lines(plan: BootPlan, modprobe: str) -> list:
    """LIO's core, the loopback fabric and configfs; TCMU and uio for the lab."""
    lines = [
        f"{modprobe} target_core_mod || fail 'modprobe target_core_mod failed'",
        f"{modprobe} tcm_loop || fail 'modprobe tcm_loop failed'",
    ]
    if plan.lio:
        lines.append(f"{modprobe} target_core_file || fail 'modprobe target_core_file failed'")
    if plan.lab:
        lines += [
            f"{modprobe} uio || fail 'modprobe uio failed'",
            f"{modprobe} target_core_user || fail 'modprobe target_core_user failed'",
            # The kernel's SES driver, so that a served enclosure shows in /sys/class/enclosure.
            f"{modprobe} ses || fail 'modprobe ses failed'",
        ]
    lines += [
        "mount -t configfs configfs /sys/kernel/config || fail 'cannot mount configfs'",
        "C=/sys/kernel/config/target",
    ]
    return lines


def _lio_lines(plan: BootPlan, modprobe: str) -> list:
    q = shlex.quote
    target = lio_wwn(0)
    tpg = f"$C/loopback/{target}/tpgt_1"
    lines = []
    size = LIO_SIZE_MB * 1024 * 1024
    for i in range(plan.lio):
        dev = f"$C/core/fileio_0/disk{i}"
        lines += [
            f"mkdir -p {dev} || fail 'LIO: cannot create disk{i}'",
            f"echo fd_dev_name={q(plan.lio_file(i))},fd_dev_size={size} > {dev}/control",
            # A unit serial number makes the Device Identification VPD page complete
            # (sg_vpd -p 0x83 fails without it).
            f"echo sgframe-lio-{i} > {dev}/wwn/vpd_unit_serial",
            f"echo 1 > {dev}/enable || fail 'LIO: cannot enable disk{i}'",
        ]
    lines += [
        f"mkdir -p {tpg} || fail 'LIO: cannot create the loopback target'",
        # tcm_loop needs the I_T nexus before a LUN can be mapped.
        f"echo {lio_wwn(1)} > {tpg}/nexus || fail 'LIO: cannot create the nexus'",
    ]
    for i in range(plan.lio):
        lines += [
            f"mkdir -p {tpg}/lun/lun_{i}",
            f"ln -s $C/core/fileio_0/disk{i} {tpg}/lun/lun_{i}/virtual_file"
            f" || fail 'LIO: cannot map disk{i} as LUN {i}'",
        ]
    return lines


def _lio_iscsi_lines(modprobe: str) -> list:
    """LIO's iSCSI fabric (iscsi_target_mod) through configfs, as targetcli writes it:
    a target with TPG 1, a network portal, disk0 as LUN 0, and one node ACL whose mapped
    LUN 0 links to the TPG's LUN, with CHAP required (attrib/authentication=1, the ACL's
    auth/userid, password, userid_mutual, password_mutual) and CRC32C digests only."""
    q = shlex.quote
    c = LIO_ISCSI
    tpg = f"$C/iscsi/{c['target']}/tpgt_1"
    acl = f"{tpg}/acls/{c['initiator']}"
    return [
        "ip link set lo up || fail 'cannot bring the loopback interface up'",
        f"{modprobe} iscsi_target_mod || fail 'modprobe iscsi_target_mod failed'",
        f"mkdir -p {tpg} || fail 'LIO iSCSI: cannot create the target'",
        f"mkdir -p {tpg}/lun/lun_0",
        f"ln -s $C/core/fileio_0/disk0 {tpg}/lun/lun_0/disk0 || fail 'LIO iSCSI: cannot map disk0'",
        f"mkdir {tpg}/np/{c['portal']} || fail 'LIO iSCSI: cannot open the portal {c['portal']}'",
        f"echo CRC32C > {tpg}/param/HeaderDigest",
        f"echo CRC32C > {tpg}/param/DataDigest",
        f"echo 0 > {tpg}/attrib/generate_node_acls",
        f"echo 0 > {tpg}/attrib/demo_mode_write_protect",
        f"echo 1 > {tpg}/attrib/authentication",
        f"mkdir -p {acl}/lun_0 || fail 'LIO iSCSI: cannot create the ACL'",
        f"ln -s {tpg}/lun/lun_0 {acl}/lun_0/lun_0 || fail 'LIO iSCSI: cannot map LUN 0 in the ACL'",
        # printf, not echo: LIO keeps the newline as part of the CHAP name and secret.
        f"printf %s {q(c['user'])} > {acl}/auth/userid",
        f"printf %s {q(c['password'])} > {acl}/auth/password",
        f"printf %s {q(c['target_user'])} > {acl}/auth/userid_mutual",
        f"printf %s {q(c['target_password'])} > {acl}/auth/password_mutual",
        f"echo 1 > {tpg}/enable || fail 'LIO iSCSI: cannot enable the target'",
    ]
