#!/usr/bin/env bash
# Debian's Chromium for the browser tests, plus CJK fonts so Chinese text renders
# in screenshots instead of as boxes. Safe to re-run; prints the browser's path.
# (Playwright's own browser download is unreachable here, hence the distro build.)
set -euo pipefail

# dpkg -s alone also succeeds for removed packages whose config files remain.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Recommends are skipped (printer and desktop tools a headless browser never uses),
# so the Latin font Chromium normally recommends is named explicitly.
missing=()
for pkg in chromium fonts-liberation fonts-noto-cjk; do
  installed "$pkg" || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-chromium: installing ${missing[*]}" >&2
  # The lock timeout lets us queue behind another apt run instead of failing.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${missing[@]}" >&2
fi

chromium --version >&2
command -v chromium
