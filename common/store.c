/* pam_sls - the store directory: DIR/users, DIR/state, DIR/lock. */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "sls_devtype.h"
#include "sls_file.h"

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * On failure every fd is closed and -1 (errno kept), so calling
 * sls_store_close afterwards is allowed but not needed.
 */
enum sls_rc sls_store_open(const char *path, uid_t owner, bool create, struct sls_store *store)
{
	enum sls_rc rc;
	int saved;

	if (store == NULL)
		return SLS_ERR_INVAL;
	store->dirfd = store->users_fd = store->state_fd = store->lock_fd = -1;
	store->types = NULL;
	store->backend = NULL;
	store->backend_ctx = NULL;
	rc = sls_dir_open(path, owner, create, &store->dirfd);
	if (rc != SLS_OK)
		goto out;
	rc = sls_subdir_open(store->dirfd, "users", owner, create, &store->users_fd);
	if (rc != SLS_OK)
		goto out;
	rc = sls_subdir_open(store->dirfd, "state", owner, create, &store->state_fd);
	if (rc != SLS_OK)
		goto out;
	rc = sls_subdir_open(store->dirfd, "lock", owner, create, &store->lock_fd);
out:
	/*
	 * The store is there but lacks users/, state/ or lock/: that is a broken
	 * store, not "nobody enrolled" (which would let nullok pass everyone).
	 */
	if (rc == SLS_ERR_NOENT && store->dirfd >= 0)
		rc = SLS_ERR_IO;
	if (rc != SLS_OK) {
		saved = errno;
		sls_store_close(store);
		errno = saved;
	}
	return rc;
}

const struct sls_devtypes *sls_store_types(const struct sls_store *store)
{
	return store->types != NULL ? store->types : &sls_devtypes_builtin;
}

void sls_store_close(struct sls_store *store)
{
	if (store == NULL)
		return;
	if (store->backend != NULL && store->backend->close != NULL)
		store->backend->close(store);
	store->backend = NULL;
	store->backend_ctx = NULL;
	close_fd(&store->dirfd);
	close_fd(&store->users_fd);
	close_fd(&store->state_fd);
	close_fd(&store->lock_fd);
}
