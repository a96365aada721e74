"""PyInstaller runtime hook, in place of PyInstaller's own for PySide6 (``pyi_rth_pyside6``).

That hook imports PySide6.QtCore on every start, to register a ``qt.conf`` that PySide6's
wheels register themselves, which cost every command (``reviewer --version``, ``reviewer tag``)
the loading of Qt. This one only points Qt at the bundled plugins and QML modules, as that
hook does, and Qt is loaded when the GUI first imports it.
"""

import os
import sys


def _qt_paths() -> None:
    from _pyi_rth_utils import is_macos_app_bundle, prepend_path_to_environment_variable

    base = sys._MEIPASS  # type: ignore[attr-defined]  # set by PyInstaller's bootloader
    qt = (
        os.path.join(base, "PySide6")
        if sys.platform.startswith("win")
        else (os.path.join(base, "PySide6", "Qt"))
    )
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt, "plugins")
    if is_macos_app_bundle:
        # Data files live under Contents/Resources and binaries under Contents/Frameworks.
        resources = os.path.normpath(
            os.path.join(base, "..", "Resources", os.path.relpath(qt, base))
        )
        os.environ["QML2_IMPORT_PATH"] = os.pathsep.join(
            [os.path.join(resources, "qml"), os.path.join(qt, "qml")]
        )
    else:
        os.environ["QML2_IMPORT_PATH"] = os.path.join(qt, "qml")
    if sys.platform.startswith("win"):
        prepend_path_to_environment_variable(base, "PATH")
    if sys.platform == "darwin" and not is_macos_app_bundle:
        prepend_path_to_environment_variable(base, "DYLD_LIBRARY_PATH")


_qt_paths()
del _qt_paths
