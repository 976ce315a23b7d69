/* pam_sls - the enrolment file STORE/users/USER: parse, validate, serialize. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ini_util.h"
#include "sls_enroll.h"
#include "sls_phone.h"
#include "sls_secret.h"
#include "sls_share.h"

#define STATUS_COUNT (SLS_STATUS_REVOKED + 1)

static const char *const status_names[STATUS_COUNT] = {
    [SLS_STATUS_PENDING] = "pending",
    [SLS_STATUS_ACTIVE] = "active",
    [SLS_STATUS_REVOKED] = "revoked",
};

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

bool sls_device_usable(const struct sls_user *u, const struct sls_device *d, time_t now)
{
	return d->status == SLS_STATUS_ACTIVE && (d->expires == 0 || now < d->expires) &&
	       (d->type->usable == NULL || d->type->usable(d, u, now));
}

size_t sls_user_revoke_stand_ins(struct sls_user *user, const struct sls_device *except)
{
	size_t n = 0;

	for (size_t i = 0; i < user->ndevices && i < SLS_DEVICES_MAX; i++) {
		struct sls_device *d = &user->devices[i];

		if (d != except && d->type->stand_in && d->status == SLS_STATUS_ACTIVE) {
			d->status = SLS_STATUS_REVOKED;
			n++;
		}
	}
	return n;
}

struct sls_device *sls_user_place_device(struct sls_user *user, const char *name, time_t *created)
{
	struct sls_device *d = sls_user_find_device(user, name);

	if (d != NULL) {
		if (*created <= d->created)
			*created = d->created + 1;
		return d;
	}
	if (user->ndevices < SLS_DEVICES_MAX)
		return &user->devices[user->ndevices++];
	for (size_t i = 0; i < SLS_DEVICES_MAX; i++)
		if (user->devices[i].status == SLS_STATUS_REVOKED)
			return &user->devices[i];
	return NULL;
}

bool sls_device_unchanged(const struct sls_device *now, const struct sls_device *then)
{
	return sls_secure_equal(now, then, sizeof(*now));
}

/* Whether user has a device called name. */
static bool has_name(const struct sls_user *user, const char *name)
{
	for (size_t i = 0; i < user->ndevices && i < SLS_DEVICES_MAX; i++)
		if (strcmp(user->devices[i].name, name) == 0)
			return true;
	return false;
}

