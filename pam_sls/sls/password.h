/* sls - a user's password, checked through PAM (sls share: the user a device is shared from). */
#ifndef SLS_PASSWORD_H
#define SLS_PASSWORD_H

#include "cli.h"

/*
 * Whether user (a passwd name) gives their password, through PAM: the
 * service [share] pam_service of sls.conf (default "sls", whose stack should
 * check the password alone, as pam_unix does; never pam_sls), PAM_RUSER the
 * caller and PAM_TTY the terminal, then
 * pam_authenticate(PAM_DISALLOW_NULL_AUTHTOK). The conversation reads each
 * hidden prompt's answer from the terminal without echo or, with fd >= 0,
 * as a line of fd (for scripts); a visible prompt's from stdin. PAM runs
 * with the store's privileges: a setuid sls checks another user's password
 * as root, as pam_unix needs. No lock is held. SLS_EXIT_OK; SLS_EXIT_REFUSED
 * when it was not accepted; SLS_EXIT_STORE when PAM failed otherwise (both
 * said).
 */
int sls_cli_check_password(struct sls_cli *cli, const char *user, int fd);

#endif /* SLS_PASSWORD_H */
