"""The built-in plugin: the SPC/SBC/ZBC commands, the standard decoders and sense text, the
sg/bsg/emu transports, the emulated disk kinds and the subcommands, registered through the
same hooks an installed plugin uses.

Its decoding and sense hooks run last (``trylast``) and always answer, so any other
plugin gets the first word on a page or a sense code and the standard decoders are the
fallback.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from .hookspecs import hookimpl

if TYPE_CHECKING:
    from .cli.base import SubcommandRegistry
    from .plugins import DeviceIdentity, EmuKinds, Interpretation, TransportRegistry
    from .registry import CommandRegistry
    from .sense import Sense


@hookimpl
def sgframe_register_commands(registry: CommandRegistry) -> None:
    from .command import BUILTIN_COMMANDS

    for cls in BUILTIN_COMMANDS:
        registry.add(cls)


@hookimpl
def sgframe_register_transports(registry: TransportRegistry) -> None:
    from .transport import BUILTIN_SCHEMES

    for scheme, opener in BUILTIN_SCHEMES.items():
        registry.add(scheme, opener)


@hookimpl
def sgframe_register_emu_kinds(kinds: EmuKinds) -> None:
    from .emu.uri import KINDS

    # The emu package declares disk and zoned itself (it works without plugins loaded);
    # registering them again here lists them as the built-in plugin's.
    for kind in ("disk", "zoned"):
        factory, parameters = KINDS[kind]
        kinds.add(kind, factory, parameters)


@hookimpl
def sgframe_register_subcommands(registry: SubcommandRegistry) -> None:
    from .cli.base import _BUILTIN, _load

    # Normally the entry points of sgframe.cli bring these; this covers a source tree
    # whose metadata is missing or stale.
    for name, spec in _BUILTIN:
        if name not in registry:
            registry.add(_load(spec), origin="builtin")


@hookimpl(trylast=True)
def sgframe_interpret_sense(sense: Sense, device: Optional[DeviceIdentity]) -> Optional[Interpretation]:
    from .plugins import Interpretation

    return Interpretation(text=sense.asc_text, record=None)


@hookimpl(trylast=True)
def sgframe_decode_vpd_page(page_code: int, data: bytes, device: Optional[DeviceIdentity]) -> Any:
    from .decode import decode_vpd

    return decode_vpd(data)


@hookimpl(trylast=True)
def sgframe_decode_mode_page(page_code: int, subpage_code: int, data: bytes, device: Optional[DeviceIdentity]) -> Any:
    from .decode import decode_mode_page

    return decode_mode_page(data)


@hookimpl(trylast=True)
def sgframe_decode_log_page(page_code: int, subpage_code: int, data: bytes, device: Optional[DeviceIdentity]) -> Any:
    from .decode import decode_log_page

    return decode_log_page(data)
