// SPDX-License-Identifier: GPL-2.0
/*
 * rig-stress, phase 2: migrations, eager and lazy, under injected
 * allocation failures; see main.c.
 */
#include "stress.h"

#define INJ_PAGES	256UL

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

void phase_inject(double secs)
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
