/* pam_sls - strict INI parsing on top of libinih, and a wiping output buffer. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "ini_util.h"
#include "sls_codec.h"
#include "sls_file.h"
#include "sls_secret.h"

#define INI_SECTION_MAX 48 /* libinih keeps 49 bytes of a section name: refuse longer ones */

/*
 * The state of one parse, shared by the line reader and the value handler
 * that libinih calls in turn: the reader hands libinih one line at a time
 * and remembers what that line holds, the handler checks that libinih saw
 * the same thing.
 */
struct ini_reader {
	const char *pos; /* next unread byte of the text */
	const struct sls_ini_ops *ops;
	void *ctx;
	struct sls_diag *diag;
	enum sls_rc rc; /* first error; SLS_OK so far */
	int line;       /* the line last handed to libinih */
	char section[INI_SECTION_MAX + 1];
	bool in_section;
	bool pending;            /* the last line is a value libinih has not reported yet */
	bool cont;               /* ... and it is a continuation line */
	const char *key, *value; /* the last key line's key, the pending value (in the text) */
	size_t key_len, value_len;
};

static bool ini_fail(struct ini_reader *r, const char *what)
{
	if (r->rc == SLS_OK) {
		r->rc = SLS_ERR_FORMAT;
		sls_diag_set(r->diag, r->line, "%s", what);
	}
	return false;
}

static bool ini_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void ini_strip(const char **s, size_t *len)
{
	while (*len > 0 && ini_is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && ini_is_blank((*s)[*len - 1]))
		(*len)--;
}

static bool ini_check_chars(struct ini_reader *r, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return ini_fail(r, "control character in line");
	}
	return true;
}

static bool ini_on_section_line(struct ini_reader *r, const char *s, size_t len)
{
	enum sls_rc rc;

	if (len < 2 || s[len - 1] != ']')
		return ini_fail(r, "malformed section line");
	s++;
	len -= 2;
	if (len == 0 || len > INI_SECTION_MAX || memchr(s, '[', len) != NULL ||
	    memchr(s, ']', len) != NULL)
		return ini_fail(r, "malformed section line");
	if (r->in_section && (rc = r->ops->end_section(r->ctx, r->diag)) != SLS_OK) {
		r->rc = rc;
		return false;
	}
	memcpy(r->section, s, len);
	r->section[len] = '\0';
	r->in_section = true;
	r->key = NULL;
	rc = r->ops->section(r->ctx, r->section, r->line, r->diag);
	if (rc != SLS_OK) {
		r->rc = rc;
		return false;
	}
	return true;
}

static bool ini_on_key_line(struct ini_reader *r, const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);
	size_t klen;

	if (!r->in_section)
		return ini_fail(r, "key outside a section");
	if (eq == NULL)
		return ini_fail(r, "line without '='");
	klen = (size_t)(eq - s);
	while (klen > 0 && ini_is_blank(s[klen - 1]))
		klen--;
	if (klen == 0 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") != klen)
		return ini_fail(r, "malformed key");
	r->key = s;
	r->key_len = klen;
	r->value = eq + 1;
	r->value_len = len - (size_t)(eq + 1 - s);
	ini_strip(&r->value, &r->value_len);
	r->cont = false;
	r->pending = true;
	return true;
}

static bool ini_on_cont_line(struct ini_reader *r, const char *s, size_t len)
{
	if (r->key == NULL)
		return ini_fail(r, "indented line");
	ini_strip(&s, &len);
	if (*s == ';' || *s == '#')
		return ini_fail(r, "indented comment");
	r->value = s;
	r->value_len = len;
	r->cont = true;
	r->pending = true;
	return true;
}

/* Check one line (len bytes, without '\n') and note what libinih should make of it. */
static bool ini_classify(struct ini_reader *r, const char *s, size_t len)
{
	const char *t = s;
	size_t tlen = len;

	if (!ini_check_chars(r, s, len))
		return false;
	ini_strip(&t, &tlen);
	if (tlen == 0 || *s == ';' || *s == '#')
		return true;
	if (*s == '[')
		return ini_on_section_line(r, s, len);
	if (ini_is_blank(*s))
		return ini_on_cont_line(r, s, len);
	return ini_on_key_line(r, s, len);
}

/*
 * libinih's fgets-like reader. Wipes libinih's line buffer (str, num
 * bytes) on every call, so that no value outlives the next line.
 */
