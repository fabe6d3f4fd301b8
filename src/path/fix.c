/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fix.c - every printed fix proven: its commands applied, in order, to a copy of the snapshot, and the path walked again. */
#include <errno.h>
#include <linux/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "path_int.h"
#include "snapshot.h"

/*
 * The fix of a cause is text a person pastes: one shell command per line. It is checked by
 * running the same text here, on a copy of the snapshot, with the kernel's own refusals
 * ("Nexthop has invalid gateway", "File exists", "No chain/target/match by that name"), so
 * what is proven is exactly what is printed. Only the commands nsmap itself writes are
 * understood; anything else leaves the fix unverified, in words.
 */

#define FX_MAX_WORDS 64

struct fx_cmd {
	char *buf;			/* the words, NUL-separated */
	char *w[FX_MAX_WORDS];
	size_t n;
};

/* Split a command into words as sh would for what nsmap prints: blanks, "..." and '...'. */
static int fx_split(const char *line, struct fx_cmd *c)
{
	const char *p = line;
	char *o;

	c->buf = nm_xcalloc(strlen(line) + 1, 1);
	o = c->buf;
	c->n = 0;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (c->n == FX_MAX_WORDS)
			return -E2BIG;
		c->w[c->n++] = o;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '"' || *p == '\'') {
				char q = *p++;

				while (*p && *p != q)
					*o++ = *p++;
				if (*p != q)
					return -EINVAL;
				p++;
			} else {
				*o++ = *p++;
			}
		}
		*o++ = '\0';
	}
	return 0;
}

/* ---- which namespace a command runs in ---- */

static struct nm_netns *ns_by_name(struct nm_snapshot *s, const char *name)
{
	size_t i, k;

	for (i = 0; i < s->n_netns; i++)
		for (k = 0; k < s->netns[i].n_names; k++)
			if (!strcmp(s->netns[i].names[k], name))
				return &s->netns[i];
	return NULL;
}

static struct nm_netns *ns_by_path(struct nm_snapshot *s, const char *path)
{
	size_t i, k;
	int pid;
	char tail[16];

	if (sscanf(path, "/proc/%d/ns/ne%1[t]", &pid, tail) == 2) {
		for (i = 0; i < s->n_netns; i++)
			for (k = 0; k < s->netns[i].n_procs; k++)
				if (s->netns[i].procs[k].pid == pid)
					return &s->netns[i];
		return NULL;
	}
	if (!strncmp(path, "/run/netns/", 11))
		return ns_by_name(s, path + 11);
	for (i = 0; i < s->n_netns; i++)
		for (k = 0; k < s->netns[i].n_mounts; k++)
			if (!strcmp(s->netns[i].mounts[k], path))
				return &s->netns[i];
	return NULL;
}

/* The namespace of the command's prefix ("ip netns exec NAME", "nsenter --net=PATH", none:
 * the namespace nsmap ran in); *first is the index of the command's own first word. */
static struct nm_netns *fx_netns(struct nm_snapshot *s, const struct fx_cmd *c, size_t *first)
{
	size_t i;

	if (c->n >= 4 && !strcmp(c->w[0], "ip") && !strcmp(c->w[1], "netns") &&
	    !strcmp(c->w[2], "exec")) {
		*first = 4;
		return ns_by_name(s, c->w[3]);
	}
	if (c->n >= 2 && !strcmp(c->w[0], "nsenter") && !strncmp(c->w[1], "--net=", 6)) {
		*first = 2;
		return ns_by_path(s, c->w[1] + 6);
	}
	*first = 0;
	for (i = 0; i < s->n_netns; i++)
		if (s->netns[i].self)
			return &s->netns[i];
	return NULL;
}

/* ---- ip ---- */

static bool same_subnet(const struct nm_ip *a, const struct nm_ip *prefix)
{
	struct nm_ip p = *prefix;

	return a->family == p.family && nm_ip_in_prefix(a, &p);
}

/* The connected route the kernel adds with an address on an up link. */
static void add_connected(struct nm_netns *ns, const struct nm_link *l, const struct nm_addr *a)
{
	struct nm_route *r;
	struct nm_ip net = a->local;
	size_t i, bits = net.plen, len = net.family == AF_INET ? 4 : 16;

	for (i = 0; i < len; i++) {
		size_t keep = bits > 8 ? 8 : bits;

		net.addr[i] &= (uint8_t)(0xff00 >> keep);
		bits -= keep;
	}
	for (i = 0; i < ns->n_routes; i++)
		if (ns->routes[i].table == PATH_TABLE_MAIN && ns->routes[i].dev &&
		    !strcmp(ns->routes[i].dev, l->ifname) && nm_ip_equal(&ns->routes[i].dst, &net) &&
		    ns->routes[i].dst.plen == net.plen)
			return;
	r = NM_PUSH(ns->routes, ns->n_routes);
	r->family = net.family;
	r->table = PATH_TABLE_MAIN;
	r->type = nm_xstrdup("unicast");
	r->dst = net;
	r->dev = nm_xstrdup(l->ifname);
	r->prefsrc = a->local;
	r->prefsrc.plen = net.family == AF_INET ? 32 : 128;
	r->protocol = nm_xstrdup("kernel");
	r->scope = nm_xstrdup("link");
}

