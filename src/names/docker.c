/* SPDX-License-Identifier: GPL-2.0-or-later */
/* docker.c - the docker name source: containers, their ports and their networks' bridges from the Docker/Podman Engine API. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "names_int.h"

#define DK_CONNECT_MS	1000	/* a socket nobody listens on fails fast anyway */
#define DK_TIMEOUT_MS	2000	/* a daemon that accepts but never answers must not hang us */
#define DK_MAX_BODY	(64u << 20)

static const char *const dk_default_sockets[] = {
	"/var/run/docker.sock",
	"/run/podman/podman.sock",
};

struct dk_client {
	CURL *curl;
	char *sock;
	const char *runtime;	/* "docker" or "podman" */
	char err[CURL_ERROR_SIZE];
};

struct dk_body {
	char *data;
	size_t len;
	bool too_big;
};

static size_t dk_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct dk_body *b = userdata;
	size_t n = size * nmemb;

	if (b->len + n > DK_MAX_BODY) {
		b->too_big = true;
		return 0;
	}
	b->data = nm_xrealloc(b->data, b->len + n + 1, 1);
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

/* GET path from the engine; *out is the parsed JSON. Returns 0 or negative errno. */
static int dk_get(struct dk_client *dk, const char *path, json_t **out)
{
	struct dk_body body = { 0 };
	char *url = nm_xasprintf("http://localhost%s", path);
	long status = 0;
	CURLcode cc;
	json_error_t jerr;

	*out = NULL;
	curl_easy_setopt(dk->curl, CURLOPT_URL, url);
	curl_easy_setopt(dk->curl, CURLOPT_WRITEDATA, &body);
	cc = curl_easy_perform(dk->curl);
	free(url);
	if (body.too_big) {
		/* the engine answered, at more length than nsmap reads */
		snprintf(dk->err, sizeof(dk->err), "answer to %s larger than %d bytes", path,
			 (int)DK_MAX_BODY);
		free(body.data);
		return -E2BIG;
	}
	if (cc != CURLE_OK) {
		if (!dk->err[0])
			snprintf(dk->err, sizeof(dk->err), "%s", curl_easy_strerror(cc));
		free(body.data);
		return cc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -ECONNREFUSED;
	}
	curl_easy_getinfo(dk->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		snprintf(dk->err, sizeof(dk->err), "HTTP %ld for %s", status, path);
		free(body.data);
		return status == 404 ? -ENOENT : -EPROTO;
	}
	*out = json_loadb(body.data ? body.data : "", body.len, 0, &jerr);
	free(body.data);
	if (!*out) {
		snprintf(dk->err, sizeof(dk->err), "bad JSON for %s: %s", path, jerr.text);
		return -EPROTO;
	}
	return 0;
}

static int dk_open(struct dk_client *dk, const char *sock)
{
	memset(dk, 0, sizeof(*dk));
	dk->curl = curl_easy_init();
	if (!dk->curl)
		return -ENOMEM;
	dk->sock = nm_xstrdup(sock);
	dk->runtime = strstr(sock, "podman") ? "podman" : "docker";
	curl_easy_setopt(dk->curl, CURLOPT_UNIX_SOCKET_PATH, sock);
	curl_easy_setopt(dk->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)DK_CONNECT_MS);
	curl_easy_setopt(dk->curl, CURLOPT_TIMEOUT_MS, (long)DK_TIMEOUT_MS);
	curl_easy_setopt(dk->curl, CURLOPT_NOSIGNAL, 1L);
	/* http_proxy in the environment must not redirect a unix-socket request */
	curl_easy_setopt(dk->curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(dk->curl, CURLOPT_WRITEFUNCTION, dk_write);
	curl_easy_setopt(dk->curl, CURLOPT_ERRORBUFFER, dk->err);
	return 0;
}

static void dk_close(struct dk_client *dk)
{
	if (dk->curl)
		curl_easy_cleanup(dk->curl);
	dk->curl = NULL;
}

