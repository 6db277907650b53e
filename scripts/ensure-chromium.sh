#!/usr/bin/env bash
# Make sure Debian's Chromium is installed: the report's page is checked in a real headless
# browser (tests/integration/test_report_page.py). Installs it with apt-get when missing and
# this runs as root; otherwise says how. Never downloads a browser of its own.
set -euo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium (for the report page test)…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
  [ -x "$CHROMIUM" ] && exit 0
fi
echo "Chromium is missing at $CHROMIUM: install it with 'sudo apt-get install chromium'." >&2
echo "(The report page test fails without it; it is never skipped.)" >&2
exit 0
