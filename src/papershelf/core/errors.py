"""The few exceptions papershelf raises; each message says what to do next."""


class PapershelfError(Exception):
    """Base of every error papershelf reports to a user."""


class InputError(PapershelfError):
    """The input (path, id, URL, file content) cannot be used as given."""


class UnsupportedDocument(InputError):
    """A file papershelf cannot turn into text (image, encrypted or scanned PDF, unknown kind)."""


class SourceUnavailable(PapershelfError):
    """A remote source (arXiv, a URL) could not be reached or answered with an error."""


class NotFound(PapershelfError):
    """A paper, passage or remote record does not exist."""


class StoreError(PapershelfError):
    """The store cannot be opened or written (locked, corrupt, wrong URI)."""


class ConfigError(PapershelfError):
    """A setting or configuration file is invalid."""
