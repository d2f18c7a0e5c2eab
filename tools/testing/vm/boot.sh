#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the guest under QEMU and wait for it, under a host-side timeout.
#
#   tools/testing/vm/boot.sh KERNEL INITRD RUNDIR MODE [FAULT]
#
# MODE is check, run or vm (interactive).  RUNDIR receives console.log
# (ttyS0), results.log (ttyS1), signal.log (ttyS2), nonce and status
# (QEMU's exit code; 124 means the timeout struck).
#
# Environment: PGCLASS_MODPARAMS (pgclass.ko's parameters in run and
# bench modes), PGCLASS_TIMEOUT (seconds, default 900), PGCLASS_KVM=1
# to use KVM where it works (nested KVM hangs on the development
# machines, so TCG is the default), PGCLASS_MEM (MiB, default 1024),
# PGCLASS_ICOUNT=N (TCG's -icount shift=N: the guest's clock counts
# instructions).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

kernel=${1:?usage: boot.sh KERNEL INITRD RUNDIR MODE [FAULT]}
initrd=${2:?}
rundir=${3:?}
mode=${4:?}
fault=${5:-}
timeout_s=${PGCLASS_TIMEOUT:-900}

mkdir -p "$rundir"
rm -f "$rundir"/{console,results,signal}.log "$rundir/status"
: >"$rundir/signal.log"
nonce=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
echo "$nonce" >"$rundir/nonce"
echo "$timeout_s" >"$rundir/timeout"

accel=(-accel tcg -cpu max)
[ "${PGCLASS_KVM:-0}" = 1 ] && accel=(-accel kvm -cpu host)
# Deterministic time for the benchmarks: under -icount each guest
# instruction advances the guest's clock by 2^shift ns, so a timing in
# the guest counts instructions, whatever the host is doing.
[ -n "${PGCLASS_ICOUNT:-}" ] &&
	accel+=(-icount "shift=$PGCLASS_ICOUNT,sleep=off")

append="console=ttyS0 panic=-1 oops=panic kasan_multi_shot"
append+=" pgvm.mode=$mode pgvm.nonce=$nonce"
[ -n "$fault" ] && append+=" pgvm.fault=$fault"
# pgclassctl's colour in the guest, decided by the host (run.sh): the
# guest's output channel is a serial tty, which pgclassctl would take for
# a terminal whatever the host's output is.
append+=" pgvm.color=${PGCLASS_COLOR:-never}"
# make run's module parameters, as one word for the command line.
[ -n "${PGCLASS_MODPARAMS:-}" ] &&
	append+=" pgvm.modparams=$(echo "$PGCLASS_MODPARAMS" | tr ' ' ,)"

if [ "$mode" = vm ]; then
	console=(-serial mon:stdio)
	append+=" quiet"
else
	console=(-serial "file:$rundir/console.log")
fi

qemu=(qemu-system-x86_64 "${accel[@]}" -smp 2 -m "${PGCLASS_MEM:-1024}"
	-nodefaults -display none -no-reboot
	-kernel "$kernel" -initrd "$initrd" -append "$append"
	"${console[@]}"
	-serial "file:$rundir/results.log"
	-serial "file:$rundir/signal.log")

if [ "$mode" = vm ]; then
	"${qemu[@]}"
	exit $?
fi
timeout -k 10 "$timeout_s" "${qemu[@]}" </dev/null
rc=$?
echo "$rc" >"$rundir/status"
exit 0
