"""The ``sg`` transport: /dev/sgN through the sg driver's version 3 interface.

Synchronous commands use ``ioctl(SG_IO)``. Asynchronous ones are ``write()`` of a
``sg_io_hdr`` on an O_NONBLOCK fd and ``read()`` of its completion when epoll says the
fd is readable (see :mod:`sgframe.linux.sg` for the driver's rules, checked on 6.1).

Why several fds: the driver holds at most 16 requests per open file (SG_MAX_QUEUE), in
flight or completed but unread. A transport for queue depth N opens ceil(N/16) fds on the
same node and spreads commands over them.

Why so few buffers: the driver copies the header and the CDB into the kernel during
``write()``, so one header buffer and one CDB buffer per fd serve every command sent on
it. Sense data and data-in are copied out during ``read()`` to the addresses given at
submission: data goes straight into the Io's own buffer; sense goes into one buffer per
fd, copied out right after each ``read()`` (reads on an fd never overlap). Nothing is
allocated per command except the sense bytes of a command that returned sense.

Completions come back in any order; each carries the ``pack_id`` it was sent with, a
per-transport counter, which finds its Io. The channel has each one judged as soon as it
is read (:meth:`SgTransport.reap_each`), so a done callback that sends the next command
does so before the next ``read()``, as a C write/poll/read loop refills a slot.

How the data moves (``io_mode``, per transport or per command; sg.c, Linux 6.1):

* ``"indirect"`` (the default): the driver copies between the caller's buffer and a
  kernel buffer, data-out during ``write()``/SG_IO, data-in during ``read()``/SG_IO. Data
  to send is read where the caller has it (nothing is copied in Python).
* ``"mmap"`` (SG_FLAG_MMAP_IO): the data lives in the fd's *reserved buffer*, which the
  process maps once (``mmap()`` of the fd; SG_SET_RESERVED_SIZE sizes it, and can no longer
  once it is mapped: EBUSY). Nothing is copied for data-in: ``io.view`` shows the mapping.
  One fd has one reserved buffer, so at most one mmap'd command is in flight per fd
  (another gets EBUSY); a transport opened with ``io_mode="mmap"`` opens one fd per queue
  slot, and sends an mmap'd command only on an fd that holds nothing else.
* ``"direct"`` (SG_FLAG_DIRECT_IO): the device's DMA goes to the caller's pages. The
  driver honours it only when /sys/module/sg/parameters/allow_dio is 1 and the buffer's
  address and length are aligned for the queue (512 bytes by default); otherwise it moves
  the data indirectly. ``io.hdr.info & SG_INFO_DIRECT_IO_MASK`` says which happened. Data
  buffers of 64 KiB or more that sgframe allocates are page-aligned.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import io as _io
import mmap
import os
import stat
import struct
import threading
from typing import TYPE_CHECKING, Any, Callable

from .. import errors
from ..cdb import Direction
from ..io import IO_MODES, SENSE_BUFFER_SIZE, Input, NoDirectionIo, Output
from ..linux import sg as sgdev
from .base import Transport

if TYPE_CHECKING:
    from ..io import Io

__all__ = ["SgTransport", "open_sg"]

# struct sg_io_hdr in native layout, field by field as in include/scsi/sg.h. The struct
# module pads like the C compiler except at the end: the kernel wants all 88 bytes.
_HEADER = struct.Struct(sgdev.SG_IO_HDR_FORMAT)
# The fields the caller fills in (interface_id .. usr_ptr): the driver reads only these
# from a header handed to it and sets every field after them, so they are all a command
# packs (a third less time than packing all 22).
_INPUT = struct.Struct("@" + "".join(code for _, code in sgdev.SG_IO_HDR_FIELDS[:13]))
assert sgdev.SG_IO_HDR_FIELDS[12][0] == "usr_ptr"
_HEADER_SIZE = sgdev.SG_IO_HDR_SIZE
_REPLY_TEMPLATE = struct.Struct("@ii")  # interface_id, dxfer_direction
_OUTPUT = struct.Struct("@BBBBHHiII")
_OUTPUT_OFFSET = sgdev.SgIoHdr.status.offset
_PACK_ID = struct.Struct("@i")
_PACK_ID_OFFSET = sgdev.SgIoHdr.pack_id.offset
_FLAGS_OFFSET = sgdev.SgIoHdr.flags.offset
_FLAGS_FIELD = struct.Struct("@I")
assert _HEADER.size <= _HEADER_SIZE and _OUTPUT_OFFSET + _OUTPUT.size <= _HEADER_SIZE

_DXFER = {
    Direction.NONE: sgdev.SG_DXFER_NONE,
    Direction.IN: sgdev.SG_DXFER_FROM_DEV,
    Direction.OUT: sgdev.SG_DXFER_TO_DEV,
}
# The same keyed by the Io's class: hashing a type is a pointer, hashing an Enum member
# a Python call (measured at 3% of a 4 KiB command).
_DXFER_BY_CLASS = {NoDirectionIo: sgdev.SG_DXFER_NONE, Input: sgdev.SG_DXFER_FROM_DEV,
                   Output: sgdev.SG_DXFER_TO_DEV}
_FLAGS = {"indirect": 0, "direct": sgdev.SG_FLAG_DIRECT_IO, "mmap": sgdev.SG_FLAG_MMAP_IO, None: 0}
#: The reserved buffer an fd maps for mmap'd commands when nothing larger is asked for.
DEFAULT_MMAP_SIZE = 1 << 20
_SENSE_SIZE = SENSE_BUFFER_SIZE
_CDB_SIZE = 260
_INTERFACE_ID = sgdev.SG_INTERFACE_ID_ORIG
_GONE = sgdev.DEVICE_GONE_ERRNOS


def _address(buf: bytearray | ctypes.Array) -> tuple[object, int]:
    """Pin a buffer and return (the object holding the pin, its address)."""
    if not len(buf):
        return None, 0
    pinned = sgdev.pin(buf)
    return pinned, ctypes.addressof(pinned)


def open_sg(path: str, *, nonblocking: bool = True, read_only: bool = False) -> int:
    """Open an sg node, turning the errno into a message that says what to do."""
    flags = (os.O_RDONLY if read_only else os.O_RDWR) | os.O_CLOEXEC
    if nonblocking:
        flags |= os.O_NONBLOCK
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise errors.for_errno(exc, path) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISCHR(mode) or os.major(os.fstat(fd).st_rdev) != sgdev.SCSI_GENERIC_MAJOR:
            raise errors.UsageError(
                f"{path} is not an sg node (character device, major {sgdev.SCSI_GENERIC_MAJOR}): "
                "give /dev/sgN, /dev/sdX or H:C:T:L"
            )
    except BaseException:
        os.close(fd)
        raise
    return fd


class _Lane:
    """One open fd of the transport, with its reusable header, CDB and sense buffers."""

    __slots__ = ("fd", "held", "header", "reply", "readinto", "cdb", "cdb_address", "sense",
                 "sense_address", "_pins", "map", "map_view", "map_busy")

    def __init__(self, fd: int) -> None:
        self.fd = fd
        # FileIO.readinto answers EAGAIN with None instead of raising: reaping ends on
        # EAGAIN once per batch, and an exception there costs more than the read.
        self.readinto = _io.FileIO(fd, "rb", closefd=False).readinto
        self.held = 0  # requests the driver holds for this fd (at most 16)
        self.header = bytearray(_HEADER_SIZE)
        self.reply = bytearray(_HEADER_SIZE)
        self.cdb = bytearray(_CDB_SIZE)
        self.sense = bytearray(_SENSE_SIZE)
        cdb_pin, self.cdb_address = _address(self.cdb)
        sense_pin, self.sense_address = _address(self.sense)
        self._pins = (cdb_pin, sense_pin)
        self.map: mmap.mmap | None = None  # the fd's reserved buffer, once mapped
        self.map_view: memoryview | None = None
        self.map_busy = False  # an mmap'd command holds the reserved buffer
        # read() must see a negative dxfer_direction at offset 4 to parse a v3 header;
        # the rest of the buffer is zeros, and read() overwrites it.
        _REPLY_TEMPLATE.pack_into(self.reply, 0, _INTERFACE_ID, sgdev.SG_DXFER_NONE)

    def mapped(self, length: int, size: int | None, name: str) -> memoryview:
        """The fd's reserved buffer, mapped (the first time: sized, then mapped)."""
        if self.map is None:
            want = max(length, size or DEFAULT_MMAP_SIZE)
            want = -(-want // mmap.PAGESIZE) * mmap.PAGESIZE
            try:
                if sgdev.reserved_size(self.fd) < want:
                    sgdev.set_reserved_size(self.fd, want)
                # The driver may give less than asked (capped at the queue's max_sectors).
                got = sgdev.reserved_size(self.fd)
                self.map = mmap.mmap(self.fd, got, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            except OSError as exc:
                raise errors.DriverError(f"{name}: cannot map the sg reserved buffer: {exc.strerror}",
                                         device=name) from None
            self.map_view = memoryview(self.map)
        if length > len(self.map):
            raise errors.UsageError(
                f"{name}: an mmap'd command moves at most {len(self.map)} bytes here (the fd's reserved "
                f"buffer, fixed once mapped, which the driver caps at the queue's max_sectors_kb); this one "
                f"moves {length}: give mmap_size= when opening, raise /sys/block/*/queue/max_sectors_kb, "
                "or use io_mode='indirect'")
        return self.map_view  # type: ignore[return-value]

    def unmap(self) -> None:
        if self.map is not None:
            view, self.map_view = self.map_view, None
            if view is not None:
                view.release()
            try:
                self.map.close()
            except BufferError:
                pass  # a caller still holds a view of it: it goes with the last view
            self.map = None


class SgTransport(Transport):
    """Commands to one /dev/sgN node.

    :param path: the sg node.
    :param queue_depth: commands in flight at once; opens ceil(queue_depth / 16) fds.
    :param fd: use this already open fd (the caller keeps ownership; queue depth 16).
    :param io_mode: how data moves by default: "indirect", "mmap" (then one fd per queue
        slot: one mmap'd command per fd) or "direct" (see the module docstring).
    :param mmap_size: bytes of each fd's reserved buffer for mmap'd commands (default
        1 MiB or the first mmap'd command's length, whichever is larger).
    """

    def __init__(self, path: str | None = None, *, queue_depth: int = 16, fd: int | None = None,
                 read_only: bool = False, io_mode: str = "indirect", mmap_size: int | None = None) -> None:
        super().__init__()
        if not isinstance(queue_depth, int) or queue_depth < 1:
            raise errors.UsageError(f"queue_depth must be an int >= 1, got {queue_depth!r}")
        if io_mode not in IO_MODES:
            raise errors.UsageError(f"io_mode={io_mode!r}: use one of {', '.join(IO_MODES)}")
        if mmap_size is not None and (mmap_size.__class__ is not int or mmap_size < 1):
            raise errors.UsageError(f"mmap_size is a positive number of bytes, not {mmap_size!r}")
        #: The default io_mode of commands that name none.
        self.io_mode = io_mode
        self.mmap_size = mmap_size
        self._mmap_sync: list[_Lane] = []  # lanes (each its own fd) for synchronous mmap'd commands
        self._owned = fd is None
        self._lock = threading.Lock()
        self._lanes: list[_Lane] = []
        self._by_fd: dict[int, _Lane] = {}
        self._pending: dict[int, tuple[Io, _Lane]] = {}
        self._next_id = 0
        self._sync_pool: list[_Lane] = []
        # fd -> how many synchronous lanes use it (at most 16 each: SG_MAX_QUEUE).
        self._sync_fds: dict[int, int] = {}
        if fd is not None:
            self.name = path or f"fd {fd}"
            fds = [fd]
            queue_depth = min(queue_depth, sgdev.SG_MAX_QUEUE)
        else:
            if path is None:
                raise errors.UsageError("give the sg node's path or an open fd")
            self.name = path
            fds = []
            try:
                # mmap: one reserved buffer per fd, so one fd per command in flight.
                lanes = queue_depth if io_mode == "mmap" else -(-queue_depth // sgdev.SG_MAX_QUEUE)
                for _ in range(lanes):
                    fds.append(open_sg(path, read_only=read_only))
            except BaseException:
                for opened in fds:
                    os.close(opened)
                raise
        self._depth = queue_depth
        for each in fds:
            lane = _Lane(each)
            self._lanes.append(lane)
            self._by_fd[each] = lane
        # Synchronous SG_IO gets fds of its own when we open the node ourselves: it counts
        # against the same 16 requests per fd, and must not fail with EDOM because
        # asynchronous commands fill the others. Each concurrent synchronous caller (a
        # thread) holds one lane; every 16 lanes get another fd, so 64 threads on one
        # channel need 4 and none fails.
        if not self._owned:
            self._sync_fds[fds[0]] = 0
        self._read_only = read_only
        self.max_transfer = _host_limit(self.name)

    # --- the interface ----------------------------------------------------------------

    @property
    def depth(self) -> int:
        return self._depth

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    def fds(self) -> tuple[int, ...]:
        return tuple(self._by_fd)

    def execute(self, io: Io) -> None:
        """SG_IO: the kernel sends the command and sleeps until it completes."""
        cdb = io.cdb
        # As in submit(): the Io's class says the direction, _direction() the rest.
        direction = _DXFER_BY_CLASS.get(io.__class__)
        if direction is None or len(cdb) > sgdev.SG_MAX_CDB_SIZE:
            direction = _direction(io)
        mode = io.io_mode or self.io_mode
        if mode == "mmap" and io.length:
            self._execute_mmap(io, direction)
            return
        state = io.transport_state
        if state is not None and state[0] is io.buffer and io.length:
            data_address = state[2]  # pinned before: a reused or pooled buffer
        else:
            data_address = _data_address(io)
        # One lane per concurrent synchronous caller (threads may share a transport);
        # list.pop and list.append are atomic, so the pool needs no lock.
        pool = self._sync_pool
        lane = pool.pop() if pool else _Lane(self._synchronous_fd(io))
        try:
            lane.cdb[: len(cdb)] = cdb
            header = lane.header
            _INPUT.pack_into(
                header, 0, _INTERFACE_ID, direction, len(cdb), _SENSE_SIZE, 0, io.length,
                data_address, lane.cdb_address, lane.sense_address,
                io.timeout, _FLAGS[mode], 0, 0,
            )
            try:
                fcntl.ioctl(lane.fd, sgdev.SG_IO, header, True)
            except OSError as exc:
                raise self._os_error(exc, io) from None
            _fill(io, header, lane.sense)
            if io.hdr.host_status in _MAYBE_GONE and not self._present():
                io.transport_error = self._gone_error(io)
        finally:
            pool.append(lane)
            if len(pool) > 64:
                # More lanes than threads will want again: free one, with its fd share.
                extra = pool.pop(0)
                with self._lock:
                    if extra.fd in self._sync_fds:
                        self._sync_fds[extra.fd] -= 1

    def _execute_mmap(self, io: Io, direction: int) -> None:
        """SG_IO of an mmap'd command, on an fd of its own (one reserved buffer per fd)."""
        if not self._owned:
            raise errors.UsageError(f"{self.name}: synchronous mmap'd commands need fds of their own; "
                                    "open the channel by path")
        pool = self._mmap_sync
        lane = pool.pop() if pool else None
        if lane is None:
            if not self._lanes:
                raise errors.DeviceGone(f"{io.command.NAME} on {self.name}: the device is gone or the channel closed",
                                        command=io.command.NAME, device=self.name)
            try:
                lane = _Lane(open_sg(self.name, nonblocking=False, read_only=self._read_only))
            except errors.DeviceOpenError as failure:
                raise errors.DeviceGone(f"{io.command.NAME} on {self.name}: the device is gone",
                                        command=io.command.NAME, device=self.name,
                                        errno=failure.errno) from None
        try:
            view = lane.mapped(io.length, self.mmap_size, self.name)
            if direction == sgdev.SG_DXFER_TO_DEV:
                _copy_out(view, io)
            cdb = io.cdb
            lane.cdb[: len(cdb)] = cdb
            header = lane.header
            _INPUT.pack_into(
                header, 0, _INTERFACE_ID, direction, len(cdb), _SENSE_SIZE, 0, io.length,
                0, lane.cdb_address, lane.sense_address,
                io.timeout, sgdev.SG_FLAG_MMAP_IO, 0, 0,
            )
            try:
                fcntl.ioctl(lane.fd, sgdev.SG_IO, header, True)
            except OSError as exc:
                raise self._os_error(exc, io) from None
            _fill(io, header, lane.sense)
            if direction == sgdev.SG_DXFER_FROM_DEV:
                _mapped_in(io, view)
        finally:
            if self._lanes:
                pool.append(lane)
            else:
                lane.unmap()
                os.close(lane.fd)

    def submit(self, io: Io) -> bool:
        if not self._lanes:
            raise errors.DeviceGone(f"{io.command.NAME} on {self.name}: the device is gone or the channel closed",
                                    command=io.command.NAME, device=self.name)
        # The Io's class says the direction (a type hashes as a pointer); _direction()
        # checks the CDB length and explains what sg cannot carry.
        cdb = io.cdb
        direction = _DXFER_BY_CLASS.get(io.__class__)
        if direction is None or len(cdb) > sgdev.SG_MAX_CDB_SIZE:
            direction = _direction(io)
        mode = io.io_mode or self.io_mode
        # No lock here or in reap(): the channel calls both under its reactor's lock.
        if mode == "mmap" and io.length:
            lane = self._free_mmap_lane()
            if lane is None:
                return False
            view = lane.mapped(io.length, self.mmap_size, self.name)
            if direction == sgdev.SG_DXFER_TO_DEV:
                _copy_out(view, io)
            data_address = 0
        else:
            state = io.transport_state
            if state is not None and state[0] is io.buffer and io.length:
                data_address = state[2]  # pinned before: a reused or pooled buffer
            else:
                data_address = _data_address(io)
            lanes = self._lanes
            if len(lanes) == 1:
                # One fd (queue depth 16 or less): no choice to make, only room to check.
                lane = lanes[0]
                if lane.held >= sgdev.SG_MAX_QUEUE or len(self._pending) >= self._depth:
                    return False
            else:
                lane = self._free_lane()
                if lane is None:
                    return False
        pack_id = self._next_id
        self._next_id = (pack_id + 1) & 0x7FFFFFFF
        lane.cdb[: len(cdb)] = cdb
        _INPUT.pack_into(
            lane.header, 0, _INTERFACE_ID, direction, len(cdb), _SENSE_SIZE, 0, io.length,
            data_address, lane.cdb_address, lane.sense_address,
            io.timeout, _FLAGS[mode] if io.length else 0, pack_id, 0,
        )
        try:
            os.write(lane.fd, lane.header)
        except OSError as exc:
            raise self._os_error(exc, io) from None
        lane.held += 1
        if data_address == 0 and io.length:
            lane.map_busy = True
        self._pending[pack_id] = (io, lane)
        return True

    def reap(self, fd: int) -> list[Io]:
        lane = self._by_fd.get(fd)
        done: list[Io] = []
        if lane is None:
            return done
        while lane.held:
            io = self._read_one(lane)
            if io is None:
                break
            done.append(io)
        return done

    def reap_each(self, fd: int, complete: Callable[[Io], Any]) -> int:
        """Read the completions ready on ``fd``, handing each to ``complete`` as soon as it
        is read, before the next ``read()``; returns how many.

        Why one at a time: a done callback that sends the next command (a loop that keeps
        N commands in flight) sends it at once, as a C write/poll/read loop refills each
        slot, instead of after the whole batch; the kernel then frees one data buffer and
        allocates the next while its pages are still in the cache, and fewer Ios (and their
        buffers) are alive at once. And when the device has answered that new command
        already (scsi_debug with delay=0, a fast SSD), its completion is read in this same
        call, without another pass of the reactor (epoll_wait, and the clock it reads).

        It stops on EAGAIN, when the fd holds nothing, after :attr:`REAP_BUDGET`
        completions (one busy fd does not keep the others and the timers waiting: the fd
        stays readable and the reactor comes back to it), or when a completion closed the
        transport. A completion that raises (a handler's KeyboardInterrupt) is raised once
        the completions the fd held when it raised have been handed on, as :meth:`reap`'s
        caller does with a batch."""
        lane = self._by_fd.get(fd)
        if lane is None:
            return 0
        count = 0
        limit = self.REAP_BUDGET
        raised: BaseException | None = None
        while lane.held and count < limit:
            io = self._read_one(lane)
            if io is None:
                break
            count += 1
            try:
                complete(io)
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                if raised is None:
                    raised = exc
                    limit = count + lane.held  # what was sent before it raised, no more
            if self._by_fd.get(fd) is not lane:
                break  # a callback closed the channel (detach() makes a new map) or the device went away
        if raised is not None:
            raise raised
        return count

    #: Completions :meth:`reap_each` reads from one fd per call at most.
    REAP_BUDGET = 64

    def _read_one(self, lane: _Lane) -> Io | None:
        """The next completion on the lane, filled in; None when nothing is ready."""
        reply = lane.reply
        try:
            if lane.readinto(reply) is None:
                return None  # EAGAIN: nothing more is ready
        except OSError as exc:
            if exc.errno in _GONE:
                return None  # the reactor sees POLLHUP and calls detach()
            raise
        lane.held -= 1
        (pack_id,) = _PACK_ID.unpack_from(reply, _PACK_ID_OFFSET)
        io, _ = self._pending.pop(pack_id)
        _fill(io, reply, lane.sense)
        if lane.map_busy and _FLAGS_FIELD.unpack_from(reply, _FLAGS_OFFSET)[0] & sgdev.SG_FLAG_MMAP_IO:
            lane.map_busy = False
            if io.DIRECTION is Direction.IN:
                _mapped_in(io, lane.map_view)
        if io.hdr.host_status in _MAYBE_GONE and not self._present():
            io.transport_error = self._gone_error(io)
        return io

    def detach(self) -> list[Io]:
        with self._lock:
            lost = [io for io, _ in self._pending.values()]
            self._pending.clear()
            lanes, self._lanes, self._by_fd = self._lanes, [], {}
            sync_fds, self._sync_fds = list(self._sync_fds), {}
            self._sync_pool.clear()
        mapped, self._mmap_sync = self._mmap_sync, []
        for lane in lanes + mapped:
            lane.unmap()
        if self._owned:
            for lane in lanes + mapped:
                os.close(lane.fd)
            for fd in sync_fds:
                os.close(fd)
        return lost

    def _synchronous_fd(self, io: Io | None = None) -> int:
        """An fd for one more synchronous lane: one with fewer than 16 lanes, or a new one."""
        with self._lock:
            if not self._lanes:
                raise errors.DeviceGone(f"{self.name} is closed or gone", device=self.name,
                                        command=io.command.NAME if io is not None else None)
            for fd, lanes in self._sync_fds.items():
                if lanes < sgdev.SG_MAX_QUEUE:
                    self._sync_fds[fd] = lanes + 1
                    return fd
            if not self._owned:
                raise errors.UsageError(f"{self.name}: a caller's fd holds 16 commands at most; "
                                        "open the channel by path for more concurrent threads")
            try:
                fd = open_sg(self.name, nonblocking=False, read_only=self._read_only)
            except errors.DeviceOpenError as failure:
                # The node was there when the channel opened: now it is not, so the device
                # went away (a LUN delete), which is DeviceGone like every other command's.
                if failure.errno in (errno.ENOENT, *_GONE):
                    raise errors.DeviceGone(
                        f"{io.command.NAME + ' on ' if io is not None else ''}{self.name}: the device is gone "
                        f"({errno.errorcode.get(failure.errno, failure.errno)})",
                        device=self.name, errno=failure.errno,
                        command=io.command.NAME if io is not None else None) from None
                raise
            self._sync_fds[fd] = 1
            return fd

    def reset(self, kind: str) -> None:
        """SG_SCSI_RESET of the given kind (device, target, bus, host).

        :raises ResetFailed: the driver refused or could not do it (``errno`` says why).
        """
        fd = self._synchronous_fd()
        try:
            sgdev.reset(fd, kind)
        except OSError as exc:
            raise errors.ResetFailed(exc.errno, f"{self.name}: the {kind} reset failed: "
                                     f"{_RESET_ERRORS.get(exc.errno, exc.strerror or '')} "
                                     f"({errno.errorcode.get(exc.errno, exc.errno)})", self.name) from None
        finally:
            with self._lock:
                if fd in self._sync_fds:
                    self._sync_fds[fd] -= 1

    def _present(self) -> bool:
        """Is the device still there? While Linux deletes it, its SCSI device state is
        "cancel" then "deleted"; afterwards sysfs no longer has the sg class device."""
        if not self.name.startswith("/dev/sg"):
            return True
        try:
            with open(_sysfs_node(self.name) + "/device/state") as f:
                return f.read().strip() not in _DELETING
        except OSError:
            return False

    def _gone_error(self, io: Io) -> errors.DeviceGone:
        return errors.DeviceGone(
            f"{io.command.NAME} on {self.name}: the device is gone (host status "
            f"{io.hdr.host_status:#x} while sysfs no longer lists it)",
            command=io.command.NAME, device=self.name, status=io.hdr.status,
            host_status=io.hdr.host_status, driver_status=io.hdr.driver_status,
        )

    # --- helpers ----------------------------------------------------------------------

    def _free_mmap_lane(self) -> _Lane | None:
        # An fd that holds nothing: its reserved buffer may be lent to an indirect command
        # that fits in it (sg_link_reserve), and an mmap'd command then fails with EBUSY.
        if len(self._pending) >= self._depth:
            return None
        for lane in self._lanes:
            if not lane.held:
                return lane
        return None

    def _free_lane(self) -> _Lane | None:
        if len(self._pending) >= self._depth:
            return None
        best = None
        for lane in self._lanes:
            if lane.held < sgdev.SG_MAX_QUEUE and (best is None or lane.held < best.held):
                best = lane
        return best

    def _os_error(self, exc: OSError, io: Io) -> Exception:
        """What a failed write()/SG_IO means, for the command that was being sent."""
        name = errno.errorcode.get(exc.errno, str(exc.errno)) if exc.errno is not None else "?"
        if exc.errno in _GONE:
            return errors.DeviceGone(f"{io.command.NAME} on {self.name}: the device is gone ({name})",
                                     command=io.command.NAME, device=self.name, errno=exc.errno)
        why = _SUBMIT_ERRORS.get(exc.errno, exc.strerror or "")
        return errors.DriverError(
            f"{io.command.NAME} on {self.name}: the sg driver refused the command: {name} ({why})",
            command=io.command.NAME, device=self.name,
        )


# Host bytes a command gets while its device is being deleted: DID_NO_CONNECT once the
# device is no longer running, DID_ERROR for commands caught mid-teardown (measured: 464
# of 560 synchronous commands during a LUN delete). Only then is sysfs asked whether the
# device is still there, so a DID_ERROR on a live device stays a HostError.
_MAYBE_GONE = frozenset({0x01, 0x07})


# scsi_sysfs.c's names for SDEV_CANCEL and SDEV_DEL.
_DELETING = frozenset({"cancel", "deleted"})


def _sysfs_node(path: str) -> str:
    return "/sys/class/scsi_generic/" + os.path.basename(path)


def _host_limit(path: str) -> int:
    """The most bytes one command may move on this node: sg's 256 MiB, or the host's
    max_hw_sectors_kb where sysfs says (requests above it fail in the block layer)."""
    limit = Transport.max_transfer
    try:
        with open(_sysfs_node(path) + "/device/block/" + os.listdir(_sysfs_node(path) + "/device/block")[0]
                  + "/queue/max_hw_sectors_kb") as f:
            limit = min(limit, int(f.read()) * 1024)
    except (OSError, ValueError, IndexError):
        pass  # no block device (an enclosure, a tape) or no sysfs: sg's own limit
    return limit


# What SG_SCSI_RESET answers when it fails (sg.c, scsi_ioctl_reset; Linux 6.1).
_RESET_ERRORS = {
    errno.EBUSY: "a reset or error recovery is already in progress",
    errno.EIO: "the host's error handler could not do it (this reset may not be available on this host)",
    errno.ENODEV: "the device is gone",
    errno.EACCES: "it needs CAP_SYS_ADMIN (root)",
    errno.EINVAL: "this reset kind is not known to the driver",
}


# What sg.c's sg_new_write/sg_common_write answer, in words (Linux 6.1).
_SUBMIT_ERRORS = {
    errno.EINVAL: "a field of the sg_io_hdr is out of range, e.g. dxfer_len of 256 MiB or more",
    errno.EMSGSIZE: "the CDB is shorter than 6 or longer than 252 bytes",
    errno.EDOM: "the fd already holds 16 requests",
    errno.EPERM: "the command is not allowed on a read-only fd",
    errno.ENOMEM: "no kernel memory for the data buffer",
    errno.EFAULT: "a buffer address is bad",
    errno.EINTR: "interrupted by a signal; the command may still run",
}


def _direction(io: Io) -> int:
    if len(io.cdb) > sgdev.SG_MAX_CDB_SIZE:
        raise errors.UsageError(f"{io.command.NAME}: the sg driver takes CDBs of 6 to {sgdev.SG_MAX_CDB_SIZE} bytes, "
                                f"this one has {len(io.cdb)}")
    direction = _DXFER_BY_CLASS.get(io.__class__)
    if direction is not None:
        return direction
    try:
        return _DXFER[io.DIRECTION]
    except KeyError:
        raise errors.UsageError(
            f"{io.command.NAME}: the sg v3 interface has no bidirectional data path; use the bsg transport"
        ) from None


def _data_address(io: Io) -> int:
    if not io.length:
        return 0
    state = io.transport_state
    if state is None or state[0] is not io.buffer:
        # Any buffer: the Io's own, a pooled one, or the caller's (data to send, buffer=),
        # read-only ones included; the pin keeps it in place while the Io holds it.
        pin, address = sgdev.pin_any(io.buffer)
        state = io.transport_state = (io.buffer, pin, address)
    return state[2]


def _copy_out(view: memoryview, io: Io) -> None:
    """The data to send into the mapped reserved buffer: the one copy. Sliced as a
    memoryview, since a slice of bytes, a bytearray or an mmap is a copy of its own."""
    view[: io.length] = memoryview(io.buffer)[: io.length]


def _mapped_in(io: Io, view: memoryview) -> None:
    """Data-in of an mmap'd command is in the fd's reserved buffer: a caller's buffer=
    gets one copy of it, otherwise the Io shows the mapping itself (no copy)."""
    if io.borrowed and len(io.buffer) >= io.length:
        n = max(0, io.length - io.hdr.resid)
        io.buffer[:n] = view[:n]
    else:
        io.lend(view, io.length)


def _fill(io: Io, header: bytearray, sense: bytearray) -> None:
    status, _, _, sb_len_wr, host, driver, resid, duration, info = _OUTPUT.unpack_from(header, _OUTPUT_OFFSET)
    hdr = io.hdr
    hdr.status = status
    hdr.host_status = host
    hdr.driver_status = driver
    hdr.resid = resid
    hdr.duration = duration
    hdr.info = info
    hdr.sense = bytes(sense[:sb_len_wr]) if sb_len_wr else b""
