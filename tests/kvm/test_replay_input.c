// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_replay_input.c - hostile input to `tcesim replay` (issue 7): how
 * files are read (streamed, every gzip member, real errno, corrupt data
 * named with its byte offset), empty traces, echoed tokens, and records of
 * calls QEMU did not trace. Each test failed before its fix.
 */
#include "tcesim_test.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lzma.h>
#include <zlib.h>

#include <tcesim/replay.h>

#define T_HDR "T 0 0x71000002 0x0 12 0x10000 dt:l-lan\n"

static struct tcesim_replay_summary sum;

/* tcesim_replay_file() of @path without an X file; messages in *@err. */
static int replay_path(const char *path, char **err)
{
	struct tcesim_replay_opts o = { .size = sizeof(o), .hcall = TCESIM_HCALL_QEMU };
	size_t elen;
	FILE *f = open_memstream(err, &elen);
	int ret;

	assert_non_null(f);
	o.err = f;
	o.no_xlate = true;
	ret = tcesim_replay_file(path, &o, &sum);
	fclose(f);
	return ret;
}

static int replay_text(const char *tce, char **err)
{
	struct tcesim_replay_opts o = { .size = sizeof(o), .hcall = TCESIM_HCALL_QEMU };
	size_t elen;
	FILE *f = open_memstream(err, &elen);
	int ret;

	assert_non_null(f);
	o.err = f;
	ret = tcesim_replay_buffers("t.tce", tce, strlen(tce), NULL, NULL, 0, &o, &sum);
	fclose(f);
	return ret;
}

static void write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static void tmpname(char *buf, size_t size, const char *sfx)
{
	snprintf(buf, size, "/tmp/tcesim-rin-%d-%s", (int)getpid(), sfx);
}

/* Defect 3: every member of a multi-member gzip file is replayed. */
static void test_gzip_members(void **state)
{
	char path[128], *err = NULL;
	gzFile gz;

	(void)state;
	tmpname(path, sizeof(path), "mm.tce.txt.gz");
	unlink(path);
	gz = gzopen(path, "wb");	/* (gzip -c a; gzip -c b) > t.tce.txt.gz */
	assert_non_null(gz);
	gzputs(gz, T_HDR "P 1 0x71000002 0x1000 0x1003 0\n");
	gzclose(gz);
	gz = gzopen(path, "ab");	/* append mode: a second member */
	assert_non_null(gz);
	gzputs(gz, "P 2 0x71000002 0x2000 0x2003 0\nP 3 0x71000002 0x3000 0x3003 0\n");
	gzclose(gz);
	assert_int_equal(replay_path(path, &err), 0);
	assert_int_equal(sum.hcalls, 3);
	assert_int_equal(sum.final_live, 3);
	free(err);
	unlink(path);
}

/* A large, highly compressible member: output still pending when the input ends. */
static void test_gzip_large_member(void **state)
{
	char path[128], line[128], *err = NULL;
	gzFile gz;
	int i;

	(void)state;
	tmpname(path, sizeof(path), "big.tce.txt.gz");
	gz = gzopen(path, "wb9");
	assert_non_null(gz);
	gzputs(gz, T_HDR);
	memset(line, 'c', sizeof(line));
	line[0] = '#';
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	for (i = 0; i < 40000; i++)
		gzputs(gz, line);
	gzputs(gz, "P 1 0x71000002 0x1000 0x1003 0\n");
	for (i = 0; i < 40000; i++)
		gzputs(gz, "\n");
	gzclose(gz);
	assert_int_equal(replay_path(path, &err), 0);
	assert_int_equal(sum.hcalls, 1);
	free(err);
	unlink(path);
}

