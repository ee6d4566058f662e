// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * log.c - the world's message ring: tcesim_pr() keeps the last
 * TCESIM_LOG_LINES messages of a world (where the modelled kernel code
 * would pr_warn() or WARN(), the model writes the line here) and hands
 * each one to the world's log callback.
 *
 * Moved out of world.c (issue 9) so src/core calls one way: explore_poison.c
 * reports through it and world.c calls explore_poison.c.
 *
 * Locking: w->log_lock (sync.c's mutex) protects the ring and the callback;
 * the callback runs under it.
 */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

void tcesim_pr(struct tcesim_world *w, const char *fmt, ...)
{
	char line[TCESIM_LOG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	tcesim_mutex_lock(&w->log_lock);
	memcpy(w->log[w->log_head % TCESIM_LOG_LINES], line, sizeof(line));
	w->log_head++;
	if (w->log_fn)
		w->log_fn(w->log_ctx, line);
	tcesim_mutex_unlock(&w->log_lock);
}

TCESIM_EXPORT void tcesim_world_set_log(struct tcesim_world *w,
					void (*fn)(void *ctx, const char *line), void *ctx)
{
	tcesim_mutex_lock(&w->log_lock);
	w->log_fn = fn;
	w->log_ctx = ctx;
	tcesim_mutex_unlock(&w->log_lock);
}

TCESIM_EXPORT bool tcesim_world_log_contains(struct tcesim_world *w, const char *needle)
{
	unsigned int i, n;
	bool found = false;

	tcesim_mutex_lock(&w->log_lock);
	n = w->log_head < TCESIM_LOG_LINES ? w->log_head : TCESIM_LOG_LINES;
	for (i = 0; i < n && !found; i++)
		found = strstr(w->log[i], needle) != NULL;
	tcesim_mutex_unlock(&w->log_lock);
	return found;
}

TCESIM_EXPORT unsigned int tcesim_world_log_count(struct tcesim_world *w)
{
	unsigned int n;

	tcesim_mutex_lock(&w->log_lock);
	n = w->log_head;
	tcesim_mutex_unlock(&w->log_lock);
	return n;
}
