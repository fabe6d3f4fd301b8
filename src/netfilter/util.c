/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.c - small helpers of the netfilter decoders: the library lock, a growing string, quoting as iptables-save does, hex, masks. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nf.h"

static pthread_mutex_t lib_lock = PTHREAD_MUTEX_INITIALIZER;

void nf_lib_lock(void)
{
	pthread_mutex_lock(&lib_lock);
}

void nf_lib_unlock(void)
{
	pthread_mutex_unlock(&lib_lock);
}

void nf_buf_puts(struct nf_buf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = nm_xrealloc(b->s, cap, 1);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

void nf_buf_printf(struct nf_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		abort();
	nf_buf_puts(b, s);
	free(s);
}

char *nf_buf_steal(struct nf_buf *b)
{
	char *s = b->s ? b->s : nm_xstrdup("");

	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void nf_buf_free(struct nf_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

void nf_buf_save_string(struct nf_buf *b, const char *s)
{
	static const char bare[] = "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t n = strspn(s, bare);
	char c[3] = { '\\', 0, 0 };

	if (n > 0 && s[n] == '\0') {
		nf_buf_puts(b, " ");
		nf_buf_puts(b, s);
		return;
	}
	nf_buf_puts(b, " \"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\' || *s == '\'') {
			c[1] = *s;
			nf_buf_puts(b, c);
		} else {
			char one[2] = { *s, 0 };

			nf_buf_puts(b, one);
		}
	}
	nf_buf_puts(b, "\"");
}

char *nf_hex(const void *data, size_t len)
{
	const uint8_t *p = data;
	struct nf_buf b = { 0 };
	size_t i;

	for (i = 0; i < len; i++)
		nf_buf_printf(&b, "%02x", p[i]);
	return nf_buf_steal(&b);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long nf_unhex(const char *s, uint8_t **out)
{
	size_t n = strlen(s), i;
	uint8_t *p;

	*out = NULL;
	if (n % 2)
		return -1;
	p = nm_xcalloc(n / 2 + 1, 1);
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(p);
			return -1;
		}
		p[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = p;
	return (long)(n / 2);
}

int nf_mask_plen(const uint8_t *mask, size_t len)
{
	size_t i;
	int plen = 0;
	bool ended = false;

	for (i = 0; i < len; i++) {
		int bit;

		for (bit = 7; bit >= 0; bit--) {
			if (mask[i] & (1 << bit)) {
				if (ended)
					return -1;
				plen++;
			} else {
				ended = true;
			}
		}
	}
	return plen;
}
