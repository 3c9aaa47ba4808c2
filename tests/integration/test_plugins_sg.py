"""Plugins on the real kernel path: vendor binding by INQUIRY on scsi_debug, and ATA
PASS-THROUGH to a device without a SATL."""
from __future__ import annotations

import pytest

from sgframe import Channel, errors, plugins
from sgframe.testbed import guest


def _loaded(name: str) -> bool:
    return any(i.name == name and i.state == "loaded" for i in plugins.manager())


@pytest.fixture
def disk(scsi_debug_devices):
    return scsi_debug_devices[0]


@pytest.mark.skipif(not _loaded("seagate"), reason="the sgframe-seagate plugin is not installed or is disabled")
def test_inq_vendor_seagate_binds_the_vendor_plugin(disk, sdebug_params, reactor):
    from sgframe_seagate import SeagateLogSense

    sdebug_params(inq_vendor="SEAGATE")
    with Channel.from_path(disk.sg, reactor=reactor) as channel:
        assert channel.identity.vendor_identification == "SEAGATE"
        assert plugins.manager().bound(channel.identity) == ["seagate"]
        assert "SeagateLogSense" in dir(channel.cmd)
        send = channel.cmd.SeagateLogSense
        assert send.__doc__ == SeagateLogSense.__doc__
        # scsi_debug has no page 37h: the vendor command is sent and refused by the device.
        with pytest.raises(errors.IllegalRequest) as refused:
            send()
        assert bytes(refused.value.io.command)[:3] == bytes((0x4D, 0x00, 0x77))


@pytest.mark.skipif(not _loaded("seagate"), reason="the sgframe-seagate plugin is not installed or is disabled")
def test_the_same_device_without_the_vendor_is_not_bound(disk, sdebug_params, reactor):
    previous = guest.sdebug_param("inq_vendor")
    assert previous.strip() != "SEAGATE"
    with Channel.from_path(disk.sg, reactor=reactor) as channel:
        assert channel.identity.vendor_identification == previous.strip()
        assert plugins.manager().bound(channel.identity) == []
        with pytest.raises(AttributeError, match="plugin 'seagate', which is not bound"):
            channel.cmd.SeagateLogSense
        # Binding follows the device: once it says SEAGATE, the plugin applies.
        sdebug_params(inq_vendor="SEAGATE")
        channel.forget_identity()
        assert plugins.manager().bound(channel.identity) == ["seagate"]


@pytest.mark.skipif(not _loaded("sat"), reason="the sgframe-sat plugin is not installed or is disabled")
def test_ata_pass_through_to_scsi_debug_is_an_illegal_request(disk, reactor):
    import sgframe_sat as sat

    with Channel.from_path(disk.sg, reactor=reactor) as channel:
        with pytest.raises(errors.IllegalRequest) as refused:
            sat.Sat(channel).identify()
        assert (refused.value.asc, refused.value.ascq) == (0x20, 0x00)  # INVALID COMMAND OPERATION CODE
        assert refused.value.device == disk.sg
        with pytest.raises(errors.IllegalRequest):
            channel.cmd.AtaPassThrough12(protocol=sat.Protocol.NON_DATA, ck_cond=True, command=0xE5)
