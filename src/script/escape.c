// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * escape.c - echoed input, cut and escaped (issue 7, defect 8): the one
 * helper the scenario runner's messages (script_error(), script_fail(),
 * --explain) and the trace parser's (replay_parse.c) share.
 *
 * A hostile line must neither flood the terminal (a token is cut at
 * SCRIPT_ECHO_MAX bytes, "..." follows) nor garble it (bytes outside
 * printable ASCII, and the backslash, are written \xNN). It needs nothing
 * but libc, so the replay's stand-alone test builds link it alone.
 */
#include "script/script_internal.h"

size_t script_escape_token(char *dst, size_t size, const char *tok, size_t len, bool quote)
{
	size_t i, o = 0;

	if (!size)
		return 0;
	for (i = 0; i < len && i < SCRIPT_ECHO_MAX; i++) {
		unsigned char c = (unsigned char)tok[i];
		char tmp[5];
		size_t k;

		if (c >= 0x20 && c < 0x7f && c != '\\' && !(quote && c == '\''))
			tmp[0] = (char)c, tmp[1] = '\0';
		else
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		k = strlen(tmp);
		if (o + k >= size)
			break;
		memcpy(dst + o, tmp, k);
		o += k;
	}
	if (len > SCRIPT_ECHO_MAX && o + 3 < size) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
	return o;
}

static void put_escaped(FILE *f, const char *tok, size_t len)
{
	char e[SCRIPT_ECHO_BUF];

	script_escape_token(e, sizeof(e), tok, len, false);
	fputs(e, f);
}

/*
 * A word is [']KEY[=VALUE]['] (the messages quote tokens and echo key=value
 * pairs): the quotes are kept, KEY and VALUE are each a token.
 */
void script_fputs_escaped(const char *msg, FILE *f)
{
	const char *p = msg;

	while (*p) {
		size_t n = strcspn(p, " "), lead, trail;
		const char *eq;

		lead = n && p[0] == '\'';
		trail = n > lead && p[n - 1] == '\'';
		if (lead)
			fputc('\'', f);
		eq = memchr(p + lead, '=', n - lead - trail);
		if (eq) {
			put_escaped(f, p + lead, (size_t)(eq - (p + lead)));
			fputc('=', f);
			put_escaped(f, eq + 1, (size_t)(p + n - trail - (eq + 1)));
		} else {
			put_escaped(f, p + lead, n - lead - trail);
		}
		if (trail)
			fputc('\'', f);
		p += n;
		while (*p == ' ')
			fputc(*p++, f);
	}
}
