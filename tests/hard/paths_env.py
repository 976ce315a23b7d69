"""Plumbing shared by tests/hard/paths.test and tests/hard/diskfull.test: a
journal socket of the test's own (in a private mount namespace), logins
through real libpam (tests/bench/pam_login, pam_start_confdir), TOTP codes,
and snapshots of trees that say whether anything changed (content, mode,
owner, mtime, links and FIFOs as such)."""
import base64
import hashlib
import hmac
import os
import re
import select
import socket
import stat
import struct
import subprocess
import sys
import threading
import time

SRC = os.environ.get("top_srcdir", ".")
BUILD = os.environ.get("top_builddir", ".")
sys.path.insert(0, os.path.join(SRC, "tests", "cli"))
from slsenv import base_env  # noqa: E402

DRIVER = os.path.abspath(os.path.join(BUILD, "tests", "bench", "pam_login"))
MODULE = os.path.abspath(os.path.join(BUILD, "pam_sls", ".libs", "pam_sls.so"))


def private_namespace(marker):
    """Re-run this test in a private mount namespace (root only): its
    journal socket and mounts die with it, the host's are never touched."""
    if os.geteuid() == 0 and os.environ.get(marker) != "1":
        os.environ[marker] = "1"
        os.execvp("unshare", ["unshare", "--mount", "--propagation", "private",
                              sys.executable] + sys.argv)


# ---- the journal --------------------------------------------------------------------


def parse_entry(dgram):
    """One native-protocol datagram as a dict (KEY=value lines, or KEY\\n + LE64 + value)."""
    out, i = {}, 0
    while i < len(dgram):
        nl = dgram.index(b"\n", i)
        line = dgram[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            i = nl + 1
        else:
            k = line
            n = struct.unpack("<Q", dgram[nl + 1:nl + 9])[0]
            v = dgram[nl + 9:nl + 9 + n]
            i = nl + 9 + n + 1
        out[k.decode()] = v.decode(errors="replace")
    return out


class Journald:
    """The datagrams sent to /run/systemd/journal/socket (a tmpfs of ours)."""

    def __init__(self):
        os.makedirs("/run/systemd/journal", exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/run/systemd/journal"], check=True)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("/run/systemd/journal/socket")
        self.sock.settimeout(0.1)
        self.entries, self.stop = [], False
        self.markers_sent = self.marker_seen = 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                d = self.sock.recv(65536)
            except socket.timeout:
                continue
            e = parse_entry(d)
            with self.lock:
                if "SLS_TEST_MARKER" in e:
                    self.marker_seen = int(e["SLS_TEST_MARKER"])
                else:
                    self.entries.append(e)

    def take(self):
        """The entries since the last take. The senders have exited, so all
        they sent is queued on the socket (datagrams in order) before a
        marker sent now: once the reader has seen the marker, it has every
        entry. No sleep to guess with: a busy machine once lost a login's
        two entries to a 50 ms one."""
        self.markers_sent += 1
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.sendto(b"SLS_TEST_MARKER=%d\n" % self.markers_sent, "/run/systemd/journal/socket")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with self.lock:
                if self.marker_seen == self.markers_sent:
                    break
            time.sleep(0.002)
        with self.lock:
            got, self.entries = self.entries, []
        return got

    def close(self):
        self.stop = True
        self.thread.join()


def decisions(entries):
    return [e for e in entries if "SLS_PAM_RESULT" in e]


# ---- TOTP and logins -----------------------------------------------------------------


def totp(uri, offset=0, when=None):
    secret = re.search(r"secret=([A-Z2-7]+)", uri).group(1)
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    step = int((when if when is not None else time.time()) // 30) + offset
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    o = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7fffffff) % 10**6)


class Login:
    """One pam_authenticate (and pam_acct_mgmt with account) through real
    libpam: rc (0 only for PAM_SUCCESS), the prompts shown, everything said."""

    def __init__(self, rc, prompts, out):
        self.rc, self.prompts, self.out = rc, prompts, out

    def __repr__(self):
        return f"rc={self.rc} prompts={self.prompts!r} out={self.out[-600:]!r}"


def pam_login(confdir, service, user, answer, account=False, timeout=30):
    """answer(prompt_text) -> the reply line, or None to end the input. A
    prompt is "P text" (newlines as 0x1f) from the driver."""
    argv = [DRIVER] + (["-a"] if account else []) + [confdir, service, user]
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, env=base_env())
    out, prompts, buf = b"", [], b""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            p.kill()
            out += b"\n[timed out]"
            break
        r, _, _ = select.select([p.stdout], [], [], left)
        if not r:
            continue
        ch = os.read(p.stdout.fileno(), 4096)
        if not ch:
            break
        out += ch
        buf += ch
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if not line.startswith(b"P "):
                continue
            text = line[2:].decode(errors="replace").replace("\x1f", "\n")
            prompts.append(text)
            reply = answer(text)
            try:
                if reply is None:
                    p.stdin.close()
                else:
                    p.stdin.write((reply + "\n").encode())
                    p.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass
    rc = p.wait()
    return Login(rc, prompts, out.decode(errors="replace"))


def write_service(confdir, name, conf, extra="", nullok=False):
    """A PAM service of pam_sls alone (auth and account), or with nullok
    the way a roll-out stacks it (an ignore falls through to pam_permit)."""
    os.makedirs(confdir, exist_ok=True)
    with open(os.path.join(confdir, name), "w") as f:
        if nullok:
            f.write(f"auth [success=ok ignore=ignore default=die] {MODULE} conf={conf} "
                    f"nullok {extra}\nauth required pam_permit.so\n"
                    f"account [success=ok ignore=ignore default=die] {MODULE} conf={conf}\n"
                    "account required pam_permit.so\n")
        else:
            f.write(f"auth required {MODULE} conf={conf} {extra}\n"
                    f"account required {MODULE} conf={conf}\n")


# ---- snapshots -------------------------------------------------------------------------


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def entry(path):
    """What a path is: type, mode, owner, and for a file its mtime and a
    digest of its bytes, for a link its target. Neither nlink nor ctime (a
    link planted and removed again changes both, and nothing else)."""
    st = os.lstat(path)
    base = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
    if stat.S_ISLNK(st.st_mode):
        return base + (os.readlink(path),)
    if stat.S_ISREG(st.st_mode):
        return base + (st.st_size, st.st_mtime_ns, digest(path))
    return base


def snapshot(root, skip=()):
    """{path: entry} of root and everything below it, links not followed;
    paths under a name in skip are left out."""
    out = {}
    if not os.path.lexists(root):
        return out
    out[root] = entry(root)
    if not stat.S_ISDIR(os.lstat(root).st_mode):
        return out
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            if any(p == s or p.startswith(s.rstrip("/") + "/") for s in skip):
                continue
            out[p] = entry(p)
    return out


def diff(before, after):
    """The differences of two snapshots, as short text ('' when none)."""
    lines = []
    for p in sorted(set(before) | set(after)):
        if p not in after:
            lines.append(f"gone: {p}")
        elif p not in before:
            lines.append(f"new: {p} {after[p][:2]}")
        elif before[p] != after[p]:
            lines.append(f"changed: {p} {before[p]} -> {after[p]}")
    return "\n".join(lines)
