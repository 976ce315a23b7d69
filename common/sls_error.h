/* pam_sls - return codes shared by the common library, the module and the CLIs. */
#ifndef SLS_ERROR_H
#define SLS_ERROR_H

/*
 * Every common function that can fail returns one of these. SLS_OK is zero so
 * that "if (rc != SLS_OK)" and "if (rc)" read the same. Functions that also
 * touch the OS leave errno as the failing call set it.
 */
enum sls_rc {
	SLS_OK = 0,
	SLS_ERR_NOMEM,    /* out of memory */
	SLS_ERR_INVAL,    /* invalid argument (caller bug or bad user input) */
	SLS_ERR_SUITE,    /* invalid or unsupported OCRA suite */
	SLS_ERR_QUESTION, /* OCRA question does not fit the suite */
	SLS_ERR_ENCODING, /* invalid base32 or hex */
	SLS_ERR_URI,      /* malformed or unsupported otpauth URI */
	SLS_ERR_CRYPTO,   /* OpenSSL call failed */
	SLS_ERR_RANDOM,   /* getrandom(2) failed */
	SLS_ERR_NAME,     /* user or device name unsafe as a path or key */
	SLS_ERR_NOENT,    /* file or directory does not exist */
	SLS_ERR_IO,       /* read, write, fsync, rename... failed; see errno */
	SLS_ERR_UNSAFE,   /* symlink, hard link, wrong owner or mode */
	SLS_ERR_TOOBIG,   /* file or value over its size limit */
	SLS_ERR_FORMAT,   /* malformed file contents (syntax, NUL, bad value) */
	SLS_ERR_LOCK,     /* per-user lock not acquired within the timeout */
	SLS_ERR_MISMATCH, /* code or response does not match */
	SLS_ERR_EXISTS,   /* name already in use */
	SLS_ERR_LOCKED,   /* the user is locked after too many failures */
	SLS_ERR_GONE,     /* the device was revoked or replaced meanwhile */
	SLS_ERR_CONV,     /* the conversation failed or gave no answer */
	SLS_ERR_SENDER,   /* the SMS or voice sender failed, or none is set */
	SLS_ERR_WAIT,     /* asked again too soon (a rate limit) */
	SLS_ERR__COUNT
};

/* A static, human-readable English text for rc; never NULL. */
const char *sls_strerror(enum sls_rc rc);

/*
 * The same, but for SLS_ERR_IO the text of errnum (the errno the failing
 * call left), so that "No space left on device" or "Read-only file system"
 * is said as such and not as "input/output error". For the CLIs: it uses
 * strerror(), which is not for threaded hosts (the module uses
 * sls_diag_errno).
 */
const char *sls_strerror_errno(enum sls_rc rc, int errnum);

/*
 * Details of a parse error, for messages such as "users/alice:12: bad base32
 * in key 'secret'". Parsers fill it only on failure. By contract msg never
 * holds a value read from the input (it may hold key and section names,
 * which the parser has validated), so it is safe to log.
 */
struct sls_diag {
	int line;      /* 1-based line of the error, 0 when not tied to a line */
	char msg[160]; /* NUL-terminated English text, without the line number */
};

/*
 * For an rc without a parser's message in diag (which is then empty): the
 * text of sls_strerror_errno(rc, errnum), so that a log line says "No space
 * left on device". Such texts hold no input value. diag may be NULL.
 */
void sls_diag_errno(struct sls_diag *diag, enum sls_rc rc, int errnum);

/* Fill diag (if not NULL) with line and a printf-style message. */
void sls_diag_set(struct sls_diag *diag, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* SLS_ERROR_H */
