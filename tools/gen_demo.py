#!/usr/bin/env python3
"""gen_demo.py - writes the small embedded demo in corpora/: an invented
multiple-choice benchmark (arc preset layout), three Pile-layout corpus shards
of generated filler prose, and benchmark items planted in some documents.

Everything is deterministic (seeded random, fixed compression flags, gzip
mtime 0, no timestamps): running it twice gives byte-identical files.

    python3 tools/gen_demo.py            # writes corpora/ beside tools/
    python3 tools/gen_demo.py --out DIR  # writes elsewhere

Before writing, it checks its own work with the lm-evaluation-harness v0.3
rule (any shared 13-gram after ASCII lowercasing and punctuation removal) and
with a Unicode word normalizer (NFKC, case folding, punctuation and symbols
deleted): exactly the planted items must be found, and no other item may
share even one 8-gram with the corpus.
"""
import argparse
import gzip
import io
import json
import os
import random
import string
import subprocess
import sys
import unicodedata

SEED = 20240601

# (question, [A, B, C, D], answer letter). Invented for this demo.
ITEMS = [
    ("A student places a sealed balloon in a freezer for an hour and notices that it has "
     "shrunk. Which property of the gas inside changed most directly because of the cold?",
     ["its mass", "the average speed of its molecules", "its chemical composition",
      "the number of molecules"], "B"),
    ("During photosynthesis, green plants take in carbon dioxide from the air. Which "
     "substance do they release into the atmosphere as a by-product of this process?",
     ["water vapor only", "nitrogen", "oxygen", "methane"], "C"),
    ("The ancient city of Carthage, a major rival of Rome in the Punic Wars, was located "
     "on the coast of which present-day country?",
     ["Tunisia", "Egypt", "Spain", "Greece"], "A"),
    ("Which instrument would a meteorologist use to measure changes in air pressure that "
     "often signal an approaching storm system?",
     ["an anemometer", "a hygrometer", "a barometer", "a thermometer"], "C"),
    ("In 1869 a railway line was completed across the United States when the tracks of two "
     "companies met at Promontory Summit. In which territory did this ceremony take place?",
     ["Nevada", "Utah", "Wyoming", "Colorado"], "B"),
    ("A ball is dropped from the roof of a tall building and falls freely. Ignoring air "
     "resistance, what happens to its speed during each second of the fall?",
     ["it stays constant", "it decreases steadily",
      "it increases by about 9.8 meters per second", "it doubles every second"], "C"),
    ("Which part of a plant cell contains the chlorophyll that captures light energy, and "
     "is absent from the cells of animals and fungi?",
     ["the mitochondrion", "the nucleus", "the cell membrane", "the chloroplast"], "D"),
    ("The Magna Carta, sealed by King John in 1215, is most often remembered today for "
     "establishing which principle of government?",
     ["that the king was subject to the law", "universal suffrage",
      "the separation of church and state", "the abolition of the nobility"], "A"),
    ("Earth's seasons are caused mainly by which of the following features of the planet "
     "and its orbit around the Sun?",
     ["its changing distance from the Sun", "the tilt of its axis",
      "the speed of its rotation", "the phases of the Moon"], "B"),
    ("Which scientist's experiments with pea plants in a monastery garden laid the "
     "foundation for the modern understanding of heredity and dominant traits?",
     ["Charles Darwin", "Louis Pasteur", "Gregor Mendel", "Robert Hooke"], "C"),
    ("The Silk Road was a network of trade routes linking China with the Mediterranean. "
     "Besides silk, which item was commonly carried westward along these routes?",
     ["potatoes", "porcelain", "tobacco", "maize"], "B"),
    ("When a solution has a pH of 3, how would a chemist best describe it compared with "
     "pure water at room temperature?",
     ["strongly basic", "neutral", "slightly basic", "acidic"], "D"),
    ("Which layer of the atmosphere contains most of the ozone that absorbs harmful "
     "ultraviolet radiation from the Sun before it reaches the ground?",
     ["the troposphere", "the stratosphere", "the mesosphere", "the thermosphere"], "B"),
    ("The printing press with movable metal type, developed around 1440 in the German "
     "city of Mainz, is credited to which inventor?",
     ["Johannes Gutenberg", "William Caxton", "Aldus Manutius", "Leonardo da Vinci"], "A"),
    ("A copper wire and a rubber band are each tried in a simple circuit with a battery "
     "and a bulb. Why does the bulb light only with the copper wire?",
     ["rubber is magnetic", "copper is heavier", "copper conducts electric current",
      "rubber stores electric charge"], "C"),
    ("Which ocean current carries warm water from the Gulf of Mexico across the Atlantic "
     "and helps keep the winters of western Europe relatively mild?",
     ["the Humboldt Current", "the Gulf Stream", "the California Current",
      "the Labrador Current"], "B"),
    ("The Rosetta Stone allowed scholars to decipher Egyptian hieroglyphs because it "
     "carried the same decree written in which three scripts?",
     ["hieroglyphic, Demotic and Greek", "Latin, Greek and Hebrew",
      "hieroglyphic, Coptic and Arabic", "cuneiform, Greek and Latin"], "A"),
    ("In the food chain of a grassland, a hawk eats snakes, snakes eat mice and mice eat "
     "seeds. Which organism in this chain is a producer?",
     ["the hawk", "the snake", "the mouse", "the grass that makes the seeds"], "D"),
    ("Which element, with the chemical symbol Fe, is the main component of steel and is "
     "also found in the hemoglobin of human blood?",
     ["iron", "lead", "fluorine", "zinc"], "A"),
    ("The Peace of Westphalia, signed in 1648, ended which long European conflict that had "
     "devastated much of the Holy Roman Empire?",
     ["the Hundred Years' War", "the Thirty Years' War", "the Wars of the Roses",
      "the Seven Years' War"], "B"),
    ("A hiker notices that water boils at a lower temperature at the top of a high "
     "mountain than at sea level. What best explains this observation?",
     ["the air is colder", "the air pressure is lower", "the water is purer",
      "gravity is weaker"], "B"),
    ("Which of these animals is a mammal that lays eggs rather than giving birth to live "
     "young, and is native to eastern Australia?",
     ["the kangaroo", "the koala", "the platypus", "the wombat"], "C"),
    ("The Great Wall of China was built and rebuilt over many centuries. Against which "
     "threat was it mainly intended to protect the Chinese states?",
     ["raids by nomadic peoples from the north", "pirates from the sea",
      "floods of the Yellow River", "invasions from India"], "A"),
    ("Sound travels through the air as a wave of compressions. Which property of a sound "
     "wave determines the pitch that a listener hears?",
     ["its amplitude", "its frequency", "its speed", "its direction"], "B"),
    ("What is the name of the boundary where two tectonic plates slide horizontally past "
     "each other, such as the San Andreas Fault in California?",
     ["a divergent boundary", "a convergent boundary", "a transform boundary",
      "a subduction zone"], "C"),
    ("Which explorer's expedition, begun in 1519 under the Spanish flag, was the first to "
     "sail completely around the world, although he died on the way?",
     ["Vasco da Gama", "Ferdinand Magellan", "Christopher Columbus", "James Cook"], "B"),
    ("Insulin is a hormone that helps regulate the amount of sugar in the blood. Which "
     "organ of the human body produces it?",
     ["the liver", "the kidney", "the pancreas", "the stomach"], "C"),
    ("The first successful powered and controlled airplane flight took place in December "
     "1903 near Kitty Hawk, North Carolina. Who piloted the aircraft?",
     ["Orville Wright", "Charles Lindbergh", "Glenn Curtiss", "Louis Bleriot"], "A"),
    ("Which of the following forms of energy is stored in the bonds between atoms and is "
     "released when wood burns in a campfire?",
     ["nuclear energy", "chemical energy", "elastic energy", "gravitational energy"], "B"),
    ("In Shakespeare's tragedy set in Denmark, which character delivers the famous "
     "soliloquy that begins with the words to be or not to be?",
     ["Macbeth", "Othello", "King Lear", "Hamlet"], "D"),
    ("A population of rabbits on an island with no predators grows rapidly until food "
     "becomes scarce. What is the largest population the island can support over time "
     "called?",
     ["its carrying capacity", "its birth rate", "its biodiversity", "its niche"], "A"),
    ("The Berlin Wall, which divided the city for nearly three decades, was opened by the "
     "East German authorities in which year?",
     ["1961", "1975", "1989", "1991"], "C"),
    ("Which unit is used to measure the electrical resistance of a component such as the "
     "filament in an incandescent light bulb?",
     ["the volt", "the ampere", "the watt", "the ohm"], "D"),
    ("Mount Kilimanjaro, the highest mountain in Africa, is a dormant volcano located in "
     "which country near the border with Kenya?",
     ["Tanzania", "Uganda", "Ethiopia", "Rwanda"], "A"),
    ("When white light passes from air into a glass prism and is separated into a band of "
     "colors, which process is mainly responsible for the effect?",
     ["reflection", "dispersion", "absorption", "diffraction"], "B"),
    ("The ancient Olympic Games were held in honor of which Greek god at the sanctuary of "
     "Olympia in the western Peloponnese?",
     ["Apollo", "Poseidon", "Zeus", "Hermes"], "C"),
    ("Which blood vessels carry blood away from the heart to the organs and tissues of the "
     "body, usually under high pressure?",
     ["the veins", "the arteries", "the capillaries", "the lymph ducts"], "B"),
    ("The Industrial Revolution began in Britain in the eighteenth century. Which invention "
     "greatly increased the power available to early factories and mines?",
     ["the steam engine", "the telegraph", "the internal combustion engine",
      "the electric motor"], "A"),
    ("Which planet in our solar system has the shortest year because it orbits closest to "
     "the Sun, completing a revolution in about 88 Earth days?",
     ["Venus", "Mars", "Mercury", "Jupiter"], "C"),
    ("A farmer's field loses its topsoil after heavy rains wash it into a nearby river. "
     "Which practice would best help the farmer reduce this erosion?",
     ["removing the hedgerows", "plowing up and down the slopes",
      "leaving the fields bare in winter", "planting cover crops between seasons"], "D"),
]

