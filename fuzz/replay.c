// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * replay.c - main() of a harness built without libFuzzer: runs each file
 * given, and each regular file under each directory given (recursively,
 * sorted), once through LLVMFuzzerTestOneInput(). Exit 0 when every file
 * ran (a crash, sanitizer report or hang is the failure, as in libFuzzer),
 * 2 on a usage or read error.
 *
 * -repeat=N runs each input N times and prints exec/s on stderr (to
 * measure harness speed without libFuzzer).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fuzz.h"

static long repeat = 1, nfiles, nexec;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;
	long i;

	if (!f) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (cap - len < 4096) {
			uint8_t *nb = realloc(buf, cap = cap * 2 + 4096);

			if (!nb) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	if (ferror(f)) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	for (i = 0; i < repeat; i++)
		LLVMFuzzerTestOneInput(buf, len);
	nfiles++;
	nexec += repeat;
	free(buf);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i;
	int ret = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		char **nn;

		if (e->d_name[0] == '.')
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn || asprintf(&nn[n], "%s/%s", path, e->d_name) < 0) {
			ret = -1;
			names = nn ? nn : names;
			break;
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp);
	for (i = 0; i < n; i++) {
		if (!ret && run_path(names[i]))
			ret = -1;
		free(names[i]);
	}
	free(names);
	return ret;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	double s;
	int i, ret = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "-repeat=", 8)) {
			repeat = strtol(argv[i] + 8, NULL, 0);
			if (repeat < 1) {
				fprintf(stderr, "%s: bad -repeat\n", argv[0]);
				return 2;
			}
			continue;
		}
		if (run_path(argv[i]))
			ret = 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(stderr, "%s: %ld files, %ld executions, %.3f s, %.0f exec/s\n", argv[0], nfiles,
		nexec, s, s > 0 ? (double)nexec / s : 0.0);
	if (!nfiles && !ret) {
		fprintf(stderr, "%s: no input files\n", argv[0]);
		ret = 2;
	}
	return ret;
}
