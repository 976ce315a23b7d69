/* pam_sls - the store in PostgreSQL (pgstore.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "pgstore.h"
#include "sls_clock.h"
#include "sls_codec.h"
#include "sls_secret.h"
#include "sls_userdb.h"

#define KEY_LEN   32
#define NONCE_LEN 12
#define TAG_LEN   16
#define SEAL_V1   1
#define LOCKS_MAX 4 /* a transaction holds one user's lock, sharing two */

struct pgstore {
	PGconn *conn;
	int timeout_ms;
	unsigned char key[KEY_LEN];
	bool in_txn;
	int schema; /* the database's version (SLS_PG_SCHEMA_MIN..SLS_PG_SCHEMA) */
	/* what it was opened with (sls_pg_reusable) */
	char dsn[SLS_CONFIG_PATH_MAX];
	char key_file[SLS_CONFIG_PATH_MAX];
	unsigned db_timeout;
	int64_t held[LOCKS_MAX]; /* the advisory lock keys held; 0: a free slot */
};

static struct pgstore *pg_of(const struct sls_store *store)
{
	return store->backend_ctx;
}

/* Wait for the connection's socket (events) until deadline: false when it did not come. */
static bool wait_socket(PGconn *conn, short events, long long deadline)
{
	return sls_poll_until(PQsocket(conn), events, deadline) > 0;
}

/*
 * One statement with its parameters (text, or bytea where lens says), its
 * result in binary, within the round trip's time: the last result, or NULL
 * (the connection is then of no more use: the server is gone or too slow).
 */
static PGresult *run(struct pgstore *p, const char *sql, int n, const char *const *vals,
		     const int *lens, const int *fmts)
{
	long long deadline = sls_now_ms() + p->timeout_ms;
	PGresult *res, *last = NULL;
	int f;

	if (PQstatus(p->conn) != CONNECTION_OK ||
	    !PQsendQueryParams(p->conn, sql, n, NULL, vals, lens, fmts, 1))
		return NULL;
	while ((f = PQflush(p->conn)) == 1)
		if (!wait_socket(p->conn, POLLOUT, deadline))
			return NULL;
	for (;;) {
		while (PQisBusy(p->conn)) {
			if (f < 0 || !wait_socket(p->conn, POLLIN, deadline) ||
			    !PQconsumeInput(p->conn))
				goto gone;
		}
		res = PQgetResult(p->conn);
		if (res == NULL)
			return last;
		PQclear(last);
		last = res;
	}
gone:
	PQclear(last);
	return NULL;
}

/* A statement that returns no rows: SLS_OK, or SLS_ERR_IO with the server's word in diag. */
static enum sls_rc exec(struct pgstore *p, const char *sql, struct sls_diag *diag)
{
	PGresult *res = run(p, sql, 0, NULL, NULL, NULL);
	enum sls_rc rc = res != NULL && (PQresultStatus(res) == PGRES_COMMAND_OK ||
					 PQresultStatus(res) == PGRES_TUPLES_OK)
			     ? SLS_OK
			     : SLS_ERR_IO;

	if (rc != SLS_OK && diag != NULL)
		sls_diag_set(diag, 0, "postgresql: %s",
			     res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : "no answer");
	PQclear(res);
	return rc;
}

/* A user's lock key: the first 8 bytes of SHA-256("sls-user:" name), never 0. */
static int64_t lock_key(const char *name)
{
	unsigned char md[32];
	char msg[SLS_USER_NAME_MAX + 16];
	uint64_t k = 0;

	snprintf(msg, sizeof(msg), "sls-user:%s", name);
	if (sls_digest(SLS_HASH_SHA256, msg, strlen(msg), md) != SLS_OK)
		return 0;
	for (int i = 0; i < 8; i++)
		k = k << 8 | md[i];
	return (int64_t)(k | 1);
}

static enum sls_rc key_param(int64_t key, char *text, size_t size)
{
	snprintf(text, size, "%lld", (long long)key);
	return SLS_OK;
}

