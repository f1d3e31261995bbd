"""The kinds of customer the demo utility serves; each unit creates whole accounts.

Every function takes the builder and the number of accounts still allowed in the chunk and
returns how many accounts it created (always >= 1 and <= the allowance).
"""

from __future__ import annotations

from collections.abc import Callable

from app.demo import names as N
from app.demo.builder import YEAR, Account, Builder, number

Address = tuple[str, str, str, str, int]

#: service -> (residential sa_type, rate, kWh/therm/gal a day), same for commercial
RES = {"ELECTRIC": ("E-RES", "E-RES-1", 29.0), "GAS": ("G-RES", "G-RES-1", 1.8),
       "WATER": ("W-RES", "W-RES-1", 110.0)}
COM = {"ELECTRIC": ("E-COM", "E-COM-1", 260.0), "GAS": ("G-COM", "G-COM-1", 12.0),
       "WATER": ("W-COM", "W-COM-1", 900.0)}


def _since(b: Builder) -> int:
    """A customer's start: most before the 24-month window, some inside it."""
    if b.rand() < 0.72:
        return b.today - b.randint(25 * 30, 15 * YEAR)
    return b.today - b.randint(30, 720)


def _end_status(b: Builder, end: int) -> str:
    if end >= b.today:
        return "PENDING_STOP"
    return "STOPPED" if end > b.today - 60 else "CLOSED"


def _home_sps(b: Builder, prid: int, built: int, *, gas: float = 0.35, water: float = 0.25,
              kind: str = "IMPORT") -> tuple[list[tuple[str, int]], int | None]:
    """Residential service points; returns them and the date the electric meter became TOU."""
    r = b.rand()
    if built > b.today - 800 and r >= 0.12:
        r = 1.0  # too new for a meter exchange
    tou_from: int | None = None
    exchange: int | None = None
    meter = "std"
    if r < 0.12:
        meter, tou_from = "tou", built
    elif r < 0.19:
        meter = "tou"
        exchange = tou_from = b.randint(max(built + 30, b.today - 690), b.today - 45)
    elif r < 0.23:
        exchange = b.randint(max(built + 30, b.today - 700), b.today - 20)
    sps = [("ELECTRIC", b.service_point(prid, "ELECTRIC", built, kind=kind, meter=meter,
                                        exchange=exchange))]
    r = b.rand()
    if r < gas:
        sps.append(("GAS", b.service_point(prid, "GAS", built)))
    if b.rand() < water:
        sps.append(("WATER", b.service_point(prid, "WATER", built)))
    return sps, tou_from


def _occupant(b: Builder, addr: Address, prid: int, sps: list[tuple[str, int]],
              tou_from: int | None, start: int, *, end: int | None = None,
              pending_start: bool = False, closed: bool = False, tenant: bool = False) -> Account:
    """A household: person, customer, account and one agreement per service point."""
    pid, _first, last = b.person(addr)
    cid = b.customer(pid, "RESIDENTIAL", "INACTIVE" if closed else "ACTIVE")
    setup = start - b.randint(0, 20)
    if pending_start:
        setup = min(setup, b.today - b.randint(0, 15))
    acct = b.account(cid, pid, setup, status="CLOSED" if closed else "ACTIVE",
                     description="Home" if b.rand() < 0.5 else None)
    status = "PENDING_START" if pending_start else ("ACTIVE" if end is None
                                                     else _end_status(b, end))
    scale = 0.55 + b.rand()
    elec_sa = 0
    for svc, spid in sps:
        sa_type, rate, daily = RES[svc]
        change = None
        if svc == "ELECTRIC" and tou_from is not None:
            if start >= tou_from:
                rate = "E-RES-TOU"
            elif end is None or end > tou_from:
                change = (tou_from, "E-RES-TOU")
        said = b.agreement(acct, pid, svc, sa_type, rate, [spid], start, end=end, status=status,
                           rate_change=change, daily=daily * scale)
        if svc == "ELECTRIC":
            elec_sa = said
    if tenant:
        b.role(pid, "TENANT", premise=prid, start=start, end=end)
    r = b.rand()
    if r < 0.09 and not closed:
        second, first2, _ = b.person(addr, last=last if r < 0.07 else None)
        role = "ADMINISTRATOR" if r < 0.06 else "PAYER"
        b.role(second, role, account=acct.id, start=setup + b.randint(0, 200),
               granted_by=pid if role == "ADMINISTRATOR" else None)
    elif r < 0.1:
        b.characteristic("LIFESUPP", "Y", setup, account=acct.id)
        if elec_sa:
            b.characteristic("LIFESUPP", "Y", start, sa=elec_sa)
    elif r < 0.12:
        b.subscription(acct.id, f"{last.lower()}.family{acct.id % 89}@example.net",
                       f"{last} family", setup)
    elif r < 0.17:
        b.preference(pid, "BILL", "EMAIL")
    elif r < 0.18:
        b.preference(pid, "COLLECTION_LETTER", "SMS")
    b.billing.bill_account(acct)
    return acct


