/*
 * sls - the ~/.google_authenticator file of google-authenticator-libpam, as
 * its FILEFORMAT describes it and its tools write it, parsed for sls
 * import-google-authenticator (gafile.c). Parsing only: opening the file
 * safely is the verb's (gaimport.c).
 *
 * The file: the base32 secret on line 1; option lines, each '"', a space,
 * the option's name and its values; scratch codes, one a line (8 digits,
 * not starting with 0); blank lines. Every line ends with '\n'.
 */
#ifndef SLS_GAFILE_H
#define SLS_GAFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sls_enroll.h"
#include "sls_error.h"
#include "sls_scratch.h"

#define SLS_GA_FILE_MAX     4096 /* bytes; google-authenticator's own limit is 1 KiB */
#define SLS_GA_STEP_DEFAULT 30

/* What a file says. Holds the secret and the scratch codes: wipe with sls_gafile_clear. */
struct sls_gafile {
	uint8_t secret[SLS_SECRET_MAX]; /* line 1, decoded: 16 to SLS_SECRET_MAX bytes */
	size_t secret_len;
	unsigned step;          /* STEP_SIZE 1..60, else SLS_GA_STEP_DEFAULT */
	unsigned window;        /* WINDOW_SIZE 1..100; 0 when absent (3: one step either side) */
	bool disallow_reuse;    /* DISALLOW_REUSE */
	uint64_t last_step;     /* the highest step DISALLOW_REUSE lists as used, 0 for none */
	unsigned rate_attempts; /* RATE_LIMIT N SECONDS: N 1..100; 0 when absent */
	unsigned rate_interval; /* and SECONDS 1..3600 */
	bool time_skew;         /* TIME_SKEW (a clock offset pam_google_authenticator learnt) */
	long skew;              /* its steps */
	size_t ncodes;          /* scratch codes, in file order */
	char codes[SLS_SCRATCH_CODES_MAX][SLS_SCRATCH_DIGITS + 1];
};

/*
 * Parse the len bytes at buf (at most SLS_GA_FILE_MAX, else SLS_ERR_TOOBIG)
 * into *ga, strictly: any line that is not what google-authenticator writes
 * is SLS_ERR_FORMAT with its line in diag (no NUL, no byte that is not
 * printable ASCII or a tab, every line ended, a base32 secret, options
 * known and each once with values in range, at most SLS_SCRATCH_CODES_MAX
 * distinct scratch codes). A file that is well formed but cannot be taken
 * over is SLS_ERR_INVAL with why in diag: counter-based (HOTP_COUNTER), no
 * TOTP_AUTH, a secret shorter than 16 bytes or longer than SLS_SECRET_MAX.
 * Options that only hold google-authenticator's own state (the timestamps
 * of RATE_LIMIT, RESETTING_TIME_SKEW, LAST0..LAST9) are checked and
 * dropped. diag never holds a value of the file. On error *ga is wiped.
 */
enum sls_rc sls_gafile_parse(const char *buf, size_t len, struct sls_gafile *ga,
			     struct sls_diag *diag);

/* Wipe *ga. */
void sls_gafile_clear(struct sls_gafile *ga);

#endif /* SLS_GAFILE_H */
