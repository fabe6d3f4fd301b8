/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hooks.c - netfilter on the walk: hook verdicts, drops as causes, NAT and its conntrack bindings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "path_int.h"

static const char *hook_upper(enum nf_hook h)
{
	static const char *const n[] = {
		[NF_HOOK_PREROUTING] = "PREROUTING", [NF_HOOK_INPUT] = "INPUT",
		[NF_HOOK_FORWARD] = "FORWARD", [NF_HOOK_OUTPUT] = "OUTPUT",
		[NF_HOOK_POSTROUTING] = "POSTROUTING",
	};
	if ((unsigned int)h >= ARRAY_SIZE(n) || !n[h])
		return "?";
	return n[h];
}

static unsigned int pkt_nf_family(const struct nf_pkt *p)
{
	return p->dst.family == AF_INET6 ? NF_FAMILY_IP6 : NF_FAMILY_IP;
}

/* ---- conntrack ---- */

void path_ct_record(struct walk *w, const struct nm_netns *ns, const struct nf_pkt *orig,
		    const struct nf_pkt *trans, bool snat, bool dnat)
{
	struct path_ct *c;
	size_t i;

	for (i = 0; i < w->n_ct; i++) {
		c = &w->ct[i];
		if (c->ns == ns) {
			/* Same connection, second manipulation (DNAT then SNAT). */
			c->trans = *trans;
			c->snat |= snat;
			c->dnat |= dnat;
			return;
		}
	}
	c = NM_PUSH(w->ct, w->n_ct);
	c->ns = ns;
	c->orig = *orig;
	c->trans = *trans;
	c->snat = snat;
	c->dnat = dnat;
}

/* The binding of ns, on the reply path only. */
static struct path_ct *ct_reply(struct walk *w, const struct nm_netns *ns)
{
	size_t i;

	if (!w->reply)
		return NULL;
	for (i = 0; i < w->n_ct; i++)
		if (w->ct[i].ns == ns)
			return &w->ct[i];
	return NULL;
}

/* The reply's address *addr (with its port) is the one a NAT translated to: give it back the
 * original one. */
static bool untranslate(struct nm_ip *addr, uint16_t *port, const struct nm_ip *trans,
			const struct nm_ip *orig, uint16_t orig_port)
{
	if (!nm_ip_equal(addr, trans))
		return false;
	*addr = *orig;
	*port = orig_port;
	return true;
}

void path_undo_dnat(struct walk *w, const struct nm_netns *ns, const char *ifname,
		    struct nf_pkt *p, const char *why)
{
	struct path_ct *ct = ct_reply(w, ns);
	struct nf_pkt before = *p;

	if (!ct || !ct->dnat || !untranslate(&p->src, &p->sport, &ct->trans.dst, &ct->orig.dst,
					     ct->orig.dport))
		return;
	path_add_hop(w, PATH_HOP_NAT, ns, ifname, "POSTROUTING", &before, p, "UN-DNAT", true, "%s", why);
}

void path_undo_snat(struct walk *w, const struct nm_netns *ns, const char *ifname, struct nf_pkt *p)
{
	struct path_ct *ct = ct_reply(w, ns);
	struct nf_pkt before = *p;

	if (!ct || !ct->snat || !untranslate(&p->dst, &p->dport, &ct->trans.src, &ct->orig.src,
					     ct->orig.sport))
		return;
	p->ct_state |= NF_CT_SNAT;
	path_add_hop(w, PATH_HOP_NAT, ns, ifname, "PREROUTING", &before, p, "UN-SNAT", true,
		     "conntrack: reply of a connection SNATed here");
}

/* ---- a hook's verdict ---- */

/* The tool of a table: nft for native tables, iptables-legacy for legacy ones. */
static const char *table_tool(const struct nf_table *t)
{
	bool v6 = t->family == NF_FAMILY_IP6;

	if (t->backend == NF_BACKEND_NFT)
		return "nft";
	if (t->backend == NF_BACKEND_IPTABLES_LEGACY)
		return v6 ? "ip6tables-legacy" : "iptables-legacy";
	return v6 ? "ip6tables" : "iptables";
}

/* Does the rule test anything (beyond comments)? A catch-all drop is not deleted: that would
 * open the chain wholesale. */
static bool rule_specific(const struct nf_rule *r)
{
	size_t i;

	for (i = 0; i < r->n_matches; i++)
		if (r->matches[i].kind != NF_MATCH_COMMENT)
			return true;
	return false;
}