static enum sls_rc pg_lock(const struct sls_store *store, const char *name, int *handle)
{
	struct pgstore *p = pg_of(store);
	int64_t key = lock_key(name);
	char text[32];
	const char *vals[1] = {text};
	PGresult *res;
	int slot = -1;

	for (int i = 0; i < LOCKS_MAX && slot < 0; i++)
		if (p->held[i] == 0)
			slot = i;
	if (slot < 0 || key == 0)
		return SLS_ERR_INVAL;
	key_param(key, text, sizeof(text));
	res = run(p, "SELECT pg_advisory_lock($1::bigint)", 1, vals, NULL, NULL);
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return SLS_ERR_LOCK;
	}
	PQclear(res);
	if (!p->in_txn && exec(p, "BEGIN", NULL) != SLS_OK) {
		/* no handle goes out: let go of the session lock here, or it stays held */
		PQclear(run(p, "SELECT pg_advisory_unlock($1::bigint)", 1, vals, NULL, NULL));
		return SLS_ERR_IO;
	}
	p->held[slot] = key;
	p->in_txn = true;
	*handle = slot;
	return SLS_OK;
}

static bool any_held(const struct pgstore *p)
{
	for (int i = 0; i < LOCKS_MAX; i++)
		if (p->held[i] != 0)
			return true;
	return false;
}

/* Let go of a lock; what its transaction did not commit is rolled back. */
static void pg_unlock(const struct sls_store *store, int handle)
{
	struct pgstore *p = pg_of(store);
	char text[32];
	const char *vals[1] = {text};

	if (handle < 0 || handle >= LOCKS_MAX || p->held[handle] == 0)
		return;
	if (p->in_txn)
		(void)exec(p, "ROLLBACK", NULL);
	p->in_txn = false;
	key_param(p->held[handle], text, sizeof(text));
	PQclear(run(p, "SELECT pg_advisory_unlock($1::bigint)", 1, vals, NULL, NULL));
	p->held[handle] = 0;
	if (any_held(p) && exec(p, "BEGIN", NULL) == SLS_OK)
		p->in_txn = true;
}

static enum sls_rc pg_commit(const struct sls_store *store)
{
	struct pgstore *p = pg_of(store);
	enum sls_rc rc;

	if (!p->in_txn)
		return SLS_OK;
	rc = exec(p, "COMMIT", NULL);
	p->in_txn = false;
	if (rc == SLS_OK && any_held(p)) {
		rc = exec(p, "BEGIN", NULL);
		p->in_txn = rc == SLS_OK;
	}
	return rc;
}

/* AAD of a user's sealed enrolment: it opens under that user's name only. */
static void seal_aad(const char *name, char *aad, size_t size)
{
	snprintf(aad, size, "sls-enrollment:%s", name);
}

/* text sealed: version, nonce, ciphertext, tag (malloc'ed into *out). */
static enum sls_rc seal(const struct pgstore *p, const char *name, const char *text, size_t len,
			unsigned char **out, size_t *outlen)
{
	char aad[SLS_USER_NAME_MAX + 32];
	unsigned char *b = malloc(1 + NONCE_LEN + len + TAG_LEN);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, m = 0, ok;

	seal_aad(name, aad, sizeof(aad));
	ok = b != NULL && c != NULL && RAND_bytes(b + 1, NONCE_LEN) == 1 &&
	     EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, p->key, b + 1) == 1 &&
	     EVP_EncryptUpdate(c, NULL, &n, (const unsigned char *)aad, (int)strlen(aad)) == 1 &&
	     EVP_EncryptUpdate(c, b + 1 + NONCE_LEN, &n, (const unsigned char *)text, (int)len) ==
		 1 &&
	     EVP_EncryptFinal_ex(c, b + 1 + NONCE_LEN + n, &m) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, b + 1 + NONCE_LEN + len) == 1;
	EVP_CIPHER_CTX_free(c);
	if (!ok) {
		free(b);
		return b == NULL ? SLS_ERR_NOMEM : SLS_ERR_CRYPTO;
	}
	b[0] = SEAL_V1;
	*out = b;
	*outlen = 1 + NONCE_LEN + len + TAG_LEN;
	return SLS_OK;
}