static int fx_ip_link_master(struct nm_netns *ns, char **w, size_t n, char *err, size_t errlen)
{
	struct nm_link *l, *br;

	if (n != 4 || !(l = nm_find_link(ns, w[1]))) {
		snprintf(err, errlen, "Cannot find device \"%s\"", w[1]);
		return -ENODEV;
	}
	br = nm_find_link(ns, w[3]);
	if (!br || !nm_link_is_bridge(br)) {
		snprintf(err, errlen, "Device does not exist or is not a bridge: %s", w[3]);
		return -ENODEV;
	}
	free(l->master);
	l->master = nm_xstrdup(br->ifname);
	l->master_ifindex = br->ifindex;
	return 0;
}

/* ip link set DEV up | master BR */
static int fx_ip_link(struct nm_snapshot *s, struct nm_netns *ns, char **w, size_t n, char *err,
		      size_t errlen)
{
	struct nm_link *l, *peer_l = NULL;
	const struct nm_netns *pns;
	size_t i;

	if (n && strcmp(w[0], "set")) {
		snprintf(err, errlen, "nsmap does not simulate \"ip link %s\"", w[0]);
		return -EOPNOTSUPP;
	}
	if (n == 4 && !strcmp(w[0], "set") && !strcmp(w[2], "master"))
		return fx_ip_link_master(ns, w, n, err, errlen);
	if (n != 3 || strcmp(w[0], "set") || !(l = nm_find_link(ns, w[1]))) {
		snprintf(err, errlen, n >= 2 ? "Cannot find device \"%s\"" : "usage", n >= 2 ? w[1] : "");
		return -ENODEV;
	}
	if (!strcmp(w[2], "up")) {
		l->flags |= IFF_UP;
		pns = path_peer_netns(s, l, (const struct nm_link **)&peer_l);
		if (nm_link_has_peer(l) && (!pns || !peer_l || !path_link_up(peer_l))) {
			free(l->state);
			l->state = nm_xstrdup("LOWERLAYERDOWN");
		} else {
			free(l->state);
			l->state = nm_xstrdup("UP");
			l->flags |= IFF_LOWER_UP;
			if (peer_l && peer_l->state && !strcmp(peer_l->state, "LOWERLAYERDOWN") &&
			    path_link_up(peer_l)) {
				free(peer_l->state);
				peer_l->state = nm_xstrdup("UP");
				peer_l->flags |= IFF_LOWER_UP;
			}
		}
		for (i = 0; i < l->n_addrs; i++)
			add_connected(ns, l, &l->addrs[i]);
		return 0;
	}
	snprintf(err, errlen, "nsmap does not simulate \"ip link set %s %s\"", w[1], w[2]);
	return -EOPNOTSUPP;
}

/* ip addr add ADDR/PLEN dev DEV */
static int fx_ip_addr(struct nm_netns *ns, char **w, size_t n, char *err, size_t errlen)
{
	struct nm_link *l;
	struct nm_addr *a;
	struct nm_ip ip;
	size_t i;

	if (n != 4 || strcmp(w[0], "add") || strcmp(w[2], "dev") || nm_ip_parse(w[1], &ip)) {
		snprintf(err, errlen, "nsmap does not simulate \"ip addr%s%s\"", n ? " " : "",
			 n ? w[0] : "");
		return -EOPNOTSUPP;
	}
	l = nm_find_link(ns, w[3]);
	if (!l) {
		snprintf(err, errlen, "Cannot find device \"%s\"", w[3]);
		return -ENODEV;
	}
	for (i = 0; i < l->n_addrs; i++) {
		if (nm_ip_equal(&l->addrs[i].local, &ip)) {
			snprintf(err, errlen, "RTNETLINK answers: File exists");
			return -EEXIST;
		}
	}
	a = NM_PUSH(l->addrs, l->n_addrs);
	a->local = ip;
	a->scope = nm_xstrdup("global");
	if (path_link_up(l))
		add_connected(ns, l, a);
	return 0;
}

