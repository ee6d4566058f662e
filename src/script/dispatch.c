// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * dispatch.c - one scenario line (shared/SCENARIO.md): split into the
 * command, bare words, key=value arguments and the "=>" expectations; a
 * `set` line sets the world's options; any other line looks its command up
 * in the modules' tables (cmd_<module>.c; several modules may register one
 * name and pass with SCRIPT_PASS), creates the world at the first one,
 * checks its arity and keys, calls it and then checks the expectations
 * (expect.c).
 *
 * Moved out of runner.c (issue 9): the commands sit below this file, the
 * file runner (runner.c) and the explorer's line runner (explore_script.c)
 * above it.
 */
#include <ctype.h>

#include "script/runner_parts.h"

static const struct script_cmd *const cmd_tables[] = {
	script_cmds_core, script_cmds_mem, script_cmds_ops,
	script_cmds_tce,
	script_cmds_owner,
	script_cmds_tce_check,
	script_cmds_device_dma,
	script_cmds_vfio, script_cmds_kvm,
	script_cmds_sva, script_cmds_prq, script_cmds_explore,
};

/* -------------------------------------------------------------- parse -- */

void script_line_free(struct script_line *ln)
{
	free(ln->text);
	free(ln->buf);
	free(ln->pos);
	free(ln->kv);
	free(ln->want);
	free(ln->ekv);
	memset(ln, 0, sizeof(*ln));
}

/* Splits @src into @ln: ln->text keeps the display form, ln->buf the tokens. */
int script_line_parse(struct script_ctx *ctx, const char *src, struct script_line *ln)
{
	char *p, *tok, *save = NULL, *hash;
	bool after = false;
	size_t ntok = 0, l;

	memset(ln, 0, sizeof(*ln));
	ln->file = ctx->file;
	ln->lineno = ctx->lineno;
	ln->text = strdup(src);
	if (!ln->text)
		return script_error(ctx, "out of memory");
	hash = strchr(ln->text, '#');
	if (hash)
		*hash = 0;
	l = strlen(ln->text);
	while (l && isspace((unsigned char)ln->text[l - 1]))
		ln->text[--l] = 0;
	/* count exactly the tokens strtok_r() below cuts (" \t\r"; a \v or \f is
	 * part of a token): isspace() here overflowed pos[] on "\v\t\v\t=" */
	for (p = ln->text; *p; p++)
		ntok += !strchr(" \t\r", *p) && (p == ln->text || strchr(" \t\r", p[-1]));
	if (!ntok)
		return 0;
	ln->buf = strdup(ln->text);
	ln->pos = calloc(ntok, sizeof(char *));
	ln->kv = calloc(ntok, sizeof(*ln->kv));
	ln->want = calloc(l + 1, sizeof(char *));
	ln->ekv = calloc(ntok, sizeof(*ln->ekv));
	if (!ln->buf || !ln->pos || !ln->kv || !ln->want || !ln->ekv)
		return script_error(ctx, "out of memory");
	for (tok = strtok_r(ln->buf, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
		char *eq = strchr(tok, '=');

		if (!ln->cmd) {
			ln->cmd = tok;
		} else if (!strcmp(tok, "=>")) {
			if (after)
				return script_error(ctx, "two '=>' on one line");
			after = ln->has_expect = true;
		} else if (!after) {
			if (eq && eq != tok) {
				*eq = 0;
				ln->kv[ln->nkv].key = tok;
				ln->kv[ln->nkv++].val = eq + 1;
			} else {
				ln->pos[ln->npos++] = tok;
			}
		} else if (!ln->nwant) {
			char *alt, *s2 = NULL;

			for (alt = strtok_r(tok, "|", &s2); alt; alt = strtok_r(NULL, "|", &s2)) {
				if (!script_want_valid(alt))
					return script_error(ctx, "unknown expected result '%s'", alt);
				ln->want[ln->nwant++] = alt;
			}
			if (!ln->nwant)
				return script_error(ctx, "empty expectation after '=>'");
		} else if (eq && eq != tok) {
			*eq = 0;
			ln->ekv[ln->nekv].key = tok;
			ln->ekv[ln->nekv++].val = eq + 1;
		} else {
			return script_error(ctx, "unexpected word '%s' after the expected result", tok);
		}
	}
	if (after && !ln->nwant)
		return script_error(ctx, "missing expected result after '=>'");
	return 0;
}

/* ---------------------------------------------------------- dispatch -- */

/* The @nth command (0-based, in table order) registered under the name. */
static const struct script_cmd *cmd_find(const char *name, const char *sub, int nth)
{
	char full[64];
	size_t t;
	const struct script_cmd *c;

	if (sub)
		snprintf(full, sizeof(full), "%s %s", name, sub);
	for (t = 0; t < TCESIM_ARRAY_SIZE(cmd_tables); t++)
		for (c = cmd_tables[t]; c->name; c++)
			if (!strcmp(c->name, sub ? full : name) && nth-- == 0)
				return c;
	return NULL;
}

/*
 * The positional arity of @c, derived from its usage line (one source of
 * truth): after the command's name, every word before "#" or "=>" that has
 * no '=' and starts with a capital (NAME, MM, LIOBN, H_PUT_TCE|...) or lists
 * alternatives (read|write), bracketed or not. A "check X" command also counts X itself (ln->pos[0]).
 */
static int cmd_arity(const struct script_cmd *c, bool sub)
{
	const char *p = c->usage ? c->usage : "";
	size_t nl = strlen(c->name);
	int n = sub ? 1 : 0;

	if (!strncmp(p, c->name, nl))
		p += nl;
	while (*p) {
		const char *w, *e;

		while (*p == ' ')
			p++;
		w = p;
		while (*p && *p != ' ')
			p++;
		e = p;
		if (w == e || *w == '#' || !strncmp(w, "=>", 2))
			break;
		if (*w == '[')
			w++;
		if (w < e && memchr(w, '=', (size_t)(e - w)) == NULL &&
		    ((*w >= 'A' && *w <= 'Z') || memchr(w, '|', (size_t)(e - w))))
			n++;
	}
	return n;
}

static bool key_allowed(const char *keys, const char *key)
{
	size_t kl = strlen(key);
	const char *p = keys;

	if (!strcmp(keys, "*"))
		return true;
	while (p && *p) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);

		if (l == kl && !strncmp(p, key, kl))
			return true;
		p = c ? c + 1 : NULL;
	}
	return false;
}