/* What lets exactly this packet through, in iptables (nft false) or nft words. */
static void accept_spec(FILE *f, bool nft, enum nf_hook hook, const struct nf_pkt *p, bool reply)
{
	char a[64];
	const char *ipw = p->src.family == AF_INET6 ? "ip6" : "ip";
	bool in = hook == NF_HOOK_PREROUTING || hook == NF_HOOK_INPUT || hook == NF_HOOK_FORWARD;
	bool out = hook == NF_HOOK_OUTPUT || hook == NF_HOOK_POSTROUTING || hook == NF_HOOK_FORWARD;

	if (in && p->iif)
		fprintf(f, nft ? " iifname \"%s\"" : " -i %s", p->iif);
	if (out && p->oif)
		fprintf(f, nft ? " oifname \"%s\"" : " -o %s", p->oif);
	if (reply) {
		fprintf(f, nft ? " ct state established,related" :
			" -m conntrack --ctstate RELATED,ESTABLISHED");
		return;
	}
	if (hook == NF_HOOK_INPUT || hook == NF_HOOK_PREROUTING) {
		nm_ip_str(&p->src, a, sizeof(a), false);
		fprintf(f, nft ? " %s saddr %s" : " -s %s", ipw, a);
	}
	if (hook == NF_HOOK_INPUT || hook == NF_HOOK_OUTPUT || hook == NF_HOOK_POSTROUTING) {
		nm_ip_str(&p->dst, a, sizeof(a), false);
		fprintf(f, nft ? " %s daddr %s" : " -d %s", ipw, a);
	}
}

/*
 * The smallest change that lets the packet through where res dropped it, in the table and
 * chain that decided and in that table's own tool: a rule that drops this traffic on
 * purpose is deleted (by its text or handle); before a catch-all drop an accept for this
 * packet is inserted; after a policy drop one is appended. Never a policy change, never a
 * flush. Malloc'd, without the namespace prefix.
 */
static char *drop_fix(const struct walk *w, const struct nm_netns *ns, const struct nf_eval_res *res,
		      enum nf_hook hook, const struct nf_pkt *p, bool reply)
{
	const struct nf_table *t = res->table;
	const struct nf_chain *c = res->chain;
	const struct nf_rule *r = res->by_policy ? NULL : res->rule;
	const char *tool;
	char *text = NULL;
	size_t len = 0, pos = 0;
	FILE *f;

	if (!t || !c)
		return NULL;
	/* Docker isolates its networks from each other: connect the container to the other
	 * network, as dockerd would keep it, instead of opening a hole dockerd removes */
	if (t->backend != NF_BACKEND_NFT && !strncmp(c->name, "DOCKER-ISOLATION", 16)) {
		/* the engine's command: no namespace prefix */
		const struct nm_link *ob = p->oif ? nm_find_link(ns, p->oif) : NULL;
		const struct nm_container *ct = w->q->src_ns->container;

		if (reply)
			return nm_xstrdup("");	/* the connect of the way out fixes it */
		if (ob && ob->network)
			return nm_xasprintf("docker network connect %s %s", ob->network,
					    ct && ct->name ? ct->name : "<container>");
		return nm_xasprintf("docker network connect <network of %s> %s", p->oif ? p->oif : "?",
				    ct && ct->name ? ct->name : "<container>");
	}
	tool = table_tool(t);
	f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	if (r)
		for (pos = 0; pos < c->n_rules && &c->rules[pos] != r; pos++)
			;
	if (r && rule_specific(r) && t->backend == NF_BACKEND_NFT) {
		fprintf(f, "nft delete rule %s %s %s handle %llu", nf_family_name(t->family), t->name,
			c->name, (unsigned long long)r->handle);
	} else if (r && rule_specific(r) && r->text && !strncmp(r->text, "-A ", 3) &&
		   strchr(r->text + 3, ' ')) {
		fprintf(f, "%s -t %s -D %s%s", tool, t->name, c->name, strchr(r->text + 3, ' '));
	} else if (t->backend == NF_BACKEND_NFT) {
		if (r)
			fprintf(f, "nft insert rule %s %s %s position %llu", nf_family_name(t->family),
				t->name, c->name, (unsigned long long)r->handle);
		else
			fprintf(f, "nft add rule %s %s %s", nf_family_name(t->family), t->name, c->name);
		accept_spec(f, true, hook, p, reply);
		fprintf(f, " accept");
	} else {
		if (r)
			fprintf(f, "%s -t %s -I %s %zu", tool, t->name, c->name, pos + 1);
		else
			fprintf(f, "%s -t %s -A %s", tool, t->name, c->name);
		accept_spec(f, false, hook, p, reply);
		fprintf(f, " -j ACCEPT");
	}
	fclose(f);
	return text;
}

