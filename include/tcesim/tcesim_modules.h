/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tcesim/tcesim_modules.h - the module headers (part of the umbrella). */
#ifndef TCESIM_MODULES_H
#define TCESIM_MODULES_H
#if __has_include(<tcesim/table.h>)
#include <tcesim/table.h>
#endif
#if __has_include(<tcesim/phb.h>)
#include <tcesim/phb.h>
#endif
#if __has_include(<tcesim/kvm.h>)
#include <tcesim/kvm.h>
#endif
#if __has_include(<tcesim/sva.h>)
#include <tcesim/sva.h>
#endif
#if __has_include(<tcesim/replay.h>)
#include <tcesim/replay.h>
#endif
#endif
