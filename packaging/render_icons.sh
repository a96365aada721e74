#!/usr/bin/env bash
# Render resources/icons/reviewer.svg to the PNG sizes desktops expect: into the package (the
# window icon and the About dialog load them through importlib.resources) and into the
# hicolor theme tree that packaging/linux installs. The PNGs are committed; run this again only
# when the SVG master changes. Needs rsvg-convert (Debian: librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/.."
APP_ID=org.reviewer.Reviewer
SVG=resources/icons/reviewer.svg
PKG=src/reviewer/resources/icons
THEME=packaging/linux/icons/hicolor

command -v rsvg-convert >/dev/null || { echo "render_icons: install librsvg2-bin" >&2; exit 1; }
mkdir -p "$PKG" "$THEME/scalable/apps"
cp "$SVG" "$PKG/reviewer.svg"
cp "$SVG" "$THEME/scalable/apps/$APP_ID.svg"
for size in 16 22 24 32 48 64 128 256 512; do
  mkdir -p "$THEME/${size}x${size}/apps"
  rsvg-convert -w "$size" -h "$size" "$SVG" -o "$PKG/reviewer-$size.png"
  cp "$PKG/reviewer-$size.png" "$THEME/${size}x${size}/apps/$APP_ID.png"
done
echo "render_icons: wrote $PKG and $THEME"
