"""timerfd(2): a clock as a file descriptor, so a reactor that knows only fds can wait on it.

Python gains ``os.timerfd_create`` only in 3.13; before that the two calls go through
libc with ctypes. The timer here is always absolute on CLOCK_MONOTONIC, the clock behind
:func:`time.monotonic` on Linux, so a deadline computed from ``time.monotonic()`` is set
as it is. The fd is readable from the moment the deadline passes until it is read.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os

__all__ = ["Timer"]

_CLOCK_MONOTONIC = 1
_TFD_TIMER_ABSTIME = 1
_TFD_NONBLOCK = os.O_NONBLOCK
_TFD_CLOEXEC = os.O_CLOEXEC


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class _Itimerspec(ctypes.Structure):
    _fields_ = [("it_interval", _Timespec), ("it_value", _Timespec)]


_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_create = _libc.timerfd_create
_create.argtypes = (ctypes.c_int, ctypes.c_int)
_settime = _libc.timerfd_settime
_settime.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.POINTER(_Itimerspec), ctypes.c_void_p)


class Timer:
    """One-shot monotonic timer whose fd becomes readable at the deadline."""

    __slots__ = ("fd", "_spec")

    def __init__(self) -> None:
        fd = _create(_CLOCK_MONOTONIC, _TFD_NONBLOCK | _TFD_CLOEXEC)
        if fd < 0:
            error = ctypes.get_errno()
            raise OSError(error, "timerfd_create: " + os.strerror(error))
        self.fd = fd
        self._spec = _Itimerspec()

    def set(self, deadline: float) -> None:
        """Fire at ``deadline`` (``time.monotonic()`` seconds); at once if it has passed."""
        seconds = int(deadline)
        value = self._spec.it_value
        value.tv_sec = seconds
        # 0 s 0 ns would disarm the timer: the earliest instant that fires is 1 ns.
        value.tv_nsec = max(1, int((deadline - seconds) * 1e9)) if seconds == 0 else int((deadline - seconds) * 1e9)
        if _settime(self.fd, _TFD_TIMER_ABSTIME, ctypes.byref(self._spec), None) < 0:
            error = ctypes.get_errno()
            raise OSError(error, "timerfd_settime: " + os.strerror(error))

    def fire_now(self) -> None:
        self.set(0.0)

    def clear(self) -> None:
        """Read the expiry count (the fd stops being readable); nothing happens if none."""
        try:
            os.read(self.fd, 8)
        except BlockingIOError:
            pass

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
