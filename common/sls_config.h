/* pam_sls - the policy file /etc/security/sls.conf (sls.conf(5)). */
#ifndef SLS_CONFIG_H
#define SLS_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "sls_error.h"

#define SLS_CONFIG_DEFAULT_PATH "/etc/security/sls.conf"
#define SLS_CONFIG_PATH_MAX     512

enum sls_optout_policy { SLS_OPTOUT_FORBIDDEN, SLS_OPTOUT_ALLOWED };
enum sls_backend { SLS_BACKEND_FILES, SLS_BACKEND_POSTGRESQL };
enum sls_failmode { SLS_FAILMODE_CLOSED, SLS_FAILMODE_OPEN };

/* Durations are in seconds; in the file they take an s, m, h or d suffix. */
struct sls_config {
	char store_dir[SLS_CONFIG_PATH_MAX];            /* [store] dir, absolute */
	enum sls_backend backend;                       /* [store] backend: files, postgresql */
	char dsn[SLS_CONFIG_PATH_MAX];                  /* [store] dsn: libpq's connection string */
	char key_file[SLS_CONFIG_PATH_MAX];             /* [store] key: the sealing key, root's */
	unsigned db_timeout;                            /* [store] db_timeout: each round trip */
	enum sls_failmode failmode;                     /* [store] failmode: closed, open */
	char failmode_services[SLS_CONFIG_PATH_MAX];    /* [store] failmode_open_services */
	unsigned deny;                                  /* [lockout] deny: 1..SLS_FAILURES_MAX */
	unsigned window;                                /* [lockout] window */
	unsigned unlock_time;                           /* [lockout] unlock_time */
	unsigned challenge_timeout;                     /* [login] */
	bool challenge_qr;                              /* [login] a QR code above the challenge */
	bool enroll_at_login;                           /* [login] */
	unsigned enroll_grace_until;                    /* [login] YYYYMMDD, 0 = none */
	char enroll_at_login_type[SLS_CONFIG_PATH_MAX]; /* [login] ibkey or totp */
	bool nullok;                                    /* [login] */
	char sms_command[SLS_CONFIG_PATH_MAX];          /* [sms] command: absolute path or empty */
	char sms_spool[SLS_CONFIG_PATH_MAX];            /* [sms] spool: absolute dir or empty */
	char voice_command[SLS_CONFIG_PATH_MAX];        /* [sms] voice_command */
	unsigned sms_min_interval;                      /* [sms] min_interval */
	unsigned sms_validity;                          /* [sms] validity */
	unsigned sms_timeout;                           /* [sms] timeout: a sender's run */
	enum sls_optout_policy optout;                  /* [policy] optout */
	char mandatory_groups[SLS_CONFIG_PATH_MAX];     /* [policy] comma-separated group names */
	unsigned tempcode_full_days;                    /* [tempcode] full_days */
	unsigned tempcode_card_days;                    /* [tempcode] card_days */
	unsigned card_online_days;                      /* [card] online_days */
	unsigned card_printed_days;                     /* [card] printed_days: 0 = no expiry */
	char share_pam_service[SLS_CONFIG_PATH_MAX];    /* [share] pam_service: a file name */
};

/* The defaults sls.conf(5) gives. */
void sls_config_defaults(struct sls_config *conf);

/*
 * Parse sls.conf text over the defaults in *conf. Unknown sections or keys,
 * repeated keys, bad values and over-long lines are SLS_ERR_FORMAT with the
 * line and the key in diag. On error *conf is reset to the defaults.
 */
enum sls_rc sls_config_parse(const char *buf, struct sls_config *conf, struct sls_diag *diag);

/*
 * Load path (absolute): the file must be a regular file owned by owner (root
 * in production) and not writable by group or others (sls_file_read rules).
 * A missing file is SLS_ERR_NOENT, which callers treat as an error when the
 * path was given explicitly and as "use the defaults" otherwise.
 */
enum sls_rc sls_config_load(const char *path, uid_t owner, struct sls_config *conf,
			    struct sls_diag *diag);

/* Parse a duration "90", "90s", "15m", "24h", "2d" (1 s .. 366 d) into *secs. */
enum sls_rc sls_parse_duration(const char *s, unsigned *secs);

/*
 * A duration as sls.conf writes it, in the largest unit it is a whole number
 * of: "90s", "15m", "24h" (up to 48 hours), "3d". What people read (sls
 * status), where a count of seconds says little.
 */
void sls_format_duration(unsigned secs, char *out, size_t size);

#endif /* SLS_CONFIG_H */
