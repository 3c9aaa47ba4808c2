"""The plugin manager: built-in and installed plugins, their device bindings, and a typed
facade over ``pm.hook`` so call sites read like function calls.

The first channel, or the first question about plugins, runs :func:`load`: the built-in plugin (:mod:`sgframe.builtin`)
registers the standard commands, decoders, transports, emulated devices and
subcommands, then every entry point of the group ``sgframe`` is loaded, except those
named in ``SGFRAME_DISABLE_PLUGINS`` (comma-separated entry-point names). A plugin that
fails to import or to register is left out, reported with its name (a
:class:`PluginWarning`, and ``sgframe plugins``), and sgframe carries on without it.

Plugins other than the built-in one get a command registry of their own: a vendor
command may reuse an operation code SPC gives to another command. ``channel.cmd``
finds commands in :data:`sgframe.command.REGISTRY` first, then in the registries of the
plugins that apply to the device (:meth:`PluginManager.find_command`).
"""
from __future__ import annotations

import os
import warnings
from types import FunctionType, MethodType, ModuleType
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import pluggy

from . import hookspecs
from ._compat import entry_points
from .errors import UsageError
from .judge import PluginHook
from .plugin_types import (
    ACCEPT, DeviceIdentity, DeviceMatch, EmuKinds, Interpretation, PluginInfo, PluginWarning,
    SubcommandRegistry, TransportRegistry, _SubcommandsFor, _text,
)
from .registry import CommandRegistry

__all__ = [
    "ACCEPT", "DISABLE_VARIABLE", "ENTRY_POINT_GROUP", "BUILTIN", "DeviceIdentity", "DeviceMatch",
    "EmuKinds", "Interpretation", "PluginInfo", "PluginManager", "PluginWarning",
    "TransportRegistry", "load", "manager",
]

#: Entry-point group of installed plugins.
ENTRY_POINT_GROUP = hookspecs.PROJECT
#: Environment variable naming plugins not to load (comma-separated entry-point names).
DISABLE_VARIABLE = "SGFRAME_DISABLE_PLUGINS"
#: The built-in plugin's name; it cannot be disabled.
BUILTIN = "builtin"


def _disabled_names() -> List[str]:
    # Commas or spaces: "sat,seagate" and "sat seagate" both name two plugins.
    return os.environ.get(DISABLE_VARIABLE, "").replace(",", " ").split()


class _Pluggy(pluggy.PluginManager):
    """pluggy's manager, finding the hooks of a module (the built-in plugin, most installed
    ones, the hook specifications) without :func:`inspect.getattr_static`.

    pluggy looks at every name a plugin module holds (its imports included) through
    ``getattr_static``, which walks the module type's MRO for each: about a quarter of what
    loading the plugins cost each start of the command line (measured with cProfile). In a module's namespace a name is
    what its ``__dict__`` holds, so a plain function is read there and judged by its
    marker; anything else (and a name not in the dictionary) goes to pluggy as before.
    """

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        found = _module_marker(plugin, name, self.project_name + "_impl")
        return super().parse_hookimpl_opts(plugin, name) if found is _ASK_PLUGGY else found

    def parse_hookspec_opts(self, module_or_class: Any, name: str) -> Any:
        found = _module_marker(module_or_class, name, self.project_name + "_spec")
        return super().parse_hookspec_opts(module_or_class, name) if found is _ASK_PLUGGY else found


_ASK_PLUGGY = object()


def _module_marker(namespace: Any, name: str, marker: str) -> Any:
    """The options a hook marker left on ``namespace.name`` when ``namespace`` is a module:
    a dict, or None (not a hook); :data:`_ASK_PLUGGY` where pluggy's own rules must decide
    (not a module; a static or class method, a bound method, a name not in the module's
    dictionary)."""
    if not isinstance(namespace, ModuleType):
        return _ASK_PLUGGY
    value = namespace.__dict__.get(name, _ASK_PLUGGY)
    if type(value) is FunctionType:
        opts = getattr(value, marker, None)
        return opts if isinstance(opts, dict) else None
    if value is _ASK_PLUGGY or isinstance(value, (staticmethod, classmethod, MethodType)):
        return _ASK_PLUGGY
    return None  # a class, a constant, a submodule: pluggy would not take it either


