"""EmulatedDisk: an in-process SBC disk that answers CDBs with data and sense.

No file descriptors and no threads: :meth:`EmulatedDisk.respond` takes the CDB, the
data-out bytes and the size of the data-in buffer and returns a
:class:`~sgframe.emu.reply.Reply`.  The emu transport wraps it; tests and plugins use
it directly.

Choices a user of sg3_utils would care about:

* A new disk starts *clean*: the first TEST UNIT READY is GOOD.  A real disk reports
  POWER ON OCCURRED once after power-up, but on Linux the SCSI mid-layer consumes it
  while it scans the device, so what a program opening /dev/sgN sees is a clean unit.
  Pass ``unit_attention=True`` to get the power-on UNIT ATTENTION (29h/01h) anyway.
* :meth:`EmulatedDisk.reset` behaves like a LOGICAL UNIT RESET: every I_T nexus gets
  one UNIT ATTENTION, POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (29h/00h), and
  SPC-2 reservations are released; persistent reservations survive (SPC-5 5.14.9).
* INQUIRY and REPORT LUNS never report or clear a pending UNIT ATTENTION, and
  REQUEST SENSE returns it as its sense data (SAM-5 5.14, SPC-5 6.39).
* Writing a block clears an injected medium error on it, as a disk reallocates a
  pending bad sector on write; FORMAT UNIT and SANITIZE clear them all.
* A data-out buffer shorter than the CDB announces ends in ABORTED COMMAND, DATA
  PHASE ERROR (4Bh/00h); extra data-out bytes are ignored.
"""
from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Set, Tuple, Union

import attrs

from sgframe.emu import sense as _sense
from sgframe.emu import table as _table
from sgframe.emu.medium import SparseMedium
from sgframe.emu.reply import Reply, Request, check_condition
from sgframe.errors import UsageError

if TYPE_CHECKING:
    from sgframe.emu.copy_manager import CopyManager
    from sgframe.emu.depopulation import Elements
    from sgframe.emu.faults import Fault
    from sgframe.emu.logs import LogState
    from sgframe.emu.security import ComIds
    from sgframe.emu.modes import ModePages
    from sgframe.emu.zoned import Zones

# Commands that never see a pending UNIT ATTENTION (SAM-5 5.14).
_UA_EXEMPT = frozenset((0x12, 0xA0, 0x03))

# Commands that change the medium, refused while it is write protected (SBC-4 4.11):
# WRITE, WRITE AND VERIFY, WRITE SAME, UNMAP, COMPARE AND WRITE, ORWRITE, WRITE ATOMIC,
# WRITE LONG, FORMAT UNIT, SANITIZE, REASSIGN BLOCKS; WRITE(32), WRITE LONG(16) and
# REMOVE ELEMENT AND TRUNCATE by service action.
_MEDIUM_WRITES = frozenset((0x0A, 0x2A, 0xAA, 0x8A, 0x2E, 0xAE, 0x8E, 0x41, 0x93, 0x42, 0x89, 0x8B, 0x9C,
                            0x3F, 0x04, 0x48, 0x07))


def _writes_medium(cdb: bytes) -> bool:
    if cdb[0] in _MEDIUM_WRITES:
        return True
    if cdb[0] == 0x7F:
        return len(cdb) > 9 and cdb[8:10] == b"\x00\x0b"
    if len(cdb) < 2:
        return False
    # WRITE LONG(16); REMOVE ELEMENT AND TRUNCATE, which discards the blocks past its end.
    return (cdb[0], cdb[1] & 0x1F) in ((0x9F, 0x11), (0x9E, 0x18))

_serials = itertools.count(1)

BUFFER_CAPACITY = 64 * 1024


def _check_int(name: str, value: object, low: int, high: Optional[int] = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"{name} must be an int, not {value!r}")
    if value < low or (high is not None and value > high):
        allowed = f"{low}..{high}" if high is not None else f">= {low}"
        raise UsageError(f"{name}={value} is out of range (allowed: {allowed})")
    return value


