/* SPDX-License-Identifier: GPL-2.0-or-later */
/* print.c - kernel objects of the model as iproute2 spells them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model.h"

char *nm_route_str(const struct nm_route *r, unsigned int flags)
{
	char dst[64], gw[64], src[64], tbl[16];
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	bool host;

	if (!m)
		return nm_xstrdup("?");
	if (r->type && strcmp(r->type, "unicast"))
		fprintf(m, "%s ", r->type);
	host = r->dst.family && r->dst.plen == (r->dst.family == AF_INET ? 32 : 128);
	fprintf(m, "%s", nm_ip_str(&r->dst, dst, sizeof(dst), r->dst.family && !host));
	if (r->src.family && !(flags & NM_RT_LOOKUP))
		fprintf(m, " from %s", nm_ip_str(&r->src, src, sizeof(src), true));
	if (r->gateway.family)
		fprintf(m, " via %s", nm_ip_str(&r->gateway, gw, sizeof(gw), false));
	if (r->dev)
		fprintf(m, " dev %s", r->dev);
	if (r->table != 254 || (flags & NM_RT_LOOKUP))
		fprintf(m, " table %s", nm_rt_table_name(r->table, tbl, sizeof(tbl)));
	if (flags & NM_RT_LOOKUP) {
		fprintf(m, " metric %u", r->metric);
		fclose(m);
		return out;
	}
	/* like iproute2: "proto boot" (the default for `ip route add`) is not shown */
	if (r->protocol && strcmp(r->protocol, "boot"))
		fprintf(m, " proto %s", r->protocol);
	if (r->scope && strcmp(r->scope, "global"))
		fprintf(m, " scope %s", r->scope);
	if (r->prefsrc.family)
		fprintf(m, " src %s", nm_ip_str(&r->prefsrc, src, sizeof(src), false));
	if (r->metric)
		fprintf(m, " metric %u", r->metric);
	for (size_t i = 0; i < r->n_nexthops; i++) {
		fprintf(m, " nexthop");
		if (r->nexthops[i].gateway.family)
			fprintf(m, " via %s", nm_ip_str(&r->nexthops[i].gateway, gw, sizeof(gw), false));
		if (r->nexthops[i].dev)
			fprintf(m, " dev %s", r->nexthops[i].dev);
		fprintf(m, " weight %d", r->nexthops[i].weight);
	}
	fclose(m);
	return out;
}
