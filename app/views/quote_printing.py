"""Printing from the Quotes pane: Display Quote (a temporary PDF opened in the viewer), Print…
(the first recipient's copy, or the account's before the quote is complete) and, on the Quote
Routings tab, a chosen recipient's copy (a reprint, spec/40 §4.2). Rendering runs in a worker;
the pane supplies `quote`, `main.detail_level`, `routings`, `message`, `ask_pdf_path`,
`open_pdf` and `_general_error`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.reports.quote_pdf import render_quote
from app.services.errors import DomainError
from app.services.quote_dto import RoutingView
from app.views.quote_dialogs import display_path
from app.views.worker import run_task


class QuotePrinting:
    quote: Any
    main: Any
    routings: Any
    message: Any
    ctx: Any
    ask_pdf_path: Callable[[str], str | None]
    open_pdf: Callable[[Path], object]
    _general_error: Callable[[BaseException], None]

    def print_copy(self) -> None:
        """The selected recipient's copy (a reprint for an original recipient, §4.2)."""
        routing = self.routings.selected()
        if self.quote is None or routing is None:
            return
        path = self.ask_pdf_path(f"quote-{self.quote.number}-copy-{routing.sequence}.pdf")
        if path:
            def printed(out: Path) -> None:
                self.message.show_outcome(f"Copy {routing.sequence} ({routing.names[0]}) "
                                          f"saved to {out}.")

            self._pdf(Path(path if path.lower().endswith(".pdf") else path + ".pdf"), printed,
                      routing)

    def _pdf(self, path: Path, then: Callable[[Path], None],
             routing: RoutingView | None = None) -> None:
        """Render the open quote (as shown; with or without calc lines) in a worker — the
        copy of `routing`, by default the first recipient's."""
        if self.quote is not None:
            run_task(render_quote, self.quote, path, routing=routing,
                     detail_level=self.main.detail_level.currentData() or "detail",
                     on_result=then, on_error=lambda exc: self._general_error(
                         DomainError(f"The quote could not be printed: {exc}")))

    def display_quote(self) -> None:
        """Display Quote: the printed image in a temporary file, opened in the viewer."""
        if self.quote is not None:
            def shown(path: Path) -> None:
                self.message.show_outcome(f"Quote displayed from {path}.")
                self.open_pdf(path)

            self._pdf(display_path(self.quote.number), shown)

    def print_quote(self) -> None:
        if self.quote is None:
            self.ctx.host.show_status("Open a quote first: there is nothing to print.")
            return
        path = self.ask_pdf_path(f"quote-{self.quote.number}.pdf")
        if path:
            def printed(out: Path) -> None:
                self.message.show_outcome(f"Quote saved to {out}.")
                self.ctx.host.show_status(f"Quote saved to {out}.")

            self._pdf(Path(path if path.lower().endswith(".pdf") else path + ".pdf"), printed)

