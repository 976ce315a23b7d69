#!/usr/bin/python3
"""What a login costs: pam_sls against google-authenticator-libpam and pam_oath.

Usage (as root): tests/bench/bench.py [--short] [--build DIR]
  (or `make bench` / `make bench-short` in a build directory)

One process per login, as sudo, su and login do it: the driver
tests/bench/pam_login.c calls pam_start_confdir, pam_authenticate, pam_end
against a private PAM configuration directory. Two kinds of host:
  bare  the driver links libpam only (sudo, su, login: nothing preloaded)
  sshd  the driver has loaded and initialised OpenSSL 3 before pam_start
        (openssl.cnf read, DRBG seeded, digests used), as sshd has

Reported, interleaved so that load on the machine hits every case alike:
  1. per-login median wall time, CPU time (user+system of the process) and
     callgrind instructions for pam_permit, pam_sls totp, pam_sls ibkey,
     pam_sls totp relayed to slsd (the caller without root: a screen locker),
     pam_sls totp relayed by root's module to a second slsd whose store is in
     PostgreSQL ([store] backend = postgresql), google-authenticator-libpam
     (DISALLOW_REUSE: it rewrites its file on every login) and pam_oath, in
     both hosts; module cost = median minus pam_permit's median in the same
     host; ratios against the faster peer, and of the PostgreSQL row against
     pam_sls's files rows; peak RSS added by the module
  2. scale: pam_sls and pam_oath with 10, 1,000, 10,000, 100,000 users
  3. logins/s with 1, 2, 4, 8 clients over distinct users, and 8 on one user
  4. `sls-authenticator respond` against `oathtool --totp`, with peak RSS

Every login must succeed: a failed login is a harness bug and stops the
run (exit 1). Timing never fails the run; --short (CI) only proves that
every case still logs in. Test users live in a private copy of /etc (its
passwd and group) bind-mounted over /etc in a private mount namespace, so
that a useradd outside during the run cannot take them away; the store, the
peers' files and the PAM configuration live under /var/lib/sls-bench-*.
Missing peers are installed from Debian (apt-get).

The PostgreSQL row runs a throwaway PostgreSQL 15 of its own (initdb and
pg_ctl as the postgres user, port 55462, a Unix socket only, no TCP) in
/var/lib/sls-bench-*/pg, on the files store's file system, with the
server's defaults (fsync and synchronous_commit on: each commit is
durable, as each file write is); `sls db init` makes the schema and a
sealing key in a root-only directory, and `sls enroll totp --user` enrols
each of the row's users into the database (confirmed with a code an hour
back, under libfaketime). The cluster is stopped and removed at the end,
also when the run fails. Without postgresql-15 (/usr/lib/postgresql/15)
the row is skipped with a note; scripts/deps installs it.
"""
import argparse
import base64
import hashlib
import hmac
import os
import random
import re
import selectors
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LIBDIR = "/lib/x86_64-linux-gnu"
PEERS = {"libpam-google-authenticator": f"{LIBDIR}/security/pam_google_authenticator.so",
         "libpam-oath": f"{LIBDIR}/security/pam_oath.so",
         "oathtool": "/usr/bin/oathtool", "faketime": f"{LIBDIR}/faketime/libfaketime.so.1",
         "valgrind": "/usr/bin/valgrind", "time": "/usr/bin/time",
         "eatmydata": f"{LIBDIR}/libeatmydata.so"}
FAKETIME = PEERS["faketime"]
PGBIN = "/usr/lib/postgresql/15/bin"  # postgresql-15 (scripts/deps); without it, no sls-pg row
PGPORT = "55462"
SUITE = "OCRA-1:HOTP-SHA256-8:QN06-PSHA1"
PIN = "4821"
UID0 = 200000  # above every system and nobody (65534) uid: each test user is its uid's only name


def die(msg):
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(1)


# ---- set-up -----------------------------------------------------------------

def install_peers():
    missing = [pkg for pkg, path in PEERS.items() if not os.path.exists(path)]
    if not missing:
        return
    print(f"installing from Debian: {' '.join(missing)}", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    r = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends"] + missing,
                       env=env, capture_output=True, text=True)
    if r.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
        r = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends"]
                           + missing, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        die(f"apt-get install {' '.join(missing)} failed:\n{r.stderr}")


def private_namespace():
    """Whether this process has a mount namespace of its own: not its parent's
    (the shell that ran it; unshare execs this script in place)."""
    try:
        return os.stat("/proc/self/ns/mnt").st_ino != \
            os.stat(f"/proc/{os.getppid()}/ns/mnt").st_ino
    except OSError:
        return False


def enter_namespace():
    """Re-run this script in a private mount namespace (the passwd copy)."""
    if os.environ.get("SLS_BENCH_NS") == "1":
        if not private_namespace():  # an inherited variable, not our unshare
            die("not in a private mount namespace: refusing to mount over /etc/passwd")
        return
    os.environ["SLS_BENCH_NS"] = "1"
    os.execvp("unshare", ["unshare", "--mount", "--propagation", "private",
                          sys.executable] + sys.argv)


def b32(key):
    return base64.b32encode(key).decode().rstrip("=")


