// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * names.c - symbolic names of errno values, PAPR return codes and flavours,
 * as scenarios and messages spell them.
 */
#include <stdio.h>

#include "internal.h"

struct code_name {
	long code;
	const char *name;
};

/* The errnos the modelled code paths return (positive values). */
static const struct code_name errnos[] = {
	{ EPERM, "EPERM" },     { ENOENT, "ENOENT" },       { EIO, "EIO" },
	{ ENXIO, "ENXIO" },     { EBADF, "EBADF" },         { EAGAIN, "EAGAIN" },
	{ ENOMEM, "ENOMEM" },   { EACCES, "EACCES" },       { EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" },     { EEXIST, "EEXIST" },       { ENODEV, "ENODEV" },
	{ EINVAL, "EINVAL" },   { ENOSPC, "ENOSPC" },       { ENOTTY, "ENOTTY" },
	{ ERANGE, "ERANGE" },   { ENOSYS, "ENOSYS" },       { EOVERFLOW, "EOVERFLOW" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { EADDRINUSE, "EADDRINUSE" },
	{ ETIMEDOUT, "ETIMEDOUT" }, { ESRCH, "ESRCH" },     { E2BIG, "E2BIG" },
	{ EINTR, "EINTR" },     { ENODATA, "ENODATA" },     { ECANCELED, "ECANCELED" },
	/* kernel-internal: include/linux/errno.h */
	{ 517, "EPROBE_DEFER" },
};

static const struct code_name hcalls[] = {
	{ TCESIM_H_SUCCESS, "H_SUCCESS" },     { TCESIM_H_HARDWARE, "H_HARDWARE" },
	{ TCESIM_H_FUNCTION, "H_FUNCTION" },   { TCESIM_H_PARAMETER, "H_PARAMETER" },
	{ TCESIM_H_RESCINDED, "H_RESCINDED" }, { TCESIM_H_TOO_HARD, "H_TOO_HARD" },
};

static const char *const flavour_names[TCESIM_FLAVOUR_NR] = {
	[TCESIM_FLAVOUR_MODERN] = "modern",
	[TCESIM_FLAVOUR_LEGACY_2013] = "legacy_2013",
	[TCESIM_FLAVOUR_LEGACY_2015] = "legacy_2015",
	[TCESIM_FLAVOUR_LEGACY_2016] = "legacy_2016",
	[TCESIM_FLAVOUR_LEGACY_2020] = "legacy_2020",
	[TCESIM_FLAVOUR_LEGACY_2024] = "legacy_2024",
	[TCESIM_FLAVOUR_LEGACY_2019] = "legacy_2019",
};

TCESIM_EXPORT const char *tcesim_errname(int code)
{
	size_t i;

	if (code == 0)
		return "ok";
	for (i = 0; i < TCESIM_ARRAY_SIZE(errnos); i++)
		if (-errnos[i].code == code)
			return errnos[i].name;
	return NULL;
}

TCESIM_EXPORT int tcesim_errno_from_name(const char *name, int *out)
{
	size_t i;

	for (i = 0; i < TCESIM_ARRAY_SIZE(errnos); i++) {
		if (!strcmp(errnos[i].name, name)) {
			*out = (int)errnos[i].code;
			return 0;
		}
	}
	return -ENOENT;
}

TCESIM_EXPORT const char *tcesim_hcall_name(long ret)
{
	size_t i;

	for (i = 0; i < TCESIM_ARRAY_SIZE(hcalls); i++)
		if (hcalls[i].code == ret)
			return hcalls[i].name;
	return NULL;
}

TCESIM_EXPORT int tcesim_hcall_from_name(const char *name, long *out)
{
	size_t i;

	for (i = 0; i < TCESIM_ARRAY_SIZE(hcalls); i++) {
		if (!strcmp(hcalls[i].name, name)) {
			*out = hcalls[i].code;
			return 0;
		}
	}
	return -ENOENT;
}

TCESIM_EXPORT const char *tcesim_flavour_name(enum tcesim_flavour f)
{
	if ((unsigned int)f >= TCESIM_FLAVOUR_NR)
		return NULL;
	return flavour_names[f];
}

TCESIM_EXPORT int tcesim_flavour_from_name(const char *name, enum tcesim_flavour *out)
{
	unsigned int i;

	for (i = 0; i < TCESIM_FLAVOUR_NR; i++) {
		if (!strcmp(flavour_names[i], name)) {
			*out = (enum tcesim_flavour)i;
			return 0;
		}
	}
	return -EINVAL;
}
