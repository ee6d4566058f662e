/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * script_internal.h - the scenario interpreter's command API.
 *
 * A scenario line is parsed into a struct script_line; the runner looks the
 * command up in the command tables (one per module, cmd_<mod>.c), checks
 * that every key=value argument is one the command declares, calls it, and
 * then checks the expectations after "=>" against what the command returned
 * and reported (SCENARIO.md).
 *
 * A command:
 *  - reads arguments with script_arg_*() (a bad value is a syntax error:
 *    the helper records the message and returns false; the command then
 *    returns SCRIPT_ERR);
 *  - looks objects up with script_obj_get() (unknown object: SCRIPT_ERR via
 *    script_error());
 *  - sets res->ret and res->kind, and reports values with script_report_*()
 *    for "=> ok key=value" expectations;
 *  - `check` style commands compare with script_check_*() which record one
 *    expectation each;
 *  - prints effects with script_explain() (shown under --explain).
 * It returns SCRIPT_OK (expectations then checked), SCRIPT_ERR (exit 2:
 * message already recorded, nothing more runs in that file) or SCRIPT_PASS
 * (not my object: several modules may register one command name).
 *
 * The files of src/script call each other one way, bottom to top (a file
 * calls only files of a lower layer; tests/api script_layers checks it from
 * the objects' symbols). Two stacks share the bottom layer:
 *
 *   the scenario interpreter              the trace replay (replay_parts.h)
 *   0  escape.c      echoed input, cut and escaped (both stacks)
 *   1  script_ctx.c  file state: objects,  0  replay_input.c  files, xz/gzip
 *                    errors, --explain,    1  replay_parse.c  trace v1 lines
 *                    counters              2  replay.c        the engine
 *   2  args.c        key=value arguments,  3  replay_output.c summary, CLI
 *                    reports
 *   3  expect.c      "=>" expectations, check helpers
 *   3  cmd_ops_common.c  what the TCE/PHB commands share (cmd_ops.h)
 *   4  cmd_*.c       the command tables, one per module
 *   5  dispatch.c    one line: parse, `set`, command lookup, expectations
 *   6  explore_run.c     one schedule's setup, line, finally, teardown
 *   7  explore_lin.c     the `linearizable` flag: sequential orders
 *   8  explore_script.c  `thread` files: schedules of dispatched lines
 *   9  runner.c      files: read, run line by line or explored, finish
 */
#ifndef TCESIM_SCRIPT_INTERNAL_H
#define TCESIM_SCRIPT_INTERNAL_H

#include <stdio.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <tcesim/tcesim.h>

/* The script module sees only the public API (issue 9); same as src/internal.h's. */
#ifndef TCESIM_ARRAY_SIZE
#define TCESIM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#include <tcesim/script.h>

#define SCRIPT_OK 0
#define SCRIPT_ERR (-1)
/*
 * Returned by a command when the object it names is not of its module
 * (e.g. driver_bind of a VT-d device reaching the TCE module first): the
 * runner then tries the next module's command of the same name. Nothing may
 * have been changed or reported before returning it.
 */
#define SCRIPT_PASS 1

struct script_kv {
	char *key;
	char *val;
};

struct script_line {
	const char *file;
	int lineno;
	char *text;		/* the whole line as written (trimmed, no comment) */
	char *buf;		/* token storage: the strings below point into it */
	char *cmd;		/* first word */
	char **pos;		/* bare words after the command, in order */
	int npos;
	struct script_kv *kv;	/* key=value before "=>" */
	int nkv;
	bool has_expect;	/* "=>" present */
	char **want;		/* expected return alternatives ("ok", "EINVAL", ...) */
	int nwant;
	struct script_kv *ekv;	/* key=value after "=>" */
	int nekv;
};

enum script_ret_kind {
	SCRIPT_RET_ERRNO = 0,	/* 0 = ok, negative errno */
	SCRIPT_RET_HCALL,	/* PAPR code: H_SUCCESS is ok */
	SCRIPT_RET_DMA,		/* dma_addr_t: TCESIM_DMA_MAPPING_ERROR or ok */
	SCRIPT_RET_NUMBER,	/* plain number; 0 prints as ok */
};

#define SCRIPT_MAX_REPORTS 16

struct script_result {
	long ret;
	enum script_ret_kind kind;
	int nrep;
	struct {
		char key[32];
		char val[64];
	} rep[SCRIPT_MAX_REPORTS];
};

struct script_ctx;

struct script_cmd {
	const char *name;
	/* comma-separated key=value arguments it accepts; "*" accepts any */
	const char *keys;
	int (*fn)(struct script_ctx *ctx, const struct script_line *ln, struct script_result *res);
	const char *usage;	/* one line for --help */
};

/* One table per module, terminated by a NULL name. */
extern const struct script_cmd script_cmds_core[];
extern const struct script_cmd script_cmds_mem[];
extern const struct script_cmd script_cmds_ops[];
extern const struct script_cmd script_cmds_tce[];
extern const struct script_cmd script_cmds_owner[];
extern const struct script_cmd script_cmds_tce_check[];
extern const struct script_cmd script_cmds_device_dma[];
extern const struct script_cmd script_cmds_kvm[];
extern const struct script_cmd script_cmds_vfio[];
extern const struct script_cmd script_cmds_sva[];
extern const struct script_cmd script_cmds_prq[];
extern const struct script_cmd script_cmds_explore[];	/* cmd_explore.c */

/* The world of the running file (created at the first non-`set` line). */
struct tcesim_world *script_world(struct script_ctx *ctx);

/* ---- objects: name -> pointer of a type, freed with the file's world ---- */
/* @type is a short string ("mm", "phb", "pe", "dev", "liobn"...). Names are
 * unique per type. @destroy (may be NULL) runs at the end of the file, in
 * reverse creation order, before the world is destroyed. Returns -EEXIST on
 * a duplicate name, -ENOMEM. */
int script_obj_add(struct script_ctx *ctx, const char *type, const char *name, void *ptr,
		   void (*destroy)(void *ptr));
void *script_obj_get(struct script_ctx *ctx, const char *type, const char *name);
/* As script_obj_get() but records "unknown TYPE NAME" as a syntax error. */
void *script_obj_need(struct script_ctx *ctx, const char *type, const char *name);
/* Name an object was registered under (for --explain), or NULL. */
const char *script_obj_name(struct script_ctx *ctx, const char *type, const void *ptr);
/* Forget an object without running its destroy function (it is gone already). */
int script_obj_del(struct script_ctx *ctx, const char *type, const char *name);
/*
 * The owner cookie of an owner= name (claim_dma_owner & co.): one "dma_owner"
 * object per name, shared by every module, so one name is one owner whichever
 * kind of group it claims. NULL when out of memory.
 */
void *script_dma_owner(struct script_ctx *ctx, const char *name);
/* Run the object's destroy function, then forget it. */
int script_obj_release(struct script_ctx *ctx, const char *type, const char *name);

/* ---- arguments ---- */
/* Raw value of key=..., or NULL. */
const char *script_arg(const struct script_line *ln, const char *key);
/* Bare word @i, or records a syntax error "missing NAME" and returns NULL. */
const char *script_pos(struct script_ctx *ctx, const struct script_line *ln, int i,
		       const char *what);
/* Numbers: decimal or 0x hex, with K/M/G suffixes. If the key is absent:
 * required -> syntax error, false; else *out = def, true. */
bool script_arg_u64(struct script_ctx *ctx, const struct script_line *ln, const char *key,
		    bool required, uint64_t def, uint64_t *out);
bool script_parse_u64(const char *s, uint64_t *out);
/* Direction: none|to_device|from_device|bidirectional */
bool script_arg_dir(struct script_ctx *ctx, const struct script_line *ln, const char *key,
		    bool required, enum tcesim_dma_data_direction def,
		    enum tcesim_dma_data_direction *out);
const char *script_dir_name(enum tcesim_dma_data_direction d);
/* yes|no */
bool script_arg_bool(struct script_ctx *ctx, const struct script_line *ln, const char *key,
		     bool def, bool *out);
/* Flag list "read,write" against a table of names, or a number. */
struct script_flag {
	const char *name;
	uint64_t bit;
};
bool script_arg_flags(struct script_ctx *ctx, const struct script_line *ln, const char *key,
		      const struct script_flag *names, uint64_t def, uint64_t *out);
/* Comma list of numbers (u64=0x1003,0x2003). Allocates *out (free()). */
bool script_arg_u64_list(struct script_ctx *ctx, const struct script_line *ln, const char *key,
			 uint64_t **out, size_t *n);

/* ---- results ---- */
void script_report_u64(struct script_result *res, const char *key, uint64_t v); /* 0x hex */
void script_report_dec(struct script_result *res, const char *key, long long v);
void script_report_str(struct script_result *res, const char *key, const char *v);

/* ---- check commands: one expectation each; false when it failed ---- */
bool script_check_u64(struct script_ctx *ctx, const char *key, uint64_t want, uint64_t got);
bool script_check_str(struct script_ctx *ctx, const char *key, const char *want, const char *got);
/* Records a failed expectation with a free-form "got" text. */
void script_fail(struct script_ctx *ctx, const char *want, const char *got);
/* Counts one held expectation (script_ctx.c). */
void script_pass(struct script_ctx *ctx);
/* expect.c: is @want a return word "=>" accepts (ok, ENAME, H_NAME, number)? */
bool script_want_valid(const char *want);
/* expect.c: checks the line's "=>" (or the implied ok unless @is_check) and key=values. */
void script_check_expectations(struct script_ctx *ctx, const struct script_line *ln,
			       const struct script_result *res, bool is_check);

/* ---- messages ---- */
/*
 * Echoed input (issue 7, defect 8): a token is cut at SCRIPT_ECHO_MAX bytes
 * ("..." follows) and each byte outside printable ASCII, and '\\', is
 * written \xNN (also '\'' when @quote: the token is echoed in quotes), so
 * a hostile line can neither flood nor garble the terminal. @dst gets at
 * most @size - 1 bytes (SCRIPT_ECHO_BUF is enough) and a NUL; returns the
 * length written. The scenario runner and the trace parser both use it
 * (escape.c).
 */
#define SCRIPT_ECHO_MAX 64
#define SCRIPT_ECHO_BUF (SCRIPT_ECHO_MAX * 4 + 4)
size_t script_escape_token(char *dst, size_t size, const char *tok, size_t len, bool quote);
/*
 * Writes @msg to @f with each blank-separated word through
 * script_escape_token(); a word's quotes stay, and KEY=VALUE is two tokens.
 */
void script_fputs_escaped(const char *msg, FILE *f);
/*
 * Syntax/usage error: FILE:LINE: message, exit 2. Always returns SCRIPT_ERR.
 * The formatted message goes out through script_fputs_escaped(): every word
 * of it (so every echoed token) is cut and escaped; at most 4 KiB of it.
 */
int script_error(struct script_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Effect line for --explain ("  TCE 0x0 -> 0x1003"). */
void script_explain(struct script_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool script_explaining(const struct script_ctx *ctx);

/* ---- explore_script.c: files with `thread` sections (issue 10) ---- */
bool script_explore_is(const char *text);
/* Runs such a file (fresh world per schedule); false on a syntax error. */
bool script_explore_run(struct script_ctx *ctx, const char *text);
/* dispatch.c services for it: one line (parse + run + expectations) at @lineno */
int script_line_run(struct script_ctx *ctx, int lineno, const char *src);
struct script_ctx_view {
	FILE **out;
	const struct tcesim_run_opts **opts;
	long *passed, *failed;
	bool *syntax_error;
	struct tcesim_world **w;
	struct tcesim_world_cfg *cfg;
	const char *file;
	int *lineno;
};
/* script_ctx.c: */
void script_ctx_view(struct script_ctx *ctx, struct script_ctx_view *v);
/* Destroys the file's objects (reverse creation order), not the world. */
void script_ctx_objs_destroy(struct script_ctx *ctx);

/* Name for a return value of @kind ("ok", "EINVAL", "H_PARAMETER", ...). */
void script_ret_name(long ret, enum script_ret_kind kind, char *buf, size_t len);

#endif
