/* pam_sls - the enrolment file STORE/users/USER: parse, validate, serialize. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ini_util.h"
#include "sls_enroll.h"
#include "sls_secret.h"

#define SECRET_MIN      16 /* bytes: RFC 4226 asks for 128 bits at least */
#define TOTP_PERIOD_MAX 3600
#define TYPE_COUNT      (SLS_DEV_TEMPCODE + 1)
#define STATUS_COUNT    (SLS_STATUS_REVOKED + 1)

static const char *const type_names[TYPE_COUNT] = {
    [SLS_DEV_IBKEY] = "ibkey", [SLS_DEV_DSC] = "dsc",   [SLS_DEV_TOTP] = "totp",
    [SLS_DEV_SMS] = "sms",     [SLS_DEV_CARD] = "card", [SLS_DEV_TEMPCODE] = "tempcode",
};
static const int type_levels[TYPE_COUNT] = {
    [SLS_DEV_IBKEY] = 3, [SLS_DEV_DSC] = 4,  [SLS_DEV_TOTP] = 2,
    [SLS_DEV_SMS] = 1,   [SLS_DEV_CARD] = 1, [SLS_DEV_TEMPCODE] = 1,
};
static const char *const status_names[STATUS_COUNT] = {
    [SLS_STATUS_PENDING] = "pending",
    [SLS_STATUS_ACTIVE] = "active",
    [SLS_STATUS_REVOKED] = "revoked",
};

const char *sls_device_type_name(enum sls_device_type t)
{
	return (unsigned)t < TYPE_COUNT ? type_names[t] : NULL;
}

enum sls_rc sls_device_type_parse(const char *s, enum sls_device_type *t)
{
	for (unsigned i = 0; i < TYPE_COUNT; i++) {
		if (strcmp(s, type_names[i]) == 0) {
			*t = (enum sls_device_type)i;
			return SLS_OK;
		}
	}
	return SLS_ERR_INVAL;
}

int sls_device_type_level(enum sls_device_type t)
{
	return (unsigned)t < TYPE_COUNT ? type_levels[t] : 0;
}

const char *sls_device_status_name(enum sls_device_status s)
{
	return (unsigned)s < STATUS_COUNT ? status_names[s] : NULL;
}

enum sls_rc sls_device_status_parse(const char *s, enum sls_device_status *st)
{
	for (unsigned i = 0; i < STATUS_COUNT; i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*st = (enum sls_device_status)i;
			return SLS_OK;
		}
	}
	return SLS_ERR_INVAL;
}

bool sls_device_type_askable(enum sls_device_type t)
{
	return t == SLS_DEV_IBKEY || t == SLS_DEV_DSC || t == SLS_DEV_TOTP;
}

bool sls_device_usable(const struct sls_device *d, time_t now)
{
	return d->status == SLS_STATUS_ACTIVE && (d->expires == 0 || now < d->expires);
}

struct sls_device *sls_user_find_device(struct sls_user *user, const char *name)
{
	for (size_t i = 0; i < user->ndevices && i < SLS_DEVICES_MAX; i++) {
		if (strcmp(user->devices[i].name, name) == 0)
			return &user->devices[i];
	}
	return NULL;
}

void sls_user_clear(struct sls_user *user)
{
	sls_wipe(user, sizeof(*user));
}

/* ---- value checks shared by the parser and the serializer ---------------- */

static bool is_ocra_type(enum sls_device_type t)
{
	return t == SLS_DEV_IBKEY || t == SLS_DEV_DSC;
}

static bool phone_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return true;
	return s[0] == '+' && n >= 7 && n <= 16 && strspn(s + 1, "0123456789") == n - 1;
}

static bool totp_default(const struct sls_device *d)
{
	return d->totp_hash == SLS_HASH_SHA1 && d->totp_digits == 6 && d->totp_period == 30;
}

