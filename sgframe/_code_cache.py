"""Generated code kept compiled between runs, beside Python's own bytecode.

A command class's codec is Python source generated from its fields and compiled at its
first use; compiling is most of what that first use costs (about 0.5 ms for TEST UNIT
READY), and the command line pays it at every start. The code objects are kept the way
Python keeps a module's: in the ``__pycache__`` directory beside the module that declares
the classes, one file per module (``spc.cpython-311.codecs``), holding a marshalled
``{filename: (source, code)}`` and the interpreter's version.

The rules are those of ``.pyc`` files: nothing is written under ``sys.dont_write_bytecode``
(``PYTHONDONTWRITEBYTECODE``) or where ``__pycache__`` cannot be written; a file that cannot
be read, or that another interpreter wrote, is ignored; an entry is used only for exactly
the source it was compiled from. Classes defined inside functions are not kept (each
definition has a name of its own, so their entries would only pile up).
"""
from __future__ import annotations

import marshal
import os
import sys
from types import CodeType
from typing import Dict, Optional, Tuple

__all__ = ["compile_cached"]

_Entries = Dict[str, Tuple[str, CodeType]]

#: cache file -> its entries, read once per process.
_LOADED: Dict[str, _Entries] = {}


def compile_cached(source: str, filename: str, module_file: Optional[str], qualname: str) -> CodeType:
    """``compile(source, filename, "exec")``, from the cache of ``module_file`` (the file of
    the module that declares ``qualname``) when it holds this very source."""
    path = _cache_path(module_file, qualname)
    if path is None:
        return compile(source, filename, "exec")
    entries = _LOADED.get(path)
    if entries is None:
        entries = _LOADED[path] = _read(path)
    found = entries.get(filename)
    if isinstance(found, tuple) and len(found) == 2 and found[0] == source and isinstance(found[1], CodeType):
        return found[1]
    code = compile(source, filename, "exec")
    entries[filename] = (source, code)
    if not sys.dont_write_bytecode:
        _write(path, filename, entries[filename])
    return code


def _cache_path(module_file: Optional[str], qualname: str) -> Optional[str]:
    if not module_file or not module_file.endswith(".py") or "<locals>" in qualname:
        return None
    if sys.pycache_prefix is not None:
        return None  # a tree of its own elsewhere: left to Python's own bytecode
    directory, name = os.path.split(module_file)
    return os.path.join(directory, "__pycache__", f"{name[:-3]}.{sys.implementation.cache_tag}.codecs")


def _read(path: str) -> _Entries:
    try:
        with open(path, "rb") as f:
            version, entries = marshal.load(f)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if version != sys.version or not isinstance(entries, dict):
        return {}
    return entries


def _write(path: str, filename: str, entry: Tuple[str, CodeType]) -> None:
    # Another process may have added entries since this one read the file: merge, then
    # replace the file in one step so that no reader sees half of it.
    entries = _read(path)
    entries[filename] = entry
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as f:
            marshal.dump((sys.version, entries), f)
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
