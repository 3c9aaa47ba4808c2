"""The CDB field language: a SCSI command declared as an attrs class of bitfields.

A command reads like its T10 table::

    @define
    class Read16(Command):
        OPCODE = 0x88
        NAME = "READ(16)"
        CDB_LENGTH = 16
        rdprotect: int = field(byte=1, bit=7, width=3)
        dpo: bool = flag(byte=1, bit=4)
        lba: int = field(byte=2, width=64)
        ...

``field(byte, bit, width)`` names the byte and bit (7..0) of the field's most significant
bit, as the tables in SPC/SBC do, and its width in bits. Bits nobody declares are reserved:
they encode as zero. The operation code, a fixed service action and the additional CDB
length of variable-length CDBs are class constants, not fields.

Two codecs come from one declaration. The reference codec builds a ``bitstring`` format
(readable, obviously right, about 40 us per CDB; bitstring is imported only when it is
used). The fast codec is Python source generated per class: one ``struct`` call with each
byte's fields shifted into place, about a hundred times faster. Property tests hold the two
equal. Validation happens in the generated ``__new__``: an out-of-range value raises
:class:`~sgframe.errors.UsageError` naming the field and its range, so nothing is truncated
on the wire.

``define`` checks the layout at once but generates the codec when the class is first used
(constructed, decoded, or asked for its :func:`constructor`), so importing every command
module stays cheap and a program compiles only the commands it sends. The generated source
is registered with :mod:`linecache` under a name like ``<sgframe codec
sgframe.command.rw.Read16>``, so tracebacks and :func:`inspect.getsource` show it.

Where commands are built in bulk, :func:`constructor` hands out the generated constructor
as a plain function: the same checks and packing as ``cls(...)`` without the cost of
calling a class.
"""
from __future__ import annotations

import enum
import linecache
import struct
import sys
import threading
from typing import Any, Callable, ClassVar, Iterator

import attrs

from ._code_cache import compile_cached
from ._records import record, record_eq, record_hash, record_repr
from .errors import UsageError

__all__ = [
    "Bits",
    "Command",
    "Direction",
    "VariableLengthCommand",
    "constructor",
    "define",
    "field",
    "fields_of",
    "flag",
]

#: The attrs metadata key under which a field's :class:`Bits` is stored.
BITS = "sgframe.bits"


class Direction(enum.Enum):
    """Which way the data phase goes, seen from the initiator (SPC-5 4.2.5)."""

    NONE = "none"
    IN = "from device"
    OUT = "to device"
    BOTH = "both"


@record
class Bits:
    """Where a field sits in the CDB.

    :param byte: the byte that holds the field's most significant bit.
    :param bit: that bit's number within the byte, 7 (most significant) to 0.
    :param width: the field's width in bits.
    """

    byte: int
    bit: int = 7
    width: int = 8

    @property
    def start(self) -> int:
        """Offset of the most significant bit from the first bit of the CDB."""
        return self.byte * 8 + 7 - self.bit

    @property
    def end(self) -> int:
        """Offset one past the least significant bit."""
        return self.start + self.width

    @property
    def max(self) -> int:
        return (1 << self.width) - 1

    def pieces(self) -> Iterator[tuple[int, int, int, int]]:
        """Split the field along byte boundaries.

        Yields ``(byte, value_shift, nbits, byte_shift)``: the piece of the value
        ``(value >> value_shift) & ((1 << nbits) - 1)`` sits in ``byte`` shifted left by
        ``byte_shift``.
        """
        position = self.start
        while position < self.end:
            byte = position // 8
            top = min(self.end, byte * 8 + 8)
            yield byte, self.end - top, top - position, byte * 8 + 8 - top
            position = top


def field(byte: int, bit: int = 7, width: int = 8, *, default: int = 0) -> Any:
    """Declare an unsigned integer field of a CDB."""
    return attrs.field(default=default, kw_only=True, metadata={BITS: Bits(byte, bit, width)})


def flag(byte: int, bit: int, *, default: bool = False) -> Any:
    """Declare a one-bit field, given and read back as a bool."""
    return attrs.field(
        default=default, kw_only=True, metadata={BITS: Bits(byte, bit, 1), "flag": True}
    )


