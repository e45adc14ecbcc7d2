"""pytest plugin, loaded first (``-p w2v_course.pytest_startup`` in pyproject.toml): a faster start
and notebook kernels on Unix sockets (see :func:`pytest_configure`).

``nbval`` imports ``nbformat``, which imports ``jsonschema``. When the optional package
``rfc3987-syntax`` is installed (JupyterLab's ``jupyter-events`` brings it, through
``jsonschema[format-nongpl]``), ``jsonschema`` imports it at once to check the JSON Schema formats
``iri`` and ``iri-reference``, and that import builds a parser for the RFC 3987 grammar: about
2 s of CPU in every pytest process (the controller and each xdist worker), measured on the
development machine (``import jsonschema`` 2.1-2.3 s with it, 0.3 s without). Reported upstream
as python-jsonschema/jsonschema#1428.

No test and no notebook schema checks an IRI, so this plugin hides the package from the test
processes before ``nbval`` is imported: ``jsonschema`` then simply does not register those two
format checks, as it does wherever the package is not installed. The kernels that run the
notebooks are separate processes this does not touch. A process that has already imported
``jsonschema`` (or the package) is left as it is.
"""

import sys

if "jsonschema" not in sys.modules:
    # a None entry makes `import rfc3987_syntax` raise ImportError, which jsonschema expects
    sys.modules.setdefault("rfc3987_syntax", None)


def pytest_configure(config):
    """nbval starts each notebook's kernel on Unix sockets instead of TCP ports.

    Two xdist workers start kernels side by side, and Spark's JVM binds ports too: with TCP, a
    kernel whose ports were taken in the gap between their choice and its start dies before it
    answers (``RuntimeError: Kernel died before replying to kernel_info``; see
    :mod:`w2v_course.ipc_kernels`). ``nbval.kernel.start_new_kernel`` builds its manager as
    ``KernelManager(kernel_name=..., kernel_spec_manager=...)``, looked up in its module when it
    runs; giving that name our drop-in is the whole change.
    """
    try:
        import nbval.kernel
    except ImportError:  # nbval not installed: nothing to configure
        return
    from w2v_course.warm_kernels import kernel_manager

    nbval.kernel.KernelManager = kernel_manager
