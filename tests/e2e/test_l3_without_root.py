"""The L3 wire without root (issue 9 "As root and without it"): `wireproof run`
and `wireproof matrix` of a TCP scenario as an unprivileged user, in a user
namespace of the run's own; the refusal when the kernel allows none, naming the
sysctl; nothing left behind after SIGINT or SIGKILL; DTLS over the UDP relay
unprivileged as before.

The tests run as root and drop to a throwaway uid (no account, unique to this
pytest process, so "no process of that uid is left" is exact). The host's
/dev/net/tun may be 0600 (no udev): a user namespace cannot open that, so each
run gets, in a private mount namespace of its own, a 0666 node (udev's default)
bound over it; the host's device and sysctls are never changed."""
import ctypes
import json
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from wp_e2e import BUILD, REPO, WIREPROOF, read_result, wait_for

UID = 4_200_000 + os.getpid() % 100_000
TCP_ECHO = REPO / "scenarios" / "tcp" / "clean-handshake-echo.yaml"
CLONE_NEWUSER = 0x10000000
PR_SET_DUMPABLE = 4


def unreadable_by_others(path):
    """The first of path (read; run too when executable) and its parents
    (search) another user cannot use, or None."""
    for p in [path, *path.parents]:
        mode = p.stat().st_mode
        if p != path:
            need = stat.S_IXOTH
        else:
            need = stat.S_IROTH | (stat.S_IXOTH if mode & stat.S_IXUSR else 0)
        if mode & need != need:
            return p
    return None


def skip_reason():
    if os.geteuid() != 0:
        return "needs root, to become a throwaway uid"
    if not Path("/dev/net/tun").exists():
        return "no /dev/net/tun"
    for p in (WIREPROOF, BUILD / "peers" / "linux" / "wireproof-linux", TCP_ECHO):
        if p.exists() and (bad := unreadable_by_others(p)):
            return f"{bad} is not readable by other users (the throwaway uid runs the build)"
    return None


pytestmark = pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")


@pytest.fixture
def user_dir():
    """A directory the throwaway uid owns (pytest's tmp_path is root's, 0700)."""
    d = Path(tempfile.mkdtemp(prefix="wp-userns-e2e-"))
    os.chown(d, UID, UID)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def processes_of_uid():
    found = []
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and os.stat(f"/proc/{pid}").st_uid == UID:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    found.append((int(pid), f.read().replace(b"\0", b" ").decode(errors="replace")))
        except OSError:
            pass  # exited meanwhile
    return found


def host_namespaces_of(pid):
    d = Path("/run/netns")
    return [p.name for p in d.iterdir() if p.name.startswith(f"wp-{pid}-")] if d.is_dir() else []


# As root, in a private mount namespace: a tmpfs with a 0666 tun node bound over
# /dev/net/tun, then exec as the throwaway uid (same pid: the test signals it).
AS_USER_WITH_TUN = ('mount -t tmpfs wp-e2e "$1" && mknod -m 0666 "$1/tun" c 10 200 && '
                    'mount --bind "$1/tun" /dev/net/tun && shift && exec setpriv --reuid {uid} --regid {uid} '
                    '--clear-groups "$@"')


def as_user(args, tun_dir, **kw):
    """Popen of wireproof `args` as the throwaway uid, with an openable TUN."""
    script = AS_USER_WITH_TUN.format(uid=UID)
    env = dict(os.environ, HOME=str(tun_dir))
    return subprocess.Popen(["unshare", "--mount", "sh", "-c", script, "sh", str(tun_dir), str(WIREPROOF),
                             *map(str, args)], cwd=REPO, env=env, text=True, **kw)


