"""The rating context: everything one rate application knows (spec/20 §3 ``CalcContext``,
spec/30 §12.3 ``RatingContext``). Rules and plug-ins read it; only the characteristic
collection, the to-do list and the warnings are meant to be written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from .agreements import ServiceAgreement, ServicePoint, characteristic_on
from .bill_factors import BillFactor
from .controls import Currency, Frequency, ServiceQuantityIdentifier, UnitOfMeasure
from .enums import CharSource
from .errors import BillingError, RateDefinitionError

if TYPE_CHECKING:
    from .installation import Installation


@dataclass(frozen=True)
class ToDo:
    """A To Do entry a rule asks for (load factor, power factor)."""

    todo_type: str
    role: str | None
    message: str


def days_in(start: date, end: date) -> int:
    """Days of the closed period [start, end], counted inclusively (spec/30 §0.1)."""
    return (end - start).days + 1


def each_day(start: date, end: date) -> list[date]:
    return [start + timedelta(days=k) for k in range((end - start).days + 1)]


@dataclass
class RatingContext:
    #: Consumption period as a closed range [start, end] (spec/30 §0.1, spec/10 §5.2).
    start: date
    end: date
    accounting_date: date
    currency: Currency
    frequency: Frequency
    bill_factors: Mapping[str, BillFactor]
    uoms: Mapping[str, UnitOfMeasure]
    sqis: Mapping[str, ServiceQuantityIdentifier]
    agreement: ServiceAgreement | None = None
    revenue_class: str | None = None
    language: str = "ENG"
    #: Characteristics given by the caller (the Rate Check grid); they win over SA values.
    input_chars: Mapping[str, str] = field(default_factory=dict)
    #: The characteristic collection: starts as ``input_chars``; SQ rules and plug-ins add.
    chars: dict[str, str] = field(default_factory=dict)
    rebill_reusing_consumption: bool = False
    #: Billing uses only Finished rate versions; a rate check also uses Validated ones.
    billing: bool = False
    #: Installation-wide options: proration and seasonal overrides, step adjustment.
    installation: Installation | None = None
    #: Service points the caller names that are not the agreement's (a rate check may rate
    #: a register of any SP, to experiment; spec/20 §9.1): looked up before the agreement's.
    named_service_points: tuple[ServicePoint, ...] = ()

    def __post_init__(self) -> None:
        # An agreement under terms of service looks up each bill factor's contract value,
        # rider and exemption where the factor's tos_usage says (spec/60 §B2.5).
        if self.agreement is not None and self.agreement.template is not None:
            self.agreement = self.agreement.bound_to(
                {code: bf.tos_usage for code, bf in self.bill_factors.items()})

    @property
    def adjust_steps_after_proration(self) -> bool:
        """Feature option "Adjust RC Step Values After Proration" (spec/30 §4.3)."""
        return bool(self.installation and self.installation.adjust_steps_after_proration)
    todos: list[ToDo] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    # -- period ---------------------------------------------------------------------------
    @property
    def bill_days(self) -> int:
        return days_in(self.start, self.end)

    def days(self) -> list[date]:
        return each_day(self.start, self.end)

    # -- characteristics --------------------------------------------------------------------
    def service_point(self, sp_id: str | None) -> ServicePoint | None:
        """The service point a register names: one the caller named, else the agreement's."""
        if sp_id is None:
            return None
        sps = self.named_service_points + (self.agreement.service_points
                                           if self.agreement is not None else ())
        for sp in sps:
            if sp.id == sp_id:
                return sp
        return None

    def characteristic(self, source: CharSource, char_type: str, day: date, *,
                       service_point: str | None = None) -> str | None:
        """The characteristic value ``source`` gives for ``char_type`` on ``day``.

        Characteristics given by the caller win over the agreement's (spec/20 §9.1)."""
        if source is CharSource.NA:
            return char_type
        if source is CharSource.CHAR_COLLECTION:
            return self.chars.get(char_type)
        if char_type in self.input_chars:
            return self.input_chars[char_type]
        sa = self.agreement
        if sa is None:
            return self._named_point_characteristic(source, char_type, day, service_point)
        if source is CharSource.SA:
            return characteristic_on(sa.characteristics, char_type, day)
        if source is CharSource.ACCOUNT:
            return characteristic_on(sa.account_characteristics, char_type, day)
        if source is CharSource.MAIN_PERSON:
            return characteristic_on(sa.main_person_characteristics, char_type, day)
        if source is CharSource.PREMISE:
            sp = self.service_point(service_point)
            if sp is not None and sp.premise_characteristics:
                v = characteristic_on(sp.premise_characteristics, char_type, day)
                if v is not None:
                    return v
            return characteristic_on(sa.premise_characteristics, char_type, day)
        # SP: the register's own service point, else the lowest SP id carrying the type (D-16).
        sp = self.service_point(service_point)
        if sp is not None:
            return characteristic_on(sp.characteristics, char_type, day)
        for candidate in sorted(sa.service_points, key=lambda s: s.id):
            v = characteristic_on(candidate.characteristics, char_type, day)
            if v is not None:
                return v
        return None

    def _named_point_characteristic(self, source: CharSource, char_type: str, day: date,
                                    service_point: str | None) -> str | None:
        """Without an agreement only a named service point (and its premise) has
        characteristics."""
        sp = self.service_point(service_point)
        if sp is None:
            return None
        if source is CharSource.PREMISE:
            return characteristic_on(sp.premise_characteristics, char_type, day)
        if source is CharSource.SP:
            return characteristic_on(sp.characteristics, char_type, day)
        return None

    # -- bill factors -------------------------------------------------------------------------
    def bill_factor(self, code: str) -> BillFactor:
        try:
            return self.bill_factors[code]
        except KeyError:
            raise RateDefinitionError(f"there is no bill factor {code!r}") from None

    def bill_factor_char_value(self, bf: BillFactor, day: date, *,
                               service_point: str | None = None) -> str | None:
        """The characteristic value that selects ``bf``'s value (spec/10 §3.4)."""
        source = bf.char_source
        if source is CharSource.NA:
            return bf.char_type
        if source is CharSource.CHAR_COLLECTION:
            return self.chars.get(bf.char_type)
        given = self.input_chars.get(bf.char_type)
        if given is not None:
            return given
        if self.agreement is None:
            named = self._named_point_characteristic(source, bf.char_type, day, service_point)
            if named is not None:
                return named
            raise BillingError(
                f"bill factor {bf.code} needs characteristic {bf.char_type}: enter it in the "
                "characteristics or give a service agreement")
        return self.characteristic(source, bf.char_type, day, service_point=service_point)

    def bill_factor_value(self, code: str, day: date, *,
                          service_point: str | None = None) -> Decimal | None:
        """The value of bill factor ``code`` on ``day``: the agreement's contract value when
        the factor allows one (the terms of service's template's, as its ``tos_usage`` says),
        else the factor's own value for the characteristic value. None when there is none (or
        a rider is required and absent)."""
        bf = self.bill_factor(code)
        sa = self.agreement
        if bf.contract_rider_applicability and sa is not None \
                and not sa.rider_covers(code, day, usage=bf.tos_usage):
            return None
        if bf.value_in_contract_term and sa is not None:
            v = sa.contract_value_on(code, day, usage=bf.tos_usage)
            if v is not None:
                return v
        cv = self.bill_factor_char_value(bf, day, service_point=service_point)
        return bf.value_on(cv, day)

    # -- units --------------------------------------------------------------------------------
    def measures_peak(self, uom: str | None) -> bool:
        if uom is None:
            return False
        u = self.uoms.get(uom)
        return bool(u and u.measures_peak)
