// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * replay.c - the engine of `tcesim replay`: a real guest's TCE hypercall
 * stream, captured from QEMU 7.2, run through the model and checked
 * against QEMU's answers.
 *
 * Concepts:
 *  - Input is data/traces/README.md's format: NAME.tce.txt holds T (table),
 *    R (removal) and P/S/I/G hypercall records, NAME.xlate.txt the X
 *    records (one QEMU DMA translation each); both are ordered by seq, the
 *    line number in QEMU's raw log, and are merged by it. Each file is a
 *    stream (replay_input.c) read one record at a time (replay_parse.c):
 *    nothing is materialised, memory is the model's state.
 *  - The replay world is the machine QEMU ran: a guest whose RAM is a
 *    process's memory, modelled lazily in 1 GiB memslots as lists are
 *    written; QEMU-only TCE tables as announced by T records (the traces
 *    come from TCG: the QEMU tier recorded every answer). Each hypercall
 *    goes through tcesim_kvm_hcall(); an I record's list is first written
 *    big-endian into guest memory at tce_list (one guest write per list),
 *    and the hypercall reads it from there, as QEMU's ldq_be_phys() does.
 *  - Checks: each return code; QEMU's traced values (I: qemu_idx/qemu_tce;
 *    S: qemu_ioba, where QEMU's loop stopped; G: the TCE), or for a call
 *    QEMU did not trace ('-' there) that the model did not trace either;
 *    each X record against the model's translation of the same offset at
 *    that point of the stream (translated, perm, and the mask truncated to
 *    32 bits as the trace event prints it).
 *  - A malformed line stops the replay with "FILE:LINE: message" (exit 2);
 *    a file that cannot be read or decompressed "FILE: message" (exit 2);
 *    a trace without a single record "FILE: no records" (exit 2: nothing
 *    was compared, so it cannot agree with QEMU).
 * Single-threaded: the replay owns its world.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <tcesim/kvm.h>
#include <tcesim/mem.h>
#include <tcesim/replay.h>
#include <tcesim/world.h>

#include "replay_parts.h"

#define REPLAY_RAM_REGION_SHIFT	30		/* memslots of 1 GiB */
#define REPLAY_RAM_MAX		(1ULL << 46)	/* gpa limit of the model */
#define REPLAY_RAM_VA		(1ULL << 48)	/* va = REPLAY_RAM_VA + gpa */
#define REPLAY_RAM_REGIONS	32

/* One input file: its reader, its parser and the record read ahead. */
struct source {
	const char *name;
	struct replay_in *in;
	struct replay_parser p;
	struct replay_rec rec;
	long line;
};

struct replay {
	const struct tcesim_replay_opts *opts;
	struct tcesim_replay_summary *sum;
	FILE *err;
	unsigned int show;
	struct tcesim_world *w;
	struct tcesim_kvm *kvm;
	struct tcesim_mm *mm;
	uint64_t ram_regions[REPLAY_RAM_REGIONS];	/* 1 GiB regions with a memslot */
	unsigned int nram;
	uint64_t liobns[TCESIM_REPLAY_TABLES_MAX];	/* tables alive */
	unsigned int nliobns;
	struct source t, x;
	bool malformed;
	bool own_world;			/* created here, destroyed at the end */
};

/* The name of a return code; replay_output.c prints the summary's with it. */
const char *replay_ret_name(long ret, char *buf, size_t len)
{
	const char *n = tcesim_hcall_name(ret);

	if (n)
		return n;
	snprintf(buf, len, "%ld", ret);
	return buf;
}