def fields_of(cls: type) -> list[tuple[str, Bits, bool]]:
    """The declared fields of a command class in wire order: ``(name, bits, is_flag)``."""
    return [(a.name, a.metadata[BITS], a.metadata.get("flag", False)) for a in attrs.fields(cls)]


class Command:
    """Base of every CDB class. Subclasses are made with :func:`define`.

    Class constants describe the command for the registry and the channel:
    ``OPCODE``, ``SERVICE_ACTION`` (None when the command has none, or when it is a
    field the caller chooses), ``NAME`` (the T10 name, e.g. ``"READ(16)"``),
    ``CDB_LENGTH``, ``DIRECTION`` and ``MODIFIES_MEDIUM``. ``LENGTH_FIELD`` names the
    field that sizes the data phase and ``LENGTH_UNIT`` says whether it counts bytes or
    logical blocks.
    """

    # _cdb holds the bytes packed at construction: a frozen record never changes, so the
    # encoding is done once and bytes(cmd) only hands it out. _handlers is per-object
    # state that is not part of the CDB (see add_handler).
    __slots__ = ("_cdb", "_handlers")

    OPCODE: ClassVar[int]
    NAME: ClassVar[str]
    CDB_LENGTH: ClassVar[int]
    SERVICE_ACTION: ClassVar[int | None] = None
    #: Where the service action sits in the CDB (SPC-5 4.2.5.1: byte 1, bits 4-0).
    SERVICE_ACTION_BITS: ClassVar[Bits] = Bits(1, 4, 5)
    DIRECTION: ClassVar[Direction] = Direction.NONE
    MODIFIES_MEDIUM: ClassVar[bool] = False
    LENGTH_FIELD: ClassVar[str | None] = None
    LENGTH_UNIT: ClassVar[str] = "bytes"

    # Set by define(): the constants, the reserved bits, and the stand-ins that compile the
    # codec on first use (_CODEC once compiled).
    _FIXED: ClassVar[tuple[tuple[Bits, int], ...]]
    _RESERVED_MASK: ClassVar[bytes]

    def __bytes__(self) -> bytes:
        """The CDB bytes (packed once, at construction)."""
        return self._cdb

    # repr, == and hash are the shared ones (sgframe._records), not generated and compiled
    # by attrs for each of the ~100 command classes: see define().
    __repr__ = record_repr
    __eq__ = record_eq
    __hash__ = record_hash

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle and copy as the CDB bytes: rebuilding through from_bytes keeps _cdb right.
        return (_from_cdb, (type(self), self._cdb))

    @classmethod
    def from_bytes(cls, raw: bytes, *, strict: bool = False) -> Command:  # replaced by define()
        raise NotImplementedError

    def add_handler(self, handler: Any) -> None:
        """Run ``handler(io)`` after each completion of this command object.

        The CDB is a value and stays frozen: handlers are not part of it (not compared,
        hashed, printed, pickled or carried by ``attrs.evolve``). They belong to this one
        object, the way a callback belongs to a request, so the same CDB value can be sent
        with and without them.
        """
        if not callable(handler):
            raise UsageError(f"a handler is called with the Io; {handler!r} is not callable")
        Command._handlers.__set__(self, (*self._handlers, handler))

    @property
    def handlers(self) -> tuple[Any, ...]:
        """The handlers added to this command object, in order."""
        return self._handlers

    @classmethod
    def fixed_fields(cls) -> tuple[tuple[Bits, int], ...]:
        """Constants of the CDB: operation code, fixed service action, and so on."""
        fixed = [(Bits(0), cls.OPCODE)]
        if cls.SERVICE_ACTION is not None:
            fixed.append((cls.SERVICE_ACTION_BITS, cls.SERVICE_ACTION))
        return tuple(fixed)

    def data_length(self, block_size: int | None = None) -> int:
        """Bytes the data phase moves (to or from the device) for this CDB.

        :param block_size: the logical block size, needed when the length counts blocks.
        """
        if self.LENGTH_FIELD is None:
            return 0
        count = getattr(self, self.LENGTH_FIELD)
        if self.LENGTH_UNIT == "blocks":
            if block_size is None:
                raise UsageError(f"{self.NAME}: the data length counts logical blocks; give block_size")
            return count * block_size
        return count

    @property
    def needs_block_size(self) -> bool:
        """Whether :meth:`data_length` needs the logical block size (the channel then
        learns it with READ CAPACITY). A class whose data phase is counted in blocks sets
        ``LENGTH_UNIT = "blocks"``, with or without a ``LENGTH_FIELD``."""
        return self.LENGTH_UNIT == "blocks"

    def to_bitstring(self) -> bytes:
        """Encode with the bitstring reference codec (slow; for tests and doubt)."""
        import bitstring  # the reference codec is for tests: only they pay for importing it

        values = {name: int(getattr(self, name)) for name, _, _ in fields_of(type(self))}
        return bitstring.pack(_reference_format(type(self)), **values).tobytes()

    @classmethod
    def from_bitstring(cls, raw: bytes) -> Command:
        """Decode with the bitstring reference codec."""
        _check_length(cls, raw)
        spans = _reference_spans(cls)
        unpacked = _bits_from(bytes(raw)).unpack(", ".join(f"uint{width}" for _, width, _ in spans))
        by_start = {start: value for (start, _, _), value in zip(spans, unpacked)}
        values = {}
        for name, bits, is_flag in fields_of(cls):
            value = by_start[bits.start]
            values[name] = bool(value) if is_flag else value
        return cls(**values)


