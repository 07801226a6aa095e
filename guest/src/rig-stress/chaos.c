// SPDX-License-Identifier: GPL-2.0
/*
 * rig-stress, phase 1: chaos. Workers write and verify checksummed pages
 * of their areas and change their mappings while actors migrate them in
 * every way there is; see main.c.
 */
#include "stress.h"

#define AREA_PAGES	1024UL		/* 4 MiB per worker area */
#define CGROUP		"/sys/fs/cgroup/rig-stress"

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
		/* One call in four arms the range without a new policy */
		if (has_nexttouch && !rndn(&r, 4)) {
			if (madvise(s->a.addr + from * PAGE, n * PAGE,
				    MADV_NEXTTOUCH))
				report(c_unexpected,
				       "madvise(area %u, pages %lu+%lu, MADV_NEXTTOUCH): %s",
				       s->id, from, n, strerror(errno));
			count(c_nexttouch, 1);
			pthread_rwlock_unlock(&s->lock);
			sleep_ms(rndn(&r, 20));
			continue;
		}
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
			/* Half of the changes are lazy ones */
			if (has_cpuset_lazy) {
				ret = write_str(CGROUP "/cpuset.mems.migration",
						rnd(&r) & 1 ? "lazy" : "eager");
				count(c_cpuset_lazy_flip, 1);
				if (ret)
					break;
			}
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

/*
 * process_madvise(MADV_NEXTTOUCH) on a random mapping of @pid, as a batch
 * scheduler arms a job's memory.  The mapping may go away meanwhile
 * (ENOMEM), and so may the cgroup's process at the end (ESRCH).
 */
static void nexttouch_remote(struct rng *r, pid_t pid)
{
	unsigned long start[256], end[256];
	int n = 0, i, pidfd;
	struct iovec iov;
	char path[64], line[512];
	FILE *f;
	long ret;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	while (f && n < 256 && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &start[n], &end[n]) == 2 &&
		    !strstr(line, "[vsyscall]"))
			n++;
	if (f)
		fclose(f);
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (!n || pidfd < 0) {
		count(c_nexttouch_gone, 1);
		if (pidfd >= 0)
			close(pidfd);
		return;
	}
	i = rndn(r, n);
	iov.iov_base = (void *)start[i];
	iov.iov_len = end[i] - start[i];
	ret = syscall(SYS_process_madvise, pidfd, &iov, 1, MADV_NEXTTOUCH, 0);
	if (ret < 0 && (errno == ENOMEM || errno == ESRCH))
		count(c_nexttouch_gone, 1);
	else if (ret != (long)iov.iov_len)
		report(c_unexpected, "process_madvise(%d, %#lx+%#zx, MADV_NEXTTOUCH): %ld, %s",
		       pid, start[i], iov.iov_len, ret, strerror(errno));
	count(c_nexttouch_remote, 1);
	close(pidfd);
}

/*
 * A process: migrate_pages(2) on the main process and the cpuset one, and
 * process_madvise(MADV_NEXTTOUCH) on them, one call in four.
 */
static void migrate_pages_actor(void)
{
	struct rng r;

	rng_init(&r, 4);
	wait_go();
	while (!stopping()) {
		bool cs = rnd(&r) & 1;
		pid_t pid = cs ? cpuset_pid : main_pid;
		unsigned long from = rnd_mask(&r), to = rnd_mask(&r);
		long ret;

		if (has_nexttouch && !rndn(&r, 4)) {
			nexttouch_remote(&r, pid);
			sleep_ms(20 + rndn(&r, 100));
			continue;
		}
		ret = mig_migrate_pages(pid, from, to);

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
	has_cpuset_lazy = !access(CGROUP "/cpuset.mems.migration", F_OK);
	say("# kernel: cpuset.mems.migration %s",
	    has_cpuset_lazy ? "yes" : "no (its parts are skipped)");
	if (mig_feature_expected("cpuset_lazy") && !has_cpuset_lazy)
		verdict("features", false, "this kernel should have cpuset.mems.migration");
	return ret;
}

/* ------------------------------------------------------------------ */
/* Phase 1: chaos.                                                     */

void phase_chaos(double secs)
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
