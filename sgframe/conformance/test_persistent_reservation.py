"""PERSISTENT RESERVE IN / OUT with two initiators (SPC-5 5.14, 6.16, 6.17)."""
from __future__ import annotations

import pytest

from sgframe import errors
from sgframe.params import pr_out_parameters

from .helpers import drain_unit_attentions

pytestmark = pytest.mark.requires_command("PersistentReserveIn")

KEY1, KEY2 = 0x5347465241D00001, 0x5347465241D00002
REGISTER, RESERVE, RELEASE, CLEAR, PREEMPT, REGISTER_AND_IGNORE = 0, 1, 2, 3, 4, 6
WRITE_EXCLUSIVE, EXCLUSIVE_ACCESS = 1, 3
WE_RO, EA_RO, WE_AR, EA_AR = 5, 6, 7, 8


def _out(channel, action, key=0, sa_key=0, type_=0):
    drain_unit_attentions(channel)
    data = pr_out_parameters(key, sa_key)
    return channel.cmd.PersistentReserveOut(service_action=action, type=type_, parameter_list_length=len(data), data=data)


def _keys(channel):
    drain_unit_attentions(channel)
    return channel.cmd.PersistentReserveIn(service_action=0, allocation_length=1024).result


def _reservation(channel):
    drain_unit_attentions(channel)
    return channel.cmd.PersistentReserveIn(service_action=1, allocation_length=1024).result


def _clear(channel):
    _out(channel, REGISTER_AND_IGNORE, 0, KEY1)
    _out(channel, CLEAR, KEY1)


@pytest.fixture
def clean(scsi_channel):
    """No registrations or reservation but the first initiator's registration (KEY1);
    afterwards, none at all (SPC-5 5.14.11.6: CLEAR removes every registration and the
    reservation)."""
    _clear(scsi_channel)
    _out(scsi_channel, REGISTER_AND_IGNORE, 0, KEY1)
    yield scsi_channel
    _clear(scsi_channel)


def test_read_keys_without_registrations(scsi_channel):
    """SPC-5 6.16.2: READ KEYS returns PRGENERATION and an ADDITIONAL LENGTH that is a
    multiple of 8 (one key per registered I_T nexus)."""
    keys = _keys(scsi_channel)
    assert keys.additional_length % 8 == 0
    assert len(keys.reservation_keys) == keys.additional_length // 8


def test_report_capabilities(scsi_channel):
    """SPC-5 6.16.4: REPORT CAPABILITIES has LENGTH 0008h; with TMV=1 the type mask names
    the reservation types the device supports."""
    capabilities = scsi_channel.cmd.PersistentReserveIn(service_action=2, allocation_length=8).result
    assert capabilities.length == 8


def test_register_bumps_generation(clean):
    """SPC-5 5.14.7 and 6.16.2: a registration appears in READ KEYS and increments
    PRGENERATION."""
    before = _keys(clean)
    _out(clean, REGISTER, KEY1, KEY1 + 0x10)
    after = _keys(clean)
    assert KEY1 + 0x10 in after.reservation_keys
    assert (after.prgeneration - before.prgeneration) % 2**32 >= 1


def test_register_with_wrong_key_conflicts(clean, scsi_expect):
    """SPC-5 5.14.7: REGISTER from a registered nexus with a RESERVATION KEY that is not
    its key: RESERVATION CONFLICT."""
    with scsi_expect(status=0x18):
        _out(clean, REGISTER, KEY1 + 1, KEY1 + 2)


def test_reserve_needs_registration(scsi_channel, scsi_expect):
    """SPC-5 5.14.8: RESERVE from an unregistered I_T nexus: RESERVATION CONFLICT."""
    with scsi_expect(status=0x18):
        _out(scsi_channel, RESERVE, KEY1 + 0x99, 0, WRITE_EXCLUSIVE)


def test_reserve_and_read_reservation(clean):
    """SPC-5 6.16.3: READ RESERVATION shows the holder's key, SCOPE 0h and the TYPE."""
    _out(clean, RESERVE, KEY1, 0, WRITE_EXCLUSIVE)
    reservation = _reservation(clean)
    assert reservation.additional_length == 0x10
    assert reservation.reservation_key == KEY1
    assert reservation.type == WRITE_EXCLUSIVE
    _out(clean, RELEASE, KEY1, 0, WRITE_EXCLUSIVE)
    assert _reservation(clean).additional_length == 0


# SPC-5 Table 67 (5.14.2): what a not registered / registered other initiator may do.
# type -> (reads allowed unregistered, writes allowed unregistered,
#          reads allowed registered, writes allowed registered)
ACCESS = {
    WRITE_EXCLUSIVE: (True, False, True, False),
    EXCLUSIVE_ACCESS: (False, False, False, False),
    WE_RO: (True, False, True, True),
    EA_RO: (False, False, True, True),
    WE_AR: (True, False, True, True),
    EA_AR: (False, False, True, True),
}


