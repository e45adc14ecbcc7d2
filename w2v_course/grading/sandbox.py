"""Start a student's kernel inside limits: ``python sandbox.py [options] -- KERNEL COMMAND``.

Run as a script (it imports nothing of the course), it applies the limits to itself and then
*replaces itself* with the kernel command, so the kernel and everything it starts inherit them:

* a session and process group of its own (``setsid``; jupyter_client already starts kernels in
  a new session), so the grader can signal the whole group;
* ``RLIMIT_AS`` = ``--memory-mb`` (a notebook that exhausts memory gets ``MemoryError`` in its
  own kernel, not the machine's OOM killer), no core dumps;
* with ``--uid`` (the grader runs as root): the kernel runs as that unprivileged user id, with
  ``--nproc`` processes at most (a fork bomb stops there), in its own scratch folder, with a
  private copy of its connection file. It then cannot read or write the grader's files or memory,
  signal the grader, or see another kernel's scratch folder (every worker slot has its own uid).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys


def main(argv: list[str]) -> None:
    if "--" not in argv:
        sys.exit("usage: sandbox.py [options] -- COMMAND...")
    cut = argv.index("--")
    p = argparse.ArgumentParser(prog="sandbox.py")
    p.add_argument("--memory-mb", type=int, default=0)
    p.add_argument("--uid", type=int, default=None)
    p.add_argument("--nproc", type=int, default=64)
    p.add_argument("--scratch", default=None)
    p.add_argument("--connection-file", default=None)
    args = p.parse_args(argv[:cut])
    cmd = argv[cut + 1:]
    try:
        os.setsid()
    except OSError:  # already a session leader (jupyter_client starts kernels in a new session)
        pass
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if args.memory_mb > 0:
        limit = args.memory_mb << 20
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):  # a platform without an address-space limit (macOS)
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    os.umask(0o077)
    if args.uid is not None:
        if args.connection_file and args.scratch:
            private = os.path.join(args.scratch, "kernel-connection.json")
            shutil.copyfile(args.connection_file, private)
            os.chown(private, args.uid, args.uid)
            os.chmod(private, 0o600)
            cmd = [private if a == args.connection_file else a for a in cmd]
        resource.setrlimit(resource.RLIMIT_NPROC, (args.nproc, args.nproc))
        os.setgroups([])
        os.setgid(args.uid)
        os.setuid(args.uid)
    if args.scratch:
        os.chdir(args.scratch)
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":
    main(sys.argv[1:])
