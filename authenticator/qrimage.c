/* sls-authenticator - read a QR code from a PNG or JPEG image (libpng, libjpeg, libzbar). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qrimage.h"
#include "sls_i18n.h"
#include "sls_secret.h"

#ifdef HAVE_ZBAR
#include <jpeglib.h>
#include <png.h>
#include <zbar.h>
#endif

/* Images larger than this (pixels) are refused rather than decoded. */
#define QRIMAGE_MAX_PIXELS (64u * 1024 * 1024)

/* The texts are marked for translation here and translated where printed (qrdecode.c). */
const char *qrimage_strerror(enum qrimage_err err)
{
	switch (err) {
	case QRIMAGE_OK:
		return N_("success");
	case QRIMAGE_UNREADABLE:
		return N_("cannot read the image file");
	case QRIMAGE_BAD_IMAGE:
		return N_("not a PNG or JPEG image that can be decoded");
	case QRIMAGE_NO_CODE:
		return N_("no QR code found in the image");
	case QRIMAGE_NOMEM:
		return N_("out of memory");
	case QRIMAGE_UNSUPPORTED:
		return N_("built without libzbar: import the otpauth:// URI as text instead");
	}
	return N_("unknown error");
}

#ifdef HAVE_ZBAR

/* A grey image, one byte per pixel, as zbar's Y800 wants it. */
struct grey {
	unsigned char *pixels;
	unsigned width, height;
};

static enum qrimage_err read_png(FILE *f, struct grey *g)
{
	png_image img;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_stdio(&img, f))
		return QRIMAGE_BAD_IMAGE;
	img.format = PNG_FORMAT_GRAY;
	if ((uint64_t)img.width * img.height > QRIMAGE_MAX_PIXELS || img.width == 0) {
		png_image_free(&img);
		return QRIMAGE_BAD_IMAGE;
	}
	g->pixels = malloc(PNG_IMAGE_SIZE(img));
	if (g->pixels == NULL) {
		png_image_free(&img);
		return QRIMAGE_NOMEM;
	}
	/* Transparent pixels composite onto white, as a screen would show them. */
	png_color white = {255, 255, 255};
	if (!png_image_finish_read(&img, &white, g->pixels, 0, NULL)) {
		free(g->pixels);
		g->pixels = NULL;
		return QRIMAGE_BAD_IMAGE;
	}
	g->width = img.width;
	g->height = img.height;
	return QRIMAGE_OK;
}

struct jpeg_fail {
	struct jpeg_error_mgr mgr;
	jmp_buf env;
};

static void jpeg_fail_exit(j_common_ptr cinfo)
{
	struct jpeg_fail *fail = (struct jpeg_fail *)cinfo->err;

	longjmp(fail->env, 1);
}

static void jpeg_quiet(j_common_ptr cinfo)
{
	(void)cinfo;
}

static enum qrimage_err read_jpeg(FILE *f, struct grey *g)
{
	struct jpeg_decompress_struct cinfo;
	struct jpeg_fail fail;
	unsigned char *volatile pixels = NULL;

	cinfo.err = jpeg_std_error(&fail.mgr);
	fail.mgr.error_exit = jpeg_fail_exit;
	fail.mgr.output_message = jpeg_quiet;
	if (setjmp(fail.env)) {
		jpeg_destroy_decompress(&cinfo);
		free(pixels);
		return QRIMAGE_BAD_IMAGE;
	}
	jpeg_create_decompress(&cinfo);
	jpeg_stdio_src(&cinfo, f);
	jpeg_read_header(&cinfo, TRUE);
	cinfo.out_color_space = JCS_GRAYSCALE;
	jpeg_start_decompress(&cinfo);
	if ((uint64_t)cinfo.output_width * cinfo.output_height > QRIMAGE_MAX_PIXELS)
		longjmp(fail.env, 1);
	pixels = malloc((size_t)cinfo.output_width * cinfo.output_height);
	if (pixels == NULL) {
		jpeg_destroy_decompress(&cinfo);
		return QRIMAGE_NOMEM;
	}
	while (cinfo.output_scanline < cinfo.output_height) {
		JSAMPROW row = pixels + (size_t)cinfo.output_scanline * cinfo.output_width;

		jpeg_read_scanlines(&cinfo, &row, 1);
	}
	jpeg_finish_decompress(&cinfo);
	g->pixels = pixels;
	g->width = cinfo.output_width;
	g->height = cinfo.output_height;
	jpeg_destroy_decompress(&cinfo);
	return QRIMAGE_OK;
}

/* Scan g (zbar takes the pixels over and frees them) for the first QR code. */
static enum qrimage_err scan_grey(struct grey *g, char **text)
{
	enum qrimage_err err = QRIMAGE_NO_CODE;
	zbar_image_scanner_t *sc = zbar_image_scanner_create();
	zbar_image_t *zi = zbar_image_create();
	const zbar_symbol_t *sym;

	if (sc == NULL || zi == NULL) {
		free(g->pixels);
		err = QRIMAGE_NOMEM;
		goto out;
	}
	zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	zbar_image_set_format(zi, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(zi, g->width, g->height);
	zbar_image_set_data(zi, g->pixels, (unsigned long)g->width * g->height,
			    zbar_image_free_data);
	g->pixels = NULL;
	if (zbar_scan_image(sc, zi) <= 0)
		goto out;
	for (sym = zbar_image_first_symbol(zi); sym != NULL; sym = zbar_symbol_next(sym)) {
		if (zbar_symbol_get_type(sym) != ZBAR_QRCODE)
			continue;
		*text = strndup(zbar_symbol_get_data(sym), zbar_symbol_get_data_length(sym));
		err = *text != NULL ? QRIMAGE_OK : QRIMAGE_NOMEM;
		break;
	}
out:
	if (zi != NULL)
		zbar_image_destroy(zi);
	if (sc != NULL)
		zbar_image_scanner_destroy(sc);
	return err;
}

enum qrimage_err qrimage_decode_file(const char *path, char **text)
{
	static const unsigned char png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	unsigned char magic[8] = {0};
	struct grey g = {0};
	enum qrimage_err err;
	FILE *f = fopen(path, "rbe");

	*text = NULL;
	if (f == NULL)
		return QRIMAGE_UNREADABLE;
	if (fread(magic, 1, sizeof(magic), f) != sizeof(magic) || fseek(f, 0, SEEK_SET) != 0)
		err = ferror(f) ? QRIMAGE_UNREADABLE : QRIMAGE_BAD_IMAGE;
	else if (memcmp(magic, png_magic, sizeof(png_magic)) == 0)
		err = read_png(f, &g);
	else if (magic[0] == 0xff && magic[1] == 0xd8)
		err = read_jpeg(f, &g);
	else
		err = QRIMAGE_BAD_IMAGE;
	fclose(f);
	if (err != QRIMAGE_OK)
		return err;
	return scan_grey(&g, text);
}

#else /* !HAVE_ZBAR */

enum qrimage_err qrimage_decode_file(const char *path, char **text)
{
	(void)path;
	*text = NULL;
	return QRIMAGE_UNSUPPORTED;
}

#endif
