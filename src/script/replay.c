// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * replay.c - `tcesim replay`: a real guest's TCE hypercall stream, captured
 * from QEMU 7.2, run through the model and checked against QEMU's answers.
 *
 * Concepts:
 *  - Input is shared/traces/README.md's format: NAME.tce.txt holds T
 *    (table), R (removal) and P/S/I/G hypercall records, NAME.xlate.txt the
 *    X records (one QEMU DMA translation each); both are ordered by seq, the
 *    line number in QEMU's raw log, and are merged by it. Both are parsed
 *    as streams (two cursors), never materialised as record arrays.
 *  - The replay world is the machine QEMU ran: a guest whose RAM is a
 *    process's memory, modelled lazily in 1 GiB memslots as lists are
 *    written; QEMU-only TCE tables as announced by T records (the traces
 *    come from TCG: the QEMU tier recorded every answer). Each hypercall
 *    goes through tcesim_kvm_hcall(); an I record's list is first written
 *    big-endian into guest memory at tce_list (one guest write per list),
 *    and the hypercall reads it from there, as QEMU's ldq_be_phys() does.
 *  - Checks: each return code; QEMU's traced values (I: qemu_idx/qemu_tce;
 *    S: qemu_ioba, where QEMU's loop stopped; G: the TCE); each X record
 *    against the model's translation of the same offset at that point of
 *    the stream (translated, perm, and the mask truncated to 32 bits as the
 *    trace event prints it).
 *  - A malformed line stops the replay with "FILE:LINE: message" (exit 2);
 *    nothing in the input can crash the parser: every token is bounded by
 *    the line and checked.
 * Single-threaded: the replay owns its world.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lzma.h>
#include <zlib.h>

#include "internal.h"
#include <tcesim/kvm.h>
#include <tcesim/mem.h>
#include <tcesim/replay.h>

#define REPLAY_RAM_REGION_SHIFT	30		/* memslots of 1 GiB */
#define REPLAY_RAM_MAX		(1ULL << 46)	/* gpa limit of the model */
#define REPLAY_RAM_VA		(1ULL << 48)	/* va = REPLAY_RAM_VA + gpa */
#define REPLAY_LIST_MAX		4096		/* entries accepted in an I list */
#define XBATCH_MAX		64		/* X records checked as one batch */

/* ------------------------------------------------------------- reading --- */

static int read_all(FILE *f, char **out, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		size_t got;

		if (cap - n < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		return -EIO;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* Grow-and-decompress loop shared by xz and gzip; @step returns <0, 0 or 1 (end). */
static int grow(char **buf, size_t *cap, size_t used)
{
	char *nb;

	if (*cap - used > 1)
		return 0;
	nb = realloc(*buf, *cap * 2);
	if (!nb)
		return -ENOMEM;
	*buf = nb;
	*cap *= 2;
	return 0;
}

static int unxz(const unsigned char *in, size_t in_len, char **out, size_t *out_len)
{
	lzma_stream s = LZMA_STREAM_INIT;
	size_t cap = in_len * 8 + 4096;
	char *buf = malloc(cap);
	lzma_ret r;

	if (!buf)
		return -ENOMEM;
	if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
		free(buf);
		return -ENOMEM;
	}
	s.next_in = in;
	s.avail_in = in_len;
	do {
		if (grow(&buf, &cap, s.total_out)) {
			lzma_end(&s);
			free(buf);
			return -ENOMEM;
		}
		s.next_out = (uint8_t *)buf + s.total_out;
		s.avail_out = cap - s.total_out - 1;
		r = lzma_code(&s, s.avail_in ? LZMA_RUN : LZMA_FINISH);
	} while (r == LZMA_OK);
	*out_len = s.total_out;
	lzma_end(&s);
	if (r != LZMA_STREAM_END) {
		free(buf);
		return r == LZMA_MEM_ERROR ? -ENOMEM : -EINVAL;
	}
	buf[*out_len] = '\0';
	*out = buf;
	return 0;
}

static int ungz(const unsigned char *in, size_t in_len, char **out, size_t *out_len)
{
	z_stream s;
	size_t cap = in_len * 8 + 4096;
	char *buf = malloc(cap);
	int r;

	if (!buf)
		return -ENOMEM;
	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, 15 + 32) != Z_OK) {	/* +32: gzip or zlib header */
		free(buf);
		return -ENOMEM;
	}
	s.next_in = (unsigned char *)(uintptr_t)in;
	s.avail_in = (uInt)in_len;
	do {
		if (grow(&buf, &cap, s.total_out)) {
			inflateEnd(&s);
			free(buf);
			return -ENOMEM;
		}
		s.next_out = (unsigned char *)buf + s.total_out;
		s.avail_out = (uInt)(cap - s.total_out - 1);
		r = inflate(&s, Z_NO_FLUSH);
		if (r == Z_BUF_ERROR && s.avail_in == 0)
			break;
	} while (r == Z_OK || r == Z_BUF_ERROR);
	*out_len = s.total_out;
	inflateEnd(&s);
	if (r != Z_STREAM_END) {
		free(buf);
		return r == Z_MEM_ERROR ? -ENOMEM : -EINVAL;
	}
	buf[*out_len] = '\0';
	*out = buf;
	return 0;
}

TCESIM_EXPORT int tcesim_replay_read_file(const char *path, char **text, size_t *len)
{
	static const unsigned char xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	char *raw;
	size_t n;
	FILE *f;
	int ret;

	f = fopen(path, "rb");
	if (!f)
		return -errno;
	ret = read_all(f, &raw, &n);
	fclose(f);
	if (ret)
		return ret;
	if (n >= 6 && !memcmp(raw, xz_magic, 6)) {
		ret = unxz((unsigned char *)raw, n, text, len);
		free(raw);
		return ret;
	}
	if (n >= 2 && (unsigned char)raw[0] == 0x1f && (unsigned char)raw[1] == 0x8b) {
		ret = ungz((unsigned char *)raw, n, text, len);
		free(raw);
		return ret;
	}
	*text = raw;
	*len = n;
	return 0;
}

/* ------------------------------------------------------------- parsing --- */

/* An X record parsed whole by the fast path (fast_xlate_line()). */
struct xrec {
	uint64_t liobn, off, tr, mask;
	int64_t perm;
};

/*
 * The LIOBN and the mask of consecutive X lines are nearly always the same
 * token: fast_hex_memo() remembers the digits of the last token of one
 * field (up to 8) and their value, and takes the value back when the same
 * digits come again. A hit may be the prefix of a longer token: the caller
 * then finds a digit where it wants the separator and hands the line over,
 * exactly as after fast_hex().
 */
struct hex_memo {
	uint64_t digits;	/* the token's digits as loaded, the rest zero */
	uint64_t keep;		/* mask of the digits in the 8-byte load; 0: empty */
	uint64_t value;
	unsigned int len;	/* digits, 1..8 */
};

enum { LF_SEQ, LF_LIOBN, LF_OFF, LF_TR, LF_PERM, LF_MASK, LF_NR };

struct line_memo {
	const char *line;		/* the memo line */
	uint64_t fixed;			/* bits of the bytes that must not change */
	uint64_t span;			/* bits 0 up to the '\n' */
	uint64_t seldom;		/* bits of the LIOBN, perm and mask fields */
	uint64_t field[LF_NR];		/* bits of each field's digits */
	uint64_t keep[LF_NR];		/* 0x80 in the top n bytes of the word */
	uint64_t last[LF_NR];		/* bit of each field's last digit */
	unsigned char pos[LF_NR];	/* first digit of each field */
	unsigned char ndig[LF_NR];	/* and how many digits it has */
	unsigned char shift[LF_NR];	/* 8 * (8 - digits) */
	unsigned char len;		/* bytes up to the '\n' */
	int64_t seq;
	struct xrec x;
};

struct cursor {
	const char *name;
	const char *p, *end;	/* unread text */
	const char *lp, *le;	/* current line [lp, le) */
	long line;		/* number of the current line */
	const char *tok;	/* last token */
	size_t toklen;
	bool pre;		/* the current line is an X record already in @x */
	struct xrec x;
	struct hex_memo memo[2];	/* fast_xlate_line(): LIOBN and mask */
	struct line_memo lm[2];		/* fast_xlate(): the last two shapes of lines */
	struct line_memo *lmc;		/* the most recently used of them */
};

