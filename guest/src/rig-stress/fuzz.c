// SPDX-License-Identifier: GPL-2.0
/*
 * rig-stress, phase 3: the NUMA system calls with hostile arguments, as
 * root and as nobody; see main.c.
 */
#include "stress.h"

#define NOBODY		65534

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

void phase_fuzz(double secs)
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
