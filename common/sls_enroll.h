/* pam_sls - the enrolment file STORE/users/USER (doc/design.md, "The files"). */
#ifndef SLS_ENROLL_H
#define SLS_ENROLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sls_devtype.h"
#include "sls_error.h"
#include "sls_file.h"
#include "sls_ocra.h"
#include "sls_otp.h"

#define SLS_DEVICES_MAX     16
#define SLS_DEVICE_NAME_MAX 32
#define SLS_LABEL_MAX       64
#define SLS_PHONE_MAX       20
#define SLS_IDENTITY_MAX    128
#define SLS_SECRET_MAX      64
#define SLS_SHARED_WITH_MAX 8 /* users one device may be shared with */

/* Scratch codes (common/devtype/scratch.c): how many a device holds, how they are kept. */
#define SLS_SCRATCH_CODES_MAX 10
#define SLS_SCRATCH_TAG_LEN   8
#define SLS_SCRATCH_SALT_LEN  16

enum sls_device_status {
	SLS_STATUS_PENDING, /* enrolled, not yet confirmed: cannot log in */
	SLS_STATUS_ACTIVE,
	SLS_STATUS_REVOKED,
};

const char *sls_device_status_name(enum sls_device_status s);
enum sls_rc sls_device_status_parse(const char *s, enum sls_device_status *st);

/*
 * One [device NAME] section. Keys every type has: type (first), label,
 * level, status, created, expires (epoch seconds; 0 or absent = never),
 * shared_from (user name), shared_with (the users it is shared with:
 * 1 to SLS_SHARED_WITH_MAX distinct names, comma-separated; never on a
 * shared device). The type's own keys come between label and
 * level, as its file in common/devtype/ says:
 *   ibkey, dsc: suite (an OCRA suite with P), secret (base32), pin_hash
 *               (hex) of the suite's PIN hash size;
 *   totp:       secret; suite absent (SHA1, 6 digits, 30 s) or
 *               "TOTP-SHA{1,256,512}-{6,7,8}-PERIOD";
 *   card:       secret (the codes and the card's id derive from it);
 *   tempcode:   secret (a salt and the code's salted hash), login_until
 *               (epoch seconds: after it, until expires, only sls card
 *               print takes the code);
 *   sms:        nothing (the phone is in [user]);
 *   scratch:    secret (a salt of SLS_SCRATCH_SALT_LEN bytes), codes (1 to
 *               SLS_SCRATCH_CODES_MAX comma-separated tags, lower-case hex:
 *               HMAC-SHA-256 of each code under the salt, cut to
 *               SLS_SCRATCH_TAG_LEN bytes; the state lists the used ones).
 * A key a type does not use is an error. A device with shared_from set is
 * shared from that user (sls_share.h): of a type sls_share_type_ok allows,
 * and written without its type's own keys (secret_len 0, u all zero), as it
 * answers at each login with that user's device; one read with them must
 * have them all, and they are never used.
 */
struct sls_device {
	char name[SLS_DEVICE_NAME_MAX + 1];
	const struct sls_devtype *type;
	char label[SLS_LABEL_MAX + 1];  /* printable UTF-8, may be empty */
	uint8_t secret[SLS_SECRET_MAX]; /* what the type keeps in secret =; sms: none */
	size_t secret_len;
	union { /* the type's own fields: only its file in common/devtype/ reads them */
		struct {
			struct sls_ocra_suite suite;
			uint8_t pin_hash[SLS_HASH_MAX];
			size_t pin_hash_len;
		} ocra; /* ibkey, dsc */
		struct {
			enum sls_hash hash;
			unsigned digits;
			unsigned period;
		} totp;
		struct {
			time_t login_until;
		} tempcode;
		struct {
			uint8_t tags[SLS_SCRATCH_CODES_MAX][SLS_SCRATCH_TAG_LEN];
			unsigned ncodes; /* 1..SLS_SCRATCH_CODES_MAX; the tags past it are zero */
		} scratch;
	} u;
	int level; /* must equal type->level */
	enum sls_device_status status;
	time_t created;                          /* required, > 0 */
	time_t expires;                          /* 0 = never */
	char shared_from[SLS_USER_NAME_MAX + 1]; /* empty = own device */
	/* the users it is shared with ("a,b": up to SLS_SHARED_WITH_MAX), empty = none */
	char shared_with[SLS_SHARED_WITH_MAX * (SLS_USER_NAME_MAX + 1)];
};

