"""The account tree (spec/60 §A9): customer → accounts → premises → service points → service
agreements → meters → registers, and for a party every account it has a role on. Loaded one
level at a time: `children(db, node)` returns the next level with each child's count of
children, computed with one aggregated query per level.

    roots = tree_roots(db, account_number="2000000017")
    for node in children(db, roots[0]): ...

Shape: CUSTOMER or PARTY → ACCOUNT → ("Parties & roles" folder, the premises of the account's
agreements, "Subscriptions" folder); PREMISE → ("Child premises" folder, its service points);
SERVICE_POINT → (the walked account's agreements on it, the meters installed on it); METER →
REGISTER. Agreements, roles, registers and subscriptions are leaves.

History: without `show_history` only current things are listed — agreements pending start,
active or pending stop; roles not ended; open accounts; meters installed today; subscriptions
not ended. With it, closed, stopped, canceled and ended ones are listed too, flagged `historic`.

Bounds: a level lists at most MAX_CHILDREN nodes. When there are more, a last node of kind MORE
says how many were left out ("… 1,500 more — open in Control Central") and opens the parent's
record; the parent's `child_count` is always the true number of its children.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, distinct, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from app.db import Database
from app.models import (
    Account,
    Customer,
    DeviceInstallation,
    LandlordAgreement,
    Meter,
    Party,
    PartyRole,
    Premise,
    Register,
    ServiceAgreement,
    ServiceAgreementServicePoint,
    ServicePoint,
    Subscription,
)
from app.models.enums import (
    AccountStatus,
    ConsumerKind,
    CorrespondenceType,
    CustomerStatus,
    PartyKind,
    PartyStatus,
    RoleType,
    SAStatus,
    StrEnum,
)
from app.services.common import get_by_number
from app.services.context import read_only, today
from app.services.errors import NotFound
from app.services.service_agreements import rates_on


class NodeKind(StrEnum):
    CUSTOMER = "CUSTOMER"
    PARTY = "PARTY"                  # a party shown as a root: its accounts are its children
    ROLES = "ROLES"                  # folder "Parties & roles" of an account
    ROLE = "ROLE"
    ACCOUNT = "ACCOUNT"
    PREMISE = "PREMISE"
    CHILD_PREMISES = "CHILD_PREMISES"  # folder under a premise
    SERVICE_POINT = "SERVICE_POINT"
    SERVICE_AGREEMENT = "SERVICE_AGREEMENT"
    METER = "METER"
    REGISTER = "REGISTER"
    SUBSCRIPTIONS = "SUBSCRIPTIONS"  # folder of an account
    SUBSCRIPTION = "SUBSCRIPTION"
    QUOTES = "QUOTES"                # folder of an account: its quotes (spec/40 §7)
    QUOTE = "QUOTE"
    PROPOSALS = "PROPOSALS"          # folder of an account: its proposal SAs
    PROPOSAL = "PROPOSAL"
    QUOTE_DETAIL = "QUOTE_DETAIL"    # a proposal's priced option in a quote
    LOANS = "LOANS"                  # folder of an account: its loan agreements (spec/50 §2)
    LOAN = "LOAN"
    CASES = "CASES"                  # folder of an account: its cases (spec/50 §5)
    CASE = "CASE"
    #: The last node of a level cut at MAX_CHILDREN: "… 1,500 more — open in Control Central".
    MORE = "MORE"


@dataclass(frozen=True)
class TreeNode:
    kind: NodeKind
    #: What identifies the node to `children` and to actions: a 10-digit number, a badge, or
    #: "<parent key>/<n>" for folders and rows without a number.
    key: str
    label: str
    #: Status shown as a badge and colour: "Active", "Pending start", "Closed"…; "" for none.
    status: str
    child_count: int
    #: Context-menu actions this node offers (ACTION_* names below).
    actions: tuple[str, ...] = ()
    #: The account the node belongs to, when there is one (for actions and the context).
    account_number: str | None = None
    #: Record kind and number the record pane opens on double-click, if any.
    record: tuple[str, str] | None = None
    #: Closed / stopped / ended: shown greyed (only listed when history is shown).
    historic: bool = False


ACTION_OPEN_CONTROL_CENTRAL = "open_control_central"
ACTION_START_SERVICE = "start_service"        # on a premise (under an account)
ACTION_STOP_SERVICE = "stop_service"          # on an active / pending-start SA
ACTION_ADD_ROLE = "add_role"                  # on an account or its roles folder
ACTION_ADD_SUBSCRIPTION = "add_subscription"  # on an account or its subscriptions folder
ACTION_ASSIGN_PARENT = "assign_parent_premise"
ACTION_REMOVE_PARENT = "remove_parent_premise"
ACTION_ASSIGN_LANDLORD = "assign_landlord"
ACTION_REMOVE_LANDLORD = "remove_landlord"

#: At most this many nodes per level (plus one MORE node saying how many were left out).
MAX_CHILDREN = 500
#: At most this many (account, role type) rows are read for a party's accounts.
MAX_PARTY_ROLE_ROWS = 5_000

CURRENT_SA = (SAStatus.PENDING_START, SAStatus.ACTIVE, SAStatus.PENDING_STOP)
STOPPABLE_SA = (SAStatus.PENDING_START, SAStatus.ACTIVE)
_ROLE_ORDER = {role: i for i, role in enumerate(RoleType)}

SSP = ServiceAgreementServicePoint


@dataclass(frozen=True)
class _Walk:
    session: Session
    on: dt.date
    history: bool

    def sa_filter(self) -> list[ColumnElement[bool]]:
        real = ServiceAgreement.is_proposal.is_(False)   # proposals have their own nodes
        return [real] if self.history else [real, ServiceAgreement.status.in_(CURRENT_SA)]

    def role_open(self) -> ColumnElement[bool]:
        return or_(PartyRole.effective_to.is_(None), PartyRole.effective_to >= self.on)

    def role_filter(self) -> list[ColumnElement[bool]]:
        return [] if self.history else [self.role_open()]

    def account_filter(self) -> list[ColumnElement[bool]]:
        return [] if self.history else [Account.status != AccountStatus.CLOSED]

    def subscription_filter(self) -> list[ColumnElement[bool]]:
        ended = Subscription.active_to
        return [] if self.history else [or_(ended.is_(None), ended >= self.on)]

    def installed_filter(self) -> list[ColumnElement[bool]]:
        removed = DeviceInstallation.removed_on
        return [] if self.history else [DeviceInstallation.installed_on <= self.on,
                                        or_(removed.is_(None), removed > self.on)]


# ------------------------------------------------------------------------------- public API


def tree_roots(db: Database, *, account_number: str | None = None,
               party_number: str | None = None, show_history: bool = False) -> list[TreeNode]:
    """The top of the tree: the account's customer, or the party (with its accounts below)."""
    if (account_number is None) == (party_number is None):
        raise ValueError("tree_roots needs exactly one of account_number and party_number")
    with read_only(db) as session:
        walk = _Walk(session, today(), show_history)
        if account_number is not None:
            return [_customer_root(walk, account_number)]
        assert party_number is not None
        return [_party_root(walk, party_number)]


