"""`switchboard screenshot PANE --out FILE.png`: render the window or one pane to a PNG file."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QWidget

from app.config import Settings, os_username
from app.db import open_database
from app.services import control_central, users
from app.services.context import SYSTEM, Actor
from app.services.errors import DomainError
from app.services.lookup import check_identifier
from app.views.panes import DEFAULT_PANE, pane_names
from app.views.worker import wait_for_all

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

EXIT_USER_ERROR = 2
WINDOW_SIZE = (1400, 900)


def _use_offscreen_without_display() -> None:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


#: Panes that show the current account: a screenshot loads one first (--account, or a
#: showcase account of the database) and opens the tree this many levels deep.
ACCOUNT_PANES = frozenset({"control-central", "account-tree", "loans"})
TREE_DEPTH = 5


def take_screenshot(pane: str, out: Path, database_url: str,
                    size: tuple[int, int] = WINDOW_SIZE, account: str | None = None) -> int:
    """'main' is the whole window with its default pane; any other name is that pane alone.
    Control Central and the account tree show `account` (by default a showcase account)."""
    known = pane_names()
    if pane != "main" and pane not in known:
        names = ", ".join(["main", *known])
        print(f"switchboard: there is no pane called '{pane}'. Known panes: {names}.",
              file=sys.stderr)
        return EXIT_USER_ERROR
    _use_offscreen_without_display()

    from app.views.launch import ensure_application
    from app.views.main_window import MainWindow
    from app.views.theme import apply_theme

    app = ensure_application()
    apply_theme(app, Settings.load().theme)
    db = open_database(database_url)
    try:
        actor: Actor = SYSTEM if db.is_networked else users.login_os_user(db, os_username())
        window = MainWindow(db, actor)
        if pane != "main" and not window.pane_available(pane):
            print(f"switchboard: the pane '{pane}' belongs to a module that is switched off "
                  "for this database (Settings → Optional modules).", file=sys.stderr)
            window.deleteLater()
            return EXIT_USER_ERROR
        window.resize(*size)
        window.show()
        if pane in ACCOUNT_PANES or account:
            _load_account(window, account)
        widget: QWidget = window if pane == "main" else window.open_pane(pane)
        if pane == "main":
            window.open_pane(DEFAULT_PANE)
        wait_for_all()
        app.processEvents()
        if pane == "account-tree":
            _open_tree(widget)
        if pane == "premise-management":
            _find_landlord_premises(widget)
        if pane == "rate-check":
            _check_demo_rate(widget)
        if pane == "quotes":
            _open_demo_quote(widget)
        if pane == "loans":
            _plan_extra_payment(widget)
        if pane == "appointments":
            _open_busiest_week(widget)
        if pane == "stock-locations":
            _open_busiest_location(widget)
        if pane == "cases":
            _open_demo_case(widget)
        if pane == "todo":
            _select_first_todo(widget)
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not widget.grab().save(str(out), "PNG"):
            raise DomainError(f"Could not write the PNG file {out}.")
        window.close()
        window.deleteLater()
        app.processEvents()
    finally:
        db.dispose()
    return 0


def _plan_extra_payment(widget: QWidget) -> None:
    """Show the what-if: 100.00 extra with every payment from the next one."""
    from app.views.loans import LoansPane

    if isinstance(widget, LoansPane) and widget.view is not None:
        tab = widget.forecast_tab
        tab.extra_amount.setText("100.00")
        tab.add_extra()
        QApplication.processEvents()


def _open_busiest_week(widget: QWidget) -> None:
    """The week (and dispatch group) with the most bookings, its busiest day selected; a
    database without bookings shows this week of the first group (or the empty state)."""
    from app.services.appointment_week import busiest_week
    from app.views.appointments import AppointmentsPane

    if not isinstance(widget, AppointmentsPane):
        return
    found = busiest_week(widget.ctx.db)
    if found is None:
        return
    group, monday = found
    widget.open_week(group, monday)
    wait_for_all()
    view = widget.view
    if view is not None and view.days:
        busiest = max(view.days, key=lambda d: (len(d.appointments), -d.day.toordinal()))
        widget.grid.select(busiest.day, None)
    QApplication.processEvents()


def _open_busiest_location(widget: QWidget) -> None:
    """The location holding the most assets, its inventory shown (an empty database shows
    the pane's empty state)."""
    from app.views.stock_locations import StockLocationsPane, busiest_location

    if not isinstance(widget, StockLocationsPane):
        return
    wait_for_all()
    code = busiest_location(widget.locations)
    if code is not None:
        widget.select_location(code)
        wait_for_all()
    QApplication.processEvents()


def _open_demo_case(widget: QWidget) -> None:
    """The Case pane on an open demo case — a high-bill complaint under investigation when
    there is one — with its log (an empty database shows the pane's empty state)."""
    from app.views.cases import CasesPane, demo_case

    if not isinstance(widget, CasesPane):
        return
    wait_for_all()
    number = demo_case(widget.ctx.db, widget.ctx.actor)
    if number is not None:
        widget.open_case(number)
        wait_for_all()
        widget.tabs.setCurrentWidget(widget.log_tab)
    QApplication.processEvents()


def _select_first_todo(widget: QWidget) -> None:
    """The To Do list as its user first sees it (their groups', or every group's for a
    supervisor), the most urgent To Do selected; an empty list shows what To Dos are."""
    from app.views.todo_list import TodoListPane

    if isinstance(widget, TodoListPane):
        wait_for_all()
        widget.table.setFocus()
        QApplication.processEvents()


def _load_account(window: MainWindow, account: str | None) -> None:
    """Make `account` (or the database's showcase account) the current one, as Control Central
    does when a CSR opens it."""
    from app.views.control_central import CONTROL_CENTRAL, ControlCentralPane

    number = check_identifier(account, "account") if account else \
        control_central.showcase_account(window.db)
    if number is None:
        return  # an empty database: the panes show their empty states
    pane = window.open_pane(CONTROL_CENTRAL)
    if isinstance(pane, ControlCentralPane):
        pane.load_account(number)
    wait_for_all()


def _open_tree(widget: QWidget) -> None:
    """Open the account tree level by level, as a CSR would with the Right key."""
    from PySide6.QtWidgets import QApplication

    from app.views.account_tree import AccountTreePane

    if not isinstance(widget, AccountTreePane):
        return
    for depth in range(TREE_DEPTH):
        widget.tree.expandToDepth(depth)
        wait_for_all()
        QApplication.processEvents()


def _find_landlord_premises(widget: QWidget) -> None:
    """Premise Management searched for "Linked to any landlord", as a CSR looking after
    landlords would start; an empty database shows no match."""
    from app.services.premise_management import LinkFilter, PremiseCriteria
    from app.views.premise_management import PremiseManagementPane

    if isinstance(widget, PremiseManagementPane):
        widget.search(PremiseCriteria(landlord=LinkFilter.LINKED_TO_ANY))
        wait_for_all()


def _check_demo_rate(widget: QWidget) -> None:
    """Rate Check of a demo E-RES-1 agreement's last bill, as a CSR answers "why is my bill
    this much?" (the Calc Lines tab, its chart and what the bill charged); without such an
    agreement, E-RES-1 for last month, 750 kWh, in Illinois; a database without the rate
    shows its message."""
    import datetime as dt

    from app.services.rate_check import QuantityInput, RateCheckRequest, showcase_agreement
    from app.views.rate_check import RateCheckPane

    if not isinstance(widget, RateCheckPane):
        return
    number = showcase_agreement(widget.ctx.db)
    if number is not None:
        widget.sa.setEditText(number)
        widget.load_agreement(number, then_check=True)
        wait_for_all()
        return
    end = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    request = RateCheckRequest("E-RES-1", start=end.replace(day=1), end=end,
                               quantities=(QuantityInput("KWH", None, None, "750"),),
                               characteristics=(("STATE", "IL"),), revenue_class="RES")
    widget.fill(request)
    widget.check_now(request)
    wait_for_all()


def _open_demo_quote(widget: QWidget) -> None:
    """The Quotes pane with a quote open: a complete one of the database if there is one,
    else the newest (a database without quotes shows the pane's empty state)."""
    from app.models.enums import QuoteStatus
    from app.services.quote_views import search_quotes
    from app.views.quotes import QuotesPane

    if not isinstance(widget, QuotesPane):
        return
    found = search_quotes(widget.ctx.db, status=QuoteStatus.COMPLETE, limit=1) or \
        search_quotes(widget.ctx.db, limit=1)
    if found:
        widget.open_quote(found[0].number)
        wait_for_all()

