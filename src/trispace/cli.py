"""The `trispace` console entry point: a thin wrapper over Django's management commands.

`trispace demo`, `trispace serve`, `trispace seed`, `trispace bench …`, `trispace check-ledger`
and every stock Django command (`trispace migrate`, `trispace shell`, …).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trispace.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["trispace", *argv])
    # `trispace bench flash-sale` reads better than `trispace bench_flash_sale`; both work.
    if len(args) > 1:
        args[1] = args[1].replace("-", "_")
    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
