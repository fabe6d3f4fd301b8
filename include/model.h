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
struct nm_netns;

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

/*
 * Link kinds (src/core/link.c): the kind string of a link as the kernel names it, mapped
 * to what it implies. Code asks the predicates below, never compares kind strings.
 */
enum nm_kind {
	NM_KIND_OTHER = 0,		/* a kind the table does not know */
	NM_KIND_LOOPBACK,
	NM_KIND_DEVICE,			/* hardware (or anything ethernet without IFLA_INFO_KIND) */
	NM_KIND_TUN,
	NM_KIND_DUMMY,
	NM_KIND_VETH,
	NM_KIND_NETKIT,
	NM_KIND_BRIDGE,
	NM_KIND_BOND,
	NM_KIND_VRF,
	NM_KIND_MACVLAN,
	NM_KIND_MACVTAP,
	NM_KIND_IPVLAN,
	NM_KIND_IPVTAP,
	NM_KIND_VLAN,
	NM_KIND_VXLAN,
	NM_KIND_GENEVE,
	NM_KIND_GRE,
	NM_KIND_GRETAP,
	NM_KIND_IP6GRE,
	NM_KIND_IPIP,
	NM_KIND_IP6TNL,
	NM_KIND_SIT,
	NM_KIND_WIREGUARD,
	NM_KIND_COUNT
};

#define NM_KIND_F_PEER		0x1	/* IFLA_LINK names the other end of a pair (veth, netkit) */
#define NM_KIND_F_MASTER	0x2	/* other links name it as their master */
#define NM_KIND_F_BRIDGE	0x4	/* a switch: frames go from port to port */
#define NM_KIND_F_LOWER		0x8	/* IFLA_LINK names the device its traffic leaves through */

struct nm_kind_info {
	const char *name;
	enum nm_kind kind;
	unsigned int flags;		/* NM_KIND_F_* */
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
	char *network;		/* Docker/Podman network name of a bridge (src/names), NULL if none */
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

/* A flow to route: what a route lookup, simulated or the kernel's, is asked. */
struct nm_flow {
	struct nm_ip src;		/* family 0: any */
	struct nm_ip dst;
	const char *iif;		/* NULL for locally generated */
	const char *oif;
	uint32_t mark;
};

/* The kernel's route for a flow (RTM_GETROUTE in the namespace). */
struct nm_route_answer {
	char dev[24];			/* egress ifname, "local", "#IFINDEX"; "" on err */
	struct nm_ip gateway;		/* family 0: on-link */
	int err;			/* the kernel's refusal (-ENETUNREACH ...), 0 if routed */
};

/* Who can ask the kernel: collect_route_get() on a live host. Returns 0 when asked (the
 * answer may be a refusal), -errno when the kernel could not be asked. */
typedef int (*nm_route_oracle)(const struct nm_netns *ns, const struct nm_flow *fl,
			       struct nm_route_answer *a);

/* A published port of a container (Docker's NetworkSettings.Ports). */
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

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation helpers: never return NULL (abort on OOM like every glib user does). */
void *nm_xcalloc(size_t n, size_t size);
void *nm_xrealloc(void *p, size_t n, size_t size);
char *nm_xstrdup(const char *s);
char *nm_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Grow an array by one zeroed element; returns a pointer to it. */
void *nm_push(void *arrp, size_t *n, size_t size);
#define NM_PUSH(arr, n) ((__typeof__(arr))nm_push(&(arr), &(n), sizeof(*(arr))))

/* Run fn(i, arg) once for every i < n, on up to four threads (one per CPU) when n is at
 * least NM_PARALLEL_MIN, else on the calling thread. fn must only write what belongs to i. */
#define NM_PARALLEL_MIN 16
void nm_parallel(size_t n, void (*fn)(size_t i, void *arg), void *arg);

/* qsort() that accepts an empty (NULL) array: libc declares the base nonnull. */
void nm_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

void nm_strv_push(char ***v, size_t *n, const char *s);
void nm_strv_free(char **v, size_t n);

/* Clear each of the n elements of the array v with clear(), free the array, and leave v
 * NULL and n 0. */
#define NM_FREE_ARRAY(v, n, clear)				\
	do {							\
		for (size_t i_ = 0; i_ < (n); i_++)		\
			clear(&(v)[i_]);			\
		free(v);					\
		(v) = NULL;					\
		(n) = 0;					\
	} while (0)
void nm_warn(char ***v, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

struct nm_snapshot *nm_snapshot_new(void);
void nm_snapshot_free(struct nm_snapshot *s);
void nm_netns_clear(struct nm_netns *ns);
void nm_container_free(struct nm_container *c);
/* Forget routes/rules/neighbours past the given counts (and every address if addrs). */
void nm_netns_truncate(struct nm_netns *ns, size_t n_routes, size_t n_rules, size_t n_neighs, bool addrs);

/* Sorting for deterministic output: namespaces (self first, then label), links by ifindex, ... */
void nm_snapshot_sort(struct nm_snapshot *s);
/* Assign labels from container/names/procs/inode and make them unique (O(N log N)); ids
 * for namespaces that have none. */
void nm_snapshot_label(struct nm_snapshot *s);
/* Every resolved veth peer carries its namespace's label, so that a selection (-n) that
 * leaves that namespace out can still name it. */
void nm_snapshot_peer_labels(struct nm_snapshot *s);

/* Link kinds: the table row of a kind string (NULL if unknown) and the predicates. */
const struct nm_kind_info *nm_kind_info(const char *kind);
enum nm_kind nm_link_kind(const struct nm_link *l);
bool nm_link_has_peer(const struct nm_link *l);		/* veth, netkit */
bool nm_link_is_bridge(const struct nm_link *l);
bool nm_link_has_lower(const struct nm_link *l);	/* macvlan, ipvlan, vlan, vxlan, ... */
bool nm_link_is_loopback(const struct nm_link *l);

struct nm_netns *nm_find_netns(const struct nm_snapshot *s, const char *id);
struct nm_link *nm_find_link(const struct nm_netns *ns, const char *ifname);
struct nm_link *nm_find_link_index(const struct nm_netns *ns, int ifindex);
/* The link holding addr (the namespace owns it), or NULL. */
struct nm_link *nm_find_link_addr(const struct nm_netns *ns, const struct nm_ip *addr);
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
/* Keep the namespaces with keep[i] set (in order), free the others. */
void nm_snapshot_keep(struct nm_snapshot *s, const bool *keep);

/* A route as `ip route` prints it ("default via 10.0.0.254 dev veth1"); with NM_RT_LOOKUP
 * as the evidence of a route lookup: destination, gateway, device, table and metric always,
 * nothing else. Malloc'd. */
#define NM_RT_LOOKUP 0x1
char *nm_route_str(const struct nm_route *r, unsigned int flags);

/* IP protocol names as /etc/protocols (and so iptables and nft) spell them; NULL if none. */
const char *nm_proto_name(unsigned int proto);

/* Enum <-> string through a designated-initialiser table of n names: NULL (-1) past its
 * end, in a hole, or for a string it does not hold. */
const char *nm_enum_name(const char *const *names, size_t n, long v);
int nm_enum_parse(const char *const *names, size_t n, const char *s);

/* Kernel enum <-> string tables (bounds-checked). */
const char *nm_rt_table_name(uint32_t table, char *buf, size_t len);
int nm_rt_table_parse(const char *s, uint32_t *table);

#endif
