#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test from nothing.  The user-space tests first (fast,
# and they need no kernel), then the guest: KUnit, the selftests, the
# splat, taint and leak checks, and GUEST_EXTRA's tests if given; last a
# smoke test of the module on Debian's stock 6.12 kernel.
# Prints one line per test and closes with `N passed, N failed`; exits
# non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

extra=${GUEST_EXTRA:-}
out=$TOP_DIR/build/check
mkdir -p "$out"
counts=$out/counts
: >"$counts"

if [ -f "$TOP_DIR/tools/testing/user/Makefile" ]; then
	log "user-space tests (tools/testing/user)"
	make -s -C "$TOP_DIR/tools/testing/user" check >"$out/user.tap" 2>"$out/user.err"
	rc=$?
	python3 "$VM_DIR/verdict.py" tap user "$out/user.tap" "$counts"
	if [ $rc -ne 0 ] && ! grep -q '^FAIL user' "$counts"; then
		cat "$out/user.err" >&2
		echo "FAIL user: make check in tools/testing/user exited $rc" |
			tee -a "$counts"
	fi
fi

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
