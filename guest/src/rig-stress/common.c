// SPDX-License-Identifier: GPL-2.0
/*
 * rig-stress: what the phases share. The counters in shared memory and
 * the output, the generators drawn from the seed, the nodes, the kinds of
 * memory, the migrations by reason and the verdicts.
 */
#include "stress.h"

#define HIST_EVENT	"events/migrate/mm_migrate_pages"

struct shared *sh;

void count(int c, unsigned long long n)
{
	__atomic_add_fetch(&sh->c[c], n, __ATOMIC_RELAXED);
}

bool stopping(void)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_RELAXED);
}

/* One line to stdout, whole, whichever process or thread prints it. */
void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(1, buf, n) < 0)
		_exit(3);
}

/* Something the kernel must not do: counted, and the first 40 printed. */
void report(int c, const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	count(c, 1);
	if (__atomic_fetch_add(&sh->nr_reports, 1, __ATOMIC_RELAXED) >= 40)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	say("FAIL: %s", buf);
}

uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

unsigned long rndn(struct rng *r, unsigned long n)
{
	return n ? rnd(r) % n : 0;
}

uint64_t seed;

void rng_init(struct rng *r, uint64_t stream)
{
	r->s = seed ^ (stream * 0xd1b54a32d192ed03ULL);
	rnd(r);
}

int nodes[MIG_MAX_NODES], nr_nodes;	/* nodes with memory */
int cpu_nodes[MIG_MAX_NODES], nr_cpu_nodes;
unsigned long all_nodes;
bool has_lazy, has_pagecache, has_nexttouch, has_cpuset_lazy;

int rnd_node(struct rng *r)
{
	return nodes[rndn(r, nr_nodes)];
}

/* A random non-empty set of memory nodes. */
unsigned long rnd_mask(struct rng *r)
{
	unsigned long m;

	do {
		m = rnd(r) & all_nodes;
	} while (!m);
	return m;
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* mig_write_file(), returning 0 or -errno, for the errnos that matter. */
int write_str(const char *path, const char *val)
{
	return mig_write_file(path, val) ? -errno : 0;
}

/* The kinds of memory of the workers' areas and of the injection rounds. */
const char * const kind_name[NR_KINDS] = {
	"anon", "thp", "shmem", "memfd", "tmpfs", "ext4",
};
const enum mig_kind mig_kinds[NR_KINDS] = {
	MIG_ANON, MIG_THP, MIG_SHMEM, MIG_MEMFD, MIG_TMPFS, MIG_EXT4,
};

bool status_ok(int st)
{
	return (st >= 0 && st < MIG_MAX_NODES) || st == -EACCES ||
	       st == -EBUSY || st == -EFAULT || st == -EIO ||
	       st == -EINVAL || st == -ENOENT || st == -ENOMEM;
}

void reap(pid_t pid, const char *what)
{
	int st;

	if (pid <= 0)
		return;
	if (waitpid(pid, &st, 0) != pid)
		report(c_unexpected, "waitpid(%s): %s", what, strerror(errno));
	else if (WIFSIGNALED(st))
		report(c_killed, "%s killed by signal %d", what, WTERMSIG(st));
	else if (WEXITSTATUS(st))
		report(c_unexpected, "%s exited with %d", what, WEXITSTATUS(st));
}

/* ------------------------------------------------------------------ */
/* Migrations by reason: a histogram trigger on mm_migrate_pages.      */

static char reason_name[NR_REASONS][40];
static char tracefs[64];

int hist_setup(void)
{
	char path[160], buf[8192], *p;
	int fd, n, v;

	strcpy(tracefs, "/sys/kernel/tracing");
	snprintf(path, sizeof(path), "%s/" HIST_EVENT "/format", tracefs);
	if (access(path, R_OK) && mount("nodev", tracefs, "tracefs", 0, NULL)) {
		say("error: mount tracefs on %s: %s", tracefs, strerror(errno));
		return -1;
	}
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		say("error: %s: %s", path, strerror(errno));
		return -1;
	}
	buf[n] = 0;
	/* __print_symbolic(REC->reason, {0, "compaction"}, ...) */
	p = strstr(buf, "REC->reason");
	while (p && (p = strchr(p, '{'))) {
		char name[40];

		if (sscanf(p, "{%d, \"%39[^\"]\"}", &v, name) == 2 &&
		    v >= 0 && v < NR_REASONS)
			strcpy(reason_name[v], name);
		p++;
	}
	snprintf(path, sizeof(path), "%s/" HIST_EVENT "/trigger", tracefs);
	n = write_str(path, "hist:keys=reason:vals=succeeded,failed");
	if (n)
		say("error: %s: %s", path, strerror(-n));
	return n;
}

static int hist_read(struct hist *h)
{
	char path[160], line[256];
	FILE *f;

	memset(h, 0, sizeof(*h));
	snprintf(path, sizeof(path), "%s/" HIST_EVENT "/hist", tracefs);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long hits, ok, failed;
		int reason;

		if (sscanf(line, "{ reason: %d } hitcount: %llu succeeded: %llu failed: %llu",
			   &reason, &hits, &ok, &failed) == 4 &&
		    reason >= 0 && reason < NR_REASONS) {
			h->ok[reason] = ok;
			h->failed[reason] = failed;
		}
	}
	fclose(f);
	return 0;
}