/* Defect 4: a read error is "FILE: cannot read: <strerror>", exit 2 (not EIO). */
static void test_read_error_errno(void **state)
{
	char dir[128], want[256], *err = NULL;

	(void)state;
	tmpname(dir, sizeof(dir), "dir.tce.txt");
	rmdir(dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(replay_path(dir, &err), 2);
	snprintf(want, sizeof(want), "%s: cannot read: %s", dir, strerror(EISDIR));
	if (!strstr(err, want))
		fail_msg("got '%s', want '%s'", err, want);
	free(err);
	rmdir(dir);
}

/* Defect 8: corrupt or truncated compressed data names the byte. */
static void test_corrupt_compressed(void **state)
{
	const char *text = T_HDR "P 1 0x71000002 0x1000 0x1003 0\nP 2 0x71000002 0x2000 0x3 0\n";
	uint8_t xz[4096];
	size_t xzlen = 0;
	char path[128], *err = NULL;
	uLongf gzcap = 4096;
	unsigned char gzb[4096];
	z_stream zs;

	(void)state;
	/* xz cut in the middle */
	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, (const uint8_t *)text,
						 strlen(text), xz, &xzlen, sizeof(xz)),
			 LZMA_OK);
	tmpname(path, sizeof(path), "cut.tce.txt.xz");
	write_file(path, xz, xzlen / 2);
	assert_int_equal(replay_path(path, &err), 2);
	if (!strstr(err, "corrupt or truncated xz data at byte "))
		fail_msg("got '%s'", err);
	assert_null(strstr(err, "Invalid argument"));
	free(err);
	/* xz with a flipped byte in the check */
	xz[xzlen - 14] ^= 0x55;
	write_file(path, xz, xzlen);
	assert_int_equal(replay_path(path, &err), 2);
	assert_non_null(strstr(err, "corrupt or truncated xz data at byte "));
	free(err);
	unlink(path);
	/* gzip with a bad CRC, and gzip cut short */
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (unsigned char *)(uintptr_t)text;
	zs.avail_in = (uInt)strlen(text);
	zs.next_out = gzb;
	zs.avail_out = (uInt)gzcap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	gzcap = zs.total_out;
	deflateEnd(&zs);
	tmpname(path, sizeof(path), "crc.tce.txt.gz");
	gzb[gzcap - 8] ^= 0xff;	/* the CRC32 of the trailer */
	write_file(path, gzb, gzcap);
	assert_int_equal(replay_path(path, &err), 2);
	if (!strstr(err, "corrupt or truncated gzip data at byte "))
		fail_msg("got '%s'", err);
	free(err);
	gzb[gzcap - 8] ^= 0xff;
	write_file(path, gzb, gzcap - 12);
	assert_int_equal(replay_path(path, &err), 2);
	assert_non_null(strstr(err, "corrupt or truncated gzip data at byte "));
	free(err);
	unlink(path);
}

/* Defect 8: a trace without records does not agree with QEMU: exit 2, "no records". */
static void test_empty_trace(void **state)
{
	char path[128], *err = NULL;

	(void)state;
	assert_int_equal(replay_text("", &err), 2);
	assert_non_null(strstr(err, "t.tce: no records"));
	free(err);
	assert_int_equal(replay_text("# only a comment\n\n   \n", &err), 2);
	assert_non_null(strstr(err, "no records"));
	free(err);
	tmpname(path, sizeof(path), "empty.tce.txt");
	write_file(path, "", 0);
	assert_int_equal(replay_path(path, &err), 2);
	assert_non_null(strstr(err, "no records"));
	free(err);
	unlink(path);
}

/* Defect 8: bad tokens are echoed cut at 64 bytes, control bytes escaped. */
static void test_echo_cut_escaped(void **state)
{
	char line[512], want[128], *err = NULL, *q;
	size_t n;

	(void)state;
	n = (size_t)snprintf(line, sizeof(line), T_HDR "P 1 0x71000002 0x0 \x1b[2J");
	memset(line + n, 'A', 200);
	snprintf(line + n + 200, sizeof(line) - n - 200, " 0\n");
	assert_int_equal(replay_text(line, &err), 2);
	assert_non_null(strstr(err, "t.tce:2: bad tce '\\x1b[2J"));
	assert_null(strchr(err, '\x1b'));
	/* 64 bytes of token: the escape (4 chars for 1 byte), "[2J" and 60 'A' */
	memset(want, 'A', 60);
	snprintf(want + 60, sizeof(want) - 60, "...'");
	q = strstr(err, want);
	assert_non_null(q);
	assert_int_not_equal(q[-1], 'A');
	free(err);
}

/*
 * Defect 6: records of calls QEMU did not trace ('-' for its traced
 * values) are checked on their return code and on the model not tracing;
 * a '-' list with npages > 512 and traced values is refused.
 */
