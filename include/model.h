/* SPDX-License-Identifier: GPL-2.0-or-later */
/* model.h - the snapshot: one in-memory graph of every namespace, its links, routes and rules. */
#ifndef NSMAP_MODEL_H
#define NSMAP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NM_SCHEMA "nsmap.snapshot/1"

struct nf_ruleset;		/* include/netfilter.h */

/* An IPv4 or IPv6 address with an optional prefix length. family 0 = unset. */
struct nm_ip {
	uint8_t family;		/* AF_INET, AF_INET6 or 0 */
	uint8_t plen;		/* prefix length; 32/128 for a host address */
	uint8_t addr[16];
};

struct nm_addr {
	struct nm_ip local;	/* address + prefix length */
	struct nm_ip peer;	/* point-to-point peer, family 0 if none */
	char *scope;		/* "global", "link", "host", ... */
	char *label;		/* IPv4 label, may be NULL */
	uint32_t flags;		/* IFA_F_* */
};

struct nm_peer {
	bool present;		/* the link is a veth with IFLA_LINK */
	bool resolved;		/* we know the peer's namespace and ifname */
	char *netns;		/* peer namespace id (nm_netns.id), NULL if not resolved */
	char *label;		/* that namespace's label (kept when -n leaves it out) */
	char *ifname;		/* peer ifname, NULL if not resolved */
	int ifindex;		/* peer ifindex in its namespace (IFLA_LINK) */
	int nsid;		/* IFLA_LINK_NETNSID, -1 = same namespace */
};

struct nm_link {
	int ifindex;
	char *ifname;
	char *kind;		/* "veth", "bridge", ..., "loopback", "device" for hardware */
	char *state;		/* operstate: "UP", "DOWN", "UNKNOWN", "LOWERLAYERDOWN", ... */
	unsigned int flags;	/* IFF_* */
	unsigned int mtu;
	char *mac;		/* "aa:bb:cc:dd:ee:ff" or NULL */
	int master_ifindex;	/* 0 if none */
	char *master;		/* master's ifname or NULL */
	int link_ifindex;	/* IFLA_LINK (lower device / veth peer), 0 if none */
	struct nm_peer peer;
	int forwarding;		/* per-interface IPv4 forwarding, -1 unknown */
	int rp_filter;		/* per-interface rp_filter, -1 unknown */
	struct nm_addr *addrs;
	size_t n_addrs;
	char *network;		/* Docker/Podman network name of a bridge (docker_enrich), NULL if none */
};

struct nm_nexthop {
	struct nm_ip gateway;	/* family 0 if none */
	char *dev;		/* NULL if none */
	int weight;
};

struct nm_route {
	uint8_t family;
	uint32_t table;
	char *type;		/* "unicast", "local", "broadcast", "blackhole", ... */
	struct nm_ip dst;	/* family 0 plen 0 = default */
	struct nm_ip src;	/* source-specific routing prefix, family 0 if none */
	struct nm_ip gateway;	/* first/only nexthop gateway, family 0 if none */
	char *dev;		/* first/only nexthop device */
	struct nm_ip prefsrc;	/* family 0 if none */
	char *protocol;		/* "kernel", "boot", "static", "dhcp", or a number */
	char *scope;		/* "universe"/"global", "link", "host" */
	uint32_t metric;
	uint8_t tos;
	struct nm_nexthop *nexthops;	/* only for multipath routes (n > 1) */
	size_t n_nexthops;
};

struct nm_rule {
	uint8_t family;
	uint32_t priority;
	uint32_t table;
	char *action;		/* "lookup", "blackhole", "unreachable", "prohibit", "goto", "nop" */
	struct nm_ip src;	/* family 0 = all */
	struct nm_ip dst;
	char *iif;
	char *oif;
	uint32_t fwmark;
	uint32_t fwmask;
	uint8_t tos;
	bool invert;
};

struct nm_neigh {
	struct nm_ip dst;
	char *dev;
	char *lladdr;		/* NULL if none */
	char *state;		/* "REACHABLE", "STALE", "PERMANENT", "FAILED", ... */
};

struct nm_sysctl {
	int ip_forward;		/* net.ipv4.ip_forward, -1 unknown */
	int ipv6_forwarding;	/* net.ipv6.conf.all.forwarding, -1 unknown */
	int rp_filter_all;	/* net.ipv4.conf.all.rp_filter, -1 unknown */
	int rp_filter_default;	/* net.ipv4.conf.default.rp_filter, -1 unknown */
	int bridge_nf_call_iptables;	/* -1 when br_netfilter is not loaded */
};

struct nm_proc {
	pid_t pid;
	char *comm;
};

/* A published port of a container (Docker's NetworkSettings.Ports). */
#define NM_HAVE_CONTAINER_PORTS 1
struct nm_port {
	char *proto;		/* "tcp", "udp", "sctp" */
	char *host_ip;		/* "0.0.0.0", "::", "127.0.0.1" */
	unsigned int host_port;
	unsigned int container_port;
};