def children(db: Database, node: TreeNode, *, show_history: bool = False) -> list[TreeNode]:
    """The next level under `node`, each child with its own count of children."""
    handler = _CHILDREN.get(node.kind)
    if handler is None:
        return []
    with read_only(db) as session:
        return handler(_Walk(session, today(), show_history), node)


# ------------------------------------------------------------------------------ helpers


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _party_record(kind: PartyKind, number: str) -> tuple[str, str]:
    return ("Person" if kind is PartyKind.PERSON else "Organisation", number)


def _more(parent: TreeNode, shown: int, total: int) -> list[TreeNode]:
    """The MORE node closing a level cut at MAX_CHILDREN, or nothing."""
    if total <= shown:
        return []
    actions = (ACTION_OPEN_CONTROL_CENTRAL,) if parent.account_number else ()
    return [TreeNode(NodeKind.MORE, f"{parent.key}/more",
                     f"… {total - shown:,} more — open in Control Central", "", 0, actions,
                     parent.account_number, parent.record)]


def _rows_and_total(rows: Sequence[Any]) -> tuple[list[Any], int]:
    """Rows whose last column is `count(*) OVER ()`: the rows without it, and that total."""
    if not rows:
        return [], 0
    return [row[:-1] for row in rows], int(rows[0][-1])


