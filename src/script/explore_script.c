// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * explore_script.c - scenario files with `thread` sections (issue 10,
 * docs/SCENARIO.md "Exploring interleavings").
 *
 * Concepts:
 *  - A file is: a sequential setup (the lines before the first section),
 *    2-4 `thread NAME` sections of ordinary command lines, an optional
 *    `finally` section, and an `explore ...` line with its verdict
 *    (`=> holds [schedules=N]` or `=> violation`).
 *  - Each schedule runs the whole file again in a fresh world: setup,
 *    then the threads as coroutines of tcesim_explore() (thread i is letter
 *    a+i in schedule strings), then `finally`, then the built-in
 *    invariants: after the file's objects are destroyed no page is still
 *    pinned, and after the world is torn down no model allocation is still
 *    live. A failed expectation inside a thread or `finally`, a deadlock, or
 *    a broken invariant makes the schedule a violation.
 *  - While exploring, output goes to a memory buffer (explain on, so each
 *    line's "=> RESULT" can be read back for the end-state digest: the
 *    thread lines' results in line order). The
 *    first violating schedule is then replayed onto the real output with
 *    --explain's trace and the scheduler's steps.
 *  - Without an `explore` line the file runs once, threads one after the
 *    other in file order (the schedule "."), counting expectations as any
 *    file does. --schedule=S replays S instead of exploring.
 */
#include <ctype.h>
#include <inttypes.h>
#include <xxhash.h>

#include "script/explore_script.h"
#include <tcesim/explore.h>
#include <tcesim/mem.h>

bool script_explore_is(const char *text)
{
	const char *p = text;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!strncmp(p, "thread", 6) && (p[6] == ' ' || p[6] == '\t'))
			return true;
		p += strcspn(p, "\n");
		p += *p == '\n';
	}
	return false;
}

static int section_add(struct xs_section *s, int lineno, const char *text)
{
	if (s->n == s->cap) {
		int cap = s->cap ? 2 * s->cap : 16;
		struct xs_line *n = realloc(s->lines, (size_t)cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->lines = n;
		s->cap = cap;
	}
	s->lines[s->n].lineno = lineno;
	s->lines[s->n].text = strdup(text);
	if (!s->lines[s->n].text)
		return -ENOMEM;
	s->n++;
	return 0;
}

static void section_free(struct xs_section *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->lines[i].text);
	free(s->lines);
}

static void file_free(struct xs_file *f)
{
	section_free(&f->setup);
	section_free(&f->fin);
	for (int i = 0; i < XS_MAX_THREADS; i++)
		section_free(&f->thr[i]);
}

static int xs_error(struct xs_run *x, int lineno, const char *what)
{
	*x->v.lineno = lineno;
	return script_error(x->ctx, "%s", what);
}

/* "explore [preemptions=K|unbounded] [random=N seed=S depth=D] [max=N] [sleep_sets=no]
 *  [linearizable] [keep_going]
 *  => holds [schedules=N] [end_states=N] | violation" */
static int parse_explore(struct xs_run *x, int lineno, char *words)
{
	struct xs_file *f = x->f;
	char *save = NULL, *tok;
	bool after = false, verdict = false;
	char msg[160];

	tcesim_explore_opts_init(&f->eo);
	f->explore_lineno = lineno;
	f->want_schedules = -1;
	f->want_states = -1;
	strtok_r(words, " \t\r", &save); /* "explore" */
	while ((tok = strtok_r(NULL, " \t\r", &save))) {
		char *eq = strchr(tok, '=');
		uint64_t v = 0;

		if (!strcmp(tok, "=>")) {
			if (after)
				return xs_error(x, lineno, "explore: two '=>'");
			after = true;
			continue;
		}
		if (eq)
			*eq++ = '\0';
		if (!after && !eq && !strcmp(tok, "linearizable")) {
			f->linearizable = true;
			continue;
		}
		if (!after && !eq && !strcmp(tok, "keep_going")) {
			f->eo.keep_going = true; /* every schedule, each violation counted */
			continue;
		}
		if (!after && !eq && !strcmp(tok, "unbounded")) {
			f->eo.preemptions = TCESIM_EXPLORE_UNBOUNDED;
			continue;
		}
		if (after && !eq && !verdict && (!strcmp(tok, "holds") || !strcmp(tok, "violation"))) {
			verdict = true;
			f->want_violation = !strcmp(tok, "violation");
			continue;
		}
		if (!eq) {
			snprintf(msg, sizeof(msg), "explore: unexpected word '%.40s'", tok);
			return xs_error(x, lineno, msg);
		}
		if (!after && !strcmp(tok, "sleep_sets") && (!strcmp(eq, "no") || !strcmp(eq, "yes"))) {
			f->eo.no_sleep_sets = !strcmp(eq, "no");
			continue;
		}
		if (!after && !strcmp(tok, "preemptions") && !strcmp(eq, "unbounded")) {
			f->eo.preemptions = TCESIM_EXPLORE_UNBOUNDED;
			continue;
		}
		if (!script_parse_u64(eq, &v) || v > 100000000) {
			snprintf(msg, sizeof(msg), "explore: bad value '%.40s' for %.20s=", eq, tok);
			return xs_error(x, lineno, msg);
		}
		if (!after && !strcmp(tok, "preemptions") && v <= 1000) {
			f->eo.preemptions = (int)v;
		} else if (!after && !strcmp(tok, "random") && v) {
			f->eo.mode = TCESIM_EXPLORE_RANDOM;
			f->eo.random_n = v;
		} else if (!after && !strcmp(tok, "seed")) {
			f->eo.seed = v;
		} else if (!after && !strcmp(tok, "depth") && v >= 1 && v <= 16) {
			f->eo.depth = (unsigned int)v;
		} else if (!after && !strcmp(tok, "max")) {
			f->eo.max_schedules = v;
		} else if (after && verdict && !f->want_violation && !strcmp(tok, "schedules")) {
			f->want_schedules = (long)v;
		} else if (after && verdict && !f->want_violation && !strcmp(tok, "end_states")) {
			f->want_states = (long)v;
		} else {
			snprintf(msg, sizeof(msg), "explore: unknown or out-of-range %.20s=%.40s",
				 tok, eq);
			return xs_error(x, lineno, msg);
		}
	}
	if (!verdict)
		return xs_error(x, lineno, "explore: missing '=> holds' or '=> violation'");
	return 0;
}