struct nm_container {
	char *name;		/* without leading '/' */
	char *id;		/* full id */
	char *image;
	char *runtime;		/* "docker", "podman", "cgroup" */
	struct nm_port *ports;	/* sorted by proto, host_port, host_ip */
	size_t n_ports;
};

/* A kernel object we read but do not model: kept with its raw form. */
struct nm_unsupported {
	char *what;
	char *raw;
};

struct nm_netns {
	char *id;		/* "net:<inode>", stable while the namespace lives */
	char *label;		/* container name > netns name > comm[pid] > inode */
	uint64_t dev;
	uint64_t ino;
	bool self;		/* the namespace nsmap runs in */
	char **names;		/* ip-netns names (sorted) */
	size_t n_names;
	char **mounts;		/* nsfs bind mounts outside /run/netns (sorted) */
	size_t n_mounts;
	struct nm_proc *procs;	/* processes holding it, oldest first (capped) */
	size_t n_procs;
	size_t n_procs_total;	/* how many processes hold it in all */
	struct nm_container *container;	/* NULL unless identified */
	struct nm_link *links;
	size_t n_links;
	struct nm_route *routes;
	size_t n_routes;
	struct nm_rule *rules;
	size_t n_rules;
	struct nm_neigh *neighs;
	size_t n_neighs;
	struct nm_sysctl sysctl;
	struct nf_ruleset *netfilter;	/* NULL if not collected */
	struct nm_unsupported *unsupported;
	size_t n_unsupported;
	char **warnings;
	size_t n_warnings;

	/* collection-time only, never serialised */
	int fd;			/* open namespace fd or -1 */
	char *open_path;	/* a path that opens it */
	uint64_t start_time;	/* oldest holder's start time (jiffies) */
};

struct nm_snapshot {
	char *schema;		/* NM_SCHEMA */
	char *hostname;
	char *kernel;
	char *created;		/* ISO 8601 UTC */
	struct nm_netns *netns;
	size_t n_netns;
	char **warnings;
	size_t n_warnings;
};

/* Allocation helpers: never return NULL (abort on OOM like every glib user does). */
void *nm_xcalloc(size_t n, size_t size);
void *nm_xrealloc(void *p, size_t n, size_t size);
char *nm_xstrdup(const char *s);
char *nm_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Grow an array by one zeroed element; returns a pointer to it. */
void *nm_push(void *arrp, size_t *n, size_t size);
#define NM_PUSH(arr, n) ((__typeof__(arr))nm_push(&(arr), &(n), sizeof(*(arr))))

/* qsort() that accepts an empty (NULL) array: libc declares the base nonnull. */
void nm_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

void nm_strv_push(char ***v, size_t *n, const char *s);
void nm_warn(char ***v, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

struct nm_snapshot *nm_snapshot_new(void);
void nm_snapshot_free(struct nm_snapshot *s);
void nm_netns_clear(struct nm_netns *ns);
/* Forget routes/rules/neighbours past the given counts (and every address if addrs). */
void nm_netns_truncate(struct nm_netns *ns, size_t n_routes, size_t n_rules, size_t n_neighs, bool addrs);

/* Sorting for deterministic output: namespaces (self first, then label), links by ifindex, ... */
void nm_snapshot_sort(struct nm_snapshot *s);
/* Assign labels from names/container/procs/inode; makes them unique. */
void nm_snapshot_label(struct nm_snapshot *s);

struct nm_netns *nm_find_netns(const struct nm_snapshot *s, const char *id);
struct nm_link *nm_find_link(const struct nm_netns *ns, const char *ifname);
struct nm_link *nm_find_link_index(const struct nm_netns *ns, int ifindex);
bool nm_netns_has_bridge(const struct nm_netns *ns);

/* Address helpers. */
int nm_ip_parse(const char *s, struct nm_ip *ip);	/* "10.0.0.1/24", "::1", "default" */
char *nm_ip_str(const struct nm_ip *ip, char *buf, size_t len, bool with_plen);
bool nm_ip_in_prefix(const struct nm_ip *addr, const struct nm_ip *prefix);
bool nm_ip_equal(const struct nm_ip *a, const struct nm_ip *b);	/* address only */

/* Selection with -n: "label,name,pid,inode" patterns, globs allowed. */
bool nm_netns_matches(const struct nm_netns *ns, const char *pattern);
/* Keep only namespaces matching one of the comma-separated patterns.
 * Returns 0, or -ENOENT with *bad set to the first pattern that matched nothing. */
int nm_snapshot_select(struct nm_snapshot *s, const char *patterns, char **bad);
/* Mark (keep[i] = true) the namespaces matching the patterns; NULL patterns = all. */
int nm_snapshot_mark(const struct nm_snapshot *s, const char *patterns, bool *keep, char **bad);

/* Kernel enum <-> string tables (bounds-checked). */
const char *nm_rt_table_name(uint32_t table, char *buf, size_t len);
int nm_rt_table_parse(const char *s, uint32_t *table);

#endif