def residential(b: Builder, remaining: int) -> int:
    addr = b.address()
    start = _since(b)
    built = start - b.randint(30, 9000)
    house = b.rand() < 0.75
    prid = b.premise("HOUSE" if house else "APARTMENT", addr, built,
                     line2=None if house else f"Apt {b.randint(1, 48)}")
    sps, tou = _home_sps(b, prid, built)
    _occupant(b, addr, prid, sps, tou, start)
    return 1


def pending_stop(b: Builder, remaining: int) -> int:
    addr = b.address()
    start = b.today - b.randint(200, 4000)
    built = start - b.randint(30, 5000)
    prid = b.premise("HOUSE", addr, built)
    sps, tou = _home_sps(b, prid, built)
    _occupant(b, addr, prid, sps, tou, start, end=b.today + b.randint(2, 25))
    return 1


def pending_start(b: Builder, remaining: int) -> int:
    """A newly built house whose first occupant starts in a few days."""
    addr = b.address()
    built = b.today - b.randint(10, 60)
    prid = b.premise("HOUSE", addr, built)
    sps, tou = _home_sps(b, prid, built)
    _occupant(b, addr, prid, sps, tou, b.today + b.randint(2, 30), pending_start=True)
    return 1


def move(b: Builder, remaining: int) -> int:
    """The same service points, an earlier occupant's stopped agreements, then the new one."""
    addr = b.address()
    r = b.rand()
    if r < 0.55:
        moved = b.randint(b.billing.window_start + 30, b.today - 70)
    elif r < 0.8:
        moved = b.today - b.randint(1, 59)
    else:
        moved = b.today + b.randint(3, 25)
    old_start = moved - b.randint(400, 4000)
    built = old_start - b.randint(30, 5000)
    house = b.rand() < 0.6
    prid = b.premise("HOUSE" if house else "APARTMENT", addr, built,
                     line2=None if house else f"Apt {b.randint(1, 48)}")
    sps, tou = _home_sps(b, prid, built)
    _occupant(b, addr, prid, sps, tou, old_start, end=moved - 1, closed=r < 0.55)
    _occupant(b, addr, prid, sps, tou, moved, pending_start=moved > b.today)
    return 2


# ---------------------------------------------------------------------------------- business


def _business(b: Builder, name: str, addr: Address, cls: str = "COMMERCIAL",
              category: str = "COMPANY") -> tuple[int, int]:
    pid = b.organisation(name, addr, category)
    return pid, b.customer(pid, cls)


