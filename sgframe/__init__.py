"""sgframe: SCSI commands through the Linux sg driver.

Commands are immutable CDB records (:mod:`sgframe.command`); a :class:`Channel` sends
them to one device through a transport; a :class:`Reactor` collects completions for many
channels at once.
"""
from __future__ import annotations

from . import command, errors
from .channel import Channel
from .io import Bidirectional, Input, Io, NoDirectionIo, Output
from .reactor import Reactor

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
]
