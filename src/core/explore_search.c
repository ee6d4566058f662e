// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * explore_search.c - which schedules an exploration runs (issue 10).
 *
 * Concepts:
 *  - A decision is a step at which two or more threads are runnable. The
 *    default choice keeps the thread that ran the previous step if it is
 *    runnable (no preemption), else the lowest-numbered runnable thread.
 *    A schedule is therefore fully given by its decisions up to the last one
 *    that differs from the default: that list is the schedule string, one
 *    letter per decision (a-d model threads, r the RCU callback runner), a
 *    count after a letter repeating it ("a3br" = a, a, a, b, r), "." for the
 *    all-default schedule.
 *  - DFS (stateless model checking, CHESS's iterative preemption bounding,
 *    Musuvathi & Qadeer, PLDI 2007): a stack of decisions with the choices
 *    tried at each; after a run, the deepest decision with an untried
 *    runnable choice whose preemption cost stays within the bound is
 *    flipped and the schedule is re-run from setup along that prefix.
 *    Choosing another thread while the previous one is still runnable costs
 *    one preemption; switching away from a blocked or finished one is free.
 *  - Sleep sets (Godefroid): after the choice t at a decision has been
 *    explored, t "sleeps" in the subtrees of the later choices there until
 *    a step that does not commute with t's pending step runs; a sleeping
 *    thread is never chosen, so schedules that only reorder commuting
 *    steps are run once (independent() says which steps commute).
 *  - PCT (Burckhardt et al., ASPLOS 2010): random distinct thread
 *    priorities, d - 1 random change points among the k steps of the
 *    longest schedule seen; the highest-priority runnable thread runs; at
 *    the i-th change point the running thread drops to priority i. xorshift
 *    from the printed seed, so the run is reproducible; each schedule's
 *    decisions are recorded, so a violation prints a replayable string.
 *  - Replays re-run setup: the explorer never snapshots model state. That is
 *    affordable because a world's teardown no longer waits for liburcu when
 *    nothing was queued with call_rcu (core/sync.c), and under exploration
 *    call_rcu is modelled (explore_sched.c), so it never reaches liburcu.
 */
#include <malloc.h>
#include <stdio.h>
#include <time.h>

#include "core/explore_internal.h"

#define EXP_MAX_DECISIONS 4096

struct exp_decision {
	unsigned int enabled;	/* runnable threads (bit i) */
	unsigned int tried;	/* choices already explored (DFS) */
	int cur;		/* the thread of the previous step, -1 at start */
	int chosen;
	int pre_before;		/* preemptions before this decision */
	unsigned int sleep;	/* sleep set on arrival (DFS) */
};

