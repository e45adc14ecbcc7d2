"""Policy: a graded function must not hand the work to the package's own answer.

``w2v_edu`` implements most exercises itself (``w2v_edu.objectives.negative_sampling_loss_and_grad``
is exercise 06's answer). Every exercise names those implementations, its *twins*
(``@exercise(..., twins=(...))`` in ``w2v_course/homework/sets``). A function of set NN that
calls a twin of any exercise of set NN - directly, through an alias or through another function
of the notebook - is **flagged** in the feedback column; with ``--strict`` it also scores 0.
Calling other package functions is fine (set 08 may use ``negative_sampling_loss_and_grad_batch``,
the answer to a set 06 exercise, as a building block).

The same holds for the course's own reference code: a notebook that loads the exercise masters,
the solution notebooks or the checks' reference helpers from disk is flagged the same way.

Two independent detectors, whose findings are combined:

* **static** (:func:`static_flags`), in the grader's process: the notebook's code cells are
  *parsed* (``ast``, never executed); imports and simple aliases are resolved, and every name a
  function uses - transitively through the notebook's other functions - is compared with the
  twins and the names the package re-exports them under;
* **dynamic**, in the student's kernel: while the function runs for the checks, a profile hook
  notes calls of code objects that belong to a twin (by file and qualified name); the kernel
  reports them with its outputs (:mod:`w2v_course.grading.runner`).

The kernel is the student's, so the dynamic report can be suppressed there, and a determined
student can hide a call from the parser (``getattr(importlib.import_module(...), ...)``); both
only ever *add* a flag. The policy catches the plain case and documents the rule; it is no proof
of authorship, and a lecturer should read flagged notebooks.
"""

from __future__ import annotations

import ast
import importlib
import sys
from dataclasses import dataclass, field

from w2v_course.homework import exercises_of_set


@dataclass
class Twin:
    dotted: str  # "w2v_edu.objectives.negative_sampling_loss_and_grad"
    file_suffix: str  # "w2v_edu/objectives.py"
    qualname: str  # "negative_sampling_loss_and_grad" (a class: its methods match too)
    aliases: set[str] = field(default_factory=set)  # dotted names it is reachable under


def resolve_twin(dotted: str) -> Twin:
    """Import the twin named ``dotted`` and find where its code lives and its aliases."""
    module_name, _, attr = dotted.rpartition(".")
    module = importlib.import_module(module_name)
    obj = getattr(module, attr)
    real = getattr(obj, "__module__", module_name) or module_name
    qual = getattr(obj, "__qualname__", attr)
    twin = Twin(dotted, real.replace(".", "/") + ".py", qual, {dotted, f"{real}.{qual}"})
    top = module_name.split(".")[0]
    for name, mod in list(sys.modules.items()):
        if mod is None or not (name == top or name.startswith(top + ".")):
            continue
        for key, val in list(vars(mod).items()):
            if val is obj:
                twin.aliases.add(f"{name}.{key}")
    return twin


def twins_of_set(set_id: str) -> list[Twin]:
    """The twins of every exercise of a set (the set's forbidden package answers)."""
    names = sorted({t for ex in exercises_of_set(set_id) for t in ex.twins})
    return [resolve_twin(n) for n in names]


#: the flag for running the course's own reference code instead of the package's answers
REFERENCE = "the course's reference solutions"
#: code of these folders is the course's reference (checks, masters): watched in every set
REFERENCE_WATCH = [["/w2v_course/homework/sets/", "*"], ["/homework/exercise_masters/", "*"],
                   ["/notebooks/solutions/", "*"]]
#: words in a notebook's code that show it loads the reference solutions from disk
REFERENCE_WORDS = ("exercise_masters", "notebooks/solutions", "w2v_course.homework.sets",
                   "w2v_course/homework/sets", "reference_source", "load_references",
                   "w2v_course.grading.references")


def watch_list(twins: list[Twin]) -> list[list[str]]:
    """What the kernel's profile hook watches: ``[file suffix, qualified name]`` pairs for the
    twins, ``["/folder/", "*"]`` for the course's reference code."""
    return [[t.file_suffix, t.qualname] for t in twins] + [list(w) for w in REFERENCE_WATCH]


def dynamic_flags(watched, twins: list[Twin]) -> set[str]:
    """The twins (dotted names) and :data:`REFERENCE` among the kernel's ``watched`` report."""
    pairs = set()
    if isinstance(watched, list):
        for item in watched:
            if isinstance(item, list) and len(item) == 2:
                pairs.add((str(item[0]), str(item[1])))
    flags = {t.dotted for t in twins if (t.file_suffix, t.qualname) in pairs}
    if any(tuple(w) in pairs for w in REFERENCE_WATCH):
        flags.add(REFERENCE)
    return flags


