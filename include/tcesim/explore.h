/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/explore.h - deterministic interleaving exploration (issue 10).
 *
 * A small concurrent case (a sequential setup, 1-4 model threads, a check)
 * is run again and again, each time under a different schedule: the model
 * threads run one at a time, as coroutines of the calling thread, and at
 * every schedule point of tcesim's synchronization layer (lock acquire and
 * release, TCE read/write/exchange, level-install CAS, refcounts, RCU
 * publish/dereference, rcu_read_lock/unlock, synchronize_rcu, call_rcu) the
 * explorer decides which thread performs its next visible step. The search
 * is exhaustive depth-first with a preemption bound (CHESS), or randomized
 * PCT (Burckhardt et al., ASPLOS 2010). Every schedule has a short printable
 * form that replays exactly that schedule.
 *
 * Under exploration RCU is modelled, not liburcu: a grace period ends once
 * every thread that was inside a read-side section when it started has left
 * that section; call_rcu callbacks run on a pseudo-thread ("r" in schedule
 * strings) that becomes runnable once the callback's grace period has ended.
 */
#ifndef TCESIM_EXPLORE_H
#define TCESIM_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tcesim/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Model threads of one case; the RCU callback runner comes on top. */
#define TCESIM_EXPLORE_MAX_THREADS 4
/* Bytes of a schedule string, NUL included (longer schedules are cut). */
#define TCESIM_EXPLORE_SCHED_LEN 512
/* Bytes of a violation message, NUL included. */
#define TCESIM_EXPLORE_WHY_LEN 256

/**
 * enum tcesim_explore_mode - how schedules are chosen
 * @TCESIM_EXPLORE_DFS: every schedule within the preemption bound, depth first
 * @TCESIM_EXPLORE_RANDOM: @random_n PCT schedules of depth @depth from @seed
 * @TCESIM_EXPLORE_REPLAY: exactly the schedule @schedule
 */
enum tcesim_explore_mode {
	TCESIM_EXPLORE_DFS = 0,
	TCESIM_EXPLORE_RANDOM,
	TCESIM_EXPLORE_REPLAY,
};

/* preemptions value meaning "no bound" */
#define TCESIM_EXPLORE_UNBOUNDED (-1)

/**
 * struct tcesim_explore_case - the case explored
 * @nr_threads: model threads, 1..TCESIM_EXPLORE_MAX_THREADS
 * @arg: passed to @setup
 * @setup: runs sequentially (not explored) before each schedule; returns the
 *         schedule's context, or NULL on failure (the exploration stops with
 *         -ENOMEM)
 * @thread: body of model thread @idx (0..nr_threads-1), run as a coroutine;
 *          @ctx is what @setup returned
 * @check: after every thread finished and every call_rcu callback ran
 *         (sequentially, not explored): 0 when the schedule holds, else a
 *         violation described in @why (NUL-terminated, @why_len bytes); may
 *         be NULL
 * @teardown: after @check, also after a deadlock (then the threads that did
 *            not finish are abandoned: their stacks are dropped), frees @ctx;
 *            same return convention as @check; may be NULL
 * @digest: end-state digest (after @check, before @teardown) used to count
 *          distinct end states; may be NULL
 */
struct tcesim_explore_case {
	unsigned int nr_threads;
	void *arg;
	void *(*setup)(void *arg);
	void (*thread)(void *ctx, unsigned int idx);
	int (*check)(void *ctx, char *why, size_t why_len);
	int (*teardown)(void *ctx, char *why, size_t why_len);
	uint64_t (*digest)(void *ctx);
};

