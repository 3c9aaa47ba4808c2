"""sgframe: SCSI commands through the Linux sg driver, bsg, an emulated device and more.

Commands are immutable CDB records (:mod:`sgframe.command`); a :class:`Channel` sends
them to one device through a transport; a :class:`Reactor` collects completions for many
channels at once.

The layers, from the bottom; a module imports only from its own layer or those below it
(``tests/test_architecture.py`` derives the graph from the source and holds this):

1. ``_code_cache``, ``_compat``, ``_lazy``, ``_records``, ``_version``, ``errors``,
   ``host_status``, ``status``: exceptions, status codes and Linux's host and driver bytes,
   the means to import lazily, cheap-to-make attrs records, and generated code kept
   compiled between runs.
2. ``sense``, ``cdb``, ``linux``: sense data, the CDB language, the kernel's structures.
3. ``command``, ``command_info``, ``decode``, ``registry``, ``raw``, ``params``, ``emu``:
   commands, the decoders of what devices return, the emulated devices.
4. ``io``: the record of one exchange.
5. ``judge``, ``handler``, ``retry``, ``exchange``: deciding an Io's outcome, and the
   I/O-free engine that runs Ios for a channel.
6. ``transport``, ``reactor``, ``iscsi``: system calls, waiting on descriptors, and the
   iSCSI initiator (a sans-IO protocol core and a blocking socket driver).
7. ``plugin_types``, ``hookspecs``, ``builtin``, ``plugins``: the plugin system.
8. ``device``, ``channel``, ``pool``: a device's identity and commands; the wiring of it
   all; devices spread over worker processes.
9. ``cli``, ``testbed``, ``lab``, ``testing``, ``pytest_plugin``, ``conformance``: the command
   line, the test bed, the device lab (TCMU), the pytest plugin and the conformance suite.

``import sgframe`` imports none of them: each name below is imported when first used, so
a script (or the command line) pays only for what it touches.
"""
from __future__ import annotations

from ._lazy import attach
from ._version import __version__

# name -> (module, attribute or None for the module itself)
_LAZY = {
    "Bidirectional": (".io", "Bidirectional"),
    "Channel": (".channel", "Channel"),
    "Input": (".io", "Input"),
    "Io": (".io", "Io"),
    "NoDirectionIo": (".io", "NoDirectionIo"),
    "Output": (".io", "Output"),
    "Reactor": (".reactor", "Reactor"),
    "command": (".command", None),
    "errors": (".errors", None),
    "handler": (".handler", None),
    "hookimpl": (".hookspecs", "hookimpl"),
    "plugins": (".plugins", None),
    "retry": (".retry", None),
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = attach(__name__, _LAZY)
