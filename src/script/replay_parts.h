/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_parts.h - what the four parts of `tcesim replay` share (the
 * script module's own header for them; nothing outside src/script sees it).
 *
 * Layering, one way (each file uses only those below it):
 *
 *     replay_output.c   summary text/JSON, the `tcesim replay` CLI
 *     replay.c          the engine: world, hypercalls, checks, the merge
 *     replay_parse.c    trace format v1: one line -> struct replay_rec
 *     replay_input.c    file reading, xz/gzip streaming, line splitting
 *
 * The input streams: a file is read and decompressed in REPLAY_CHUNK-byte
 * pieces into one buffer of REPLAY_CHUNK + REPLAY_LINE_MAX bytes, so a
 * replay's memory does not grow with its input (issue 7, defect 7).
 * Only <tcesim/...> public headers are used below this file.
 */
#ifndef TCESIM_REPLAY_PARTS_H
#define TCESIM_REPLAY_PARTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tcesim/replay.h>

#define REPLAY_CHUNK		(64u * 1024)	/* bytes read / decompressed at once */
#define REPLAY_LINE_MAX		(128u * 1024)	/* longest line accepted */
#define REPLAY_LIST_MAX		4096		/* entries accepted in an I list */
#define REPLAY_MSG_MAX		384		/* one message */

/* ------------------------------------------------------ replay_input.c --- */

struct replay_in;

/*
 * Opens @path for streaming; compression (xz, gzip) is told by magic bytes.
 * 0, or -errno of open()/read() (the first chunk is read here) or -ENOMEM.
 */
int replay_in_open(const char *path, struct replay_in **out);
/* A text held by the caller (not copied; must outlive the reader). */
int replay_in_open_mem(const char *text, size_t len, struct replay_in **out);
void replay_in_close(struct replay_in *in);

/*
 * The next line that is neither blank nor a comment ('#' first), leading
 * and trailing blanks (space, tab, CR) cut; valid until the next call.
 * Returns 1 (a line: *@line, *@len, *@lineno), 0 at the end, -1 on an error:
 * replay_in_error() then says what and whether it belongs to a line.
 */
int replay_in_line(struct replay_in *in, const char **line, size_t *len, long *lineno);

/*
 * Up to @n decompressed bytes into @buf (not split into lines; do not mix
 * with replay_in_line()). Returns the count, 0 at the end, -1 on an error.
 */
long replay_in_read(struct replay_in *in, char *buf, size_t n);

/*
 * The last error: its text (e.g. "cannot read: Is a directory", "corrupt
 * or truncated xz data at byte 1234", "line longer than 131072 bytes"),
 * *@lineno the line it concerns (0: the file as a whole), *@err a -errno.
 */
const char *replay_in_error(const struct replay_in *in, long *lineno, int *err);

/* ------------------------------------------------------ replay_parse.c --- */

/* One record; which fields are set depends on @type (shared/traces/README.md). */
struct replay_rec {
	char type;		/* T R P S I G X */
	int64_t seq;
	uint64_t liobn;
	uint64_t ioba;		/* P S I G; X: offset; T: bus_offset */
	uint64_t a2;		/* P G: tce; S: tce_value; I: tce_list; X: translated; T: window */
	int64_t npages;		/* S I; T: page_shift; X: perm */
	int64_t ret;		/* P S I G */
	bool traced;		/* S I: QEMU traced the call ('-' in its traced fields: no) */
	uint64_t qemu_ioba;	/* S */
	int64_t qemu_idx;	/* I */
	uint64_t qemu_tce;	/* I */
	uint64_t mask;		/* X */
	long nlist;		/* I: entries in the parser's list */
};

/* A parser of one file's lines: the seq order and the I list live here. */
struct replay_parser {
	int64_t last_seq;
	uint64_t list[REPLAY_LIST_MAX];
	char msg[REPLAY_MSG_MAX];	/* the error of the last failed call */
};

/*
 * Parses one line (as replay_in_line() gives it) into @rec; an I record's
 * list into @p->list. 0, or -1 with the message in @p->msg.
 */
int replay_parse_line(struct replay_parser *p, const char *line, size_t len,
		      struct replay_rec *rec);

/* ------------------------------------------------------------- replay.c --- */

/*
 * Name of a return code: "H_SUCCESS", ..., or the decimal number in @buf.
 * The engine's mismatch messages and replay_output.c's summary use it (it
 * lives in the engine so the output calls down only; issue 9).
 */
const char *replay_ret_name(long ret, char *buf, size_t len);

#endif /* TCESIM_REPLAY_PARTS_H */
