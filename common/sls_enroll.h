/* pam_sls - the enrolment file STORE/users/USER (DESIGN.md "Files"). */
#ifndef SLS_ENROLL_H
#define SLS_ENROLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

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

enum sls_device_type {
	SLS_DEV_IBKEY,    /* level 3, OCRA with PIN */
	SLS_DEV_DSC,      /* level 4, OCRA with 4-digit PIN */
	SLS_DEV_TOTP,     /* level 2 */
	SLS_DEV_SMS,      /* level 1 */
	SLS_DEV_CARD,     /* level 1 */
	SLS_DEV_TEMPCODE, /* level 1 */
};

enum sls_device_status {
	SLS_STATUS_PENDING, /* enrolled, not yet confirmed: cannot log in */
	SLS_STATUS_ACTIVE,
	SLS_STATUS_REVOKED,
};

/* "ibkey", "dsc", ...; NULL for an invalid value. */
const char *sls_device_type_name(enum sls_device_type t);
enum sls_rc sls_device_type_parse(const char *s, enum sls_device_type *t);
/* The level of a type (DESIGN.md table): 3, 4, 2, 1, 1, 1. */
int sls_device_type_level(enum sls_device_type t);
const char *sls_device_status_name(enum sls_device_status s);
enum sls_rc sls_device_status_parse(const char *s, enum sls_device_status *st);

/*
 * One [device NAME] section. Keys: type, label, suite, secret (base32),
 * pin_hash (hex), level, status, created, expires (epoch seconds; 0 or absent
 * = never), shared_from (user name). Which keys a type needs:
 *   ibkey, dsc: suite (an OCRA suite with P), secret, pin_hash of the
 *               suite's PIN hash size;
 *   totp:       secret; suite absent (SHA1, 6 digits, 30 s) or
 *               "TOTP-SHA{1,256,512}-{6,7,8}-PERIOD";
 *   card:       secret (the codes derive from it);
 *   tempcode:   secret (a hash of the code);
 *   sms:        nothing (the phone is in [user]).
 * A key a type does not use is an error.
 */
struct sls_device {
	char name[SLS_DEVICE_NAME_MAX + 1];
	enum sls_device_type type;
	char label[SLS_LABEL_MAX + 1]; /* printable UTF-8, may be empty */
	/* ibkey, dsc */
	struct sls_ocra_suite suite;
	uint8_t pin_hash[SLS_HASH_MAX];
	size_t pin_hash_len;
	/* totp */
	enum sls_hash totp_hash;
	unsigned totp_digits;
	unsigned totp_period;
	/* all but sms */
	uint8_t secret[SLS_SECRET_MAX];
	size_t secret_len;
	int level; /* must equal sls_device_type_level(type) */
	enum sls_device_status status;
	time_t created;                          /* required, > 0 */
	time_t expires;                          /* 0 = never */
	char shared_from[SLS_USER_NAME_MAX + 1]; /* empty = own device */
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
 * libinih. [user] must come first and once; each [device NAME] has a
 * sls_name_valid NAME of at most SLS_DEVICE_NAME_MAX bytes, unique; keys may
 * not repeat. Any unknown section or key, missing required key, bad value,
 * or a device count over SLS_DEVICES_MAX is SLS_ERR_FORMAT with the line in
 * diag. On error *user is wiped to zero: there is no half-filled result.
 */
enum sls_rc sls_user_parse(const char *buf, struct sls_user *user, struct sls_diag *diag);

/*
 * Serialize *user (which must be valid, as sls_user_parse would accept it;
 * otherwise SLS_ERR_INVAL) into a malloc'ed NUL-terminated text *out, length
 * *len; free with sls_free_secret(*out, *len + 1). parse(format(u)) == u.
 */
enum sls_rc sls_user_format(const struct sls_user *user, char **out, size_t *len);

/*
 * Whether a login can ask a device of type t today (ibkey, dsc, totp); the
 * other types parse in the files but have no prompt yet.
 */
bool sls_device_type_askable(enum sls_device_type t);

/* Whether d can answer at now: active, and not past its expires (0 = never). */
bool sls_device_usable(const struct sls_device *d, time_t now);

/* The device called name, or NULL. */
struct sls_device *sls_user_find_device(struct sls_user *user, const char *name);

/* Wipe *user (it holds secrets). */
void sls_user_clear(struct sls_user *user);

#endif /* SLS_ENROLL_H */
