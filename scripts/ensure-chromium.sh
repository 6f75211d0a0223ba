#!/usr/bin/env bash
# Browser journeys need Debian's chromium. Install it when we can (root with apt-get); otherwise say so.
set -u
for c in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  [ -n "$c" ] && [ -x "$c" ] && exit 0
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests..."
  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium) >/tmp/daiban-chromium.log 2>&1 \
    && exit 0
  echo "chromium could not be installed; see /tmp/daiban-chromium.log" >&2
  exit 1
fi
echo "chromium is not installed and cannot be installed here (not root): browser tests will be skipped;" >&2
echo "install Debian's 'chromium' package or set CHROMIUM_PATH. In CI they are required." >&2
exit 1
