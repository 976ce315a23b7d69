/*
 * pam_sls - libqrencode for the module, loaded when used. Only the
 * enrolment inside a login and a challenge with [login] challenge_qr draw a
 * QR code; every other login would pay for loading a library it never calls
 * (tests/bench), so the module is not linked to libqrencode (ldd shows it):
 * these two functions stand in for libqrencode's own and reach it by its
 * soname, with RTLD_NOW. If it cannot be loaded, encoding fails (errno
 * ENOSYS) and the enrolment is refused with a journal entry: there is no
 * fallback that shows the secret another way. A challenge is then shown
 * without its code (it holds no secret), with a journal entry too.
 * sls links libqrencode at build time; the packages depend on it.
 *
 * No state is kept (a host may have threads): each call opens the library
 * (a reference count once it is loaded), and QRcode_free drops both the
 * reference its QRcode_encodeString took and its own.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

#include <qrencode.h>

typedef QRcode *encode_fn(const char *string, int version, QRecLevel level, QRencodeMode hint,
			  int casesensitive);
typedef void free_fn(QRcode *qrcode);

/* dlsym's object pointer as a function pointer (POSIX guarantees they convert). */
static void *lookup(void *handle, const char *name)
{
	return handle != NULL ? dlsym(handle, name) : NULL;
}

QRcode *QRcode_encodeString(const char *string, int version, QRecLevel level, QRencodeMode hint,
			    int casesensitive)
{
	void *handle = dlopen(QRENCODE_SONAME, RTLD_NOW | RTLD_LOCAL);
	encode_fn *encode = (encode_fn *)lookup(handle, "QRcode_encodeString");
	QRcode *qr;
	int err;

	if (encode == NULL) {
		if (handle != NULL)
			dlclose(handle);
		errno = ENOSYS;
		return NULL;
	}
	qr = encode(string, version, level, hint, casesensitive);
	err = errno;
	if (qr == NULL)
		dlclose(handle); /* else QRcode_free drops this reference */
	errno = err;
	return qr;
}

void QRcode_free(QRcode *qrcode)
{
	/* a code exists only while its QRcode_encodeString's reference does */
	void *handle = qrcode != NULL ? dlopen(QRENCODE_SONAME, RTLD_NOW | RTLD_NOLOAD) : NULL;
	free_fn *release = (free_fn *)lookup(handle, "QRcode_free");

	if (handle == NULL)
		return;
	if (release != NULL)
		release(qrcode);
	dlclose(handle); /* ours */
	dlclose(handle); /* QRcode_encodeString's */
}
