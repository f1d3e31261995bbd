"""Service points and what is installed on them: meters with registers, and items."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import (
    AssetPosition,
    DeviceInstallation,
    Item,
    Meter,
    Premise,
    Register,
    ServicePoint,
)
from app.models.enums import (
    AssetLocationSource,
    ConsumerKind,
    DeviceStatus,
    ServiceType,
    UserRole,
)
from app.services import asset_locations
from app.services.common import (
    check_period,
    get_by_number,
    new_number,
    optional_text,
    required_text,
)
from app.services.context import Actor, read_only, transaction
from app.services.errors import NotFound, ValidationError

FIELD_EDITORS = (UserRole.CSR, UserRole.SUPERVISOR, UserRole.WAREHOUSE, UserRole.DISPATCHER)
DEVICE_EDITORS = (UserRole.WAREHOUSE, UserRole.SUPERVISOR)


@dataclass(frozen=True)
class ServicePointView:
    number: str
    premise_number: str
    service_type: ServiceType
    consumer_kind: ConsumerKind
    external_pod_ref: str | None


@dataclass(frozen=True)
class RegisterForm:
    uom: str
    digits: int
    tou: str = ""


@dataclass(frozen=True)
class MeterForm:
    badge_number: str
    meter_type: str
    service_type: ServiceType
    registers: tuple[RegisterForm, ...] = field(default_factory=tuple)
    manufacturer: str = ""
    model: str = ""
    serial_number: str = ""


@dataclass(frozen=True)
class RegisterView:
    sequence: int
    uom: str
    tou: str | None
    digits: int


@dataclass(frozen=True)
class MeterView:
    badge_number: str
    meter_type: str
    service_type: ServiceType
    status: DeviceStatus
    registers: tuple[RegisterView, ...]


@dataclass(frozen=True)
class InstallationView:
    id: int
    service_point_number: str
    badge_number: str
    device_kind: str
    installed_on: dt.date
    removed_on: dt.date | None
    version: int


def create_service_point(
    db: Database,
    actor: Actor,
    premise_number: str,
    service_type: ServiceType,
    consumer_kind: ConsumerKind = ConsumerKind.IMPORT,
    external_pod_ref: str = "",
) -> ServicePointView:
    actor.require("add service points", *FIELD_EDITORS)
    pod = optional_text(external_pod_ref, "external_pod_ref", "the point-of-delivery reference", 40)
    with transaction(db, actor) as session:
        premise = get_by_number(session, Premise, premise_number, "premise", "premise")
        if pod is not None:
            other = session.scalar(select(ServicePoint).where(ServicePoint.external_pod_ref == pod))
            if other is not None:
                raise ValidationError(
                    f"Point of delivery {pod} is already service point {other.number}; each "
                    "point of delivery exists once.",
                    "external_pod_ref",
                )
        sp = ServicePoint(
            number=new_number(session, ServicePoint),
            premise_id=premise.id,
            service_type=service_type,
            consumer_kind=consumer_kind,
            external_pod_ref=pod,
        )
        session.add(sp)
        session.flush()
        return ServicePointView(sp.number, premise.number, service_type, consumer_kind, pod)


def _badge(value: str) -> str:
    return required_text(value, "badge_number", "the badge number", 30).upper()


def _check_badge_free(session: Session, badge: str) -> None:
    meter = session.scalar(select(Meter.id).where(Meter.badge_number == badge))
    item = session.scalar(select(Item.id).where(Item.badge_number == badge))
    if meter is not None or item is not None:
        kind = "meter" if meter is not None else "item"
        raise ValidationError(
            f"Badge number {badge} is already on a {kind}. Check the badge; each device has its "
            "own.",
            "badge_number",
        )


def _meter_view(session: Session, meter: Meter) -> MeterView:
    registers = session.scalars(
        select(Register).where(Register.meter_id == meter.id).order_by(Register.sequence)
    )
    return MeterView(
        meter.badge_number,
        meter.meter_type,
        meter.service_type,
        meter.status,
        tuple(RegisterView(r.sequence, r.uom, r.tou, r.digits) for r in registers),
    )


def register_meter(db: Database, actor: Actor, form: MeterForm) -> MeterView:
    """Receive a new meter into stock, with its registers."""
    actor.require("register meters", *DEVICE_EDITORS)
    badge = _badge(form.badge_number)
    meter_type = required_text(form.meter_type, "meter_type", "the meter type", 30)
    if not form.registers:
        raise ValidationError(
            "A meter needs at least one register (what it measures).", "registers"
        )
    for n, reg in enumerate(form.registers, start=1):
        required_text(reg.uom, f"registers.{n}.uom", f"the unit of register {n}", 10)
        if not 1 <= reg.digits <= 12:
            raise ValidationError(
                f"Register {n} has {reg.digits} digits; a dial has 1 to 12.",
                f"registers.{n}.digits",
            )
    with transaction(db, actor) as session:
        _check_badge_free(session, badge)
        meter = Meter(
            badge_number=badge,
            meter_type=meter_type,
            service_type=form.service_type,
            manufacturer=optional_text(form.manufacturer, "manufacturer", "the manufacturer", 60),
            model=optional_text(form.model, "model", "the model", 60),
            serial_number=optional_text(
                form.serial_number, "serial_number", "the serial number", 40
            ),
            status=DeviceStatus.IN_STOCK,
        )
        session.add(meter)
        session.flush()
        for n, reg in enumerate(form.registers, start=1):
            session.add(
                Register(
                    meter_id=meter.id,
                    sequence=n,
                    uom=reg.uom.strip().upper(),
                    tou=reg.tou.strip().upper() or None,
                    digits=reg.digits,
                )
            )
        session.flush()
        return _meter_view(session, meter)


def register_item(db: Database, actor: Actor, badge_number: str, item_type: str) -> str:
    actor.require("register items", *DEVICE_EDITORS)
    badge = _badge(badge_number)
    kind = required_text(item_type, "item_type", "the item type", 30)
    with transaction(db, actor) as session:
        _check_badge_free(session, badge)
        session.add(Item(badge_number=badge, item_type=kind, status=DeviceStatus.IN_STOCK))
    return badge


def _installation_view(
    sp: ServicePoint, badge: str, kind: str, inst: DeviceInstallation
) -> InstallationView:
    return InstallationView(
        inst.id, sp.number, badge, kind, inst.installed_on, inst.removed_on, inst.version
    )


def install_device(
    db: Database, actor: Actor, service_point_number: str, badge_number: str, installed_on: dt.date,
    *, at: dt.datetime | None = None,
) -> InstallationView:
    """Install a meter (one at a time per service point) or an item on a service point; a
    tracked asset's location history gets an INSTALL row (at `at`, else on the day)."""
    actor.require("install devices", *FIELD_EDITORS)
    badge = _badge(badge_number)
    with transaction(db, actor) as session:
        sp = get_by_number(
            session, ServicePoint, service_point_number, "service point", "service_point", lock=True
        )
        meter = session.scalar(select(Meter).where(Meter.badge_number == badge).with_for_update())
        item = (
            None
            if meter
            else session.scalar(select(Item).where(Item.badge_number == badge).with_for_update())
        )
        device = meter or item
        if device is None:
            raise NotFound(f"There is no meter or item with badge number {badge}.")
        if device.status is not DeviceStatus.IN_STOCK:
            raise ValidationError(
                f"{badge} is {device.status.label.lower()}, not in stock; remove it from where it "
                "is first.",
                "badge_number",
            )
        installation = DeviceInstallation(service_point_id=sp.id, installed_on=installed_on)
        if meter is not None:
            if meter.service_type is not sp.service_type:
                raise ValidationError(
                    f"Meter {badge} measures {meter.service_type.label.lower()}; service point "
                    f"{sp.number} is {sp.service_type.label.lower()}.",
                    "badge_number",
                )
            current = session.scalars(
                select(DeviceInstallation).where(
                    DeviceInstallation.service_point_id == sp.id,
                    DeviceInstallation.meter_id.is_not(None),
                )
            ).all()
            for other in current:
                # A meter exchange removes and installs on the same day: removal ends the period.
                if other.removed_on is None or installed_on < other.removed_on:
                    raise ValidationError(
                        f"Service point {sp.number} already has a meter installed from "
                        f"{other.installed_on:%Y-%m-%d}; remove it before installing {badge}.",
                        "service_point",
                    )
            installation.meter_id = meter.id
        else:
            assert item is not None
            installation.item_id = item.id
        device.status = DeviceStatus.INSTALLED
        session.add(installation)
        session.flush()
        asset = asset_locations.Asset.of(device)
        asset_locations.move_in(session, asset, _moment(session, asset, installed_on, at),
                                by=actor.username, service_point_id=sp.id,
                                source=AssetLocationSource.INSTALL)
        return _installation_view(sp, badge, "meter" if meter else "item", installation)


