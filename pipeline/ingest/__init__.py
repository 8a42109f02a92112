"""Ingest stage: files in the input dir -> decoded Documents with metadata."""

from .errors import InputError
from .reader import read_document, scan

__all__ = ["InputError", "read_document", "scan"]
