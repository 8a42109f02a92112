"""Ingest stage: files in the input dir -> decoded Documents with metadata."""

from .reader import InputError, read_document, scan

__all__ = ["InputError", "read_document", "scan"]
