/*
 * pam_sls - libqrencode for the module, loaded when first used. Only the
 * enrolment inside a login draws a QR code; every other login would pay for
 * loading a library it never calls (tests/bench), so the module is not
 * linked to libqrencode (ldd shows it): these two functions stand in for
 * libqrencode's own and reach it by its soname, with RTLD_NOW. If it cannot
 * be loaded, encoding fails (errno ENOSYS) and the enrolment is refused with
 * a journal entry: there is no fallback that shows the secret another way.
 * sls links libqrencode at build time; the packages depend on it.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

#include <qrencode.h>

typedef QRcode *encode_fn(const char *string, int version, QRecLevel level, QRencodeMode hint,
			  int casesensitive);
typedef void free_fn(QRcode *qrcode);

static void *handle;
static encode_fn *encode_string;
static free_fn *code_free;

static int load(void)
{
	void *h;

	if (handle != NULL)
		return 0;
	h = dlopen(QRENCODE_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return -1;
	/* POSIX's way to turn dlsym's object pointer into a function pointer */
	*(void **)&encode_string = dlsym(h, "QRcode_encodeString");
	*(void **)&code_free = dlsym(h, "QRcode_free");
	if (encode_string == NULL || code_free == NULL) {
		encode_string = NULL;
		code_free = NULL;
		dlclose(h);
		return -1;
	}
	handle = h;
	return 0;
}

QRcode *QRcode_encodeString(const char *string, int version, QRecLevel level, QRencodeMode hint,
			    int casesensitive)
{
	if (load() != 0) {
		errno = ENOSYS;
		return NULL;
	}
	return encode_string(string, version, level, hint, casesensitive);
}

void QRcode_free(QRcode *qrcode)
{
	if (qrcode != NULL && code_free != NULL)
		code_free(qrcode);
}

/* The module is unloaded at pam_end: let libqrencode go with it. */
__attribute__((destructor)) static void qrencode_unload(void)
{
	if (handle != NULL)
		dlclose(handle);
	handle = NULL;
}