/* "TOTP-SHA{1,256,512}-{6,7,8}-PERIOD", exactly as written by the serializer. */
static bool totp_suite_parse(const char *s, struct sls_device *d)
{
	char hash[8];
	const char *p = s + 5, *q;
	uint64_t period;
	enum sls_hash h;

	if (strncmp(s, "TOTP-", 5) != 0 || (q = strchr(p, '-')) == NULL ||
	    (size_t)(q - p) >= sizeof(hash))
		return false;
	memcpy(hash, p, (size_t)(q - p));
	hash[q - p] = '\0';
	if (sls_hash_parse(hash, &h) != SLS_OK || strcmp(hash, sls_hash_name(h)) != 0)
		return false;
	if (q[1] < '6' || q[1] > '8' || q[2] != '-' ||
	    !sls_ini_parse_u64(q + 3, TOTP_PERIOD_MAX, &period) || period == 0)
		return false;
	d->totp_hash = h;
	d->totp_digits = (unsigned)(q[1] - '0');
	d->totp_period = (unsigned)period;
	return true;
}

static bool totp_params_ok(const struct sls_device *d)
{
	return (d->totp_hash == SLS_HASH_SHA1 || d->totp_hash == SLS_HASH_SHA256 ||
		d->totp_hash == SLS_HASH_SHA512) &&
	       d->totp_digits >= 6 && d->totp_digits <= 8 && d->totp_period >= 1 &&
	       d->totp_period <= TOTP_PERIOD_MAX;
}

static bool ocra_suite_parse(const char *s, struct sls_ocra_suite *suite)
{
	memset(suite, 0, sizeof(*suite));
	if (strlen(s) > SLS_OCRA_SUITE_MAX || sls_ocra_suite_parse(s, suite, NULL) != SLS_OK) {
		memset(suite, 0, sizeof(*suite));
		return false;
	}
	return true;
}

/* The suite holds what its text says, with a PIN, and the PIN hash has its size. */
static bool ocra_fields_ok(const struct sls_device *d)
{
	struct sls_ocra_suite s;
	const struct sls_ocra_suite *t = &d->suite;

	if (memchr(t->text, '\0', sizeof(t->text)) == NULL || !ocra_suite_parse(t->text, &s))
		return false;
	return s.pin && s.hash == t->hash && s.digits == t->digits && s.counter == t->counter &&
	       s.q_format == t->q_format && s.q_len == t->q_len && s.pin == t->pin &&
	       s.pin_hash == t->pin_hash && s.session_len == t->session_len &&
	       s.time_step == t->time_step && d->pin_hash_len == sls_hash_size(s.pin_hash);
}

/* ---- parser ---------------------------------------------------------------- */

enum enroll_section { SEC_NONE, SEC_USER, SEC_DEVICE };

struct enroll_parse {
	struct sls_user *user;
	enum enroll_section section;
	int section_line;
	bool seen_user;
	struct sls_device *dev; /* the [device] being read */
	unsigned seen;          /* one bit per key of the section's table */
	int key_line[16];       /* where each key was */
};

/* A key handler returns NULL, or why the value is bad (never the value itself). */
typedef const char *(*enroll_key_fn)(struct enroll_parse *p, const char *value);

#define ALL_TYPES   0x3fu
#define TYPE_BIT(t) (1u << (t))
#define OCRA_TYPES  (TYPE_BIT(SLS_DEV_IBKEY) | TYPE_BIT(SLS_DEV_DSC))
#define SECRET_TYPES                                                                               \
	(OCRA_TYPES | TYPE_BIT(SLS_DEV_TOTP) | TYPE_BIT(SLS_DEV_CARD) | TYPE_BIT(SLS_DEV_TEMPCODE))

struct enroll_key {
	const char *name;
	enroll_key_fn parse;
	unsigned types;    /* device types that use the key */
	unsigned required; /* device types that must have it */
};

static const char *user_phone(struct enroll_parse *p, const char *v)
{
	if (!phone_ok(v))
		return "not '+' and 6 to 15 digits";
	snprintf(p->user->phone, sizeof(p->user->phone), "%s", v);
	return NULL;
}

static const char *user_phone_verified(struct enroll_parse *p, const char *v)
{
	return sls_ini_parse_bool(v, &p->user->phone_verified) ? NULL : "not yes or no";
}