/* "ip netns exec NS " + cmd, except for an empty command or the engine's own (docker,
 * podman), which talk to their daemon from anywhere. Frees cmd. */
static char *with_exec(const struct nm_netns *ns, char *cmd)
{
	char *exec, *out;

	if (!cmd || !*cmd || !strncmp(cmd, "docker ", 7) || !strncmp(cmd, "podman ", 7))
		return cmd;
	exec = path_ns_exec(ns);
	out = nm_xasprintf("%s%s", exec, cmd);
	free(exec);
	free(cmd);
	return out;
}

/* The cause of a drop on the reply path: the fix accepts the established reply. */
static void reply_dropped(struct walk *w, const struct nm_netns *ns, enum nf_hook hook,
			  const struct nf_pkt *p, const struct nf_eval_res *res, const char *desc)
{
	char *cmd = with_exec(ns, drop_fix(w, ns, res, hook, p, true));
	char a1[64], a2[64], ifs[64] = "";
	const char *chain = hook_upper(hook);

	if (hook == NF_HOOK_FORWARD)
		snprintf(ifs, sizeof(ifs), "-i %s -o %s ", p->iif ? p->iif : "?", p->oif ? p->oif : "?");
	else if (hook == NF_HOOK_INPUT || hook == NF_HOOK_PREROUTING)
		snprintf(ifs, sizeof(ifs), "-i %s ", p->iif ? p->iif : "?");
	else
		snprintf(ifs, sizeof(ifs), "-o %s ", p->oif ? p->oif : "?");
	if (hook == NF_HOOK_PREROUTING)
		chain = "INPUT";
	if (hook == NF_HOOK_POSTROUTING)
		chain = "OUTPUT";
	path_add_cause(w, DIAG_RETURN_DROPPED, ns, desc, "src", path_ipstr(&p->src, a1, sizeof(a1)),
		       "dst", path_ipstr(&p->dst, a2, sizeof(a2)), "hook", hook_upper(hook),
		       "rule", desc, "chain", chain, "ifs", ifs, "cmd", cmd ? cmd : "", NULL);
	free(cmd);
}

/* The cause of a drop on the way out, by hook. */
static void dropped(struct walk *w, const struct nm_netns *ns, enum nf_hook hook,
		    const struct nf_pkt *p, const struct nf_eval_res *res, const char *desc)
{
	char a1[64], a2[64], *cmd = with_exec(ns, drop_fix(w, ns, res, hook, p, false));
	enum diag_id code;

	switch (hook) {
	case NF_HOOK_FORWARD: code = DIAG_FORWARD_DROP; break;
	case NF_HOOK_INPUT: code = DIAG_INPUT_DROP; break;
	case NF_HOOK_PREROUTING: code = DIAG_PREROUTING_DROP; break;
	default: code = p->iif ? DIAG_FORWARD_DROP : DIAG_OUTPUT_DROP; break;
	}
	if (hook == NF_HOOK_POSTROUTING)
		code = DIAG_OUTPUT_DROP;	/* same fix shape: accept in that chain */
	path_add_cause(w, code, ns, desc, "src", path_ipstr(&p->src, a1, sizeof(a1)),
		       "dst", path_ipstr(&p->dst, a2, sizeof(a2)), "hook", hook_upper(hook),
		       "rule", desc, "iif", p->iif ? p->iif : "?", "oif", p->oif ? p->oif : "?",
		       "table", res->table ? res->table->name : "filter",
		       "chain", res->chain && res->chain->base ? res->chain->name : hook_upper(hook),
		       "cmd", cmd ? cmd : "", NULL);
	free(cmd);
}