def run_as_user(args, tun_dir, timeout=120):
    p = as_user(args, tun_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out + err, p.pid


def run_as_user_on_host(args, home):
    """wireproof `args` as the throwaway uid, with the host's devices as they are."""
    return subprocess.run(["setpriv", "--reuid", str(UID), "--regid", str(UID), "--clear-groups", str(WIREPROOF),
                           *map(str, args)], cwd=REPO, env=dict(os.environ, HOME=str(home)), capture_output=True,
                          text=True, timeout=120)


def test_tcp_echo_runs_unprivileged_in_a_user_namespace_and_leaves_nothing(user_dir, tmp_path):
    out = user_dir / "run"
    rc, text, pid = run_as_user(["run", "--client", "linux", "--server", "linux", "--out", out, TCP_ECHO], tmp_path)
    assert rc == 0, text
    r = read_result(out)
    assert r["verdict"] == "pass", text
    judged = {c["name"]: c["verdict"] for c in r["checks"]}
    assert judged["tcp_handshake"] == "pass" and judged["tcp_data_intact"] == "pass", judged
    assert r["topology"]["mode"] == "user_namespace"
    assert r["topology"]["client"]["addresses"][0] == "198.18.0.1"
    assert r["topology"]["client"]["device"] == "tun"
    assert "net.ipv4.tcp_syn_retries" in r["topology"]["server"]["sysctls"]
    assert os.stat(out / "result.json").st_uid == UID  # written as the user, not as the namespace's "root"
    assert processes_of_uid() == []
    assert host_namespaces_of(pid) == []  # its namespaces were in its private /run/netns


def test_user_space_stacks_need_no_tun_so_run_unprivileged_on_the_host_as_it_is(user_dir):
    """lwIP x lwIP uses packet sockets only: no TUN node is bound here, the host's is used as it is."""
    out = user_dir / "lwip"
    p = run_as_user_on_host(["run", "--client", "lwip", "--server", "lwip", "--out", out, TCP_ECHO], user_dir)
    assert p.returncode == 0, p.stdout + p.stderr
    r = read_result(out)
    assert r["verdict"] == "pass" and r["topology"]["mode"] == "user_namespace"
    assert r["topology"]["client"]["device"] == r["topology"]["server"]["device"] == "packet_socket"
    assert processes_of_uid() == []


def test_tcp_matrix_runs_unprivileged(user_dir, tmp_path):
    out = user_dir / "matrix"
    rc, text, _ = run_as_user(["matrix", TCP_ECHO, "--clients", "linux", "--servers", "lwip", "--jobs", "1",
                               "--no-report", "--out", out], tmp_path, timeout=180)
    assert rc == 0, text
    summary = json.loads((out / "summary.json").read_text())
    [cell] = summary["runs"]
    assert cell["verdict"] == "pass", cell
    assert read_result(out / cell["dir"])["topology"]["mode"] == "user_namespace"
    assert processes_of_uid() == []


def test_dtls_over_the_udp_relay_runs_unprivileged_without_a_user_namespace(user_dir):
    out = user_dir / "dtls"
    p = run_as_user_on_host(["run", "--client", "openssl", "--server", "openssl", "--out", out,
                             REPO / "scenarios" / "dtls" / "clean-handshake-echo.yaml"], user_dir)
    assert p.returncode == 0, p.stdout + p.stderr
    r = read_result(out)
    assert r["verdict"] == "pass" and "topology" not in r  # the relay on loopback, as before


def drop_and_forbid_user_namespaces():
    """preexec_fn: become the throwaway uid inside a user namespace of its own
    whose user.max_user_namespaces is 0, so the run's unshare is refused by the
    kernel (ENOSPC). The creator holds every capability there until it execs."""
    os.setgroups([])
    os.setresgid(UID, UID, UID)
    os.setresuid(UID, UID, UID)
    libc = ctypes.CDLL(None, use_errno=True)
    # The uid change made the process non-dumpable, so /proc/self/* is root's;
    # a process exec'd as the user is dumpable.
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    if libc.unshare(CLONE_NEWUSER) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWUSER)")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{UID} {UID} 1")
    with open("/proc/sys/user/max_user_namespaces", "w") as f:
        f.write("0")


def test_a_refused_user_namespace_is_an_error_naming_the_cause_and_the_sysctl(user_dir):
    out = user_dir / "refused"
    p = subprocess.run([str(WIREPROOF), "run", "--client", "linux", "--server", "linux", "--out", str(out),
                        str(TCP_ECHO)], cwd=REPO, capture_output=True, text=True, timeout=60,
                       preexec_fn=drop_and_forbid_user_namespaces)
    assert p.returncode == 3, p.stdout + p.stderr  # `error`, as every wire setup failure
    r = read_result(out)
    assert r["verdict"] == "error"
    for part in (f"uid {UID} (not root)", "failed: ENOSPC", "user.max_user_namespaces = 0",
                 "sysctl -w user.max_user_namespaces="):
        assert part in r["reason"], r["reason"]
    assert "user.max_user_namespaces = 0" in p.stdout  # the console line says it too
    assert processes_of_uid() == []


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGKILL, -9)])
def test_a_signal_mid_run_leaves_no_process_and_so_no_namespace(user_dir, tmp_path, sig, code):
    """SIGINT: the run cleans up and exits 130. SIGKILL: no cleanup runs, yet
    nothing stays: the peers die with the harness (PDEATHSIG), and the user,
    mount and network namespaces with their last process."""
    out = user_dir / "interrupted"
    proc = as_user(["run", "--client", "linux", "--server", "linux", "--out", out,
                    REPO / "scenarios" / "tcp" / "keepalive-peer-vanishes.yaml"], tmp_path,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        peers = lambda: len([c for _, c in processes_of_uid() if "wireproof-linux" in c]) == 2
        assert wait_for(peers, 20), f"the run never started both peers: {processes_of_uid()}"
        time.sleep(0.5)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, err
    if sig == signal.SIGINT:
        r = read_result(out)
        assert r["verdict"] == "error" and r["interrupted"] == "SIGINT"
    assert wait_for(lambda: processes_of_uid() == [], 5), processes_of_uid()
