/* pam_sls - transactions on a user's enrolment and state files (see sls_txn.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sls_txn.h"
#include "sls_userdb.h"

static void txn_init(struct sls_txn *t, const struct sls_store *store)
{
	memset(t, 0, sizeof(*t));
	t->store = store;
	t->lockfd = -1;
}

static enum sls_rc load_user(struct sls_txn *t, uid_t owner, struct sls_diag *diag)
{
	enum sls_rc rc;

	t->failed = "users";
	t->user = calloc(1, sizeof(*t->user));
	if (t->user == NULL)
		return SLS_ERR_NOMEM;
	rc = sls_userdb_load_user(t->store, t->name, owner, t->user, diag);
	t->user_exists = rc == SLS_OK;
	return rc == SLS_ERR_NOENT ? SLS_OK : rc;
}

static enum sls_rc load_state(struct sls_txn *t, uid_t owner, struct sls_diag *diag)
{
	t->failed = "state";
	t->state = calloc(1, sizeof(*t->state));
	if (t->state == NULL)
		return SLS_ERR_NOMEM;
	return sls_userdb_load_state(t->store, t->name, owner, t->state, diag);
}

enum sls_rc sls_txn_begin(struct sls_txn *t, const struct sls_store *store, const char *name,
			  uid_t owner, unsigned load, struct sls_diag *diag)
{
	enum sls_rc rc;

	txn_init(t, store);
	t->failed = "lock";
	if (!sls_name_valid(name) || strlen(name) >= sizeof(t->name))
		return SLS_ERR_NAME;
	snprintf(t->name, sizeof(t->name), "%s", name);
	rc = sls_userdb_lock(store, name, owner, &t->lockfd);
	if (rc == SLS_OK && (load & SLS_TXN_USER))
		rc = load_user(t, owner, diag);
	if (rc == SLS_OK && (load & SLS_TXN_STATE))
		rc = load_state(t, owner, diag);
	if (rc != SLS_OK) {
		const char *failed = t->failed;

		sls_txn_end(t);
		t->failed = failed;
		return rc;
	}
	t->failed = NULL;
	return SLS_OK;
}

enum sls_rc sls_txn_commit(struct sls_txn *t)
{
	enum sls_rc rc;

	if (t->lockfd < 0 || (t->user_changed && t->user == NULL) ||
	    (t->state_changed && t->state == NULL))
		return SLS_ERR_INVAL;
	if (t->user_changed) {
		t->failed = "users";
		rc = sls_userdb_save_user(t->store, t->name, t->user);
		if (rc != SLS_OK)
			return rc;
		t->user_changed = false;
		t->user_exists = true;
	}
	if (t->state_changed) {
		t->failed = "state";
		rc = sls_userdb_save_state(t->store, t->name, t->state);
		if (rc != SLS_OK)
			return rc;
		t->state_changed = false;
	}
	t->failed = "commit";
	rc = sls_userdb_commit(t->store);
	if (rc != SLS_OK)
		return rc;
	t->failed = NULL;
	return SLS_OK;
}

void sls_txn_end(struct sls_txn *t)
{
	sls_userdb_unlock(t->store, t->lockfd);
	t->lockfd = -1;
	if (t->user != NULL)
		sls_user_clear(t->user);
	if (t->state != NULL)
		sls_state_clear(t->state);
	free(t->user);
	free(t->state);
	t->user = NULL;
	t->state = NULL;
}

enum sls_rc sls_txn_begin2(struct sls_txn *a, const char *name_a, struct sls_txn *b,
			   const char *name_b, const struct sls_store *store, uid_t owner,
			   unsigned load, struct sls_diag *diag)
{
	bool a_first = strcmp(name_a, name_b) < 0;
	struct sls_txn *first = a_first ? a : b, *second = a_first ? b : a;
	enum sls_rc rc;

	txn_init(a, store);
	txn_init(b, store);
	if (strcmp(name_a, name_b) == 0)
		return SLS_ERR_INVAL;
	rc = sls_txn_begin(first, store, a_first ? name_a : name_b, owner, load, diag);
	if (rc != SLS_OK)
		return rc;
	rc = sls_txn_begin(second, store, a_first ? name_b : name_a, owner, load, diag);
	if (rc != SLS_OK)
		sls_txn_end(first);
	return rc;
}
