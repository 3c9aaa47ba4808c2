"""Many devices on many cores: a process per share of the devices, each with its own reactor.

One Python process is one core's worth of work, whatever the reactor does: past a point,
more devices on one reactor means fewer commands per device. :func:`spread` opens the
devices in worker processes (one reactor each, the devices dealt out in turn), runs a job
on each worker's channels and brings the job's results back::

    from sgframe.pool import spread

    def read_all(channels, reactor):
        ...                               # any sgframe code: async_=True, reactor.run_once()
        return {c.name: count for c in channels}

    results = spread(["/dev/sg0", ..., "/dev/sg255"], read_all, processes=8)

The job runs in the worker and is handed to it by pickle, so it is a module-level
function (of the ``__main__`` script too, with the default ``fork`` start method), and
what it returns must pickle. Test suites reach for pytest-xdist instead (one device or a
group of devices per worker); this is the way for a program.
"""
from __future__ import annotations

import multiprocessing
import os
from typing import Any, Callable, Dict, List, Optional, Sequence

from . import errors
from .channel import Channel
from .reactor import Reactor

__all__ = ["deal", "merged", "spread"]


def deal(devices: Sequence[str], processes: int) -> List[List[str]]:
    """The devices dealt out in turn over ``processes`` shares (empty shares dropped)."""
    shares: List[List[str]] = [list(devices[i::processes]) for i in range(processes)]
    return [share for share in shares if share]


def _work(args: tuple) -> Any:
    share, job, options = args
    with Reactor() as reactor:
        channels = []
        try:
            for device in share:
                channels.append(Channel.open(device, reactor=reactor, **options))
            return job(channels, reactor)
        finally:
            for channel in channels:
                channel.close()


def spread(devices: Sequence[str], job: Callable[[List[Channel], Reactor], Any], *,
           processes: Optional[int] = None, start_method: str = "fork", **options: Any) -> List[Any]:
    """Run ``job(channels, reactor)`` in worker processes over their share of ``devices``.

    :param devices: paths or URIs, as :meth:`Channel.open` takes them.
    :param job: called once per worker with that worker's open channels and its reactor.
    :param processes: how many workers (default: the CPUs this process may use, at most
        one per device).
    :param start_method: multiprocessing's: "fork" (fast; the default on Linux) or "spawn".
    :param options: passed to :meth:`Channel.open` for every device (queue_depth, ...).
    :returns: each worker's result, in the order of :func:`deal`'s shares.
    :raises UsageError: no devices, or a bad process count.
    """
    if not devices:
        raise errors.UsageError("spread() needs at least one device")
    if processes is None:
        processes = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if processes.__class__ is not int or processes < 1:
        raise errors.UsageError(f"processes is an int >= 1, not {processes!r}")
    shares = deal(devices, min(processes, len(devices)))
    context = multiprocessing.get_context(start_method)
    with context.Pool(len(shares)) as workers:
        return workers.map(_work, [(share, job, options) for share in shares], chunksize=1)


def merged(results: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The workers' dicts as one (for jobs that return {device: value})."""
    out: Dict[str, Any] = {}
    for result in results:
        out.update(result)
    return out
