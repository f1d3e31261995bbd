"""Premise hierarchy, landlords, service points, meters with registers and install history."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.models import Meter, Register
from app.models.enums import (
    CharacteristicEntity,
    CharacteristicValueKind,
    DeviceStatus,
    PremiseType,
    ServiceType,
)
from app.services import accounts, characteristics, premises, service_points
from app.services.errors import NotFound, ValidationError
from app.services.premises import PremiseForm
from app.services.service_points import MeterForm, RegisterForm
from tests.conftest import CSR, SUPERVISOR, WAREHOUSE
from tests.services.builders import company, household

TOU_METER = MeterForm(
    "ab-1001", "ELEC-TOU", ServiceType.ELECTRIC,
    (RegisterForm("KWH", 6, "ON"), RegisterForm("KWH", 6, "OFF"), RegisterForm("KW", 4)),
    manufacturer="Itron", model="Centron",
)


def test_meter_with_registers_and_duplicate_badge(db) -> None:  # type: ignore[no-untyped-def]
    meter = service_points.register_meter(db, WAREHOUSE, TOU_METER)
    assert meter.badge_number == "AB-1001"
    assert [(r.sequence, r.uom, r.tou, r.digits) for r in meter.registers] == [
        (1, "KWH", "ON", 6), (2, "KWH", "OFF", 6), (3, "KW", None, 4)]
    with pytest.raises(ValidationError) as caught:
        service_points.register_meter(db, WAREHOUSE, TOU_METER)
    assert caught.value.field == "badge_number"
    assert "AB-1001 is already on a meter" in caught.value.message
    with pytest.raises(ValidationError, match="already on a meter"):
        service_points.register_item(db, WAREHOUSE, "AB-1001", "STREETLIGHT")
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Meter)) == 1
        assert s.scalar(select(func.count()).select_from(Register)) == 3


def test_register_digits_are_checked(db) -> None:  # type: ignore[no-untyped-def]
    bad = MeterForm("X1", "ELEC", ServiceType.ELECTRIC, (RegisterForm("KWH", 0),))
    with pytest.raises(ValidationError, match="Register 1 has 0 digits"):
        service_points.register_meter(db, WAREHOUSE, bad)


def test_install_history_on_a_service_point(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    service_points.register_meter(db, WAREHOUSE, TOU_METER)
    service_points.register_meter(db, WAREHOUSE, MeterForm("AB-2002", "ELEC", ServiceType.ELECTRIC,
                                                           (RegisterForm("KWH", 5),)))
    service_points.install_device(db, CSR, home.electric_sp, "AB-1001", dt.date(2025, 1, 5))
    with pytest.raises(ValidationError, match="already has a meter installed from 2025-01-05"):
        service_points.install_device(db, CSR, home.electric_sp, "AB-2002", dt.date(2025, 3, 1))
    with pytest.raises(ValidationError, match="measures electric; service point"):
        service_points.install_device(db, CSR, home.gas_sp, "AB-2002", dt.date(2025, 3, 1))
    with pytest.raises(ValidationError, match="removal date 2024-12-31 is before"):
        service_points.remove_device(db, CSR, home.electric_sp, "AB-1001", dt.date(2024, 12, 31))
    service_points.remove_device(db, CSR, home.electric_sp, "AB-1001", dt.date(2025, 3, 1))
    service_points.install_device(db, CSR, home.electric_sp, "AB-2002", dt.date(2025, 3, 1))
    history = service_points.installation_history(db, home.electric_sp)
    assert [(h.badge_number, h.installed_on, h.removed_on) for h in history] == [
        ("AB-1001", dt.date(2025, 1, 5), dt.date(2025, 3, 1)),
        ("AB-2002", dt.date(2025, 3, 1), None),
    ]
    assert service_points.get_meter(db, "AB-1001").status is DeviceStatus.IN_STOCK
    assert service_points.get_meter(db, "ab-2002").status is DeviceStatus.INSTALLED
    with pytest.raises(NotFound):
        service_points.install_device(db, CSR, home.gas_sp, "NOPE-1", dt.date(2025, 3, 1))


def test_point_of_delivery_is_unique(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    first = service_points.create_service_point(db, CSR, home.premise, ServiceType.WATER,
                                                external_pod_ref="0000123456NR")
    with pytest.raises(ValidationError, match=f"already service point {first.number}"):
        service_points.create_service_point(db, CSR, home.premise, ServiceType.WATER,
                                            external_pod_ref="0000123456NR")


def test_parent_premises_never_form_a_cycle(db) -> None:  # type: ignore[no-untyped-def]
    tower = premises.create_premise(db, CSR, PremiseForm(PremiseType.APARTMENT_BUILDING,
                                                         "100 River Rd", "Springfield", "62701"))
    unit = premises.create_premise(db, CSR, PremiseForm(PremiseType.APARTMENT, "100 River Rd",
                                                        "Springfield", "62701", "Apt 4B",
                                                        parent_premise_number=tower.number))
    assert unit.parent_premise_number == tower.number
    with pytest.raises(ValidationError, match="cannot be its parent"):
        premises.set_parent_premise(db, CSR, tower.number, tower.version, unit.number)
    with pytest.raises(ValidationError, match="cannot be its parent"):
        premises.set_parent_premise(db, CSR, tower.number, tower.version, tower.number)
    assert premises.get_premise(db, tower.number).parent_premise_number is None


def test_landlord_agreement_assigned_to_a_premise(db) -> None:  # type: ignore[no-untyped-def]
    org, customer = company(db, "Riverside Lettings")
    account = accounts.open_account(db, CSR, accounts.AccountForm(customer, dt.date(2025, 1, 1)))
    agreement = premises.create_landlord_agreement(db, CSR, org, account.number, "Riverside portfolio")
    flat = premises.create_premise(db, CSR, PremiseForm(PremiseType.APARTMENT, "2 Mill Ln",
                                                        "Springfield", "62702"))
    view = premises.assign_landlord(db, CSR, flat.number, flat.version, agreement.number)
    assert view.landlord_agreement_number == agreement.number


def test_characteristics_are_effective_dated_and_checked(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    characteristics.define_characteristic_type(
        db, SUPERVISOR, "lifesupp", "Life support equipment", CharacteristicValueKind.PREDEFINED,
        {CharacteristicEntity.ACCOUNT, CharacteristicEntity.SERVICE_AGREEMENT},
        {"Y": "Yes", "N": "No"},
    )
    characteristics.define_characteristic_type(
        db, SUPERVISOR, "SQFT", "Floor area (sq ft)", CharacteristicValueKind.NUMBER,
        {CharacteristicEntity.PREMISE},
    )
    acct = CharacteristicEntity.ACCOUNT
    characteristics.set_characteristic(db, CSR, acct, home.account, "LIFESUPP", dt.date(2025, 1, 1), "n")
    characteristics.set_characteristic(db, CSR, acct, home.account, "LIFESUPP", dt.date(2025, 6, 1), "Y")
    before = characteristics.characteristics_on(db, acct, home.account, dt.date(2025, 5, 31))
    after = characteristics.characteristics_on(db, acct, home.account, dt.date(2025, 6, 1))
    assert [c.value for c in before] == ["N"] and [c.value for c in after] == ["Y"]
    with pytest.raises(ValidationError, match="MAYBE is not one of the values"):
        characteristics.set_characteristic(db, CSR, acct, home.account, "LIFESUPP", dt.date(2025, 7, 1), "maybe")
    with pytest.raises(ValidationError, match="is not a characteristic of a premise"):
        characteristics.set_characteristic(db, CSR, CharacteristicEntity.PREMISE, home.premise,
                                           "LIFESUPP", dt.date(2025, 7, 1), "Y")
    with pytest.raises(ValidationError, match="is a number"):
        characteristics.set_characteristic(db, CSR, CharacteristicEntity.PREMISE, home.premise,
                                           "SQFT", dt.date(2025, 7, 1), "big")
