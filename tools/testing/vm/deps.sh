#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages a part of the project needs.
#
#   tools/testing/vm/deps.sh [vm|lint|stock|dkms|bench|fuzz|programs]...
#                                                      (default: vm)
#
# As root it runs apt-get; otherwise it prints the exact command and
# fails, so nothing half-works for want of a package.
set -euo pipefail

pkgs_vm="build-essential python3 linux-source-6.12 qemu-system-x86
	busybox-static kmod cpio flex bison bc libelf-dev libssl-dev dwarves"
pkgs_lint="sparse linux-headers-amd64 linux-headers-6.12-amd64 dkms"
pkgs_bench="libjemalloc-dev libmimalloc-dev valgrind gawk gnuplot-nox
	linux-image-6.12-amd64 linux-headers-6.12-amd64"
pkgs_fuzz="clang libclang-rt-14-dev"
pkgs_dkms="dkms"
pkgs_stock="linux-image-6.12-amd64 linux-headers-6.12-amd64"
# The real programs that tools/testing/user/malloc runs on the allocator.
pkgs_programs="python3 coreutils gawk sqlite3 git gcc binutils"

want=""
for group in "${@:-vm}"; do
	var="pkgs_$group"
	[ -n "${!var+x}" ] || { echo "deps.sh: unknown group '$group'" >&2; exit 2; }
	want="$want ${!var}"
done

missing=""
for p in $want; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing" >&2
	echo "deps.sh: run as root:  apt-get update && $cmd" >&2
	exit 1
fi
echo "[deps] installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Another install may hold dpkg's lock (make bench beside make check, or
# unattended-upgrades): wait for it rather than fail.
lock=(-o DPkg::Lock::Timeout=900)
apt-get "${lock[@]}" update -qq >&2
# shellcheck disable=SC2086
apt-get "${lock[@]}" install -y -qq --no-install-recommends $missing >&2
