/*
 * pam_sls - device sharing (doc/design.md, "Device sharing"): a device in
 * one user's file (shared_from = the user it comes from) that keeps no
 * secret of its own and answers, at every login, with that user's device
 * as their files say now. The login flow, count before check and sls all
 * resolve it here, and only here.
 */
#ifndef SLS_SHARE_H
#define SLS_SHARE_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "sls_devtype.h"
#include "sls_enroll.h"
#include "sls_error.h"
#include "sls_file.h"

/*
 * Whether a device of type t may be shared: one its holder carries and
 * answers with (a type sls enroll provisions: ibkey, dsc, totp), not a
 * stand-in. A card, an sms device (the phone is the user's own) and
 * single-use codes are not.
 */
bool sls_share_type_ok(const struct sls_devtype *t);

/*
 * The owner's record of a share: a device's shared_with, "a,b", 1 to
 * SLS_SHARED_WITH_MAX distinct valid user names (empty: none).
 */
bool sls_share_with_ok(const char *list);

/* How many users d's shared_with names. */
size_t sls_share_with_count(const struct sls_device *d);

/* Whether user is in d's shared_with. */
bool sls_share_with_has(const struct sls_device *d, const char *user);

/* user added to d's shared_with (once): SLS_ERR_TOOBIG when it holds SLS_SHARED_WITH_MAX. */
enum sls_rc sls_share_with_add(struct sls_device *d, const char *user);

/* user taken out of d's shared_with, if there. */
void sls_share_with_remove(struct sls_device *d, const char *user);

/* Whether two users' [user] identity lets them share: both set, and equal. */
bool sls_share_identities_match(const struct sls_user *a, const struct sls_user *b);

/*
 * Device d of user's file (the user called name), shared from another user
 * (d->shared_from), as it answers at now. That user's enrolment is read
 * from store (files owned by owner; no lock: files are only ever replaced
 * whole) and *out gets d with the secret and the type's own fields (PIN
 * hash, suite) of that user's device, and its expires. SLS_OK only when the
 * identities of user and of the other match (sls_share_identities_match)
 * and the other has a device of d's name, type and created that is their
 * own (not shared in turn), of a type that may be shared, usable at now
 * (active, unexpired), and whose shared_with names name. So a
 * PIN change (same created) carries over at once, and a revoke, a transfer
 * (a new created), an expiry or an identity changed by root ends the
 * share: SLS_ERR_GONE, as for a missing file. SLS_ERR_INVAL when d is not
 * shared; another error (with diag) when that enrolment cannot be read.
 * On any error *out is wiped. Whether d itself is active is the caller's
 * question (sls_device_usable on *out).
 */
enum sls_rc sls_share_resolve(const struct sls_store *store, uid_t owner, const char *name,
			      const struct sls_user *user, const struct sls_device *d, time_t now,
			      struct sls_device *out, struct sls_diag *diag);

/* The same, reading the enrolment of the user called name (d's) from store first. */
enum sls_rc sls_share_resolve_named(const struct sls_store *store, uid_t owner, const char *name,
				    const struct sls_device *d, time_t now, struct sls_device *out,
				    struct sls_diag *diag);

#endif /* SLS_SHARE_H */
