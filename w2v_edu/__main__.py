"""``python -m w2v_edu train ... / evaluate ...``: see :mod:`w2v_edu.cli`."""

import sys

from w2v_edu.cli import main

if __name__ == "__main__":
    sys.exit(main())
