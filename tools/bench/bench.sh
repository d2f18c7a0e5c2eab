#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: pgclass against glibc, jemalloc, mimalloc, kmalloc and
# gen_pool, side by side.  From a fresh clone: installs what it needs,
# builds, measures, prints the tables and writes them under build/bench/
# (markdown and CSV; raw rows in build/bench/raw/).  docs/PERFORMANCE.md
# explains every table and holds the figures of one run.
#
#   tools/bench/bench.sh [--update-docs] [--quick] [--skip-guest]
#     --update-docs  copy the plots to docs/bench-*.svg
#     --quick        fewer rounds (for trying the script, not for figures)
#     --skip-guest   native and valgrind parts only
#
# Steps: native timings (interleaved processes, repeated rounds: one
# thread, then two pinned threads and frees on another CPU), peak
# footprints, the pool-size sweep, metadata for 2 and 64 CPUs, the page
# and instruction traces under valgrind, then the in-kernel and device
# benchmarks in a QEMU guest running Debian's stock 6.12 kernel, with
# pgclass.ko's arena at nr_pages=16384 (PGCLASS_BENCH_MODPARAMS): the
# default 1024 pages leave no room for per-CPU slots.  Any step that fails, or a result
# that is missing, makes the script exit non-zero.  Timings are
# measurements, not tests: nothing here judges them.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH_DIR/../.." && pwd)
OUT=$TOP/build/bench
BIN=$OUT/bin
RAW=$OUT/raw
ALLOCS=(pgclass glibc jemalloc mimalloc)

update_docs=0 quick=0 guest=1
for arg in "$@"; do
	case "$arg" in
	--update-docs) update_docs=1 ;;
	--quick) quick=1 ;;
	--skip-guest) guest=0 ;;
	*) echo "usage: bench.sh [--update-docs] [--quick] [--skip-guest]" >&2
	   exit 2 ;;
	esac
done
if [ $quick = 1 ]; then
	rounds=3 sweep_rounds=2 guest_rounds=3 inner=3
else
	rounds=11 sweep_rounds=9 guest_rounds=15 inner=5
