/* pam_sls - safe file I/O: checked opens, atomic replace, per-user locks. */
#ifndef SLS_FILE_H
#define SLS_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "sls_error.h"

#define SLS_FILE_MAX      (256 * 1024) /* default size cap of enrolment/state files */
#define SLS_USER_NAME_MAX 64

/*
 * True when name is safe to use as a file name and INI key: 1..64 bytes,
 * not "." or "..", no '/', no control character (< 0x20 or 0x7f), no
 * space, no '[', ']', '=', ';', '#', and not starting with '-'.
 */
bool sls_name_valid(const char *name);

/*
 * Open directory path for use as dirfd, walking it component by component
 * from "/" (or the cwd for a relative path) with O_NOFOLLOW|O_DIRECTORY, so
 * that no symlink is followed anywhere. The final directory must be owned by
 * owner and not writable by group or others; every directory before it,
 * from "/" (or the cwd) on, must be owned by root or owner and not writable
 * by group or others either (a sticky /tmp is refused). With create, a missing final
 * component is made with mode 0700 (parents must exist). *dirfd gets an
 * O_CLOEXEC descriptor. SLS_ERR_NOENT, SLS_ERR_UNSAFE, SLS_ERR_IO.
 */
enum sls_rc sls_dir_open(const char *path, uid_t owner, bool create, int *dirfd);

/*
 * Same, for one subdirectory name (sls_name_valid) of an open directory.
 */
enum sls_rc sls_subdir_open(int dirfd, const char *name, uid_t owner, bool create, int *subfd);

/*
 * Read the file name (sls_name_valid) in dirfd whole. Opened with
 * O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_NOCTTY|O_NONBLOCK; the fd is fstat'ed:
 * regular file, one link (or none: a reader racing sls_file_replace holds
 * the old, whole file), owned by owner, no group/other write, size <= max,
 * and the contents hold no NUL byte. *buf gets a malloc'ed NUL-terminated
 * copy (caller frees with sls_free_secret(buf, len + 1)), *len its length.
 * SLS_ERR_NOENT (missing), SLS_ERR_UNSAFE (symlink, link count, owner, mode,
 * not regular), SLS_ERR_TOOBIG, SLS_ERR_FORMAT (NUL), SLS_ERR_IO, SLS_ERR_NOMEM.
 */
enum sls_rc sls_file_read(int dirfd, const char *name, uid_t owner, size_t max, char **buf,
			  size_t *len);

/*
 * The same for the file at the absolute path: its directory opened with
 * sls_dir_open (every directory above it checked), then sls_file_read.
 * SLS_ERR_INVAL for a path that is not absolute or ends in '/'; errno is
 * the failing call's.
 */
enum sls_rc sls_file_read_path(const char *path, uid_t owner, size_t max, char **buf, size_t *len);

/*
 * The checks sls_file_read and sls_lock_acquire make on an open fd: fstat
 * says regular file, at most one link, owned by owner, no group/other write.
 * SLS_OK or SLS_ERR_UNSAFE; SLS_ERR_IO (errno set) if fstat fails. st (may
 * be NULL) gets the fstat result.
 */
enum sls_rc sls_fd_check(int fd, uid_t owner, struct stat *st);

/*
 * Write all len bytes of data to fd, again after EINTR and short writes:
 * SLS_OK, or SLS_ERR_IO with errno (EIO where write gave none).
 */
enum sls_rc sls_write_full(int fd, const void *data, size_t len);

/*
 * Replace file name in dirfd atomically with data: a new file ".NAME#new" in
 * the same directory (O_CREAT|O_EXCL|O_NOFOLLOW, mode given, umask not
 * applied), full write, fsync, checked close, renameat over name, fsync of
 * the directory. On any failure the temp file is removed and name is
 * untouched: readers see the old or the new contents, never a mix. The
 * caller holds the lock that guards name (the per-user lock): the temp name
 * is then its alone, and one left by a writer killed before its rename is
 * removed by the next write, so stale temp files never pile up.
 */
enum sls_rc sls_file_replace(int dirfd, const char *name, const void *data, size_t len,
			     mode_t mode);

/*
 * Remove file name in dirfd (for revocation of a whole user); SLS_ERR_NOENT
 * if missing. fsyncs the directory.
 */
enum sls_rc sls_file_remove(int dirfd, const char *name);

/*
 * Take the exclusive lock of user name: file name in lockdirfd, created 0600
 * if missing (never unlinked, so two lockers always lock the same inode),
 * fstat'ed like sls_file_read, then flock(LOCK_EX), retried until
 * timeout_ms passes (SLS_ERR_LOCK). *lockfd gets the descriptor.
 */
