// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * replay_output.c - what `tcesim replay` prints: the summary of a replay as
 * text or one JSON object, and the subcommand's command line.
 *
 * Concepts:
 *  - The summary (struct tcesim_replay_summary) is filled by the engine
 *    (replay.c); this file only formats it. JSON strings are escaped
 *    (quotes, backslashes, control bytes as \u00XX).
 *  - Exit status: the worst of the files: 0 all agree, 1 a mismatch, 2 a
 *    usage error or a file that is unreadable, corrupt, malformed or empty.
 * Any thread; no state.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tcesim/replay.h>
#include <tcesim/world.h>

#include "replay_parts.h"

static const char *const kind_names[TCESIM_REPLAY_NR_KINDS] = {
	"H_PUT_TCE", "H_PUT_TCE_INDIRECT", "H_STUFF_TCE", "H_GET_TCE",
};

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

TCESIM_EXPORT void tcesim_replay_print_summary(FILE *f, const struct tcesim_replay_summary *sum,
					       bool json)
{
	double rate = sum->seconds > 0 ? (double)sum->hcalls / sum->seconds : 0;
	unsigned int i, k;

	if (json) {
		fputs("{\"trace\":", f);
		json_str(f, sum->name);
		fputs(",\"xlate\":", f);
		json_str(f, sum->xlate_name);
		fprintf(f, ",\"records\":%" PRIu64 ",\"tables\":%" PRIu64 ",\"removed\":%" PRIu64
			   ",\"hcalls\":%" PRIu64 ",\"by_kind\":{",
			sum->records, sum->tables, sum->removed, sum->hcalls);
		for (k = 0; k < TCESIM_REPLAY_NR_KINDS; k++)
			fprintf(f, "%s\"%s\":%" PRIu64, k ? "," : "", kind_names[k],
				sum->by_kind[k]);
		fputs("},\"rets\":[", f);
		for (i = 0; i < sum->nrets; i++)
			fprintf(f, "%s{\"hcall\":\"%s\",\"ret\":%ld,\"count\":%" PRIu64 "}",
				i ? "," : "", kind_names[sum->rets[i].kind], sum->rets[i].ret,
				sum->rets[i].count);
		fprintf(f, "],\"xlates\":%" PRIu64 ",\"mismatches\":%" PRIu64
			   ",\"ret_mismatches\":%" PRIu64 ",\"xlate_mismatches\":%" PRIu64
			   ",\"trace_mismatches\":%" PRIu64 ",\"shown\":[",
			sum->xlates, sum->mismatches, sum->ret_mismatches, sum->xlate_mismatches,
			sum->trace_mismatches);
		for (i = 0; i < sum->nshown; i++) {
			if (i)
				fputc(',', f);
			json_str(f, sum->shown[i]);
		}
		fprintf(f, "],\"peak_live\":%" PRIu64 ",\"final_live\":%" PRIu64
			   ",\"tables_final\":[",
			sum->peak_live, sum->final_live);
		for (i = 0; i < sum->ntables; i++)
			fprintf(f, "%s{\"liobn\":\"0x%" PRIx64 "\",\"xxh3\":\"0x%016" PRIx64
				   "\",\"live\":%" PRIu64 "}",
				i ? "," : "", sum->table[i].liobn, sum->table[i].digest,
				sum->table[i].live);
		fprintf(f, "],\"load_s\":%.6f,\"replay_s\":%.6f,\"hcalls_per_s\":%.0f}\n",
			sum->load_seconds, sum->seconds, rate);
		return;
	}
	fprintf(f, "replay %s%s%s\n", sum->name, sum->xlate_name[0] ? " + " : "",
		sum->xlate_name);
	fprintf(f, "  tables created %" PRIu64 ", removed %" PRIu64 "\n", sum->tables,
		sum->removed);
	for (k = 0; k < TCESIM_REPLAY_NR_KINDS; k++) {
		fprintf(f, "  %-19s %9" PRIu64, kind_names[k], sum->by_kind[k]);
		for (i = 0; i < sum->nrets; i++) {
			char b[24];

			if (sum->rets[i].kind == k)
				fprintf(f, "  %s: %" PRIu64,
					replay_ret_name(sum->rets[i].ret, b, sizeof(b)),
					sum->rets[i].count);
		}
		fputc('\n', f);
	}
	fprintf(f, "  hypercalls %" PRIu64 ", translations checked %" PRIu64 "\n", sum->hcalls,
		sum->xlates);
	fprintf(f, "  live TCEs: peak %" PRIu64 ", final %" PRIu64 "\n", sum->peak_live,
		sum->final_live);
	for (i = 0; i < sum->ntables; i++)
		fprintf(f, "  table liobn=0x%" PRIx64 " xxh3=0x%016" PRIx64 " live=%" PRIu64 "\n",
			sum->table[i].liobn, sum->table[i].digest, sum->table[i].live);
	fprintf(f, "  mismatches %" PRIu64 " (return codes %" PRIu64 ", translations %" PRIu64
		   ", traced values %" PRIu64 ")\n",
		sum->mismatches, sum->ret_mismatches, sum->xlate_mismatches, sum->trace_mismatches);
	for (i = 0; i < sum->nshown; i++)
		fprintf(f, "    %s\n", sum->shown[i]);
	fprintf(f, "  time: load %.3f s, replay %.3f s, %.2f M hcalls/s, %.2f M records/s\n",
		sum->load_seconds, sum->seconds, rate / 1e6,
		sum->seconds > 0 ? (double)sum->records / sum->seconds / 1e6 : 0.0);
}

