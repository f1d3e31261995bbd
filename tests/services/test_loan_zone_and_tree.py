"""Loans in Control Central (zone and "loan exists" alert) and in the account tree."""

from __future__ import annotations

import datetime as dt

from app.db import Database
from app.services import account_tree as tree
from app.services import control_central as cc
from app.services import loan_billing
from app.services.installation import Module, set_module_enabled
from tests.conftest import ADMIN, SUPERVISOR
from tests.services.builders import household
from tests.services.loan_fixtures import START, active_loan

ON = dt.date(2025, 2, 1)


def test_loans_zone_and_alert_drill_to_the_loan(db: Database) -> None:
    home = household(db)
    assert not any(z.key == "loans" for z in cc.account_dashboard(db, home.account, on=ON).zones)
    number = active_loan(db, home.account)
    loan_billing.bill_loan(db, SUPERVISOR, number, START)
    view = cc.account_dashboard(db, home.account, on=ON)
    (zone,) = [z for z in view.zones if z.key == "loans"]
    assert zone.link_kind == "Loan"
    assert zone.rows == ((number, "Service upgrade loan", "Active", "10,000.00", "860.67",
                          "10,050.00"),)
    (alert,) = [a for a in view.alerts if a.code == "AL-LOAN"]
    assert alert.text == f"Loan exists: service upgrade loan {number}"
    assert alert.drill == ("Loan", number)
    set_module_enabled(db, ADMIN, Module.LOANS, False)
    view = cc.account_dashboard(db, home.account, on=ON)
    assert not any(z.key == "loans" for z in view.zones)
    assert not any(a.code == "AL-LOAN" for a in view.alerts)


def test_account_tree_lists_loans_under_a_loans_folder(db: Database) -> None:
    home = household(db)
    number = active_loan(db, home.account)
    (root,) = tree.tree_roots(db, account_number=home.account)
    account = next(n for n in tree.children(db, root) if n.kind is tree.NodeKind.ACCOUNT)
    folders = {n.kind: n for n in tree.children(db, account)}
    loans_folder = folders[tree.NodeKind.LOANS]
    assert loans_folder.child_count == 1
    (node,) = tree.children(db, loans_folder)
    assert node.kind is tree.NodeKind.LOAN and node.record == ("Loan", number)
    assert node.label == f"Service upgrade loan {number} — 10,000.00 from 2025-01-10, payoff " \
        "10,000.00"
    assert node.status == "Active"
