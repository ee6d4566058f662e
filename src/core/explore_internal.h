/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * explore_internal.h - the controlled scheduler (explore_sched.c) as seen by
 * the search (explore_search.c). Not used outside src/core.
 */
#ifndef TCESIM_EXPLORE_INTERNAL_H
#define TCESIM_EXPLORE_INTERNAL_H

#include <ucontext.h>

#include "internal.h"
#include <tcesim/explore.h>

/* model threads + the RCU callback runner (always the last slot in use) */
#define EXP_NT (TCESIM_EXPLORE_MAX_THREADS + 1)
#define EXP_MAX_LOCKS 64

struct exp_thread {
	ucontext_t uc;
	char *stack;			/* usable stack (above the guard page) */
	size_t stack_size;
	void *tsan_fiber;
	void *asan_fake;
	char *asan_low;			/* ASan: lowest frame live at a switch (see coroutine_make) */
	bool done;
	enum tcesim_sched_op op;	/* the step it stopped before */
	const void *addr;
	unsigned long rcu_ctr;		/* its liburcu reader counter while switched out */
	unsigned int rcu_nest;		/* read-side nesting (from rcu_ctr) */
	unsigned long rcu_sect;		/* id of its outermost section, 0 if none */
	unsigned long gp[EXP_NT];	/* GP_WAIT: sections that must end */
};

struct exp_cb {
	struct rcu_head *head;
	void (*fn)(struct rcu_head *head);
	unsigned long gp[EXP_NT];
};

struct exp_sched;
/* Picks the next thread among @enabled (bit i = thread i); called for every step. */
typedef int (*exp_choose_fn)(struct exp_sched *s, unsigned int enabled, void *arg);

/* exp_sched.next besides a thread index */
#define EXP_PICK_NONE (-1)	/* nothing picked: the coroutine ended */
#define EXP_PICK_END (-2)	/* every thread has ended */
#define EXP_PICK_DEADLOCK (-3)	/* none runnable, reported */

struct exp_sched {
	const struct tcesim_explore_case *c;
	void *ctx;			/* this schedule's setup() result */
	unsigned int nt;		/* model threads; the runner is t[nt] */
	struct exp_thread t[EXP_NT];
	int cur;			/* running coroutine, -1 in the explorer */
	int last;			/* the thread that ran the previous step, -1 at start */
	ucontext_t main_uc;
	ucontext_t uc_template;		/* getcontext() once; each coroutine_make() copies it */
	void *main_fiber;
	const void *main_stack;
	size_t main_stack_size;
	void *stack_map;		/* one mapping for every coroutine stack */
	size_t stack_map_size;
	struct { const void *addr; int owner; } locks[EXP_MAX_LOCKS];
	unsigned int nlocks;
	struct exp_cb *cbs;		/* FIFO of call_rcu callbacks */
	unsigned int cb_head, cb_tail, cb_cap;
	unsigned long sect_seq;
	unsigned long steps;		/* steps of this schedule */
	bool started;			/* every coroutine has reached its first point */
	int next;			/* the step a stopped coroutine picked (EXP_PICK_*, >= 0) */
	bool deadlock;
	bool failed;
	char why[TCESIM_EXPLORE_WHY_LEN];
	exp_choose_fn choose;
	void *choose_arg;
	void (*trace)(void *trace_ctx, const char *line);
	void *trace_ctx;
};

/* Whether the calling pthread is exploring already. */
bool exp_sched_busy(void);
int exp_sched_init(struct exp_sched *s, const struct tcesim_explore_case *c);
void exp_sched_fini(struct exp_sched *s);
/* Runs the threads of one schedule (setup already done, s->ctx set). */
void exp_sched_run(struct exp_sched *s);
/* Runs every queued call_rcu callback now (explorer context). */
void exp_sched_drain(struct exp_sched *s);
/* Records the first violation of the schedule (printf-style). */
void exp_fail(struct exp_sched *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Letter of thread @i in schedule strings: a, b, c, d; r for the runner. */
char exp_thread_letter(const struct exp_sched *s, int i);
const char *exp_op_name(enum tcesim_sched_op op);

#endif /* TCESIM_EXPLORE_INTERNAL_H */
