// SPDX-License-Identifier: GPL-2.0
/*
 * rig-bench: the benchmark programs of "make bench", run in the guest.
 *
 *   rig-bench migrate  eager migration: move_pages() in batches of 1, 64,
 *                      512 and 16384 pages, mbind(MPOL_MF_MOVE) and
 *                      migrate_pages(2), 4 KiB pages and 2 MiB THP, and a
 *                      memcpy() of the same bytes
 *   rig-bench lazy DIR lazy migration, mbind(MPOL_MF_MOVE | MPOL_MF_LAZY):
 *                      arming alone, the first-touch pass, both together,
 *                      and an eager move followed by the same read, for
 *                      4 KiB pages and 2 MiB THP, next touch from a
 *                      thread on another node (MPOL_LOCAL), and moves
 *                      toward a node that a sparse file on DIR filled with
 *                      clean page cache, eager and lazy; prints nothing
 *                      but a comment on a kernel without MPOL_MF_LAZY
 *   rig-bench pagecache DIR
 *                      a 64 MiB file on DIR, cached on node 0 and mapped by
 *                      nobody, read through a mapping by a thread on node 2:
 *                      without a policy (the pages stay remote), with
 *                      mbind(MPOL_LOCAL, MPOL_MF_MOVE | MPOL_MF_LAZY) (they
 *                      move on fault), and after dropping the cache with
 *                      posix_fadvise(POSIX_FADV_DONTNEED) (they are read
 *                      again, onto node 2); the lazy figure is a comment on
 *                      a kernel that does not migrate page cache
 *   rig-bench profile  a kernel profile of lazy touches of 10% of 64 MiB
 *                      at random and of the eager move of it all, for
 *                      scripts/profile.sh; not part of make bench
 *   rig-bench fault    page faults of programs that never use the series:
 *                      anonymous 4 KiB, file read with fault-around, shmem,
 *                      THP, with three times the repetitions of the
 *                      others (9)
 *
 * A first line, "# rig-bench: kernel.numa_balancing 1 -> 0, ...", gives the
 * sysctls set for the run. Each figure is printed as one line per
 * repetition:
 *   BENCH <name> <value> <unit>
 * Times come from CLOCK_MONOTONIC; under QEMU -icount they count guest
 * instructions, not wall-clock time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/mempolicy.h>
#include <linux/perf_event.h>

#include "migration_util.h"
#include "rig-sysctl.h"

#define MIB		(1UL << 20)
#define HPAGE		(2 * MIB)
#define PAGE		4096UL

static int reps = 3;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static long move_pages(int count, void **pages, const int *nodes, int *status)
{
	return syscall(__NR_move_pages, 0, count, pages, nodes, status,
		       MPOL_MF_MOVE);
}

static long mbind_node(void *addr, size_t len, int node, unsigned int flags)
{
	unsigned long mask = 1UL << node;

	return syscall(__NR_mbind, addr, len, MPOL_BIND, &mask, 65, flags);
}

/* migrate_pages(2) of this process, from the nodes @from to @to (masks) */
static long migrate_nodes(unsigned long from, unsigned long to)
{
	return syscall(__NR_migrate_pages, 0, 65, &from, &to);
}

static long migrate_node(int from, int to)
{
	return migrate_nodes(1UL << from, 1UL << to);
}

/* A random order of 0 .. @n - 1 in @idx, the same in every run */
static void shuffle(unsigned long *idx, unsigned long n)
{
	unsigned long i, j, k;

	srandom(1);
	for (i = 0; i < n; i++)
		idx[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = random() % (i + 1);
		k = idx[i];
		idx[i] = idx[j];
		idx[j] = k;
	}
}

/* @thp of area(): the sysfs THP settings choose the folio sizes */
#define AREA_SYSFS	-1

/*
 * Map @len bytes, THP (1) or not (0), or as the THP settings say
 * (AREA_SYSFS), and fault them in on @node.
 */
