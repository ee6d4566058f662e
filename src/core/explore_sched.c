// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * explore_sched.c - the controlled scheduler of an exploration (issue 10).
 *
 * Concepts:
 *  - Model threads are ucontext coroutines of the exploring pthread, not
 *    pthreads passing a baton. Why: a switch is a swapcontext (~0.2 us, one
 *    sigprocmask) instead of two futex wake-ups and two kernel context
 *    switches (~10 us on this 2-core machine shared by others), which is the
 *    difference between ~10^5 and ~10^3 schedules/s (issue 10's target is
 *    10^4 on example a); and the kernel's scheduler can never run two of
 *    them at once, so determinism does not depend on getting a hand-off
 *    protocol right. The price is paid here, once: ASan is told about every
 *    stack switch (__sanitizer_start_switch_fiber/finish_switch_fiber) and
 *    TSan sees each coroutine as a fiber (__tsan_create_fiber,
 *    __tsan_switch_to_fiber with synchronisation, so the explorer's hand-off
 *    is a happens-before edge), which keeps the sanitizer builds clean.
 *    glibc's swapcontext() always saves and restores the signal mask (one
 *    rt_sigprocmask syscall per switch, ~1 us on this VM; glibc has no
 *    variant without it), so the scheduler switches only when it must: a
 *    schedule point picks the next step on the stopped coroutine's own
 *    stack and, when that is the same thread (most steps: a schedule has a
 *    few preemptions), simply returns; getcontext() runs once per
 *    exploration, each coroutine starts from a copy of that context.
 *    Example a (issue 10 item 8): 61 sigprocmask calls per schedule before,
 *    14 now (strace -c of tcesim run).
 *  - A schedule point (internal.h) stops the running coroutine before its
 *    visible step and returns to the explorer, which computes the runnable
 *    set and asks the search (explore_search.c) which thread performs its
 *    step next. Code between two points runs atomically.
 *  - Blocking is modelled, never real: a thread whose next step acquires a
 *    held mutex or spinlock (by address), waits for a grace period that has
 *    not ended, or the callback runner with no ready callback, is not
 *    runnable. No runnable thread while one has not finished is a deadlock.
 *  - RCU (the semantics of include/linux/rcupdate.h: synchronize_rcu() and
 *    call_rcu() wait for every read-side critical section that began before
 *    them, kernel/rcu/update.c): each outermost read-side section gets a
 *    fresh id; synchronize_rcu() and call_rcu() snapshot the ids of the
 *    sections open at that moment; the grace period has ended once none of
 *    them is open any more. Callbacks run FIFO on the runner pseudo-thread,
 *    which is scheduled like any other thread once the oldest callback's
 *    grace period has ended, so callback timing is explored too.
 *  - rcu_read_lock()/rcu_read_unlock() are liburcu's own inline code, no
 *    schedule point and no test of ours (the pasid_lookup bench's 3 %
 *    budget): each coroutine keeps its own copy of the pthread's liburcu
 *    reader counter (urcu_memb_reader.ctr: nesting in the low half, the
 *    grace-period phase bit above), swapped in and out with the stack. At
 *    every stop the explorer reads the nesting; a section seen for the first
 *    time gets its id written in the counter's top bits, which liburcu's
 *    nested lock/unlock keep and an outermost lock overwrites, so a section
 *    left and re-entered between two stops is a new one. Nothing visible
 *    happens between a lock and the next stop (or the last stop and the
 *    unlock), so a section taken to start at the step that entered it and
 *    end at the step that left it loses no interleaving.
 *  - Code before a thread's first schedule point runs when the schedule
 *    starts, in thread order: by construction it touches no shared state.
 *
 * Context: everything here runs on the exploring pthread; tls_sched is that
 * pthread's exploration, so other pthreads keep their normal behaviour.
 */
