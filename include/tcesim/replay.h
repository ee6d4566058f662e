/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/replay.h - `tcesim replay`: run a real guest's TCE hypercall stream,
 * captured from QEMU, through the model and check that the model agrees
 * with QEMU on every return code and every DMA translation.
 *
 * Input: the "tcesim trace v1" text format of shared/traces/README.md
 * (T/R/P/S/I/G records in NAME.tce.txt, X records in NAME.xlate.txt, merged
 * by seq), plain, xz or gzip compressed (detected by magic bytes).
 */
#ifndef TCESIM_REPLAY_H
#define TCESIM_REPLAY_H

#include <stdbool.h>
#include <stdio.h>
#include <tcesim/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TCESIM_REPLAY_SHOW_MAX		8	/* mismatch lines kept in a summary */
#define TCESIM_REPLAY_TABLES_MAX	64	/* tables whose digest is reported */
#define TCESIM_REPLAY_RETS_MAX		16	/* distinct (kind, ret) pairs counted */

/**
 * enum tcesim_replay_kind - hypercall records of a trace
 * @TCESIM_REPLAY_PUT: P, H_PUT_TCE
 * @TCESIM_REPLAY_INDIRECT: I, H_PUT_TCE_INDIRECT
 * @TCESIM_REPLAY_STUFF: S, H_STUFF_TCE
 * @TCESIM_REPLAY_GET: G, H_GET_TCE
 * @TCESIM_REPLAY_NR_KINDS: number of kinds
 */
enum tcesim_replay_kind {
	TCESIM_REPLAY_PUT = 0,
	TCESIM_REPLAY_INDIRECT,
	TCESIM_REPLAY_STUFF,
	TCESIM_REPLAY_GET,
	TCESIM_REPLAY_NR_KINDS,
};

/**
 * struct tcesim_replay_opts - options of a replay
 * @size: sizeof(struct tcesim_replay_opts)
 * @xlate_path: X records file to merge instead of the one found beside the
 *	trace (NAME.xlate.txt[.xz|.gz]); NULL to look beside it
 * @no_xlate: do not look for an X file beside the trace
 * @trace_out: write QEMU-format spapr_iommu_* lines here (NULL: none)
 * @err: mismatch and syntax messages "FILE:LINE: ..." (NULL: stderr)
 * @progress: a progress line is redrawn here (NULL: none); the CLI passes
 *	stderr only when it is a TTY
 * @show: mismatches printed to @err (0: TCESIM_REPLAY_SHOW_MAX)
 * @hcall: tiers of the replay world; the bundled traces come from TCG, so
 *	TCESIM_HCALL_QEMU (the default when @size is 0) replays them through
 *	the tier that recorded them
 * @world: replay in this world instead of a fresh one: the replay's guest
 *	and QEMU process are created in it and destroyed at the end, the world
 *	stays (its own hcall mode applies, @hcall is ignored). A fresh world's
 *	teardown waits for RCU barriers (~10 ms per module slot), more than a
 *	whole replay: repeated replays (benchmarks) pass one world. NULL: a
 *	fresh world per replay.
 */
struct tcesim_replay_opts {
	size_t size;
	const char *xlate_path;
	bool no_xlate;
	FILE *trace_out;
	FILE *err;
	FILE *progress;
	unsigned int show;
	enum tcesim_hcall_mode hcall;
	struct tcesim_world *world;
};

/**
 * struct tcesim_replay_summary - what a replay found
 * @name: the trace's file name (as given)
 * @xlate_name: the X file merged, or "" if none
 * @records: records read (both files, comments excluded)
 * @tables: T records; @removed: R records
 * @hcalls: hypercall records replayed; @by_kind: per enum tcesim_replay_kind
 * @nrets: used entries of @rets
 * @rets: count of (kind, recorded ret) pairs, in order of first appearance
 * @xlates: X records checked
 * @mismatches: disagreements of any kind (return code, translation, QEMU's
 *	traced values qemu_idx/qemu_tce/qemu_ioba, GET's value)
 * @ret_mismatches: of which return codes
 * @xlate_mismatches: of which translations
 * @trace_mismatches: of which QEMU's traced values or H_GET_TCE's TCE
 * @nshown: used entries of @shown
 * @shown: the first mismatches as "FILE:LINE: message"
 * @peak_live: highest number of non-zero TCEs over all tables at any point
 * @final_live: non-zero TCEs at the end
 * @ntables: used entries of @table
 * @table: final state of each table alive at the end: LIOBN, XXH3 digest
 *	(tcesim_spapr_tce_digest()) and live entries
 * @load_seconds: opening the files and reading their first chunk (the
 *	input is streamed: decompression is part of @seconds)
 * @seconds: the replay itself (read, decompress, parse, model), wall clock
 */
struct tcesim_replay_summary {
	char name[256];
	char xlate_name[256];
	uint64_t records;
	uint64_t tables;
	uint64_t removed;
	uint64_t hcalls;
	uint64_t by_kind[TCESIM_REPLAY_NR_KINDS];
	unsigned int nrets;
	struct {
		enum tcesim_replay_kind kind;
		long ret;
		uint64_t count;
	} rets[TCESIM_REPLAY_RETS_MAX];
	uint64_t xlates;
	uint64_t mismatches;
	uint64_t ret_mismatches;
	uint64_t xlate_mismatches;
	uint64_t trace_mismatches;
	unsigned int nshown;
	char shown[TCESIM_REPLAY_SHOW_MAX][256];
	uint64_t peak_live;
	uint64_t final_live;
	unsigned int ntables;
	struct {
		uint64_t liobn;
		uint64_t digest;
		uint64_t live;
	} table[TCESIM_REPLAY_TABLES_MAX];
	double load_seconds;
	double seconds;
};