static char *area(size_t len, int node, int thp)
{
	char *raw, *p;

	raw = mmap(NULL, len + HPAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		die("mmap");
	p = (char *)(((unsigned long)raw + HPAGE - 1) & ~(HPAGE - 1));
	if (thp != AREA_SYSFS &&
	    madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		die("madvise");
	if (mbind_node(p, len, node, 0))
		die("mbind");
	memset(p, 0x5a, len);
	/* Leave the policy: the benchmarks move the pages themselves. */
	if (syscall(__NR_mbind, p, len, MPOL_DEFAULT, NULL, 0, 0))
		die("mbind default");
	return p;
}

static void report(const char *name, double value, const char *unit)
{
	printf("BENCH %s %.6g %s\n", name, value, unit);
	fflush(stdout);
}

/* move_pages() of the whole area in batches of @batch units. */
static double time_move_pages(char *p, size_t len, size_t unit, long batch,
			      int to)
{
	long n = len / unit, i, j, k;
	void **pages = malloc(n * sizeof(*pages));
	int *nodes = malloc(n * sizeof(*nodes));
	int *status = malloc(n * sizeof(*status));
	double t;

	for (i = 0; i < n; i++) {
		pages[i] = p + i * unit;
		nodes[i] = to;
	}
	t = now();
	for (i = 0; i < n; i += batch) {
		k = n - i < batch ? n - i : batch;
		if (move_pages(k, pages + i, nodes + i, status + i) < 0)
			die("move_pages");
	}
	t = now() - t;
	for (j = 0; j < n; j++)
		if (status[j] != to) {
			fprintf(stderr, "page %ld on %d, not %d\n", j, status[j], to);
			exit(1);
		}
	free(pages);
	free(nodes);
	free(status);
	return t;
}

static void bench_migrate(void)
{
	static const long batches[] = { 1, 64, 512, 16384 };
	unsigned long away = 1UL << 2;
	size_t len = 64 * MIB;
	char name[64], *p, *q;
	unsigned int b;
	int thp, r, from = 0, to = 1;
	double t;

	for (thp = 0; thp <= 1; thp++) {
		const char *kind = thp ? "thp" : "4k";
		size_t unit = thp ? HPAGE : PAGE;
		double pages = len / PAGE;

		for (b = 0; b < sizeof(batches) / sizeof(batches[0]); b++) {
			if (thp && batches[b] > 512)
				continue;
			p = area(len, from, thp);
			for (r = 0; r < reps; r++) {
				t = time_move_pages(p, len, unit, batches[b],
						    r % 2 ? from : to);
				snprintf(name, sizeof(name),
					 "migrate.move_pages.%s.batch%ld", kind,
					 batches[b]);
				report(name, pages / t, "pages/s");
			}
			munmap(p, len);
		}

		p = area(len, from, thp);
		for (r = 0; r < reps; r++) {
			t = now();
			if (mbind_node(p, len, r % 2 ? from : to, MPOL_MF_MOVE))
				die("mbind move");
			t = now() - t;
			snprintf(name, sizeof(name), "migrate.mbind.%s", kind);
			report(name, pages / t, "pages/s");
		}
		munmap(p, len);

		/*
		 * migrate_pages(2) moves every page of the process on the
		 * source node, not only the area's.  What else of it lay on
		 * @from or @to (heap, stack, the program's data) depended on
		 * what ran before, on either kernel, and added up to 2.9 ms
		 * to a call: move it all to node 2 first, allocate anything
		 * new there (the area has a policy of its own) until the rows
		 * are done, and check that each call moves the area alone.
		 * The check's code runs once before the move: the first call
		 * of a library function maps page cache that the process did
		 * not map yet, and the next migrate_pages() would move it.
		 */
		if (mig_vmstat("pgmigrate_success") < 0 ||
		    syscall(__NR_set_mempolicy, MPOL_BIND, &away, 65) ||
		    migrate_nodes(1UL << from | 1UL << to, away) < 0)
			die("migrate_pages away");
		p = area(len, from, thp);
		for (r = 0; r < reps; r++) {
			long long moved = mig_vmstat("pgmigrate_success");

			t = now();
			if (migrate_node(r % 2 ? to : from, r % 2 ? from : to) < 0)
				die("migrate_pages");
			t = now() - t;
			moved = mig_vmstat("pgmigrate_success") - moved;
			snprintf(name, sizeof(name), "migrate.migrate_pages.%s",
				 kind);
			if (moved != (long long)pages) {
				fprintf(stderr, "rig-bench: %s moved %lld pages, not %.0f\n",
					name, moved, pages);
				exit(1);
			}
			report(name, pages / t, "pages/s");
		}
		munmap(p, len);
		if (syscall(__NR_set_mempolicy, MPOL_DEFAULT, NULL, 0))
			die("set_mempolicy default");
	}

	/* The copy-only limit: memcpy() of the same bytes, node to node. */
	p = area(len, from, 0);
	q = area(len, to, 0);
	for (r = 0; r < reps; r++) {
		t = now();
		memcpy(q, p, len);
		t = now() - t;
		report("migrate.memcpy", len / PAGE / t, "pages/s");
	}
	munmap(p, len);
	munmap(q, len);
}

/* Touch one byte per page of @p, reading or writing. */
static double touch(volatile char *p, size_t len, int write)
{
	double t = now();
	size_t i;
	char sum = 0;

	for (i = 0; i < len; i += PAGE) {
		if (write)
			p[i] = 1;
		else
			sum += p[i];
	}
	t = now() - t;
	(void)sum;
	return t;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

struct remote_touch {
	char *p;
	size_t len;
	int cpu;
	double t;
};

static void *remote_touch_main(void *arg)
{
	struct remote_touch *rt = arg;

	if (pin(rt->cpu))
		die("sched_setaffinity");
	rt->t = touch(rt->p, rt->len, 0);
	return NULL;
}

/*
 * Exit unless at least @pct percent of the pages of [@p, @p + @len) are on
 * @node: all of them after a lazy pass, 99% toward a full node, as the
 * tests ask.
 */
static void check_on(char *p, size_t len, int node, int pct)
{
	unsigned long n = len / PAGE, on = mig_pages_on_node(p, n, node);

	if (on * 100 < n * pct) {
		fprintf(stderr, "rig-bench: %lu of %lu pages on node %d\n", on,
			n, node);
		exit(1);
	}
}

/* MemTotal of @node in bytes */
static size_t node_total(int node)
{
	char path[64], line[128], want[32];
	size_t kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo",
		 node);
	snprintf(want, sizeof(want), "Node %d MemTotal:", node);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, want, strlen(want)))
			kb = atol(line + strlen(want));
	if (f)
		fclose(f);
	if (!kb)
		die("node meminfo");
	return kb << 10;
}

/*
 * Fill @node with clean page cache: a child bound to it reads a sparse
 * file on @dir, 64 MiB larger than the node, whose holes read in as clean
 * folios.  Returns the file, unlinked and open, which keeps the cache.
 */