def _from_cdb(cls: type, raw: bytes) -> Command:
    return cls.from_bytes(raw)


class VariableLengthCommand(Command):
    """A 32-byte variable-length CDB (operation code 7Fh, SPC-5 4.2.4).

    The service action is in bytes 8-9 and the additional CDB length in byte 7 is
    ``CDB_LENGTH - 8``; the control byte is byte 1.
    """

    __slots__ = ()
    OPCODE = 0x7F
    CDB_LENGTH = 32
    SERVICE_ACTION_BITS = Bits(8, 7, 16)

    @classmethod
    def fixed_fields(cls) -> tuple[tuple[Bits, int], ...]:
        return super().fixed_fields() + ((Bits(7), cls.CDB_LENGTH - 8),)


def define(cls: type) -> type:
    """Make a command class: attrs (frozen, slotted, keyword-only) and its layout checked.

    The codec is compiled when the class is first used: constructed, decoded, or asked
    for its :func:`constructor`.
    """
    if attrs.has(cls.__bases__[0]):
        raise TypeError(f"{cls.__name__}: derive commands from Command, not from another command")
    new = attrs.define(cls, frozen=True, slots=True, kw_only=True, init=False, weakref_slot=False,
                       repr=False, eq=False)
    fields = fields_of(new)
    fixed = new.fixed_fields()
    _check_layout(new, fields, fixed)
    new._FIXED = fixed
    new._RESERVED_MASK = _reserved_mask(new.CDB_LENGTH, [b for _, b, _ in fields] + [b for b, _ in fixed])
    _defer(new)
    return new


def constructor(cls: type) -> Callable[..., Any]:
    """A function that builds ``cls`` objects: ``constructor(cls)(**fields)`` returns what
    ``cls(**fields)`` returns and fails the same way, only faster.

    Calling a class costs CPython 3.11 about half a microsecond more than calling a
    function with the same keywords (``type.__call__`` packs them into a dict and
    ``__new__`` unpacks them again), as much as validating and packing the CDB. For a class made by :func:`define`, the
    function returned is the generated constructor itself, called as a plain function:
    the same checks, packing and error messages as its ``__new__``. Where calling the class
    does more than that generated ``__new__`` (an ``__init__``, a metaclass, a ``__new__``
    patched in later) and for command classes not made by define (:class:`RawCommand`),
    it is the class itself.

    Decided when asked, and compiles the class's codec if it is not yet: where commands are
    built in bulk (``channel.cmd``, ``execute_many``), ask once per class, not per command.

    :param cls: a :class:`Command` class.
    :raises TypeError: if ``cls`` is not a command class.
    """
    if not (isinstance(cls, type) and issubclass(cls, Command)):
        raise TypeError(f"constructor() takes a command class, got {cls!r}")
    if "_STAND_INS" not in cls.__dict__:  # not made by define(): nothing generated
        return cls
    codec = _codec(cls)
    if type(cls) is type and cls.__init__ is object.__init__ and cls.__dict__.get("__new__") is codec.new:
        return codec.construct
    return cls