static const char *user_optout(struct enroll_parse *p, const char *v)
{
	return sls_ini_parse_bool(v, &p->user->optout) ? NULL : "not yes or no";
}

static const char *user_identity(struct enroll_parse *p, const char *v)
{
	if (!sls_ini_text_ok(v, SLS_IDENTITY_MAX))
		return "not printable UTF-8 text or too long";
	snprintf(p->user->identity, sizeof(p->user->identity), "%s", v);
	return NULL;
}

static const struct enroll_key user_keys[] = {
    {"phone", user_phone, 0, 0},
    {"phone_verified", user_phone_verified, 0, 0},
    {"optout", user_optout, 0, 0},
    {"identity", user_identity, 0, 0},
};

static const char *dev_type(struct enroll_parse *p, const char *v)
{
	return sls_device_type_parse(v, &p->dev->type) == SLS_OK ? NULL : "unknown device type";
}

static const char *dev_label(struct enroll_parse *p, const char *v)
{
	if (!sls_ini_text_ok(v, SLS_LABEL_MAX))
		return "not printable UTF-8 text or too long";
	snprintf(p->dev->label, sizeof(p->dev->label), "%s", v);
	return NULL;
}

static const char *dev_suite(struct enroll_parse *p, const char *v)
{
	struct sls_device *d = p->dev;

	if (d->type == SLS_DEV_TOTP)
		return totp_suite_parse(v, d) ? NULL : "invalid TOTP suite";
	if (!ocra_suite_parse(v, &d->suite))
		return "invalid OCRA suite";
	return d->suite.pin ? NULL : "OCRA suite without a PIN";
}

static const char *dev_secret(struct enroll_parse *p, const char *v)
{
	struct sls_device *d = p->dev;
	enum sls_rc rc = sls_ini_parse_base32(v, d->secret, sizeof(d->secret), &d->secret_len);

	if (rc == SLS_ERR_TOOBIG)
		return "secret too long";
	if (rc != SLS_OK)
		return "bad base32";
	return d->secret_len >= SECRET_MIN ? NULL : "secret too short";
}

/* The length is checked against the suite at the end of the section. */
static const char *dev_pin_hash(struct enroll_parse *p, const char *v)
{
	struct sls_device *d = p->dev;
	size_t n = strlen(v) / 2;

	if (n == 0 || n > SLS_HASH_MAX || sls_ini_parse_hex(v, d->pin_hash, n) != SLS_OK)
		return "bad hex";
	d->pin_hash_len = n;
	return NULL;
}

static const char *dev_level(struct enroll_parse *p, const char *v)
{
	uint64_t n;

	if (!sls_ini_parse_u64(v, 9, &n))
		return "not a level";
	p->dev->level = (int)n;
	return p->dev->level == sls_device_type_level(p->dev->type) ? NULL
								    : "does not match the type";
}

static const char *dev_status(struct enroll_parse *p, const char *v)
{
	return sls_device_status_parse(v, &p->dev->status) == SLS_OK ? NULL : "unknown status";
}

static const char *dev_created(struct enroll_parse *p, const char *v)
{
	return sls_ini_parse_time(v, true, &p->dev->created) ? NULL : "not a positive epoch time";
}

static const char *dev_expires(struct enroll_parse *p, const char *v)
{
	return sls_ini_parse_time(v, false, &p->dev->expires) ? NULL : "not an epoch time";
}

static const char *dev_shared_from(struct enroll_parse *p, const char *v)
{
	if (*v != '\0' && !sls_ini_name_ok(v, SLS_USER_NAME_MAX))
		return "not a valid user name";
	snprintf(p->dev->shared_from, sizeof(p->dev->shared_from), "%s", v);
	return NULL;
}

enum { DK_TYPE, DK_LABEL, DK_SUITE, DK_SECRET, DK_PIN_HASH };

