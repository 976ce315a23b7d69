/* pam_sls - count before check: the two writes around a device's prompt (sls_attempt.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sls_attempt.h"
#include "sls_random.h"
#include "sls_secret.h"
#include "sls_share.h"
#include "sls_txn.h"
#include "sls_userdb.h"

/* Draws before giving up; a draw hits a used challenge with p <= 1/1000. */
#define DRAW_TRIES 64

enum sls_rc sls_challenge_draw(const struct sls_device_state *ds, char *out, size_t size)
{
	enum sls_rc rc = SLS_ERR_RANDOM;

	for (int i = 0; i < DRAW_TRIES; i++) {
		rc = sls_random_digits(out, size, SLS_CHALLENGE_DIGITS);
		if (rc != SLS_OK)
			break;
		if (ds == NULL || !sls_device_state_used(ds, (uint32_t)strtoul(out, NULL, 10)))
			return SLS_OK;
		rc = SLS_ERR_RANDOM;
	}
	sls_wipe(out, size);
	return rc;
}

/*
 * Whether n (as the files say now) is still the device d that the answer is
 * checked against: the same identity, secret and type fields (PIN hash, suite).
 */
static bool same_device(const struct sls_device *n, const struct sls_device *d)
{
	return n->type == d->type && n->created == d->created && n->secret_len == d->secret_len &&
	       sls_secure_equal(n->secret, d->secret, d->secret_len) &&
	       sls_secure_equal(&n->u, &d->u, sizeof(n->u));
}

/*
 * n, a device of t's user shared from another user, as it answers now
 * (sls_share_resolve, the one resolution the flow also uses): usable, and
 * the same device d was resolved to before the prompt (same created, secret,
 * PIN hash: a PIN changed or a device replaced since is refused).
 */
static bool still_shared(const struct sls_txn *t, uid_t owner, const struct sls_device *n,
			 const struct sls_device *d, time_t now)
{
	struct sls_device live;
	struct sls_diag diag = {0};
	bool ok =
	    sls_share_resolve(t->store, owner, t->name, t->user, n, now, &live, &diag) == SLS_OK &&
	    sls_device_usable(t->user, &live, now) &&
	    strcmp(live.shared_from, d->shared_from) == 0 && same_device(&live, d);

	sls_wipe(&live, sizeof(live));
	return ok;
}

/*
 * The device as the files say now: the same device, and usable at now. A
 * shared device is resolved from the files of the user it is shared from
 * (owner: who owns the store's files). A device that is in no file
 * (created 0: sls_device_phone) stands for what its type reads from the
 * user (the verified phone) only while the user has no device of that type
 * at all: one an administrator revoked or let expire is not to be stood in
 * for.
 */
static bool still_usable(const struct sls_txn *t, uid_t owner, const struct sls_device *d,
			 time_t now)
{
	const struct sls_user *user = t->user;

	for (size_t i = 0; i < user->ndevices; i++) {
		const struct sls_device *n = &user->devices[i];

		if (strcmp(n->name, d->name) != 0)
			continue;
		if (n->shared_from[0] != '\0')
			return still_shared(t, owner, n, d, now);
		return d->shared_from[0] == '\0' && sls_device_usable(user, n, now) &&
		       same_device(n, d);
	}
	for (size_t i = 0; i < user->ndevices; i++)
		if (user->devices[i].type == d->type)
			return false;
	return d->created == 0 && sls_device_usable(user, d, now);
}

/* The hooks' view of transaction t. */
static struct sls_hookctx hookctx(const struct sls_txn *t, const struct sls_config *conf,
				  const struct sls_device *d, time_t now)
{
	struct sls_hookctx ctx = {.conf = conf,
				  .user = t->user,
				  .state = t->state,
				  .ds = sls_state_find(t->state, d),
				  .now = now};

	return ctx;
}

/* What the prompt needs, from the type (a fresh challenge, the steps not to reuse, a code). */
static enum sls_rc prepare(const struct sls_txn *t, const struct sls_config *conf,
			   const struct sls_device *d, time_t now, struct sls_attempt *a)
{
	struct sls_hookctx ctx = hookctx(t, conf, d, now);

	if (d->type->prepare == NULL)
		return SLS_OK;
	return d->type->prepare(d, &ctx, a);
}

/*
 * Begin a transaction on user in which d is still usable; else
 * SLS_ERR_GONE. On any error t holds nothing. *now is the time once the
 * lock is ours: failures others wrote while we waited for it must not lie
 * in our future, where the count ignores them (the deny-th would not lock,
 * and more than deny prompts would be shown: tests/hard/test_race.c).
 */
static enum sls_rc begin_with(struct sls_txn *t, const struct sls_store *store, const char *user,
			      uid_t owner, const struct sls_device *d, time_t *now,
			      struct sls_diag *diag)
{
	enum sls_rc rc = sls_txn_begin(t, store, user, owner, SLS_TXN_ALL, diag);

