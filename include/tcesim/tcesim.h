/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/tcesim.h - umbrella header: everything public in tcesim.
 */
#ifndef TCESIM_TCESIM_H
#define TCESIM_TCESIM_H

#include <tcesim/version.h>
#include <tcesim/types.h>
#include <tcesim/world.h>
#include <tcesim/mem.h>
#include <tcesim/table.h>
#include <tcesim/phb.h>
#include <tcesim/kvm.h>
#include <tcesim/vfio.h>
#include <tcesim/replay.h>
#include <tcesim/sva.h>
#include <tcesim/prq.h>
#include <tcesim/script.h>
#include <tcesim/explore.h>

#endif