static void test_untraced_records(void **state)
{
	char *err = NULL;

	(void)state;
	assert_int_equal(replay_text(T_HDR "I 1 0x71000002 0x0 0x1000 513 -4 - - -\n"
					   "I 2 0x71000002 0x0 0x1001 1 -4 - - 0x1003\n"
					   "I 3 0x99 0x0 0x1000 1 -4 - - 0x1003\n"
					   "S 4 0x99 0x0 0x0 1 -4 -\n"
					   "S 5 0x71000002 0x0 0x0 17 -4 -\n",
				     &err),
			 0);
	assert_int_equal(sum.hcalls, 5);
	assert_int_equal(sum.mismatches, 0);
	free(err);
	/* the model traces this one: QEMU says it did not */
	assert_int_equal(replay_text(T_HDR "S 1 0x71000002 0x0 0x0 1 0 -\n", &err), 1);
	assert_int_equal(sum.trace_mismatches, 1);
	assert_non_null(strstr(err, "QEMU did not trace it"));
	free(err);
	/* an INDIRECT QEMU cannot have traced, with traced values: refused */
	assert_int_equal(replay_text(T_HDR "I 1 0x71000002 0x0 0x1000 513 -4 0 0x0 -\n", &err),
			 2);
	assert_non_null(strstr(err, "t.tce:2: H_PUT_TCE_INDIRECT of 513 > 512 pages"));
	free(err);
	assert_int_equal(replay_text(T_HDR "I 1 0x71000002 0x0 0x1000 1 -4 - 0x0 0x1\n", &err), 2);
	assert_non_null(strstr(err, "qemu_tce must be '-'"));
	free(err);
}

/* A line longer than the reader's buffer is an error of that line. */
static void test_long_line(void **state)
{
	size_t n = 300 * 1024;
	char *t = malloc(n + 64), *err = NULL;

	(void)state;
	assert_non_null(t);
	snprintf(t, 64, T_HDR "P 1 ");
	memset(t + strlen(t), '0', n);
	t[n] = '\0';
	assert_int_equal(replay_text(t, &err), 2);
	assert_non_null(strstr(err, "t.tce:2: line longer than"));
	free(err);
	free(t);
}

struct feeder {
	const char *path;
	int fd;
	size_t total, written;
};

/* Writes a bad line, then @total bytes of comments, until the reader closes. */
static void *feed(void *arg)
{
	struct feeder *f = arg;
	char chunk[4096];

	memset(chunk, 'c', sizeof(chunk));
	chunk[0] = '#';
	chunk[sizeof(chunk) - 1] = '\n';
	if (write(f->fd, "P 1 bad\n", 8) != 8)
		return NULL;
	while (f->written < f->total) {
		ssize_t k = write(f->fd, chunk, sizeof(chunk));

		if (k <= 0)
			break;	/* EPIPE: the replay stopped reading */
		f->written += (size_t)k;
	}
	close(f->fd);
	return NULL;
}

static void *open_and_feed(void *arg)
{
	struct feeder *f = arg;

	f->fd = open(f->path, O_WRONLY);
	return f->fd < 0 ? NULL : feed(f);
}

/*
 * Defect 7: the input is streamed. Through a FIFO, the replay stops at the
 * bad first line having read a few chunks, not the 64 MiB the writer has
 * (the old reader read everything into memory first, then parsed).
 */
static void test_input_streamed(void **state)
{
	struct feeder f = { .total = 64u << 20 };
	char path[128], *err = NULL;
	pthread_t th;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	tmpname(path, sizeof(path), "fifo.tce.txt");
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	/* the writer's open blocks until the replay opens the FIFO for reading */
	f.path = path;
	assert_int_equal(pthread_create(&th, NULL, open_and_feed, &f), 0);
	assert_int_equal(replay_path(path, &err), 2);
	pthread_join(th, NULL);
	assert_non_null(strstr(err, ":1: bad liobn"));
	if (f.written >= 4u << 20)
		fail_msg("the writer got %zu bytes in: the input was not streamed", f.written);
	free(err);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip_members),
		cmocka_unit_test(test_gzip_large_member),
		cmocka_unit_test(test_read_error_errno),
		cmocka_unit_test(test_corrupt_compressed),
		cmocka_unit_test(test_empty_trace),
		cmocka_unit_test(test_echo_cut_escaped),
		cmocka_unit_test(test_untraced_records),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_input_streamed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