static int set_option(struct script_ctx *ctx, const struct script_line *ln)
{
	int i;

	if (ctx->w)
		return script_error(ctx, "set: must come before any other command");
	if (ln->npos || !ln->nkv)
		return script_error(ctx, "set: takes key=value options");
	for (i = 0; i < ln->nkv; i++) {
		const char *k = ln->kv[i].key, *v = ln->kv[i].val;
		uint64_t n;

		if (!strcmp(k, "flavour")) {
			if (tcesim_flavour_from_name(v, &ctx->cfg.flavour))
				return script_error(ctx, "set: unknown flavour %s", v);
		} else if (!strcmp(k, "quirks")) {
			if (!strcmp(v, "safe"))
				ctx->cfg.quirks = TCESIM_QUIRKS_SAFE;
			else if (!strcmp(v, "upstream"))
				ctx->cfg.quirks = TCESIM_QUIRKS_UPSTREAM;
			else
				return script_error(ctx, "set: quirks=safe|upstream, not %s", v);
		} else if (!strcmp(k, "hcall")) {
			if (!strcmp(v, "kvm+qemu"))
				ctx->cfg.hcall = TCESIM_HCALL_KVM_QEMU;
			else if (!strcmp(v, "kvm"))
				ctx->cfg.hcall = TCESIM_HCALL_KVM;
			else if (!strcmp(v, "qemu"))
				ctx->cfg.hcall = TCESIM_HCALL_QEMU;
			else
				return script_error(ctx, "set: hcall=kvm+qemu|kvm|qemu, not %s", v);
		} else if (!strcmp(k, "host_page_shift")) {
			if (!script_parse_u64(v, &n) || (n != 12 && n != 16))
				return script_error(ctx, "set: host_page_shift=12|16, not %s", v);
			ctx->cfg.host_page_shift = (unsigned int)n;
		} else if (!strcmp(k, "seed")) {
			if (!script_parse_u64(v, &n))
				return script_error(ctx, "set: bad seed %s", v);
			ctx->cfg.seed = n;
		} else if (!strcmp(k, "max_page_order")) {
			/* MAX_PAGE_ORDER of TCE level allocations (issue 8.4) */
			if (!script_parse_u64(v, &n) || n > TCESIM_MAX_PAGE_ORDER_LIMIT)
				return script_error(ctx, "set: max_page_order=0..%d, not %s",
						    TCESIM_MAX_PAGE_ORDER_LIMIT, v);
			ctx->cfg.max_page_order = (int)n;
		} else {
			return script_error(ctx, "set: unknown option %s", k);
		}
	}
	return SCRIPT_OK;
}