static int parse_file(struct xs_run *x, const char *text)
{
	struct xs_file *f = x->f;
	struct xs_section *cur = &f->setup;
	const char *p = text;
	int lineno = 0;

	while (*p) {
		size_t l = strcspn(p, "\n");
		char *src = strndup(p, l), *s, *hash;
		char w1[16] = "", w2[40] = "", w3[8] = "";
		int nw;

		lineno++;
		p += l + (p[l] == '\n');
		if (!src)
			return xs_error(x, lineno, "out of memory");
		hash = strchr(src, '#');
		if (hash)
			*hash = '\0';
		for (s = src; isspace((unsigned char)*s); s++)
			;
		nw = sscanf(s, "%15s %39s %7s", w1, w2, w3);
		if (nw <= 0) {
			free(src);
			continue;
		}
		if (f->explore_lineno) {
			free(src);
			return xs_error(x, lineno, "nothing may follow the explore line");
		}
		if (!strcmp(w1, "thread")) {
			if (nw != 2 || strlen(w2) > 31) {
				free(src);
				return xs_error(x, lineno, "thread: want 'thread NAME' (name <= 31 bytes)");
			}
			if (f->has_fin || f->nthreads == XS_MAX_THREADS) {
				free(src);
				return xs_error(x, lineno, f->has_fin ?
						"thread: sections come before finally" :
						"thread: at most 4 thread sections");
			}
			for (int i = 0; i < f->nthreads; i++)
				if (!strcmp(f->thr[i].name, w2)) {
					free(src);
					return xs_error(x, lineno, "thread: duplicate name");
				}
			cur = &f->thr[f->nthreads++];
			memcpy(cur->name, w2, strlen(w2) + 1); /* <= 31 bytes: checked above */
		} else if (!strcmp(w1, "finally")) {
			if (nw != 1 || !f->nthreads || f->has_fin) {
				free(src);
				return xs_error(x, lineno, "finally: once, alone on its line, after the "
						"thread sections");
			}
			f->has_fin = true;
			cur = &f->fin;
		} else if (!strcmp(w1, "explore")) {
			int r;

			if (f->nthreads < 2) {
				free(src);
				return xs_error(x, lineno, "explore: needs 2-4 thread sections before it");
			}
			r = parse_explore(x, lineno, s);
			free(src);
			if (r)
				return r;
			continue;
		} else if (cur != &f->setup && !strcmp(w1, "set")) {
			free(src);
			return xs_error(x, lineno, "set: only in the setup, before the first thread");
		} else if (section_add(cur, lineno, src)) {
			free(src);
			return xs_error(x, lineno, "out of memory");
		}
		free(src);
	}
	if (f->nthreads < 2) {
		*x->v.lineno = lineno;
		return script_error(x->ctx, "a file with thread sections needs 2-4 of them");
	}
	for (int i = 0; i < f->nthreads; i++)
		if (f->thr[i].n > 64)
			return xs_error(x, f->thr[i].lines[0].lineno, "thread: at most 64 lines");
	return 0;
}

/* ----------------------------------------------------- case callbacks --- */

