#!/usr/bin/env python3
"""Writes the lm-evaluation-harness --log_samples files used by the quality
tests, in the exact layout lm-eval 0.4 writes (EvaluationTracker
.save_results_samples): OUTPUT/<model_name_sanitized>/samples_<task>_<date>.jsonl,
one JSON object per doc and filter with doc_id, doc, target (str), arguments
{gen_args_i: {arg_0, arg_1}}, resps / filtered_resps (log-likelihood tuples
turned into lists of strings by sanitize_list), filter, metrics, doc_hash,
prompt_hash, target_hash and the metric values.

The outcomes are chosen by hand so the tests can check exact numbers; see
README.md next to this file. Run from the repository root:
    python3 tests/data/samples/make_samples.py
"""
import csv
import hashlib
import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
SHARED = os.environ.get("CONTAM_SHARED_DATA", os.path.join(ROOT, "..", "shared", "data"))
DATE = "2024-05-13T12-00-00.000001"


def sha(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def lls(choice, n, conf):
    """Log-likelihoods whose softmax gives `conf` to `choice`, the rest split evenly."""
    other = (1 - conf) / (n - 1)
    return [math.log(conf) if k == choice else math.log(other) for k in range(n)]


def mc_record(doc_id, doc, target, prompts, conts, ll, metrics):
    pred = max(range(len(ll)), key=lambda k: ll[k])
    greedy = [str(k == pred) for k in range(len(ll))]
    rec = {
        "doc_id": doc_id,
        "doc": doc,
        "target": str(target),
        "arguments": {f"gen_args_{k}": {"arg_0": prompts, "arg_1": conts[k]} for k in range(len(ll))},
        "resps": [[[str(round(ll[k], 6)), greedy[k]]] for k in range(len(ll))],
        "filtered_resps": [[str(round(ll[k], 6)), greedy[k]] for k in range(len(ll))],
        "filter": "none",
        "metrics": metrics,
        "doc_hash": sha(json.dumps(doc, indent=2, ensure_ascii=False)),
        "prompt_hash": sha(prompts),
        "target_hash": sha(str(target)),
    }
    for m in metrics:
        rec[m] = 1.0 if pred == target else 0.0
    return rec


def write(path, records):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


# ---- the embedded demo benchmark (ARC layout) as lm-eval's arc_challenge ----

demo = [json.loads(l) for l in open(os.path.join(ROOT, "corpora", "bench", "demo_test.jsonl"))]
DIRTY = {"demo-003", "demo-004", "demo-006", "demo-008", "demo-009", "demo-010", "demo-011",
         "demo-015", "demo-017", "demo-018", "demo-019", "demo-030", "demo-038"}
# model-a: right on every dirty item and on 17 of the 27 clean ones
A_WRONG = {"demo-001", "demo-002", "demo-005", "demo-007", "demo-012", "demo-013",
           "demo-014", "demo-016", "demo-020", "demo-022"}
# model-b: right on 7 of the 13 dirty items and on 18 of the 27 clean ones
B_WRONG = {"demo-003", "demo-006", "demo-009", "demo-011", "demo-017", "demo-030",
           "demo-001", "demo-005", "demo-013", "demo-021", "demo-022", "demo-025",
           "demo-027", "demo-031", "demo-033"}
# both models choose A with confidence 0.97 on demo-022 (gold C): a suspected label error


def arc_doc(it):
    return {"id": it["id"], "question": it["question"],
            "choices": {"text": [o["text"] for o in it["options"]],
                        "label": [o["label"] for o in it["options"]]},
            "answerKey": it["answer"]}


def demo_records(wrong):
    recs = []
    # lm-eval's own order (doc_id) is not the benchmark's: reversed here
    for doc_id, it in enumerate(reversed(demo)):
        labels = [o["label"] for o in it["options"]]
        gold = labels.index(it["answer"])
        n = len(labels)
        if it["id"] == "demo-022":
            choice, conf = 0, 0.97
        elif it["id"] in wrong:
            choice, conf = (gold + 1) % n, 0.55
        else:
            choice, conf = gold, 0.8
        prompt = "Question: " + it["question"] + "\nAnswer:"
        conts = [" " + o["text"] for o in it["options"]]
        recs.append(mc_record(doc_id, arc_doc(it), gold, prompt, conts, lls(choice, n, conf),
                              ["acc", "acc_norm"]))
    # a doc that is not in the benchmark: counted as not joined
    stray = {"id": "Mercury_0000000", "question": "Which planet is closest to the Sun?",
             "choices": {"text": ["Venus", "Mercury", "Mars", "Earth"], "label": ["A", "B", "C", "D"]},
             "answerKey": "B"}
    recs.append(mc_record(len(recs), stray, 1, "Question: Which planet is closest to the Sun?\nAnswer:",
                          [" Venus", " Mercury", " Mars", " Earth"], lls(1, 4, 0.9), ["acc", "acc_norm"]))
    return recs


write(os.path.join(HERE, "demo", "model-a", f"samples_arc_challenge_{DATE}.jsonl"), demo_records(A_WRONG))
write(os.path.join(HERE, "demo", "model-b", f"samples_arc_challenge_{DATE}.jsonl"), demo_records(B_WRONG))

# ---- a few MMLU items (HF cais/mmlu layout, tasks mmlu_<subject>) ----

LETTERS = "ABCD"


def mmlu_rows(subject, take):
    path = os.path.join(SHARED, "bench", "mmlu", "test", f"{subject}_test.csv")
    rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
    return [rows[k] for k in take]


def mmlu_file(model, subject, take, wrong):
    recs = []
    for doc_id, r in enumerate(mmlu_rows(subject, take)):
        gold = LETTERS.index(r[5])
        doc = {"question": r[0], "subject": subject, "choices": r[1:5], "answer": gold}
        prompt = (f"The following are multiple choice questions (with answers) about "
                  f"{subject.replace('_', ' ')}.\n\n{r[0].strip()}\n"
                  + "".join(f"{LETTERS[k]}. {r[1 + k]}\n" for k in range(4)) + "Answer:")
        choice = (gold + 1) % 4 if doc_id in wrong else gold
        recs.append(mc_record(doc_id, doc, gold, prompt, [" A", " B", " C", " D"],
                              lls(choice, 4, 0.7), ["acc"]))
    write(os.path.join(HERE, "mmlu", model, f"samples_mmlu_{subject}_{DATE}.jsonl"), recs)


# abstract_algebra rows 1-6 (records 1..6), anatomy rows 1-4: wrong on 2 and 1 of them
mmlu_file("model-a", "abstract_algebra", range(0, 6), {1, 4})
mmlu_file("model-a", "anatomy", range(0, 4), {0})

# ---- GSM8K (generate_until, two filters per doc) ----


def gsm_file(model, take, answers):
    rows = [json.loads(l) for l in open(os.path.join(SHARED, "bench", "gsm8k", "test.jsonl"))]
    recs = []
    for doc_id, k in enumerate(take):
        doc = rows[k]
        gold = doc["answer"].split("####")[-1].strip()
        prompt = "Question: " + doc["question"] + "\nAnswer:"
        text = f"The answer is {answers[doc_id]}."
        for filt, got in (("strict-match", answers[doc_id] if doc_id != 1 else "[invalid]"),
                          ("flexible-extract", answers[doc_id])):
            recs.append({
                "doc_id": doc_id, "doc": doc, "target": doc["answer"],
                "arguments": {"gen_args_0": {"arg_0": prompt, "arg_1": {"until": ["Question:"], "do_sample": False}}},
                "resps": [[text]], "filtered_resps": [got], "filter": filt,
                "metrics": ["exact_match"],
                "doc_hash": sha(json.dumps(doc, indent=2, ensure_ascii=False)),
                "prompt_hash": sha(prompt), "target_hash": sha(doc["answer"]),
                "exact_match": 1.0 if got == gold else 0.0,
            })
    write(os.path.join(HERE, "gsm8k", model, f"samples_gsm8k_{DATE}.jsonl"), recs)


# test items 1-4; answers: right, right (but unparsed by strict-match), wrong, right
gsm_file("model-a", range(0, 4), ["18", "3", "1", "540"])
