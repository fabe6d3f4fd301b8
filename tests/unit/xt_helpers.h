/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xt_helpers.h - driving the iptables view (nf_ipt_render) from hand-built xt blobs. */
#ifndef NSMAP_TEST_XT_HELPERS_H
#define NSMAP_TEST_XT_HELPERS_H

#include "../../src/netfilter/nf.h"

static inline char *render(struct nf_ipt *ipt, struct nf_rule *r)
{
	memset(r, 0, sizeof(*r));
	nf_ipt_render(ipt, "X", r);
	return r->text;
}

/* Free the previous case's rule and view, start an empty view of family. */
static inline void xt_case(struct nf_ipt *ipt, struct nf_rule *r, uint8_t family)
{
	nf_rule_clear(r);
	nf_ipt_free(ipt);
	ipt->family = family;
}

#endif
