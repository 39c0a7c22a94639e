#!/usr/bin/env bash
# Coverage-guided fuzzing of the engine's entry points with libFuzzer, ASan and UBSan.
# Each target runs FUZZ_SECONDS (default 60) from its committed seed corpus in corpus/<name>;
# new inputs go to a scratch copy, so the committed corpus only changes by hand.  Prints each
# target's executions and coverage; fails on any crash, sanitizer report or broken invariant.
set -euo pipefail
cd "$(dirname "$0")"
root=../..
out=$root/build/fuzz
secs=${FUZZ_SECONDS:-60}
mkdir -p "$out"
for t in fuzz_url fuzz_fmt fuzz_request; do
  clang -g -O1 -std=c99 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I$root/src $t.c $root/src/ids.c $root/src/sample.c $root/src/url.c $root/src/fmt.c \
    $root/src/write.c -o "$out/$t"
  rm -rf "$out/$t.corpus" && mkdir -p "$out/$t.corpus" && cp corpus/$t/* "$out/$t.corpus/"
  log="$out/$t.log"
  if ! "$out/$t" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=1024 \
      -artifact_prefix="$out/$t-" "$out/$t.corpus" > "$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz: $t failed; the input is in $out/$t-*" >&2
    exit 1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
  echo "fuzz: $t ok, $execs executions in ${secs}s, $cov"
done