/* A sealed enrolment opened (NUL-terminated, malloc'ed): SLS_ERR_FORMAT when it does not. */
static enum sls_rc unseal(const struct pgstore *p, const char *name, const unsigned char *b,
			  size_t blen, char **text, size_t *len)
{
	char aad[SLS_USER_NAME_MAX + 32];
	unsigned char tag[TAG_LEN];
	size_t n = blen - 1 - NONCE_LEN - TAG_LEN;
	EVP_CIPHER_CTX *c;
	char *out;
	int k = 0, m = 0, ok;

	if (blen < 1 + NONCE_LEN + TAG_LEN || b[0] != SEAL_V1)
		return SLS_ERR_FORMAT;
	memcpy(tag, b + 1 + NONCE_LEN + n, TAG_LEN);
	out = malloc(n + 1);
	c = EVP_CIPHER_CTX_new();
	seal_aad(name, aad, sizeof(aad));
	ok = out != NULL && c != NULL &&
	     EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, p->key, b + 1) == 1 &&
	     EVP_DecryptUpdate(c, NULL, &k, (const unsigned char *)aad, (int)strlen(aad)) == 1 &&
	     EVP_DecryptUpdate(c, (unsigned char *)out, &k, b + 1 + NONCE_LEN, (int)n) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1 &&
	     EVP_DecryptFinal_ex(c, (unsigned char *)out + k, &m) == 1;
	EVP_CIPHER_CTX_free(c);
	if (!ok) {
		if (out != NULL)
			sls_free_secret(out, n + 1);
		return out == NULL ? SLS_ERR_NOMEM : SLS_ERR_FORMAT;
	}
	out[n] = '\0';
	*text = out;
	*len = n;
	return SLS_OK;
}

static enum sls_rc pg_load(const struct sls_store *store, bool state, const char *name, char **text,
			   size_t *len, struct sls_diag *diag)
{
	struct pgstore *p = pg_of(store);
	const char *vals[1] = {name};
	PGresult *res = run(p,
			    state ? "SELECT state FROM sls_state WHERE name = $1"
				  : "SELECT enrollment FROM sls_users WHERE name = $1",
			    1, vals, NULL, NULL);
	enum sls_rc rc = SLS_ERR_IO;

	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
		sls_diag_set(diag, 0, "postgresql: the %s could not be read",
			     state ? "state" : "enrolment");
	} else if (PQntuples(res) == 0) {
		rc = SLS_ERR_NOENT;
	} else if (state) {
		size_t n = (size_t)PQgetlength(res, 0, 0);

		*text = malloc(n + 1);
		rc = *text == NULL ? SLS_ERR_NOMEM : SLS_OK;
		if (rc == SLS_OK) {
			memcpy(*text, PQgetvalue(res, 0, 0), n);
			(*text)[n] = '\0';
			*len = n;
		}
	} else {
		rc = unseal(p, name, (const unsigned char *)PQgetvalue(res, 0, 0),
			    (size_t)PQgetlength(res, 0, 0), text, len);
		if (rc == SLS_ERR_FORMAT)
			sls_diag_set(diag, 0,
				     "postgresql: the enrolment does not open with this key");
	}
	PQclear(res);
	return rc;
}

