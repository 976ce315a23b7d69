/* pam_sls - a user's enrolment and state files in the store. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>

#include "sls_secret.h"
#include "sls_userdb.h"

typedef enum sls_rc (*parse_fn)(const struct sls_store *store, const char *buf, void *out,
				struct sls_diag *diag);

static enum sls_rc parse_user(const struct sls_store *store, const char *buf, void *out,
			      struct sls_diag *diag)
{
	return sls_user_parse_types(buf, sls_store_types(store), out, diag);
}

static enum sls_rc parse_state(const struct sls_store *store, const char *buf, void *out,
			       struct sls_diag *diag)
{
	(void)store;
	return sls_state_parse(buf, out, diag);
}

enum sls_rc sls_userdb_load_text(const struct sls_store *store, bool state, const char *name,
				 uid_t owner, char **text, size_t *len, struct sls_diag *diag)
{
	*text = NULL;
	*len = 0;
	if (!sls_name_valid(name))
		return SLS_ERR_NAME;
	if (store->backend != NULL)
		return store->backend->load(store, state, name, text, len, diag);
	return sls_file_read(state ? store->state_fd : store->users_fd, name, owner, SLS_FILE_MAX,
			     text, len);
}

/* The enrolment (state false) or the state of name, parsed into out. */
static enum sls_rc load(const struct sls_store *store, bool state, const char *name, uid_t owner,
			parse_fn parse, void *out, struct sls_diag *diag)
{
	char *buf = NULL;
	size_t len = 0;
	enum sls_rc rc = sls_userdb_load_text(store, state, name, owner, &buf, &len, diag);

	if (rc == SLS_OK)
		rc = parse(store, buf, out, diag);
	sls_free_secret(buf, len + 1);
	return rc;
}

enum sls_rc sls_userdb_load_user(const struct sls_store *store, const char *name, uid_t owner,
				 struct sls_user *user, struct sls_diag *diag)
{
	enum sls_rc rc = load(store, false, name, owner, parse_user, user, diag);

	if (rc != SLS_OK)
		sls_user_clear(user);
	return rc;
}

enum sls_rc sls_userdb_load_state(const struct sls_store *store, const char *name, uid_t owner,
				  struct sls_state *state, struct sls_diag *diag)
{
	enum sls_rc rc = load(store, true, name, owner, parse_state, state, diag);

	if (rc == SLS_ERR_NOENT) {
		sls_state_clear(state);
		return SLS_OK;
	}
	if (rc != SLS_OK)
		sls_state_clear(state);
	return rc;
}

typedef enum sls_rc (*format_fn)(const void *in, char **out, size_t *len);

static enum sls_rc format_user(const void *in, char **out, size_t *len)
{
	return sls_user_format(in, out, len);
}

static enum sls_rc format_state(const void *in, char **out, size_t *len)
{
	return sls_state_format(in, out, len);
}

static enum sls_rc save(const struct sls_store *store, bool state, const char *name,
			format_fn format, const void *in)
{
	char *text = NULL;
	size_t len = 0;
	enum sls_rc rc = SLS_ERR_NAME;

	if (!sls_name_valid(name))
		return rc;
	rc = format(in, &text, &len);
	if (rc == SLS_OK && store->backend != NULL)
		rc = store->backend->save(store, state, name, text, len);
	else if (rc == SLS_OK)
		rc = sls_file_replace(state ? store->state_fd : store->users_fd, name, text, len,
				      0600);
	sls_free_secret(text, len + 1);
	return rc;
}

enum sls_rc sls_userdb_save_user(const struct sls_store *store, const char *name,
				 const struct sls_user *user)
{
	return save(store, false, name, format_user, user);
}

enum sls_rc sls_userdb_save_state(const struct sls_store *store, const char *name,
				  const struct sls_state *state)
{
	return save(store, true, name, format_state, state);
}

enum sls_rc sls_userdb_lock(const struct sls_store *store, const char *name, uid_t owner,
			    int *lockfd)
{
	if (!sls_name_valid(name))
		return SLS_ERR_NAME;
	if (store->backend != NULL)
		return store->backend->lock(store, name, lockfd);
	return sls_lock_acquire(store->lock_fd, name, owner, SLS_LOCK_TIMEOUT_MS, lockfd);
}

void sls_userdb_unlock(const struct sls_store *store, int lockfd)
{
	if (store->backend != NULL && lockfd >= 0)
		store->backend->unlock(store, lockfd);
	else
		sls_lock_release(lockfd);
}

enum sls_rc sls_userdb_commit(const struct sls_store *store)
{
	return store->backend != NULL ? store->backend->commit(store) : SLS_OK;
}

enum sls_rc sls_userdb_claim(const struct sls_store *store, const char *name, const char *key,
			     unsigned keep)
{
	return store->backend != NULL && store->backend->claim != NULL
		   ? store->backend->claim(store, name, key, keep)
		   : SLS_OK;
}

enum sls_rc sls_userdb_audit(const struct sls_store *store, const struct sls_audit_row *row)
{
	return store->backend != NULL && store->backend->audit != NULL
		   ? store->backend->audit(store, row)
		   : SLS_OK;
}
