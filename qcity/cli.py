"""The ``qcity`` console command.

``qcity extract --out DIR FILE...`` runs the plan extractor without Django or a database;
every other sub-command is a Django management command (``qcity migrate``, ``qcity demo``,
``qcity runserver``, ``qcity runjobs``, ``qcity backup`` …).
"""

import os
import sys


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "extract":
        from qcity.plans.extraction.cli import main as extract_main

        return extract_main(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcity.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["qcity", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