/* ip route add default|PREFIX via GW [dev DEV] | ip route del KEY... */
static int fx_ip_route(struct nm_netns *ns, char **w, size_t n, char *err, size_t errlen)
{
	struct nm_ip dst = { 0 }, gw;
	const struct nm_link *dev = NULL;
	struct nm_route *r;
	size_t i, k;

	if (n >= 2 && !strcmp(w[0], "del")) {
		char key[512] = "";

		for (k = 1; k < n; k++)
			snprintf(key + strlen(key), sizeof(key) - strlen(key), "%s%s", k > 1 ? " " : "", w[k]);
		for (i = 0; i < ns->n_routes; i++) {
			char *t = nm_route_str(&ns->routes[i], NM_RT_LOOKUP);
			bool eq = !strcmp(t, key);

			free(t);
			if (eq) {
				free(ns->routes[i].type);
				free(ns->routes[i].dev);
				free(ns->routes[i].protocol);
				free(ns->routes[i].scope);
				for (k = 0; k < ns->routes[i].n_nexthops; k++)
					free(ns->routes[i].nexthops[k].dev);
				free(ns->routes[i].nexthops);
				memmove(&ns->routes[i], &ns->routes[i + 1],
					(ns->n_routes - i - 1) * sizeof(ns->routes[0]));
				ns->n_routes--;
				return 0;
			}
		}
		snprintf(err, errlen, "RTNETLINK answers: No such process");
		return -ESRCH;
	}
	if (n < 4 || strcmp(w[0], "add") || strcmp(w[2], "via") || nm_ip_parse(w[3], &gw) ||
	    (strcmp(w[1], "default") && nm_ip_parse(w[1], &dst)) ||
	    (n != 4 && (n != 6 || strcmp(w[4], "dev")))) {
		snprintf(err, errlen, "nsmap does not simulate this \"ip route\" command");
		return -EOPNOTSUPP;
	}
	if (!strcmp(w[1], "default"))
		memset(&dst, 0, sizeof(dst));
	if (n == 6 && !(dev = nm_find_link(ns, w[5]))) {
		snprintf(err, errlen, "Cannot find device \"%s\"", w[5]);
		return -ENODEV;
	}
	/* the gateway must be on a connected subnet of an up link */
	for (i = 0; i < ns->n_routes; i++) {
		const struct nm_route *c = &ns->routes[i];
		const struct nm_link *cl = c->dev ? nm_find_link(ns, c->dev) : NULL;

		if (c->gateway.family || !c->dst.family || !cl || !path_link_up(cl) ||
		    (dev && cl != dev) || (c->type && strcmp(c->type, "unicast")) ||
		    !same_subnet(&gw, &c->dst))
			continue;
		dev = cl;
		break;
	}
	if (i == ns->n_routes) {
		snprintf(err, errlen, "Error: Nexthop has invalid gateway.");
		return -ENETUNREACH;
	}
	for (i = 0; i < ns->n_routes; i++) {
		const struct nm_route *c = &ns->routes[i];

		if (c->table == PATH_TABLE_MAIN && c->metric == 0 &&
		    (c->dst.family ? c->dst.plen : 0) == (dst.family ? dst.plen : 0) &&
		    (!dst.family || nm_ip_equal(&c->dst, &dst)) &&
		    (c->family ? c->family : AF_INET) == gw.family) {
			snprintf(err, errlen, "RTNETLINK answers: File exists");
			return -EEXIST;
		}
	}
	r = NM_PUSH(ns->routes, ns->n_routes);
	r->family = gw.family;
	r->table = PATH_TABLE_MAIN;
	r->type = nm_xstrdup("unicast");
	r->dst = dst;
	r->gateway = gw;
	r->gateway.plen = gw.family == AF_INET ? 32 : 128;
	r->dev = nm_xstrdup(dev->ifname);
	r->protocol = nm_xstrdup("boot");
	r->scope = nm_xstrdup("universe");
	return 0;
}

/* ---- sysctl -w KEY=VALUE ... ---- */

