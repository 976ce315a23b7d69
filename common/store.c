/* pam_sls - the store directory: DIR/users, DIR/state, DIR/lock. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Append the valid names of directory fd (read through a duplicate) to *names. */
static enum sls_rc add_names(int fd, char ***names, size_t *n, size_t *cap)
{
	int dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	DIR *dir = dup >= 0 ? fdopendir(dup) : NULL;
	struct dirent *e;
	enum sls_rc rc = SLS_OK;

	if (dir == NULL) {
		if (dup >= 0)
			close(dup);
		return SLS_ERR_IO;
	}
	rewinddir(dir);
	errno = 0;
	while (rc == SLS_OK && (e = readdir(dir)) != NULL) {
		if (!sls_name_valid(e->d_name))
			continue;
		if (*n == *cap) {
			size_t grown = *cap ? 2 * *cap : 16;
			char **bigger = reallocarray(*names, grown, sizeof(**names));

			if (bigger == NULL) {
				rc = SLS_ERR_NOMEM;
				break;
			}
			*names = bigger;
			*cap = grown;
		}
		(*names)[*n] = strdup(e->d_name);
		rc = (*names)[*n] == NULL ? SLS_ERR_NOMEM : SLS_OK;
		*n += rc == SLS_OK;
		errno = 0;
	}
	if (rc == SLS_OK && errno != 0)
		rc = SLS_ERR_IO;
	closedir(dir);
	return rc;
}

enum sls_rc sls_store_names(const struct sls_store *store, char ***names, size_t *n)
{
	size_t cap = 0, kept = 0;
	enum sls_rc rc;

	*names = NULL;
	*n = 0;
	if (store->backend != NULL)
		return SLS_ERR_INVAL;
	rc = add_names(store->users_fd, names, n, &cap);
	if (rc == SLS_OK)
		rc = add_names(store->state_fd, names, n, &cap);
	if (rc != SLS_OK) {
		sls_store_names_free(*names, *n);
		*names = NULL;
		*n = 0;
		return rc;
	}
	if (*n > 0)
		qsort(*names, *n, sizeof(**names), by_name);
	for (size_t i = 0; i < *n; i++) {
		if (kept > 0 && strcmp((*names)[kept - 1], (*names)[i]) == 0)
			free((*names)[i]);
		else
			(*names)[kept++] = (*names)[i];
	}
	*n = kept;
	return SLS_OK;
}

void sls_store_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n && names != NULL; i++)
		free(names[i]);
	free(names);
}
