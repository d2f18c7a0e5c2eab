#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The pool benchmarks: fragmentation against gen_pool, the fit scan's
# longest case, out-of-band pools against gen_pool, pool creation.
# bench.sh sources this file for pool_native and pool_extra (make bench
# runs them with everything else); run on its own, it measures only
# these, which takes a few minutes instead of make bench's eight or more:
#
#   tools/bench/poolbench.sh [--quick] [--skip-guest]
#     --quick       fewer rounds (for trying the script, not for figures)
#     --skip-guest  the native part only
#
# Output as make bench's, under build/bench/pool/: summary.md (the pool
# sections of docs/PERFORMANCE.md only), one .md and .csv per table, raw
# rows in raw/.  The guest is the same as make bench's: Debian's stock
# 6.12 kernel under QEMU TCG, pgclass.ko loaded with nr_pages=16384.

# pool_native BIN RAW ROUNDS: the native rows, into RAW/pool-native.csv.
pool_native() {
	"$1/poolbench" create "$3" >"$2/pool-native.csv"
	"$1/poolbench" fitworst "$3" | grep -v '^pclock' >>"$2/pool-native.csv"
}

# pool_extra KMOD EXTRA: what the guest's /extra needs for them (KMOD is
# where bench.sh built the bench modules).
pool_extra() {
	cp "$1/pgclass_poolbench.ko" "$BENCH_DIR/guest/poolbench" "$2/"
}

[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH_DIR/../.." && pwd)
OUT=$TOP/build/bench/pool
BIN=$TOP/build/bench/bin
RAW=$OUT/raw

quick=0 guest=1
for arg in "$@"; do
	case "$arg" in
	--quick) quick=1 ;;
	--skip-guest) guest=0 ;;
	*) echo "usage: poolbench.sh [--quick] [--skip-guest]" >&2; exit 2 ;;
	esac
done
if [ $quick = 1 ]; then
	rounds=3 guest_rounds=3
else
	rounds=11 guest_rounds=15
fi
modparams=${PGCLASS_BENCH_MODPARAMS-nr_pages=16384}

log() { printf '[poolbench] %s\n' "$*" >&2; }
die() { printf '[poolbench] error: %s\n' "$*" >&2; exit 1; }

# As bench.sh: no guest of anyone's while timing, if it can be helped
# (a guest takes both cores); waits up to 10 minutes.
wait_quiet() {
	local i
	for ((i = 0; i < 120; i++)); do
		pgrep -f qemu-system >/dev/null || return 0
		[ $i = 0 ] && log "waiting for a running QEMU to finish"
		sleep 5
	done
	log "a QEMU is still running: measuring beside it"
}

"$TOP/tools/testing/vm/deps.sh" vm bench stock
rm -rf "$RAW"
mkdir -p "$RAW"
make -s -C "$BENCH_DIR" O="$BIN" "$BIN/poolbench" >&2
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

wait_quiet
echo "load_start,$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RAW/env.csv"
log "native: pool creation and the fit scan's worst case, $rounds rounds"
pool_native "$BIN" "$RAW" "$rounds"
echo "load_native,$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RAW/env.csv"

if [ $guest = 1 ]; then
	# As bench.sh: pgclass.ko against the stock headers, the bench
	# modules from a copy, linked to pgclass.ko's Module.symvers.
	# shellcheck disable=SC2012
	kdir=$(ls -d /usr/src/linux-headers-6.12.*-amd64 | sort -V | tail -1)
	gout=$TOP/build/vm/guest-stock
	ksrc=$("$TOP/tools/testing/vm/build-kernel.sh")
	log "guest: pgclass.ko against $kdir"
	# This guest needs pgclass.ko alone: a static program of the test
	# bed that does not build (build-guest.sh builds them last) is
	# reported, and does not stop it.
	if ! "$TOP/tools/testing/vm/build-guest.sh" "$kdir" "$gout" "$ksrc"; then
		if [ ! -s "$gout/modules/pgclass.ko" ] ||
			[ ! -s "$gout/kmod/Module.symvers" ]; then
			die "pgclass.ko did not build"
		fi
		log "warning: build-guest.sh failed after pgclass.ko was built" \
			"(see above); going on without the static programs"
	fi
	kmod=$OUT/kmod
	rm -rf "$kmod"
	mkdir -p "$kmod/include/linux"
	cp "$BENCH_DIR"/kmod/* "$BENCH_DIR"/trace.[ch] "$kmod/"
	cp "$TOP/include/linux/pgclass.h" "$kmod/include/linux/"
	if ! make -C "$kdir" M="$kmod" W=1 \
		KBUILD_EXTRA_SYMBOLS="$gout/kmod/Module.symvers" modules \
		>"$kmod.log" 2>&1; then
		cat "$kmod.log" >&2
		die "the bench modules did not build"
	fi
	if grep -E '(warning|error):' "$kmod.log" >&2; then
		die "the bench modules built with warnings (see above)"
	fi
	extra=$OUT/extra
	rm -rf "$extra"
	mkdir -p "$extra"
	pool_extra "$kmod" "$extra"
	cp "$BENCH_DIR/guest/poolbench" "$extra/run"
	echo "$guest_rounds" >"$extra/rounds"
	wait_quiet
	log "guest: booting Debian's stock kernel (TCG), pgclass.ko $modparams"
	rm -f "$TOP/build/vm/stock-bench/bench.out"
	PGCLASS_MODPARAMS=$modparams "$TOP/tools/testing/vm/guest.sh" bench --stock \
		--no-build --extra "$extra" --counts "$RAW/guest.counts" >&2 ||
		die "the guest run failed (build/vm/stock-bench/console.log)"
	python3 "$TOP/tools/testing/vm/verdict.py" total "$RAW/guest.counts" >&2 ||
		die "the guest run was not clean (build/vm/stock-bench/)"
	[ -s "$TOP/build/vm/stock-bench/bench.out" ] ||
		die "the guest printed no results"
	cp "$TOP/build/vm/stock-bench/bench.out" "$RAW/guest.csv"
fi

report_args=("$OUT" --pool-only)
[ $guest = 1 ] || report_args+=(--no-guest)
python3 "$BENCH_DIR/report.py" "${report_args[@]}"
log "done: build/bench/pool/summary.md"