static const struct enroll_key device_keys[] = {
    [DK_TYPE] = {"type", dev_type, ALL_TYPES, ALL_TYPES},
    [DK_LABEL] = {"label", dev_label, ALL_TYPES, 0},
    [DK_SUITE] = {"suite", dev_suite, OCRA_TYPES | TYPE_BIT(SLS_DEV_TOTP), OCRA_TYPES},
    [DK_SECRET] = {"secret", dev_secret, SECRET_TYPES, SECRET_TYPES},
    [DK_PIN_HASH] = {"pin_hash", dev_pin_hash, OCRA_TYPES, OCRA_TYPES},
    {"level", dev_level, ALL_TYPES, ALL_TYPES},
    {"status", dev_status, ALL_TYPES, ALL_TYPES},
    {"created", dev_created, ALL_TYPES, ALL_TYPES},
    {"expires", dev_expires, ALL_TYPES, 0},
    {"shared_from", dev_shared_from, ALL_TYPES, 0},
};

#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

static const struct enroll_key *enroll_table(const struct enroll_parse *p, size_t *n)
{
	if (p->section == SEC_USER) {
		*n = NKEYS(user_keys);
		return user_keys;
	}
	*n = NKEYS(device_keys);
	return device_keys;
}

static enum sls_rc enroll_device_section(struct enroll_parse *p, const char *name, int line,
					 struct sls_diag *diag)
{
	struct sls_user *u = p->user;
	char dev[SLS_DEVICE_NAME_MAX + 1];

	if (!p->seen_user) {
		sls_diag_set(diag, line, "[user] must come first");
		return SLS_ERR_FORMAT;
	}
	if (sls_ini_device_section(name, u->ndevices, SLS_DEVICES_MAX, dev, SLS_DEVICE_NAME_MAX,
				   line, diag) != SLS_OK)
		return SLS_ERR_FORMAT;
	if (sls_user_find_device(u, dev) != NULL) {
		sls_diag_set(diag, line, "duplicate device '%s'", dev);
		return SLS_ERR_FORMAT;
	}
	p->dev = &u->devices[u->ndevices++];
	snprintf(p->dev->name, sizeof(p->dev->name), "%s", dev);
	p->section = SEC_DEVICE;
	return SLS_OK;
}

static enum sls_rc enroll_on_section(void *ctx, const char *name, int line, struct sls_diag *diag)
{
	struct enroll_parse *p = ctx;

	p->seen = 0;
	p->section_line = line;
	if (strcmp(name, "user") == 0) {
		if (p->seen_user) {
			sls_diag_set(diag, line, "duplicate section [user]");
			return SLS_ERR_FORMAT;
		}
		p->seen_user = true;
		p->section = SEC_USER;
		return SLS_OK;
	}
	if (strncmp(name, "device", 6) == 0 && (name[6] == ' ' || name[6] == '\0'))
		return enroll_device_section(p, name, line, diag);
	sls_diag_set(diag, line, p->seen_user ? "unknown section" : "[user] must come first");
	return SLS_ERR_FORMAT;
}

/* Whether key k may stand here; fills diag otherwise. */
static bool enroll_key_allowed(const struct enroll_parse *p, const struct enroll_key *k, size_t idx,
			       int line, struct sls_diag *diag)
{
	if (p->seen & (1u << idx)) {
		sls_diag_set(diag, line, "duplicate key '%s'", k->name);
		return false;
	}
	if (p->section != SEC_DEVICE)
		return true;
	if (idx != DK_TYPE && !(p->seen & (1u << DK_TYPE))) {
		sls_diag_set(diag, line, "key 'type' must come first in [device %s]", p->dev->name);
		return false;
	}
	if (idx != DK_TYPE && !(k->types & TYPE_BIT(p->dev->type))) {
		sls_diag_set(diag, line, "key '%s' is not used by type %s", k->name,
			     sls_device_type_name(p->dev->type));
		return false;
	}
	return true;
}

static enum sls_rc enroll_on_key(void *ctx, const char *key, const char *value, bool cont, int line,
				 struct sls_diag *diag)
{
	struct enroll_parse *p = ctx;
	const struct enroll_key *table;
	const char *why;
	size_t n, i;

