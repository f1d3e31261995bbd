"""Control Central and the account tree on a large database, through the service layer.

    python bench/control_central.py --database URL [--samples 200] [--seed 7]

Against an existing (demo) database — e.g. one made with
`switchboard demo --accounts 1000000 --database URL` — it picks random keys of every kind from
the data, then times, per call, what a CSR's keystroke costs:

* `search.search` for every key kind (name prefix, "first last", account / person / customer /
  premise / SA / SP ID, address, postal code, phone, e-mail, meter badge);
* `control_central.account_dashboard` (the 360° view) of random accounts;
* `account_tree.children` for every node kind, walking random accounts' trees;
* `premise_management.find_premises` (Premise Management, spec/60 §B1.4) for each filter kind:
  a landlord's premises, its vacant units (landlord + its account), a building's unsupplied
  units, any landlord (first and a deep page), a street inside the address, a geographic value.

Prints p50 / p95 / max in milliseconds for each. The database is only read.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import report, timed  # noqa: E402

from app.db import Database, open_database  # noqa: E402
from app.services import account_tree, control_central, search  # noqa: E402
from app.services.premise_management import (  # noqa: E402
    AddressCriteria,
    LinkFilter,
    LocationFilter,
    PremiseCriteria,
    find_premises,
)
from app.services.search import SearchKind  # noqa: E402

TARGETS_MS = {"search": 100.0, "dashboard": 150.0, "tree": 50.0, "premises": 150.0}


def _report(group: str, label: str, times: list[float]) -> None:
    report(f"{group:<9} {label}", times, TARGETS_MS[group])


def _sample(db: Database, sql: str, ids: list[int]) -> list[tuple[object, ...]]:
    """Rows of `sql` (which has `WHERE id IN :ids`-style filtering by id) for random ids."""
    with db.engine.connect() as conn:
        rows: list[tuple[object, ...]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows.extend(tuple(r) for r in conn.execute(
                text(sql.format(ids=",".join(str(i) for i in chunk)))))
        return rows


def _random_ids(db: Database, table: str, count: int, rng: random.Random) -> list[int]:
    with db.engine.connect() as conn:
        top = conn.execute(text(f"SELECT max(id) FROM {table}")).scalar_one() or 0
    return [rng.randint(1, top) for _ in range(count)] if top else []


Key = tuple[str, SearchKind | None]


def search_keys(db: Database, n: int, rng: random.Random) -> dict[str, list[Key]]:
    parties = _sample(db, "SELECT display_name, first_name, last_name, number, kind FROM party "
                          "WHERE id IN ({ids}) AND status = 'ACTIVE'",
                      _random_ids(db, "party", n, rng))
    keys: dict[str, list[Key]] = {}
    keys["name prefix"] = [(str(name)[: rng.randint(3, 8)], SearchKind.NAME)
                           for name, *_ in parties]
    keys["name, 2 letters"] = [(str(name)[:2], SearchKind.NAME) for name, *_ in parties[:50]]
    keys["name, kind recognised"] = [(str(name)[:5], None) for name, *_ in parties[:50]]
    keys["first last"] = [(f"{first} {last}", SearchKind.NAME)
                          for _n, first, last, _num, kind in parties if kind == "PERSON"]
    keys["person ID"] = [(str(num), SearchKind.ANY_ID) for *_x, num, _k in parties]
    keys["account ID"] = [(str(r[0]), SearchKind.ANY_ID) for r in _sample(
        db, "SELECT number FROM account WHERE id IN ({ids})", _random_ids(db, "account", n, rng))]
    keys["customer ID"] = [(str(r[0]), SearchKind.ANY_ID) for r in _sample(
        db, "SELECT number FROM customer WHERE id IN ({ids})",
        _random_ids(db, "customer", n, rng))]
    premises = _sample(db, "SELECT number, address_line1, postal_code, city FROM premise "
                           "WHERE id IN ({ids})", _random_ids(db, "premise", n, rng))
    keys["premise ID"] = [(str(r[0]), SearchKind.ANY_ID) for r in premises]
    keys["address"] = [(str(r[1]), SearchKind.ADDRESS) for r in premises]
    keys["address, city"] = [(f"{r[1]}, {str(r[3])[:4]}", SearchKind.ADDRESS) for r in premises]
    keys["street"] = [(str(r[1]).split(" ", 1)[1][:6], SearchKind.ADDRESS) for r in premises
                      if " " in str(r[1])]
    keys["postal code"] = [(str(r[2]), SearchKind.POSTAL_CODE) for r in premises]
    keys["postal, recognised"] = [(str(r[2]), None) for r in premises[:50]]
    keys["postal, 3 digits"] = [(str(r[2])[:3], SearchKind.POSTAL_CODE) for r in premises[:50]]
    keys["SA ID"] = [(str(r[0]), SearchKind.ANY_ID) for r in _sample(
        db, "SELECT number FROM service_agreement WHERE id IN ({ids})",
        _random_ids(db, "service_agreement", n, rng))]
    keys["SP ID"] = [(str(r[0]), SearchKind.ANY_ID) for r in _sample(
        db, "SELECT number FROM service_point WHERE id IN ({ids})",
        _random_ids(db, "service_point", n, rng))]
    contacts = _sample(db, "SELECT kind, value FROM party_contact WHERE id IN ({ids})",
                       _random_ids(db, "party_contact", 2 * n, rng))
    keys["phone"] = [(str(v), SearchKind.PHONE) for k, v in contacts if k == "PHONE"][:n]
    keys["phone, last 7"] = [(str(v)[-7:], SearchKind.PHONE) for k, v in contacts
                             if k == "PHONE"][:n]
    keys["e-mail"] = [(str(v).upper(), SearchKind.EMAIL) for k, v in contacts
                      if k == "EMAIL"][:n]
    keys["meter badge"] = [(str(r[0]), SearchKind.METER_BADGE) for r in _sample(
        db, "SELECT badge_number FROM meter WHERE id IN ({ids})", _random_ids(db, "meter", n, rng))]
    return keys


def bench_search(db: Database, n: int, rng: random.Random) -> None:
    for label, keys in search_keys(db, n, rng).items():
        times = []
        for query, kind in keys:
            times.append(timed(lambda q=query, k=kind: search.search(db, q, k)))
        _report("search", label, times)


def _accounts(db: Database, n: int, rng: random.Random) -> list[str]:
    return [str(r[0]) for r in _sample(db, "SELECT number FROM account WHERE id IN ({ids})",
                                       _random_ids(db, "account", n, rng))]


def _as_the_pane_loads_it(db: Database, number: str) -> None:
    """What Control Central's worker does (views.dashboard.fetch_account) when a CSR opens an
    account and the first caller is picked: the 360° view, the callers, their authority."""
    callers = control_central.callers_of(db, number)
    caller = callers[0].party_number if callers else None
    control_central.account_dashboard(db, number, caller)
    control_central.caller_authority(db, number, caller)


def bench_dashboard(db: Database, n: int, rng: random.Random) -> None:
    numbers = _accounts(db, n, rng)
    _report("dashboard", "360° view", [
        timed(lambda a=a: control_central.account_dashboard(db, a)) for a in numbers])
    _report("dashboard", "+ callers, authority", [
        timed(lambda a=a: _as_the_pane_loads_it(db, a)) for a in numbers])


def bench_tree(db: Database, n: int, rng: random.Random) -> None:
    by_kind: dict[str, list[float]] = {}
    for number in _accounts(db, max(n // 4, 10), rng):
        for history in (False, True):
            started = time.perf_counter()
            level = account_tree.tree_roots(db, account_number=number, show_history=history)
            by_kind.setdefault("roots", []).append((time.perf_counter() - started) * 1000)
            while level:  # walk every node of the tree, one expansion at a time
                node = level.pop(0)
                if node.child_count == 0:
                    continue
                started = time.perf_counter()
                below = account_tree.children(db, node, show_history=history)
                by_kind.setdefault(node.kind.value.lower(), []).append(
                    (time.perf_counter() - started) * 1000)
                if node.kind is not account_tree.NodeKind.CUSTOMER or len(below) < 50:
                    level.extend(below)
    for kind, times in by_kind.items():
        _report("tree", kind, times)


def premise_criteria(db: Database, n: int, rng: random.Random
                     ) -> dict[str, list[tuple[PremiseCriteria, int]]]:
    """(criteria, page) per filter kind, keyed by what a CSR would be doing."""
    this, any_ = LinkFilter.LINKED_TO_THIS, LinkFilter.LINKED_TO_ANY
    landlords = _sample(db, "SELECT la.number, a.number FROM landlord_agreement la "
                            "JOIN account a ON a.id = la.landlord_account_id WHERE la.id IN ({ids})",
                        _random_ids(db, "landlord_agreement", n, rng))
    parents = _sample(db, "SELECT DISTINCT p.number FROM premise p JOIN premise c "
                          "ON c.parent_premise_id = p.id WHERE c.id IN ({ids})",
                      _random_ids(db, "premise", n * 20, rng))[:n]
    streets = _sample(db, "SELECT search_street FROM premise WHERE id IN ({ids})",
                      _random_ids(db, "premise", n, rng))
    geo = _sample(db, "SELECT geo_type, geo_value FROM premise_geo WHERE premise_id IN ({ids})",
                  _random_ids(db, "premise", n * 20, rng))[:n]
    return {
        "this landlord": [(PremiseCriteria(landlord=this, landlord_agreement_number=str(la)), 1)
                          for la, _acct in landlords],
        "landlord + its account": [
            (PremiseCriteria(landlord=this, landlord_agreement_number=str(la),
                             account=this, account_number=str(acct)), 1)
            for la, acct in landlords],
        "parent, no account": [
            (PremiseCriteria(parent=this, parent_premise_number=str(p),
                             account=LinkFilter.NOT_LINKED_TO_ANY), 1) for (p,) in parents],
        "any landlord": [(PremiseCriteria(landlord=any_), 1)] * 20,
        "any landlord, page 40": [(PremiseCriteria(landlord=any_), 40)] * 20,
        "street in address": [
            (PremiseCriteria(location=LocationFilter.AT_ADDRESS,
                             address=AddressCriteria(str(street).split(" ")[0])), 1)
            for (street,) in streets[:50]],
        "geographic value": [
            (PremiseCriteria(location=LocationFilter.AT_GEOGRAPHIC_VALUE, geo_type=str(t),
                             geo_value=str(v)), 1) for t, v in geo],
    }


def bench_premises(db: Database, n: int, rng: random.Random) -> None:
    for label, cases in premise_criteria(db, n, rng).items():
        _report("premises", label, [
            timed(lambda c=criteria, p=page: find_premises(db, c, p)) for criteria, page in cases])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, metavar="URL")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", choices=("search", "dashboard", "tree", "premises"))
    args = parser.parse_args(argv)
    db = open_database(args.database)
    try:
        with db.engine.connect() as conn:
            accounts = conn.execute(text("SELECT count(*) FROM account")).scalar_one()
        print(f"{db.description}: {accounts:,} accounts, {args.samples} samples per kind",
              flush=True)
        rng = random.Random(args.seed)
        if args.only in (None, "search"):
            bench_search(db, args.samples, rng)
        if args.only in (None, "dashboard"):
            bench_dashboard(db, args.samples, rng)
        if args.only in (None, "tree"):
            bench_tree(db, args.samples, rng)
        if args.only in (None, "premises"):
            bench_premises(db, args.samples, rng)
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
