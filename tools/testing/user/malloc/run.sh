#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real programs on libpgclass-malloc.so (LD_PRELOAD), as TAP: python3 with
# every object through malloc, sort, sqlite3, git, gcc, a threaded
# stress, forks while threads allocate; then the library's own promises
# (conform) and a double free.  Each program's output must equal the same
# run's on the C library's malloc, and the pool's counters, printed at
# each process's exit with its name (PGCLASS_MALLOC_STATS=1), must show
# that the program under test, not only a helper around it, allocated
# from the pool and never saw a failed call.
#
#   run.sh LIB STRESS CONFORM
set -uo pipefail
export LC_ALL=C

lib=$(realpath "$1")
stress=$(realpath "$2")
conform=$(realpath "$3")
src=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$src/../../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
# The programs Debian installs (deps.sh), not a wrapper earlier in PATH
# (pyenv, ccache), whose own processes would be what ran on the pool.
python=/usr/bin/python3
gcc=/usr/bin/gcc
ulimit -c 0

n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		echo "# $line"
	done
}

# on_pool NAME CMD...: run CMD with the library preloaded (stdout to
# NAME.pg, stderr to NAME.pg.err), 300 s at most; timeout itself is not.
on_pool() {
	local name=$1
	shift
	timeout 300 env PGCLASS_MALLOC_STATS=1 LD_PRELOAD="$lib" "$@" \
		>"$name.pg" 2>"$name.pg.err"
}

# on_libc NAME CMD...: the same on the C library's malloc.
on_libc() {
	local name=$1
	shift
	timeout 300 "$@" >"$name.libc" 2>"$name.libc.err"
}

# pool_sum FILE PROG KEY...: the sum of the KEYs over PROG's processes (over
# every process if PROG is empty).
pool_sum() {
	local file=$1 prog=$2
	shift 2
	awk -v prog="$prog," -v keys="$*" '
	BEGIN { split(keys, k, " "); for (j in k) want[k[j]] = 1 }
	/^pgclass-malloc: pid/ && (prog == "," || $4 == prog) {
		for (i = 5; i < NF; i++)
			if ($i in want)
				s += $(i + 1)
	} END { print s + 0 }' "$file"
}

# compare NAME PROG MIN WHAT RC_POOL RC_LIBC: outputs equal, both runs
# exit 0, PROG's processes made at least MIN calls on the pool, and no
# process of the run saw a failed call.
compare() {
	local name=$1 prog=$2 min=$3 what=$4 rc_pg=$5 rc_libc=$6 calls fails
	calls=$(pool_sum "$name.pg.err" "$prog" alloc_calls realloc_calls)
	fails=$(pool_sum "$name.pg.err" "" failed_calls cache_busy_failures)
	if [ "$rc_pg" -ne 0 ] || [ "$rc_libc" -ne 0 ]; then
		not_ok "$what" "exit $rc_pg on the pool, $rc_libc on libc" \
			"$(tail -n 5 "$name.pg.err" | tr '\n' ' ')"
	elif ! cmp -s "$name.pg" "$name.libc"; then
		not_ok "$what" "output differs from libc's: $(diff "$name.pg" \
			"$name.libc" | head -n 4 | tr '\n' ' ')"
	elif [ "$calls" -lt "$min" ]; then
		not_ok "$what" "$prog made $calls calls on the pool, < $min"
	elif [ "$fails" -ne 0 ]; then
		not_ok "$what" "the pool failed $fails calls"
	else
		ok "$what"
		echo "# $prog: $calls allocations on the pool"
	fi
}

# both NAME PROG MIN WHAT CMD...: run on each, then compare.
both() {
	local name=$1 prog=$2 min=$3 what=$4 rc_pg rc_libc
	shift 4
	on_pool "$name" "$@"
	rc_pg=$?
	on_libc "$name" "$@"
	rc_libc=$?
	compare "$name" "$prog" "$min" "$what" "$rc_pg" "$rc_libc"
}

echo "TAP version 13"

syms=$(nm -D --defined-only "$lib" | awk '{ print $3 }' | sort | tr '\n' ' ')
want="aligned_alloc calloc free malloc malloc_usable_size memalign posix_memalign pvalloc realloc reallocarray valloc "
if [ "$syms" = "$want" ]; then
	ok "the library exports the malloc family and nothing else"
else
	not_ok "the library exports the malloc family and nothing else" \
		"exports: $syms"
fi

# Threads that allocate, free and reallocate each other's blocks.
both stress stress 100000 "threaded stress: 8 threads, cross-thread frees, contents checked" \
	"$stress" 8 10

# Python with every object through malloc (not its own arenas).
cat >work.py <<'EOF'
import hashlib, json, random, re, threading
random.seed(1)
d = {str(i): [i] * (i % 7) for i in range(100000)}
s = json.dumps(d, sort_keys=True)
words = re.findall(r'"(\d+)"', s)
words.sort(key=lambda w: (len(w), w[::-1]))
out = [hashlib.sha256(s.encode()).hexdigest(), str(len(words))]
def work(k, res):
    r = random.Random(k)
    items = [bytes(r.randrange(2000)) + str(k).encode() for _ in range(20000)]
    res[k] = sum(map(len, items)) + len({i[-4:] for i in items})
