"""`python -m pipeline` runs the kzx command line."""

from .cli import main

main()