static enum sls_rc pg_save(const struct sls_store *store, bool state, const char *name,
			   const char *text, size_t len)
{
	struct pgstore *p = pg_of(store);
	unsigned char *sealed = NULL;
	size_t slen = len;
	const char *vals[2] = {name, text};
	int lens[2] = {0, (int)len}, fmts[2] = {0, 1};
	enum sls_rc rc = SLS_OK;
	PGresult *res;

	if (!state) {
		rc = seal(p, name, text, len, &sealed, &slen);
		if (rc != SLS_OK)
			return rc;
		vals[1] = (const char *)sealed;
		lens[1] = (int)slen;
	}
	res =
	    run(p,
		state ? "INSERT INTO sls_state (name, state) VALUES ($1, convert_from($2, 'UTF8')) "
			"ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state, updated = now()"
		      : "INSERT INTO sls_users (name, enrollment) VALUES ($1, $2) "
			"ON CONFLICT (name) DO UPDATE SET enrollment = EXCLUDED.enrollment, "
			"updated = now()",
		2, vals, lens, fmts);
	rc = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK ? SLS_OK : SLS_ERR_IO;
	PQclear(res);
	if (sealed != NULL)
		sls_free_secret(sealed, slen);
	return rc;
}

/* One row of sls_audit, committed on its own (no transaction is open); the host is this server. */
static enum sls_rc pg_audit(const struct sls_store *store, const struct sls_audit_row *row)
{
	struct pgstore *p = pg_of(store);
	char host[256] = "?";
	const char *vals[11] = {host,          row->user,  row->service, row->event,
				row->pam_code, row->rhost, row->tty,     row->device,
				row->result,   row->trail, row->peer_uid};
	PGresult *res;
	enum sls_rc rc;

	if (p->in_txn)
		return SLS_ERR_INVAL;
	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "?");
	res =
	    run(p,
		p->schema >= 2
		    ? "INSERT INTO sls_audit (host, name, service, event, pam_result, rhost, tty, "
		      "device, result, trail, peer_uid) "
		      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::bigint)"
		    : "INSERT INTO sls_audit (host, name, service, event, pam_result) "
		      "VALUES ($1, $2, $3, $4, $5)",
		p->schema >= 2 ? 11 : 5, vals, NULL, NULL);
	rc = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK ? SLS_OK : SLS_ERR_IO;
	PQclear(res);
	return rc;
}

/*
 * A right answer's key, in the user's transaction: one INSERT ... ON
 * CONFLICT DO NOTHING RETURNING, so of two servers with one answer exactly
 * one gets the row (the other waits for the first's commit, then gets
 * none). The user's expired keys go first. A database of schema 1 has no
 * sls_used: the state alone keeps the answer there.
 */
static enum sls_rc pg_claim(const struct sls_store *store, const char *name, const char *key,
			    unsigned keep)
{
	struct pgstore *p = pg_of(store);
	char secs[16];
	const char *vals[3] = {name, key, secs};
	PGresult *res;
	enum sls_rc rc;

	if (p->schema < 2)
		return SLS_OK;
	if (!p->in_txn)
		return SLS_ERR_INVAL;
	snprintf(secs, sizeof(secs), "%u", keep);
	res =
	    run(p, "DELETE FROM sls_used WHERE name = $1 AND expires < now()", 1, vals, NULL, NULL);
	rc = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK ? SLS_OK : SLS_ERR_IO;
	PQclear(res);
	if (rc != SLS_OK)
		return rc;
	res = run(p,
		  "INSERT INTO sls_used (name, key, expires) VALUES ($1, $2, CASE WHEN $3::integer "
		  "= 0 THEN NULL ELSE now() + $3::integer * interval '1 second' END) "
		  "ON CONFLICT DO NOTHING RETURNING 1",
		  3, vals, NULL, NULL);
	rc = res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK ? SLS_ERR_IO
	     : PQntuples(res) == 1                                 ? SLS_OK
								   : SLS_ERR_MISMATCH;
	PQclear(res);
	return rc;
}

static void pg_close(struct sls_store *store)
{
	struct pgstore *p = pg_of(store);

	if (p == NULL)
		return;
	PQfinish(p->conn);
	sls_wipe(p, sizeof(*p));
	free(p);
	store->backend_ctx = NULL;
}

static const struct sls_store_backend pg_backend = {
    .name = "postgresql",
    .load = pg_load,
    .save = pg_save,
    .lock = pg_lock,
    .unlock = pg_unlock,
    .commit = pg_commit,
    .close = pg_close,
    .audit = pg_audit,
    .claim = pg_claim,
};

