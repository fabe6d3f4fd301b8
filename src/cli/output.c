/* SPDX-License-Identifier: GPL-2.0-or-later */
/* output.c - the atomic output writer: a temporary file beside the target, renamed into place only when complete. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cli_sink_open(struct cli_sink *k, const char *path)
{
	mode_t mode = 0644;
	struct stat st;
	char *dup, *dir;
	int fd;

	k->path = path;
	if (!path || !strcmp(path, "-")) {
		k->f = stdout;
		return 0;
	}
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return -EISDIR;
		/* renaming over /dev/null, /dev/stdout or a fifo would replace it: write in place */
		if (!S_ISREG(st.st_mode)) {
			k->f = fopen(path, "we");
			return k->f ? 0 : -errno;
		}
		mode = st.st_mode & 07777;
		k->real = realpath(path, NULL);
		if (k->real)
			path = k->path = k->real;
	}
	dup = nm_xstrdup(path);
	dir = dirname(dup);
	k->tmp = nm_xasprintf("%s/.nsmap-XXXXXX", dir);
	free(dup);
	fd = mkstemp(k->tmp);
	if (fd < 0) {
		int err = -errno;

		free(k->tmp);
		free(k->real);
		k->tmp = k->real = NULL;
		return err;
	}
	fchmod(fd, mode);
	k->f = fdopen(fd, "w");
	if (!k->f) {
		int err = -errno;

		close(fd);
		unlink(k->tmp);
		free(k->tmp);
		free(k->real);
		k->tmp = k->real = NULL;
		return err;
	}
	return 0;
}

int cli_sink_close(struct cli_sink *k, bool ok)
{
	int err = 0;

	if (k->f == stdout) {
		if (fflush(stdout) == EOF)
			err = -errno;
		return err;
	}
	if (!k->tmp) {
		if (ferror(k->f))
			err = -EIO;
		if (fclose(k->f) == EOF && !err)
			err = -errno;
		return err ? err : (ok ? 0 : -EIO);
	}
	if (ferror(k->f))
		ok = false;
	if (fclose(k->f) == EOF && ok) {
		err = -errno;
		ok = false;
	}
	if (ok && rename(k->tmp, k->path) < 0)
		err = -errno;
	if (!ok || err)
		unlink(k->tmp);
	free(k->tmp);
	free(k->real);
	return ok ? err : (err ? err : -EIO);
}