/* Rewrite *p as the NAT verdict of res says. Returns true for source NAT. */
static bool apply_nat(const struct nm_netns *ns, const struct nf_eval_res *res, struct nf_pkt *p)
{
	bool snat = res->nat == NF_ACT_MASQUERADE || res->nat == NF_ACT_SNAT;
	struct nm_ip a;

	if (res->nat == NF_ACT_MASQUERADE || (snat && !res->nat_addr.family)) {
		const struct nm_link *ol = p->oif ? nm_find_link(ns, p->oif) : NULL;

		if (path_link_primary(ol, p->src.family, NULL, &a))
			p->src = a;
	} else if (snat) {
		p->src = res->nat_addr;
		p->src.plen = p->src.family == AF_INET ? 32 : 128;
	} else if (res->nat == NF_ACT_DNAT) {
		if (res->nat_addr.family) {
			p->dst = res->nat_addr;
			p->dst.plen = p->dst.family == AF_INET ? 32 : 128;
		}
		if (res->nat_port)
			p->dport = res->nat_port;
	} else if (res->nat == NF_ACT_REDIRECT) {
		const struct nm_link *il = p->iif ? nm_find_link(ns, p->iif) : NULL;

		if (path_link_primary(il, p->dst.family, NULL, &a))
			p->dst = a;
		else
			nm_ip_parse("127.0.0.1", &p->dst);
		if (res->nat_port)
			p->dport = res->nat_port;
	}
	if (snat && res->nat_port)
		p->sport = res->nat_port;
	return snat;
}

/* "10.244.1.5:8080 (33.3 %), 10.244.2.5:8080 (33.3 %), ..." */
static char *alts_text(const struct nf_eval_res *res)
{
	char *out = nm_xstrdup("");
	size_t i;

	for (i = 0; i < res->n_alts; i++) {
		const struct nf_eval_alt *a = &res->alts[i];
		char ab[64], *o = out;

		if (a->nat == NF_ACT_CONTINUE)
			snprintf(ab, sizeof(ab), "%s", a->verdict == NF_EVAL_DROP ? "DROP" : "no NAT");
		else if (!a->nat_addr.family)
			snprintf(ab, sizeof(ab), "%s", nf_action_kind_name(a->nat));
		else
			path_ipstr(&a->nat_addr, ab, sizeof(ab));
		if (a->nat_port)
			out = nm_xasprintf("%s%s%s:%u (%.1f %%)", o, i ? ", " : "", ab, a->nat_port,
					   a->weight * 100.0);
		else
			out = nm_xasprintf("%s%s%s (%.1f %%)", o, i ? ", " : "", ab, a->weight * 100.0);
		free(o);
	}
	return out;
}

/* The hop keeps every alternative, for -j (and the live trace's "the kernel picked"). */
static void hop_alts(struct path_hop *h, const struct nf_eval_res *res)
{
	size_t i;

	h->alts = nm_xcalloc(res->n_alts, sizeof(*h->alts));
	h->n_alts = res->n_alts;
	for (i = 0; i < res->n_alts; i++) {
		const struct nf_eval_alt *a = &res->alts[i];
		const struct nf_rule *r = a->nat_rule ? a->nat_rule : a->rule;

		h->alts[i].addr = a->nat_addr;
		h->alts[i].port = a->nat_port;
		h->alts[i].prob = a->weight;
		h->alts[i].rule = nm_xstrdup(r && r->text ? r->text : "");
	}
}

/* A new connection NATed by the hook: rewrite, bind in conntrack, and say which rule did it. */
static void nat_hop(struct walk *w, const struct nm_netns *ns, enum nf_hook hook, const char *ifn,
		    const struct nf_eval_res *res, struct nf_pkt *p)
{
	struct nf_pkt before = *p;
	struct nf_eval_res nr = *res;
	char *ndesc;
	bool snat;

	nr.rule = res->nat_rule;
	nr.table = res->nat_table;
	nr.chain = res->nat_chain;
	nr.by_policy = false;
	ndesc = nf_eval_describe(&nr);
	snat = apply_nat(ns, res, p);
	p->ct_state |= snat ? NF_CT_SNAT : NF_CT_DNAT;
	path_ct_record(w, ns, &before, p, snat, !snat);
	if (res->n_alts > 1) {
		char *list = alts_text(res);
		struct path_hop *h;

		h = path_add_hop(w, PATH_HOP_NAT, ns, ifn, hook_upper(hook), &before, p,
				 snat ? "SNAT" : "DNAT", true, "%s to one of %zu endpoints: %s (followed: %s)",
				 snat ? "SNAT" : "DNAT", res->n_alts, list, ndesc);
		if (h)
			hop_alts(h, res);
		free(list);
	} else {
		path_add_hop(w, PATH_HOP_NAT, ns, ifn, hook_upper(hook), &before, p,
			     snat ? "SNAT" : "DNAT", true, "%s", ndesc);
	}
	free(ndesc);
}

