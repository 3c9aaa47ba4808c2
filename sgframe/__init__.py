"""sgframe: SCSI commands through the Linux sg driver.

Commands are immutable CDB records (:mod:`sgframe.command`); a :class:`Channel` sends
them to one device through a transport; a :class:`Reactor` collects completions for many
channels at once.
"""
from __future__ import annotations

from .hookspecs import hookimpl
from . import command, errors, handler, retry
from .channel import Channel
from .io import Bidirectional, Input, Io, NoDirectionIo, Output
from .reactor import Reactor
from . import plugins

__version__ = "0.1.0"

__all__ = [
    "Bidirectional",
    "Channel",
    "Input",
    "Io",
    "NoDirectionIo",
    "Output",
    "Reactor",
    "command",
    "errors",
    "handler",
    "hookimpl",
    "plugins",
    "retry",
]

# Last, once every name above exists: installed plugins may import them while loading.
plugins.load()
