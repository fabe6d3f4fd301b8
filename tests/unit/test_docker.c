/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_docker.c - container naming from a fake Docker Engine API on a unix socket, cgroup fallback, timeouts. */
#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "names.h"

#define CID_WEB "3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b2a3f4e"
#define CID_API "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* ---- a fake engine ---- */

struct fake {
	int lfd;
	char path[108];
	bool silent;		/* accept, never answer */
	pthread_t thr;
	int hits;
};

static const char *fake_body(const char *path)
{
	if (!strcmp(path, "/version"))
		return "{\"Version\":\"20.10.24\",\"Components\":[{\"Name\":\"Engine\"}]}";
	if (!strcmp(path, "/containers/json"))
		return "[{\"Id\":\"" CID_WEB "\"},{\"Id\":\"" CID_API "\"},{\"Id\":\"deadbeef\"}]";
	if (!strcmp(path, "/containers/" CID_WEB "/json"))
		return "{\"Id\":\"" CID_WEB "\",\"Name\":\"/web\",\"State\":{\"Pid\":4242},"
		       "\"Config\":{\"Image\":\"busybox-local\"},"
		       "\"NetworkSettings\":{\"SandboxKey\":\"/var/run/docker/netns/0a1b2c3d4e5f\","
		       "\"Ports\":{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"},"
		       "{\"HostIp\":\"::\",\"HostPort\":\"8080\"}],\"443/tcp\":null}}}";
	if (!strcmp(path, "/containers/" CID_API "/json"))
		return "{\"Id\":\"" CID_API "\",\"Name\":\"/api\",\"State\":{\"Pid\":0},"
		       "\"Config\":{\"Image\":\"busybox-local\"},"
		       "\"NetworkSettings\":{\"SandboxKey\":\"/var/run/docker/netns/9f8e7d6c5b4a\",\"Ports\":{}}}";
	if (!strcmp(path, "/containers/deadbeef/json"))
		return "{\"Id\":\"deadbeef\",\"Name\":\"/elsewhere\",\"State\":{\"Pid\":0},"
		       "\"NetworkSettings\":{\"SandboxKey\":\"/var/run/docker/netns/nowhere\"}}";
	if (!strcmp(path, "/networks"))
		return "[{\"Name\":\"bridge\",\"Id\":\"aaaa\",\"Driver\":\"bridge\","
		       "\"Options\":{\"com.docker.network.bridge.name\":\"docker0\"}},"
		       "{\"Name\":\"appnet\",\"Id\":\"5f3a9c1e2b7d0000111122223333\",\"Driver\":\"bridge\",\"Options\":{}},"
		       "{\"Name\":\"host\",\"Id\":\"bbbb\",\"Driver\":\"host\"}]";
	return NULL;
}

static void serve_conn(struct fake *f, int fd)
{
	char buf[8192];
	size_t len = 0;

	for (;;) {
		char *end, path[512], *resp;
		const char *body;
		ssize_t r;

		while (!(end = memmem(buf, len, "\r\n\r\n", 4))) {
			r = read(fd, buf + len, sizeof(buf) - len - 1);
			if (r <= 0)
				return;
			len += (size_t)r;
		}
		if (f->silent) {
			/* never answer; the client gives up and closes */
			while (read(fd, buf, sizeof(buf)) > 0)
				;
			return;
		}
		f->hits++;
		if (sscanf(buf, "GET %511s", path) != 1)
			return;
		body = fake_body(path);
		if (body)
			resp = nm_xasprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
					    "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
		else
			resp = nm_xasprintf("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}");
		if (write(fd, resp, strlen(resp)) < 0) {
			free(resp);
			return;
		}
		free(resp);
		end += 4;
		len -= (size_t)(end - buf);
		memmove(buf, end, len);
	}
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	int fd;

	while ((fd = accept(f->lfd, NULL, NULL)) >= 0) {
		serve_conn(f, fd);
		close(fd);
	}
	return NULL;
}

static void fake_start(struct fake *f, bool silent)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(f, 0, sizeof(*f));
	f->silent = silent;
	snprintf(f->path, sizeof(f->path), "/tmp/nsmap-test-docker-%d.sock", (int)getpid());
	unlink(f->path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->lfd, 8), 0);
	assert_int_equal(pthread_create(&f->thr, NULL, fake_main, f), 0);
	{
		char *env = nm_xasprintf("unix://%s", f->path);

		setenv("DOCKER_HOST", env, 1);
		free(env);
	}
}

