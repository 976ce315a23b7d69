/*
 * pam_sls - strict INI parsing on top of libinih, and a wiping output
 * buffer, shared by the enrolment (enrol.c) and state (state.c) files.
 * Internal to the common library.
 */
#ifndef SLS_INI_UTIL_H
#define SLS_INI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sls_error.h"
#include "sls_text.h"

/* Longest line accepted, without its '\n' (libinih's buffer is 200 with '\r\n\0'). */
#define SLS_INI_LINE_MAX 196

/*
 * What a parser does with each piece of the file. Every callback returns
 * SLS_OK or fills diag (with the line) and returns an error, which stops the
 * parse. Values are only valid during the call and may be secrets.
 */
struct sls_ini_ops {
	/* A "[name]" line; the previous section (if any) has been ended. */
	enum sls_rc (*section)(void *ctx, const char *name, int line, struct sls_diag *diag);
	/*
	 * A "key = value" line, or (cont true) an indented continuation line
	 * of the previous key in the same section: then key is that key's name
	 * and value the stripped line.
	 */
	enum sls_rc (*key)(void *ctx, const char *key, const char *value, bool cont, int line,
			   struct sls_diag *diag);
	/* The end of the current section: before the next one, or at the end of the file. */
	enum sls_rc (*end_section)(void *ctx, struct sls_diag *diag);
};

/*
 * Parse the NUL-terminated text buf with libinih under stricter rules than
 * libinih's own: every line ends with '\n' (a file cut mid-line is an
 * error), holds no control character but tab, is at most SLS_INI_LINE_MAX
 * bytes, and is blank, a comment starting in column 1 with ';' or '#', a
 * "[section]" with nothing after the ']', a "key = value" whose key is
 * [a-z0-9_]+, or an indented continuation of the previous key. libinih must
 * hand back exactly the key and value of the line (so an inline comment or
 * a split line can never change a value silently), and every line it calls
 * an error is one. libinih's line buffer is wiped after each line.
 * SLS_ERR_FORMAT with diag (line and a message without values), or the
 * callbacks' code.
 */
enum sls_rc sls_ini_parse(const char *buf, const struct sls_ini_ops *ops, void *ctx,
			  struct sls_diag *diag);

/* Decimal digits only, no sign, no leading zero (but "0"), value <= max. */
bool sls_ini_parse_u64(const char *s, uint64_t max, uint64_t *out);
/* An epoch time: as sls_ini_parse_u64, >= 0 (> 0 when positive is true). */
bool sls_ini_parse_time(const char *s, bool positive, time_t *out);
/* "yes" or "no". */
bool sls_ini_parse_bool(const char *s, bool *out);
/*
 * "KIND NAME" with one space, NAME valid (sls_name_valid) and at most
 * name_max bytes; copied into name (name_max + 1 bytes).
 */
bool sls_ini_split_section(const char *section, const char *kind, char *name, size_t name_max);
/*
 * A "[device NAME]" section opening while count of at most max devices are
 * taken, in a file whose first section, first (e.g. "user"), has been
 * seen when first_seen: NAME checked as sls_ini_split_section does, not one
 * that exists(ctx, NAME) says is taken, copied into name (name_max + 1
 * bytes). SLS_ERR_FORMAT with diag otherwise.
 */
struct sls_ini_devices {
	const char *first;
	bool first_seen;
	size_t count, max;
	bool (*exists)(const void *ctx, const char *name);
	const void *ctx;
};
enum sls_rc sls_ini_device_section(const char *section, const struct sls_ini_devices *devs,
				   char *name, size_t name_max, int line, struct sls_diag *diag);

/*
 * Upper-case unpadded base32 ([A-Z2-7]) decoded into out; on failure out is
 * wiped. SLS_ERR_ENCODING, or SLS_ERR_TOOBIG when it does not fit.
 */
enum sls_rc sls_ini_parse_base32(const char *s, uint8_t *out, size_t outsize, size_t *outlen);
/* Lower-case hex of exactly want bytes into out; on failure out is wiped. */
enum sls_rc sls_ini_parse_hex(const char *s, uint8_t *out, size_t want);

/*
 * A growable text buffer for serializing secrets: each growth copies into
 * a new allocation and wipes the old one; sls_ini_buf_free wipes. After an
 * allocation failure every append is a no-op and sls_ini_buf_finish
 * returns SLS_ERR_NOMEM.
 */
struct sls_ini_buf {
	char *data;
	size_t len; /* without the NUL */
	size_t cap;
	bool failed;
};

void sls_ini_buf_init(struct sls_ini_buf *b);
void sls_ini_buf_add(struct sls_ini_buf *b, const char *s);
void sls_ini_buf_addf(struct sls_ini_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "key = value\n", or "key =\n" for an empty value. */
void sls_ini_buf_key(struct sls_ini_buf *b, const char *key, const char *value);
/* "key = N\n" for a time or a count. */
void sls_ini_buf_key_num(struct sls_ini_buf *b, const char *key, uint64_t value);
/* "key = " + base32 (unpadded) / lower-case hex of n bytes + "\n". */
void sls_ini_buf_key_base32(struct sls_ini_buf *b, const char *key, const uint8_t *p, size_t n);
void sls_ini_buf_key_hex(struct sls_ini_buf *b, const char *key, const uint8_t *p, size_t n);
/*
 * Hand the text over: *out (free with sls_free_secret(*out, *len + 1)),
 * *len. On failure the buffer is freed and *out is NULL. b is emptied.
 */
enum sls_rc sls_ini_buf_finish(struct sls_ini_buf *b, char **out, size_t *len);
/* Wipe and free. */
void sls_ini_buf_free(struct sls_ini_buf *b);

#endif /* SLS_INI_UTIL_H */
