#!/usr/bin/env bash
# docs/contam.1 matches the program: it is valid groff man (no warnings),
# every command of `contam --help` has a section, and every long option of
# every `contam CMD --help` (and `contam index SUB --help`) is documented.
. "$(dirname "$0")/lib.sh"
man1="$CONTAM_SRC/docs/contam.1"
[ -s "$man1" ] || fail "docs/contam.1 missing"
if command -v groff >/dev/null; then
  LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$man1" 2>"$T/groff.err" || true
  [ ! -s "$T/groff.err" ] || { cat "$T/groff.err"; fail "groff warnings"; }
fi; ok
run 0 "$CONTAM" --help
cmds=$(sed -n '/^Commands:/,/^$/p' "$T/out" | sed -n 's/^  \([a-z]\+\)  .*/\1/p' | grep -v '^help$')
[ -n "$cmds" ] || fail "no commands in contam --help"
# the man page spells '-' as '\-'
plain=$(sed 's/\\-/-/g' "$man1")
for c in $cmds; do
  grep -q "^\.SS contam $c\$" <<<"$plain" || fail "docs/contam.1 has no section for '$c'"
  helps=("$c")
  if [ "$c" = index ]; then helps=("index build" "index merge" "index info" "index verify"); fi
  for h in "${helps[@]}"; do
    # shellcheck disable=SC2086
    run 0 "$CONTAM" $h --help
    for o in $(grep -o -- '--[a-z][a-z0-9-]*' "$T/out" | sort -u); do
      case $o in --help) continue ;; esac
      grep -q -- "$o" <<<"$plain" || fail "docs/contam.1 lacks $o (from contam $h --help)"
    done
  done
  ok
done
finish
