"""The timerfd the iSCSI transport waits on through the reactor (deadlines, wake-ups)."""
from __future__ import annotations

import select
import time

from sgframe.linux.timerfd import Timer


def test_timerfd_fires_at_the_deadline_and_clears():
    timer = Timer()
    try:
        poller = select.poll()
        poller.register(timer.fd, select.POLLIN)
        assert poller.poll(0) == []
        start = time.monotonic()
        timer.set(start + 0.05)
        assert poller.poll(1000) == [(timer.fd, select.POLLIN)]
        assert time.monotonic() - start >= 0.045
        timer.clear()
        assert poller.poll(0) == []
        timer.fire_now()  # a deadline in the past fires at once
        assert poller.poll(100) == [(timer.fd, select.POLLIN)]
        timer.clear()
        timer.clear()  # nothing to read: no error
    finally:
        timer.close()
    assert timer.fd == -1
