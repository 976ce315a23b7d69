/*
 * pam_sls - the store in PostgreSQL ([store] backend = postgresql), for
 * slsd and sls only: libpq never enters the module's hosts. The enrolment
 * and the state of a user are rows holding the files' own text (the
 * enrolment sealed with AES-256-GCM under the key file); a user's lock is a
 * session advisory lock that every server takes in the same database, held
 * across the transaction's commits as the lock file is; each commit is a
 * COMMIT, so a failure counted before the prompt is on the server first.
 */
#ifndef SLS_PGSTORE_H
#define SLS_PGSTORE_H

#include "sls.h"

/*
 * The schema version sls db init makes or upgrades to; a store opens on a
 * database of SLS_PG_SCHEMA_MIN up to it (a fleet upgrades its servers
 * first, then the database), never on a newer one.
 */
#define SLS_PG_SCHEMA     2
#define SLS_PG_SCHEMA_MIN 1

/*
 * Connect store to conf's database (dsn, db_timeout for the connection and
 * for every round trip after it), read the sealing key (conf->key_file:
 * 64 hex digits, a file of root's no one else may read) and check the
 * schema is SLS_PG_SCHEMA. SLS_ERR_IO with diag when the server cannot be
 * reached or answers an error; SLS_ERR_UNSAFE/_FORMAT/_NOENT for the key.
 */
enum sls_rc sls_pg_open(const struct sls_config *conf, struct sls_store *store,
			struct sls_diag *diag);

/*
 * Make (or upgrade to) the schema SLS_PG_SCHEMA in conf's database, one
 * version's statements after the other in one transaction, and the key
 * file when there is none (*key_made then true); *from: the version the
 * database had (0: none). A database newer than this build: SLS_ERR_FORMAT,
 * nothing changed. For sls db init.
 */
enum sls_rc sls_pg_init(const struct sls_config *conf, bool *key_made, int *from,
			struct sls_diag *diag);

/*
 * Whether no server of conf's dsn listens: every host (each of a
 * multi-host dsn; none: libpq's socket directory) refuses a connection at
 * the transport level: no socket file, ECONNREFUSED, no route to it. A
 * host that accepts (whatever it then says: too many clients, a wrong
 * password), or does not answer within a second, or whose name does not
 * resolve, is not proof: false. For failmode = open, which a user who can
 * fill the database's connections or load it must not trigger.
 */
bool sls_pg_nothing_listens(const struct sls_config *conf);

/*
 * slsd's spare process, before a call: the statements of a login run once
 * on the new connection for a name no user has, so that the call finds the
 * server's caches warm. Nothing is written.
 */
void sls_pg_warm(const struct sls_store *store);

/*
 * Whether store, opened before the call (slsd's spare), may serve a login
 * under conf: a database store opened with conf's dsn, key file and
 * db_timeout, out of any transaction, and its connection still up (a server
 * that restarted meanwhile has closed it).
 */
bool sls_pg_reusable(const struct sls_store *store, const struct sls_config *conf);

/*
 * Open conf's store: the files ([store] dir) or the database. The hosts
 * that may reach a database (slsd, sls) call this instead of
 * sls_store_open.
 */
enum sls_rc sls_pg_store_open(const struct sls_config *conf, uid_t owner, bool create,
			      struct sls_store *store, struct sls_diag *diag);

#endif /* SLS_PGSTORE_H */
