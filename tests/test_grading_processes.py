"""The grader's process hygiene: the kernel sandbox launcher and killing what a kernel leaves."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from w2v_course.grading import processes

LINUX = sys.platform.startswith("linux")
SANDBOX = Path(processes.__file__).with_name("sandbox.py")
SYSTEM_PYTHON = "/usr/bin/python3"  # readable by every user, unlike a per-user install


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def _uid(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except FileNotFoundError:
        return None


@pytest.mark.skipif(not LINUX, reason="Linux process attributes")
def test_orphans_of_a_setsid_double_fork_come_back_to_a_subreaper_and_are_killed(tmp_path):
    pidfile = tmp_path / "grandchild.pid"
    # the child loads processes.py alone: the grading package's __init__ imports the grader and
    # nbformat, 3-4 s of start-up that this test does not need
    code = textwrap.dedent(f"""
        import importlib.util, os, sys, time
        spec = importlib.util.spec_from_file_location("processes", {processes.__file__!r})
        processes = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(processes)
        assert processes.set_subreaper(True) and processes.get_subreaper()
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                open({str(pidfile)!r}, "w").write(str(os.getpid()))
                time.sleep(60)
            os._exit(0)
        for _ in range(200):
            if os.path.exists({str(pidfile)!r}) and open({str(pidfile)!r}).read():
                break
            time.sleep(0.02)
        gc = int(open({str(pidfile)!r}).read())
        time.sleep(0.1)
        print(gc in processes.descendants(), processes.kill_descendants() >= 1, flush=True)
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.split() == ["True", "True"], r.stderr
    assert not _alive(int(pidfile.read_text()))


@pytest.mark.skipif(not LINUX, reason="prctl")
def test_dumpable_flag_round_trips():
    was = processes.get_dumpable()
    try:
        assert processes.set_dumpable(False) and processes.get_dumpable() is False
    finally:
        processes.set_dumpable(bool(was))
    assert processes.get_dumpable() == was


def test_the_sandbox_applies_its_memory_limit_and_scratch_folder(tmp_path):
    code = ("import os, resource; print(resource.getrlimit(resource.RLIMIT_AS)[0] >> 20, "
            "os.getcwd(), resource.getrlimit(resource.RLIMIT_CORE)[0])")
    r = subprocess.run([sys.executable, str(SANDBOX), "--memory-mb", "700", "--scratch",
                        str(tmp_path), "--", sys.executable, "-c", code],
                       capture_output=True, text=True, timeout=60)
    assert r.stdout.split() == ["700", str(tmp_path), "0"], r.stderr
    hog = "b = bytearray(900 << 20)"
    r = subprocess.run([sys.executable, str(SANDBOX), "--memory-mb", "700", "--", sys.executable,
                        "-c", hog], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "MemoryError" in r.stderr


@pytest.mark.skipif(not (LINUX and os.geteuid() == 0 and os.path.exists(SYSTEM_PYTHON)),
                    reason="changing the uid needs root")
def test_as_root_the_sandbox_runs_the_kernel_as_its_own_uid_and_kill_uid_ends_it(tmp_path):
    uid = 1_900_000_099
    scratch = Path(tempfile.mkdtemp(prefix="w2v-test-sandbox-"))  # /tmp: reachable by any uid
    os.chown(scratch, uid, uid)
    conn = tmp_path / "kernel.json"
    conn.write_text('{"key": "secret"}')
    conn.chmod(0o600)
    code = textwrap.dedent("""
        import os, resource, sys
        private = sys.argv[1]
        print(os.getuid(), os.getgid(), resource.getrlimit(resource.RLIMIT_NPROC)[0],
              open(private).read() == '{"key": "secret"}', os.path.basename(private))
        try:
            open(sys.argv[2]).read()
            print("read-the-original")
        except PermissionError:
            print("original-refused")
        sys.stdout.flush()
    """)
    r = subprocess.run([SYSTEM_PYTHON, str(SANDBOX), "--uid", str(uid), "--nproc", "16",
                        "--scratch", str(scratch), "--connection-file", str(conn), "--",
                        SYSTEM_PYTHON, "-c", code, str(conn), f"{tmp_path}/./kernel.json"],
                       capture_output=True, text=True, timeout=60)
    assert r.stdout.split() == [str(uid), str(uid), "16", "True", "kernel-connection.json",
                                "original-refused"], r.stderr
    sleeper = subprocess.Popen([SYSTEM_PYTHON, str(SANDBOX), "--uid", str(uid), "--", "sleep",
                                "60"])
    try:
        # until the sandbox has taken the uid (kill_uid kills that uid's processes only)
        deadline = time.monotonic() + 10
        while _uid(sleeper.pid) != uid and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _uid(sleeper.pid) == uid and _alive(sleeper.pid)
        processes.kill_uid(uid)
        sleeper.wait(timeout=10)
        assert not _alive(sleeper.pid)
    finally:
        sleeper.kill()
        shutil.rmtree(scratch, ignore_errors=True)