static int malformed(struct replay *r, const struct source *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int malformed(struct replay *r, const struct source *s, const char *fmt, ...)
{
	va_list ap;

	fprintf(r->err, "%s:%ld: ", s->name, s->line);
	va_start(ap, fmt);
	vfprintf(r->err, fmt, ap);
	va_end(ap);
	fputc('\n', r->err);
	r->malformed = true;
	return -1;
}

static void mismatch(struct replay *r, const struct source *s, uint64_t *counter,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void mismatch(struct replay *r, const struct source *s, uint64_t *counter,
		     const char *fmt, ...)
{
	struct tcesim_replay_summary *sum = r->sum;
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sum->mismatches++;
	(*counter)++;
	if (sum->nshown < TCESIM_REPLAY_SHOW_MAX)
		snprintf(sum->shown[sum->nshown++], sizeof(sum->shown[0]), "%s:%ld: %s", s->name,
			 s->line, msg);
	if (sum->mismatches <= r->show)
		fprintf(r->err, "%s:%ld: %s\n", s->name, s->line, msg);
}

/* The next record of @s into s->rec: 1, 0 at the end, -1 (reported) on an error. */
static int next_record(struct replay *r, struct source *s)
{
	const char *line;
	size_t len;
	long ln, eline;
	int k;

	if (!s->in)
		return 0;
	k = replay_in_line(s->in, &line, &len, &ln);
	if (k < 0) {
		const char *msg = replay_in_error(s->in, &eline, NULL);

		if (eline)
			fprintf(r->err, "%s:%ld: %s\n", s->name, eline, msg);
		else
			fprintf(r->err, "%s: %s\n", s->name, msg);
		r->malformed = true;
		return -1;
	}
	if (!k)
		return 0;
	s->line = ln;
	if (replay_parse_line(&s->p, line, len, &s->rec))
		return malformed(r, s, "%s", s->p.msg);
	return 1;
}

static void count_ret(struct tcesim_replay_summary *sum, enum tcesim_replay_kind k, long ret)
{
	unsigned int i;

	sum->hcalls++;
	sum->by_kind[k]++;
	for (i = 0; i < sum->nrets; i++) {
		if (sum->rets[i].kind == k && sum->rets[i].ret == ret) {
			sum->rets[i].count++;
			return;
		}
	}
	if (sum->nrets < TCESIM_REPLAY_RETS_MAX) {
		sum->rets[sum->nrets].kind = k;
		sum->rets[sum->nrets].ret = ret;
		sum->rets[sum->nrets++].count = 1;
	}
}

/* Give guest RAM a memslot for every 1 GiB region of [gpa, gpa + len). */
static int ensure_ram(struct replay *r, uint64_t gpa, uint64_t len)
{
	uint64_t reg, last;

	if (gpa >= REPLAY_RAM_MAX || len > REPLAY_RAM_MAX - gpa)
		return -ERANGE;
	last = (gpa + (len ? len - 1 : 0)) >> REPLAY_RAM_REGION_SHIFT;
	for (reg = gpa >> REPLAY_RAM_REGION_SHIFT; reg <= last; reg++) {
		uint64_t base = reg << REPLAY_RAM_REGION_SHIFT;
		unsigned int i;
		int ret;

		for (i = 0; i < r->nram; i++)
			if (r->ram_regions[i] == reg)
				break;
		if (i < r->nram)
			continue;
		if (r->nram == REPLAY_RAM_REGIONS)
			return -ENOSPC;
		ret = tcesim_mm_mmap(r->mm, REPLAY_RAM_VA + base, 1ULL << REPLAY_RAM_REGION_SHIFT,
				     TCESIM_PROT_READ | TCESIM_PROT_WRITE, 0);
		if (!ret)
			ret = tcesim_kvm_set_user_memory_region(r->kvm, base,
								1ULL << REPLAY_RAM_REGION_SHIFT,
								r->mm, REPLAY_RAM_VA + base);
		if (ret)
			return ret;
		r->ram_regions[r->nram++] = reg;
	}
	return 0;
}

static void note_liobn(struct replay *r, uint64_t liobn, bool add)
{
	unsigned int i;

	for (i = 0; i < r->nliobns; i++) {
		if (r->liobns[i] == liobn) {
			if (!add)
				r->liobns[i] = r->liobns[--r->nliobns];
			return;
		}
	}
	if (add && r->nliobns < TCESIM_REPLAY_TABLES_MAX)
		r->liobns[r->nliobns++] = liobn;
}

static void check_ret(struct replay *r, struct source *s, const char *what, long want, long got)
{
	char b1[24], b2[24];

	if (want != got)
		mismatch(r, s, &r->sum->ret_mismatches, "%s returned %s, QEMU returned %s", what,
			 replay_ret_name(got, b1, sizeof(b1)), replay_ret_name(want, b2, sizeof(b2)));
}

/* One X record against the model's translation of the same offset now. */
static void do_xlate(struct replay *r, struct source *s)
{
	const struct replay_rec *x = &s->rec;
	struct tcesim_iommu_tlb_entry e;

	r->sum->xlates++;
	if (tcesim_spapr_tce_translate_iommu(r->kvm, x->liobn, x->ioba, &e)) {
		mismatch(r, s, &r->sum->xlate_mismatches,
			 "translation through LIOBN 0x%" PRIx64 ": the model has no such table",
			 x->liobn);
		return;
	}
	if (e.translated_addr != x->a2 || e.perm != (uint64_t)x->npages ||
	    (e.addr_mask & 0xffffffffULL) != x->mask)
		mismatch(r, s, &r->sum->xlate_mismatches,
			 "xlate liobn=0x%" PRIx64 " 0x%" PRIx64 ": model -> 0x%" PRIx64
			 " perm=%u mask=0x%" PRIx64 ", QEMU -> 0x%" PRIx64 " perm=%" PRId64
			 " mask=0x%" PRIx64,
			 x->liobn, x->ioba, e.translated_addr, e.perm,
			 (uint64_t)(e.addr_mask & 0xffffffffULL), x->a2, x->npages, x->mask);
}

/* QEMU's traced values against the model's (the return codes agreed). */
static void check_traced(struct replay *r, struct source *s, const char *what,
			 const struct tcesim_hcall_out *out)
{
	const struct replay_rec *c = &s->rec;

	if (!c->traced) {
		if (out->traced)
			mismatch(r, s, &r->sum->trace_mismatches,
				 "%s traced by the model, QEMU did not trace it", what);
		return;
	}
	switch (c->type) {
	case 'G':
		if (c->ret == TCESIM_H_SUCCESS && out->r4 != c->a2)
			mismatch(r, s, &r->sum->trace_mismatches,
				 "H_GET_TCE tce 0x%" PRIx64 ", QEMU 0x%" PRIx64, out->r4, c->a2);
		break;
	case 'S':
		if (!out->traced || out->trace_ioba != c->qemu_ioba)
			mismatch(r, s, &r->sum->trace_mismatches,
				 "H_STUFF_TCE stopped at ioba 0x%" PRIx64 "%s, QEMU at 0x%" PRIx64,
				 out->trace_ioba, out->traced ? "" : " (not traced)", c->qemu_ioba);
		break;
	case 'I':
		if (!out->traced || out->trace_idx != (uint64_t)c->qemu_idx ||
		    out->trace_tce != c->qemu_tce)
			mismatch(r, s, &r->sum->trace_mismatches,
				 "H_PUT_TCE_INDIRECT iobaN=%" PRIu64 " tceN=0x%" PRIx64
				 "%s, QEMU iobaN=%" PRId64 " tceN=0x%" PRIx64,
				 out->trace_idx, out->trace_tce, out->traced ? "" : " (not traced)",
				 c->qemu_idx, c->qemu_tce);
		break;
	default:
		break;
	}
}

static int do_hcall(struct replay *r, struct source *s)
{
	const struct replay_rec *c = &s->rec;
	struct tcesim_hcall_out out;
	enum tcesim_replay_kind kind;
	unsigned long req;
	uint64_t args[4], live;
	long ret;

	switch (c->type) {
	case 'P':
		kind = TCESIM_REPLAY_PUT;
		req = TCESIM_H_PUT_TCE;
		break;
	case 'G':
		kind = TCESIM_REPLAY_GET;
		req = TCESIM_H_GET_TCE;
		break;
	case 'S':
		kind = TCESIM_REPLAY_STUFF;
		req = TCESIM_H_STUFF_TCE;
		break;
	default: /* 'I' */
		kind = TCESIM_REPLAY_INDIRECT;
		req = TCESIM_H_PUT_TCE_INDIRECT;
		if (c->nlist) {
			int e = ensure_ram(r, c->a2, (uint64_t)c->nlist * 8);

			if (!e)
				e = tcesim_kvm_write_guest_be64(r->kvm, c->a2, s->p.list,
								(size_t)c->nlist);
			if (e)
				return malformed(r, s,
						 "cannot place the TCE list at gpa 0x%" PRIx64 ": %s",
						 c->a2, tcesim_errname(e) ? tcesim_errname(e) : "error");
		}
		break;
	}
	args[0] = c->liobn;
	args[1] = c->ioba;
	args[2] = c->type == 'G' ? 0 : c->a2;
	args[3] = (uint64_t)c->npages;
	memset(&out, 0, sizeof(out));
	ret = tcesim_kvm_hcall(r->kvm, req, args, &out);
	count_ret(r->sum, kind, (long)c->ret);
	check_ret(r, s, tcesim_hcall_req_name(req), (long)c->ret, ret);
	if (ret == (long)c->ret)
		check_traced(r, s, tcesim_hcall_req_name(req), &out);
	live = tcesim_kvm_live_tces(r->kvm);
	if (live > r->sum->peak_live)
		r->sum->peak_live = live;
	return 0;
}

static int do_table(struct replay *r, struct source *s)
{
	const struct replay_rec *c = &s->rec;
	int ret;

	if (c->type == 'R') {
		r->sum->removed++;
		if (tcesim_spapr_tce_table_disable(r->kvm, c->liobn))
			return malformed(r, s, "R of LIOBN 0x%" PRIx64 " that has no table",
					 c->liobn);
		note_liobn(r, c->liobn, false);
		return 0;
	}
	r->sum->tables++;
	/* A T for a LIOBN in use replaces it: QEMU disables and re-enables (DDW). */
	if (!tcesim_spapr_tce_table_disable(r->kvm, c->liobn))
		note_liobn(r, c->liobn, false);
	ret = tcesim_spapr_tce_new_table(r->kvm, c->liobn, c->ioba, (unsigned int)c->npages,
					 c->a2 >> c->npages, false, NULL);
	if (ret)
		return malformed(r, s, "cannot create table LIOBN 0x%" PRIx64 ": %s", c->liobn,
				 tcesim_errname(ret) ? tcesim_errname(ret) : "error");
	note_liobn(r, c->liobn, true);
	return 0;
}

/* One record of the .tce file. */
static int do_tce_record(struct replay *r, struct source *s)
{
	switch (s->rec.type) {
	case 'T':
	case 'R':
		return do_table(r, s);
	case 'X':
		do_xlate(r, s);
		return 0;
	default:
		return do_hcall(r, s);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The caller's world, when @opts (new enough to have the field) names one. */
static struct tcesim_world *opts_world(const struct tcesim_replay_opts *opts)
{
	if (!opts || opts->size < offsetof(struct tcesim_replay_opts, world) + sizeof(opts->world))
		return NULL;
	return opts->world;
}

static int replay_setup(struct replay *r)
{
	struct tcesim_world_cfg cfg;
	int ret;

	r->w = opts_world(r->opts);
	if (!r->w) {
		tcesim_world_cfg_init(&cfg);
		cfg.hcall = (r->opts && r->opts->size) ? r->opts->hcall : TCESIM_HCALL_QEMU;
		ret = tcesim_world_create(&cfg, &r->w);
		if (ret)
			return ret;
		r->own_world = true;
	}
	ret = tcesim_mm_create(r->w, "qemu", 0, true, &r->mm);
	if (!ret)
		ret = tcesim_kvm_create(r->w, &r->kvm);
	if (!ret)
		tcesim_kvm_set_trace(r->kvm, r->opts ? r->opts->trace_out : NULL);
	return ret;
}

static void replay_teardown(struct replay *r)
{
	if (r->kvm)
		tcesim_kvm_destroy(r->kvm);
	if (r->mm)
		tcesim_mm_exit(r->mm);
	/* tcesim_world_destroy() runs the RCU barriers itself */
	if (r->w && r->own_world)
		tcesim_world_destroy(r->w);
}

/* The merge of both streams by seq, record by record. */
static void replay_loop(struct replay *r)
{
	const struct tcesim_replay_opts *opts = r->opts;
	struct tcesim_replay_summary *sum = r->sum;
	int have_t, have_x;

	have_t = next_record(r, &r->t);
	have_x = have_t < 0 ? 0 : next_record(r, &r->x);
	while ((have_t > 0 || have_x > 0) && have_t >= 0 && have_x >= 0) {
		/* X records strictly before the next hypercall/table record go first. */
		if (have_x > 0 && (have_t <= 0 || r->x.rec.seq < r->t.rec.seq)) {
			if (r->x.rec.type != 'X') {
				malformed(r, &r->x, "unknown record type '%c' in X file",
					  r->x.rec.type);
				break;
			}
			do_xlate(r, &r->x);
			sum->records++;
			have_x = next_record(r, &r->x);
		} else {
			if (do_tce_record(r, &r->t))
				break;
			sum->records++;
			have_t = next_record(r, &r->t);
		}
		if (opts && opts->progress && !(sum->records & 0x3ffff))
			fprintf(opts->progress, "\r%s: %" PRIu64 " records", sum->name,
				sum->records);
	}
}

/* Replays the open streams @t (and @x, or NULL); closes them. */
static int replay_streams(const char *name, struct replay_in *t, const char *xlate_name,
			  struct replay_in *x, const struct tcesim_replay_opts *opts,
			  struct tcesim_replay_summary *sum)
{
	struct replay *r = calloc(1, sizeof(*r));
	int status, ret;
	double t0;

	snprintf(sum->name, sizeof(sum->name), "%s", name);
	if (x)
		snprintf(sum->xlate_name, sizeof(sum->xlate_name), "%s", xlate_name);
	if (!r) {
		replay_in_close(t);
		replay_in_close(x);
		return 2;
	}
	r->opts = opts;
	r->sum = sum;
	r->err = (opts && opts->err) ? opts->err : stderr;
	r->show = (opts && opts->show) ? opts->show : TCESIM_REPLAY_SHOW_MAX;
	r->t.name = name;
	r->t.in = t;
	r->x.name = xlate_name;
	r->x.in = x;
	tcesim_thread_enter();
	ret = replay_setup(r);
	if (ret) {
		fprintf(r->err, "%s: cannot set up the model: %s\n", name,
			tcesim_errname(ret) ? tcesim_errname(ret) : "error");
		status = 2;
		goto out;
	}
	t0 = now_s();
	replay_loop(r);
	sum->seconds = now_s() - t0;
	if (opts && opts->progress)
		fprintf(opts->progress, "\r%s: %" PRIu64 " records\n", name, sum->records);
	if (r->malformed) {
		status = 2;
		goto out;
	}
	if (!sum->records) {
		/* nothing compared: an empty trace does not "agree with QEMU" */
		fprintf(r->err, "%s: no records\n", name);
		status = 2;
		goto out;
	}
	sum->final_live = tcesim_kvm_live_tces(r->kvm);
	for (unsigned int i = 0; i < r->nliobns; i++) {
		struct tcesim_spapr_tce_info info;

		sum->table[i].liobn = r->liobns[i];
		tcesim_spapr_tce_digest(r->kvm, r->liobns[i], &sum->table[i].digest);
		if (!tcesim_spapr_tce_table_info(r->kvm, r->liobns[i], &info))
			sum->table[i].live = info.live;
	}
	sum->ntables = r->nliobns;
	status = sum->mismatches ? 1 : 0;
out:
	replay_teardown(r);
	tcesim_thread_exit();
	replay_in_close(t);
	replay_in_close(x);
	free(r);
	return status;
}

TCESIM_EXPORT int tcesim_replay_buffers(const char *name, const char *tce, size_t tce_len,
					const char *xlate_name, const char *xlate,
					size_t xlate_len, const struct tcesim_replay_opts *opts,
					struct tcesim_replay_summary *sum)
{
	struct replay_in *t = NULL, *x = NULL;

	memset(sum, 0, sizeof(*sum));
	if (replay_in_open_mem(tce, tce_len, &t) ||
	    (xlate && replay_in_open_mem(xlate, xlate_len, &x))) {
		replay_in_close(t);
		return 2;
	}
	return replay_streams(name, t, xlate_name ? xlate_name : "(xlate)", x, opts, sum);
}

/* NAME.tce.txt[.xz|.gz] -> the first existing NAME.xlate.txt[.xz|.gz], or NULL. */
static char *find_xlate(const char *path)
{
	static const char *const sfx[] = { ".xlate.txt", ".xlate.txt.xz", ".xlate.txt.gz" };
	const char *p = strstr(path, ".tce.txt");
	size_t stem;
	unsigned int i;

	if (!p)
		return NULL;
	while (strstr(p + 1, ".tce.txt"))
		p = strstr(p + 1, ".tce.txt");
	stem = (size_t)(p - path);
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		size_t n = stem + strlen(sfx[i]) + 1;
		char *cand = malloc(n);
		struct stat st;

		if (!cand)
			return NULL;
		snprintf(cand, n, "%.*s%s", (int)stem, path, sfx[i]);
		if (!stat(cand, &st) && S_ISREG(st.st_mode))
			return cand;
		free(cand);
	}
	return NULL;
}

TCESIM_EXPORT int tcesim_replay_file(const char *path, const struct tcesim_replay_opts *opts,
				     struct tcesim_replay_summary *sum)
{
	FILE *err = (opts && opts->err) ? opts->err : stderr;
	struct replay_in *t = NULL, *x = NULL;
	char *xpath = NULL;
	double t0 = now_s(), load;
	int ret;

	memset(sum, 0, sizeof(*sum));
	ret = replay_in_open(path, &t);
	if (ret) {
		fprintf(err, "%s: cannot read: %s\n", path, strerror(-ret));
		return 2;
	}
	if (opts && opts->xlate_path)
		xpath = strdup(opts->xlate_path);
	else if (!(opts && opts->no_xlate))
		xpath = find_xlate(path);
	if (xpath) {
		ret = replay_in_open(xpath, &x);
		if (ret) {
			fprintf(err, "%s: cannot read: %s\n", xpath, strerror(-ret));
			free(xpath);
			replay_in_close(t);
			return 2;
		}
	}
	load = now_s() - t0;
	ret = replay_streams(path, t, xpath, x, opts, sum);
	sum->load_seconds = load;
	free(xpath);
	return ret;
}