/**
 * struct tcesim_explore_opts - how to explore
 * @mode: DFS (default), RANDOM (PCT) or REPLAY
 * @preemptions: DFS preemption bound (default 2 after tcesim_explore_opts_init());
 *               TCESIM_EXPLORE_UNBOUNDED for none
 * @max_schedules: stop after this many schedules (0: no limit); the result's
 *                 @complete is then false
 * @random_n: RANDOM: number of schedules
 * @seed: RANDOM: PRNG seed (printed in the result's counterexample)
 * @depth: RANDOM: PCT bug depth d (d - 1 priority change points), >= 1
 * @schedule: REPLAY: a schedule string from a result (or hand-written)
 * @keep_going: do not stop at the first violation (count them all)
 * @no_sleep_sets: DFS: run schedules that differ only in the order of
 *                 commuting steps too (sleep sets are on by default)
 * @trace: called with one line per executed step ("3 b tce_xchg"), on
 *         REPLAY only (the --explain interleaving); may be NULL
 * @trace_ctx: first argument of @trace
 */
struct tcesim_explore_opts {
	enum tcesim_explore_mode mode;
	int preemptions;
	unsigned long max_schedules;
	unsigned long random_n;
	uint64_t seed;
	unsigned int depth;
	const char *schedule;
	bool keep_going;
	bool no_sleep_sets;
	void (*trace)(void *trace_ctx, const char *line);
	void *trace_ctx;
};

/**
 * struct tcesim_explore_result - what an exploration found
 * @schedules: schedules run to their end
 * @violations: schedules whose check/teardown/thread reported a violation,
 *              deadlocks included
 * @deadlocks: schedules that ended with no runnable thread while some thread
 *             had not finished
 * @end_states: distinct @digest values seen (0 without a digest callback)
 * @steps: schedule points executed over all schedules
 * @max_steps: the longest schedule, in steps
 * @complete: DFS: the whole bounded space was explored; RANDOM/REPLAY: all
 *            requested schedules ran
 * @schedule: the first violating schedule, replayable ("" if none)
 * @why: what that schedule violated ("" if none)
 * @elapsed_ns: wall time of the exploration
 */
struct tcesim_explore_result {
	unsigned long schedules;
	unsigned long violations;
	unsigned long deadlocks;
	unsigned long end_states;
	unsigned long long steps;
	unsigned long max_steps;
	bool complete;
	char schedule[TCESIM_EXPLORE_SCHED_LEN];
	char why[TCESIM_EXPLORE_WHY_LEN];
	uint64_t elapsed_ns;
};

