"""The one error type of the ingest stage."""


class InputError(Exception):
    """A file kzx cannot read; the message is one line for the user. `lasting` when the reason is the
    file's content (empty, binary, a broken PDF): it fails the same way until the file changes."""

    def __init__(self, message: str, lasting: bool = True):
        super().__init__(message)
        self.lasting = lasting
