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
 * Each decision comes from the seed. Output: "# rig-stress: ... for the
 * run (restored at exit)" with the sysctls set for the run, "STRESS name
 * value" lines, "VERDICT name PASS|FAIL detail" lines and a last
 * "# rig-stress: PASS" or "FAIL"; the exit status is 0 only when every
 * verdict passed.
 */
#include "stress.h"
#include "rig-sysctl.h"


#define C_NAME(n) #n,
static const char * const counter_name[] = { COUNTERS(C_NAME) };

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
	/*
	 * Pages move only when the campaign moves them: in the chaos phase,
	 * its system actor switches NUMA balancing on and off and compacts
	 * memory, and leaves balancing off.
	 */
	static const struct rig_sysctl quiet[] = {
		{ "kernel.numa_balancing", "0" },
		{ "vm.compaction_proactiveness", "0" },
	};
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
	has_lazy = mig_has_feature("lazy");
	has_pagecache = mig_has_feature("pagecache");
	has_nexttouch = mig_has_feature("nexttouch");
	say("# rig-stress: seed %llu, %.0f s (replay: make stress SEED=%llu DURATION=%.0f)",
	    (unsigned long long)seed, secs, (unsigned long long)seed, secs);
	say("# kernel: MPOL_MF_LAZY %s, page cache on fault %s, MADV_NEXTTOUCH %s",
	    has_lazy ? "yes" : "no (its parts are skipped)",
	    has_pagecache ? "yes" : "no (its parts are skipped)",
	    has_nexttouch ? "yes" : "no (its parts are skipped)");
	if (rig_sysctls_for_run("# rig-stress", quiet, 2)) {
		say("error: cannot set the sysctls of the run");
		return 2;
	}
	if ((mig_feature_expected("lazy") && !has_lazy) ||
	    (mig_feature_expected("pagecache") && !has_pagecache) ||
	    (mig_feature_expected("nexttouch") && !has_nexttouch))
		verdict("features", false, "this kernel should have the series' features");
	if (hist_setup())
		return 2;
	/*
	 * The helpers' ext4 (their paths), mounted first with -o discard: the
	 * tmpfs file behind the loop device then gives back the blocks of
	 * deleted files, and MemFree can come back.
	 */
	mkdir(MIG_EXT4_DIR, 0755);
	if (system("truncate -s 64M " MIG_EXT4_IMG " && mkfs.ext4 -q -F " MIG_EXT4_IMG
		   " >/dev/null 2>&1 && mount -o loop,discard " MIG_EXT4_IMG " "
		   MIG_EXT4_DIR) || !mig_ext4_dir()) {
		say("error: cannot mount ext4 on a loop device");
		return 2;
	}
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
	if (system("umount " MIG_EXT4_DIR) == 0)
		unlink(MIG_EXT4_IMG);
	say("# rig-stress: %s (seed %llu, %.0f s)",
	    nr_failed_verdicts ? "FAIL" : "PASS", (unsigned long long)seed,
	    now() - t0);
	return nr_failed_verdicts ? 1 : 0;
}