static int fill_node(const char *dir, int node)
{
	static char buf[MIB];
	unsigned long mask = 1UL << node;
	char path[256];
	pid_t pid;
	int fd, status;

	snprintf(path, sizeof(path), "%s/fill", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, node_total(node) + 64 * MIB))
		die("fill file");
	unlink(path);
	pid = fork();
	if (pid == 0) {
		if (syscall(__NR_set_mempolicy, MPOL_BIND, &mask, 65))
			die("set_mempolicy");
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
		die("fill child");
	return fd;
}

/*
 * Seconds for a program to move [@p, @p + @len) to node 1 and then read
 * every page: mbind(MPOL_MF_MOVE), or with @lazy mbind(MPOL_MF_MOVE |
 * MPOL_MF_LAZY), whose moves the reads make.  Both ways pay for the reads,
 * so that the lazy figure is not charged with the program's own loads.
 */
static double time_move(char *p, size_t len, int lazy)
{
	double t = now();

	if (mbind_node(p, len, 1, MPOL_MF_MOVE | (lazy ? MPOL_MF_LAZY : 0)))
		die("mbind move");
	touch(p, len, 0);
	return now() - t;
}

/*
 * 64 MiB from node 0 to node 1 once node 1 is full of clean page cache,
 * as on a machine that has run for a while: mbind(MPOL_MF_MOVE), and
 * mbind(MPOL_MF_MOVE | MPOL_MF_LAZY) followed by a touch of every page.
 * Both pay for reclaiming the cache; the fill is not timed.
 */
static void bench_full_node(const char *dir)
{
	size_t len = 64 * MIB;
	double pages = len / PAGE, t;
	char name[64], *p;
	int thp, r, lazy, fd;

	for (thp = 0; thp <= 1; thp++) {
		for (r = 0; r < reps; r++) {
			for (lazy = 0; lazy <= 1; lazy++) {
				p = area(len, 0, thp);
				fd = fill_node(dir, 1);
				t = time_move(p, len, lazy);
				check_on(p, len, 1, 99);
				snprintf(name, sizeof(name), "lazy.full_%s.%s",
					 lazy ? "arm_touch" : "eager",
					 thp ? "thp" : "4k");
				report(name, pages / t, "pages/s");
				munmap(p, len);
				close(fd);
			}
		}
	}
}

/* Exit unless the pages @idx[0..@n) of @p are on @node. */
static void check_pages_on(char *p, const unsigned long *idx, unsigned long n,
			   int node)
{
	int *status = malloc(n * sizeof(*status));
	void **pages = malloc(n * sizeof(*pages));
	unsigned long i, off = 0;

	if (!status || !pages)
		die("malloc");
	for (i = 0; i < n; i++)
		pages[i] = p + idx[i] * PAGE;
	if (syscall(__NR_move_pages, 0, n, pages, NULL, status, 0))
		die("move_pages status");
	for (i = 0; i < n; i++)
		off += status[i] != node;
	if (off) {
		fprintf(stderr, "rig-bench: %lu of %lu pages off node %d\n",
			off, n, node);
		exit(1);
	}
	free(status);
	free(pages);
}

/*
 * Lazy migration of part of 64 MiB toward node 1, arming included: every
 * second page, and 10% and 1% of the pages in a random order.  The cost
 * must follow the pages touched: rates are of the whole area, so that the
 * ratio to migrate.mbind.4k is the lazy time over an eager move of it all.
 */
static void bench_lazy_part(void)
{
	static const struct { const char *name; int stride, permille; } parts[] = {
		{ "lazy.every_second.4k", 2, 0 },
		{ "lazy.random_10pct.4k", 0, 100 },
		{ "lazy.random_1pct.4k", 0, 10 },
	};
	size_t len = 64 * MIB;
	unsigned long n = len / PAGE, *idx, i, nt;
	unsigned int w;
	double t;
	char *p;
	int r;

	idx = malloc(n * sizeof(*idx));
	if (!idx)
		die("malloc");
	for (w = 0; w < sizeof(parts) / sizeof(parts[0]); w++) {
		if (parts[w].stride)
			for (i = 0; i < n; i++)
				idx[i] = i * parts[w].stride;
		else
			shuffle(idx, n);
		nt = parts[w].stride ? n / parts[w].stride :
				       n * parts[w].permille / 1000;
		for (r = 0; r < reps; r++) {
			volatile char sum = 0;

			p = area(len, 0, 0);
			t = now();
			if (mbind_node(p, len, 1, MPOL_MF_MOVE | MPOL_MF_LAZY))
				die("mbind lazy");
			for (i = 0; i < nt; i++)
				sum += p[idx[i] * PAGE];
			t = now() - t;
			(void)sum;
			check_pages_on(p, idx, nt, 1);
			report(parts[w].name, n / t, "pages/s");
			munmap(p, len);
		}
	}
	free(idx);
}

#define THP_SYSFS	"/sys/kernel/mm/transparent_hugepage/"

/* The selected word of a THP sysfs setting: "always [madvise] never" */
static void thp_setting(const char *file, char *val, size_t len)
{
	char path[160], buf[64], *s;

	snprintf(path, sizeof(path), THP_SYSFS "%s", file);
	if (mig_read_file(path, buf, sizeof(buf)))
		die(path);
	s = strchr(buf, '[');
	s = s ? s + 1 : buf;
	s[strcspn(s, "]\n")] = '\0';
	snprintf(val, len, "%s", s);
}

static void thp_set(const char *file, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), THP_SYSFS "%s", file);
	if (mig_write_file(path, val))
		die(path);
}

