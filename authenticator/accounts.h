/* sls-authenticator - the accounts file, $XDG_DATA_HOME/sls-authenticator/accounts. */
#ifndef SLS_ACCOUNTS_H
#define SLS_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sls_error.h"
#include "sls_uri.h"

#define ACCOUNTS_MAX     64
#define ACCOUNT_NAME_MAX 160

enum account_kind { ACCOUNT_IBKEY, ACCOUNT_DSC, ACCOUNT_TOTP };

/*
 * One account: what the provisioning URI carried, plus the kind and when it
 * was added. Its name is not stored: it is USER@ISSUER, or USER@ISSUER/DEVICE
 * when the file holds several accounts of one user at one issuer.
 */
struct account {
	enum account_kind kind;
	struct sls_otpauth otp;
	time_t created;
};

struct accounts {
	size_t n;
	struct account list[ACCOUNTS_MAX];
	/* where it lives; set by accounts_open */
	int dirfd;
	int lockfd;
};

const char *account_kind_name(enum account_kind kind);

/* The account's name (see above) into buf; false when it does not fit. */
bool account_name(const struct accounts *a, size_t i, char *buf, size_t size);

/* Index of the account called name (either name form), or -1. */
int accounts_find(const struct accounts *a, const char *name);

/* Index of the account with the same user, issuer and device as o, or -1. */
int accounts_find_same(const struct accounts *a, const struct sls_otpauth *o);

/*
 * Open the accounts directory ($XDG_DATA_HOME, else $HOME/.local/share, then
 * /sls-authenticator; made 0700 with its parents when create is true and it
 * is missing), take its lock, and load the file (a missing file is an empty
 * list). The directory must be the user's and 0700, the file the user's and
 * 0600, or SLS_ERR_UNSAFE with the fix in why. A corrupt file is
 * SLS_ERR_FORMAT with its line in diag. why gets a short message on any
 * error, in the user's language (gettext), and so does diag.
 */
enum sls_rc accounts_open(struct accounts *a, bool create, struct sls_diag *diag, char *why,
			  size_t whysize);

/* Write the list back atomically (the lock is held since accounts_open). */
enum sls_rc accounts_save(struct accounts *a);

/* Wipe the list, release the lock, close the directory. */
void accounts_close(struct accounts *a);

/* Parse and serialize the file text (for tests and the fuzzer). */
enum sls_rc accounts_parse(const char *buf, struct accounts *a, struct sls_diag *diag);
enum sls_rc accounts_format(const struct accounts *a, char **out, size_t *len);

#endif /* SLS_ACCOUNTS_H */
