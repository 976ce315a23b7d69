"""Shared test plumbing: a sandbox with its own sls.conf and store, the sls
tool driven through enrolment, and a "second machine" (a separate HOME) with
sls-authenticator answering the challenges."""
import base64
import os
import re
import shutil
import socket
import subprocess
import tempfile

SRC = os.environ.get("top_srcdir", ".")
BUILD = os.environ.get("top_builddir", ".")
SLS = os.path.join(BUILD, "pam_sls", "sls", "sls")
AUTH = os.path.join(BUILD, "authenticator", "sls-authenticator")
FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def base_env(extra=None):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TZ": "UTC", "LANG": "C"}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    env.update(extra or {})
    return env


def b32(raw):
    """Unpadded base32, as otpauth URIs carry a secret."""
    return base64.b32encode(raw).decode().rstrip("=")


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pin_pipe(pin):
    r, w = os.pipe()
    os.write(w, (pin + "\n").encode())
    os.close(w)
    return r


PROMPTS = ("Response: ", "Verification code: ", 'SMS code (or "voice", "resend"): ',
           "Temporary passcode: ")
CARD_PROMPT = re.compile(r"Security code card (\d{4}-\d{4}): enter the codes at positions "
                         r"(\d+) and (\d+): $")


def is_prompt(text):
    return text in PROMPTS or CARD_PROMPT.match(text) is not None


def faketime_env(when):
    """A frozen clock: when is "@YYYY-MM-DD HH:MM:SS" (UTC), epoch seconds, or
    an offset from now ("+121s")."""
    env = {"LD_PRELOAD": FAKETIME, "FAKETIME_DONT_FAKE_MONOTONIC": "1",
           # under ASan, a preloaded library comes before its runtime: allow it
           "ASAN_OPTIONS": ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"),
                                                  "verify_asan_link_order=0"]))}
    if isinstance(when, int):
        env.update(FAKETIME=f"@{when}", FAKETIME_FMT="%s")
    else:
        env.update(FAKETIME=when)
    return env


def converse(args, fds, on_line, reply, env=None):
    """Run args, reading stdout a byte at a time: on_line(line) for each line,
    and at each prompt (PROMPTS, or a card's) the text reply(prompt, challenge, n)
    (n counts the prompts; None closes stdin: the user gives up).
    Returns (returncode, stdout, stderr)."""
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=base_env(env), pass_fds=fds)
    for fd in fds:
        os.close(fd)
    out, buf = [], ""
    while True:
        ch = p.stdout.read(1)
        if not ch:
            break
        buf += ch
        if ch == "\n":
            out.append(buf)
            on_line(buf)
            buf = ""
            continue
        if is_prompt(buf):
            out.append(buf)
            challenge = None
            for line in reversed(out):
                m = re.match(r"Challenge: (\d+)", line)
                if m:
                    challenge = m.group(1)
                    break
            text = reply(buf, challenge, sum(1 for x in out if is_prompt(x)))
            try:
                if text is None:
                    p.stdin.close()
                else:
                    p.stdin.write(text + "\n")
                    p.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass
            buf = ""
    if buf:
        out.append(buf)
    err = p.stderr.read()
    p.wait()
    return p.returncode, "".join(out), err


