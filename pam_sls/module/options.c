/* pam_sls - the arguments on the PAM line. */
#include "config.h"

#include <string.h>

#include "module.h"

static bool parse_level(const char *s, int *level)
{
	if (s[0] < '1' || s[0] > '4' || s[1] != '\0')
		return false;
	*level = s[0] - '0';
	return true;
}

/* 1..3600 seconds, in decimal without a sign or leading zero */
static bool parse_seconds(const char *s, int *secs)
{
	int n = 0;

	if (s[0] < '1' || s[0] > '9')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > 3600)
			return false;
		n = n * 10 + (*s - '0');
	}
	*secs = n;
	return n <= 3600;
}

/* "ibkey,totp": each a known device type, at least one, no empty item. */
static bool parse_types(const char *s, unsigned *types)
{
	char item[16];

	*types = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		const struct sls_devtype *t;

		if (n == 0 || n >= sizeof(item))
			return false;
		memcpy(item, s, n);
		item[n] = '\0';
		t = sls_devtype_find(&sls_devtypes_builtin, item);
		if (t == NULL)
			return false;
		*types |= sls_devtype_bit(&sls_devtypes_builtin, t);
		s += n;
		if (*s == ',' && *++s == '\0')
			return false;
	}
	return *types != 0;
}

enum sls_rc sls_module_opts_parse(int argc, const char **argv, struct sls_module_opts *opts,
				  struct sls_diag *diag)
{
	memset(opts, 0, sizeof(*opts));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool ok = true;

		if (strncmp(a, "conf=", 5) == 0)
			ok = a[5] == '/' && (opts->conf = a + 5) != NULL;
		else if (strncmp(a, "socket=", 7) == 0)
			ok = a[7] == '/' && (opts->socket = a + 7) != NULL;
		else if (strncmp(a, "slsd_timeout=", 13) == 0)
			ok = parse_seconds(a + 13, &opts->slsd_timeout);
		else if (strncmp(a, "min_level=", 10) == 0)
			ok = parse_level(a + 10, &opts->min_level);
		else if (strncmp(a, "devices=", 8) == 0)
			ok = parse_types(a + 8, &opts->types);
		else if (strcmp(a, "nullok") == 0)
			opts->nullok = true;
		else if (strcmp(a, "debug") == 0)
			opts->debug = true;
		else {
			sls_diag_set(diag, 0, "unknown option '%.*s'", (int)strcspn(a, "="), a);
			return SLS_ERR_INVAL;
		}
		if (!ok) {
			sls_diag_set(diag, 0, "invalid value for option '%.*s'",
				     (int)strcspn(a, "="), a);
			return SLS_ERR_INVAL;
		}
	}
	return SLS_OK;
}
