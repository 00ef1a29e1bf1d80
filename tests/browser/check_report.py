#!/usr/bin/env python3
"""check_report.py DOM.html METHODS [--sections] [--layout LAYOUT.txt]

Checks the DOM of report.html as headless Chromium parsed it (--dump-dom):
every chart is an inline <svg> with its bars/bins and a title, every chart
has its table, the items section shows highlighted evidence, and the audit
sections are rendered (--sections) or marked "not run". With --layout, also
checks what a probe measured in the rendered page (no horizontal overflow,
charts drawn with a real size). Exits 1 with the reasons on failure."""
import sys
from html.parser import HTMLParser


class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack = []
        self.by_id = {}
        self.count = {}
        self.inside = {}   # id -> {tag: count} for svg/table ids
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class", "") or ""
        for c in cls.split():
            self.count[tag + "." + c] = self.count.get(tag + "." + c, 0) + 1
        self.count[tag] = self.count.get(tag, 0) + 1
        if "id" in a:
            self.by_id[a["id"]] = (tag, cls)
            self.inside[a["id"]] = {}
        for s in self.stack:
            d = self.inside.get(s)
            if d is not None:
                key = tag + ("." + cls.split()[0] if cls else "")
                d[key] = d.get(key, 0) + 1
                d[tag] = d.get(tag, 0) + 1
        if tag not in ("br", "meta", "rect", "line", "circle", "i"):
            self.stack.append(a.get("id"))

    def handle_endtag(self, tag):
        if tag not in ("br", "meta", "rect", "line", "circle", "i") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def main():
    dom_path, methods = sys.argv[1], sys.argv[2].split(",")
    sections = "--sections" in sys.argv
    layout = sys.argv[sys.argv.index("--layout") + 1] if "--layout" in sys.argv else None
    d = Dom()
    d.feed(open(dom_path, encoding="utf-8").read())
    errors = []

    def need(cond, msg):
        if not cond:
            errors.append(msg)

    def svg(id_, inner, at_least):
        need(d.by_id.get(id_, ("",))[0] == "svg", "no <svg id=%s>" % id_)
        got = d.inside.get(id_, {}).get(inner, 0)
        need(got >= at_least, "#%s has %d %s, expected >= %d" % (id_, got, inner, at_least))
        need(d.inside.get(id_, {}).get("title", 0) >= 1, "#%s has no <title>" % id_)

    def table(id_, rows):
        need(d.by_id.get(id_, ("",))[0] == "table", "no <table id=%s>" % id_)
        got = d.inside.get(id_, {}).get("tr", 0)
        need(got >= rows, "#%s has %d rows, expected >= %d" % (id_, got, rows))

    nm = len(methods)
    svg("chart-subjects", "rect.bar", nm)
    table("table-subjects", 2)
    for m in methods:
        svg("chart-overlap-" + m, "rect.bin", 11)
        svg("chart-longest-" + m, "rect.bin", 6)
        need(d.inside["chart-overlap-" + m].get("line.threshold", 0) >= 1, "no threshold in %s" % m)
    table("table-overlap", nm + 1)
    table("table-longest", nm + 1)
    table("table-methods", nm + 1)
    table("table-bench-files", 2)
    table("table-corpus-files", 2)
    need(d.by_id.get("command", ("",))[0] == "pre", "no <pre id=command>")
    need(d.count.get("article.item", 0) >= 1, "no item shown")
    need(d.count.get("mark", 0) >= 2 * d.count.get("article.item", 0), "too few <mark> highlights")
    need(d.count.get("script", 0) == 0, "a <script> in report.html")
    text = "".join(d.text)
    if sections:
        svg("chart-duplicates-subjects", "rect.bar", 1)
        svg("chart-lint-checks", "rect.bar", 1)
        svg("chart-impact", "circle", 3)
        for t in ("table-duplicates-subjects", "table-duplicates-examples", "table-lint-checks",
                  "table-lint-subjects", "table-lint-examples", "table-impact"):
            table(t, 2)
        need("not run." not in text, "a section marked 'not run' although present")
    else:
        need(text.count("not run.") == 3, "absent sections not marked 'not run'")
    if layout:
        vals = dict(line.split("=", 1) for line in open(layout).read().split(";") if "=" in line)
        need(int(vals.get("scrollWidth", "99999")) <= int(vals.get("innerWidth", "0")),
             "horizontal overflow: %s" % vals)
        need(int(vals.get("smallCharts", "1")) == 0, "charts rendered tiny or empty: %s" % vals)
        need(int(vals.get("charts", "0")) >= 1 + 2 * nm, "charts not laid out: %s" % vals)
    if errors:
        print("report.html DOM check failed:\n  " + "\n  ".join(errors))
        sys.exit(1)
    print("DOM ok: %d svg charts, %d tables, %d items, %d highlights" % (
        d.count.get("svg.chart", 0), d.count.get("table", 0), d.count.get("article.item", 0),
        d.count.get("mark", 0)))


main()