def _short_address(line1: str, line2: str | None) -> str:
    return f"{line1}, {line2}" if line2 else line1


def _grouped(session: Session, query: Any) -> dict[Any, int]:
    return {key: int(count) for key, count in session.execute(query)}


# ------------------------------------------------------------------------- customer / party


def _customer_root(walk: _Walk, account_number: str) -> TreeNode:
    session = walk.session
    account = get_by_number(session, Account, account_number, "account", "account")
    customer, party = session.execute(
        select(Customer, Party)
        .join(Party, Customer.legal_party_id == Party.id)
        .where(Customer.id == account.customer_id)
    ).one()
    count = session.scalar(select(func.count()).select_from(Account).where(
        Account.customer_id == customer.id, *walk.account_filter())) or 0
    return TreeNode(
        NodeKind.CUSTOMER, customer.number, f"Customer {customer.number} — {party.display_name}",
        customer.status.label, count, (ACTION_OPEN_CONTROL_CENTRAL,), account.number,
        ("Customer", customer.number), customer.status is CustomerStatus.INACTIVE,
    )


def _customer_children(walk: _Walk, node: TreeNode) -> list[TreeNode]:
    session = walk.session
    customer = get_by_number(session, Customer, node.key, "customer", "customer")
    rows, total = _rows_and_total(session.execute(
        select(Account, func.count().over())
        .where(Account.customer_id == customer.id, *walk.account_filter())
        .order_by(Account.setup_date, Account.id)
        .limit(MAX_CHILDREN)
    ).all())
    nodes = _account_nodes(walk, [row[0] for row in rows], {})
    return nodes + _more(node, len(nodes), total)


_Held = dict[int, tuple[set[RoleType], set[RoleType]]]


def _party_account_rows(walk: _Walk, party: Party) -> tuple[list[Account], int, _Held]:
    """The first accounts the party has a role on (on the account or on its agreements), how
    many there are, and per account id (role types held now, role types only held before)."""
    account_id = func.coalesce(PartyRole.account_id, ServiceAgreement.account_id)
    held: _Held = {}
    for acct_id, role_type, open_ in walk.session.execute(
        select(account_id, PartyRole.role_type, func.max(case((walk.role_open(), 1), else_=0)))
        .select_from(PartyRole)
        .outerjoin(ServiceAgreement, ServiceAgreement.id == PartyRole.service_agreement_id)
        .where(PartyRole.party_id == party.id, PartyRole.premise_id.is_(None),
               *walk.role_filter())
        .group_by(account_id, PartyRole.role_type)
        .order_by(account_id, PartyRole.role_type)  # the same first accounts every time
        .limit(MAX_PARTY_ROLE_ROWS)
    ):
        now, past = held.setdefault(int(acct_id), (set(), set()))
        (now if open_ else past).add(role_type)
    if not held:
        return [], 0, held
    rows, total = _rows_and_total(walk.session.execute(
        select(Account, func.count().over())
        .where(Account.id.in_(list(held)), *walk.account_filter())
        .order_by(Account.setup_date, Account.id)
        .limit(MAX_CHILDREN)
    ).all())
    return [row[0] for row in rows], total, held


