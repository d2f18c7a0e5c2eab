#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-harness: prove that the test bed turns red on each fault it
# exists to catch.  The guest is booted once per fault, and the run must
# fail AND name the fault:
#
#   kunit     a failing KUnit case      -> FAIL kunit/pgclass_harness/...
#   warn      a kernel WARN             -> FAIL console: ... WARNING: ...
#   kasan     a KASAN out-of-bounds     -> FAIL console: ... KASAN ...
#   hang      a guest that never ends   -> FAIL guest: timeout
#   nosignal  no pass signal            -> FAIL guest: pass signal
#
# Green only if all five are caught.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

out=$TOP_DIR/build/harness
mkdir -p "$out"
counts=$out/counts
: >"$counts"

declare -A expect=(
	[kunit]='^FAIL kunit/pgclass_harness/pgclass_harness_kunit'
	[warn]='^FAIL console: .*WARNING:'
	[kasan]='^FAIL console: .*KASAN'
	[hang]='^FAIL guest: timeout'
	[nosignal]='^FAIL guest: pass signal'
)
build=
for fault in kunit warn kasan hang nosignal; do
	fcounts=$out/$fault.counts
	: >"$fcounts"
	timeout_s=${PGCLASS_TIMEOUT:-900}
	# A hang is caught by the host's timeout: keep that one short.
	[ "$fault" = hang ] && timeout_s=${PGCLASS_HANG_TIMEOUT:-90}
	log "harness: fault=$fault"
	PGCLASS_TIMEOUT=$timeout_s "$VM_DIR/guest.sh" check --fault "$fault" \
		--counts "$fcounts" $build >"$out/$fault.log" 2>&1
	build=--no-build
	caught=$(grep -E -m1 "${expect[$fault]}" "$fcounts")
	if [ -n "$caught" ]; then
		echo "ok   harness/$fault: caught ($caught)" | tee -a "$counts"
	else
		echo "FAIL harness/$fault: not caught; the run said:" | tee -a "$counts"
		sed 's/^/    /' "$fcounts"
	fi
	# Only the injected fault may turn the nosignal run red: any other
	# failure there means the test bed is broken, not that it caught it.
	if [ "$fault" = nosignal ]; then
		others=$(grep '^FAIL' "$fcounts" | grep -v 'guest: pass signal')
		if [ -n "$others" ]; then
			echo "FAIL harness/nosignal: other failures: $others" | tee -a "$counts"
		fi
	fi
done
python3 "$VM_DIR/verdict.py" total "$counts"