/*
 * 64 MiB of 64 KiB anonymous mTHP from node 0 to node 1: an eager
 * mbind(MPOL_MF_MOVE), and a lazy one followed by a touch of every page.
 * PMD-sized THP is turned off meanwhile, so that the area is made of 64 KiB
 * folios only; both settings are put back.
 */
static void bench_lazy_mthp(void)
{
	size_t len = 64 * MIB;
	double pages = len / PAGE, t;
	char old64[64], old2m[64], *p;
	int r, lazy;

	if (access(THP_SYSFS "hugepages-64kB/enabled", W_OK)) {
		printf("# lazy mTHP: no 64 KiB mTHP in this kernel, not measured\n");
		return;
	}
	thp_setting("hugepages-64kB/enabled", old64, sizeof(old64));
	thp_setting("hugepages-2048kB/enabled", old2m, sizeof(old2m));
	printf("# lazy mTHP: hugepages-64kB/enabled %s -> always, hugepages-2048kB/enabled %s -> never, for these rows\n",
	       old64, old2m);
	thp_set("hugepages-64kB/enabled", "always");
	thp_set("hugepages-2048kB/enabled", "never");
	for (r = 0; r < reps; r++) {
		for (lazy = 0; lazy <= 1; lazy++) {
			p = area(len, 0, AREA_SYSFS);
			t = time_move(p, len, lazy);
			check_on(p, len, 1, 100);
			report(lazy ? "lazy.arm_touch.mthp64k" :
				      "lazy.eager.mthp64k", pages / t, "pages/s");
			munmap(p, len);
		}
	}
	thp_set("hugepages-64kB/enabled", old64);
	thp_set("hugepages-2048kB/enabled", old2m);
}

/* A thread on @cpu that reads the 64 KiB chunks @first, @first + 2, ... */
struct chunk_touch {
	char *p;
	size_t len;
	int cpu, first;
	pthread_barrier_t *start;
};

#define CHUNK	(64 * 1024UL)

static void *chunk_touch_main(void *arg)
{
	struct chunk_touch *ct = arg;
	volatile char sum = 0;
	size_t c, i;

	if (pin(ct->cpu))
		die("sched_setaffinity");
	pthread_barrier_wait(ct->start);
	for (c = ct->first * CHUNK; c < ct->len; c += 2 * CHUNK)
		for (i = 0; i < CHUNK; i += PAGE)
			sum += ct->p[c + i];
	(void)sum;
	return NULL;
}

/* How many of the chunks that @cpu_node's thread touched are on @node */
static unsigned long chunks_on(char *p, size_t len, int first, int node)
{
	unsigned long on = 0;
	size_t c;

	for (c = first * CHUNK; c < len; c += 2 * CHUNK)
		on += mig_pages_on_node(p + c, CHUNK / PAGE, node);
	return on;
}

/*
 * Two threads, on nodes 1 and 2, touch alternate 64 KiB chunks of 64 MiB
 * armed by a lazy policy whose target depends on the toucher.  MPOL_LOCAL
 * takes no neighbours, so that every page goes to its own toucher's node;
 * MPOL_BIND of nodes 1 and 2 sends a fault's window to the toucher's
 * nearest node, neighbours of the other thread's chunks included.  The
 * comment lines say how many pages ended where their toucher runs.
 */
static void bench_two_touchers(void)
{
	static const struct { const char *name; int mode; } pols[] = {
		{ "lazy.two_touchers.local.4k", MPOL_LOCAL },
		{ "lazy.two_touchers.bind.4k", MPOL_BIND },
	};
	size_t len = 64 * MIB;
	double pages = len / PAGE, t;
	unsigned long mask = (1UL << 1) | (1UL << 2), own;
	pthread_barrier_t start;
	pthread_t th[2];
	unsigned int w;
	char *p;
	int r, k;

	for (w = 0; w < 2; w++) {
		for (r = 0; r < reps; r++) {
			struct chunk_touch ct[2] = {
				{ .len = len, .cpu = 1, .first = 0,
				  .start = &start },
				{ .len = len, .cpu = 2, .first = 1,
				  .start = &start },
			};

			p = area(len, 0, 0);
			pthread_barrier_init(&start, NULL, 3);
			for (k = 0; k < 2; k++) {
				ct[k].p = p;
				if (pthread_create(&th[k], NULL,
						   chunk_touch_main, &ct[k]))
					die("pthread");
			}
			t = now();
			if (syscall(__NR_mbind, p, len, pols[w].mode,
				    pols[w].mode == MPOL_LOCAL ? NULL : &mask,
				    pols[w].mode == MPOL_LOCAL ? 0 : 65,
				    MPOL_MF_MOVE | MPOL_MF_LAZY))
				die("mbind two touchers");
			pthread_barrier_wait(&start);
			for (k = 0; k < 2; k++)
				pthread_join(th[k], NULL);
			t = now() - t;
			pthread_barrier_destroy(&start);
			own = chunks_on(p, len, 0, 1) + chunks_on(p, len, 1, 2);
			if (pols[w].mode == MPOL_LOCAL && own != len / PAGE) {
				fprintf(stderr, "rig-bench: %lu of %lu pages at their toucher\n",
					own, len / PAGE);
				exit(1);
			}
			printf("# %s: %lu of %lu pages on their toucher's node\n",
			       pols[w].name, own, len / PAGE);
			report(pols[w].name, pages / t, "pages/s");
			munmap(p, len);
		}
	}
}