#ifndef _LGPL_SOURCE
#define _LGPL_SOURCE 1	/* URCU_TLS(urcu_memb_reader): the TSan build inlines nothing else here */
#endif
#include <stdio.h>
#include <sys/mman.h>

#include "core/explore_internal.h"

/* the section id lives above liburcu's phase bit (URCU_GP_CTR_PHASE, bit 32) */
#define EXP_RCU_SECT_SHIFT 40
#define EXP_RCU_SECT_MAX ((1ul << (64 - EXP_RCU_SECT_SHIFT)) - 1)

#if defined(__SANITIZE_ADDRESS__)
#define EXP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EXP_ASAN 1
#endif
#endif

#ifdef EXP_ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old,
				     size_t *size_old);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#endif
#ifdef TCESIM_TSAN
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned int flags);
void __tsan_destroy_fiber(void *fiber);
void __tsan_switch_to_fiber(void *fiber, unsigned int flags);
#endif

#if defined(EXP_ASAN) || defined(TCESIM_TSAN)
#define EXP_STACK_SIZE (4u << 20)
#else
#define EXP_STACK_SIZE (512u << 10)
#endif
#define EXP_GUARD 4096u

_Atomic int tcesim_explore_active;
_Atomic int tcesim_explore_running;
static _Thread_local struct exp_sched *tls_sched;

static const char *const op_names[TCESIM_SCHED_OP_NR] = {
	[TCESIM_SCHED_LOCK] = "mutex_lock",
	[TCESIM_SCHED_UNLOCK] = "mutex_unlock",
	[TCESIM_SCHED_SPIN_LOCK] = "spin_lock",
	[TCESIM_SCHED_SPIN_UNLOCK] = "spin_unlock",
	[TCESIM_SCHED_TCE_READ] = "tce_read",
	[TCESIM_SCHED_TCE_WRITE] = "tce_write",
	[TCESIM_SCHED_TCE_XCHG] = "tce_xchg",
	[TCESIM_SCHED_CAS] = "cmpxchg",
	[TCESIM_SCHED_REF] = "refcount",
	[TCESIM_SCHED_INDEX] = "index",
	[TCESIM_SCHED_PUBLISH] = "rcu_assign_pointer",
	[TCESIM_SCHED_DEREF] = "rcu_dereference",
	[TCESIM_SCHED_RCU_LOCK] = "rcu_read_lock",
	[TCESIM_SCHED_RCU_UNLOCK] = "rcu_read_unlock",
	[TCESIM_SCHED_SYNC_RCU] = "synchronize_rcu",
	[TCESIM_SCHED_GP_WAIT] = "grace_period_end",
	[TCESIM_SCHED_CALL_RCU] = "call_rcu",
	[TCESIM_SCHED_CB_WAIT] = "rcu_callback",
	[TCESIM_SCHED_BARRIER] = "rcu_barrier",
	[TCESIM_SCHED_USER] = "yield",
};

const char *exp_op_name(enum tcesim_sched_op op)
{
	return (unsigned int)op < TCESIM_SCHED_OP_NR ? op_names[op] : "?";
}

char exp_thread_letter(const struct exp_sched *s, int i)
{
	return i == (int)s->nt ? 'r' : (char)('a' + i);
}

