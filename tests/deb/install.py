#!/usr/bin/python3
"""The Debian packages as a sysadmin gets them (root, a throwaway machine: CI).

Installs the built libpam-sls and sls-authenticator with apt, checks where
every file went, enables the pam-auth-update profile inside a private mount
namespace (copies of /etc/pam.d and /var/lib/pam: the machine's own PAM
stacks never change), and logs in through common-auth with pamtester: a
user with a password and an ibkey enrolled with the installed sls, answered
by the installed sls-authenticator; a wrong response; a user without a
device (the shipped sls.conf's nullok). slsd: its binary and units
installed, slsd.socket enabled (slsd.service not), the units verified by
systemd-analyze; the installed slsd started at its default socket the way
slsd.socket would (systemd-socket-activate), and a PAM login as the test
user without root through a stack of pam_sls.so alone, relayed by the
module to slsd: the right response passes, a wrong one is refused and
counted, another user's is refused, and nothing passes once slsd is gone.
Then purges the packages: nothing of theirs is left but the store (no
slsd file, unit or enablement link). Usage: install.py DIR (the .debs).
Cleans up what it made (the test users, the store, slsd and its socket),
even on failure."""
import glob
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time

import pexpect

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from slsenv import converse, pin_pipe  # noqa: E402
from tap import Tap  # noqa: E402

t = Tap()
DEBS = sys.argv[1] if len(sys.argv) > 1 else "."
USER, NODEV, PASSWORD, PIN = "sls-deb", "sls-deb-nodev", "Pw-for-sls-deb-1", "4821"
SERVICE = "sls-deb-test"
MULTIARCH = subprocess.run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], capture_output=True,
                           text=True).stdout.strip() or "x86_64-linux-gnu"
MODULE = f"/lib/{MULTIARCH}/security/pam_sls.so"
SLSD_SERVICE = "sls-deb-slsd"  # pam_sls.so alone, relayed to slsd by a caller without root
SLSD, SLSD_DIR, SLSD_SOCK = "/usr/sbin/slsd", "/run/sls", "/run/sls/slsd.sock"
UNITS = "/lib/systemd/system"
# what slsd leaves when installed and enabled, and what purge must take away
SLSD_GLOBS = ("/usr/sbin/slsd", f"{UNITS}/slsd.*", "/usr/share/man/man8/slsd.8*",
              "/etc/systemd/system/slsd.*", "/etc/systemd/system/*/slsd.*",
              "/var/lib/systemd/deb-systemd-helper-enabled/**/slsd.*",
              "/var/lib/systemd/deb-systemd-helper-masked/slsd.*", SLSD_DIR)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def skip(why):
    t.ok(True, f"# SKIP {why}")
    t.done()
    sys.exit(0)


if os.geteuid() != 0:
    skip("installing packages needs root")
debs = sorted(glob.glob(os.path.join(DEBS, "libpam-sls_*.deb")) +
              glob.glob(os.path.join(DEBS, "sls-authenticator_*.deb")) +
              glob.glob(os.path.join(DEBS, "sls-l10n_*.deb")))
if len(debs) != 3:
    t.ok(False, "the three packages were built", f"found {debs} in {DEBS}")
    t.done()
    sys.exit(1)
for tool in ("pamtester", "pam-auth-update", "unshare", "setpriv", "systemd-socket-activate",
             "systemd-analyze"):
    if shutil.which(tool) is None:
        skip(f"{tool} is missing (scripts/deps installs it)")

made_users = []
home = tempfile.mkdtemp(prefix="sls-deb-home-", dir="/run")  # sls-authenticator: not /tmp
pam_file = f"/etc/pam.d/{SERVICE}"
slsd_pam_file = f"/etc/pam.d/{SLSD_SERVICE}"
slsd = {"proc": None, "made_sock": False, "made_dir": False}


def slsd_stop():
    """Stop the slsd this test started; remove its socket, and /run/sls if the test made it."""
    if slsd["proc"] is not None:
        slsd["proc"].terminate()
        try:
            slsd["proc"].wait(timeout=10)
        except subprocess.TimeoutExpired:
            slsd["proc"].kill()
            slsd["proc"].wait()
        slsd["proc"] = None
    if slsd["made_sock"] and os.path.lexists(SLSD_SOCK):
        os.unlink(SLSD_SOCK)
    slsd["made_sock"] = False
    if slsd["made_dir"] and os.path.isdir(SLSD_DIR):
        os.rmdir(SLSD_DIR)
    slsd["made_dir"] = False


