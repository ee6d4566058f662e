// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * expect.c - a scenario line's expectations (shared/SCENARIO.md
 * "Expectations"), split from runner.c.
 *
 * Concepts:
 *  - "=> ALT|ALT... key=value..." after a command: the return code must be
 *    one of the alternatives (ok, an errno name, an H_* name,
 *    DMA_MAPPING_ERROR or a number), and every key the command reported
 *    must equal the expected value (numbers compare by value: 4K == 4096
 *    == 0x1000). A line without "=>" must return ok.
 *  - `check` commands compare their own arguments with script_check_*():
 *    one expectation per compared key.
 *  - Each held expectation counts as passed (script_pass()), each failed one
 *    prints "FILE:LINE: expected WANT, got GOT" (script_fail(), script_ctx.c).
 */
#include <inttypes.h>

#include "script/script_internal.h"

static bool values_equal(const char *a, const char *b)
{
	uint64_t x, y;

	if (script_parse_u64(a, &x) && script_parse_u64(b, &y))
		return x == y;
	return !strcmp(a, b);
}

bool script_check_str(struct script_ctx *ctx, const char *key, const char *want, const char *got)
{
	char w[160], g[160];

	if (values_equal(want, got)) {
		script_pass(ctx);
		return true;
	}
	snprintf(w, sizeof(w), "%s=%s", key, want);
	snprintf(g, sizeof(g), "%s=%s", key, got);
	script_fail(ctx, w, g);
	return false;
}

bool script_check_u64(struct script_ctx *ctx, const char *key, uint64_t want, uint64_t got)
{
	char w[32], g[32];

	snprintf(w, sizeof(w), "%" PRIu64, want);
	snprintf(g, sizeof(g), "%" PRIu64, got);
	if (want == got) {
		script_pass(ctx);
		return true;
	}
	if (want > 4096 || got > 4096) {
		snprintf(w, sizeof(w), "0x%" PRIx64, want);
		snprintf(g, sizeof(g), "0x%" PRIx64, got);
	}
	return script_check_str(ctx, key, w, g);
}

void script_ret_name(long ret, enum script_ret_kind kind, char *buf, size_t len)
{
	const char *n = NULL;

	switch (kind) {
	case SCRIPT_RET_ERRNO:
		if (ret <= 0 && ret >= -4095)
			n = tcesim_errname((int)ret);
		break;
	case SCRIPT_RET_HCALL:
		n = tcesim_hcall_name(ret);
		break;
	case SCRIPT_RET_DMA:
		n = ret == -1 ? "DMA_MAPPING_ERROR" : "ok";
		break;
	case SCRIPT_RET_NUMBER:
		n = ret == 0 ? "ok" : NULL;
		break;
	}
	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "%ld", ret);
}

/* Does the result match one expected return word? */
static bool want_matches(const char *want, const struct script_result *res)
{
	long code;
	int e;
	char *end;

	if (!strcmp(want, "ok")) {
		if (res->kind == SCRIPT_RET_DMA)
			return res->ret != -1;
		return res->ret == 0;
	}
	if (!strcmp(want, "DMA_MAPPING_ERROR"))
		return res->kind == SCRIPT_RET_DMA && res->ret == -1;
	if (!strncmp(want, "H_", 2) && !tcesim_hcall_from_name(want, &code))
		return res->kind == SCRIPT_RET_HCALL && res->ret == code;
	if (want[0] == 'E' && !tcesim_errno_from_name(want, &e))
		return res->kind != SCRIPT_RET_HCALL && res->ret == -e;
	code = strtol(want, &end, 0);
	if (*want && !*end)
		return res->ret == code;
	return false;
}

bool script_want_valid(const char *want)
{
	long code;
	int e;
	char *end;

	if (!strcmp(want, "ok") || !strcmp(want, "DMA_MAPPING_ERROR"))
		return true;
	if (!tcesim_hcall_from_name(want, &code) || !tcesim_errno_from_name(want, &e))
		return true;
	strtol(want, &end, 0);
	return *want && !*end;
}

void script_check_expectations(struct script_ctx *ctx, const struct script_line *ln,
			       const struct script_result *res, bool is_check)
{
	char got[64], want[256];
	int i, j;

	if (ln->has_expect || !is_check) {
		bool ok = false;

		if (!ln->has_expect) {
			ok = want_matches("ok", res);
			snprintf(want, sizeof(want), "ok");
		} else {
			want[0] = 0;
			for (i = 0; i < ln->nwant; i++) {
				ok |= want_matches(ln->want[i], res);
				if (i)
					strncat(want, "|", sizeof(want) - strlen(want) - 1);
				strncat(want, ln->want[i], sizeof(want) - strlen(want) - 1);
			}
		}
		if (ok) {
			script_pass(ctx);
		} else {
			script_ret_name(res->ret, res->kind, got, sizeof(got));
			script_fail(ctx, want, got);
		}
	}
	for (i = 0; i < ln->nekv; i++) {
		const char *k = ln->ekv[i].key;

		for (j = 0; j < res->nrep; j++)
			if (!strcmp(res->rep[j].key, k))
				break;
		if (j == res->nrep) {
			char w[160], g[160];

			snprintf(w, sizeof(w), "%s=%s", k, ln->ekv[i].val);
			snprintf(g, sizeof(g), "no %s", k);
			script_fail(ctx, w, g);
			continue;
		}
		script_check_str(ctx, k, ln->ekv[i].val, res->rep[j].val);
	}
}