/*
 * Lazy migration of 64 MiB from node 0 to node 1 with MPOL_BIND: the
 * mbind() call alone, the touch pass that migrates, and both; then
 * MPOL_LOCAL next touch from a thread on a CPU of node 2.  Rates are base
 * pages per second, comparable with migrate.mbind.*.
 */
/*
 * 64 MiB on node 0 armed for next touch, by mbind(MPOL_LOCAL, MPOL_MF_MOVE |
 * MPOL_MF_LAZY), or with @advise by madvise(MADV_NEXTTOUCH), then read by a
 * thread on node 2: every page must follow it.  Reported as @name.
 */
static void bench_next_touch_remote(const char *name, int advise)
{
	size_t len = 64 * MIB;
	double pages = len / PAGE, ta;
	char *p;
	int r;

	for (r = 0; r < reps; r++) {
		struct remote_touch rt = { .len = len, .cpu = 2 };
		pthread_t th;
		long ret;

		rt.p = p = area(len, 0, 0);
		ta = now();
		ret = advise ? madvise(p, len, MADV_NEXTTOUCH) :
			       syscall(__NR_mbind, p, len, MPOL_LOCAL, NULL, 0,
				       MPOL_MF_MOVE | MPOL_MF_LAZY);
		ta = now() - ta;
		if (ret) {
			printf("# %s: %s, not measured\n", name, strerror(errno));
			munmap(p, len);
			return;
		}
		if (pthread_create(&th, NULL, remote_touch_main, &rt) ||
		    pthread_join(th, NULL))
			die("pthread");
		check_on(p, len, 2, 100);
		report(name, pages / (ta + rt.t), "pages/s");
		munmap(p, len);
	}
}

#define BENCH_CG	"/sys/fs/cgroup/rig-bench-cpuset"

/* What bench_cpuset()'s job sends back: its touch time, pages on node 1 */
struct cpuset_job_result {
	double t;
	unsigned long on;
};

/*
 * The job: join the cgroup, fault in @len bytes of 4 KiB pages on node 0,
 * say so on @rep, and once @cmd says go (the cpuset's mems are then node 1
 * only), read every page from CPU 0, of node 0, and send back the time it
 * took and the pages on node 1.
 */
static void cpuset_job(size_t len, int cmd, int rep)
{
	struct cpuset_job_result res;
	char buf[32], c;
	char *p;

	snprintf(buf, sizeof(buf), "%d", getpid());
	if (mig_write_file(BENCH_CG "/cgroup.procs", buf))
		die("cgroup.procs");
	/* Joining the cpuset reset the affinity to its CPUs */
	if (pin(0))
		die("sched_setaffinity");
	p = area(len, 0, 0);
	if (write(rep, "r", 1) != 1 || read(cmd, &c, 1) != 1)
		die("job pipe");
	res.t = touch(p, len, 0);
	res.on = mig_pages_on_node(p, len / PAGE, 1);
	if (write(rep, &res, sizeof(res)) != sizeof(res))
		die("job pipe");
	_exit(0);
}

/*
 * A 256 MiB job in a cgroup v2 cpuset moves from node 0 to node 1: the
 * time of the write to cpuset.mems, eager and lazy (cpuset.mems.migration),
 * and then the time the job takes to read its whole working set, which for
 * the lazy move includes arming it and every page's move.
 */
static void bench_cpuset(void)
{
	static const char *const modes[] = { "eager", "lazy" };
	size_t len = 256 * MIB;
	double pages = len / PAGE, t;
	struct cpuset_job_result res;
	int cmd[2], rep[2], r, m, enabled = 0;
	char name[64], buf[256], c;
	pid_t pid;

	if (mig_read_file("/sys/fs/cgroup/cgroup.subtree_control", buf,
			  sizeof(buf))) {
		printf("# lazy.cpuset: no cgroup v2, not measured\n");
		return;
	}
	if (!strstr(buf, "cpuset")) {
		if (mig_write_file("/sys/fs/cgroup/cgroup.subtree_control",
				   "+cpuset"))
			die("+cpuset");
		enabled = 1;
	}
	if (mkdir(BENCH_CG, 0755) && errno != EEXIST)
		die("mkdir " BENCH_CG);
	if (access(BENCH_CG "/cpuset.mems.migration", F_OK)) {
		printf("# lazy.cpuset: no cpuset.mems.migration, not measured\n");
		goto out;
	}
	for (r = 0; r < reps; r++) {
		for (m = 0; m < 2; m++) {
			if (mig_write_file(BENCH_CG "/cpuset.mems", "0") ||
			    mig_write_file(BENCH_CG "/cpuset.mems.migration",
					   modes[m]))
				die("cpuset setup");
			if (pipe(cmd) || pipe(rep))
				die("pipe");
			pid = fork();
			if (pid < 0)
				die("fork");
			if (!pid)
				cpuset_job(len, cmd[0], rep[1]);
			if (read(rep[0], &c, 1) != 1)
				die("job setup");
			t = now();
			if (mig_write_file(BENCH_CG "/cpuset.mems", "1"))
				die("cpuset.mems");
			t = now() - t;
			if (write(cmd[1], "g", 1) != 1 ||
			    read(rep[0], &res, sizeof(res)) != sizeof(res) ||
			    mig_reap(pid))
				die("job");
			if (res.on != len / PAGE) {
				fprintf(stderr, "rig-bench: cpuset %s: %lu of %lu pages on node 1\n",
					modes[m], res.on, len / PAGE);
				exit(1);
			}
			snprintf(name, sizeof(name), "lazy.cpuset_write.%s.4k",
				 modes[m]);
			report(name, pages / t, "pages/s");
			snprintf(name, sizeof(name), "lazy.cpuset_touch.%s.4k",
				 modes[m]);
			report(name, pages / res.t, "pages/s");
			close(cmd[0]);
			close(cmd[1]);
			close(rep[0]);
			close(rep[1]);
		}
	}
out:
	rmdir(BENCH_CG);
	if (enabled)
		mig_write_file("/sys/fs/cgroup/cgroup.subtree_control",
			       "-cpuset");
}

