"""What differs between the Python versions sgframe supports (3.9 and newer)."""
from __future__ import annotations

import importlib.metadata
import re
from typing import Any, List

__all__ = ["entry_points"]


def entry_points(*, group: str) -> List[Any]:
    """The entry points of one group, as ``importlib.metadata.entry_points(group=...)``
    gives them on Python 3.10 and newer."""
    found = importlib.metadata.entry_points()
    if hasattr(found, "select"):
        return list(found.select(group=group))
    # Python 3.9 has no select(), and lists a distribution once for every place it is
    # found on sys.path (an egg-info in the checkout beside the installed copy, say).
    # 3.10 keeps the first copy of each distribution; so does this.
    seen = set()
    points = []
    for dist in importlib.metadata.distributions():
        name = re.sub(r"[-_.]+", "-", (dist.metadata["Name"] or "")).lower()
        if name in seen:
            continue
        seen.add(name)
        points += [ep for ep in dist.entry_points if ep.group == group]
    return points