/* The sealing key: 64 hex digits in a file of root's that no one else may read. */
static enum sls_rc read_key(const char *path, unsigned char *key, struct sls_diag *diag)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, n = 0;
	enum sls_rc rc = sls_file_read_path(path, 0, 256, &buf, &len);

	if (rc == SLS_OK && (stat(path, &st) != 0 || (st.st_mode & 077) != 0))
		rc = SLS_ERR_UNSAFE;
	if (rc == SLS_OK) {
		buf[strcspn(buf, "\n")] = '\0';
		rc = strlen(buf) == 2 * KEY_LEN ? sls_hex_decode(buf, key, KEY_LEN, &n)
						: SLS_ERR_FORMAT;
		rc = rc == SLS_OK && n != KEY_LEN ? SLS_ERR_FORMAT : rc;
	}
	if (rc != SLS_OK)
		sls_diag_set(diag, 0, "[store] key: %s", sls_strerror(rc));
	if (rc == SLS_ERR_NOENT) /* a key missing is a broken store, never an empty one */
		rc = SLS_ERR_UNSAFE;
	if (buf != NULL)
		sls_free_secret(buf, len + 1);
	return rc;
}

/* The server's notices ("already exists, skipping"): not for the caller's stderr. */
static void no_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* A connection within db_timeout, its lock waits bounded like the files'. */
static enum sls_rc connect_db(const struct sls_config *conf, struct pgstore *p,
			      struct sls_diag *diag)
{
	char timeout[16];
	const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *vals[] = {conf->dsn, timeout, "sls", NULL};
	char sql[64];

	snprintf(timeout, sizeof(timeout), "%u", conf->db_timeout > 0 ? conf->db_timeout : 5);
	p->timeout_ms = (int)(conf->db_timeout > 0 ? conf->db_timeout : 5) * 1000;
	p->conn = PQconnectdbParams(keys, vals, 1);
	if (p->conn == NULL || PQstatus(p->conn) != CONNECTION_OK) {
		sls_diag_set(diag, 0, "postgresql: cannot connect (dsn of [store])");
		return SLS_ERR_IO;
	}
	PQsetNoticeProcessor(p->conn, no_notice, NULL);
	snprintf(sql, sizeof(sql), "SET lock_timeout = %d", SLS_LOCK_TIMEOUT_MS);
	return exec(p, sql, diag);
}

/*
 * The schema's version into p->schema: 0 when there is none; -1 when its
 * content is not one version; -2 when it cannot be read (the server).
 */
static int schema_version(struct pgstore *p)
{
	PGresult *res = run(p, "SELECT version FROM sls_schema", 0, NULL, NULL, NULL);
	const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	uint32_t v = 0;
	int version = -1;

	if (res == NULL || (PQresultStatus(res) != PGRES_TUPLES_OK &&
			    (state == NULL || strcmp(state, "42P01") != 0)))
		version = -2; /* not an answer, or an error other than "no such table" */
	else if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 0)
		version = 0;
	if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	    PQgetlength(res, 0, 0) == 4) {
		memcpy(&v, PQgetvalue(res, 0, 0), 4);
		version = ntohl(v) <= 1000000 ? (int)ntohl(v) : -1;
	}
	PQclear(res);
	return p->schema = version;
}

/* A schema this build can use (SLS_PG_SCHEMA_MIN..SLS_PG_SCHEMA), else SLS_ERR_FORMAT. */
static enum sls_rc check_schema(struct pgstore *p, struct sls_diag *diag)
{
	int v = schema_version(p);

	if (v >= SLS_PG_SCHEMA_MIN && v <= SLS_PG_SCHEMA)
		return SLS_OK;
	if (v == -2) {
		sls_diag_set(diag, 0, "postgresql: the schema's version could not be read");
		return SLS_ERR_IO;
	}
	if (v > SLS_PG_SCHEMA)
		sls_diag_set(diag, 0, "postgresql: the schema is newer than this build's (%d)",
			     SLS_PG_SCHEMA);
	else
		sls_diag_set(diag, 0, "postgresql: no schema %d (run sls db init)", SLS_PG_SCHEMA);
	return SLS_ERR_FORMAT;
}