def _site(b: Builder, acct: Account, holder: int, addr: Address, start: int, *,
          ptype: str = "COMMERCIAL", scale: float = 1.0, gas: float = 0.5, water: float = 0.3,
          parent: int | None = None, la: int | None = None, line2: str | None = None) -> int:
    """A business premise with its service points, all supplied on `acct`."""
    built = start - b.randint(60, 8000)
    prid = b.premise(ptype, addr, built, line2=line2, parent=parent, landlord_agreement=la)
    demand = scale > 3 or b.rand() < 0.35
    spid = b.service_point(prid, "ELECTRIC", built, meter="demand" if demand else "std",
                           exchange=b.randint(b.today - 700, b.today - 30)
                           if b.rand() < 0.05 and built < b.today - 720 else None)
    change = (b.randint(max(start + 30, b.today - 600), b.today - 40), "E-COM-DEM") \
        if not demand and b.rand() < 0.08 and start < b.today - 100 else None
    b.agreement(acct, holder, "ELECTRIC", "E-COM", "E-COM-DEM" if demand else "E-COM-1", [spid],
                start, rate_change=change, daily=COM["ELECTRIC"][2] * scale * (0.4 + b.rand()))
    for svc, share in (("GAS", gas), ("WATER", water)):
        if b.rand() < share:
            spid = b.service_point(prid, svc, built, meter="demand")
            sa_type, rate, daily = COM[svc]
            b.agreement(acct, holder, svc, sa_type, rate, [spid], start,
                        daily=daily * scale * (0.4 + b.rand()))
    return prid


def commercial(b: Builder, remaining: int) -> int:
    addr = b.address()
    name = b.company_name()
    pid, cid = _business(b, name, addr)
    start = _since(b)
    acct = b.account(cid, pid, start, description=name)
    _site(b, acct, pid, addr, start)
    b.billing.bill_account(acct)
    return 1


def industrial(b: Builder, remaining: int) -> int:
    addr = b.address()
    name = b.company_name(N.INDUSTRIAL_TRADES)
    pid, cid = _business(b, name, addr, "INDUSTRIAL")
    start = b.today - b.randint(800, 12000)
    acct = b.account(cid, pid, start, description=f"{name} plant", freq=1)
    _site(b, acct, pid, addr, start, ptype="INDUSTRIAL", scale=25.0, gas=0.8, water=0.6)
    b.billing.bill_account(acct)
    return 1


def per_site(b: Builder, remaining: int) -> int:
    """Flux set-up 1 (one account per site) with one overseer as administrator on them all."""
    k = min(remaining, b.randint(2, 5))
    hq = b.address()
    name = b.company_name(N.CHAIN_TRADES)
    pid, cid = _business(b, name, hq)
    overseer, _, _ = b.person(hq)
    slug = "".join(ch for ch in name.lower() if ch.isalnum())[:16]
    for i in range(k):
        addr = hq if i == 0 else b.address()
        start = b.today - b.randint(300, 5000)
        acct = b.account(cid, pid, start, description=f"{name} - {addr[1]} site {i + 1}")
        prid = _site(b, acct, pid, addr, start)
        b.role(overseer, "ADMINISTRATOR", account=acct.id, start=start, granted_by=pid,
               comments="Facilities manager for all sites")
        b.preference(pid, "BILL", "EMAIL", account=acct.id, premise=prid,
                     override=f"site{i + 1}@{slug}.example.com")
        if i == 0:
            b.subscription(acct.id, f"ap@{slug}.example.com", "Accounts payable", start)
        b.billing.bill_account(acct)
    return k


def one_account(b: Builder, remaining: int) -> int:
    """Flux set-up 2: one account holding every site (monthly statement or consolidated)."""
    hq = b.address()
    name = b.company_name(N.CHAIN_TRADES)
    pid, cid = _business(b, name, hq)
    start = b.today - b.randint(400, 5000)
    statement = b.rand() < 0.6
    acct = b.account(cid, pid, start, description=f"{name} - all sites", freq=1,
                     mode="STATEMENT" if statement else "CONSOLIDATED",
                     statement_day=b.randint(1, 28) if statement else None)
    for i in range(b.randint(2, 6)):
        _site(b, acct, pid, hq if i == 0 else b.address(), start + b.randint(0, 300))
    b.billing.bill_account(acct)
    return 1


