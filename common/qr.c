/*
 * pam_sls - QR codes drawn with UTF-8 half blocks (libqrencode, linked at
 * build time). See sls_qr.h for the contracts.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "sls_qr.h"
#include "sls_secret.h"

/* Quiet zone around the code, in modules (ISO/IEC 18004 asks for 4). */
#define QR_QUIET 4
/* Inside a login's prompt (80x24): one module, which phone cameras read all the same. */
#define QR_QUIET_SMALL 1

/* Black foreground on bright white background for a whole line, then reset. */
#define SGR_BLACK_ON_WHITE "\033[30;107m"
#define SGR_RESET          "\033[0m"

/*
 * One text cell shows two module rows. The glyphs paint the foreground, so
 * they draw the DARK modules: black on the explicit white of the ANSI
 * variant, and the terminal's text colour on a light background otherwise.
 * Index: bit 0 = top module dark, bit 1 = bottom module dark.
 */
static const char *const half_blocks[4] = {
    " ",            /* both light */
    "\xe2\x96\x80", /* U+2580 UPPER HALF BLOCK: top dark */
    "\xe2\x96\x84", /* U+2584 LOWER HALF BLOCK: bottom dark */
    "\xe2\x96\x88", /* U+2588 FULL BLOCK: both dark */
};

/* Encode text at level, 8-bit hint, case-sensitive; *qr is freed with release(). */
static enum sls_rc encode_at(const char *text, QRecLevel level, QRcode **qr)
{
	*qr = NULL;
	if (text == NULL)
		return SLS_ERR_INVAL;
	*qr = QRcode_encodeString(text, 0, level, QR_MODE_8, 1);
	if (*qr != NULL)
		return SLS_OK;
	if (errno == ENOMEM)
		return SLS_ERR_NOMEM;
	if (errno == ERANGE) /* more data than version 40 holds */
		return SLS_ERR_TOOBIG;
	return SLS_ERR_INVAL;
}

static enum sls_rc encode(const char *text, QRcode **qr)
{
	return encode_at(text, QR_ECLEVEL_M, qr);
}

/* Wipe the modules (they encode the secret), then free. NULL is allowed. */
static void release(QRcode *qr)
{
	if (qr == NULL)
		return;
	sls_wipe(qr->data, (size_t)qr->width * (size_t)qr->width);
	QRcode_free(qr);
}

/* 1 when module (x, y) is dark; coordinates outside the code (quiet zone) are light. */
static unsigned dark(const QRcode *qr, int x, int y)
{
	if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
		return 0;
	return qr->data[y * qr->width + x] & 1u;
}

/* Append s at buf + pos when buf is not NULL (NULL: only measure); the new length. */
static size_t put(char *buf, size_t pos, const char *s)
{
	size_t n = strlen(s);

	if (buf != NULL)
		memcpy(buf + pos, s, n);
	return pos + n;
}

/* The text line showing module rows y and y + 1, quiet zone included. */
static size_t draw_line(const QRcode *qr, int y, bool ansi, int quiet, char *buf, size_t pos)
{
	if (ansi)
		pos = put(buf, pos, SGR_BLACK_ON_WHITE);
	for (int x = -quiet; x < qr->width + quiet; x++)
		pos = put(buf, pos, half_blocks[dark(qr, x, y) | dark(qr, x, y + 1) << 1]);
	if (ansi)
		pos = put(buf, pos, SGR_RESET);
	return pos;
}

/*
 * The whole drawing, lines joined by '\n' (none at the end), into buf when
 * not NULL; returns its length either way, so a first call can size buf.
 * The width is odd, so the last line's lower half lies past the quiet zone:
 * it is drawn light, which only widens the bottom quiet zone.
 */
static size_t draw(const QRcode *qr, bool ansi, int quiet, char *buf)
{
	size_t pos = 0;

	for (int y = -quiet; y < qr->width + quiet; y += 2) {
		if (y > -quiet)
			pos = put(buf, pos, "\n");
		pos = draw_line(qr, y, ansi, quiet, buf, pos);
	}
	return pos;
}

/* How a drawing is made: the level, the quiet zone, and its largest size (0: any). */
struct style {
	QRecLevel level;
	int quiet;
	int max_cols, max_lines;
};

/* Whether qr drawn in style fits its largest size: a module a column, two rows a line. */
static bool fits(const QRcode *qr, const struct style *st)
{
	int cols = qr->width + 2 * st->quiet, lines = (cols + 1) / 2;

	return (st->max_cols == 0 || cols <= st->max_cols) &&
	       (st->max_lines == 0 || lines <= st->max_lines);
}

static enum sls_rc render(const char *text, const struct style *st, bool ansi, char **out,
			  size_t *len)
{
	enum sls_rc rc = SLS_ERR_INVAL;
	int quiet = st->quiet;
	QRcode *qr = NULL;
	char *buf;
	size_t n;

	if (out == NULL || len == NULL)
		goto out;
	*out = NULL;
	*len = 0;
	rc = encode_at(text, st->level, &qr);
	if (rc == SLS_OK && !fits(qr, st))
		rc = SLS_ERR_TOOBIG;
	if (rc != SLS_OK)
		goto out;
	n = draw(qr, ansi, quiet, NULL);
	rc = SLS_ERR_NOMEM;
	buf = malloc(n + 1);
	if (buf == NULL)
		goto out;
	draw(qr, ansi, quiet, buf);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	rc = SLS_OK;
out:
	release(qr);
	return rc;
}

enum sls_rc sls_qr_render(const char *text, bool ansi, char **out, size_t *len)
{
	const struct style st = {QR_ECLEVEL_M, QR_QUIET, 0, 0};

	return render(text, &st, ansi, out, len);
}

enum sls_rc sls_qr_render_small(const char *text, bool ansi, char **out, size_t *len)
{
	return sls_qr_render_small_within(text, ansi, 0, 0, out, len);
}

enum sls_rc sls_qr_render_small_within(const char *text, bool ansi, int max_cols, int max_lines,
				       char **out, size_t *len)
{
	const struct style st = {QR_ECLEVEL_L, QR_QUIET_SMALL, max_cols, max_lines};

	return render(text, &st, ansi, out, len);
}

enum sls_rc sls_qr_print(FILE *out, const char *text, bool ansi)
{
	enum sls_rc rc = SLS_ERR_INVAL;
	char *s = NULL;
	size_t n = 0;

	if (out == NULL)
		goto out;
	rc = sls_qr_render(text, ansi, &s, &n);
	if (rc != SLS_OK)
		goto out;
	rc = SLS_ERR_IO;
	if (fwrite(s, 1, n, out) != n || fputc('\n', out) == EOF || fflush(out) != 0)
		goto out;
	rc = SLS_OK;
out:
	sls_free_secret(s, n + 1);
	return rc;
}

enum sls_rc sls_qr_matrix(const char *text, unsigned char **modules, int *width)
{
	enum sls_rc rc = SLS_ERR_INVAL;
	QRcode *qr = NULL;
	unsigned char *m;
	size_t size;

	if (modules == NULL || width == NULL)
		goto out;
	*modules = NULL;
	*width = 0;
	rc = encode(text, &qr);
	if (rc != SLS_OK)
		goto out;
	size = (size_t)qr->width * (size_t)qr->width;
	rc = SLS_ERR_NOMEM;
	m = malloc(size);
	if (m == NULL)
		goto out;
	for (size_t i = 0; i < size; i++)
		m[i] = qr->data[i] & 1u;
	*modules = m;
	*width = qr->width;
	rc = SLS_OK;
out:
	release(qr);
	return rc;
}