static enum sls_rc pg_new(const struct sls_config *conf, struct pgstore **out,
			  struct sls_diag *diag)
{
	struct pgstore *p = calloc(1, sizeof(*p));
	enum sls_rc rc = p == NULL ? SLS_ERR_NOMEM : connect_db(conf, p, diag);

	if (rc != SLS_OK && p != NULL) {
		PQfinish(p->conn);
		free(p);
		p = NULL;
	}
	*out = p;
	return rc;
}

enum sls_rc sls_pg_open(const struct sls_config *conf, struct sls_store *store,
			struct sls_diag *diag)
{
	struct pgstore *p = NULL;
	enum sls_rc rc = pg_new(conf, &p, diag);

	if (rc == SLS_OK)
		rc = read_key(conf->key_file, p->key, diag);
	if (rc == SLS_OK)
		rc = check_schema(p, diag);
	if (rc == SLS_OK) {
		snprintf(p->dsn, sizeof(p->dsn), "%s", conf->dsn);
		snprintf(p->key_file, sizeof(p->key_file), "%s", conf->key_file);
		p->db_timeout = conf->db_timeout;
	}
	memset(store, 0, sizeof(*store));
	store->dirfd = store->users_fd = store->state_fd = store->lock_fd = -1;
	if (rc != SLS_OK) {
		if (p != NULL) {
			PQfinish(p->conn);
			sls_wipe(p, sizeof(*p));
			free(p);
		}
		return rc;
	}
	store->backend = &pg_backend;
	store->backend_ctx = p;
	return SLS_OK;
}

/*
 * What each version adds to the one before (migrations[v - 1] makes version
 * v); sls db init runs those the database lacks, in order. Never change one
 * that shipped: add the next.
 */
#define MIGRATION_MAX 4 /* statements of one version */
static const char *const migrations[SLS_PG_SCHEMA][MIGRATION_MAX] = {
    {"CREATE TABLE sls_users (name text PRIMARY KEY, enrollment bytea NOT NULL, "
     "updated timestamptz NOT NULL DEFAULT now())",
     "CREATE TABLE sls_state (name text PRIMARY KEY, state text NOT NULL, "
     "updated timestamptz NOT NULL DEFAULT now())",
     "CREATE TABLE sls_audit (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), "
     "host text NOT NULL, name text, service text, event text NOT NULL, pam_result text)"},
    {"ALTER TABLE sls_audit ADD COLUMN rhost text, ADD COLUMN tty text, "
     "ADD COLUMN device text, ADD COLUMN result text, ADD COLUMN trail text, "
     "ADD COLUMN peer_uid bigint",
     "CREATE INDEX sls_audit_name_at ON sls_audit (name, at)",
     "CREATE TABLE sls_used (name text NOT NULL, key text NOT NULL, "
     "at timestamptz NOT NULL DEFAULT now(), expires timestamptz, PRIMARY KEY (name, key))"},
};

/* A new key file: 64 hex digits of getrandom, 0600, made with O_EXCL. */
static enum sls_rc make_key(const char *path, struct sls_diag *diag)
{
	unsigned char key[KEY_LEN];
	char hex[2 * KEY_LEN + 2];
	FILE *f;
	int fd;

	if (RAND_bytes(key, sizeof(key)) != 1 ||
	    sls_hex_encode(key, sizeof(key), hex, sizeof(hex)) != SLS_OK)
		return SLS_ERR_RANDOM;
	sls_wipe(key, sizeof(key));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL || fprintf(f, "%s\n", hex) < 0 || fflush(f) != 0 || fsync(fd) != 0) {
		sls_diag_set(diag, 0, "[store] key: cannot be written");
		if (f != NULL)
			fclose(f);
		sls_wipe(hex, sizeof(hex));
		return SLS_ERR_IO;
	}
	fclose(f);
	sls_wipe(hex, sizeof(hex));
	return SLS_OK;
}

