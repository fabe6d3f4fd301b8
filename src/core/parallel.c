/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parallel.c - run independent per-namespace jobs on every CPU (at most four threads). */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "model.h"

#define NM_MAX_THREADS 4

struct job {
	size_t n;
	void (*fn)(size_t i, void *arg);
	void *arg;
	atomic_size_t next;
};

static void *run(void *p)
{
	struct job *j = p;
	size_t i;

	while ((i = atomic_fetch_add(&j->next, 1)) < j->n)
		j->fn(i, j->arg);
	return NULL;
}

void nm_parallel(size_t n, void (*fn)(size_t i, void *arg), void *arg)
{
	struct job j = { .n = n, .fn = fn, .arg = arg };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = ncpu > 1 ? (size_t)(ncpu > NM_MAX_THREADS ? NM_MAX_THREADS : ncpu) : 1;
	pthread_t tids[NM_MAX_THREADS];
	size_t i, started = 0;

	atomic_init(&j.next, 0);
	if (n < NM_PARALLEL_MIN)
		nthreads = 1;
	for (i = 1; i < nthreads; i++)
		if (pthread_create(&tids[started], NULL, run, &j) == 0)
			started++;
	run(&j);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
}
