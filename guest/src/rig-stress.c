// SPDX-License-Identifier: GPL-2.0
/*
 * rig-stress: the campaign of "make stress", run in the guest.
 *
 *   rig-stress [-d SECONDS] [-s SEED] [-p chaos,inject,fuzz]
 *
 * Three phases share the duration (60%, 15% and 25% of it); -p runs only
 * some of them, with the same share each:
 *
 *   chaos   Worker threads on every CPU node keep writing and verifying
 *           checksummed pages in anonymous memory, THP, shmem, memfd, a
 *           tmpfs file and an ext4 file, and fork(), munmap(), mremap(),
 *           mprotect(), madvise(DONTNEED/COLD/PAGEOUT), ftruncate() and
 *           posix_fadvise(DONTNEED) their own areas. Meanwhile other
 *           threads call mbind() (MOVE, MOVE_ALL, MOVE|LAZY), move_pages()
 *           and split THPs through debugfs, toggle kernel.numa_balancing
 *           (0, 1, 2), compact memory and flip the cpuset.mems of a cgroup
 *           whose process runs more workers; other processes call
 *           migrate_pages(2) on both and offline and online memory blocks.
 *   inject  fail_page_alloc and failslab, aimed at one task through
 *           /proc/<tid>/make-it-fail, while it migrates: eagerly with
 *           move_pages() or mbind(MOVE|STRICT), and lazily by touching
 *           pages that mbind(MOVE|LAZY) armed or page cache it faults on.
 *           Every page that did not move must be reported to the caller
 *           or counted in the fail counters, and the data must not change.
 *   fuzz    mbind, set_mempolicy, get_mempolicy, migrate_pages and
 *           move_pages with random and edge-case arguments, as root and as
 *           nobody; only documented errnos may come back, and nobody's
 *           calls must never reach a root process's pages.
 *
 * Each decision comes from the seed. Output: "STRESS name value" lines,
 * "VERDICT name PASS|FAIL detail" lines and a last "# rig-stress: PASS" or
 * "FAIL"; the exit status is 0 only when every verdict passed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <execinfo.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "migration_util.h"

#ifndef MPOL_MF_LAZY
#define MPOL_MF_LAZY		(1 << 3)
#endif
#ifndef MPOL_PREFERRED_MANY
#define MPOL_PREFERRED_MANY	5
#endif
#ifndef MPOL_WEIGHTED_INTERLEAVE
#define MPOL_WEIGHTED_INTERLEAVE 6
#endif
#ifndef MREMAP_FIXED
#define MREMAP_FIXED		2
#endif

#define PAGE		4096UL
#define AREA_PAGES	1024UL		/* 4 MiB per worker area */
#define INJ_PAGES	256UL
#define CGROUP		"/sys/fs/cgroup/rig-stress"
#define DEBUGFS		"/sys/kernel/debug"
#define HIST_EVENT	"events/migrate/mm_migrate_pages"
#define NOBODY		65534
#define EXT4_DIR	"/tmp/mig-ext4"		/* as in migration_util.c */
#define EXT4_IMG	"/tmp/mig-ext4.img"

/* Counters, summed over the processes of the campaign (shared memory). */
#define COUNTERS(C)							\
	C(w_write) C(w_verify) C(w_pages_verified) C(w_dontneed)	\
	C(w_cold) C(w_pageout) C(w_mprotect) C(w_fork) C(w_mremap)	\
	C(w_mremap_split)						\
	C(w_remap) C(w_truncate) C(w_fadvise)				\
	C(mbind) C(mbind_lazy) C(mbind_eio) C(mbind_enomem)		\
	C(move_pages) C(move_pages_observed)				\
	C(migrate_pages) C(migrate_pages_einval) C(migrate_pages_enomem)	\
	C(cpuset_flip) C(numa_balancing) C(compact) C(thp_split)	\
	C(offline) C(offline_busy) C(offline_intr) C(online)		\
	C(inj_rounds) C(inj_eager_moved) C(inj_lazy_moved)		\
	C(inj_pagecache_moved) C(inj_pages_not_moved)			\
	C(fuzz_calls) C(fuzz_ok) C(fuzz_errno) C(fuzz_unpriv_calls)	\
	C(mismatch) C(unexpected) C(killed)

#define C_ENUM(n) c_##n,
enum { COUNTERS(C_ENUM) NR_COUNTERS };
#define C_NAME(n) #n,
static const char * const counter_name[] = { COUNTERS(C_NAME) };

struct shared {
	int go;		/* the workers' areas are in place */
	int stop;
	int nr_reports;
	unsigned long long c[NR_COUNTERS];
};
static struct shared *sh;

static void count(int c, unsigned long long n)
{
	__atomic_add_fetch(&sh->c[c], n, __ATOMIC_RELAXED);
}

static bool stopping(void)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_RELAXED);
}

/*
 * Actor processes are forked before the workers' areas exist, so that
 * they do not share them, and wait for them here.
 */
static void wait_go(void)
{
	struct timespec ts = { 0, 10000000 };

	while (!__atomic_load_n(&sh->go, __ATOMIC_ACQUIRE) && !stopping())
		nanosleep(&ts, NULL);
}

/* One line to stdout, whole, whichever process or thread prints it. */
static void say(const char *fmt, ...)
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
static void report(int c, const char *fmt, ...)
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

/* splitmix64: one generator per thread, derived from the seed. */
struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned long rndn(struct rng *r, unsigned long n)
{
	return n ? rnd(r) % n : 0;
}

static uint64_t seed;

static void rng_init(struct rng *r, uint64_t stream)
{
	r->s = seed ^ (stream * 0xd1b54a32d192ed03ULL);
	rnd(r);
}

static int nodes[MIG_MAX_NODES], nr_nodes;	/* nodes with memory */
static int cpu_nodes[MIG_MAX_NODES], nr_cpu_nodes;
static unsigned long all_nodes;
static bool has_lazy, has_pagecache;

static int rnd_node(struct rng *r)
{
	return nodes[rndn(r, nr_nodes)];
}

