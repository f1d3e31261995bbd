"""What is in a database, at a glance: for the status bar, the home pane and the first-run state."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.db import Database, current_revision, head_revision
from app.models import Account, Customer, Meter, Premise, ServiceAgreement, ServicePoint


@dataclass(frozen=True)
class DatabaseOverview:
    description: str
    schema_revision: str | None
    app_schema_revision: str
    customers: int
    accounts: int
    premises: int
    service_points: int
    service_agreements: int
    meters: int

    @property
    def is_empty(self) -> bool:
        return self.customers == 0 and self.premises == 0


def database_overview(db: Database) -> DatabaseOverview:
    with db.sessions() as session:
        def count(model: type) -> int:
            return session.scalar(select(func.count()).select_from(model)) or 0

        return DatabaseOverview(
            description=db.description,
            schema_revision=current_revision(db.engine),
            app_schema_revision=head_revision(),
            customers=count(Customer),
            accounts=count(Account),
            premises=count(Premise),
            service_points=count(ServicePoint),
            service_agreements=count(ServiceAgreement),
            meters=count(Meter),
        )
