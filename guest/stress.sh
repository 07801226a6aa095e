#!/bin/sh
# make stress, in the guest: rig-stress with the duration and seed of the
# kernel command line (rig.args=-d,SECONDS,-s,SEED); the host reads the
# "STRESS" and "VERDICT" lines from /dev/ttyS1.
echo "# kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, $(ls -d /sys/devices/system/node/node* | wc -l) nodes"
exec rig-stress "$@"
