"""PyInstaller runtime hook: make python-magic use the libmagic and the database bundled with
the application, not whatever the laptop has (or lacks).

libmagic reads its default database from $MAGIC, and python-magic loads the library by name
(``find_library("magic")`` then ``libmagic.so.1``). Loading the bundled copy first by its
full path means the later by-name load gets this copy: the dynamic loader matches an already
loaded library by its soname. The import worker process runs this hook too.
"""

import ctypes
import os
import sys

_BASE = getattr(sys, "_MEIPASS", os.path.dirname(sys.executable))
_DB = os.path.join(_BASE, "magic", "magic.mgc")
if os.path.exists(_DB):
    os.environ["MAGIC"] = _DB

for _name in ("libmagic.so.1", "libmagic.1.dylib"):
    _lib = os.path.join(_BASE, _name)
    if os.path.exists(_lib):
        ctypes.CDLL(_lib)
