"""Settings for the test suite: the same settings, with TRISPACE_TESTING on before they load."""

import os

os.environ.setdefault("TRISPACE_TESTING", "1")
os.environ.setdefault("TRISPACE_VAR_DIR", os.path.join(os.getcwd(), "var", "test"))

from trispace.config.settings import *  # noqa: F403

# Tests read the English source strings unless they ask for Chinese (the browser tests do, with a
# zh-CN browser). The product defaults to zh-hans (settings.py); config/tests/test_i18n.py
# checks that default and the switch.
LANGUAGE_CODE = "en"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing
