/*
 * pam_sls - tests of common/name.c, file.c, lock.c and store.c: name
 * validation, the checks of a safe read, atomic replace (also under
 * concurrency and a writer killed mid-write), per-user locks, the store.
 * Every test gets a fresh mkdtemp directory. Runs as any user; only the
 * chown test needs root and says so when it skips.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sls_error.h"
#include "sls_file.h"
#include "sls_secret.h"
#include "helpers.h"

#define CRASH_SIZE   200000 /* under SLS_FILE_MAX, big enough to be killed mid-write */
#define CRASH_ROUNDS 30
#define COUNTER_RUNS 1000

struct fx {
	char path[PATH_MAX + 32];
	int dirfd;
	pid_t child; /* a child to kill if the test fails while it runs */
};

/* Fail with both return codes spelled out. */
#define assert_rc(got, want)                                                                       \
	do {                                                                                       \
		enum sls_rc got_ = (got), want_ = (want);                                          \
		if (got_ != want_) {                                                               \
			print_error("%s: got %s (%d), want %s (%d)\n", #got, sls_strerror(got_),   \
				    (int)got_, sls_strerror(want_), (int)want_);                   \
			fail();                                                                    \
		}                                                                                  \
	} while (0)

/* ---- fixture and helpers --------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char base[PATH_MAX];

	/* The walk refuses symlinks, so start from a path without any. */
	if (fx == NULL || realpath(test_tmpdir(), base) == NULL)
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/sls-files-XXXXXX", base);
	if (mkdtemp(fx->path) == NULL)
		return -1;
	if (sls_dir_open(fx->path, geteuid(), false, &fx->dirfd) != SLS_OK)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	if (fx->child > 0) {
		kill(fx->child, SIGKILL);
		waitpid(fx->child, NULL, 0);
	}
	close(fx->dirfd);
	chmod(fx->path, 0700);
	nftw(fx->path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

static void write_file(int dirfd, const char *name, const void *data, size_t len, mode_t mode)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void write_str(int dirfd, const char *name, const char *s)
{
	write_file(dirfd, name, s, strlen(s), 0600);
}

/* Read name and compare it with want; the buffer is wiped and freed. */
static void assert_contents(int dirfd, const char *name, const char *want)
{
	char *buf = NULL;
	size_t len = 0;

	assert_rc(sls_file_read(dirfd, name, geteuid(), SLS_FILE_MAX, &buf, &len), SLS_OK);
	assert_non_null(buf);
	assert_int_equal(len, strlen(want));
	assert_string_equal(buf, want);
	sls_free_secret(buf, len + 1);
}

static void assert_read_fails(int dirfd, const char *name, uid_t owner, size_t max,
			      enum sls_rc want)
{
	static char sentinel[] = "sentinel";
	char *buf = sentinel;
	size_t len = 99;

	assert_rc(sls_file_read(dirfd, name, owner, max, &buf, &len), want);
	assert_null(buf);
	assert_int_equal(len, 0);
}

/* Number of entries in the directory; *temps gets how many are temp files ('#'). */
static int count_entries(int dirfd, int *temps)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	*temps = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n++;
		if (strchr(e->d_name, '#') != NULL)
			(*temps)++;
	}
	closedir(d);
	return n;
}

static void assert_no_temps(int dirfd, int entries)
{
	int temps;

	assert_int_equal(count_entries(dirfd, &temps), entries);
	assert_int_equal(temps, 0);
}

static mode_t mode_of(int dirfd, const char *name)
{
	struct stat st;

	assert_int_equal(fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st.st_mode;
}

static void path_in(const struct fx *fx, const char *rel, char *out, size_t outsize)
{
	snprintf(out, outsize, "%s/%s", fx->path, rel);
}

/* fork(); the child dies with the test program, whatever happens to it. */
static pid_t fork_flushed(void)
{
	pid_t parent = getpid(), pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0 && (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent))
		_exit(99);
	return pid;
}

/* Exit status of pid, or 128 + signal. */
static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000L + (t1.tv_nsec - t0->tv_nsec) / 1000000L;
}

/*
 * skip(), saying why. cmocka 1.1.5 (Debian 12) prints a skipped test as
 * "not ok N # SKIP" in TAP, which automake's TAP driver counts as a FAIL;
 * under TAP the reason is printed as a diagnostic and the test passes.
 */
static void skip_because(const char *why)
{
	const char *out = getenv("CMOCKA_MESSAGE_OUTPUT");

	print_message("# SKIP: %s (euid %u)\n", why, (unsigned)geteuid());
	if (out == NULL || strcasecmp(out, "TAP") != 0)
		skip();
}

/* ---- names ------------------------------------------------------------------ */

static void test_name_valid(void **state)
{
	static const char *const good[] = {"alice", "a.b-c_d",      "root",    "x",
					   "a-",    "user@example", ".hidden", "\xc3\xa9mile"};
	static const char *const bad[] = {"",   ".",    "..",   "a/b",   "/",  "-x",  "a\x01",
					  "\t", "a\nb", "\x7f", "a\x7f", " ",  "a b", "[x",
					  "x]", "a=b",  "a;b",  "#x",    "a\r"};
	char s[SLS_USER_NAME_MAX + 2];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (!sls_name_valid(good[i]))
			fail_msg("refused good name #%zu \"%s\"", i, good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sls_name_valid(bad[i]))
			fail_msg("accepted bad name #%zu", i);
	}
	assert_false(sls_name_valid(NULL));
	memset(s, 'a', SLS_USER_NAME_MAX);
	s[SLS_USER_NAME_MAX] = '\0';
	assert_true(sls_name_valid(s)); /* 64 */
	s[SLS_USER_NAME_MAX] = 'a';
	s[SLS_USER_NAME_MAX + 1] = '\0';
	assert_false(sls_name_valid(s)); /* 65 */
}

