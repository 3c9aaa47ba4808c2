"""Opening a transport by path or URI scheme.

The scheme table is the plugin manager's: :meth:`sgframe.plugins.PluginManager.open_transport`
passes it in (and shows an emulated device to the plugins). Without it, the schemes
sgframe brings are used, so a transport can be opened with no plugin loaded.
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Tuple

from ..errors import UsageError
from .base import Transport

__all__ = ["BUILTIN_SCHEMES", "SCHEMES", "is_scheme", "open_transport", "split_scheme"]


def _open_emu(rest: str, **options: Any) -> Transport:
    from ..emu import create
    from .emu import EmuTransport

    uri = "emu:" + rest
    _one_way(uri, options)
    depth = options.pop("queue_depth", 64)
    options.pop("read_only", None)  # no node to open: read-only changes nothing
    _no_options(uri, options)
    device = create(uri)
    return EmuTransport(device, name=uri, depth=depth, kind=rest.partition("?")[0])


def _open_sg(rest: str, **options: Any) -> Transport:
    from ..linux.sysfs import resolve
    from .sg import SgTransport

    nodes = resolve(rest)
    if nodes.sg is None:
        raise UsageError(f"{rest}: no sg node (is the sg module loaded? modprobe sg)")
    return SgTransport(nodes.sg, **options)


def _open_bsg(rest: str, **options: Any) -> Transport:
    from ..linux.sysfs import resolve
    from .bsg import BsgTransport

    _one_way(rest, options)
    nodes = resolve(rest)
    if nodes.bsg is None:
        raise UsageError(f"{rest}: no bsg node for this device")
    return BsgTransport(nodes.bsg, **options)


def _open_iscsi(rest: str, **options: Any) -> Transport:
    from .iscsi import open_iscsi

    _one_way("iscsi:" + rest, options)
    options.pop("read_only", None)  # a network session has no node to open read-only
    return open_iscsi(rest, **options)


def _one_way(uri: str, options: dict[str, Any]) -> None:
    """Take the sg transport's data-mode options off a transport that has one mode:
    ``io_mode="indirect"`` is what it does anyway; anything else is refused by name."""
    mode = options.pop("io_mode", "indirect")
    size = options.pop("mmap_size", None)
    if mode != "indirect" or size is not None:
        what = f"io_mode={mode!r}" if mode != "indirect" else f"mmap_size={size!r}"
        raise UsageError(f"{uri}: {what} is the sg transport's (/dev/sgN: mmap'd and direct I/O); "
                         "this transport moves data one way only: drop it or use io_mode='indirect'")


def _no_options(uri: str, options: dict[str, Any]) -> None:
    if options:
        raise UsageError(f"{uri}: unknown option(s) {', '.join(sorted(options))}")


#: The schemes sgframe brings; the built-in plugin registers them (sgframe.builtin).
BUILTIN_SCHEMES: dict[str, Callable[..., Transport]] = {
    "emu": _open_emu, "sg": _open_sg, "bsg": _open_bsg, "iscsi": _open_iscsi,
}

#: URI scheme -> opener(rest_of_uri, **options): the plugin manager's table, filled
#: through the ``sgframe_register_transports`` hook by the built-in and installed plugins.
SCHEMES: dict[str, Callable[..., Transport]] = {}

_SCHEME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789+.-")


def is_scheme(name: object) -> bool:
    """True for a URI scheme as sgframe takes them: a lower-case ASCII letter, then
    letters, digits, ``+``, ``.`` or ``-`` (RFC 3986's, lower case only)."""
    return (isinstance(name, str) and "a" <= name[:1] <= "z"
            and all(character in _SCHEME_CHARACTERS for character in name))


def split_scheme(uri: str) -> Optional[Tuple[str, str]]:
    """``("emu", "disk")`` for ``emu:disk``; None for a path or an H:C:T:L (``0:0:0:0``,
    whose "scheme" would be followed by a digit)."""
    scheme, colon, rest = uri.partition(":")
    if not colon or not is_scheme(scheme) or rest[:1].isdecimal():
        return None
    return scheme, rest


def open_transport(uri: str, schemes: dict[str, Callable[..., Transport]] | None = None,
                   **options: Any) -> Transport:
    """A transport for ``uri``: a scheme URI (``emu:disk``), or a device path or H:C:T:L.

    Paths under /dev/bsg/ go to bsg; every other path, and H:C:T:L, to sg.

    :param schemes: scheme -> opener (default: :data:`SCHEMES`, or the built-in ones
        while no plugin manager has filled it).
    """
    if not isinstance(uri, str) or not uri:
        raise UsageError(f"a device is a path, H:C:T:L or a URI such as emu:disk; got {uri!r}")
    if schemes is None:
        schemes = SCHEMES or BUILTIN_SCHEMES
    split = split_scheme(uri)
    if split:
        scheme, rest = split
        if scheme not in schemes:
            raise UsageError(f"{uri}: unknown transport {scheme!r}; known: {', '.join(sorted(schemes))}")
        return schemes[scheme](rest, **options)
    if uri.startswith("/dev/bsg/"):
        return _open_bsg(uri, **options)
    return _open_sg(uri, **options)
