"""The account tree's loan nodes: under an account, a "Loans" folder with its loan agreements
(loans have no service point, so they hang off the account), each opening the loan pane."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from app.models import Account, LoanAgreement, LoanSAType, LoanTransaction, ServiceAgreement
from app.models.enums import SAStatus
from app.services.common import get_by_number
from app.services.installation import Module, module_enabled_in

if TYPE_CHECKING:
    from app.services.account_tree import TreeNode, _Walk

#: Loans shown without history: open ones, and stopped ones that still owe their final bill.
OPEN_LOANS = (SAStatus.PENDING_START, SAStatus.ACTIVE, SAStatus.PENDING_STOP, SAStatus.STOPPED)


def _tree() -> Any:
    from app.services import account_tree

    return account_tree


def _filter(walk: _Walk) -> list[Any]:
    return [] if walk.history else [ServiceAgreement.status.in_(OPEN_LOANS)]


def _loans(account_ids: list[int]) -> Any:
    return (select(ServiceAgreement.account_id, func.count())
            .join(LoanAgreement, LoanAgreement.service_agreement_id == ServiceAgreement.id)
            .where(ServiceAgreement.account_id.in_(account_ids))
            .group_by(ServiceAgreement.account_id))


def loan_folder_counts(walk: _Walk, account_ids: list[int]) -> dict[int, int]:
    """1 for each account that shows a Loans folder."""
    if not account_ids or not module_enabled_in(walk.session, Module.LOANS):
        return {}
    rows = walk.session.execute(_loans(account_ids).where(*_filter(walk))).all()
    return {account_id: 1 for account_id, n in rows if n}


def loan_folders(walk: _Walk, account: Account) -> list[TreeNode]:
    t = _tree()
    counts = dict(walk.session.execute(_loans([account.id]).where(*_filter(walk))).all()) \
        if module_enabled_in(walk.session, Module.LOANS) else {}
    n = counts.get(account.id, 0)
    if not n:
        return []
    return [t.TreeNode(t.NodeKind.LOANS, f"{account.number}/loans", "Loans", "", n, (),
                       account.number)]


def loans_children(walk: _Walk, node: TreeNode) -> list[TreeNode]:
    t = _tree()
    session = walk.session
    account = get_by_number(session, Account, node.key.split("/")[0], "account", "account")
    payoff = (select(LoanTransaction.service_agreement_id.label("sa_id"),
                     func.sum(LoanTransaction.payoff_amount).label("payoff"))
              .group_by(LoanTransaction.service_agreement_id).subquery())
    rows = session.execute(
        select(ServiceAgreement.number, ServiceAgreement.status, ServiceAgreement.start_date,
               LoanSAType.description, LoanAgreement.loan_amount, payoff.c.payoff)
        .join(LoanAgreement, LoanAgreement.service_agreement_id == ServiceAgreement.id)
        .join(LoanSAType, LoanSAType.code == LoanAgreement.sa_type_code)
        .outerjoin(payoff, payoff.c.sa_id == ServiceAgreement.id)
        .where(ServiceAgreement.account_id == account.id, *_filter(walk))
        .order_by(ServiceAgreement.start_date.desc(), ServiceAgreement.id.desc())
        .limit(t.MAX_CHILDREN)).all()
    return [t.TreeNode(
        t.NodeKind.LOAN, number,
        f"{description} {number} — {amount:,.2f} from {start:%Y-%m-%d}, payoff "
        f"{Decimal(str(due or 0)).quantize(Decimal('0.01')):,}",
        status.label, 0, (), account.number, ("Loan", number),
        status in (SAStatus.CLOSED, SAStatus.CANCELED))
        for number, status, start, description, amount, due in rows]
