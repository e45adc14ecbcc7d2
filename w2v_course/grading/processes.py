"""Process hygiene for the grader (Linux; elsewhere these are no-ops).

* :func:`set_dumpable` - a non-dumpable process cannot be ptrace'd, and its ``/proc/<pid>/mem``
  and ``/proc/<pid>/fd`` cannot be opened, by another process of the same (non-root) user. The
  grader's own processes are made non-dumpable while they grade, so a submission running as the
  same user cannot read or write the grader's memory or its pipes.
* :func:`set_subreaper` - a *child subreaper* inherits the orphans among its descendants: a
  process the student's kernel forked (even one that called ``setsid()`` and double-forked) is
  re-parented to the grader's worker instead of to init, so :func:`kill_descendants` finds it.
* :func:`kill_descendants` - freeze every descendant with SIGSTOP (so none can fork again), then
  SIGKILL and reap them; repeated until none is left.
* :func:`kill_uid` - kill every process of one user id (the sandbox user of a kernel).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import time

PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3
PR_SET_CHILD_SUBREAPER = 36
PR_GET_CHILD_SUBREAPER = 37

LINUX = sys.platform.startswith("linux")


def _prctl():
    if not LINUX:
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None
    fn = libc.prctl
    fn.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    fn.restype = ctypes.c_int
    return fn


_PRCTL = _prctl()


def get_dumpable() -> bool | None:
    if _PRCTL is None:
        return None
    return bool(_PRCTL(PR_GET_DUMPABLE, 0, 0, 0, 0))


def set_dumpable(flag: bool) -> bool:
    """Set this process's dumpable flag; True when it could be set."""
    return _PRCTL is not None and _PRCTL(PR_SET_DUMPABLE, int(bool(flag)), 0, 0, 0) == 0


def get_subreaper() -> bool | None:
    if _PRCTL is None:
        return None
    value = ctypes.c_int(0)
    if _PRCTL(PR_GET_CHILD_SUBREAPER, ctypes.addressof(value), 0, 0, 0) != 0:
        return None
    return bool(value.value)


def set_subreaper(flag: bool) -> bool:
    """Make this process a child subreaper (or stop being one); True when it could be set."""
    return _PRCTL is not None and _PRCTL(PR_SET_CHILD_SUBREAPER, int(bool(flag)), 0, 0, 0) == 0


def _ppid_map() -> dict[int, int]:
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read().decode("ascii", "replace")
        except OSError:
            continue
        # the command name may hold spaces and parentheses: split after the last ')'
        rest = stat[stat.rfind(")") + 2:].split()
        if len(rest) >= 2 and rest[1].lstrip("-").isdigit():
            out[int(name)] = int(rest[1])
    return out


def descendants(pid: int | None = None) -> list[int]:
    """Every live descendant of ``pid`` (default: this process), parents before children."""
    if not LINUX:
        return []
    root = os.getpid() if pid is None else pid
    children: dict[int, list[int]] = {}
    for p, pp in _ppid_map().items():
        children.setdefault(pp, []).append(p)
    out, todo = [], [root]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def kill_descendants(pid: int | None = None, *, exclude: set[int] | None = None,
                     rounds: int = 20) -> int:
    """SIGSTOP then SIGKILL every descendant of ``pid`` (but ``exclude``); returns how many."""
    if not LINUX:
        return 0
    exclude = exclude or set()
    me = os.getpid() if pid is None else pid
    killed = 0
    for _ in range(rounds):
        victims = [p for p in descendants(me) if p not in exclude]
        if not victims:
            break
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for p in victims:
                try:
                    os.kill(p, sig)
                except OSError:
                    pass
        killed += len(victims)
        for p in victims:  # reap our own children (others are reaped by their parents)
            try:
                os.waitpid(p, os.WNOHANG)
            except OSError:
                pass
        time.sleep(0.01)
    reap_children(exclude)
    return killed


def reap_children(exclude: set[int] | None = None) -> None:
    """Reap this process's exited children (zombies), except ``exclude``."""
    if not LINUX:
        return
    exclude = exclude or set()
    me = os.getpid()
    for p, pp in _ppid_map().items():
        if pp == me and p not in exclude:
            try:
                os.waitpid(p, os.WNOHANG)
            except OSError:
                pass


def kill_uid(uid: int) -> None:
    """Kill every process of user ``uid`` (we must be root): a child takes that uid, kill(-1)."""
    if not LINUX or os.geteuid() != 0 or uid == 0:
        return
    for _ in range(3):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            try:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)
            except BaseException:  # noqa: BLE001
                pass
            os._exit(0)
        os.waitpid(pid, 0)
        if not any(_uid_of(p) == uid for p in _ppid_map()):
            break
        time.sleep(0.02)


def _uid_of(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None
