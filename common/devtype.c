/* pam_sls - the registry of device types, and the keys several types share. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ini_util.h"
#include "sls_devtype.h"
#include "sls_enroll.h"
#include "sls_ui.h"

#define SECRET_MIN 16 /* bytes: RFC 4226 asks for 128 bits at least */

/* The types pam_sls ships (sls_devtype.h: one line there for a new type). */
static const struct sls_devtype *const builtin[] = {SLS_DEVTYPES_BUILTIN_LIST};

const struct sls_devtypes sls_devtypes_builtin = {builtin, sizeof(builtin) / sizeof(builtin[0])};

const struct sls_devtype *sls_devtype_find(const struct sls_devtypes *types, const char *name)
{
	for (size_t i = 0; i < types->n; i++)
		if (strcmp(types->list[i]->name, name) == 0)
			return types->list[i];
	return NULL;
}

unsigned sls_devtype_bit(const struct sls_devtypes *types, const struct sls_devtype *t)
{
	for (size_t i = 0; i < types->n && i < 32; i++)
		if (types->list[i] == t)
			return 1u << i;
	return 0;
}

unsigned sls_devtype_mask_all(const struct sls_devtypes *types)
{
	return types->n >= 32 ? ~0u : (1u << types->n) - 1;
}

bool sls_devtype_askable(const struct sls_devtype *t)
{
	return t->attempt != NULL;
}

bool sls_devtype_spent(const struct sls_device *d, const struct sls_device_state *ds)
{
	return d->type->spent != NULL && d->type->spent(d, ds);
}

/* The names of the types keep() takes: "a, b and c" (and_last) or "a, b". */
static void names(const struct sls_devtypes *types, bool (*keep)(const struct sls_devtype *),
		  bool and_last, char *buf, size_t size)
{
	size_t n = 0, k = 0, len = 0;

	for (size_t i = 0; i < types->n; i++)
		n += keep(types->list[i]);
	buf[0] = '\0';
	for (size_t i = 0; i < types->n && len < size; i++) {
		if (!keep(types->list[i]))
			continue;
		k++;
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					k == 1               ? ""
					: k == n && and_last ? " and "
							     : ", ",
					types->list[i]->name);
	}
}

static bool enrollable(const struct sls_devtype *t)
{
	return t->provision != NULL;
}

static bool has_pin(const struct sls_devtype *t)
{
	return t->pin != SLS_PINKIND_NONE;
}

void sls_devtype_enrollable_names(const struct sls_devtypes *types, char *buf, size_t size)
{
	names(types, enrollable, true, buf, size);
}

void sls_devtype_pin_names(const struct sls_devtypes *types, char *buf, size_t size)
{
	names(types, has_pin, false, buf, size);
}

void sls_devtype_levels_text(const struct sls_devtypes *types, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int level = 9; level >= 0; level--) {
		bool first = true;

		for (size_t i = 0; i < types->n && len < size; i++) {
			const struct sls_devtype *t = types->list[i];

			if (t->level != level || !sls_devtype_askable(t))
				continue;
			if (first)
				len += (size_t)snprintf(buf + len, size - len, "%s%d: %s",
							len == 0 ? "" : ", ", level, t->name);
			else
				len += (size_t)snprintf(buf + len, size - len, "/%s", t->name);
			first = false;
		}
	}
}

const char *sls_devkey_secret(struct sls_device *d, const char *v)
{
	enum sls_rc rc = sls_ini_parse_base32(v, d->secret, sizeof(d->secret), &d->secret_len);

	if (rc == SLS_ERR_TOOBIG)
		return "secret too long";
	if (rc != SLS_OK)
		return "bad base32";
	return d->secret_len >= SECRET_MIN ? NULL : "secret too short";
}

void sls_devkey_format_secret(struct sls_ini_buf *b, const struct sls_device *d)
{
	sls_ini_buf_key_base32(b, "secret", d->secret, d->secret_len);
}

const struct sls_devkey sls_devkeys_secret_only[1] = {{"secret", sls_devkey_secret, true}};

bool sls_devkey_secret_ok(const struct sls_device *d)
{
	return d->secret_len >= SECRET_MIN && d->secret_len <= SLS_SECRET_MAX;
}

bool sls_ask_too_late(const struct sls_ask *ask, const struct timespec *asked)
{
	if (!sls_ui_too_late(ask->ui, asked, ask->timeout))
		return false;
	if (ask->late != NULL)
		*ask->late = true;
	return true;
}
