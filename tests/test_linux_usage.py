"""sgframe.linux.usage.in_use against fake /proc and /sys trees."""
from __future__ import annotations

import os

import pytest

from sgframe.linux.sysfs import DeviceNodes
from sgframe.linux.usage import holder_description, in_use

SDA = DeviceNodes(hctl="0:0:0:0", sg="/dev/sg0", block="/dev/sda", bsg="/dev/bsg/0:0:0:0",
                  scsi_type=0, vendor="Linux", model="scsi_debug", rev="0191",
                  size_bytes=64 << 20)

MOUNTINFO_BASE = (
    "16 1 0:15 / / rw,relatime - hostfs /dev/root rw,/\n"
    "17 16 0:5 / /dev rw,relatime - devtmpfs devtmpfs rw,mode=755\n"
    "18 16 0:16 / /proc rw,relatime - proc proc rw\n"
)
SWAPS_HEADER = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"


def write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def root(tmp_path):
    """sda (8:0) with partitions sda1 (8:1) and sda2 (8:2); sdb (8:16) with none."""
    sda = tmp_path / "sys/devices/host0/target0:0:0/0:0:0:0/block/sda"
    write(sda / "dev", "8:0\n")
    os.makedirs(sda / "holders")
    for p in (1, 2):
        write(sda / f"sda{p}/dev", f"8:{p}\n")
        write(sda / f"sda{p}/partition", f"{p}\n")
        os.makedirs(sda / f"sda{p}/holders")
    (tmp_path / "sys/block").mkdir(parents=True)
    os.symlink("../devices/host0/target0:0:0/0:0:0:0/block/sda", tmp_path / "sys/block/sda")
    write(tmp_path / "sys/block/sdb/dev", "8:16\n")
    write(tmp_path / "proc/self/mountinfo", MOUNTINFO_BASE)
    write(tmp_path / "proc/mounts", "/dev/root / hostfs rw 0 0\n")
    write(tmp_path / "proc/swaps", SWAPS_HEADER)
    return tmp_path


def dm(root, name: str, dm_name: str, uuid: str, dev: str) -> None:
    write(root / f"sys/block/{name}/dev", dev + "\n")
    write(root / f"sys/block/{name}/dm/name", dm_name + "\n")
    write(root / f"sys/block/{name}/dm/uuid", uuid + "\n")
    os.makedirs(root / f"sys/block/{name}/holders", exist_ok=True)


def test_idle_disk_has_no_reasons(root):
    assert in_use(SDA, root=str(root)) == []


def test_device_without_block_node_is_never_in_use(root):
    tape = DeviceNodes(hctl="1:0:0:0", sg="/dev/sg3", block=None, bsg=None, scsi_type=1,
                       vendor="HP", model="Ultrium", rev="1", size_bytes=None)
    assert in_use(tape, root=str(root)) == []


def test_mounted_whole_disk_by_number(root):
    write(root / "proc/self/mountinfo",
          MOUNTINFO_BASE + "30 16 8:0 / /mnt/scratch rw,relatime shared:1 - ext4 /dev/sda rw\n")
    assert in_use(SDA, root=str(root)) == ["/dev/sda is mounted on /mnt/scratch (ext4)"]


def test_mounted_partition_with_escaped_mountpoint(root):
    write(root / "proc/self/mountinfo",
          MOUNTINFO_BASE + "31 16 8:2 / /mnt/my\\040disk rw - xfs /dev/sda2 rw\n")
    write(root / "proc/mounts", "/dev/sda2 /mnt/my\\040disk xfs rw 0 0\n")
    # Found twice (by number and by name) and reported once.
    assert in_use(SDA, root=str(root)) == ["/dev/sda2 is mounted on /mnt/my disk (xfs)"]


def test_btrfs_mount_found_by_name_only(root):
    # btrfs shows an anonymous device number in mountinfo; /proc/mounts names the disk.
    write(root / "proc/self/mountinfo", MOUNTINFO_BASE + "32 16 0:44 / /data rw - btrfs /dev/sda1 rw\n")
    write(root / "proc/mounts", "/dev/root / hostfs rw 0 0\n/dev/sda1 /data btrfs rw 0 0\n")
    assert in_use(SDA, root=str(root)) == ["/dev/sda1 is mounted on /data (btrfs)"]


def test_other_disk_mounted_is_not_our_business(root):
    write(root / "proc/self/mountinfo", MOUNTINFO_BASE + "33 16 8:16 / /b rw - ext4 /dev/sdb rw\n")
    write(root / "proc/mounts", "/dev/sdb /b ext4 rw 0 0\n")
    assert in_use(SDA, root=str(root)) == []


def test_swap_partition(root):
    write(root / "proc/swaps", SWAPS_HEADER + "/dev/sda1     partition\t1048572\t0\t-2\n")
    assert in_use(SDA, root=str(root)) == ["/dev/sda1 is active swap"]