static int fx_sysctl(struct nm_netns *ns, char **w, size_t n, char *err, size_t errlen)
{
	size_t i, k;

	if (n < 2 || strcmp(w[0], "-w")) {
		snprintf(err, errlen, "nsmap does not simulate this sysctl command");
		return -EOPNOTSUPP;
	}
	for (i = 1; i < n; i++) {
		char key[128], ifn[IFNAMSIZ + 1], what[32];
		const char *eq = strchr(w[i], '=');
		struct nm_link *l;
		int v;

		if (!eq || (size_t)(eq - w[i]) >= sizeof(key) || sscanf(eq + 1, "%d", &v) != 1) {
			snprintf(err, errlen, "sysctl: malformed setting \"%s\"", w[i]);
			return -EINVAL;
		}
		memcpy(key, w[i], (size_t)(eq - w[i]));
		key[eq - w[i]] = '\0';
		if (!strcmp(key, "net.ipv4.ip_forward") || !strcmp(key, "net.ipv4.conf.all.forwarding")) {
			/* the kernel sets every interface's forwarding with it */
			ns->sysctl.ip_forward = v;
			for (k = 0; k < ns->n_links; k++)
				ns->links[k].forwarding = v;
		} else if (!strcmp(key, "net.ipv6.conf.all.forwarding")) {
			ns->sysctl.ipv6_forwarding = v;
		} else if (!strcmp(key, "net.ipv4.conf.all.rp_filter")) {
			ns->sysctl.rp_filter_all = v;
		} else if (!strcmp(key, "net.ipv4.conf.default.rp_filter")) {
			ns->sysctl.rp_filter_default = v;
		} else if (sscanf(key, "net.ipv4.conf.%16[^.].%31s", ifn, what) == 2 &&
			   (l = nm_find_link(ns, ifn)) &&
			   (!strcmp(what, "rp_filter") || !strcmp(what, "forwarding"))) {
			if (!strcmp(what, "rp_filter"))
				l->rp_filter = v;
			else
				l->forwarding = v;
		} else {
			snprintf(err, errlen, "sysctl: cannot stat /proc/sys/%s (not in the snapshot)", key);
			return -ENOENT;
		}
	}
	return 0;
}

/* ---- firewall rules ---- */

static const struct {
	const char *name;
	enum nf_hook hook;
	int prio;
} xt_chains[] = {
	{ "PREROUTING", NF_HOOK_PREROUTING, 0 }, { "INPUT", NF_HOOK_INPUT, 0 },
	{ "FORWARD", NF_HOOK_FORWARD, 0 }, { "OUTPUT", NF_HOOK_OUTPUT, 0 },
	{ "POSTROUTING", NF_HOOK_POSTROUTING, 0 },
};

/* The priority of an iptables table's base chain at hook h (x_tables' NF_IP_PRI_*). */
static int xt_prio(const char *table, enum nf_hook h)
{
	if (!strcmp(table, "raw"))
		return -300;
	if (!strcmp(table, "mangle"))
		return -150;
	if (!strcmp(table, "nat"))
		return h == NF_HOOK_PREROUTING || h == NF_HOOK_OUTPUT ? -100 : 100;
	return 0;
}

/* The hooks an iptables table has base chains at. */
static bool xt_table_has(const char *table, enum nf_hook h)
{
	if (!strcmp(table, "filter"))
		return h == NF_HOOK_INPUT || h == NF_HOOK_FORWARD || h == NF_HOOK_OUTPUT;
	if (!strcmp(table, "nat"))
		return h != NF_HOOK_FORWARD;
	if (!strcmp(table, "raw"))
		return h == NF_HOOK_PREROUTING || h == NF_HOOK_OUTPUT;
	return !strcmp(table, "mangle");
}

/* iptables' table, made as iptables makes it on first use (the built-in chains, policy
 * ACCEPT) when the namespace has none. */
static struct nf_table *xt_table(struct nm_netns *ns, unsigned int family, const char *name,
				 enum nf_backend b)
{
	struct nf_table *t;
	size_t i;

	if (!ns->netfilter)
		ns->netfilter = nf_ruleset_new();
	for (i = 0; i < ns->netfilter->n_tables; i++) {
		t = &ns->netfilter->tables[i];
		if (t->family == family && t->backend == b && !strcmp(t->name, name))
			return t;
	}
	if (strcmp(name, "filter") && strcmp(name, "nat") && strcmp(name, "mangle") &&
	    strcmp(name, "raw"))
		return NULL;
	t = nf_ruleset_add_table(ns->netfilter, family, name, b);
	for (i = 0; i < ARRAY_SIZE(xt_chains); i++)
		if (xt_table_has(name, xt_chains[i].hook))
			nf_table_add_chain(t, xt_chains[i].name, xt_chains[i].hook,
					   xt_prio(name, xt_chains[i].hook),
					   !strcmp(name, "nat") ? "nat" : "filter", NF_POLICY_ACCEPT);
	if (b == NF_BACKEND_IPTABLES_LEGACY)
		ns->netfilter->legacy_read = true;
	return t;
}