	if (cont) {
		sls_diag_set(diag, line, "continuation line");
		return SLS_ERR_FORMAT;
	}
	table = enroll_table(p, &n);
	for (i = 0; i < n && strcmp(key, table[i].name) != 0; i++)
		;
	if (i == n) {
		sls_diag_set(diag, line, "unknown key in [%s]",
			     p->section == SEC_USER ? "user" : "device");
		return SLS_ERR_FORMAT;
	}
	if (!enroll_key_allowed(p, &table[i], i, line, diag))
		return SLS_ERR_FORMAT;
	why = table[i].parse(p, value);
	if (why != NULL) {
		sls_diag_set(diag, line, "key '%s': %s", table[i].name, why);
		return SLS_ERR_FORMAT;
	}
	p->seen |= 1u << i;
	p->key_line[i] = line;
	return SLS_OK;
}

static enum sls_rc enroll_end_device(struct enroll_parse *p, struct sls_diag *diag)
{
	struct sls_device *d = p->dev;
	unsigned bit = TYPE_BIT(d->type);

	for (size_t i = 0; i < NKEYS(device_keys); i++) {
		if ((i == DK_TYPE || (device_keys[i].required & bit)) && !(p->seen & (1u << i))) {
			sls_diag_set(diag, p->section_line, "[device %s]: missing key '%s'",
				     d->name, device_keys[i].name);
			return SLS_ERR_FORMAT;
		}
	}
	if (is_ocra_type(d->type) && d->pin_hash_len != sls_hash_size(d->suite.pin_hash)) {
		sls_diag_set(diag, p->key_line[DK_PIN_HASH],
			     "key 'pin_hash': wrong length for the suite");
		return SLS_ERR_FORMAT;
	}
	if (d->type == SLS_DEV_TOTP && !(p->seen & (1u << DK_SUITE))) {
		d->totp_hash = SLS_HASH_SHA1;
		d->totp_digits = 6;
		d->totp_period = 30;
	}
	return SLS_OK;
}

static enum sls_rc enroll_on_end_section(void *ctx, struct sls_diag *diag)
{
	struct enroll_parse *p = ctx;

	if (p->section == SEC_DEVICE)
		return enroll_end_device(p, diag);
	for (size_t i = 0; i < NKEYS(user_keys); i++) {
		if (!(p->seen & (1u << i))) {
			sls_diag_set(diag, p->section_line, "[user]: missing key '%s'",
				     user_keys[i].name);
			return SLS_ERR_FORMAT;
		}
	}
	return SLS_OK;
}

static const struct sls_ini_ops enroll_ops = {
    .section = enroll_on_section,
    .key = enroll_on_key,
    .end_section = enroll_on_end_section,
};

enum sls_rc sls_user_parse(const char *buf, struct sls_user *user, struct sls_diag *diag)
{
	struct enroll_parse p = {.user = user};
	enum sls_rc rc = SLS_ERR_INVAL;

	if (user == NULL)
		return SLS_ERR_INVAL;
	sls_user_clear(user);
	if (buf == NULL)
		goto out;
	rc = sls_ini_parse(buf, &enroll_ops, &p, diag);
	if (rc == SLS_OK && !p.seen_user) {
		sls_diag_set(diag, 0, "no [user] section");
		rc = SLS_ERR_FORMAT;
	}
out:
	if (rc != SLS_OK)
		sls_user_clear(user);
	return rc;
}

/* ---- serializer ------------------------------------------------------------ */

static bool device_type_fields_ok(const struct sls_device *d)
{
	bool ocra = is_ocra_type(d->type), totp = d->type == SLS_DEV_TOTP;

	if (d->type == SLS_DEV_SMS ? d->secret_len != 0
				   : (d->secret_len < SECRET_MIN || d->secret_len > SLS_SECRET_MAX))
		return false;
	if (ocra ? !ocra_fields_ok(d) : (d->pin_hash_len != 0 || d->suite.text[0] != '\0'))
		return false;
	if (totp)
		return totp_params_ok(d);
	return d->totp_hash == 0 && d->totp_digits == 0 && d->totp_period == 0;
}