static int reason_of(const char *name)
{
	int i;

	for (i = 0; i < NR_REASONS; i++)
		if (!strcmp(reason_name[i], name))
			return i;
	return -1;
}

/* Delta of one reason between two snapshots; 0 for a reason not there. */
unsigned long long hist_ok(struct hist *a, struct hist *b,
				  const char *name)
{
	int i = reason_of(name);

	return i < 0 ? 0 : b->ok[i] - a->ok[i];
}

unsigned long long hist_failed(struct hist *a, struct hist *b,
				      const char *name)
{
	int i = reason_of(name);

	return i < 0 ? 0 : b->failed[i] - a->failed[i];
}

#define V_NAME(n) #n,
static const char * const vmstat_name[] = { VMSTATS(V_NAME) };

/*
 * vmstat and the histogram, read twice each, in turn, until neither moved:
 * migrate_pages() counts a migration, then traces it, and a background
 * one (kcompactd) must not fall between the two reads.
 */
void snap_take(struct snap *s)
{
	struct snap again;
	int i, tries;

	for (tries = 0; tries < 50; tries++) {
		for (i = 0; i < NR_VMSTATS; i++)
			s->v[i] = mig_vmstat(vmstat_name[i]);
		hist_read(&s->h);
		for (i = 0; i < NR_VMSTATS; i++)
			again.v[i] = mig_vmstat(vmstat_name[i]);
		hist_read(&again.h);
		if (!memcmp(s->v, again.v, sizeof(s->v)) &&
		    !memcmp(&s->h, &again.h, sizeof(s->h)))
			return;
		sleep_ms(10);
	}
}

long long dv(struct snap *a, struct snap *b, int i)
{
	return b->v[i] - a->v[i];
}

/* ------------------------------------------------------------------ */
/* Verdicts.                                                           */

int nr_failed_verdicts;

void verdict(const char *name, bool ok, const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	say("VERDICT %s %s %s", name, ok ? "PASS" : "FAIL", buf);
	if (!ok)
		nr_failed_verdicts++;
}

/*
 * The counters against the migrations the tracepoint saw, by reason, over
 * a phase: every page counted in pgmigrate_* went through migrate_pages(),
 * and each lazy counter matches its own migrate reason.
 */
void check_counters(const char *phase, struct snap *a, struct snap *b,
			   unsigned long long observed)
{
	unsigned long long ok = 0, failed = 0;
	char name[64];
	int i;

	for (i = 0; i < NR_REASONS; i++) {
		unsigned long long o = b->h.ok[i] - a->h.ok[i];
		unsigned long long f = b->h.failed[i] - a->h.failed[i];

		ok += o;
		failed += f;
		if (o || f)
			say("STRESS %s.migrated.%s %llu", phase,
			    reason_name[i][0] ? reason_name[i] : "?", o);
		if (f)
			say("STRESS %s.failed.%s %llu", phase,
			    reason_name[i][0] ? reason_name[i] : "?", f);
	}
	snprintf(name, sizeof(name), "%s.counters", phase);
	verdict(name,
		ok == (unsigned long long)dv(a, b, v_pgmigrate_success) &&
		failed == (unsigned long long)dv(a, b, v_pgmigrate_fail) &&
		hist_ok(&a->h, &b->h, "numa_misplaced") ==
			(unsigned long long)dv(a, b, v_numa_pages_migrated) &&
		hist_ok(&a->h, &b->h, "mempolicy_lazy") ==
			(unsigned long long)dv(a, b, v_numa_lazy_migrated) &&
		hist_ok(&a->h, &b->h, "mempolicy_lazy_pagecache") ==
			(unsigned long long)dv(a, b, v_numa_lazy_pagecache_migrated) &&
		/* A failed try is retried or is the last one */
		hist_failed(&a->h, &b->h, "mempolicy_lazy") <=
			(unsigned long long)(dv(a, b, v_numa_lazy_migrate_retry) +
					     dv(a, b, v_numa_lazy_migrate_fail)) &&
		hist_failed(&a->h, &b->h, "mempolicy_lazy_pagecache") <=
			(unsigned long long)(dv(a, b, v_numa_lazy_pagecache_migrate_retry) +
					     dv(a, b, v_numa_lazy_pagecache_migrate_fail)) &&
		observed <= hist_ok(&a->h, &b->h, "syscall_or_cpuset") +
			hist_ok(&a->h, &b->h, "memory_hotplug"),
		"pgmigrate_success +%lld (traced %llu), pgmigrate_fail +%lld (traced %llu), numa_pages_migrated +%lld, numa_lazy_migrated +%lld, numa_lazy_migrate_fail +%lld, numa_lazy_pagecache_migrated +%lld, numa_lazy_pagecache_migrate_fail +%lld, move_pages() saw %llu pages move (traced syscall and hotplug %llu)",
		dv(a, b, v_pgmigrate_success), ok, dv(a, b, v_pgmigrate_fail),
		failed, dv(a, b, v_numa_pages_migrated),
		dv(a, b, v_numa_lazy_migrated), dv(a, b, v_numa_lazy_migrate_fail),
		dv(a, b, v_numa_lazy_pagecache_migrated),
		dv(a, b, v_numa_lazy_pagecache_migrate_fail), observed,
		hist_ok(&a->h, &b->h, "syscall_or_cpuset") +
		hist_ok(&a->h, &b->h, "memory_hotplug"));
}
