#!/usr/bin/env bash
# report.html in a real browser: headless Chromium parses and lays out the
# demo report (and one with the audit sections), the DOM holds every chart as
# inline SVG with its table, nothing overflows the page, and a screenshot is
# produced. Skipped, saying so, only when Chromium is not installed
# (tools/test.sh installs the Debian package).
. "$(dirname "$0")/lib.sh"
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null &&
   ! command -v google-chrome >/dev/null; then
  echo "SKIP: chromium is not installed (tools/test.sh installs it: apt-get install chromium)"
  exit 0
fi
cd "$CONTAM_SRC"
M=gpt3,lmeval,palm,llama2,gpt4
run 0 "$CONTAM" scan --preset arc --bench corpora/bench --doc-field meta.source -q --method $M \
    --out "$T/demo" corpora/shards
run 0 bash tests/browser/check_report.sh "$T/demo/report.html" $M --screenshot "$T/demo.png" \
    --keep-dom "$T/dom.html"
expect_out '^DOM ok: 11 svg charts, [0-9]+ tables, 13 items'
cp -r "$T/demo" "$T/sec"
python3 tests/browser/add_sections.py "$T/sec"
run 0 "$CONTAM" report -q "$T/sec"
run 0 bash tests/browser/check_report.sh "$T/sec/report.html" $M --sections
expect_out '^DOM ok: 14 svg charts'
# the checker itself fails on a page without its charts
sed 's/id="chart-subjects"/id="x"/' "$T/dom.html" >"$T/broken.html"
run 1 python3 tests/browser/check_report.py "$T/broken.html" $M
expect_out 'no <svg id=chart-subjects>'
finish
