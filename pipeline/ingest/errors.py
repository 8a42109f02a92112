"""The one error type of the ingest stage."""


class InputError(Exception):
    """A file kzx cannot read; the message is one line for the user."""
