"""Grade homework submissions: ``python -m w2v_course.grading grade PATH... --out grades.csv``.

The judge never runs in the student's process
---------------------------------------------
A submission's code runs in a kernel of its own and may do anything there. What its functions
return for the grader's inputs crosses to the grader **as data**, and the grader reaches the
verdict in its own process, which never imports or executes anything from the submission.

1. **Plan** (:mod:`~w2v_course.grading.judge`). Every submission gets a seed of its own, drawn
   afresh for every grading run. The check cases of its set draw their inputs from it and call
   the grader's own copy of the reference solution (the master's solution code,
   :mod:`~w2v_course.grading.references`), which records the inputs of every call. Planning runs
   in a short-lived child process: only the inputs come out of it.
2. **Run** (:mod:`~w2v_course.grading.grader`). The notebook runs cell by cell in a fresh kernel
   started through :mod:`~w2v_course.grading.sandbox`. Then, for each exercise, the grader sends
   one execute request: the source of :mod:`w2v_course.wire` and
   :mod:`~w2v_course.grading.runner`, the inputs, and a fresh random token. The runner looks the
   function up by name, calls it on the inputs and returns what happened - return values, arrays
   changed in place, exceptions, timeouts - as one JSON document.
3. **Judge**. After the kernel and every process it started are gone, each case runs again in the
   grader with the learner's function replaced by a *replay* of the reported outputs (decoded
   data). The case compares them with reference values it computes now, with the grader's own
   imports, and names the likely mistake exactly as the notebook's ``check`` does.

Threat model
------------
The adversary is a student who has read all of the course's source - the checks, this grader,
the data format - and controls everything their notebook executes in its kernel. They want
points for functions that are not correct (or to disturb other grades). The design answers:

* **Patching anything in the kernel changes only what is reported, never the verdict.** NumPy's
  comparisons, builtins, ``sys.modules``, import hooks, the runner, IPython, the kernel's
  messaging: whatever the student's code alters, the most it can do is claim outputs, which is
  what the function could have returned anyway. Claimed outputs are judged like any outputs.
* **The expected values are out of reach.** The kernel receives inputs only. The reference
  outputs for this submission's inputs exist in no live process while its code runs (planning
  exits first; judging starts after the kernel and its descendants are killed) and are never
  written to disk. Graded inputs differ from the notebook's practice inputs and between
  submissions, so a table of answers to known inputs fails.
* **Data only, bounded.** The format (:mod:`w2v_course.wire`) is JSON with a closed set of
  shapes: numbers, strings, lists, tuples, dicts, arrays of numeric dtypes as dtype/shape/base64;
  never pickle, never an object dtype; limits on document size, array sizes, nesting and item
  count; decoding calls nothing the data names. The grader's sockets refuse kernel messages
  over the limits and queue only a few.
* **The channel.** A result is the ``execute_reply`` to the grader's own request, read from
  the grader's own connection to that kernel (matched by message id; HMAC-signed with the
  session's key) and must carry that request's fresh random token, compared in constant time:
  stale, pre-made,
  guessed or replayed documents are refused. The token is not secret from code running in the
  same kernel, and need not be: a forger who knows the token and the format can only claim
  outputs (the tests include that forger).
* **No constant answer passes a case** (0, an empty array, ``None``, an input returned
  unchanged, doing nothing in place: tested on every case).
* **Runaway code.** A case's calls stop after its time limit (``SIGALRM``, re-fired so one
  swallowed alarm does not free a loop); a cell after ``cell_timeout``; one exercise's calls
  after ``check_timeout`` (the kernel is then replaced); the notebook after ``timeout``; a worker
  after a hard limit. A kernel that dies (``os._exit``, ``os.kill``, ``exit()``) is restarted
  and the notebook re-run without the cell that killed it; a function that kills it scores 0.
  Each kernel has an address-space limit (``memory_mb``): exhausting memory raises
  ``MemoryError`` in that kernel. Outputs of the notebook are discarded unread.
* **Nothing outlives its kernel.** Each worker is a child subreaper, so processes the kernel
  forked (even after ``setsid()`` and a double fork) return to it and are killed, with the whole
  process tree, when the kernel is done - before judging starts.
* **The grader's own code.** Everything the judge uses (checks, references, ``w2v_edu``) is
  loaded, and the references are self-tested against their checks, before any notebook runs, so
  a file changed on disk during grading cannot change a verdict; such a change is reported in
  that submission's feedback and as a warning.
* **Process isolation.** The grader's processes are made non-dumpable while grading: a kernel of
  the same (non-root) user cannot ptrace them or open their memory or file descriptors through
  ``/proc``. Run as root, each worker slot runs its kernels as its own unprivileged uid (with a
  process limit, in a private scratch folder) when that uid can run the course's Python.

Limits, stated plainly: the course's solutions are public, and the package answers most
exercises. Calling the package's answer, or loading the reference solutions from the course's
files, is flagged (:mod:`~w2v_course.grading.policy`; ``strict`` scores it 0); a solution pasted
into the notebook earns what a copied solution earns - plagiarism, for the lecturer to judge.
A kernel of the lecturer's own user can still signal (kill) the grader's processes or write the
lecturer's files: that stops the run or costs the submission its marks, but cannot raise a
score; graded at the same time, two submissions of the same user could disturb each other
(grade with ``--workers 1``, or as root with sandbox uids). A kernel running as root is not
contained by the operating system at all: grade as an ordinary user (or in a container) when
that matters.

Adding an exercise set needs no change here: see ``homework/README.md``.
"""

from .grader import GradeRow, find_submissions, grade, grade_submission, write_csv

__all__ = ["grade", "grade_submission", "find_submissions", "write_csv", "GradeRow"]
