/* SPDX-License-Identifier: GPL-2.0-or-later */
/* collect_int.h - private to src/collect: what discovery, the namespace primitives and the collectors share. */
#ifndef NSMAP_COLLECT_INT_H
#define NSMAP_COLLECT_INT_H

#include "collect.h"

/* Where `ip netns` keeps its names (bind mounts of nsfs files). */
#define NETNS_RUN_DIR "/run/netns"

#endif
