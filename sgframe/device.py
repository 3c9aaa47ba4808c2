"""What a channel knows about its device: who it is, its vendor's pages, its commands.

:class:`DeviceView` asks for the identity (one standard INQUIRY, kept) only when
something needs it: a vendor-specific page to decode, or a command that only a plugin
bound to the device's vendor has. :class:`CommandMethods` is ``channel.cmd``.

Everything here sends commands through the ``execute`` callable it is given; it knows
the plugin manager and the command registry, never the channel.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from . import errors
from .cdb import Command, constructor
from .plugin_types import DeviceIdentity

__all__ = ["CommandMethods", "DeviceView", "EXECUTE_OPTIONS"]

#: Options of ``channel.cmd.<Name>(...)`` that are not CDB fields.
EXECUTE_OPTIONS = frozenset({"data", "async_", "timeout", "verify_handler", "io", "retry", "buffer", "io_mode"})


class DeviceView:
    """The identity of one device, and what depends on it.

    :param execute: ``execute(command)`` sends a command and returns its Io (raising its
        failure): the channel's.
    :param plugins: the plugin manager.
    """

    def __init__(self, execute: Callable[..., Any], plugins: Any) -> None:
        self._execute = execute
        self.plugins = plugins
        self._identity: Optional[DeviceIdentity] = None
        #: channel.cmd.<Name>, built once per name.
        self.senders: Dict[str, Callable[..., Any]] = {}

    @property
    def identity(self) -> DeviceIdentity:
        if self._identity is None:
            from .command import Inquiry

            self._identity = DeviceIdentity.from_inquiry(self._execute(Inquiry()).result)
        return self._identity

    @property
    def known_identity(self) -> Optional[DeviceIdentity]:
        """The identity if it has been asked for already, else None (sends nothing)."""
        return self._identity

    def forget(self) -> None:
        self._identity = None
        self.senders.clear()  # a vendor's commands may no longer apply

    def decode_vendor(self, command: Command, data: bytes) -> Any:
        """A vendor-specific page decoded by the plugins bound to this device, or None.

        Only vendor-specific page codes (log pages 30h-3Eh, VPD pages C0h-FFh) need to
        know who made the device, so only they ask for the identity (one INQUIRY, kept).
        """
        from .command import Inquiry, LogSense

        if isinstance(command, LogSense) and data and 0x30 <= data[0] & 0x3F <= 0x3E:
            return self.plugins.decode_log_page(data, self.identity)
        if isinstance(command, Inquiry) and command.evpd and command.page_code >= 0xC0:
            return self.plugins.decode_vpd_page(data, self.identity)
        return None


class CommandMethods:
    """``channel.cmd``: every registered command, as a method that sends it.

    Standard commands first; then those of plugins that apply to every device; then
    those of plugins bound to this device's vendor and product (the identity, asked for
    only then).
    """

    __slots__ = ("_view", "_execute")

    def __init__(self, view: DeviceView, execute: Callable[..., Any]) -> None:
        self._view = view
        self._execute = execute

    def __getattr__(self, name: str) -> Callable[..., Any]:
        senders = self._view.senders
        send = senders.get(name)
        if send is None:
            send = senders[name] = _sender(self._execute, self._lookup(name))
        return send

    def _lookup(self, name: str) -> type:
        from .command import REGISTRY

        try:
            return REGISTRY.by_name(name)
        except (KeyError, errors.UsageError):
            if name.startswith("__"):
                raise AttributeError(name) from None
            view = self._view
            try:
                return view.plugins.find_command(name, lambda: view.identity)
            except errors.UsageError as missing:
                raise AttributeError(f"{missing} (see sgframe commands and sgframe plugins)") from None

    def __dir__(self) -> List[str]:
        from .command import REGISTRY

        names = {cls.__name__ for cls in REGISTRY}
        names.update(cls.__name__ for cls in self._view.plugins.commands(self._view.known_identity))
        return sorted(names)


def _sender(execute: Callable[..., Any], cls: type) -> Callable[..., Any]:
    """``channel.cmd.<Name>``: build the command from the CDB fields, send it with the rest."""
    build = constructor(cls)  # the generated constructor as a plain function: no type.__call__

    def send(**arguments: Any) -> Any:
        if not EXECUTE_OPTIONS.isdisjoint(arguments):
            options = {k: arguments.pop(k) for k in list(arguments) if k in EXECUTE_OPTIONS}
            return execute(build(**arguments), **options)
        return execute(build(**arguments))

    send.__name__ = cls.__name__
    send.__doc__ = cls.__doc__
    return send