@pytest.mark.destructive
@pytest.mark.requires("second_nexus", "not_zoned", "writable")
@pytest.mark.parametrize("registered", [False, True], ids=["unregistered", "registered"])
@pytest.mark.parametrize("type_", sorted(ACCESS), ids=["WE", "EA", "WE_RO", "EA_RO", "WE_AR", "EA_AR"])
def test_access_of_the_other_initiator(clean, scsi_channel2, scsi_device, scsi_expect, type_, registered):
    """SPC-5 5.14.2 Table 67: reads and writes of another initiator under each
    reservation type, registered or not."""
    caps = clean.cmd.PersistentReserveIn(service_action=2, allocation_length=8).result
    bit = {WRITE_EXCLUSIVE: "wr_ex", EXCLUSIVE_ACCESS: "ex_ac", WE_RO: "wr_ex_ro", EA_RO: "ex_ac_ro",
           WE_AR: "wr_ex_ar", EA_AR: "ex_ac_ar"}[type_]
    if caps.tmv and not getattr(caps, bit):
        pytest.skip(f"the type mask does not list reservation type {type_}")
    if registered:
        _out(scsi_channel2, REGISTER_AND_IGNORE, 0, KEY2)
    try:
        _out(clean, RESERVE, KEY1, 0, type_)
        reads, writes = ACCESS[type_][2:] if registered else ACCESS[type_][:2]
        lba = scsi_device.blocks // 2
        read = lambda: scsi_channel2.cmd.Read16(lba=lba, transfer_length=1)  # noqa: E731
        write = lambda: scsi_channel2.cmd.Write16(lba=lba, transfer_length=1,  # noqa: E731
                                                  data=bytes(scsi_channel2.block_size))
        for allowed, attempt in ((reads, read), (writes, write)):
            drain_unit_attentions(scsi_channel2)
            if allowed:
                attempt()
            else:
                with scsi_expect(status=0x18):
                    attempt()
    finally:
        if registered:
            _out(scsi_channel2, REGISTER_AND_IGNORE, 0, 0)


@pytest.mark.requires("second_nexus")
def test_preempt_moves_the_reservation(clean, scsi_channel2):
    """SPC-5 5.14.11.4.3: PREEMPT naming the holder's key removes its registration and
    gives the reservation to the preempting initiator."""
    _out(scsi_channel2, REGISTER_AND_IGNORE, 0, KEY2)
    _out(clean, RESERVE, KEY1, 0, WRITE_EXCLUSIVE)
    _out(scsi_channel2, PREEMPT, KEY2, KEY1, WRITE_EXCLUSIVE)
    reservation = _reservation(scsi_channel2)
    assert reservation.reservation_key == KEY2
    assert KEY1 not in _keys(scsi_channel2).reservation_keys


@pytest.mark.requires("second_nexus")
def test_preempt_by_unregistered_conflicts(clean, scsi_channel2, scsi_expect):
    """SPC-5 5.14.11.4.1: PREEMPT from an unregistered I_T nexus: RESERVATION CONFLICT."""
    with scsi_expect(status=0x18):
        _out(scsi_channel2, PREEMPT, KEY2, KEY1, WRITE_EXCLUSIVE)


@pytest.mark.requires("second_nexus")
def test_clear_removes_everything(clean, scsi_channel2):
    """SPC-5 5.14.11.6: CLEAR releases the reservation and removes every registration."""
    _out(scsi_channel2, REGISTER_AND_IGNORE, 0, KEY2)
    _out(clean, RESERVE, KEY1, 0, EXCLUSIVE_ACCESS)
    _out(scsi_channel2, CLEAR, KEY2)
    assert _keys(clean).reservation_keys == ()
    assert _reservation(clean).additional_length == 0


@pytest.mark.requires("second_nexus")
def test_release_by_non_holder_keeps_reservation(clean, scsi_channel2):
    """SPC-5 5.14.11.2: RELEASE from a registered I_T nexus that does not hold the
    reservation returns GOOD and releases nothing."""
    _out(scsi_channel2, REGISTER_AND_IGNORE, 0, KEY2)
    _out(clean, RESERVE, KEY1, 0, WRITE_EXCLUSIVE)
    _out(scsi_channel2, RELEASE, KEY2, 0, WRITE_EXCLUSIVE)
    assert _reservation(clean).reservation_key == KEY1


@pytest.mark.requires("second_nexus")
def test_release_with_wrong_type_fails(clean, scsi_expect):
    """SPC-5 5.14.11.2: RELEASE by the holder with a different TYPE: ILLEGAL REQUEST,
    INVALID RELEASE OF PERSISTENT RESERVATION (26h/04h)."""
    _out(clean, RESERVE, KEY1, 0, WRITE_EXCLUSIVE)
    with scsi_expect(errors.IllegalRequest, asc=0x26, ascq=0x04):
        _out(clean, RELEASE, KEY1, 0, EXCLUSIVE_ACCESS)


@pytest.mark.requires("second_nexus")
def test_unregister_releases(clean, scsi_channel2):
    """SPC-5 5.14.11.2.3 (5.14.10): when the holder of a WRITE EXCLUSIVE reservation
    unregisters, its reservation is released."""
    _out(clean, RESERVE, KEY1, 0, WRITE_EXCLUSIVE)
    _out(clean, REGISTER, KEY1, 0)
    assert _reservation(scsi_channel2).additional_length == 0