def per_consumer(b: Builder, remaining: int) -> int:
    """Flux set-up 3: one account per consumer (import, export, EV charger, gas)."""
    addr = b.address()
    farm = b.rand() < 0.4
    name = (f"{b.choice(N.LAST_NAMES)} Family Farms {b.choice(N.LEGAL_SUFFIXES)}" if farm
            else b.company_name())
    pid, cid = _business(b, name, addr)
    start = b.today - b.randint(400, 4000)
    built = start - b.randint(100, 5000)
    prid = b.premise("FARM" if farm else "COMMERCIAL", addr, built)
    b.characteristic("SOLAR", str(b.randint(10, 250)), start, premise=prid)
    consumers = (("ELECTRIC", "IMPORT", "E-COM-1", 200.0), ("ELECTRIC", "EXPORT", "E-COM-1", 60.0),
                 ("ELECTRIC", "EV_CHARGER", "E-COM-1", 90.0), ("GAS", "IMPORT", "G-COM-1", 10.0))
    k = min(remaining, b.randint(2, 4))
    for svc, kind, rate, daily in consumers[:k]:
        spid = b.service_point(prid, svc, built, kind=kind)
        label = f"{kind.replace('_', ' ').lower()} {svc.lower()}"
        acct = b.account(cid, pid, start, description=f"{name} - {label}")
        b.agreement(acct, pid, svc, "E-COM" if svc == "ELECTRIC" else "G-COM", rate, [spid],
                    start, daily=daily * (0.5 + b.rand()))
        b.billing.bill_account(acct)
    return k


def consultant(b: Builder, remaining: int) -> int:
    """An energy consultant: one person administering accounts of unrelated companies."""
    who, _, _ = b.person(b.address())
    k = min(remaining, b.randint(2, 3))
    for _ in range(k):
        addr = b.address()
        name = b.company_name()
        pid, cid = _business(b, name, addr)
        start = b.today - b.randint(300, 4000)
        acct = b.account(cid, pid, start, description=name)
        _site(b, acct, pid, addr, start)
        b.role(who, "ADMINISTRATOR", account=acct.id, start=start + b.randint(0, 200),
               granted_by=pid, comments="Energy consultant")
        b.billing.bill_account(acct)
    return k