static void bench_lazy(const char *dir)
{
	size_t len = 64 * MIB;
	double pages = len / PAGE, ta, tt;
	char name[64], *p;
	int thp, r;

	p = area(PAGE, 0, 0);
	if (mbind_node(p, PAGE, 1, MPOL_MF_MOVE | MPOL_MF_LAZY)) {
		printf("# lazy: mbind(MPOL_MF_LAZY): %s, not measured\n",
		       strerror(errno));
		return;
	}
	munmap(p, PAGE);

	for (thp = 0; thp <= 1; thp++) {
		const char *kind = thp ? "thp" : "4k";

		for (r = 0; r < reps; r++) {
			/*
			 * The reference of arm_touch: an eager move followed
			 * by the same read of every page, in the same loop.
			 */
			p = area(len, 0, thp);
			ta = time_move(p, len, 0);
			check_on(p, len, 1, 100);
			snprintf(name, sizeof(name), "lazy.eager_touch.%s", kind);
			report(name, pages / ta, "pages/s");
			munmap(p, len);

			p = area(len, 0, thp);
			ta = now();
			if (mbind_node(p, len, 1, MPOL_MF_MOVE | MPOL_MF_LAZY))
				die("mbind lazy");
			ta = now() - ta;
			tt = touch(p, len, 0);
			check_on(p, len, 1, 100);
			snprintf(name, sizeof(name), "lazy.arm.%s", kind);
			report(name, pages / ta, "pages/s");
			snprintf(name, sizeof(name), "lazy.touch.%s", kind);
			report(name, pages / tt, "pages/s");
			snprintf(name, sizeof(name), "lazy.arm_touch.%s", kind);
			report(name, pages / (ta + tt), "pages/s");
			munmap(p, len);
		}
	}

	bench_next_touch_remote("lazy.next_touch_remote.4k", 0);
	/* The same with madvise(MADV_NEXTTOUCH), which sets no policy */
	bench_next_touch_remote("lazy.nexttouch_remote.4k", 1);

	bench_lazy_part();
	bench_lazy_mthp();
	bench_two_touchers();
	bench_full_node(dir);
	bench_cpuset();
}

/* Whether /proc/vmstat has the counter @name. */
static int vmstat_has(const char *name)
{
	char key[64];
	long long val;
	int found = 0;
	FILE *f = fopen("/proc/vmstat", "r");

	while (f && !found && fscanf(f, "%63s %lld", key, &val) == 2)
		found = !strcmp(key, name);
	if (f)
		fclose(f);
	return found;
}

/*
 * From a child bound to node 0, read the file @fd back into the page cache
 * or, with @do_write, write it: page cache on node 0 that nobody maps.
 */
static void pc_on_node0(int fd, size_t len, int do_write)
{
	unsigned long mask = 1;
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		char *buf = malloc(MIB);
		size_t off;

		if (!buf || syscall(__NR_set_mempolicy, MPOL_BIND, &mask, 65))
			_exit(1);
		memset(buf, 0x53, MIB);
		for (off = 0; off < len; off += MIB)
			if ((do_write ? pwrite(fd, buf, MIB, off) :
				     pread(fd, buf, MIB, off)) != (ssize_t)MIB)
				_exit(1);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
		die("pc_on_node0");
}

/* Drop the page cache of @fd, then read it back from node 0. */
static void cache_on_node0(int fd, size_t len)
{
	if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
		die("fadvise");
	pc_on_node0(fd, len, 0);
}

enum pc_way { PC_NOPOLICY, PC_LAZY, PC_REREAD };

struct pc_job {
	int fd, cpu;
	size_t len;
	enum pc_way way;
	char *p;
	double t;
};

/* On @cpu: map the file and read every page, the way @way says. */
static void *pc_job_main(void *arg)
{
	struct pc_job *j = arg;
	double t;

	if (pin(j->cpu))
		die("sched_setaffinity");
	t = now();
	if (j->way == PC_REREAD &&
	    posix_fadvise(j->fd, 0, 0, POSIX_FADV_DONTNEED))
		die("fadvise");
	j->p = mmap(NULL, j->len, PROT_READ, MAP_SHARED, j->fd, 0);
	if (j->p == MAP_FAILED)
		die("mmap file");
	if (j->way == PC_LAZY &&
	    syscall(__NR_mbind, j->p, j->len, MPOL_LOCAL, NULL, 0,
		    MPOL_MF_MOVE | MPOL_MF_LAZY))
		die("mbind local lazy");
	touch(j->p, j->len, 0);
	j->t = now() - t;
	return NULL;
}

/*
 * Page cache on node 0 that nobody maps, read from a thread on node 2:
 * in place, moved on fault by a lazy policy, or dropped and read again.
 * Rates are base pages per second, including mbind() and fadvise().
 */
