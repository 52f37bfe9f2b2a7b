"""``python -m ei_maps`` is the ``ei-maps`` command."""
import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while the command's own modules load: nothing has been written
    print("interrupted before the command started: nothing was written", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
