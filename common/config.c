/* pam_sls - the policy file /etc/security/sls.conf, parsed with libinih. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ini_util.h"
#include "sls_config.h"
#include "sls_file.h"
#include "sls_secret.h"
#include "sls_state.h"

#define SLS_CONFIG_FILE_MAX (64 * 1024)
#define SENDER_TIMEOUT_MAX  300

enum key_kind {
	K_PATH,
	K_DIR_OR_EMPTY,
	K_CMD_OR_EMPTY,
	K_COUNT,
	K_DURATION,
	K_SENDER_TIMEOUT, /* a duration up to SENDER_TIMEOUT_MAX: a login waits that long */
	K_DAYS,
	K_DAYS_OR_EMPTY, /* 1..366 days, or empty for none (0) */
	K_DAYS_POSITIVE, /* 1..366 days */
	K_BOOL,
	K_OPTOUT,
	K_NAMES,         /* comma-separated names without spaces (groups, services) */
	K_DATE_OR_EMPTY, /* YYYY-MM-DD as the number YYYYMMDD, or empty for none (0) */
	K_ENROLL_TYPE,   /* ibkey or totp: what a login enrols */
	K_SERVICE,       /* a PAM service: the name of a file of /etc/pam.d */
	K_BACKEND,       /* files or postgresql */
	K_FAILMODE,      /* closed or open */
	K_TEXT,          /* printable text without control characters (a dsn) */
	K_TIMEOUT        /* a duration of 1 s to 5 min */
};

struct config_key {
	const char *section;
	const char *name;
	enum key_kind kind;
	size_t offset;
};

#define KEY(sec, name, kind, field)                                                                \
	{                                                                                          \
		sec, name, kind, offsetof(struct sls_config, field)                                \
	}
static const struct config_key config_keys[] = {
    KEY("store", "dir", K_PATH, store_dir),
    KEY("store", "backend", K_BACKEND, backend),
    KEY("store", "dsn", K_TEXT, dsn),
    KEY("store", "key", K_PATH, key_file),
    KEY("store", "db_timeout", K_TIMEOUT, db_timeout),
    KEY("store", "failmode", K_FAILMODE, failmode),
    KEY("store", "failmode_open_services", K_NAMES, failmode_services),
    KEY("lockout", "deny", K_COUNT, deny),
    KEY("lockout", "window", K_DURATION, window),
    KEY("lockout", "unlock_time", K_DURATION, unlock_time),
    KEY("login", "challenge_timeout", K_DURATION, challenge_timeout),
    KEY("login", "challenge_qr", K_BOOL, challenge_qr),
    KEY("login", "enroll_at_login", K_BOOL, enroll_at_login),
    KEY("login", "enroll_grace_until", K_DATE_OR_EMPTY, enroll_grace_until),
    KEY("login", "enroll_at_login_type", K_ENROLL_TYPE, enroll_at_login_type),
    KEY("login", "nullok", K_BOOL, nullok),
    KEY("sms", "command", K_CMD_OR_EMPTY, sms_command),
    KEY("sms", "spool", K_DIR_OR_EMPTY, sms_spool),
    KEY("sms", "voice_command", K_CMD_OR_EMPTY, voice_command),
    KEY("sms", "min_interval", K_DURATION, sms_min_interval),
    KEY("sms", "validity", K_DURATION, sms_validity),
    KEY("sms", "timeout", K_SENDER_TIMEOUT, sms_timeout),
    KEY("policy", "optout", K_OPTOUT, optout),
    KEY("policy", "mandatory_groups", K_NAMES, mandatory_groups),
    KEY("tempcode", "full_days", K_DAYS, tempcode_full_days),
    KEY("tempcode", "card_days", K_DAYS, tempcode_card_days),
    KEY("card", "online_days", K_DAYS_POSITIVE, card_online_days),
    KEY("card", "printed_days", K_DAYS_OR_EMPTY, card_printed_days),
    KEY("share", "pam_service", K_SERVICE, share_pam_service),
};
#define NKEYS (sizeof(config_keys) / sizeof(config_keys[0]))

void sls_config_defaults(struct sls_config *conf)
{
	memset(conf, 0, sizeof(*conf));
	snprintf(conf->store_dir, sizeof(conf->store_dir), "%s", "/var/lib/sls");
	snprintf(conf->key_file, sizeof(conf->key_file), "%s", "/etc/security/sls.key");
	conf->db_timeout = 5;
	conf->deny = 10;
	conf->window = 24 * 3600;
	conf->unlock_time = 24 * 3600;
	conf->challenge_timeout = 180;
	conf->sms_min_interval = 120;
	conf->sms_validity = 300;
	conf->sms_timeout = 10;
	conf->optout = SLS_OPTOUT_FORBIDDEN;
	conf->tempcode_full_days = 2;
	conf->tempcode_card_days = 10;
	conf->card_online_days = 21;
	snprintf(conf->enroll_at_login_type, sizeof(conf->enroll_at_login_type), "ibkey");
	snprintf(conf->share_pam_service, sizeof(conf->share_pam_service), "sls");
}