def landlord(b: Builder, remaining: int) -> int:
    """An apartment building: landlord account and agreement, tenants and vacant units."""
    addr = b.address()
    name = f"{b.choice(N.COMPANY_WORDS)} Property Management {b.choice(N.LEGAL_SUFFIXES)}"
    pid, cid = _business(b, name, addr)
    start = b.today - b.randint(900, 6000)
    acct = b.account(cid, pid, start, description=f"{name} - landlord", freq=1)
    la = b.next_id("landlord_agreement")
    b.rows["landlord_agreement"].append((
        la, _number(la), f"{addr[0]} apartments", pid, acct.id, "ACTIVE",
        1, b.stamp, "demo"))
    built = start - b.randint(100, 8000)
    building = b.premise("APARTMENT_BUILDING", addr, built, landlord_agreement=la)
    b.role(pid, "PROPERTY_OWNER", premise=building, start=start)
    b.geo(building, building)
    common = b.service_point(building, "ELECTRIC", built, meter="demand")
    b.agreement(acct, pid, "ELECTRIC", "E-COM", "E-COM-1", [common], start, daily=120.0)
    units = b.randint(6, 30)
    occupied = min(remaining - 1, max(2, units * 8 // 10))
    units = max(units, occupied + 1)
    gas = b.rand() < 0.35
    tenants = 0
    for unit in range(1, units + 1):
        prid = b.premise("APARTMENT", addr, built, line2=f"Unit {unit}", parent=building,
                         landlord_agreement=la)
        b.role(pid, "PROPERTY_OWNER", premise=prid, start=start)
        b.geo(prid, building)
        sps, tou = _home_sps(b, prid, built, gas=1.0 if gas else 0.0, water=0.0)
        need = occupied - tenants
        if need > 0 and (units - unit + 1 <= need or b.rand() < 0.8):
            tenants += 1
            _occupant(b, addr, prid, sps, tou, max(start, _since(b)), tenant=True)
        else:
            for svc, spid in sps:
                sa_type, rate, _daily = RES[svc]
                b.agreement(acct, pid, svc, sa_type, rate, [spid], start, daily=3.0)
    b.billing.bill_account(acct)
    return 1 + tenants


def _number(n: int) -> str:
    return number("landlord_agreement", n)


def shopping(b: Builder, remaining: int) -> int:
    """A shopping centre (parent premise) with stores leased to tenant companies."""
    addr = b.address()
    centre_name = f"{b.choice(N.COMPANY_WORDS)} Centre"
    pid, cid = _business(b, f"{centre_name} Properties {b.choice(N.LEGAL_SUFFIXES)}", addr)
    start = b.today - b.randint(900, 6000)
    acct = b.account(cid, pid, start, description=f"{centre_name} - common areas", freq=1)
    la = b.next_id("landlord_agreement")
    b.rows["landlord_agreement"].append((la, _number(la), f"{centre_name} store leases", pid,
                                         acct.id, "ACTIVE", 1, b.stamp, "demo"))
    centre = _site(b, acct, pid, addr, start, ptype="SHOPPING_CENTRE", scale=6.0, gas=0.0,
                   water=1.0, la=la)
    b.role(pid, "PROPERTY_OWNER", premise=centre, start=start)
    b.geo(centre, centre)
    stores = min(remaining - 1, b.randint(3, 10))
    for i in range(stores):
        kind = b.choice(N.STORE_KINDS)
        name = f"{b.choice(N.COMPANY_WORDS)} {kind} {b.choice(N.LEGAL_SUFFIXES)}"
        tpid, tcid = _business(b, name, addr)
        opened = b.randint(start, b.today - 60)
        tacct = b.account(tcid, tpid, opened, description=f"{name} - {centre_name}")
        prid = _site(b, tacct, tpid, addr, opened, gas=0.3, water=0.0, parent=centre, la=la,
                     line2=f"Suite {101 + i}")
        b.role(pid, "PROPERTY_OWNER", premise=prid, start=start)
        b.role(tpid, "TENANT", premise=prid, start=opened)
        b.geo(prid, centre)
        b.billing.bill_account(tacct)
    b.billing.bill_account(acct)
    return 1 + stores


def municipal(b: Builder, remaining: int) -> int:
    """A town: city hall and unmetered street lighting (items on a service point)."""
    city = b.randint(0, len(N.CITIES) - 1)
    addr = b.address(city)
    pid = b.organisation(f"City of {N.CITIES[city][0]}", addr, "LOCAL_AUTHORITY",
                         domain=f"{N.CITIES[city][0].lower()}.example.gov")
    cid = b.customer(pid, "COMMERCIAL")
    start = b.today - b.randint(3000, 12000)
    acct = b.account(cid, pid, start, description="Municipal services", freq=1)
    _site(b, acct, pid, addr, start, scale=4.0, gas=1.0, water=1.0)
    for district in range(1, b.randint(2, 4)):
        built = start + b.randint(0, 1000)
        prid = b.premise("COMMERCIAL", (f"Street lighting district {district}", *addr[1:]),
                         built)
        spid = b.service_point(prid, "ELECTRIC", built, kind="OTHER", meter="none")
        lights = b.randint(10, 40)
        b.street_lights(spid, lights, built)
        b.agreement(acct, pid, "ELECTRIC", "E-COM", "E-COM-1", [spid], built,
                    daily=1.6 * lights)
    b.billing.bill_account(acct)
    return 1


UNITS: dict[str, Callable[[Builder, int], int]] = {
    "residential": residential, "move": move, "pending_start": pending_start,
    "pending_stop": pending_stop, "commercial": commercial, "industrial": industrial,
    "per_site": per_site, "one_account": one_account, "per_consumer": per_consumer,
    "consultant": consultant, "landlord": landlord, "shopping": shopping,
    "municipal": municipal,
}