class Sandbox:
    """A temp dir with sls.conf, a store, and an authenticator home."""

    def __init__(self, conf_extra="", prefix="sls-test-", runas=None):
        """runas: a user name; sls then runs as that user (setpriv), owning
        the sandbox's sls.conf and store, as a user with a store of their own."""
        self.dir = tempfile.mkdtemp(prefix=prefix)
        os.chmod(self.dir, 0o755)
        self.runas = runas
        self.prefix = []
        if runas:
            import pwd
            gid = pwd.getpwnam(runas).pw_gid
            self.prefix = ["setpriv", f"--reuid={runas}", f"--regid={gid}", "--init-groups"]
        self.store = os.path.join(self.dir, "store")
        self.conf = os.path.join(self.dir, "sls.conf")
        # the "second machine" is root's (the test's) own: not below a
        # directory of another user, which the authenticator refuses
        self.home = tempfile.mkdtemp(prefix="sls-home-") if runas else \
            os.path.join(self.dir, "second-machine")
        os.makedirs(self.home, exist_ok=True)
        with open(self.conf, "w") as f:
            f.write(f"[store]\ndir = {self.store}\n{conf_extra}")
        os.chmod(self.conf, 0o644)
        if runas:
            uid = pwd.getpwnam(runas).pw_uid
            os.chown(self.dir, uid, -1)
            os.chown(self.conf, uid, -1)

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        shutil.rmtree(self.home, ignore_errors=True)

    def sls(self, args, stdin=None, pin=None, env=None):
        fds = ()
        if pin is not None:
            r = pin_pipe(pin)
            args = args + ["--pin-fd", str(r)]
            fds = (r,)
        p = subprocess.run(self.prefix + [SLS, "--conf", self.conf] + args, input=stdin, text=True,
                           capture_output=True, env=base_env(env), pass_fds=fds, timeout=60)
        for fd in fds:
            os.close(fd)
        return p

    def auth(self, args, pin=None, env=None):
        fds = ()
        if pin is not None:
            r = pin_pipe(pin)
            args = args[:1] + ["--pin-fd", str(r)] + args[1:]
            fds = (r,)
        p = subprocess.run([AUTH] + args, text=True, capture_output=True,
                           env=base_env(dict({"HOME": self.home}, **(env or {}))),
                           pass_fds=fds, timeout=30)
        for fd in fds:
            os.close(fd)
        return p

    def enroll(self, dtype, pin="4821", name=None, extra=(), answer=None, on_prompt=None,
               import_uri=True, user=None):
        """Run sls enroll, import the printed URI into the authenticator, answer
        the confirmation (with the authenticator, or answer(challenge) -> text).
        Returns (returncode, stdout, stderr, uri)."""
        args = self.prefix + [SLS, "--conf", self.conf, "enroll", dtype]
        if name:
            args += ["--name", name]
        if user:
            args += ["--user", user]
        args += list(extra)
        fds = ()
        if dtype in ("ibkey", "dsc") and pin is not None:
            r = pin_pipe(pin)
            args += ["--pin-fd", str(r)]
            fds = (r,)
        state = {"uri": None}

        def on_line(line):
            if line.startswith("otpauth://"):
                state["uri"] = line.strip()
                if import_uri:
                    self.auth(["import", "--force"] + (["--type", "dsc"] if dtype == "dsc"
                                                       else []) + [state["uri"]])

        def reply(prompt, challenge, nprompt):
            if on_prompt:
                on_prompt()
            fn = answer[nprompt - 1] if isinstance(answer, list) and \
                nprompt <= len(answer) else answer
            if callable(fn):
                return fn(challenge)
            if prompt == "Response: ":
                return self.auth(["respond", "--account", self.account_for(state["uri"]),
                                  challenge], pin=pin).stdout.strip()
            return self.auth(["code", "--account", self.account_for(state["uri"])]
                             ).stdout.strip()

        rc, out, err = converse(args, fds, on_line, reply)
        return rc, out, err, state["uri"]

    def interact(self, args, answer, env=None):
        """Run sls ARGS, answering each prompt of PROMPTS with answer(challenge)
        (None closes the input). Returns (rc, out, err)."""
        return converse(self.prefix + [SLS, "--conf", self.conf] + args, (), lambda line: None,
                        lambda prompt, challenge, n: answer(challenge), env)

    def account_for(self, uri):
        m = re.match(r"otpauth://\w+/([^:]+):([^?]+)\?", uri)
        issuer, user = m.group(1), m.group(2)
        dev = re.search(r"[?&]device=([^&]+)", uri)
        names = [line.split("\t")[0] for line in self.auth(["list"]).stdout.splitlines()]
        for n in names:
            if n in (f"{user}@{issuer}", f"{user}@{issuer}/{dev.group(1) if dev else 'totp'}"):
                return n
        return f"{user}@{issuer}"

    def respond(self, account, challenge, pin="4821"):
        return self.auth(["respond", "--account", account, challenge], pin=pin).stdout.strip()

    def user_file(self, user="root"):
        return os.path.join(self.store, "users", user)

    def state_file(self, user="root"):
        return os.path.join(self.store, "state", user)


HALF_BLOCKS = {" ": (0, 0), "\u2580": (1, 0), "\u2584": (0, 1), "\u2588": (1, 1)}


def qr_drawn_lines(text):
    """The lines of text that draw a QR code in half blocks, without colours: the SGR
    sequences raw, or as the text \\033 that OpenSSH's client makes of them."""
    lines = [re.sub(r"(\x1b|\\033)\[[0-9;]*m", "", x).rstrip("\r") for x in text.splitlines()]
    return [x for x in lines if any(c in x for c in "\u2580\u2584\u2588")]


def qr_read(lines, workdir):
    """What zbarimg reads off a code drawn in half blocks (qr_drawn_lines), two module rows a
    line, each module 4x4 pixels with a light margin; None without zbarimg."""
    if shutil.which("zbarimg") is None:
        return None
    rows = [[HALF_BLOCKS.get(c, (0, 0))[half] for c in line] for line in lines
            for half in (0, 1)]
    px, margin = 4, 4
    w = (max([len(r) for r in rows] or [0]) + 2 * margin) * px
    h = (len(rows) + 2 * margin) * px
    img = bytearray([255]) * (w * h)
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            for dy in range(px * dark):
                start = ((y + margin) * px + dy) * w + (x + margin) * px
                img[start:start + px] = bytes(px)
    path = os.path.join(workdir, "qr.pgm")
    with open(path, "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (w, h) + bytes(img))
    return subprocess.run(["zbarimg", "-q", "--raw", path], capture_output=True,
                          text=True).stdout.strip()
