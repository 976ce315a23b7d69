/* sls - the QR code as an image file: PNG (libpng) or SVG. Kept out of common/ so that the PAM
 * module does not link libpng. */
#ifndef SLS_QR_IMAGE_H
#define SLS_QR_IMAGE_H

#include "sls_error.h"

/*
 * Write the QR code of text as a grey PNG (8 px per module, 4-module quiet
 * zone) / an SVG document to path, created with
 * O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC and mode 0600 (it holds a
 * secret): an existing file is never overwritten (SLS_ERR_EXISTS). On any
 * failure the partly written file is removed.
 */
enum sls_rc sls_qr_write_png(const char *path, const char *text);
enum sls_rc sls_qr_write_svg(const char *path, const char *text);

/*
 * The same PNG from a module matrix as sls_qr_matrix() gives it (width x
 * width bytes, bit 0 set for a dark module, width at most 177): for a caller
 * that already holds the matrix, and for tests that redraw a parsed drawing.
 */
enum sls_rc sls_qr_write_png_matrix(const char *path, const unsigned char *modules, int width);

#endif /* SLS_QR_IMAGE_H */