def remove_device(
    db: Database, actor: Actor, service_point_number: str, badge_number: str, removed_on: dt.date,
    *, at: dt.datetime | None = None, to_location: str | None = None,
) -> InstallationView:
    """Take a device off a service point; a tracked asset goes to `to_location`, else to the
    removal location of the premise's postal code (INV-R2)."""
    actor.require("remove devices", *FIELD_EDITORS)
    badge = _badge(badge_number)
    with transaction(db, actor) as session:
        sp = get_by_number(
            session, ServicePoint, service_point_number, "service point", "service_point"
        )
        row = session.execute(
            select(DeviceInstallation, Meter, Item)
            .outerjoin(Meter, DeviceInstallation.meter_id == Meter.id)
            .outerjoin(Item, DeviceInstallation.item_id == Item.id)
            .where(
                DeviceInstallation.service_point_id == sp.id,
                DeviceInstallation.removed_on.is_(None),
                or_(Meter.badge_number == badge, Item.badge_number == badge),
            )
        ).first()
        if row is None:
            raise NotFound(f"{badge} is not installed on service point {sp.number}.")
        installation, meter, item = row
        check_period(installation.installed_on, removed_on, "removed_on", "removal date")
        installation.removed_on = removed_on
        (meter or item).status = DeviceStatus.IN_STOCK
        session.flush()
        asset = asset_locations.Asset.of(meter or item)
        if asset_locations.is_tracked(session, asset.kind, asset.type_code):
            premise = session.get(Premise, sp.premise_id)
            assert premise is not None
            where = to_location or asset_locations.removal_location(session, premise.postal_code)
            if where is None:
                raise ValidationError(
                    f"No removal location is set for postal code {premise.postal_code}: choose "
                    f"the stock location {badge} goes to (or set one for the postal code).",
                    "to_location")
            asset_locations.move_in(session, asset, _moment(session, asset, removed_on, at),
                                    by=actor.username, location=where,
                                    source=AssetLocationSource.REMOVAL, field="to_location")
        return _installation_view(sp, badge, "meter" if meter else "item", installation)


