"""Printed documents (ReportLab). A report takes the same DTOs a pane shows, so what a CSR sees
and what prints agree; `formatting` is the text both use for amounts, quantities and dates."""
