"""``emu:`` URIs: ``emu:KIND?name=value&...`` names an emulated device.

Built-in kinds: ``disk`` (an SBC disk), ``zoned`` (a host-managed zoned disk),
``enclosure`` (an SES enclosure services device) and ``nonconforming`` (a disk that
breaks one rule of the standards, :mod:`sgframe.emu.broken`).
A plugin adds a kind with :func:`register_kind` (``emu:sata`` comes from one).

Two parameters of every kind make several initiators of one logical unit:
``share=NAME`` names the device, so a second URI with the same name reaches the same
device instead of a new one, and ``nexus=N`` is the I_T nexus the commands arrive on
(reservations and unit attentions are per nexus, SPC-5 5.14 and 5.6)::

    emu:disk?share=lu0            # initiator 0
    emu:disk?share=lu0&nexus=1    # initiator 1, same medium, same reservations

A shared device lives while a channel to it is open; the other parameters are read
when it is made, and a later URI naming it must not give different ones.
"""
from __future__ import annotations

import re
import weakref
from typing import Any, Callable, Dict, Tuple
from urllib.parse import unquote

from sgframe.errors import UsageError

Converter = Callable[[str], Any]

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def integer(text: str) -> int:
    """A plain integer: decimal, or hexadecimal with 0x. Nothing is evaluated (no powers,
    no expressions), so a value cannot make the parser compute for ever."""
    if not re.fullmatch(r"\s*(0[xX][0-9a-fA-F]+|[0-9]+)\s*", text) or len(text) > 40:
        raise ValueError("a plain integer is wanted: decimal (1024) or hexadecimal (0x400)")
    return int(text, 0)


def boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"not one of {', '.join(_TRUE + _FALSE)}")


def text(value: str) -> str:
    return value


def alua_mode(value: str) -> str:
    if value not in ("implicit", "explicit"):
        raise ValueError("not one of implicit, explicit")
    return value


_DISK_PARAMETERS: Dict[str, Converter] = {
    "blocks": integer,
    "block_size": integer,
    "physical_block_size": integer,
    "vendor": text,
    "product": text,
    "revision": text,
    "serial": text,
    "lbpu": boolean,
    "dsense": boolean,
    "write_cache": boolean,
    "unit_attention": boolean,
    "max_transfer_length": integer,
    "removable": boolean,
    "alua": alua_mode,
    "protection": integer,
    "write_protect": boolean,
    "storage_elements": integer,
}
_ZONED_PARAMETERS: Dict[str, Converter] = dict(
    _DISK_PARAMETERS, zone_size=integer, conventional_zones=integer, max_open_zones=integer, urswrz=boolean,
    zone_domains=boolean,
)
del _ZONED_PARAMETERS["lbpu"]
# A disk that breaks one rule, for the conformance suite's tests of itself.
_BROKEN_PARAMETERS: Dict[str, Converter] = dict(_DISK_PARAMETERS, rule=text)
_ENCLOSURE_PARAMETERS: Dict[str, Converter] = {
    "slots": integer,
    "devices": integer,
    "power_supplies": integer,
    "fans": integer,
    "temperature_sensors": integer,
    "array": boolean,
    "vendor": text,
    "product": text,
    "revision": text,
    "serial": text,
    "dsense": boolean,
    "unit_attention": boolean,
}


def _disk(**params: Any) -> Any:
    from sgframe.emu.disk import EmulatedDisk

    return EmulatedDisk(**params)


def _zoned(**params: Any) -> Any:
    from sgframe.emu.disk import EmulatedDisk

    params.setdefault("zone_size", 65536)
    params.setdefault("blocks", 2**21)
    return EmulatedDisk(zoned=True, **params)


def _broken(**params: Any) -> Any:
    from sgframe.emu.broken import BrokenDisk

    if "rule" not in params:
        raise UsageError("emu:nonconforming needs rule=NAME (see sgframe.emu.broken.RULES)")
    return BrokenDisk(**params)


def _enclosure(**params: Any) -> Any:
    from sgframe.emu.enclosure import EmulatedEnclosure

    return EmulatedEnclosure(**params)


#: kind -> (factory(**params), {parameter name: converter})
KINDS: Dict[str, Tuple[Callable[..., Any], Dict[str, Converter]]] = {
    "disk": (_disk, _DISK_PARAMETERS),
    "zoned": (_zoned, _ZONED_PARAMETERS),
    "enclosure": (_enclosure, _ENCLOSURE_PARAMETERS),
    "nonconforming": (_broken, _BROKEN_PARAMETERS),
}


def register_kind(kind: str, factory: Callable[..., Any], parameters: Dict[str, Converter]) -> None:
    """Add (or replace) an ``emu:<kind>`` device.

    :param factory: called with the converted parameters as keywords.
    :param parameters: the allowed parameter names and the function that converts
        each value from text (raising ValueError for a bad one).
    """
    if not kind or not kind.replace("_", "").replace("-", "").isalnum():
        raise UsageError(f"an emu kind is a word such as 'disk', not {kind!r}")
    KINDS[kind] = (factory, dict(parameters))