static void xs_thread(void *ctx, unsigned int idx)
{
	struct xs_run *x = ctx;
	const struct xs_section *s = &x->f->thr[idx];

	if (*x->v.syntax_error)
		return;
	for (int i = 0; i < s->n; i++)
		if (!xs_run_line(x, &s->lines[i], &x->res[idx][i]))
			break;
}

static int xs_check(void *ctx, char *why, size_t len)
{
	struct xs_run *x = ctx;

	xs_finally(x);
	if (x->lin && !*x->v.syntax_error && !xs_lin_match(x)) {
		snprintf(why, len, "not linearizable: no sequential order of the threads' commands "
			 "(%lu tried) gives these results and end state", xs_lin_orders(x));
		return 1;
	}
	return 0;
}

static uint64_t xs_digest(void *ctx)
{
	struct xs_run *x = ctx;

	/*
	 * The thread lines' results, not the memory: hashing hostmem (or
	 * walking its frames for pins) cost 60 % of a schedule; the teardown
	 * invariant walks the frames once.
	 */
	return XXH3_64bits(x->res, sizeof(x->res));
}

/* ------------------------------------------------------------ running --- */

static void trace_step(void *ctx, const char *line)
{
	struct xs_run *x = ctx;

	fprintf(*x->v.out, "  [%s]\n", line);
}

static int explore_case(struct xs_run *x, const struct tcesim_explore_opts *eo,
			struct tcesim_explore_result *r)
{
	struct tcesim_explore_case c = {
		.nr_threads = (unsigned int)x->f->nthreads,
		.arg = x,
		.setup = xs_setup,
		.thread = xs_thread,
		.check = xs_check,
		.teardown = xs_teardown,
		.digest = xs_digest,
	};

	return tcesim_explore(&c, eo, r);
}

static void print_threads(struct xs_run *x, FILE *out)
{
	fprintf(out, "  threads:");
	for (int i = 0; i < x->f->nthreads; i++)
		fprintf(out, " %c=%s", 'a' + i, x->f->thr[i].name);
	fputc('\n', out);
}

/* one schedule onto the real output, --explain's trace with the scheduler's steps */
/*
 * Explores into the memory buffer (explain on, so each line's "=> RESULT"
 * can be read back), expectations not counted. -ENOMEM without a buffer.
 */
static int explore_quiet(struct xs_run *x, const struct tcesim_explore_opts *eo,
			 struct tcesim_explore_result *r)
{
	const struct tcesim_run_opts *o = *x->v.opts;
	struct tcesim_run_opts qo = *o;
	long passed = *x->v.passed, failed = *x->v.failed;
	FILE *out = *x->v.out;
	int ret;

	qo.explain = true;
	x->mem = fmemopen(x->membuf, sizeof(x->membuf), "w");
	if (!x->mem)
		return -ENOMEM;
	*x->v.opts = &qo;
	*x->v.out = x->mem;
	x->quiet = true;
	ret = explore_case(x, eo, r);
	x->quiet = false;
	*x->v.out = out;
	*x->v.opts = o;
	fclose(x->mem);
	x->mem = NULL;
	*x->v.passed = passed;
	*x->v.failed = failed;
	return ret;
}

static int replay_loud(struct xs_run *x, const char *sched, bool explain,
		       struct tcesim_explore_result *r)
{
	struct tcesim_explore_opts eo;
	struct tcesim_run_opts o = **x->v.opts;
	const struct tcesim_run_opts *saved = *x->v.opts;
	struct tcesim_explore_result rq;
	struct xs_lin *lin = x->lin;
	int ret, ret_q = 0;

	o.explain = explain;
	*x->v.opts = &o;
	tcesim_explore_opts_init(&eo);
	eo.mode = TCESIM_EXPLORE_REPLAY;
	eo.schedule = sched;
	if (explain) {
		eo.trace = trace_step;
		eo.trace_ctx = x;
	}
	/*
	 * linearizable: the results are read back from a quiet run of the
	 * same schedule (deterministic), the loud one only shows it
	 */
	if (lin) {
		*x->v.opts = saved;
		ret_q = explore_quiet(x, &eo, &rq);
		*x->v.opts = &o;
		x->lin = NULL;
	}
	x->quiet = false;
	ret = explore_case(x, &eo, r);
	*x->v.opts = saved;
	x->lin = lin;
	if (lin && ret_q) {
		ret = ret_q;
		*r = rq;
	}
	return ret;
}

static bool finish(struct xs_run *x, int ret, const struct tcesim_explore_result *r)
{
	if (ret < 0 || *x->v.syntax_error) {
		if (!*x->v.syntax_error) {
			*x->v.lineno = x->f->explore_lineno;
			script_error(x->ctx, "explore: %s (%s)", r->why[0] ? r->why : "failed",
				     tcesim_errname(ret));
		}
		return false;
	}
	return true;
}

