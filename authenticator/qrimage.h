/* sls-authenticator - read a QR code from a PNG or JPEG image (libzbar). */
#ifndef SLS_QRIMAGE_H
#define SLS_QRIMAGE_H

#include <stdio.h>

/* Why a decode failed; the exit code of "import --image" depends on it. */
enum qrimage_err {
	QRIMAGE_OK = 0,
	QRIMAGE_UNREADABLE, /* cannot open or read the file */
	QRIMAGE_BAD_IMAGE,  /* not a PNG or JPEG we can decode */
	QRIMAGE_NO_CODE,    /* an image, but no QR code in it */
	QRIMAGE_NOMEM,
	QRIMAGE_UNSUPPORTED, /* built without libzbar */
};

/* A one-line English text for err, marked with N_(): print it translated, _(text). */
const char *qrimage_strerror(enum qrimage_err err);

/*
 * Decode the first QR code found in the image at path into a malloc'ed,
 * NUL-terminated string *text (it usually holds a secret: free it with
 * sls_free_secret_str). The file type is told by its magic bytes.
 */
enum qrimage_err qrimage_decode_file(const char *path, char **text);

#endif /* SLS_QRIMAGE_H */
