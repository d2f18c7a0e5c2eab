#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test bed's guest.  The host chooses what it does on the
# kernel command line (pgvm.mode=check|vm|run|bench,
# pgvm.color=always|never, pgvm.fault=..., pgvm.nonce=...).
#
# Channels: ttyS0 is the console (kernel log, for the splat scan);
# ttyS1 carries results, in sections the host parses; ttyS2 carries
# only the pass signal, written after the last step, so that a panic or
# a hang can never look like a pass.

/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp

mode=check fault= nonce= modparams= color=never
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	pgvm.modparams=*) modparams=$(echo "${arg#pgvm.modparams=}" | tr , ' ') ;;
	pgvm.mode=*) mode=${arg#pgvm.mode=} ;;
	pgvm.color=*) color=${arg#pgvm.color=} ;;
	pgvm.fault=*) fault=${arg#pgvm.fault=} ;;
	pgvm.nonce=*) nonce=${arg#pgvm.nonce=} ;;
	esac
done

stty -F /dev/ttyS1 raw -echo 2>/dev/null
stty -F /dev/ttyS2 raw -echo 2>/dev/null
exec 3>/dev/ttyS1

# section KIND NAME: starts a block of the results channel.
section() { echo "=== $*" >&3; }
# result OK|FAIL NAME [WHY]: one line the host counts as a test.
result() { section RESULT "$@"; }

load_pgclass() {
	insmod /modules/pgclass.ko "$@"
}

finish() {
	section TAINT "$(cat /proc/sys/kernel/tainted)"
	if [ -r /proc/lockdep_stats ]; then
		section LOCKDEP "$(awk '/debug_locks:/ {print $2}' /proc/lockdep_stats)"
	fi
	if [ "$fault" != nosignal ]; then
		echo "PGCLASS-PASS $nonce" >/dev/ttyS2
	fi
	sync
	poweroff -f
}

kunit_suites() {
	for d in /sys/kernel/debug/kunit/*/; do
		[ -e "$d/results" ] || continue
		s=$(basename "$d")
		section KTAP "$s"
		cat "$d/results" >&3
	done
}

run_tap() {	# run_tap NAME DIR PROGRAM...: a TAP-printing program
	name=$1 dir=$2
	shift 2
	section TAP "$name"
	(cd "$dir" && "$@") >&3 2>&1 </dev/null
	section EXIT "$name $?"
}

case "$fault" in
hang)
	echo "pgvm: fault=hang: sleeping for ever"
	while :; do sleep 3600; done ;;
esac

case "$mode" in
vm)
	load_pgclass || echo "pgvm: insmod pgclass.ko failed"
	echo
	echo "pgclass guest: pgclass.ko loaded; pgclassctl is in PATH."
	echo "Leave the shell (exit or Ctrl-D) to power the guest off."
	setsid cttyhack sh -l
	poweroff -f ;;
run)
	echo 1 >/proc/sys/kernel/printk
	# shellcheck disable=SC2086
	if load_pgclass $modparams; then
		# pgclassctl draws each `map` of a session as an SVG here;
		# the host keeps them under build/run/.
		export PGCLASS_SVG_DIR=/tmp/svg
		mkdir -p "$PGCLASS_SVG_DIR"
		for s in /lab/*.pgc; do
			section RUN "$s"
			pgclassctl run --color="$color" "$s" >&3 2>&1
			section EXIT "$s $?"
		done
		for f in "$PGCLASS_SVG_DIR"/*; do
			[ -f "$f" ] || continue
			section FILE "$(basename "$f")"
			cat "$f" >&3
		done
		rmmod pgclass && result OK rmmod || result FAIL rmmod
	else
		result FAIL insmod "insmod pgclass.ko failed"
	fi
	finish ;;
bench)
	# /extra/run measures; its output goes to the host as it is.  The
	# module gets the host's PGCLASS_MODPARAMS, as in run mode (make
	# bench gives the arena room for per-CPU slots).
	echo 1 >/proc/sys/kernel/printk
	# shellcheck disable=SC2086
	if load_pgclass $modparams; then
		section BENCH
		(cd /extra && ./run) >&3 2>/dev/console </dev/null
		section EXIT "bench $?"
		rmmod pgclass && result OK "rmmod pgclass" || result FAIL "rmmod pgclass"
	else
		result FAIL "insmod pgclass.ko"
	fi
	finish ;;
esac

# mode=check: every step runs even after a failure; the host judges.
echo clear >/sys/kernel/debug/kmemleak 2>/dev/null

if load_pgclass; then
	result OK "insmod pgclass.ko"
else
	result FAIL "insmod pgclass.ko"
fi
# A stock kernel has no KUnit: then there is no pgclass_kunit.ko either.
if [ -e /modules/pgclass_kunit.ko ]; then
	if insmod /modules/pgclass_kunit.ko; then
		result OK "insmod pgclass_kunit.ko"
	else
		result FAIL "insmod pgclass_kunit.ko"
	fi
fi
case "$fault" in
kunit | warn | kasan)
	insmod /modules/pgclass_harness.ko fault="$fault" ;;
esac
kunit_suites
rmmod pgclass_kunit 2>/dev/null
rmmod pgclass_harness 2>/dev/null

# check-harness's KUnit, WARN and KASAN faults need no selftests to be
# caught; its nosignal run (the control) runs everything.
case "$fault" in
kunit | warn | kasan) skip_tests=1 ;;
*) skip_tests=0 ;;
esac

for t in /tests/selftests/*; do
	[ $skip_tests = 0 ] || break
	[ -x "$t" ] && run_tap "selftests/$(basename "$t")" /tmp "$t"
done

# The lab's sessions must run clean too (make run shows them).
for s in /lab/*.pgc; do
	[ $skip_tests = 0 ] || break
	[ -e "$s" ] || continue
	section RUN "$s"
	pgclassctl run --color="$color" "$s" >&3 2>&1
	section EXIT "$s $?"
done

if [ -e /extra/run ]; then
	chmod +x /extra/run 2>/dev/null
	run_tap extra /extra ./run
fi

if rmmod pgclass; then
	result OK "rmmod pgclass"
else
	result FAIL "rmmod pgclass"
fi

# kmemleak reports only objects older than 5 s: wait, then scan.  (A
# stock kernel has no kmemleak; the host asks for it only of the debug one.)
if [ -w /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	section KMEMLEAK
	cat /sys/kernel/debug/kmemleak >&3
fi
finish
