#!/usr/bin/env python3
"""add_sections.py DIR - adds hand-made "duplicates", "lint" and "impact"
sections (the schema the audit stages write) to DIR/report.json, so the
report views can be tested on them before or without those stages. Item ids
are taken from DIR/items.jsonl so the sections refer to real items."""
import json
import sys

d = sys.argv[1]
report = json.load(open(d + "/report.json"))
items = [json.loads(line) for line in open(d + "/items.jsonl")]
ids = [(it["id"], it["source"], it["record"], it["label"]) for it in items]


def member(k):
    i, src, rec, label = ids[k % len(ids)]
    return {"id": i, "source": src, "record": rec, "label": label}


report["duplicates"] = {
    "groups": 3, "exact_groups": 2, "near_groups": 1, "conflicting_groups": 1,
    "items_in_groups": 7, "jaccard": 0.8,
    "by_subject": {"history <b>&amp;</b>": {"groups": 2, "conflicting": 1},
                   "physics": {"groups": 1, "conflicting": 0}},
    "examples": [
        {"group": 1, "kind": "exact", "similarity": 1.0, "conflicting_labels": True,
         "members": [dict(member(0), label="A"), dict(member(1), label="C")]},
        {"group": 2, "kind": "exact", "similarity": 1.0, "conflicting_labels": False,
         "members": [member(2), member(3), member(4)]},
        {"group": 3, "kind": "near", "similarity": 0.86, "conflicting_labels": False,
         "members": [member(5), member(6)]},
    ],
}
report["lint"] = {
    "findings": 9,
    "by_check": {
        "empty_option": {"severity": "error", "count": 2, "description": "an answer option is empty"},
        "duplicate_options": {"severity": "warning", "count": 4, "description": "two options have the same text"},
        "scrape_artifact": {"severity": "info", "count": 3, "description": "[title]/[step] markers left by scraping"},
    },
    "by_subject": {"history <b>&amp;</b>": {"empty_option": 2, "duplicate_options": 1},
                   "physics": {"duplicate_options": 3, "scrape_artifact": 3}},
    "examples": [
        dict(member(7), subject="physics", code="empty_option", severity="error",
             message="option D is empty <script>alert(1)</script>"),
        dict(member(8), subject="physics", code="duplicate_options", severity="warning",
             message="options A and C are identical"),
    ],
}
report["impact"] = {
    "bootstrap": {"resamples": 1000, "seed": 1, "level": 0.95},
    "rows": [
        {"model": "demo-7b", "task": "arc_demo", "subject": None, "n_all": 40, "acc_all": 0.55,
         "ci_all": [0.4, 0.7], "n_clean": 27, "acc_clean": 0.44, "ci_clean": [0.26, 0.63],
         "n_dirty": 13, "acc_dirty": 0.77, "ci_dirty": [0.54, 1.0],
         "clean_minus_all": -0.11, "flag": True},
        {"model": "demo-1b", "task": "arc_demo", "n_all": 40, "acc_all": 0.3,
         "ci_all": [0.17, 0.45], "n_clean": 27, "acc_clean": 0.3, "ci_clean": [0.15, 0.48],
         "n_dirty": 13, "acc_dirty": 0.31, "ci_dirty": [0.08, 0.54],
         "clean_minus_all": 0.0, "flag": False},
    ],
}
with open(d + "/report.json", "w") as f:
    json.dump(report, f, indent=2)
    f.write("\n")