/* Next non-comment, non-blank line; false at the end. */
static bool cur_next_line(struct cursor *c)
{
	while (c->p < c->end) {
		const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
		const char *le = nl ? nl : c->end;
		const char *s = c->p;

		c->line++;
		c->p = nl ? nl + 1 : c->end;
		while (s < le && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		if (s == le || *s == '#')
			continue;
		while (le > s && (le[-1] == ' ' || le[-1] == '\t' || le[-1] == '\r'))
			le--;
		c->lp = s;
		c->le = le;
		return true;
	}
	return false;
}

static bool cur_tok(struct cursor *c)
{
	const char *s = c->lp;

	while (s < c->le && (*s == ' ' || *s == '\t'))
		s++;
	if (s == c->le)
		return false;
	c->tok = s;
	while (s < c->le && *s != ' ' && *s != '\t')
		s++;
	c->toklen = (size_t)(s - c->tok);
	c->lp = s;
	return true;
}

static bool parse_hex_span(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n < 3 || n > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	for (i = 2; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		unsigned int d;

		if (ch >= '0' && ch <= '9')
			d = ch - '0';
		else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
			d = (ch | 0x20) - 'a' + 10;
		else
			return false;
		v = (v << 4) | d;
	}
	*out = v;
	return true;
}

static bool parse_dec_span(const char *s, size_t n, bool allow_neg, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0;
	size_t i = 0;

	if (n && s[0] == '-' && allow_neg) {
		neg = true;
		i = 1;
	}
	if (i == n || n - i > 19)
		return false;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > (uint64_t)INT64_MAX)
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

/* ------------------------------------------------------------- replaying --- */

struct replay {
	const struct tcesim_replay_opts *opts;
	struct tcesim_replay_summary *sum;
	FILE *err;
	unsigned int show;
	struct tcesim_world *w;
	struct tcesim_kvm *kvm;
	struct tcesim_mm *mm;
	uint64_t ram_regions[32];	/* 1 GiB regions with a memslot */
	unsigned int nram;
	uint64_t liobns[TCESIM_REPLAY_TABLES_MAX];	/* tables alive */
	unsigned int nliobns;
	uint64_t list[REPLAY_LIST_MAX];
	struct xrec xb[XBATCH_MAX];	/* xlate_run(): the records */
	struct tcesim_iommu_tlb_entry eb[XBATCH_MAX];	/* and the model's answers */
	bool malformed;
	bool own_world;			/* created here, destroyed at the end */
};

static int malformed(struct replay *r, const struct cursor *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int malformed(struct replay *r, const struct cursor *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(r->err, "%s:%ld: ", c->name, c->line);
	va_start(ap, fmt);
	vfprintf(r->err, fmt, ap);
	va_end(ap);
	fputc('\n', r->err);
	r->malformed = true;
	return -1;
}

static void mismatch(struct replay *r, const struct cursor *c, uint64_t *counter,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void mismatch(struct replay *r, const struct cursor *c, uint64_t *counter,
		     const char *fmt, ...)
{
	struct tcesim_replay_summary *sum = r->sum;
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sum->mismatches++;
	(*counter)++;
	if (sum->nshown < TCESIM_REPLAY_SHOW_MAX)
		snprintf(sum->shown[sum->nshown++], sizeof(sum->shown[0]), "%s:%ld: %s", c->name,
			 c->line, msg);
	if (sum->mismatches <= r->show)
		fprintf(r->err, "%s:%ld: %s\n", c->name, c->line, msg);
}

/*
 * Fast scanners for the hot path: parse the next token in place. They
 * return 1 on success, 0 when the token is missing or malformed (c->tok,
 * c->toklen then describe it for the message).
 */
/* Hex digit value + 1; 0 for anything else. */
static const unsigned char hexval1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static inline int scan_hex(struct cursor *c, uint64_t *v)
{
	const unsigned char *s = (const unsigned char *)c->lp, *le = (const unsigned char *)c->le;
	const unsigned char *d0;
	uint64_t acc = 0;

	while (s < le && *s == ' ')
		s++;
	c->tok = (const char *)s;
	if (le - s >= 3 && s[0] == '0' && (s[1] | 0x20) == 'x') {
		d0 = s + 2;
		for (s = d0; s < le; s++) {
			unsigned int d = (unsigned int)hexval1[*s] - 1;

			if (d > 15)
				break;
			acc = (acc << 4) | d;
		}
		if (s > d0 && s - d0 <= 16 && (s == le || *s == ' ' || *s == '\t')) {
			c->lp = (const char *)s;
			*v = acc;
			return 1;
		}
	} else if (s < le && *s == '\t') {
		/* rare: tabs as separators; take the slow path */
		while (s < le && (*s == ' ' || *s == '\t'))
			s++;
		c->lp = (const char *)s;
		if (s < le && *s != '\t')
			return scan_hex(c, v);
		c->tok = (const char *)s;
	}
	/* describe the bad token */
	for (s = (const unsigned char *)c->tok; s < le && *s != ' ' && *s != '\t'; s++)
		;
	c->toklen = (size_t)((const char *)s - c->tok);
	return 0;
}

static inline int scan_dec(struct cursor *c, bool allow_neg, int64_t *v)
{
	const char *s = c->lp, *le = c->le;
	uint64_t acc = 0;
	unsigned int nd = 0;
	bool neg = false;

	while (s < le && (*s == ' ' || *s == '\t'))
		s++;
	c->tok = s;
	if (allow_neg && s < le && *s == '-') {
		neg = true;
		s++;
	}
	for (; s < le && *s >= '0' && *s <= '9'; s++, nd++)
		acc = acc * 10 + (uint64_t)(*s - '0');
	if (nd && nd <= 18 && (s == le || *s == ' ' || *s == '\t')) {
		c->lp = s;
		*v = neg ? -(int64_t)acc : (int64_t)acc;
		return 1;
	}
	for (s = c->tok; s < le && *s != ' ' && *s != '\t'; s++)
		;
	c->toklen = (size_t)(s - c->tok);
	return 0;
}

/* ------------------------------------------------------- fast X lines --- */
/*
 * X records are 95% of the input (14 per hypercall in vio) and parsing them
 * field by field, one byte at a time, was most of the replay's time. The
 * fast path below takes a whole X line in its canonical form
 * ("X seq 0xliobn 0xoffset 0xtranslated perm 0xmask\n", single spaces, seq
 * of at most 15 digits, perm one digit) in one pass and parses each
 * number eight characters at a time (SWAR: one 8-byte load classifies the
 * characters, the count of leading digits is a ctz, and the value is put
 * together in three multiply/shift steps, with no branch per digit). It
 * accepts a strict subset of what the general parser accepts and yields
 * the same values; anything else (tabs, CRs, comments, long or malformed
 * tokens, the last FAST_SLACK bytes of the buffer) returns false having
 * consumed nothing, and the general parser then reads the line and reports
 * any error exactly as before. So messages and exit codes cannot differ
 * between the two paths.
 *
 * Bounds: the longest line the fast path can accept is 97 bytes ("X ", 15
 * digits, 3 x " 0x" + 16 digits, " 9 0x" + 16 digits, "\n") and no load
 * reaches past its '\n', so FAST_SLACK bytes from the line start are
 * always inside the buffer.
 */
#define FAST_SLACK	128	/* bytes that must remain from the line start */

#define SWAR_ONES	0x0101010101010101ULL
#define SWAR_HIGH	0x8080808080808080ULL

static inline uint64_t load_le64(const char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/* 0x80 in every byte of @v that is an ASCII hex digit, 0 elsewhere. */
static inline uint64_t swar_hex_digits(uint64_t v)
{
	uint64_t x = v & ~SWAR_HIGH;		/* 7 bits: per-byte sums cannot carry */
	uint64_t lc = x | (SWAR_ONES * 0x20);	/* 'A'..'F' -> 'a'..'f' */
	uint64_t dig = (x + SWAR_ONES * (0x80 - '0')) & ~(x + SWAR_ONES * (0x7f - '9'));
	uint64_t alp = (lc + SWAR_ONES * (0x80 - 'a')) & ~(lc + SWAR_ONES * (0x7f - 'f'));

	return (dig | alp) & ~v & SWAR_HIGH;
}

/* 0x80 in every byte of @v that is an ASCII decimal digit, 0 elsewhere. */
static inline uint64_t swar_dec_digits(uint64_t v)
{
	uint64_t x = v & ~SWAR_HIGH;

	return (x + SWAR_ONES * (0x80 - '0')) & ~(x + SWAR_ONES * (0x7f - '9')) & ~v & SWAR_HIGH;
}

/* Value of the first @n (1..8) hex digits of @v (first digit in the low byte). */
static inline uint64_t swar_hex_value(uint64_t v, unsigned int n)
{
	uint64_t x = v & ~SWAR_HIGH;

	/* nibble per byte: c & 0xf, plus 9 for letters (bit 6 set) */
	x = (x & (SWAR_ONES * 0x0f)) + ((x >> 6) & SWAR_ONES) * 9;
	/* right-align: the digits end at byte 7, zeros (leading) below */
	x <<= 8 * (8 - n);
	x = ((x << 4) | (x >> 8)) & 0x00ff00ff00ff00ffULL;
	x = ((x << 8) | (x >> 16)) & 0x0000ffff0000ffffULL;
	return ((x << 16) | (x >> 32)) & 0xffffffffULL;
}

/* Value of the first @n (1..8) decimal digits of @v (first digit in the low byte). */
static inline uint64_t swar_dec_value(uint64_t v, unsigned int n)
{
	uint64_t x = (v & (SWAR_ONES * 0x0f)) << (8 * (8 - n));

	/* pairs, quads, then the 8 digits: no lane can carry into the next */
	x = (x * 10 + (x >> 8)) & 0x00ff00ff00ff00ffULL;
	x = (x * 100 + (x >> 16)) & 0x0000ffff0000ffffULL;
	return (x * 10000 + (x >> 32)) & 0xffffffffULL;
}

/* Number of leading bytes marked in a swar_*_digits() mask (0..8). */
static inline unsigned int swar_run(uint64_t m)
{
	uint64_t stop = ~m & SWAR_HIGH;

	return stop ? (unsigned int)__builtin_ctzll(stop) >> 3 : 8;
}

/* "0x" and 1..16 hex digits at @s; returns the byte after the digits, or NULL. */
static inline __attribute__((always_inline)) const char *fast_hex(const char *s, uint64_t *v)
{
	uint64_t w, w2;
	unsigned int n, n2;

	if (s[0] != '0' || (s[1] | 0x20) != 'x')
		return NULL;
	w = load_le64(s + 2);
	n = swar_run(swar_hex_digits(w));
	if (tcesim_likely(n < 8 || !hexval1[(unsigned char)s[10]])) {
		if (!n)
			return NULL;
		*v = swar_hex_value(w, n);
		return s + 2 + n;
	}
	w2 = load_le64(s + 10);
	n2 = swar_run(swar_hex_digits(w2));
	/* 16 digits at most: a 17th hex digit hands the line over */
	if (n2 == 8 && hexval1[(unsigned char)s[18]])
		return NULL;
	*v = (swar_hex_value(w, 8) << (4 * n2)) | swar_hex_value(w2, n2);
	return s + 10 + n2;
}

static inline __attribute__((always_inline)) const char *fast_hex_memo(const char *s,
									uint64_t *v,
									struct hex_memo *m)
{
	uint64_t w;
	const char *e;

	if (s[0] != '0' || (s[1] | 0x20) != 'x')
		return NULL;
	w = load_le64(s + 2);
	if (tcesim_likely((w & m->keep) == m->digits && m->keep)) {
		*v = m->value;
		return s + 2 + m->len;
	}
	e = fast_hex(s, v);
	if (e && e - s <= 10) {		/* at most 8 digits: all in @w */
		unsigned int len = (unsigned int)(e - s - 2);

		m->keep = len == 8 ? ~0ULL : (1ULL << (8 * len)) - 1;
		m->digits = w & m->keep;
		m->value = *v;
		m->len = len;
	}
	return e;
}

/* 1..15 decimal digits at @s; returns the byte after them, or NULL. */
static inline __attribute__((always_inline)) const char *fast_dec(const char *s, int64_t *v)
{
	static const uint64_t pow10[8] = { 1, 10, 100, 1000, 10000, 100000, 1000000,
					   10000000 };
	uint64_t w = load_le64(s), w2;
	unsigned int n = swar_run(swar_dec_digits(w)), n2;

	if (n < 8) {
		if (!n)
			return NULL;
		*v = (int64_t)swar_dec_value(w, n);
		return s + n;
	}
	w2 = load_le64(s + 8);
	n2 = swar_run(swar_dec_digits(w2));
	if (n2 == 8)		/* 16 digits or more: the general parser */
		return NULL;
	*v = n2 ? (int64_t)(swar_dec_value(w, 8) * pow10[n2] + swar_dec_value(w2, n2))
		: (int64_t)swar_dec_value(w, 8);
	return s + 8 + n2;
}

/*
 * The canonical X line at @lp into @seq and @x, @nl set to its '\n'; false
 * (nothing consumed) otherwise. FAST_SLACK bytes from @lp must be readable.
 */
static inline __attribute__((always_inline)) bool
fast_xlate_line(const char *lp, const char **nl, int64_t *seq, struct xrec *x,
		struct hex_memo memo[2], unsigned char sep[7])
{
	const char *s, *s1, *s2, *s3, *s4;

	if (lp[0] != 'X' || lp[1] != ' ')
		return false;
	if (!(s1 = fast_dec(lp + 2, seq)) || *s1 != ' ' ||
	    !(s2 = fast_hex_memo(s1 + 1, &x->liobn, &memo[0])) || *s2 != ' ' ||
	    !(s3 = fast_hex(s2 + 1, &x->off)) || *s3 != ' ' ||
	    !(s4 = fast_hex(s3 + 1, &x->tr)) || *s4 != ' ')
		return false;
	/* perm: one digit */
	if ((unsigned int)(s4[1] - '0') > 9 || s4[2] != ' ')
		return false;
	x->perm = s4[1] - '0';
	if (!(s = fast_hex_memo(s4 + 3, &x->mask, &memo[1])) || *s != '\n')
		return false;
	*nl = s;
	/* where the separators are, for the memo (a canonical line has at most 97 bytes) */
	sep[0] = 1;
	sep[1] = (unsigned char)(s1 - lp);
	sep[2] = (unsigned char)(s2 - lp);
	sep[3] = (unsigned char)(s3 - lp);
	sep[4] = (unsigned char)(s4 - lp);
	sep[5] = (unsigned char)(s4 + 2 - lp);
	sep[6] = (unsigned char)(s - lp);
	return true;
}

/* ------------------------------------------------- X lines by delta --- */
/*
 * Consecutive X lines are nearly alike: in the real traces 86% have their
 * separators where the line before has them (same field lengths), and of
 * their fields only seq, usually the offset and sometimes the translated
 * address differ. So fast_xlate() keeps the last line the field walker
 * (fast_xlate_line()) took, with where its fields are and their values
 * (struct line_memo), and compares the next line with it 64 bytes at a
 * time (SSE2 on x86-64, SWAR elsewhere): when every byte that differs lies
 * inside a field (the 'X', the separators, the '\n' and the "0x" of each
 * field are the same), the line has the memo line's shape, and only the
 * fields with a changed byte are checked (each byte a digit of the field's
 * kind) and converted again, eight digits in one step, independently of
 * each other. Anything else goes to fast_xlate_line(), which then becomes
 * the memo if its fields are short enough. Lines taken this way are exactly
 * the canonical lines fast_xlate_line() takes with these field lengths, and
 * the values are the same.
 *
 * The memo line stays in the cursor's buffer (which lives as long as the
 * replay) and was checked whole when it was parsed; only lines of at most
 * 64 bytes with the '\n', seq and the hex fields of at most 8 digits
 * become the memo (every X line of the real traces).
 */
#if defined(__SSE2__) && !defined(TCESIM_REPLAY_NO_SIMD)
#include <emmintrin.h>

/* Bit i set: @a[i] == @b[i], for i in 0..63. */
static inline uint64_t same64(const char *a, const char *b)
{
#define SAME16(k)									\
	((uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(				\
		_mm_loadu_si128((const __m128i *)(const void *)(a + 16 * (k))),		\
		_mm_loadu_si128((const __m128i *)(const void *)(b + 16 * (k))))) << (16 * (k)))
	return SAME16(0) | SAME16(1) | SAME16(2) | SAME16(3);
#undef SAME16
}
#else
/* The 0x80 bits of @m gathered into 8 bits (byte i -> bit i). */
static inline unsigned int swar_movemask(uint64_t m)
{
	return (unsigned int)(((m >> 7) * 0x0102040810204080ULL) >> 56);
}

static inline uint64_t same64(const char *a, const char *b)
{
	uint64_t r = 0;
	int k;

	for (k = 0; k < 8; k++) {
		uint64_t t = load_le64(a + 8 * k) ^ load_le64(b + 8 * k);

		/* 0x80 in the bytes of t that are zero */
		t = ~(((t & ~SWAR_HIGH) + ~SWAR_HIGH) | t) & SWAR_HIGH;
		r |= (uint64_t)swar_movemask(t) << (8 * k);
	}
	return r;
}
#endif

/* Value of hex digits shifted to the top of @x, zeros below (as swar_hex_value()). */
static inline uint64_t hex_top_value(uint64_t x)
{
	x = (x & (SWAR_ONES * 0x0f)) + ((x >> 6) & SWAR_ONES) * 9;
	x = ((x << 4) | (x >> 8)) & 0x00ff00ff00ff00ffULL;
	x = ((x << 8) | (x >> 16)) & 0x0000ffff0000ffffULL;
	return ((x << 16) | (x >> 32)) & 0xffffffffULL;
}

/* The same for decimal digits (as swar_dec_value()). */
static inline uint64_t dec_top_value(uint64_t x)
{
	x &= SWAR_ONES * 0x0f;
	x = (x * 10 + (x >> 8)) & 0x00ff00ff00ff00ffULL;
	x = (x * 100 + (x >> 16)) & 0x0000ffff0000ffffULL;
	return (x * 10000 + (x >> 32)) & 0xffffffffULL;
}

/*
 * The memo for the line at @lp that fast_xlate_line() just took, @sep its
 * separators (1 the one after 'X', sep[5] the '\n'); m->line stays NULL
 * when its fields are too long for the delta path.
 */
static bool line_memo_set(struct line_memo *m, const char *lp, const unsigned char sep[7],
			  int64_t seq, const struct xrec *x)
{
	unsigned int s1 = sep[1], s2 = sep[2], s3 = sep[3], s4 = sep[4], s6 = sep[6];
	/* field k lies between separators k and k + 1, after "0x" if hex */
	const unsigned int first[LF_NR] = { 2, s1 + 3, s2 + 3, s3 + 3, s4 + 1, s4 + 5 };
	const unsigned int n[LF_NR] = { s1 - 2, s2 - s1 - 3, s3 - s2 - 3, s4 - s3 - 3, 1,
					s6 - s4 - 5 };
	unsigned int k;

	/* digits 1..8 (n - 1 <= 7 for each, in one test), '\n' in the 64 bytes */
	if (s6 > 63 || ((n[0] - 1) | (n[1] - 1) | (n[2] - 1) | (n[3] - 1) | (n[5] - 1)) > 7)
		return false;
	/* 'X' and the first ' ', each ' ' with the "0x" after it, the '\n' */
	m->fixed = 3 | 7ULL << s1 | 7ULL << s2 | 7ULL << s3 | 1ULL << s4 | 7ULL << (s4 + 2) |
		   1ULL << s6;
	for (k = 0; k < LF_NR; k++) {
		m->field[k] = ((1ULL << n[k]) - 1) << first[k];
		m->keep[k] = SWAR_HIGH << (8 * (8 - n[k]));
		m->last[k] = 1ULL << (first[k] + n[k] - 1);
		m->pos[k] = (unsigned char)first[k];
		m->ndig[k] = (unsigned char)n[k];
		m->shift[k] = (unsigned char)(8 * (8 - n[k]));
	}
	m->seldom = m->field[LF_LIOBN] | m->field[LF_PERM] | m->field[LF_MASK];
	m->span = (2ULL << s6) - 1;
	m->len = (unsigned char)s6;
	m->seq = seq;
	m->x = *x;
	m->line = lp;
	return true;
}

/*
 * The neutral memo line, which every memo starts from: a canonical X line
 * like any other (lines of its shape parse by delta from it), in a buffer
 * long enough for same64().
 */
static void line_memo_reset(struct line_memo *m)
{
	static const char neutral[FAST_SLACK] = "X 0 0x0 0x0 0x0 0 0x0\n";
	struct hex_memo hm[2] = { { 0 } };
	unsigned char sep[7];
	struct xrec x;
	const char *nl;
	int64_t seq;
	bool ok;

	ok = fast_xlate_line(neutral, &nl, &seq, &x, hm, sep) &&
	     line_memo_set(m, neutral, sep, seq, &x);
	assert(ok);
	(void)ok;
}

/*
 * The X line at @lp by difference with the memo line; false (nothing
 * consumed) unless it has the memo line's shape and its changed fields are
 * well formed. A malformed changed field, which leaves the memo's values
 * half updated, puts the memo line back at the neutral line (below).
 * FAST_SLACK bytes from @lp must be readable.
 */
static inline __attribute__((always_inline)) bool
fast_xlate_delta(struct line_memo *m, const char *lp, const char **nl, int64_t *seq,
		 struct xrec *x)
{
	uint64_t diff = ~same64(lp, m->line) & m->span, t;

	if (diff & m->fixed)
		return false;
	/*
	 * A field whose last digit alone changed (seq counting up, an offset
	 * within a page) takes the new digit's value in place of the old one;
	 * any other change converts the field whole.
	 */
	t = diff & m->field[LF_SEQ];
	if (t) {
		if (tcesim_likely(t == m->last[LF_SEQ])) {
			unsigned int d = (unsigned char)lp[m->pos[LF_SEQ] + m->ndig[LF_SEQ] - 1];

			if (tcesim_unlikely(d - '0' > 9))
				goto bad;
			m->seq += (int64_t)d -
				  (unsigned char)m->line[m->pos[LF_SEQ] + m->ndig[LF_SEQ] - 1];
		} else {
			t = load_le64(lp + m->pos[LF_SEQ]) << m->shift[LF_SEQ];
			if (tcesim_unlikely(~swar_dec_digits(t) & m->keep[LF_SEQ]))
				goto bad;
			m->seq = (int64_t)dec_top_value(t);
		}
	}
#define HEX_FIELD(k, dst)								\
	do {										\
		t = diff & m->field[k];							\
		if (!t)									\
			break;								\
		if (tcesim_likely(t == m->last[k])) {					\
			unsigned int d = hexval1[(unsigned char)lp[m->pos[k] +		\
								  m->ndig[k] - 1]];	\
											\
			if (tcesim_unlikely(!d))					\
				goto bad;						\
			m->x.dst = (m->x.dst & ~0xfULL) | (d - 1);			\
			break;								\
		}									\
		t = load_le64(lp + m->pos[k]) << m->shift[k];				\
		if (tcesim_unlikely(~swar_hex_digits(t) & m->keep[k]))			\
			goto bad;							\
		m->x.dst = hex_top_value(t);						\
	} while (0)
	HEX_FIELD(LF_OFF, off);
	HEX_FIELD(LF_TR, tr);
	/* the LIOBN, perm and mask seldom change: one test for the three */
	if (tcesim_unlikely(diff & m->seldom)) {
		HEX_FIELD(LF_LIOBN, liobn);
		HEX_FIELD(LF_MASK, mask);
		if (diff & m->field[LF_PERM]) {
			unsigned int d = (unsigned int)(lp[m->pos[LF_PERM]] - '0');

			if (tcesim_unlikely(d > 9))
				goto bad;
			m->x.perm = d;
		}
	}
#undef HEX_FIELD
	m->line = lp;
	*seq = m->seq;
	*x = m->x;
	*nl = lp + m->len;
	return true;
bad:
	line_memo_reset(m);
	return false;
}

/*
 * The line the most recent memo does not take: the other memo, else
 * fast_xlate_line(), whose line then replaces the older memo.
 */
static __attribute__((noinline)) bool fast_xlate_miss(struct cursor *c, const char *lp,
						      const char **nl, int64_t *seq,
						      struct xrec *x)
{
	struct line_memo *other = c->lmc == &c->lm[0] ? &c->lm[1] : &c->lm[0];
	unsigned char sep[7];

	if (fast_xlate_delta(other, lp, nl, seq, x)) {
		c->lmc = other;
		return true;
	}
	if (!fast_xlate_line(lp, nl, seq, x, c->memo, sep))
		return false;
	if (line_memo_set(other, lp, sep, *seq, x))
		c->lmc = other;
	return true;
}

/* The canonical X line at @lp (fast_xlate_line()'s contract), by delta or whole. */
static inline __attribute__((always_inline)) bool
fast_xlate(struct cursor *c, const char *lp, const char **nl, int64_t *seq, struct xrec *x)
{
	if (tcesim_likely(fast_xlate_delta(c->lmc, lp, nl, seq, x)))
		return true;
	return fast_xlate_miss(c, lp, nl, seq, x);
}

/* Field readers: false (and a message) on a missing or malformed token. */
/*
 * The fast form of a field: one space, then the token, eight characters
 * at a time (fast_hex(), fast_dec()), when HCALL_SLACK bytes remain; the
 * token must end the line or be followed by a blank, as scan_hex() and
 * scan_dec() require. The line's end (c->le) is a blank, a '\r', a '\n'
 * or the buffer's end, none of them a digit, so no token runs past it.
 * Anything else takes scan_hex() or scan_dec(), which read the same tokens
 * to the same values and describe the bad ones.
 */
#define HCALL_SLACK	32

static inline bool tok_ends(const struct cursor *c, const char *e)
{
	return e == c->le || *e == ' ' || *e == '\t';
}

static inline bool fast_field_hex(struct cursor *c, uint64_t *v)
{
	const char *s = c->lp, *e;

	if (c->end - s < HCALL_SLACK || s[0] != ' ')
		return false;
	e = fast_hex(s + 1, v);
	if (!e || !tok_ends(c, e))
		return false;
	c->lp = e;
	return true;
}

static inline bool fast_field_dec(struct cursor *c, bool allow_neg, int64_t *v)
{
	const char *s = c->lp, *e;
	bool neg;

	if (c->end - s < HCALL_SLACK || s[0] != ' ')
		return false;
	neg = allow_neg && s[1] == '-';
	e = fast_dec(s + 1 + neg, v);
	if (!e || !tok_ends(c, e))
		return false;
	if (neg)
		*v = -*v;
	c->lp = e;
	return true;
}

static bool f_hex_slow(struct replay *r, struct cursor *c, const char *what, uint64_t *v);
static bool f_dec_slow(struct replay *r, struct cursor *c, const char *what, bool neg,
		       int64_t *v);

/* Field readers: the fast form inline, the rest (and the messages) out of line. */
static inline bool f_hex(struct replay *r, struct cursor *c, const char *what, uint64_t *v)
{
	return tcesim_likely(fast_field_hex(c, v)) || f_hex_slow(r, c, what, v);
}

static inline bool f_dec(struct replay *r, struct cursor *c, const char *what, bool neg,
			 int64_t *v)
{
	return tcesim_likely(fast_field_dec(c, neg, v)) || f_dec_slow(r, c, what, neg, v);
}

static __attribute__((noinline)) bool f_hex_slow(struct replay *r, struct cursor *c,
						 const char *what, uint64_t *v)
{
	if (tcesim_likely(scan_hex(c, v)))
		return true;
	if (!c->toklen)
		malformed(r, c, "missing %s", what);
	else
		malformed(r, c, "bad %s '%.*s' (hex with 0x expected)", what, (int)c->toklen,
			  c->tok);
	return false;
}

static __attribute__((noinline)) bool f_dec_slow(struct replay *r, struct cursor *c,
						 const char *what, bool neg, int64_t *v)
{
	if (tcesim_likely(scan_dec(c, neg, v)))
		return true;
	if (!c->toklen)
		malformed(r, c, "missing %s", what);
	else
		malformed(r, c, "bad %s '%.*s' (decimal expected)", what, (int)c->toklen, c->tok);
	return false;
}

/* A count printed either way: decimal, or hex with 0x (qemu_idx is "0xf" in the data). */
static bool f_num(struct replay *r, struct cursor *c, const char *what, int64_t *v)
{
	uint64_t u;

	if (!cur_tok(c)) {
		malformed(r, c, "missing %s", what);
		return false;
	}
	if (c->toklen > 2 && c->tok[0] == '0' && (c->tok[1] | 0x20) == 'x') {
		if (!parse_hex_span(c->tok, c->toklen, &u) || u > (uint64_t)INT64_MAX) {
			malformed(r, c, "bad %s '%.*s'", what, (int)c->toklen, c->tok);
			return false;
		}
		*v = (int64_t)u;
		return true;
	}
	if (!parse_dec_span(c->tok, c->toklen, false, v)) {
		malformed(r, c, "bad %s '%.*s' (number expected)", what, (int)c->toklen, c->tok);
		return false;
	}
	return true;
}

static bool f_end(struct replay *r, struct cursor *c)
{
	if (c->lp == c->le)
		return true;
	if (cur_tok(c)) {
		malformed(r, c, "unexpected field '%.*s'", (int)c->toklen, c->tok);
		return false;
	}
	return true;
}

static bool f_seq(struct replay *r, struct cursor *c, int64_t *last, int64_t *seq)
{
	if (!f_dec(r, c, "seq", false, seq))
		return false;
	if (*seq < *last) {
		malformed(r, c, "seq %" PRId64 " goes backwards (previous %" PRId64 ")", *seq,
			  *last);
		return false;
	}
	*last = *seq;
	return true;
}

static void count_ret(struct tcesim_replay_summary *sum, enum tcesim_replay_kind k, long ret)
{
	unsigned int i;

	sum->hcalls++;
	sum->by_kind[k]++;
	for (i = 0; i < sum->nrets; i++) {
		if (sum->rets[i].kind == k && sum->rets[i].ret == ret) {
			sum->rets[i].count++;
			return;
		}
	}
	if (sum->nrets < TCESIM_REPLAY_RETS_MAX) {
		sum->rets[sum->nrets].kind = k;
		sum->rets[sum->nrets].ret = ret;
		sum->rets[sum->nrets++].count = 1;
	}
}

/* Give guest RAM a memslot for every 1 GiB region of [gpa, gpa + len). */
static int ensure_ram(struct replay *r, uint64_t gpa, uint64_t len)
{
	uint64_t reg, last;

	if (gpa >= REPLAY_RAM_MAX || len > REPLAY_RAM_MAX - gpa)
		return -ERANGE;
	last = (gpa + (len ? len - 1 : 0)) >> REPLAY_RAM_REGION_SHIFT;
	for (reg = gpa >> REPLAY_RAM_REGION_SHIFT; reg <= last; reg++) {
		uint64_t base = reg << REPLAY_RAM_REGION_SHIFT;
		unsigned int i;
		int ret;

		for (i = 0; i < r->nram; i++)
			if (r->ram_regions[i] == reg)
				break;
		if (i < r->nram)
			continue;
		if (r->nram == TCESIM_ARRAY_SIZE(r->ram_regions))
			return -ENOSPC;
		ret = tcesim_mm_mmap(r->mm, REPLAY_RAM_VA + base, 1ULL << REPLAY_RAM_REGION_SHIFT,
				     TCESIM_PROT_READ | TCESIM_PROT_WRITE, 0);
		if (!ret)
			ret = tcesim_kvm_set_user_memory_region(r->kvm, base,
								1ULL << REPLAY_RAM_REGION_SHIFT,
								r->mm, REPLAY_RAM_VA + base);
		if (ret)
			return ret;
		r->ram_regions[r->nram++] = reg;
	}
	return 0;
}

static void note_liobn(struct replay *r, uint64_t liobn, bool add)
{
	unsigned int i;

	for (i = 0; i < r->nliobns; i++) {
		if (r->liobns[i] == liobn) {
			if (!add)
				r->liobns[i] = r->liobns[--r->nliobns];
			return;
		}
	}
	if (add && r->nliobns < TCESIM_REPLAY_TABLES_MAX)
		r->liobns[r->nliobns++] = liobn;
}

static const char *ret_name(long ret, char *buf, size_t len)
{
	const char *n = tcesim_hcall_name(ret);

	if (n)
		return n;
	snprintf(buf, len, "%ld", ret);
	return buf;
}

static void check_ret(struct replay *r, struct cursor *c, const char *what, long want, long got)
{
	char b1[24], b2[24];

	if (want != got)
		mismatch(r, c, &r->sum->ret_mismatches, "%s returned %s, QEMU returned %s", what,
			 ret_name(got, b1, sizeof(b1)), ret_name(want, b2, sizeof(b2)));
}

static inline bool xlate_agrees(const struct xrec *x, const struct tcesim_iommu_tlb_entry *e)
{
	return e->translated_addr == x->tr && e->perm == (uint64_t)x->perm &&
	       (e->addr_mask & 0xffffffffULL) == x->mask;
}

/* Compare one X record with the model's answer @e (NULL: no table @liobn). */
static inline void xlate_check(struct replay *r, const struct cursor *c, const struct xrec *x,
			       const struct tcesim_iommu_tlb_entry *e)
{
	if (tcesim_unlikely(!e)) {
		mismatch(r, c, &r->sum->xlate_mismatches,
			 "translation through LIOBN 0x%" PRIx64 ": the model has no such table",
			 x->liobn);
		return;
	}
	if (tcesim_unlikely(e->translated_addr != x->tr || e->perm != (uint64_t)x->perm ||
			    (e->addr_mask & 0xffffffffULL) != x->mask))
		mismatch(r, c, &r->sum->xlate_mismatches,
			 "xlate liobn=0x%" PRIx64 " 0x%" PRIx64 ": model -> 0x%" PRIx64
			 " perm=%u mask=0x%" PRIx64 ", QEMU -> 0x%" PRIx64 " perm=%" PRId64
			 " mask=0x%" PRIx64,
			 x->liobn, x->off, e->translated_addr, e->perm,
			 (uint64_t)(e->addr_mask & 0xffffffffULL), x->tr, x->perm, x->mask);
}

/* One X record: the cursor is past the 'X'. */
static int do_xlate(struct replay *r, struct cursor *c)
{
	struct tcesim_iommu_tlb_entry e;
	struct xrec x;

	if (c->pre)
		x = c->x;
	else if (!f_hex(r, c, "liobn", &x.liobn) || !f_hex(r, c, "offset", &x.off) ||
		 !f_hex(r, c, "translated", &x.tr) || !f_dec(r, c, "perm", false, &x.perm) ||
		 !f_hex(r, c, "mask", &x.mask) || !f_end(r, c))
		return -1;
	r->sum->xlates++;
	if (tcesim_spapr_tce_translate_iommu(r->kvm, x.liobn, x.off, &e))
		xlate_check(r, c, &x, NULL);
	else
		xlate_check(r, c, &x, &e);
	return 0;
}

/*
 * A run of X records, the first already in @c (c->pre): it and the
 * canonical X lines that follow it with a seq in [*last, @limit) are
 * checked as one batch, each same-LIOBN stretch through one
 * tcesim_spapr_tce_translate_iommu_batch() call (one RCU read-side section
 * and one table lookup). The run stops, consuming nothing, at the first
 * line the fast path does not take, at a seq that goes backwards (the
 * general path then reports either, after this batch's mismatches, as the
 * record-at-a-time loop did), and at XBATCH_MAX records. No hypercall can
 * fall inside the run (every seq is below @limit, the next .tce record's),
 * so the model answers exactly as it would record by record. A canonical
 * line at or past @limit ends the run and is left in @c as the next record
 * (*seq, c->pre), as next_record() would leave it; returns 1 then, else 0
 * (the caller reads the next record).
 */
static __attribute__((noinline)) int xlate_run(struct replay *r, struct cursor *c,
					       int64_t *last, int64_t limit, int64_t *seq)
{
	struct xrec *xb = r->xb;
	struct tcesim_iommu_tlb_entry *eb = r->eb;
	const char *p = c->p, *end = c->end, *lp = c->lp, *le = c->le;
	long line0 = c->line;
	int64_t prev = *last;
	unsigned int n = 1, i, j;
	int have_next = 0;

	xb[0] = c->x;
	while (end - p >= FAST_SLACK && n < XBATCH_MAX) {
		const char *nl;
		int64_t s;

		if (!fast_xlate(c, p, &nl, &s, &xb[n]) || s < prev)
			break;
		/* what cur_next_line() + the type check would have left */
		lp = p + 1;
		le = nl;
		p = nl + 1;
		prev = s;
		if (s >= limit) {
			c->x = xb[n];
			*seq = s;
			have_next = 1;
			break;
		}
		n++;
	}
	c->p = p;
	c->lp = lp;
	c->le = le;
	*last = prev;
	c->pre = have_next;
	r->sum->xlates += n;
	r->sum->records += n;
	for (i = 0; i < n; i = j) {
		uint64_t liobn = xb[i].liobn, off[XBATCH_MAX];
		int ret;

		for (j = i; j < n && xb[j].liobn == liobn; j++)
			off[j - i] = xb[j].off;
		ret = tcesim_spapr_tce_translate_iommu_batch(r->kvm, liobn, off, j - i, &eb[i]);
		for (unsigned int k = i; k < j; k++) {
			if (tcesim_likely(!ret && xlate_agrees(&xb[k], &eb[k])))
				continue;
			c->line = line0 + k;	/* the record's own line, for messages */
			xlate_check(r, c, &xb[k], ret ? NULL : &eb[k]);
		}
	}
	/* the lines taken after the first, and the one left in @c */
	c->line = line0 + n - 1 + have_next;
	return have_next;
}

/*
 * The list in its fast form: one space, then entries of "0x" and 1..16 hex
 * digits (fast_hex()) joined by single commas, ending the line or followed
 * by a blank, at most REPLAY_LIST_MAX of them, HCALL_SLACK bytes left after
 * each; -1 (nothing consumed) for anything else, "-" included, which
 * parse_list() then reads as before (same entries, same messages).
 */
static long fast_list(struct replay *r, struct cursor *c)
{
	const char *s = c->lp;
	long n = 0;

	if (s[0] != ' ')
		return -1;
	for (s++; c->end - s >= HCALL_SLACK && n < REPLAY_LIST_MAX; s++) {
		const char *e = fast_hex(s, &r->list[n]);

		if (!e)
			return -1;
		n++;
		if (*e == ',') {
			s = e;
			continue;
		}
		if (!tok_ends(c, e))
			return -1;
		c->lp = e;
		return n;
	}
	return -1;
}

/* Parse the "-" or comma list of an I record into r->list; returns count or -1. */
static long parse_list(struct replay *r, struct cursor *c)
{
	const char *s, *e;
	long n = fast_list(r, c);

	if (n >= 0)
		return n;
	n = 0;

	if (!cur_tok(c)) {
		malformed(r, c, "missing TCE list");
		return -1;
	}
	if (c->toklen == 1 && c->tok[0] == '-')
		return 0;
	s = c->tok;
	e = c->tok + c->toklen;
	while (s < e) {
		const char *comma = memchr(s, ',', (size_t)(e - s));
		const char *te = comma ? comma : e;

		if (n == REPLAY_LIST_MAX) {
			malformed(r, c, "TCE list longer than %d entries", REPLAY_LIST_MAX);
			return -1;
		}
		if (!parse_hex_span(s, (size_t)(te - s), &r->list[n])) {
			malformed(r, c, "bad TCE list entry %ld '%.*s'", n, (int)(te - s), s);
			return -1;
		}
		n++;
		s = comma ? comma + 1 : e;
		if (comma && s == e) {
			malformed(r, c, "TCE list ends with a comma");
			return -1;
		}
	}
	return n;
}

static int do_hcall_record(struct replay *r, struct cursor *c, char type)
{
	struct tcesim_hcall_out out;
	uint64_t liobn, ioba, a2 = 0, qemu_ioba = 0, qemu_tce = 0;
	int64_t npages = 0, ret_rec, qemu_idx = 0;
	enum tcesim_replay_kind kind;
	unsigned long req;
	uint64_t args[4];
	long ret, nlist = 0;

	if (!f_hex(r, c, "liobn", &liobn) || !f_hex(r, c, "ioba", &ioba))
		return -1;
	switch (type) {
	case 'P':
		if (!f_hex(r, c, "tce", &a2) || !f_dec(r, c, "ret", true, &ret_rec) ||
		    !f_end(r, c))
			return -1;
		kind = TCESIM_REPLAY_PUT;
		req = TCESIM_H_PUT_TCE;
		break;
	case 'G':
		if (!f_hex(r, c, "tce", &qemu_tce) || !f_dec(r, c, "ret", true, &ret_rec) ||
		    !f_end(r, c))
			return -1;
		kind = TCESIM_REPLAY_GET;
		req = TCESIM_H_GET_TCE;
		break;
	case 'S':
		if (!f_hex(r, c, "tce_value", &a2) || !f_dec(r, c, "npages", false, &npages) ||
		    !f_dec(r, c, "ret", true, &ret_rec) || !f_hex(r, c, "qemu_ioba", &qemu_ioba) ||
		    !f_end(r, c))
			return -1;
		kind = TCESIM_REPLAY_STUFF;
		req = TCESIM_H_STUFF_TCE;
		break;
	default: /* 'I' */
		if (!f_hex(r, c, "tce_list", &a2) || !f_dec(r, c, "npages", false, &npages) ||
		    !f_dec(r, c, "ret", true, &ret_rec) ||
		    !f_num(r, c, "qemu_idx", &qemu_idx) ||
		    !f_hex(r, c, "qemu_tce", &qemu_tce))
			return -1;
		nlist = parse_list(r, c);
		if (nlist < 0 || !f_end(r, c))
			return -1;
		if (nlist != npages && !(nlist == 0 && npages > 512)) {
			malformed(r, c, "TCE list has %ld entries, npages is %" PRId64, nlist,
				  npages);
			return -1;
		}
		if (nlist) {
			int e = ensure_ram(r, a2, (uint64_t)nlist * 8);

			if (!e)
				e = tcesim_kvm_write_guest_be64(r->kvm, a2, r->list, (size_t)nlist);
			if (e) {
				malformed(r, c,
					  "cannot place the TCE list at gpa 0x%" PRIx64 ": %s", a2,
					  tcesim_errname(e) ? tcesim_errname(e) : "error");
				return -1;
			}
		}
		kind = TCESIM_REPLAY_INDIRECT;
		req = TCESIM_H_PUT_TCE_INDIRECT;
		break;
	}
	args[0] = liobn;
	args[1] = ioba;
	args[2] = a2;
	args[3] = (uint64_t)npages;
	ret = tcesim_kvm_hcall(r->kvm, req, args, &out);
	count_ret(r->sum, kind, (long)ret_rec);
	check_ret(r, c, tcesim_hcall_req_name(req), (long)ret_rec, ret);
	if (ret != (long)ret_rec)
		goto out;
	switch (type) {
	case 'G':
		if (ret == TCESIM_H_SUCCESS && out.r4 != qemu_tce)
			mismatch(r, c, &r->sum->trace_mismatches,
				 "H_GET_TCE tce 0x%" PRIx64 ", QEMU 0x%" PRIx64, out.r4, qemu_tce);
		break;
	case 'S':
		if (!out.traced || out.trace_ioba != qemu_ioba)
			mismatch(r, c, &r->sum->trace_mismatches,
				 "H_STUFF_TCE stopped at ioba 0x%" PRIx64 "%s, QEMU at 0x%" PRIx64,
				 out.trace_ioba, out.traced ? "" : " (not traced)", qemu_ioba);
		break;
	case 'I':
		if (!out.traced || out.trace_idx != (uint64_t)qemu_idx || out.trace_tce != qemu_tce)
			mismatch(r, c, &r->sum->trace_mismatches,
				 "H_PUT_TCE_INDIRECT iobaN=%" PRIu64 " tceN=0x%" PRIx64
				 "%s, QEMU iobaN=%" PRId64 " tceN=0x%" PRIx64,
				 out.trace_idx, out.trace_tce, out.traced ? "" : " (not traced)",
				 qemu_idx, qemu_tce);
		break;
	default:
		break;
	}
out:
	{
		uint64_t live = tcesim_kvm_live_tces(r->kvm);

		if (live > r->sum->peak_live)
			r->sum->peak_live = live;
	}
	return 0;
}

static int do_table(struct replay *r, struct cursor *c, bool remove)
{
	uint64_t liobn, bus_offset = 0, window = 0;
	int64_t ps = 0;
	int ret;

	if (!f_hex(r, c, "liobn", &liobn))
		return -1;
	if (!remove && (!f_hex(r, c, "bus_offset", &bus_offset) ||
			!f_dec(r, c, "page_shift", false, &ps) ||
			!f_hex(r, c, "window_size", &window)))
		return -1;
	if (!cur_tok(c))
		return malformed(r, c, "missing source");
	if (!f_end(r, c))
		return -1;
	if (remove) {
		r->sum->removed++;
		if (tcesim_spapr_tce_table_disable(r->kvm, liobn))
			return malformed(r, c, "R of LIOBN 0x%" PRIx64 " that has no table", liobn);
		note_liobn(r, liobn, false);
		return 0;
	}
	r->sum->tables++;
	if (ps < 12 || ps > 34)
		return malformed(r, c, "page_shift %" PRId64 " out of range 12..34", ps);
	/* A T for a LIOBN in use replaces it: QEMU disables and re-enables (DDW). */
	if (!tcesim_spapr_tce_table_disable(r->kvm, liobn))
		note_liobn(r, liobn, false);
	ret = tcesim_spapr_tce_new_table(r->kvm, liobn, bus_offset, (unsigned int)ps,
					 window >> ps, false, NULL);
	if (ret)
		return malformed(r, c, "cannot create table LIOBN 0x%" PRIx64 ": %s", liobn,
				 tcesim_errname(ret) ? tcesim_errname(ret) : "error");
	note_liobn(r, liobn, true);
	return 0;
}

/* One record of the .tce file: the first token decides. */
static int do_tce_record(struct replay *r, struct cursor *c, char type)
{
	switch (type) {
	case 'T':
		return do_table(r, c, false);
	case 'R':
		return do_table(r, c, true);
	case 'P':
	case 'S':
	case 'I':
	case 'G':
		return do_hcall_record(r, c, type);
	default:
		return malformed(r, c, "unknown record type '%c'", type);
	}
}

/* Reads the record type and seq of the next line of @c; 0 at end, 1 ok, -1 error. */
static int next_record(struct replay *r, struct cursor *c, int64_t *last, char *type,
		       int64_t *seq)
{
	c->pre = false;
	if (c->end - c->p >= FAST_SLACK && c->p[0] == 'X') {
		const char *nl;

		if (fast_xlate(c, c->p, &nl, seq, &c->x)) {
			/* what cur_next_line() + the type check would have left */
			c->line++;
			c->lp = c->p + 1;
			c->le = nl;
			c->p = nl + 1;
			if (*seq < *last)
				return malformed(r, c, "seq %" PRId64 " goes backwards (previous %"
					       PRId64 ")", *seq, *last);
			*last = *seq;
			*type = 'X';
			c->pre = true;
			return 1;
		}
	}
	if (!cur_next_line(c))
		return 0;
	/* cur_next_line() left lp on the first non-blank character */
	if (c->lp + 1 < c->le && c->lp[1] != ' ' && c->lp[1] != '\t') {
		cur_tok(c);
		return malformed(r, c, "bad record type '%.*s'", (int)c->toklen, c->tok);
	}
	*type = *c->lp++;
	if (!f_seq(r, c, last, seq))
		return -1;
	return 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The caller's world, when @opts (new enough to have the field) names one. */
static struct tcesim_world *opts_world(const struct tcesim_replay_opts *opts)
{
	if (!opts || opts->size < offsetof(struct tcesim_replay_opts, world) + sizeof(opts->world))
		return NULL;
	return opts->world;
}

static int replay_setup(struct replay *r)
{
	struct tcesim_world_cfg cfg;
	int ret;

	r->w = opts_world(r->opts);
	if (!r->w) {
		tcesim_world_cfg_init(&cfg);
		cfg.hcall = (r->opts && r->opts->size) ? r->opts->hcall : TCESIM_HCALL_QEMU;
		ret = tcesim_world_create(&cfg, &r->w);
		if (ret)
			return ret;
		r->own_world = true;
	}
	ret = tcesim_mm_create(r->w, "qemu", 0, true, &r->mm);
	if (!ret)
		ret = tcesim_kvm_create(r->w, &r->kvm);
	if (!ret)
		tcesim_kvm_set_trace(r->kvm, r->opts ? r->opts->trace_out : NULL);
	return ret;
}

static void replay_teardown(struct replay *r)
{
	if (r->kvm)
		tcesim_kvm_destroy(r->kvm);
	if (r->mm)
		tcesim_mm_exit(r->mm);
	/* tcesim_world_destroy() runs the RCU barriers itself */
	if (r->w && r->own_world)
		tcesim_world_destroy(r->w);
}

TCESIM_EXPORT int tcesim_replay_buffers(const char *name, const char *tce, size_t tce_len,
					const char *xlate_name, const char *xlate,
					size_t xlate_len, const struct tcesim_replay_opts *opts,
					struct tcesim_replay_summary *sum)
{
	struct cursor ct = { .name = name, .p = tce, .end = tce + tce_len };
	struct cursor cx = { .name = xlate_name ? xlate_name : "(xlate)", .p = xlate,
			     .end = xlate ? xlate + xlate_len : NULL };
	int64_t last_t = 0, last_x = 0, seq_t = 0, seq_x = 0;
	struct replay *r;
	char type_t = 0, type_x = 0;
	int have_t, have_x = 0, status, ret;
	bool batch;
	double t0;

	line_memo_reset(&ct.lm[0]);
	line_memo_reset(&ct.lm[1]);
	line_memo_reset(&cx.lm[0]);
	line_memo_reset(&cx.lm[1]);
	ct.lmc = &ct.lm[0];
	cx.lmc = &cx.lm[0];

	memset(sum, 0, sizeof(*sum));
	snprintf(sum->name, sizeof(sum->name), "%s", name);
	if (xlate)
		snprintf(sum->xlate_name, sizeof(sum->xlate_name), "%s", cx.name);
	r = calloc(1, sizeof(*r));
	if (!r)
		return 2;
	r->opts = opts;
	r->sum = sum;
	r->err = (opts && opts->err) ? opts->err : stderr;
	r->show = (opts && opts->show) ? opts->show : TCESIM_REPLAY_SHOW_MAX;
	tcesim_thread_enter();
	ret = replay_setup(r);
	if (ret) {
		fprintf(r->err, "%s: cannot set up the model: %s\n", name,
			tcesim_errname(ret) ? tcesim_errname(ret) : "error");
		status = 2;
		goto out;
	}
	/*
	 * Batches of X records (xlate_run()) except when the model traces:
	 * then each translation's trace line keeps its place among the
	 * mismatch messages, should both go to one stream.
	 */
	batch = !(opts && opts->trace_out);
	t0 = now_s();
	have_t = next_record(r, &ct, &last_t, &type_t, &seq_t);
	if (xlate)
		have_x = next_record(r, &cx, &last_x, &type_x, &seq_x);
	while (have_t > 0 || have_x > 0) {
		if (have_t < 0 || have_x < 0)
			break;
		/* X records strictly before the next hypercall/table record go first. */
		if (have_x > 0 && (have_t <= 0 || seq_x < seq_t)) {
			if (type_x != 'X') {
				malformed(r, &cx, "unknown record type '%c' in X file", type_x);
				break;
			}
			if (cx.pre && batch) {
				uint64_t before = sum->records;

				have_x = xlate_run(r, &cx, &last_x, have_t > 0 ? seq_t : INT64_MAX,
						   &seq_x);
				if (!have_x)
					have_x = next_record(r, &cx, &last_x, &type_x, &seq_x);
				if (opts && opts->progress && (before ^ sum->records) >> 18)
					fprintf(opts->progress, "\r%s: %" PRIu64 " records", name,
						sum->records);
				continue;
			}
			if (do_xlate(r, &cx))
				break;
			sum->records++;
			have_x = next_record(r, &cx, &last_x, &type_x, &seq_x);
		} else {
			if (type_t == 'X') {
				if (do_xlate(r, &ct))
					break;
			} else if (do_tce_record(r, &ct, type_t)) {
				break;
			}
			sum->records++;
			have_t = next_record(r, &ct, &last_t, &type_t, &seq_t);
		}
		if (opts && opts->progress && !(sum->records & 0x3ffff))
			fprintf(opts->progress, "\r%s: %" PRIu64 " records", name, sum->records);
	}
	sum->seconds = now_s() - t0;
	if (opts && opts->progress)
		fprintf(opts->progress, "\r%s: %" PRIu64 " records\n", name, sum->records);
	if (r->malformed) {
		status = 2;
		goto out;
	}
	sum->final_live = tcesim_kvm_live_tces(r->kvm);
	for (unsigned int i = 0; i < r->nliobns; i++) {
		struct tcesim_spapr_tce_info info;

		sum->table[i].liobn = r->liobns[i];
		tcesim_spapr_tce_digest(r->kvm, r->liobns[i], &sum->table[i].digest);
		if (!tcesim_spapr_tce_table_info(r->kvm, r->liobns[i], &info))
			sum->table[i].live = info.live;
	}
	sum->ntables = r->nliobns;
	status = sum->mismatches ? 1 : 0;
out:
	replay_teardown(r);
	tcesim_thread_exit();
	free(r);
	return status;
}

/* NAME.tce.txt[.xz|.gz] -> the first existing NAME.xlate.txt[.xz|.gz], or NULL. */
static char *find_xlate(const char *path)
{
	static const char *const sfx[] = { ".xlate.txt", ".xlate.txt.xz", ".xlate.txt.gz" };
	const char *p = strstr(path, ".tce.txt");
	size_t stem;
	unsigned int i;

	if (!p)
		return NULL;
	while (strstr(p + 1, ".tce.txt"))
		p = strstr(p + 1, ".tce.txt");
	stem = (size_t)(p - path);
	for (i = 0; i < TCESIM_ARRAY_SIZE(sfx); i++) {
		size_t n = stem + strlen(sfx[i]) + 1;
		char *cand = malloc(n);
		struct stat st;

		if (!cand)
			return NULL;
		snprintf(cand, n, "%.*s%s", (int)stem, path, sfx[i]);
		if (!stat(cand, &st) && S_ISREG(st.st_mode))
			return cand;
		free(cand);
	}
	return NULL;
}

TCESIM_EXPORT int tcesim_replay_file(const char *path, const struct tcesim_replay_opts *opts,
				     struct tcesim_replay_summary *sum)
{
	FILE *err = (opts && opts->err) ? opts->err : stderr;
	char *tce = NULL, *xl = NULL, *xpath = NULL;
	size_t tlen = 0, xlen = 0;
	double t0 = now_s();
	int ret;

	memset(sum, 0, sizeof(*sum));
	ret = tcesim_replay_read_file(path, &tce, &tlen);
	if (ret) {
		fprintf(err, "%s: cannot read: %s\n", path, strerror(-ret));
		return 2;
	}
	if (opts && opts->xlate_path)
		xpath = strdup(opts->xlate_path);
	else if (!(opts && opts->no_xlate))
		xpath = find_xlate(path);
	if (xpath) {
		ret = tcesim_replay_read_file(xpath, &xl, &xlen);
		if (ret) {
			fprintf(err, "%s: cannot read: %s\n", xpath, strerror(-ret));
			free(xpath);
			free(tce);
			return 2;
		}
	}
	{
		double load = now_s() - t0;

		ret = tcesim_replay_buffers(path, tce, tlen, xpath, xl, xlen, opts, sum);
		sum->load_seconds = load;
	}
	free(xpath);
	free(xl);
	free(tce);
	return ret;
}

static const char *const kind_names[TCESIM_REPLAY_NR_KINDS] = {
	"H_PUT_TCE", "H_PUT_TCE_INDIRECT", "H_STUFF_TCE", "H_GET_TCE",
};

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

TCESIM_EXPORT void tcesim_replay_print_summary(FILE *f, const struct tcesim_replay_summary *sum,
					       bool json)
{
	double rate = sum->seconds > 0 ? (double)sum->hcalls / sum->seconds : 0;
	unsigned int i, k;

	if (json) {
		fputs("{\"trace\":", f);
		json_str(f, sum->name);
		fputs(",\"xlate\":", f);
		json_str(f, sum->xlate_name);
		fprintf(f, ",\"records\":%" PRIu64 ",\"tables\":%" PRIu64 ",\"removed\":%" PRIu64
			   ",\"hcalls\":%" PRIu64 ",\"by_kind\":{",
			sum->records, sum->tables, sum->removed, sum->hcalls);
		for (k = 0; k < TCESIM_REPLAY_NR_KINDS; k++)
			fprintf(f, "%s\"%s\":%" PRIu64, k ? "," : "", kind_names[k],
				sum->by_kind[k]);
		fputs("},\"rets\":[", f);
		for (i = 0; i < sum->nrets; i++)
			fprintf(f, "%s{\"hcall\":\"%s\",\"ret\":%ld,\"count\":%" PRIu64 "}",
				i ? "," : "", kind_names[sum->rets[i].kind], sum->rets[i].ret,
				sum->rets[i].count);
		fprintf(f, "],\"xlates\":%" PRIu64 ",\"mismatches\":%" PRIu64
			   ",\"ret_mismatches\":%" PRIu64 ",\"xlate_mismatches\":%" PRIu64
			   ",\"trace_mismatches\":%" PRIu64 ",\"shown\":[",
			sum->xlates, sum->mismatches, sum->ret_mismatches, sum->xlate_mismatches,
			sum->trace_mismatches);
		for (i = 0; i < sum->nshown; i++) {
			if (i)
				fputc(',', f);
			json_str(f, sum->shown[i]);
		}
		fprintf(f, "],\"peak_live\":%" PRIu64 ",\"final_live\":%" PRIu64
			   ",\"tables_final\":[",
			sum->peak_live, sum->final_live);
		for (i = 0; i < sum->ntables; i++)
			fprintf(f, "%s{\"liobn\":\"0x%" PRIx64 "\",\"xxh3\":\"0x%016" PRIx64
				   "\",\"live\":%" PRIu64 "}",
				i ? "," : "", sum->table[i].liobn, sum->table[i].digest,
				sum->table[i].live);
		fprintf(f, "],\"load_s\":%.6f,\"replay_s\":%.6f,\"hcalls_per_s\":%.0f}\n",
			sum->load_seconds, sum->seconds, rate);
		return;
	}
	fprintf(f, "replay %s%s%s\n", sum->name, sum->xlate_name[0] ? " + " : "",
		sum->xlate_name);
	fprintf(f, "  tables created %" PRIu64 ", removed %" PRIu64 "\n", sum->tables,
		sum->removed);
	for (k = 0; k < TCESIM_REPLAY_NR_KINDS; k++) {
		fprintf(f, "  %-19s %9" PRIu64, kind_names[k], sum->by_kind[k]);
		for (i = 0; i < sum->nrets; i++) {
			char b[24];

			if (sum->rets[i].kind == k)
				fprintf(f, "  %s: %" PRIu64,
					ret_name(sum->rets[i].ret, b, sizeof(b)),
					sum->rets[i].count);
		}
		fputc('\n', f);
	}
	fprintf(f, "  hypercalls %" PRIu64 ", translations checked %" PRIu64 "\n", sum->hcalls,
		sum->xlates);
	fprintf(f, "  live TCEs: peak %" PRIu64 ", final %" PRIu64 "\n", sum->peak_live,
		sum->final_live);
	for (i = 0; i < sum->ntables; i++)
		fprintf(f, "  table liobn=0x%" PRIx64 " xxh3=0x%016" PRIx64 " live=%" PRIu64 "\n",
			sum->table[i].liobn, sum->table[i].digest, sum->table[i].live);
	fprintf(f, "  mismatches %" PRIu64 " (return codes %" PRIu64 ", translations %" PRIu64
		   ", traced values %" PRIu64 ")\n",
		sum->mismatches, sum->ret_mismatches, sum->xlate_mismatches, sum->trace_mismatches);
	for (i = 0; i < sum->nshown; i++)
		fprintf(f, "    %s\n", sum->shown[i]);
	fprintf(f, "  time: load %.3f s, replay %.3f s, %.2f M hcalls/s, %.2f M records/s\n",
		sum->load_seconds, sum->seconds, rate / 1e6,
		sum->seconds > 0 ? (double)sum->records / sum->seconds / 1e6 : 0.0);
}

static void usage(FILE *err)
{
	fputs("usage: tcesim replay [--xlate FILE] [--no-xlate] [--trace-out FILE] [--json]\n"
	      "                     [--hcall=qemu|kvm+qemu|kvm] NAME.tce.txt[.xz|.gz]...\n",
	      err);
}

TCESIM_EXPORT int tcesim_replay_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct tcesim_replay_opts opts = { .size = sizeof(opts), .hcall = TCESIM_HCALL_QEMU };
	struct tcesim_replay_summary *sum;
	const char *trace_out = NULL;
	FILE *tf = NULL;
	bool json = false;
	int i, nfiles = 0, status = 0;

	opts.err = err;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--no-xlate")) {
			opts.no_xlate = true;
		} else if (!strcmp(a, "--xlate") || !strcmp(a, "--trace-out")) {
			if (i + 1 >= argc) {
				fprintf(err, "tcesim replay: %s needs a FILE\n", a);
				usage(err);
				return 2;
			}
			if (!strcmp(a, "--xlate"))
				opts.xlate_path = argv[++i];
			else
				trace_out = argv[++i];
		} else if (!strncmp(a, "--xlate=", 8)) {
			opts.xlate_path = a + 8;
		} else if (!strncmp(a, "--trace-out=", 12)) {
			trace_out = a + 12;
		} else if (!strncmp(a, "--hcall=", 8)) {
			if (!strcmp(a + 8, "qemu"))
				opts.hcall = TCESIM_HCALL_QEMU;
			else if (!strcmp(a + 8, "kvm+qemu"))
				opts.hcall = TCESIM_HCALL_KVM_QEMU;
			else if (!strcmp(a + 8, "kvm"))
				opts.hcall = TCESIM_HCALL_KVM;
			else {
				fprintf(err, "tcesim replay: bad --hcall '%s'\n", a + 8);
				return 2;
			}
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(out);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(err, "tcesim replay: unknown option %s\n", a);
			usage(err);
			return 2;
		} else {
			nfiles++;
		}
	}
	if (!nfiles) {
		usage(err);
		return 2;
	}
	if (opts.xlate_path && nfiles > 1) {
		fprintf(err, "tcesim replay: --xlate needs exactly one trace file\n");
		return 2;
	}
	if (trace_out) {
		tf = strcmp(trace_out, "-") ? fopen(trace_out, "w") : out;
		if (!tf) {
			fprintf(err, "%s: %s\n", trace_out, strerror(errno));
			return 2;
		}
		opts.trace_out = tf;
	}
	if (isatty(fileno(err)))
		opts.progress = err;
	sum = malloc(sizeof(*sum));
	if (!sum) {
		if (tf && tf != out)
			fclose(tf);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		int ret;

		if (a[0] == '-' && a[1]) {
			if (!strcmp(a, "--xlate") || !strcmp(a, "--trace-out"))
				i++;
			continue;
		}
		ret = tcesim_replay_file(a, &opts, sum);
		if (ret != 2)
			tcesim_replay_print_summary(out, sum, json);
		if (ret > status)
			status = ret;
	}
	free(sum);
	if (tf && tf != out)
		fclose(tf);
	return status;
}
