// SPDX-License-Identifier: LGPL-2.1-or-later
/* cmd_ops.c - scenario commands of the ops module (see script_internal.h). */
#include "script/script_internal.h"

const struct script_cmd script_cmds_ops[] = {
	{ NULL, NULL, NULL, NULL },
};
