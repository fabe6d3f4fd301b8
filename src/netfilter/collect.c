/* SPDX-License-Identifier: GPL-2.0-or-later */
/* collect.c - reads nf_tables (libmnl/libnftnl) and iptables-legacy tables of one namespace. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nf.h"

#define LEGACY_INFO_LEN 84
#define IPT_SO_GET_INFO 64
#define IPT_SO_GET_ENTRIES 65

struct nf_handle {
	struct mnl_socket *nl;
	int nl_err;			/* errno of a failed open, 0 if open */
	int raw4, raw6;
	char **names4, **names6;	/* /proc/net/ip*_tables_names at open time */
	size_t n4, n6;
	bool proc4, proc6;		/* the files existed */
	struct nf_buf nft;		/* raw bytes of the last dump */
	uint8_t *legacy;
	size_t legacy_len;
	size_t nft_len;
	uint32_t seq;
	struct nf_text_ctx *text;	/* libnftables, made here: only where a table exists */
};

static bool any_table(struct nf_handle *h);

static void read_names(const char *file, char ***v, size_t *n, bool *present)
{
	char line[64];
	FILE *f;

	/* /proc/thread-self/net follows the calling thread's namespace (after setns). No
	 * fallback to /proc/self/net: in a worker thread that is another namespace, and
	 * querying a name it lists here could create that legacy table. */
	snprintf(line, sizeof(line), "/proc/thread-self/net/%s", file);
	f = fopen(line, "re");
	*present = f != NULL;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0])
			nm_strv_push(v, n, line);
	}
	fclose(f);
}

int nf_handle_open(struct nf_handle **out)
{
	struct nf_handle *h = nm_xcalloc(1, sizeof(*h));

	h->raw4 = h->raw6 = -1;
	h->seq = (uint32_t)time(NULL);
	h->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!h->nl) {
		h->nl_err = errno;
	} else if (mnl_socket_bind(h->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		h->nl_err = errno;
		mnl_socket_close(h->nl);
		h->nl = NULL;
	}
	/* libnftables' context lists the namespace it is made in, for life; most container
	 * namespaces have no table and get none (one table dump decides) */
	if (h->nl && any_table(h))
		h->text = nf_text_open();
	/* Only the names already listed are ever queried: IPT_SO_GET_INFO on another name
	 * would create that legacy table. */
	read_names("ip_tables_names", &h->names4, &h->n4, &h->proc4);
	read_names("ip6_tables_names", &h->names6, &h->n6, &h->proc6);
	if (h->n4)
		h->raw4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (h->n6)
		h->raw6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	*out = h;
	if (!h->nl && h->raw4 < 0 && h->raw6 < 0 && (h->n4 || h->n6 || h->nl_err)) {
		int e = h->nl_err ? h->nl_err : EPERM;

		nf_handle_close(h);
		*out = NULL;
		return -e;
	}
	return 0;
}

void nf_handle_close(struct nf_handle *h)
{
	size_t i;

	if (!h)
		return;
	if (h->nl)
		mnl_socket_close(h->nl);
	nf_text_close(h->text);
	if (h->raw4 >= 0)
		close(h->raw4);
	if (h->raw6 >= 0)
		close(h->raw6);
	for (i = 0; i < h->n4; i++)
		free(h->names4[i]);
	for (i = 0; i < h->n6; i++)
		free(h->names6[i]);
	free(h->names4);
	free(h->names6);
	nf_buf_free(&h->nft);
	free(h->legacy);
	free(h);
}

int nf_handle_raw(const struct nf_handle *h, const void **nft, size_t *nft_len,
		  const void **legacy, size_t *legacy_len)
{
	if (!h)
		return -EINVAL;
	*nft = h->nft.s;
	*nft_len = h->nft_len;
	*legacy = h->legacy;
	*legacy_len = h->legacy_len;
	return 0;
}

/* ---- nf_tables dump ---- */

struct set_ref {
	uint32_t family;
	char *table;
	char *name;
};

struct dump_ctx {
	struct nf_handle *h;
	struct set_ref *sets;
	size_t n_sets;
	bool want_sets;
	uint32_t genid;
	bool keep;
};

