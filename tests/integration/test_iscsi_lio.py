"""sgframe's iSCSI initiator against LIO's iSCSI target (iscsi_target_mod) inside the test
bed, with CHAP both ways and CRC32C digests, compared with the same backstore reached
through /dev/sgN on the loopback fabric (tcm_loop).

    python -m sgframe.testbed run --lio 1 --lio-iscsi -- python -m pytest tests/integration/test_iscsi_lio.py
"""
from __future__ import annotations

import os

import pytest

from sgframe import Channel
from sgframe.command.rw import Read16, Write16
from sgframe.command.sbc import ReadCapacity16
from sgframe.command.spc import Inquiry
from sgframe.errors import IllegalRequest
from sgframe.iscsi.errors import AuthenticationFailed
from sgframe.testbed.plan import LIO_ISCSI

CONFIGFS = "/sys/kernel/config/target/iscsi/" + LIO_ISCSI["target"]


def url(password: str = LIO_ISCSI["password"], initiator: str = LIO_ISCSI["initiator"],
        target_password: str = LIO_ISCSI["target_password"], digests: str = "crc32c") -> str:
    c = LIO_ISCSI
    return (f"iscsi://{c['user']}%{password}@{c['portal']}/{c['target']}/0?initiator_name={initiator}"
            f"&target_user={c['target_user']}&target_password={target_password}"
            f"&header_digest={digests}&data_digest={digests}")


@pytest.fixture
def lio_sg(lio_devices):
    if not os.path.isdir(CONFIGFS):
        pytest.skip("no LIO iSCSI target in this boot: python -m sgframe.testbed run --lio 1 --lio-iscsi -- ...")
    # disk0 is LUN 0 behind tcm_loop, and LUN 0 of the iSCSI target.
    (disk0,) = [d for d in lio_devices if d.lun == 0]
    return disk0.sg


@pytest.fixture
def both(lio_sg, reactor):
    over_iscsi = Channel.open(url(), reactor=reactor, block_size=512)
    over_sg = Channel.open(lio_sg, reactor=reactor, block_size=512)
    try:
        yield over_iscsi, over_sg
    finally:
        over_iscsi.close()
        over_sg.close()


def test_login_negotiated_chap_and_digests(both):
    over_iscsi, _ = both
    parameters = over_iscsi.transport.login.parameters
    assert (parameters.header_digest, parameters.data_digest) == ("CRC32C", "CRC32C")
    assert parameters.error_recovery_level == 0


def test_identity_and_capacity_agree_with_sg(both):
    over_iscsi, over_sg = both
    a, b = over_iscsi.cmd.Inquiry().result, over_sg.cmd.Inquiry().result
    assert (a.vendor_identification, a.product_identification, a.product_revision_level) == \
        (b.vendor_identification, b.product_identification, b.product_revision_level) == ("LIO-ORG", "FILEIO", "4.0")
    assert a.peripheral_device_type == b.peripheral_device_type == 0
    serial = Inquiry(evpd=True, page_code=0x80)
    assert over_iscsi.execute(serial).result.product_serial_number == \
        over_sg.execute(serial).result.product_serial_number == "sgframe-lio-0"
    assert over_iscsi.execute(ReadCapacity16()).data == over_sg.execute(ReadCapacity16()).data


def test_logical_unit_designators_agree_with_sg(both):
    # The LU's own designators (association 0) are the backstore's; the target port
    # ones name each fabric's port and differ on purpose.
    over_iscsi, over_sg = both
    page = Inquiry(evpd=True, page_code=0x83, allocation_length=1024)

    def lu_designators(channel):
        data = channel.execute(page).data
        out, offset = [], 4
        while offset + 4 <= len(data):
            length = data[offset + 3]
            if (data[offset + 1] >> 4) & 0x3 == 0:
                out.append(bytes(data[offset:offset + 4 + length]))
            offset += 4 + length
        return out

    theirs = lu_designators(over_sg)
    assert theirs and lu_designators(over_iscsi) == theirs


def test_data_written_one_way_reads_back_the_other(both):
    over_iscsi, over_sg = both
    first, second = os.urandom(256 * 1024), os.urandom(64 * 1024)
    over_iscsi.execute(Write16(lba=1000, transfer_length=512), data=first)  # R2T and digests
    assert over_sg.execute(Read16(lba=1000, transfer_length=512)).data == first
    over_sg.execute(Write16(lba=3000, transfer_length=128), data=second)
    assert over_iscsi.execute(Read16(lba=3000, transfer_length=128)).data == second


def test_check_condition_is_the_same_exception_and_sense(both):
    over_iscsi, over_sg = both
    blocks = over_sg.cmd.ReadCapacity16().result.returned_lba + 1
    failures = []
    for channel in both:
        with pytest.raises(IllegalRequest) as caught:
            channel.execute(Read16(lba=blocks, transfer_length=1))
        failures.append(caught.value)
    a, b = failures
    assert type(a) is type(b)
    assert (a.sense_key, a.asc, a.ascq) == (b.sense_key, b.asc, b.ascq) == (0x5, 0x21, 0x00)
    assert a.io.hdr.sense == b.io.hdr.sense, (a.io.hdr.sense.hex(), b.io.hdr.sense.hex())
    assert a.io.hdr.status == b.io.hdr.status == 0x02


def test_many_in_flight_over_iscsi(both):
    over_iscsi, over_sg = both
    data = os.urandom(64 * 512)
    over_sg.execute(Write16(lba=0, transfer_length=64), data=data)
    ios = [over_iscsi.execute(Read16(lba=i, transfer_length=1), async_=True) for i in range(64)]
    over_iscsi.wait(30)
    assert b"".join(io.data for io in ios) == data


def test_wrong_secrets_and_unknown_initiator_are_refused(lio_sg):
    with pytest.raises(AuthenticationFailed, match="authentication failure"):
        Channel.open(url(password="not-the-secret1"))
    with pytest.raises(AuthenticationFailed, match="the target's CHAP response|mutual"):
        Channel.open(url(target_password="not-the-target2"))
    with pytest.raises(AuthenticationFailed):
        Channel.open(url(initiator="iqn.2026-12.org.sgframe:stranger"))


def test_digests_are_required(lio_sg):
    from sgframe.iscsi.errors import LoginFailed

    with pytest.raises(LoginFailed):
        Channel.open(url(digests="none"))