def _get_party(session: Session, number: str) -> Party:
    party = get_by_number(session, Party, number, "person or organisation", "party")
    if party.status is PartyStatus.MERGED:
        survivor = session.get(Party, party.merged_into_party_id) if party.merged_into_party_id \
            else None
        into = f" into {survivor.display_name} ({survivor.number})" if survivor else ""
        raise NotFound(f"{party.display_name} ({party.number}) was merged{into}; open that "
                       "party instead.")
    return party


def _party_root(walk: _Walk, party_number: str) -> TreeNode:
    party = _get_party(walk.session, party_number)
    accounts, total, _held = _party_account_rows(walk, party)
    first = accounts[0].number if accounts else None
    return TreeNode(
        NodeKind.PARTY, party.number,
        f"{_party_record(party.kind, party.number)[0]} {party.number} — {party.display_name}",
        party.status.label, total, (ACTION_OPEN_CONTROL_CENTRAL,) if first else (), first,
        _party_record(party.kind, party.number), party.status is PartyStatus.INACTIVE,
    )


def _party_children(walk: _Walk, node: TreeNode) -> list[TreeNode]:
    party = _get_party(walk.session, node.key)
    accounts, total, held = _party_account_rows(walk, party)
    roles: dict[int, str] = {}
    for account in accounts:
        now, past = held[account.id]
        names = sorted(now or past, key=_ROLE_ORDER.__getitem__)
        roles[account.id] = ", ".join(r.label for r in names) + ("" if now else " (ended)")
    nodes = _account_nodes(walk, accounts, roles, ended={a for a, (now, _) in held.items()
                                                         if not now})
    return nodes + _more(node, len(nodes), total)


# ------------------------------------------------------------------------------ accounts


def _account_nodes(walk: _Walk, accounts: list[Account], roles: dict[int, str],
                   ended: set[int] | None = None) -> list[TreeNode]:
    """Account nodes with their child counts: the roles folder, one per premise of the
    account's agreements, and the subscriptions folder when there are subscriptions."""
    if not accounts:
        return []
    session = walk.session
    ids = [a.id for a in accounts]
    premises = _grouped(session, (
        select(ServiceAgreement.account_id, func.count(distinct(ServicePoint.premise_id)))
        .join(SSP, SSP.service_agreement_id == ServiceAgreement.id)
        .join(ServicePoint, ServicePoint.id == SSP.service_point_id)
        .where(ServiceAgreement.account_id.in_(ids), *walk.sa_filter())
        .group_by(ServiceAgreement.account_id)
    ))
    subscriptions = _grouped(session, (
        select(Subscription.account_id, func.count())
        .where(Subscription.account_id.in_(ids), *walk.subscription_filter())
        .group_by(Subscription.account_id)
    ))
    quote_folders_of = quote_folder_counts(walk, ids)
    loan_folders_of = loan_folder_counts(walk, ids)
    case_folders_of = case_folder_counts(walk, ids)
    nodes = []
    for a in accounts:
        label = f"Account {a.number}" + (f" — {a.description}" if a.description else "")
        label += f" [{a.invoicing_mode.label}]"
        if a.id in roles:
            label += f" — {roles[a.id]}"
        count = 1 + premises.get(a.id, 0) + (1 if subscriptions.get(a.id) else 0) \
            + quote_folders_of.get(a.id, 0) + loan_folders_of.get(a.id, 0) \
            + case_folders_of.get(a.id, 0)
        nodes.append(TreeNode(
            NodeKind.ACCOUNT, a.number, label, a.status.label, count,
            (ACTION_OPEN_CONTROL_CENTRAL, ACTION_ADD_ROLE, ACTION_ADD_SUBSCRIPTION), a.number,
            ("Account", a.number),
            a.status is AccountStatus.CLOSED or a.id in (ended or set()),
        ))
    return nodes


