/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * runner_parts.h - what the three parts of the scenario runner share (the
 * script module's own header for them; the commands see only
 * script_internal.h):
 *
 *     runner.c       files: read, run line by line (or explore_script.c), finish
 *     dispatch.c     one line: parse, `set`, command lookup, expectations
 *     script_ctx.c   the file state: objects, errors, --explain, counters
 *
 * (the whole order of src/script is atop script_internal.h).
 */
#ifndef TCESIM_SCRIPT_RUNNER_PARTS_H
#define TCESIM_SCRIPT_RUNNER_PARTS_H

#include "script/script_internal.h"

struct script_obj {
	char *type;
	char *name;
	void *ptr;
	void (*destroy)(void *ptr);
	struct script_obj *next; /* newest first */
};

struct script_ctx {
	const char *file;
	int lineno;
	const struct tcesim_run_opts *opts;
	FILE *out, *err;
	struct tcesim_world_cfg cfg;
	struct tcesim_world *w;
	struct script_obj *objs;
	bool syntax_error;
	long passed, failed;
};

/* ---- dispatch.c, for runner.c ---- */
/* Splits @src into @ln (ln->text keeps the display form, ln->buf the
 * tokens); 0, or SCRIPT_ERR with the message recorded. */
int script_line_parse(struct script_ctx *ctx, const char *src, struct script_line *ln);
/* Frees what script_line_parse() allocated; @ln is zeroed. */
void script_line_free(struct script_line *ln);
/* Runs a parsed line: `set`, or the command and its expectations. */
int script_line_exec(struct script_ctx *ctx, const struct script_line *ln);

#endif /* TCESIM_SCRIPT_RUNNER_PARTS_H */
