// SPDX-License-Identifier: GPL-2.0
/*
 * Sysctls set for a guest program's run and put back at its end; see
 * rig-sysctl.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rig-sysctl.h"

#define RIG_SYSCTL_MAX	8
#define LINE		512

static struct {
	char path[128];
	char old[64];
} saved[RIG_SYSCTL_MAX];
static int nr_saved;
static pid_t owner;

/* open(), read() and write() only: the signal handler calls this too. */
static int write_val(const char *path, const char *val)
{
	size_t len = strlen(val);
	int fd = open(path, O_WRONLY), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, val, len) == (ssize_t)len ? 0 : -1;
	close(fd);
	return ret;
}

static int read_val(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void restore(void)
{
	int i;

	if (getpid() != owner)
		return;
	for (i = nr_saved - 1; i >= 0; i--)
		write_val(saved[i].path, saved[i].old);
	nr_saved = 0;
}

static void on_signal(int sig)
{
	restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Append to the line of LINE bytes that @len bytes of @line already fill. */
static void __attribute__((format(printf, 3, 4)))
add(char *line, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line + *len, LINE - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = *len + n < LINE ? *len + n : LINE - 1;
}

int rig_sysctls_for_run(const char *who, const struct rig_sysctl *s, int n)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	char line[LINE], path[128], old[64];
	size_t len = 0;
	int i;

	if (!owner) {
		owner = getpid();
		atexit(restore);
		for (i = 0; i < (int)(sizeof(sigs) / sizeof(sigs[0])); i++)
			signal(sigs[i], on_signal);
	}
	add(line, &len, "%s:", who);
	for (i = 0; i < n; i++) {
		char *p;

		snprintf(path, sizeof(path), "/proc/sys/%s", s[i].name);
		for (p = path + strlen("/proc/sys/"); *p; p++)
			if (*p == '.')
				*p = '/';
		if (read_val(path, old, sizeof(old))) {
			if (errno != ENOENT)
				goto fail;
			add(line, &len, "%s %s absent", i ? "," : "",
			    s[i].name);
			continue;
		}
		if (nr_saved == RIG_SYSCTL_MAX) {
			errno = ENOSPC;
			goto fail;
		}
		strcpy(saved[nr_saved].path, path);
		strcpy(saved[nr_saved].old, old);
		nr_saved++;
		if (write_val(path, s[i].val))
			goto fail;
		add(line, &len, "%s %s %s -> %s", i ? "," : "", s[i].name, old,
		    s[i].val);
	}
	printf("%s for the run (restored at exit)\n", line);
	fflush(stdout);
	return 0;
fail:
	fprintf(stderr, "%s: %s: %s\n", who, path, strerror(errno));
	return -1;
}
