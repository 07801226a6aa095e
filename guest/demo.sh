#!/bin/sh
# make run: the narrated demonstration. Each step checks its own outcome;
# the script exits non-zero when a page is not where the step put it.
fail=0
step() { echo; echo "### $*"; }
ok()   { echo "    OK: $*"; }
bad()  { echo "    FAILED: $*"; fail=1; }

vm() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }

# Pages of the workload's buffer on node $1, from /proc/PID/numa_maps.
on_node() {
	grep "^$addr " /proc/$pid/numa_maps | tr ' ' '\n' |
		awk -F= -v n="N$1" '$1 == n { print $2 }' | grep . || echo 0
}

expect_node() {
	got=$(on_node "$1")
	grep "^$addr " /proc/$pid/numa_maps | sed 's/^/    numa_maps: /'
	if [ "$got" = "$pages" ]; then
		ok "all $pages pages of the workload are on node $1"
	else
		bad "$got of $pages pages on node $1"
	fi
}

succ0=$(vm pgmigrate_success)
fail0=$(vm pgmigrate_fail)

step "The guest: 4 NUMA nodes, node 3 has memory and no CPU"
numactl -H
if numactl -H | grep -q '^available: 4 nodes (0-3)'; then
	ok "4 nodes"
else
	bad "expected 4 nodes"
fi

# The workload is the migration selftests' mig_hold: it maps MIB of anonymous
# memory, fills it with a pattern, prints the address and, at end of input,
# exits 0 only if the pattern is intact.
hold=/kselftest/migration/mig_hold
mib=64
pages=$((mib * 256))
step "numactl --membind=0 mig_hold $mib: $mib MiB of anonymous memory"
mkfifo /tmp/wl.in /tmp/wl.out
numactl --membind=0 $hold $mib </tmp/wl.in >/tmp/wl.out &
pid=$!
exec 4>/tmp/wl.in 3</tmp/wl.out
read -r addr <&3
echo "    workload pid $pid, buffer at 0x$addr, $pages pages"
expect_node 0

step "migratepages $pid 0 1"
migratepages "$pid" 0 1
expect_node 1

step "cgroup v2 cpuset: the workload joins a cpuset with cpuset.mems=1, then mems becomes 2"
cg=/sys/fs/cgroup/demo
echo +cpuset >/sys/fs/cgroup/cgroup.subtree_control
mkdir -p $cg
echo 1 >$cg/cpuset.mems
echo "$pid" >$cg/cgroup.procs
expect_node 1
echo 2 >$cg/cpuset.mems
echo "    cpuset.mems is now $(cat $cg/cpuset.mems.effective)"
expect_node 2
numastat -p "$pid" | sed 's/^/    /'

step "The workload checks its data and exits"
exec 4>&- 3<&-
if wait "$pid"; then
	ok "contents intact"
else
	bad "contents changed (exit status $?)"
fi
# The workload has exited: the cgroup is empty and goes.
rmdir $cg

step "Next touch: 16 MiB filled on node 0, mbind(MPOL_LOCAL, MPOL_MF_MOVE | MPOL_MF_LAZY), read from node 2"
rig-nexttouch 16 0 2
case $? in
0) ok "every page moved to node 2 on its first touch, contents intact" ;;
2)	case " ${MIG_EXPECT_FEATURES:-} " in
	*" lazy "*) bad "this kernel should accept MPOL_MF_LAZY" ;;
	*) echo "    SKIPPED: this kernel has no MPOL_MF_LAZY" ;;
	esac ;;
*) bad "the pages did not follow the touching thread" ;;
esac

step "Page cache: a child on node 0 writes a 16 MiB tmpfs file and exits; a thread on node 2 maps it with mbind(MPOL_LOCAL, MPOL_MF_MOVE | MPOL_MF_LAZY) and reads it"
rig-nexttouch --file 16 0 2
case $? in
0) ok "every page of the cache moved to node 2 on the fault that found it, contents intact" ;;
2|3)	case " ${MIG_EXPECT_FEATURES:-} " in
	*" pagecache "*) bad "this kernel should migrate page cache on fault" ;;
	*) echo "    SKIPPED: this kernel does not migrate page cache on fault" ;;
	esac ;;
*) bad "the page cache did not follow the reading thread" ;;
esac

step "A running job's cpuset moves lazily: 16 MiB on node 0, cpuset.mems.migration=lazy, cpuset.mems 0 -> 1, the job reads half, then all"
rig-lazyjob 16 0 1
case $? in
0) ok "the write copied nothing, and the pages followed the job as it read them, contents intact" ;;
2)	case " ${MIG_EXPECT_FEATURES:-} " in
	*" cpuset_lazy "*) bad "this kernel should have cpuset.mems.migration" ;;
	*) echo "    SKIPPED: this kernel has no cpuset.mems.migration" ;;
	esac ;;
*) bad "the pages did not follow the job" ;;
esac

step "vmstat deltas"
ds=$(( $(vm pgmigrate_success) - succ0 ))
df=$(( $(vm pgmigrate_fail) - fail0 ))
echo "    pgmigrate_success +$ds"
echo "    pgmigrate_fail    +$df"
# The buffer moved twice (0->1, 1->2); the rest are the workload's other pages.
if [ "$ds" -ge $((2 * pages)) ]; then
	ok "pgmigrate_success rose by at least 2 x $pages"
else
	bad "pgmigrate_success rose by $ds, expected at least $((2 * pages))"
fi

echo
[ $fail = 0 ] && echo "### demo: every step OK" || echo "### demo: FAILED"
exit $fail