static int parse_ct(const char *list, uint32_t *st)
{
	char buf[128], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", list);
	*st = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcasecmp(tok, "established"))
			*st |= NF_CT_ESTABLISHED;
		else if (!strcasecmp(tok, "related"))
			*st |= NF_CT_RELATED;
		else if (!strcasecmp(tok, "new"))
			*st |= NF_CT_NEW;
		else if (!strcasecmp(tok, "invalid"))
			*st |= NF_CT_INVALID;
		else
			return -EINVAL;
	}
	return *st ? 0 : -EINVAL;
}

static void m_iface(struct nf_rule *r, enum nf_match_kind k, const char *name, bool inv)
{
	struct nf_match *m = nf_rule_new_match(r, k, inv);
	size_t n = strlen(name);

	m->ifname = nm_xstrdup(name);
	if (n && name[n - 1] == '+') {
		m->ifname[n - 1] = '\0';
		m->ifprefix = true;
	}
}

static int m_addr(struct nf_rule *r, enum nf_match_kind k, const char *a, bool inv)
{
	struct nf_match *m;
	struct nm_ip ip;

	if (nm_ip_parse(a, &ip))
		return -EINVAL;
	m = nf_rule_new_match(r, k, inv);
	m->prefix = ip;
	return 0;
}

/* The rule of an iptables command line (what nsmap's fixes use of it). */
static int xt_rule(struct nf_rule *r, char **w, size_t n, const char *chain, char *err, size_t errlen)
{
	size_t i;
	bool inv = false;
	char text[1024];

	snprintf(text, sizeof(text), "-A %s", chain);
	for (i = 0; i < n; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), " %s", w[i]);
	r->text = nm_xstrdup(text);
	r->action.kind = NF_ACT_CONTINUE;
	for (i = 0; i < n; i++) {
		const char *o = w[i], *v = i + 1 < n ? w[i + 1] : NULL;

		if (!strcmp(o, "!")) {
			inv = true;
			continue;
		}
		if (!v && strcmp(o, "--random") && strcmp(o, "--random-fully"))
			goto bad;
		if (!strcmp(o, "-i") || !strcmp(o, "-o")) {
			m_iface(r, o[1] == 'i' ? NF_MATCH_IIF : NF_MATCH_OIF, v, inv);
		} else if (!strcmp(o, "-s") || !strcmp(o, "-d")) {
			if (m_addr(r, o[1] == 's' ? NF_MATCH_SADDR : NF_MATCH_DADDR, v, inv))
				goto bad;
		} else if (!strcmp(o, "-p")) {
			struct nf_match *m = nf_rule_new_match(r, NF_MATCH_L4PROTO, inv);

			m->proto = !strcmp(v, "tcp") ? 6 : !strcmp(v, "udp") ? 17 :
				   !strcmp(v, "icmp") ? 1 : (uint8_t)atoi(v);
		} else if (!strcmp(o, "-m")) {
			if (strcmp(v, "conntrack") && strcmp(v, "state") && strcmp(v, "tcp") &&
			    strcmp(v, "udp") && strcmp(v, "comment"))
				goto bad;
		} else if (!strcmp(o, "--ctstate") || !strcmp(o, "--state")) {
			struct nf_match *m = nf_rule_new_match(r, NF_MATCH_CT_STATE, inv);

			if (parse_ct(v, &m->ct_state))
				goto bad;
		} else if (!strcmp(o, "--dport") || !strcmp(o, "--sport")) {
			struct nf_match *m = nf_rule_new_match(r, o[2] == 'd' ? NF_MATCH_DPORT :
							       NF_MATCH_SPORT, inv);

			m->port_min = m->port_max = (uint16_t)atoi(v);
		} else if (!strcmp(o, "--comment")) {
			nf_rule_new_match(r, NF_MATCH_COMMENT, false)->text = nm_xstrdup(v);
		} else if (!strcmp(o, "-j")) {
			if (!strcmp(v, "ACCEPT"))
				r->action.kind = NF_ACT_ACCEPT;
			else if (!strcmp(v, "DROP"))
				r->action.kind = NF_ACT_DROP;
			else if (!strcmp(v, "RETURN"))
				r->action.kind = NF_ACT_RETURN;
			else if (!strcmp(v, "MASQUERADE"))
				r->action.kind = NF_ACT_MASQUERADE;
			else
				goto bad;
		} else {
			goto bad;
		}
		inv = false;
		i++;
	}
	return 0;
bad:
	snprintf(err, errlen, "nsmap does not simulate the iptables option \"%s\"", w[i]);
	return -EOPNOTSUPP;
}

/* Does rule r say what the words of an iptables -D say? Its text compared, as iptables-save
 * would print the rule given to -D. */
