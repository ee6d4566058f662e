// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * replay_input.c - the replay's input: a trace file read and decompressed
 * as a stream, cut into lines.
 *
 * Concepts:
 *  - One buffer per file of REPLAY_CHUNK + REPLAY_LINE_MAX bytes holds the
 *    decompressed text not consumed yet; it is refilled REPLAY_CHUNK bytes
 *    of compressed input (read(2)) at a time, so memory is fixed whatever
 *    the file's size or compression ratio (issue 7, defect 7: a 306 KB xz
 *    of 2.1 GB of newlines used to need 2.1 GB).
 *  - xz: liblzma's stream decoder with LZMA_CONCATENATED (xz(1) reads
 *    concatenated streams too) and a memory limit of REPLAY_XZ_MEMLIMIT;
 *    gzip: zlib's inflate, one member after the other until the input ends
 *    (gzip(1) does the same; defect 3). A decoder error, or input that ends
 *    inside a stream, is "corrupt or truncated xz|gzip data at byte N", N
 *    the compressed bytes consumed (defect 8).
 *  - read(2) errors keep their errno: "cannot read: <strerror>" (defect 4).
 *  - Blank lines are skipped eight bytes at a time when they are all '\n'
 *    (cheap on the newline bomb); a line longer than REPLAY_LINE_MAX is an
 *    error of that line.
 * Single-threaded: a reader belongs to one replay.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lzma.h>
#include <zlib.h>

#include "replay_parts.h"

#define REPLAY_XZ_MEMLIMIT	(128ull << 20)	/* xz -9 needs 65 MiB */

enum in_kind { IN_MEM, IN_PLAIN, IN_XZ, IN_GZ };

struct replay_in {
	enum in_kind kind;
	int fd;
	/* compressed (or plain) bytes from the file */
	unsigned char *ibuf;
	size_t ilen;		/* valid bytes in ibuf */
	uint64_t iread;		/* bytes read from the file so far */
	bool ieof;
	lzma_stream xz;
	z_stream gz;
	bool dec_ready;
	/* decompressed text [start, end) of buf */
	char *buf;
	const char *text;	/* buf, or the caller's text (IN_MEM) */
	size_t cap, start, end;
	bool eof;		/* no more text after end */
	long line;		/* lines consumed */
	/* the error */
	bool failed;
	int err;
	long err_line;
	char msg[160];
};

