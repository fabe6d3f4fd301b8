// SPDX-License-Identifier: GPL-2.0-or-later
/* xtsave.c - the text of xt matches and targets from libxtables' own save() printers, so it
 * equals iptables-save by construction. The one file that includes <xtables.h>. */
#include <getopt.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xtables.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include "nf.h"

static jmp_buf xt_jmp;
static bool xt_jmp_armed;

static void __attribute__((noreturn, format(printf, 2, 3)))
xt_exit_err(enum xtables_exittype status, const char *msg, ...)
{
	(void)status;
	(void)msg;
	if (xt_jmp_armed)
		longjmp(xt_jmp, 1);
	abort();	/* only reachable if libxtables calls it outside nf_xt_save */
}

/* The revision comes from the dump: never probe the kernel. */
static int xt_compat_rev(const char *name, uint8_t rev, int opt)
{
	(void)name;
	(void)rev;
	(void)opt;
	return 1;
}

static struct option xt_no_opts[] = { { NULL, 0, NULL, 0 } };

static struct xtables_globals xt_globals = {
	.program_name = "iptables",
	.program_version = "1.8.9",
	.orig_opts = xt_no_opts,
	.exit_err = xt_exit_err,
	.compat_rev = xt_compat_rev,
};

static bool xt_inited, xt_init_failed;
static uint8_t xt_loaded_nfproto;	/* the family the loaded extensions registered under */

/* Under the lock: init (once, or again after xt_reload), then make our globals and family
 * current again (libnftables' nft_ctx_new installs its own). */
static bool xt_prepare(uint8_t nfproto)
{
	if (!xt_inited) {
		xt_inited = true;
		xt_init_failed = xtables_init_all(&xt_globals, nfproto) < 0;
		xt_loaded_nfproto = nfproto;
	}
	if (xt_init_failed)
		return false;
	xtables_set_params(&xt_globals);
	xtables_set_nfproto(nfproto);
	return true;
}

/*
 * An extension registers only the entries of the family current when it is loaded, and a
 * loaded library is never loaded again: after IPv4 rules, libxt_DSCP.so has no IPv6 target.
 * When a lookup misses under another family, unload every extension and start again in the
 * new one (iptables and ip6tables are separate processes; this is the same in one).
 */
/* exported by libxtables (its symbol map), not declared in <xtables.h> */
extern struct xtables_match *xtables_pending_matches;
extern struct xtables_target *xtables_pending_targets;

static bool xt_reload(uint8_t nfproto)
{
	if (xt_loaded_nfproto == nfproto)
		return false;
	xtables_fini();
	xtables_matches = NULL;
	xtables_targets = NULL;
	xtables_pending_matches = NULL;
	xtables_pending_targets = NULL;
	xt_inited = false;
	return xt_prepare(nfproto);
}

/* Run save() with stdout swapped for a memory stream; the captured text or NULL. */
struct xt_call {
	bool target;
	const void *ip;
	struct xtables_match *m;
	struct xtables_target *t;
	void *blob;
};

