"""``python -m ei_maps`` is the ``ei-maps`` command."""
import sys

from .cli import main

sys.exit(main())