static int in_fail(struct replay_in *in, int err, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int in_fail(struct replay_in *in, int err, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(in->msg, sizeof(in->msg), fmt, ap);
	va_end(ap);
	in->failed = true;
	in->err = err;
	in->err_line = line;
	return -1;
}

/* Next piece of the file into ibuf (when it is used up). 0, or -1. */
static int raw_fill(struct replay_in *in)
{
	ssize_t n;

	if (in->ieof)
		return 0;
	do
		n = read(in->fd, in->ibuf, REPLAY_CHUNK);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return in_fail(in, -errno, 0, "cannot read: %s", strerror(errno));
	in->ilen = (size_t)n;
	in->iread += (uint64_t)n;
	in->ieof = n == 0;
	return 0;
}

static int corrupt(struct replay_in *in, const char *what, uint64_t avail_in)
{
	return in_fail(in, -EBADMSG, 0, "corrupt or truncated %s data at byte %" PRIu64, what,
		       in->iread - avail_in);
}

/* Decompress into [@out, @out + @room): bytes produced, or -1. */
static long dec_xz(struct replay_in *in, unsigned char *out, size_t room)
{
	lzma_stream *s = &in->xz;
	lzma_ret r;

	s->next_out = out;
	s->avail_out = room;
	while (s->avail_out) {
		if (!s->avail_in && !in->ieof) {
			if (raw_fill(in))
				return -1;
			s->next_in = in->ibuf;
			s->avail_in = in->ilen;
		}
		r = lzma_code(s, in->ieof ? LZMA_FINISH : LZMA_RUN);
		if (r == LZMA_STREAM_END) {
			in->eof = true;
			break;
		}
		if (r == LZMA_MEM_ERROR)
			return in_fail(in, -ENOMEM, 0, "cannot read: %s", strerror(ENOMEM));
		if (r == LZMA_MEMLIMIT_ERROR)
			return in_fail(in, -ENOMEM, 0, "xz data needs more than %llu MiB to decompress",
				       REPLAY_XZ_MEMLIMIT >> 20);
		if (r != LZMA_OK)	/* DATA, FORMAT, OPTIONS, BUF (truncated) errors */
			return corrupt(in, "xz", s->avail_in);
	}
	return (long)(room - s->avail_out);
}

static long dec_gz(struct replay_in *in, unsigned char *out, size_t room)
{
	z_stream *s = &in->gz;
	int r;

	s->next_out = out;
	s->avail_out = (uInt)room;
	while (s->avail_out) {
		if (!s->avail_in && !in->ieof) {
			if (raw_fill(in))
				return -1;
			s->next_in = in->ibuf;
			s->avail_in = (uInt)in->ilen;
		}
		/* with no input left inflate() may still have output to give */
		r = inflate(s, Z_NO_FLUSH);
		if (r == Z_STREAM_END) {
			/* another member follows? (gzip(1) reads them all) */
			if (!s->avail_in && !in->ieof) {
				if (raw_fill(in))
					return -1;
				s->next_in = in->ibuf;
				s->avail_in = (uInt)in->ilen;
			}
			if (!s->avail_in) {
				in->eof = true;
				break;
			}
			if (inflateReset(s) != Z_OK)
				return corrupt(in, "gzip", s->avail_in);
			continue;
		}
		if (r == Z_MEM_ERROR)
			return in_fail(in, -ENOMEM, 0, "cannot read: %s", strerror(ENOMEM));
		if (r == Z_BUF_ERROR && !s->avail_in && in->ieof)
			return corrupt(in, "gzip", 0);	/* the file ends inside a member */
		if (r != Z_OK && r != Z_BUF_ERROR)	/* Z_DATA_ERROR: bad header, CRC, ... */
			return corrupt(in, "gzip", s->avail_in);
	}
	return (long)(room - s->avail_out);
}

static long dec_plain(struct replay_in *in, unsigned char *out, size_t room)
{
	size_t done = 0;

	/* the first chunk (read to look at the magic) is still in ibuf */
	if (in->ilen) {
		done = in->ilen < room ? in->ilen : room;
		memcpy(out, in->ibuf, done);
		memmove(in->ibuf, in->ibuf + done, in->ilen - done);
		in->ilen -= done;
		return (long)done;
	}
	while (done < room) {
		ssize_t n;

		do
			n = read(in->fd, out + done, room - done);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return in_fail(in, -errno, 0, "cannot read: %s", strerror(errno));
		if (!n) {
			in->eof = true;
			break;
		}
		in->iread += (uint64_t)n;
		done += (size_t)n;
	}
	return (long)done;
}

static long decode(struct replay_in *in, unsigned char *out, size_t room)
{
	switch (in->kind) {
	case IN_XZ:
		return dec_xz(in, out, room);
	case IN_GZ:
		return dec_gz(in, out, room);
	case IN_PLAIN:
		return dec_plain(in, out, room);
	default:
		in->eof = true;
		return 0;
	}
}

int replay_in_open(const char *path, struct replay_in **out)
{
	static const unsigned char xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	struct replay_in *in = calloc(1, sizeof(*in));
	int ret = -ENOMEM;

	if (!in)
		return -ENOMEM;
	in->fd = -1;
	in->ibuf = malloc(REPLAY_CHUNK);
	in->cap = REPLAY_CHUNK + REPLAY_LINE_MAX;
	in->buf = malloc(in->cap);
	if (!in->ibuf || !in->buf)
		goto fail;
	in->text = in->buf;
	in->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (in->fd < 0) {
		ret = -errno;
		goto fail;
	}
	if (raw_fill(in)) {
		ret = in->err;
		goto fail;
	}
	if (in->ilen >= 6 && !memcmp(in->ibuf, xz_magic, 6)) {
		in->kind = IN_XZ;
		if (lzma_stream_decoder(&in->xz, REPLAY_XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK)
			goto fail;
		in->dec_ready = true;
		in->xz.next_in = in->ibuf;
		in->xz.avail_in = in->ilen;
	} else if (in->ilen >= 2 && in->ibuf[0] == 0x1f && in->ibuf[1] == 0x8b) {
		in->kind = IN_GZ;
		if (inflateInit2(&in->gz, 15 + 16) != Z_OK)	/* +16: gzip only */
			goto fail;
		in->dec_ready = true;
		in->gz.next_in = in->ibuf;
		in->gz.avail_in = (uInt)in->ilen;
	} else {
		in->kind = IN_PLAIN;
	}
	*out = in;
	return 0;
fail:
	replay_in_close(in);
	return ret;
}

int replay_in_open_mem(const char *text, size_t len, struct replay_in **out)
{
	struct replay_in *in = calloc(1, sizeof(*in));

	if (!in)
		return -ENOMEM;
	in->kind = IN_MEM;
	in->fd = -1;
	in->text = text ? text : "";
	in->end = text ? len : 0;
	in->cap = in->end;
	in->eof = true;
	*out = in;
	return 0;
}

void replay_in_close(struct replay_in *in)
{
	if (!in)
		return;
	if (in->dec_ready && in->kind == IN_XZ)
		lzma_end(&in->xz);
	if (in->dec_ready && in->kind == IN_GZ)
		inflateEnd(&in->gz);
	if (in->fd >= 0)
		close(in->fd);
	free(in->ibuf);
	free(in->buf);
	free(in);
}

/* Moves the unread text to the front and decompresses more after it. 0, or -1. */
static int refill(struct replay_in *in)
{
	long n;

	if (in->eof || in->failed)
		return in->failed ? -1 : 0;
	memmove(in->buf, in->buf + in->start, in->end - in->start);
	in->end -= in->start;
	in->start = 0;
	n = decode(in, (unsigned char *)in->buf + in->end, in->cap - in->end);
	if (n < 0)
		return -1;
	in->end += (size_t)n;
	return 0;
}

static inline bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int replay_in_line(struct replay_in *in, const char **line, size_t *len, long *lineno)
{
	static const uint64_t newlines = 0x0a0a0a0a0a0a0a0aULL;

	if (in->failed)
		return -1;
	for (;;) {
		const char *t = in->text, *s, *nl, *le;
		uint64_t w;

		/* blank lines and leading blanks */
		while (in->start < in->end) {
			char c = t[in->start];

			if (c == '\n') {
				in->line++;
				in->start++;
				while (in->end - in->start >= 8 &&
				       (memcpy(&w, t + in->start, 8), w == newlines)) {
					in->line += 8;
					in->start += 8;
				}
			} else if (is_blank(c)) {
				in->start++;
			} else {
				break;
			}
		}
		if (in->start == in->end) {
			if (in->eof)
				return 0;
			if (refill(in))
				return -1;
			continue;
		}
		s = t + in->start;
		nl = memchr(s, '\n', in->end - in->start);
		if (!nl && !in->eof) {
			if (in->end - in->start >= REPLAY_LINE_MAX)
				return in_fail(in, -E2BIG, in->line + 1,
					       "line longer than %u bytes", REPLAY_LINE_MAX);
			if (refill(in))
				return -1;
			continue;
		}
		le = nl ? nl : t + in->end;
		if ((size_t)(le - s) > REPLAY_LINE_MAX)
			return in_fail(in, -E2BIG, in->line + 1, "line longer than %u bytes",
				       REPLAY_LINE_MAX);
		in->line++;
		in->start = (size_t)(le - t) + (nl ? 1 : 0);
		if (*s == '#')
			continue;
		while (le > s && is_blank(le[-1]))
			le--;
		*line = s;
		*len = (size_t)(le - s);
		*lineno = in->line;
		return 1;
	}
}

long replay_in_read(struct replay_in *in, char *buf, size_t n)
{
	size_t have;

	if (in->failed)
		return -1;
	if (in->start == in->end && !in->eof && in->kind != IN_MEM) {
		long got = decode(in, (unsigned char *)buf, n);

		return got;
	}
	have = in->end - in->start;
	if (have > n)
		have = n;
	memcpy(buf, in->text + in->start, have);
	in->start += have;
	return (long)have;
}

const char *replay_in_error(const struct replay_in *in, long *lineno, int *err)
{
	if (lineno)
		*lineno = in->err_line;
	if (err)
		*err = in->err;
	return in->msg;
}

TCESIM_EXPORT int tcesim_replay_read_file(const char *path, char **text, size_t *len)
{
	struct replay_in *in;
	size_t cap = REPLAY_CHUNK, n = 0;
	char *buf;
	int ret;

	ret = replay_in_open(path, &in);
	if (ret)
		return ret;
	buf = malloc(cap);
	if (!buf) {
		replay_in_close(in);
		return -ENOMEM;
	}
	for (;;) {
		long got;

		if (cap - n < REPLAY_CHUNK + 1) {
			char *nb = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);

			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		got = replay_in_read(in, buf + n, REPLAY_CHUNK);
		if (got < 0) {
			replay_in_error(in, NULL, &ret);
			break;
		}
		if (!got)
			break;
		n += (size_t)got;
	}
	replay_in_close(in);
	if (ret) {
		free(buf);
		return ret;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}
