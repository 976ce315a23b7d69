/*
 * pam_sls - who must keep a second factor ([policy] in sls.conf): the
 * mandatory groups, asked of the system's group database, and whether a
 * user's opt-out applies. The module and sls ask the same questions here.
 */
#ifndef SLS_POLICY_H
#define SLS_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "sls_config.h"
#include "sls_enroll.h"

/*
 * Every group of [policy] mandatory_groups exists in the group database:
 * true, or false with the first that does not in bad (a configuration
 * error: a mandate that names no group protects nobody).
 */
bool sls_policy_groups_exist(const struct sls_config *conf, char *bad, size_t size);

/*
 * Whether user (by name) belongs, as primary or supplementary member, to a
 * group of [policy] mandatory_groups: the group's name into group. When the
 * user's groups cannot be read, true with group "?": the stricter answer.
 */
bool sls_policy_mandatory_group(const struct sls_config *conf, const char *user, char *group,
				size_t size);

/*
 * Whether user's opt-out applies now: they opted out, sls.conf still
 * allows it, and they are in no mandatory group (joining one, or a policy
 * that no longer allows it, brings the second factor back).
 */
bool sls_policy_opted_out(const struct sls_config *conf, const char *name,
			  const struct sls_user *user);

/*
 * Whether a login of service may go on without the second factor when the
 * store is out of reach ([store] failmode = open, and service one of
 * failmode_open_services). service NULL: false.
 */
bool sls_policy_fails_open(const struct sls_config *conf, const char *service);

#endif /* SLS_POLICY_H */
