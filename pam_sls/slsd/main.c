/*
 * slsd - the second factor for callers of PAM that run without root (screen
 * lockers, and any program that calls PAM as the user it checks): pam_sls
 * relays their call here,
 * and slsd runs the login against the store, one process per call. Started
 * by systemd's slsd.socket (sd_listen_fds), or with --socket in the
 * foreground (tests, other init systems). See slsd(8).
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "module.h"
#include "pgstore.h"
#include "slsd.h"

#define CALLS_MAX_DEFAULT 64
#define CALLS_MAX_LIMIT   4096
#define CALLS_PER_UID     4 /* a caller without root: its uid's calls at once */
/* A quarter of --max-calls that only root's calls may take. */
#define ROOT_RESERVE(max) ((max) / 4)
/* How long a spare waits for a call before it is replaced (its key and sls.conf read anew). */
#define SPARE_MAX_AGE 60

/* The calls being served: each a child process, and whose it is. */
struct call {
	pid_t pid;
	uid_t uid;
};

struct slsd {
	int listen_fd;
	time_t refused_at; /* when a refusal was last logged, and how many since */
	unsigned long refused_since;
	int signal_fd;
	const char *conf;
	bool conf_named; /* --conf: the file must be there */
	size_t max_calls;
	size_t ncalls;
	struct call *calls;
	/*
	 * With a store in a database: the spare, a process forked ahead that has
	 * connected to the database and waits for the next call on spare_fd
	 * (the connection, the backend's start and its caches are most of a
	 * call's cost); 0 when there is none.
	 */
	bool use_spare;
	pid_t spare_pid;
	int spare_fd;
	time_t spare_born;
};

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: slsd [--conf FILE] [--socket PATH] [--max-calls N]\n"
		"  started by slsd.socket, or with --socket in the foreground; see slsd(8)\n");
	exit(status);
}

/*
 * Bind a fresh socket at path, mode 0666 from the start (slsd checks each
 * caller's uid itself; no chmod after the bind, which another could race).
 */
static int listen_at(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	mode_t old;
	int fd, ok;

	if (strlen(path) >= sizeof(sa.sun_path))
		errx(2, "--socket: the path is too long");
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && unlink(path) != 0)
		err(1, "cannot remove the old socket %s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err(1, "socket");
	old = umask(0111);
	ok = bind(fd, (const struct sockaddr *)&sa, sizeof(sa)) == 0;
	umask(old);
	if (!ok || listen(fd, 64) != 0)
		err(1, "cannot listen at %s", path);
	return fd;
}

/* The socket systemd passed, which must be one listening SOCK_SEQPACKET Unix socket. */
static int inherited_socket(void)
{
	int n = sd_listen_fds(1);

	if (n < 0)
		errx(1, "sd_listen_fds: %s", strerror(-n));
	if (n == 0)
		return -1;
	if (n != 1 || sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_SEQPACKET, 1, NULL, 0) <= 0)
		errx(1,
		     "systemd passed %d sockets: slsd takes one listening SOCK_SEQPACKET "
		     "Unix socket (ListenSequentialPacket=)",
		     n);
	return SD_LISTEN_FDS_START;
}

static size_t parse_max(const char *s)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || *s < '1' || *s > '9' || *end != '\0' || n > CALLS_MAX_LIMIT)
		errx(2, "--max-calls: a number from 1 to %d", CALLS_MAX_LIMIT);
	return n;
}

static void parse_args(int argc, char **argv, struct slsd *d, const char **path)
{
	static const struct option opts[] = {{"conf", required_argument, NULL, 'c'},
					     {"socket", required_argument, NULL, 's'},
					     {"max-calls", required_argument, NULL, 'm'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'c' && optarg[0] == '/') {
			d->conf = optarg;
			d->conf_named = true;
		} else if (c == 's' && optarg[0] == '/')
			*path = optarg;
		else if (c == 'm')
			d->max_calls = parse_max(optarg);
		else if (c == 'h')
			usage(0);
		else if (c == 'c' || c == 's')
			errx(2, "--%s takes an absolute path", c == 'c' ? "conf" : "socket");
		else
			usage(2);
	}
	if (optind != argc)
		usage(2);
}