def _account_children(walk: _Walk, node: TreeNode) -> list[TreeNode]:
    session = walk.session
    account = get_by_number(session, Account, node.key, "account", "account")
    roles = _role_nodes(walk, account)
    nodes = [TreeNode(NodeKind.ROLES, f"{account.number}/roles", "Parties & roles", "",
                      len(roles), (ACTION_ADD_ROLE,), account.number)]
    live = func.max(case((ServiceAgreement.status.in_(CURRENT_SA), 1), else_=0))
    linked = (
        select(ServicePoint.premise_id.label("premise_id"), live.label("live"))
        .select_from(ServiceAgreement)
        .join(SSP, SSP.service_agreement_id == ServiceAgreement.id)
        .join(ServicePoint, ServicePoint.id == SSP.service_point_id)
        .where(ServiceAgreement.account_id == account.id, *walk.sa_filter())
        .group_by(ServicePoint.premise_id)
        .subquery()
    )
    premises = _premise_nodes(walk, account.number, linked.c.live,
                              lambda q: q.join(linked, linked.c.premise_id == Premise.id))
    nodes += premises[0]
    nodes += _more(node, len(premises[0]), premises[1])
    subscriptions = session.scalar(
        select(func.count()).select_from(Subscription)
        .where(Subscription.account_id == account.id, *walk.subscription_filter())
    ) or 0
    if subscriptions:
        nodes.append(TreeNode(NodeKind.SUBSCRIPTIONS, f"{account.number}/subscriptions",
                              "Subscriptions", "", subscriptions, (ACTION_ADD_SUBSCRIPTION,),
                              account.number))
    return nodes + quote_folders(walk, account) + loan_folders(walk, account) \
        + case_folders(walk, account)


# -------------------------------------------------------------------------- roles, subscriptions


def _role_nodes(walk: _Walk, account: Account) -> list[TreeNode]:
    """Open roles on the account (one node each) and on its agreements (one node per party
    and role type, e.g. "Okafor, Ngozi — Holder of 2 agreements"); owner first."""
    session = walk.session
    granter = aliased(Party)
    on_account = session.execute(
        select(PartyRole, Party.number, Party.display_name, Party.kind, granter.display_name)
        .join(Party, Party.id == PartyRole.party_id)
        .outerjoin(granter, granter.id == PartyRole.granted_by_party_id)
        .where(PartyRole.account_id == account.id, Party.status != PartyStatus.MERGED,
               *walk.role_filter())
        .order_by(PartyRole.effective_from, PartyRole.id)
        .limit(MAX_CHILDREN)
    ).all()
    open_count = func.sum(case((walk.role_open(), 1), else_=0))
    on_agreements = session.execute(
        select(Party.number, Party.display_name, Party.kind, PartyRole.role_type, func.count(),
               open_count, func.min(ServiceAgreement.number))
        .select_from(PartyRole)
        .join(ServiceAgreement, ServiceAgreement.id == PartyRole.service_agreement_id)
        .join(Party, Party.id == PartyRole.party_id)
        .where(ServiceAgreement.account_id == account.id, Party.status != PartyStatus.MERGED,
               *walk.role_filter(), *walk.sa_filter())
        .group_by(Party.number, Party.display_name, Party.kind, PartyRole.role_type)
        .limit(MAX_CHILDREN)
    ).all()
    keyed: list[tuple[tuple[int, int, str], TreeNode]] = []
    for role, number, name, kind, granted_by in on_account:
        ended = role.effective_to is not None and role.effective_to < walk.on
        status = "Ended" if ended else "Future" if role.effective_from > walk.on else "Current"
        label = f"{name} — {role.role_type.label}"
        if role.role_type is RoleType.ADMINISTRATOR and granted_by:
            label += f" (granted by {granted_by})"
        if status != "Current":
            label += f", {_date(role.effective_from)}–{_date(role.effective_to)}"
        node = TreeNode(NodeKind.ROLE, f"{account.number}/roles/{role.id}", label, status, 0, (),
                        account.number, _party_record(kind, number), status == "Ended")
        keyed.append(((_ROLE_ORDER[role.role_type], 0, name), node))
    for number, name, kind, role_type, count, open_, first_sa in on_agreements:
        open_ = int(open_ or 0)
        shown = open_ if open_ else int(count)
        what = (f"agreement {first_sa}" if count == 1
                else "1 agreement" if shown == 1 else f"{shown} agreements")
        label = f"{name} — {role_type.label} of {what}"
        if open_ and count > open_:
            label += f" (+{count - open_} ended)"
        node = TreeNode(NodeKind.ROLE, f"{account.number}/roles/{number}-{role_type.value}",
                        label, "Current" if open_ else "Ended", 0, (), account.number,
                        _party_record(kind, number), not open_)
        keyed.append(((_ROLE_ORDER[role_type], 1, name), node))
    keyed.sort(key=lambda pair: pair[0])
    return [node for _key, node in keyed]


