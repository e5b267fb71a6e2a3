#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for a command: Debian packages (only the missing
# ones, checked with dpkg -s) and the npm dependencies. Usage: ensure-deps.sh start|test|bench
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-test}" in
  start) packages=(cmake make emscripten libeigen3-dev nlohmann-json3-dev) ;;
  test) packages=(cmake make g++ emscripten libeigen3-dev nlohmann-json3-dev libgtest-dev chromium firefox-esr) ;;
  bench) packages=(cmake make g++ emscripten libeigen3-dev nlohmann-json3-dev libgtest-dev libbenchmark-dev chromium firefox-esr) ;;
  *) echo "usage: $0 start|test|bench" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "nnplay: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  else
    echo "nnplay: missing Debian packages. Install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# npm dependencies: install when node_modules is missing or older than the lock file. Browsers
# are Debian's: puppeteer-core has no install script, and PUPPETEER_SKIP_DOWNLOAD keeps any
# puppeteer package from fetching one of its own.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "nnplay: installing npm dependencies"
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
