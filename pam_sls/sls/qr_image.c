/*
 * sls - the QR code as a PNG (libpng's simplified API) or SVG file. See
 * qr_image.h for the contracts.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <png.h>

#include "outfile.h"
#include "qr_image.h"
#include "sls_qr.h"
#include "sls_secret.h"

#define IMG_MODULE_PX 8   /* pixels per module side */
#define IMG_QUIET     4   /* quiet zone, in modules */
#define IMG_WIDTH_MAX 177 /* modules across a version 40 code */

/* 1 when module (x, y) is dark; coordinates outside the code (quiet zone) are light. */
static int module_dark(const unsigned char *modules, int width, int x, int y)
{
	if (x < 0 || y < 0 || x >= width || y >= width)
		return 0;
	return modules[y * width + x] & 1;
}

/*
 * Create path and fill it with writer, the body of one format (the image of
 * modules, width x width, to fp); on any failure nothing is left at path.
 */
static enum sls_rc write_image(const char *path, const unsigned char *modules, int width,
			       enum sls_rc (*writer)(FILE *, const unsigned char *, int))
{
	enum sls_rc rc = SLS_ERR_INVAL;
	struct sls_outfile f;

	memset(&f, 0, sizeof(f));
	if (path == NULL || modules == NULL || width <= 0 || width > IMG_WIDTH_MAX)
		goto out;
	rc = sls_outfile_create(path, &f);
	if (rc != SLS_OK)
		goto out;
	rc = SLS_ERR_IO;
	if (setvbuf(f.fp, f.iobuf, _IOFBF, sizeof(f.iobuf)) == 0)
		rc = writer(f.fp, modules, width);
	if (rc == SLS_OK)
		rc = sls_outfile_finish(&f);
	if (rc != SLS_OK)
		sls_outfile_abort(path, &f);
out:
	sls_wipe(f.iobuf, sizeof(f.iobuf));
	return rc;
}

/* Encode text, then write_image(); the matrix is wiped. */
static enum sls_rc write_text(const char *path, const char *text,
			      enum sls_rc (*writer)(FILE *, const unsigned char *, int))
{
	enum sls_rc rc = SLS_ERR_INVAL;
	unsigned char *modules = NULL;
	int width = 0;

	if (path == NULL)
		goto out;
	rc = sls_qr_matrix(text, &modules, &width);
	if (rc != SLS_OK)
		goto out;
	rc = write_image(path, modules, width, writer);
out:
	sls_free_secret(modules, (size_t)width * (size_t)width);
	return rc;
}

/* Grey pixels, one byte each: 0x00 for a dark module, 0xff for light and the quiet zone. */
static void png_raster(const unsigned char *modules, int width, unsigned char *px, int side)
{
	for (int y = 0; y < side; y++)
		for (int x = 0; x < side; x++)
			px[(size_t)y * (size_t)side + (size_t)x] =
			    module_dark(modules, width, x / IMG_MODULE_PX - IMG_QUIET,
					y / IMG_MODULE_PX - IMG_QUIET)
				? 0x00
				: 0xff;
}

static enum sls_rc png_body(FILE *fp, const unsigned char *modules, int width)
{
	int side = (width + 2 * IMG_QUIET) * IMG_MODULE_PX;
	size_t size = (size_t)side * (size_t)side;
	enum sls_rc rc = SLS_ERR_NOMEM;
	unsigned char *px;
	png_image img;

	memset(&img, 0, sizeof(img));
	px = malloc(size);
	if (px == NULL)
		goto out;
	png_raster(modules, width, px, side);
	img.version = PNG_IMAGE_VERSION;
	img.width = (png_uint_32)side;
	img.height = (png_uint_32)side;
	img.format = PNG_FORMAT_GRAY;
	rc = SLS_ERR_IO;
	if (png_image_write_to_stdio(&img, fp, 0, px, 0, NULL) == 0)
		goto out;
	rc = SLS_OK;
out:
	png_image_free(&img);
	sls_free_secret(px, size);
	return rc;
}

/* Row y of the code as one <rect> per horizontal run of dark modules. */
static enum sls_rc svg_row(FILE *fp, const unsigned char *modules, int width, int y)
{
	int run;

	for (int x = 0; x < width; x += run + 1) {
		run = 0;
		while (module_dark(modules, width, x + run, y))
			run++;
		if (run > 0 &&
		    fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
			    (x + IMG_QUIET) * IMG_MODULE_PX, (y + IMG_QUIET) * IMG_MODULE_PX,
			    run * IMG_MODULE_PX, IMG_MODULE_PX) < 0)
			return SLS_ERR_IO;
	}
	return SLS_OK;
}

static enum sls_rc svg_body(FILE *fp, const unsigned char *modules, int width)
{
	int side = (width + 2 * IMG_QUIET) * IMG_MODULE_PX;

	if (fprintf(fp,
		    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
		    "height=\"%d\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">\n"
		    "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n"
		    "<g fill=\"#000000\">\n",
		    side, side, side, side, side, side) < 0)
		return SLS_ERR_IO;
	for (int y = 0; y < width; y++)
		if (svg_row(fp, modules, width, y) != SLS_OK)
			return SLS_ERR_IO;
	if (fputs("</g>\n</svg>\n", fp) == EOF)
		return SLS_ERR_IO;
	return SLS_OK;
}

enum sls_rc sls_qr_write_png(const char *path, const char *text)
{
	return write_text(path, text, png_body);
}

enum sls_rc sls_qr_write_svg(const char *path, const char *text)
{
	return write_text(path, text, svg_body);
}

enum sls_rc sls_qr_write_png_matrix(const char *path, const unsigned char *modules, int width)
{
	return write_image(path, modules, width, png_body);
}