static void fake_stop(struct fake *f)
{
	/* wakes accept() with an error */
	shutdown(f->lfd, SHUT_RDWR);
	pthread_join(f->thr, NULL);
	close(f->lfd);
	unlink(f->path);
	unsetenv("DOCKER_HOST");
}

/* ---- the snapshot the engine is matched against ---- */

static void peer(struct nm_link *l, const char *netns, const char *ifname)
{
	l->peer.present = l->peer.resolved = true;
	l->peer.netns = nm_xstrdup(netns);
	l->peer.ifname = nm_xstrdup(ifname);
}

static struct nm_snapshot *docker_snapshot(void)
{
	struct nm_snapshot *s = nm_snapshot_new();
	struct nm_netns *ns;
	struct nm_proc *p;

	/* the host, holding the bridges and the host ends */
	ns = th_add_ns(s, 4026531840UL, NULL, true);
	th_add_link(ns, 3, "docker0", "bridge", true, NULL);
	th_add_link(ns, 4, "br-5f3a9c1e2b7d", "bridge", true, NULL);
	peer(th_add_link(ns, 6, "veth1", "veth", true, NULL), "net:4026532281", "eth0");
	/* web: found by its pid */
	ns = th_add_ns(s, 4026532281UL, NULL, false);
	p = NM_PUSH(ns->procs, ns->n_procs);
	p->pid = 4242;
	p->comm = nm_xstrdup("httpd");
	peer(th_add_link(ns, 5, "eth0", "veth", true, NULL), "net:4026531840", "veth1");
	/* api: found by its sandbox bind mount (/var/run vs /run) */
	ns = th_add_ns(s, 4026532400UL, NULL, false);
	nm_strv_push(&ns->mounts, &ns->n_mounts, "/run/docker/netns/9f8e7d6c5b4a");
	/* a plain netns */
	ns = th_add_ns(s, 4026532500UL, NULL, false);
	nm_strv_push(&ns->names, &ns->n_names, "blue");
	return s;
}

/* Both naming steps, as a live snapshot runs them around collection, with DOCKER_HOST set
 * to docker_host (NULL: as it is). */
static void name_all(struct nm_snapshot *s, const char *docker_host)
{
	struct names *n;

	if (docker_host)
		setenv("DOCKER_HOST", docker_host, 1);
	n = names_probe(s);
	names_enrich(n, s);
	names_free(n);
	if (docker_host)
		unsetenv("DOCKER_HOST");
}

/* ---- tests ---- */

static void test_cgroup_id(void **state)
{
	char id[65];

	(void)state;
	assert_string_equal(cgroup_container_id("0::/system.slice/docker-" CID_WEB ".scope\n", id), "docker");
	assert_string_equal(id, CID_WEB);
	assert_string_equal(cgroup_container_id("12:pids:/docker/" CID_API "\n", id), "docker");
	assert_string_equal(id, CID_API);
	assert_string_equal(cgroup_container_id("0::/machine.slice/libpod-" CID_WEB ".scope/container\n", id),
			    "podman");
	assert_string_equal(cgroup_container_id("0::/kubepods.slice/cri-containerd-" CID_API ".scope\n", id),
			    "containerd");
	assert_null(cgroup_container_id("0::/user.slice/user-1000.slice/session-2.scope\n", id));
	/* 65 hex digits is not an id */
	assert_null(cgroup_container_id("0::/x/" CID_WEB "0\n", id));
	assert_null(cgroup_container_id("", id));
}

static void test_socket_path(void **state)
{
	char buf[256];

	(void)state;
	setenv("DOCKER_HOST", "unix:///tmp/x.sock", 1);
	assert_string_equal(docker_socket_path(buf, sizeof(buf)), "/tmp/x.sock");
	setenv("DOCKER_HOST", "tcp://10.0.0.1:2375", 1);
	assert_null(docker_socket_path(buf, sizeof(buf)));
	unsetenv("DOCKER_HOST");
	assert_non_null(docker_socket_path(buf, sizeof(buf)));
}

