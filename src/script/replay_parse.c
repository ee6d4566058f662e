// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * replay_parse.c - the "tcesim trace v1" record format (data/traces/README.md):
 * one line into one struct replay_rec, or a message.
 *
 * Concepts:
 *  - A line is cut into at most REC_TOK_MAX blank-separated tokens (the
 *    longest record, I, has 10); each field is read by one of two bounded
 *    loops: hex is "0x" and 1..16 digits, decimal 1..18 digits (with a
 *    '-' where a field may be negative). Nothing else reads the text, so
 *    the parser's cost is one pass over the line and its stack is fixed.
 *    (This replaced a SWAR/SSE2 X-line parser of ~700 lines: in the same
 *    run the end-to-end replay of the bundled traces was no faster with it
 *    than with this one; issue 9, figures in the commit and the report.)
 *  - Fields are checked in order; the first bad one is the message:
 *    "missing NAME", "bad NAME 'TOKEN' (...)". TOKEN is echoed cut at
 *    SCRIPT_ECHO_MAX bytes with non-printable bytes as \xNN by the
 *    shared script_escape_token() (escape.c; issue 7, defect 8), so a
 *    hostile line cannot flood or garble the terminal.
 *  - seq must not go backwards within a file (the merge of the two files
 *    relies on it).
 *  - Calls QEMU did not trace (issue 7, defect 6): QEMU 7.2's
 *    hw/ppc/spapr_iommu.c h_put_tce_indirect() returns H_PARAMETER without
 *    reaching trace_spapr_iommu_indirect() for an unknown LIOBN, npages >
 *    512 or a misaligned tce_list, and h_stuff_tce() without reaching
 *    trace_spapr_iommu_stuff() for an unknown LIOBN or npages > nb_table.
 *    Such a record (it can only come from the guest side) writes '-' for
 *    the values QEMU would have traced (S: qemu_ioba; I: qemu_idx and
 *    qemu_tce, both), and the replay then checks the return code and that
 *    the model did not trace either. An I record with a '-' list and
 *    npages > 0 is accepted only so (no list can be read for it).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "replay_parts.h"
#include "script/script_internal.h" /* script_escape_token() */

#define REC_TOK_MAX	11	/* the longest record (I) has 10 tokens; +1 sees an extra */

struct toks {
	const char *s[REC_TOK_MAX];
	size_t len[REC_TOK_MAX];
	unsigned int n;
	unsigned int next;	/* first token not consumed */
};

static void split(struct toks *t, const char *line, size_t len)
{
	const char *s = line, *e = line + len;

	t->n = 0;
	t->next = 0;
	while (t->n < REC_TOK_MAX) {
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if (s == e)
			break;
		t->s[t->n] = s;
		while (s < e && *s != ' ' && *s != '\t')
			s++;
		t->len[t->n] = (size_t)(s - t->s[t->n]);
		t->n++;
	}
}

static int fail(struct replay_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct replay_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* "0x" and 1..16 hex digits, exactly @n bytes. */
static bool hex_span(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n < 3 || n > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	for (i = 2; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= '0' && ch <= '9')
			v = (v << 4) | (uint64_t)(ch - '0');
		else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
			v = (v << 4) | (uint64_t)((ch | 0x20) - 'a' + 10);
		else
			return false;
	}
	*out = v;
	return true;
}

/* 1..@maxd decimal digits, a leading '-' when @neg, exactly @n bytes. */
static bool dec_span(const char *s, size_t n, bool neg, size_t maxd, int64_t *out)
{
	bool minus = neg && n && s[0] == '-';
	uint64_t v = 0;
	size_t i = minus;

	if (i == n || n - i > maxd)
		return false;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > (uint64_t)INT64_MAX)
		return false;
	*out = minus ? -(int64_t)v : (int64_t)v;
	return true;
}

/* The next token, or a "missing @what" failure. */
static bool take(struct replay_parser *p, struct toks *t, const char *what, const char **s,
		 size_t *n)
{
	if (t->next >= t->n) {
		fail(p, "missing %s", what);
		return false;
	}
	*s = t->s[t->next];
	*n = t->len[t->next++];
	return true;
}

