// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * args.c - argument parsing helpers for scenario commands (numbers with
 * K/M/G suffixes, directions, flag lists, yes/no) and result reporting.
 */
#include <ctype.h>
#include <inttypes.h>

#include "script/script_internal.h"

bool script_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v, mul = 1;
	int base = 10;

	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)s[2]))
			return false;
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno)
		return false;
	if (*end && base == 10) {
		switch (*end) {
		case 'K': mul = 1ULL << 10; break;
		case 'M': mul = 1ULL << 20; break;
		case 'G': mul = 1ULL << 30; break;
		default: return false;
		}
		end++;
	}
	if (*end)
		return false;
	if (mul > 1 && v > UINT64_MAX / mul)
		return false;
	*out = v * mul;
	return true;
}

const char *script_arg(const struct script_line *ln, const char *key)
{
	int i;

	for (i = 0; i < ln->nkv; i++)
		if (!strcmp(ln->kv[i].key, key))
			return ln->kv[i].val;
	return NULL;
}

const char *script_pos(struct script_ctx *ctx, const struct script_line *ln, int i,
		       const char *what)
{
	if (i < ln->npos)
		return ln->pos[i];
	script_error(ctx, "%s: missing %s", ln->cmd, what);
	return NULL;
}

bool script_arg_u64(struct script_ctx *ctx, const struct script_line *ln, const char *key,
		    bool required, uint64_t def, uint64_t *out)
{
	const char *v = script_arg(ln, key);

	if (!v) {
		if (required) {
			script_error(ctx, "%s: missing %s=", ln->cmd, key);
			return false;
		}
		*out = def;
		return true;
	}
	if (!script_parse_u64(v, out)) {
		script_error(ctx, "%s: bad number %s=%s", ln->cmd, key, v);
		return false;
	}
	return true;
}

static const char *const dir_names[] = {
	[TCESIM_DMA_BIDIRECTIONAL] = "bidirectional",
	[TCESIM_DMA_TO_DEVICE] = "to_device",
	[TCESIM_DMA_FROM_DEVICE] = "from_device",
	[TCESIM_DMA_NONE] = "none",
};

const char *script_dir_name(enum tcesim_dma_data_direction d)
{
	if ((unsigned int)d < TCESIM_ARRAY_SIZE(dir_names))
		return dir_names[d];
	return "?";
}

bool script_arg_dir(struct script_ctx *ctx, const struct script_line *ln, const char *key,
		    bool required, enum tcesim_dma_data_direction def,
		    enum tcesim_dma_data_direction *out)
{
	const char *v = script_arg(ln, key);
	unsigned int i;

	if (!v) {
		if (required) {
			script_error(ctx, "%s: missing %s=", ln->cmd, key);
			return false;
		}
		*out = def;
		return true;
	}
	for (i = 0; i < TCESIM_ARRAY_SIZE(dir_names); i++) {
		if (!strcmp(v, dir_names[i])) {
			*out = (enum tcesim_dma_data_direction)i;
			return true;
		}
	}
	script_error(ctx, "%s: bad direction %s=%s (none, to_device, from_device, bidirectional)",
		     ln->cmd, key, v);
	return false;
}

bool script_arg_bool(struct script_ctx *ctx, const struct script_line *ln, const char *key,
		     bool def, bool *out)
{
	const char *v = script_arg(ln, key);

	if (!v) {
		*out = def;
		return true;
	}
	if (!strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "true")) {
		*out = true;
		return true;
	}
	if (!strcmp(v, "no") || !strcmp(v, "0") || !strcmp(v, "false")) {
		*out = false;
		return true;
	}
	script_error(ctx, "%s: %s= takes yes or no, not %s", ln->cmd, key, v);
	return false;
}

bool script_arg_flags(struct script_ctx *ctx, const struct script_line *ln, const char *key,
		      const struct script_flag *names, uint64_t def, uint64_t *out)
{
	const char *v = script_arg(ln, key);
	char buf[256], *tok, *save = NULL;
	uint64_t acc = 0;

	if (!v) {
		*out = def;
		return true;
	}
	if (script_parse_u64(v, out))
		return true;
	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct script_flag *f;

		for (f = names; f->name; f++)
			if (!strcmp(f->name, tok))
				break;
		if (!f->name) {
			script_error(ctx, "%s: unknown flag %s in %s=", ln->cmd, tok, key);
			return false;
		}
		acc |= f->bit;
	}
	*out = acc;
	return true;
}

bool script_arg_u64_list(struct script_ctx *ctx, const struct script_line *ln, const char *key,
			 uint64_t **out, size_t *n)
{
	const char *v = script_arg(ln, key);
	size_t cap = 1, cnt = 0;
	const char *p;
	uint64_t *arr;

	if (!v) {
		script_error(ctx, "%s: missing %s=", ln->cmd, key);
		return false;
	}
	for (p = v; *p; p++)
		cap += *p == ',';
	arr = calloc(cap, sizeof(*arr));
	if (!arr) {
		script_error(ctx, "out of memory");
		return false;
	}
	p = v;
	while (*p) {
		char tok[64];
		size_t l = strcspn(p, ",");

		if (l == 0 || l >= sizeof(tok)) {
			free(arr);
			script_error(ctx, "%s: bad list %s=%s", ln->cmd, key, v);
			return false;
		}
		memcpy(tok, p, l);
		tok[l] = 0;
		if (!script_parse_u64(tok, &arr[cnt])) {
			free(arr);
			script_error(ctx, "%s: bad number %s in %s=", ln->cmd, tok, key);
			return false;
		}
		cnt++;
		p += l;
		if (*p == ',')
			p++;
	}
	*out = arr;
	*n = cnt;
	return true;
}

static void report(struct script_result *res, const char *key, const char *val)
{
	int i;

	for (i = 0; i < res->nrep; i++)
		if (!strcmp(res->rep[i].key, key))
			break;
	if (i == res->nrep) {
		if (res->nrep == SCRIPT_MAX_REPORTS)
			return;
		res->nrep++;
	}
	snprintf(res->rep[i].key, sizeof(res->rep[i].key), "%s", key);
	snprintf(res->rep[i].val, sizeof(res->rep[i].val), "%s", val);
}

void script_report_u64(struct script_result *res, const char *key, uint64_t v)
{
	char b[32];

	snprintf(b, sizeof(b), "0x%" PRIx64, v);
	report(res, key, b);
}

void script_report_dec(struct script_result *res, const char *key, long long v)
{
	char b[32];

	snprintf(b, sizeof(b), "%lld", v);
	report(res, key, b);
}

void script_report_str(struct script_result *res, const char *key, const char *v)
{
	report(res, key, v);
}

