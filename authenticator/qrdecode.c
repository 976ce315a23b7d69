/*
 * sls-qrdecode FILE - print the text of the first QR code in a PNG or JPEG.
 *
 * sls-authenticator runs this helper for "import --image": the image
 * decoders (libpng, libjpeg, libzbar and what libzbar pulls in) then parse
 * untrusted files in a process that holds no account secrets, and the soft
 * key itself starts without loading them. Exit codes: 0 found, 3 bad or
 * unreadable image or no code, 1 usage or memory.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "qrimage.h"
#include "sls_secret.h"

int main(int argc, char **argv)
{
	char *text = NULL;
	enum qrimage_err e;

	if (argc != 2) {
		fprintf(stderr, "usage: sls-qrdecode FILE\n");
		return 1;
	}
	e = qrimage_decode_file(argv[1], &text);
	if (e != QRIMAGE_OK) {
		/* this helper speaks for sls-authenticator, which runs it */
		fprintf(stderr, "sls-authenticator: %s: %s\n", argv[1], qrimage_strerror(e));
		return e == QRIMAGE_NOMEM || e == QRIMAGE_UNSUPPORTED ? 1 : 3;
	}
	/* The text usually holds a secret; it goes to the parent's pipe only. */
	fputs(text, stdout);
	sls_free_secret_str(text);
	return fflush(stdout) == 0 ? 0 : 1;
}