static bool xt_same(const struct nf_rule *r, const char *chain, char **w, size_t n)
{
	char text[1024];
	size_t i;

	snprintf(text, sizeof(text), "-A %s", chain);
	for (i = 0; i < n; i++) {
		bool q = strchr(w[i], ' ') != NULL;

		snprintf(text + strlen(text), sizeof(text) - strlen(text), q ? " \"%s\"" : " %s", w[i]);
	}
	return r->text && !strcmp(r->text, text);
}

/* iptables / ip6tables / iptables-legacy / ip6tables-legacy [-t TABLE] -A|-I|-D CHAIN SPEC */
static int fx_iptables(struct nm_netns *ns, const char *tool, char **w, size_t n, char *err,
		       size_t errlen)
{
	unsigned int family = strncmp(tool, "ip6", 3) ? NF_FAMILY_IP : NF_FAMILY_IP6;
	enum nf_backend b = strstr(tool, "legacy") ? NF_BACKEND_IPTABLES_LEGACY : NF_BACKEND_IPTABLES_NFT;
	const char *table = "filter", *op, *chain;
	struct nf_table *t;
	struct nf_chain *c;
	struct nf_rule *r;
	size_t i = 0;

	if (n >= 2 && !strcmp(w[0], "-t")) {
		table = w[1];
		i = 2;
	}
	if (n < i + 2) {
		snprintf(err, errlen, "%s: no command given", tool);
		return -EINVAL;
	}
	op = w[i];
	chain = w[i + 1];
	i += 2;
	if (strcmp(op, "-A") && strcmp(op, "-I") && strcmp(op, "-D")) {
		snprintf(err, errlen, "nsmap does not simulate \"%s %s\"", tool, op);
		return -EOPNOTSUPP;
	}
	t = xt_table(ns, family, table, b);
	c = t ? nf_chain_find(t, chain) : NULL;
	if (!c) {
		snprintf(err, errlen, "%s: No chain/target/match by that name.", tool);
		return -ENOENT;
	}
	if (!strcmp(op, "-D")) {
		size_t k;

		for (k = 0; k < c->n_rules; k++) {
			if (xt_same(&c->rules[k], chain, w + i, n - i)) {
				nf_chain_delete_rule(c, k);
				return 0;
			}
		}
		snprintf(err, errlen, "%s: Bad rule (does a matching rule exist in that chain?).", tool);
		return -ENOENT;
	}
	if (!strcmp(op, "-I")) {
		size_t at = 0;
		char *end;

		if (i < n && w[i][0] >= '1' && w[i][0] <= '9') {
			at = strtoul(w[i], &end, 10) - 1;
			if (*end || at > c->n_rules) {
				snprintf(err, errlen, "%s: Index of insertion too big.", tool);
				return -ERANGE;
			}
			i++;
		}
		r = nf_chain_insert_rule(c, at);
	} else {
		r = nf_chain_insert_rule(c, c->n_rules);
	}
	return xt_rule(r, w + i, n - i, chain, err, errlen);
}

