// SPDX-License-Identifier: GPL-2.0
/*
 * rig-workload MIB: the demo's workload. Maps MIB MiB of private anonymous
 * memory, fills it with a pattern, prints the mapping's address and waits.
 * SIGUSR1 checks the pattern and prints "verify: OK" or "verify: N bad".
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t *buf;
static size_t words;
static volatile sig_atomic_t check;

static uint64_t word(size_t i)
{
	return (i + 1) * 0x9e3779b97f4a7c15ULL;
}

static void on_usr1(int sig)
{
	check = 1;
}

int main(int argc, char **argv)
{
	size_t len = (size_t)atol(argc > 1 ? argv[1] : "64") << 20;
	size_t i, bad;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	madvise(buf, len, MADV_NOHUGEPAGE);
	words = len / sizeof(*buf);
	for (i = 0; i < words; i++)
		buf[i] = word(i);
	signal(SIGUSR1, on_usr1);
	printf("%lx %zu\n", (unsigned long)buf, len / 4096);
	fflush(stdout);
	for (;;) {
		pause();
		if (!check)
			continue;
		check = 0;
		for (bad = 0, i = 0; i < words; i++)
			bad += buf[i] != word(i);
		if (bad)
			printf("verify: %zu bad words\n", bad);
		else
			printf("verify: OK\n");
		fflush(stdout);
	}
}