def _moment(session: Session, asset: asset_locations.Asset, day: dt.date,
            at: dt.datetime | None) -> dt.datetime:
    """When an install or removal happened: `at`, else the start of the day — or, on the day
    the asset last moved, just after that move, so its history keeps its order."""
    if at is not None:
        return at
    position = session.get(AssetPosition, (asset.kind, asset.id), with_for_update=True)
    start = dt.datetime.combine(day, dt.time())
    if position is not None and position.located_at.date() == day:
        return max(start, position.located_at + dt.timedelta(minutes=1))
    return start


def installation_history(db: Database, service_point_number: str) -> list[InstallationView]:
    with read_only(db) as session:
        sp = get_by_number(
            session, ServicePoint, service_point_number, "service point", "service_point"
        )
        rows = session.execute(
            select(DeviceInstallation, Meter.badge_number, Item.badge_number)
            .outerjoin(Meter, DeviceInstallation.meter_id == Meter.id)
            .outerjoin(Item, DeviceInstallation.item_id == Item.id)
            .where(DeviceInstallation.service_point_id == sp.id)
            .order_by(DeviceInstallation.installed_on, DeviceInstallation.id)
        )
        return [
            _installation_view(
                sp, meter_badge or item_badge, "meter" if meter_badge else "item", inst
            )
            for inst, meter_badge, item_badge in rows
        ]


def get_meter(db: Database, badge_number: str) -> MeterView:
    with read_only(db) as session:
        meter = session.scalar(select(Meter).where(Meter.badge_number == _badge(badge_number)))
        if meter is None:
            raise NotFound(f"There is no meter with badge number {badge_number}.")
        return _meter_view(session, meter)
