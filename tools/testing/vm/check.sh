#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test from nothing.  First the tests that need no
# kernel (the core built in user space with ASan, then with
# ThreadSanitizer, then as an LD_PRELOAD malloc under real programs, then
# pgclassctl's own), then the debug guest: KUnit,
# the selftests, the lab scenario, the splat, taint and leak checks, and
# GUEST_EXTRA's tests if given; last a smoke test of the module on
# Debian's stock 6.12 kernel.  Prints one line per test and closes with
# `N passed, N failed`; exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

extra=${GUEST_EXTRA:-}
out=$TOP_DIR/build/check
mkdir -p "$out"
# One make check at a time per checkout: they share the tally below.
exec 9>"$out/.lock"
flock 9
counts=$out/counts
: >"$counts"

# host_tap NAME DIR MAKE-ARGS...: a host test suite that prints TAP.
host_tap() {
	local name=$1 dir=$2 rc
	shift 2
	[ -f "$TOP_DIR/$dir/Makefile" ] || return 0
	log "host tests: $name ($dir)"
	make -s -C "$TOP_DIR/$dir" "$@" >"$out/$name.tap" 2>"$out/$name.err"
	rc=$?
	python3 "$VM_DIR/verdict.py" tap "$name" "$out/$name.tap" "$counts"
	if [ $rc -ne 0 ] && ! grep -q "^FAIL $name" "$counts"; then
		cat "$out/$name.err" >&2
		echo "FAIL $name: make in $dir exited $rc" | tee -a "$counts"
	fi
}

host_tap user tools/testing/user check
host_tap user-tsan tools/testing/user check-tsan
host_tap user-malloc tools/testing/user/malloc check
host_tap pgclassctl tools/pgclassctl test O="$out/pgclassctl"

if [ -n "$extra" ]; then
	extra=$(cd "$extra" && pwd) || die "GUEST_EXTRA=$GUEST_EXTRA: no such directory"
fi
if ! "$VM_DIR/guest.sh" check --counts "$counts" ${extra:+--extra "$extra"}; then
	echo "FAIL guest: the test bed could not run the guest" | tee -a "$counts"
fi

# The module on the kernel users run: Debian's stock 6.12.
if ! "$VM_DIR/guest.sh" check --stock --counts "$counts"; then
	echo "FAIL stock: the test bed could not run the stock-kernel guest" |
		tee -a "$counts"
fi
python3 "$VM_DIR/verdict.py" total "$counts"