/* A rule nsmap does not understand decides the hook: no cause with a fix, the verdict is
 * undetermined and names the rule; the walk goes on as if the packet passed, unNATed. */
static void undetermined(struct walk *w, const struct nm_netns *ns, enum nf_hook hook,
			 const char *ifn, const struct nf_pkt *p, const struct nf_eval_res *res)
{
	const struct nf_rule *r = res->unknown_rule;
	char *desc = r ? nf_eval_describe_rule(res->unknown_table, res->unknown_chain, r) :
		     nm_xstrdup(res->truncated ? "too many branches to follow" : "?");
	const char *why = r && r->why ? r->why :
			  res->truncated ? "more branches than nsmap follows" : "not understood";

	path_add_hop(w, PATH_HOP_FILTER, ns, ifn, hook_upper(hook), p, NULL, "UNDETERMINED", false,
		     "%s", desc);
	path_add_cause(w, DIAG_RULE_UNDETERMINED, ns, desc, "hook", hook_upper(hook), "rule", desc,
		       "why", why, NULL);
	free(desc);
}

/* Several outcomes, chosen per packet (statistic, numgen): list them all. */
static void note_choices(struct walk *w, const struct nm_netns *ns, enum nf_hook hook,
			 const struct nf_eval_res *res)
{
	char *text = NULL, a[64];
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	fprintf(f, "%s: %s chooses per packet among %zu outcomes:", ns->label, hook_upper(hook),
		res->n_alts);
	for (i = 0; i < res->n_alts; i++) {
		const struct nf_eval_alt *al = &res->alts[i];

		fprintf(f, "%s ", i ? ";" : "");
		if (al->nat == NF_ACT_DNAT && al->nat_addr.family)
			fprintf(f, "DNAT to %s", path_ipstr(&al->nat_addr, a, sizeof(a)));
		else if (al->nat != NF_ACT_CONTINUE)
			fprintf(f, "%s", nf_action_kind_name(al->nat));
		else
			fprintf(f, "%s", al->verdict == NF_EVAL_DROP ? "DROP" : "ACCEPT");
		if (al->nat == NF_ACT_DNAT && al->nat_port)
			fprintf(f, ":%u", al->nat_port);
		fprintf(f, " (%.1f %%)", al->weight * 100.0);
	}
	fprintf(f, "; the walk follows the first");
	fclose(f);
	nm_warn(&w->r->notes, &w->r->n_notes, "%s", text);
	free(text);
}

void path_run_hook(struct walk *w, const struct nm_netns *ns, enum nf_hook hook, struct nf_pkt *p)
{
	struct nf_eval_res res;
	char *desc;
	const char *ifn = hook == NF_HOOK_PREROUTING || hook == NF_HOOK_INPUT ? p->iif : p->oif;

	if (!ns->netfilter)
		return;
	nf_eval_hook(ns->netfilter, pkt_nf_family(p), hook, p, ns, &res);
	if (res.n_chains == 0)
		return;
	if (res.verdict == NF_EVAL_UNKNOWN) {
		undetermined(w, ns, hook, ifn, p, &res);
		return;
	}
	if (res.n_unknown)
		nm_warn(&w->r->notes, &w->r->n_notes,
			"%s: %d rule(s) nsmap does not understand at %s, followed both ways: the "
			"verdict is the same", ns->label, res.n_unknown, hook_upper(hook));
	if (res.n_alts > 1)
		note_choices(w, ns, hook, &res);
	desc = nf_eval_describe(&res);
	if (res.verdict == NF_EVAL_DROP) {
		path_add_hop(w, PATH_HOP_FILTER, ns, ifn, hook_upper(hook), p, NULL, "DROP", false, "%s",
			     desc);
		if (w->reply)
			reply_dropped(w, ns, hook, p, &res, desc);
		else
			dropped(w, ns, hook, p, &res, desc);
		free(desc);
		return;
	}
	if (res.nat != NF_ACT_CONTINUE && (p->ct_state & NF_CT_NEW))
		nat_hop(w, ns, hook, ifn, &res, p);
	else if (res.table && (res.rule || (res.chain && res.chain->policy != NF_POLICY_NONE &&
					    res.chain->n_rules)))
		path_add_hop(w, PATH_HOP_FILTER, ns, ifn, hook_upper(hook), p, NULL, "ALLOW", true, "%s",
			     desc);
	free(desc);
}