def totp(key, t=None):
    step = int((time.time() if t is None else t) // 30)
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7fffffff) % 10**6)


def ocra(key, challenge, pin=PIN):
    """RFC 6287 for SUITE: Q numeric (up to 6 digits here), P = SHA-1(PIN)."""
    q = format(int(challenge), "X")
    q = bytes.fromhex((q + "0" * (256 - len(q))))
    data = SUITE.encode() + b"\0" + q + hashlib.sha1(pin.encode()).digest()
    mac = hmac.new(key, data, hashlib.sha256).digest()
    off = mac[-1] & 15
    return "%08d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7fffffff) % 10**8)


class World:
    """Users, the pam_sls store, GA files and oath users files, PAM services."""

    def __init__(self, build):
        self.build = build
        self.dir = tempfile.mkdtemp(prefix="sls-bench-", dir="/var/lib")
        os.chmod(self.dir, 0o755)
        self.passwd = []
        self.keys = {}
        self.confdir = os.path.join(self.dir, "pam.d")
        os.makedirs(self.confdir)
        self.ga = os.path.join(self.dir, "ga")
        os.makedirs(self.ga, mode=0o700)
        self.module = os.path.join(build, "pam_sls", ".libs", "pam_sls.so")
        self.sls = os.path.join(build, "pam_sls", "sls", "sls")
        if not os.path.exists(self.module):
            die(f"{self.module} is not built")
        self.stores = {}
        self.oathfiles = {}
        self.slsds = []
        self.pg = None  # the throwaway cluster's directory, once made
        self.etc_mounted = False
        self.pg_users = []
        self.service("permit", "pam_permit.so")
        self.service("ga", f"pam_google_authenticator.so secret={self.ga}/${{USER}} user=root")

    def spawn_slsd(self, conf, sock):
        """An slsd on conf, listening on sock when this returns; stopped by cleanup."""
        p = subprocess.Popen(
            [os.path.join(self.build, "pam_sls", "slsd", "slsd"), "--conf", conf,
             "--socket", sock, "--max-calls", "256"], stderr=subprocess.DEVNULL)
        self.slsds.append(p)
        for _ in range(200):
            if os.path.exists(sock):
                return
            if p.poll() is not None:
                break
            time.sleep(0.05)
        die(f"slsd did not start on {conf}")

    def start_slsd(self):
        """slsd on the main store, and the service sls-slsd that relays to it."""
        sock = os.path.join(self.dir, "slsd.sock")
        self.spawn_slsd(os.path.join(self.dir, "sls-main.conf"), sock)
        self.service("sls-slsd", f"{self.module} socket={sock}")

    # ---- the store in PostgreSQL ----

    def reserve_pg(self, prefix, n):
        """n users PREFIXi in the passwd copy, to be enrolled into the
        database by start_postgres (sls enroll needs them in passwd)."""
        names = [f"{prefix}{i}" for i in range(n)]
        self.passwd += names
        self.pg_users += names
        return names

    def start_postgres(self):
        """A throwaway PostgreSQL 15 under this world's directory (the files
        store's file system), Unix socket only, PostgreSQL's defaults
        otherwise (fsync and synchronous_commit on); the schema and a sealing
        key by sls db init; the reserved users enrolled by sls enroll; a
        second slsd on it, and the service sls-pg that relays to it (as root
        too: the module reads backend = postgresql in its conf=)."""
        if not os.path.exists(self.sls):
            die(f"{self.sls} is not built")
        self.pg = os.path.join(self.dir, "pg")
        os.mkdir(self.pg)
        os.chmod(self.pg, 0o711)  # the socket's directory: root's psql and slsd enter
        shutil.chown(self.pg, "postgres", "postgres")
        as_postgres(f"{PGBIN}/initdb", "-D", f"{self.pg}/db", "-A", "trust", "-U", "postgres",
                    "-E", "UTF8", "--locale=C", "--no-sync")
        as_postgres(f"{PGBIN}/pg_ctl", "-D", f"{self.pg}/db", "-l", f"{self.pg}/log", "-w",
                    "-o", f"-k {self.pg} -p {PGPORT} -c listen_addresses=''", "start")
        r = subprocess.run(["psql", "-h", self.pg, "-p", PGPORT, "-U", "postgres", "-c",
                            "create database sls"], capture_output=True, text=True, cwd="/")
        if r.returncode != 0:
            die(f"create database: {r.stderr.strip()}")
        keydir = os.path.join(self.dir, "pgkey")
        os.mkdir(keydir, 0o700)
        conf = os.path.join(self.dir, "sls-pg.conf")
        with open(conf, "w") as f:
            f.write(f"[store]\nbackend = postgresql\n"
                    f"dsn = host={self.pg} port={PGPORT} user=postgres dbname=sls\n"
                    f"key = {keydir}/sls.key\n")
        r = subprocess.run([self.sls, "--conf", conf, "db", "init"], capture_output=True,
                           text=True, cwd="/", env={"PATH": "/usr/bin:/bin", "LANG": "C"})
        if r.returncode != 0:
            die(f"sls db init: {r.stderr.strip()}")
        for name in self.pg_users:
            self.enroll_pg(conf, name)
        sock = os.path.join(self.dir, "slsd-pg.sock")
        self.spawn_slsd(conf, sock)
        self.service("sls-pg", f"{self.module} conf={conf} socket={sock}")

    def enroll_pg(self, conf, name):
        """name's TOTP device, by sls enroll (the enrolment row sealed, as
        only sls can), confirmed with a code an hour back (libfaketime) so
        that no step the bench logs in with is used already."""
        t = int(time.time()) - 3600
        env = {"PATH": "/usr/bin:/bin", "LANG": "C", "LD_PRELOAD": FAKETIME,
               "FAKETIME": f"@{t}", "FAKETIME_FMT": "%s", "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
        p = subprocess.Popen([self.sls, "--conf", conf, "enroll", "totp", "--user", name],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env, cwd="/")
        for line in p.stdout:
            m = re.match(r"otpauth://totp/[^?]*\?(?:.*&)?secret=([A-Z2-7]+)", line)
            if m:
                self.keys[name] = base64.b32decode(m.group(1) + "=" * (-len(m.group(1)) % 8))
                p.stdin.write(totp(self.keys[name], t) + "\n")
                p.stdin.flush()
                break
        _, err = p.communicate(timeout=60)
        if p.returncode != 0 or name not in self.keys:
            die(f"sls enroll totp --user {name} failed: {err.strip()}")

    def stop_postgres(self):
        if self.pg is None or not os.path.exists(f"{self.pg}/db/postmaster.pid"):
            return
        for mode in ("fast", "immediate"):
            if as_postgres(f"{PGBIN}/pg_ctl", "-D", f"{self.pg}/db", "-m", mode, "-w",
                           "stop", check=False).returncode == 0:
                return
        print(f"bench: the PostgreSQL in {self.pg} did not stop", file=sys.stderr)

    def uid(self, name):
        return UID0 + self.passwd.index(name)

    def service(self, name, line):
        with open(os.path.join(self.confdir, name), "w") as f:
            f.write(f"auth required {line}\n")

    def store(self, name):
        """A pam_sls store and its service sls-NAME."""
        if name not in self.stores:
            d = os.path.join(self.dir, "store-" + name)
            for sub in ("users", "state", "lock"):
                os.makedirs(os.path.join(d, sub), mode=0o700)
            os.chmod(d, 0o700)
            conf = os.path.join(self.dir, f"sls-{name}.conf")
            with open(conf, "w") as f:
                f.write(f"[store]\ndir = {d}\n")
            self.service(f"sls-{name}", f"{self.module} conf={conf}")
            self.stores[name] = d
        return self.stores[name]

    def oath(self, name):
        """An oath users file and its service oath-NAME."""
        if name not in self.oathfiles:
            path = os.path.join(self.dir, f"oath-{name}.users")
            open(path, "w").close()
            os.chmod(path, 0o600)
            self.service(f"oath-{name}", f"pam_oath.so usersfile={path} window=2")
            self.oathfiles[name] = path
        return self.oathfiles[name]

    def add_users(self, kind, prefix, n, where="main", in_passwd=True):
        """n users PREFIXi enrolled for kind (sls-totp, sls-ibkey, ga, oath)."""
        names = [f"{prefix}{i}" for i in range(n)]
        now = int(time.time())
        lines = []
        for name in names:
            key = os.urandom(32 if kind == "sls-ibkey" else 20)
            self.keys[name] = key
            if in_passwd:
                self.passwd.append(name)
            if kind.startswith("sls-"):
                d = self.store(where)
                if kind == "sls-totp":
                    dev = (f"[device phone]\ntype = totp\nlabel =\nsecret = {b32(key)}\n"
                           f"level = 2\nstatus = active\ncreated = {now}\n")
                    st = f"[device phone]\ntotp_last_step = 0\nlast_used = 0\ncreated = {now}\n"
                else:
                    pin_hash = hashlib.sha1(PIN.encode()).hexdigest()
                    dev = (f"[device key]\ntype = ibkey\nlabel =\nsuite = {SUITE}\n"
                           f"secret = {b32(key)}\npin_hash = {pin_hash}\nlevel = 3\n"
                           f"status = active\ncreated = {now}\n")
                    st = (f"[device key]\ntotp_last_step = 0\nlast_used = 0\n"
                          f"created = {now}\n")
                write600(os.path.join(d, "users", name),
                         "[user]\nphone =\nphone_verified = no\noptout = no\nidentity =\n\n" + dev)
                write600(os.path.join(d, "state", name),
                         "[state]\nfailures =\nlocked_until = 0\nlast_device =\nsms_sent = 0\n"
                         "sms_expires = 0\n\n" + st)
            elif kind == "ga":
                write600(os.path.join(self.ga, name),
                         f"{b32(key)}\n\" TOTP_AUTH\n\" DISALLOW_REUSE\n", 0o400)
            elif kind == "oath":
                lines.append(f"HOTP/T30/6\t{name}\t-\t{key.hex()}\n")
        if lines:
            with open(self.oath(where), "a") as f:
                f.writelines(lines)
        return names

    def mount_passwd(self):
        """Bind-mount over /etc a copy of it whose passwd and group hold the
        test users: a copy of the directory, not of the two files, because a
        useradd outside during the run (a rename over /etc/passwd) detaches a
        mount on the file, in every namespace, and the test users are gone."""
        import grp
        import pwd
        if not private_namespace():
            die("not in a private mount namespace: refusing to mount over /etc")
        ours = set(self.passwd)
        taken = [p.pw_name for p in pwd.getpwall()
                 if UID0 <= p.pw_uid < UID0 + len(self.passwd) or p.pw_gid == UID0
                 or p.pw_name in ours]
        taken += [g.gr_name for g in grp.getgrall() if g.gr_gid == UID0 or
                  g.gr_name == "slsbench"]
        if taken:  # pam_sls refuses a user whose uid has another name first
            die(f"names or ids of the test users are taken on this host ({taken[0]})")
        etc = os.path.join(self.dir, "etc")
        subprocess.run(["cp", "-a", "/etc", etc], check=True)
        for name, extra in (("passwd", [f"{u}:x:{UID0 + i}:{UID0}::/nonexistent:/bin/sh\n"
                                        for i, u in enumerate(self.passwd)]),
                            ("group", [f"slsbench:x:{UID0}:\n"])):
            with open(os.path.join(etc, name), "a") as f:
                f.write("".join(extra))
        subprocess.run(["mount", "--bind", etc, "/etc"], check=True)
        self.etc_mounted = True

    def cleanup(self):
        for p in self.slsds:
            p.terminate()
            p.wait()
        self.stop_postgres()
        if self.etc_mounted:
            subprocess.run(["umount", "/etc"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def as_postgres(*argv, check=True):
    """initdb and pg_ctl refuse root: run them as postgres, from a directory it may enter."""
    r = subprocess.run(["runuser", "-u", "postgres", "--"] + list(argv), cwd="/",
                       capture_output=True, text=True, timeout=120)
    if check and r.returncode != 0:
        die(f"{os.path.basename(argv[0])} failed: {r.stdout.strip()} {r.stderr.strip()}")
    return r


def write600(path, text, mode=0o600):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    os.write(fd, text.encode())
    os.close(fd)


# ---- one login ----------------------------------------------------------------

class Driver:
    def __init__(self, build, world):
        self.world = world
        self.bin = {"bare": os.path.join(build, "tests", "bench", "pam_login"),
                    "sshd": os.path.join(build, "tests", "bench", "pam_login_ssl")}
        for b in self.bin.values():
            if not os.path.exists(b):
                die(f"{b} is not built (make -C BUILD tests/bench/pam_login "
                    "tests/bench/pam_login_ssl)")
        self.env = {"PATH": "/usr/bin:/bin", "LANG": "C"}

    def answer(self, kind, user, prompt, t=None):
        key = self.world.keys.get(user)
        if kind == "sls-ibkey":
            m = re.match(r"Challenge: (\d+)\x1fResponse: $", prompt)
            if not m:
                die(f"unexpected ibkey prompt {prompt!r}")
            return ocra(key, m.group(1))
        return totp(key, t)

    def login(self, host, service, kind, user, prefix=(), env=None, t=None, check=True):
        """One login; returns (wall s, cpu s, peak RSS KiB, stderr); a failure
        stops the run (or, with check=False, returns None). The service
        sls-slsd is called as the user (pam_login -u), relayed to slsd; sls-pg
        as root, relayed all the same (backend = postgresql)."""
        become = ["-u", str(self.world.uid(user))] if service == "sls-slsd" else []
        argv = list(prefix) + [self.bin[host]] + become + [self.world.confdir, service, user]
        inr, inw = os.pipe()
        outr, outw = os.pipe()
        errr, errw = os.pipe()
        e = dict(self.env, **(env or {}))
        early = kind in ("sls-totp", "ga", "oath")
        t0 = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, e, file_actions=[
            (os.POSIX_SPAWN_DUP2, inr, 0), (os.POSIX_SPAWN_DUP2, outw, 1),
            (os.POSIX_SPAWN_DUP2, errw, 2), (os.POSIX_SPAWN_CLOSE, inw),
            (os.POSIX_SPAWN_CLOSE, outr), (os.POSIX_SPAWN_CLOSE, errr)])
        os.close(inr)
        os.close(outw)
        os.close(errw)
        if early:
            os.write(inw, (totp(self.world.keys[user], t) + "\n").encode())
        out = b""
        if kind == "sls-ibkey":
            while b"\n" not in out:
                chunk = os.read(outr, 4096)
                if not chunk:
                    break
                out += chunk
            line = out.split(b"\n")[0].decode()
            if line.startswith("P "):
                os.write(inw, (self.answer(kind, user, line[2:]) + "\n").encode())
        os.close(inw)
        # drain both pipes before waiting: a child that writes more than a
        # pipe holds (valgrind's report) must not hang the run
        err = b""
        sel = selectors.DefaultSelector()
        sel.register(outr, selectors.EVENT_READ)
        sel.register(errr, selectors.EVENT_READ)
        while sel.get_map():
            for key, _ in sel.select():
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    sel.unregister(key.fd)
                elif key.fd == outr:
                    out += chunk
                else:
                    err += chunk
        sel.close()
        _, status, ru = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
        os.close(outr)
        os.close(errr)
        if os.waitstatus_to_exitcode(status) != 0:
            if not check:
                return None
            die(f"login failed: {host} {service} {kind} {user}: "
                f"{out.decode(errors='replace')} {err.decode(errors='replace')}")
        err = err.decode(errors="replace")
        m = re.search(r"^vmhwm-kb (\d+)$", err, re.M)
        return wall, ru.ru_utime + ru.ru_stime, int(m.group(1)) if m else 0, err


# ---- 1. the main table ------------------------------------------------------------

PG_LABEL = "pam_sls totp, via slsd with PostgreSQL"
CASES = [("pam_permit", "permit", None), ("pam_sls totp", "sls-main", "sls-totp"),
         ("pam_sls ibkey", "sls-main", "sls-ibkey"), ("google-authenticator", "ga", "ga"),
         ("pam_oath", "oath-main", "oath"),
         # a caller without root: the same login run by slsd, relayed by the module
         ("pam_sls totp, via slsd", "sls-slsd", "sls-totp"),
         # the store in PostgreSQL: root's module relays to a second slsd on it
         (PG_LABEL, "sls-pg", "sls-totp"),
         # not a configuration to run: what durability costs (fsync made a no-op)
         ("pam_sls totp, no fsync", "sls-main", "sls-totp")]
NOSYNC = {"LD_PRELOAD": PEERS["eatmydata"]}
HOSTS = ("sshd", "bare")


def main_table(world, cases, rounds, cg_runs):
    users = {}
    for host in HOSTS:
        for label, service, kind in cases:
            if not kind:
                continue
            tag = "n" if "fsync" in label else {"sls-slsd": "s", "sls-pg": "p"}.get(service, "")
            prefix = f"m{host[0]}{kind[-2:]}{tag}"
            if service == "sls-pg":
                users[host, label] = world.reserve_pg(prefix, rounds + cg_runs)
            else:
                users[host, label] = world.add_users(kind, prefix, rounds + cg_runs)
    world.add_users("sls-totp", "perm", 1)
    return users


def run_main(drv, cases, users, rounds, cg_runs, rng):
    data = {(h, c[0]): {"wall": [], "cpu": [], "rss": [], "ir": []} for h in HOSTS for c in cases}
    order = [(h, c) for h in HOSTS for c in cases]
    count = 0
    for r in range(rounds):
        rng.shuffle(order)
        for host, (label, service, kind) in order:
            user = users[host, label][r] if kind else "perm0"
            wall, cpu, rss, _ = drv.login(host, service, kind, user,
                                          env=NOSYNC if "fsync" in label else None)
            d = data[host, label]
            d["wall"].append(wall)
            d["cpu"].append(cpu)
            d["rss"].append(rss)
            count += 1
    for r in range(cg_runs):
        rng.shuffle(order)
        for host, (label, service, kind) in order:
            user = users[host, label][rounds + r] if kind else "perm0"
            _, _, _, err = drv.login(host, service, kind, user, prefix=[
                "/usr/bin/valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"],
                env=NOSYNC if "fsync" in label else None)
            m = re.search(r"Collected : (\d+)", err)
            if not m:
                die(f"no callgrind count for {host} {label}: {err[-500:]}")
            data[host, label]["ir"].append(int(m.group(1)))
            count += 1
    return data, count


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def report_main(data, cases, rounds, cg_runs):
    print(f"\n## 1. One login, one process ({rounds} interleaved logins per case for time, "
          f"{cg_runs} under callgrind)")
    print("module cost = the case's median minus pam_permit's median in the same host; "
          "via slsd, CPU, instructions and RSS are the caller's process only (slsd's call "
          "process does the login, and PostgreSQL's backend the store's part): compare its "
          "wall time. Via slsd the caller is the user (pam_login -u); with PostgreSQL it is "
          "root, as sshd and sudo are\n")
    print(f"| host | case | wall ms | cost ms | CPU ms | cost CPU ms | instructions M | "
          f"cost M | peak RSS KiB | +RSS KiB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    cost = {}
    for host in HOSTS:
        base = data[host, "pam_permit"]
        bw, bc, bi, br = (med(base["wall"]), med(base["cpu"]), med(base["ir"]),
                          med(base["rss"]))
        for label, _, _ in cases:
            d = data[host, label]
            w, c, i, rss = med(d["wall"]), med(d["cpu"]), med(d["ir"]), med(d["rss"])
            cost[host, label] = (w - bw, c - bc, i - bi)
            print(f"| {host} | {label} | {w*1e3:.2f} | {(w-bw)*1e3:.2f} | {c*1e3:.2f} | "
                  f"{(c-bc)*1e3:.2f} | {i/1e6:.2f} | {(i-bi)/1e6:.2f} | {rss:.0f} | "
                  f"{rss-br:+.0f} |")
    print("\nRatios of module cost, pam_sls / the faster peer (google-authenticator or "
          "pam_oath) in the same host and run:\n")
    print("| host | pam_sls case | wall | CPU | instructions | goal (wall) |")
    print("|---|---|---:|---:|---:|---|")
    goals = {"sshd": 1.0, "bare": 2.0}
    verdicts = []
    for host in HOSTS:
        peer = [min(cost[host, p][k] for p in ("google-authenticator", "pam_oath"))
                for k in range(3)]
        for label in [c[0] for c in cases if c[0].startswith("pam_sls")]:
            rat = [cost[host, label][k] / peer[k] if peer[k] > 0 else float("nan")
                   for k in range(3)]
            goal = ""
            if label == "pam_sls totp":
                ok = rat[0] <= goals[host]
                goal = f"<= {goals[host]:.0f}x: {'met' if ok else 'NOT met'}"
                verdicts.append((host, ok))
            print(f"| {host} | {label} | {rat[0]:.2f}x | {rat[1]:.2f}x | {rat[2]:.2f}x | "
                  f"{goal} |")
    if any(c[0] == PG_LABEL for c in cases):
        print("\nThe store in PostgreSQL, module cost (wall) against pam_sls's other rows in "
              "the same host and run:\n")
        print("| host | vs via slsd (files) | vs in-process (files) |")
        print("|---|---:|---:|")
        for host in HOSTS:
            pg = cost[host, PG_LABEL][0]
            print(f"| {host} | {pg / cost[host, 'pam_sls totp, via slsd'][0]:.2f}x | "
                  f"{pg / cost[host, 'pam_sls totp'][0]:.2f}x |")
    return verdicts


# ---- 2. scale -----------------------------------------------------------------------

def build_scale(world, sizes, measured):
    users = {}
    for n in sizes:
        for label, kind in (("pam_sls", "sls-totp"), ("pam_oath", "oath")):
            where = f"n{n}"
            users[label, n] = world.add_users(kind, f"s{kind[0]}{n}x", min(n, measured),
                                              where=where)
            if n > measured:
                world.add_users(kind, f"f{kind[0]}{n}x", n - measured, where=where,
                                in_passwd=False)
    return users


def scale_loop(world, drv, users, sizes, rounds, rng):
    t0 = int(time.time() // 30 * 30) + 3600  # an hour ahead: steps no real login used
    data = {(label, n): [] for label in ("pam_sls", "pam_oath") for n in sizes}
    order = list(data)
    count = 0
    for r in range(rounds):
        rng.shuffle(order)
        t = t0 + 30 * r + 5
        env = {"LD_PRELOAD": FAKETIME, "FAKETIME": f"@{t}", "FAKETIME_FMT": "%s",
               "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
        for label, n in order:
            us = users[label, n]
            user = us[r % len(us)]
            service = f"sls-n{n}" if label == "pam_sls" else f"oath-n{n}"
            kind = "sls-totp" if label == "pam_sls" else "oath"
            wall, _, _, _ = drv.login("bare", service, kind, user, env=env, t=t)
            data[label, n].append(wall)
            count += 1
    return data, count


def report_scale(data, sizes, rounds):
    print(f"\n## 2. Scale: users in the store (pam_sls) or the users file (pam_oath); "
          f"{rounds} logins each, bare host, libfaketime in both\n")
    print("| users | " + " | ".join(f"{label} ms | t(N)/t({sizes[0]})"
                                     for label in ("pam_sls", "pam_oath")) + " |")
    print("|---:|---:|---:|---:|---:|")
    for n in sizes:
        cells = []
        for label in ("pam_sls", "pam_oath"):
            m = med(data[label, n])
            cells.append(f"{m*1e3:.2f} | {m/med(data[label, sizes[0]]):.2f}")
        print(f"| {n:,} | " + " | ".join(cells) + " |")


# ---- 3. concurrency ---------------------------------------------------------------

def run_clients(drv, jobs, clients, env=None, check=True):
    """jobs: list of (service, kind, user, faked time or None); split over
    `clients` threads. Returns (successful logins per second, refusals);
    a refusal stops the run unless check is False."""
    errors = []
    refused = []
    parts = [jobs[i::clients] for i in range(clients)]

    def worker(part):
        try:
            for service, kind, user, t in part:
                e = env
                if t is not None:
                    e = dict(env or {}, LD_PRELOAD=FAKETIME, FAKETIME=f"@{t}",
                             FAKETIME_FMT="%s", FAKETIME_DONT_FAKE_MONOTONIC="1")
                if drv.login("bare", service, kind, user, env=e, t=t, check=check) is None:
                    refused.append(user)
        except SystemExit as e:
            errors.append(str(e))

    threads = [threading.Thread(target=worker, args=(p,)) for p in parts]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t0
    if errors:
        die(errors[0])
    return (len(jobs) - len(refused)) / elapsed, len(refused)


def concurrency(world, drv, per_run):
    counts = (1, 2, 4, 8)
    rows = [("pam_sls totp", "sls-main", "sls-totp"), ("pam_sls ibkey", "sls-main", "sls-ibkey"),
            ("google-authenticator", "ga", "ga")]
    pools = {label: world.add_users(kind, f"c{kind[-2:]}", per_run * len(counts))
             for label, _, kind in rows}
    one = {"pam_sls ibkey": world.add_users("sls-ibkey", "oneib", 1)[0],
           "google-authenticator": world.add_users("ga", "onega", 1)[0]}
    return counts, rows, pools, one


def run_concurrency(drv, plan, per_run):
    counts, rows, pools, one = plan
    result = {}
    total = 0
    for i, c in enumerate(counts):
        for label, service, kind in rows:
            users = pools[label][i * per_run:(i + 1) * per_run]
            result[label, c] = run_clients(drv, [(service, kind, u, None) for u in users], c)
            total += per_run
    # 8 clients on one user: ibkey (a fresh challenge each login) and GA with a
    # distinct libfaketime step per login (a TOTP code is good once). GA takes
    # no lock: concurrent rewrites of its file collide and it refuses some
    # logins, which are counted and shown, not timed as successes.
    t0 = int(time.time() // 30 * 30) + 7200
    result["pam_sls ibkey", "one"] = run_clients(
        drv, [("sls-main", "sls-ibkey", one["pam_sls ibkey"], None)] * per_run, 8)
    result["google-authenticator", "one"] = run_clients(
        drv, [("ga", "ga", one["google-authenticator"], t0 + 30 * k + 5)
              for k in range(per_run)], 8, check=False)
    total += 2 * per_run - result["google-authenticator", "one"][1]
    return result, total


def report_concurrency(result, counts, per_run):
    print(f"\n## 3. Logins per second (bare host, {per_run} logins per cell, each a success)\n")
    print("| case | " + " | ".join(f"{c} client{'s' if c > 1 else ''}" for c in counts)
          + " | 8 on one user |")
    print("|---|" + "---:|" * (len(counts) + 1))
    for label in ("pam_sls totp", "pam_sls ibkey", "google-authenticator"):
        cells = [f"{result[label, c][0]:.0f}" for c in counts]
        o = result.get((label, "one"))
        if o is None:
            cells.append("n/a (a code is good once per 30 s step)")
        elif label == "google-authenticator":
            cells.append(f"{o[0]:.0f} (libfaketime; {o[1]} of {per_run} refused)")
        else:
            cells.append(f"{o[0]:.0f}")
        print(f"| {label} | " + " | ".join(cells) + " |")


# ---- 4. respond -------------------------------------------------------------------

def run_respond(build, runs):
    auth = os.path.join(build, "authenticator", "sls-authenticator")
    home = tempfile.mkdtemp(prefix="sls-bench-home-", dir="/var/lib")
    env = {"HOME": home, "PATH": "/usr/bin:/bin", "LANG": "C"}
    key = os.urandom(32)
    uri = (f"otpauth://ocra/SLS:alice?secret={b32(key)}&suite={SUITE}&issuer=SLS&device=laptop")
    subprocess.run([auth, "import", uri], env=env, check=True, capture_output=True)
    check = subprocess.run([auth, "respond", "--pin-fd", "0", "123456"], env=env,
                           input=PIN + "\n", text=True, capture_output=True, check=True)
    if check.stdout.strip() != ocra(key, "123456"):
        die("sls-authenticator respond and the harness's OCRA disagree")
    cases = {"sls-authenticator respond": ([auth, "respond", "--pin-fd", "0", "123456"],
                                           (PIN + "\n").encode()),
             "oathtool --totp": (["/usr/bin/oathtool", "--totp", key[:20].hex()], None),
             "true (process start)": (["/bin/true"], None)}
    data = {name: ([], None) for name in cases}
    for _ in range(runs):
        for name, (argv, stdin) in cases.items():
            r, w = os.pipe()
            null = os.open(os.devnull, os.O_WRONLY)
            t0 = time.perf_counter()
            pid = os.posix_spawn(argv[0], argv, env, file_actions=[
                (os.POSIX_SPAWN_DUP2, r, 0), (os.POSIX_SPAWN_DUP2, null, 1),
                (os.POSIX_SPAWN_CLOSE, w)])
            if stdin:
                os.write(w, stdin)
            os.close(w)
            _, status = os.waitpid(pid, 0)
            data[name][0].append(time.perf_counter() - t0)
            os.close(r)
            os.close(null)
            if os.waitstatus_to_exitcode(status) != 0:
                die(f"{argv} failed")
    # peak RSS through GNU time, which forks the command from its own small
    # process (a child spawned by this large one would show this one's)
    rss = {}
    for name, (argv, stdin) in cases.items():
        vals = []
        for _ in range(5):
            r = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, env=env, input=stdin,
                               capture_output=True)
            vals.append(int(r.stderr.decode().strip().splitlines()[-1]))
        rss[name] = med(vals)
    shutil.rmtree(home, ignore_errors=True)
    print(f"\n## 4. The soft key: {runs} interleaved runs each, whole process\n")
    print("| command | median ms | vs oathtool | peak RSS KiB |")
    print("|---|---:|---:|---:|")
    base = med(data["oathtool --totp"][0])
    for name, (ts, _) in data.items():
        print(f"| {name} | {med(ts)*1e3:.2f} | {med(ts)/base:.2f}x | {rss[name]:.0f} |")
    return med(data["sls-authenticator respond"][0]) / base


# ---- 5. OpenSSL's start-up --------------------------------------------------------

def run_openssl(build, runs):
    """What loading and starting OpenSSL 3 costs a bare process, step by step,
    and, as figures only, what an HMAC costs without OpenSSL's start-up."""
    prog = os.path.join(build, "tests", "bench", "openssl_start")
    base = ["/bin/true"]
    cases = {"a process (/bin/true)": base, "libcrypto loaded": [prog, "load"],
             "+ one HMAC (EVP_MAC)": [prog, "hmac"],
             "+ one HMAC, no exit handler": [prog, "guest"],
             "+ a second HMAC": [prog, "again"],
             "libcrypto loaded, HMAC over SHA1_* (no provider)": [prog, "lowlevel"],
             "no libcrypto: HMAC from the kernel (AF_ALG)":
                 [os.path.join(build, "tests", "bench", "kernel_hmac")]}
    wall = {k: [] for k in cases}
    for _ in range(runs):
        for name, argv in cases.items():
            t0 = time.perf_counter()
            r = subprocess.run(argv, capture_output=True)
            t = time.perf_counter() - t0
            wall[name].append(float("nan") if r.returncode == 3 else t)  # 3: no AF_ALG here
            if r.returncode not in (0, 3):
                die(f"{argv} failed")
    ir = {}
    for name, argv in cases.items():
        r = subprocess.run(["/usr/bin/valgrind", "--tool=callgrind",
                            "--callgrind-out-file=/dev/null"] + argv, capture_output=True,
                           text=True)
        m = re.search(r"Collected : (\d+)", r.stderr)
        ir[name] = int(m.group(1)) if m else float("nan")
    print(f"\n## 5. OpenSSL 3 in a process that has not started it ({runs} runs each)\n")
    print("| step | median wall ms | instructions M |")
    print("|---|---:|---:|")
    for name in cases:
        if all(w != w for w in wall[name]):  # all NaN: exit status 3
            print(f"| {name} | not offered by this kernel | |")
            continue
        print(f"| {name} | {med(wall[name])*1e3:.2f} | {ir[name]/1e6:.2f} |")


# ---- main ---------------------------------------------------------------------------

def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    fs = subprocess.run(["df", "-T", "/var/lib"], capture_output=True, text=True).stdout
    fs = fs.splitlines()[-1].split()[1] if fs else "?"
    kernel = os.uname().release
    libs = []
    for pkg in ("libpam0g", "libssl3", "libpam-google-authenticator", "libpam-oath",
                "postgresql-15"):
        v = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True,
                           text=True).stdout
        libs.append(f"{pkg} {v or '?'}")
    return (f"{os.cpu_count()} x {cpu}; Linux {kernel}; store on {fs} (/var/lib); "
            + ", ".join(libs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--short", action="store_true", help="a few logins of every case (CI)")
    ap.add_argument("--build", default=os.environ.get("top_builddir", "."),
                    help="the build directory (default: $top_builddir or .)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if os.geteuid() != 0:
        die("run as root (a private mount namespace, a root-owned store)")
    build = os.path.abspath(args.build)
    install_peers()
    enter_namespace()
    if args.short:
        rounds, cg_runs, sizes, scale_rounds, per_run, resp = 5, 1, (10, 1000), 4, 16, 20
    else:
        rounds, cg_runs, sizes, scale_rounds, per_run, resp = 150, 5, \
            (10, 1000, 10000, 100000), 40, 400, 300
    rng = random.Random(args.seed)
    # a kill (CI's timeout) still removes the store and the users (finally below)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench: terminated"))
    with_pg = os.path.exists(os.path.join(PGBIN, "initdb"))
    cases = CASES if with_pg else [c for c in CASES if c[0] != PG_LABEL]
    world = World(build)
    try:
        drv = Driver(build, world)
        t0 = time.perf_counter()
        users = main_table(world, cases, rounds, cg_runs)
        scale_users = build_scale(world, sizes, 10)
        plan = concurrency(world, drv, per_run)
        world.mount_passwd()
        world.start_slsd()
        if with_pg:
            world.start_postgres()
        print(f"# pam_sls login benchmark{' (short: proves the cases, not the figures)' if args.short else ''}")
        print(f"machine: {machine()}")
        if with_pg:
            print(f"PostgreSQL: a throwaway cluster on {world.pg} (the store's file system), "
                  "Unix socket, fsync on")
        else:
            print(f"note: postgresql-15 is not installed ({PGBIN}): the row \"{PG_LABEL}\" "
                  "is skipped (scripts/deps installs it)")
        print(f"set-up: {time.perf_counter() - t0:.1f} s, {len(world.passwd)} users in the "
              "private passwd")
        data, n1 = run_main(drv, cases, users, rounds, cg_runs, rng)
        verdicts = report_main(data, cases, rounds, cg_runs)
        sdata, n2 = scale_loop(world, drv, scale_users, sizes, scale_rounds, rng)
        report_scale(sdata, sizes, scale_rounds)
        cres, n3 = run_concurrency(drv, plan, per_run)
        report_concurrency(cres, plan[0], per_run)
        ratio = run_respond(build, resp)
        run_openssl(build, resp)
        print(f"\n{n1 + n2 + n3} logins timed, every one a success.")
        print("Goals (figures, never a test failure): "
              + "; ".join(f"{h} host totp {'met' if ok else 'NOT met'}" for h, ok in verdicts)
              + f"; respond {ratio:.2f}x oathtool ({'met' if ratio <= 2 else 'NOT met'})")
    finally:
        world.cleanup()


if __name__ == "__main__":
    main()
