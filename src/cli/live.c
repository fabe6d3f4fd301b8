/* SPDX-License-Identifier: GPL-2.0-or-later */
/* live.c - the one way both commands build a snapshot of this host: discover, name, label, select, collect, sort. */
#include <errno.h>
#include <stdlib.h>

#include "cli.h"
#include "collect.h"
#include "names.h"

int cli_live_snapshot(const struct cli_live_opts *o, struct nm_snapshot **out, char **bad)
{
	struct collect_opts co = { .no_netfilter = o->no_netfilter };
	struct nm_snapshot *s = nm_snapshot_new();
	struct names *names = NULL;
	bool *keep = NULL;
	int err;

	*out = NULL;
	*bad = NULL;
	err = discover_netns(s);
	if (err)
		goto fail;
	collect_meta(s);
	/* Containers and labels from what discovery saw: -n can select by either before the
	 * expensive part, and the labels are final from here on. */
	if (!o->no_names)
		names = names_probe(s);
	nm_snapshot_label(s);
	keep = nm_xcalloc(s->n_netns, sizeof(*keep));
	err = nm_snapshot_mark(s, o->select, keep, bad);
	if (err)
		goto fail;
	err = collect_netns(s, keep, &co);
	if (err)
		goto fail;
	/* peers learn their labels before -n drops the namespaces they are in */
	nm_snapshot_peer_labels(s);
	nm_snapshot_keep(s, keep);
	names_enrich(names, s);
	nm_snapshot_sort(s);
	names_free(names);
	free(keep);
	*out = s;
	return 0;
fail:
	names_free(names);
	free(keep);
	nm_snapshot_free(s);
	return err;
}