/* Strict decimal: digits only, no sign, no overflow past max. */
static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return -1;
	}
	if (*s != '\0')
		return -1;
	*out = (unsigned)v;
	return 0;
}

enum sls_rc sls_parse_duration(const char *s, unsigned *secs)
{
	char num[16];
	size_t len = strlen(s);
	unsigned unit = 1, v;

	if (len == 0 || len >= sizeof(num))
		return SLS_ERR_INVAL;
	memcpy(num, s, len + 1);
	switch (num[len - 1]) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		len++;
		break;
	}
	num[len - 1] = '\0';
	if (parse_uint(num, 366u * 86400, &v) != 0 || v == 0 || v > 366u * 86400 / unit)
		return SLS_ERR_INVAL;
	*secs = v * unit;
	return SLS_OK;
}

void sls_format_duration(unsigned secs, char *out, size_t size)
{
	if (secs >= 2 * 86400u && secs % 86400u == 0)
		snprintf(out, size, "%ud", secs / 86400u);
	else if (secs >= 3600u && secs % 3600u == 0)
		snprintf(out, size, "%uh", secs / 3600u);
	else if (secs >= 60u && secs % 60u == 0)
		snprintf(out, size, "%um", secs / 60u);
	else
		snprintf(out, size, "%us", secs);
}

static int parse_bool(const char *s, bool *out)
{
	if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
		*out = true;
	else if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

/* An absolute path without control characters, "..", or "//" tricks. */
static bool path_ok(const char *s)
{
	size_t len = strlen(s);

	if (s[0] != '/' || strstr(s, "/../") != NULL || strstr(s, "/./") != NULL ||
	    strstr(s, "//") != NULL)
		return false;
	if ((len >= 3 && strcmp(s + len - 3, "/..") == 0) ||
	    (len >= 2 && strcmp(s + len - 2, "/.") == 0))
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static bool names_ok(const char *s)
{
	char name[SLS_USER_NAME_MAX + 1];
	const char *end;

	while (*s) {
		end = strchr(s, ',');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		if (n == 0 || n > SLS_USER_NAME_MAX)
			return false;
		memcpy(name, s, n);
		name[n] = '\0';
		if (!sls_name_valid(name))
			return false;
		s += n + (end ? 1 : 0);
		if (end && *s == '\0')
			return false;
	}
	return true;
}

static int copy_string(char *dst, const char *value, bool ok)
{
	if (!ok || strlen(value) >= SLS_CONFIG_PATH_MAX)
		return -1;
	snprintf(dst, SLS_CONFIG_PATH_MAX, "%s", value);
	return 0;
}

/* "2027-03-31" as 20270331: a real date of years 2000..2999; empty as 0. */
static int parse_date(const char *s, unsigned *out)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y, m, d;

	*out = 0;
	if (*s == '\0')
		return 0;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || strspn(s, "0123456789-") != 10 ||
	    sscanf(s, "%4u-%2u-%2u", &y, &m, &d) != 3)
		return -1;
	if (y < 2000 || y > 2999 || m < 1 || m > 12 || d < 1 || (int)d > mdays[m - 1] ||
	    (m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0))))
		return -1;
	*out = y * 10000 + m * 100 + d;
	return 0;
}