res = {}
ts = [threading.Thread(target=work, args=(k, res)) for k in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
out += [str(res[k]) for k in sorted(res)]
print("\n".join(out))
EOF
PYTHONMALLOC=malloc both python python3 200000 \
	"python3 (PYTHONMALLOC=malloc): dicts, json, re, four threads" \
	"$python" work.py

# fork() while three threads allocate pages, which takes the pool lock:
# no child may inherit it held (each child has 10 s to allocate and exit).
both fork stress 10000 "fork: 200 forks while three threads allocate, no child hangs" \
	"$stress" fork 200

# sort: lines made by awk with a fixed seed, sorted two ways (sort makes
# few calls, on a large buffer).
awk 'BEGIN { srand(7); for (i = 0; i < 300000; i++)
	printf "%x %d %s\n", int(rand() * 2^30), int(rand() * 1e6), substr("abcdefghijklmnop", 1 + int(rand() * 16)) }' >lines
both sort sort 30 "sort: 300,000 lines, text and numeric keys" \
	sh -c 'sort lines | md5sum; sort -t " " -k2,2n -k1,1 --parallel=2 -S 8M lines | md5sum'

# sqlite3: tables, an index, a join, group by, blobs.
cat >db.sql <<'EOF'
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT, b BLOB);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 50000)
INSERT INTO t SELECT i, (i * 7919) % 1000, printf('row %d', i), zeroblob(i % 3000) FROM c;
CREATE INDEX tk ON t(k);
SELECT k, count(*), sum(length(b)), max(v) FROM t GROUP BY k ORDER BY k LIMIT 20;
SELECT count(*) FROM t a JOIN t b ON a.k = b.k WHERE a.id < 500 AND b.id < 5000;
UPDATE t SET v = v || v WHERE k < 100;
DELETE FROM t WHERE id % 3 = 0;
VACUUM;
SELECT count(*), sum(length(v)) FROM t;
EOF
both sqlite sqlite3 10000 "sqlite3: 50,000 rows, index, join, update, vacuum" \
	sqlite3 -batch -init /dev/null :memory: ".read db.sql"

# git: a repository built, packed and checked; the commit ids must match.
cat >git.sh <<'EOF'
set -e
# Nothing of the caller's repository or configuration (make check run
# from a hook has GIT_DIR set).
unset $(git rev-parse --local-env-vars) XDG_CONFIG_HOME
rm -rf repo
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@t GIT_AUTHOR_DATE='2026-01-01 00:00:00 +0000' \
	GIT_COMMITTER_DATE='2026-01-01 00:00:00 +0000' HOME=$PWD \
	GIT_CONFIG_NOSYSTEM=1
git init -q -b main repo
cd repo
for c in 1 2 3 4 5; do
	for f in $(seq 1 200); do
		seq "$c" "$f" 3000 >"f$f"
	done
	git add .
	git commit -q -m "commit $c"
done
git gc -q --aggressive
git fsck --no-progress --strict
git rev-parse HEAD
git log --format='%H %s' | md5sum
git grep -c 2999 HEAD~2 | md5sum
EOF
both git git 10000 "git: 5 commits of 200 files, gc --aggressive, fsck" \
	bash git.sh

# gcc: the same object from the driver, cc1 and as, all on the pool.
both gcc cc1 10000 "gcc -O2 -c: the library's own source compiles to the same object" \
	sh -c "$gcc -O2 -c -o malloc.o -I$top/tools/testing/user/include \
		-I$top/include -D_GNU_SOURCE $src/malloc.c && md5sum <malloc.o"

# What the library promises call by call (malloc.c's header).
on_pool conform "$conform"
rc=$?
calls=$(pool_sum conform.pg.err conform alloc_calls)
if [ $rc -eq 0 ] && grep -qx "conform: ok" conform.pg && [ "$calls" -gt 0 ]; then
	ok "malloc(0), calloc, realloc, reallocarray, the memalign family, errno, usable sizes"
else
	not_ok "malloc(0), calloc, realloc, reallocarray, the memalign family, errno, usable sizes" \
		"exit $rc, $calls calls on the pool" \
		"$(tr '\n' ' ' <conform.pg.err | head -c 400)"
fi

# A double free is caught and named, not obeyed.
# (in a subshell, so that bash's own "Aborted" goes with its output)
(on_pool twice "$conform" twice) 2>/dev/null
rc=$?
ptr=$(sed -n 's/^freed once //p' twice.pg)
if [ $rc -eq 134 ] && [ -n "$ptr" ] && ! grep -q "freed twice" twice.pg &&
   grep -qF "pgclass-malloc: free(): not an allocated block: $ptr" twice.pg.err; then
	ok "a double free aborts, naming the pointer"
else
	not_ok "a double free aborts, naming the pointer" "exit $rc" \
		"$(tr '\n' ' ' <twice.pg.err | head -c 300)"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