def _roles_children(walk: _Walk, node: TreeNode) -> list[TreeNode]:
    account = get_by_number(walk.session, Account, node.key.split("/")[0], "account", "account")
    return _role_nodes(walk, account)


def _subscriptions_children(walk: _Walk, node: TreeNode) -> list[TreeNode]:
    session = walk.session
    account = get_by_number(session, Account, node.key.split("/")[0], "account", "account")
    rows, total = _rows_and_total(session.execute(
        select(Subscription, func.count().over())
        .where(Subscription.account_id == account.id, *walk.subscription_filter())
        .order_by(Subscription.active_from, Subscription.id)
        .limit(MAX_CHILDREN)
    ).all())
    nodes = []
    for (sub,) in rows:
        ended = sub.active_to is not None and sub.active_to < walk.on
        types = ", ".join(CorrespondenceType(t).label for t in sub.correspondence_types.split(","))
        label = sub.email + (f" — {sub.display_name}" if sub.display_name else "") + f" ({types})"
        if ended:
            label += f", {_date(sub.active_from)}–{_date(sub.active_to)}"
        nodes.append(TreeNode(NodeKind.SUBSCRIPTION, f"{account.number}/subscriptions/{sub.id}",
                              label, "Ended" if ended else "Active", 0, (), account.number,
                              None, ended))
    return nodes + _more(node, len(nodes), total)


# ------------------------------------------------------------------------------ premises


def _premise_nodes(walk: _Walk, account_number: str | None, live: Any,
                   narrow: Callable[[Any], Any]) -> tuple[list[TreeNode], int]:
    """Premise nodes of the rows `narrow` selects (first MAX_CHILDREN by address) and how
    many there are; `live` is 0 for a premise the account only had past agreements at."""
    session = walk.session
    parent = aliased(Premise)
    query = narrow(
        select(Premise, parent.address_line1, parent.address_line2,
               LandlordAgreement.description, live, func.count().over())
        .select_from(Premise)
    )
    rows, total = _rows_and_total(session.execute(
        query.outerjoin(parent, parent.id == Premise.parent_premise_id)
        .outerjoin(LandlordAgreement, LandlordAgreement.id == Premise.landlord_agreement_id)
        .order_by(Premise.address_line1, func.coalesce(Premise.address_line2, ""), Premise.id)
        .limit(MAX_CHILDREN)
    ).all())
    if not rows:
        return [], total
    ids = [row[0].id for row in rows]
    kids = _grouped(session, select(Premise.parent_premise_id, func.count())
                    .where(Premise.parent_premise_id.in_(ids)).group_by(Premise.parent_premise_id))
    points = _grouped(session, select(ServicePoint.premise_id, func.count())
                      .where(ServicePoint.premise_id.in_(ids)).group_by(ServicePoint.premise_id))
    nodes = []
    for premise, parent_line1, parent_line2, landlord, is_live in rows:
        label = (f"Premise {_short_address(premise.address_line1, premise.address_line2)}, "
                 f"{premise.city} {premise.postal_code}")
        if parent_line1:
            label += f" [parent: {_short_address(parent_line1, parent_line2)}]"
        if landlord:
            label += f" [landlord: {landlord}]"
        actions = (ACTION_START_SERVICE, ACTION_ASSIGN_PARENT,
                   *([ACTION_REMOVE_PARENT] if premise.parent_premise_id else []),
                   ACTION_ASSIGN_LANDLORD,
                   *([ACTION_REMOVE_LANDLORD] if premise.landlord_agreement_id else []))
        count = (1 if kids.get(premise.id) else 0) + points.get(premise.id, 0)
        nodes.append(TreeNode(NodeKind.PREMISE, premise.number, label, "", count,
                              actions if account_number else (), account_number,
                              ("Premise", premise.number), not is_live))
    return nodes, total