static bool bad(struct replay_parser *p, const char *what, const char *s, size_t n,
		const char *why)
{
	char e[SCRIPT_ECHO_BUF];

	script_escape_token(e, sizeof(e), s, n, true);
	fail(p, "bad %s '%s'%s", what, e, why);
	return false;
}

static bool f_hex(struct replay_parser *p, struct toks *t, const char *what, uint64_t *v)
{
	const char *s;
	size_t n;

	if (!take(p, t, what, &s, &n))
		return false;
	return hex_span(s, n, v) || bad(p, what, s, n, " (hex with 0x expected)");
}

static bool f_dec(struct replay_parser *p, struct toks *t, const char *what, bool neg,
		  int64_t *v)
{
	const char *s;
	size_t n;

	if (!take(p, t, what, &s, &n))
		return false;
	return dec_span(s, n, neg, 18, v) || bad(p, what, s, n, " (decimal expected)");
}

/* A count printed either way: decimal, or hex with 0x (qemu_idx is "0xf" in the data). */
static bool f_num(struct replay_parser *p, struct toks *t, const char *what, int64_t *v)
{
	const char *s;
	size_t n;
	uint64_t u;

	if (!take(p, t, what, &s, &n))
		return false;
	if (n > 2 && s[0] == '0' && (s[1] | 0x20) == 'x') {
		if (!hex_span(s, n, &u) || u > (uint64_t)INT64_MAX)
			return bad(p, what, s, n, "");
		*v = (int64_t)u;
		return true;
	}
	return dec_span(s, n, false, 19, v) || bad(p, what, s, n, " (number expected)");
}

/* The next token is '-' (not traced): consumed, true. */
static bool f_untraced(struct toks *t)
{
	if (t->next < t->n && t->len[t->next] == 1 && t->s[t->next][0] == '-') {
		t->next++;
		return true;
	}
	return false;
}

static bool f_end(struct replay_parser *p, struct toks *t)
{
	if (t->next >= t->n)
		return true;
	{
		char e[SCRIPT_ECHO_BUF];

		script_escape_token(e, sizeof(e), t->s[t->next], t->len[t->next], true);
		fail(p, "unexpected field '%s'", e);
	}
	return false;
}

/* The "-" or comma list of an I record into p->list. */
static bool f_list(struct replay_parser *p, struct toks *t, long *count)
{
	const char *s, *e;
	size_t n;
	long k = 0;

	if (!take(p, t, "TCE list", &s, &n))
		return false;
	*count = 0;
	if (n == 1 && s[0] == '-')
		return true;
	e = s + n;
	while (s < e) {
		const char *comma = memchr(s, ',', (size_t)(e - s));
		const char *te = comma ? comma : e;

		if (k == REPLAY_LIST_MAX) {
			fail(p, "TCE list longer than %d entries", REPLAY_LIST_MAX);
			return false;
		}
		if (!hex_span(s, (size_t)(te - s), &p->list[k])) {
			char b[SCRIPT_ECHO_BUF];

			script_escape_token(b, sizeof(b), s, (size_t)(te - s), true);
			fail(p, "bad TCE list entry %ld '%s'", k, b);
			return false;
		}
		k++;
		s = comma ? comma + 1 : e;
		if (comma && s == e) {
			fail(p, "TCE list ends with a comma");
			return false;
		}
	}
	*count = k;
	return true;
}