bool sls_device_phone(const struct sls_user *user, struct sls_device *out)
{
	memset(out, 0, sizeof(*out));
	if (!user->phone_verified || user->phone[0] == '\0')
		return false;
	for (size_t i = 0; i < user->ndevices && i < SLS_DEVICES_MAX; i++)
		if (user->devices[i].type == &sls_devtype_sms)
			return false;
	for (int i = 0; i < 100; i++) {
		snprintf(out->name, sizeof(out->name), i == 0 ? "phone" : "phone-%d", i);
		if (!has_name(user, out->name))
			break;
	}
	out->type = &sls_devtype_sms;
	out->level = sls_devtype_sms.level;
	out->status = SLS_STATUS_ACTIVE;
	return !has_name(user, out->name);
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

/* ---- parser ---------------------------------------------------------------- */

enum enroll_section { SEC_NONE, SEC_USER, SEC_DEVICE };

struct enroll_parse {
	const struct sls_devtypes *types;
	struct sls_user *user;
	enum enroll_section section;
	int section_line;
	bool seen_user;
	struct sls_device *dev; /* the [device] being read */
	unsigned seen;          /* one bit per key of the section's table */
	int key_line[8];        /* where each key of the section's table was */
	bool type_seen[8];      /* which of the type's own keys were there */
	int type_line[8];       /* and where */
};

/* A key handler returns NULL, or why the value is bad (never the value itself). */
typedef const char *(*enroll_key_fn)(struct enroll_parse *p, const char *value);

struct enroll_key {
	const char *name;
	enroll_key_fn parse;
};

static const char *user_phone(struct enroll_parse *p, const char *v)
{
	if (!sls_phone_ok(v))
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
	if (!sls_text_ok(v, SLS_IDENTITY_MAX))
		return "not printable UTF-8 text or too long";
	snprintf(p->user->identity, sizeof(p->user->identity), "%s", v);
	return NULL;
}

static const struct enroll_key user_keys[] = {
    {"phone", user_phone},
    {"phone_verified", user_phone_verified},
    {"optout", user_optout},
    {"identity", user_identity},
};

static const char *dev_type(struct enroll_parse *p, const char *v)
{
	p->dev->type = sls_devtype_find(p->types, v);
	return p->dev->type != NULL ? NULL : "unknown device type";
}

static const char *dev_label(struct enroll_parse *p, const char *v)
{
	if (!sls_text_ok(v, SLS_LABEL_MAX))
		return "not printable UTF-8 text or too long";
	snprintf(p->dev->label, sizeof(p->dev->label), "%s", v);
	return NULL;
}

static const char *dev_level(struct enroll_parse *p, const char *v)
{
	uint64_t n;

	if (!sls_ini_parse_u64(v, 9, &n))
		return "not a level";
	p->dev->level = (int)n;
	return p->dev->level == p->dev->type->level ? NULL : "does not match the type";
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
	if (*v != '\0' && !sls_name_ok(v, SLS_USER_NAME_MAX))
		return "not a valid user name";
	snprintf(p->dev->shared_from, sizeof(p->dev->shared_from), "%s", v);
	return NULL;
}

static const char *dev_shared_with(struct enroll_parse *p, const char *v)
{
	if (strlen(v) >= sizeof(p->dev->shared_with) || !sls_share_with_ok(v))
		return "not 1 to 8 distinct user names, comma-separated";
	snprintf(p->dev->shared_with, sizeof(p->dev->shared_with), "%s", v);
	return NULL;
}

/* The keys every type has; the type's own (sls_devtype keys) are read between label and level. */
enum { DK_TYPE, DK_LABEL, DK_LEVEL, DK_STATUS, DK_CREATED };

static const struct enroll_key device_keys[] = {
    [DK_TYPE] = {"type", dev_type},          [DK_LABEL] = {"label", dev_label},
    [DK_LEVEL] = {"level", dev_level},       [DK_STATUS] = {"status", dev_status},
    [DK_CREATED] = {"created", dev_created}, {"expires", dev_expires},
    {"shared_from", dev_shared_from},        {"shared_with", dev_shared_with},
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

static bool user_has_device(const void *ctx, const char *name)
{
	const struct sls_user *u = ctx;

	for (size_t i = 0; i < u->ndevices; i++)
		if (strcmp(u->devices[i].name, name) == 0)
			return true;
	return false;
}

static enum sls_rc enroll_device_section(struct enroll_parse *p, const char *name, int line,
					 struct sls_diag *diag)
{
	struct sls_user *u = p->user;
	const struct sls_ini_devices devs = {"user",          p->seen_user,    u->ndevices,
					     SLS_DEVICES_MAX, user_has_device, u};
	char dev[SLS_DEVICE_NAME_MAX + 1];

	if (sls_ini_device_section(name, &devs, dev, SLS_DEVICE_NAME_MAX, line, diag) != SLS_OK)
		return SLS_ERR_FORMAT;
	p->dev = &u->devices[u->ndevices++];
	snprintf(p->dev->name, sizeof(p->dev->name), "%s", dev);
	p->section = SEC_DEVICE;
	return SLS_OK;
}

static enum sls_rc enroll_on_section(void *ctx, const char *name, int line, struct sls_diag *diag)
{
	struct enroll_parse *p = ctx;

	p->seen = 0;
	memset(p->type_seen, 0, sizeof(p->type_seen));
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
	if (p->section == SEC_DEVICE && idx != DK_TYPE && !(p->seen & (1u << DK_TYPE))) {
		sls_diag_set(diag, line, "key 'type' must come first in [device %s]", p->dev->name);
		return false;
	}
	return true;
}

/* The index of key among t's own keys, or -1. */
static int type_key_index(const struct sls_devtype *t, const char *key)
{
	for (size_t i = 0; i < t->nkeys; i++)
		if (strcmp(t->keys[i].name, key) == 0)
			return (int)i;
	return -1;
}

static bool any_type_has(const struct sls_devtypes *types, const char *key)
{
	for (size_t i = 0; i < types->n; i++)
		if (type_key_index(types->list[i], key) >= 0)
			return true;
	return false;
}

/* A key that is not in every type's table: the device's type's own, after type, once. */
static enum sls_rc type_key(struct enroll_parse *p, const char *key, const char *value, int line,
			    struct sls_diag *diag)
{
	const struct sls_devtype *t = p->dev->type;
	int i = t != NULL ? type_key_index(t, key) : -1;
	const char *why;

	if (!any_type_has(p->types, key))
		sls_diag_set(diag, line, "unknown key in [device]");
	else if (t == NULL)
		sls_diag_set(diag, line, "key 'type' must come first in [device %s]", p->dev->name);
	else if (i < 0)
		sls_diag_set(diag, line, "key '%s' is not used by type %s", key, t->name);
	else if (p->type_seen[i])
		sls_diag_set(diag, line, "duplicate key '%s'", key);
	else if ((why = t->keys[i].parse(p->dev, value)) != NULL)
		sls_diag_set(diag, line, "key '%s': %s", key, why);
	else {
		p->type_seen[i] = true;
		p->type_line[i] = line;
		return SLS_OK;
	}
	return SLS_ERR_FORMAT;
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
	if (i == n && p->section == SEC_DEVICE)
		return type_key(p, key, value, line, diag);
	if (i == n) {
		sls_diag_set(diag, line, "unknown key in [user]");
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

/* Whether any of the type's own keys was in the section. */
static bool any_type_key(const struct enroll_parse *p)
{
	for (size_t i = 0; i < p->dev->type->nkeys; i++)
		if (p->type_seen[i])
			return true;
	return false;
}

/*
 * A shared device written as sls share writes it: none of its type's own
 * keys (it answers with the device of the user it is shared from, resolved
 * at each login: sls_share.h). One that has them has them all, checked as
 * any device's; they are never used.
 */
static bool bare_share(const struct enroll_parse *p)
{
	return p->dev->shared_from[0] != '\0' && !any_type_key(p);
}

/* The first required key missing, in the order the keys are written; NULL if none. */
static const char *missing_key(const struct enroll_parse *p)
{
	const struct sls_devtype *t = p->dev->type;
	static const int after[] = {DK_LEVEL, DK_STATUS, DK_CREATED};

	if (!(p->seen & (1u << DK_TYPE)))
		return device_keys[DK_TYPE].name;
	for (size_t i = 0; i < t->nkeys; i++)
		if (t->keys[i].required && !p->type_seen[i] && !bare_share(p))
			return t->keys[i].name;
	for (size_t i = 0; i < sizeof(after) / sizeof(after[0]); i++)
		if (!(p->seen & (1u << after[i])))
			return device_keys[after[i]].name;
	return NULL;
}

static enum sls_rc enroll_end_device(struct enroll_parse *p, struct sls_diag *diag)
{
	struct sls_device *d = p->dev;
	const char *missing = missing_key(p), *why;
	int bad = -1;

	if (missing != NULL) {
		sls_diag_set(diag, p->section_line, "[device %s]: missing key '%s'", d->name,
			     missing);
		return SLS_ERR_FORMAT;
	}
	if ((d->shared_from[0] != '\0' || d->shared_with[0] != '\0') &&
	    !sls_share_type_ok(d->type)) {
		sls_diag_set(diag, p->section_line, "[device %s]: a %s device cannot be shared",
			     d->name, d->type->name);
		return SLS_ERR_FORMAT;
	}
	if (d->shared_from[0] != '\0' && d->shared_with[0] != '\0') {
		sls_diag_set(diag, p->section_line,
			     "[device %s]: a shared device is not shared in turn (shared_with)",
			     d->name);
		return SLS_ERR_FORMAT;
	}
	if (bare_share(p) || d->type->finish == NULL ||
	    (why = d->type->finish(d, p->type_seen, &bad)) == NULL)
		return SLS_OK;
	if (bad >= 0)
		sls_diag_set(diag, p->type_line[bad], "key '%s': %s", d->type->keys[bad].name, why);
	else
		sls_diag_set(diag, p->section_line, "[device %s]: %s", d->name, why);
	return SLS_ERR_FORMAT;
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

enum sls_rc sls_user_parse_types(const char *buf, const struct sls_devtypes *types,
				 struct sls_user *user, struct sls_diag *diag)
{
	struct enroll_parse p = {.types = types, .user = user};
	enum sls_rc rc = SLS_ERR_INVAL;

	if (user == NULL)
		return SLS_ERR_INVAL;
	sls_user_clear(user);
	if (buf == NULL || types == NULL)
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

enum sls_rc sls_user_parse(const char *buf, struct sls_user *user, struct sls_diag *diag)
{
	return sls_user_parse_types(buf, &sls_devtypes_builtin, user, diag);
}

/* ---- serializer ------------------------------------------------------------ */

/* The bytes of d->u that are not its type's own are zero: what the parser gives back. */
static bool others_zero(const struct sls_device *d)
{
	const unsigned char *p = (const unsigned char *)&d->u;

	for (size_t i = d->type->own_size; i < sizeof(d->u); i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* A shared device with nothing of its type's own (what bare_share reads back). */
static bool bare_shared_device(const struct sls_device *d)
{
	static const uint8_t zero[sizeof(d->u) > SLS_SECRET_MAX ? sizeof(d->u) : SLS_SECRET_MAX];

	return d->shared_from[0] != '\0' && d->secret_len == 0 &&
	       sls_secure_equal(d->secret, zero, sizeof(d->secret)) &&
	       sls_secure_equal(&d->u, zero, sizeof(d->u));
}

static bool device_ok(const struct sls_user *u, size_t idx)
{
	const struct sls_device *d = &u->devices[idx];

	if (memchr(d->name, '\0', sizeof(d->name)) == NULL ||
	    !sls_name_ok(d->name, SLS_DEVICE_NAME_MAX))
		return false;
	for (size_t i = 0; i < idx; i++) {
		if (strcmp(u->devices[i].name, d->name) == 0)
			return false;
	}
	if (d->type == NULL || (unsigned)d->status >= STATUS_COUNT || d->level != d->type->level ||
	    d->created <= 0 || d->expires < 0)
		return false;
	if (memchr(d->label, '\0', sizeof(d->label)) == NULL ||
	    !sls_text_ok(d->label, SLS_LABEL_MAX) ||
	    memchr(d->shared_from, '\0', sizeof(d->shared_from)) == NULL ||
	    (d->shared_from[0] != '\0' && !sls_name_ok(d->shared_from, SLS_USER_NAME_MAX)))
		return false;
	if (d->shared_from[0] != '\0' && !sls_share_type_ok(d->type))
		return false;
	if (memchr(d->shared_with, '\0', sizeof(d->shared_with)) == NULL ||
	    (d->shared_with[0] != '\0' &&
	     (!sls_share_with_ok(d->shared_with) || d->shared_from[0] != '\0' ||
	      !sls_share_type_ok(d->type))))
		return false;
	return bare_shared_device(d) || (others_zero(d) && d->type->valid(d));
}

static bool user_ok(const struct sls_user *u)
{
	if (u->ndevices > SLS_DEVICES_MAX || memchr(u->phone, '\0', sizeof(u->phone)) == NULL ||
	    !sls_phone_ok(u->phone) || memchr(u->identity, '\0', sizeof(u->identity)) == NULL ||
	    !sls_text_ok(u->identity, SLS_IDENTITY_MAX))
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
	sls_ini_buf_key(b, "type", d->type->name);
	sls_ini_buf_key(b, "label", d->label);
	if (d->type->format != NULL && !bare_shared_device(d))
		d->type->format(b, d);
	sls_ini_buf_key_num(b, "level", (uint64_t)d->level);
	sls_ini_buf_key(b, "status", sls_device_status_name(d->status));
	/* optional keys before a required one: a file cut after them is refused */
	if (d->expires != 0)
		sls_ini_buf_key_num(b, "expires", (uint64_t)d->expires);
	if (d->shared_from[0] != '\0')
		sls_ini_buf_key(b, "shared_from", d->shared_from);
	if (d->shared_with[0] != '\0')
		sls_ini_buf_key(b, "shared_with", d->shared_with);
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
