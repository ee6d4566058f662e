// SPDX-License-Identifier: LGPL-2.1-or-later
/* cmd_kvm.c - scenario commands of the kvm module (see script_internal.h). */
#include "script/script_internal.h"

const struct script_cmd script_cmds_kvm[] = {
	{ NULL, NULL, NULL, NULL },
};