/**
 * tcesim_explore_opts_init() - Fill exploration options with the defaults
 * @o: options to fill: DFS, preemption bound 2, no schedule limit, PCT
 *     depth 3, 1000 random schedules, seed 1, stop at the first violation
 *
 * Models: none (tcesim infrastructure; CHESS's default bound of 2).
 * Context: any thread.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_explore_opts_init(struct tcesim_explore_opts *o);

/**
 * tcesim_explore() - Run a case under many (or one) controlled schedules
 * @c: the case
 * @o: options; NULL for tcesim_explore_opts_init()'s defaults
 * @r: filled with counts and the first counterexample; may not be NULL
 *
 * Each schedule: @c->setup, the threads as coroutines under the explorer
 * (one runs at a time, switching only at schedule points), the RCU callback
 * runner until no callback is pending, then @c->check, @c->digest and
 * @c->teardown, all on the calling thread. A thread blocked on a held lock,
 * on a grace period, or the callback runner with nothing ready, is not
 * runnable; no runnable thread while one has not finished is a deadlock
 * violation. The same schedule gives the same results: the explorer has no
 * other source of nondeterminism than the case's own.
 *
 * Where the schedule points are: in the synchronization helpers (locks,
 * RCU, TCE slot reads/writes/exchanges, refcounts, ring and queue indices,
 * pointer publish/dereference), never in the model's logic; a step between
 * two points runs atomically. The helpers check "exploring?" themselves,
 * except the two hottest lock-free leaves, which test nothing so that
 * normal runs pay nothing: the TCE exchange of a table with the direct
 * pnv_tce_xchg path (tcesim_iommu_tce_xchg_no_kill()) and the PASID-array
 * lookup of the fault path and of tcesim_iommu_attach_handle_get().
 * A TCE table or a PASID array (an iommu group's) is marked when it is
 * created: one made while an exploration runs (in @c->setup, which runs
 * inside tcesim_explore(), or in a model thread) takes the variant with
 * schedule points and freed-memory read checks; one made BEFORE
 * tcesim_explore() was called (in the caller's own setup) keeps the
 * point-free variant for its whole life, so its exchanges and lookups are
 * not schedule points, their interleavings are not explored, and a read of
 * freed memory through them is not reported (only its other accesses,
 * through the helpers, are). A C user must therefore create the world and
 * every table, group and bond the threads share inside @c->setup (it runs
 * again for every schedule, so each schedule starts from a fresh world),
 * never before the call, and reach shared model state from the threads
 * only through tcesim's API (a plain load or store in the test's own code
 * is no schedule point either).
 *
 * Models: none (tcesim infrastructure; the search follows CHESS iterative
 *         preemption bounding and PCT).
 * Context: the calling thread must be registered (tcesim_thread_enter());
 *          it must not already be exploring; no other thread may touch the
 *          objects the case's threads use. Blocking calls other than the
 *          synchronization layer's (condition variables, joins) must not be
 *          made by the model threads.
 * Return: 0 when every schedule run held, 1 when a violation was found
 *         (described in @r), or
 *  * -EINVAL - @c or @r NULL, @c->thread or @c->setup NULL, nr_threads not
 *              in 1..TCESIM_EXPLORE_MAX_THREADS, negative preemption bound
 *              other than TCESIM_EXPLORE_UNBOUNDED, RANDOM with depth 0, or a
 *              REPLAY schedule string that is malformed or names a thread
 *              not runnable at its step (@r->why says which)
 *  * -EBUSY - called from inside an exploration
 *  * -ENOMEM - coroutine stacks could not be allocated or @c->setup
 *              returned NULL
 */
TCESIM_EXPORT int tcesim_explore(const struct tcesim_explore_case *c,
				 const struct tcesim_explore_opts *o,
				 struct tcesim_explore_result *r);

/**
 * tcesim_explore_fail() - Report a violation from inside a model thread
 * @why: what was violated (copied; cut at TCESIM_EXPLORE_WHY_LEN - 1 bytes)
 *
 * The schedule runs on to its end (so teardown frees what it must); it then
 * counts as violating, with the first such message of the schedule.
 *
 * Models: none.
 * Context: a model thread or a callback of tcesim_explore(); ignored
 *          elsewhere.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_explore_fail(const char *why);

/**
 * tcesim_explore_yield() - An explicit schedule point
 *
 * For tests of the explorer itself: a visible step with no effect.
 *
 * Models: none.
 * Context: a model thread; a no-op elsewhere.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_explore_yield(void);

/**
 * tcesim_explore_current() - Which model thread is running
 *
 * Models: none.
 * Context: any thread.
 * Return: the model thread's index (0..3), TCESIM_EXPLORE_MAX_THREADS for the
 *         RCU callback runner, or -1 outside a model thread.
 */
TCESIM_EXPORT int tcesim_explore_current(void);

/**
 * tcesim_explore_world_destroy() - Destroy a world, counting what leaked
 * @w: world, or NULL
 *
 * tcesim_world_destroy(), returning how many model allocations were still
 * live once every layer had torn down: the leak invariant of an explored
 * schedule (destroy every object of @w first).
 *
 * Models: none (leak oracle).
 * Context: as tcesim_world_destroy().
 * Return: number of leaked model allocations (0 for a NULL @w).
 */
TCESIM_EXPORT long tcesim_explore_world_destroy(struct tcesim_world *w);

#ifdef __cplusplus
}
#endif

#endif /* TCESIM_EXPLORE_H */
