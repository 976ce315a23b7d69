/* pam_sls - a shared device resolved live from the files of the user it comes from (sls_share.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sls_secret.h"
#include "sls_share.h"
#include "sls_text.h"
#include "sls_userdb.h"

bool sls_share_type_ok(const struct sls_devtype *t)
{
	return t != NULL && t->provision != NULL && !t->stand_in;
}

bool sls_share_with_ok(const char *list)
{
	char names[SLS_SHARED_WITH_MAX][SLS_USER_NAME_MAX + 1];
	size_t n = 0, len;

	if (*list == '\0')
		return true;
	for (;;) {
		len = strcspn(list, ",");
		if (n == SLS_SHARED_WITH_MAX || len == 0 || len > SLS_USER_NAME_MAX)
			return false;
		memcpy(names[n], list, len);
		names[n][len] = '\0';
		if (!sls_name_ok(names[n], SLS_USER_NAME_MAX))
			return false;
		for (size_t i = 0; i < n; i++)
			if (strcmp(names[i], names[n]) == 0)
				return false;
		n++;
		list += len;
		if (*list == '\0')
			return true;
		list++;
	}
}

size_t sls_share_with_count(const struct sls_device *d)
{
	size_t n = d->shared_with[0] != '\0';

	for (const char *p = d->shared_with; *p != '\0'; p++)
		n += *p == ',';
	return n;
}

bool sls_share_with_has(const struct sls_device *d, const char *user)
{
	size_t ulen = strlen(user);

	for (const char *p = d->shared_with; *p != '\0';) {
		size_t len = strcspn(p, ",");

		if (len == ulen && memcmp(p, user, len) == 0)
			return true;
		p += len;
		p += *p == ',';
	}
	return false;
}

enum sls_rc sls_share_with_add(struct sls_device *d, const char *user)
{
	size_t used = strlen(d->shared_with);

	if (sls_share_with_has(d, user))
		return SLS_OK;
	if (sls_share_with_count(d) >= SLS_SHARED_WITH_MAX ||
	    used + 1 + strlen(user) >= sizeof(d->shared_with))
		return SLS_ERR_TOOBIG;
	snprintf(d->shared_with + used, sizeof(d->shared_with) - used, "%s%s", used ? "," : "",
		 user);
	return SLS_OK;
}

void sls_share_with_remove(struct sls_device *d, const char *user)
{
	char kept[sizeof(d->shared_with)] = "";
	size_t ulen = strlen(user), k = 0;

	for (const char *p = d->shared_with; *p != '\0';) {
		size_t len = strcspn(p, ",");

		if (!(len == ulen && memcmp(p, user, len) == 0)) {
			k += (size_t)snprintf(kept + k, sizeof(kept) - k, "%s%.*s", k ? "," : "",
					      (int)len, p);
		}
		p += len;
		p += *p == ',';
	}
	memcpy(d->shared_with, kept, sizeof(kept));
}

bool sls_share_identities_match(const struct sls_user *a, const struct sls_user *b)
{
	return a->identity[0] != '\0' && strcmp(a->identity, b->identity) == 0;
}

/* Whether o, a device of from's file, is the one d of another file is shared from. */
static bool lends(const struct sls_user *from, const struct sls_device *o,
		  const struct sls_device *d, time_t now)
{
	return o->type == d->type && o->created == d->created && o->shared_from[0] == '\0' &&
	       sls_share_type_ok(o->type) && sls_device_usable(from, o, now);
}

/*
 * d answering as o: its own name, label, status and shared_from; o's
 * secret, fields and expiry (not o's shared_with: a shared device is not
 * shared in turn).
 */
static void take_over(const struct sls_device *d, const struct sls_device *o,
		      struct sls_device *out)
{
	memcpy(out, d, sizeof(*out));
	memcpy(out->secret, o->secret, sizeof(out->secret));
	out->secret_len = o->secret_len;
	memcpy(&out->u, &o->u, sizeof(out->u));
	out->expires = o->expires;
}

enum sls_rc sls_share_resolve(const struct sls_store *store, uid_t owner, const char *name,
			      const struct sls_user *user, const struct sls_device *d, time_t now,
			      struct sls_device *out, struct sls_diag *diag)
{
	struct sls_user *from = calloc(1, sizeof(*from));
	const struct sls_device *o;
	enum sls_rc rc = SLS_ERR_INVAL;

	sls_wipe(out, sizeof(*out));
	if (from == NULL)
		return SLS_ERR_NOMEM;
	if (d->shared_from[0] == '\0')
		goto out;
	rc = sls_userdb_load_user(store, d->shared_from, owner, from, diag);
	if (rc == SLS_ERR_NOENT)
		rc = SLS_ERR_GONE;
	if (rc != SLS_OK)
		goto out;
	o = sls_user_find_device(from, d->name);
	rc = SLS_ERR_GONE;
	if (o == NULL || !lends(from, o, d, now) || !sls_share_with_has(o, name) ||
	    !sls_share_identities_match(user, from))
		goto out;
	take_over(d, o, out);
	rc = SLS_OK;
out:
	sls_user_clear(from);
	free(from);
	return rc;
}

enum sls_rc sls_share_resolve_named(const struct sls_store *store, uid_t owner, const char *name,
				    const struct sls_device *d, time_t now, struct sls_device *out,
				    struct sls_diag *diag)
{
	struct sls_user *user = calloc(1, sizeof(*user));
	enum sls_rc rc;

	sls_wipe(out, sizeof(*out));
	if (user == NULL)
		return SLS_ERR_NOMEM;
	rc = sls_userdb_load_user(store, name, owner, user, diag);
	if (rc == SLS_ERR_NOENT)
		rc = SLS_ERR_GONE;
	if (rc == SLS_OK)
		rc = sls_share_resolve(store, owner, name, user, d, now, out, diag);
	sls_user_clear(user);
	free(user);
	return rc;
}