# Filler vocabulary: a bland, slightly odd prose with no benchmark phrasing.
ADJ = ("quiet old narrow bright heavy gentle crooked distant green patient small wide "
       "silver dusty warm careful hollow ordinary curious sudden tired polished").split()
NOUN = ("lantern harbor orchard ledger bridge cottage meadow violin kettle carriage "
        "garden window market letter basket fence chimney workshop river ribbon blanket "
        "staircase courtyard notebook compass").split()
VERB = ("painted carried mended watched counted folded followed visited repaired "
        "described polished opened borrowed gathered sorted measured admired").split()
ADV = ("slowly carefully quietly again twice gladly early later patiently together "
       "warmly briefly").split()
PREP = "near beside behind across beyond under along past".split()
NAME = ("Marta Jonas Elif Tobias Ines Rafael Greta Oskar Lena Milan Ada Hugo Nora "
        "Felix Clara Anton").split()
TOWN = ("Wrenford Ashcombe Millbrook Dunmere Halloway Kestrelby Orrinvale Stonebridge "
        "Pellham").split()
SEASON = "spring summer autumn winter".split()


def sentence(r):
    k = r.randrange(6)
    a, b = r.choice(ADJ), r.choice(ADJ)
    n1, n2 = r.choice(NOUN), r.choice(NOUN)
    v, adv, p = r.choice(VERB), r.choice(ADV), r.choice(PREP)
    who, town = r.choice(NAME), r.choice(TOWN)
    if k == 0:
        s = "the %s %s stood %s the %s %s %s" % (a, n1, p, b, n2, adv)
    elif k == 1:
        s = "%s %s the %s %s %s and then %s the %s" % (who, v, a, n1, adv, r.choice(VERB), n2)
    elif k == 2:
        s = "in the %s of that year the %s of %s was %s and %s" % (
            r.choice(SEASON), n1, town, a, b)
    elif k == 3:
        s = "nobody %s the %s %s until %s came back from %s" % (v, a, n1, who, town)
    elif k == 4:
        s = "every %s %s %s the %s %s the %s %s" % (
            r.choice(SEASON), who, v, n1, p, r.choice(ADJ), n2)
    else:
        s = "it was a %s %s, %s said, and the %s %s %s it %s" % (
            a, n1, who, b, n2, r.choice(VERB), adv)
    return s[0].upper() + s[1:] + "."


