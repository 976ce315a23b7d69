/* pam_sls - one read-modify-write of a user's files, under the user's lock. */
#ifndef SLS_TXN_H
#define SLS_TXN_H

#include <stdbool.h>
#include <sys/types.h>

#include "sls_enroll.h"
#include "sls_error.h"
#include "sls_file.h"
#include "sls_state.h"

/*
 * Every change to a user's enrolment or state goes through a transaction:
 *
 *	sls_txn_begin   take the user's lock, read the enrolment and/or the state
 *	(change t->user and/or t->state, and say so in t->user_changed /
 *	 t->state_changed)
 *	sls_txn_commit  write what changed: the enrolment first, then the state
 *	sls_txn_end     release the lock and wipe both (also after a failure)
 *
 * The lock is held from begin to end, so no concurrent update is lost. It
 * must never be held across a prompt, a message that could block (a full
 * pipe, a terminal) or an external program: read what a prompt needs, end
 * the transaction, ask, and begin a new one to record the answer.
 */
struct sls_txn {
	const struct sls_store *store;
	char name[SLS_USER_NAME_MAX + 1];
	int lockfd;
	struct sls_user *user; /* the enrolment (SLS_TXN_USER); all zero when there is no file */
	struct sls_state
	    *state;         /* the state (SLS_TXN_STATE); the zero state when there is no file */
	bool user_exists;   /* the enrolment file was there */
	bool user_changed;  /* commit writes the enrolment */
	bool state_changed; /* commit writes the state */
	const char *failed; /* after an error: "lock", "users" or "state" */
};

/* What sls_txn_begin reads. */
enum sls_txn_load {
	SLS_TXN_USER = 1u << 0,  /* the enrolment file */
	SLS_TXN_STATE = 1u << 1, /* the state file */
	SLS_TXN_ALL = SLS_TXN_USER | SLS_TXN_STATE,
};

/*
 * Lock name (sls_name_valid, else SLS_ERR_NAME) in store and load the files
 * load names (enum sls_txn_load), which must be owned by owner. A missing
 * enrolment file is no error (user_exists false). SLS_ERR_LOCK after
 * SLS_LOCK_TIMEOUT_MS; otherwise the file errors of sls_userdb_load_* with
 * diag. On failure the transaction holds nothing (t->failed says what
 * failed), but sls_txn_end may still be called.
 */
enum sls_rc sls_txn_begin(struct sls_txn *t, const struct sls_store *store, const char *name,
			  uid_t owner, unsigned load, struct sls_diag *diag);

/*
 * Write the enrolment (if user_changed) and then the state (if
 * state_changed), each atomically; only what was loaded may be written
 * (else SLS_ERR_INVAL). A failure of the first leaves both files as they
 * were; the changed flags are cleared of what was written; t->failed says
 * which write failed.
 */
enum sls_rc sls_txn_commit(struct sls_txn *t);

/* Release the lock, wipe and free; t may come from a failed begin. */
void sls_txn_end(struct sls_txn *t);

/*
 * The same for two users (device sharing): both locks are taken in the
 * order of their names, so two such transactions can never deadlock.
 * a and b must name different users. On failure neither holds anything.
 */
enum sls_rc sls_txn_begin2(struct sls_txn *a, const char *name_a, struct sls_txn *b,
			   const char *name_b, const struct sls_store *store, uid_t owner,
			   unsigned load, struct sls_diag *diag);

#endif /* SLS_TXN_H */
