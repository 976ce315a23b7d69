/* pam_sls - mandatory groups and opt-out (sls_policy.h). */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sls_policy.h"

#define GROUPS_MAX 1024 /* supplementary groups looked at */
#define NSS_BUF    16384

/* The next name of the comma-separated list at *p into name; false at its end. */
static bool next_group(const char **p, char *name, size_t size)
{
	size_t n = strcspn(*p, ",");

	if (**p == '\0')
		return false;
	snprintf(name, size, "%.*s", (int)(n < size ? n : size - 1), *p);
	*p += n + ((*p)[n] == ',');
	return true;
}

bool sls_policy_groups_exist(const struct sls_config *conf, char *bad, size_t size)
{
	const char *p = conf->mandatory_groups;
	char name[SLS_USER_NAME_MAX + 1], buf[NSS_BUF];
	struct group gr, *res;

	while (next_group(&p, name, sizeof(name))) {
		res = NULL;
		if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) != 0 || res == NULL) {
			snprintf(bad, size, "%s", name);
			return false;
		}
	}
	return true;
}

/* Whether name is one of the comma-separated list's. */
static bool listed(const char *list, const char *name)
{
	char item[SLS_USER_NAME_MAX + 1];

	while (next_group(&list, item, sizeof(item)))
		if (strcmp(item, name) == 0)
			return true;
	return false;
}

static bool is_mandatory(const struct sls_config *conf, const char *group)
{
	return listed(conf->mandatory_groups, group);
}

bool sls_policy_fails_open(const struct sls_config *conf, const char *service)
{
	return conf->failmode == SLS_FAILMODE_OPEN && service != NULL &&
	       listed(conf->failmode_services, service);
}

bool sls_policy_mandatory_group(const struct sls_config *conf, const char *user, char *group,
				size_t size)
{
	char buf[NSS_BUF], gbuf[NSS_BUF];
	struct passwd pw, *pres = NULL;
	struct group gr, *gres;
	gid_t *groups;
	int n = GROUPS_MAX;
	bool found = false;

	snprintf(group, size, "?");
	if (conf->mandatory_groups[0] == '\0')
		return false;
	groups = calloc(GROUPS_MAX, sizeof(*groups));
	if (groups == NULL || getpwnam_r(user, &pw, buf, sizeof(buf), &pres) != 0 || pres == NULL ||
	    getgrouplist(user, pw.pw_gid, groups, &n) < 0) {
		free(groups);
		return true; /* cannot tell: the stricter answer */
	}
	for (int i = 0; i < n && !found; i++) {
		gres = NULL;
		if (getgrgid_r(groups[i], &gr, gbuf, sizeof(gbuf), &gres) == 0 && gres != NULL &&
		    is_mandatory(conf, gr.gr_name)) {
			snprintf(group, size, "%s", gr.gr_name);
			found = true;
		}
	}
	free(groups);
	return found;
}

bool sls_policy_opted_out(const struct sls_config *conf, const char *name,
			  const struct sls_user *user)
{
	char group[SLS_USER_NAME_MAX + 1];

	return user->optout && conf->optout == SLS_OPTOUT_ALLOWED &&
	       !sls_policy_mandatory_group(conf, name, group, sizeof(group));
}