/* ---- sls_file_read ---------------------------------------------------------- */

static void test_read_ok(void **state)
{
	struct fx *fx = *state;

	write_str(fx->dirfd, "alice", "[user]\nphone=1\n");
	assert_contents(fx->dirfd, "alice", "[user]\nphone=1\n");
	write_file(fx->dirfd, "bob", "", 0, 0644); /* empty, and 0644 is not writable by others */
	assert_contents(fx->dirfd, "bob", "");
	write_file(fx->dirfd, "carol", "x", 1, 0400);
	assert_contents(fx->dirfd, "carol", "x");
}

/* By absolute path: the directory opened with its checks, then the file; not a relative one. */
static void test_read_path(void **state)
{
	struct fx *fx = *state;
	char path[PATH_MAX + 64], *buf = NULL;
	size_t len = 0;

	write_str(fx->dirfd, "alice", "[user]\n");
	snprintf(path, sizeof(path), "%s/alice", fx->path);
	assert_rc(sls_file_read_path(path, geteuid(), SLS_FILE_MAX, &buf, &len), SLS_OK);
	assert_string_equal(buf, "[user]\n");
	sls_free_secret(buf, len + 1);
	snprintf(path, sizeof(path), "%s/nobody", fx->path);
	assert_rc(sls_file_read_path(path, geteuid(), SLS_FILE_MAX, &buf, &len), SLS_ERR_NOENT);
	assert_null(buf);
	snprintf(path, sizeof(path), "%s/", fx->path);
	assert_rc(sls_file_read_path(path, geteuid(), SLS_FILE_MAX, &buf, &len), SLS_ERR_INVAL);
	assert_rc(sls_file_read_path("alice", geteuid(), SLS_FILE_MAX, &buf, &len), SLS_ERR_INVAL);
	/* a file in /: the directory is "/" (root's) */
	assert_rc(sls_file_read_path("/sls-no-such-file", 0, SLS_FILE_MAX, &buf, &len),
		  SLS_ERR_NOENT);
}

static void test_read_symlink(void **state)
{
	struct fx *fx = *state;

	write_str(fx->dirfd, "target", "data");
	assert_int_equal(symlinkat("target", fx->dirfd, "link"), 0);
	assert_read_fails(fx->dirfd, "link", geteuid(), SLS_FILE_MAX, SLS_ERR_UNSAFE);
	/* A dangling symlink is a symlink, not a missing file. */
	assert_int_equal(symlinkat("nowhere", fx->dirfd, "dangling"), 0);
	assert_read_fails(fx->dirfd, "dangling", geteuid(), SLS_FILE_MAX, SLS_ERR_UNSAFE);
}

static void test_read_hardlink(void **state)
{
	struct fx *fx = *state;

	write_str(fx->dirfd, "alice", "data");
	assert_int_equal(linkat(fx->dirfd, "alice", fx->dirfd, "mallory", 0), 0);
	assert_read_fails(fx->dirfd, "alice", geteuid(), SLS_FILE_MAX, SLS_ERR_UNSAFE);
	assert_read_fails(fx->dirfd, "mallory", geteuid(), SLS_FILE_MAX, SLS_ERR_UNSAFE);
}

static void test_read_writable_by_others(void **state)
{
	struct fx *fx = *state;

	write_file(fx->dirfd, "group", "data", 4, 0620);
	assert_read_fails(fx->dirfd, "group", geteuid(), SLS_FILE_MAX, SLS_ERR_UNSAFE);
	write_file(fx->dirfd, "world", "data", 4, 0602);
	assert_read_fails(fx->dirfd, "world", geteuid(), SLS_FILE_MAX, SLS_ERR_UNSAFE);
}

/* The owner check is against the uid passed in: no root needed to see it refuse. */
static void test_read_other_owner_uid(void **state)
{
	struct fx *fx = *state;

	write_str(fx->dirfd, "alice", "data");
	assert_read_fails(fx->dirfd, "alice", geteuid() + 1, SLS_FILE_MAX, SLS_ERR_UNSAFE);
}

static void test_read_chowned(void **state)
{
	struct fx *fx = *state;
	const uid_t other = 4242;
	char *buf = NULL;
	size_t len = 0;

	if (geteuid() != 0) {
		skip_because("chown to another uid needs root");
		return;
	}
	write_str(fx->dirfd, "alice", "data");
	assert_int_equal(fchownat(fx->dirfd, "alice", other, (gid_t)-1, AT_SYMLINK_NOFOLLOW), 0);
	assert_read_fails(fx->dirfd, "alice", geteuid(), SLS_FILE_MAX, SLS_ERR_UNSAFE);
	assert_rc(sls_file_read(fx->dirfd, "alice", other, SLS_FILE_MAX, &buf, &len), SLS_OK);
	sls_free_secret(buf, len + 1);
}

