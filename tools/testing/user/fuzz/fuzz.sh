#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make fuzz: libFuzzer on src/core.c in user space (ASan, UBSan) against
# the reference model, for FUZZ_SECONDS (default 120) in one process.
#
#   FUZZ_SECONDS=600 tools/testing/user/fuzz/fuzz.sh
#   FUZZ_SEED=7 ...          another libFuzzer seed (default 1)
#
# Builds build/fuzz/pgclass_fuzz with clang (installing clang and its
# libFuzzer runtime if missing), grows the working corpus build/fuzz/corpus
# from the seeds in tools/testing/user/fuzz/corpus (kept out of git), and
# prints the executions and coverage reached, then one result line and
# `N passed, N failed`.  A crash (a failed model check aborts, a sanitizer
# report) fails the run; its input is kept in build/fuzz/artifacts/, and
# `build/fuzz/pgclass_fuzz FILE` replays it (PGCLASS_FUZZ_TRACE=1 prints
# each operation).  libFuzzer's own output is in build/fuzz/fuzz.log.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../../.." && pwd)
out=$top/build/fuzz
bin=$out/pgclass_fuzz
log=$out/fuzz.log
seconds=${FUZZ_SECONDS:-120}
seed=${FUZZ_SEED:-1}

say() { printf '[fuzz] %s\n' "$*" >&2; }
result() {	# result ok|FAIL TEXT
	if [ "$1" = ok ]; then
		echo "ok   fuzz/core: $2"
		echo "1 passed, 0 failed"
		exit 0
	fi
	echo "FAIL fuzz/core: $2"
	echo "0 passed, 1 failed"
	exit 1
}

case $seconds in
''|*[!0-9]*|0) result FAIL "FUZZ_SECONDS='$seconds' is not a positive number of seconds" ;;
esac

"$top/tools/testing/vm/deps.sh" fuzz || result FAIL "clang and libclang-rt-14-dev are needed"
mkdir -p "$out/corpus" "$out/artifacts"
say "building $bin (clang: libFuzzer, ASan, UBSan)"
if ! make -s -C "$here/.." fuzz FUZZ_OUT="$out" >"$out/build.log" 2>&1; then
	cat "$out/build.log" >&2
	result FAIL "the fuzzer did not build"
fi

say "running ${seconds} s, seed $seed; corpus $out/corpus, seeds $here/corpus"
"$bin" -seed="$seed" -max_total_time="$seconds" -max_len=1024 -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/artifacts/" \
	"$out/corpus" "$here/corpus" >"$log" 2>&1
rc=$?

# libFuzzer's final statistics and its last status line.
stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
execs=$(stat number_of_executed_units)
rate=$(stat average_exec_per_sec)
last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
field() {
	local v
	v=$(sed -n "s/.* $1: \([^ ]*\).*/\1/p" <<<"$last")
	echo "${v:-?}"
}
edges=$(sed -n 's/.*(\([0-9]*\) inline 8-bit counters).*/\1/p' "$log" | head -1)
echo "fuzz: ${seconds} s, ${execs:-?} executions (${rate:-?}/s), cov: $(field cov) of ${edges:-?} edges, ft: $(field ft), corpus: $(field corp)"

crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
if [ $rc -eq 0 ] && [ -z "$crash" ]; then
	result ok "${execs:-?} executions in ${seconds} s, no crash"
fi
grep -E 'check failed|#   |ERROR|SUMMARY|^step|^# ' "$log" | head -30 >&2
if [ -n "$crash" ]; then
	result FAIL "crash after ${execs:-?} executions: input $crash (replay: $bin $crash)"
fi
result FAIL "libFuzzer exited $rc; see $log"