static void usage(FILE *err)
{
	fputs("usage: tcesim replay [--xlate FILE] [--no-xlate] [--trace-out FILE] [--json]\n"
	      "                     [--hcall=qemu|kvm+qemu|kvm] NAME.tce.txt[.xz|.gz]...\n",
	      err);
}

TCESIM_EXPORT int tcesim_replay_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct tcesim_replay_opts opts = { .size = sizeof(opts), .hcall = TCESIM_HCALL_QEMU };
	struct tcesim_replay_summary *sum;
	const char *trace_out = NULL;
	FILE *tf = NULL;
	bool json = false;
	int i, nfiles = 0, status = 0;

	opts.err = err;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--no-xlate")) {
			opts.no_xlate = true;
		} else if (!strcmp(a, "--xlate") || !strcmp(a, "--trace-out")) {
			if (i + 1 >= argc) {
				fprintf(err, "tcesim replay: %s needs a FILE\n", a);
				usage(err);
				return 2;
			}
			if (!strcmp(a, "--xlate"))
				opts.xlate_path = argv[++i];
			else
				trace_out = argv[++i];
		} else if (!strncmp(a, "--xlate=", 8)) {
			opts.xlate_path = a + 8;
		} else if (!strncmp(a, "--trace-out=", 12)) {
			trace_out = a + 12;
		} else if (!strncmp(a, "--hcall=", 8)) {
			if (!strcmp(a + 8, "qemu"))
				opts.hcall = TCESIM_HCALL_QEMU;
			else if (!strcmp(a + 8, "kvm+qemu"))
				opts.hcall = TCESIM_HCALL_KVM_QEMU;
			else if (!strcmp(a + 8, "kvm"))
				opts.hcall = TCESIM_HCALL_KVM;
			else {
				fprintf(err, "tcesim replay: bad --hcall '%s'\n", a + 8);
				return 2;
			}
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(out);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(err, "tcesim replay: unknown option %s\n", a);
			usage(err);
			return 2;
		} else {
			nfiles++;
		}
	}
	if (!nfiles) {
		usage(err);
		return 2;
	}
	if (opts.xlate_path && nfiles > 1) {
		fprintf(err, "tcesim replay: --xlate needs exactly one trace file\n");
		return 2;
	}
	if (trace_out) {
		tf = strcmp(trace_out, "-") ? fopen(trace_out, "w") : out;
		if (!tf) {
			fprintf(err, "%s: %s\n", trace_out, strerror(errno));
			return 2;
		}
		opts.trace_out = tf;
	}
	if (isatty(fileno(err)))
		opts.progress = err;
	sum = malloc(sizeof(*sum));
	if (!sum) {
		if (tf && tf != out)
			fclose(tf);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		int ret;

		if (a[0] == '-' && a[1]) {
			if (!strcmp(a, "--xlate") || !strcmp(a, "--trace-out"))
				i++;
			continue;
		}
		ret = tcesim_replay_file(a, &opts, sum);
		if (ret != 2)
			tcesim_replay_print_summary(out, sum, json);
		if (ret > status)
			status = ret;
	}
	free(sum);
	if (tf && tf != out)
		fclose(tf);
	return status;
}