static void raw_append(struct nf_handle *h, const void *p, size_t len)
{
	size_t alen = NLMSG_ALIGN(len);

	if (h->nft_len + alen + 1 > h->nft.cap) {
		size_t cap = h->nft.cap ? h->nft.cap : 65536;

		while (cap < h->nft_len + alen + 1)
			cap *= 2;
		h->nft.s = nm_xrealloc(h->nft.s, cap, 1);
		h->nft.cap = cap;
	}
	memcpy(h->nft.s + h->nft_len, p, len);
	memset(h->nft.s + h->nft_len + len, 0, alen - len);
	h->nft_len += alen;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	uint8_t type = nlh->nlmsg_type & 0xff;

	if (type == NFT_MSG_NEWGEN) {
		struct nlattr *a;

		mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
			if (mnl_attr_get_type(a) == NFTA_GEN_ID &&
			    mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
				d->genid = ntohl(mnl_attr_get_u32(a));
		}
		if (!d->keep)
			return MNL_CB_OK;
	}
	raw_append(d->h, nlh, nlh->nlmsg_len);
	if (d->want_sets && type == NFT_MSG_NEWSET) {
		struct nftnl_set *s = nftnl_set_alloc();

		if (s && nftnl_set_nlmsg_parse(nlh, s) >= 0 && nftnl_set_is_set(s, NFTNL_SET_NAME) &&
		    nftnl_set_is_set(s, NFTNL_SET_TABLE)) {
			struct set_ref *r = NM_PUSH(d->sets, d->n_sets);

			r->family = nftnl_set_is_set(s, NFTNL_SET_FAMILY) ?
				    nftnl_set_get_u32(s, NFTNL_SET_FAMILY) : 0;
			r->table = nm_xstrdup(nftnl_set_get_str(s, NFTNL_SET_TABLE));
			r->name = nm_xstrdup(nftnl_set_get_str(s, NFTNL_SET_NAME));
		}
		if (s)
			nftnl_set_free(s);
	}
	return MNL_CB_OK;
}

static int nl_request(struct nf_handle *h, uint16_t msg, uint16_t family, uint16_t flags,
		      struct nftnl_set *filter, struct dump_ctx *d)
{
	/* one buffer per collecting thread, reused: this runs several times per namespace */
	static __thread char buf[65536] __attribute__((aligned(8)));
	struct nlmsghdr *nlh;
	uint32_t seq = ++h->seq, portid = mnl_socket_get_portid(h->nl);
	int ret;
	ssize_t n;