class PluginManager:
    """A pluggy manager for the ``sgframe`` project, with what sgframe needs around it.

    :param schemes: the transport table to fill (default: :data:`sgframe.transport.SCHEMES`).
    :param commands: the standard command registry, given to the built-in plugin
        (default: :data:`sgframe.command.REGISTRY`).
    """

    def __init__(self, *, schemes: Optional[Dict[str, Callable[..., Any]]] = None,
                 commands: Optional[CommandRegistry] = None) -> None:
        self.pm = _Pluggy(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        if schemes is None:
            from .transport import SCHEMES as schemes  # noqa: N811
        if commands is None:
            from .command import REGISTRY as commands  # noqa: N811
        self._schemes = schemes
        self._standard = commands
        self._infos: Dict[str, PluginInfo] = {}
        #: What was wrong with the environment (an unknown name in SGFRAME_DISABLE_PLUGINS).
        self.environment_problems: List[str] = []
        #: ``judge_hook(io, outcome)``: the plugins' ``sgframe_judge_response``, or None
        #: while no plugin implements it (see :mod:`sgframe.judge`).
        self.judge_hook: Optional[PluginHook] = None

    # --- registering --------------------------------------------------------------------

    def register(self, plugin: Any, name: Optional[str] = None, *, origin: str = "registered") -> Optional[PluginInfo]:
        """Register a plugin object and run its registration hooks.

        A plugin whose registration raises is unregistered again and reported; the
        returned info then has ``state == "failed"``.
        """
        name = name or getattr(plugin, "__name__", None) or repr(plugin)
        if name in self._infos and self._infos[name].state == "loaded":
            raise UsageError(f"a plugin named {name!r} is already registered")
        info = PluginInfo(name=name, origin=origin, plugin=plugin)
        if name == BUILTIN:
            info.commands = self._standard
        self._infos[name] = info
        try:
            self.pm.register(plugin, name=name)
        except Exception as exc:  # noqa: BLE001 - pluggy rejects a malformed plugin
            return self._fail(info, f"cannot register: {type(exc).__name__}: {exc}")
        try:
            binding = self._call_own(info, "sgframe_bind_devices")
            if binding:
                matches = tuple(binding)
                for match in matches:
                    if not isinstance(match, DeviceMatch):
                        raise UsageError(f"sgframe_bind_devices returned {match!r}, not a DeviceMatch")
                info.binding = matches
            self._call_own(info, "sgframe_register_commands", registry=info.commands)
            self._call_own(info, "sgframe_register_transports", registry=TransportRegistry(self._schemes, info))
            self._call_own(info, "sgframe_register_emu_kinds", kinds=EmuKinds(info))
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not take sgframe down
            self._undo(info)
            self.pm.unregister(name=name)
            return self._fail(info, f"registration failed: {type(exc).__name__}: {exc}")
        self._refresh_judge_hook()
        return info

    def unregister(self, name: str) -> None:
        """Remove a plugin and what it registered (transports, emu kinds, commands)."""
        info = self._infos.pop(name, None)
        if info is None:
            raise UsageError(f"no plugin named {name!r} is registered")
        if info.state == "loaded":
            self._undo(info)
            self.pm.unregister(name=name)
        self._refresh_judge_hook()

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> None:
        """Load the installed plugins (entry points of ``group``) not disabled."""
        disabled = set(_disabled_names())
        found = sorted(entry_points(group=group), key=lambda e: e.name)
        unknown = sorted(disabled - {ep.name for ep in found} - {BUILTIN})
        if unknown:
            known = ", ".join(ep.name for ep in found) or "none installed"
            hints = ", ".join(_name_hint(name, found) for name in unknown)
            self._environment_problem(f"{DISABLE_VARIABLE} names no installed plugin {hints}: nothing was "
                                      f"disabled for it; the installed plugins are: {known}")
        if BUILTIN in disabled:
            self._environment_problem(f"{DISABLE_VARIABLE}: the built-in plugin cannot be disabled")
        for ep in found:
            dist = getattr(getattr(ep, "dist", None), "name", None)
            origin = f"entry point {ep.name} = {ep.value}" + (f" [{dist}]" if dist else "")
            if ep.name in self._infos:
                continue
            if ep.name in disabled:
                self._infos[ep.name] = PluginInfo(name=ep.name, origin=origin, state="disabled")
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # noqa: BLE001 - see the module docstring
                self._fail(PluginInfo(name=ep.name, origin=origin), f"cannot import: {type(exc).__name__}: {exc}")
                continue
            self.register(plugin, ep.name, origin=origin)

    def _environment_problem(self, problem: str) -> None:
        self.environment_problems.append(problem)
        warnings.warn(f"sgframe: {problem}", PluginWarning, stacklevel=3)

    def _fail(self, info: PluginInfo, problem: str) -> PluginInfo:
        info.state = "failed"
        info.problems.append(problem)
        self._infos[info.name] = info
        warnings.warn(f"sgframe plugin {info.name!r} ({info.origin}): {problem}", PluginWarning, stacklevel=3)
        return info

    def _undo(self, info: PluginInfo) -> None:
        from .emu.uri import KINDS

        for scheme in info.schemes:
            self._schemes.pop(scheme, None)
        if info.name != BUILTIN:
            for kind in info.kinds:
                KINDS.pop(kind, None)
        info.schemes.clear()
        info.kinds.clear()

    def _call_own(self, info: PluginInfo, hook: str, **kwargs: Any) -> Any:
        """Call one plugin's implementation of a hook (registration hooks: each plugin
        gets arguments of its own)."""
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            if impl.plugin_name == info.name and not (impl.wrapper or impl.hookwrapper):
                return impl.function(*[kwargs[a] for a in impl.argnames])
        return None

    # --- what is loaded -----------------------------------------------------------------

    def info(self, name: str) -> PluginInfo:
        try:
            return self._infos[name]
        except KeyError:
            raise UsageError(f"no plugin named {name!r}; known: {', '.join(sorted(self._infos))}") from None

    def __iter__(self) -> Iterator[PluginInfo]:
        return iter(list(self._infos.values()))

    @property
    def problems(self) -> List[str]:
        """One line per problem: ``"NAME: what went wrong"`` (and the environment's)."""
        return list(self.environment_problems) + [f"{i.name}: {p}" for i in self._infos.values() for p in i.problems]

    def applicable(self, device: Optional[DeviceIdentity], explicit: Sequence[str] = ()) -> List[str]:
        """Names of the loaded plugins that apply to ``device`` (and those named)."""
        for name in explicit:
            if self.info(name).state != "loaded":
                raise UsageError(f"plugin {name!r} is {self.info(name).state}, not loaded")
        return [i.name for i in self._infos.values()
                if i.state == "loaded" and (i.applies_to(device) or i.name in explicit)]

    def bound(self, device: Optional[DeviceIdentity]) -> List[str]:
        """Names of the plugins bound to ``device`` by vendor identification."""
        return [i.name for i in self._infos.values()
                if i.state == "loaded" and i.binding is not None and i.applies_to(device)]

    # --- commands -----------------------------------------------------------------------

    def find_command(self, name: str, device: Callable[[], Optional[DeviceIdentity]] | Optional[DeviceIdentity] = None) -> type:
        """A command class by name: the standard registry, then unbound plugins', then
        (asking ``device()`` only now, when it is a callable) the bound plugins'.

        :raises UsageError: no applicable plugin has it.
        """
        try:
            return self._standard.by_name(name)
        except UsageError:
            pass
        infos = [i for i in self._infos.values() if i.state == "loaded" and i.name != BUILTIN]
        for info in infos:
            if info.binding is None and _has(info.commands, name):
                return info.commands.by_name(name)
        bound = [i for i in infos if i.binding is not None and _has(i.commands, name)]
        if bound:
            identity = device() if callable(device) else device
            for info in bound:
                if info.applies_to(identity):
                    return info.commands.by_name(name)
            raise UsageError(f"command {name!r} comes from plugin {bound[0].name!r}, which is not bound to "
                             f"{identity or 'this device'}; send it explicitly with channel.execute()")
        raise UsageError(f"no command named {name!r} is registered")

    def commands(self, device: Optional[DeviceIdentity] = None, *, every: bool = False) -> List[type]:
        """The plugin commands (standard ones excluded) that apply to ``device``, or all."""
        return [cls for i in self._infos.values()
                if i.state == "loaded" and i.name != BUILTIN and (every or i.applies_to(device))
                for cls in i.commands]

    def describe(self, cls: type) -> Any:
        """What the registry that holds ``cls`` says of it (:meth:`CommandRegistry.describe`),
        with the plugin it came from as ``(info, plugin_name)``.

        :raises UsageError: no loaded plugin registered ``cls``.
        """
        for info in self._infos.values():
            if info.state == "loaded" and cls in info.commands:
                return info.commands.describe(cls), info.name
        raise UsageError(f"{cls!r} is not a registered command")

    def every_command(self) -> List[Tuple[type, str]]:
        """Every command of every loaded plugin, the standard ones first: ``(cls, plugin)``."""
        found = [(cls, BUILTIN) for cls in self._standard]
        found += [(cls, i.name) for i in self._infos.values()
                  if i.state == "loaded" and i.name != BUILTIN for cls in i.commands]
        return found

    def decode_cdb(self, raw: bytes, device: Optional[DeviceIdentity] = None) -> Any:
        """Decode CDB bytes through the standard registry, then the applicable plugins'."""
        try:
            return self._standard.decode_cdb(raw)
        except UsageError as first:
            for name in self.applicable(device):
                if name != BUILTIN:
                    try:
                        return self._infos[name].commands.decode_cdb(raw)
                    except UsageError:
                        continue
            raise first

    # --- first-answer hooks -------------------------------------------------------------

    def _first(self, hook: str, for_device: Optional[DeviceIdentity], explicit: Sequence[str], **kwargs: Any) -> Any:
        names = set(self.applicable(for_device, explicit))
        failed: set = set()
        while True:
            keep = names - failed
            remove = [p for n, p in self.pm.list_name_plugin() if n not in keep]
            try:
                return self.pm.subset_hook_caller(hook, remove)(**kwargs)
            except Exception as exc:  # noqa: BLE001 - blame one plugin, go on without it
                culprit = self._culprit(hook, exc)
                if culprit is None or culprit in failed or culprit == BUILTIN:
                    raise
                failed.add(culprit)
                self._infos[culprit].problems.append(f"{hook} raised {type(exc).__name__}: {exc}")
                warnings.warn(f"sgframe plugin {culprit!r}: {hook} raised {exc!r}; skipped", PluginWarning, stacklevel=3)

    def _culprit(self, hook: str, exc: BaseException) -> Optional[str]:
        codes = {getattr(impl.function, "__code__", None): impl.plugin_name
                 for impl in getattr(self.pm.hook, hook).get_hookimpls()}
        tb = exc.__traceback__
        culprit = None
        while tb is not None:
            if tb.tb_frame.f_code in codes:
                culprit = codes[tb.tb_frame.f_code]
            tb = tb.tb_next
        return culprit

    def interpret_sense(self, sense: Any, device: Optional[DeviceIdentity] = None,
                        plugins: Sequence[str] = ()) -> Optional[Interpretation]:
        """Ask the plugins that apply to ``device`` (and ``plugins``, by name) what sense
        data means. ``sense`` may be bytes; the built-in plugin answers with the standard
        ASC/ASCQ text when nobody knows better."""
        if isinstance(sense, (bytes, bytearray, memoryview)):
            from .sense import decode_sense

            sense = decode_sense(bytes(sense))
        return self._first("sgframe_interpret_sense", device, plugins, sense=sense, device=device)

    def decode_vpd_page(self, data: bytes, device: Optional[DeviceIdentity] = None, plugins: Sequence[str] = ()) -> Any:
        """Decode a VPD page with the plugins that apply to ``device``; never raises on data."""
        data = bytes(data)
        page = data[1] if len(data) > 1 else -1
        return self._first("sgframe_decode_vpd_page", device, plugins, page_code=page, data=data, device=device)

    def decode_mode_page(self, data: bytes, device: Optional[DeviceIdentity] = None, plugins: Sequence[str] = ()) -> Any:
        """Decode one mode page with the plugins that apply to ``device``."""
        data = bytes(data)
        page, subpage = _page_codes(data)
        return self._first("sgframe_decode_mode_page", device, plugins, page_code=page,
                           subpage_code=subpage, data=data, device=device)

    def decode_log_page(self, data: bytes, device: Optional[DeviceIdentity] = None, plugins: Sequence[str] = ()) -> Any:
        """Decode a log page with the plugins that apply to ``device``."""
        data = bytes(data)
        page, subpage = _page_codes(data)
        return self._first("sgframe_decode_log_page", device, plugins, page_code=page,
                           subpage_code=subpage, data=data, device=device)

    # --- emulation, subcommands, judging ------------------------------------------------

    def emulate(self, disk: Any, kind: str) -> None:
        """Let the plugins that apply to the emulated device add or wrap its commands."""
        identity = DeviceIdentity(_text(getattr(disk, "vendor", "")), _text(getattr(disk, "product", "")),
                                  _text(getattr(disk, "revision", "")))
        for name in self.applicable(identity):
            info = self._infos[name]
            try:
                self._call_own(info, "sgframe_emulate_commands", disk=disk, kind=kind)
            except Exception as exc:  # noqa: BLE001 - the device works without this plugin's part
                info.problems.append(f"sgframe_emulate_commands raised {type(exc).__name__}: {exc}")
                warnings.warn(f"sgframe plugin {name!r}: sgframe_emulate_commands raised {exc!r}", PluginWarning, stacklevel=2)

    def register_subcommands(self, registry: Any) -> None:
        """The command line's provider: each loaded plugin adds its subcommands."""
        for info in list(self._infos.values()):
            if info.state != "loaded":
                if info.state == "failed":
                    registry.problems.extend(f"plugin {info.name}: {p}" for p in info.problems)
                continue
            origin = "builtin" if info.name == BUILTIN else f"plugin {info.name}"
            try:
                self._call_own(info, "sgframe_register_subcommands", registry=_SubcommandsFor(registry, origin))
            except Exception as exc:  # noqa: BLE001 - the other subcommands still work
                registry.problems.append(f"plugin {info.name}: {type(exc).__name__}: {exc}")

    def judge_response(self, io: Any, outcome: Optional[BaseException]) -> Optional[BaseException]:
        """Run ``sgframe_judge_response``: the outcome the plugins settle on."""
        try:
            answer = self.pm.hook.sgframe_judge_response(io=io, outcome=outcome)
        except Exception as raised:  # noqa: BLE001 - as a raising handler: it is the outcome
            answer = raised
        if answer is None:
            return outcome
        if answer is ACCEPT:
            io.exception = None
            return None
        if isinstance(answer, BaseException):
            io.exception = answer
            return answer
        wrong = UsageError(f"sgframe_judge_response returned {answer!r}: give None, ACCEPT or an exception")
        io.exception = wrong
        return wrong

    def _refresh_judge_hook(self) -> None:
        # Channels read judge_hook at each completion and call plugins only when one
        # implements the hook: the completion path stays free of pluggy's per-call cost
        # (a few microseconds) otherwise.
        self.judge_hook = self.judge_response if self.pm.hook.sgframe_judge_response.get_hookimpls() else None

    # --- opening devices ----------------------------------------------------------------

    def open_transport(self, uri: str, **options: Any) -> Any:
        """A transport for ``uri`` through the scheme table the plugins filled; an
        emulated device is then shown to the plugins that apply to it, which may teach it
        their commands (``sgframe_emulate_commands``)."""
        from .transport import open_transport
        from .transport.emu import EmuTransport

        transport = open_transport(uri, schemes=self._schemes, **options)
        if isinstance(transport, EmuTransport):
            self.emulate(transport.device, transport.kind)
        return transport


def _name_hint(name: str, found: Sequence[Any]) -> str:
    """``'SAT' (did you mean 'sat'?)`` when only the case is wrong, else ``'garbage'``."""
    for ep in found:
        if ep.name.lower() == name.lower():
            return f"{name!r} (did you mean {ep.name!r}?)"
    return repr(name)


def _has(registry: CommandRegistry, name: str) -> bool:
    try:
        registry.by_name(name)
        return True
    except UsageError:
        return False


def _page_codes(data: bytes) -> Tuple[int, int]:
    if not data:
        return -1, 0
    spf = bool(data[0] & 0x40)
    return data[0] & 0x3F, (data[1] if spf and len(data) > 1 else 0)


_MANAGER: Optional[PluginManager] = None


def manager() -> PluginManager:
    """The process's plugin manager (made and loaded by :func:`load` on first use)."""
    return _MANAGER if _MANAGER is not None else load()


def load(*, entry_points_too: bool = True) -> PluginManager:
    """Make the process's manager: the built-in plugin, then the installed ones.

    Called when a channel binds its first device or anything asks :func:`manager`;
    calling it again returns the same manager.
    """
    global _MANAGER
    if _MANAGER is not None:
        return _MANAGER
    from . import builtin

    _MANAGER = PluginManager()
    info = _MANAGER.register(builtin, BUILTIN, origin="builtin")
    if info is None or info.state != "loaded":
        raise RuntimeError(f"the built-in plugin failed: {info.problems if info else '?'}")
    if entry_points_too:
        _MANAGER.load_entry_points()
    _MANAGER._refresh_judge_hook()
    return _MANAGER


def register(plugin: Any, name: Optional[str] = None) -> Optional[PluginInfo]:
    """Register a plugin object in the process's manager (tests and scripts use this)."""
    return manager().register(plugin, name)


def unregister(name: str) -> None:
    """Remove a plugin registered with :func:`register`."""
    manager().unregister(name)


def iter_plugins() -> Iterable[PluginInfo]:
    return iter(manager())
