// SPDX-License-Identifier: GPL-2.0
/*
 * rig-lazyjob MIB FROM TO: a running job's cpuset moves lazily, for
 * `make run`.
 *
 * A job joins a cgroup v2 cpuset whose cpuset.mems is FROM and whose
 * cpuset.mems.migration is "lazy", and fills MIB of anonymous memory there.
 * cpuset.mems then becomes TO: the write copies nothing, and the pages stay
 * on FROM.  The job reads the first half of its memory, which follows it to
 * TO, then all of it; it checks its data each time.  The job runs on a CPU
 * of node FROM throughout: TO is the one node its cpuset allows, and so the
 * allowed node nearest it.
 *
 * Exit status: 0 when every step placed the pages as it says, 1 when not,
 * 2 when the kernel has no cpuset.mems.migration.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "migration_util.h"

#define CG	"/sys/fs/cgroup/demo-lazy"
#define SEED	0x6a6f62ULL

struct reply {
	unsigned long from, to;	/* pages on FROM and on TO */
	long bad;		/* pages whose data changed */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The job: on 'h' it reads the first half of its memory, on 'a' all of it,
 * on 's' nothing; then it replies with where its pages are.
 */
static void job(size_t len, int from, int to, int cmd, int rep)
{
	unsigned long n = len / 4096;
	struct reply r;
	char pid[32], c;
	char *buf;

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (mig_write_file(CG "/cgroup.procs", pid) ||
	    mig_pin_cpu(mig_node_cpu(from)))
		_exit(1);
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || madvise(buf, len, MADV_NOHUGEPAGE))
		_exit(1);
	mig_fill(buf, len, SEED);
	while (read(cmd, &c, 1) == 1) {
		if (c == 'h')
			r.bad = mig_check(buf, len / 2, SEED);
		else if (c == 'a')
			r.bad = mig_check(buf, len, SEED);
		else
			r.bad = 0;
		r.from = mig_pages_on_node(buf, n, from);
		r.to = mig_pages_on_node(buf, n, to);
		if (write(rep, &r, sizeof(r)) != sizeof(r))
			_exit(1);
	}
	_exit(0);
}

static int ask(int cmd, int rep, char c, struct reply *r)
{
	return write(cmd, &c, 1) == 1 && read(rep, r, sizeof(*r)) == sizeof(*r);
}

static int expect(const char *what, const struct reply *r,
		  unsigned long from, unsigned long to, int nfrom, int nto)
{
	int ok = r->from == from && r->to == to && !r->bad;

	printf("    %-44s node%d %6lu  node%d %6lu  data %s  %s\n", what,
	       nfrom, r->from, nto, r->to, r->bad ? "CHANGED" : "intact",
	       ok ? "OK" : "FAILED");
	return ok;
}

int main(int argc, char **argv)
{
	size_t len;
	unsigned long n;
	int from, to, cmd[2], rep[2], ok = 1;
	long long armed, moved;
	struct reply r;
	char val[16];
	double t;
	pid_t pid;

	if (argc != 4) {
		fprintf(stderr, "usage: rig-lazyjob MIB FROM TO\n");
		return 1;
	}
	len = (size_t)atol(argv[1]) << 20;
	n = len / 4096;
	from = atoi(argv[2]);
	to = atoi(argv[3]);
	if (mig_node_cpu(from) < 0) {
		fprintf(stderr, "rig-lazyjob: node %d has no CPU\n", from);
		return 1;
	}
	mig_write_file("/sys/fs/cgroup/cgroup.subtree_control", "+cpuset");
	if (mkdir(CG, 0755) && errno != EEXIST) {
		perror("rig-lazyjob: " CG);
		return 1;
	}
	if (access(CG "/cpuset.mems.migration", F_OK)) {
		rmdir(CG);
		return 2;
	}
	snprintf(val, sizeof(val), "%d", from);
	if (mig_write_file(CG "/cpuset.mems", val) ||
	    mig_write_file(CG "/cpuset.mems.migration", "lazy") ||
	    pipe(cmd) || pipe(rep))
		return 1;
	pid = fork();
	if (!pid) {
		/* Its end of input is this process closing cmd[1] */
		close(cmd[1]);
		close(rep[0]);
		job(len, from, to, cmd[0], rep[1]);
	}
	if (pid < 0 || !ask(cmd[1], rep[0], 's', &r))
		return 1;
	printf("    job pid %d in " CG ", cpuset.mems %d, cpuset.mems.migration lazy\n",
	       pid, from);
	ok &= expect("after it filled its memory", &r, n, 0, from, to);

	armed = mig_vmstat("numa_lazy_armed");
	moved = mig_vmstat("numa_lazy_migrated");
	snprintf(val, sizeof(val), "%d", to);
	t = now();
	if (mig_write_file(CG "/cpuset.mems", val))
		return 1;
	t = now() - t;
	printf("    echo %d > cpuset.mems took %.1f ms and copied nothing\n",
	       to, t * 1e3);
	ok &= ask(cmd[1], rep[0], 's', &r) &&
	      expect("after the write, before any touch", &r, n, 0, from, to);
	printf("    numa_lazy_armed +%lld\n", mig_vmstat("numa_lazy_armed") - armed);
	ok &= ask(cmd[1], rep[0], 'h', &r) &&
	      expect("after it read the first half", &r, n / 2, n / 2, from, to);
	ok &= ask(cmd[1], rep[0], 'a', &r) &&
	      expect("after it read all of it", &r, 0, n, from, to);
	printf("    numa_lazy_migrated +%lld\n",
	       mig_vmstat("numa_lazy_migrated") - moved);
	close(cmd[1]);
	ok &= !mig_reap(pid);
	rmdir(CG);
	return ok ? 0 : 1;
}
