/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose.c - the cause-code registry and the expansion of its sentence and fix templates. */
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "model.h"

/*
 * Placeholders every caller provides: %{ns} (namespace label) and %{exec} (the prefix that
 * runs a command there: "ip netns exec ns1 ", "" or "nsenter --net=/proc/PID/ns/net ").
 * Multi-line fixes are separate commands, run in order.
 */
static const struct diag_code diag_registry[DIAG_COUNT] = {
	[DIAG_LINK_DOWN] = { "LINK_DOWN",
	  "%{ifname} in %{ns} is down, so no packet gets through it.",
	  "%{exec}ip link set %{ifname} up",
	  DIAG_OUT_UNREACHABLE, 0 },
	[DIAG_NO_ADDRESS] = { "NO_ADDRESS",
	  "%{ns} has no IPv4 address on %{ifname}, so the packet has no source address.",
	  "%{exec}ip addr add %{addr} dev %{ifname}",
	  DIAG_OUT_UNREACHABLE, 0 },
	[DIAG_NO_ROUTE] = { "NO_ROUTE",
	  "%{ns} has no route to %{dst}%{why}.",
	  "%{pre}%{exec}ip route add default via %{gw}",
	  DIAG_OUT_UNREACHABLE, 0 },
	[DIAG_GATEWAY_UNREACHABLE] = { "GATEWAY_UNREACHABLE",
	  "%{ns} sends to gateway %{gw} via %{ifname}, but nothing on that segment owns %{gw}.",
	  "%{gwexec}ip addr add %{gw}/%{plen} dev %{gwdev}",
	  DIAG_OUT_UNREACHABLE, 0 },
	[DIAG_NOT_ON_BRIDGE] = { "NOT_ON_BRIDGE",
	  "%{ifname} in %{ns} is not a port of bridge %{bridge}, which owns the gateway %{gw}.",
	  "%{exec}ip link set %{ifname} master %{bridge}",
	  DIAG_OUT_UNREACHABLE, 0 },
	[DIAG_PEER_MISSING] = { "PEER_MISSING",
	  "%{ns} has no interface except lo: nothing connects it to another namespace.",
	  "%{cmd}",
	  DIAG_OUT_UNREACHABLE, 0 },
	[DIAG_FORWARDING_DISABLED] = { "FORWARDING_DISABLED",
	  "%{ns} does not forward packets between interfaces: %{sysctl} = %{value}.",
	  "%{exec}sysctl -w %{sysctl}=1",
	  DIAG_OUT_DROPPED, 0 },
	[DIAG_FORWARD_DROP] = { "FORWARD_DROP",
	  "%{ns} drops the packet from %{iif} to %{oif} in the FORWARD hook (%{rule}).",
	  "%{cmd}",
	  DIAG_OUT_DROPPED, DIAG_F_RULE_DROP },
	[DIAG_INPUT_DROP] = { "INPUT_DROP",
	  "%{ns} drops the packet to its own address %{dst} in the INPUT hook (%{rule}).",
	  "%{cmd}",
	  DIAG_OUT_DROPPED, DIAG_F_RULE_DROP },
	[DIAG_OUTPUT_DROP] = { "OUTPUT_DROP",
	  "%{ns} drops the packet it sends to %{dst} in the %{hook} hook (%{rule}).",
	  "%{cmd}",
	  DIAG_OUT_DROPPED, DIAG_F_RULE_DROP },
	[DIAG_NO_SNAT] = { "NO_SNAT",
	  "%{ns} sends the packet out of %{ifname} with the private source %{src}: the reply from %{dst} cannot find its way back.",
	  "%{cmd}",
	  DIAG_OUT_NO_REPLY, 0 },
	[DIAG_RETURN_DROPPED] = { "RETURN_DROPPED",
	  "%{ns} drops the reply from %{src} to %{dst} in the %{hook} hook (%{rule}).",
	  "%{cmd}",
	  DIAG_OUT_NO_REPLY, DIAG_F_RULE_DROP },
	[DIAG_RP_FILTER] = { "RP_FILTER",
	  "%{ns} drops the packet from %{src} arriving on %{ifname}: rp_filter is %{value} and %{why}.",
	  "%{exec}sysctl -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.%{ifname}.rp_filter=0",
	  DIAG_OUT_DROPPED, 0 },
	[DIAG_STALE_CONNTRACK] = { "STALE_CONNTRACK",
	  "%{ns} has a conntrack entry for this flow from before the NAT rule existed, so the rule is never consulted.",
	  "%{exec}conntrack -D -s %{src}",
	  DIAG_OUT_NO_REPLY, DIAG_F_RESERVED },
	[DIAG_UPSTREAM_NO_REPLY] = { "UPSTREAM_NO_REPLY",
	  "Beyond the host's uplink %{ifname}, %{why}: not a problem of this host.",
	  "",
	  DIAG_OUT_NO_REPLY, 0 },
	[DIAG_PREROUTING_DROP] = { "PREROUTING_DROP",
	  "%{ns} drops the packet from %{src} in the PREROUTING hook (%{rule}).",
	  "%{cmd}",
	  DIAG_OUT_DROPPED, DIAG_F_RULE_DROP },
	[DIAG_ROUTE_REJECT] = { "ROUTE_REJECT",
	  "%{ns} has a %{type} route for %{dst} (%{route}), so the kernel refuses the packet.",
	  "%{exec}ip route del %{routekey}",
	  DIAG_OUT_UNREACHABLE, 0 },
	[DIAG_KERNEL_DISAGREES] = { "KERNEL_DISAGREES",
	  "The kernel's route in %{ns} (%{kernel}) differs from the simulated one (%{sim}).",
	  "",
	  DIAG_OUT_UNREACHABLE, 0 },
	[DIAG_RULE_UNDETERMINED] = { "RULE_UNDETERMINED",
	  "The %{hook} verdict in %{ns} depends on a rule nsmap does not understand: %{rule} "
	  "(%{why}); whether the packet passes is undetermined.",
	  "",
	  DIAG_OUT_UNDETERMINED, 0 },
	[DIAG_MARTIAN_SOURCE] = { "MARTIAN_SOURCE",
	  "%{ns} drops the packet from %{src} arriving on %{ifname}: %{src} is its own address "
	  "(a martian source), so the packet came back to where it started%{why}.",
	  "",
	  DIAG_OUT_DROPPED, 0 },
	[DIAG_ROUTE_LOOP] = { "ROUTE_LOOP",
	  "The packet to %{dst} loops: %{ns} receives it a second time to forward it (%{loop}); the "
	  "kernel drops it when its TTL runs out.",
	  "",
	  DIAG_OUT_UNREACHABLE, 0 },
};

