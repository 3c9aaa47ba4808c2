"""The hooks a plugin may implement (pluggy project ``sgframe``).

A plugin is a module or object with functions decorated ``@sgframe.hookimpl`` and named
after the specifications below. The built-in commands, decoders, transports, emulated
devices and subcommands register through the same hooks (:mod:`sgframe.builtin`);
installed plugins are found through the entry-point group ``sgframe``
(:mod:`sgframe.plugins`).

A plugin that implements :func:`sgframe_bind_devices` applies only to the devices it
names: its commands appear on ``channel.cmd`` of those devices, and its decoders, sense
interpreters and emulations are consulted for them alone. Any of them can still be used
explicitly on another device.

The decoding and sense hooks are first-answer-wins (``firstresult``): the first plugin
that returns something other than ``None`` decides; the built-in plugin answers last.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Optional

import pluggy

if TYPE_CHECKING:
    from .emu.disk import EmulatedDisk
    from .io import Io
    from .plugin_types import (
        DeviceIdentity, DeviceMatch, EmuKinds, Interpretation, SubcommandRegistry, TransportRegistry,
    )
    from .registry import CommandRegistry
    from .sense import Sense

__all__ = ["PROJECT", "hookimpl", "hookspec"]

#: The pluggy project name: markers, the manager and the entry-point group share it.
PROJECT = "sgframe"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def sgframe_bind_devices() -> Iterable[DeviceMatch]:
    """Name the devices this plugin is for, by INQUIRY vendor and product identification.

    Not implementing it (or returning ``None``) means every device. Called once, when
    the plugin is registered.

    :returns: :class:`sgframe.plugins.DeviceMatch` records; a device matching any of
        them is bound to the plugin.
    """


@hookspec
def sgframe_register_commands(registry: CommandRegistry) -> None:
    """Add command classes (made with :func:`sgframe.cdb.define`) with ``registry.add(cls)``.

    The built-in plugin gets :data:`sgframe.command.REGISTRY`; every other plugin gets a
    registry of its own, so a vendor command may reuse an operation code the standard
    gives another command. ``channel.cmd`` looks in the standard registry first, then in
    the registries of the plugins bound to the device.

    :param registry: where to add the classes; ``registry.add`` raises
        :class:`~sgframe.errors.UsageError` for a name or operation code already taken.
    """


@hookspec(firstresult=True)
def sgframe_interpret_sense(sense: Sense, device: Optional[DeviceIdentity]) -> Optional[Interpretation]:
    """Explain sense data the standard tables cannot: vendor specific ASC/ASCQ values
    (80h-FFh), vendor specific descriptor types (80h-FFh), or a standard code whose
    meaning depends on the command set (SAT's 00h/1Dh).

    First answer wins; return ``None`` to let the next plugin try.

    :param sense: the decoded sense data.
    :param device: the identity of the device that returned it, or ``None`` when unknown
        (then only unbound plugins are asked, unless a plugin was named explicitly).
    :returns: an :class:`sgframe.plugins.Interpretation`, or ``None``.
    """


@hookspec(firstresult=True)
def sgframe_decode_vpd_page(page_code: int, data: bytes, device: Optional[DeviceIdentity]) -> Optional[Any]:
    """Decode a VPD page (INQUIRY with EVPD set). First answer wins.

    Device data must never raise out of a decoder: report what was wrong in the record.

    :param page_code: byte 1 of ``data``.
    :param data: the whole page, header included.
    :param device: the identity of the device that returned it, or ``None``.
    :returns: a record, or ``None`` for a page this plugin does not know.
    """


@hookspec(firstresult=True)
def sgframe_decode_mode_page(page_code: int, subpage_code: int, data: bytes,
                             device: Optional[DeviceIdentity]) -> Optional[Any]:
    """Decode one mode page (from MODE SENSE, after the header and block descriptors).
    First answer wins.

    :param page_code: bits 5-0 of byte 0.
    :param subpage_code: byte 1 when SPF is set, else 0.
    :param data: the page, starting at its PS/SPF/PAGE CODE byte.
    :param device: the identity of the device that returned it, or ``None``.
    :returns: a record, or ``None`` for a page this plugin does not know.
    """


@hookspec(firstresult=True)
def sgframe_decode_log_page(page_code: int, subpage_code: int, data: bytes,
                            device: Optional[DeviceIdentity]) -> Optional[Any]:
    """Decode a log page (LOG SENSE data). First answer wins.

    :param page_code: bits 5-0 of byte 0.
    :param subpage_code: byte 1 when SPF is set, else 0.
    :param data: the page, header included.
    :param device: the identity of the device that returned it, or ``None``.
    :returns: a record, or ``None`` for a page this plugin does not know.
    """


@hookspec
def sgframe_register_transports(registry: TransportRegistry) -> None:
    """Add transports by URI scheme: ``registry.add("iscsi", opener)``.

    ``Channel.open("iscsi:...")`` then calls ``opener(rest_of_uri, **options)``, which
    returns a :class:`sgframe.transport.Transport`.

    :param registry: the scheme table of :func:`sgframe.transport.open_transport`.
    """


@hookspec
def sgframe_register_subcommands(registry: SubcommandRegistry) -> None:
    """Add ``sgframe`` command-line subcommands: ``registry.add(Subcommand(...))``.

    :param registry: the command line's :class:`sgframe.cli.base.SubcommandRegistry`;
        a name already taken is reported as a problem of this plugin.
    """


@hookspec
def sgframe_register_emu_kinds(kinds: EmuKinds) -> None:
    """Add emulated device kinds: ``kinds.add("sata", factory, {"blocks": integer})``
    makes ``emu:sata?blocks=...`` open ``factory(blocks=...)``.

    :param kinds: the table of ``emu:`` kinds.
    """


@hookspec
def sgframe_emulate_commands(disk: EmulatedDisk, kind: str) -> None:
    """Teach an emulated device commands: ``disk.register(opcode, sa, handler, ...)``.

    Called for every device an ``emu:`` URI creates, after its own command set is in
    place, so a plugin may also wrap an existing handler (``disk.table.get(...)``).
    A plugin bound to devices is called only for a device whose vendor and product
    match.

    :param disk: the emulated device.
    :param kind: the ``emu:`` kind it was created as (``"disk"``, ``"sata"`` ...).
    """


@hookspec(firstresult=True)
def sgframe_judge_response(io: Io, outcome: Optional[BaseException]) -> Optional[Any]:
    """Observe, or change, the outcome of every command after the response-handler
    chain (device verdict, ``verify_handler``, the command's, channel's and reactor's
    handlers) has judged it.

    Return ``None`` to leave the outcome as it is (an observer), an exception to make it
    the outcome, or :data:`sgframe.plugins.ACCEPT` to make the command succeed. First
    answer wins, so an observer that must see every command is declared
    ``@hookimpl(tryfirst=True)``; one declared ``@hookimpl(wrapper=True)`` wraps every
    other implementation: it gets their answer from ``yield`` and returns its own.

    :param io: the completed exchange; ``io.exception`` holds ``outcome``.
    :param outcome: the chain's verdict: ``None`` for success, else the exception the
        caller would get.
    """