def _premise_children(walk: _Walk, node: TreeNode) -> list[TreeNode]:
    session = walk.session
    premise = get_by_number(session, Premise, node.key, "premise", "premise")
    nodes = []
    kids = session.scalar(select(func.count()).select_from(Premise)
                          .where(Premise.parent_premise_id == premise.id)) or 0
    if kids:
        nodes.append(TreeNode(NodeKind.CHILD_PREMISES, f"{premise.number}/children",
                              "Child premises", "", kids, (), node.account_number,
                              ("Premise", premise.number)))
    rows, total = _rows_and_total(session.execute(
        select(ServicePoint, func.count().over())
        .where(ServicePoint.premise_id == premise.id)
        .order_by(ServicePoint.service_type, ServicePoint.number)
        .limit(MAX_CHILDREN)
    ).all())
    points = [row[0] for row in rows]
    account_id = _account_id(session, node.account_number)
    ids = [sp.id for sp in points]
    agreements = _grouped(session, (
        select(SSP.service_point_id, func.count(distinct(ServiceAgreement.id)))
        .join(ServiceAgreement, ServiceAgreement.id == SSP.service_agreement_id)
        .where(SSP.service_point_id.in_(ids), ServiceAgreement.account_id == account_id,
               *walk.sa_filter())
        .group_by(SSP.service_point_id)
    )) if ids and account_id is not None else {}
    meters = _grouped(session, (
        select(DeviceInstallation.service_point_id,
               func.count(distinct(DeviceInstallation.meter_id)))
        .where(DeviceInstallation.service_point_id.in_(ids),
               DeviceInstallation.meter_id.is_not(None), *walk.installed_filter())
        .group_by(DeviceInstallation.service_point_id)
    )) if ids else {}
    for sp in points:
        label = f"SP {sp.service_type.label} {sp.external_pod_ref or sp.number}"
        if sp.consumer_kind is not ConsumerKind.IMPORT:
            label += f" ({sp.consumer_kind.label.lower()})"
        nodes.append(TreeNode(NodeKind.SERVICE_POINT, sp.number, label, "",
                              agreements.get(sp.id, 0) + meters.get(sp.id, 0), (),
                              node.account_number, ("Service point", sp.number)))
    return nodes + _more(node, len(points), total)


def _child_premises_children(walk: _Walk, node: TreeNode) -> list[TreeNode]:
    premise = get_by_number(walk.session, Premise, node.key.split("/")[0], "premise", "premise")
    found, total = _premise_nodes(
        walk, node.account_number, literal(1),
        lambda q: q.where(Premise.parent_premise_id == premise.id),
    )
    return found + _more(node, len(found), total)


def _account_id(session: Session, number: str | None) -> int | None:
    if number is None:
        return None
    return get_by_number(session, Account, number, "account", "account").id


# ---------------------------------------------------------------- service points, devices


