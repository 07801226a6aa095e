# The userspace the series reaches (userspace/, scripts/userspace.sh):
# Debian 12's source packages, at the versions it ships.  Per project of
# userspace/: the source package and its version.  Change them here and
# nowhere else.
USERSPACE_numactl   := numactl 2.0.16-1
USERSPACE_hwloc     := hwloc 2.9.0-1
USERSPACE_man-pages := manpages 6.03-2