/* nft add|insert rule FAMILY TABLE CHAIN STATEMENTS | nft delete rule FAMILY TABLE CHAIN handle N */
static int fx_nft(struct nm_netns *ns, char **w, size_t n, char *err, size_t errlen)
{
	struct nf_table *t = NULL;
	struct nf_chain *c;
	struct nf_rule *r;
	int fam;
	size_t i;
	char text[1024] = "";

	if (n < 5 || strcmp(w[1], "rule") ||
	    (strcmp(w[0], "add") && strcmp(w[0], "insert") && strcmp(w[0], "delete"))) {
		snprintf(err, errlen, "nsmap does not simulate this nft command");
		return -EOPNOTSUPP;
	}
	for (fam = 0; fam < 16 && strcmp(nf_family_name((unsigned int)fam), w[2]); fam++)
		;
	for (i = 0; ns->netfilter && i < ns->netfilter->n_tables; i++)
		if (ns->netfilter->tables[i].family == fam &&
		    ns->netfilter->tables[i].backend == NF_BACKEND_NFT &&
		    !strcmp(ns->netfilter->tables[i].name, w[3]))
			t = &ns->netfilter->tables[i];
	c = t ? nf_chain_find(t, w[4]) : NULL;
	if (!c) {
		snprintf(err, errlen, "Error: No such file or directory (%s %s %s)", w[2], w[3], w[4]);
		return -ENOENT;
	}
	if (!strcmp(w[0], "delete")) {
		unsigned long long h;

		if (n != 7 || strcmp(w[5], "handle") || sscanf(w[6], "%llu", &h) != 1) {
			snprintf(err, errlen, "nft: delete rule needs a handle");
			return -EINVAL;
		}
		for (i = 0; i < c->n_rules; i++) {
			if (c->rules[i].handle == h) {
				nf_chain_delete_rule(c, i);
				return 0;
			}
		}
		snprintf(err, errlen, "Error: Could not process rule: No such file or directory");
		return -ENOENT;
	}
	{
		size_t at = !strcmp(w[0], "insert") ? 0 : c->n_rules, first = 5;

		if (n > 6 && !strcmp(w[5], "position")) {
			unsigned long long h;

			if (sscanf(w[6], "%llu", &h) != 1)
				goto bad;
			for (at = 0; at < c->n_rules && c->rules[at].handle != h; at++)
				;
			if (at == c->n_rules) {
				snprintf(err, errlen, "Error: Could not process rule: No such file or directory");
				return -ENOENT;
			}
			if (!strcmp(w[0], "add"))
				at++;
			first = 7;
		}
		r = nf_chain_insert_rule(c, at);
		w += first - 5;
		n -= first - 5;
	}
	for (i = 5; i < n; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s", i > 5 ? " " : "", w[i]);
	r->text = nm_xstrdup(text);
	r->action.kind = NF_ACT_CONTINUE;
	for (i = 5; i < n; i++) {
		const char *o = w[i], *v = i + 1 < n ? w[i + 1] : NULL;
		bool inv = v && !strcmp(v, "!=");

		if (inv) {
			v = i + 2 < n ? w[i + 2] : NULL;
			i++;
		}
		if (!strcmp(o, "accept") || !strcmp(o, "drop") || !strcmp(o, "masquerade")) {
			r->action.kind = o[0] == 'a' ? NF_ACT_ACCEPT : o[0] == 'd' ? NF_ACT_DROP :
					 NF_ACT_MASQUERADE;
			continue;
		}
		if (!strcmp(o, "counter"))
			continue;
		if (!v)
			goto bad;
		if (!strcmp(o, "iifname") || !strcmp(o, "oifname")) {
			m_iface(r, o[0] == 'i' ? NF_MATCH_IIF : NF_MATCH_OIF, v, inv);
		} else if ((!strcmp(o, "ip") || !strcmp(o, "ip6")) &&
			   (!strcmp(v, "saddr") || !strcmp(v, "daddr")) && i + 2 < n) {
			bool inv2 = i + 3 < n && !strcmp(w[i + 2], "!=");
			const char *a = w[i + 2 + inv2];

			if (m_addr(r, v[0] == 's' ? NF_MATCH_SADDR : NF_MATCH_DADDR, a, inv2))
				goto bad;
			i += 2 + inv2;
			continue;
		} else if (!strcmp(o, "ct") && !strcmp(v, "state") && i + 2 < n) {
			struct nf_match *m = nf_rule_new_match(r, NF_MATCH_CT_STATE, false);

			if (parse_ct(w[i + 2], &m->ct_state))
				goto bad;
			i += 2;
			continue;
		} else {
			goto bad;
		}
		i++;
	}
	return 0;
bad:
	snprintf(err, errlen, "nsmap does not simulate the nft statement \"%s\"", w[i < n ? i : n - 1]);
	return -EOPNOTSUPP;
}

/* One command line of a fix, applied to s. 0, or a negative errno and the reason in err. */
static int fx_apply_line(struct nm_snapshot *s, const char *line, char *err, size_t errlen)
{
	struct fx_cmd c = { 0 };
	struct nm_netns *ns;
	size_t first;
	char **w;
	size_t n;
	int ret;

	if (line[strspn(line, " \t")] == '#') {
		snprintf(err, errlen, "it is a change to the engine's configuration, which nsmap "
			 "does not simulate");
		return -EOPNOTSUPP;
	}
	if (strchr(line, '<')) {
		snprintf(err, errlen, "it needs a value nsmap could not choose (%s)", strchr(line, '<'));
		return -EINVAL;
	}
	ret = fx_split(line, &c);
	if (ret || !c.n) {
		snprintf(err, errlen, "nsmap cannot read it");
		free(c.buf);
		return ret ? ret : -EINVAL;
	}
	ns = fx_netns(s, &c, &first);
	w = c.w + first;
	n = c.n - first;
	if (!ns) {
		snprintf(err, errlen, "it runs in a namespace the snapshot does not hold");
		ret = -ENOENT;
	} else if (n >= 2 && !strcmp(w[0], "ip") && !strcmp(w[1], "link")) {
		ret = fx_ip_link(s, ns, w + 2, n - 2, err, errlen);
	} else if (n >= 2 && !strcmp(w[0], "ip") && (!strcmp(w[1], "addr") || !strcmp(w[1], "address"))) {
		ret = fx_ip_addr(ns, w + 2, n - 2, err, errlen);
	} else if (n >= 2 && !strcmp(w[0], "ip") && !strcmp(w[1], "route")) {
		ret = fx_ip_route(ns, w + 2, n - 2, err, errlen);
	} else if (n >= 1 && !strcmp(w[0], "sysctl")) {
		ret = fx_sysctl(ns, w + 1, n - 1, err, errlen);
	} else if (n >= 1 && (!strcmp(w[0], "iptables") || !strcmp(w[0], "ip6tables") ||
			      !strcmp(w[0], "iptables-legacy") || !strcmp(w[0], "ip6tables-legacy"))) {
		ret = fx_iptables(ns, w[0], w + 1, n - 1, err, errlen);
	} else if (n >= 1 && !strcmp(w[0], "nft")) {
		ret = fx_nft(ns, w + 1, n - 1, err, errlen);
	} else {
		snprintf(err, errlen, "nsmap does not simulate \"%s\"", n ? w[0] : line);
		ret = -EOPNOTSUPP;
	}
	free(c.buf);
	return ret;
}

/* Every line of a fix, in order, as a paste into a shell runs them; the first failure stops. */
static int fx_apply(struct nm_snapshot *s, const char *fix, char *err, size_t errlen)
{
	const char *p = fix;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = nm_xasprintf("%.*s", (int)len, p);
		int ret = len ? fx_apply_line(s, line, err, errlen) : 0;

		if (ret) {
			char *why = nm_xstrdup(err);

			if (ret == -EOPNOTSUPP || ret == -EINVAL)
				snprintf(err, errlen, "\"%s\" not checked: %s", line, why);
			else
				snprintf(err, errlen, "\"%s\" would fail here: %s", line, why);
			free(why);
			free(line);
			return ret;
		}
		free(line);
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

/* Is cause c (by code, namespace and direction) still among r's? */
static const struct diag_cause *still(const struct path_result *r, const struct diag_cause *c)
{
	size_t i;

	for (i = 0; i < r->n_causes; i++)
		if (r->causes[i].id == c->id && r->causes[i].reply == c->reply &&
		    !strcmp(r->causes[i].netns, c->netns))
			return &r->causes[i];
	return NULL;
}

static void unverified(struct diag_cause *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void unverified(struct diag_cause *c, const char *fmt, ...)
{
	va_list ap;

	c->check = DIAG_FIX_UNVERIFIED;
	free(c->check_note);
	va_start(ap, fmt);
	if (vasprintf(&c->check_note, fmt, ap) < 0)
		c->check_note = NULL;
	va_end(ap);
}

static struct nm_snapshot *snapshot_copy(const struct nm_snapshot *s)
{
	struct nm_snapshot *copy = NULL;
	json_t *j = snap_to_json(s);
	char err[256];

	if (!j)
		return NULL;
	if (snap_from_json(j, &copy, err, sizeof(err)))
		copy = NULL;
	json_decref(j);
	return copy;
}

void path_check_fixes(const struct nm_snapshot *s, const struct path_query *q, struct path_result *r)
{
	struct nm_snapshot *copy;
	struct path_query q2 = *q;
	size_t i, last = 0;
	bool any = false;
	char err[512];

	for (i = 0; i < r->n_causes; i++) {
		if (r->causes[i].fix && *r->causes[i].fix) {
			last = i;
			any = true;
		}
	}
	if (!any)
		return;
	copy = snapshot_copy(s);
	q2.src_ns = copy ? nm_find_netns(copy, q->src_ns->id) : NULL;
	for (i = 0; i < r->n_causes; i++) {
		struct diag_cause *c = &r->causes[i];
		struct path_result *r2 = NULL;
		const struct diag_cause *left;

		if (!c->fix || !*c->fix)
			continue;
		if (!copy || !q2.src_ns) {
			unverified(c, "the snapshot could not be copied to check it");
			continue;
		}
		if (fx_apply(copy, c->fix, err, sizeof(err))) {
			unverified(c, "%s", err);
			continue;
		}
		if (path_walk_once(copy, &q2, &r2) || !r2) {
			unverified(c, "the path could not be walked again");
			continue;
		}
		left = still(r2, c);
		if (left) {
			unverified(c, "with it the walk still stops here: %s", left->message);
		} else if (i == last && r2->n_causes) {
			unverified(c, "its step passes, but then the path stops at %s in %s: %s",
				   r2->causes[0].code, r2->causes[0].netns, r2->causes[0].message);
		} else if (i == last && !((r2->reached || r2->left_host) && r2->reply_ok)) {
			unverified(c, "its step passes, but the reply still does not come back");
		} else {
			c->check = DIAG_FIX_VERIFIED;
		}
		path_result_free(r2);
	}
	nm_snapshot_free(copy);
}