	nlh = nftnl_nlmsg_build_hdr(buf, msg, family, flags, seq);
	if (filter)
		nftnl_set_elems_nlmsg_build_payload(nlh, filter);
	if (mnl_socket_sendto(h->nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	ret = 0;
	while ((n = mnl_socket_recvfrom(h->nl, buf, 65536)) > 0) {
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, dump_cb, d);
		if (ret <= 0)
			break;
	}
	if (n < 0)
		ret = -errno;
	else if (ret < 0)
		ret = -errno;
	else
		ret = 0;
out:
	return ret;
}

/* Whether the namespace has at least one nf_tables table (native or iptables-nft). */
static bool any_table(struct nf_handle *h)
{
	struct dump_ctx d = { .h = h };
	bool any;

	h->nft_len = 0;
	any = nl_request(h, NFT_MSG_GETTABLE, NFPROTO_UNSPEC, NLM_F_DUMP, NULL, &d) >= 0 &&
	      h->nft_len > 0;
	h->nft_len = 0;
	return any;
}

static void set_ref_clear(struct set_ref *r)
{
	free(r->table);
	free(r->name);
}

static void free_sets(struct dump_ctx *d)
{
	NM_FREE_ARRAY(d->sets, d->n_sets, set_ref_clear);
}

static int dump_nft(struct nf_handle *h)
{
	static const uint16_t msgs[] = { NFT_MSG_GETTABLE, NFT_MSG_GETCHAIN, NFT_MSG_GETSET };
	int attempt, ret = 0;
	size_t i;

	for (attempt = 0; attempt < 5; attempt++) {
		struct dump_ctx d = { .h = h };
		uint32_t gen_before;

		h->nft_len = 0;
		ret = nl_request(h, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK, NULL, &d);
		if (ret < 0)
			return ret;
		gen_before = d.genid;
		for (i = 0; i < ARRAY_SIZE(msgs) && ret >= 0; i++) {
			size_t before = h->nft_len;

			d.want_sets = msgs[i] == NFT_MSG_GETSET;
			ret = nl_request(h, msgs[i], NFPROTO_UNSPEC, NLM_F_DUMP, NULL, &d);
			/* no table, no chain, set or rule: most container namespaces */
			if (ret >= 0 && msgs[i] == NFT_MSG_GETTABLE && h->nft_len == before)
				return 0;
		}
		d.want_sets = false;
		for (i = 0; i < d.n_sets && ret >= 0; i++) {
			struct nftnl_set *s = nftnl_set_alloc();

			nftnl_set_set_str(s, NFTNL_SET_TABLE, d.sets[i].table);
			nftnl_set_set_str(s, NFTNL_SET_NAME, d.sets[i].name);
			ret = nl_request(h, NFT_MSG_GETSETELEM, (uint16_t)d.sets[i].family, NLM_F_DUMP, s, &d);
			nftnl_set_free(s);
			if (ret == -ENOENT)	/* set vanished: the generation check retries */
				ret = 0;
		}
		if (ret >= 0)
			ret = nl_request(h, NFT_MSG_GETRULE, NFPROTO_UNSPEC, NLM_F_DUMP, NULL, &d);
		if (ret >= 0) {
			d.keep = true;
			ret = nl_request(h, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK, NULL, &d);
		}
		free_sets(&d);
		/* NLM_F_DUMP_INTR (EINTR) or a generation change: the ruleset moved, start over */
		if (ret == -EINTR || (ret >= 0 && d.genid != gen_before))
			continue;
		return ret;
	}
	return -EAGAIN;
}

/* ---- legacy ---- */

static void legacy_append(struct nf_handle *h, const void *p, size_t len)
{
	h->legacy = nm_xrealloc(h->legacy, h->legacy_len + len + 1, 1);
	memcpy(h->legacy + h->legacy_len, p, len);
	h->legacy_len += len;
}

static int dump_legacy_table(struct nf_handle *h, int fd, uint32_t family, const char *name)
{
	int level = family == 10 ? IPPROTO_IPV6 : IPPROTO_IP;
	int attempt;

	for (attempt = 0; attempt < 5; attempt++) {
		uint8_t info[LEGACY_INFO_LEN] = { 0 };
		socklen_t il = sizeof(info), el;
		uint32_t size;
		uint8_t *ent;

		snprintf((char *)info, 32, "%s", name);
		if (getsockopt(fd, level, IPT_SO_GET_INFO, info, &il) < 0)
			return -errno;
		memcpy(&size, info + 80, 4);
		el = 40 + size;
		ent = nm_xcalloc(1, el);
		snprintf((char *)ent, 32, "%s", name);
		memcpy(ent + 32, &size, 4);
		if (getsockopt(fd, level, IPT_SO_GET_ENTRIES, ent, &el) < 0) {
			int e = errno;

			free(ent);
			if (e == EAGAIN)	/* the table changed between the two calls */
				continue;
			return -e;
		}
		legacy_append(h, &family, 4);
		legacy_append(h, info, sizeof(info));
		legacy_append(h, ent + 40, size);
		free(ent);
		return 0;
	}
	return -EAGAIN;
}

/* A table name nft's parser takes bare ("list table inet fw"); others are listed with the
 * whole ruleset. */
static bool plain_name(const char *s)
{
	if (!s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./", *s))
			return false;
	return true;
}

/* Every native rule's text from libnftables' listing (nfttext.c), table by table: iptables-nft
 * tables are not listed (their text is the iptables view, and libnftables leaks what it
 * translates of their xt expressions). The listing is made after the dump; a rule it lacks
 * (the ruleset changed) is marked. */
static void native_text(struct nf_handle *h, struct nf_ruleset *rs)
{
	struct nf_listing l;
	char *text = NULL;
	size_t i, n = 0;

	for (i = 0; i < rs->n_tables; i++)
		n += rs->tables[i].backend == NF_BACKEND_NFT;
	if (!h->text || !n)
		return;
	for (i = 0; i < rs->n_tables; i++) {
		const struct nf_table *t = &rs->tables[i];
		char *one, *both;

		if (t->backend != NF_BACKEND_NFT)
			continue;
		one = plain_name(t->name) ? nf_text_list(h->text, nf_family_name(t->family), t->name) : NULL;
		if (!one) {
			/* a name the parser refuses, or the table vanished: the whole ruleset */
			free(text);
			text = nf_text_list(h->text, NULL, NULL);
			break;
		}
		both = nm_xasprintf("%s%s", text ? text : "", one);
		free(text);
		free(one);
		text = both;
	}
	nf_listing_parse(text ? text : "", &l);
	nf_listing_apply(rs, &l);
	nf_listing_free(&l);
	free(text);
}

int nf_collect(struct nf_handle *h, struct nf_ruleset **out, char ***w, size_t *nw)
{
	struct nf_ruleset *rs;
	size_t i;
	int ret;

	*out = NULL;
	if (!h)
		return -EINVAL;
	rs = nf_ruleset_new();
	nf_xt_use_library(true);
	if (h->nl) {
		ret = dump_nft(h);
		if (ret < 0)
			nm_warn(w, nw, "netfilter: nf_tables dump failed: %s", strerror(-ret));
		else
			nf_decode_dump(h->nft.s, h->nft_len, rs, w, nw);
	} else {
		nm_warn(w, nw, "netfilter: cannot open a netfilter socket: %s", strerror(h->nl_err));
	}
	h->legacy_len = 0;
	for (i = 0; i < h->n4; i++) {
		ret = h->raw4 < 0 ? -EPERM : dump_legacy_table(h, h->raw4, 2, h->names4[i]);
		if (ret < 0)
			nm_warn(w, nw, "netfilter: legacy table ip %s: %s", h->names4[i], strerror(-ret));
	}
	for (i = 0; i < h->n6; i++) {
		ret = h->raw6 < 0 ? -EPERM : dump_legacy_table(h, h->raw6, 10, h->names6[i]);
		if (ret < 0)
			nm_warn(w, nw, "netfilter: legacy table ip6 %s: %s", h->names6[i], strerror(-ret));
	}
	if (h->legacy_len)
		nf_decode_legacy(h->legacy, h->legacy_len, rs, w, nw);
	nf_xt_use_library(false);
	rs->legacy_read = h->proc4 || h->proc6;
	nf_ruleset_finish(rs, w, nw);
	native_text(h, rs);
	*out = rs;
	return 0;
}
