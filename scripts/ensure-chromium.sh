#!/usr/bin/env bash
# Browser journeys need Debian's chromium and a Chinese font (else screenshots show empty boxes).
# Install them when we can (root with apt-get); otherwise say so.
set -u
have_browser() {
  for c in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    [ -n "$c" ] && [ -x "$c" ] && return 0
  done
  return 1
}
have_font() { command -v fc-list >/dev/null && [ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; }

have_browser && have_font && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium and a Chinese font for the browser tests..."
  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-microhei) \
    >/tmp/daiban-chromium.log 2>&1 && exit 0
  echo "chromium could not be installed; see /tmp/daiban-chromium.log" >&2
  exit 1
fi
echo "chromium or a Chinese font is missing and cannot be installed here (not root)." >&2
echo "Install Debian's 'chromium' and 'fonts-wqy-microhei' (or set CHROMIUM_PATH). CI requires them." >&2
exit 1