def _physical_block_exponent(block_size: int, physical_block_size: Optional[int]) -> int:
    """LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT: physical = logical x 2**exponent."""
    if physical_block_size is None:
        return 0
    allowed = [block_size << n for n in range(16)]
    if physical_block_size not in allowed:
        raise UsageError(f"physical_block_size={physical_block_size!r} is not block_size={block_size} times a "
                         f"power of two (allowed: {allowed[0]}, {allowed[1]}, {allowed[2]} ... {allowed[-1]})")
    return allowed.index(physical_block_size)


def _check_ascii(name: str, value: object, width: int) -> str:
    if not isinstance(value, str) or not value.isascii() or len(value) > width or not value.isprintable():
        raise UsageError(f"{name} must be printable ASCII of at most {width} characters, not {value!r}")
    return value


def _asks_capacity(cdb: bytes) -> bool:
    """READ CAPACITY(10) or (16): without a medium there is no capacity to report (SBC-4 5.20)."""
    return cdb[0] == 0x25 or (cdb[0] == 0x9E and len(cdb) > 1 and cdb[1] & 0x1F == 0x10)


class EmulatedDisk:
    """An SBC-4 direct-access block device (or a ZBC host-managed one) in memory.

    :param blocks: number of logical blocks (1 .. 2**64 - 1; the medium is sparse).
    :param block_size: logical block length in bytes (512 .. 65536, a multiple of 4).
    :param physical_block_size: physical block length in bytes: ``block_size`` times a
        power of two up to 2**15 (READ CAPACITY(16) LOGICAL BLOCKS PER PHYSICAL BLOCK
        EXPONENT); writes that split a physical block are counted in the LPS misalignment
        log page (15h/03h).  By default ``block_size``.
    :param vendor: T10 vendor identification (8 ASCII characters at most).
    :param product: product identification (16 at most).
    :param revision: product revision level (4 at most).
    :param serial: unit serial number (VPD page 80h); a new one per disk by default.
    :param lbpu: thin provisioned, with UNMAP; WRITE SAME may unmap too.
    :param dsense: start with D_SENSE=1 in the control mode page (descriptor sense).
    :param write_cache: initial WCE bit of the caching mode page.
    :param unit_attention: start with a pending POWER ON OCCURRED unit attention.
    :param zoned: a host-managed zoned disk (ZBC; peripheral device type 14h).
    :param zone_size: zone length in blocks (zoned disks only).
    :param conventional_zones: how many leading zones are conventional.
    :param max_open_zones: the MAXIMUM NUMBER OF OPEN SEQUENTIAL WRITE REQUIRED ZONES.
    :param max_transfer_length: MAXIMUM TRANSFER LENGTH in blocks (VPD page B0h).
    :param removable: RMB=1: START STOP UNIT with LOEJ ejects and loads the medium.
    :param alua: ``"implicit"`` (TPGS=01b, one group always active/optimized) or
        ``"explicit"`` (TPGS=11b, SET TARGET PORT GROUPS sets the state; :mod:`sgframe.emu.alua`).
    :param protection: 0, or the DIF type (1, 2, 3) the medium is formatted with
        (:mod:`sgframe.emu.protection`).
    :param urswrz: zoned disks only: False refuses reads past a write pointer (URSWRZ=0).
    :param write_protect: WP=1 in the mode parameter header; commands that change the
        medium end in DATA PROTECT, WRITE PROTECTED (27h/00h).
    :param storage_elements: how many storage elements (heads) share the logical blocks,
        for GET PHYSICAL ELEMENT STATUS and REMOVE ELEMENT AND TRUNCATE
        (:mod:`sgframe.emu.depopulation`); 4 by default (fewer on a disk of fewer blocks).
    :param zone_domains: zoned disks only: two zone domains (conventional, sequential
        write required) over realms, with ZONE ACTIVATE (:mod:`sgframe.emu.zone_domains`).
    """

    def __init__(
        self,
        blocks: int = 2**21,
        block_size: int = 512,
        *,
        physical_block_size: Optional[int] = None,
        vendor: str = "SGFRAME",
        product: str = "EMU DISK",
        revision: str = "0001",
        serial: Optional[str] = None,
        lbpu: bool = True,
        dsense: bool = False,
        write_cache: bool = True,
        unit_attention: bool = False,
        zoned: bool = False,
        zone_size: Optional[int] = None,
        conventional_zones: int = 0,
        max_open_zones: int = 8,
        max_transfer_length: int = 65536,
        removable: bool = False,
        alua: str = "implicit",
        protection: int = 0,
        write_protect: bool = False,
        urswrz: bool = True,
        storage_elements: Optional[int] = None,
        zone_domains: bool = False,
    ) -> None:
        self.blocks = _check_int("blocks", blocks, 1, 2**64 - 1)
        self.block_size = _check_int("block_size", block_size, 512, 65536)
        if block_size % 4:
            raise UsageError(f"block_size={block_size} is not a multiple of 4")
        self.lbppbe = _physical_block_exponent(self.block_size, physical_block_size)
        self.vendor = _check_ascii("vendor", vendor, 8)
        self.product = _check_ascii("product", product, 16)
        self.revision = _check_ascii("revision", revision, 4)
        if serial is None:
            serial = f"EMU{next(_serials):08d}"
        self.serial = _check_ascii("serial", serial, 20)
        self.max_transfer_length = _check_int("max_transfer_length", max_transfer_length, 1, 0xFFFFFFFF)
        self.zoned = bool(zoned)
        # A host-managed zoned disk has no UNMAP: RESET WRITE POINTER frees zones.
        self.lbpu = bool(lbpu) and not self.zoned
        self.medium = SparseMedium(self.blocks, self.block_size)
        self.started = True
        self.prevent_removal = False
        # RMB=1: START STOP UNIT with LOEJ ejects and loads the medium (SBC-4 5.25).
        self.removable = bool(removable)
        self.medium_present = True
        self.table = _table.CommandTable()
        self._mode_settings = (bool(dsense), bool(write_cache))
        self._modes: Optional["ModePages"] = None
        self._nexuses = {0}
        self._unit_attentions: Dict[int, List[Tuple[int, int]]] = {0: []}
        self._faults: List[Fault] = []
        self._bad_ranges: List[Tuple[int, int]] = []
        self.buffer = bytearray(BUFFER_CAPACITY)
        self.echo_buffer: Optional[bytes] = None
        # Per-feature state lives with the handlers that use it, created lazily or here.
        from sgframe.emu import alua as _alua, builtin, reservations

        self.alua = _alua.Alua(alua)

        self._logs: Optional["LogState"] = None
        self.reservations = reservations.Reservations(self)
        self.grown_defects: List[int] = []  # LBAs REASSIGN BLOCKS moved: READ DEFECT DATA's grown list
        self.streams: Set[int] = set()  # open stream identifiers (STREAM CONTROL)
        self._copies: Optional["CopyManager"] = None
        if storage_elements is None:
            storage_elements = min(4, self.blocks)
        self._storage_elements = _check_int("storage_elements", storage_elements, 1, 255)
        if storage_elements > self.blocks:
            raise UsageError(f"storage_elements={storage_elements} exceeds the {self.blocks} blocks")
        self._elements: Optional["Elements"] = None
        self._comids: Optional["ComIds"] = None
        self.zones: Optional["Zones"] = None
        if self.zoned:
            if zone_size is None:
                raise UsageError("a zoned disk needs zone_size (in blocks)")
            from sgframe.emu.zoned import Zones

            self.zones = Zones(
                self,
                _check_int("zone_size", zone_size, 1, self.blocks),
                _check_int("conventional_zones", conventional_zones, 0),
                _check_int("max_open_zones", max_open_zones, 1, 0xFFFFFFFF),
            )
            self.zones.unrestricted_reads = bool(urswrz)
            if zone_domains:
                from sgframe.emu.zone_domains import install

                install(self.zones)
        elif zone_domains:
            raise UsageError("zone_domains is only meaningful with zoned=True")
        elif zone_size is not None:
            raise UsageError("zone_size is only meaningful with zoned=True")
        elif not urswrz:
            raise UsageError("urswrz is only meaningful with zoned=True")
        builtin.register_builtins(self)
        if self.alua.explicit:
            self.table.add(builtin.set_target_port_groups_spec())
        self.write_protect = bool(write_protect)
        self.protection = _check_int("protection", protection, 0, 3)
        if self.protection:
            if self.zoned:
                raise UsageError("protection information on a zoned disk is not emulated")
            from sgframe.emu import protection as _protection

            _protection.install(self)
        if unit_attention:
            self._unit_attentions[0].append((0x29, 0x01))

    # ----------------------------------------------------------------- public API

    @property
    def modes(self) -> "ModePages":
        """The mode pages' current, changeable and default values, built at first use: the
        pages are laid out by the decoders' records, which cost more to import than a
        command-line call that never sends MODE SENSE should pay."""
        if self._modes is None:
            from sgframe.emu.modes import ModePages

            dsense, write_cache = self._mode_settings
            self._modes = ModePages(self, dsense=dsense, write_cache=write_cache)
        return self._modes

    @property
    def logs(self) -> "LogState":
        """The counters behind the log pages, made at the first command that counts or
        reads them: the log-page module builds every page's layout when imported, which a
        command-line call that never sends LOG SENSE should not pay."""
        if self._logs is None:
            from sgframe.emu.logs import LogState

            self._logs = LogState()
        return self._logs

    @property
    def copies(self) -> "CopyManager":
        """EXTENDED COPY results by list identifier, made at the first copy command."""
        if self._copies is None:
            from sgframe.emu.copy_manager import CopyManager

            self._copies = CopyManager()
        return self._copies

    @property
    def elements(self) -> "Elements":
        """The storage elements (SBC-4 depopulation), made at the first command about them."""
        if self._elements is None:
            from sgframe.emu.depopulation import Elements

            self._elements = Elements(self._storage_elements, self.blocks)
        return self._elements

    @property
    def comids(self) -> "ComIds":
        """The TCG ComIDs SECURITY PROTOCOL IN issued (protocol 02h), made at the first."""
        if self._comids is None:
            from sgframe.emu.security import ComIds

            self._comids = ComIds()
        return self._comids

    @property
    def descriptor_sense(self) -> bool:
        """Whether sense data goes out in descriptor format (D_SENSE of the control mode
        page, or the ``dsense`` the disk was made with while no page has been built)."""
        if self._modes is None:
            return self._mode_settings[0]
        return self._modes.descriptor_sense

    def respond(
        self,
        cdb: bytes,
        data_out: Optional[bytes] = None,
        allocation_length: int = 0,
        *,
        nexus: int = 0,
    ) -> Reply:
        """Execute one command and return what the device answers.

        :param cdb: the CDB bytes.
        :param data_out: the data-out buffer, or None for commands without one.
        :param allocation_length: the size of the data-in buffer; the reply's data is
            never longer.
        :param nexus: the I_T nexus (initiator) sending it, for reservations and unit
            attentions; leave it 0 to model a single initiator.
        """
        cdb = bytes(cdb)
        allocation_length = max(0, int(allocation_length))
        if nexus not in self._nexuses:
            self._nexuses.add(nexus)
            self._unit_attentions[nexus] = []
        descriptor = self.descriptor_sense
        if not cdb:
            return check_condition(_sense.invalid_opcode(), descriptor)
        for index, fault in enumerate(self._faults):
            if fault.matches(cdb):
                del self._faults[index]
                return self._fault_reply(fault, descriptor)
        request = Request(cdb, bytes(data_out or b""), allocation_length, nexus)
        try:
            spec = self.table.lookup(cdb)
            if cdb[0] not in _UA_EXEMPT:
                pending = self._unit_attentions[nexus]
                if pending:
                    asc, ascq = pending.pop(0)
                    raise _sense.Failure(_sense.UNIT_ATTENTION, asc, ascq)
            self.reservations.check_access(spec, request)
            if self.alua.state >= 2:  # standby or unavailable: few commands complete
                self.alua.check_access(request)
            if not self.medium_present and (spec.medium or _asks_capacity(cdb)):
                raise _sense.medium_not_present()
            if spec.medium and not self.started:
                raise _sense.not_ready_initializing_command_required()
            if self.write_protect and _writes_medium(cdb):
                raise _sense.Failure(_sense.DATA_PROTECT, 0x27, 0x00)
            result = spec.handler(self, request)
        except _sense.Failure as failure:
            return check_condition(failure, descriptor, failure.data[:allocation_length])
        except _sense.StatusFailure as failure:
            return Reply(failure.status)
        if result is None:
            return Reply(_sense.GOOD)
        limit = allocation_length
        if spec.allocation is not None:
            limit = min(limit, request.u(*spec.allocation))
        if isinstance(result, Reply):
            if len(result.data) > limit:
                result = attrs.evolve(result, data=result.data[:limit])
            return result
        return Reply(_sense.GOOD, bytes(result[:limit]))

    def reset(self) -> None:
        """A logical unit reset: UNIT ATTENTION 29h/00h once for every I_T nexus."""
        for nexus in self._nexuses:
            self._unit_attentions[nexus] = [(0x29, 0x00)]
        self.reservations.release_spc2()

    def inject_medium_error(self, lba_start: int, count: int = 1) -> None:
        """Make READ and VERIFY of ``count`` blocks from ``lba_start`` fail.

        They end in MEDIUM ERROR, UNRECOVERED READ ERROR (11h/00h) with the first bad
        LBA in the INFORMATION field; the blocks before it are transferred.
        """
        _check_int("lba_start", lba_start, 0, self.blocks - 1)
        _check_int("count", count, 1, self.blocks - lba_start)
        self._bad_ranges.append((lba_start, lba_start + count))

    def clear_medium_errors(self) -> None:
        self._bad_ranges.clear()

    def inject(
        self,
        opcode: Optional[int],
        status: Optional[int] = None,
        *,
        sense: Union[bytes, Tuple[int, int, int], None] = None,
        count: int = 1,
        service_action: Optional[int] = None,
    ) -> None:
        """Make the next ``count`` commands with ``opcode`` fail without executing.

        :param opcode: the operation code to match, or None for any command.
        :param status: the status to return (BUSY 08h, TASK SET FULL 28h, ...);
            CHECK CONDITION when omitted and ``sense`` is given.
        :param sense: (sense key, ASC, ASCQ), built in the disk's current sense
            format, or raw sense bytes returned as they are.
        :param service_action: match only this service action of ``opcode``.
        """
        if opcode is not None:
            _check_int("opcode", opcode, 0, 0xFF)
        if service_action is not None:
            if opcode is None:
                raise UsageError("service_action needs an opcode")
            _check_int("service_action", service_action, 0, 0xFFFF)
        if status is None:
            if sense is None:
                raise UsageError("inject() needs a status, a sense or both")
            status = _sense.CHECK_CONDITION
        _check_int("status", status, 0, 0xFF)
        if status == _sense.GOOD:
            raise UsageError("inject() a failure: status GOOD (0) injects nothing")
        if sense is not None:
            if status != _sense.CHECK_CONDITION:
                raise UsageError("sense data goes only with CHECK CONDITION (status 02h)")
            if isinstance(sense, (bytes, bytearray)):
                sense = bytes(sense)
            elif isinstance(sense, tuple) and len(sense) == 3:
                _check_int("sense key", sense[0], 0, 0x0F)
                _check_int("ASC", sense[1], 0, 0xFF)
                _check_int("ASCQ", sense[2], 0, 0xFF)
            else:
                raise UsageError(f"sense must be bytes or (key, asc, ascq), not {sense!r}")
        _check_int("count", count, 1)
        from sgframe.emu.faults import Fault  # a record class: built only when a test injects

        self._faults.extend([Fault(opcode, service_action, status, sense)] * count)

    def clear_injected(self) -> None:
        """Withdraw the failures :meth:`inject` queued that no command has consumed yet."""
        self._faults.clear()

    def register(
        self,
        opcode: int,
        service_action: Optional[int],
        handler: Callable[["EmulatedDisk", Request], Union[bytes, Reply, None]],
        *,
        name: Optional[str] = None,
        usage: Optional[bytes] = None,
        medium: bool = False,
        access: str = _table.NONE,
        timeouts: Tuple[int, int] = (0, 0),
        allocation: Optional[Tuple[int, int]] = None,
    ) -> None:
        """Add or replace the handler of (opcode, service action).

        The handler gets this disk and the :class:`Request`; it returns data-in
        bytes, a :class:`Reply`, or None (GOOD, no data), and raises
        :class:`sgframe.emu.sense.Failure` for CHECK CONDITION.  ``usage`` is the
        CDB usage data (see :mod:`sgframe.emu.table`); by default every bit but the
        control byte is accepted.
        """
        if not callable(handler):
            raise UsageError(f"handler must be callable, not {handler!r}")
        if access not in (_table.NONE, _table.READ, _table.WRITE):
            raise UsageError(f"access must be 'none', 'read' or 'write', not {access!r}")
        _check_int("opcode", opcode, 0, 0xFF)
        if usage is None:
            usage = _table.default_usage(opcode, service_action)
        self.table.add(
            _table.CommandSpec(
                opcode=opcode,
                service_action=service_action,
                name=name or getattr(handler, "__name__", "vendor command"),
                handler=handler,
                usage=bytes(usage),
                medium=medium,
                access=access,
                timeouts=timeouts,
                allocation=allocation,
            )
        )

    def unregister(self, opcode: int, service_action: Optional[int]) -> None:
        self.table.remove(opcode, service_action)

    # ------------------------------------------------- helpers for command handlers

    @property
    def last_lba(self) -> int:
        return self.blocks - 1

    def check_range(self, lba: int, count: int) -> None:
        if lba + count > self.blocks or lba >= self.blocks:
            raise _sense.lba_out_of_range()

    def first_bad_block(self, lba: int, count: int) -> Optional[int]:
        first = None
        end = lba + count
        for start, stop in self._bad_ranges:
            if start < end and stop > lba:
                candidate = max(start, lba)
                if first is None or candidate < first:
                    first = candidate
        return first

    def heal(self, lba: int, count: int) -> None:
        """Writing blocks reallocates them: injected errors on them go away."""
        end = lba + count
        kept: List[Tuple[int, int]] = []
        for start, stop in self._bad_ranges:
            if start < end and stop > lba:
                if start < lba:
                    kept.append((start, lba))
                if stop > end:
                    kept.append((end, stop))
            else:
                kept.append((start, stop))
        self._bad_ranges = kept

    @property
    def bad_ranges(self) -> List[Tuple[int, int]]:
        return list(self._bad_ranges)

    def unit_attention(self, asc: int, ascq: int, *, nexuses: Optional[List[int]] = None, exclude: Optional[int] = None) -> None:
        """Queue a UNIT ATTENTION for the given (default: all) I_T nexuses."""
        for nexus in self._nexuses if nexuses is None else nexuses:
            if nexus == exclude:
                continue
            queue = self._unit_attentions.setdefault(nexus, [])
            if (asc, ascq) not in queue:
                queue.append((asc, ascq))

    def pop_unit_attention(self, nexus: int) -> Optional[Tuple[int, int]]:
        pending = self._unit_attentions.get(nexus)
        return pending.pop(0) if pending else None

    def _fault_reply(self, fault: Fault, descriptor: bool) -> Reply:
        if fault.sense is None:
            return Reply(fault.status)
        if isinstance(fault.sense, bytes):
            return Reply(fault.status, b"", fault.sense)
        key, asc, ascq = fault.sense
        return Reply(fault.status, b"", _sense.build_sense(key, asc, ascq, descriptor=descriptor))
