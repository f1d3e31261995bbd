"""Quotes where a CSR looks first (spec/40 §7, SQLite and PostgreSQL): Control Central's quotes
zone and its two alerts, and the account tree's Quotes and Proposal SAs folders; all of them
hidden when the Contract Management module is switched off."""

from __future__ import annotations

import datetime as dt

from app.db import Database
from app.services import account_tree as tree
from app.services import control_central as cc
from app.services import quotes
from app.services.installation import Module, set_module_enabled
from tests.conftest import ADMIN, CSR
from tests.services.quote_fixtures import make_prospect

ON = dt.date.today()


def test_the_quotes_zone_and_alerts(db: Database) -> None:
    prospect = make_prospect(db)
    view = cc.account_dashboard(db, prospect.account, on=ON)
    assert "quotes" not in [z.key for z in view.zones]       # no quote yet: no zone
    texts = [a.text for a in view.alerts]
    assert "Account has 2 quotable proposal SAs" in texts
    quote = quotes.generate(db, CSR, prospect.account).quote
    assert quote is not None
    view = cc.account_dashboard(db, prospect.account, on=ON)
    (zone,) = [z for z in view.zones if z.key == "quotes"]
    assert zone.link_kind == "Quote" and zone.columns[-1] == "Lowest option USD"
    lowest = quote.lowest
    assert lowest is not None and lowest.total == min(d.total for d in quote.details)
    assert zone.rows == ((quote.number, "Pending", f"{quote.expires_at:%Y-%m-%d}", "2",
                          f"{lowest.total:,}"),)
    alert = next(a for a in view.alerts if a.code == "AL-QUOTE")
    assert alert.text == "Account has 1 pending quote" and alert.drill == ("Quote", quote.number)
    set_module_enabled(db, ADMIN, Module.CONTRACT_MANAGEMENT, False)
    view = cc.account_dashboard(db, prospect.account, on=ON)
    assert not [z for z in view.zones if z.key == "quotes"]
    assert not [a for a in view.alerts if a.code in ("AL-QUOTE", "AL-PROPOSAL")]


def test_the_account_tree_shows_quotes_and_proposals_with_their_details(db: Database) -> None:
    prospect = make_prospect(db)
    quote = quotes.generate(db, CSR, prospect.account).quote
    assert quote is not None
    (root,) = tree.tree_roots(db, account_number=prospect.account)
    account = next(n for n in tree.children(db, root) if n.kind is tree.NodeKind.ACCOUNT)
    folders = {n.kind: n for n in tree.children(db, account)}
    assert folders[tree.NodeKind.QUOTES].child_count == 1
    assert folders[tree.NodeKind.PROPOSALS].child_count == 2
    (node,) = tree.children(db, folders[tree.NodeKind.QUOTES])
    assert node.record == ("Quote", quote.number) and node.status == "Pending"
    assert "2 options" in node.label
    proposals = tree.children(db, folders[tree.NodeKind.PROPOSALS])
    assert {p.key for p in proposals} == {prospect.option_1, prospect.option_2}
    assert all(p.status == "Quotable" and p.child_count == 1 for p in proposals)
    (detail,) = tree.children(db, proposals[0])
    assert detail.record == ("Quote", quote.number)
    total = quote.detail(detail.key).total
    assert detail.label.endswith(f"{total:,.2f}")
    set_module_enabled(db, ADMIN, Module.CONTRACT_MANAGEMENT, False)
    account = next(n for n in tree.children(db, root) if n.kind is tree.NodeKind.ACCOUNT)
    assert not {tree.NodeKind.QUOTES, tree.NodeKind.PROPOSALS} & {
        n.kind for n in tree.children(db, account)}
    assert account.child_count == len(tree.children(db, account))
    # the real agreements' nodes never show a proposal
    premises = [n for n in tree.children(db, account) if n.kind is tree.NodeKind.PREMISE]
    for premise in premises:
        for sp in tree.children(db, premise):
            assert all(sa.key not in (prospect.option_1, prospect.option_2)
                       for sa in tree.children(db, sp))