fi
modparams=${PGCLASS_BENCH_MODPARAMS-nr_pages=16384}

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }
start=$SECONDS
step() { log "$(printf '%4ds' $((SECONDS - start))) $*"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# One emulated guest at a time on this machine, and none while timing:
# a guest takes both cores.  Waits up to 10 minutes for another's.
wait_qemu() {
	local i
	for ((i = 0; i < 120; i++)); do
		pgrep -f qemu-system >/dev/null || return 0
		[ $i = 0 ] && log "waiting for a running QEMU to finish"
		sleep 5
	done
	log "a QEMU is still running: measuring beside it"
}

step "packages"
"$TOP/tools/testing/vm/deps.sh" vm bench stock

rm -rf "$RAW"
mkdir -p "$OUT" "$RAW"

step "building the user-space programs"
make -s -C "$BENCH_DIR" O="$BIN" >&2

{
	echo "host_cpu,$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
	echo "host_cpus,$(nproc)"
	echo "host_kernel,$(uname -r)"
	echo "host_os,Debian $(cat /etc/debian_version 2>/dev/null || echo ?)"
	echo "gcc,$(gcc -dumpfullversion)"
	for p in libc6 libjemalloc2 libmimalloc2.0 valgrind linux-image-6.12-amd64 \
		qemu-system-x86; do
		echo "pkg,$p,$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null)"
	done
	echo "date,$(date -u +%Y-%m-%dT%H:%MZ)"
	echo "commit,$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo none)"
	echo "rounds,$rounds"
	echo "modparams,$modparams"
} >"$RAW/env.csv"

wait_qemu
echo "load_start,$(loadavg)" >>"$RAW/env.csv"

# Each allocator is its own process (Debian's jemalloc replaces malloc);
# a round runs each once, in an order that rotates from round to round,
# so that drift on a busy machine spreads over all of them.  Each run
# times one thread, then (scale) two threads pinned to CPUs of their own.
step "native timings: $rounds rounds of ${ALLOCS[*]}, 1 and 2 threads"
for ((r = 0; r < rounds; r++)); do
	for ((k = 0; k < ${#ALLOCS[@]}; k++)); do
		a=${ALLOCS[(k + r) % ${#ALLOCS[@]}]}
		"$BIN/ubench-$a" time $inner | sed "s/^/$r,/" >>"$RAW/native.csv"
		"$BIN/ubench-$a" scale $inner | sed "s/^/$r,/" >>"$RAW/scale.csv"
	done
done
echo "load_native,$(loadavg)" >>"$RAW/env.csv"

step "peak footprints"
for a in "${ALLOCS[@]}"; do
	for t in churn churn-big; do
		"$BIN/ubench-$a" footprint "$t" >>"$RAW/footprint.csv"
	done
done

step "pool-size sweep (4 MiB .. 1 GiB), $sweep_rounds rounds"
"$BIN/ubench-pgclass" sweep "$sweep_rounds" >"$RAW/sweep.csv"

step "metadata of new pools for 2 and 64 CPUs"
"$BIN/ubench-pgclass" meta >"$RAW/meta.csv"

step "how long a dump of 262,144 pages holds the pool lock"
"$BIN/walkhold" >"$RAW/walkhold.csv"

# The pools: creation and the fit scan's worst case (tools/bench/poolbench.sh,
# which also runs these sections alone).
# shellcheck source=tools/bench/poolbench.sh
. "$BENCH_DIR/poolbench.sh"
step "pool creation and the fit scan's worst case, $sweep_rounds rounds"
pool_native "$BIN" "$RAW" "$sweep_rounds"

# lackey's trace goes through a pipe: it is hundreds of megabytes.  pgclass
# gets a 16 MiB pool, which has per-CPU slots (4 MiB has none); the naive
# baseline 4 MiB, as its scans, and lackey's trace of them, grow with it.
step "pages touched per operation (valgrind lackey) and instructions (callgrind)"
for a in pgclass:16 naive:4; do
	mib=${a#*:} a=${a%:*}
	valgrind --tool=lackey --trace-mem=yes --log-fd=3 \
		"$BIN/pagetrace" "$a" "$mib" 3>&1 >/dev/null \
		2>"$RAW/lackey-$a.err" |
		gawk -f "$BENCH_DIR/pages.awk" >>"$RAW/pages.csv"
	valgrind --tool=callgrind --collect-atstart=no --combine-dumps=yes \
		--callgrind-out-file="$RAW/callgrind-$a.out" \
		"$BIN/pagetrace" "$a" "$mib" >/dev/null 2>"$RAW/callgrind-$a.err"
	gawk -v alloc="$a" -f "$BENCH_DIR/callgrind.awk" \
		"$RAW/callgrind-$a.out" >>"$RAW/instr.csv"
	rm -f "$RAW/callgrind-$a.out"
done

if [ $guest = 1 ]; then
	# The same headers guest.sh --stock picks.
	# shellcheck disable=SC2012
	kdir=$(ls -d /usr/src/linux-headers-6.12.*-amd64 | sort -V | tail -1)
	gout=$TOP/build/vm/guest-stock
	# As guest.sh does: the cached debug tree is the full source the
	# guest's selftests build with (built once, ~10 minutes, if absent).
	ksrc=$("$TOP/tools/testing/vm/build-kernel.sh")
	step "guest: pgclass.ko against $kdir"
	"$TOP/tools/testing/vm/build-guest.sh" "$kdir" "$gout" "$ksrc"

	# The bench module builds from a copy, like the test bed's modules,
	# and links to pgclass.ko's exports through its Module.symvers.
	step "guest: pgclass_bench.ko"
	kmod=$OUT/kmod
	rm -rf "$kmod"
	mkdir -p "$kmod/include/linux"
	cp "$BENCH_DIR"/kmod/* "$BENCH_DIR"/trace.[ch] "$kmod/"
	cp "$TOP/include/linux/pgclass.h" "$kmod/include/linux/"
	if ! make -C "$kdir" M="$kmod" W=1 \
		KBUILD_EXTRA_SYMBOLS="$gout/kmod/Module.symvers" modules \
		>"$kmod.log" 2>&1; then
		cat "$kmod.log" >&2
		die "pgclass_bench.ko did not build"
	fi
	if grep -E '(warning|error):' "$kmod.log" >&2; then
		die "pgclass_bench.ko built with warnings (see above)"
	fi

	# pgclass.ko once more with its tracepoints compiled out, as on a
	# kernel without CONFIG_TRACEPOINTS: the baseline of what they cost
	# when disabled (a header of notrace/ stands in for theirs).
	step "guest: pgclass.ko without tracepoints"
	notrace=$OUT/notrace
	rm -rf "$notrace"
	mkdir -p "$notrace"
	cp -a "$TOP/Kbuild" "$TOP/src" "$TOP/include" "$TOP/kunit_tests" \
		"$notrace/"
	if ! make -C "$kdir" M="$notrace" KCFLAGS="-I$BENCH_DIR/notrace" \
		modules >"$notrace.log" 2>&1; then
		cat "$notrace.log" >&2
		die "pgclass.ko without tracepoints did not build"
	fi
	# Each build must be what its name says: six tracepoints, and none.
	# (grep -c reads all of nm's output: no SIGPIPE under pipefail.)
	tracepoints() { nm "$1" | grep -c ' __tracepoint_pgclass_' || true; }
	[ "$(tracepoints "$gout/kmod/pgclass.ko")" = 6 ] ||
		die "pgclass.ko has not its six tracepoints"
	[ "$(tracepoints "$notrace/pgclass.ko")" = 0 ] ||
		die "the build without tracepoints has some"

	extra=$OUT/extra
	rm -rf "$extra"
	mkdir -p "$extra"
	cp "$kmod/pgclass_bench.ko" "$BIN/devbench" "$BENCH_DIR/guest/run" \
		"$extra/"
	pool_extra "$kmod" "$extra"
	echo "$guest_rounds" >"$extra/rounds"
	# The tracepoints' cost is a few instructions a call, less than the
	# spread of TCG timings from one module load to the next: it is
	# measured in a guest of its own, under -icount, where the guest's
	# clock counts instructions.
	tcextra=$OUT/extra-tracecost
	rm -rf "$tcextra"
	mkdir -p "$tcextra/notrace"
	cp "$kmod/pgclass_tracecost.ko" "$BENCH_DIR/guest/tracecost" "$tcextra/"
	cp "$BENCH_DIR/guest/run-tracecost" "$tcextra/run"
	cp "$notrace/pgclass.ko" "$tcextra/notrace/"

	wait_qemu
	step "guest: booting Debian's stock kernel (TCG), pgclass.ko $modparams"
	rm -f "$TOP/build/vm/stock-bench/bench.out"
	PGCLASS_MODPARAMS=$modparams "$TOP/tools/testing/vm/guest.sh" bench --stock \
		--extra "$extra" --counts "$RAW/guest.counts" >&2 ||
		die "the guest run failed (build/vm/stock-bench/console.log)"
	# guest.sh leaves the judging to the tally: a splat, a taint, a
	# missing pass signal or a non-zero exit of /extra/run fails it.
	python3 "$TOP/tools/testing/vm/verdict.py" total "$RAW/guest.counts" >&2 ||
		die "the guest run was not clean (build/vm/stock-bench/)"
	[ -s "$TOP/build/vm/stock-bench/bench.out" ] ||
		die "the guest printed no results"
	cp "$TOP/build/vm/stock-bench/bench.out" "$RAW/guest.csv"

	step "guest: the tracepoints' cost, under -icount (instructions)"
	rm -f "$TOP/build/vm/stock-bench/bench.out"
	PGCLASS_ICOUNT=0 PGCLASS_MODPARAMS=$modparams \
		"$TOP/tools/testing/vm/guest.sh" bench --stock \
		--extra "$tcextra" --counts "$RAW/guest-tracecost.counts" >&2 ||
		die "the tracecost guest failed (build/vm/stock-bench/console.log)"
	python3 "$TOP/tools/testing/vm/verdict.py" total \
		"$RAW/guest-tracecost.counts" >&2 ||
		die "the tracecost guest was not clean (build/vm/stock-bench/)"
	[ -s "$TOP/build/vm/stock-bench/bench.out" ] ||
		die "the tracecost guest printed no results"
	cp "$TOP/build/vm/stock-bench/bench.out" "$RAW/tracecost.csv"
fi

step "tables and plots"
report_args=("$OUT")
[ $guest = 1 ] || report_args+=(--no-guest)
python3 "$BENCH_DIR/report.py" "${report_args[@]}"
(cd "$OUT" && gnuplot "$BENCH_DIR/plot.gp")
for f in bench-pool-size.svg bench-peers.svg; do
	[ -s "$OUT/$f" ] || die "plot $f missing"
done
if [ $update_docs = 1 ]; then
	cp "$OUT"/bench-*.svg "$TOP/docs/"
fi
step "done: build/bench/summary.md, build/bench/*.csv, build/bench/*.svg"
