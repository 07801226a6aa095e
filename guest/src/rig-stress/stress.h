/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rig-stress: what its phases share (common.c). main.c runs the phases,
 * chaos.c, inject.c and fuzz.c, and gives the verdicts; see main.c.
 */
#ifndef RIG_STRESS_H
#define RIG_STRESS_H

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
#include <sys/uio.h>
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
#define DEBUGFS		"/sys/kernel/debug"

/* Counters, summed over the processes of the campaign (shared memory). */
#define COUNTERS(C)							\
	C(w_write) C(w_verify) C(w_pages_verified) C(w_dontneed)	\
	C(w_cold) C(w_pageout) C(w_mprotect) C(w_fork) C(w_mremap)	\
	C(w_mremap_split)						\
	C(w_remap) C(w_truncate) C(w_fadvise)				\
	C(mbind) C(mbind_lazy) C(mbind_eio) C(mbind_enomem)		\
	C(nexttouch) C(nexttouch_remote) C(nexttouch_gone)		\
	C(cpuset_lazy_flip)						\
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

struct shared {
	int go;		/* the workers' areas are in place */
	int stop;
	int nr_reports;
	unsigned long long c[NR_COUNTERS];
};

extern struct shared *sh;

void count(int c, unsigned long long n);
bool stopping(void);
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void report(int c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* splitmix64: one generator per thread, derived from the seed. */
struct rng {
	uint64_t s;
};

extern uint64_t seed;
uint64_t rnd(struct rng *r);
unsigned long rndn(struct rng *r, unsigned long n);
void rng_init(struct rng *r, uint64_t stream);

extern int nodes[MIG_MAX_NODES], nr_nodes;	/* nodes with memory */
extern int cpu_nodes[MIG_MAX_NODES], nr_cpu_nodes;
extern unsigned long all_nodes;
extern bool has_lazy, has_pagecache, has_nexttouch, has_cpuset_lazy;

int rnd_node(struct rng *r);
unsigned long rnd_mask(struct rng *r);

double now(void);
void sleep_ms(long ms);
int write_str(const char *path, const char *val);

enum kind { K_ANON, K_THP, K_SHMEM, K_MEMFD, K_TMPFS, K_EXT4, NR_KINDS };
extern const char * const kind_name[NR_KINDS];
extern const enum mig_kind mig_kinds[NR_KINDS];

/* A move_pages() status that the man page allows. */
bool status_ok(int st);
/* Wait for a process; count it when it was killed or failed. */
void reap(pid_t pid, const char *what);

/* Migrations by reason: a histogram trigger on mm_migrate_pages. */
#define NR_REASONS 32
struct hist {
	unsigned long long ok[NR_REASONS], failed[NR_REASONS];
};

int hist_setup(void);
unsigned long long hist_ok(struct hist *a, struct hist *b, const char *name);
unsigned long long hist_failed(struct hist *a, struct hist *b,
			       const char *name);

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

struct snap {
	long long v[NR_VMSTATS];
	struct hist h;
};

void snap_take(struct snap *s);
long long dv(struct snap *a, struct snap *b, int i);

/* Verdicts: "VERDICT name PASS|FAIL detail" lines. */
extern int nr_failed_verdicts;
void verdict(const char *name, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void check_counters(const char *phase, struct snap *a, struct snap *b,
		    unsigned long long observed);

/* The phases, each for @secs seconds. */
void phase_chaos(double secs);
void phase_inject(double secs);
void phase_fuzz(double secs);

#endif /* RIG_STRESS_H */
