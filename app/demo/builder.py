"""Builds the rows of the demo utility, chunk by chunk, as plain tuples (see `tables`).

Primary keys are handed out here, sequentially per table, so every foreign key is known without a
round trip; people-facing numbers are `from_sequence(id + NUMBER_BASE[table])`. All dates are
day ordinals inside the builder and ISO strings in the rows; all money is integer cents,
formatted once.
"""

from __future__ import annotations

import datetime as dt
import random

from app.demo import names as N
from app.demo.billing import Billing, SaBill
from app.demo.tables import TABLE_COLUMNS
from app.engine.identifiers import from_sequence
from app.engine.search_keys import address_keys, name_key, phone_suffix

YEAR = 365

#: Each numbered table draws from its own range of sequence numbers, so a number names one
#: object across the whole database (ids stay below 10**8 per table).
NUMBER_BASE = {"party": 0, "customer": 10**8, "account": 2 * 10**8, "premise": 3 * 10**8,
               "service_point": 4 * 10**8, "service_agreement": 5 * 10**8,
               "landlord_agreement": 6 * 10**8}


def number(table: str, row_id: int) -> str:
    return from_sequence(NUMBER_BASE[table] + row_id)

#: Units of the preamble of the first chunk: every special set-up at least once (N >= 60).
PREAMBLE = ("per_site", "one_account", "consultant", "landlord", "per_consumer", "shopping",
            "municipal", "move", "pending_start", "pending_stop", "commercial", "industrial")

#: (unit, cumulative probability) for everything after the preamble.
UNIT_MIX = (
    ("residential", 0.8330), ("move", 0.8730), ("pending_start", 0.8780),
    ("pending_stop", 0.8860), ("commercial", 0.9460), ("industrial", 0.9530),
    ("per_site", 0.9630), ("one_account", 0.9700), ("per_consumer", 0.9750),
    ("consultant", 0.9790), ("landlord", 0.9950), ("shopping", 0.9990), ("municipal", 1.0),
)
#: Fewest accounts each unit needs.
MIN_ACCOUNTS = {"residential": 1, "move": 2, "pending_start": 1, "pending_stop": 1,
                "commercial": 1, "industrial": 1, "per_site": 2, "one_account": 1,
                "per_consumer": 2, "consultant": 2, "landlord": 3, "shopping": 3,
                "municipal": 1}


class Account:
    """What the billing pass needs to know about one account."""

    __slots__ = ("id", "freq", "owner", "sas", "profile")

    def __init__(self, aid: int, freq: int, owner: int, profile: int) -> None:
        self.id = aid
        self.freq = freq
        self.owner = owner
        self.profile = profile
        self.sas: list[SaBill] = []