/* A random non-empty set of memory nodes. */
static unsigned long rnd_mask(struct rng *r)
{
	unsigned long m;

	do {
		m = rnd(r) & all_nodes;
	} while (!m);
	return m;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* mig_write_file(), returning 0 or -errno, for the errnos that matter. */
static int write_str(const char *path, const char *val)
{
	return mig_write_file(path, val) ? -errno : 0;
}

/* ------------------------------------------------------------------ */
/* Checksummed pages: page i of area id holds pattern (id, i, gen[i]).  */

static uint64_t page_word0(uint32_t id, unsigned long pg, uint32_t gen)
{
	struct rng r = { ((uint64_t)id << 40) ^ ((uint64_t)pg << 20) ^ gen };

	return rnd(&r);
}

static void page_fill(char *p, uint32_t id, unsigned long pg, uint32_t gen)
{
	uint64_t *w = (uint64_t *)p, x = page_word0(id, pg, gen);
	unsigned int i;

	for (i = 0; i < PAGE / 8; i++)
		w[i] = x + i * 0x9e3779b97f4a7c15ULL;
}

/* Index of the first wrong word of the page, or -1. gen 0 is zeroes. */
static int page_check(const char *p, uint32_t id, unsigned long pg,
		      uint32_t gen, uint64_t *want, uint64_t *got)
{
	const uint64_t *w = (const uint64_t *)p;
	uint64_t x = gen ? page_word0(id, pg, gen) : 0;
	unsigned int i;

	for (i = 0; i < PAGE / 8; i++) {
		uint64_t e = gen ? x + i * 0x9e3779b97f4a7c15ULL : 0;

		if (w[i] != e) {
			*want = e;
			*got = w[i];
			return i;
		}
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* Chaos: worker areas.                                                */

enum kind { K_ANON, K_THP, K_SHMEM, K_MEMFD, K_TMPFS, K_EXT4, NR_KINDS };
static const char * const kind_name[] = {
	"anon", "thp", "shmem", "memfd", "tmpfs", "ext4",
};
static const enum mig_kind mig_kinds[] = {
	MIG_ANON, MIG_THP, MIG_SHMEM, MIG_MEMFD, MIG_TMPFS, MIG_EXT4,
};

struct slot {
	/*
	 * The worker takes it for writing to change the mapping (munmap,
	 * mremap) or to replace pages without migrating them (DONTNEED,
	 * PAGEOUT, truncation), and for reading around every other access.
	 * Actors take it for reading to use the address, and for writing to
	 * watch pages move with nothing else touching them.
	 */
	pthread_rwlock_t lock;
	struct mig_area a;
	uint32_t *gen;
	uint32_t id;
	enum kind kind;
	int node, cpu;
	bool live;
	struct rng r;
};

static struct slot *slots;
static int nr_slots;

static bool kind_has_fd(enum kind k)
{
	return k == K_MEMFD || k == K_TMPFS || k == K_EXT4;
}

/* Private memory loses its content on MADV_DONTNEED and on a new mapping. */
static bool kind_private(enum kind k)
{
	return k == K_ANON || k == K_THP;
}

static void slot_verify(struct slot *s, unsigned long from, unsigned long n)
{
	unsigned long pg;
	uint64_t want, got;
	int w;

	for (pg = from; pg < from + n && pg < s->a.nr_pages; pg++) {
		w = page_check(s->a.addr + pg * PAGE, s->id, pg, s->gen[pg],
			       &want, &got);
		if (w >= 0) {
			int st = -1;
			void *p = s->a.addr + pg * PAGE;

			mig_move_pages(0, 1, &p, NULL, &st, 0);
			report(c_mismatch,
			       "area %u (%s) page %lu gen %u word %d: want %016llx got %016llx, page on node %d",
			       s->id, kind_name[s->kind], pg, s->gen[pg], w,
			       (unsigned long long)want,
			       (unsigned long long)got, st);
		}
	}
	count(c_w_pages_verified, n);
}

static void slot_write(struct slot *s, unsigned long from, unsigned long n)
{
	unsigned long pg;

	for (pg = from; pg < from + n && pg < s->a.nr_pages; pg++)
		page_fill(s->a.addr + pg * PAGE, s->id, pg, ++s->gen[pg]);
}

/* A fresh anonymous mapping for the area, PMD-aligned for THP. */
static int slot_map_anon(struct slot *s)
{
	size_t extra = s->kind == K_THP ? mig_pmd_size() : 0;
	int flags = MAP_ANONYMOUS |
		    (s->kind == K_SHMEM ? MAP_SHARED : MAP_PRIVATE);
	char *raw;

	raw = mmap(NULL, s->a.len + extra, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (raw == MAP_FAILED)
		return -1;
	s->a.raw = raw;
	s->a.raw_len = s->a.len + extra;
	s->a.addr = raw;
	if (extra)
		s->a.addr = (char *)(((unsigned long)raw + extra - 1) & ~(extra - 1));
	if (s->kind != K_SHMEM)
		madvise(s->a.addr, s->a.len,
			s->kind == K_THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return 0;
}

/* munmap() and map again: files keep their pages, anonymous memory not. */
static void op_remap(struct slot *s)
{
	munmap(s->a.raw, s->a.raw_len);
	s->a.raw = NULL;
	s->a.raw_len = 0;
	if (kind_has_fd(s->kind)) {
		s->a.raw = mmap(NULL, s->a.len, PROT_READ | PROT_WRITE,
				MAP_SHARED, s->a.fd, 0);
		s->a.raw_len = s->a.len;
		s->a.addr = s->a.raw;
		if (s->a.raw == MAP_FAILED) {
			report(c_unexpected, "area %u: mmap() again: %s", s->id,
			       strerror(errno));
			s->a.raw = NULL;
			s->live = false;
			return;
		}
	} else {
		if (slot_map_anon(s)) {
			report(c_unexpected, "area %u: mmap(): %s", s->id,
			       strerror(errno));
			s->live = false;
			return;
		}
		memset(s->gen, 0, s->a.nr_pages * sizeof(*s->gen));
	}
	count(c_w_remap, 1);
}

/* mremap() the area elsewhere (PMD-aligned for THP); content stays. */
static void op_mremap(struct slot *s)
{
	size_t align = s->kind == K_THP ? mig_pmd_size() : PAGE;
	size_t res_len = s->a.len + align;
	char *res, *dst, *got;

	/*
	 * mremap() moves one VMA: the policies of mbind() on parts of the
	 * area split it; dropping them lets the parts merge again.
	 */
	if (mig_mbind(s->a.addr, s->a.len, MPOL_DEFAULT, 0, 0))
		report(c_unexpected, "area %u: mbind(MPOL_DEFAULT): %s", s->id,
		       strerror(errno));
	res = mmap(NULL, res_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return;
	dst = (char *)(((unsigned long)res + align - 1) & ~(align - 1));
	got = mremap(s->a.addr, s->a.len, s->a.len, MREMAP_MAYMOVE | MREMAP_FIXED,
		     dst);
	if (got == MAP_FAILED) {
		/*
		 * The kernel may have unmapped @dst already, and another
		 * thread may have mapped that hole since: the reservation
		 * stays, it holds no memory. EFAULT: parts that got their
		 * own anon_vma while their policies differed stay apart.
		 */
		if (errno == EFAULT)
			count(c_w_mremap_split, 1);
		else
			report(c_unexpected, "area %u: mremap(): %s", s->id,
			       strerror(errno));
		return;
	}
	/*
	 * What is left of the reservation and of the old over-mapping, and
	 * only that: another thread may already have mapped the hole the
	 * area left.
	 */
	if (dst > res)
		munmap(res, dst - res);
	if (res + res_len > dst + s->a.len)
		munmap(dst + s->a.len, res + res_len - (dst + s->a.len));
	if (s->a.addr > (char *)s->a.raw)
		munmap(s->a.raw, s->a.addr - (char *)s->a.raw);
	if ((char *)s->a.raw + s->a.raw_len > s->a.addr + s->a.len)
		munmap(s->a.addr + s->a.len,
		       (char *)s->a.raw + s->a.raw_len - (s->a.addr + s->a.len));
	s->a.raw = s->a.addr = dst;
	s->a.raw_len = s->a.len;
	count(c_w_mremap, 1);
}

/* A child checks the area as the fork saw it; the parent waits for it. */
static void op_fork(struct slot *s)
{
	pid_t pid;
	int st;

	pid = fork();
	if (pid < 0) {
		report(c_unexpected, "fork(): %s", strerror(errno));
		return;
	}
	if (!pid) {
		unsigned long pg, bad = 0;
		uint64_t want, got;

		for (pg = 0; pg < s->a.nr_pages; pg++)
			if (page_check(s->a.addr + pg * PAGE, s->id, pg,
				       s->gen[pg], &want, &got) >= 0)
				bad++;
		_exit(bad ? 1 : 0);
	}
	if (waitpid(pid, &st, 0) != pid)
		report(c_unexpected, "waitpid(): %s", strerror(errno));
	else if (WIFSIGNALED(st))
		report(c_killed, "area %u: forked child killed by signal %d",
		       s->id, WTERMSIG(st));
	else if (WEXITSTATUS(st))
		report(c_mismatch, "area %u (%s): a forked child saw wrong data",
		       s->id, kind_name[s->kind]);
	count(c_w_fork, 1);
}

static void worker_op(struct slot *s)
{
	struct rng *r = &s->r;
	unsigned long np = s->a.nr_pages, from = rndn(r, np);
	unsigned long n = 1 + rndn(r, 64);
	unsigned int op = rndn(r, 100);

	if (from + n > np)
		n = np - from;
	if (op < 88) {
		pthread_rwlock_rdlock(&s->lock);
		if (op < 40) {
			slot_write(s, from, n);
			count(c_w_write, 1);
		} else if (op < 70) {
			slot_verify(s, from, op < 65 ? n : np - from);
			count(c_w_verify, 1);
		} else if (op < 78) {
			mprotect(s->a.addr, s->a.len, PROT_READ);
			slot_verify(s, from, n);
			if (mprotect(s->a.addr, s->a.len, PROT_READ | PROT_WRITE))
				report(c_unexpected, "mprotect(): %s",
				       strerror(errno));
			count(c_w_mprotect, 1);
		} else if (op < 81) {
			op_fork(s);
		} else {
			/* Let the actors and the other workers run. */
			pthread_rwlock_unlock(&s->lock);
			sleep_ms(1 + rndn(r, 3));
			return;
		}
		pthread_rwlock_unlock(&s->lock);
		return;
	}

	pthread_rwlock_wrlock(&s->lock);
	if (op < 90) {
		if (madvise(s->a.addr + from * PAGE, n * PAGE, MADV_DONTNEED))
			report(c_unexpected, "MADV_DONTNEED: %s", strerror(errno));
		else if (kind_private(s->kind))
			memset(s->gen + from, 0, n * sizeof(*s->gen));
		count(c_w_dontneed, 1);
	} else if (op < 92) {
		int adv = op & 1 ? MADV_COLD : MADV_PAGEOUT;

		if (madvise(s->a.addr + from * PAGE, n * PAGE, adv))
			report(c_unexpected, "madvise(%d): %s", adv,
			       strerror(errno));
		count(op & 1 ? c_w_cold : c_w_pageout, 1);
	} else if (op < 94 && kind_has_fd(s->kind)) {
		/* Cut the file at page @from and grow it back: zeroes there. */
		if (ftruncate(s->a.fd, from * PAGE) ||
		    ftruncate(s->a.fd, s->a.len))
			report(c_unexpected, "ftruncate(): %s", strerror(errno));
		memset(s->gen + from, 0, (np - from) * sizeof(*s->gen));
		count(c_w_truncate, 1);
	} else if (op < 96 && kind_has_fd(s->kind)) {
		if (posix_fadvise(s->a.fd, from * PAGE, n * PAGE,
				  POSIX_FADV_DONTNEED))
			report(c_unexpected, "POSIX_FADV_DONTNEED failed");
		count(c_w_fadvise, 1);
	} else if (op < 98) {
		op_mremap(s);
	} else {
		op_remap(s);
	}
	pthread_rwlock_unlock(&s->lock);
}

static void *worker_main(void *arg)
{
	struct slot *s = arg;

	mig_pin_cpu(s->cpu);
	while (!stopping() && s->live)
		worker_op(s);
	if (s->live) {
		pthread_rwlock_rdlock(&s->lock);
		slot_verify(s, 0, s->a.nr_pages);
		pthread_rwlock_unlock(&s->lock);
	}
	return NULL;
}

/*
 * Create the areas of @n slots, kinds in turn, nodes with CPUs in turn,
 * from the calling thread: mig_area_create() binds the task's policy.
 */
static int slots_create(struct slot *ss, int n, const enum kind *kinds,
			int nr_kinds, uint32_t id0)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		struct slot *s = &ss[i];
		pthread_rwlockattr_t at;
		unsigned long pg;

		pthread_rwlockattr_init(&at);
		pthread_rwlockattr_setkind_np(&at,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&s->lock, &at);
		s->id = id0 + i;
		s->kind = kinds[i % nr_kinds];
		s->node = cpu_nodes[(i / nr_kinds) % nr_cpu_nodes];
		s->cpu = mig_node_cpu(s->node);
		rng_init(&s->r, 1000 + s->id);
		ret = mig_area_create(&s->a, mig_kinds[s->kind],
				      s->kind == K_THP ? AREA_PAGES * PAGE / mig_pmd_size()
						       : AREA_PAGES,
				      s->node, seed + s->id);
		if (ret == -1) {
			say("# area %u (%s): skipped: %s", s->id,
			    kind_name[s->kind], s->a.skip);
			continue;
		}
		if (ret) {
			say("error: area %u (%s): %s", s->id, kind_name[s->kind],
			    strerror(errno));
			return -1;
		}
		s->gen = calloc(s->a.nr_pages, sizeof(*s->gen));
		if (!s->gen)
			return -1;
		mig_set_mempolicy(MPOL_BIND, mig_bit(s->node));
		for (pg = 0; pg < s->a.nr_pages; pg++)
			page_fill(s->a.addr + pg * PAGE, s->id, pg, ++s->gen[pg]);
		mig_set_mempolicy(MPOL_DEFAULT, 0);
		s->live = true;
	}
	return 0;
}

static void slots_run(struct slot *ss, int n, pthread_t *th)
{
	int i;

	for (i = 0; i < n; i++)
		if (ss[i].live)
			pthread_create(&th[i], NULL, worker_main, &ss[i]);
}

static void slots_join(struct slot *ss, int n, pthread_t *th)
{
	int i;

	for (i = 0; i < n; i++)
		if (th[i])
			pthread_join(th[i], NULL);
	for (i = 0; i < n; i++) {
		if (ss[i].a.raw)
			mig_area_destroy(&ss[i].a);
		free(ss[i].gen);
	}
}

/* A live slot of the main process, taken for reading or writing. */
static struct slot *slot_get(struct rng *r, bool write, int want_kind)
{
	int tries;

	for (tries = 0; tries < 64; tries++) {
		struct slot *s = &slots[rndn(r, nr_slots)];

		if (want_kind >= 0 && (int)s->kind != want_kind)
			continue;
		if (write)
			pthread_rwlock_wrlock(&s->lock);
		else
			pthread_rwlock_rdlock(&s->lock);
		if (s->live)
			return s;
		pthread_rwlock_unlock(&s->lock);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Chaos: actors.                                                      */

static void *mbind_actor(void *arg)
{
	static const int modes[] = {
		MPOL_DEFAULT, MPOL_BIND, MPOL_PREFERRED, MPOL_INTERLEAVE,
		MPOL_LOCAL, MPOL_PREFERRED_MANY, MPOL_WEIGHTED_INTERLEAVE,
	};
	static const unsigned int flagsets[] = {
		MPOL_MF_MOVE, MPOL_MF_MOVE_ALL, MPOL_MF_MOVE | MPOL_MF_STRICT, 0,
		MPOL_MF_MOVE | MPOL_MF_LAZY, MPOL_MF_MOVE_ALL | MPOL_MF_LAZY,
	};
	struct rng r;

	rng_init(&r, 1);
	while (!stopping()) {
		struct slot *s = slot_get(&r, false, -1);
		int mode = modes[rndn(&r, 7)];
		unsigned int flags = flagsets[rndn(&r, has_lazy ? 6 : 4)];
		unsigned long mask = 0, from, n;
		long ret;

		if (!s)
			continue;
		from = rndn(&r, s->a.nr_pages);
		n = 1 + rndn(&r, s->a.nr_pages - from);
		if (mode != MPOL_DEFAULT && mode != MPOL_LOCAL)
			mask = rnd_mask(&r);
		if (mode == MPOL_PREFERRED)
			mask = mig_bit(rnd_node(&r));
		if (mode == MPOL_DEFAULT)
			flags &= ~MPOL_MF_LAZY;
		ret = mig_mbind(s->a.addr + from * PAGE, n * PAGE, mode, mask,
				flags);
		if (ret && errno == EIO && (flags & MPOL_MF_STRICT))
			count(c_mbind_eio, 1);
		else if (ret && errno == ENOMEM)
			count(c_mbind_enomem, 1);
		else if (ret)
			report(c_unexpected,
			       "mbind(area %u, pages %lu+%lu, mode %d, mask %#lx, flags %#x): %s",
			       s->id, from, n, mode, mask, flags, strerror(errno));
		count(flags & MPOL_MF_LAZY ? c_mbind_lazy : c_mbind, 1);
		pthread_rwlock_unlock(&s->lock);
		sleep_ms(rndn(&r, 20));
	}
	return NULL;
}

static bool status_ok(int st)
{
	return (st >= 0 && st < MIG_MAX_NODES) || st == -EACCES ||
	       st == -EBUSY || st == -EFAULT || st == -EIO ||
	       st == -EINVAL || st == -ENOENT || st == -ENOMEM;
}

/*
 * move_pages() on a run of a worker's pages. Every other call holds the
 * area for writing and queries the pages first: a page that was on
 * another node and is now on its target moved, and that is counted,
 * so that at the end the kernel must have counted at least as many
 * syscall migrations (or memory-offline ones, which may move a page to
 * the target between the two calls). Only the ext4 area is left out of
 * that: clean file pages can be reclaimed and read again onto another
 * node between the two calls.
 */
static void *move_pages_actor(void *arg)
{
	int before[512], status[512], target[512];
	void *pages[512];
	struct rng r;

	rng_init(&r, 2);
	while (!stopping()) {
		bool watch = rnd(&r) & 1;
		struct slot *s = slot_get(&r, watch, -1);
		unsigned long from, step, n, i;
		int node = rnd_node(&r), flags = 0;
		long ret;

		if (!s)
			continue;
		watch = watch && s->kind != K_EXT4;
		from = rndn(&r, s->a.nr_pages);
		step = 1 + rndn(&r, 4);
		n = 1 + rndn(&r, 512);
		if (from + (n - 1) * step >= s->a.nr_pages)
			n = (s->a.nr_pages - 1 - from) / step + 1;
		for (i = 0; i < n; i++) {
			pages[i] = s->a.addr + (from + i * step) * PAGE;
			target[i] = rndn(&r, 4) ? node : rnd_node(&r);
			status[i] = before[i] = -1000;
		}
		if (watch)
			mig_move_pages(0, n, pages, NULL, before, 0);
		if (rndn(&r, 4) == 0)
			flags = MPOL_MF_MOVE_ALL;
		else
			flags = MPOL_MF_MOVE;
		ret = mig_move_pages(rndn(&r, 2) ? 0 : getpid(), n, pages,
				     target, status, flags);
		if (ret < 0 && errno != ENOMEM)
			report(c_unexpected, "move_pages(area %u, %lu pages): %s",
			       s->id, n, strerror(errno));
		/* A positive return leaves the statuses after the failure. */
		for (i = 0; ret >= 0 && i < n; i++) {
			if ((ret == 0 || status[i] != -1000) &&
			    !status_ok(status[i]))
				report(c_unexpected,
				       "move_pages(area %u): status %d", s->id,
				       status[i]);
			if (watch && before[i] >= 0 && before[i] != target[i] &&
			    status[i] == target[i])
				count(c_move_pages_observed, 1);
		}
		count(c_move_pages, 1);
		pthread_rwlock_unlock(&s->lock);
		sleep_ms(rndn(&r, 20));
	}
	return NULL;
}

static pid_t main_pid, cpuset_pid;

static void split_thp(struct rng *r)
{
	struct slot *s = slot_get(r, false, K_THP);
	char buf[96];
	int ret;

	if (!s)
		return;
	snprintf(buf, sizeof(buf), "%d,%#lx,%#lx", getpid(),
		 (unsigned long)s->a.addr, (unsigned long)s->a.addr + s->a.len);
	ret = write_str(DEBUGFS "/split_huge_pages", buf);
	if (ret)
		report(c_unexpected, "split_huge_pages %s: %s", buf,
		       strerror(-ret));
	count(c_thp_split, 1);
	pthread_rwlock_unlock(&s->lock);
}

/* Balancing mode, compaction, THP splits and the cgroup's cpuset.mems. */
static void *system_actor(void *arg)
{
	struct rng r;

	rng_init(&r, 3);
	while (!stopping()) {
		unsigned int op = rndn(&r, 4);
		char buf[64];
		int ret = 0, i;

		switch (op) {
		case 0:
			snprintf(buf, sizeof(buf), "%lu", rndn(&r, 3));
			ret = write_str("/proc/sys/kernel/numa_balancing", buf);
			count(c_numa_balancing, 1);
			break;
		case 1:
			ret = write_str("/proc/sys/vm/compact_memory", "1");
			count(c_compact, 1);
			break;
		case 2:
			split_thp(&r);
			break;
		case 3: {
			unsigned long m = rnd_mask(&r);
			int n = 0;

			for (i = 0; i < MIG_MAX_NODES; i++)
				if (m & mig_bit(i))
					n += snprintf(buf + n, sizeof(buf) - n,
						      "%s%d", n ? "," : "", i);
			ret = write_str(CGROUP "/cpuset.mems", buf);
			count(c_cpuset_flip, 1);
			break;
		}
		}
		if (ret)
			report(c_unexpected, "system actor op %u: %s", op,
			       strerror(-ret));
		sleep_ms(50 + rndn(&r, 200));
	}
	write_str("/proc/sys/kernel/numa_balancing", "0");
	return NULL;
}

/* A process: migrate_pages(2) on the main process and the cpuset one. */
static void migrate_pages_actor(void)
{
	struct rng r;

	rng_init(&r, 4);
	wait_go();
	while (!stopping()) {
		bool cs = rnd(&r) & 1;
		pid_t pid = cs ? cpuset_pid : main_pid;
		unsigned long from = rnd_mask(&r), to = rnd_mask(&r);
		long ret = mig_migrate_pages(pid, from, to);

		/* The cgroup's process exits when the phase ends: EINVAL. */
		if (ret < 0 && errno == EINVAL && cs && stopping())
			count(c_migrate_pages_einval, 1);
		else if (ret < 0 && errno == ENOMEM)
			count(c_migrate_pages_enomem, 1);
		else if (ret < 0)
			report(c_unexpected, "migrate_pages(%d, %#lx, %#lx): %s",
			       pid, from, to, strerror(errno));
		count(c_migrate_pages, 1);
		sleep_ms(20 + rndn(&r, 100));
	}
}

static void on_alarm(int sig)
{
}

/* Memory blocks of nodes other than the first, which the kernel needs. */
static int hotplug_blocks(int *blocks, int max)
{
	DIR *d = opendir("/sys/devices/system/memory");
	struct dirent *e;
	int n = 0, node;

	while (d && (e = readdir(d)) && n < max) {
		char path[300];
		struct stat st;
		int blk;

		if (sscanf(e->d_name, "memory%d", &blk) != 1)
			continue;
		for (node = 1; node < MIG_MAX_NODES; node++) {
			snprintf(path, sizeof(path),
				 "/sys/devices/system/memory/%s/node%d",
				 e->d_name, node);
			if (!stat(path, &st)) {
				blocks[n++] = blk;
				break;
			}
		}
	}
	if (d)
		closedir(d);
	return n;
}

static int block_state(int blk, const char *state)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%d/state",
		 blk);
	return write_str(path, state);
}

/*
 * A process: offline a random memory block (which migrates what is on
 * it, or fails with EBUSY), wait, and online it again. A SIGALRM stops an
 * offline that keeps retrying. No block stays offline.
 */
static void hotplug_actor(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int blocks[256], n = hotplug_blocks(blocks, 256), blk, ret;
	struct rng r;

	sigaction(SIGALRM, &sa, NULL);
	rng_init(&r, 5);
	wait_go();
	if (!n) {
		say("# hotplug: no memory blocks to offline");
		return;
	}
	while (!stopping()) {
		blk = blocks[rndn(&r, n)];
		alarm(3);
		ret = block_state(blk, "offline");
		alarm(0);
		if (!ret) {
			count(c_offline, 1);
			sleep_ms(50 + rndn(&r, 300));
			ret = block_state(blk, "online");
			if (ret)
				report(c_unexpected, "online memory%d: %s", blk,
				       strerror(-ret));
			else
				count(c_online, 1);
		} else if (ret == -EBUSY) {
			count(c_offline_busy, 1);
		} else if (ret == -EINTR) {
			count(c_offline_intr, 1);
		} else if (ret != -EINVAL) {
			/* EINVAL: the block was offline already (not ours). */
			report(c_unexpected, "offline memory%d: %s", blk,
			       strerror(-ret));
		}
		sleep_ms(100 + rndn(&r, 400));
	}
}

/* A process in the cgroup whose cpuset.mems the system actor flips. */
static void cpuset_worker(void)
{
	static const enum kind k[] = { K_ANON, K_SHMEM, K_TMPFS };
	struct slot ss[3] = {};
	pthread_t th[3] = {};

	if (slots_create(ss, 3, k, 3, 100)) {
		report(c_unexpected, "cpuset process: cannot create its areas");
		return;
	}
	slots_run(ss, 3, th);
	slots_join(ss, 3, th);
}

/* Fork a process that runs @fn and exits. */
static pid_t spawn(void (*fn)(void))
{
	pid_t pid = fork();

	if (!pid) {
		fn();
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid, const char *what)
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

static int cgroup_setup(void)
{
	char buf[64];
	int ret;

	mkdir(CGROUP, 0755);
	ret = write_str("/sys/fs/cgroup/cgroup.subtree_control", "+cpuset");
	if (!ret) {
		snprintf(buf, sizeof(buf), "0-%ld", sysconf(_SC_NPROCESSORS_ONLN) - 1);
		ret = write_str(CGROUP "/cpuset.cpus", buf);
	}
	if (!ret)
		ret = write_str(CGROUP "/cpuset.mems", "0-3");
	if (ret)
		say("error: cgroup v2 cpuset: %s", strerror(-ret));
	return ret;
}

/* ------------------------------------------------------------------ */
/* Migrations by reason: a histogram trigger on mm_migrate_pages.      */

#define NR_REASONS 32
struct hist {
	unsigned long long ok[NR_REASONS], failed[NR_REASONS];
};
static char reason_name[NR_REASONS][40];
static char tracefs[64];

static int hist_setup(void)
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
static unsigned long long hist_ok(struct hist *a, struct hist *b,
				  const char *name)
{
	int i = reason_of(name);

	return i < 0 ? 0 : b->ok[i] - a->ok[i];
}

static unsigned long long hist_failed(struct hist *a, struct hist *b,
				      const char *name)
{
	int i = reason_of(name);

	return i < 0 ? 0 : b->failed[i] - a->failed[i];
}

/* Migration counters of /proc/vmstat that the checks compare. */
#define VMSTATS(V) V(pgmigrate_success) V(pgmigrate_fail)		\
	V(numa_pages_migrated) V(numa_lazy_armed) V(numa_lazy_migrated)	\
	V(numa_lazy_migrate_retry) V(numa_lazy_migrate_fail)		\
	V(numa_lazy_pagecache_migrated)					\
	V(numa_lazy_pagecache_migrate_retry)				\
	V(numa_lazy_pagecache_migrate_fail) V(thp_split_page)		\
	V(compact_migrate_scanned)
#define V_ENUM(n) v_##n,
enum { VMSTATS(V_ENUM) NR_VMSTATS };
#define V_NAME(n) #n,
static const char * const vmstat_name[] = { VMSTATS(V_NAME) };

struct snap {
	long long v[NR_VMSTATS];
	struct hist h;
};

/*
 * vmstat and the histogram, read twice each, in turn, until neither moved:
 * migrate_pages() counts a migration, then traces it, and a background
 * one (kcompactd) must not fall between the two reads.
 */
static void snap_take(struct snap *s)
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

static long long dv(struct snap *a, struct snap *b, int i)
{
	return b->v[i] - a->v[i];
}

/* ------------------------------------------------------------------ */
/* Verdicts.                                                           */

static int nr_failed_verdicts;

static void verdict(const char *name, bool ok, const char *fmt, ...)
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
static void check_counters(const char *phase, struct snap *a, struct snap *b,
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

/* ------------------------------------------------------------------ */
/* Phase 1: chaos.                                                     */

static void phase_chaos(double secs)
{
	static const enum kind all[] = {
		K_ANON, K_THP, K_SHMEM, K_MEMFD, K_TMPFS, K_EXT4,
	};
	pthread_t *th, actors[3];
	pid_t mig_pid, hot_pid;
	struct snap a, b;
	double end;
	int i;

	say("# chaos: %.0f s, %d workers on nodes with CPUs, %d in a cgroup",
	    secs, NR_KINDS * nr_cpu_nodes, 3);
	if (cgroup_setup())
		return verdict("chaos.setup", false, "no cpuset cgroup");
	snap_take(&a);
	main_pid = getpid();
	cpuset_pid = spawn(cpuset_worker);
	{
		char buf[32];

		snprintf(buf, sizeof(buf), "%d", cpuset_pid);
		if (write_str(CGROUP "/cgroup.procs", buf))
			report(c_unexpected, "cannot move the cpuset process");
	}
	hot_pid = spawn(hotplug_actor);
	mig_pid = spawn(migrate_pages_actor);

	nr_slots = NR_KINDS * nr_cpu_nodes;
	slots = calloc(nr_slots, sizeof(*slots));
	th = calloc(nr_slots, sizeof(*th));
	if (slots_create(slots, nr_slots, all, NR_KINDS, 0))
		report(c_unexpected, "cannot create the worker areas");
	__atomic_store_n(&sh->go, 1, __ATOMIC_RELEASE);
	slots_run(slots, nr_slots, th);
	pthread_create(&actors[0], NULL, mbind_actor, NULL);
	pthread_create(&actors[1], NULL, move_pages_actor, NULL);
	pthread_create(&actors[2], NULL, system_actor, NULL);

	end = now() + secs;
	while (now() < end)
		sleep_ms(200);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 3; i++)
		pthread_join(actors[i], NULL);
	slots_join(slots, nr_slots, th);
	reap(mig_pid, "migrate_pages process");
	reap(cpuset_pid, "cpuset process");
	reap(hot_pid, "hotplug process");
	__atomic_store_n(&sh->stop, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&sh->go, 0, __ATOMIC_RELAXED);
	rmdir(CGROUP);
	snap_take(&b);
	check_counters("chaos", &a, &b, sh->c[c_move_pages_observed]);
	/* Counters that stay at 0 would pass the check above. */
	verdict("chaos.lazy",
		(!has_lazy || hist_ok(&a.h, &b.h, "mempolicy_lazy")) &&
		(!has_pagecache || hist_ok(&a.h, &b.h, "mempolicy_lazy_pagecache")),
		"lazy migrations under load: %llu pages, page cache %llu pages",
		hist_ok(&a.h, &b.h, "mempolicy_lazy"),
		hist_ok(&a.h, &b.h, "mempolicy_lazy_pagecache"));
	free(slots);
	free(th);
}

/* ------------------------------------------------------------------ */
/* Phase 2: injected allocation failures.                              */

static int fault_attr(const char *type, const char *attr, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), DEBUGFS "/%s/%s", type, attr);
	return write_str(path, val);
}

static int inject_setup(void)
{
	static const char * const types[] = { "fail_page_alloc", "failslab" };
	int i, ret = 0;

	for (i = 0; i < 2; i++) {
		ret |= fault_attr(types[i], "task-filter", "Y");
		ret |= fault_attr(types[i], "interval", "1");
		ret |= fault_attr(types[i], "times", "-1");
		ret |= fault_attr(types[i], "verbose", "0");
		ret |= fault_attr(types[i], "ignore-gfp-wait", "N");
	}
	ret |= fault_attr("fail_page_alloc", "ignore-gfp-highmem", "N");
	ret |= fault_attr("fail_page_alloc", "min-order", "0");
	return ret;
}

static void inject_probability(struct rng *r)
{
	static const char * const p[] = { "2", "10", "30" };

	fault_attr("fail_page_alloc", "probability", p[rndn(r, 3)]);
	fault_attr("failslab", "probability", p[rndn(r, 3)]);
}

/* The calling thread's make-it-fail, opened before any failure is due. */
static int inj_fd;

static void inj(bool on)
{
	/* The write allocates nothing; retry ENOMEM anyway, never leave it on. */
	while (pwrite(inj_fd, on ? "1" : "0", 1, 0) != 1)
		if (errno != ENOMEM) {
			say("error: make-it-fail: %s", strerror(errno));
			_exit(2);
		}
}

/*
 * One eager round: move_pages() or mbind(MOVE | STRICT) of a 1 MiB area
 * from node @a to node @b under injected failures. A page that did not
 * move must be reported: a negative return, a positive move_pages()
 * return, a negative status, or EIO from mbind().
 */
static void inject_eager(struct rng *r, enum kind k, int na, int nb)
{
	static int status[INJ_PAGES], tgt[INJ_PAGES], where[INJ_PAGES];
	static void *pages[INJ_PAGES];
	struct snap s0, s1;
	struct mig_area a;
	bool use_mbind = rnd(r) & 1, reported = false;
	unsigned long i, moved, stayed;
	uint64_t data = rnd(r);
	long ret;
	int err;

	if (mig_area_create(&a, mig_kinds[k], INJ_PAGES, na, data))
		return;
	for (i = 0; i < INJ_PAGES; i++) {
		pages[i] = a.addr + i * PAGE;
		tgt[i] = nb;
		status[i] = -1000;
	}
	snap_take(&s0);
	inj(true);
	if (use_mbind)
		ret = mig_mbind(a.addr, a.len, MPOL_BIND, mig_bit(nb),
				MPOL_MF_MOVE | MPOL_MF_STRICT);
	else
		ret = mig_move_pages(0, INJ_PAGES, pages, tgt, status,
				     MPOL_MF_MOVE);
	err = errno;
	inj(false);
	snap_take(&s1);
	moved = mig_area_on_node(&a, nb);
	stayed = mig_area_on_node(&a, na);
	if (ret < 0 && err != ENOMEM && !(use_mbind && err == EIO))
		report(c_unexpected, "inject: %s: %s",
		       use_mbind ? "mbind" : "move_pages", strerror(err));
	/*
	 * mbind() reports for the whole range; move_pages() for each page:
	 * a page that did not move has a negative status, or none at all
	 * after a positive return (the batch that failed and those after).
	 */
	reported = ret != 0;
	if (!use_mbind && ret >= 0) {
		mig_area_status(&a, where);
		reported = true;
		for (i = 0; i < INJ_PAGES; i++)
			if (where[i] != nb && status[i] >= 0 &&
			    !(ret > 0 && status[i] == -1000)) {
				report(c_unexpected, "inject: %s move_pages: page %lu is on node %d, its status says %d",
				       kind_name[k], i, where[i], status[i]);
				break;
			}
	}
	if (moved + stayed != INJ_PAGES)
		report(c_unexpected, "inject: %s %s: %lu pages on neither node %d nor %d",
		       kind_name[k], use_mbind ? "mbind" : "move_pages",
		       INJ_PAGES - moved - stayed, na, nb);
	if (moved < INJ_PAGES && !reported)
		report(c_unexpected, "inject: %s %s: %lu pages did not move and the call returned %ld",
		       kind_name[k], use_mbind ? "mbind" : "move_pages",
		       INJ_PAGES - moved, ret);
	if (hist_ok(&s0.h, &s1.h, use_mbind ? "mempolicy_mbind" :
		    "syscall_or_cpuset") != moved)
		report(c_unexpected, "inject: %s: %lu pages moved, %llu counted",
		       kind_name[k], moved,
		       hist_ok(&s0.h, &s1.h, use_mbind ? "mempolicy_mbind" :
			       "syscall_or_cpuset"));
	if (mig_check(a.addr, a.len, data))
		report(c_mismatch, "inject: %s eager: data changed", kind_name[k]);
	count(c_inj_eager_moved, moved);
	count(c_inj_pages_not_moved, INJ_PAGES - moved);
	mig_area_destroy(&a);
}

/*
 * One lazy round: arm 1 MiB on node @a for node @b without failures, then
 * touch it under injected failures. Anonymous and shmem pages move on
 * their NUMA hinting faults; tmpfs and ext4 page cache, unmapped first,
 * moves when the new mapping faults on it. Every touch must complete,
 * every page that moved is counted as migrated and every page that did
 * not as a failure.
 */
static void inject_lazy(struct rng *r, enum kind k, int na, int nb)
{
	bool cache = k == K_TMPFS || k == K_EXT4;
	int mig = cache ? v_numa_lazy_pagecache_migrated : v_numa_lazy_migrated;
	int fail = cache ? v_numa_lazy_pagecache_migrate_fail :
			   v_numa_lazy_migrate_fail;
	struct snap s0, s1;
	struct mig_area a;
	unsigned long moved;
	uint64_t data = rnd(r);

	if (mig_area_create(&a, mig_kinds[k], INJ_PAGES, na, data))
		return;
	if (cache) {
		/* Leave the cache mapped by nobody, then map it again. */
		munmap(a.raw, a.raw_len);
		a.raw = mmap(NULL, a.len, PROT_READ | PROT_WRITE, MAP_SHARED,
			     a.fd, 0);
		if (a.raw == MAP_FAILED) {
			report(c_unexpected, "inject: mmap(): %s", strerror(errno));
			a.raw = NULL;
			mig_area_destroy(&a);
			return;
		}
		a.addr = a.raw;
	}
	if (mig_mbind(a.addr, a.len, MPOL_BIND, mig_bit(nb),
		      MPOL_MF_MOVE | MPOL_MF_LAZY)) {
		report(c_unexpected, "inject: mbind(MOVE|LAZY): %s",
		       strerror(errno));
		mig_area_destroy(&a);
		return;
	}
	snap_take(&s0);
	inj(true);
	mig_touch(a.addr, a.len);
	inj(false);
	snap_take(&s1);
	moved = mig_area_on_node(&a, nb);
	if (moved + mig_area_on_node(&a, na) != INJ_PAGES)
		report(c_unexpected, "inject: lazy %s: pages on neither node %d nor %d",
		       kind_name[k], na, nb);
	if ((unsigned long long)dv(&s0, &s1, mig) != moved ||
	    (unsigned long long)dv(&s0, &s1, fail) < INJ_PAGES - moved)
		report(c_unexpected, "inject: lazy %s: %lu of %lu pages moved; counted %lld migrated, %lld failed",
		       kind_name[k], moved, INJ_PAGES, dv(&s0, &s1, mig),
		       dv(&s0, &s1, fail));
	if (mig_check(a.addr, a.len, data))
		report(c_mismatch, "inject: lazy %s: data changed", kind_name[k]);
	count(cache ? c_inj_pagecache_moved : c_inj_lazy_moved, moved);
	count(c_inj_pages_not_moved, INJ_PAGES - moved);
	mig_area_destroy(&a);
}

static void phase_inject(double secs)
{
	static const enum kind kinds[] = { K_ANON, K_SHMEM, K_TMPFS, K_EXT4 };
	unsigned long long bad0 = sh->c[c_unexpected] + sh->c[c_mismatch];
	double end = now() + secs;
	char path[64];
	struct rng r;
	int round;

	say("# inject: %.0f s, fail_page_alloc and failslab on one task", secs);
	if (inject_setup())
		return verdict("inject.setup", false, "no fault injection in debugfs");
	snprintf(path, sizeof(path), "/proc/self/task/%ld/make-it-fail",
		 (long)syscall(SYS_gettid));
	inj_fd = open(path, O_WRONLY);
	if (inj_fd < 0)
		return verdict("inject.setup", false, "no %s", path);
	write_str("/proc/sys/kernel/numa_balancing", "0");
	rng_init(&r, 6);
	for (round = 0; now() < end; round++) {
		enum kind k = kinds[round % 4];
		int na = rnd_node(&r), nb;

		do {
			nb = rnd_node(&r);
		} while (nb == na);
		inject_probability(&r);
		inject_eager(&r, k, na, nb);
		if ((k == K_ANON || k == K_SHMEM) ? has_lazy : has_pagecache)
			inject_lazy(&r, k, na, nb);
		count(c_inj_rounds, 1);
	}
	fault_attr("fail_page_alloc", "probability", "0");
	fault_attr("failslab", "probability", "0");
	close(inj_fd);
	if (!has_lazy || !has_pagecache)
		say("# inject: lazy rounds%s skipped: feature absent",
		    has_lazy ? " of page cache" : "");
	verdict("inject.reported", sh->c[c_unexpected] + sh->c[c_mismatch] == bad0,
		"%d rounds, %llu pages moved, %llu not moved, each one reported or counted, data intact",
		round, sh->c[c_inj_eager_moved] + sh->c[c_inj_lazy_moved] +
		sh->c[c_inj_pagecache_moved], sh->c[c_inj_pages_not_moved]);
	/* Failing every migration would pass the check above. */
	verdict("inject.moved", sh->c[c_inj_eager_moved] &&
		(!has_lazy || sh->c[c_inj_lazy_moved]) &&
		(!has_pagecache || sh->c[c_inj_pagecache_moved]),
		"pages moved in spite of the failures: %llu eager, %llu lazy, %llu page cache",
		sh->c[c_inj_eager_moved], sh->c[c_inj_lazy_moved],
		sh->c[c_inj_pagecache_moved]);
}

/* ------------------------------------------------------------------ */
/* Phase 3: hostile input.                                             */

enum { F_MBIND, F_SET, F_GET, F_MIGRATE, F_MOVE, NR_FUZZ };
static const char * const fuzz_name[] = {
	"mbind", "set_mempolicy", "get_mempolicy", "migrate_pages", "move_pages",
};
/* The errnos of the man pages (mbind(2), set_mempolicy(2), ...). */
static const int fuzz_errnos[NR_FUZZ][10] = {
	[F_MBIND] = { EFAULT, EINVAL, EIO, ENOMEM, EPERM },
	[F_SET] = { EFAULT, EINVAL, ENOMEM },
	[F_GET] = { EFAULT, EINVAL },
	[F_MIGRATE] = { EFAULT, EINVAL, ENOMEM, EPERM, ESRCH },
	[F_MOVE] = { E2BIG, EACCES, EFAULT, EINVAL, ENODEV, ENOENT, EPERM,
		     ESRCH, ENOMEM },
};

static bool errno_documented(int call, int err)
{
	int i;

	for (i = 0; i < 10 && fuzz_errnos[call][i]; i++)
		if (fuzz_errnos[call][i] == err)
			return true;
	return false;
}

/*
 * The kernel writes through some pointers (get_mempolicy()'s mode and mask,
 * move_pages()'s status) and reads arrays of any length through others:
 * each array ends where a PROT_NONE page starts, so that a count larger
 * than the array meets EFAULT rather than the fuzzer's own heap, and a
 * pointer the kernel writes through is never a random one.
 */
struct fuzz {
	struct rng r;
	char *buf;		/* 16 pages of our own */
	unsigned long *mask;	/* 1024 words, for masks up to 65536 bits */
	void **pages;
	int *nodes, *status, *mode;
	pid_t victim, gone;
	char *vaddr;		/* the victim's 64 pages, in its address space */
	bool unpriv;
};

#define FUZZ_PAGES 16
#define FUZZ_ARRAY 64

static unsigned long fuzz_addr(struct fuzz *f)
{
	static const unsigned long bad[] = {
		0, 1, PAGE, 0xffff888000000000UL, 0xffffffffff600000UL,
		-PAGE, 0x7ffffffff000UL, 0x800000000000UL, 0xdead000000000000UL,
	};

	switch (rndn(&f->r, 4)) {
	case 0:
		return (unsigned long)f->buf + rndn(&f->r, FUZZ_PAGES) * PAGE;
	case 1:
		return (unsigned long)f->buf + rndn(&f->r, FUZZ_PAGES * PAGE);
	case 2:
		return bad[rndn(&f->r, sizeof(bad) / sizeof(bad[0]))];
	default:
		return rnd(&f->r) & (rnd(&f->r) & 1 ? 0x7fffffffffffUL : ~0UL);
	}
}

static unsigned long fuzz_len(struct fuzz *f)
{
	static const unsigned long lens[] = {
		0, 1, PAGE - 1, PAGE, FUZZ_PAGES * PAGE, 1UL << 47, ~0UL,
		~0UL - PAGE + 2,
	};

	if (rnd(&f->r) & 1)
		return rndn(&f->r, 4 * FUZZ_PAGES * PAGE);
	return lens[rndn(&f->r, sizeof(lens) / sizeof(lens[0]))];
}

static unsigned long fuzz_maxnode(struct fuzz *f)
{
	static const unsigned long m[] = {
		0, 1, 2, 3, 4, 5, 63, 64, 65, 1024, 65536, 65537, ~0UL,
	};

	return m[rndn(&f->r, sizeof(m) / sizeof(m[0]))];
}

/* A nodemask pointer: ours with edge-case bits, NULL, or a bad one. */
static unsigned long *fuzz_mask(struct fuzz *f)
{
	static const unsigned long bits[] = {
		0, 1, 0xf, 0x8, 0x10, 0xf0, ~0UL, 1UL << 63,
	};
	unsigned int i;

	switch (rndn(&f->r, 6)) {
	case 0:
		return NULL;
	case 1:
		return (unsigned long *)fuzz_addr(f);
	default:
		for (i = 0; i < 1024; i++)
			f->mask[i] = 0;
		f->mask[0] = rnd(&f->r) & 1 ? bits[rndn(&f->r, 8)] :
					       rnd(&f->r);
		if (rndn(&f->r, 4) == 0)
			f->mask[rndn(&f->r, 1024)] = rnd(&f->r);
		return f->mask;
	}
}

/* A pointer the kernel may write @len bytes through, or a faulting one. */
static void *fuzz_out(struct fuzz *f, void *ours)
{
	switch (rndn(&f->r, 8)) {
	case 0:
		return NULL;
	case 1:
		return (void *)0xffff888000000000UL;
	case 2:
		return (char *)ours + 1;
	default:
		return ours;
	}
}

/* @len bytes that end where a PROT_NONE page begins. */
static void *guarded(size_t len)
{
	size_t map = (len + PAGE - 1) / PAGE * PAGE + PAGE;
	char *p = mmap(NULL, map, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + map - PAGE, PAGE, PROT_NONE))
		_exit(2);
	return p + map - PAGE - len;
}

static int fuzz_mode(struct fuzz *f)
{
	int mode = rndn(&f->r, 10) - 1;

	if (rndn(&f->r, 3) == 0)
		mode |= (rnd(&f->r) & 7) << 13;	/* NUMA_BALANCING, RELATIVE, STATIC */
	if (rndn(&f->r, 20) == 0)
		mode = rnd(&f->r);
	return mode;
}

static pid_t fuzz_pid(struct fuzz *f)
{
	switch (rndn(&f->r, 8)) {
	case 0: return 0;
	case 1: return getpid();
	case 2: return 1;
	case 3: return f->gone;
	case 4: return -1;
	case 5: return 0x7fffffff;
	default: return f->victim;
	}
}

static void fuzz_one(struct fuzz *f)
{
	int call = rndn(&f->r, NR_FUZZ), *stp = NULL, i;
	unsigned long nr = 0;
	pid_t pid = 0;
	long ret = -1;

	errno = 0;
	switch (call) {
	case F_MBIND:
		ret = syscall(__NR_mbind, fuzz_addr(f), fuzz_len(f), fuzz_mode(f),
			      fuzz_mask(f), fuzz_maxnode(f),
			      rndn(&f->r, 3) ? (unsigned int)(rnd(&f->r) & 0x1f) :
					       (unsigned int)rnd(&f->r));
		break;
	case F_SET:
		ret = syscall(__NR_set_mempolicy, fuzz_mode(f), fuzz_mask(f),
			      fuzz_maxnode(f));
		break;
	case F_GET:
		ret = syscall(__NR_get_mempolicy, fuzz_out(f, f->mode),
			      fuzz_out(f, f->mask), fuzz_maxnode(f), fuzz_addr(f),
			      rndn(&f->r, 2) ? rnd(&f->r) & 7 : rnd(&f->r));
		break;
	case F_MIGRATE:
		pid = fuzz_pid(f);
		ret = syscall(__NR_migrate_pages, pid, fuzz_maxnode(f),
			      fuzz_mask(f), fuzz_mask(f));
		break;
	case F_MOVE:
		pid = fuzz_pid(f);
		nr = rndn(&f->r, 8) ? rndn(&f->r, FUZZ_ARRAY + 1) :
					  (unsigned long)rnd(&f->r);
		for (i = 0; i < FUZZ_ARRAY; i++) {
			f->pages[i] = pid == f->victim && (rnd(&f->r) & 1) ?
				      f->vaddr + rndn(&f->r, 64) * PAGE :
				      (void *)fuzz_addr(f);
			f->nodes[i] = rndn(&f->r, 4) ? rnd_node(&f->r) :
						       (int)rnd(&f->r);
			f->status[i] = -1000;
		}
		ret = syscall(__NR_move_pages, pid, nr,
			      rndn(&f->r, 8) ? f->pages : (void **)fuzz_addr(f),
			      rndn(&f->r, 3) ? f->nodes : NULL,
			      stp = fuzz_out(f, f->status),
			      rndn(&f->r, 3) ? (int)(rnd(&f->r) & 6) : (int)rnd(&f->r));
		break;
	}
	count(c_fuzz_calls, 1);
	if (f->unpriv)
		count(c_fuzz_unpriv_calls, 1);
	if (ret < 0 && !errno_documented(call, errno))
		report(c_unexpected, "fuzz %s%s: undocumented errno %d (%s)",
		       fuzz_name[call], f->unpriv ? " (nobody)" : "", errno,
		       strerror(errno));
	else if (ret < 0)
		count(c_fuzz_errno, 1);
	else
		count(c_fuzz_ok, 1);
	/* Nobody may neither query nor move a root process's pages. */
	if (f->unpriv && ret >= 0 && (call == F_MIGRATE || call == F_MOVE) &&
	    (pid == f->victim || pid == 1))
		report(c_unexpected, "fuzz %s (nobody) on root's pid %d returned %ld",
		       fuzz_name[call], pid, ret);
	if (call == F_MOVE && ret >= 0 && stp == f->status &&
	    nr <= FUZZ_ARRAY)
		for (i = 0; i < (int)nr; i++)
			if (f->status[i] != -1000 && !status_ok(f->status[i]))
				report(c_unexpected, "fuzz move_pages: status %d",
				       f->status[i]);
}

/* A process: fuzz for @secs, as nobody when @unpriv. */
static void fuzzer(double secs, bool unpriv, pid_t victim, char *vaddr,
		   uint64_t stream)
{
	struct fuzz f = { .victim = victim, .vaddr = vaddr, .unpriv = unpriv };
	double end = now() + secs;

	rng_init(&f.r, stream);
	f.gone = mig_unused_pid();
	f.buf = mmap(NULL, FUZZ_PAGES * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	f.mask = guarded(1024 * sizeof(*f.mask));
	f.pages = guarded(FUZZ_ARRAY * sizeof(*f.pages));
	f.nodes = guarded(FUZZ_ARRAY * sizeof(*f.nodes));
	f.status = guarded(FUZZ_ARRAY * sizeof(*f.status));
	f.mode = guarded(2 * sizeof(*f.mode));
	if (f.buf == MAP_FAILED)
		_exit(2);
	if (unpriv && (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY)))
		_exit(2);
	while (now() < end)
		fuzz_one(&f);
}

/* Fuzz in a child process, which exits, as nobody when @unpriv. */
static void run_fuzzer(double secs, bool unpriv, pid_t victim, char *vaddr)
{
	pid_t pid = fork();

	if (!pid) {
		fuzzer(secs, unpriv, victim, vaddr, unpriv ? 8 : 7);
		_exit(0);
	}
	reap(pid, unpriv ? "nobody fuzzer" : "root fuzzer");
}

static unsigned long placement(pid_t pid, void **pages, int n)
{
	unsigned long h = 0;
	int st[64], i;

	if (mig_move_pages(pid, n, pages, NULL, st, 0))
		report(c_unexpected, "fuzz: cannot query the victim's pages: %s",
		       strerror(errno));
	for (i = 0; i < n; i++)
		h = h * 31 + st[i];
	return h;
}

static void phase_fuzz(double secs)
{
	unsigned long long bad0 = sh->c[c_unexpected];
	unsigned long before, after;
	uint64_t data = seed ^ 0x5555;
	int up[2], down[2], i;
	struct mig_area v;
	pid_t victim;
	void *pages[64];
	char *addr = NULL;

	say("# fuzz: %.0f s, half as root, half as nobody", secs);
	/* The victim: a root process with 64 pages on the first node. */
	if (pipe(up) || pipe(down))
		return verdict("fuzz.setup", false, "pipe(): %s", strerror(errno));
	victim = fork();
	if (!victim) {
		if (mig_area_create(&v, MIG_ANON, 64, nodes[0], data))
			_exit(2);
		if (write(up[1], &v.addr, sizeof(v.addr)) != sizeof(v.addr) ||
		    read(down[0], &addr, sizeof(addr)) != sizeof(addr))
			_exit(2);
		_exit(mig_check(v.addr, v.len, data) ? 1 : 0);
	}
	close(up[1]);
	close(down[0]);
	if (read(up[0], &addr, sizeof(addr)) != sizeof(addr)) {
		reap(victim, "victim process");
		return verdict("fuzz.setup", false, "no victim process");
	}
	for (i = 0; i < 64; i++)
		pages[i] = addr + i * PAGE;

	run_fuzzer(secs / 2, false, victim, addr);
	/* Where the victim's pages are now: nobody must not change that. */
	before = placement(victim, pages, 64);
	run_fuzzer(secs / 2, true, victim, addr);
	after = placement(victim, pages, 64);

	if (write(down[1], &addr, sizeof(addr)) != sizeof(addr))
		report(c_unexpected, "fuzz: victim gone");
	reap(victim, "victim process");
	close(up[0]);
	close(down[1]);
	verdict("fuzz.errnos", sh->c[c_unexpected] == bad0,
		"%llu calls (%llu as nobody): %llu succeeded, %llu failed with documented errnos",
		sh->c[c_fuzz_calls], sh->c[c_fuzz_unpriv_calls], sh->c[c_fuzz_ok],
		sh->c[c_fuzz_errno]);
	verdict("fuzz.other_users_pages", before == after && sh->c[c_unexpected] == bad0,
		"a root process's pages stayed where they were and intact");
}

/* ------------------------------------------------------------------ */

static long long meminfo(const char *field)
{
	char line[128];
	long long v = -1;
	size_t n = strlen(field);
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			v = atoll(line + n + 1);
	if (f)
		fclose(f);
	return v;
}

#define MEMINFO(M) M(MemTotal) M(MemFree) M(PcpFree) M(Slab) M(Percpu)	\
	M(PageTables) M(KernelStack) M(VmallocUsed) M(Cached) M(AnonPages)
#define M_ENUM(n) m_##n,
enum { MEMINFO(M_ENUM) NR_MEMINFO };
#define M_NAME(n) #n,
static const char * const meminfo_name[] = { MEMINFO(M_NAME) };

/*
 * kB of free pages on the per-CPU lists (the "count:" of each pageset in
 * /proc/zoneinfo), which MemFree leaves out: their number follows the
 * allocation pattern, up to each list's high mark.
 */
static long long pcp_free_kb(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[256];
	long long kb = 0, n;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %lld", &n) == 1)
			kb += n * (long long)(PAGE / 1024);
	if (f)
		fclose(f);
	return kb;
}

/* /proc/meminfo once caches are dropped. */
static void settled_meminfo(long long *m)
{
	int i;

	sync();
	write_str("/proc/sys/vm/drop_caches", "3");
	write_str("/proc/sys/vm/stat_refresh", "1");
	for (i = 0; i < NR_MEMINFO; i++)
		m[i] = i == m_PcpFree ? pcp_free_kb() : meminfo(meminfo_name[i]);
}

static bool feature_lazy(void)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool ok = !mig_mbind(p, PAGE, MPOL_BIND, mig_bit(nodes[0]),
			     MPOL_MF_MOVE | MPOL_MF_LAZY);

	munmap(p, PAGE);
	return ok;
}

/*
 * A bug of rig-stress itself, not of the kernel: say where (addresses for
 * addr2line on the host's build/initramfs.cpio.gz.d/usr/bin/rig-stress),
 * with the mappings, and exit 9.
 */
static void on_segv(int sig, siginfo_t *si, void *uc)
{
	void *bt[32];
	int n = backtrace(bt, 32), fd;
	char buf[4096];
	ssize_t r;

	say("SEGV at %p tid %ld", si->si_addr, (long)syscall(SYS_gettid));
	backtrace_symbols_fd(bt, n, 1);
	fd = open("/proc/self/maps", O_RDONLY);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (write(1, buf, r) < 0)
			break;
	_exit(9);
}

static void usage(void)
{
	fprintf(stderr, "usage: rig-stress [-d SECONDS] [-s SEED] [-p chaos,inject,fuzz]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	double secs = 120, t0 = now();
	long long m0[NR_MEMINFO], m1[NR_MEMINFO], free0, free1, slack_kb;
	long long iso_anon = -1, iso_file = -1;
	const char *phases = "chaos,inject,fuzz";
	int opt, i, tries;

	seed = (uint64_t)time(NULL);
	while ((opt = getopt(argc, argv, "d:s:p:")) != -1) {
		if (opt == 'd')
			secs = atof(optarg);
		else if (opt == 's')
			seed = strtoull(optarg, NULL, 0);
		else if (opt == 'p')
			phases = optarg;
		else
			usage();
	}
	if (secs < 10)
		usage();
	setvbuf(stdout, NULL, _IONBF, 0);
	{
		struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };

		sigaction(SIGSEGV, &sa, NULL);
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 2;

	nr_nodes = mig_node_list("has_memory", nodes, MIG_MAX_NODES);
	for (i = 0; i < nr_nodes; i++) {
		all_nodes |= mig_bit(nodes[i]);
		if (mig_node_cpu(nodes[i]) >= 0)
			cpu_nodes[nr_cpu_nodes++] = nodes[i];
	}
	if (nr_nodes < 2 || !nr_cpu_nodes) {
		say("error: rig-stress needs two memory nodes and a CPU node");
		return 2;
	}
	has_lazy = feature_lazy();
	has_pagecache = mig_vmstat("numa_lazy_pagecache_migrated") >= 0;
	say("# rig-stress: seed %llu, %.0f s (replay: make stress SEED=%llu DURATION=%.0f)",
	    (unsigned long long)seed, secs, (unsigned long long)seed, secs);
	say("# kernel: MPOL_MF_LAZY %s, page cache on fault %s",
	    has_lazy ? "yes" : "no (its parts are skipped)",
	    has_pagecache ? "yes" : "no (its parts are skipped)");
	if ((mig_feature_expected("lazy") && !has_lazy) ||
	    (mig_feature_expected("pagecache") && !has_pagecache))
		verdict("features", false, "this kernel should have the series' features");
	if (hist_setup())
		return 2;
	/*
	 * The helpers' ext4 (their paths), mounted first with -o discard: the
	 * tmpfs file behind the loop device then gives back the blocks of
	 * deleted files, and MemFree can come back.
	 */
	mkdir(EXT4_DIR, 0755);
	if (system("truncate -s 64M " EXT4_IMG " && mkfs.ext4 -q -F " EXT4_IMG
		   " >/dev/null 2>&1 && mount -o loop,discard " EXT4_IMG " "
		   EXT4_DIR) || !mig_ext4_dir()) {
		say("error: cannot mount ext4 on a loop device");
		return 2;
	}
	write_str("/proc/sys/vm/compaction_proactiveness", "0");
	settled_meminfo(m0);

	if (strstr(phases, "chaos"))
		phase_chaos(secs * 0.60);
	if (strstr(phases, "inject"))
		phase_inject(secs * 0.15);
	if (strstr(phases, "fuzz"))
		phase_fuzz(secs * 0.25);

	for (i = 0; i < NR_COUNTERS; i++)
		say("STRESS %s %llu", counter_name[i], sh->c[i]);
	verdict("checksums", !sh->c[c_mismatch],
		"%llu mismatches; %llu pages verified", sh->c[c_mismatch],
		sh->c[c_w_pages_verified]);
	verdict("tasks", !sh->c[c_killed], "%llu tasks killed", sh->c[c_killed]);
	verdict("results", !sh->c[c_unexpected],
		"%llu unexpected results", sh->c[c_unexpected]);
	/* Isolated pages: none once nothing runs (kcompactd may be busy). */
	for (tries = 0; tries < 50; tries++) {
		write_str("/proc/sys/vm/stat_refresh", "1");
		iso_anon = mig_vmstat("nr_isolated_anon");
		iso_file = mig_vmstat("nr_isolated_file");
		if (!iso_anon && !iso_file)
			break;
		sleep_ms(100);
	}
	verdict("isolated", !iso_anon && !iso_file,
		"nr_isolated_anon %lld, nr_isolated_file %lld", iso_anon, iso_file);
	settled_meminfo(m1);
	for (i = 0; i < NR_MEMINFO; i++)
		say("STRESS meminfo.%s %lld %lld %+lld", meminfo_name[i], m0[i],
		    m1[i], m1[i] - m0[i]);
	/*
	 * Free memory counts the per-CPU free lists too. Slab keeps what it
	 * grew to, and KASAN's quarantine keeps freed objects in slab pages
	 * (up to 1/32 of memory): that growth is excused, and 16 MiB more.
	 */
	slack_kb = 16384 + (m1[m_Slab] > m0[m_Slab] ? m1[m_Slab] - m0[m_Slab] : 0);
	free0 = m0[m_MemFree] + m0[m_PcpFree];
	free1 = m1[m_MemFree] + m1[m_PcpFree];
	verdict("memfree", free1 >= free0 - slack_kb &&
		m1[m_MemTotal] == m0[m_MemTotal],
		"MemFree + per-CPU free lists: %lld kB before, %lld kB after (%+lld kB; slack %lld kB: 16 MiB and the growth of Slab), MemTotal %+lld kB",
		free0, free1, free1 - free0, slack_kb,
		m1[m_MemTotal] - m0[m_MemTotal]);
	say("# rig-stress: %s (seed %llu, %.0f s)",
	    nr_failed_verdicts ? "FAIL" : "PASS", (unsigned long long)seed,
	    now() - t0);
	return nr_failed_verdicts ? 1 : 0;
}
