#!/usr/bin/env bash
# Download every wheel reviewer needs into OUT_DIR, to carry to an offline machine.
#
#   packaging/wheelhouse.sh OUT_DIR
#
# OUT_DIR then holds reviewer's own wheel, a wheel for every runtime dependency, and the build
# backend (setuptools, wheel) for anyone who must rebuild from source. On the offline machine
# (Python 3.11+ and the system libmagic, e.g. Debian's libmagic1):
#
#   python3 -m venv ~/reviewer-venv
#   ~/reviewer-venv/bin/pip install --no-index --find-links OUT_DIR reviewer
#
# The wheels are for this machine's Python version and platform. For another one, set
# PLATFORM and PYVER (e.g. PLATFORM=win_amd64 PYVER=3.11), which takes binary wheels only.
# The script then installs from OUT_DIR into a fresh venv with the network cut off (unshare -n
# when available) and runs `reviewer --version`; VERIFY=0 skips that.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: packaging/wheelhouse.sh OUT_DIR}
PYTHON=${PYTHON:-python3}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

target=()
if [ -n "${PLATFORM:-}" ]; then
  target=(--only-binary=:all: --platform "$PLATFORM" --python-version "${PYVER:-3.11}")
fi

# The runtime dependencies (resolved from pyproject.toml), preferring wheels.
"$PYTHON" -m pip download --quiet --prefer-binary "${target[@]}" --dest "$OUT" .
# Any dependency published only as a source archive becomes a wheel here, so the offline
# install never needs to build anything.
shopt -s nullglob
sdists=("$OUT"/*.tar.gz "$OUT"/*.zip)
if [ ${#sdists[@]} -gt 0 ] && [ -z "${PLATFORM:-}" ]; then
  "$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$OUT" "${sdists[@]}"
fi
# The build backend, and reviewer itself as a wheel.
"$PYTHON" -m pip download --quiet --only-binary=:all: "${target[@]}" --dest "$OUT" \
  setuptools wheel
"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$OUT" .
echo "wheelhouse: $(ls "$OUT" | wc -l) files, $(du -sh "$OUT" | cut -f1) in $OUT"

if [ "${VERIFY:-1}" = 1 ] && [ -z "${PLATFORM:-}" ]; then
  venv=$(mktemp -d)/venv
  offline=()
  if unshare -n true 2>/dev/null; then offline=(unshare -n); fi  # a namespace with no network
  # PIP_CONFIG_FILE=/dev/null: no site configuration adds an index or a local wheel folder.
  env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null \
    "${offline[@]}" sh -c "'$PYTHON' -m venv '$venv' &&
      '$venv/bin/pip' install --quiet --no-index --find-links '$OUT' reviewer"
  "${offline[@]}" "$venv/bin/reviewer" --version
  echo "wheelhouse: offline install verified (${offline[*]:-network not cut off}) in $venv"
fi