static bool parse_i(struct replay_parser *p, struct toks *t, struct replay_rec *r)
{
	if (!f_hex(p, t, "tce_list", &r->a2) || !f_dec(p, t, "npages", false, &r->npages) ||
	    !f_dec(p, t, "ret", true, &r->ret))
		return false;
	if (f_untraced(t)) {
		if (!f_untraced(t)) {
			fail(p, "qemu_tce must be '-' when qemu_idx is (a call QEMU did not trace)");
			return false;
		}
		r->traced = false;
	} else if (!f_num(p, t, "qemu_idx", &r->qemu_idx) ||
		   !f_hex(p, t, "qemu_tce", &r->qemu_tce)) {
		return false;
	}
	if (!f_list(p, t, &r->nlist) || !f_end(p, t))
		return false;
	if (r->nlist == r->npages)
		return true;
	if (r->nlist == 0 && r->traced && r->npages > 512) {
		fail(p, "H_PUT_TCE_INDIRECT of %" PRId64 " > 512 pages, which QEMU does not trace, "
			"needs '-' for qemu_idx and qemu_tce", r->npages);
		return false;
	}
	if (r->nlist == 0 && !r->traced)
		return true;	/* not traced: the list was never read */
	fail(p, "TCE list has %ld entries, npages is %" PRId64, r->nlist, r->npages);
	return false;
}

static bool parse_fields(struct replay_parser *p, struct toks *t, struct replay_rec *r)
{
	const char *s;
	size_t n;

	switch (r->type) {
	case 'T':
		if (!f_hex(p, t, "liobn", &r->liobn) || !f_hex(p, t, "bus_offset", &r->ioba) ||
		    !f_dec(p, t, "page_shift", false, &r->npages) ||
		    !f_hex(p, t, "window_size", &r->a2) || !take(p, t, "source", &s, &n) ||
		    !f_end(p, t))
			return false;
		if (r->npages < 12 || r->npages > 34) {
			fail(p, "page_shift %" PRId64 " out of range 12..34", r->npages);
			return false;
		}
		return true;
	case 'R':
		return f_hex(p, t, "liobn", &r->liobn) && take(p, t, "source", &s, &n) &&
		       f_end(p, t);
	case 'P':
	case 'G':
		return f_hex(p, t, "liobn", &r->liobn) && f_hex(p, t, "ioba", &r->ioba) &&
		       f_hex(p, t, "tce", &r->a2) && f_dec(p, t, "ret", true, &r->ret) &&
		       f_end(p, t);
	case 'S':
		if (!f_hex(p, t, "liobn", &r->liobn) || !f_hex(p, t, "ioba", &r->ioba) ||
		    !f_hex(p, t, "tce_value", &r->a2) ||
		    !f_dec(p, t, "npages", false, &r->npages) ||
		    !f_dec(p, t, "ret", true, &r->ret))
			return false;
		if (f_untraced(t))
			r->traced = false;
		else if (!f_hex(p, t, "qemu_ioba", &r->qemu_ioba))
			return false;
		return f_end(p, t);
	case 'I':
		return f_hex(p, t, "liobn", &r->liobn) && f_hex(p, t, "ioba", &r->ioba) &&
		       parse_i(p, t, r);
	case 'X':
		return f_hex(p, t, "liobn", &r->liobn) && f_hex(p, t, "offset", &r->ioba) &&
		       f_hex(p, t, "translated", &r->a2) &&
		       f_dec(p, t, "perm", false, &r->npages) && f_hex(p, t, "mask", &r->mask) &&
		       f_end(p, t);
	default: {
		char e[8];

		script_escape_token(e, sizeof(e), &r->type, 1, true);
		fail(p, "unknown record type '%s'", e);
		return false;
	}
	}
}

int replay_parse_line(struct replay_parser *p, const char *line, size_t len,
		      struct replay_rec *rec)
{
	struct toks t;

	split(&t, line, len);
	memset(rec, 0, sizeof(*rec));
	rec->traced = true;
	if (!t.n)
		return fail(p, "empty record");
	if (t.len[0] != 1) {
		char e[SCRIPT_ECHO_BUF];

		script_escape_token(e, sizeof(e), t.s[0], t.len[0], true);
		return fail(p, "bad record type '%s'", e);
	}
	rec->type = t.s[0][0];
	t.next = 1;
	if (!f_dec(p, &t, "seq", false, &rec->seq))
		return -1;
	if (rec->seq < p->last_seq)
		return fail(p, "seq %" PRId64 " goes backwards (previous %" PRId64 ")", rec->seq,
			    p->last_seq);
	p->last_seq = rec->seq;
	return parse_fields(p, &t, rec) ? 0 : -1;
}