# --- compiling on first use -----------------------------------------------------------------


class _Codec:
    """The functions generated for one class, and the linecache name of their source.

    A plain slotted class, as :class:`_Layout` is: both are made for every command class
    a program uses, the command line's start included, and nothing outside this module
    sees them; a record class costs attrs some 0.3 ms to make.
    """

    __slots__ = ("new", "construct", "encode", "from_bytes", "filename")

    def __init__(self, new: Callable[..., Any], construct: Callable[..., Any], encode: Callable[[Any], bytes],
                 from_bytes: Callable[..., Any], filename: str) -> None:
        self.new = new
        self.construct = construct
        self.encode = encode
        self.from_bytes = from_bytes
        self.filename = filename


def _defer(cls: type) -> None:
    """Give ``cls`` stand-ins for its generated methods: the first call of any of them
    compiles the codec, puts the generated methods in their place, and is answered by them.

    Generating and compiling the source was about half of what defining a command class
    cost, paid by every import of every command module for commands most programs never
    send (the start-up of a command-line call counts: shell loops call it per device).
    A stand-in that is no longer in place (a test patched ``__new__``) is left alone.
    """
    qualname = cls.__qualname__

    def __new__(cls_: type, *args: Any, **kwargs: Any) -> Any:
        return _codec(cls).new(cls_, *args, **kwargs)

    def encode(self: Any) -> bytes:
        return _codec(cls).encode(self)

    def from_bytes(cls_: type, raw: bytes, *, strict: bool = False) -> Any:
        return _codec(cls).from_bytes(cls_, raw, strict=strict)

    stand_ins = {"__new__": __new__, "encode": encode, "from_bytes": from_bytes}
    for name, function in stand_ins.items():
        _name_function(function, f"{qualname}.{name}", cls.__module__)
        function.__doc__ = _DOCS[name]
    stand_ins["from_bytes"] = classmethod(from_bytes)
    for name, stand_in in stand_ins.items():
        setattr(cls, name, stand_in)
    cls._STAND_INS = stand_ins


_DOCS = {
    "__new__": "Check the fields and pack the CDB (generated per class).",
    "construct": "Build a {} like calling the class, as a plain function (see sgframe.cdb.constructor).",
    "encode": "Pack the CDB from the attributes with the compiled codec.",
    "from_bytes": "Decode CDB bytes; ``strict`` also refuses set reserved bits.",
}


# Two threads using a class for the first time compile it once: the methods installed and
# the codec constructor() compares them with must be the same functions.
_COMPILING = threading.Lock()


def _codec(cls: type) -> _Codec:
    """``cls``'s compiled codec, compiled now if it is not yet, with its methods in place."""
    codec = cls.__dict__.get("_CODEC")
    if codec is None:
        with _COMPILING:
            codec = cls.__dict__.get("_CODEC")
            if codec is None:
                codec = cls._CODEC = _compile(cls)
    for name, stand_in in cls._STAND_INS.items():
        if cls.__dict__.get(name) is stand_in:
            function = getattr(codec, name.strip("_"))
            setattr(cls, name, classmethod(function) if name == "from_bytes" else function)
    return codec


def _name_function(function: Any, qualname: str, module: str) -> None:
    """Give generated code the name its errors should show ("Read16.__new__() takes...").

    Python 3.11 words argument errors with the function's qualified name; 3.9 and 3.10
    with its code object's name, so that is renamed too.
    """
    function.__qualname__ = qualname
    function.__name__ = qualname.rpartition(".")[2]
    function.__module__ = module
    if sys.version_info < (3, 11):
        function.__code__ = function.__code__.replace(co_name=qualname)


def _check_layout(cls: type, fields: list[tuple[str, Bits, bool]], fixed: tuple[tuple[Bits, int], ...]) -> None:
    """Catch a wrong table at import time, not as a wrong byte on the wire."""
    owner: dict[int, str] = {}
    for name, bits in [(n, b) for n, b, _ in fields] + [(f"constant {v:#x}", b) for b, v in fixed]:
        if not (0 <= bits.bit <= 7 and bits.width >= 1 and bits.end <= cls.CDB_LENGTH * 8):
            raise TypeError(f"{cls.__name__}.{name}: {bits} does not fit a {cls.CDB_LENGTH}-byte CDB")
        for position in range(bits.start, bits.end):
            if position in owner:
                raise TypeError(f"{cls.__name__}.{name} overlaps {owner[position]} at bit offset {position}")
            owner[position] = name
    starts = [bits.start for _, bits, _ in fields]
    if starts != sorted(starts):
        raise TypeError(f"{cls.__name__}: declare fields in wire order")


