/* SPDX-License-Identifier: GPL-2.0-or-later */
/* names.h - name the namespaces: containers, their networks and published ports, from the runtimes that made them. */
#ifndef NSMAP_NAMES_H
#define NSMAP_NAMES_H

#include "model.h"

/*
 * Name sources (src/names/, one file each, listed in src/names/names.c): every source is
 * read-only, bounded by a timeout, and quiet when its runtime is absent. Naming runs in
 * two steps around collection:
 *
 *   names_probe()   right after discovery: containers are matched to namespaces by the
 *                   pids, bind mounts and inodes discovery saw, so that -n can select by
 *                   container name before anything expensive is read;
 *   names_enrich()  after collection: what needs links and veth peers (a bridge named after
 *                   its network).
 *
 * What a source learns between the steps (an engine that did not answer is not asked, and
 * waited for, a second time) is kept in struct names. Problems become warnings in
 * s->warnings; neither step fails.
 */
struct names;

struct names *names_probe(struct nm_snapshot *s);
void names_enrich(struct names *n, struct nm_snapshot *s);
void names_free(struct names *n);

/* The Docker/Podman Engine API socket the docker source uses: DOCKER_HOST (unix:// only),
 * else /var/run/docker.sock, else /run/podman/podman.sock. NULL when DOCKER_HOST names a
 * non-unix endpoint. Exposed for the tests. */
const char *docker_socket_path(char *buf, size_t len);

/* A container the engine knows, running or not (`docker ps -a`). */
struct names_known {
	char *name;		/* without the leading '/' */
	char *state;		/* "running", "exited", "created", "paused", ... */
	const char *runtime;	/* "docker" or "podman": the command that starts it */
};
/* Every container of the Docker/Podman engine, stopped ones too (GET
 * /containers/json?all=1, read-only, the engine's usual timeouts): 0, -ENOENT when there is
 * no engine socket, or -errno. Free with names_known_free(). */
int docker_containers_all(struct names_known **out, size_t *n);
void names_known_free(struct names_known *k, size_t n);

/* A container id in the text of /proc/PID/cgroup ("docker-<id>.scope", "/docker/<id>",
 * "libpod-<id>.scope", "cri-containerd-<id>.scope", ...): copies the 64-hex id to id[65]
 * and returns the runtime it names ("docker", "podman", "cri-o", "containerd"), or NULL.
 * Exposed for the tests. */
const char *cgroup_container_id(const char *cgroup_text, char id[65]);

#endif