static void test_read_toobig(void **state)
{
	struct fx *fx = *state;
	char *buf = NULL;
	char data[100];
	size_t len = 0;

	memset(data, 'x', sizeof(data));
	write_file(fx->dirfd, "alice", data, sizeof(data), 0600);
	assert_read_fails(fx->dirfd, "alice", geteuid(), sizeof(data) - 1, SLS_ERR_TOOBIG);
	assert_rc(sls_file_read(fx->dirfd, "alice", geteuid(), sizeof(data), &buf, &len), SLS_OK);
	assert_int_equal(len, sizeof(data));
	sls_free_secret(buf, len + 1);
}

static void test_read_nul(void **state)
{
	struct fx *fx = *state;

	write_file(fx->dirfd, "alice", "ab\0cd", 5, 0600);
	assert_read_fails(fx->dirfd, "alice", geteuid(), SLS_FILE_MAX, SLS_ERR_FORMAT);
}

static void test_read_not_regular(void **state)
{
	struct fx *fx = *state;

	/* O_NONBLOCK and the fstatat first: a FIFO must not hang the read. */
	assert_int_equal(mkfifoat(fx->dirfd, "fifo", 0600), 0);
	assert_read_fails(fx->dirfd, "fifo", geteuid(), SLS_FILE_MAX, SLS_ERR_UNSAFE);
	assert_int_equal(mkdirat(fx->dirfd, "dir", 0700), 0);
	assert_read_fails(fx->dirfd, "dir", geteuid(), SLS_FILE_MAX, SLS_ERR_UNSAFE);
}

static void test_read_missing_and_bad_names(void **state)
{
	struct fx *fx = *state;

	assert_read_fails(fx->dirfd, "nobody", geteuid(), SLS_FILE_MAX, SLS_ERR_NOENT);
	write_str(fx->dirfd, "alice", "data");
	assert_read_fails(fx->dirfd, "../alice", geteuid(), SLS_FILE_MAX, SLS_ERR_NAME);
	assert_read_fails(fx->dirfd, "", geteuid(), SLS_FILE_MAX, SLS_ERR_NAME);
	assert_read_fails(fx->dirfd, "..", geteuid(), SLS_FILE_MAX, SLS_ERR_NAME);
	assert_read_fails(-1, "alice", geteuid(), SLS_FILE_MAX, SLS_ERR_INVAL);
}

/* ---- directories and the store ---------------------------------------------- */