const struct diag_code *diag_code(enum diag_id id)
{
	if ((unsigned int)id >= DIAG_COUNT || !diag_registry[id].code)
		return NULL;
	return &diag_registry[id];
}

const struct diag_code *diag_find(const char *code, enum diag_id *id)
{
	size_t i;

	for (i = 0; code && i < DIAG_COUNT; i++) {
		if (diag_registry[i].code && !strcmp(diag_registry[i].code, code)) {
			if (id)
				*id = (enum diag_id)i;
			return &diag_registry[i];
		}
	}
	return NULL;
}

bool diag_has_flag(enum diag_id id, unsigned int flag)
{
	const struct diag_code *dc = diag_code(id);

	return dc && (dc->flags & flag);
}

struct diag_buf {
	char *s;
	size_t len, cap;
};

static void buf_add(struct diag_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = nm_xrealloc(b->s, b->cap, 1);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static const char *kv_get(const struct diag_kv *kv, size_t n_kv, const char *key, size_t klen)
{
	size_t i;

	for (i = 0; i < n_kv; i++)
		if (kv[i].key && strlen(kv[i].key) == klen && !strncmp(kv[i].key, key, klen))
			return kv[i].val ? kv[i].val : "";
	return NULL;
}

char *diag_expand(const char *tmpl, const struct diag_kv *kv, size_t n_kv)
{
	struct diag_buf b = { 0 };
	const char *p = tmpl ? tmpl : "";

	buf_add(&b, "", 0);
	while (*p) {
		const char *open = strstr(p, "%{");
		const char *close, *val;

		if (!open) {
			buf_add(&b, p, strlen(p));
			break;
		}
		buf_add(&b, p, (size_t)(open - p));
		close = strchr(open, '}');
		if (!close) {
			buf_add(&b, open, strlen(open));
			break;
		}
		val = kv_get(kv, n_kv, open + 2, (size_t)(close - open - 2));
		if (val) {
			buf_add(&b, val, strlen(val));
		} else {
			buf_add(&b, "<", 1);
			buf_add(&b, open + 2, (size_t)(close - open - 2));
			buf_add(&b, ">", 1);
		}
		p = close + 1;
	}
	return b.s;
}

struct diag_cause *diag_add(struct diag_cause **v, size_t *n, enum diag_id id, const char *netns,
			    const char *evidence, const struct diag_kv *kv, size_t n_kv)
{
	const struct diag_code *dc = diag_code(id);
	struct diag_cause *c;
	char *msg;
	size_t i;

	if (!dc)
		return NULL;
	msg = diag_expand(dc->message, kv, n_kv);
	for (i = 0; i < *n; i++) {
		if ((*v)[i].id == id && !strcmp((*v)[i].message, msg)) {
			free(msg);
			return NULL;
		}
	}
	c = NM_PUSH(*v, *n);
	c->id = id;
	c->code = dc->code;
	c->netns = nm_xstrdup(netns ? netns : "");
	c->message = msg;
	c->evidence = nm_xstrdup(evidence ? evidence : "");
	c->fix = diag_expand(dc->fix, kv, n_kv);
	return c;
}

void diag_cause_clear(struct diag_cause *c)
{
	free(c->netns);
	free(c->message);
	free(c->evidence);
	free(c->fix);
	free(c->check_note);
	memset(c, 0, sizeof(*c));
}
