#!/bin/sh
# make bench, in the guest: run the benchmark programs; the host reads the
# "BENCH name value unit" lines from /dev/ttyS1.  Arguments: the groups
# to run (default: all).  rig-bench turns proactive compaction off for its
# own run; it stays off for the whole boot, so that it does not run between
# the groups either.
echo 0 > /proc/sys/vm/compaction_proactiveness
echo "# kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, $(ls -d /sys/devices/system/node/node* | wc -l) nodes"
dir=/tmp/bench-ext4
mkdir -p $dir
truncate -s 512M /tmp/bench-ext4.img
mkfs.ext4 -q -F /tmp/bench-ext4.img >/dev/null 2>&1 &&
	mount -o loop /tmp/bench-ext4.img $dir || exit 1
# Groups to run: all of them, or those named by rig.args= (comma-separated,
# for a contributor measuring one group: RIG_CMDLINE=rig.args=lazy).  The
# groups that both kernels run come first, from the same fresh state, and
# the fault group first of all: the lazy group runs on the patched kernel
# only, and the memory it leaves behind (a node filled with page cache,
# among others) made anonymous faults after it 0.5% slower.
for g in ${*:-fault migrate pagecache lazy}; do
	rig-bench "$g" $dir || exit 1
	# The image lives in tmpfs, which has no swap: give back the blocks
	# of the files that the group deleted, or the lazy group's 256 MiB
	# cpuset job on node 0 meets the OOM killer after the fault and page
	# cache groups.
	fstrim $dir || exit 1
done
umount $dir
echo "# bench done"
