#!/usr/bin/env bash
# One-command set-up for a fresh Debian 12 machine with Node 20: installs what is missing,
# never a browser of Playwright's own (Debian's chromium is used instead), builds, and puts
# `gphotos-keep` on PATH (a symlink in ~/.local/bin; scripts/link-command.sh).
# Extra Debian packages to install can be named in $SETUP_APT_EXTRA (scripts/test.sh uses it).
# --build-only: packages and the build, nothing in the user's folders (`npm test`, the demo).
set -euo pipefail
cd "$(dirname "$0")/.."
build_only=false
for arg in "$@"; do
  case "$arg" in
    --build-only) build_only=true ;;
    *) echo "setup: unknown argument $arg (the only one is --build-only)" >&2; exit 2 ;;
  esac
done

apt_install() {
  if [ "$(id -u)" = 0 ]; then sudo_cmd=(); else sudo_cmd=(sudo); fi
  echo "setup: installing Debian packages: $*" >&2
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "$@" >/dev/null
}

missing=()
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file; unset it or point it at a Chromium binary." >&2
    exit 1
  fi
  missing+=(chromium)
fi
for pkg in ${SETUP_APT_EXTRA:-}; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi

# Reinstall only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >&2
fi
echo "setup: build" >&2
npx --no-install tsc -p tsconfig.json
if [ "$build_only" = false ]; then
  bash scripts/link-command.sh
fi
