/* pam_sls - a user's enrolment and state files in the store, read and written safely. */
#ifndef SLS_USERDB_H
#define SLS_USERDB_H

#include <stdbool.h>
#include <sys/types.h>

#include "sls_enroll.h"
#include "sls_error.h"
#include "sls_file.h"
#include "sls_state.h"

#define SLS_LOCK_TIMEOUT_MS 10000 /* how long a login or sls waits for a user's lock */

/*
 * Read STORE/users/NAME into *user. NAME must pass sls_name_valid
 * (SLS_ERR_NAME otherwise: nothing is opened). SLS_ERR_NOENT when the user
 * has no enrolment file; file errors as sls_file_read (the file must be
 * owned by owner, the effective uid); SLS_ERR_FORMAT with diag for a corrupt
 * file. Readers need no lock: files are only ever replaced whole.
 */
enum sls_rc sls_userdb_load_user(const struct sls_store *store, const char *name, uid_t owner,
				 struct sls_user *user, struct sls_diag *diag);

/*
 * The stored text of NAME's enrolment (state false) or state, as the two
 * loads read it before they parse it: the file's bytes, or a back end's
 * row (an enrolment opened from its seal). *text gets a malloc'ed
 * NUL-terminated copy (caller frees with sls_free_secret(text, len + 1);
 * NULL on failure), *len its length. SLS_ERR_NAME as above; SLS_ERR_NOENT
 * when there is none (for the state too); file or back end errors
 * otherwise. For sls migrate, which copies and compares the texts.
 */
enum sls_rc sls_userdb_load_text(const struct sls_store *store, bool state, const char *name,
				 uid_t owner, char **text, size_t *len, struct sls_diag *diag);

/* The state, STORE/state/NAME; a missing file is the zero state (SLS_OK). */
enum sls_rc sls_userdb_load_state(const struct sls_store *store, const char *name, uid_t owner,
				  struct sls_state *state, struct sls_diag *diag);

/*
 * Write *user / *state atomically (sls_file_replace, mode 0600). The caller
 * holds the user's lock (sls_userdb_lock) and has loaded what it changes
 * under that same lock, so no concurrent update is lost.
 */
enum sls_rc sls_userdb_save_user(const struct sls_store *store, const char *name,
				 const struct sls_user *user);
enum sls_rc sls_userdb_save_state(const struct sls_store *store, const char *name,
				  const struct sls_state *state);

/* Take NAME's lock (STORE/lock/NAME), waiting up to SLS_LOCK_TIMEOUT_MS. */
enum sls_rc sls_userdb_lock(const struct sls_store *store, const char *name, uid_t owner,
			    int *lockfd);

/* Release a lock of sls_userdb_lock (-1 is allowed). */
void sls_userdb_unlock(const struct sls_store *store, int lockfd);

/*
 * Make the saves since the last commit durable: a back end's transaction
 * (the files' saves are durable each, and this is SLS_OK). A failure:
 * nothing of those saves is there.
 */
enum sls_rc sls_userdb_commit(const struct sls_store *store);

/*
 * Keep a login's decision where the back end keeps them (the database's
 * sls_audit, committed on its own); the files keep none (the journal has
 * every decision): SLS_OK. Called with no transaction open.
 */
enum sls_rc sls_userdb_audit(const struct sls_store *store, const struct sls_audit_row *row);

/*
 * Under name's lock, in its transaction: claim a right answer's key (the
 * device type's used_key, kept keep seconds, 0: for good) where the back end
 * keeps them, so that across every server it is used once even if a state
 * row is put back: SLS_OK the first time, SLS_ERR_MISMATCH when the key was
 * claimed before. The files keep none (their state is the only copy): SLS_OK.
 */
enum sls_rc sls_userdb_claim(const struct sls_store *store, const char *name, const char *key,
			     unsigned keep);

#endif /* SLS_USERDB_H */
