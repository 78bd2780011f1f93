#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (tests/frontend/test_browser.py).
# Playwright drives this system browser; it must never download one of its own.
set -uo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi

echo "== chromium: $CHROMIUM is missing; installing Debian's package"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  SUDO=""
fi

if { [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; } \
  && $SUDO apt-get update -qq \
  && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium \
  && [ -x "$CHROMIUM" ]; then
  exit 0
fi

cat >&2 <<MSG
Could not install Chromium for the browser tests.
Install Debian's package as root, then run the tests again:

    sudo apt-get update && sudo apt-get install -y chromium

(The browser tests use the system browser at $CHROMIUM; never 'playwright install'.)
MSG
exit 1