static bool device_ok(const struct sls_user *u, size_t idx)
{
	const struct sls_device *d = &u->devices[idx];

	if (memchr(d->name, '\0', sizeof(d->name)) == NULL ||
	    !sls_ini_name_ok(d->name, SLS_DEVICE_NAME_MAX))
		return false;
	for (size_t i = 0; i < idx; i++) {
		if (strcmp(u->devices[i].name, d->name) == 0)
			return false;
	}
	if ((unsigned)d->type >= TYPE_COUNT || (unsigned)d->status >= STATUS_COUNT ||
	    d->level != sls_device_type_level(d->type) || d->created <= 0 || d->expires < 0)
		return false;
	if (memchr(d->label, '\0', sizeof(d->label)) == NULL ||
	    !sls_ini_text_ok(d->label, SLS_LABEL_MAX) ||
	    memchr(d->shared_from, '\0', sizeof(d->shared_from)) == NULL ||
	    (d->shared_from[0] != '\0' && !sls_ini_name_ok(d->shared_from, SLS_USER_NAME_MAX)))
		return false;
	return device_type_fields_ok(d);
}

static bool user_ok(const struct sls_user *u)
{
	if (u->ndevices > SLS_DEVICES_MAX || memchr(u->phone, '\0', sizeof(u->phone)) == NULL ||
	    !phone_ok(u->phone) || memchr(u->identity, '\0', sizeof(u->identity)) == NULL ||
	    !sls_ini_text_ok(u->identity, SLS_IDENTITY_MAX))
		return false;
	for (size_t i = 0; i < u->ndevices; i++) {
		if (!device_ok(u, i))
			return false;
	}
	return true;
}

static void format_device(struct sls_ini_buf *b, const struct sls_device *d)
{
	sls_ini_buf_addf(b, "\n[device %s]\n", d->name);
	sls_ini_buf_key(b, "type", sls_device_type_name(d->type));
	sls_ini_buf_key(b, "label", d->label);
	if (is_ocra_type(d->type))
		sls_ini_buf_key(b, "suite", d->suite.text);
	if (d->type == SLS_DEV_TOTP && !totp_default(d))
		sls_ini_buf_addf(b, "suite = TOTP-%s-%u-%u\n", sls_hash_name(d->totp_hash),
				 d->totp_digits, d->totp_period);
	if (d->type != SLS_DEV_SMS)
		sls_ini_buf_key_base32(b, "secret", d->secret, d->secret_len);
	if (is_ocra_type(d->type))
		sls_ini_buf_key_hex(b, "pin_hash", d->pin_hash, d->pin_hash_len);
	sls_ini_buf_key_num(b, "level", (uint64_t)d->level);
	sls_ini_buf_key(b, "status", sls_device_status_name(d->status));
	/* optional keys before a required one: a file cut after them is refused */
	if (d->expires != 0)
		sls_ini_buf_key_num(b, "expires", (uint64_t)d->expires);
	if (d->shared_from[0] != '\0')
		sls_ini_buf_key(b, "shared_from", d->shared_from);
	sls_ini_buf_key_num(b, "created", (uint64_t)d->created);
}

enum sls_rc sls_user_format(const struct sls_user *user, char **out, size_t *len)
{
	struct sls_ini_buf b;
	enum sls_rc rc = SLS_ERR_INVAL;

	sls_ini_buf_init(&b);
	if (out == NULL || len == NULL)
		return SLS_ERR_INVAL;
	*out = NULL;
	*len = 0;
	if (user == NULL || !user_ok(user))
		goto out;
	sls_ini_buf_add(&b, "[user]\n");
	sls_ini_buf_key(&b, "phone", user->phone);
	sls_ini_buf_key(&b, "phone_verified", user->phone_verified ? "yes" : "no");
	sls_ini_buf_key(&b, "optout", user->optout ? "yes" : "no");
	sls_ini_buf_key(&b, "identity", user->identity);
	for (size_t i = 0; i < user->ndevices; i++)
		format_device(&b, &user->devices[i]);
	rc = sls_ini_buf_finish(&b, out, len);
out:
	sls_ini_buf_free(&b);
	return rc;
}