const char *docker_socket_path(char *buf, size_t len)
{
	const char *host = getenv("DOCKER_HOST");
	size_t i;

	if (host && *host) {
		if (strncmp(host, "unix://", 7) != 0)
			return NULL;
		snprintf(buf, len, "%s", host + 7);
		return buf;
	}
	for (i = 0; i < ARRAY_SIZE(dk_default_sockets); i++) {
		struct stat st;

		if (stat(dk_default_sockets[i], &st) == 0 && S_ISSOCK(st.st_mode)) {
			snprintf(buf, len, "%s", dk_default_sockets[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%s", dk_default_sockets[0]);
	return buf;
}

/* ---- matching a container to a namespace ---- */

static bool same_path(const char *a, const char *b)
{
	/* /var/run is a symlink to /run on every current distribution */
	if (!strncmp(a, "/var/run/", 9))
		a += 4;
	if (!strncmp(b, "/var/run/", 9))
		b += 4;
	return !strcmp(a, b);
}

static struct nm_netns *match_ns(struct nm_snapshot *s, json_int_t pid, const char *sandbox)
{
	size_t i, j;
	struct stat st;

	if (pid > 0) {
		char p[64];

		for (i = 0; i < s->n_netns; i++)
			for (j = 0; j < s->netns[i].n_procs; j++)
				if (s->netns[i].procs[j].pid == (pid_t)pid)
					return &s->netns[i];
		snprintf(p, sizeof(p), "/proc/%lld/ns/net", (long long)pid);
		if (stat(p, &st) == 0)
			for (i = 0; i < s->n_netns; i++)
				if (s->netns[i].ino == (uint64_t)st.st_ino &&
				    (!s->netns[i].dev || s->netns[i].dev == (uint64_t)st.st_dev))
					return &s->netns[i];
	}
	if (sandbox && *sandbox) {
		for (i = 0; i < s->n_netns; i++)
			for (j = 0; j < s->netns[i].n_mounts; j++)
				if (same_path(s->netns[i].mounts[j], sandbox))
					return &s->netns[i];
		if (stat(sandbox, &st) == 0)
			for (i = 0; i < s->n_netns; i++)
				if (s->netns[i].ino == (uint64_t)st.st_ino)
					return &s->netns[i];
	}
	return NULL;
}

static int port_cmp(const void *a, const void *b)
{
	const struct nm_port *x = a, *y = b;
	int c = strcmp(x->proto, y->proto);

	if (c)
		return c;
	if (x->host_port != y->host_port)
		return x->host_port < y->host_port ? -1 : 1;
	if (x->container_port != y->container_port)
		return x->container_port < y->container_port ? -1 : 1;
	return strcmp(x->host_ip, y->host_ip);
}

/* NetworkSettings.Ports: {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}], "81/tcp": null} */
static void ports_from_json(struct nm_container *c, json_t *ports)
{
	const char *key;
	json_t *bindings;

	json_object_foreach(ports, key, bindings) {
		unsigned int cport = (unsigned int)strtoul(key, NULL, 10);
		const char *slash = strchr(key, '/');
		size_t i;
		json_t *b;

		if (!json_is_array(bindings))
			continue;
		json_array_foreach(bindings, i, b) {
			const char *hip = json_string_value(json_object_get(b, "HostIp"));
			const char *hport = json_string_value(json_object_get(b, "HostPort"));
			struct nm_port *p;

			if (!hport || !*hport)
				continue;
			p = NM_PUSH(c->ports, c->n_ports);
			p->proto = nm_xstrdup(slash ? slash + 1 : "tcp");
			p->host_ip = nm_xstrdup(hip && *hip ? hip : "0.0.0.0");
			p->host_port = (unsigned int)strtoul(hport, NULL, 10);
			p->container_port = cport;
		}
	}
	if (c->n_ports)
		nm_qsort(c->ports, c->n_ports, sizeof(*c->ports), port_cmp);
}

/* Inspect one container and attach it to its namespace. Returns 0, -ENOENT when no
 * namespace matches, or a transport error. */
static int dk_container(struct dk_client *dk, struct nm_snapshot *s, const char *id)
{
	char *path = nm_xasprintf("/containers/%s/json", id);
	struct nm_container *c;
	struct nm_netns *ns;
	json_t *j;
	const char *name;
	int rc;

	rc = dk_get(dk, path, &j);
	free(path);
	if (rc == -ENOENT)
		return 0;	/* gone between list and inspect */
	if (rc < 0)
		return rc;
	ns = match_ns(s, json_integer_value(json_object_get(json_object_get(j, "State"), "Pid")),
		      names_jstr(j, "NetworkSettings", "SandboxKey"));
	if (!ns) {
		json_decref(j);
		return -ENOENT;
	}
	c = nm_xcalloc(1, sizeof(*c));
	name = names_jstr(j, "Name", NULL);
	if (name && *name == '/')
		name++;
	c->name = nm_xstrdup(name && *name ? name : id);
	c->id = nm_xstrdup(names_jstr(j, "Id", NULL) ? names_jstr(j, "Id", NULL) : id);
	if (names_jstr(j, "Config", "Image"))
		c->image = nm_xstrdup(names_jstr(j, "Config", "Image"));
	c->runtime = nm_xstrdup(dk->runtime);
	ports_from_json(c, json_object_get(json_object_get(j, "NetworkSettings"), "Ports"));
	/* Several containers can share one namespace (--network container:X): the first
	 * listed keeps it; the list is sorted by name so this is stable. */
	names_attach(ns, c);
	json_decref(j);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The namespace that holds the host side of the containers' veths: dockerd's. */
static bool ns_holds_peer_of_container(const struct nm_snapshot *s, const struct nm_netns *ns)
{
	size_t i, j;

	for (i = 0; i < s->n_netns; i++) {
		/* the engine's own containers: a cgroup guess may be another runtime's */
		if (!s->netns[i].container || !s->netns[i].container->runtime ||
		    !strcmp(s->netns[i].container->runtime, "cgroup"))
			continue;
		for (j = 0; j < s->netns[i].n_links; j++) {
			const struct nm_peer *p = &s->netns[i].links[j].peer;

			if (p->resolved && p->netns && ns->id && !strcmp(p->netns, ns->id))
				return true;
		}
	}
	return false;
}

static void name_bridge(struct nm_snapshot *s, const char *bridge, const char *network)
{
	struct nm_link *found = NULL, *l;
	size_t i, hits = 0;

	for (i = 0; i < s->n_netns; i++) {
		l = nm_find_link(&s->netns[i], bridge);
		if (!l || !nm_link_is_bridge(l))
			continue;
		if (ns_holds_peer_of_container(s, &s->netns[i])) {
			found = l;
			hits = 1;
			break;
		}
		if (!found || s->netns[i].self)
			found = l;
		hits++;
	}
	if (!found)
		return;
	free(found->network);
	found->network = nm_xstrdup(network);
	(void)hits;
}

static int dk_networks(struct dk_client *dk, struct nm_snapshot *s)
{
	json_t *nets, *n;
	size_t i;
	int rc = dk_get(dk, "/networks", &nets);

	if (rc < 0)
		return rc;
	json_array_foreach(nets, i, n) {
		const char *driver = names_jstr(n, "Driver", NULL);
		const char *name = names_jstr(n, "Name", NULL);
		const char *nid = names_jstr(n, "Id", NULL);
		const char *br = names_jstr(n, "Options", "com.docker.network.bridge.name");
		char def[16];

		if (!name || !driver || strcmp(driver, "bridge"))
			continue;
		if (!br) {
			/* podman names it in network_interface; docker uses br-<id12> */
			br = names_jstr(n, "network_interface", NULL);
			if (!br && nid && strlen(nid) >= 12) {
				snprintf(def, sizeof(def), "br-%.12s", nid);
				br = def;
			}
		}
		if (br)
			name_bridge(s, br, name);
	}
	json_decref(nets);
	return 0;
}

static int dk_containers(struct dk_client *dk, struct nm_snapshot *s)
{
	json_t *ver, *list, *c;
	char **ids = NULL;
	size_t n_ids = 0, i, unmatched = 0;
	int rc;

	rc = dk_get(dk, "/version", &ver);
	if (rc < 0)
		return rc;
	json_array_foreach(json_object_get(ver, "Components"), i, c) {
		const char *cn = names_jstr(c, "Name", NULL);

		if (cn && strstr(cn, "Podman"))
			dk->runtime = "podman";
	}
	json_decref(ver);

	rc = dk_get(dk, "/containers/json", &list);
	if (rc < 0)
		return rc;
	json_array_foreach(list, i, c) {
		const char *id = names_jstr(c, "Id", NULL);

		if (id)
			nm_strv_push(&ids, &n_ids, id);
	}
	json_decref(list);
	nm_qsort(ids, n_ids, sizeof(*ids), name_cmp);
	for (i = 0; i < n_ids; i++) {
		rc = dk_container(dk, s, ids[i]);
		if (rc == -ENOENT)
			unmatched++;
		else if (rc < 0)
			break;
	}
	for (i = 0; i < n_ids; i++)
		free(ids[i]);
	free(ids);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	if (unmatched)
		nm_warn(&s->warnings, &s->n_warnings,
			"%s: %zu running container%s not matched to any namespace (another pid or mount namespace?)",
			dk->sock, unmatched, unmatched == 1 ? "" : "s");
	return 0;
}

static void dk_warn(struct dk_client *dk, struct nm_snapshot *s)
{
	nm_warn(&s->warnings, &s->n_warnings,
		"container engine at %s did not answer (%s); containers named from cgroups only",
		dk->sock, dk->err[0] ? dk->err : "error");
}

/* Containers right after discovery: what they are matched by (pids, sandbox mounts,
 * inodes) is all discovery has seen. */
static void docker_probe(void **state, struct nm_snapshot *s)
{
	struct dk_client *dk;
	char sock[4096];
	struct stat st;

	*state = NULL;
	if (!docker_socket_path(sock, sizeof(sock))) {
		nm_warn(&s->warnings, &s->n_warnings,
			"DOCKER_HOST=%s is not a unix:// socket; containers named from cgroups only",
			getenv("DOCKER_HOST"));
		return;
	}
	/* no socket at all is the common case of a host without Docker: stay quiet */
	if (stat(sock, &st) < 0)
		return;
	dk = nm_xcalloc(1, sizeof(*dk));
	if (dk_open(dk, sock) < 0) {
		free(dk);
		return;
	}
	if (dk_containers(dk, s) < 0) {
		dk_warn(dk, s);
		dk_close(dk);		/* not asked (and waited for) again by enrich */
	}
	*state = dk;
}

/* Bridges named after their networks: only once links and veth peers are known. */
static void docker_enrich(void *state, struct nm_snapshot *s)
{
	struct dk_client *dk = state;

	if (dk && dk->curl && dk_networks(dk, s) < 0) {
		dk_warn(dk, s);
		dk_close(dk);
	}
}

static void docker_release(void *state)
{
	struct dk_client *dk = state;

	if (!dk)
		return;
	dk_close(dk);
	free(dk->sock);
	free(dk);
}

/* Every container the engine knows, stopped ones too: what nstrace says about a name that
 * has no namespace. One read-only GET, bounded like every other request. */
int docker_containers_all(struct names_known **out, size_t *n)
{
	struct dk_client dk;
	char sock[4096];
	struct stat st;
	json_t *list, *c;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	if (!docker_socket_path(sock, sizeof(sock)) || stat(sock, &st) < 0)
		return -ENOENT;
	rc = dk_open(&dk, sock);
	if (rc < 0)
		return rc;
	rc = dk_get(&dk, "/containers/json?all=1", &list);
	if (rc < 0)
		goto out;
	json_array_foreach(list, i, c) {
		const char *name = json_string_value(json_array_get(json_object_get(c, "Names"), 0));
		const char *state = names_jstr(c, "State", NULL);
		struct names_known *k;

		if (!name)
			continue;
		if (*name == '/')
			name++;
		k = NM_PUSH(*out, *n);
		k->name = nm_xstrdup(name);
		k->state = nm_xstrdup(state ? state : "unknown");
		k->runtime = dk.runtime;
	}
	json_decref(list);
out:
	dk_close(&dk);
	free(dk.sock);
	return rc;
}

void names_known_free(struct names_known *k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(k[i].name);
		free(k[i].state);
	}
	free(k);
}

const struct names_source names_docker = {
	.name = "docker",
	.probe = docker_probe,
	.enrich = docker_enrich,
	.release = docker_release,
};