class Builder:
    def __init__(self, rng: random.Random, as_of: dt.date, stamp: str) -> None:
        self.rng = rng
        self.rand = rng.random
        self.randint = rng.randint
        self.choice = rng.choice
        self.stamp = stamp
        self.today = as_of.toordinal()
        self.base = self.today - 100 * YEAR
        self.iso = [dt.date.fromordinal(o).isoformat()
                    for o in range(self.base, self.today + 2 * YEAR)]
        self.ids = dict.fromkeys(TABLE_COLUMNS, 0)
        self.rows: dict[str, list[tuple[object, ...]]] = {t: [] for t in TABLE_COLUMNS}
        self.billing = Billing(self, as_of)
        self.preamble = list(PREAMBLE)
        self.streets = [f"{s} {x}" for s in N.STREET_NAMES for x in N.STREET_SUFFIXES]

    # ------------------------------------------------------------------------------ helpers

    def d(self, ordinal: int) -> str:
        return self.iso[ordinal - self.base]

    def next_id(self, table: str) -> int:
        n = self.ids[table] + 1
        self.ids[table] = n
        return n

    def take_rows(self) -> dict[str, list[tuple[object, ...]]]:
        rows = self.rows
        self.rows = {t: [] for t in TABLE_COLUMNS}
        return rows

    def address(self, city: int | None = None) -> tuple[str, str, str, str, int]:
        """(line1, city, region, postal code, city index) of a made-up street address."""
        c = self.randint(0, len(N.CITIES) - 1) if city is None else city
        name, region, postal, _area = N.CITIES[c]
        line1 = f"{self.randint(1, 9899)} {self.choice(self.streets)}"
        return line1, name, region, f"{postal + self.randint(0, 8):05d}", c

    # ------------------------------------------------------------------------------ parties

    def _contacts(self, pid: int, phone: str | None, email: str | None) -> None:
        st, rows = self.stamp, self.rows["party_contact"]
        if phone:
            rows.append((self.next_id("party_contact"), pid, "PHONE", phone,
                         "Mobile" if pid % 3 else "Home", True, phone_suffix(phone), 1, st, "demo"))
        if email:
            rows.append((self.next_id("party_contact"), pid, "EMAIL", email, None,
                         phone is None, None, 1, st, "demo"))

    def _phone(self, city: int, pid: int) -> str:
        return f"+1{N.CITIES[city][3]}555{(pid * 7919) % 10000:04d}"

    def person(self, addr: tuple[str, str, str, str, int], last: str | None = None,
               contacts: bool = True) -> tuple[int, str, str]:
        """A person party; returns (id, first name, last name)."""
        pid = self.next_id("party")
        first = self.choice(N.FIRST_NAMES)
        last = last or self.choice(N.LAST_NAMES)
        dob = self.d(self.today - self.randint(19 * YEAR, 88 * YEAR))
        line1, city, region, postal, c = addr
        self.rows["party"].append((
            pid, number("party", pid), "PERSON", f"{last}, {first}", first, last, dob, None, None,
            "ACTIVE", line1, None, city, region, postal, "US", name_key(f"{last}, {first}"), None,
            1, self.stamp, "demo"))
        if contacts:
            r = self.rand()
            phone = self._phone(c, pid) if r < 0.93 else None
            email = (f"{first}.{last}{pid % 997}@{N.EMAIL_DOMAINS[pid % 4]}".lower()
                     if r > 0.22 or phone is None else None)
            self._contacts(pid, phone, email)
            if r < 0.35:
                self.rows["party_identifier"].append((
                    self.next_id("party_identifier"), pid, "DRIVERS_LICENSE",
                    f"{last[0].upper()}{(pid * 282_475_249 + 977) % 10**11:011d}",
                    1, self.stamp, "demo"))
        return pid, first, last

    def organisation(self, name: str, addr: tuple[str, str, str, str, int],
                     category: str = "COMPANY", domain: str | None = None) -> int:
        pid = self.next_id("party")
        line1, city, region, postal, c = addr
        self.rows["party"].append((
            pid, number("party", pid), "ORGANISATION", name, None, None, None, name, category,
            "ACTIVE", line1, None, city, region, postal, "US", name_key(name), None, 1, self.stamp,
            "demo"))
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20] or "org"
        self._contacts(pid, self._phone(c, pid),
                       f"{'billing' if pid % 2 else 'accounts'}@{domain or slug + '.example.com'}")
        if category == "COMPANY":
            self.rows["party_identifier"].append((
                self.next_id("party_identifier"), pid, "COMPANY_REGISTRATION",
                f"{region}-{(pid * 48_271 + 11) % 10**10:010d}", 1, self.stamp, "demo"))
        return pid

    def company_name(self, trades: tuple[str, ...] = N.COMPANY_TRADES) -> str:
        return (f"{self.choice(N.COMPANY_WORDS)} {self.choice(trades)} "
                f"{self.choice(N.LEGAL_SUFFIXES)}")

    def customer(self, pid: int, cls: str, status: str = "ACTIVE") -> int:
        cid = self.next_id("customer")
        self.rows["customer"].append((cid, number("customer", cid), pid, cls, status, 1, self.stamp,
                                      "demo"))
        return cid

    def role(self, pid: int, role: str, *, account: int | None = None,
             premise: int | None = None, sa: int | None = None, start: int,
             end: int | None = None, granted_by: int | None = None, main: bool = False,
             comments: str | None = None) -> None:
        self.rows["party_role"].append((
            self.next_id("party_role"), pid, role, account, premise, sa, self.d(start),
            None if end is None else self.d(end), granted_by, main, comments, 1, self.stamp,
            "demo"))

    # ------------------------------------------------------------------------------ accounts

    def account(self, cid: int, owner: int, setup: int, *, description: str | None = None,
                freq: int | None = None, mode: str = "CONSOLIDATED",
                statement_day: int | None = None, status: str = "ACTIVE") -> Account:
        aid = self.next_id("account")
        if freq is None:
            r = self.rand()
            freq = 1 if r < 0.9 else (2 if r < 0.97 else 3)
        self.rows["account"].append((
            aid, number("account", aid), cid, description,
            ("MONTHLY", "BIMONTHLY", "QUARTERLY")[freq - 1], mode, statement_day, "USD", status,
            self.d(setup), 1, self.stamp, "demo"))
        self.role(owner, "OWNER", account=aid, start=setup, main=True)
        r = self.rand()
        profile = 0 if r < 0.86 else (1 if r < 0.92 else (2 if r < 0.96 else 3))
        return Account(aid, freq, owner, profile)

    def characteristic(self, code: str, value: str, start: int, *, premise: int | None = None,
                       sp: int | None = None, account: int | None = None,
                       sa: int | None = None) -> None:
        self.rows["characteristic_value"].append((
            self.next_id("characteristic_value"), code, premise, sp, account, sa, self.d(start),
            value, 1, self.stamp, "demo"))

    def subscription(self, aid: int, email: str, name: str | None, start: int,
                     premise: int | None = None, types: str = "BILL,STATEMENT") -> None:
        self.rows["subscription"].append((
            self.next_id("subscription"), aid, email, name, premise, types, self.d(start), None,
            1, self.stamp, "demo"))

    def preference(self, pid: int, ctype: str, channel: str, *, account: int | None = None,
                   premise: int | None = None, override: str | None = None) -> None:
        self.rows["communication_preference"].append((
            self.next_id("communication_preference"), pid, account, premise, ctype, channel,
            override, 1, self.stamp, "demo"))

    # ------------------------------------------------------------------------------ premises

    def premise(self, ptype: str, addr: tuple[str, str, str, str, int], built: int,
                line2: str | None = None, parent: int | None = None,
                landlord_agreement: int | None = None) -> int:
        prid = self.next_id("premise")
        line1, city, region, postal, c = addr
        self.rows["premise"].append((
            prid, number("premise", prid), ptype, line1, line2, city, region, postal, "US", parent,
            landlord_agreement, *address_keys(line1), 1, self.stamp, "demo"))
        r = self.rand()
        dwel = {"HOUSE": "SFD" if r > 0.08 else "TOWN", "APARTMENT": "APT",
                "COMMERCIAL": "COMM"}.get(ptype)
        if dwel and r < 0.55:
            self.characteristic("DWELTYPE", dwel, built, premise=prid)
        if parent is None and (ptype != "HOUSE" or r < 0.2):
            self.characteristic("TAXDIST", f"TD{c + 1:02d}", built, premise=prid)
        if parent is None and 0.3 < r < 0.5:
            self.characteristic("CLIMZONE", ("Z1", "Z2", "Z3")[c % 3], built, premise=prid)
        return prid

    def geo(self, prid: int, site: int) -> None:
        """The LATLONG of a multi-premise site (a building, a shopping centre), shared by every
        premise on it: Premise Management finds them by it (spec/60 §B1.3). Derived from the
        site's id, so no random number is drawn."""
        lat, lon = 30 + (site * 7919) % 15000 / 1000, -(80 + (site * 104729) % 40000 / 1000)
        self.rows["premise_geo"].append((prid, "LATLONG", f"{lat:.4f},{lon:.4f}"))

    def service_point(self, prid: int, svc: str, installed: int, *, kind: str = "IMPORT",
                      meter: str = "std", exchange: int | None = None) -> int:
        """A service point with its meter (and, when `exchange` is given, the meter before)."""
        spid = self.next_id("service_point")
        self.rows["service_point"].append((
            spid, number("service_point", spid), prid, svc, kind, f"US-{svc[0]}-{spid:010d}", 1,
            self.stamp, "demo"))
        if meter == "none":
            return spid
        if exchange is not None:
            old = self.meter(svc, "legacy" if svc == "ELECTRIC" else meter, "RETIRED")
            self._install(spid, old, installed, exchange)
            new = self.meter(svc, meter, "INSTALLED")
            self._install(spid, new, exchange, None)
        else:
            self._install(spid, self.meter(svc, meter, "INSTALLED"), installed, None)
        return spid

    def _install(self, spid: int, mid: int, on: int, off: int | None) -> None:
        self.rows["device_installation"].append((
            self.next_id("device_installation"), spid, mid, None, self.d(on),
            None if off is None else self.d(off), 1, self.stamp, "demo"))

    def meter(self, svc: str, variant: str, status: str) -> int:
        mid = self.next_id("meter")
        if svc == "ELECTRIC":
            models = {"std": N.ELECTRIC_METERS, "tou": N.ELECTRIC_TOU_METERS,
                      "demand": N.ELECTRIC_DEMAND_METERS, "legacy": N.ELECTRIC_LEGACY_METERS
                      }[variant]
        elif svc == "GAS":
            models = N.GAS_COMMERCIAL_METERS if variant == "demand" else N.GAS_METERS
        else:
            models = N.WATER_METERS
        mfr, model, mtype, prefix = models[mid % len(models)]
        self.rows["meter"].append((
            mid, f"{svc[0]}{mid:09d}", mtype, svc, f"{prefix}{(mid * 2_654_435 + 7) % 10**9:09d}",
            mfr, model, status, 1, self.stamp, "demo"))
        regs = self.rows["register"]
        st = self.stamp
        if svc == "ELECTRIC":
            if variant == "tou":
                regs.append((self.next_id("register"), mid, 1, "KWH", "ON", 6, 1, st, "demo"))
                regs.append((self.next_id("register"), mid, 2, "KWH", "OFF", 6, 1, st, "demo"))
            else:
                regs.append((self.next_id("register"), mid, 1, "KWH", None,
                             5 if variant == "legacy" else 6, 1, st, "demo"))
                if variant == "demand":
                    regs.append((self.next_id("register"), mid, 2, "KW", None, 5, 1, st, "demo"))
        elif svc == "GAS":
            regs.append((self.next_id("register"), mid, 1, "CCF" if variant == "demand" else
                         "THERM", None, 5, 1, st, "demo"))
        else:
            regs.append((self.next_id("register"), mid, 1, "GAL", None, 7, 1, st, "demo"))
        return mid

    def street_lights(self, spid: int, count: int, installed: int) -> None:
        for _ in range(count):
            iid = self.next_id("item")
            self.rows["item"].append((iid, f"SL{iid:08d}",
                                      "STREET_LIGHT_LED" if iid % 4 else "STREET_LIGHT_HPS",
                                      "INSTALLED", 1, self.stamp, "demo"))
            self.rows["device_installation"].append((
                self.next_id("device_installation"), spid, None, iid, self.d(installed), None,
                1, self.stamp, "demo"))

    # ------------------------------------------------------------------------------ agreements

    def agreement(self, acct: Account, holder: int, svc: str, sa_type: str, rate: str,
                  sps: list[int], start: int, *, end: int | None = None,
                  status: str = "ACTIVE", rate_change: tuple[int, str] | None = None,
                  daily: float = 25.0) -> int:
        said = self.next_id("service_agreement")
        st = self.stamp
        end_s = None if end is None else self.d(end)
        self.rows["service_agreement"].append((
            said, number("service_agreement", said), acct.id, sa_type, svc, self.d(start), end_s,
            status, False, None, None, 1, st, "demo"))
        for spid in sps:
            self.rows["sa_service_point"].append((
                self.next_id("sa_service_point"), said, spid, self.d(start), end_s, 1, st, "demo"))
        rates = self.rows["sa_rate_history"]
        rates.append((self.next_id("sa_rate_history"), said, self.d(start), rate, 1, st, "demo"))
        if rate_change is not None:
            rates.append((self.next_id("sa_rate_history"), said, self.d(rate_change[0]),
                          rate_change[1], 1, st, "demo"))
        self.role(holder, "HOLDER", sa=said, start=start, end=end)
        if status != "PENDING_START":
            acct.sas.append(SaBill(said, start, end, svc, rate, rate_change, daily))
        return said

    # ------------------------------------------------------------------------------ chunks

    def build_chunk(self, quota: int) -> None:
        """Create exactly `quota` accounts (whole units only) and their history."""
        from app.demo.units import UNITS

        remaining = quota
        while remaining > 0:
            if self.preamble:
                kind = self.preamble.pop(0)
            else:
                r = self.rand()
                kind = next(k for k, p in UNIT_MIX if r < p)
            if MIN_ACCOUNTS[kind] > remaining:
                kind = "residential"
            remaining -= UNITS[kind](self, remaining)
