/* pam_sls - return code texts and parse diagnostics. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sls_error.h"

static const char *const sls_error_texts[SLS_ERR__COUNT] = {
    [SLS_OK] = "success",
    [SLS_ERR_NOMEM] = "out of memory",
    [SLS_ERR_INVAL] = "invalid argument",
    [SLS_ERR_SUITE] = "invalid or unsupported OCRA suite",
    [SLS_ERR_QUESTION] = "challenge does not fit the OCRA suite",
    [SLS_ERR_ENCODING] = "invalid base32 or hex encoding",
    [SLS_ERR_URI] = "malformed or unsupported otpauth URI",
    [SLS_ERR_CRYPTO] = "cryptographic operation failed",
    [SLS_ERR_RANDOM] = "random number generator failed",
    [SLS_ERR_NAME] = "name is not safe to use",
    [SLS_ERR_NOENT] = "no such file or directory",
    [SLS_ERR_IO] = "input/output error",
    [SLS_ERR_UNSAFE] = "unsafe file (link, owner or permissions)",
    [SLS_ERR_TOOBIG] = "too large",
    [SLS_ERR_FORMAT] = "malformed file",
    [SLS_ERR_LOCK] = "timed out waiting for the lock",
    [SLS_ERR_MISMATCH] = "code does not match",
    [SLS_ERR_EXISTS] = "name already in use",
    [SLS_ERR_LOCKED] = "locked after too many failed attempts",
    [SLS_ERR_GONE] = "device revoked or replaced meanwhile",
    [SLS_ERR_CONV] = "the conversation failed or gave no answer",
    [SLS_ERR_SENDER] = "the SMS or voice sender failed",
    [SLS_ERR_WAIT] = "asked again too soon",
};

const char *sls_strerror(enum sls_rc rc)
{
	if ((unsigned)rc >= SLS_ERR__COUNT || sls_error_texts[rc] == NULL)
		return "unknown error";
	return sls_error_texts[rc];
}

const char *sls_strerror_errno(enum sls_rc rc, int errnum)
{
	if (rc == SLS_ERR_IO && errnum > 0)
		return strerror(errnum);
	return sls_strerror(rc);
}

/*
 * The errno's text in English whatever the locale (strerrordesc_np: a
 * diag goes to the journal, which stays English; thread-safe, unlike strerror).
 */
void sls_diag_errno(struct sls_diag *diag, enum sls_rc rc, int errnum)
{
	const char *text = errnum > 0 ? strerrordesc_np(errnum) : NULL;

	if (diag == NULL || diag->msg[0] != '\0')
		return;
	if (rc == SLS_ERR_IO && errnum > 0)
		sls_diag_set(diag, 0, "%s", text != NULL ? text : "unknown error");
	else
		sls_diag_set(diag, 0, "%s", sls_strerror(rc));
}

void sls_diag_set(struct sls_diag *diag, int line, const char *fmt, ...)
{
	va_list ap;

	if (diag == NULL)
		return;
	diag->line = line;
	va_start(ap, fmt);
	vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
	va_end(ap);
}
