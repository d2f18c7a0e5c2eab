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
# Green only if all five are caught.  Then `make run` twice: into a file
# it must write no terminal escape, and on a terminal (script(1)) it must
# colour the map, or the first check could never fail.
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

# The colour decision itself, on a terminal (script(1)) and off it.
color_case() {	# color_case NAME WANT pty|pipe ENV...: host_color 1 under ENV
	local got cmd=". '$VM_DIR/lib.sh'; host_color 1; echo \$PGCLASS_COLOR"
	if [ "$3" = pty ]; then
		# script(1) runs its command with $SHELL, which CI may leave
		# unset (then /bin/sh, where lib.sh's bash syntax fails).
		got=$(env "${@:4}" SHELL="$BASH" script -qec "$cmd" /dev/null </dev/null)
	else
		got=$(env "${@:4}" bash -c "$cmd" | cat)
	fi
	got=${got//$'\r'/}
	if [ "$got" = "$2" ]; then
		echo "ok   harness/colour $1: $got" | tee -a "$counts"
	else
		echo "FAIL harness/colour $1: got '$got', want '$2'" | tee -a "$counts"
	fi
}
color_case "on a terminal" always pty NO_COLOR= TERM=xterm
color_case "on a terminal, NO_COLOR=1" never pty NO_COLOR=1 TERM=xterm
color_case "on a terminal, TERM=dumb" never pty NO_COLOR= TERM=dumb
color_case "into a pipe" never pipe NO_COLOR= TERM=xterm

# run_escapes FILE: how many lines of make run's output hold an ESC.
run_escapes() { grep -c $'\x1b' "$1"; }
log "harness: make run into a file"
NO_COLOR= TERM=xterm PGCLASS_NO_BUILD=1 "$VM_DIR/run.sh" >"$out/run-file.out" 2>"$out/run-file.log"
n=$(run_escapes "$out/run-file.out")
if [ "$n" -eq 0 ] && grep -q '^M meta' "$out/run-file.out"; then
	echo "ok   harness/run into a file: the map, no escape codes" | tee -a "$counts"
else
	echo "FAIL harness/run into a file: $n lines with escape codes, or no map (see $out/run-file.out)" | tee -a "$counts"
fi
log "harness: make run on a terminal"
NO_COLOR= TERM=xterm PGCLASS_NO_BUILD=1 script -qec "$VM_DIR/run.sh" /dev/null \
	>"$out/run-tty.out" 2>&1 </dev/null
n=$(run_escapes "$out/run-tty.out")
if [ "$n" -gt 0 ]; then
	echo "ok   harness/run on a terminal: the map in colour ($n lines)" | tee -a "$counts"
else
	echo "FAIL harness/run on a terminal: no colour (see $out/run-tty.out)" | tee -a "$counts"
fi
python3 "$VM_DIR/verdict.py" total "$counts"