/* Within an open transaction: the migrations from version from + 1 up to SLS_PG_SCHEMA. */
static enum sls_rc upgrade(struct pgstore *p, int from, struct sls_diag *diag)
{
	enum sls_rc rc = SLS_OK;
	char sql[64];

	for (int v = from + 1; rc == SLS_OK && v <= SLS_PG_SCHEMA; v++)
		for (size_t i = 0;
		     rc == SLS_OK && i < MIGRATION_MAX && migrations[v - 1][i] != NULL; i++)
			rc = exec(p, migrations[v - 1][i], diag);
	snprintf(sql, sizeof(sql), "INSERT INTO sls_schema (version) VALUES (%d)", SLS_PG_SCHEMA);
	if (rc == SLS_OK && from < SLS_PG_SCHEMA)
		rc = exec(p, "DELETE FROM sls_schema", diag);
	if (rc == SLS_OK && from < SLS_PG_SCHEMA)
		rc = exec(p, sql, diag);
	return rc;
}

enum sls_rc sls_pg_init(const struct sls_config *conf, bool *key_made, int *from,
			struct sls_diag *diag)
{
	struct pgstore *p = NULL;
	struct stat st;
	enum sls_rc rc;

	*key_made = false;
	*from = 0;
	if (lstat(conf->key_file, &st) != 0 && errno == ENOENT) {
		rc = make_key(conf->key_file, diag);
		if (rc != SLS_OK)
			return rc;
		*key_made = true;
	}
	rc = pg_new(conf, &p, diag);
	if (rc == SLS_OK)
		rc = exec(p, "BEGIN", diag);
	if (rc == SLS_OK)
		rc = exec(p, "CREATE TABLE IF NOT EXISTS sls_schema (version integer NOT NULL)",
			  diag);
	/* two inits at once: the second waits, then sees the first's version */
	if (rc == SLS_OK)
		rc = exec(p, "LOCK TABLE sls_schema IN EXCLUSIVE MODE", diag);
	if (rc == SLS_OK && (*from = schema_version(p)) == -2) {
		sls_diag_set(diag, 0, "postgresql: the schema's version could not be read");
		rc = SLS_ERR_IO;
	} else if (rc == SLS_OK && *from < 0) {
		sls_diag_set(diag, 0, "postgresql: sls_schema holds no single version");
		rc = SLS_ERR_FORMAT;
	} else if (rc == SLS_OK && *from > SLS_PG_SCHEMA) {
		sls_diag_set(diag, 0, "postgresql: the schema is newer than this build's (%d)",
			     SLS_PG_SCHEMA);
		rc = SLS_ERR_FORMAT;
	}
	if (rc == SLS_OK)
		rc = upgrade(p, *from, diag);
	if (rc == SLS_OK)
		rc = exec(p, "COMMIT", diag);
	if (p != NULL) {
		PQfinish(p->conn);
		free(p);
	}
	return rc;
}

#define PROBE_MS 1000 /* how long a probe of a host may wait for its connect */

/*
 * One address: 1 it refuses (ECONNREFUSED, ENOENT, no route), 0 it
 * accepts or does not answer in time (no proof it is down).
 */
static int refuses(const struct sockaddr *sa, socklen_t len)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int e = 0, r;
	socklen_t elen = sizeof(e);

	if (fd < 0)
		return 0;
	r = connect(fd, sa, len);
	e = r == 0 ? 0 : errno;
	if (e == EINPROGRESS) {
		if (sls_poll_until(fd, POLLOUT, sls_now_ms() + PROBE_MS) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) != 0)
			e = ETIMEDOUT;
		r = e == 0 ? 0 : -1;
	}
	close(fd);
	return r != 0 && (e == ECONNREFUSED || e == ENOENT || e == EHOSTUNREACH ||
			  e == ENETUNREACH || e == EADDRNOTAVAIL);
}