static char *ini_read_line(char *str, int num, void *stream)
{
	struct ini_reader *r = stream;
	size_t len;

	if (num > 0)
		sls_wipe(str, (size_t)num);
	if (r->rc != SLS_OK || *r->pos == '\0')
		return NULL;
	if (r->pending) {
		ini_fail(r, "line not understood");
		return NULL;
	}
	r->line++;
	len = strcspn(r->pos, "\n");
	if (r->pos[len] != '\n') {
		ini_fail(r, "last line not terminated (truncated file?)");
		return NULL;
	}
	if (len > SLS_INI_LINE_MAX || num < 3 || len > (size_t)num - 3) {
		ini_fail(r, "line too long");
		return NULL;
	}
	if (!ini_classify(r, r->pos, len))
		return NULL;
	memcpy(str, r->pos, len + 1);
	str[len + 1] = '\0';
	r->pos += len + 1;
	return str;
}

static bool ini_same(const char *s, const char *expect, size_t len)
{
	/* the value may be a secret: compare it the one way secrets are compared */
	return strlen(s) == len && sls_secure_equal(s, expect, len);
}

static int ini_on_value(void *user, const char *section, const char *name, const char *value)
{
	struct ini_reader *r = user;
	enum sls_rc rc;

	if (r->rc != SLS_OK)
		return 0;
	if (!r->pending || strcmp(section, r->section) != 0 ||
	    !ini_same(name, r->key, r->key_len) || !ini_same(value, r->value, r->value_len))
		return ini_fail(r, "value not read as written (inline comment?)");
	r->pending = false;
	rc = r->ops->key(r->ctx, name, value, r->cont, r->line, r->diag);
	/* value lies in libinih's writable line buffer: wipe it now it is used */
	sls_wipe((char *)(uintptr_t)value, strlen(value));
	if (rc != SLS_OK) {
		r->rc = rc;
		return 0;
	}
	return 1;
}

enum sls_rc sls_ini_parse(const char *buf, const struct sls_ini_ops *ops, void *ctx,
			  struct sls_diag *diag)
{
	struct ini_reader r = {.pos = buf, .ops = ops, .ctx = ctx, .diag = diag, .rc = SLS_OK};
	int n;

	n = ini_parse_stream(ini_read_line, &r, ini_on_value, &r);
	if (r.rc != SLS_OK)
		return r.rc;
	if (n == -2) {
		sls_diag_set(diag, 0, "out of memory");
		return SLS_ERR_NOMEM;
	}
	if (n != 0) {
		sls_diag_set(diag, n, "syntax error");
		return SLS_ERR_FORMAT;
	}
	if (r.pending) {
		sls_diag_set(diag, r.line, "line not understood");
		return SLS_ERR_FORMAT;
	}
	return r.in_section ? ops->end_section(ctx, diag) : SLS_OK;
}

