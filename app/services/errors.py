"""Errors a person can cause, each with a sentence a CSR understands.

Panes show `message` beside `field` (when given); nothing is half-saved when one is raised.
"""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    """The input is wrong; `field` names the input that is."""


class NotFound(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class ConcurrentChange(DomainError):
    """Someone else saved the same object first; the caller should reload it."""


class DatabaseProblem(DomainError):
    """The database cannot be used as given (bad URL, unreachable, wrong schema, not a database)."""
