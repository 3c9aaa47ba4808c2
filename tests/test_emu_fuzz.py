"""Property tests: no CDB crashes the emulated disk, and its data path is faithful."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgframe.emu import EmulatedDisk, Reply

STATUSES = {0x00, 0x02, 0x04, 0x08, 0x18, 0x28}

_TEMPLATE = EmulatedDisk(blocks=2048, max_transfer_length=64)
OPCODES = sorted({spec.opcode for spec in _TEMPLATE.table} | {spec.opcode for spec in EmulatedDisk(
    blocks=2048, zoned=True, zone_size=256).table})


def fresh(zoned: bool) -> EmulatedDisk:
    if zoned:
        return EmulatedDisk(blocks=2048, zoned=True, zone_size=256, conventional_zones=1, max_transfer_length=64)
    return EmulatedDisk(blocks=2048, max_transfer_length=64)


def cdbs() -> st.SearchStrategy[bytes]:
    random_bytes = st.binary(min_size=0, max_size=34)

    @st.composite
    def known_opcode(draw: st.DrawFn) -> bytes:
        opcode = draw(st.sampled_from(OPCODES))
        length = draw(st.sampled_from([6, 10, 12, 16, 32]))
        body = bytearray(draw(st.binary(min_size=length - 1, max_size=length - 1)))
        if draw(st.booleans()):
            # Mostly-zero CDBs get past the reserved-bit checks into the handlers.
            body = bytearray(b if draw(st.integers(0, 3)) == 0 else 0 for b in body)
        if opcode == 0x7F and length == 32:
            body[6] = 0x18
            body[8] = draw(st.sampled_from([0x09, 0x0B, 0x0A]))
            body[7] = 0
        return bytes((opcode,)) + bytes(body)

    return st.one_of(random_bytes, known_opcode())


def check(reply: Reply, allocation_length: int) -> None:
    assert isinstance(reply, Reply)
    assert reply.status in STATUSES
    assert len(reply.data) <= allocation_length
    if reply.status == 0x02:
        assert reply.sense[0] & 0x7F in (0x70, 0x72)
    else:
        assert reply.sense == b""


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zoned=st.booleans(),
    commands=st.lists(
        st.tuples(cdbs(), st.one_of(st.none(), st.binary(max_size=2048)), st.integers(0, 70000), st.integers(0, 2)),
        min_size=1,
        max_size=6,
    ),
)
def test_random_cdbs_never_raise(zoned: bool, commands: list) -> None:
    disk = fresh(zoned)
    for cdb, data_out, allocation_length, nexus in commands:
        check(disk.respond(cdb, data_out, allocation_length, nexus=nexus), allocation_length)


@settings(max_examples=100, deadline=None)
@given(
    writes=st.lists(
        st.tuples(st.integers(0, 2047), st.integers(1, 8), st.binary(min_size=1, max_size=1)), min_size=1, max_size=12
    )
)
def test_write_read_back_matches_a_model(writes: list) -> None:
    disk = EmulatedDisk(blocks=2048)
    model = bytearray(2048 * 512)
    for lba, count, fill in writes:
        count = min(count, 2048 - lba)
        data = fill * (512 * count)
        cdb = b"\x8a\x00" + lba.to_bytes(8, "big") + count.to_bytes(4, "big") + b"\x00\x00"
        assert disk.respond(cdb, data).status == 0
        model[lba * 512 : (lba + count) * 512] = data
    for lba, count, _ in writes:
        count = min(count + 2, 2048 - lba)
        cdb = b"\x88\x00" + lba.to_bytes(8, "big") + count.to_bytes(4, "big") + b"\x00\x00"
        assert disk.respond(cdb, None, count * 512).data == bytes(model[lba * 512 : (lba + count) * 512])


@settings(max_examples=60, deadline=None)
@given(starts=st.lists(st.tuples(st.integers(0, 511), st.integers(1, 16)), max_size=10))
def test_lba_status_covers_the_disk_without_gaps(starts: list) -> None:
    disk = EmulatedDisk(blocks=512)
    for lba, count in starts:
        count = min(count, 512 - lba)
        cdb = b"\x41\x00" + lba.to_bytes(4, "big") + b"\x00" + count.to_bytes(2, "big") + b"\x00"
        assert disk.respond(cdb, b"\x01" * 512).status == 0
    data = disk.respond(b"\x9e\x12" + bytes(8) + (8 + 16 * 600).to_bytes(4, "big") + b"\x00\x00", None, 10000).data
    position = 0
    previous = None
    for offset in range(8, len(data), 16):
        lba = int.from_bytes(data[offset : offset + 8], "big")
        count = int.from_bytes(data[offset + 8 : offset + 12], "big")
        state = data[offset + 12]
        assert lba == position and count > 0 and state != previous
        mapped = any(start <= lba < start + n for start, n in starts)
        assert state == (0 if mapped else 1)
        position += count
        previous = state
    assert position == 512
