/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Generated from version.h.in by CMake: do not edit. */
#ifndef TCESIM_VERSION_H
#define TCESIM_VERSION_H
#define TCESIM_VERSION_MAJOR 0
#define TCESIM_VERSION_MINOR 1
#define TCESIM_VERSION_PATCH 0
#define TCESIM_VERSION_STRING "0.1.0"
#endif