def filler_paragraphs(r, words):
    """Paragraphs of generated sentences, about `words` words in all."""
    paras, cur, count = [], [], 0
    while count < words:
        s = sentence(r)
        cur.append(s)
        count += len(s.split())
        if len(cur) >= r.randint(3, 7):
            paras.append(" ".join(cur))
            cur = []
    if cur:
        paras.append(" ".join(cur))
    return paras


# ------------------------------------------------------------------ plants

def item_text(q, opts):
    """The item text as the arc preset builds it: question, then each option."""
    return "\n".join([q] + opts)


def edit_case(r, q, opts):
    """Random words upper-cased or capitalized; options in title case."""
    words = []
    for w in q.split(" "):
        x = r.random()
        words.append(w.upper() if x < 0.3 else (w.capitalize() if x < 0.6 else w))
    return "\n".join([" ".join(words)] + [o.title() for o in opts])


def edit_curly(r, q, opts):
    """Typographic quotes: apostrophes curled, the question in curly quotes."""
    del r
    curl = q.replace("'", "\u2019")
    return "\n".join(["\u201c" + curl + "\u201d"] + [o.replace("'", "\u2019") for o in opts])


def edit_punct(r, q, opts):
    """Extra ASCII punctuation after words and as stray tokens."""
    marks = [",", ";", "!!", "...", " -", ":", "?!", " --"]
    words = []
    for w in q.split(" "):
        words.append(w + r.choice(marks) if r.random() < 0.35 else w)
    return "\n".join(["(" + " ".join(words) + ")"] + ["- " + o + "." for o in opts])


