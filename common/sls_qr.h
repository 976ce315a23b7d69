/* pam_sls - drawing a QR code in a terminal (libqrencode). */
#ifndef SLS_QR_H
#define SLS_QR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sls_error.h"

/*
 * Write the QR code of text (level M, 8-bit mode) to out as UTF-8 half
 * blocks, two module rows per line, with a 4-module quiet zone. With ansi
 * true (a terminal) every line sets black-on-white explicitly, so the code
 * reads the same on dark and light terminal themes; otherwise the dark
 * modules are drawn as blocks, for a light background (paper, a pager).
 * text may hold a secret: no copy of it is left in memory (wiped).
 */
enum sls_rc sls_qr_print(FILE *out, const char *text, bool ansi);

/*
 * The same drawing as a malloc'ed NUL-terminated string *out (lines joined
 * by '\n', for a PAM conversation message), length *len; free with
 * sls_free_secret(*out, *len + 1).
 */
enum sls_rc sls_qr_render(const char *text, bool ansi, char **out, size_t *len);

/*
 * The same, as small as a phone still reads it, for a login's prompt in an
 * 80x24 terminal: level L, a quiet zone of one module.
 */
enum sls_rc sls_qr_render_small(const char *text, bool ansi, char **out, size_t *len);

/*
 * sls_qr_render_small, only when the drawing is at most max_cols columns
 * (a module each) and max_lines lines (two module rows each), quiet zone
 * included; 0: no limit. SLS_ERR_TOOBIG (nothing drawn) when it is larger,
 * as when text is more than a QR code holds.
 */
enum sls_rc sls_qr_render_small_within(const char *text, bool ansi, int max_cols, int max_lines,
				       char **out, size_t *len);

/*
 * The module matrix of text (level M, 8-bit mode): *width x *width bytes,
 * bit 0 set for a dark module, malloc'ed into *modules (free with
 * sls_free_secret(*modules, width * width): it encodes the secret).
 */
enum sls_rc sls_qr_matrix(const char *text, unsigned char **modules, int *width);

#endif /* SLS_QR_H */