int script_line_exec(struct script_ctx *ctx, const struct script_line *ln)
{
	const struct script_cmd *c;
	const char *sub = NULL, *bad_key = NULL, *bad_word = NULL;
	struct script_result res;
	int i, nth, ret = SCRIPT_OK;

	if (!strcmp(ln->cmd, "set"))
		return set_option(ctx, ln);
	if (!strcmp(ln->cmd, "check")) {
		if (!ln->npos)
			return script_error(ctx, "check: missing what to check");
		sub = ln->pos[0];
	}
	c = cmd_find(ln->cmd, sub, 0);
	if (!c) {
		if (sub)
			return script_error(ctx, "unknown command 'check %s'", sub);
		return script_error(ctx, "unknown command '%s'", ln->cmd);
	}
	if (!ctx->w) {
		ret = tcesim_world_create(&ctx->cfg, &ctx->w);
		if (ret)
			return script_error(ctx, "cannot create the world: %s", tcesim_errname(ret));
	}
	if (ctx->opts->explain) {
		fprintf(ctx->out, "%s:%d: ", ctx->file, ctx->lineno);
		script_fputs_escaped(ln->text, ctx->out); /* the line, as an echo */
		fputc('\n', ctx->out);
	}
	for (nth = 0; c; c = cmd_find(ln->cmd, sub, ++nth)) {
		int arity = cmd_arity(c, sub != NULL);

		if (ln->npos > arity) {
			/* extra bare words are a syntax error (issue 7, defect 5) */
			bad_word = ln->pos[arity];
			continue;
		}
		for (i = 0; i < ln->nkv; i++)
			if (!key_allowed(c->keys, ln->kv[i].key))
				break;
		if (i < ln->nkv) {
			bad_key = ln->kv[i].key;
			continue;
		}
		memset(&res, 0, sizeof(res));
		ret = c->fn(ctx, ln, &res);
		if (ret != SCRIPT_PASS)
			break;
	}
	if (!c) {
		if (bad_word) /* script_error() cuts and escapes it */
			return script_error(ctx, "%s: unexpected word '%s'", ln->cmd, bad_word);
		if (bad_key)
			return script_error(ctx, "%s: unknown argument %s=", ln->cmd, bad_key);
		return script_error(ctx, "%s: unknown object %s", ln->cmd,
				    ln->npos ? ln->pos[0] : "(none given)");
	}
	if (ret != SCRIPT_OK || ctx->syntax_error) {
		if (!ctx->syntax_error)
			script_error(ctx, "%s failed", c->name);
		return SCRIPT_ERR;
	}
	if (ctx->opts->explain) {
		char name[64];

		script_ret_name(res.ret, res.kind, name, sizeof(name));
		fprintf(ctx->out, "    => %s", name);
		for (i = 0; i < res.nrep; i++)
			fprintf(ctx->out, " %s=%s", res.rep[i].key, res.rep[i].val);
		fputc('\n', ctx->out);
	}
	script_check_expectations(ctx, ln, &res, sub != NULL);
	return SCRIPT_OK;
}

/* ---- for explore_script.c (script_internal.h): one line, a fresh file state ---- */

int script_line_run(struct script_ctx *ctx, int lineno, const char *src)
{
	struct script_line ln;
	int ret = SCRIPT_OK;
	char *copy = strdup(src);

	if (!copy)
		return script_error(ctx, "out of memory");
	ctx->lineno = lineno;
	if (script_line_parse(ctx, copy, &ln) == 0 && !ctx->syntax_error && ln.cmd)
		ret = script_line_exec(ctx, &ln);
	script_line_free(&ln);
	free(copy);
	return ctx->syntax_error ? SCRIPT_ERR : ret;
}

TCESIM_EXPORT void tcesim_script_print_commands(FILE *f)
{
	size_t t;
	const struct script_cmd *c;

	fprintf(f, "  set flavour=... quirks=safe|upstream hcall=kvm+qemu|kvm|qemu "
		   "host_page_shift=12|16 seed=N max_page_order=N\n");
	for (t = 0; t < TCESIM_ARRAY_SIZE(cmd_tables); t++)
		for (c = cmd_tables[t]; c->name; c++)
			fprintf(f, "  %s\n", c->usage ? c->usage : c->name);
}
