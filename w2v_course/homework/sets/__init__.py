"""The checks of every homework set, one module per set: ``setNN_name.py`` (importing registers it).

Every module in this folder whose name starts with ``set`` is imported, in name order, so adding a
set means adding its module here and its master in ``homework/exercise_masters/`` - nothing else.
"""

import importlib
import pkgutil

SET_MODULES = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("set"))

for _name in SET_MODULES:
    importlib.import_module(f"{__name__}.{_name}")
