// SPDX-License-Identifier: LGPL-2.1-or-later
/* cmd_prq.c - scenario commands of the prq module (see script_internal.h). */
#include "script/script_internal.h"

const struct script_cmd script_cmds_prq[] = {
	{ NULL, NULL, NULL, NULL },
};
