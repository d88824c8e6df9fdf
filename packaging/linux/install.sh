#!/bin/sh
# Install this fcdesk application folder for the current user (or system-wide with
# PREFIX=/usr/local as root): the program files go to $PREFIX/lib/fcdesk, the commands
# to $PREFIX/bin, and the menu entry, AppStream metainfo and icons to $PREFIX/share.
#
#   ./install.sh              install into ~/.local
#   ./install.sh --uninstall  remove what it installed
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PREFIX:-$HOME/.local}
APP_ID=io.github.fcdesk.fcdesk
LIB="$PREFIX/lib/fcdesk"

refresh() {
  command -v update-desktop-database >/dev/null 2>&1 &&
    update-desktop-database -q "$PREFIX/share/applications" 2>/dev/null || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 &&
    gtk-update-icon-cache -q -t "$PREFIX/share/icons/hicolor" 2>/dev/null || true
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$LIB"
  rm -f "$PREFIX/bin/fcdesk" "$PREFIX/bin/fcaccel"
  rm -f "$PREFIX/share/applications/$APP_ID.desktop" "$PREFIX/share/metainfo/$APP_ID.metainfo.xml"
  find "$PREFIX/share/icons/hicolor" -name "$APP_ID.*" -delete 2>/dev/null || true
  refresh
  echo "fcdesk removed from $PREFIX"
  exit 0
fi

if [ "$HERE" != "$LIB" ]; then
  rm -rf "$LIB.new"
  mkdir -p "$(dirname "$LIB")"
  cp -a "$HERE" "$LIB.new"
  rm -rf "$LIB"
  mv "$LIB.new" "$LIB"
fi
mkdir -p "$PREFIX/bin" "$PREFIX/share/applications" "$PREFIX/share/metainfo"
ln -sf "$LIB/fcdesk" "$PREFIX/bin/fcdesk"
ln -sf "$LIB/fcaccel" "$PREFIX/bin/fcaccel"
sed -e "s|^Exec=fcdesk|Exec=$LIB/fcdesk|" -e "s|^TryExec=fcdesk|TryExec=$LIB/fcdesk|" \
  "$LIB/share/applications/$APP_ID.desktop" > "$PREFIX/share/applications/$APP_ID.desktop"
cp "$LIB/share/metainfo/$APP_ID.metainfo.xml" "$PREFIX/share/metainfo/"
mkdir -p "$PREFIX/share/icons"
cp -r "$LIB/share/icons/hicolor" "$PREFIX/share/icons/"
refresh
echo "fcdesk $(cat "$LIB/VERSION") installed: $PREFIX/bin/fcdesk, $PREFIX/bin/fcaccel"