EDITS = {"edited-case": edit_case, "edited-curly-quotes": edit_curly,
         "edited-punctuation": edit_punct}


# ----------------------------------------------------------- self-checking

LM_TABLE = str.maketrans(string.ascii_lowercase + string.ascii_uppercase,
                         string.ascii_lowercase * 2, string.punctuation)


def lm_tokens(s):
    return s.translate(LM_TABLE).split()


def word_tokens(s):
    s = unicodedata.normalize("NFKC", s).casefold()
    s = "".join(c for c in s if unicodedata.category(c)[0] not in "PS")
    return s.split()


def grams(toks, n):
    return {tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)}


def check(items, docs, planted):
    """Exactly the planted items are found (13-grams, both normalizers); no
    other item shares an 8-gram with the corpus."""
    corpus = {"lm13": set(), "word13": set(), "word8": set(), "lm8": set()}
    for d in docs:
        lt, wt = lm_tokens(d["text"]), word_tokens(d["text"])
        corpus["lm13"] |= grams(lt, 13)
        corpus["lm8"] |= grams(lt, 8)
        corpus["word13"] |= grams(wt, 13)
        corpus["word8"] |= grams(wt, 8)
    want = {p["id"] for p in planted}
    for it in items:
        text = item_text(it["question"], [o["text"] for o in it["options"]])
        lt, wt = lm_tokens(text), word_tokens(text)
        hit13 = (bool(grams(lt, 13) & corpus["lm13"]), bool(grams(wt, 13) & corpus["word13"]))
        hit8 = bool(grams(lt, 8) & corpus["lm8"]) or bool(grams(wt, 8) & corpus["word8"])
        if it["id"] in want and hit13 != (True, True):
            sys.exit("gen_demo: planted %s is not found (lmeval %s, word %s)"
                     % ((it["id"],) + hit13))
        if it["id"] not in want and hit8:
            sys.exit("gen_demo: %s overlaps the corpus by chance" % it["id"])


# ------------------------------------------------------------------ output

def zstd_bytes(data):
    # Fixed level and one thread: the frame is the same on every run.
    p = subprocess.run(["zstd", "-3", "-T1", "-q", "-c"], input=data,
                       stdout=subprocess.PIPE, check=True)
    return p.stdout


def gzip_bytes(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as g:
        g.write(data)
    return buf.getvalue()


def jsonl(recs):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs).encode("utf-8")


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


SHARDS = [("web-00.jsonl.zst", "DemoWeb", 120), ("web-01.jsonl.zst", "DemoWeb", 120),
          ("books-00.jsonl.gz", "DemoBooks", 60)]