def parse_emu_uri(uri: str) -> Tuple[str, Dict[str, Any]]:
    """Split ``emu:KIND?a=1&b=2`` into the kind and its converted parameters.

    :raises UsageError: not an emu URI, an unknown kind, an unknown or repeated
        parameter, or a value its converter rejects.
    """
    if not isinstance(uri, str) or not uri.startswith("emu:"):
        raise UsageError(f"an emulated device URI starts with 'emu:', got {uri!r}")
    rest = uri[4:]
    kind, _, query = rest.partition("?")
    if kind not in KINDS:
        raise UsageError(f"{uri}: unknown emu kind {kind!r}; known kinds: {', '.join(sorted(KINDS))}")
    allowed = KINDS[kind][1]
    params: Dict[str, Any] = {}
    if query:
        for item in query.split("&"):
            name, equals, raw = item.partition("=")
            name = unquote(name)
            if name not in allowed:
                raise UsageError(
                    f"{uri}: unknown parameter {name!r} for emu:{kind}; allowed: {', '.join(sorted(allowed))}"
                )
            if not equals or raw == "":
                raise UsageError(f"{uri}: parameter {name!r} needs a value ({name}=...)")
            if name in params:
                raise UsageError(f"{uri}: parameter {name!r} is given twice")
            try:
                params[name] = allowed[name](unquote(raw))
            except (ValueError, TypeError) as error:
                raise UsageError(f"{uri}: bad value {raw!r} for {name}: {error}") from None
    return kind, params


#: Parameters every kind takes, handled here rather than by the factory.
_PORT_PARAMETERS: Dict[str, Converter] = {"share": text, "nexus": integer}

# share name -> (kind, parameters, device). Weak: a shared device goes away with its
# last port, so a test that shares a name does not keep the medium for the next one.
_SHARED: "weakref.WeakValueDictionary[str, _Shared]" = weakref.WeakValueDictionary()


class _Shared:
    """A shared device and what it was made from (a weak dictionary's value must be an
    object that can be weakly referenced; the ports keep it alive)."""

    __slots__ = ("kind", "params", "device", "__weakref__")

    def __init__(self, kind: str, params: Dict[str, Any], device: Any) -> None:
        self.kind = kind
        self.params = params
        self.device = device


class NexusPort:
    """One I_T nexus to an emulated device: what the emu transport sends commands to.

    Every command goes to the device's ``respond`` with this port's ``nexus``; anything
    else (``medium``, ``inject``, ``reservations`` ...) is the device's own.
    """

    def __init__(self, shared: _Shared, nexus: int) -> None:
        self._shared = shared
        self.nexus = nexus

    @property
    def device(self) -> Any:
        return self._shared.device

    def respond(self, cdb: bytes, data_out: Any = None, allocation_length: int = 0) -> Any:
        return self._shared.device.respond(cdb, data_out, allocation_length, nexus=self.nexus)

    def reset(self) -> None:
        self._shared.device.reset()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._shared.device, name)

    def __repr__(self) -> str:
        return f"NexusPort(nexus={self.nexus}, device={self._shared.device!r})"


def _split_port(uri: str, query: str) -> Tuple[str, Dict[str, Any]]:
    """Take ``share=`` and ``nexus=`` out of a query string; the rest goes to the kind."""
    port: Dict[str, Any] = {}
    kept = []
    for item in query.split("&") if query else ():
        name, equals, raw = item.partition("=")
        if unquote(name) not in _PORT_PARAMETERS:
            kept.append(item)
            continue
        name = unquote(name)
        if not equals or raw == "":
            raise UsageError(f"{uri}: parameter {name!r} needs a value ({name}=...)")
        if name in port:
            raise UsageError(f"{uri}: parameter {name!r} is given twice")
        try:
            port[name] = _PORT_PARAMETERS[name](unquote(raw))
        except ValueError as error:
            raise UsageError(f"{uri}: bad value {raw!r} for {name}: {error}") from None
    if "nexus" in port and not 0 <= port["nexus"] <= 0xFFFF:
        raise UsageError(f"{uri}: nexus={port['nexus']} is out of range (allowed: 0..65535)")
    if "share" in port and not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", port["share"]):
        raise UsageError(f"{uri}: share= names a device with 1-64 letters, digits, '_', '.' or '-'")
    return "&".join(kept), port


def create(uri: str) -> Any:
    """The emulated device an ``emu:`` URI describes (``emu:disk?blocks=1024``).

    With ``share=`` or ``nexus=`` it is a :class:`NexusPort` to the device.
    """
    if not isinstance(uri, str) or not uri.startswith("emu:"):
        raise UsageError(f"an emulated device URI starts with 'emu:', got {uri!r}")
    head, _, query = uri.partition("?")
    query, port = _split_port(uri, query)
    kind, params = parse_emu_uri(head + ("?" + query if query else ""))
    if not port:
        return _make(uri, kind, params)
    name = port.get("share")
    shared = _SHARED.get(name) if name is not None else None
    if shared is None:
        shared = _Shared(kind, params, _make(uri, kind, params))
        if name is not None:
            _SHARED[name] = shared
    elif (shared.kind, shared.params) != (kind, params) and params:
        raise UsageError(f"{uri}: the shared device {name!r} is an emu:{shared.kind} made with "
                         f"{shared.params or 'no parameters'}; name it without parameters or with the same ones")
    elif shared.kind != kind:
        raise UsageError(f"{uri}: the shared device {name!r} is an emu:{shared.kind}, not an emu:{kind}")
    return NexusPort(shared, port.get("nexus", 0))


def _make(uri: str, kind: str, params: Dict[str, Any]) -> Any:
    factory = KINDS[kind][0]
    try:
        return factory(**params)
    except UsageError as error:
        raise UsageError(f"{uri}: {error}") from None