static void bench_pagecache(const char *dir)
{
	static const char * const names[] = {
		"pagecache.read_nopolicy", "pagecache.read_lazy",
		"pagecache.dontneed_reread",
	};
	static const int where[] = { 0, 2, 2 };
	size_t len = 64 * MIB, off;
	char path[256], *buf;
	int fd, r, way, lazy;

	lazy = vmstat_has("numa_lazy_pagecache_migrated");
	if (!lazy)
		printf("# pagecache.read_lazy: no migrate-on-fault of page cache, not measured\n");

	snprintf(path, sizeof(path), "%s/pagecache.dat", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	buf = malloc(MIB);
	if (fd < 0 || !buf)
		die(path);
	memset(buf, 0x44, MIB);
	for (off = 0; off < len; off += MIB)
		if (write(fd, buf, MIB) != (ssize_t)MIB)
			die("write");
	if (fsync(fd))
		die("fsync");

	for (r = 0; r < reps; r++) {
		for (way = PC_NOPOLICY; way <= PC_REREAD; way++) {
			struct pc_job j = { .fd = fd, .cpu = 2, .len = len,
					    .way = way };
			pthread_t th;

			if (way == PC_LAZY && !lazy)
				continue;
			cache_on_node0(fd, len);
			if (pthread_create(&th, NULL, pc_job_main, &j) ||
			    pthread_join(th, NULL))
				die("pthread");
			check_on(j.p, len, where[way], 100);
			report(names[way], len / PAGE / j.t, "pages/s");
			munmap(j.p, len);
		}
	}
	close(fd);
	unlink(path);
	free(buf);
}

/* Empty the tmpfs file @fd and write @len bytes into it from node 0. */
static void shmem_on_node0(int fd, size_t len)
{
	if (ftruncate(fd, 0) || ftruncate(fd, len))
		die("ftruncate");
	pc_on_node0(fd, len, 1);
}

/*
 * The same lazy read of a tmpfs file, whose policy is a shared one: each
 * fault-around window of a lazy fault asks for it.
 */
static void bench_pagecache_shmem(void)
{
	const char *path = "/dev/shm/rig-bench-pagecache";
	size_t len = 64 * MIB;
	int fd, r;

	if (!vmstat_has("numa_lazy_pagecache_migrated"))
		return;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(path);
	unlink(path);
	for (r = 0; r < reps; r++) {
		struct pc_job j = { .fd = fd, .cpu = 2, .len = len,
				    .way = PC_LAZY };
		pthread_t th;

		shmem_on_node0(fd, len);
		if (pthread_create(&th, NULL, pc_job_main, &j) ||
		    pthread_join(th, NULL))
			die("pthread");
		check_on(j.p, len, 2, 100);
		report("pagecache.shmem_read_lazy", len / PAGE / j.t,
		       "pages/s");
		munmap(j.p, len);
	}
	close(fd);
}

/*
 * Wait, before a timed repetition, for the kernel to finish what the one
 * before left behind.  Under -icount the instructions of every vCPU advance
 * the one guest clock, and the RCU callbacks that free what the previous
 * repetition unmapped ran during some repetitions and not others: in the
 * slow runs of fault.shmem 57 to 61 RCU softirqs, in the fast ones 6, and
 * the runs of one boot 1.7% apart.  The sleep lets the grace period end
 * and the callbacks run first; it is idle time, and costs no wall-clock
 * time under "-icount sleep=off".
 */
static void settle(void)
{
	usleep(100 * 1000);
}

/* Write faults over @len bytes of private anonymous memory, @unit each. */
static void fault_anon(const char *name, size_t len, int advice, size_t unit)
{
	double t;
	char *p;
	int r;

	for (r = 0; r < reps; r++) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED || madvise(p, len, advice))
			die(name);
		settle();
		t = touch(p, len, 1);
		report(name, len / unit / t, "faults/s");
		munmap(p, len);
	}
}