bool sls_ini_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return false;
	for (; *s != '\0'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (*s < '0' || *s > '9' || d > max || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool sls_ini_parse_time(const char *s, bool positive, time_t *out)
{
	const uint64_t max = ((uint64_t)1 << (sizeof(time_t) * 8 - 1)) - 1;
	uint64_t v;

	if (!sls_ini_parse_u64(s, max, &v) || (positive && v == 0))
		return false;
	*out = (time_t)v;
	return true;
}

bool sls_ini_parse_bool(const char *s, bool *out)
{
	if (strcmp(s, "yes") == 0)
		*out = true;
	else if (strcmp(s, "no") == 0)
		*out = false;
	else
		return false;
	return true;
}

bool sls_ini_split_section(const char *section, const char *kind, char *name, size_t name_max)
{
	size_t klen = strlen(kind);
	const char *n = section + klen + 1;

	if (strncmp(section, kind, klen) != 0 || section[klen] != ' ' || !sls_name_ok(n, name_max))
		return false;
	memcpy(name, n, strlen(n) + 1);
	return true;
}

enum sls_rc sls_ini_parse_base32(const char *s, uint8_t *out, size_t outsize, size_t *outlen)
{
	enum sls_rc rc;

	if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != strlen(s)) {
		sls_wipe(out, outsize);
		return SLS_ERR_ENCODING;
	}
	rc = sls_base32_decode(s, out, outsize, outlen);
	if (rc != SLS_OK) {
		sls_wipe(out, outsize);
		*outlen = 0;
	}
	return rc;
}

enum sls_rc sls_ini_parse_hex(const char *s, uint8_t *out, size_t want)
{
	enum sls_rc rc = SLS_ERR_ENCODING;
	size_t got = 0;

	if (strlen(s) != 2 * want || strspn(s, "0123456789abcdef") != 2 * want)
		goto out;
	rc = sls_hex_decode(s, out, want, &got);
	if (rc == SLS_OK && got != want)
		rc = SLS_ERR_ENCODING;
out:
	if (rc != SLS_OK)
		sls_wipe(out, want);
	return rc;
}

void sls_ini_buf_init(struct sls_ini_buf *b)
{
	memset(b, 0, sizeof(*b));
}

/* Make room for extra more bytes and a NUL; a new block, the old one wiped. */
static bool ini_buf_reserve(struct sls_ini_buf *b, size_t extra)
{
	size_t cap;
	char *p;

	if (b->failed)
		return false;
	if (extra < b->cap - b->len)
		return true;
	if (extra > SIZE_MAX / 4 - b->len) {
		b->failed = true;
		return false;
	}
	cap = b->cap > 0 ? b->cap : 256;
	while (cap <= b->len + extra)
		cap *= 2;
	p = malloc(cap);
	if (p == NULL) {
		b->failed = true;
		return false;
	}
	if (b->data != NULL)
		memcpy(p, b->data, b->len + 1);
	else
		p[0] = '\0';
	sls_free_secret(b->data, b->cap);
	b->data = p;
	b->cap = cap;
	return true;
}

void sls_ini_buf_add(struct sls_ini_buf *b, const char *s)
{
	size_t n = strlen(s);

	if (!ini_buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n + 1);
	b->len += n;
}

void sls_ini_buf_addf(struct sls_ini_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (!ini_buf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void sls_ini_buf_key(struct sls_ini_buf *b, const char *key, const char *value)
{
	sls_ini_buf_add(b, key);
	sls_ini_buf_add(b, *value != '\0' ? " = " : " =");
	sls_ini_buf_add(b, value);
	sls_ini_buf_add(b, "\n");
}

void sls_ini_buf_key_num(struct sls_ini_buf *b, const char *key, uint64_t value)
{
	sls_ini_buf_addf(b, "%s = %" PRIu64 "\n", key, value);
}

void sls_ini_buf_key_base32(struct sls_ini_buf *b, const char *key, const uint8_t *p, size_t n)
{
	char text[160];

	if (sls_base32_encode(p, n, text, sizeof(text), 0) != SLS_OK)
		b->failed = true;
	else
		sls_ini_buf_key(b, key, text);
	sls_wipe(text, sizeof(text));
}

void sls_ini_buf_key_hex(struct sls_ini_buf *b, const char *key, const uint8_t *p, size_t n)
{
	char text[160];

	if (sls_hex_encode(p, n, text, sizeof(text)) != SLS_OK)
		b->failed = true;
	else
		sls_ini_buf_key(b, key, text);
	sls_wipe(text, sizeof(text));
}

enum sls_rc sls_ini_buf_finish(struct sls_ini_buf *b, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (!ini_buf_reserve(b, 0)) {
		sls_ini_buf_free(b);
		return SLS_ERR_NOMEM;
	}
	*out = b->data;
	*len = b->len;
	sls_ini_buf_init(b);
	return SLS_OK;
}

void sls_ini_buf_free(struct sls_ini_buf *b)
{
	sls_free_secret(b->data, b->cap);
	sls_ini_buf_init(b);
}

enum sls_rc sls_ini_device_section(const char *section, const struct sls_ini_devices *devs,
				   char *name, size_t name_max, int line, struct sls_diag *diag)
{
	if (!devs->first_seen) {
		sls_diag_set(diag, line, "[%s] must come first", devs->first);
		return SLS_ERR_FORMAT;
	}
	if (!sls_ini_split_section(section, "device", name, name_max)) {
		sls_diag_set(diag, line, "invalid or too long device name");
		return SLS_ERR_FORMAT;
	}
	if (devs->count >= devs->max) {
		sls_diag_set(diag, line, "more than %zu devices", devs->max);
		return SLS_ERR_FORMAT;
	}
	if (devs->exists(devs->ctx, name)) {
		sls_diag_set(diag, line, "duplicate device '%s'", name);
		return SLS_ERR_FORMAT;
	}
	return SLS_OK;
}
