/*
 * sls-qrdecode FILE - print the text of the first QR code in a PNG or JPEG.
 *
 * sls-authenticator runs this helper for "import --image": the image
 * decoders (libpng, libjpeg, libzbar and what libzbar pulls in) then parse
 * untrusted files in a process that holds no account secrets, and the soft
 * key itself starts without loading them. Exit codes: 0 found, 3 bad or
 * unreadable image or no code, 1 usage or memory.
 *
 * Its messages on stderr are for people (translated); what it prints on
 * stdout is the code's text, read by qrrun.c, never translated.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "qrimage.h"
#include "sls_i18n.h"
#include "sls_secret.h"

int main(int argc, char **argv)
{
	char *text = NULL;
	enum qrimage_err e;

	if (argc != 2) {
		sls_i18n_init();
		/* TRANSLATORS: the helper's usage; FILE is an image file. */
		fputs(_("usage: sls-qrdecode FILE\n"), stderr);
		return 1;
	}
	e = qrimage_decode_file(argv[1], &text);
	if (e != QRIMAGE_OK) {
		/*
		 * The locale is set only now, for the message: the image
		 * libraries decode in the C locale, whatever the user's.
		 */
		sls_i18n_init();
		/* this helper speaks for sls-authenticator, which runs it */
		fprintf(stderr, "sls-authenticator: %s: %s\n", argv[1], _(qrimage_strerror(e)));
		return e == QRIMAGE_NOMEM || e == QRIMAGE_UNSUPPORTED ? 1 : 3;
	}
	/* The text usually holds a secret; it goes to the parent's pipe only. */
	fputs(text, stdout);
	sls_free_secret_str(text);
	return fflush(stdout) == 0 ? 0 : 1;
}