static void test_enrich_from_api(void **state)
{
	struct nm_snapshot *s = docker_snapshot();
	struct nm_container *c;
	struct fake f;

	(void)state;
	fake_start(&f, false);
	name_all(s, NULL);
	fake_stop(&f);

	c = s->netns[1].container;
	assert_non_null(c);
	assert_string_equal(c->name, "web");
	assert_string_equal(c->id, CID_WEB);
	assert_string_equal(c->image, "busybox-local");
	assert_string_equal(c->runtime, "docker");
	assert_int_equal(c->n_ports, 2);
	assert_string_equal(c->ports[0].proto, "tcp");
	assert_int_equal(c->ports[0].host_port, 8080);
	assert_int_equal(c->ports[0].container_port, 80);
	assert_string_equal(c->ports[0].host_ip, "0.0.0.0");
	assert_string_equal(c->ports[1].host_ip, "::");
	assert_string_equal(nm_find_link(&s->netns[0], "docker0")->network, "bridge");
	assert_string_equal(nm_find_link(&s->netns[0], "br-5f3a9c1e2b7d")->network, "appnet");
	c = s->netns[2].container;
	assert_non_null(c);
	assert_string_equal(c->name, "api");
	assert_null(s->netns[3].container);
	assert_null(s->netns[0].container);
	/* the container we could not place is reported */
	assert_int_equal(s->n_warnings, 1);
	assert_non_null(strstr(s->warnings[0], "not matched"));
	nm_snapshot_free(s);
}

/* The two steps around collection: containers at probe time (from what discovery saw),
 * bridges named only by enrich, once the links are there. */
static void test_probe_then_enrich(void **state)
{
	struct nm_snapshot *s = docker_snapshot();
	struct nm_link *links = s->netns[0].links;
	size_t n_links = s->netns[0].n_links;
	struct names *n;
	struct fake f;

	(void)state;
	/* as right after discovery: the host's links are not read yet */
	s->netns[0].links = NULL;
	s->netns[0].n_links = 0;
	fake_start(&f, false);
	n = names_probe(s);
	assert_non_null(s->netns[1].container);
	assert_string_equal(s->netns[1].container->name, "web");
	s->netns[0].links = links;
	s->netns[0].n_links = n_links;
	assert_null(nm_find_link(&s->netns[0], "docker0")->network);
	names_enrich(n, s);
	names_free(n);		/* closes the engine connection the fake serves */
	fake_stop(&f);
	assert_string_equal(nm_find_link(&s->netns[0], "docker0")->network, "bridge");
	assert_string_equal(nm_find_link(&s->netns[0], "br-5f3a9c1e2b7d")->network, "appnet");
	nm_snapshot_free(s);
}

static void test_silent_engine_does_not_hang(void **state)
{
	struct nm_snapshot *s = docker_snapshot();
	struct timespec a, b;
	struct fake f;
	double secs;

	(void)state;
	fake_start(&f, true);
	clock_gettime(CLOCK_MONOTONIC, &a);
	name_all(s, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	fake_stop(&f);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	assert_true(secs < 3.0);
	assert_null(s->netns[1].container);
	assert_int_equal(s->n_warnings, 1);
	assert_non_null(strstr(s->warnings[0], "did not answer"));
	nm_snapshot_free(s);
}

static void test_no_engine_is_quiet(void **state)
{
	struct nm_snapshot *s = docker_snapshot();

	(void)state;
	name_all(s, "unix:///nonexistent/nsmap-test.sock");
	assert_int_equal(s->n_warnings, 0);
	assert_null(s->netns[1].container);
	nm_snapshot_free(s);
}

static void test_tcp_docker_host_warns(void **state)
{
	struct nm_snapshot *s = docker_snapshot();

	(void)state;
	name_all(s, "tcp://127.0.0.1:2375");
	assert_int_equal(s->n_warnings, 1);
	assert_non_null(strstr(s->warnings[0], "unix://"));
	nm_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_id),
		cmocka_unit_test(test_socket_path),
		cmocka_unit_test(test_enrich_from_api),
		cmocka_unit_test(test_probe_then_enrich),
		cmocka_unit_test(test_silent_engine_does_not_hang),
		cmocka_unit_test(test_no_engine_is_quiet),
		cmocka_unit_test(test_tcp_docker_host_warns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
