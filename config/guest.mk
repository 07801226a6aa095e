# The guest: 4 NUMA nodes in two "sockets" (nodes 0-1 and 2-3).
# Node 3 has memory and no CPU, like CXL or PMEM memory.
GUEST_NODE_MEM := 512M
GUEST_CPUS     := 3
