/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nf_nft.h - private interface between the nf_tables message decoder and the expression decoder. */
#ifndef NSMAP_NF_NFT_H
#define NSMAP_NF_NFT_H

#include "nf_int.h"

struct nftnl_rule;

/* How a value is printed in nft syntax. */
enum nf_value_kind {
	NF_VK_HEX = 0,
	NF_VK_IFNAME,
	NF_VK_IPV4,
	NF_VK_IPV6,
	NF_VK_PORT,
	NF_VK_PROTO,
	NF_VK_MARK,
	NF_VK_ICMP,
	NF_VK_ICMP6,
	NF_VK_CT_STATE,
	NF_VK_CT_STATUS,
	NF_VK_NFPROTO,
	NF_VK_VERDICT,
};

void nf_nft_value_text(struct nf_buf *b, int kind, const uint8_t *d, uint32_t len, int plen);
int nf_nft_field_value_kind(enum nf_field f, int l3, int l4);
/* "{ a, b }" for an anonymous set or map. */
void nf_nft_set_inline(struct nf_buf *b, const struct nf_set *s);
/* "a", "a-b" or "a/len" (nft prints aligned ranges as prefixes). */
void nf_nft_addr_range_text(struct nf_buf *b, const struct nm_ip *lo, const struct nm_ip *hi);
/* Decode one rule of table t / chain ch into r (text in the syntax of t->backend). */
void nf_nft_decode_rule(const struct nftnl_rule *nr, const struct nf_table *t,
			const struct nf_chain *ch, struct nf_rule *r);

#endif