/* A host of the dsn (a socket directory, or a name or address) at port: whether it refuses. */
static bool host_refuses(const char *host, const char *port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL, *a;
	bool all = true;

	if (host[0] == '/') {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};

		if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/.s.PGSQL.%s", host,
				     port) >= sizeof(sa.sun_path))
			return false;
		return refuses((const struct sockaddr *)&sa, sizeof(sa)) == 1;
	}
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return false; /* a name that does not resolve proves nothing */
	for (a = res; a != NULL && all; a = a->ai_next)
		all = refuses(a->ai_addr, a->ai_addrlen) == 1;
	freeaddrinfo(res);
	return all;
}

/* The n-th comma-separated item of list into out ("" past its end). */
static void item(const char *list, int n, char *out, size_t size)
{
	for (; n > 0 && list != NULL; n--)
		list = strchr(list, ',') ? strchr(list, ',') + 1 : NULL;
	snprintf(out, size, "%.*s", list ? (int)strcspn(list, ",") : 0, list ? list : "");
}

/* The dsn's keyword, else its environment variable (as libpq takes it), else dflt. */
static const char *option(const PQconninfoOption *o, const char *key, const char *env,
			  const char *dflt)
{
	for (; o->keyword != NULL; o++)
		if (strcmp(o->keyword, key) == 0 && o->val != NULL && o->val[0] != '\0')
			return o->val;
	return getenv(env) != NULL && getenv(env)[0] != '\0' ? getenv(env) : dflt;
}

bool sls_pg_nothing_listens(const struct sls_config *conf)
{
	PQconninfoOption *o = PQconninfoParse(conf->dsn, NULL);
	const char *hosts, *ports;
	char host[256], port[16];
	bool all = true;

	if (o == NULL)
		return false;
	/* hostaddr skips the name's lookup: then it is what libpq connects to */
	hosts = option(o, "hostaddr", "PGHOSTADDR", NULL);
	if (hosts == NULL)
		hosts = option(o, "host", "PGHOST", "/var/run/postgresql");
	ports = option(o, "port", "PGPORT", "5432");
	for (int i = 0; all; i++) {
		item(hosts, i, host, sizeof(host));
		if (host[0] == '\0' && i > 0)
			break;
		item(ports, strchr(ports, ',') ? i : 0, port, sizeof(port));
		all = host_refuses(host[0] != '\0' ? host : "/var/run/postgresql",
				   port[0] != '\0' ? port : "5432");
	}
	PQconninfoFree(o);
	return all;
}

void sls_pg_warm(const struct sls_store *store)
{
	struct sls_diag diag = {0};
	char *text = NULL;
	size_t len = 0;

	/* "" is no user's name (sls_name_valid): both are SLS_ERR_NOENT */
	for (int state = 0; state < 2; state++)
		if (store->backend == &pg_backend &&
		    pg_load(store, state, "", &text, &len, &diag) == SLS_OK)
			sls_free_secret(text, len + 1);
}

bool sls_pg_reusable(const struct sls_store *store, const struct sls_config *conf)
{
	struct pgstore *p = store->backend == &pg_backend ? pg_of(store) : NULL;

	return p != NULL && !p->in_txn && !any_held(p) && strcmp(p->dsn, conf->dsn) == 0 &&
	       strcmp(p->key_file, conf->key_file) == 0 && p->db_timeout == conf->db_timeout &&
	       PQstatus(p->conn) == CONNECTION_OK && !PQisBusy(p->conn) &&
	       sls_poll_until(PQsocket(p->conn), POLLIN, 0) == 0;
}

enum sls_rc sls_pg_store_open(const struct sls_config *conf, uid_t owner, bool create,
			      struct sls_store *store, struct sls_diag *diag)
{
	if (conf->backend == SLS_BACKEND_POSTGRESQL)
		return sls_pg_open(conf, store, diag);
	return sls_store_open(conf->store_dir, owner, create, store);
}
