"""Settings for the test suite: the same settings, with TRISPACE_TESTING on before they load."""

import os

os.environ.setdefault("TRISPACE_TESTING", "1")
os.environ.setdefault("TRISPACE_VAR_DIR", os.path.join(os.getcwd(), "var", "test"))

from trispace.config.settings import *  # noqa: F403