struct exp_search {
	const struct tcesim_explore_opts *o;
	struct exp_decision d[EXP_MAX_DECISIONS];
	unsigned int n;		/* decisions of the current run */
	unsigned int plen;	/* DFS/replay prefix length */
	int preempts;
	unsigned int sleep;	/* current sleep set (DFS with sleep sets) */
	bool sleep_sets;
	bool overflow;		/* more decisions than EXP_MAX_DECISIONS */
	bool diverged;		/* a replayed prefix met another runnable set */
	char err[TCESIM_EXPLORE_WHY_LEN];
	/* replay */
	int want[EXP_MAX_DECISIONS];
	unsigned int nwant;
	/* PCT */
	uint64_t rng;
	int prio[EXP_NT];
	unsigned long change[16];
	unsigned int nchange;
	/* distinct end states: open addressing, 0 stored as a flag */
	uint64_t *set;
	size_t set_cap, set_n;
	bool set_zero;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* ------------------------------------------------------------ sleep sets --- */

static bool op_reads(enum tcesim_sched_op op)
{
	return op == TCESIM_SCHED_TCE_READ || op == TCESIM_SCHED_DEREF;
}

/* a grace-period start: snapshots the read-side sections open now */
static bool op_gp_start(enum tcesim_sched_op op)
{
	return op == TCESIM_SCHED_SYNC_RCU || op == TCESIM_SCHED_CALL_RCU;
}

/*
 * Whether two steps commute (Godefroid's sleep sets, POPL 1993 / thesis
 * 1996: a thread explored at a sibling sleeps until a dependent step runs).
 * Dependent: the same lock; the same word with at least one write. A grace
 * period's end (GP_WAIT), a callback (CB_WAIT) and an explicit yield run
 * code that may touch anything, so they depend on every step. So does a
 * grace period's start (SYNC_RCU, CALL_RCU): any step of another thread may
 * enter or leave a read-side section (rcu_read_lock/unlock are no schedule
 * points, explore_sched.c), which changes what the start snapshots. An
 * rcu_barrier() waits for the callback queue only, which no memory or lock
 * step changes.
 */
static bool independent(const struct exp_thread *a, const struct exp_thread *b)
{
	enum tcesim_sched_op x = a->op, y = b->op;

	if (x == TCESIM_SCHED_USER || y == TCESIM_SCHED_USER || x == TCESIM_SCHED_CB_WAIT ||
	    y == TCESIM_SCHED_CB_WAIT || x == TCESIM_SCHED_GP_WAIT || y == TCESIM_SCHED_GP_WAIT)
		return false;
	if (op_gp_start(x) || op_gp_start(y))
		return false;
	if (x == TCESIM_SCHED_BARRIER || y == TCESIM_SCHED_BARRIER)
		return true; /* only CALL_RCU and CB_WAIT change the queue it waits for */
	if (a->addr != b->addr || !a->addr)
		return a->addr != b->addr;
	return op_reads(x) && op_reads(y);
}

/* @ran performed its step: sleepers that depend on it wake up */
static void sleep_filter(const struct exp_sched *s, struct exp_search *x, int ran)
{
	unsigned int m = x->sleep & ~(1u << ran);

	for (unsigned int i = 0; i <= s->nt; i++)
		if ((m >> i & 1) && (ran == (int)s->nt || i == s->nt ||
				     !independent(&s->t[i], &s->t[ran])))
			m &= ~(1u << i);
	x->sleep = m;
}

static int default_choice(unsigned int enabled, int cur)
{
	if (cur >= 0 && (enabled >> cur & 1))
		return cur;
	return __builtin_ctz(enabled);
}

/* records decision n (two or more runnable threads) */
static void record(struct exp_search *x, unsigned int enabled, int cur, int pick)
{
	struct exp_decision *e;

	if (x->n == EXP_MAX_DECISIONS) {
		x->overflow = true;
		return;
	}
	e = &x->d[x->n++];
	e->enabled = enabled;
	e->tried = 1u << pick;
	e->cur = cur;
	e->chosen = pick;
	e->pre_before = x->preempts;
}

static int choose_dfs(struct exp_sched *s, unsigned int enabled, void *arg)
{
	struct exp_search *x = arg;
	unsigned int awake = enabled & ~x->sleep;
	int cur = s->last, pick;

	if (!(enabled & (enabled - 1))) {
		pick = __builtin_ctz(enabled);
		if (x->sleep_sets)
			sleep_filter(s, x, pick);
		return pick;
	}
	if (x->n < x->plen) {
		struct exp_decision *e = &x->d[x->n];

		if (e->enabled != enabled) {
			/* the case is not deterministic: keep going by default */
			x->diverged = true;
			x->plen = x->n;
		} else {
			if (cur >= 0 && (enabled >> cur & 1) && e->chosen != cur)
				x->preempts++;
			x->n++;
			e->sleep = x->sleep;
			pick = e->chosen;
			goto chosen;
		}
	}
	/* every runnable thread asleep: a redundant branch, finished by default */
	pick = default_choice(awake ? awake : enabled, cur);
	record(x, enabled, cur, pick);
	if (x->n && x->d[x->n - 1].chosen == pick) {
		x->d[x->n - 1].sleep = x->sleep;
		if (!awake)
			x->d[x->n - 1].tried = enabled; /* no alternative worth trying */
	}
chosen:
	if (x->sleep_sets && x->n) {
		const struct exp_decision *e = &x->d[x->n - 1];

		/* siblings explored before this choice sleep in its subtree */
		x->sleep = e->sleep | (e->tried & ~(1u << pick));
		sleep_filter(s, x, pick);
	}
	return pick;
}

static int choose_replay(struct exp_sched *s, unsigned int enabled, void *arg)
{
	struct exp_search *x = arg;
	int cur = s->last, pick;

	if (!(enabled & (enabled - 1)))
		return __builtin_ctz(enabled);
	pick = default_choice(enabled, cur);
	if (x->n < x->nwant) {
		int w = x->want[x->n];

		if (w >= 0 && (enabled >> w & 1)) {
			pick = w;
		} else if (!x->err[0]) {
			snprintf(x->err, sizeof(x->err),
				 "schedule: decision %u names '%c', which is not runnable there",
				 x->n + 1, w < 0 ? '?' : exp_thread_letter(s, w));
		}
	}
	record(x, enabled, cur, pick);
	return pick;
}

static int choose_pct(struct exp_sched *s, unsigned int enabled, void *arg)
{
	struct exp_search *x = arg;
	int cur = s->last, pick = -1;

	/* priority change points count every step (s->steps), as in PCT */
	for (unsigned int j = 0; j < x->nchange; j++)
		if (x->change[j] == s->steps && cur >= 0)
			x->prio[cur] = (int)j;
	if (!(enabled & (enabled - 1)))
		return __builtin_ctz(enabled);
	for (unsigned int i = 0; i <= s->nt; i++)
		if ((enabled >> i & 1) && (pick < 0 || x->prio[i] > x->prio[pick]))
			pick = (int)i;
	record(x, enabled, cur, pick);
	return pick;
}

/* ----------------------------------------------------- schedule strings --- */

static void format_schedule(const struct exp_sched *s, const struct exp_search *x,
			    char *out, size_t len)
{
	unsigned int last = 0, i = 0;
	size_t n = 0;

	/* decisions up to the last that differs from the default */
	for (unsigned int k = 0; k < x->n; k++)
		if (x->d[k].chosen != default_choice(x->d[k].enabled, x->d[k].cur))
			last = k + 1;
	if (!last) {
		snprintf(out, len, ".");
		return;
	}
	while (i < last && n + 12 < len) {
		unsigned int j = i;

		while (j < last && x->d[j].chosen == x->d[i].chosen)
			j++;
		n += (size_t)snprintf(out + n, len - n, "%c", exp_thread_letter(s, x->d[i].chosen));
		if (j - i > 1)
			n += (size_t)snprintf(out + n, len - n, "%u", j - i);
		i = j;
	}
	out[n] = '\0';
}

static int parse_schedule(struct exp_search *x, unsigned int nt, const char *str)
{
	const char *p = str;

	x->nwant = 0;
	if (!strcmp(p, "."))
		return 0;
	while (*p) {
		int t;
		unsigned long rep = 1;

		if (*p == 'r')
			t = (int)nt;
		else if (*p >= 'a' && *p < (char)('a' + nt))
			t = *p - 'a';
		else
			goto bad;
		p++;
		if (*p >= '0' && *p <= '9') {
			char *end;

			rep = strtoul(p, &end, 10);
			if (!rep || rep > EXP_MAX_DECISIONS)
				goto bad;
			p = end;
		}
		if (x->nwant + rep > EXP_MAX_DECISIONS)
			goto bad;
		while (rep--)
			x->want[x->nwant++] = t;
	}
	return 0;
bad:
	snprintf(x->err, sizeof(x->err),
		 "schedule: bad character at offset %zu of '%.40s' (want letters a-%c or r, "
		 "each optionally followed by a count, or '.')",
		 (size_t)(p - str), str, (char)('a' + nt - 1));
	return -EINVAL;
}

/* ----------------------------------------------------------- end states --- */

static void set_add(struct exp_search *x, uint64_t v)
{
	size_t i;

	if (!v) {
		x->set_zero = true;
		return;
	}
	if (2 * (x->set_n + 1) > x->set_cap) {
		size_t cap = x->set_cap ? 2 * x->set_cap : 256;
		uint64_t *n = calloc(cap, sizeof(*n));

		if (!n)
			return; /* the count becomes a lower bound */
		for (size_t k = 0; k < x->set_cap; k++) {
			if (!x->set[k])
				continue;
			for (i = x->set[k] & (cap - 1); n[i]; i = (i + 1) & (cap - 1))
				;
			n[i] = x->set[k];
		}
		free(x->set);
		x->set = n;
		x->set_cap = cap;
	}
	for (i = v & (x->set_cap - 1); x->set[i]; i = (i + 1) & (x->set_cap - 1))
		if (x->set[i] == v)
			return;
	x->set[i] = v;
	x->set_n++;
}

/* ------------------------------------------------------------ the search --- */

/* one schedule from setup to teardown; 1 if it violated, <0 on error */
static int run_one(struct exp_sched *s, struct exp_search *x, struct tcesim_explore_result *r)
{
	const struct tcesim_explore_case *c = s->c;
	char why[TCESIM_EXPLORE_WHY_LEN];
	bool bad;

	x->n = 0;
	x->preempts = 0;
	x->sleep = 0;
	s->ctx = c->setup(c->arg);
	if (!s->ctx)
		return -ENOMEM;
	exp_sched_run(s);
	if (!s->deadlock && c->check) {
		why[0] = '\0';
		if (c->check(s->ctx, why, sizeof(why)))
			exp_fail(s, "%s", why[0] ? why : "check failed");
	}
	if (c->digest)
		set_add(x, c->digest(s->ctx));
	if (c->teardown) {
		why[0] = '\0';
		if (c->teardown(s->ctx, why, sizeof(why)))
			exp_fail(s, "%s", why[0] ? why : "teardown check failed");
	}
	exp_sched_drain(s);
	s->ctx = NULL;
	bad = s->failed || s->deadlock;
	r->schedules++;
	r->steps += s->steps;
	if (s->steps > r->max_steps)
		r->max_steps = s->steps;
	if (s->deadlock)
		r->deadlocks++;
	if (bad) {
		r->violations++;
		if (!r->schedule[0]) {
			format_schedule(s, x, r->schedule, sizeof(r->schedule));
			snprintf(r->why, sizeof(r->why), "%s", s->why);
		}
	}
	return bad;
}

/* flips the deepest decision that has an untried choice within the bound */
static bool dfs_next(struct exp_search *x, int bound)
{
	while (x->n) {
		struct exp_decision *e = &x->d[x->n - 1];

		for (int alt = 0; alt < EXP_NT; alt++) {
			unsigned int bit = 1u << alt;
			int cost;

			if (!(e->enabled & bit) || (e->tried & bit) || (e->sleep & bit))
				continue;
			cost = e->cur >= 0 && (e->enabled >> e->cur & 1) && alt != e->cur;
			if (bound >= 0 && e->pre_before + cost > bound)
				continue;
			e->tried |= bit;
			e->chosen = alt;
			x->plen = x->n;
			return true;
		}
		x->n--;
	}
	return false;
}

TCESIM_EXPORT long tcesim_explore_world_destroy(struct tcesim_world *w)
{
	return tcesim_world_destroy_leaks(w);
}

TCESIM_EXPORT void tcesim_explore_opts_init(struct tcesim_explore_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = TCESIM_EXPLORE_DFS;
	o->preemptions = 2;
	o->random_n = 1000;
	o->seed = 1;
	o->depth = 3;
}

static int check_args(const struct tcesim_explore_case *c, const struct tcesim_explore_opts *o,
		      struct tcesim_explore_result *r)
{
	if (!c || !r)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	if (!c->setup || !c->thread || !c->nr_threads ||
	    c->nr_threads > TCESIM_EXPLORE_MAX_THREADS) {
		snprintf(r->why, sizeof(r->why), "explore: need setup, thread and 1..%d threads",
			 TCESIM_EXPLORE_MAX_THREADS);
		return -EINVAL;
	}
	if (o->preemptions < TCESIM_EXPLORE_UNBOUNDED ||
	    (o->mode == TCESIM_EXPLORE_RANDOM && (!o->depth || o->depth > 16)) ||
	    (o->mode == TCESIM_EXPLORE_REPLAY && !o->schedule) ||
	    (unsigned int)o->mode > TCESIM_EXPLORE_REPLAY) {
		snprintf(r->why, sizeof(r->why),
			 "explore: bad options (preemptions >= 0 or unbounded, depth 1..16, "
			 "a schedule to replay)");
		return -EINVAL;
	}
	if (exp_sched_busy())
		return -EBUSY;
	return 0;
}

static int explore_loop(struct exp_sched *s, struct exp_search *x,
			const struct tcesim_explore_opts *o, struct tcesim_explore_result *r)
{
	unsigned long limit = o->max_schedules;
	int ret;

	switch (o->mode) {
	case TCESIM_EXPLORE_REPLAY:
		s->choose = choose_replay;
		s->trace = o->trace;
		s->trace_ctx = o->trace_ctx;
		ret = run_one(s, x, r);
		if (ret >= 0 && !x->err[0] && x->n < x->nwant)
			snprintf(x->err, sizeof(x->err),
				 "schedule: %u decisions given, the run had only %u",
				 x->nwant, x->n);
		if (ret >= 0 && x->err[0]) {
			snprintf(r->why, sizeof(r->why), "%s", x->err);
			return -EINVAL;
		}
		r->complete = ret >= 0;
		return ret;
	case TCESIM_EXPLORE_RANDOM:
		s->choose = choose_pct;
		x->rng = o->seed ? o->seed : 0x9e3779b97f4a7c15ull;
		for (unsigned long k = 0; k < o->random_n; k++) {
			unsigned long steps = r->max_steps > 16 ? r->max_steps : 16;

			/* random distinct priorities >= depth: the change points sit below them */
			for (unsigned int i = 0; i <= s->nt; i++)
				x->prio[i] = (int)(o->depth + i);
			for (unsigned int i = s->nt; i > 0; i--) {
				unsigned int j = (unsigned int)(xorshift(&x->rng) % (i + 1));
				int t = x->prio[i];

				x->prio[i] = x->prio[j];
				x->prio[j] = t;
			}
			x->nchange = o->depth - 1;
			for (unsigned int j = 0; j < x->nchange; j++)
				x->change[j] = 1 + xorshift(&x->rng) % steps;
			ret = run_one(s, x, r);
			if (ret < 0 || (ret && !o->keep_going))
				return ret;
		}
		r->complete = true;
		return r->violations ? 1 : 0;
	default:
		s->choose = choose_dfs;
		x->sleep_sets = !o->no_sleep_sets;
		x->plen = 0;
		for (;;) {
			ret = run_one(s, x, r);
			if (ret < 0 || (ret && !o->keep_going))
				return ret;
			if (x->overflow) {
				snprintf(r->why, sizeof(r->why),
					 "explore: more than %d decisions in one schedule",
					 EXP_MAX_DECISIONS);
				return -E2BIG;
			}
			if (!dfs_next(x, o->preemptions)) {
				r->complete = true;
				break;
			}
			if (limit && r->schedules >= limit)
				break;
		}
		return r->violations ? 1 : 0;
	}
}

TCESIM_EXPORT int tcesim_explore(const struct tcesim_explore_case *c,
				 const struct tcesim_explore_opts *o,
				 struct tcesim_explore_result *r)
{
	struct tcesim_explore_opts def;
	struct exp_search *x;
	struct exp_sched *s;
	uint64_t t0 = now_ns();
	int ret;

	if (!o) {
		tcesim_explore_opts_init(&def);
		o = &def;
	}
	ret = check_args(c, o, r);
	if (ret)
		return ret;
	x = calloc(1, sizeof(*x));
	s = calloc(1, sizeof(*s));
	if (!x || !s) {
		free(x);
		free(s);
		return -ENOMEM;
	}
	x->o = o;
	if (o->mode == TCESIM_EXPLORE_REPLAY &&
	    parse_schedule(x, c->nr_threads, o->schedule)) {
		snprintf(r->why, sizeof(r->why), "%s", x->err);
		free(x);
		free(s);
		return -EINVAL;
	}
	/*
	 * Every schedule builds and frees the same world again. With glibc's
	 * defaults each free trims the heap and the next schedule faults the
	 * same pages back in (60 % of a schedule in perf, on this VM): keep
	 * freed memory mapped (process-wide, harmless for other users).
	 */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	ret = exp_sched_init(s, c);
	if (!ret) {
		s->choose_arg = x;
		ret = explore_loop(s, x, o, r);
		exp_sched_fini(s);
	}
	r->end_states = x->set_n + x->set_zero;
	r->elapsed_ns = now_ns() - t0;
	free(x->set);
	free(x);
	free(s);
	return ret;
}