	*now = time(NULL);
	if (rc == SLS_OK && !still_usable(t, owner, d, *now)) {
		sls_txn_end(t);
		rc = SLS_ERR_GONE;
	}
	return rc;
}

enum sls_rc sls_attempt_begin(const struct sls_store *store, const char *user, uid_t owner,
			      const struct sls_config *conf, const struct sls_device *d,
			      struct sls_attempt *a, time_t *until, struct sls_diag *diag)
{
	time_t now;
	struct sls_txn t;
	enum sls_rc rc;

	memset(a, 0, sizeof(*a));
	*until = 0;
	rc = begin_with(&t, store, user, owner, d, &now, diag);
	if (rc != SLS_OK)
		goto out;
	rc = SLS_ERR_LOCKED;
	if (t.state->locked_until > now) {
		*until = t.state->locked_until;
		goto out;
	}
	sls_state_prune(t.state, t.user); /* room for the entry prepare may make */
	rc = prepare(&t, conf, d, now, a);
	if (rc == SLS_ERR_WAIT)
		*until = a->pending.sent + (time_t)conf->sms_min_interval;
	if (rc != SLS_OK)
		goto out;
	a->at = now;
	if (sls_state_note_failure(t.state, now, conf->window, conf->deny, conf->unlock_time))
		a->lock_set = t.state->locked_until;
	t.state_changed = true;
	rc = sls_txn_commit(&t);
out:
	sls_txn_end(&t);
	if (rc != SLS_OK)
		sls_wipe(a, sizeof(*a));
	return rc;
}

enum sls_rc sls_attempt_refund(const struct sls_store *store, const char *user, uid_t owner,
			       const struct sls_attempt *a, struct sls_diag *diag)
{
	struct sls_txn t;
	enum sls_rc rc = sls_txn_begin(&t, store, user, owner, SLS_TXN_STATE, diag);

	if (rc == SLS_OK) {
		sls_state_take_back(t.state, a->at, a->lock_set);
		if (a->code[0] != '\0' && t.state->sms.pending &&
		    sls_secure_equal(t.state->sms.hash, a->pending.hash, sizeof(a->pending.hash)))
			sls_pending_drop(&t.state->sms);
		t.state_changed = true;
		rc = sls_txn_commit(&t);
	}
	sls_txn_end(&t);
	return rc;
}

enum sls_rc sls_attempt_renew(const struct sls_store *store, const char *user, uid_t owner,
			      const struct sls_config *conf, const struct sls_device *d,
			      struct sls_attempt *a, struct sls_diag *diag)
{
	time_t now;
	struct sls_hookctx ctx;
	struct sls_txn t;
	enum sls_rc rc = SLS_ERR_INVAL;

	if (d->type->renew == NULL)
		return rc;
	rc = begin_with(&t, store, user, owner, d, &now, diag);
	if (rc == SLS_OK) {
		ctx = hookctx(&t, conf, d, now);
		rc = d->type->renew(d, &ctx, a);
	}
	if (rc == SLS_OK) {
		t.state_changed = true;
		rc = sls_txn_commit(&t);
	}
	sls_txn_end(&t);
	return rc;
}

/* A right answer's key claimed in the store (sls_userdb_claim), when its type keeps one. */
static enum sls_rc claim(const struct sls_store *store, const char *user,
			 const struct sls_device *d, const struct sls_attempt *a, uint64_t step)
{
	char key[SLS_DEVICE_NAME_MAX + 64];
	unsigned keep = 0;

	if (d->type->used_key == NULL || d->created == 0 ||
	    !d->type->used_key(d, a, step, key, sizeof(key), &keep))
		return SLS_OK;
	return sls_userdb_claim(store, user, key, keep);
}

enum sls_rc sls_attempt_succeed(const struct sls_store *store, const char *user, uid_t owner,
				const struct sls_device *d, const struct sls_attempt *a,
				uint64_t step, time_t *until, struct sls_diag *diag)
{
	time_t now;
	struct sls_txn t;
	enum sls_rc rc;

	*until = 0;
	rc = begin_with(&t, store, user, owner, d, &now, diag);
	if (rc != SLS_OK)
		goto out;
	/* a lock is ours to lift only if our own failure set it */
	rc = SLS_ERR_LOCKED;
	if (t.state->locked_until > now && t.state->locked_until != a->lock_set) {
		*until = t.state->locked_until;
		goto out;
	}
	rc = sls_state_note_success(t.state, d, a, step, now);
	if (rc == SLS_OK)
		rc = claim(store, user, d, a, step);
	if (rc != SLS_OK)
		goto out;
	t.state_changed = true;
	rc = sls_txn_commit(&t);
out:
	sls_txn_end(&t);
	return rc;
}
