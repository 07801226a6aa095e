# The guest, declared once; scripts/guest.sh derives QEMU's arguments from
# it (memory, CPUs, NUMA nodes, the ACPI SLIT).
#
# Four NUMA nodes of GUEST_NODE_MEM each.  Per node, in node order: its CPU
# ("-" for none: node 3 has memory and no CPU, like CXL or PMEM memory) and
# its distance group in the SLIT.  The groups stand for two sockets as far
# as distances go (10 local, 20 within a group, 30 across groups); QEMU's
# CPU topology is one CPU per package (-smp N,sockets=N), because three CPUs
# do not split into two equal sockets, and only the SLIT matters to NUMA.
GUEST_NODE_MEM    := 512M
GUEST_NODE_CPUS   := 0 1 2 -
GUEST_NODE_GROUPS := A A B B
GUEST_DISTANCES   := 10 20 30