def main():
    ap = argparse.ArgumentParser(description="write the embedded demo corpora")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "..", "corpora"))
    out = os.path.normpath(ap.parse_args().out)
    r = random.Random(SEED)

    items = []
    for i, (q, opts, ans) in enumerate(ITEMS, 1):
        nw = len(q.split())
        assert 15 <= nw <= 40, (i, nw)
        items.append({"id": "demo-%03d" % i, "question": q,
                      "options": [{"label": "ABCD"[k], "text": o} for k, o in enumerate(opts)],
                      "answer": ans})

    # Documents: filler first, then the plants go into chosen documents.
    docs, shard_of = [], []
    for si, (name, pile, count) in enumerate(SHARDS):
        for _ in range(count):
            n = len(docs) + 1
            lo, hi = (200, 400) if pile == "DemoBooks" else (50, 300)
            paras = filler_paragraphs(r, r.randint(lo, hi))
            if pile == "DemoBooks":
                paras.insert(0, "Chapter %d" % r.randint(1, 30))
            docs.append({"paras": paras, "meta": {"pile_set_name": pile,
                                                  "source": "demo-%04d" % n}})
            shard_of.append(si)

    # 13 items: 6 verbatim (one of them in the gzip shard), 4 question only,
    # 3 lightly edited. The curly-quote edit goes to an item with apostrophes.
    order = list(range(len(items)))
    r.shuffle(order)
    curly = next(i for i in order if "'" in items[i]["question"])
    order.remove(curly)
    kinds = (["verbatim"] * 6 + ["question-only"] * 4 +
             ["edited-case", "edited-punctuation", "edited-curly-quotes"])
    chosen = order[:12] + [curly]
    web = [d for d in range(len(docs)) if shard_of[d] < 2]
    books = [d for d in range(len(docs)) if shard_of[d] == 2]
    web_docs = r.sample(web, 12)
    book_doc = r.choice(books)
    planted = []
    for k, (idx, kind) in enumerate(zip(chosen, kinds)):
        it = items[idx]
        q, opts = it["question"], [o["text"] for o in it["options"]]
        d = book_doc if k == 0 else web_docs.pop()
        if kind == "verbatim":
            block = item_text(q, opts)
        elif kind == "question-only":
            block = q
        else:
            block = EDITS[kind](r, q, opts)
        paras = docs[d]["paras"]
        paras.insert(r.randint(1, len(paras)), block)
        planted.append({"id": it["id"], "shard": SHARDS[shard_of[d]][0],
                        "source": docs[d]["meta"]["source"], "kind": kind})
    planted.sort(key=lambda p: p["id"])

    for d in docs:
        d["text"] = "\n\n".join(d.pop("paras"))
    check(items, docs, planted)

    write(os.path.join(out, "bench", "demo_test.jsonl"), jsonl(items))
    for si, (name, _, _) in enumerate(SHARDS):
        data = jsonl({"text": d["text"], "meta": d["meta"]}
                     for d, s in zip(docs, shard_of) if s == si)
        packed = zstd_bytes(data) if name.endswith(".zst") else gzip_bytes(data)
        write(os.path.join(out, "shards", name), packed)

    lines = ["# Planted contamination in the demo corpus", "",
             "Generated by `python3 tools/gen_demo.py`; do not edit.", "",
             "Exactly these %d items of `bench/demo_test.jsonl` occur in `shards/`; "
             "the other %d items share no 8-gram with the corpus."
             % (len(planted), len(items) - len(planted)), "",
             "Kinds: `verbatim` = question and the four option texts, one per line, as the "
             "arc preset joins them; `question-only` = the question alone; `edited-case` = "
             "words upper-cased or capitalized; `edited-punctuation` = extra ASCII "
             "punctuation; `edited-curly-quotes` = U+2019 apostrophes and the question in "
             "U+201C/U+201D quotes. Every plant shares at least one 13-gram with its item "
             "under both the lm-eval-harness normalizer and a Unicode word normalizer.", "",
             "| item | shard | document (meta.source) | kind |", "|---|---|---|---|"]
    lines += ["| %s | %s | %s | %s |" % (p["id"], p["shard"], p["source"], p["kind"])
              for p in planted]
    write(os.path.join(out, "PLANTED.md"), ("\n".join(lines) + "\n").encode())

    readme = """# Demo corpora

A small, invented demo for `contam`, generated by `python3 tools/gen_demo.py`
(deterministic: running it again gives byte-identical files; do not edit by hand).

- `bench/demo_test.jsonl`: %d invented multiple-choice items in the arc preset
  layout `{"id", "question", "options": [{"label", "text"}] x4, "answer"}`.
- `shards/`: %d documents of generated filler prose in the Pile layout
  `{"text", "meta": {"pile_set_name", "source"}}`: `web-00.jsonl.zst` and
  `web-01.jsonl.zst` (zstd level 3, DemoWeb) and `books-00.jsonl.gz` (gzip,
  DemoBooks).
- `PLANTED.md`: which items were planted in which documents, and how.

Try it:

    contam scan --preset arc --bench corpora/bench --out /tmp/demo corpora/shards
""" % (len(items), len(docs))
    write(os.path.join(out, "README.md"), readme.encode())
    print("gen_demo: wrote %s (%d items, %d documents, %d planted)"
          % (out, len(items), len(docs), len(planted)), file=sys.stderr)


if __name__ == "__main__":
    main()
