"""`python -m scratchgan ...` is the same as the installed `scratchgan` command."""
from .cli import main

raise SystemExit(main())
