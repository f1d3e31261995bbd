"""The account tree: levels, labels, counts, history and actions, on real rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select, text, update

from app.db import Database
from app.demo import generate
from app.models import Party
from app.models.enums import (
    CorrespondenceType,
    PartyStatus,
    PremiseType,
    RoleTarget,
    RoleType,
    ServiceType,
)
from app.services import account_tree as tree
from app.services import accounts, parties, premises, roles, service_points
from app.services import service_agreements as sas
from app.services.account_tree import NodeKind, TreeNode
from app.services.accounts import AccountForm
from app.services.errors import NotFound
from app.services.parties import MailingAddress, PersonForm
from app.services.premises import PremiseForm
from app.services.roles import RoleForm
from app.services.service_agreements import ServiceAgreementForm
from app.services.service_points import MeterForm, RegisterForm
from tests.conftest import CSR, SUPERVISOR
from tests.services.builders import START, company, household

OPEN = tree.ACTION_OPEN_CONTROL_CENTRAL


@dataclass
class Home:
    party: str
    customer: str
    account: str
    premise: str
    electric_sp: str
    gas_sp: str
    electric_sa: str
    gas_sa: str


def _home(db: Database) -> Home:
    """Okafor's house: electric active since 2025-01-01 on a TOU meter, gas stopped on
    2025-03-31, and the first electric meter exchanged on 2025-02-01."""
    h = household(db)
    service_points.register_meter(db, SUPERVISOR, MeterForm(
        "E-OLD-1", "E-STD", ServiceType.ELECTRIC, (RegisterForm("KWH", 5),)))
    service_points.register_meter(db, SUPERVISOR, MeterForm(
        "E-TOU-1", "E-TOU", ServiceType.ELECTRIC,
        (RegisterForm("KWH", 6, "ON"), RegisterForm("KWH", 6, "OFF"))))
    service_points.install_device(db, CSR, h.electric_sp, "E-OLD-1", START)
    service_points.remove_device(db, CSR, h.electric_sp, "E-OLD-1", dt.date(2025, 2, 1))
    service_points.install_device(db, CSR, h.electric_sp, "E-TOU-1", dt.date(2025, 2, 1))
    electric = sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        h.account, "E-RES", ServiceType.ELECTRIC, (h.electric_sp,), START, "E-RES-1"))
    electric = sas.activate(db, CSR, electric.number, electric.version)
    gas = sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        h.account, "G-RES", ServiceType.GAS, (h.gas_sp,), START, "G-RES-1"))
    gas = sas.activate(db, CSR, gas.number, gas.version)
    gas = sas.request_stop(db, CSR, gas.number, gas.version, dt.date(2025, 3, 31))
    sas.complete_stop(db, CSR, gas.number, gas.version)
    return Home(h.party, h.customer, h.account, h.premise, h.electric_sp, h.gas_sp,
                electric.number, gas.number)


def _kids(db: Database, node: TreeNode, history: bool = False) -> list[TreeNode]:
    return tree.children(db, node, show_history=history)


def _one(nodes: list[TreeNode], kind: NodeKind) -> TreeNode:
    found = [n for n in nodes if n.kind is kind]
    assert len(found) == 1, nodes
    return found[0]


def test_customer_account_premise_levels_with_labels_counts_and_actions(db) -> None:  # type: ignore[no-untyped-def]
    home = _home(db)
    [root] = tree.tree_roots(db, account_number=home.account)
    assert (root.kind, root.key, root.label) == (
        NodeKind.CUSTOMER, home.customer, f"Customer {home.customer} — Okafor, Ngozi")
    assert (root.status, root.child_count, root.actions, root.account_number, root.record) == (
        "Active", 1, (OPEN,), home.account, ("Customer", home.customer))

    [account] = _kids(db, root)
    assert account.label == f"Account {home.account} — Home [Consolidated]"
    assert account.child_count == 2  # roles folder + one premise
    assert account.actions == (OPEN, tree.ACTION_ADD_ROLE, tree.ACTION_ADD_SUBSCRIPTION)
    assert (account.record, account.account_number, account.historic) == (
        ("Account", home.account), home.account, False)

    folder, premise = _kids(db, account)
    assert (folder.kind, folder.label, folder.child_count, folder.actions) == (
        NodeKind.ROLES, "Parties & roles", 2, (tree.ACTION_ADD_ROLE,))
    assert [(r.label, r.status, r.record) for r in _kids(db, folder)] == [
        ("Okafor, Ngozi — Owner", "Current", ("Person", home.party)),
        (f"Okafor, Ngozi — Holder of agreement {home.electric_sa}", "Current",
         ("Person", home.party)),
    ]
    assert premise.label == "Premise 12 Elm St, Springfield 62701"
    assert (premise.child_count, premise.record, premise.account_number) == (
        2, ("Premise", home.premise), home.account)
    assert premise.actions == (tree.ACTION_START_SERVICE, tree.ACTION_ASSIGN_PARENT,
                               tree.ACTION_ASSIGN_LANDLORD)

    electric, gas = _kids(db, premise)
    assert (electric.kind, electric.label, electric.child_count) == (
        NodeKind.SERVICE_POINT, f"SP Electric {home.electric_sp}", 2)  # the SA and a meter
    assert (gas.label, gas.child_count) == (f"SP Gas {home.gas_sp}", 0)  # its SA is stopped
    sa, meter = _kids(db, electric)
    assert sa.label == f"SA {home.electric_sa} E-RES Active 2025-01-01– (rate E-RES-1)"
    assert (sa.status, sa.actions, sa.child_count, sa.record, sa.historic) == (
        "Active", (tree.ACTION_STOP_SERVICE,), 0, ("Service agreement", home.electric_sa), False)
    assert (meter.label, meter.status, meter.child_count) == (
        "Meter E-TOU-1 (E-TOU)", "Installed", 2)
    assert [r.label for r in _kids(db, meter)] == ["Register 1 KWH ON", "Register 2 KWH OFF"]
    assert _kids(db, sa) == []


def test_history_shows_stopped_agreements_removed_meters_and_ended_roles(db) -> None:  # type: ignore[no-untyped-def]
    home = _home(db)
    [root] = tree.tree_roots(db, account_number=home.account, show_history=True)
    [account] = _kids(db, root, True)
    folder, premise = _kids(db, account, True)
    holder = _kids(db, folder, True)[1]
    assert holder.label == "Okafor, Ngozi — Holder of 1 agreement (+1 ended)"
    electric, gas = _kids(db, premise, True)
    assert (electric.child_count, gas.child_count) == (3, 1)  # + the removed meter
    [stopped] = _kids(db, gas, True)
    assert stopped.label == f"SA {home.gas_sa} G-RES Stopped 2025-01-01–2025-03-31 (rate G-RES-1)"
    assert (stopped.historic, stopped.actions) == (True, ())
    old, new = (n for n in _kids(db, electric, True) if n.kind is NodeKind.METER)
    assert (old.label, old.status, old.historic) == (
        "Meter E-OLD-1 (E-STD), 2025-01-01–2025-02-01", "Removed", True)
    assert (new.label, new.historic) == ("Meter E-TOU-1 (E-TOU)", False)


def test_an_account_with_only_past_agreements_at_a_premise_shows_it_only_with_history(db) -> None:  # type: ignore[no-untyped-def]
    home = _home(db)
    other = premises.create_premise(db, CSR, PremiseForm(PremiseType.HOUSE, "3 Ash Ct",
                                                         "Springfield", "62702"))
    sp = service_points.create_service_point(db, CSR, other.number, ServiceType.WATER)
    sa = sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        home.account, "W-RES", ServiceType.WATER, (sp.number,), START, "W-RES-1"))
    sas.cancel(db, CSR, sa.number, sa.version)
    account = _kids(db, tree.tree_roots(db, account_number=home.account)[0])[0]
    assert [n.label for n in _kids(db, account) if n.kind is NodeKind.PREMISE] == [
        "Premise 12 Elm St, Springfield 62701"]
    account = _kids(db, tree.tree_roots(db, account_number=home.account, show_history=True)[0],
                    True)[0]
    assert account.child_count == 3
    ash = _kids(db, account, True)[2]  # addresses sort as text: "12 Elm" < "3 Ash"
    assert (ash.label, ash.historic) == ("Premise 3 Ash Ct, Springfield 62702", True)
    [water] = _kids(db, ash, True)
    [canceled] = _kids(db, water, True)
    assert (canceled.status, canceled.historic) == ("Canceled", True)


def _person(db: Database, last: str, first: str) -> str:
    return parties.create_person(db, CSR, PersonForm(
        last_name=last, first_name=first,
        address=MailingAddress(line1="1 Main St", city="Springfield", postal_code="62701"),
    )).number


def _company_account(db: Database, name: str) -> tuple[str, str]:
    party, customer = company(db, name)
    return party, accounts.open_account(db, CSR, AccountForm(customer, START, name)).number


def test_a_consultant_sees_the_accounts_of_unrelated_companies(db) -> None:  # type: ignore[no-untyped-def]
    consultant = _person(db, "Gutierrez", "Emily")
    acme_party, acme = _company_account(db, "Acme Foods Ltd.")
    cafe_party, cafe = _company_account(db, "Trinity Cafe Co.")
    old_party, old = _company_account(db, "Bygone Mills Inc.")
    for party, account in ((acme_party, acme), (cafe_party, cafe), (old_party, old)):
        roles.add_role(db, CSR, RoleForm(consultant, RoleType.ADMINISTRATOR, RoleTarget.ACCOUNT,
                                         account, START, granted_by_party_number=party))
    ended = [r for r in roles.roles_on(db, RoleTarget.ACCOUNT, old)
             if r.role_type is RoleType.ADMINISTRATOR][0]
    roles.end_role(db, CSR, ended.id, ended.version, dt.date(2025, 1, 31))

    [root] = tree.tree_roots(db, party_number=consultant)
    assert (root.kind, root.label, root.child_count, root.record) == (
        NodeKind.PARTY, f"Person {consultant} — Gutierrez, Emily", 2, ("Person", consultant))
    assert (root.actions, root.account_number) == ((OPEN,), acme)
    shown = _kids(db, root)
    assert [(n.label, n.account_number) for n in shown] == [
        (f"Account {acme} — Acme Foods Ltd. [Consolidated] — Administrator", acme),
        (f"Account {cafe} — Trinity Cafe Co. [Consolidated] — Administrator", cafe),
    ]
    folder = _kids(db, shown[0])[0]
    assert [n.label for n in _kids(db, folder)] == [
        "Acme Foods Ltd. — Owner",
        "Gutierrez, Emily — Administrator (granted by Acme Foods Ltd.)",
    ]
    [root] = tree.tree_roots(db, party_number=consultant, show_history=True)
    assert root.child_count == 3
    last = _kids(db, root, True)[2]
    assert (last.label, last.historic) == (
        f"Account {old} — Bygone Mills Inc. [Consolidated] — Administrator (ended)", True)
    folder = _kids(db, last, True)[0]
    assert [n.label for n in _kids(db, folder, True)] == [
        "Bygone Mills Inc. — Owner",
        "Gutierrez, Emily — Administrator (granted by Bygone Mills Inc.), 2025-01-01–2025-01-31",
    ]


def test_a_merged_party_is_not_a_tree_root(db) -> None:  # type: ignore[no-untyped-def]
    home = _home(db)
    twin = _person(db, "Okafor", "N.")
    with db.sessions.begin() as session:
        survivor = session.scalar(select(Party.id).where(Party.number == home.party))
        session.execute(update(Party).where(Party.number == twin)
                        .values(status=PartyStatus.MERGED, merged_into_party_id=survivor))
    with pytest.raises(NotFound, match=f"merged into Okafor, Ngozi \\({home.party}\\)"):
        tree.tree_roots(db, party_number=twin)


def test_parent_premise_landlord_and_child_premises(db) -> None:  # type: ignore[no-untyped-def]
    owner, account = _company_account(db, "Tower Estates LLC")
    agreement = premises.create_landlord_agreement(db, CSR, owner, account, "Tower apartments")
    building = premises.create_premise(db, CSR, PremiseForm(
        PremiseType.APARTMENT_BUILDING, "5 Tower Rd", "Springfield", "62701"))
    units = [premises.create_premise(db, CSR, PremiseForm(
        PremiseType.APARTMENT, "5 Tower Rd", "Springfield", "62701", address_line2=f"Unit {n}",
        parent_premise_number=building.number)) for n in (1, 2)]
    for p in (building, *units):
        premises.assign_landlord(db, CSR, p.number, p.version, agreement.number)
    common = service_points.create_service_point(db, CSR, building.number, ServiceType.ELECTRIC,
                                                 external_pod_ref="US-E-0000000777")
    vacant = service_points.create_service_point(db, CSR, units[0].number, ServiceType.ELECTRIC)
    for sp, code in ((common, "E-COM"), (vacant, "E-RES")):
        sas.create_service_agreement(db, CSR, ServiceAgreementForm(
            account, code, ServiceType.ELECTRIC, (sp.number,), START, f"{code}-1"))

    account_node = _kids(db, tree.tree_roots(db, account_number=account)[0])[0]
    _roles, top, unit = _kids(db, account_node)
    assert top.label == "Premise 5 Tower Rd, Springfield 62701 [landlord: Tower apartments]"
    assert top.child_count == 2  # the child premises folder and the common-area SP
    assert top.actions == (tree.ACTION_START_SERVICE, tree.ACTION_ASSIGN_PARENT,
                           tree.ACTION_ASSIGN_LANDLORD, tree.ACTION_REMOVE_LANDLORD)
    assert unit.label == ("Premise 5 Tower Rd, Unit 1, Springfield 62701 [parent: 5 Tower Rd] "
                          "[landlord: Tower apartments]")
    assert unit.actions == (tree.ACTION_START_SERVICE, tree.ACTION_ASSIGN_PARENT,
                            tree.ACTION_REMOVE_PARENT, tree.ACTION_ASSIGN_LANDLORD,
                            tree.ACTION_REMOVE_LANDLORD)
    folder, sp = _kids(db, top)
    assert (folder.kind, folder.label, folder.child_count, folder.account_number) == (
        NodeKind.CHILD_PREMISES, "Child premises", 2, account)
    assert sp.label == "SP Electric US-E-0000000777"
    [sa] = _kids(db, sp)
    assert sa.label.endswith("E-COM Pending start 2025-01-01– (rate E-COM-1)")
    assert sa.actions == (tree.ACTION_STOP_SERVICE,)
    children = _kids(db, folder)
    assert [(c.label, c.child_count) for c in children] == [
        ("Premise 5 Tower Rd, Unit 1, Springfield 62701 [parent: 5 Tower Rd] "
         "[landlord: Tower apartments]", 1),
        ("Premise 5 Tower Rd, Unit 2, Springfield 62701 [parent: 5 Tower Rd] "
         "[landlord: Tower apartments]", 0),
    ]
    assert all(c.account_number == account for c in children)


def test_subscriptions_folder_appears_when_the_account_has_one(db) -> None:  # type: ignore[no-untyped-def]
    home = _home(db)
    account = _kids(db, tree.tree_roots(db, account_number=home.account)[0])[0]
    assert [n.kind for n in _kids(db, account)] == [NodeKind.ROLES, NodeKind.PREMISE]
    accounts.add_subscription(db, CSR, home.account, "Family@Example.com",
                              {CorrespondenceType.BILL, CorrespondenceType.STATEMENT}, START,
                              display_name="Okafor family")
    accounts.add_subscription(db, CSR, home.account, "old@example.com",
                              {CorrespondenceType.BILL}, START, dt.date(2025, 1, 31))
    account = _kids(db, tree.tree_roots(db, account_number=home.account)[0])[0]
    assert account.child_count == 3
    folder = _kids(db, account)[-1]
    assert (folder.kind, folder.child_count, folder.actions) == (
        NodeKind.SUBSCRIPTIONS, 1, (tree.ACTION_ADD_SUBSCRIPTION,))
    assert [n.label for n in _kids(db, folder)] == [
        "family@example.com — Okafor family (Bill, Statement)"]
    folder = _kids(db, _kids(db, tree.tree_roots(db, account_number=home.account,
                                                 show_history=True)[0], True)[0], True)[-1]
    assert [(n.label, n.historic) for n in _kids(db, folder, True)] == [
        ("family@example.com — Okafor family (Bill, Statement)", False),
        ("old@example.com (Bill), 2025-01-01–2025-01-31", True),
    ]


def test_a_long_level_ends_with_a_more_node(db, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    home = _home(db)
    for n in (1, 2, 3):
        premises.create_premise(db, CSR, PremiseForm(
            PremiseType.HOUSE, "12 Elm St", "Springfield", "62701", address_line2=f"Annex {n}",
            parent_premise_number=home.premise))
    monkeypatch.setattr(tree, "MAX_CHILDREN", 2)
    account = _kids(db, tree.tree_roots(db, account_number=home.account)[0])[0]
    premise = _kids(db, account)[1]
    folder = _kids(db, premise)[0]
    assert folder.child_count == 3
    shown = _kids(db, folder)
    assert [n.kind for n in shown] == [NodeKind.PREMISE, NodeKind.PREMISE, NodeKind.MORE]
    assert (shown[2].label, shown[2].record, shown[2].actions) == (
        "… 1 more — open in Control Central", ("Premise", home.premise), (OPEN,))


def _walk(db: Database, node: TreeNode, history: bool, seen: dict[NodeKind, int]) -> None:
    seen[node.kind] = seen.get(node.kind, 0) + 1
    found = tree.children(db, node, show_history=history)
    assert len(found) == node.child_count, node
    for child in found:
        assert child.account_number is not None or child.kind is NodeKind.ACCOUNT
        assert history or not child.historic, child
        _walk(db, child, history, seen)


@pytest.mark.parametrize("history", [False, True])
def test_every_count_matches_the_children_listed_on_a_demo_utility(db, history: bool) -> None:  # type: ignore[no-untyped-def]
    generate(db, 60, seed=7)
    with db.engine.connect() as conn:
        numbers = [row[0] for row in conn.execute(text(
            "SELECT a.number FROM account a WHERE a.id IN (SELECT min(id) FROM account "
            "GROUP BY customer_id) ORDER BY a.id"))]
        consultant = conn.execute(text(
            "SELECT p.number FROM party p JOIN party_role r ON r.party_id = p.id "
            "WHERE r.comments = 'Energy consultant' ORDER BY p.id")).first()
    seen: dict[NodeKind, int] = {}
    for number in numbers:
        for root in tree.tree_roots(db, account_number=number, show_history=history):
            _walk(db, root, history, seen)
    assert {NodeKind.CUSTOMER, NodeKind.ACCOUNT, NodeKind.ROLES, NodeKind.ROLE,
            NodeKind.PREMISE, NodeKind.CHILD_PREMISES, NodeKind.SERVICE_POINT,
            NodeKind.SERVICE_AGREEMENT, NodeKind.METER, NodeKind.REGISTER,
            NodeKind.SUBSCRIPTIONS, NodeKind.SUBSCRIPTION} <= set(seen)
    assert consultant is not None
    [root] = tree.tree_roots(db, party_number=consultant[0], show_history=history)
    companies = tree.children(db, root, show_history=history)
    assert len(companies) == root.child_count >= 2
    customers = {tree.tree_roots(db, account_number=c.key)[0].key for c in companies}
    assert len(customers) == len(companies)  # unrelated companies, one customer each
    assert all(c.label.endswith("— Administrator") for c in companies)
