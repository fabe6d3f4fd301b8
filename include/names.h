/* SPDX-License-Identifier: GPL-2.0-or-later */
/* names.h - name the namespaces: containers from their runtimes (src/names/). */
#ifndef NSMAP_NAMES_H
#define NSMAP_NAMES_H

#include "model.h"

/*
 * Names containers: fills nm_netns.container (name, id, image, runtime) by matching each
 * container's State.Pid / NetworkSettings.SandboxKey to a namespace (ns->procs pids,
 * ns->mounts paths, namespace inode via stat of /proc/PID/ns/net), names bridges with their
 * Docker network name and records published ports.
 * The socket is DOCKER_HOST (unix:// only), else /var/run/docker.sock, else Podman's
 * /run/podman/podman.sock; every request times out within 2 s.
 * When the API does not answer, falls back quietly (container id from /proc/PID/cgroup)
 * and returns 0. Warnings go into s->warnings.
 */
int docker_enrich(struct nm_snapshot *s);

/* The socket path docker_enrich() will use (from DOCKER_HOST or the default), or NULL
 * when DOCKER_HOST names a non-unix endpoint. Exposed for the tests. */
const char *docker_socket_path(char *buf, size_t len);

/* A container id from the text of /proc/PID/cgroup ("docker-<id>.scope", "/docker/<id>",
 * "libpod-<id>.scope", "/kubepods/.../<id>"): copies the 64-hex id to id[65] and returns the
 * runtime guess ("docker", "podman"), or NULL when none is found. Exposed for the tests. */
const char *docker_cgroup_id(const char *cgroup_text, char id[65]);

#endif