static void assert_dir_open(const char *path, uid_t owner, bool create, enum sls_rc want)
{
	int fd = 12345;

	assert_rc(sls_dir_open(path, owner, create, &fd), want);
	if (want == SLS_OK) {
		assert_true(fd >= 0);
		assert_true((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
		close(fd);
	} else {
		assert_int_equal(fd, -1);
	}
}

static void test_dir_open_walk(void **state)
{
	struct fx *fx = *state;
	char p[PATH_MAX + 64];

	assert_int_equal(mkdirat(fx->dirfd, "real", 0700), 0);
	assert_int_equal(mkdirat(fx->dirfd, "real/sub", 0700), 0);
	path_in(fx, "real/sub", p, sizeof(p));
	assert_dir_open(p, geteuid(), false, SLS_OK);
	path_in(fx, ".//real/./sub/", p, sizeof(p));
	assert_dir_open(p, geteuid(), false, SLS_OK);
	path_in(fx, "real/../real/sub", p, sizeof(p));
	assert_dir_open(p, geteuid(), false, SLS_ERR_INVAL);
	path_in(fx, "real/none", p, sizeof(p));
	assert_dir_open(p, geteuid(), false, SLS_ERR_NOENT);
	path_in(fx, "none/sub", p, sizeof(p));
	assert_dir_open(p, geteuid(), true, SLS_ERR_NOENT); /* only the last is created */
	write_str(fx->dirfd, "file", "x");
	path_in(fx, "file/sub", p, sizeof(p));
	assert_dir_open(p, geteuid(), false, SLS_ERR_UNSAFE);
	path_in(fx, "file", p, sizeof(p));
	assert_dir_open(p, geteuid(), false, SLS_ERR_UNSAFE);
	path_in(fx, "real", p, sizeof(p));
	assert_dir_open(p, geteuid() + 1, false, SLS_ERR_UNSAFE);
	assert_dir_open("", geteuid(), false, SLS_ERR_INVAL);
	assert_dir_open(NULL, geteuid(), false, SLS_ERR_INVAL);
}

static void test_dir_open_symlink(void **state)
{
	struct fx *fx = *state;
	char p[PATH_MAX + 64];
	int fd;

	assert_int_equal(mkdirat(fx->dirfd, "real", 0700), 0);
	assert_int_equal(mkdirat(fx->dirfd, "real/sub", 0700), 0);
	assert_int_equal(symlinkat("real", fx->dirfd, "link"), 0);
	path_in(fx, "link/sub", p, sizeof(p)); /* symlink in the middle */
	assert_dir_open(p, geteuid(), false, SLS_ERR_UNSAFE);
	assert_dir_open(p, geteuid(), true, SLS_ERR_UNSAFE);
	path_in(fx, "link", p, sizeof(p)); /* symlink at the end */
	assert_dir_open(p, geteuid(), false, SLS_ERR_UNSAFE);
	assert_dir_open(p, geteuid(), true, SLS_ERR_UNSAFE);
	assert_rc(sls_subdir_open(fx->dirfd, "link", geteuid(), true, &fd), SLS_ERR_UNSAFE);
	assert_int_equal(fd, -1);
	/* Relative paths walk from the cwd, just as strictly. */
	assert_int_equal(fchdir(fx->dirfd), 0);
	assert_dir_open("real/sub", geteuid(), false, SLS_OK);
	assert_dir_open("link/sub", geteuid(), false, SLS_ERR_UNSAFE);
	assert_int_equal(chdir("/"), 0);
}

static void test_dir_writable_refused(void **state)
{
	struct fx *fx = *state;
	char p[PATH_MAX + 64];
	int fd;

	assert_int_equal(mkdirat(fx->dirfd, "store", 0700), 0);
	path_in(fx, "store", p, sizeof(p));
	assert_int_equal(chmod(p, 0770), 0);
	assert_dir_open(p, geteuid(), false, SLS_ERR_UNSAFE);
	assert_int_equal(chmod(p, 0707), 0);
	assert_dir_open(p, geteuid(), false, SLS_ERR_UNSAFE);
	assert_int_equal(chmod(p, 01777), 0);
	assert_dir_open(p, geteuid(), false, SLS_ERR_UNSAFE);
	assert_int_equal(chmod(p, 0755), 0);
	assert_dir_open(p, geteuid(), false, SLS_OK);
	assert_int_equal(mkdirat(fx->dirfd, "store/users", 0700), 0);
	assert_int_equal(fchmodat(fx->dirfd, "store/users", 0730, 0), 0);
	assert_rc(sls_dir_open(p, geteuid(), false, &fd), SLS_OK);
	assert_rc(sls_subdir_open(fd, "users", geteuid(), false, &(int){0}), SLS_ERR_UNSAFE);
	assert_rc(sls_subdir_open(fd, "../x", geteuid(), false, &(int){0}), SLS_ERR_NAME);
	close(fd);
}

/* Every directory on the way must be root's or the owner's and writable by nobody else. */
static void test_dir_parents_checked(void **state)
{
	struct fx *fx = *state;
	char p[PATH_MAX + 64];

	assert_int_equal(mkdirat(fx->dirfd, "up", 0755), 0);
	assert_int_equal(mkdirat(fx->dirfd, "up/store", 0700), 0);
	path_in(fx, "up/store", p, sizeof(p));
	assert_dir_open(p, geteuid(), false, SLS_OK);
	/* like /tmp: sticky and world-writable */
	assert_int_equal(fchmodat(fx->dirfd, "up", 01777, 0), 0);
	assert_dir_open(p, geteuid(), false, SLS_ERR_UNSAFE);
	assert_dir_open(p, geteuid(), true, SLS_ERR_UNSAFE);
	assert_int_equal(fchmodat(fx->dirfd, "up", 0775, 0), 0);
	assert_dir_open(p, geteuid(), false, SLS_ERR_UNSAFE);
	assert_int_equal(fchmodat(fx->dirfd, "up", 0755, 0), 0);
	assert_dir_open(p, geteuid(), false, SLS_OK);
	/* the fixture's own directory, further up, is checked as well */
	assert_int_equal(fchmod(fx->dirfd, 0757), 0);
	assert_dir_open(p, geteuid(), false, SLS_ERR_UNSAFE);
	assert_int_equal(fchmod(fx->dirfd, 0700), 0);
	if (geteuid() == 0) {
		/* a parent of another user (not root) could be swapped by that user */
		assert_int_equal(fchownat(fx->dirfd, "up", 4242, 4242, 0), 0);
		assert_dir_open(p, 0, false, SLS_ERR_UNSAFE);
		/* root's directories are fine on the way to another owner's store */
		assert_int_equal(fchownat(fx->dirfd, "up", 0, 0, 0), 0);
		assert_int_equal(fchownat(fx->dirfd, "up/store", 4242, 4242, 0), 0);
		assert_dir_open(p, 4242, false, SLS_OK);
	}
}

static void assert_dir_0700(int dirfd, const char *name)
{
	mode_t m = mode_of(dirfd, name);

	assert_true(S_ISDIR(m));
	assert_int_equal(m & 07777, 0700);
}

static void test_store_create(void **state)
{
	struct fx *fx = *state;
	struct sls_store st;
	char p[PATH_MAX + 64];
	enum sls_rc rc;
	mode_t old;

	path_in(fx, "store", p, sizeof(p));
	assert_rc(sls_store_open(p, geteuid(), false, &st), SLS_ERR_NOENT);
	assert_true(st.dirfd == -1 && st.users_fd == -1 && st.state_fd == -1 && st.lock_fd == -1);
	old = umask(0777); /* created modes must not depend on the umask */
	rc = sls_store_open(p, geteuid(), true, &st);
	umask(old);
	assert_rc(rc, SLS_OK);
	assert_true(st.dirfd >= 0 && st.users_fd >= 0 && st.state_fd >= 0 && st.lock_fd >= 0);
	assert_dir_0700(fx->dirfd, "store");
	assert_dir_0700(st.dirfd, "users");
	assert_dir_0700(st.dirfd, "state");
	assert_dir_0700(st.dirfd, "lock");
	sls_store_close(&st);
	assert_true(st.dirfd == -1 && st.users_fd == -1 && st.state_fd == -1 && st.lock_fd == -1);
	sls_store_close(&st); /* twice is harmless */
	assert_rc(sls_store_open(p, geteuid(), false, &st), SLS_OK);
	sls_store_close(&st);
	/* A writable subdirectory fails the whole open, and leaves no fd behind. */
	assert_int_equal(fchmodat(fx->dirfd, "store/state", 0770, 0), 0);
	assert_rc(sls_store_open(p, geteuid(), true, &st), SLS_ERR_UNSAFE);
	assert_true(st.dirfd == -1 && st.users_fd == -1 && st.state_fd == -1 && st.lock_fd == -1);
}

/* The users of a store: the valid names of users/ and state/, sorted, each once. */
static void test_store_names(void **state)
{
	static const struct sls_store_backend other = {.name = "other"};
	struct fx *fx = *state;
	struct sls_store st;
	char p[PATH_MAX + 64], **names = NULL;
	size_t n = 99;
	int fd;

	path_in(fx, "store", p, sizeof(p));
	assert_rc(sls_store_open(p, geteuid(), true, &st), SLS_OK);
	assert_rc(sls_store_names(&st, &names, &n), SLS_OK);
	assert_int_equal(n, 0);
	sls_store_names_free(names, n);
	assert_rc(sls_file_replace(st.users_fd, "carol", "x", 1, 0600), SLS_OK);
	assert_rc(sls_file_replace(st.users_fd, "alice", "x", 1, 0600), SLS_OK);
	assert_rc(sls_file_replace(st.state_fd, "alice", "x", 1, 0600), SLS_OK);
	assert_rc(sls_file_replace(st.state_fd, "bob", "x", 1, 0600), SLS_OK);
	assert_rc(sls_file_replace(st.lock_fd, "dave", "", 0, 0600), SLS_OK); /* a lock: no user */
	fd = openat(st.users_fd, ".erin#new", O_WRONLY | O_CREAT | O_EXCL, 0600); /* a temp file */
	assert_true(fd >= 0);
	close(fd);
	assert_rc(sls_store_names(&st, &names, &n), SLS_OK);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "alice");
	assert_string_equal(names[1], "bob");
	assert_string_equal(names[2], "carol");
	sls_store_names_free(names, n);
	st.backend = &other; /* a back end: not a store of files */
	assert_rc(sls_store_names(&st, &names, &n), SLS_ERR_INVAL);
	assert_null(names);
	st.backend = NULL;
	sls_store_close(&st);
}

/* ---- atomic replace ---------------------------------------------------------- */

static void test_replace_content_mode(void **state)
{
	struct fx *fx = *state;
	enum sls_rc rc;
	mode_t old;

	assert_rc(sls_file_replace(fx->dirfd, "alice", "v1\n", 3, 0600), SLS_OK);
	assert_contents(fx->dirfd, "alice", "v1\n");
	assert_int_equal(mode_of(fx->dirfd, "alice") & 07777, 0600);
	old = umask(0777); /* the mode given is the mode set: no umask */
	rc = sls_file_replace(fx->dirfd, "alice", "version 2\n", 10, 0640);
	umask(old);
	assert_rc(rc, SLS_OK);
	assert_contents(fx->dirfd, "alice", "version 2\n");
	assert_int_equal(mode_of(fx->dirfd, "alice") & 07777, 0640);
	assert_rc(sls_file_replace(fx->dirfd, "alice", NULL, 0, 0400), SLS_OK);
	assert_contents(fx->dirfd, "alice", "");
	assert_int_equal(mode_of(fx->dirfd, "alice") & 07777, 0400);
	assert_no_temps(fx->dirfd, 1);
	assert_rc(sls_file_replace(fx->dirfd, "bob", "b", 1, 0600), SLS_OK);
	assert_no_temps(fx->dirfd, 2);
}

static void test_replace_bad_args(void **state)
{
	struct fx *fx = *state;

	write_str(fx->dirfd, "alice", "old");
	assert_rc(sls_file_replace(fx->dirfd, "../alice", "new", 3, 0600), SLS_ERR_NAME);
	assert_rc(sls_file_replace(fx->dirfd, "", "new", 3, 0600), SLS_ERR_NAME);
	assert_rc(sls_file_replace(fx->dirfd, "a/b", "new", 3, 0600), SLS_ERR_NAME);
	assert_rc(sls_file_replace(fx->dirfd, "alice", "new", 3, 04600), SLS_ERR_INVAL);
	assert_rc(sls_file_replace(fx->dirfd, "alice", NULL, 3, 0600), SLS_ERR_INVAL);
	assert_rc(sls_file_replace(-1, "alice", "new", 3, 0600), SLS_ERR_INVAL);
	assert_contents(fx->dirfd, "alice", "old");
	assert_no_temps(fx->dirfd, 1);
}

/* rename(2) of a file over a directory fails after the temp is written. */
static void test_replace_fails_late(void **state)
{
	struct fx *fx = *state;
	int err;

	assert_int_equal(mkdirat(fx->dirfd, "victim", 0700), 0);
	write_str(fx->dirfd, "victim/keep", "kept");
	errno = 0;
	assert_rc(sls_file_replace(fx->dirfd, "victim", "new", 3, 0600), SLS_ERR_IO);
	err = errno;
	assert_true(err == EISDIR || err == ENOTEMPTY);
	assert_true(S_ISDIR(mode_of(fx->dirfd, "victim")));
	assert_no_temps(fx->dirfd, 1);
}

/* Child: replace under a 1 KiB file size limit; 0 when it failed with EFBIG. */
static int replace_over_limit(int dirfd)
{
	struct rlimit rl = {.rlim_cur = 1024, .rlim_max = 1024};
	static char big[8192];
	enum sls_rc rc;

	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
		return 2;
	memset(big, 'n', sizeof(big));
	rc = sls_file_replace(dirfd, "alice", big, sizeof(big), 0600);
	return rc == SLS_ERR_IO && errno == EFBIG ? 0 : 1;
}

/* A write that fails half way (RLIMIT_FSIZE, so it works as root too). */
static void test_replace_fails_mid_write(void **state)
{
	struct fx *fx = *state;
	pid_t pid;

	write_str(fx->dirfd, "alice", "old contents");
	pid = fork_flushed();
	if (pid == 0)
		_exit(replace_over_limit(fx->dirfd));
	assert_int_equal(wait_child(pid), 0);
	assert_contents(fx->dirfd, "alice", "old contents");
	assert_no_temps(fx->dirfd, 1);
	if (geteuid() != 0) { /* root ignores directory permissions */
		assert_int_equal(chmod(fx->path, 0500), 0);
		assert_rc(sls_file_replace(fx->dirfd, "alice", "new", 3, 0600), SLS_ERR_IO);
		assert_int_equal(errno, EACCES);
		assert_int_equal(chmod(fx->path, 0700), 0);
		assert_contents(fx->dirfd, "alice", "old contents");
		assert_no_temps(fx->dirfd, 1);
	}
}

static void test_remove(void **state)
{
	struct fx *fx = *state;

	write_str(fx->dirfd, "alice", "x");
	assert_rc(sls_file_remove(fx->dirfd, "alice"), SLS_OK);
	assert_read_fails(fx->dirfd, "alice", geteuid(), SLS_FILE_MAX, SLS_ERR_NOENT);
	assert_rc(sls_file_remove(fx->dirfd, "alice"), SLS_ERR_NOENT);
	assert_rc(sls_file_remove(fx->dirfd, "../alice"), SLS_ERR_NAME);
	assert_rc(sls_file_remove(-1, "alice"), SLS_ERR_INVAL);
}

/* ---- locks ------------------------------------------------------------------ */

static void test_lock_basic(void **state)
{
	struct fx *fx = *state;
	enum sls_rc rc;
	mode_t m, old;
	int fd = -1;

	assert_rc(sls_lock_acquire(fx->dirfd, "alice", geteuid(), 100, &fd), SLS_OK);
	assert_true(fd >= 0);
	assert_true((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	sls_lock_release(fd);
	sls_lock_release(-1);
	m = mode_of(fx->dirfd, "alice"); /* still there: lock files are never unlinked */
	assert_true(S_ISREG(m));
	assert_int_equal(m & 077, 0);
	assert_rc(sls_lock_acquire(fx->dirfd, "alice", geteuid(), 100, &fd), SLS_OK);
	sls_lock_release(fd);
	assert_rc(sls_lock_acquire(fx->dirfd, "alice", geteuid() + 1, 100, &fd), SLS_ERR_UNSAFE);
	assert_int_equal(fd, -1);
	old = umask(0777); /* a lock file is 0600 whatever the umask, so it can be reopened */
	rc = sls_lock_acquire(fx->dirfd, "carol", geteuid(), 100, &fd);
	umask(old);
	assert_rc(rc, SLS_OK);
	sls_lock_release(fd);
	assert_int_equal(mode_of(fx->dirfd, "carol") & 07777, 0600);
	assert_rc(sls_lock_acquire(fx->dirfd, "carol", geteuid(), 100, &fd), SLS_OK);
	sls_lock_release(fd);

	assert_int_equal(symlinkat("alice", fx->dirfd, "link"), 0);
	assert_rc(sls_lock_acquire(fx->dirfd, "link", geteuid(), 100, &fd), SLS_ERR_UNSAFE);
	assert_int_equal(symlinkat("nowhere", fx->dirfd, "dangling"), 0);
	assert_rc(sls_lock_acquire(fx->dirfd, "dangling", geteuid(), 100, &fd), SLS_ERR_UNSAFE);
	assert_int_equal(mkfifoat(fx->dirfd, "fifo", 0600), 0);
	assert_rc(sls_lock_acquire(fx->dirfd, "fifo", geteuid(), 100, &fd), SLS_ERR_UNSAFE);
	write_file(fx->dirfd, "group", "", 0, 0620);
	assert_rc(sls_lock_acquire(fx->dirfd, "group", geteuid(), 100, &fd), SLS_ERR_UNSAFE);
	assert_rc(sls_lock_acquire(fx->dirfd, "a/b", geteuid(), 100, &fd), SLS_ERR_NAME);
	assert_int_equal(fd, -1);
}

/* Child: try the lock for timeout_ms; 0 if the result is want within [lo, hi] ms. */
static int try_lock(int dirfd, unsigned timeout_ms, enum sls_rc want, long lo, long hi)
{
	struct timespec t0;
	enum sls_rc rc;
	long ms;
	int fd;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = sls_lock_acquire(dirfd, "alice", geteuid(), timeout_ms, &fd);
	ms = elapsed_ms(&t0);
	if (rc != want) {
		fprintf(stderr, "# lock: got %s, want %s\n", sls_strerror(rc), sls_strerror(want));
		return 1;
	}
	if (ms < lo || ms > hi) {
		fprintf(stderr, "# lock: took %ld ms, want %ld..%ld\n", ms, lo, hi);
		return 2;
	}
	if (rc == SLS_OK)
		sls_lock_release(fd);
	return 0;
}

static void test_lock_timeout(void **state)
{
	struct fx *fx = *state;
	pid_t pid;
	int fd;

	assert_rc(sls_lock_acquire(fx->dirfd, "alice", geteuid(), 0, &fd), SLS_OK);
	pid = fork_flushed();
	if (pid == 0)
		_exit(try_lock(fx->dirfd, 300, SLS_ERR_LOCK, 290, 3000));
	assert_int_equal(wait_child(pid), 0);
	pid = fork_flushed(); /* a zero timeout is one try */
	if (pid == 0)
		_exit(try_lock(fx->dirfd, 0, SLS_ERR_LOCK, 0, 1000));
	assert_int_equal(wait_child(pid), 0);
	/* A waiter gets the lock soon after the holder lets go. */
	pid = fork_flushed();
	if (pid == 0)
		_exit(try_lock(fx->dirfd, 10000, SLS_OK, 100, 3000));
	usleep(200 * 1000);
	sls_lock_release(fd);
	assert_int_equal(wait_child(pid), 0);
}

/* The reader's lock: an existing lock file only, never made or chmod'ed; checked the same. */
static void test_lock_existing(void **state)
{
	struct fx *fx = *state;
	struct stat st;
	pid_t pid;
	int fd = -1, held;

	assert_rc(sls_lock_acquire_existing(fx->dirfd, "alice", geteuid(), 100, &fd),
		  SLS_ERR_NOENT);
	assert_int_equal(fd, -1);
	assert_int_equal(fstatat(fx->dirfd, "alice", &st, AT_SYMLINK_NOFOLLOW), -1);
	write_file(fx->dirfd, "alice", "", 0, 0640);
	assert_rc(sls_lock_acquire_existing(fx->dirfd, "alice", geteuid(), 100, &fd), SLS_OK);
	assert_true(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	assert_int_equal(mode_of(fx->dirfd, "alice") & 07777, 0640); /* not chmod'ed */
	pid = fork_flushed(); /* it excludes a writer's lock */
	if (pid == 0)
		_exit(try_lock(fx->dirfd, 100, SLS_ERR_LOCK, 90, 3000));
	assert_int_equal(wait_child(pid), 0);
	sls_lock_release(fd);
	assert_rc(sls_lock_acquire(fx->dirfd, "alice", geteuid(), 0, &held), SLS_OK);
	assert_rc(sls_lock_acquire_existing(fx->dirfd, "alice", geteuid(), 50, &fd), SLS_ERR_LOCK);
	assert_int_equal(fd, -1);
	sls_lock_release(held);

	assert_rc(sls_lock_acquire_existing(fx->dirfd, "alice", geteuid() + 1, 100, &fd),
		  SLS_ERR_UNSAFE);
	write_file(fx->dirfd, "group", "", 0, 0620);
	assert_rc(sls_lock_acquire_existing(fx->dirfd, "group", geteuid(), 100, &fd),
		  SLS_ERR_UNSAFE);
	assert_int_equal(mode_of(fx->dirfd, "group") & 07777, 0620);
	assert_int_equal(symlinkat("alice", fx->dirfd, "link"), 0);
	assert_rc(sls_lock_acquire_existing(fx->dirfd, "link", geteuid(), 100, &fd),
		  SLS_ERR_UNSAFE);
	assert_int_equal(mkfifoat(fx->dirfd, "fifo", 0600), 0);
	assert_rc(sls_lock_acquire_existing(fx->dirfd, "fifo", geteuid(), 100, &fd),
		  SLS_ERR_UNSAFE);
	assert_rc(sls_lock_acquire_existing(fx->dirfd, "a/b", geteuid(), 100, &fd), SLS_ERR_NAME);
	assert_rc(sls_lock_acquire_existing(-1, "alice", geteuid(), 100, &fd), SLS_ERR_INVAL);
	assert_int_equal(fd, -1);
}

/* One step of the counter: lock, read, +1, replace, unlock. 0 on success. */
static int counter_step(const struct sls_store *st)
{
	char *buf = NULL, out[32];
	size_t len = 0;
	enum sls_rc rc;
	long n = 0;
	int lk, ret = 1;

	if (sls_lock_acquire(st->lock_fd, "alice", geteuid(), 10000, &lk) != SLS_OK)
		return 1;
	rc = sls_file_read(st->state_fd, "alice", geteuid(), SLS_FILE_MAX, &buf, &len);
	if (rc == SLS_OK)
		n = strtol(buf, NULL, 10);
	else if (rc != SLS_ERR_NOENT)
		goto out;
	snprintf(out, sizeof(out), "%ld\n", n + 1);
	if (sls_file_replace(st->state_fd, "alice", out, strlen(out), 0600) != SLS_OK)
		goto out;
	ret = 0;
out:
	sls_free_secret(buf, len + 1);
	sls_lock_release(lk);
	return ret;
}

/* Child: open the store as a new login would, and count COUNTER_RUNS times. */
static int counter_child(const char *path)
{
	struct sls_store st;

	if (sls_store_open(path, geteuid(), false, &st) != SLS_OK)
		return 3;
	for (int i = 0; i < COUNTER_RUNS; i++) {
		if (counter_step(&st) != 0)
			return 4;
	}
	sls_store_close(&st);
	return 0;
}

static void test_lock_no_lost_update(void **state)
{
	struct fx *fx = *state;
	struct sls_store st;
	char p[PATH_MAX + 64], want[32];
	pid_t pid[2];

	path_in(fx, "store", p, sizeof(p));
	assert_rc(sls_store_open(p, geteuid(), true, &st), SLS_OK);
	for (int i = 0; i < 2; i++) {
		pid[i] = fork_flushed();
		if (pid[i] == 0)
			_exit(counter_child(p));
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(wait_child(pid[i]), 0);
	snprintf(want, sizeof(want), "%d\n", 2 * COUNTER_RUNS);
	assert_contents(st.state_fd, "alice", want);
	assert_no_temps(st.state_fd, 1);
	assert_no_temps(st.lock_fd, 1);
	sls_store_close(&st);
}

/* ---- a writer killed mid-write ------------------------------------------------ */

/* Child: replace f with all-A and all-B contents, forever. */
static void crash_writer(int dirfd)
{
	static char a[CRASH_SIZE], b[CRASH_SIZE];

	memset(a, 'A', sizeof(a));
	memset(b, 'B', sizeof(b));
	for (;;) {
		if (sls_file_replace(dirfd, "f", a, sizeof(a), 0600) != SLS_OK ||
		    sls_file_replace(dirfd, "f", b, sizeof(b), 0600) != SLS_OK)
			_exit(1);
	}
}

/* f must be all-A or all-B, of full length. */
static void assert_whole(int dirfd)
{
	char *buf = NULL;
	size_t len = 0;

	assert_rc(sls_file_read(dirfd, "f", geteuid(), SLS_FILE_MAX, &buf, &len), SLS_OK);
	assert_int_equal(len, CRASH_SIZE);
	assert_true(buf[0] == 'A' || buf[0] == 'B');
	for (size_t i = 1; i < len; i++) {
		if (buf[i] != buf[0])
			fail_msg("torn file: byte %zu is '%c', byte 0 is '%c'", i, buf[i], buf[0]);
	}
	sls_free_secret(buf, len + 1);
}

static void test_crash_never_torn(void **state)
{
	static char a[CRASH_SIZE];
	struct fx *fx = *state;
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	int entries, temps;
	pid_t pid;

	print_message("# crash test seed %u\n", seed);
	memset(a, 'A', sizeof(a));
	assert_rc(sls_file_replace(fx->dirfd, "f", a, sizeof(a), 0600), SLS_OK);
	for (int round = 0; round < CRASH_ROUNDS; round++) {
		pid = fx->child = fork_flushed();
		if (pid == 0)
			crash_writer(fx->dirfd);
		for (int r = rand_r(&seed) % 4; r >= 0; r--) {
			usleep((useconds_t)(rand_r(&seed) % 8000));
			assert_whole(fx->dirfd); /* while the writer runs */
		}
		kill(pid, SIGKILL);
		fx->child = 0;
		assert_int_equal(wait_child(pid), 128 + SIGKILL);
		assert_whole(fx->dirfd); /* after it died */
	}
	/*
	 * A writer killed before its rename leaves its temp file, which is never
	 * a name a user can have, and at most one however many writers died:
	 * the next write removes it.
	 */
	entries = count_entries(fx->dirfd, &temps);
	assert_int_equal(entries, temps + 1);
	assert_true(temps <= 1);
	assert_rc(sls_file_replace(fx->dirfd, "f", a, sizeof(a), 0600), SLS_OK);
	assert_no_temps(fx->dirfd, 1);
}

/* A temp file left by a killed writer, even a symlink or a FIFO, goes with the next write. */
static void test_replace_removes_stale_temp(void **state)
{
	struct fx *fx = *state;

	write_str(fx->dirfd, ".f#new", "half a file");
	assert_rc(sls_file_replace(fx->dirfd, "f", "x", 1, 0600), SLS_OK);
	assert_no_temps(fx->dirfd, 1);
	assert_int_equal(symlinkat("f", fx->dirfd, ".f#new"), 0);
	assert_int_equal(mkfifoat(fx->dirfd, ".g#new", 0600), 0);
	assert_rc(sls_file_replace(fx->dirfd, "f", "y", 1, 0600), SLS_OK);
	assert_rc(sls_file_replace(fx->dirfd, "g", "z", 1, 0600), SLS_OK);
	assert_no_temps(fx->dirfd, 2);
	assert_int_equal(mode_of(fx->dirfd, "f") & 07777, 0600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_name_valid),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(test_read_ok),
	    T(test_read_path),
	    T(test_read_symlink),
	    T(test_read_hardlink),
	    T(test_read_writable_by_others),
	    T(test_read_other_owner_uid),
	    T(test_read_chowned),
	    T(test_read_toobig),
	    T(test_read_nul),
	    T(test_read_not_regular),
	    T(test_read_missing_and_bad_names),
	    T(test_dir_open_walk),
	    T(test_dir_open_symlink),
	    T(test_dir_writable_refused),
	    T(test_dir_parents_checked),
	    T(test_store_create),
	    T(test_store_names),
	    T(test_replace_content_mode),
	    T(test_replace_bad_args),
	    T(test_replace_fails_late),
	    T(test_replace_fails_mid_write),
	    T(test_remove),
	    T(test_lock_basic),
	    T(test_lock_timeout),
	    T(test_lock_existing),
	    T(test_lock_no_lost_update),
	    T(test_crash_never_torn),
	    T(test_replace_removes_stale_temp),
#undef T
	};

	return cmocka_run_group_tests_name("files", tests, NULL, NULL);
}
