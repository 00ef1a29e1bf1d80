#!/usr/bin/env bash
# check_report.sh REPORT.html METHODS [--sections] [--screenshot OUT.png] [--keep-dom OUT]
# Renders report.html in headless Chromium and checks the DOM (charts,
# tables, highlighted items; check_report.py) and the layout a probe measures
# in a copy of the page (the report itself has no scripts). Exit 0 ok,
# 1 failed, 77 Chromium not available.
set -euo pipefail
html=$1 methods=$2; shift 2
sections= shot= keep=
while [ $# -gt 0 ]; do
  case $1 in
    --sections) sections=--sections ;;
    --screenshot) shot=$2; shift ;;
    --keep-dom) keep=$2; shift ;;
  esac
  shift
done
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$chrome" ] || { echo "SKIP: no chromium (tools/test.sh installs the Debian package)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --hide-scrollbars --window-size=1280,2400)
chrome_run() { timeout 120 "$chrome" "${flags[@]}" --user-data-dir="$(mktemp -d "$work/profile.XXXXXX")" "$@" 2>"$work/chrome.err"; }

# One pass: a copy of the page with a probe script that measures the layout
# into the title; the probe is cut out again before the DOM is checked (the
# report itself has no scripts).
python3 - "$html" "$work/probe.html" <<'PY'
import sys
h = open(sys.argv[1], encoding="utf-8").read()
probe = """<script id="contam-probe">
const c = [...document.querySelectorAll('svg.chart')];
const small = c.filter(e => { const r = e.getBoundingClientRect(); return r.width < 150 || r.height < 20; });
document.title = 'scrollWidth=' + document.documentElement.scrollWidth + ';innerWidth=' + innerWidth +
  ';charts=' + c.length + ';smallCharts=' + small.length;
</script></body>"""
open(sys.argv[2], "w", encoding="utf-8").write(h.replace("</body>", probe))
PY
chrome_run --dump-dom "file://$work/probe.html" >"$work/probe-dom.html" || { cat "$work/chrome.err"; exit 1; }
sed -n 's:.*<title>\(scrollWidth=[^<]*\)</title>.*:\1:p' "$work/probe-dom.html" >"$work/layout.txt"
python3 - "$work/probe-dom.html" "$work/dom.html" <<'PY'
import re, sys
d = open(sys.argv[1], encoding="utf-8").read()
open(sys.argv[2], "w", encoding="utf-8").write(
    re.sub(r'<script id="contam-probe">.*?</script>', "", d, flags=re.S))
PY
[ -z "$keep" ] || cp "$work/dom.html" "$keep"
python3 "$here/check_report.py" "$work/dom.html" "$methods" $sections --layout "$work/layout.txt"
if [ -n "$shot" ]; then
  chrome_run --screenshot="$(realpath -m "$shot")" "file://$(realpath "$html")" >/dev/null || { cat "$work/chrome.err"; exit 1; }
  [ "$(stat -c %s "$shot")" -gt 20000 ] || { echo "screenshot $shot looks empty"; exit 1; }
fi