def _service_point_children(walk: _Walk, node: TreeNode) -> list[TreeNode]:
    session = walk.session
    sp = get_by_number(session, ServicePoint, node.key, "service point", "service_point")
    account_id = _account_id(session, node.account_number)
    agreements = list(session.scalars(
        select(ServiceAgreement)
        .join(SSP, SSP.service_agreement_id == ServiceAgreement.id)
        .where(SSP.service_point_id == sp.id, ServiceAgreement.account_id == account_id,
               *walk.sa_filter())
        .order_by(ServiceAgreement.start_date, ServiceAgreement.id)
        .limit(MAX_CHILDREN)
    )) if account_id is not None else []
    rates = rates_on(session, agreements, walk.on)
    nodes = []
    for sa in agreements:
        label = (f"SA {sa.number} {sa.sa_type} {sa.status.label} "
                 f"{_date(sa.start_date)}–{_date(sa.end_date)}")
        if sa.id in rates:
            label += f" (rate {rates[sa.id]})"
        nodes.append(TreeNode(
            NodeKind.SERVICE_AGREEMENT, sa.number, label, sa.status.label, 0,
            (ACTION_STOP_SERVICE,) if sa.status in STOPPABLE_SA else (), node.account_number,
            ("Service agreement", sa.number), sa.status not in CURRENT_SA,
        ))
    installs = session.execute(
        select(DeviceInstallation, Meter)
        .join(Meter, Meter.id == DeviceInstallation.meter_id)
        .where(DeviceInstallation.service_point_id == sp.id, *walk.installed_filter())
        .order_by(DeviceInstallation.installed_on, DeviceInstallation.id)
        .limit(MAX_CHILDREN)
    ).all()
    latest: dict[int, tuple[DeviceInstallation, Meter]] = {}
    for install, meter in installs:
        latest[meter.id] = (install, meter)  # a meter installed twice: its last installation
    registers = _grouped(session, (
        select(Register.meter_id, func.count())
        .where(Register.meter_id.in_(list(latest))).group_by(Register.meter_id)
    )) if latest else {}
    for install, meter in latest.values():
        removed = install.removed_on is not None and install.removed_on <= walk.on
        label = f"Meter {meter.badge_number} ({meter.meter_type})"
        if removed:
            label += f", {_date(install.installed_on)}–{_date(install.removed_on)}"
        nodes.append(TreeNode(NodeKind.METER, meter.badge_number, label,
                              "Removed" if removed else "Installed", registers.get(meter.id, 0),
                              (), node.account_number, None, removed))
    return nodes


def _meter_children(walk: _Walk, node: TreeNode) -> list[TreeNode]:
    registers = walk.session.scalars(
        select(Register).join(Meter, Meter.id == Register.meter_id)
        .where(Meter.badge_number == node.key).order_by(Register.sequence)
        .limit(MAX_CHILDREN)
    )
    return [
        TreeNode(NodeKind.REGISTER, f"{node.key}/{r.sequence}",
                 f"Register {r.sequence} {r.uom}" + (f" {r.tou}" if r.tou else ""), "", 0, (),
                 node.account_number)
        for r in registers
    ]


from app.services.account_tree_cases import (  # noqa: E402  (they build TreeNodes)
    case_folder_counts,
    case_folders,
    cases_children,
)
from app.services.account_tree_loans import (  # noqa: E402  (they build TreeNodes)
    loan_folder_counts,
    loan_folders,
    loans_children,
)
from app.services.account_tree_quotes import (  # noqa: E402  (they build TreeNodes)
    proposal_children,
    proposals_children,
    quote_folder_counts,
    quote_folders,
    quotes_children,
)

_CHILDREN: dict[NodeKind, Callable[[_Walk, TreeNode], list[TreeNode]]] = {
    NodeKind.CUSTOMER: _customer_children,
    NodeKind.PARTY: _party_children,
    NodeKind.ACCOUNT: _account_children,
    NodeKind.ROLES: _roles_children,
    NodeKind.SUBSCRIPTIONS: _subscriptions_children,
    NodeKind.PREMISE: _premise_children,
    NodeKind.CHILD_PREMISES: _child_premises_children,
    NodeKind.SERVICE_POINT: _service_point_children,
    NodeKind.METER: _meter_children,
    NodeKind.QUOTES: quotes_children,
    NodeKind.PROPOSALS: proposals_children,
    NodeKind.PROPOSAL: proposal_children,
    NodeKind.LOANS: loans_children,
    NodeKind.CASES: cases_children,
}