def cleanup():
    slsd_stop()
    for u in made_users:
        run(["userdel", "-r", u])
    for path in (pam_file, slsd_pam_file):
        if os.path.exists(path):
            os.unlink(path)
    shutil.rmtree(home, ignore_errors=True)
    run(["apt-get", "purge", "-y", "-qq", "libpam-sls", "sls-authenticator", "sls-l10n"],
        env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    shutil.rmtree("/var/lib/sls", ignore_errors=True)


try:
    # ---- install --------------------------------------------------------------------------
    had_store = os.path.exists("/var/lib/sls")
    p = run(["apt-get", "install", "-y", "-qq", "--no-install-recommends"] +
            [os.path.abspath(d) for d in debs],
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    t.ok(p.returncode == 0, "apt-get installs the three packages",
         p.stdout[-800:] + p.stderr[-800:])
    mos = sorted(glob.glob("/usr/share/locale/*/LC_MESSAGES/pam_sls.mo"))
    t.ok([m.split("/")[4] for m in mos] == ["de", "ja", "ru", "zh_TW"],
         "sls-l10n installs the catalogues of de, ja, ru and zh_TW", str(mos))
    owned = {}
    for pkg in ("libpam-sls", "sls-authenticator", "sls-l10n"):
        owned[pkg] = [x for x in run(["dpkg", "-L", pkg]).stdout.splitlines()
                      if os.path.isfile(x) or (os.path.islink(x) and not os.path.isdir(x))]
    st = os.stat(MODULE) if os.path.exists(MODULE) else None
    t.ok(st is not None and not os.path.exists(MODULE[:-3] + ".la"),
         f"pam_sls.so in {os.path.dirname(MODULE)}, no .la", MODULE)
    t.ok(os.path.isfile("/usr/sbin/sls") and os.path.realpath("/usr/bin/sls") == "/usr/sbin/sls"
         and not os.stat("/usr/sbin/sls").st_mode & 0o4000,
         "sls in /usr/sbin, /usr/bin/sls leads to it, not setuid (README.Debian's choice)")
    conffiles = run(["dpkg-query", "-W", "-f=${Conffiles}", "libpam-sls"]).stdout
    t.ok("/etc/security/sls.conf" in conffiles, "/etc/security/sls.conf is a conffile", conffiles)
    st = os.stat("/var/lib/sls")
    t.ok(st.st_uid == 0 and st.st_mode & 0o777 == 0o700 and
         all(os.path.isdir(f"/var/lib/sls/{d}") for d in ("users", "state", "lock")),
         "the store /var/lib/sls is made, root's, 0700, with users/, state/ and lock/",
         oct(st.st_mode))
    prof = open("/usr/share/pam-configs/sls").read()
    t.ok("Default: no" in prof and "pam_sls" not in open("/etc/pam.d/common-auth").read(),
         "the pam-auth-update profile ships off: common-auth is untouched", prof)
    ldd = run(["ldd", "/usr/bin/sls-authenticator"]).stdout
    t.ok(not re.search(r"libpam|libsystemd|libqrencode|libcairo", ldd) and
         all("libpam-sls" not in x for x in run(["dpkg", "-s", "sls-authenticator"]).stdout
             .splitlines() if x.startswith("Depends")),
         "sls-authenticator needs nothing of the server side", ldd)
    web = "/usr/share/sls/web"
    files = sorted(os.path.relpath(os.path.join(d, f), web)
                   for d, _, fs in os.walk(web) for f in fs) if os.path.isdir(web) else []
    sw = open(os.path.join(web, "sw.js")).read() if "sw.js" in files else ""
    t.ok({"index.html", "app.js", "otp.js", "sw.js", "manifest.webmanifest",
          "vendor/jsQR.js"} <= set(files) and all(
        f in sw for f in files if f not in ("sw.js", "VERSION", "vendor/jsQR.LICENSE")) and
        os.path.isfile("/usr/share/doc/sls-authenticator/examples/nginx-sls-web.conf"),
        "sls-authenticator installs the web soft key under /usr/share/sls/web (its service "
        "worker keeps every file) and the nginx example", files)

    # ---- slsd: the binary, its units, slsd.socket enabled, slsd.service not -----------------
    def text(path):
        return open(path).read() if os.path.isfile(path) else ""

    sock_unit, svc_unit = text(f"{UNITS}/slsd.socket"), text(f"{UNITS}/slsd.service")
    st = os.stat(SLSD) if os.path.isfile(SLSD) else None
    usage = run([SLSD, "--help"]) if st else None
    t.ok(st is not None and st.st_uid == 0 and st.st_mode & 0o7777 == 0o755 and
         usage.returncode == 0 and "usage: slsd" in usage.stdout and
         all(f in owned["libpam-sls"] for f in (SLSD, f"{UNITS}/slsd.socket",
                                                 f"{UNITS}/slsd.service")),
         "libpam-sls installs /usr/sbin/slsd (root's, 0755, not setuid) and its units in "
         f"{UNITS}", f"{st} {usage and usage.stdout} {owned['libpam-sls']}")
    t.ok(re.search(r"^ExecStart=/usr/sbin/slsd$", svc_unit, re.M) and
         re.search(r"^Requires=slsd\.socket$", svc_unit, re.M) and
         re.search(r"^ListenSequentialPacket=/run/sls/slsd\.sock$", sock_unit, re.M) and
         re.search(r"^SocketMode=0666$", sock_unit, re.M) and "@" not in svc_unit,
         "slsd.service runs ExecStart=/usr/sbin/slsd (@sbindir@ filled in); slsd.socket "
         "listens at /run/sls/slsd.sock, mode 0666", svc_unit + sock_unit)
    t.ok(os.path.isfile("/usr/share/man/man8/slsd.8.gz") and
         os.path.isfile("/usr/share/doc/libpam-sls/examples/pam.d-screenlocker"),
         "slsd(8) and the screen locker's example are installed",
         str(glob.glob("/usr/share/man/man8/sls*")))
    wants = "/etc/systemd/system/sockets.target.wants/slsd.socket"
    svc_links = glob.glob("/etc/systemd/system/slsd.service") + \
        glob.glob("/etc/systemd/system/*/slsd.service")
    t.ok(os.path.islink(wants) and os.readlink(wants) == f"{UNITS}/slsd.socket" and
         not svc_links,
         "slsd.socket is enabled on install (sockets.target.wants, by deb-systemd-helper even "
         "without systemd as PID 1); slsd.service is not enabled by itself",
         f"{wants}: {os.path.islink(wants) and os.readlink(wants)}; service links: {svc_links}")
    p = run(["systemd-analyze", "verify", "--man=no", f"{UNITS}/slsd.socket",
             f"{UNITS}/slsd.service"])
    t.ok(p.returncode == 0, "systemd-analyze verify --man=no: the installed slsd.socket and "
         "slsd.service", p.stdout + p.stderr)

    # ---- users: one with a password and an ibkey, one with a password only ------------------
    for u in (USER, NODEV):
        run(["userdel", "-r", u])
        p = run(["useradd", "-m", "-s", "/bin/sh", u])
        made_users.append(u)
        run(["chpasswd"], input=f"{u}:{PASSWORD}\n")
    state = {"uri": None}

    def on_line(line):
        if line.startswith("otpauth://"):
            state["uri"] = line.strip()
            run(["sls-authenticator", "import", state["uri"]], env={"HOME": home,
                                                                     "PATH": os.environ["PATH"]})

    def respond(challenge):
        r = pin_pipe(PIN)
        p = subprocess.run(["sls-authenticator", "respond", "--pin-fd", str(r), challenge],
                           capture_output=True, text=True, pass_fds=(r,),
                           env={"HOME": home, "PATH": os.environ["PATH"]})
        os.close(r)
        return p.stdout.strip()

    r = pin_pipe(PIN)
    rc, out, err = converse(["sls", "--user", USER, "enroll", "ibkey", "--pin-fd", str(r)],
                            (r,), on_line, lambda prompt, ch, n: respond(ch))
    t.ok(rc == 0 and state["uri"], "the installed sls enrols an ibkey, the installed "
         "sls-authenticator imports and confirms it", f"{rc} {out[-400:]} {err}")

    # ---- the profile enabled in a private mount namespace, logins through common-auth ----
    with open(pam_file, "w") as f:
        f.write("@include common-auth\n@include common-account\n")
    script = r"""
set -e
for d in /etc/pam.d /var/lib/pam; do
    tmp=$(mktemp -d)
    cp -a "$d"/. "$tmp"/
    mount --bind "$tmp" "$d"
done
DEBIAN_FRONTEND=noninteractive pam-auth-update --enable sls
grep -n pam_sls /etc/pam.d/common-auth /etc/pam.d/common-account
exec python3 - "$@"
"""
    login = r"""
import sys, pexpect, subprocess, os
user, pw, svc, pin, home, mode = sys.argv[1:7]
c = pexpect.spawn("pamtester", [svc, user, "authenticate", "acct_mgmt"], encoding="utf-8",
                  timeout=30)
c.expect("Password: ")
c.sendline(pw)
if mode != "nodev":
    c.expect(r"Challenge: (\d+)")
    ch = c.match.group(1)
    c.expect("Response: ")
    if mode == "right":
        r, w = os.pipe(); os.write(w, (pin + "\n").encode()); os.close(w)
        resp = subprocess.run(["sls-authenticator", "respond", "--pin-fd", str(r), ch],
                              capture_output=True, text=True, pass_fds=(r,),
                              env={"HOME": home, "PATH": os.environ["PATH"]}).stdout.strip()
    else:
        resp = "00000000"
    c.sendline(resp)
    print("ANSWERED the challenge")
c.expect(pexpect.EOF)
c.close()
print(c.before)
sys.exit(c.exitstatus)
"""

    def ns_login(user, mode):
        return run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                    user, PASSWORD, SERVICE, PIN, home, mode], input=login)

    p = ns_login(USER, "right")
    t.ok(p.returncode == 0 and "common-auth" in p.stdout and "successfully" in p.stdout,
         "pam-auth-update --enable sls puts pam_sls into common-auth and common-account; "
         "password then the ibkey's challenge, answered by sls-authenticator: in",
         p.stdout[-800:] + p.stderr[-800:])
    p = ns_login(USER, "wrong")
    state = open(f"/var/lib/sls/state/{USER}").read()
    t.ok(p.returncode != 0 and "ANSWERED the challenge" in p.stdout and
         "Authentication failure" in p.stdout and re.search(r"^failures = \d", state, re.M),
         "a wrong response: denied, and counted in the installed store",
         p.stdout[-600:] + p.stderr[-600:] + state)
    p = ns_login(NODEV, "nodev")
    t.ok(p.returncode == 0, "a user without a device passes with the password alone "
         "(the shipped sls.conf's nullok = yes)", p.stdout[-600:] + p.stderr[-600:])
    t.ok("pam_sls" not in open("/etc/pam.d/common-auth").read(),
         "the machine's own common-auth never changed (the namespace's copy did)")

    # ---- slsd: a caller without root, through the installed module and slsd --------------
    # slsd at its default socket, as slsd.socket starts it: systemd-socket-activate binds
    # and listens, and execs slsd at the first connection with the socket as fd 3; the
    # socket file is chmod 0666 (SocketMode=), /run/sls 0755 (DirectoryMode=).
    with open(slsd_pam_file, "w") as f:
        f.write("auth required pam_sls.so\naccount required pam_sls.so\n")
    pw = pwd.getpwnam(USER)
    slsd_log = os.path.join(home, "slsd.err")
    had_sock = os.path.lexists(SLSD_SOCK)
    if not had_sock:
        if not os.path.isdir(SLSD_DIR):
            os.mkdir(SLSD_DIR, 0o755)
            os.chmod(SLSD_DIR, 0o755)
            slsd["made_dir"] = True
        with open(slsd_log, "w") as err:
            slsd["proc"] = subprocess.Popen(
                ["systemd-socket-activate", "--seqpacket", "-l", SLSD_SOCK, SLSD],
                stdin=subprocess.DEVNULL, stdout=err, stderr=err, cwd="/")
        slsd["made_sock"] = True
        for _ in range(100):
            if os.path.exists(SLSD_SOCK):
                break
            time.sleep(0.05)
    listening = not had_sock and os.path.exists(SLSD_SOCK)
    if listening:
        os.chmod(SLSD_SOCK, 0o666)
    t.ok(listening, f"systemd-socket-activate listens at {SLSD_SOCK} for slsd "
         "(nothing was there before)", f"there before: {had_sock}")

    def user_login(user, mode):
        """pamtester as USER (no root, no groups) through SLSD_SERVICE: pam_sls.so relays
        to slsd at the default socket. mode: right, wrong, none (no challenge expected)."""
        c = pexpect.spawn("setpriv", [f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}",
                                      "--clear-groups", "pamtester", SLSD_SERVICE, user,
                                      "authenticate", "acct_mgmt"],
                          encoding="utf-8", timeout=30, cwd="/",
                          env={"PATH": os.environ["PATH"], "LANG": "C"})
        said = ""
        try:
            if mode != "none":
                i = c.expect([r"Challenge: (\d+)", pexpect.EOF])
                said += c.before + (c.after if i == 0 else "")
                if i == 0:
                    ch = c.match.group(1)
                    c.expect("Response: ")
                    said += c.before + c.after
                    c.sendline(respond(ch) if mode == "right" else "00000000")
            c.expect(pexpect.EOF)
            said += c.before
        except pexpect.ExceptionPexpect as e:  # a prompt not expected, or none at all
            said += f"{c.before}\n{type(e).__name__}"
            c.close(force=True)
            return None, said
        c.close()
        return c.exitstatus, said

    def failures():
        st = open(f"/var/lib/sls/state/{USER}").read()
        m = re.search(r"^failures =(.*(?:\n[ \t].*)*)", st, re.M)
        return len(re.findall(r"\d+", m.group(1))) if m else 0

    def slsd_exe():  # systemd-socket-activate execs slsd under its own pid at the first call
        try:
            return os.readlink(f"/proc/{slsd['proc'].pid}/exe")
        except (AttributeError, OSError):
            return None

    rc, said = user_login(USER, "right")
    log = text(slsd_log)
    t.ok(rc == 0 and "Challenge:" in said and "successfully" in said and slsd_exe() == SLSD,
         f"{USER} without root, a stack of pam_sls.so alone (default socket): relayed to the "
         "installed slsd, which asks the ibkey's challenge; sls-authenticator's response: in",
         f"{said[-800:]}\nslsd: {slsd_exe()}\n{log[-800:]}")
    before = failures()
    rc, said = user_login(USER, "wrong")
    after = failures()
    t.ok(rc == 1 and "Response: " in said and "Authentication failure" in said and
         after == before + 1,
         "without root, a wrong response: refused by slsd, and counted in the installed store",
         f"failures {before} -> {after}; {said[-800:]}")
    rc, said = user_login(NODEV, "none")
    t.ok(rc == 1 and "Only your own second factor can be checked here." in said and
         "successfully" not in said,
         f"without root, {USER} cannot verify another user ({NODEV}) through slsd",
         said[-800:] + text(slsd_log)[-400:])
    had_proc = slsd["proc"] is not None and slsd["proc"].poll() is None
    slsd_stop()
    rc, said = user_login(USER, "none")
    t.ok(had_proc and rc == 1 and "The second factor cannot be checked now" in said and
         "successfully" not in said and "Challenge:" not in said and
         not os.path.lexists(SLSD_SOCK) and (had_sock or not os.path.exists(SLSD_DIR)),
         "slsd stopped, its socket and /run/sls removed: a caller without root is refused",
         f"slsd was running: {had_proc}; {said[-600:]}")
    os.unlink(slsd_pam_file)

    # ---- purge: nothing left but the store -------------------------------------------------
    p = run(["apt-get", "purge", "-y", "-qq", "libpam-sls", "sls-authenticator", "sls-l10n"],
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    left = [x for pkg in owned for x in owned[pkg] if os.path.lexists(x) and
            not x.startswith("/usr/share/doc/") and x not in ("/.", "/etc", "/usr")]
    left += [x for x in ("/etc/security/sls.conf", "/usr/share/pam-configs/sls", MODULE)
             if os.path.lexists(x)]
    t.ok(p.returncode == 0 and not left and os.path.isdir("/var/lib/sls/users") and
         os.path.exists(f"/var/lib/sls/users/{USER}"),
         "apt-get purge removes every file of the packages and sls.conf, and keeps the "
         "store with its enrolments (README.Debian)", f"{p.stderr[-400:]} left: {left}")
    left = sorted({x for g in SLSD_GLOBS for x in glob.glob(g, recursive=True)})
    t.ok(not left, "no slsd file is left after the purge (binary, units, man page, "
         "enablement links, deb-systemd-helper state, /run/sls)", str(left))
    if not had_store:
        shutil.rmtree("/var/lib/sls", ignore_errors=True)
finally:
    cleanup()
t.done()