def test_swap_through_another_name_matched_by_device_number(root):
    (root / "dev/mapper").mkdir(parents=True)
    try:
        os.mknod(root / "dev/mapper/swapdisk", 0o60600, os.makedev(8, 2))
    except PermissionError:
        pytest.skip("mknod needs root")
    write(root / "proc/swaps", SWAPS_HEADER + "/dev/mapper/swapdisk partition 1024 0 -2\n")
    assert in_use(SDA, root=str(root)) == ["/dev/sda2 is active swap"]


def test_swap_file_elsewhere_is_ignored(root):
    write(root / "proc/swaps", SWAPS_HEADER + "/swapfile file 1024 0 -2\n")
    assert in_use(SDA, root=str(root)) == []


def test_lvm_holder_and_the_filesystem_on_it(root):
    dm(root, "dm-0", "vg0-data", "LVM-abcdefghijklmnop", "254:0")
    os.makedirs(root / "sys/block/sda/sda2/holders/dm-0")
    write(root / "proc/self/mountinfo", MOUNTINFO_BASE + "40 16 254:0 / /srv rw - ext4 /dev/mapper/vg0-data rw\n")
    assert in_use(SDA, root=str(root)) == [
        "/dev/sda2 is held by LVM logical volume vg0-data (dm-0)",
        "/dev/dm-0 is mounted on /srv (ext4)",
    ]


def test_md_holder_of_the_whole_disk(root):
    write(root / "sys/block/md127/dev", "9:127\n")
    write(root / "sys/block/md127/md/level", "raid1\n")
    os.makedirs(root / "sys/block/sda/holders/md127")
    assert in_use(SDA, root=str(root)) == ["/dev/sda is held by MD array md127 (raid1)"]


@pytest.mark.parametrize("uuid, text", [
    ("CRYPT-LUKS2-0123-sda1", "dm-crypt (LUKS) device secret (dm-1)"),
    ("mpath-3600a0b80", "multipath device secret (dm-1)"),
    ("part1-mpath-3600", "device-mapper partition secret (dm-1)"),
    ("", "device-mapper device secret (dm-1)"),
])
def test_holder_descriptions(root, uuid, text):
    dm(root, "dm-1", "secret", uuid, "254:1")
    assert holder_description("dm-1", root=str(root)) == text


def test_unknown_holder_and_bcache(root):
    write(root / "sys/block/bcache0/bcache/state", "clean\n")
    assert holder_description("bcache0", root=str(root)) == "bcache device bcache0"
    assert holder_description("zram0", root=str(root)) == "block device zram0"


def test_everything_at_once_in_a_stable_order(root):
    write(root / "proc/self/mountinfo", MOUNTINFO_BASE + "30 16 8:1 / /boot rw - vfat /dev/sda1 rw\n")
    write(root / "proc/swaps", SWAPS_HEADER + "/dev/sda2 partition 1024 0 -2\n")
    write(root / "sys/block/md0/dev", "9:0\n")
    write(root / "sys/block/md0/md/level", "raid0\n")
    os.makedirs(root / "sys/block/sda/holders/md0")
    assert in_use(SDA, root=str(root)) == [
        "/dev/sda1 is mounted on /boot (vfat)",
        "/dev/sda2 is active swap",
        "/dev/sda is held by MD array md0 (raid0)",
    ]


def test_holder_loop_terminates(root):
    # A broken tree where dm-0 holds itself must not recurse forever.
    dm(root, "dm-0", "loop", "", "254:0")
    os.makedirs(root / "sys/block/sda/holders/dm-0")
    os.makedirs(root / "sys/block/dm-0/holders/dm-0")
    assert in_use(SDA, root=str(root)) == [
        "/dev/sda is held by device-mapper device loop (dm-0)",
        "/dev/dm-0 is held by device-mapper device loop (dm-0)",
    ]


def test_holder_shared_by_two_partitions_is_followed_once(root):
    write(root / "sys/block/md0/dev", "9:0\n")
    write(root / "sys/block/md0/md/level", "raid1\n")
    os.makedirs(root / "sys/block/sda/sda1/holders/md0")
    os.makedirs(root / "sys/block/sda/sda2/holders/md0")
    write(root / "proc/self/mountinfo", MOUNTINFO_BASE + "30 16 9:0 / /r rw - ext4 /dev/md0 rw\n")
    assert in_use(SDA, root=str(root)) == [
        "/dev/sda1 is held by MD array md0 (raid1)",
        "/dev/md0 is mounted on /r (ext4)",
        "/dev/sda2 is held by MD array md0 (raid1)",
    ]


def test_missing_proc_files_mean_no_reasons(tmp_path):
    write(tmp_path / "sys/block/sda/dev", "8:0\n")
    assert in_use(SDA, root=str(tmp_path)) == []
