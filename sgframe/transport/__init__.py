"""Transports: how commands reach a device, chosen by path or URI scheme."""
from __future__ import annotations

from .base import Transport
from .opening import BUILTIN_SCHEMES, SCHEMES, open_transport

__all__ = ["BUILTIN_SCHEMES", "SCHEMES", "Transport", "open_transport"]
