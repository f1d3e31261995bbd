"""Errors of the rating engine. Every message is a sentence a rate analyst understands and
names the missing or wrong thing."""

from __future__ import annotations


class RateError(Exception):
    """Base class: something stops a rate from being applied."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class RateDefinitionError(RateError):
    """The rate definition itself is wrong (unknown reference, invalid field…).

    ``where`` is "file:line" when the definition came from a rate file; ``field`` names the
    field (``rate_schedules.E-COM1.versions[0].components[2].precision``).
    """

    def __init__(self, message: str, *, where: str | None = None,
                 field: str | None = None) -> None:
        self.where = where
        self.field = field
        parts = [p for p in (where, field) if p]
        super().__init__(f"{': '.join(parts)}: {message}" if parts else message)
        self.detail = message


class BillingError(RateError):
    """Rating cannot complete with these inputs: a value, quantity or characteristic the rate
    needs is missing, or a rule asked for a billing error."""


class CannotExecute(RateError):
    """Raised by an SQ or register rule that cannot run on these inputs. The engine turns it
    into a :class:`BillingError` when the rule says "create billing error", and skips the rule
    otherwise."""


# spec/30 §12.3 calls the same thing "RuleNotApplicable".
RuleNotApplicable = CannotExecute
