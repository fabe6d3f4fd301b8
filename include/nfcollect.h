/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nfcollect.h - reading the firewall of a namespace: the collector (src/netfilter/collect.c) and the decoders of raw dumps, for src/collect, the tests and the fuzzer. */
#ifndef NSMAP_NFCOLLECT_H
#define NSMAP_NFCOLLECT_H

#include <stddef.h>

#include "netfilter.h"

/* Sockets for one namespace. Call nf_handle_open() while the thread is inside the target
 * namespace (sockets and /proc/net files stay bound to it), then return to the original
 * namespace and call nf_collect(). */
struct nf_handle;
int nf_handle_open(struct nf_handle **h);
int nf_collect(struct nf_handle *h, struct nf_ruleset **out, char ***warnings, size_t *n_warnings);
void nf_handle_close(struct nf_handle *h);

/* Raw bytes of the last nf_collect() (for recording fixtures): the nf_tables dump
 * (concatenated netlink messages) and the legacy dump (see nf_decode_legacy). */
int nf_handle_raw(const struct nf_handle *h, const void **nft, size_t *nft_len,
		  const void **legacy, size_t *legacy_len);

/* Decode a buffer of nf_tables netlink messages (NEWTABLE/NEWCHAIN/NEWRULE/NEWSET/
 * NEWSETELEM/NEWGEN, as a dump returns them, concatenated) into rs. Malformed input never
 * reads past len: bad messages become warnings. Returns 0 or -EINVAL if nothing parsed. */
int nf_decode_dump(const void *buf, size_t len, struct nf_ruleset *rs,
		   char ***warnings, size_t *n_warnings);
/* Decode legacy tables: a sequence of records { u32 family (2/10, host order);
 * struct ipt_getinfo / ip6t_getinfo (84 bytes); entries blob (getinfo.size bytes) }. */
int nf_decode_legacy(const void *buf, size_t len, struct nf_ruleset *rs,
		     char ***warnings, size_t *n_warnings);
/* After decoding: classify backends, sort, set rs->mixed, add warnings. */
void nf_ruleset_finish(struct nf_ruleset *rs, char ***warnings, size_t *n_warnings);

#endif
