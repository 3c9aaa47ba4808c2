"""sgframe-seagate: Seagate's vendor log pages (cache statistics 37h, factory log 3Eh), a
LOG SENSE command for them, vendor sense interpretation and an emulation, bound to drives
whose INQUIRY vendor identification is ``SEAGATE``."""
from __future__ import annotations

from .commands import SeagateLogSense
from .emu import install_seagate_pages
from .pages import (
    CACHE_STATISTICS_PAGE, FACTORY_LOG_PAGE, SeagateCacheStatistics, SeagateFactoryLog,
    decode_cache_statistics, decode_factory_log,
)
from .plugin import VENDOR

__all__ = [
    "CACHE_STATISTICS_PAGE", "FACTORY_LOG_PAGE", "SeagateCacheStatistics", "SeagateFactoryLog",
    "SeagateLogSense", "VENDOR", "decode_cache_statistics", "decode_factory_log", "install_seagate_pages",
]