/* The [user] section and the devices, in file order. */
struct sls_user {
	char phone[SLS_PHONE_MAX + 1]; /* "+" and 6..15 digits, or empty */
	bool phone_verified;
	bool optout;
	char identity[SLS_IDENTITY_MAX + 1]; /* printable, may be empty */
	size_t ndevices;
	struct sls_device devices[SLS_DEVICES_MAX];
};

/*
 * Parse an enrolment file (buf, NUL-terminated, from sls_file_read) with
 * libinih; a device's type = must name one of types. [user] must come first
 * and once; each [device NAME] has a sls_name_valid NAME of at most
 * SLS_DEVICE_NAME_MAX bytes, unique; keys may not repeat. Any unknown
 * section or key, missing required key, bad value, or a device count over
 * SLS_DEVICES_MAX is SLS_ERR_FORMAT with the line in diag. On error *user
 * is wiped to zero: there is no half-filled result.
 */
enum sls_rc sls_user_parse_types(const char *buf, const struct sls_devtypes *types,
				 struct sls_user *user, struct sls_diag *diag);

/* The same with the built-in types. */
enum sls_rc sls_user_parse(const char *buf, struct sls_user *user, struct sls_diag *diag);

/*
 * Serialize *user (which must be valid, as sls_user_parse would accept it;
 * otherwise SLS_ERR_INVAL) into a malloc'ed NUL-terminated text *out, length
 * *len; free with sls_free_secret(*out, *len + 1). parse(format(u)) == u.
 */
enum sls_rc sls_user_format(const struct sls_user *user, char **out, size_t *len);

/*
 * Whether d can answer at now: active, not past its expires (0 = never),
 * and usable as its type sees it (sls_devtype usable).
 */
bool sls_device_usable(const struct sls_user *u, const struct sls_device *d, time_t now);

/*
 * A device of user's was activated (enrolled, confirmed or transferred):
 * every active stand-in (a temporary passcode) other than except is
 * revoked, as it was only there until then. Returns how many.
 */
size_t sls_user_revoke_stand_ins(struct sls_user *user, const struct sls_device *except);

/*
 * Where a new device called name goes in user: the place of the device of
 * that name (whatever its status: the caller decides whether it may be
 * replaced), else a new place at the end (ndevices grows), else, when the
 * list is full, the place of a revoked device; NULL when the list is full
 * of devices that are not revoked. *created is moved past the created of
 * the device of that name it replaces, so that the new device is a new
 * identity whose state starts afresh.
 */
struct sls_device *sls_user_place_device(struct sls_user *user, const char *name, time_t *created);

/*
 * The user's verified phone as an sms device that is in no file, for a
 * proof by an SMS code where the user has no sms device in any status (sls
 * transfer): created 0 (no device of a file has that), a name no device of
 * user has. False when the phone is not verified, or the user has an sms
 * device (a revoked one was revoked for a reason).
 */
bool sls_device_phone(const struct sls_user *user, struct sls_device *out);

/*
 * Whether now (as a transaction read it) is still exactly then (read earlier
 * from the same file, copied with memcpy): every field, the secret and PIN
 * hash too, compared in constant time. What sls checks before it replaces a
 * device it read without the lock (a PIN change, a transfer).
 */
bool sls_device_unchanged(const struct sls_device *now, const struct sls_device *then);

/* The device called name, or NULL. */
struct sls_device *sls_user_find_device(struct sls_user *user, const char *name);

/* Wipe *user (it holds secrets). */
void sls_user_clear(struct sls_user *user);

#endif /* SLS_ENROLL_H */
