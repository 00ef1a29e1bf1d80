#!/usr/bin/env bash
# --fail-on: malformed expressions are usage errors before any scanning,
# crossed gates exit 3 naming what crossed (golden on the demo), outputs are
# still written, `contam report DIR --fail-on` gates an existing output the
# same way, and a real subject-level gate on MMLU history items.
. "$(dirname "$0")/lib.sh"
cd "$CONTAM_SRC"
A=(scan --preset arc --bench corpora/bench --doc-field meta.source -q
   --method gpt3,lmeval,palm,llama2,gpt4 corpora/shards)

# usage errors, detected before the scan (no output directory appears)
for bad in 'dirty' 'dirty>' 'dirty>x' 'dirt>2' 'gpt5.dirty>1' 'dirty>101%' 'dirty>1.5' \
           'lint.error>1%' 'duplicates.foo>0' 'subject..dirty>1'; do
  run 2 "$CONTAM" "${A[@]}" --out "$T/never" --fail-on "$bad"; expect_err "--fail-on '"
done
run 2 "$CONTAM" "${A[@]}" --out "$T/never" --method gpt3 --fail-on 'palm.dirty>0'
expect_err "method palm is not in --method gpt3"
run 2 "$CONTAM" "${A[@]}" --out "$T/never" --fail-on 'lint.error>0'
expect_err 'contam scan does not produce lint results'
[ ! -e "$T/never" ] || fail "a usage error left an output directory"; ok

# gates that hold pass quietly
run 0 "$CONTAM" "${A[@]}" --out "$T/pass" --fail-on 'dirty>50%' --fail-on 'gpt4.dirty>=13' \
    --fail-on 'too_short>0' --fail-on 'subject.dirty>40%'
[ ! -s "$T/err" ] || fail "passing gates printed: $(cat "$T/err")"; ok

# crossed gates: exit 3, one line each (golden), outputs committed anyway
run 3 "$CONTAM" "${A[@]}" --out "$T/cross" --fail-on 'dirty>2%' --fail-on 'dirty>=10' \
    --fail-on 'palm.dirty>=25%' --fail-on 'subject.llama2.not_clean>0' \
    --fail-on 'file.gpt4.dirty > 29%' --fail-on 'too_short>=0' --fail-on 'lmeval.dirty<14'
golden=tests/golden/demo_gates.txt
if [ "${CONTAM_UPDATE_GOLDEN:-}" = 1 ]; then cp "$T/err" "$golden"; fi
diff -u "$golden" "$T/err" || fail "gate messages differ from $golden"
[ -s "$T/cross/report.json" ] && [ -s "$T/cross/report.html" ] || fail "outputs missing"; ok

# the same gates on the written output, without scanning again
run 3 "$CONTAM" report -q "$T/cross" --fail-on 'dirty>2%' --fail-on 'dirty>=10' \
    --fail-on 'palm.dirty>=25%' --fail-on 'subject.llama2.not_clean>0' \
    --fail-on 'file.gpt4.dirty > 29%' --fail-on 'too_short>=0' --fail-on 'lmeval.dirty<14'
diff -u "$golden" "$T/err" || fail "contam report gates differ from scan gates"
run 0 "$CONTAM" report -q "$T/cross" --fail-on 'dirty>=33%'
run 2 "$CONTAM" report -q "$T/cross" --fail-on 'lint.warning>5'
expect_err "no lint results \(lint was not run"
run 2 "$CONTAM" report -q "$T/cross" --fail-on 'duplicates>0'; expect_err 'no duplicates results'

# lint / duplicates gates on an output that has them (hand-made sections)
python3 tests/browser/add_sections.py "$T/cross"
run 3 "$CONTAM" report -q "$T/cross" --fail-on 'lint.error>0' --fail-on 'lint.warning>5' \
    --fail-on 'duplicates>0' --fail-on 'duplicates.conflicting>0' --fail-on 'lint.empty_option>=2'
expect_err '^contam: gate crossed: lint error 2 > 0 \[--fail-on lint.error>0\]$'
expect_err '^contam: gate crossed: duplicates groups 3 > 0 \[--fail-on duplicates>0\]$'
expect_err '^contam: gate crossed: duplicates conflicting_groups 1 > 0'
expect_err '^contam: gate crossed: lint empty_option 2 >= 2'
! grep -q 'lint warning' "$T/err" || fail "lint.warning>5 crossed with 4 warnings"; ok

# real data: MMLU history items against two corpus shards; only the subject
# above 3% crosses (high_school_us_history: 8 of 204 quote State of the Union)
M=(scan --preset mmlu --doc-field meta.pile_set_name -q --method gpt3
   --bench "$SHARED/bench/mmlu/test/high_school_us_history_test.csv"
   --bench "$SHARED/bench/mmlu/test/high_school_world_history_test.csv"
   "$SHARED/corpus/shard-00.jsonl.zst" "$SHARED/corpus/shard-05.jsonl.zst")
run 3 "$CONTAM" "${M[@]}" --out "$T/mmlu" --fail-on 'subject.dirty>3%'
[ "$(cat "$T/err")" = "contam: gate crossed: subject high_school_us_history gpt3 dirty 3.9% (8 of 204 items) > 3% [--fail-on subject.dirty>3%]" ] \
  || fail "MMLU gate: $(cat "$T/err")"; ok
run 0 "$CONTAM" report -q "$T/mmlu" --fail-on 'subject.dirty>4%' --fail-on 'dirty>=3%'
finish