# ---------------------------------------------------------------------------------------------
# the static reading
# ---------------------------------------------------------------------------------------------
def _dotted(node: ast.AST, env: dict[str, str]) -> str | None:
    """The dotted name an expression stands for, as far as imports and aliases tell."""
    if isinstance(node, ast.Name):
        return env.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, env)
        return f"{base}.{node.attr}" if base else None
    return None


def _bind_imports(node: ast.AST, env: dict[str, str], twins: list[Twin]) -> None:
    if isinstance(node, ast.Import):
        for a in node.names:
            if a.asname:
                env[a.asname] = a.name
            else:
                top = a.name.split(".")[0]
                env[top] = top
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        for a in node.names:
            if a.name == "*":  # every twin the module holds becomes a bare name
                for t in twins:
                    for alias in t.aliases:
                        mod, _, name = alias.rpartition(".")
                        if mod == node.module:
                            env[name] = alias
            else:
                env[a.asname or a.name] = f"{node.module}.{a.name}"


def _outside_functions(node: ast.AST):
    """``node`` and its descendants in source order, not entering function or class bodies."""
    yield node
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
        return
    for child in ast.iter_child_nodes(node):
        yield from _outside_functions(child)


def _module_env(trees: list[ast.Module], twins: list[Twin]) -> tuple[dict, dict]:
    """(module-level names bound to dotted names, module-level function definitions)."""
    env: dict[str, str] = {}
    defs: dict[str, ast.AST] = {}
    for tree in trees:
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defs[stmt.name] = stmt
                env.pop(stmt.name, None)
                continue
            if isinstance(stmt, ast.Assign):
                target = _dotted(stmt.value, env)
                for t in stmt.targets:
                    if isinstance(t, ast.Name):
                        if target:
                            env[t.id] = target
                        if isinstance(stmt.value, ast.Name) and stmt.value.id in defs:
                            defs[t.id] = defs[stmt.value.id]
                continue
            for node in _outside_functions(stmt):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    _bind_imports(node, env, twins)
    return env, defs


def _uses(fn: ast.AST, env: dict[str, str], twins: list[Twin]) -> tuple[set[str], set[str]]:
    """(dotted names the function uses, bare names it uses) - local imports included."""
    local = dict(env)
    for node in ast.walk(fn):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            _bind_imports(node, local, twins)
    dotted, names = set(), set()
    for node in ast.walk(fn):
        if isinstance(node, (ast.Name, ast.Attribute)):
            d = _dotted(node, local)
            if d:
                dotted.add(d)
            if isinstance(node, ast.Name):
                names.add(node.id)
    return dotted, names


def static_flags(sources: list[str], func_names: list[str], twins: list[Twin]
                 ) -> dict[str, set[str]]:
    """For each of ``func_names``: the twins (dotted names) the notebook's source has it call.

    ``sources`` are the notebook's code cells; a cell that does not parse is skipped (it would
    fail in the kernel too). IPython syntax (``%magic``, ``!cmd``) is blanked before parsing.
    """
    trees = []
    for src in sources:
        clean = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln
                          for ln in str(src).splitlines())
        try:
            trees.append(ast.parse(clean))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    env, defs = _module_env(trees, twins)
    by_alias = {a: t.dotted for t in twins for a in t.aliases}
    reads_reference = any(w in str(src) for src in sources for w in REFERENCE_WORDS)

    def hits(dotted: set[str]) -> set[str]:
        out = set()
        for d in dotted:
            for alias, name in by_alias.items():
                if d == alias or d.startswith(alias + "."):
                    out.add(name)
        return out

    cache: dict[str, tuple[set[str], set[str]]] = {}
    result: dict[str, set[str]] = {}
    for func in func_names:
        found: set[str] = set()
        if func not in defs and func in env:  # the "function" is bound to an import
            found |= hits({env[func]})
        seen, todo = set(), [func]
        while todo:
            name = todo.pop()
            if name in seen or name not in defs:
                continue
            seen.add(name)
            if name not in cache:
                cache[name] = _uses(defs[name], env, twins)
            dotted, names = cache[name]
            found |= hits(dotted)
            if any(d.startswith(("w2v_course.homework.sets", "w2v_course.grading"))
                   for d in dotted):
                found.add(REFERENCE)
            todo.extend(n for n in names if n in defs)
        if reads_reference:
            found.add(REFERENCE)
        result[func] = found
    return result


def flag_text(flags: set[str], strict: bool) -> str:
    """The feedback-column note for a flagged function."""
    parts = []
    names = ", ".join(sorted(f for f in flags if f != REFERENCE))
    if names:
        parts.append(f"calls {names}, the package's own answer to this set")
    if REFERENCE in flags:
        parts.append("uses the course's reference solutions (masters, solution notebooks or "
                     "checks)")
    text = ("POLICY: " + "; ".join(parts) + "; write the function yourself (homework/README.md, "
            "'The package's own answers')")
    return text + (" - scored 0 (--strict)" if strict else "")
