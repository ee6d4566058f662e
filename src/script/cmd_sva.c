// SPDX-License-Identifier: LGPL-2.1-or-later
/* cmd_sva.c - scenario commands of the sva module (see script_internal.h). */
#include "script/script_internal.h"

const struct script_cmd script_cmds_sva[] = {
	{ NULL, NULL, NULL, NULL },
};
