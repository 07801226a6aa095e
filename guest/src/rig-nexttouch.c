// SPDX-License-Identifier: GPL-2.0
/*
 * rig-nexttouch [--file] MIB FROM TO: next-touch migration, for `make run`.
 *
 * Fills MIB of anonymous memory on node FROM, arms it with
 * mbind(MPOL_LOCAL, MPOL_MF_MOVE | MPOL_MF_LAZY), shows that nothing moved,
 * then reads it from a thread pinned to a CPU of node TO and shows that
 * every page followed the thread.
 *
 * With --file, the memory is the page cache of a tmpfs file instead, which
 * a child bound to FROM writes and then leaves, mapped by nobody; this
 * process maps the file, sets the same policy and reads it from node TO.
 *
 * kernel.numa_balancing and vm.compaction_proactiveness are 0 for the run
 * (a line says so) and restored at exit.
 *
 * Exit status: 0 when all pages moved and the data is intact, 1 when not,
 * 2 when the kernel has no MPOL_MF_LAZY, 3 when it does not migrate page
 * cache on fault.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/mempolicy.h>

#include "rig-sysctl.h"

#define PAGE	4096UL

static char *buf;
static unsigned long npages;
static int cpu;

static long vmstat(const char *name)
{
	char key[64];
	long val;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &val) == 2) {
		if (!strcmp(key, name)) {
			fclose(f);
			return val;
		}
	}
	fclose(f);
	return -1;
}

/* Print pages per node, as move_pages() reports them; return those on @node. */
static unsigned long show(const char *when, int node)
{
	unsigned long i, per[8] = { 0 }, other = 0;
	void **pages = malloc(npages * sizeof(void *));
	int *status = malloc(npages * sizeof(int));

	for (i = 0; i < npages; i++)
		pages[i] = buf + i * PAGE;
	if (syscall(SYS_move_pages, 0, npages, pages, NULL, status, 0)) {
		perror("move_pages");
		exit(1);
	}
	for (i = 0; i < npages; i++) {
		if (status[i] >= 0 && status[i] < 8)
			per[status[i]]++;
		else
			other++;
	}
	printf("    %-34s", when);
	for (i = 0; i < 4; i++)
		printf(" node%lu %6lu", i, per[i]);
	if (other)
		printf("  (elsewhere %lu)", other);
	printf("\n");
	free(pages);
	free(status);
	return per[node];
}

static void *toucher(void *arg)
{
	cpu_set_t set;
	unsigned long i, sum = 0;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		exit(1);
	}
	for (i = 0; i < npages; i++)
		sum += __atomic_load_n(buf + i * PAGE, __ATOMIC_RELAXED);
	return (void *)sum;
}

static void fill(void)
{
	unsigned long i;

	for (i = 0; i < npages * (PAGE / sizeof(long)); i++)
		((unsigned long *)buf)[i] = i * 2654435761UL;
}

/*
 * The page cache of a tmpfs file of @mib MiB, written by a child bound to
 * node @from, which shows where it is and exits: nobody maps it then.  The
 * file is mapped shared into buf.
 */
static int file_cache(unsigned long mib, unsigned long from)
{
	const char *path = "/dev/shm/rig-nexttouch";
	unsigned long mask = 1UL << from;
	char when[64];
	int fd, status;
	pid_t pid;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, mib << 20)) {
		perror(path);
		return -1;
	}
	unlink(path);
	pid = fork();
	if (pid == 0) {
		if (syscall(SYS_set_mempolicy, MPOL_BIND, &mask, 65))
			_exit(1);
		buf = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE, MAP_SHARED,
			   fd, 0);
		if (buf == MAP_FAILED)
			_exit(1);
		fill();
		snprintf(when, sizeof(when), "cache filled on node %lu:", from);
		show(when, from);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status) {
		fprintf(stderr, "the child could not fill the file\n");
		return -1;
	}
	printf("    the child exits: the cache stays, mapped by nobody\n");
	buf = mmap(NULL, mib << 20, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	return buf == MAP_FAILED ? -1 : 0;
}