enum sls_rc sls_lock_acquire(int lockdirfd, const char *name, uid_t owner, unsigned timeout_ms,
			     int *lockfd);

/*
 * sls_lock_acquire for a reader that must change nothing: the lock file is
 * opened only if it exists (never created, never chmod'ed), checked the same
 * way, then locked the same way. SLS_ERR_NOENT: there is no lock file (no
 * writer of sls has locked that user yet). Release with sls_lock_release.
 */
enum sls_rc sls_lock_acquire_existing(int lockdirfd, const char *name, uid_t owner,
				      unsigned timeout_ms, int *lockfd);

/* Release and close a lock from sls_lock_acquire(_existing); -1 is allowed. */ /* Release and close
										   a lock from
										   sls_lock_acquire;
										   -1 is allowed. */
void sls_lock_release(int lockfd);

/*
 * The process holding the lock file name in lockdirfd, from /proc/locks (for
 * an administrator to act on a lock held too long: a stopped or blocked
 * process), or 0 when it cannot be told.
 */
pid_t sls_lock_holder(int lockdirfd, const char *name);

/*
 * The store (doc/design.md, "The files"): DIR with users/, state/ and lock/, all owned by
 * owner, mode 0700, none writable by group/other. Any fd may be -1 after a
 * failed open; sls_store_close handles that.
 */
struct sls_devtypes;
struct sls_store;
struct sls_user;
struct sls_state;

/* One login's decision as a back end keeps it (NULL: not known). Names and fixed words only. */
struct sls_audit_row {
	const char *user, *service, *rhost, *tty;
	const char *event, *device, *result, *pam_code, *trail;
	const char *peer_uid; /* slsd's caller (SO_PEERCRED) */
};

/*
 * A store that is not the files (sls_userdb.h's back end): the same
 * contract as the files' functions, on the formatted text of an enrolment
 * or a state. lock gives a handle >= 0 that unlock takes; commit makes the
 * saves since the last commit durable (the files' saves are durable each);
 * audit keeps a login's decision, claim a right answer's key
 * (sls_userdb_audit, sls_userdb_claim).
 */

struct sls_store_backend {
	const char *name; /* "postgresql" */
	enum sls_rc (*load)(const struct sls_store *store, bool state, const char *name,
			    char **text, size_t *len, struct sls_diag *diag);
	enum sls_rc (*save)(const struct sls_store *store, bool state, const char *name,
			    const char *text, size_t len);
	enum sls_rc (*lock)(const struct sls_store *store, const char *name, int *handle);
	void (*unlock)(const struct sls_store *store, int handle);
	enum sls_rc (*commit)(const struct sls_store *store);
	void (*close)(struct sls_store *store);
	enum sls_rc (*audit)(const struct sls_store *store, const struct sls_audit_row *row);
	enum sls_rc (*claim)(const struct sls_store *store, const char *name, const char *key,
			     unsigned keep);
};

struct sls_store {
	int dirfd;
	int users_fd;
	int state_fd;
	int lock_fd;
	/* NULL: the files above; else the back end and its own state */
	const struct sls_store_backend *backend;
	void *backend_ctx;
	/* The device types its enrolment files may hold: NULL (the default) is every built-in type.
	 */
	const struct sls_devtypes *types;
};

/* store->types, or the built-in types. */
const struct sls_devtypes *sls_store_types(const struct sls_store *store);

/*
 * Open (with create: make missing, mode 0700) the store at path. Without
 * create, SLS_ERR_NOENT means the store directory itself is missing; a store
 * that lacks a subdirectory is SLS_ERR_IO.
 */
enum sls_rc sls_store_open(const char *path, uid_t owner, bool create, struct sls_store *store);
void sls_store_close(struct sls_store *store);

/*
 * The users of a files store: every name in users/ or state/ that passes
 * sls_name_valid, sorted (strcmp), each once. Other entries (a temp file
 * of sls_file_replace's, ".", "..") are not names of users and are left
 * out; nothing is opened but the two directories. *names gets a malloc'ed
 * array of *n malloc'ed strings (sls_store_names_free). SLS_ERR_INVAL for
 * a store with a back end; SLS_ERR_IO (errno set), SLS_ERR_NOMEM.
 */
enum sls_rc sls_store_names(const struct sls_store *store, char ***names, size_t *n);
void sls_store_names_free(char **names, size_t n);

#endif /* SLS_FILE_H */
