"""``emu:`` URIs: ``emu:KIND?name=value&...`` names an emulated device.

Built-in kinds: ``disk`` (an SBC disk), ``zoned`` (a host-managed zoned disk) and
``enclosure`` (an SES enclosure services device).
A plugin adds a kind with :func:`register_kind` (``emu:sata`` comes from one).
"""
from __future__ import annotations

import re
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


_DISK_PARAMETERS: Dict[str, Converter] = {
    "blocks": integer,
    "block_size": integer,
    "vendor": text,
    "product": text,
    "revision": text,
    "serial": text,
    "lbpu": boolean,
    "dsense": boolean,
    "write_cache": boolean,
    "unit_attention": boolean,
    "max_transfer_length": integer,
}
_ZONED_PARAMETERS: Dict[str, Converter] = dict(
    _DISK_PARAMETERS, zone_size=integer, conventional_zones=integer, max_open_zones=integer
)
del _ZONED_PARAMETERS["lbpu"]
_ENCLOSURE_PARAMETERS: Dict[str, Converter] = {
    "slots": integer,
    "devices": integer,
    "power_supplies": integer,
    "fans": integer,
    "temperature_sensors": integer,
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


def _enclosure(**params: Any) -> Any:
    from sgframe.emu.enclosure import EmulatedEnclosure

    return EmulatedEnclosure(**params)


#: kind -> (factory(**params), {parameter name: converter})
KINDS: Dict[str, Tuple[Callable[..., Any], Dict[str, Converter]]] = {
    "disk": (_disk, _DISK_PARAMETERS),
    "zoned": (_zoned, _ZONED_PARAMETERS),
    "enclosure": (_enclosure, _ENCLOSURE_PARAMETERS),
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


def create(uri: str) -> Any:
    """The emulated device an ``emu:`` URI describes (``emu:disk?blocks=1024``)."""
    kind, params = parse_emu_uri(uri)
    factory = KINDS[kind][0]
    try:
        return factory(**params)
    except UsageError as error:
        raise UsageError(f"{uri}: {error}") from None