/* SIGCHLD, SIGTERM and SIGINT as a file descriptor; SIGPIPE ignored. */
static int signals(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0 ||
	    (fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		err(1, "signalfd");
	signal(SIGPIPE, SIG_IGN);
	return fd;
}

/* The calls of uid now served. */
static size_t calls_of(const struct slsd *d, uid_t uid)
{
	size_t n = 0;

	for (size_t i = 0; i < d->ncalls; i++)
		n += d->calls[i].uid == uid;
	return n;
}

/*
 * A refused call, logged at most once a second with the number refused
 * since (a caller that connects in a loop must not flood the journal, whose
 * rate limit would then drop everyone's entries).
 */
static void refused(struct slsd *d, const struct ucred *cred, const char *why)
{
	time_t now = time(NULL);

	d->refused_since++;
	if (now == d->refused_at)
		return;
	fprintf(stderr,
		"<4>slsd: a call of uid %u (pid %d) refused: %s (%lu refused since the "
		"last such line)\n",
		(unsigned)cred->uid, (int)cred->pid, why, d->refused_since);
	d->refused_at = now;
	d->refused_since = 0;
}

/* Whether uid is a user NSS knows: no other uid can be verified, so none gets a call. */
static bool known_uid(uid_t uid)
{
	struct passwd pw, *found = NULL;
	char buf[16384];

	return getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found != NULL;
}

/*
 * Whether a call of cred's may start: within --max-calls; without root,
 * of a known uid, within CALLS_PER_UID, and not in the places kept for root.
 */
static bool call_allowed(struct slsd *d, const struct ucred *cred)
{
	size_t others = d->ncalls - calls_of(d, 0);

	if (d->ncalls >= d->max_calls) {
		refused(d, cred, "--max-calls reached");
		return false;
	}
	if (cred->uid == 0)
		return true;
	if (calls_of(d, cred->uid) >= CALLS_PER_UID) {
		refused(d, cred, "4 calls at once of its uid");
		return false;
	}
	if (others >= d->max_calls - ROOT_RESERVE(d->max_calls)) {
		refused(d, cred, "the places left are root's");
		return false;
	}
	if (!known_uid(cred->uid)) {
		refused(d, cred, "a uid no user has");
		return false;
	}
	return true;
}

/* The child: its own signals back, the listener let go, one call. */
static void child(struct slsd *d, int fd, const struct ucred *cred)
{
	sigset_t set;

	close(d->listen_fd);
	close(d->signal_fd);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	signal(SIGTERM, SIG_DFL); /* SIGPIPE stays ignored: a closed stderr ends no call */
	fflush(stderr);
	_exit(slsd_serve(fd, cred, d->conf, d->conf_named, NULL));
}

/*
 * The spare: slsd's own sls.conf's database opened (and warmed) now, then
 * one call handed over on fd (its socket and SO_PEERCRED), served as a
 * child's. A database that cannot be opened now is left to the call, which
 * tries again and says why; fd closed without a call: nothing to do.
 */
static void spare(struct slsd *d, int fd)
{
	struct sls_store store = {.dirfd = -1, .users_fd = -1, .state_fd = -1, .lock_fd = -1};
	struct sls_config conf;
	struct sls_diag diag = {0};
	struct ucred cred;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = &cred, .iov_len = sizeof(cred)};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c;
	sigset_t set;
	int call = -1;
	ssize_t n;

	close(d->listen_fd);
	close(d->signal_fd);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	signal(SIGTERM, SIG_DFL);
	if (sls_config_load(d->conf, 0, &conf, &diag) == SLS_OK &&
	    conf.backend == SLS_BACKEND_POSTGRESQL && sls_pg_open(&conf, &store, &diag) == SLS_OK)
		sls_pg_warm(&store);
	do
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	c = n == (ssize_t)sizeof(cred) ? CMSG_FIRSTHDR(&msg) : NULL;
	if (c != NULL && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&call, CMSG_DATA(c), sizeof(int));
	close(fd);
	if (call < 0) {
		sls_store_close(&store);
		_exit(0);
	}
	fflush(stderr);
	_exit(slsd_serve(call, &cred, d->conf, d->conf_named, &store));
}

/* A new spare, when slsd's store is a database (else, or when fork fails, none). */
static void start_spare(struct slsd *d)
{
	int sv[2];
	pid_t pid;

	if (!d->use_spare || d->spare_pid > 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return;
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		spare(d, sv[1]);
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return;
	}
	d->spare_pid = pid;
	d->spare_fd = sv[0];
	d->spare_born = time(NULL);
}

/* Let the spare go (it exits on its closed socket). */
static void stop_spare(struct slsd *d)
{
	if (d->spare_pid <= 0)
		return;
	close(d->spare_fd);
	d->spare_pid = 0;
}

/* Hand the call (fd, cred) to the spare: its pid, or 0 when there is none or it is gone. */
static pid_t to_spare(struct slsd *d, int fd, const struct ucred *cred)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct ucred copy = *cred;
	struct iovec iov = {.iov_base = &copy, .iov_len = sizeof(copy)};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	pid_t pid = d->spare_pid;

	if (pid <= 0)
		return 0;
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(d->spare_fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)sizeof(copy))
		pid = 0;
	stop_spare(d); /* it has the call, or is of no use */
	return pid;
}

