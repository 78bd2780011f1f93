#!/usr/bin/env bash
# Make sure the Debian packages the tests run are installed:
# - Chromium, for the browser tests (tests/frontend/): Playwright drives this system browser and must never
#   download one of its own;
# - nginx, for the test of the production front (tests/deploy/test_nginx.py), run from deploy/nginx.
set -uo pipefail

declare -A PACKAGE_OF=([/usr/bin/chromium]=chromium [/usr/sbin/nginx]=nginx-light)
missing=()
for path in "${!PACKAGE_OF[@]}"; do
  [ -x "$path" ] || missing+=("${PACKAGE_OF[$path]}")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "== system packages: installing Debian's ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  SUDO=""
fi

if { [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; } \
  && $SUDO apt-get update -qq \
  && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"; then
  ok=1
  for path in "${!PACKAGE_OF[@]}"; do [ -x "$path" ] || ok=0; done
  [ "$ok" -eq 1 ] && exit 0
fi

cat >&2 <<MSG
Could not install ${missing[*]} for the tests.
Install Debian's packages as root, then run the tests again:

    sudo apt-get update && sudo apt-get install -y ${missing[*]}

(The browser tests use the system browser at /usr/bin/chromium; never 'playwright install'.)
MSG
exit 1
