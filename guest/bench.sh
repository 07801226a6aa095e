#!/bin/sh
# make bench, in the guest: run the benchmark programs; the host reads the
# "BENCH name value unit" lines from /dev/ttyS1.
echo "# kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, $(ls -d /sys/devices/system/node/node* | wc -l) nodes"
dir=/tmp/bench-ext4
mkdir -p $dir
truncate -s 512M /tmp/bench-ext4.img
mkfs.ext4 -q -F /tmp/bench-ext4.img >/dev/null 2>&1 &&
	mount -o loop /tmp/bench-ext4.img $dir || exit 1
rig-bench migrate || exit 1
rig-bench lazy $dir || exit 1
rig-bench pagecache $dir || exit 1
rig-bench fault $dir || exit 1
umount $dir
echo "# bench done"