static void bench_fault(const char *filedir)
{
	size_t anon_len = 512 * MIB, file_len = 128 * MIB;
	char path[256], *buf, *p;
	int r, fd;
	double t;

	fault_anon("fault.anon4k", anon_len, MADV_NOHUGEPAGE, PAGE);
	fault_anon("fault.thp", anon_len, MADV_HUGEPAGE, HPAGE);

	for (r = 0; r < reps; r++) {
		fd = memfd_create("bench", 0);
		if (fd < 0 || ftruncate(fd, file_len))
			die("memfd");
		p = mmap(NULL, file_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
		if (p == MAP_FAILED)
			die("shmem mmap");
		settle();
		t = touch(p, file_len, 1);
		report("fault.shmem", file_len / PAGE / t, "pages/s");
		munmap(p, file_len);
		close(fd);
	}

	/* A cached file on ext4: read faults with fault-around. */
	snprintf(path, sizeof(path), "%s/bench.dat", filedir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(path);
	buf = malloc(MIB);
	memset(buf, 0x33, MIB);
	for (size_t off = 0; off < file_len; off += MIB)
		if (write(fd, buf, MIB) != (ssize_t)MIB)
			die("write");
	fsync(fd);
	for (r = 0; r < reps; r++) {
		p = mmap(NULL, file_len, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			die("file mmap");
		settle();
		t = touch(p, file_len, 0);
		report("fault.file_read", file_len / PAGE / t, "pages/s");
		munmap(p, file_len);
	}
	close(fd);
	unlink(path);
	free(buf);
}

/* Print the samples that the ring @rb holds from *@tail on, as @label's. */
static void profile_drain(struct perf_event_mmap_page *rb, const char *label,
			  uint64_t *tail)
{
	char *data = (char *)rb + rb->data_offset;
	uint64_t head = __atomic_load_n(&rb->data_head, __ATOMIC_ACQUIRE);

	while (*tail < head) {
		struct perf_event_header h;
		uint64_t ip;

		memcpy(&h, data + *tail % rb->data_size, sizeof(h));
		if (h.type == PERF_RECORD_SAMPLE) {
			memcpy(&ip, data + (*tail + sizeof(h)) % rb->data_size,
			       sizeof(ip));
			printf("PROF %s %llx\n", label, (unsigned long long)ip);
		}
		*tail += h.size;
	}
	__atomic_store_n(&rb->data_tail, *tail, __ATOMIC_RELEASE);
}

/*
 * A kernel profile of lazy touches of 10% of 64 MiB at random, arming
 * included, and of the eager mbind(MPOL_MF_MOVE) of all of it that they
 * are compared with: cpu-clock samples of the kernel's instruction
 * pointer, taken only while each is timed, printed as "PROF <run> <ip>",
 * and the time and the pages moved of each run as "PROF_TIME <run>
 * <seconds> <pages>", for scripts/profile.sh to add up by function.
 * Under -icount the samples fall at ticks of guest time, so that they
 * count instructions.
 */
static void bench_profile(void)
{
	static const struct { const char *name; int lazy, permille, reps; } runs[] = {
		{ "eager", 0, 0, 40 },
		{ "lazy", 1, 100, 300 },
		{ "arm", 1, 0, 300 },
	};
	size_t len = 64 * MIB, n = len / PAGE, nt, i;
	size_t ring = (1 + 256) * PAGE;
	struct perf_event_attr attr;
	struct perf_event_mmap_page *rb;
	unsigned long *idx;
	unsigned int w;
	int fd, r;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_CPU_CLOCK;
	/* Every 100 us, or at each tick without high-resolution timers */
	attr.sample_period = 100000;
	attr.sample_type = PERF_SAMPLE_IP;
	attr.disabled = 1;
	attr.exclude_user = 1;
	fd = syscall(__NR_perf_event_open, &attr, 0, -1, -1, 0);
	if (fd < 0) {
		printf("# profile: perf_event_open: %s, not measured\n",
		       strerror(errno));
		return;
	}
	rb = mmap(NULL, ring, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	idx = malloc(n * sizeof(*idx));
	if (rb == MAP_FAILED || !idx)
		die("profile ring");
	shuffle(idx, n);
	for (w = 0; w < sizeof(runs) / sizeof(runs[0]); w++) {
		uint64_t tail = rb->data_tail;
		double t, total = 0;

		nt = n * runs[w].permille / 1000;
		for (r = 0; r < runs[w].reps; r++) {
			volatile char sum = 0;
			char *p = area(len, 0, 0);

			t = now();
			if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) ||
			    mbind_node(p, len, 1, MPOL_MF_MOVE |
				       (runs[w].lazy ? MPOL_MF_LAZY : 0)))
				die("profile: mbind");
			for (i = 0; i < nt; i++)
				sum += p[idx[i] * PAGE];
			if (ioctl(fd, PERF_EVENT_IOC_DISABLE, 0))
				die("profile: disable");
			total += now() - t;
			(void)sum;
			munmap(p, len);
			profile_drain(rb, runs[w].name, &tail);
		}
		printf("PROF_TIME %s %.6f %zu\n", runs[w].name, total,
		       (nt ? nt : n) * runs[w].reps);
	}
	fflush(stdout);
	free(idx);
	munmap(rb, ring);
	close(fd);
}

int main(int argc, char **argv)
{
	/*
	 * Pages move only when a benchmark moves them: no automatic NUMA
	 * balancing, no proactive compaction.
	 */
	static const struct rig_sysctl quiet[] = {
		{ "kernel.numa_balancing", "0" },
		{ "vm.compaction_proactiveness", "0" },
	};
	const char *what = argc > 1 ? argv[1] : "";

	if (strcmp(what, "migrate") && strcmp(what, "profile") &&
	    (argc < 3 || (strcmp(what, "lazy") && strcmp(what, "pagecache") &&
			  strcmp(what, "fault")))) {
		fprintf(stderr, "usage: rig-bench migrate | lazy DIR | pagecache DIR | fault DIR | profile\n");
		return 2;
	}
	/*
	 * Run on CPU 0 (node 0) always: where the scheduler happens to put
	 * the task changes which node is local, and the figures with it.
	 */
	if (pin(0))
		die("sched_setaffinity");
	if (rig_sysctls_for_run("# rig-bench", quiet, 2))
		return 1;
	if (getenv("BENCH_REPS"))
		reps = atoi(getenv("BENCH_REPS"));
	if (!strcmp(what, "migrate"))
		bench_migrate();
	else if (!strcmp(what, "profile"))
		bench_profile();
	else if (!strcmp(what, "lazy"))
		bench_lazy(argv[2]);
	else if (!strcmp(what, "pagecache")) {
		bench_pagecache(argv[2]);
		bench_pagecache_shmem();
	} else {
		/*
		 * The fault rows' target is 0.5%, and one repetition's figure
		 * moves by up to 0.7% with where the kernel's periodic work
		 * falls in it, which any change to the kernel image shifts,
		 * even in code that the faults never run: three times the
		 * repetitions, for a median that stays put.
		 */
		reps *= 3;
		bench_fault(argv[2]);
	}
	return 0;
}
