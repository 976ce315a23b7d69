#!/usr/bin/python3
"""The Debian packages as a sysadmin gets them (root, a throwaway machine: CI).

Installs the built libpam-sls and sls-authenticator with apt, checks where
every file went, enables the pam-auth-update profile inside a private mount
namespace (copies of /etc/pam.d and /var/lib/pam: the machine's own PAM
stacks never change), and logs in through common-auth with pamtester: a
user with a password and an ibkey enrolled with the installed sls, answered
by the installed sls-authenticator; a wrong response; a user without a
device (the shipped sls.conf's nullok). Then purges both packages: nothing
of theirs is left but the store. Usage: install.py DIR (the .debs).
Cleans up what it made (the test users, the store), even on failure."""
import glob
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile

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
for tool in ("pamtester", "pam-auth-update", "unshare"):
    if shutil.which(tool) is None:
        skip(f"{tool} is missing (scripts/deps installs it)")

made_users = []
home = tempfile.mkdtemp(prefix="sls-deb-home-", dir="/run")  # sls-authenticator: not /tmp
pam_file = f"/etc/pam.d/{SERVICE}"


def cleanup():
    for u in made_users:
        run(["userdel", "-r", u])
    for path in (pam_file,):
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
    if not had_store:
        shutil.rmtree("/var/lib/sls", ignore_errors=True)
finally:
    cleanup()
t.done()