void exp_fail(struct exp_sched *s, const char *fmt, ...)
{
	va_list ap;

	if (s->failed)
		return;
	s->failed = true;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------ stack switches --- */

/* the pthread's liburcu reader counter := @v; returns the old one */
static unsigned long rcu_ctr_swap(unsigned long v)
{
	unsigned long *ctr = &URCU_TLS(urcu_memb_reader).ctr;
	unsigned long old = __atomic_load_n(ctr, __ATOMIC_RELAXED);

	__atomic_store_n(ctr, v, __ATOMIC_RELAXED);
	return old;
}

/* a stopped coroutine's read-side state, from its counter (see the top) */
static void rcu_observe(struct exp_sched *s, struct exp_thread *t)
{
	unsigned long c = t->rcu_ctr, id = c >> EXP_RCU_SECT_SHIFT;

	t->rcu_nest = (unsigned int)(c & URCU_GP_CTR_NEST_MASK);
	if (!t->rcu_nest) {
		t->rcu_sect = 0;
		return;
	}
	if (!id) {
		if (s->sect_seq == EXP_RCU_SECT_MAX) {
			exp_fail(s, "explorer: more than %lu RCU read-side sections", EXP_RCU_SECT_MAX);
			s->sect_seq = 0;
		}
		id = ++s->sect_seq;
		t->rcu_ctr = c | (id << EXP_RCU_SECT_SHIFT);
	}
	t->rcu_sect = id;
}

/* explorer -> coroutine @i; returns when it stops at its next point or ends */
static void switch_to(struct exp_sched *s, int i)
{
	struct exp_thread *t = &s->t[i];
	unsigned long own;
#ifdef EXP_ASAN
	void *fake = NULL;
#endif

	s->cur = i;
#ifdef EXP_ASAN
	__sanitizer_start_switch_fiber(&fake, t->stack, t->stack_size);
#endif
#ifdef TCESIM_TSAN
	__tsan_switch_to_fiber(t->tsan_fiber, 0);
#endif
	own = rcu_ctr_swap(t->rcu_ctr);
	atomic_fetch_add_explicit(&tcesim_explore_running, 1, memory_order_relaxed);
	swapcontext(&s->main_uc, &t->uc);
	atomic_fetch_sub_explicit(&tcesim_explore_running, 1, memory_order_relaxed);
	t->rcu_ctr = rcu_ctr_swap(own);
	if (t->rcu_ctr & URCU_GP_CTR_NEST_MASK)
		/* a liburcu grace period of another pthread may wait for this one */
		urcu_common_wake_up_gp(&urcu_memb_gp);
#ifdef EXP_ASAN
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
	s->cur = -1;
	rcu_observe(s, t);
}

/* coroutine -> explorer; @final: never resumed (its fake stack may go) */
static void switch_out(struct exp_sched *s, struct exp_thread *t, bool final)
{
#ifdef EXP_ASAN
	/*
	 * Frames live at a switch are the only ones a restart abandons with
	 * their redzones poisoned (a frame that returns unpoisons itself), and
	 * they all lie above this one; below it run only the uninstrumented
	 * switch calls. 512 bytes of slack.
	 */
	char *low = (char *)__builtin_frame_address(0) - 512;

	if (low < t->asan_low)
		t->asan_low = low < t->stack ? t->stack : low;
	__sanitizer_start_switch_fiber(final ? NULL : &t->asan_fake, s->main_stack,
				       s->main_stack_size);
#else
	(void)final;
#endif
#ifdef TCESIM_TSAN
	__tsan_switch_to_fiber(s->main_fiber, 0);
#endif
	swapcontext(&t->uc, &s->main_uc);
#ifdef EXP_ASAN
	__sanitizer_finish_switch_fiber(t->asan_fake, &s->main_stack, &s->main_stack_size);
#endif
}

/* ------------------------------------------------------------- RCU model --- */

static void gp_snapshot(const struct exp_sched *s, unsigned long gp[EXP_NT])
{
	for (unsigned int i = 0; i <= s->nt; i++)
		gp[i] = s->t[i].rcu_nest ? s->t[i].rcu_sect : 0;
}

/* every section open at the snapshot has been left */
static bool gp_done(const struct exp_sched *s, const unsigned long gp[EXP_NT])
{
	for (unsigned int i = 0; i <= s->nt; i++)
		if (gp[i] && s->t[i].rcu_sect == gp[i])
			return false;
	return true;
}

static bool cb_ready(const struct exp_sched *s)
{
	return s->cb_head != s->cb_tail && gp_done(s, s->cbs[s->cb_head].gp);
}

static int lock_find(const struct exp_sched *s, const void *addr)
{
	for (unsigned int i = 0; i < s->nlocks; i++)
		if (s->locks[i].addr == addr)
			return (int)i;
	return -1;
}

/* ------------------------------------------------------ schedule points --- */

static struct exp_sched *running(void)
{
	struct exp_sched *s = tls_sched;

	return s && s->cur >= 0 ? s : NULL;
}

static int exp_pick(struct exp_sched *s);

/*
 * A schedule point: the running coroutine stops before its step. The step
 * is picked right here, on the coroutine's stack (exp_pick(), the same code
 * the explorer runs between two switches); when the pick is the thread that
 * is running, it just goes on: no swapcontext, whose sigprocmask syscall
 * per switch was half a schedule's time (issue 10 item 8). Only a pick of
 * another thread, the end or a deadlock switches out. The decisions, the
 * trace and the results are the same: only the stack the pick runs on
 * differs.
 */
void tcesim_sched_point_slow(enum tcesim_sched_op op, const void *addr)
{
	struct exp_sched *s = running();
	struct exp_thread *t;
	unsigned long *ctr;
	int pick;

	if (!s)
		return;
	t = &s->t[s->cur];
	t->op = op;
	t->addr = addr;
	if (s->started) {
		/* the running coroutine's reader counter is the pthread's own (switch_to) */
		ctr = &URCU_TLS(urcu_memb_reader).ctr;
		t->rcu_ctr = __atomic_load_n(ctr, __ATOMIC_RELAXED);
		rcu_observe(s, t);
		__atomic_store_n(ctr, t->rcu_ctr, __ATOMIC_RELAXED);
		pick = exp_pick(s);
		if (pick == s->cur)
			return;
		s->next = pick;
	}
	switch_out(s, t, false);
}

long tcesim_sched_dispatch(long op, const void *addr)
{
	tcesim_sched_point_slow((enum tcesim_sched_op)op, addr);
	return 0;
}

void tcesim_tce_write_explored(_Atomic uint64_t *slot, uint64_t v)
{
	tcesim_sched_point_slow(TCESIM_SCHED_TCE_WRITE, slot);
	atomic_store_explicit(slot, htobe64(v), memory_order_relaxed);
}


unsigned long tcesim_sched_self_slow(void)
{
	struct exp_sched *s = running();

	return s ? (unsigned long)&s->t[s->cur] : (unsigned long)pthread_self();
}

bool tcesim_sched_lock(enum tcesim_sched_op op, const void *addr)
{
	struct exp_sched *s = running();
	int i;

	if (!s)
		return false;
	tcesim_sched_point_slow(op, addr);
	i = lock_find(s, addr);
	if (op == TCESIM_SCHED_LOCK || op == TCESIM_SCHED_SPIN_LOCK) {
		/* runnable only while free (thread_enabled()) */
		if (s->nlocks == EXP_MAX_LOCKS) {
			exp_fail(s, "%c: more than %u locks held", exp_thread_letter(s, s->cur),
				 EXP_MAX_LOCKS);
			return true;
		}
		s->locks[s->nlocks].addr = addr;
		s->locks[s->nlocks++].owner = s->cur;
	} else if (i < 0 || s->locks[i].owner != s->cur) {
		exp_fail(s, "%c: %s of a lock it does not hold", exp_thread_letter(s, s->cur),
			 exp_op_name(op));
	} else {
		s->locks[i] = s->locks[--s->nlocks];
	}
	return true;
}

/*
 * The explorer's own context (setup, check, teardown of a schedule) runs
 * while no model thread is inside a read-side section (none has started, or
 * all have ended): read-side sections there need no tracking and a grace
 * period there has already ended.
 */
bool tcesim_sched_rcu(enum tcesim_sched_op op)
{
	struct exp_sched *s = running();
	struct exp_thread *t;

	if (!s)
		return tls_sched != NULL;
	t = &s->t[s->cur];
	tcesim_sched_point_slow(op, NULL);
	switch (op) {
	case TCESIM_SCHED_SYNC_RCU:
		/* inside a read-side section this never ends: a deadlock, as in the kernel */
		gp_snapshot(s, t->gp);
		tcesim_sched_point_slow(TCESIM_SCHED_GP_WAIT, NULL);
		break;
	default:
		break;
	}
	return true;
}

void exp_sched_drain(struct exp_sched *s)
{
	while (s->cb_head != s->cb_tail) {
		struct exp_cb cb = s->cbs[s->cb_head++];

		cb.fn(cb.head);
	}
	s->cb_head = s->cb_tail = 0;
}

bool tcesim_sched_barrier(void)
{
	struct exp_sched *s = tls_sched;

	if (!s)
		return false;
	if (s->cur < 0)
		exp_sched_drain(s); /* explorer context: every grace period has ended */
	else
		tcesim_sched_point_slow(TCESIM_SCHED_BARRIER, NULL);
	return true;
}

/*
 * Queued callbacks run FIFO on the runner (model threads) or at the next
 * barrier / schedule start (explorer context: setup and teardown queue them
 * too, and must not wait for liburcu's ~10 ms batching).
 */
bool tcesim_sched_call_rcu(struct rcu_head *head, void (*fn)(struct rcu_head *))
{
	struct exp_sched *s = tls_sched;
	struct exp_cb *cb;

	if (!s)
		return false;
	if (s->cur >= 0)
		tcesim_sched_point_slow(TCESIM_SCHED_CALL_RCU, head);
	if (s->cb_tail == s->cb_cap) {
		unsigned int cap = s->cb_cap ? 2 * s->cb_cap : 16;
		struct exp_cb *n;

		/* compact, then grow: the FIFO never holds more than the model queued */
		if (s->cb_head)
			memmove(s->cbs, s->cbs + s->cb_head,
				(s->cb_tail - s->cb_head) * sizeof(*s->cbs));
		s->cb_tail -= s->cb_head;
		s->cb_head = 0;
		if (s->cb_tail == s->cb_cap) {
			n = realloc(s->cbs, cap * sizeof(*n));
			if (!n) {
				/* cannot defer it: run it now, after a (modelled) barrier */
				exp_fail(s, "explorer: out of memory queueing call_rcu");
				fn(head);
				return true;
			}
			s->cbs = n;
			s->cb_cap = cap;
		}
	}
	cb = &s->cbs[s->cb_tail++];
	cb->head = head;
	cb->fn = fn;
	if (s->cur >= 0)
		gp_snapshot(s, cb->gp);
	else
		memset(cb->gp, 0, sizeof(cb->gp));
	return true;
}

TCESIM_EXPORT void tcesim_explore_yield(void)
{
	tcesim_sched_point(TCESIM_SCHED_USER, NULL);
}

TCESIM_EXPORT int tcesim_explore_current(void)
{
	struct exp_sched *s = running();

	if (!s)
		return -1;
	return s->cur == (int)s->nt ? TCESIM_EXPLORE_MAX_THREADS : s->cur;
}

TCESIM_EXPORT void tcesim_explore_fail(const char *why)
{
	struct exp_sched *s = tls_sched;

	if (s)
		exp_fail(s, "%s", why);
}

/* ------------------------------------------------------------ coroutines --- */

static void coroutine_entry(void)
{
	struct exp_sched *s = tls_sched;
	int i = s->cur;
	struct exp_thread *t = &s->t[i];

#ifdef EXP_ASAN
	__sanitizer_finish_switch_fiber(NULL, &s->main_stack, &s->main_stack_size);
#endif
	if (i < (int)s->nt) {
		s->c->thread(s->ctx, (unsigned int)i);
	} else {
		/* the RCU callback runner: one ready callback per step */
		for (;;) {
			struct exp_cb cb;

			tcesim_sched_point_slow(TCESIM_SCHED_CB_WAIT, NULL);
			cb = s->cbs[s->cb_head++];
			cb.fn(cb.head);
		}
	}
	t->done = true;
	switch_out(s, t, true);
	abort(); /* never resumed */
}

static void coroutine_make(struct exp_sched *s, int i)
{
	struct exp_thread *t = &s->t[i];

#ifdef EXP_ASAN
	/*
	 * A restarted coroutine abandons the frames it had live at its last
	 * switch (a finished one: coroutine_entry's; a deadlocked one: all of
	 * them) with their redzones poisoned: unpoison from the lowest of them
	 * up, not the whole 4 MiB stack (512 KiB of shadow per coroutine and
	 * schedule made a bound-2 exploration take minutes).
	 */
	if (t->asan_low < t->stack + t->stack_size)
		__asan_unpoison_memory_region(t->asan_low,
					      (size_t)(t->stack + t->stack_size - t->asan_low));
	t->asan_low = t->stack + t->stack_size;
#endif
#ifdef TCESIM_TSAN
	if (t->tsan_fiber)
		__tsan_destroy_fiber(t->tsan_fiber);
	t->tsan_fiber = __tsan_create_fiber(0);
#endif
	/*
	 * a copy of the context getcontext() took once (exp_sched_init): no
	 * sigprocmask here. The copy's FP-state pointer (x86-64 glibc) still
	 * names the template's, which lives in *s as long as the coroutines;
	 * the first swapcontext() out of the coroutine points it at its own.
	 */
	t->uc = s->uc_template;
	t->uc.uc_stack.ss_sp = t->stack;
	t->uc.uc_stack.ss_size = t->stack_size;
	t->uc.uc_link = NULL;
	makecontext(&t->uc, coroutine_entry, 0);
	t->done = false;
	t->op = TCESIM_SCHED_USER;
	t->addr = NULL;
	t->rcu_ctr = 0;
	t->rcu_nest = 0;
	t->rcu_sect = 0;
}

bool exp_sched_busy(void)
{
	return tls_sched != NULL;
}

int exp_sched_init(struct exp_sched *s, const struct tcesim_explore_case *c)
{
	size_t per = EXP_STACK_SIZE + EXP_GUARD;
	char *map;

	memset(s, 0, sizeof(*s));
	s->c = c;
	s->nt = c->nr_threads;
	s->cur = -1;
	s->stack_map_size = per * (s->nt + 1);
	map = mmap(NULL, s->stack_map_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (map == MAP_FAILED)
		return -ENOMEM;
	s->stack_map = map;
	for (unsigned int i = 0; i <= s->nt; i++) {
		/* guard page below each stack: an overflow faults, never corrupts */
		mprotect(map + i * per, EXP_GUARD, PROT_NONE);
		s->t[i].stack = map + i * per + EXP_GUARD;
		s->t[i].stack_size = EXP_STACK_SIZE;
		/* ASan: a mapping at a reused address may carry old poison: all once */
		s->t[i].asan_low = s->t[i].stack;
	}
#ifdef TCESIM_TSAN
	s->main_fiber = __tsan_get_current_fiber();
#endif
	getcontext(&s->uc_template);
	tls_sched = s;
	atomic_fetch_add(&tcesim_explore_active, 1);
	return 0;
}

void exp_sched_fini(struct exp_sched *s)
{
	atomic_fetch_sub(&tcesim_explore_active, 1);
	tls_sched = NULL;
#ifdef TCESIM_TSAN
	for (unsigned int i = 0; i <= s->nt; i++)
		if (s->t[i].tsan_fiber)
			__tsan_destroy_fiber(s->t[i].tsan_fiber);
#endif
	munmap(s->stack_map, s->stack_map_size);
	free(s->cbs);
}

/* ------------------------------------------------------------- one run --- */

static bool thread_enabled(const struct exp_sched *s, unsigned int i)
{
	const struct exp_thread *t = &s->t[i];

	if (t->done)
		return false;
	switch (t->op) {
	case TCESIM_SCHED_LOCK:
	case TCESIM_SCHED_SPIN_LOCK:
		return lock_find(s, t->addr) < 0;
	case TCESIM_SCHED_GP_WAIT:
		return gp_done(s, t->gp);
	case TCESIM_SCHED_CB_WAIT:
		return cb_ready(s);
	case TCESIM_SCHED_BARRIER:
		return s->cb_head == s->cb_tail;
	default:
		return true;
	}
}

static void report_deadlock(struct exp_sched *s)
{
	char buf[TCESIM_EXPLORE_WHY_LEN];
	size_t n = 0;

	n += (size_t)snprintf(buf, sizeof(buf), "deadlock:");
	for (unsigned int i = 0; i < s->nt && n < sizeof(buf); i++)
		if (!s->t[i].done)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, " %c blocked in %s;",
					      exp_thread_letter(s, (int)i),
					      exp_op_name(s->t[i].op));
	s->deadlock = true;
	s->failed = false; /* the deadlock is the schedule's verdict */
	exp_fail(s, "%s", buf);
}

/*
 * The next step of the schedule: the thread to run (>= 0, its step traced
 * and counted), EXP_PICK_END when every model thread has ended and no
 * callback is queued, EXP_PICK_DEADLOCK (reported) when none is runnable.
 * Runs in the explorer or, at a schedule point, on the stopped coroutine's
 * stack (tcesim_sched_point_slow()).
 */
static int exp_pick(struct exp_sched *s)
{
	unsigned int enabled = 0, model_left = 0;
	char line[96];
	int pick;

	for (unsigned int i = 0; i <= s->nt; i++) {
		if (i < s->nt && !s->t[i].done)
			model_left++;
		if (thread_enabled(s, i))
			enabled |= 1u << i;
	}
	if (!model_left && s->t[s->nt].op == TCESIM_SCHED_CB_WAIT && s->cb_head == s->cb_tail)
		return EXP_PICK_END;
	if (!enabled) {
		report_deadlock(s);
		return EXP_PICK_DEADLOCK;
	}
	pick = s->choose(s, enabled, s->choose_arg);
	if (s->trace) {
		snprintf(line, sizeof(line), "step %lu: %c %s", s->steps, exp_thread_letter(s, pick),
			 exp_op_name(s->t[pick].op));
		s->trace(s->trace_ctx, line);
	}
	s->steps++;
	s->last = pick;
	return pick;
}

void exp_sched_run(struct exp_sched *s)
{
	s->nlocks = 0;
	exp_sched_drain(s); /* what setup queued: no reader exists yet */
	s->sect_seq = 0;
	s->steps = 0;
	s->deadlock = false;
	s->failed = false;
	s->why[0] = '\0';
	s->last = -1;
	s->started = false;
	for (unsigned int i = 0; i <= s->nt; i++) {
		coroutine_make(s, (int)i);
		switch_to(s, (int)i); /* to its first schedule point */
	}
	s->started = true;
	s->next = exp_pick(s);
	while (s->next >= 0) {
		int pick = s->next;

		s->next = EXP_PICK_NONE;
		switch_to(s, pick);
		if (s->next == EXP_PICK_NONE)
			s->next = exp_pick(s); /* @pick ended */
	}
	s->started = false;
	for (unsigned int i = 0; i < s->nt; i++) {
		if (s->t[i].done && s->t[i].rcu_nest)
			exp_fail(s, "%c: ended inside an RCU read-side section",
				 exp_thread_letter(s, (int)i));
	}
	if (!s->deadlock && s->nlocks)
		exp_fail(s, "%c: ended holding a lock (%s)",
			 exp_thread_letter(s, s->locks[0].owner), "lock leaked");
	/* callbacks a deadlock left queued: run them now, so their memory is freed */
	exp_sched_drain(s);
}
