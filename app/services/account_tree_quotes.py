"""The account tree's quote nodes (spec/40 §7): under an account, a "Quotes" folder with its
open quotes (canceled ones greyed, closed ones only with history) and a "Proposal SAs" folder
with its proposals, each listing the quote details priced from it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from app.models import Account, ServiceAgreement
from app.models.enums import QuoteStatus, SAStatus, SimulatedSegmentStatus
from app.models.quotes import Quote, QuoteDetail, SimulatedSegment
from app.services.common import get_by_number
from app.services.installation import Module, module_enabled_in

if TYPE_CHECKING:
    from app.services.account_tree import TreeNode, _Walk

OPEN_QUOTES = (QuoteStatus.PENDING, QuoteStatus.COMPLETE, QuoteStatus.CANCELED)
OPEN_PROPOSALS = (SAStatus.PENDING, SAStatus.QUOTABLE, SAStatus.ACCEPTED, SAStatus.DECLINED)


def _tree() -> Any:
    from app.services import account_tree

    return account_tree


def _quote_filter(walk: _Walk) -> list[Any]:
    return [] if walk.history else [Quote.status.in_(OPEN_QUOTES)]


def _proposal_filter(walk: _Walk) -> list[Any]:
    return [] if walk.history else [ServiceAgreement.status.in_(OPEN_PROPOSALS)]


def quote_folders(walk: _Walk, account: Account) -> list[TreeNode]:
    """The Quotes and Proposal SAs folders of an account (only when it has some)."""
    t = _tree()
    session = walk.session
    if not module_enabled_in(session, Module.CONTRACT_MANAGEMENT):
        return []
    quotes = session.scalar(select(func.count()).select_from(Quote).where(
        Quote.account_id == account.id, *_quote_filter(walk))) or 0
    proposals = session.scalar(select(func.count()).select_from(ServiceAgreement).where(
        ServiceAgreement.account_id == account.id, ServiceAgreement.is_proposal.is_(True),
        *_proposal_filter(walk))) or 0
    nodes = []
    if quotes:
        nodes.append(t.TreeNode(t.NodeKind.QUOTES, f"{account.number}/quotes", "Quotes", "",
                                quotes, (), account.number))
    if proposals:
        nodes.append(t.TreeNode(t.NodeKind.PROPOSALS, f"{account.number}/proposals",
                                "Proposal SAs", "", proposals, (), account.number))
    return nodes


def quote_folder_counts(walk: _Walk, account_ids: list[int]) -> dict[int, int]:
    """How many of the two folders each account shows (for its node's child count)."""
    session = walk.session
    out: dict[int, int] = {}
    if not module_enabled_in(session, Module.CONTRACT_MANAGEMENT):
        return out
    for stmt in (
        select(Quote.account_id).where(Quote.account_id.in_(account_ids), *_quote_filter(walk))
        .group_by(Quote.account_id),
        select(ServiceAgreement.account_id).where(
            ServiceAgreement.account_id.in_(account_ids),
            ServiceAgreement.is_proposal.is_(True), *_proposal_filter(walk))
        .group_by(ServiceAgreement.account_id),
    ):
        for account_id in session.scalars(stmt):
            out[account_id] = out.get(account_id, 0) + 1
    return out


def _totals() -> Any:
    return (select(QuoteDetail.quote_id.label("quote_id"),
                   func.count(func.distinct(QuoteDetail.id)).label("options"),
                   func.coalesce(func.sum(SimulatedSegment.amount), 0).label("total"))
            .outerjoin(SimulatedSegment,
                       (SimulatedSegment.quote_detail_id == QuoteDetail.id)
                       & (SimulatedSegment.status == SimulatedSegmentStatus.OK))
            .group_by(QuoteDetail.quote_id).subquery())


def quotes_children(walk: _Walk, node: TreeNode) -> list[TreeNode]:
    t = _tree()
    session = walk.session
    account = get_by_number(session, Account, node.key.split("/")[0], "account", "account")
    totals = _totals()
    rows = session.execute(
        select(Quote, totals.c.options).outerjoin(totals, totals.c.quote_id == Quote.id)
        .where(Quote.account_id == account.id, *_quote_filter(walk))
        .order_by(Quote.created_at.desc(), Quote.id.desc()).limit(t.MAX_CHILDREN)).all()
    return [t.TreeNode(
        t.NodeKind.QUOTE, q.number,
        f"Quote {q.number} — {options or 0} option{'s' if options != 1 else ''}, valid until "
        f"{q.expires_at:%Y-%m-%d}", q.status.label, 0, (), account.number, ("Quote", q.number),
        q.status in (QuoteStatus.CANCELED, QuoteStatus.CLOSED)) for q, options in rows]


def proposals_children(walk: _Walk, node: TreeNode) -> list[TreeNode]:
    t = _tree()
    session = walk.session
    account = get_by_number(session, Account, node.key.split("/")[0], "account", "account")
    details = (select(QuoteDetail.service_agreement_id.label("sa_id"),
                      func.count().label("n")).group_by(QuoteDetail.service_agreement_id)
               .subquery())
    rows = session.execute(
        select(ServiceAgreement, details.c.n)
        .outerjoin(details, details.c.sa_id == ServiceAgreement.id)
        .where(ServiceAgreement.account_id == account.id,
               ServiceAgreement.is_proposal.is_(True), *_proposal_filter(walk))
        .order_by(ServiceAgreement.id).limit(t.MAX_CHILDREN)).all()
    return [t.TreeNode(
        t.NodeKind.PROPOSAL, sa.number,
        f"Proposal {sa.number} — {sa.sa_type} from {sa.start_date:%Y-%m-%d}", sa.status.label,
        int(n or 0), (), account.number, None,
        sa.status in (SAStatus.CANCELED, SAStatus.DECLINED)) for sa, n in rows]


def proposal_children(walk: _Walk, node: TreeNode) -> list[TreeNode]:
    """The quote details priced from a proposal: which quote, its status and total."""
    t = _tree()
    session = walk.session
    sa = get_by_number(session, ServiceAgreement, node.key, "proposal SA", "proposal")
    total = func.coalesce(func.sum(SimulatedSegment.amount), 0)
    rows = session.execute(
        select(QuoteDetail.number, Quote.number, Quote.status, total)
        .join(Quote, Quote.id == QuoteDetail.quote_id)
        .outerjoin(SimulatedSegment,
                   (SimulatedSegment.quote_detail_id == QuoteDetail.id)
                   & (SimulatedSegment.status == SimulatedSegmentStatus.OK))
        .where(QuoteDetail.service_agreement_id == sa.id)
        .group_by(QuoteDetail.number, Quote.number, Quote.status, Quote.id)
        .order_by(Quote.id).limit(t.MAX_CHILDREN)).all()
    return [t.TreeNode(
        t.NodeKind.QUOTE_DETAIL, detail,
        f"Quote {quote} · option {detail} · {total:,.2f}", status.label, 0, (),
        node.account_number, ("Quote", quote),
        status in (QuoteStatus.CANCELED, QuoteStatus.CLOSED))
        for detail, quote, status, total in rows]


__all__ = ["proposal_children", "proposals_children", "quote_folder_counts", "quote_folders",
           "quotes_children"]