int main(int argc, char **argv)
{
	/*
	 * Pages move only on the touch: automatic NUMA balancing would move
	 * them on its own, and compaction, moving an armed page, drops its
	 * arm.
	 */
	static const struct rig_sysctl quiet[] = {
		{ "kernel.numa_balancing", "0" },
		{ "vm.compaction_proactiveness", "0" },
	};
	unsigned long mib, from, to, i, bad = 0;
	long armed0, moved0, fail0, pc0 = 0;
	char path[64], list[64];
	bool file = false;
	pthread_t th;
	FILE *f;

	if (argc == 5 && !strcmp(argv[1], "--file")) {
		file = true;
		argv++;
		argc--;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: %s [--file] MIB FROM_NODE TO_NODE\n",
			argv[0]);
		return 1;
	}
	mib = strtoul(argv[1], NULL, 0);
	from = strtoul(argv[2], NULL, 0);
	to = strtoul(argv[3], NULL, 0);
	npages = (mib << 20) / PAGE;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%lu/cpulist",
		 to);
	f = fopen(path, "r");
	if (!f || !fgets(list, sizeof(list), f) || list[0] < '0' ||
	    list[0] > '9') {
		fprintf(stderr, "node %lu has no CPU\n", to);
		return 1;
	}
	fclose(f);
	cpu = atoi(list);
	if (rig_sysctls_for_run("    rig-nexttouch", quiet, 2))
		return 1;

	if (file) {
		if (file_cache(mib, from))
			return 1;
	} else {
		buf = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		madvise(buf, mib << 20, MADV_NOHUGEPAGE);
		i = 1UL << from;
		if (syscall(SYS_mbind, buf, mib << 20, MPOL_BIND, &i, 65, 0)) {
			perror("mbind(MPOL_BIND)");
			return 1;
		}
		fill();
		snprintf(list, sizeof(list), "filled on node %lu:", from);
		show(list, from);
	}

	armed0 = vmstat("numa_lazy_armed");
	moved0 = vmstat("numa_lazy_migrated");
	fail0 = vmstat("numa_lazy_migrate_fail");
	if (syscall(SYS_mbind, buf, mib << 20, MPOL_LOCAL, NULL, 0,
		    MPOL_MF_MOVE | MPOL_MF_LAZY)) {
		printf("    mbind(MPOL_LOCAL, MOVE|LAZY): %s\n", strerror(errno));
		return errno == EINVAL ? 2 : 1;
	}
	if (file) {
		pc0 = vmstat("numa_lazy_pagecache_migrated");
		if (pc0 < 0) {
			printf("    no numa_lazy_pagecache_migrated in /proc/vmstat\n");
			return 3;
		}
		fail0 = vmstat("numa_lazy_pagecache_migrate_fail");
	} else {
		show("after mbind(MPOL_LOCAL, MOVE|LAZY):", from);
	}
	printf("    numa_lazy_armed +%ld\n", vmstat("numa_lazy_armed") - armed0);

	printf("    a thread on CPU %d (node %lu) reads every page\n", cpu, to);
	if (pthread_create(&th, NULL, toucher, NULL) || pthread_join(th, NULL)) {
		fprintf(stderr, "cannot run the toucher thread\n");
		return 1;
	}
	i = show("after the first touch:", to);
	if (file)
		printf("    numa_lazy_pagecache_migrated +%ld, numa_lazy_pagecache_migrate_fail +%ld\n",
		       vmstat("numa_lazy_pagecache_migrated") - pc0,
		       vmstat("numa_lazy_pagecache_migrate_fail") - fail0);
	else
		printf("    numa_lazy_migrated +%ld, numa_lazy_migrate_fail +%ld\n",
		       vmstat("numa_lazy_migrated") - moved0,
		       vmstat("numa_lazy_migrate_fail") - fail0);

	if (i != npages) {
		printf("    %lu of %lu pages on node %lu\n", i, npages, to);
		return 1;
	}
	for (i = 0; i < npages * (PAGE / sizeof(long)); i++)
		if (((unsigned long *)buf)[i] != i * 2654435761UL)
			bad++;
	if (bad) {
		printf("    %lu words changed\n", bad);
		return 1;
	}
	printf("    contents intact\n");
	return 0;
}
