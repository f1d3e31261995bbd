"""The account tree's case nodes (spec/50 §5, issue 11): under an account, a "Cases" folder
with the account's cases — the open ones, or all of them when history is shown — newest
first, each opening the Cases pane. Nothing while the Cases module is off."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select

from app.models import Account, Case, CaseType, CaseTypeStatus
from app.services.common import get_by_number
from app.services.installation import Module, module_enabled_in

if TYPE_CHECKING:
    from app.services.account_tree import TreeNode, _Walk

#: The record kind a case node opens (the Cases pane).
CASE = "Case"


def _tree() -> Any:
    from app.services import account_tree

    return account_tree


def _filter(walk: _Walk) -> list[Any]:
    return [] if walk.history else [Case.closed_at.is_(None)]


def _counts(walk: _Walk, account_ids: list[int]) -> dict[int, int]:
    if not account_ids or not module_enabled_in(walk.session, Module.CASES):
        return {}
    rows = walk.session.execute(
        select(Case.account_id, func.count())
        .where(Case.account_id.in_(account_ids), *_filter(walk))
        .group_by(Case.account_id)).all()
    return {int(account_id): int(n) for account_id, n in rows if account_id is not None and n}


def case_folder_counts(walk: _Walk, account_ids: list[int]) -> dict[int, int]:
    """1 for each account that shows a Cases folder."""
    return dict.fromkeys(_counts(walk, account_ids), 1)


def case_folders(walk: _Walk, account: Account) -> list[TreeNode]:
    t = _tree()
    n = _counts(walk, [account.id]).get(account.id, 0)
    if not n:
        return []
    return [t.TreeNode(t.NodeKind.CASES, f"{account.number}/cases", "Cases", "", n, (),
                       account.number)]


def cases_children(walk: _Walk, node: TreeNode) -> list[TreeNode]:
    t = _tree()
    session = walk.session
    account = get_by_number(session, Account, node.key.split("/")[0], "account", "account")
    rows = session.execute(
        select(Case.number, Case.opened_at, Case.closed_at, CaseType.description,
               CaseTypeStatus.description)
        .join(CaseType, CaseType.code == Case.case_type_code)
        .join(CaseTypeStatus, and_(CaseTypeStatus.case_type_code == Case.case_type_code,
                                   CaseTypeStatus.status_code == Case.status_code))
        .where(Case.account_id == account.id, *_filter(walk))
        .order_by(Case.opened_at.desc(), Case.id.desc())
        .limit(t.MAX_CHILDREN + 1)).all()
    nodes = [t.TreeNode(
        t.NodeKind.CASE, number,
        f"{kind} {number} — opened {opened:%Y-%m-%d}"
        + (f", closed {closed:%Y-%m-%d}" if closed else ""),
        status, 0, (), account.number, (CASE, number), closed is not None)
        for number, opened, closed, kind, status in rows[:t.MAX_CHILDREN]]
    if len(rows) > t.MAX_CHILDREN:
        total = session.scalar(select(func.count()).select_from(Case)
                               .where(Case.account_id == account.id, *_filter(walk))) or 0
        nodes += t._more(node, len(nodes), total)
    return nodes


__all__ = ["CASE", "case_folder_counts", "case_folders", "cases_children"]
