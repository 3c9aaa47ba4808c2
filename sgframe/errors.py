"""Exceptions raised by sgframe.

One root, :class:`SgframeError`, and two families under it that say whose fault a
failure is: :class:`UsageError` (our side: bad arguments, never sent to a device) and
:class:`TaskFailed` (the device, the transport or the kernel said the command failed).
"""
from __future__ import annotations


class SgframeError(Exception):
    """Root of every exception sgframe raises on purpose."""


class UsageError(SgframeError, ValueError):
    """A bad argument on the caller's side; nothing was sent to a device."""


class TaskFailed(SgframeError):
    """A command was sent and did not complete successfully."""
