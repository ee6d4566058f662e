// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * script_ctx.c - the state of the running scenario file, below every
 * command: the object registry (name -> pointer of a type, destroyed in
 * reverse creation order before the world), syntax errors (first message
 * wins, exit 2), --explain lines and the passed/failed counters.
 *
 * Moved out of runner.c (issue 9) so the commands call down into it and the
 * dispatcher (dispatch.c) calls down into the commands: one way.
 * Messages echo input through script_fputs_escaped() (escape.c).
 *
 * Threading: one file runs on one thread (the runner's or, under an
 * exploration, its model threads one at a time).
 */
#include <stdarg.h>

#include "script/runner_parts.h"

/* ------------------------------------------------------------ objects -- */

int script_obj_add(struct script_ctx *ctx, const char *type, const char *name, void *ptr,
		   void (*destroy)(void *ptr))
{
	struct script_obj *o;

	if (script_obj_get(ctx, type, name))
		return -EEXIST;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->type = strdup(type);
	o->name = strdup(name);
	if (!o->type || !o->name) {
		free(o->type);
		free(o->name);
		free(o);
		return -ENOMEM;
	}
	o->ptr = ptr;
	o->destroy = destroy;
	o->next = ctx->objs;
	ctx->objs = o;
	return 0;
}

void *script_obj_get(struct script_ctx *ctx, const char *type, const char *name)
{
	struct script_obj *o;

	if (!name)
		return NULL;
	for (o = ctx->objs; o; o = o->next)
		if (!strcmp(o->type, type) && !strcmp(o->name, name))
			return o->ptr;
	return NULL;
}

void *script_obj_need(struct script_ctx *ctx, const char *type, const char *name)
{
	void *p = script_obj_get(ctx, type, name);

	if (!p)
		script_error(ctx, "unknown %s %s", type, name ? name : "(none given)");
	return p;
}

const char *script_obj_name(struct script_ctx *ctx, const char *type, const void *ptr)
{
	struct script_obj *o;

	for (o = ctx->objs; o; o = o->next)
		if (!strcmp(o->type, type) && o->ptr == ptr)
			return o->name;
	return NULL;
}

static int obj_remove(struct script_ctx *ctx, const char *type, const char *name, bool destroy)
{
	struct script_obj **pp, *o;

	for (pp = &ctx->objs; (o = *pp); pp = &o->next) {
		if (!strcmp(o->type, type) && !strcmp(o->name, name)) {
			*pp = o->next;
			if (destroy && o->destroy)
				o->destroy(o->ptr);
			free(o->type);
			free(o->name);
			free(o);
			return 0;
		}
	}
	return -ENOENT;
}

int script_obj_del(struct script_ctx *ctx, const char *type, const char *name)
{
	return obj_remove(ctx, type, name, false);
}

int script_obj_release(struct script_ctx *ctx, const char *type, const char *name)
{
	return obj_remove(ctx, type, name, true);
}

void *script_dma_owner(struct script_ctx *ctx, const char *name)
{
	char *cookie = script_obj_get(ctx, "dma_owner", name);

	if (cookie)
		return cookie;
	cookie = strdup(name);
	if (!cookie || script_obj_add(ctx, "dma_owner", name, cookie, free)) {
		free(cookie);
		return NULL;
	}
	return cookie;
}

static void objs_destroy(struct script_ctx *ctx)
{
	while (ctx->objs) {
		struct script_obj *o = ctx->objs;

		ctx->objs = o->next;
		if (o->destroy)
			o->destroy(o->ptr);
		free(o->type);
		free(o->name);
		free(o);
	}
}

struct tcesim_world *script_world(struct script_ctx *ctx)
{
	return ctx->w;
}

/* ----------------------------------------------------------- messages -- */

int script_error(struct script_ctx *ctx, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	if (ctx->syntax_error)
		return SCRIPT_ERR; /* first message wins */
	ctx->syntax_error = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(ctx->err, "%s:%d: ", ctx->file, ctx->lineno);
	script_fputs_escaped(msg, ctx->err);
	fputc('\n', ctx->err);
	return SCRIPT_ERR;
}

bool script_explaining(const struct script_ctx *ctx)
{
	return ctx->opts->explain;
}

void script_explain(struct script_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (!ctx->opts->explain)
		return;
	fputs("    ", ctx->out);
	va_start(ap, fmt);
	vfprintf(ctx->out, fmt, ap);
	va_end(ap);
	fputc('\n', ctx->out);
}

void script_pass(struct script_ctx *ctx)
{
	ctx->passed++;
}

void script_fail(struct script_ctx *ctx, const char *want, const char *got)
{
	ctx->failed++;
	/* want comes from the line (=> key=VALUE), got may echo it too */
	fprintf(ctx->out, "%s:%d: expected ", ctx->file, ctx->lineno);
	script_fputs_escaped(want, ctx->out);
	fputs(", got ", ctx->out);
	script_fputs_escaped(got, ctx->out);
	fputc('\n', ctx->out);
}

void script_ctx_view(struct script_ctx *ctx, struct script_ctx_view *v)
{
	v->out = &ctx->out;
	v->opts = &ctx->opts;
	v->passed = &ctx->passed;
	v->failed = &ctx->failed;
	v->syntax_error = &ctx->syntax_error;
	v->w = &ctx->w;
	v->cfg = &ctx->cfg;
	v->file = ctx->file;
	v->lineno = &ctx->lineno;
}

void script_ctx_objs_destroy(struct script_ctx *ctx)
{
	objs_destroy(ctx);
}