static int set_value(struct sls_config *conf, const struct config_key *k, const char *value)
{
	char *field = (char *)conf + k->offset;
	unsigned *num = (unsigned *)(void *)field;

	switch (k->kind) {
	case K_PATH:
		return copy_string(field, value, path_ok(value));
	case K_DIR_OR_EMPTY:
	case K_CMD_OR_EMPTY:
		return copy_string(field, value, *value == '\0' || path_ok(value));
	case K_NAMES:
		return copy_string(field, value, names_ok(value));
	case K_COUNT:
		return parse_uint(value, SLS_FAILURES_MAX, num) != 0 || *num == 0 ? -1 : 0;
	case K_DAYS:
		return parse_uint(value, 366, num) != 0 ? -1 : 0;
	case K_DAYS_POSITIVE:
		return parse_uint(value, 366, num) != 0 || *num == 0 ? -1 : 0;
	case K_DAYS_OR_EMPTY:
		*num = 0;
		return *value == '\0' || (parse_uint(value, 366, num) == 0 && *num > 0) ? 0 : -1;
	case K_DURATION:
		return sls_parse_duration(value, num) == SLS_OK ? 0 : -1;
	case K_SENDER_TIMEOUT:
		return sls_parse_duration(value, num) == SLS_OK && *num <= SENDER_TIMEOUT_MAX ? 0
											      : -1;
	case K_BOOL:
		return parse_bool(value, (bool *)(void *)field);
	case K_DATE_OR_EMPTY:
		return parse_date(value, num);
	case K_SERVICE:
		return copy_string(field, value, sls_name_valid(value));
	case K_ENROLL_TYPE:
		if (strcmp(value, "ibkey") != 0 && strcmp(value, "totp") != 0)
			return -1;
		return copy_string(field, value, true);
	case K_BACKEND:
		if (strcmp(value, "files") == 0)
			conf->backend = SLS_BACKEND_FILES;
		else if (strcmp(value, "postgresql") == 0)
			conf->backend = SLS_BACKEND_POSTGRESQL;
		else
			return -1;
		return 0;
	case K_FAILMODE:
		if (strcmp(value, "closed") == 0)
			conf->failmode = SLS_FAILMODE_CLOSED;
		else if (strcmp(value, "open") == 0)
			conf->failmode = SLS_FAILMODE_OPEN;
		else
			return -1;
		return 0;
	case K_TEXT:
		for (const char *c = value; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return -1;
		return copy_string(field, value, true);
	case K_TIMEOUT:
		return sls_parse_duration(value, num) == SLS_OK && *num <= 300 ? 0 : -1;
	case K_OPTOUT:
		if (strcmp(value, "allowed") == 0)
			conf->optout = SLS_OPTOUT_ALLOWED;
		else if (strcmp(value, "forbidden") == 0)
			conf->optout = SLS_OPTOUT_FORBIDDEN;
		else
			return -1;
		return 0;
	}
	return -1;
}

struct config_parse {
	struct sls_config *conf;
	const char *section; /* a config_keys[] section name, or NULL before the first */
	bool seen[NKEYS];
};

static enum sls_rc config_section(void *ctx, const char *name, int line, struct sls_diag *diag)
{
	struct config_parse *p = ctx;

	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(name, config_keys[i].section) == 0) {
			p->section = config_keys[i].section;
			return SLS_OK;
		}
	}
	sls_diag_set(diag, line, "unknown section");
	return SLS_ERR_FORMAT;
}

static enum sls_rc config_key(void *ctx, const char *name, const char *value, bool cont, int line,
			      struct sls_diag *diag)
{
	struct config_parse *p = ctx;

	if (p->section == NULL) { /* sls_ini_parse refuses keys outside sections already */
		sls_diag_set(diag, line, "key outside a section");
		return SLS_ERR_FORMAT;
	}
	for (size_t i = 0; i < NKEYS; i++) {
		const struct config_key *k = &config_keys[i];

		if (strcmp(p->section, k->section) != 0 || strcmp(name, k->name) != 0)
			continue;
		if (cont || p->seen[i]) {
			sls_diag_set(diag, line, "[%s] %s is set twice", k->section, k->name);
			return SLS_ERR_FORMAT;
		}
		p->seen[i] = true;
		if (set_value(p->conf, k, value) != 0) {
			sls_diag_set(diag, line, "[%s] %s has an invalid value", k->section,
				     k->name);
			return SLS_ERR_FORMAT;
		}
		return SLS_OK;
	}
	sls_diag_set(diag, line, "unknown key in section [%s]", p->section);
	return SLS_ERR_FORMAT;
}

static enum sls_rc config_end(void *ctx, struct sls_diag *diag)
{
	struct config_parse *p = ctx;

	if (p->conf->backend == SLS_BACKEND_POSTGRESQL && p->conf->dsn[0] == '\0') {
		sls_diag_set(diag, 0, "[store] backend = postgresql needs a dsn");
		return SLS_ERR_FORMAT;
	}
	if (p->conf->failmode == SLS_FAILMODE_OPEN && p->conf->failmode_services[0] == '\0') {
		sls_diag_set(diag, 0, "[store] failmode = open needs failmode_open_services");
		return SLS_ERR_FORMAT;
	}
	return SLS_OK;
}

enum sls_rc sls_config_parse(const char *buf, struct sls_config *conf, struct sls_diag *diag)
{
	static const struct sls_ini_ops ops = {config_section, config_key, config_end};
	struct config_parse p = {.conf = conf};
	struct sls_diag local = {0};
	enum sls_rc rc = sls_ini_parse(buf, &ops, &p, &local);

	if (rc == SLS_OK)
		return SLS_OK;
	if (diag != NULL)
		*diag = local;
	sls_config_defaults(conf);
	return rc == SLS_ERR_NOMEM ? rc : SLS_ERR_FORMAT;
}

enum sls_rc sls_config_load(const char *path, uid_t owner, struct sls_config *conf,
			    struct sls_diag *diag)
{
	char *buf = NULL;
	size_t len = 0;
	enum sls_rc rc;

	sls_config_defaults(conf);
	rc = sls_file_read_path(path, owner, SLS_CONFIG_FILE_MAX, &buf, &len);
	if (rc == SLS_OK)
		rc = sls_config_parse(buf, conf, diag);
	sls_free_secret(buf, len + 1);
	return rc;
}
