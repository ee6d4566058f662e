// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_kvm_script.c - the kvm scenario commands through the runner:
 * expectations that hold and fail, and syntax errors (exit 2).
 */
#include "tcesim_test.h"

static int run(const char *text, struct tcesim_run_stats *st, char **out)
{
	struct tcesim_run_opts o = { .size = sizeof(o) };
	size_t len;
	FILE *f = open_memstream(out, &len);
	int ret;

	assert_non_null(f);
	o.out = f;
	o.err = f;
	ret = tcesim_script_run_string("t.tsim", text, &o, st);
	fclose(f);
	return ret;
}

static const char base[] =
	"mm qemu memlock=64M\n"
	"mmap qemu va=0x10000000 size=64K\n"
	"guest_mem mm=qemu gpa=0 va=0x10000000 size=64K\n"
	"kvm_tce 0x1000 page_shift=12 offset=0 size=512 mm=qemu\n"
	"spapr_tce 0x2000 bus_offset=0 page_shift=12 nb_table=16\n";

static void test_cmds_expectations(void **state)
{
	struct tcesim_run_stats st;
	char *out = NULL, text[2048];

	(void)state;
	snprintf(text, sizeof(text), "%s%s", base,
		 "check locked_vm mm=qemu pages=2\n"
		 "hcall H_PUT_TCE liobn=0x1000 ioba=0 tce=0x1003 => H_SUCCESS path=kvm\n"
		 "hcall H_GET_TCE liobn=0x1000 ioba=0 => H_SUCCESS path=kvm tce=0x1003\n"
		 "guest_write gpa=0x1000 u64=0x2003,0x3003\n"
		 "hcall H_PUT_TCE_INDIRECT liobn=0x2000 ioba=0 tce_list=0x1000 npages=2"
		 " => ok path=qemu\n"
		 "spapr_xlate 0x2000 offset=0x1008 => ok translated=0x3000 perm=3 mask=0xfff\n"
		 "hcall H_STUFF_TCE liobn=0x1000 ioba=0 tce_value=1 npages=1"
		 " => H_PARAMETER path=kvm\n"
		 "kvm_tce 0x1000 page_shift=12 size=4 => EBUSY\n"
		 "kvm_tce 0x3000 page_shift=40 size=4 => EINVAL\n"
		 "guest_mem mm=qemu gpa=0x1000 va=0x10000000 size=4K => EEXIST\n"
		 "guest_write gpa=0x900000 u64=1 => EFAULT\n"
		 "kvm_tce 0x4000 page_shift=12 size=0 => EINVAL\n"
		 /* two failing expectations */
		 "hcall H_PUT_TCE liobn=0x2000 ioba=0 tce=0x1003 => H_SUCCESS path=kvm\n"
		 "hcall H_GET_TCE liobn=0x1000 ioba=0 => H_SUCCESS tce=0x9\n");
	assert_int_equal(run(text, &st, &out), 1);
	assert_int_equal(st.failed, 2);
	assert_non_null(strstr(out, "t.tsim:18: expected path=kvm, got path=qemu"));
	assert_non_null(strstr(out, "t.tsim:19: expected tce=0x9, got tce=0x1003"));
	free(out);
}

static void test_cmds_syntax_errors(void **state)
{
	static const char *const bad[][2] = {
		{ "hcall H_NOPE liobn=1 ioba=0\n", "unknown hypercall 'H_NOPE'" },
		{ "hcall H_PUT_TCE liobn=1 ioba=0\n", "tce" },
		{ "guest_mem gpa=0 va=0 size=4K\n", "missing mm=" },
		{ "guest_mem mm=nobody gpa=0 va=0 size=4K\n", "nobody" },
		{ "kvm_tce page_shift=12 size=1\n", "LIOBN" },
		{ "spapr_tce zz nb_table=1\n", "bad LIOBN 'zz'" },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tcesim_run_stats st;
		char *out = NULL;

		assert_int_equal(run(bad[i][0], &st, &out), 2);
		if (!strstr(out, "t.tsim:1:") || !strstr(out, bad[i][1]))
			fail_msg("case %u: '%s'", i, out);
		free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmds_expectations),
		cmocka_unit_test(test_cmds_syntax_errors),
	};

	return cmocka_run_group_tests_name("kvm_script", tests, NULL, NULL);
}