/**
 * tcesim_replay_buffers() - Replay a trace held in memory
 * @name: trace name used in messages (FILE of FILE:LINE)
 * @tce: text of the T/R/P/S/I/G records
 * @tce_len: bytes of @tce
 * @xlate_name: name of the X records text for messages, or NULL
 * @xlate: text of the X records, or NULL
 * @xlate_len: bytes of @xlate
 * @opts: options (NULL: defaults)
 * @sum: out, the summary (zeroed first)
 *
 * Builds a fresh world (hcall tiers from @opts), a guest whose RAM is
 * modelled lazily in 1 GiB memslots, the QEMU-only tables the T records
 * announce; runs every hypercall through tcesim_kvm_hcall(), writing each
 * I record's list big-endian into guest memory at tce_list first, and
 * checks every X record against tcesim_spapr_tce_translate_iommu() of the
 * same offset at that point of the stream (mask compared truncated to 32
 * bits, as QEMU's trace event prints it).
 *
 * A record of a call QEMU did not trace carries '-' for the traced values
 * (S: qemu_ioba; I: qemu_idx and qemu_tce): its return code is checked,
 * and that the model did not trace it either (data/traces/README.md).
 *
 * Models: none (an oracle against QEMU 7.2's recorded answers).
 * Context: registers the calling thread with RCU for the duration.
 * Return: 0 when everything agrees, 1 when anything disagrees, 2 when the
 *         input is malformed (one "FILE:LINE: message" on @opts->err; the
 *         replay stops there), has no record at all ("FILE: no records":
 *         nothing was compared) or the model could not be set up.
 */
TCESIM_EXPORT int tcesim_replay_buffers(const char *name, const char *tce, size_t tce_len,
					const char *xlate_name, const char *xlate,
					size_t xlate_len, const struct tcesim_replay_opts *opts,
					struct tcesim_replay_summary *sum);

/**
 * tcesim_replay_read_file() - Read a whole file, decompressing xz or gzip
 * @path: file; compression is detected from its first bytes (xz: every
 *	concatenated stream; gzip: every member)
 * @text: out, malloc()ed contents plus a terminating NUL (free())
 * @len: out, bytes (without the NUL)
 *
 * The whole text is held in memory (as big as the decompressed file);
 * tcesim_replay_file() does not use this: it streams the file.
 *
 * Models: none.
 * Context: any thread.
 * Return: 0, or -errno of open()/read() (e.g. -ENOENT, -EISDIR),
 *         -EBADMSG for corrupt or truncated xz/gzip data, -ENOMEM (also
 *         for xz data that needs more than 128 MiB to decompress).
 */
TCESIM_EXPORT int tcesim_replay_read_file(const char *path, char **text, size_t *len);

/**
 * tcesim_replay_file() - Replay one trace file (and its X file)
 * @path: NAME.tce.txt, NAME.tce.txt.xz or NAME.tce.txt.gz
 * @opts: options (NULL: defaults); @opts->xlate_path overrides the X file
 *	looked for beside @path (NAME.xlate.txt[.xz|.gz])
 * @sum: out, the summary
 *
 * The files are read and decompressed in 64 KiB chunks as the replay goes
 * (memory does not grow with their size); a line may be up to 128 KiB.
 *
 * Models: none.
 * Context: as tcesim_replay_buffers().
 * Return: 0, 1 or 2 as tcesim_replay_buffers(); 2 also when a file cannot
 *         be read ("FILE: cannot read: <strerror>"), its xz or gzip data
 *         is corrupt or truncated ("FILE: corrupt or truncated xz data at
 *         byte N", N the compressed bytes consumed), or a line is longer
 *         than 128 KiB ("FILE:LINE: line longer than 131072 bytes").
 */
TCESIM_EXPORT int tcesim_replay_file(const char *path, const struct tcesim_replay_opts *opts,
				     struct tcesim_replay_summary *sum);

/**
 * tcesim_replay_print_summary() - Print a replay summary
 * @f: stream
 * @sum: summary
 * @json: one JSON object on one line instead of the human text
 *
 * Models: none.
 * Context: any thread.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_replay_print_summary(FILE *f, const struct tcesim_replay_summary *sum,
					       bool json);

/**
 * tcesim_replay_main() - The `tcesim replay` subcommand
 * @argc: argument count, argv[0] being "replay"
 * @argv: [--xlate FILE] [--trace-out FILE] [--json] [--no-xlate]
 *	[--hcall=qemu|kvm+qemu|kvm] NAME.tce.txt[.xz|.gz]...
 * @out: summaries
 * @err: mismatches, syntax errors, usage; the progress line when a TTY
 *
 * Models: none.
 * Context: registers the calling thread with RCU while replaying.
 * Return: exit status: 0 when every file agrees with QEMU, 1 when any
 *         disagrees, 2 for a usage error, an unreadable or malformed file.
 */
TCESIM_EXPORT int tcesim_replay_main(int argc, char **argv, FILE *out, FILE *err);

#ifdef __cplusplus
}
#endif
#endif /* TCESIM_REPLAY_H */
