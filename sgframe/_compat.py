"""Entry points, found without importlib.metadata.

``importlib.metadata`` costs about 28 ms to import (it brings email, zipfile, csv and
more), a third of what importing attrs and pluggy costs; the command line starts once per
device in a shell loop over hundreds of them. Entry points are plain files,
``entry_points.txt`` in each ``*.dist-info`` (or ``*.egg-info``) directory on
``sys.path``, so they are read here directly, with importlib.metadata's rules: the first
copy of a distribution on sys.path wins, and its entry points are taken as written.
A test compares the result with importlib.metadata's on the running interpreter.
"""
from __future__ import annotations

import os
import re
import sys
from importlib import import_module
from typing import Any, Dict, Iterator, List, Optional, Tuple

__all__ = ["EntryPoint", "entry_points"]


class _Distribution:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class EntryPoint:
    """One entry point: ``name = module:attribute`` in a group, from a distribution."""

    __slots__ = ("name", "value", "group", "dist")

    def __init__(self, name: str, value: str, group: str, dist: Optional[_Distribution]) -> None:
        self.name = name
        self.value = value
        self.group = group
        self.dist = dist

    @property
    def module(self) -> str:
        return self.value.partition(":")[0].strip()

    @property
    def attr(self) -> str:
        return self.value.partition(":")[2].partition("[")[0].strip()

    def load(self) -> Any:
        """Import the module and return the object the entry point names."""
        found: Any = import_module(self.module)
        for part in filter(None, self.attr.split(".")):
            found = getattr(found, part)
        return found

    def __repr__(self) -> str:
        return f"EntryPoint(name={self.name!r}, value={self.value!r}, group={self.group!r})"


_NORMALIZE = re.compile(r"[-_.]+")
_METADATA = re.compile(r"^(?P<name>.+?)(?:-[^-]*)?\.(?:dist|egg)-info$")


def _normalized(name: str) -> str:
    return _NORMALIZE.sub("-", name).lower()


def _metadata_dirs() -> Iterator[Tuple[str, str]]:
    """(distribution name as its directory says, directory), in sys.path order."""
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue  # a zip file, a missing directory
        for name in names:
            if not name.endswith("-info"):
                continue  # most of a site-packages: packages and modules, not metadata
            match = _METADATA.match(name)
            if match:
                yield match.group("name"), os.path.join(entry or ".", name)


def _distribution_name(directory: str, fallback: str) -> str:
    # The Name in METADATA (PKG-INFO for egg-info) is the distribution's own spelling.
    for file in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(directory, file), encoding="utf-8") as f:
                for line in f:
                    if line.startswith("Name:"):
                        return line[5:].strip()
                    if not line.strip():
                        break
        except OSError:
            continue
    return fallback


def _parse(text: str) -> Dict[str, List[Tuple[str, str]]]:
    """entry_points.txt: INI sections of ``name = value`` lines."""
    groups: Dict[str, List[Tuple[str, str]]] = {}
    current: Optional[List[Tuple[str, str]]] = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = groups.setdefault(line[1:-1].strip(), [])
        elif current is not None and "=" in line:
            name, _, value = line.partition("=")
            current.append((name.strip(), value.strip()))
    return groups


def entry_points(*, group: str) -> List[EntryPoint]:
    """The entry points of one group, as ``importlib.metadata.entry_points(group=...)``
    gives them on Python 3.10 and newer."""
    seen = set()
    found: List[EntryPoint] = []
    for dir_name, directory in _metadata_dirs():
        key = _normalized(dir_name)
        if key in seen:
            continue
        seen.add(key)
        try:
            with open(os.path.join(directory, "entry_points.txt"), encoding="utf-8") as f:
                groups = _parse(f.read())
        except OSError:
            continue
        if group in groups:
            dist = _Distribution(_distribution_name(directory, dir_name))
            found += [EntryPoint(name, value, group, dist) for name, value in groups[group]]
    return found
