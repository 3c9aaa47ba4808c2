"""Seagate's vendor log page codes, apart from their decoders (which load on first use)."""
from __future__ import annotations

__all__ = ["CACHE_STATISTICS_PAGE", "FACTORY_LOG_PAGE"]

#: Cache statistics (37h).
CACHE_STATISTICS_PAGE = 0x37
#: Factory log (3Eh).
FACTORY_LOG_PAGE = 0x3E
