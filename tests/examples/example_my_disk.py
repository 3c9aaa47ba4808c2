"""A user's own device tests with sgframe's pytest plugin (docs/pytest.rst shows this file).

Run against the emulated disk, or any device:

    pytest tests/examples/example_my_disk.py --scsi-device emu:disk --scsi-dataloss
    pytest tests/examples/example_my_disk.py --scsi-device /dev/sg1
"""
import pytest

from sgframe import errors


def test_ready(scsi_channel):
    scsi_channel.cmd.TestUnitReady()


def test_capacity_is_what_we_ordered(scsi_device):
    assert scsi_device.block_size in (512, 4096)
    assert scsi_device.blocks * scsi_device.block_size >= 2**20


def test_read_past_the_end(scsi_channel, scsi_device, scsi_expect):
    # SBC-4 4.5: LOGICAL BLOCK ADDRESS OUT OF RANGE
    with scsi_expect(errors.IllegalRequest, asc=0x21, ascq=0x00) as caught:
        scsi_channel.cmd.Read16(lba=scsi_device.blocks, transfer_length=1)
    assert caught.sense.sense_key == 0x5


@pytest.mark.destructive
def test_what_we_write_we_read(scsi_channel, scsi_device):
    lba = scsi_device.blocks // 2
    data = bytes(range(256)) * (scsi_device.block_size // 256)
    scsi_channel.cmd.Write16(lba=lba, transfer_length=1, data=data)
    assert scsi_channel.cmd.Read16(lba=lba, transfer_length=1).data == data


@pytest.mark.requires("thin_provisioning")
@pytest.mark.requires_command("GetLbaStatus")
def test_a_fresh_block_is_mapped_or_not(scsi_channel):
    status = scsi_channel.cmd.GetLbaStatus(starting_lba=0).result
    assert status.lba_status_descriptors[0].provisioning_status in (0, 1, 2)


def test_two_initiators(scsi_channel, scsi_channel2, scsi_expect):
    # Skipped unless --scsi-device2 names a second I_T nexus to the same logical unit.
    scsi_channel.cmd.Reserve6()
    try:
        with scsi_expect(status=0x18):  # RESERVATION CONFLICT
            scsi_channel2.cmd.Read10(lba=0, transfer_length=1)
    finally:
        scsi_channel.cmd.Release6()