def _reserved_mask(length: int, used: list[Bits]) -> bytes:
    mask = bytearray(b"\xff" * length)
    for bits in used:
        for byte, _, nbits, shift in bits.pieces():
            mask[byte] &= ~(((1 << nbits) - 1) << shift) & 0xFF
    return bytes(mask)


def _check_length(cls: type, raw: bytes) -> None:
    if len(raw) != cls.CDB_LENGTH:
        raise UsageError(f"{cls.NAME} CDB must be {cls.CDB_LENGTH} bytes, got {len(raw)}")


# --- validation ---------------------------------------------------------------------


def _twin(cls: type) -> type:
    """A class with the same slots as ``cls`` but none of its behaviour (see _constructor)."""
    return type(f"_{cls.__name__}Builder", cls.__bases__, {"__slots__": cls.__slots__})


def _check_all(cls: type, values: dict[str, Any]) -> None:
    for name, bits, is_flag in fields_of(cls):
        if is_flag:
            _validate_flag(cls, name, values[name])
        else:
            _validate_uint(cls, name, bits.width, values[name])


def _validate_uint(cls: type, name: str, width: int, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(
            f"{cls.__name__}.{name} must be an int in 0..{(1 << width) - 1}, got {value!r}"
        )
    if not 0 <= value < (1 << width):
        raise UsageError(
            f"{cls.__name__}.{name}={value} is out of range: a {width}-bit field holds "
            f"0..{(1 << width) - 1} ({(1 << width) - 1:#x})"
        )
    return int(value)  # an IntEnum member becomes a plain int


def _validate_flag(cls: type, name: str, value: Any) -> bool:
    if value in (0, 1) and not isinstance(value, float):
        return bool(value)
    raise UsageError(f"{cls.__name__}.{name} is a one-bit flag: give True/False (or 1/0), got {value!r}")


# --- the compiled codec ---------------------------------------------------------------


def _segments(cls: type, fields: list[tuple[str, Bits, bool]], fixed: tuple[tuple[Bits, int], ...]):
    """Lay the CDB out as struct items.

    Returns a list of ``(format_char, expression, decoders)``. A run of whole bytes owned by
    one field becomes Q/I/H/B items; a byte shared by several fields becomes one B item whose
    expression ORs the shifted pieces together; an all-reserved byte becomes a pad byte.
    ``decoders`` lists ``(name, value_shift, mask, item_shift)`` to rebuild the fields.
    """
    length = cls.CDB_LENGTH
    constant = [0] * length
    owners: list[list[tuple[str, int, int, int]]] = [[] for _ in range(length)]
    for bits, value in fixed:
        for byte, vshift, nbits, bshift in bits.pieces():
            constant[byte] |= ((value >> vshift) & ((1 << nbits) - 1)) << bshift
    for name, bits, _ in fields:
        for byte, vshift, nbits, bshift in bits.pieces():
            owners[byte].append((name, vshift, nbits, bshift))

    width = {name: bits.width for name, bits, _ in fields}

    def whole(byte: int) -> str | None:
        """The field that owns all eight bits of this byte, if one does."""
        pieces = owners[byte]
        if len(pieces) == 1 and pieces[0][2] == 8 and constant[byte] == 0:
            return pieces[0][0]
        return None

    items = []
    byte = 0
    while byte < length:
        name = whole(byte)
        if name is not None:
            run = 1
            while byte + run < length and whole(byte + run) == name:
                run += 1
            size = next(s for s in (8, 4, 2, 1) if s <= run)
            vshift = owners[byte + size - 1][0][1]
            chunk_bits = size * 8
            expr = f"({name} >> {vshift})" if vshift else name
            if vshift + chunk_bits < width[name]:
                expr = f"({expr} & {(1 << chunk_bits) - 1:#x})"
            items.append(("QIHB"[(8, 4, 2, 1).index(size)], expr, [(name, vshift, (1 << chunk_bits) - 1, 0)]))
            byte += size
            continue
        if not owners[byte] and constant[byte] == 0:
            items.append(("x", None, []))
            byte += 1
            continue
        terms = [f"{constant[byte]:#x}"] if constant[byte] else []
        decoders = []
        for name, vshift, nbits, bshift in owners[byte]:
            term = f"({name} >> {vshift})" if vshift else name
            if vshift + nbits < width[name]:
                term = f"({term} & {(1 << nbits) - 1:#x})"
            terms.append(f"({term} << {bshift})" if bshift else term)
            decoders.append((name, vshift, (1 << nbits) - 1, bshift))
        items.append(("B", " | ".join(terms), decoders))
        byte += 1
    return items


class _Layout:
    """What the generators read: the class, its fields, its struct items (see _segments),
    the struct that packs them and the twin class constructors fill (see _constructor).
    (Plain and slotted, for the reason :class:`_Codec` gives.)"""

    __slots__ = ("cls", "fields", "items", "packer", "twin")

    def __init__(self, cls: type, fields: tuple[tuple[str, Bits, bool], ...],
                 items: tuple[tuple[str, Any, tuple[tuple[str, int, int, int], ...]], ...],
                 packer: struct.Struct, twin: type) -> None:
        self.cls = cls
        self.fields = fields
        self.items = items
        self.packer = packer
        self.twin = twin

    @classmethod
    def of(cls, command: type) -> _Layout:
        fields = tuple(fields_of(command))
        items = tuple(
            (code, expr, tuple(decoders)) for code, expr, decoders in _segments(command, list(fields), command._FIXED)
        )
        packer = struct.Struct(">" + "".join(code for code, _, _ in items))
        return cls(command, fields, items, packer, _twin(command))

    @property
    def names(self) -> list[str]:
        return [name for name, _, _ in self.fields]

    @property
    def params(self) -> str:
        """The keyword-only parameters with their defaults, for a def line."""
        defaults = {a.name: a.default for a in attrs.fields(self.cls)}
        return ", ".join(f"{name}={defaults[name]!r}" for name in self.names)

    @property
    def pack_args(self) -> str:
        return ", ".join(expr for _, expr, _ in self.items if expr is not None)


def _compile(cls: type) -> _Codec:
    """Generate the source of ``cls``'s codec, one generator per method; compile and run it
    under a name of its own in linecache."""
    layout = _Layout.of(cls)
    lines: list[str] = []
    namespace: dict[str, Any] = {}
    for generate in (_generate_new, _generate_construct, _generate_encode, _generate_from_bytes):
        method_lines, method_globals = generate(layout)
        lines += method_lines
        namespace.update(method_globals)
    source = "\n".join(lines) + "\n"
    filename = _register_source(cls, source)
    module_file = getattr(sys.modules.get(cls.__module__), "__file__", None)
    exec(compile_cached(source, filename, module_file, cls.__qualname__), namespace)
    qualname, module = cls.__qualname__, cls.__module__
    codec = _Codec(
        new=namespace["__new__"], construct=namespace["construct"], encode=namespace["encode"],
        from_bytes=namespace["from_bytes"], filename=filename,
    )
    for name, function in (("__new__", codec.new), ("encode", codec.encode), ("from_bytes", codec.from_bytes)):
        _name_function(function, f"{qualname}.{name}", module)
        function.__doc__ = _DOCS[name]
    # Named after the class, so a wrong call reads "Read16() got an unexpected keyword
    # argument 'lbaa'", as calling the class would.
    _name_function(codec.construct, qualname, module)
    codec.construct.__doc__ = _DOCS["construct"].format(qualname)
    return codec


def _register_source(cls: type, source: str) -> str:
    """Put generated source in linecache under a name no other source has (as attrs'
    ``_make.py`` does), so tracebacks and ``inspect.getsource`` show it; return the name."""
    base = f"<sgframe codec {cls.__module__}.{cls.__qualname__}"
    filename, count = f"{base}>", 1
    while filename in linecache.cache:  # a class of the same name, defined again
        count += 1
        filename = f"{base}-{count}>"
    # No mtime: linecache.checkcache keeps the entry, as there is no file to compare with.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return filename


def _generate_new(layout: _Layout) -> tuple[list[str], dict[str, Any]]:
    """``__new__(cls, *, fields...)``: what calling the class runs."""
    params = layout.params
    head = f"def __new__(cls, *, {params}):" if params else "def __new__(cls):"
    return _constructor(layout, head, "cls")


def _generate_construct(layout: _Layout) -> tuple[list[str], dict[str, Any]]:
    """``construct(*, fields...)``: the same body as a plain function (see constructor())."""
    params = layout.params
    head = f"def construct(*, {params}):" if params else "def construct():"
    return _constructor(layout, head, "_cls")


def _constructor(layout: _Layout, head: str, cls_name: str) -> tuple[list[str], dict[str, Any]]:
    """A constructor: check each field, pack the CDB, fill the slots of a new object.

    Construction is the hot path. Writing eight slots through attrs' frozen __setattr__ (or
    the slot descriptors) costs more than checking and packing them. So the object is built
    as an instance of a plain twin class with the same slots, where attribute stores are
    cheap, and then re-typed to ``cls_name``: the caller only ever sees the frozen class.
    """
    cls = layout.cls
    names = layout.names
    # A field struct range-checks by itself: one that fills its struct item exactly. A
    # 5-bit field alone in a byte packs as "B", which would take 0..255 and spill into
    # reserved bits, so it is checked here.
    width = {name: bits.width for name, bits, _ in layout.fields}
    checked = {
        expr for code, expr, decoders in layout.items
        if len(decoders) == 1 and expr == decoders[0][0] and struct.calcsize(">" + code) * 8 == width[expr]
    }
    lines = [head]
    for name, bits, is_flag in layout.fields:
        if is_flag:
            # Identity tests are the fast path: True and False are singletons.
            lines.append(f"    if {name} is not True and {name} is not False:")
            lines.append(f"        {name} = _flag(_cls, {name!r}, {name})")
        elif name not in checked:
            lines.append(f"    if {name}.__class__ is not int or not 0 <= {name} <= {bits.max}:")
            lines.append(f"        {name} = _uint(_cls, {name!r}, {bits.width}, {name})")
        else:
            # struct checks the range; bools and enum members still need turning away
            # or into plain ints, as the slow path does.
            lines.append(f"    if {name}.__class__ is not int:")
            lines.append(f"        {name} = _uint(_cls, {name!r}, {bits.width}, {name})")
    # Fields that fill whole struct items are range-checked by struct.pack itself; its
    # error is turned into ours by checking every field the slow way.
    lines += [
        "    try:",
        f"        cdb = _pack({layout.pack_args})",
        "    except (_struct_error, TypeError):",
        "        _check_all(_cls, locals())",
        "        raise",
        "    self = _object_new(_twin)",
        *[f"    self.{name} = {name}" for name in names],
        "    self._cdb = cdb",
        "    self._handlers = ()",
        f"    self.__class__ = {cls_name}",
        "    return self",
    ]
    namespace = {
        "_cls": cls,
        "_twin": layout.twin,
        "_object_new": object.__new__,
        "_pack": layout.packer.pack,
        "_struct_error": struct.error,
        "_flag": _validate_flag,
        "_uint": _validate_uint,
        "_check_all": _check_all,
    }
    return lines, namespace


def _generate_encode(layout: _Layout) -> tuple[list[str], dict[str, Any]]:
    """``encode(self)``: pack the CDB again from the attributes."""
    lines = ["def encode(self):", *[f"    {name} = self.{name}" for name in layout.names]]
    lines.append(f"    return _pack({layout.pack_args})")
    return lines, {"_pack": layout.packer.pack}


def _generate_from_bytes(layout: _Layout) -> tuple[list[str], dict[str, Any]]:
    """``from_bytes(cls, raw, *, strict=False)``: unpack every item, check the constants,
    rebuild each field from its pieces, and build the command the way calling it does."""
    cls = layout.cls
    fixed = cls._FIXED
    flags = {name for name, _, is_flag in layout.fields if is_flag}
    parts: dict[str, list[str]] = {name: [] for name in layout.names}
    values = []
    for code, _, decoders in layout.items:
        if code == "x":
            continue
        value = f"v{len(values)}"
        values.append(value)
        full = (1 << (8 * struct.calcsize(">" + code))) - 1
        for name, vshift, mask, bshift in decoders:
            piece = f"({value} >> {bshift})" if bshift else value
            if bshift or mask != full:
                piece = f"({piece} & {mask:#x})"
            parts[name].append(f"({piece} << {vshift})" if vshift else piece)
    lines = [
        "def from_bytes(cls, raw, *, strict=False):",
        "    if len(raw) != _length:",
        "        _check_length(cls, raw)",
        "    if _constant(raw) != _constants:",
        "        _wrong_constant(cls, raw)",
        "    if strict:",
        "        _check_reserved(cls, raw)",
    ]
    if values:
        lines.append(f"    {', '.join(values)}{',' if len(values) == 1 else ''} = _unpack(raw)")
    args = []
    for name in layout.names:
        expr = " | ".join(parts[name])
        args.append(f"{name}=bool({expr})" if name in flags else f"{name}={expr}")
    lines.append(f"    return cls({', '.join(args)})")

    masks = _constant_masks(cls.CDB_LENGTH, fixed)
    constant_bytes = [byte for byte, mask in enumerate(masks) if mask]
    probe = bytearray(cls.CDB_LENGTH)
    for bits, value in fixed:
        for byte, vshift, nbits, bshift in bits.pieces():
            probe[byte] |= ((value >> vshift) & ((1 << nbits) - 1)) << bshift

    def constant(raw: bytes) -> bytes:
        return bytes(raw[b] & masks[b] for b in constant_bytes)

    namespace = {
        "_unpack": layout.packer.unpack,
        "_length": cls.CDB_LENGTH,
        "_constant": constant,
        "_constants": constant(probe),
        "_check_length": _check_length,
        "_wrong_constant": _wrong_constant,
        "_check_reserved": _check_reserved,
    }
    return lines, namespace


def _constant_masks(length: int, fixed: tuple[tuple[Bits, int], ...]) -> list[int]:
    masks = [0] * length
    for bits, _ in fixed:
        for byte, _, nbits, bshift in bits.pieces():
            masks[byte] |= ((1 << nbits) - 1) << bshift
    return masks


def _wrong_constant(cls: type, raw: bytes) -> None:
    for bits, value in cls._FIXED:
        found = int.from_bytes(bytes(raw), "big") >> (len(raw) * 8 - bits.end) & bits.max
        if found != value:
            raise UsageError(
                f"not a {cls.NAME} CDB: byte {bits.byte} holds {found:#04x} where {cls.NAME} has {value:#04x}"
            )


def _check_reserved(cls: type, raw: bytes) -> None:
    for byte, (value, mask) in enumerate(zip(raw, cls._RESERVED_MASK)):
        if value & mask:
            raise UsageError(
                f"{cls.NAME} CDB byte {byte} = {value:#04x} sets reserved bits {value & mask:#04x}"
            )


# --- the bitstring reference codec ---------------------------------------------------------


def _reference_spans(cls: type) -> list[tuple[int, int, str]]:
    """``(start, width, value)`` covering every bit of the CDB, reserved bits as zeros."""
    spans = [(bits.start, bits.width, str(value)) for bits, value in cls._FIXED]
    spans += [(bits.start, bits.width, name) for name, bits, _ in fields_of(cls)]
    covered = []
    position = 0
    for start, width, value in sorted(spans):
        if start > position:
            covered.append((position, start - position, "0"))
        covered.append((start, width, value))
        position = start + width
    if position < cls.CDB_LENGTH * 8:
        covered.append((position, cls.CDB_LENGTH * 8 - position, "0"))
    return covered


def _reference_format(cls: type) -> str:
    """A bitstring.pack format for the whole CDB."""
    return ", ".join(f"uint{width}={value}" for _, width, value in _reference_spans(cls))


def _bits_from(raw: bytes) -> Any:
    """A ``bitstring.Bits`` of ``raw``."""
    import bitstring

    # bitstring 5 builds from bytes with a class method; bitstring 4 with a keyword.
    if hasattr(bitstring.Bits, "from_bytes"):
        return bitstring.Bits.from_bytes(raw)
    return bitstring.Bits(bytes=raw)
