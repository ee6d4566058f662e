// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_linearizable.c - the `linearizable` flag of an explore line (issue
 * 10 point 5, src/script/explore_lin.c): tce_xchg_set racing on one entry
 * is linearizable (each exchange returns the TCE of the previous writer in
 * some order), tce_get_set is not (both threads can return the same old
 * TCE); the replay of the counterexample says so; four threads; too many
 * sequential orders is a clean error.
 */
#include "tcesim_test.h"
#include "fx_script.h"

/* the pages are faulted in first, so host addresses do not depend on order */
#define SET_CASE(cmd, verdict)							\
	FX_SCRIPT_PE0								\
	"tce_xchg_set pe0 entry=1 mm=qemu va=0x10001000\n"			\
	"tce_xchg_set pe0 entry=1 mm=qemu va=0x10002000\n"			\
	"tce_xchg_set pe0 entry=1\n"						\
	"tce_xchg_set pe0 entry=0 mm=qemu va=0x10000000\n"			\
	FX_SCRIPT_RACE0(cmd)							\
	"explore preemptions=2 linearizable => " verdict "\n"

static void test_exchange_is_linearizable(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run_sched(SET_CASE("tce_xchg_set", "holds"), NULL, &r);
	fx_script_assert_out(&r, 0, "explore: holds after");
	/* every schedule replays as holding too */
	fx_script_run_sched(SET_CASE("tce_xchg_set", "holds"), "a7b", &r);
	fx_script_assert_out(&r, 0, "schedule a7b: holds");
}

static void test_get_set_is_not_linearizable(void **state)
{
	struct fx_run r;
	char sched[64] = "";
	const char *p;

	(void)state;
	fx_script_run_sched(SET_CASE("tce_get_set", "violation"), NULL, &r);
	fx_script_assert_out(&r, 0, "not linearizable: no sequential order of the threads' "
				    "commands (2 tried) gives these results and end state");
	/* the counterexample replays, and it is the linearizability that breaks first */
	p = strstr(r.out, "schedule: ");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "schedule: %63s", sched), 1);
	fx_script_run_sched(SET_CASE("tce_get_set", "violation"), sched, &r);
	fx_script_assert_out(&r, 0, ": violation: not linearizable");
	/* without the flag the same file only breaks the pin balance */
	fx_script_run_sched(FX_SCRIPT_PE0
			    "tce_get_set pe0 entry=0 mm=qemu va=0x10000000\n"
			    FX_SCRIPT_RACE0("tce_get_set")
			    "explore preemptions=2 => violation\n", NULL, &r);
	fx_script_assert_out(&r, 0, "invariant: 1 page(s) still pinned");
}

/* four threads of one line each: 24 sequential orders */
static void test_four_threads(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run_sched(FX_SCRIPT_PE0
			    "tce_xchg_set pe0 entry=1 mm=qemu va=0x10001000\n"
			    "tce_xchg_set pe0 entry=1 mm=qemu va=0x10002000\n"
			    "tce_xchg_set pe0 entry=1 mm=qemu va=0x10003000\n"
			    "tce_xchg_set pe0 entry=1 mm=qemu va=0x10004000\n"
			    "tce_xchg_set pe0 entry=1\n"
			    "thread a\n  tce_xchg_set pe0 entry=0 mm=qemu va=0x10001000\n"
			    "thread b\n  tce_xchg_set pe0 entry=0 mm=qemu va=0x10002000\n"
			    "thread c\n  tce_xchg_set pe0 entry=0 mm=qemu va=0x10003000\n"
			    "thread d\n  tce_xchg_set pe0 entry=0 mm=qemu va=0x10004000\n"
			    "finally\n  tce_xchg_set pe0 entry=0\n"
			    "explore preemptions=1 linearizable => holds\n", NULL, &r);
	fx_script_assert_out(&r, 0, "explore: holds after");
}

/* 2 threads of 8 lines: C(16, 8) = 12870 orders > 5040 */
static void test_too_many_orders(void **state)
{
	char text[4096];
	struct fx_run r;
	size_t n = 0;

	(void)state;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "mm qemu\n");
	for (int t = 0; t < 2; t++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n, "thread t%d\n", t);
		for (int i = 0; i < 8; i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
					      "  check locked_vm mm=qemu pages=0\n");
	}
	snprintf(text + n, sizeof(text) - n, "explore linearizable => holds\n");
	fx_script_run_sched(text, NULL, &r);
	fx_script_assert_err(&r, 2, "t.tsim:20: explore: linearizable: more than 5040 "
				    "sequential orders");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exchange_is_linearizable),
		cmocka_unit_test(test_get_set_is_not_linearizable),
		cmocka_unit_test(test_four_threads),
		cmocka_unit_test(test_too_many_orders),
	};

	tcesim_thread_enter();
	return cmocka_run_group_tests_name("explore/linearizable", tests, NULL, NULL);
}