static bool run_explore(struct xs_run *x)
{
	const struct tcesim_run_opts *o = *x->v.opts;
	struct xs_file *f = x->f;
	const char *sched = o->size >= offsetof(struct tcesim_run_opts, schedule) +
					   sizeof(o->schedule) ? o->schedule : NULL;
	FILE *out = *x->v.out;
	struct tcesim_explore_result r;
	bool violated, ok;
	int ret;

	if (f->explore_lineno && f->linearizable) {
		ret = xs_lin_precompute(x);
		if (ret == -E2BIG) {
			*x->v.lineno = f->explore_lineno;
			script_error(x->ctx, "explore: linearizable: more than %d sequential orders "
				     "of the threads' lines", XS_LIN_MAX_ORDERS);
		}
		if (ret)
			return false;
	}
	if (!f->explore_lineno || sched) {
		/* one schedule, expectations counted as in any file */
		ret = replay_loud(x, sched ? sched : ".", o->explain, &r);
		if (!finish(x, ret, &r))
			return false;
		if (!f->explore_lineno)
			return true;
		violated = ret == 1;
		fprintf(out, "%s:%d: schedule %s: %s%s%s\n", x->v.file, f->explore_lineno, sched,
			violated ? "violation: " : "holds", violated ? r.why : "", "");
		if (violated == f->want_violation)
			(*x->v.passed)++;
		else
			script_fail(x->ctx, f->want_violation ? "violation" : "holds",
				    violated ? "violation" : "holds");
		return true;
	}

	/* explore quietly, then replay the first violation loudly */
	ret = explore_quiet(x, &f->eo, &r);
	if (ret == -ENOMEM) {
		*x->v.lineno = f->explore_lineno;
		script_error(x->ctx, "explore: out of memory");
		return false;
	}
	if (!finish(x, ret, &r))
		return false;
	violated = ret == 1;
	*x->v.lineno = f->explore_lineno;
	fprintf(out, "%s:%d: explore: %s after %lu schedule%s (", x->v.file, f->explore_lineno,
		violated ? "violation" : "holds", r.schedules, r.schedules == 1 ? "" : "s");
	if (f->eo.keep_going)
		fprintf(out, "%lu violating, ", r.violations);
	fprintf(out, "%lu distinct end state%s, %s, %.3f s)\n", r.end_states,
		r.end_states == 1 ? "" : "s", r.complete ? "complete" : "incomplete",
		(double)r.elapsed_ns / 1e9);
	if (violated) {
		fprintf(out, "  %s\n  schedule: %s  (replay: tcesim run --explain --schedule=%s %s)\n",
			r.why, r.schedule, r.schedule, x->v.file);
		print_threads(x, out);
	}
	ok = violated == f->want_violation;
	if (ok && !violated && f->want_schedules >= 0 && (long)r.schedules != f->want_schedules) {
		char w[64], g[64];

		snprintf(w, sizeof(w), "schedules=%ld", f->want_schedules);
		snprintf(g, sizeof(g), "schedules=%lu", r.schedules);
		script_fail(x->ctx, w, g);
		return true;
	}
	if (ok && !violated && f->want_states >= 0 && (long)r.end_states != f->want_states) {
		char w[64], g[64];

		snprintf(w, sizeof(w), "end_states=%ld", f->want_states);
		snprintf(g, sizeof(g), "end_states=%lu", r.end_states);
		script_fail(x->ctx, w, g);
		return true;
	}
	if (ok) {
		(*x->v.passed)++;
	} else {
		script_fail(x->ctx, f->want_violation ? "violation" : "holds",
			    violated ? "violation" : "holds");
	}
	if (violated && (!ok || o->explain)) {
		struct tcesim_explore_result r2;
		long passed = *x->v.passed, failed = *x->v.failed;

		fprintf(out, "  the violating schedule, step by step:\n");
		replay_loud(x, r.schedule, true, &r2);
		fprintf(out, "  => %s\n", r2.why);
		*x->v.passed = passed;
		*x->v.failed = failed;
	}
	return true;
}

bool script_explore_run(struct script_ctx *ctx, const char *text)
{
	struct xs_file f;
	struct xs_run *x = calloc(1, sizeof(*x));
	bool ok = false;

	memset(&f, 0, sizeof(f));
	if (!x)
		return script_error(ctx, "out of memory") == SCRIPT_OK;
	x->ctx = ctx;
	x->f = &f;
	script_ctx_view(ctx, &x->v);
	if (parse_file(x, text) == 0)
		ok = run_explore(x);
	if (*x->v.w) {
		script_ctx_objs_destroy(ctx);
		tcesim_rcu_barrier();
		tcesim_world_destroy(*x->v.w);
		*x->v.w = NULL;
	}
	ok = ok && !*x->v.syntax_error;
	xs_lin_free(x);
	file_free(&f);
	free(x);
	return ok;
}
