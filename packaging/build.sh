#!/usr/bin/env bash
# Build the one-folder application into dist/reviewer/ and smoke-test it.
#
#   packaging/build.sh            # build with .venv (or $PYTHON), then run the smoke test
#   SKIP_SMOKE=1 packaging/build.sh
#
# Needs: the project installed in the venv with its `packaging` extra (PyInstaller), and the
# system libmagic with its database (Debian: libmagic1, libmagic-mgc). Windows and macOS:
# packaging/NOTES-windows-macos.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}

"$PYTHON" -m PyInstaller --version >/dev/null 2>&1 || {
  echo "build: PyInstaller missing; run: $PYTHON -m pip install -e '.[packaging]'" >&2
  exit 1
}
started=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/reviewer.spec
echo "build: dist/reviewer built in $(( $(date +%s) - started )) s, $(du -sh dist/reviewer | cut -f1)"

# Every library the build ships must find the Qt libraries it needs inside the build (a
# plugin whose dependency was left out would fail only on the laptop, and silently).
if [ "$(uname -s)" = Linux ]; then
  internal=dist/reviewer/_internal
  missing=$(find "$internal" -name '*.so*' -type f -print0 |
    LD_LIBRARY_PATH="$internal:$internal/PySide6/Qt/lib" xargs -0 ldd 2>/dev/null |
    grep -o 'libQt6[^ ]* => not found' | sort -u || true)
  if [ -n "$missing" ]; then
    echo "build: bundled libraries need Qt libraries the build left out:" >&2
    echo "$missing" >&2
    exit 1
  fi
fi

if [ "${SKIP_SMOKE:-0}" != 1 ]; then
  "$PYTHON" packaging/smoke_test.py dist/reviewer/reviewer
fi
