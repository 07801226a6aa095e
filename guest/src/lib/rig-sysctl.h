/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sysctls that a guest program sets for its run, and says so: the helper
 * library of the selftests (migration_util.c) is only linked for its
 * system call wrappers and queries, and the machine's settings are each
 * program's own business.
 */
#ifndef RIG_SYSCTL_H
#define RIG_SYSCTL_H

struct rig_sysctl {
	const char *name;	/* as sysctl(8) spells it: "kernel.numa_balancing" */
	const char *val;	/* the value for the run */
};

/*
 * Set the @n sysctls of @s for the life of the calling process, print one
 * line on stdout,
 *   "<who>: kernel.numa_balancing 1 -> 0, vm.compaction_proactiveness 20 -> 0
 *    for the run (restored at exit)",
 * and put the old values back when the process exits or is stopped by
 * SIGINT, SIGTERM or SIGHUP (children it forks leave them alone). A sysctl
 * that the kernel does not have is named "absent" and skipped. Returns 0,
 * or -1 after a message on stderr when one cannot be read or written.
 */
int rig_sysctls_for_run(const char *who, const struct rig_sysctl *s, int n);

#endif /* RIG_SYSCTL_H */
