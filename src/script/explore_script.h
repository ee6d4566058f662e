/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * explore_script.h - what explore_run.c (one schedule's sequential parts),
 * explore_lin.c (the `linearizable` flag) and explore_script.c (the `thread`
 * files) share. Not used elsewhere.
 */
#ifndef TCESIM_EXPLORE_SCRIPT_H
#define TCESIM_EXPLORE_SCRIPT_H

#include "script/script_internal.h"
#include <tcesim/explore.h>

#define XS_MAX_THREADS TCESIM_EXPLORE_MAX_THREADS
#define XS_MEMBUF 16384

struct xs_line {
	int lineno;
	char *text;
};

struct xs_section {
	char name[32];
	struct xs_line *lines;
	int n, cap;
};

struct xs_file {
	struct xs_section setup, thr[XS_MAX_THREADS], fin;
	int nthreads;
	bool has_fin;
	int explore_lineno;		/* 0: no explore line */
	struct tcesim_explore_opts eo;
	bool want_violation;
	long want_schedules;		/* -1: not given */
	long want_states;		/* -1: not given */
	bool linearizable;		/* the explore line's `linearizable` flag */
};

struct xs_run {
	struct script_ctx *ctx;
	struct script_ctx_view v;
	struct xs_file *f;
	bool quiet;			/* output into membuf */
	FILE *mem;
	char membuf[XS_MEMBUF];
	uint64_t res[XS_MAX_THREADS][64]; /* per-line result hashes of the schedule */
	uint64_t fin_digest;		/* finally lines' results + pins + locked_vm */
	struct xs_lin *lin;		/* explore_lin.c: sequential outcomes, or NULL */
};

/* explore_run.c */
/* Runs one line; false on a syntax error. A failed expectation is a violation.
 * With @res_hash, the hash of the line's "=> RESULT" is stored there. */
bool xs_run_line(struct xs_run *x, const struct xs_line *ln, uint64_t *res_hash);
void *xs_setup(void *arg);
/* The finally lines, then x->fin_digest. */
void xs_finally(struct xs_run *x);
/* Destroys the schedule's objects and world; 0, or 1 with @why filled. */
int xs_teardown(void *ctx, char *why, size_t len);

/* explore_lin.c */
#define XS_LIN_MAX_ORDERS 5040		/* sequential orders precomputed at most */
/* Runs every sequential order of the threads' lines once (quietly); 0 or a
 * syntax error already reported (-EINVAL), or -E2BIG (too many orders). */
int xs_lin_precompute(struct xs_run *x);
/* Whether the schedule just run matches one sequential order. */
bool xs_lin_match(const struct xs_run *x);
unsigned long xs_lin_orders(const struct xs_run *x);
void xs_lin_free(struct xs_run *x);

#endif /* TCESIM_EXPLORE_SCRIPT_H */