static char *xt_capture(const struct xt_call *c)
{
	FILE *saved, *mem;
	char *buf = NULL;
	size_t len = 0;
	volatile bool failed = false;

	fflush(stdout);
	mem = open_memstream(&buf, &len);
	if (!mem)
		return NULL;
	saved = stdout;
	stdout = mem;
	xt_jmp_armed = true;
	if (setjmp(xt_jmp) == 0) {
		if (c->target) {
			const struct xt_entry_target *e = c->blob;

			printf(" -j %s", c->t->alias ? c->t->alias(e) : c->t->name);
			if (c->t->save)
				c->t->save(c->ip, e);
		} else {
			const struct xt_entry_match *e = c->blob;

			printf(" -m %s", c->m->alias ? c->m->alias(e) : c->m->name);
			if (c->m->save)
				c->m->save(c->ip, e);
		}
	} else {
		failed = true;
	}
	xt_jmp_armed = false;
	fflush(mem);
	stdout = saved;
	fclose(mem);
	if (failed) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Values some save() printers cannot print (they run off the end of a name table): refused.
 * Found by flipping bytes of recorded blobs; extend when the fuzzer finds more. */
static bool xt_values_ok(bool target, const char *name, const uint8_t *info, size_t len)
{
	if (!target && !strcmp(name, "tcp") && len >= 11)
		return !((info[9] | info[10]) & 0xc0);	/* flg_mask, flg_cmp: FIN..URG only */
	return true;
}

static char *xt_save_locked(uint8_t nfproto, bool target, const char *name, uint8_t rev,
			    const void *info, size_t len, const void *ip)
{
	struct xt_call c = { .target = target, .ip = ip };
	size_t hdr, want;
	char *out;

	if (!xt_prepare(nfproto))
		return NULL;
	if (target) {
		c.t = xtables_find_target_revision(name, XTF_TRY_LOAD, NULL, rev);
		if ((!c.t || c.t->revision != rev) && xt_reload(nfproto))
			c.t = xtables_find_target_revision(name, XTF_TRY_LOAD, NULL, rev);
		if (!c.t || c.t->revision != rev)
			return NULL;
		want = XT_ALIGN(c.t->size);
		hdr = XT_ALIGN(sizeof(struct xt_entry_target));
	} else {
		c.m = xtables_find_match_revision(name, XTF_TRY_LOAD, NULL, rev);
		if ((!c.m || c.m->revision != rev) && xt_reload(nfproto))
			c.m = xtables_find_match_revision(name, XTF_TRY_LOAD, NULL, rev);
		if (!c.m || c.m->revision != rev)
			return NULL;
		want = XT_ALIGN(c.m->size);
		hdr = XT_ALIGN(sizeof(struct xt_entry_match));
	}
	/* a blob of another size is not what this save() reads: never hand it over */
	if (len != want || !xt_values_ok(target, name, info, len))
		return NULL;
	c.blob = calloc(1, hdr + want);
	if (!c.blob)
		return NULL;
	if (target) {
		struct xt_entry_target *e = c.blob;

		e->u.target_size = (uint16_t)(hdr + want);
		snprintf(e->u.user.name, sizeof(e->u.user.name), "%s", name);
		e->u.user.revision = rev;
	} else {
		struct xt_entry_match *e = c.blob;

		e->u.match_size = (uint16_t)(hdr + want);
		snprintf(e->u.user.name, sizeof(e->u.user.name), "%s", name);
		e->u.user.revision = rev;
	}
	memcpy((uint8_t *)c.blob + hdr, info, len);
	out = xt_capture(&c);
	free(c.blob);
	return out;
}

char *nf_xt_save(uint8_t family, bool target, const char *name, uint8_t rev, const void *info,
		 size_t len, uint16_t proto, bool inv_proto)
{
	struct ipt_entry e4;
	struct ip6t_entry e6;
	const void *ip;
	uint8_t nfproto;
	char *out;

	if (!name || !*name || strlen(name) >= XT_EXTENSION_MAXNAMELEN || (len && !info))
		return NULL;
	memset(&e4, 0, sizeof(e4));
	memset(&e6, 0, sizeof(e6));
	if (family == NF_FAMILY_IP6) {
		nfproto = NFPROTO_IPV6;
		e6.ipv6.proto = proto;
		e6.ipv6.flags = proto ? IP6T_F_PROTO : 0;
		e6.ipv6.invflags = inv_proto ? IP6T_INV_PROTO : 0;
		ip = &e6.ipv6;
	} else {
		nfproto = NFPROTO_IPV4;
		e4.ip.proto = proto;
		e4.ip.invflags = inv_proto ? IPT_INV_PROTO : 0;
		ip = &e4.ip;
	}
	nf_lib_lock();
	out = xt_save_locked(nfproto, target, name, rev, info, len, ip);
	nf_lib_unlock();
	return out;
}