/* Accept one connection and serve it in a child; refuse it past the limits. */
static void accept_one(struct slsd *d)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	pid_t pid;

	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			fprintf(stderr, "<3>slsd: accept: %s\n", strerror(errno));
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred) ||
	    !call_allowed(d, &cred)) {
		close(fd);
		return;
	}
	pid = to_spare(d, fd, &cred);
	if (pid == 0)
		pid = fork();
	if (pid == 0)
		child(d, fd, &cred);
	if (pid < 0)
		fprintf(stderr, "<3>slsd: fork: %s\n", strerror(errno));
	else
		d->calls[d->ncalls++] = (struct call){.pid = pid, .uid = cred.uid};
	close(fd);
	start_spare(d);
}

/*
 * Start OpenSSL here, once, with a digest and an HMAC of each hash a device
 * may use: every call's process is forked from this one and starts warm,
 * not with libcrypto's configuration and providers to load (tests/bench).
 */
static void warm_up(void)
{
	static const enum sls_hash hashes[] = {SLS_HASH_SHA1, SLS_HASH_SHA256, SLS_HASH_SHA512};
	static const uint8_t key[20];
	uint8_t out[64];
	size_t len;

	if (!sls_crypto_guest())
		errx(1, "OpenSSL could not be started");
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if (sls_digest(hashes[i], key, sizeof(key), out) != SLS_OK ||
		    sls_hmac(hashes[i], key, sizeof(key), key, sizeof(key), out, &len) != SLS_OK)
			errx(1, "OpenSSL cannot compute %s", sls_hash_name(hashes[i]));
}

/*
 * sls.conf read once at the start, so that a mistake shows now and not at
 * the first call: each call reads it again (a change needs no restart).
 */
static void check_conf(struct slsd *d)
{
	struct sls_config conf;
	struct sls_diag diag = {0};
	enum sls_rc rc = sls_config_load(d->conf, 0, &conf, &diag);

	if (rc == SLS_ERR_NOENT && !d->conf_named)
		return;
	if (rc != SLS_OK)
		errx(1, "%s: %s%s%s", d->conf, sls_strerror(rc), diag.msg[0] ? ": " : "", diag.msg);
	d->use_spare = conf.backend == SLS_BACKEND_POSTGRESQL;
}

/* Reap the calls that ended; false when slsd is asked to stop. */
static bool on_signals(struct slsd *d)
{
	struct signalfd_siginfo si;
	bool go_on = true;
	pid_t pid;

	while (read(d->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			go_on = false;
	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0) {
		if (pid == d->spare_pid) /* it died waiting: the next call starts another */
			stop_spare(d);
		for (size_t i = 0; i < d->ncalls; i++)
			if (d->calls[i].pid == pid) {
				d->calls[i] = d->calls[--d->ncalls];
				break;
			}
	}
	return go_on;
}

int main(int argc, char **argv)
{
	struct slsd d = {
	    .conf = SLS_CONFIG_DEFAULT_PATH, .max_calls = CALLS_MAX_DEFAULT, .spare_fd = -1};
	const char *path = NULL;
	struct pollfd p[2];

	parse_args(argc, argv, &d, &path);
	if (geteuid() != 0)
		errx(1, "slsd must run as root: it reads the store for its callers");
	d.calls = calloc(d.max_calls, sizeof(*d.calls));
	if (d.calls == NULL)
		err(1, "calloc");
	check_conf(&d);
	warm_up();
	d.signal_fd = signals();
	d.listen_fd = inherited_socket();
	if (d.listen_fd < 0 && path == NULL)
		errx(2, "no socket from systemd and no --socket PATH");
	if (d.listen_fd < 0)
		d.listen_fd = listen_at(path);
	fprintf(stderr, "<6>slsd: serving, sls.conf %s\n", d.conf);
	p[0] = (struct pollfd){.fd = d.listen_fd, .events = POLLIN};
	p[1] = (struct pollfd){.fd = d.signal_fd, .events = POLLIN};
	start_spare(&d);
	for (;;) {
		/* a spare older than SPARE_MAX_AGE is replaced: a second past it, at the latest */
		int wait = d.spare_pid > 0
			       ? 1000 * (int)(d.spare_born + SPARE_MAX_AGE + 1 - time(NULL))
			       : -1;

		if (poll(p, 2, d.spare_pid > 0 && wait < 0 ? 0 : wait) < 0 && errno != EINTR)
			err(1, "poll");
		if ((p[1].revents & POLLIN) && !on_signals(&d))
			break;
		if (p[0].revents & POLLIN)
			accept_one(&d); /* past the limits refused at once, not kept waiting */
		if (d.spare_pid > 0 && time(NULL) > d.spare_born + SPARE_MAX_AGE) {
			stop_spare(&d);
			start_spare(&d);
		}
	}
	stop_spare(&d);
	fprintf(stderr, "<6>slsd: stopping\n");
	free(d.calls);
	return 0;
}
