"""sgframe-seagate: Seagate's vendor log pages (cache statistics 37h, factory log 3Eh), a
LOG SENSE command for them, vendor sense interpretation and an emulation, bound to drives
whose INQUIRY vendor identification is ``SEAGATE``.

Names are imported when first used, so that loading the plugin costs sgframe's start
little (the command line starts once per device in a shell loop).
"""
from __future__ import annotations

from sgframe._lazy import attach


# name -> (module in this package, attribute)
_WHERE = {
    'CACHE_STATISTICS_PAGE': ('pages', 'CACHE_STATISTICS_PAGE'),
    'FACTORY_LOG_PAGE': ('pages', 'FACTORY_LOG_PAGE'),
    'SeagateCacheStatistics': ('pages', 'SeagateCacheStatistics'),
    'SeagateFactoryLog': ('pages', 'SeagateFactoryLog'),
    'SeagateLogSense': ('commands', 'SeagateLogSense'),
    'VENDOR': ('plugin', 'VENDOR'),
    'decode_cache_statistics': ('pages', 'decode_cache_statistics'),
    'decode_factory_log': ('pages', 'decode_factory_log'),
    'install_seagate_pages': ('emu', 'install_seagate_pages'),
}

__all__ = sorted(_WHERE)


__getattr__, __dir__ = attach(__name__, {name: ("." + module, attribute) for name, (module, attribute) in _WHERE.items()})
