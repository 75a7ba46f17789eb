"""Generate the demo customers of Ridgeline Outfitters: seeded, so every run writes the same files.

Reads the product files in knowledge/products/ and writes knowledge/customers/:

- ``customers.jsonl``: id, display name, loyalty number, email, phone (some customers give
  none), consent to personalisation (about three in four), created date;
- ``purchases.csv``: customer_id, sku, quantity, price, purchased_at (one basket = one time);
- ``browsing_events.csv``: customer_id, sku, kind (view, wishlist, cart), occurred_at.

The structure a recommender can learn, as in a real shop:

- **category loyalties**: each customer shops mostly in one to three categories;
- **brand preferences**: one or two favourite brands, and a budget, mid or premium taste;
- **items bought together**: a stove comes with fuel, a kayak with a paddle and a buoyancy aid,
  each product with its usual partner (same brand where there is one); a complement skipped at
  the till is often bought on a later visit;
- **repeat purchases**: consumables (fuel, chalk, batteries, socks, inner tubes) are bought again;
- **browsing**: products are viewed before they are bought, and alternatives are viewed too.

Usage: ``.venv/bin/python scripts/generate_customers.py [--customers 240] [--seed 2026]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PRODUCTS = ROOT / "knowledge" / "products"
OUTPUT = ROOT / "knowledge" / "customers"
START = datetime(2023, 1, 9)
END = datetime(2025, 11, 28)

FIRST = """Ava Ben Chloe Dan Ella Finn Grace Hugo Isla Jack Kara Liam Maya Noah Olive Owen Priya
Quinn Rosa Sam Tara Umar Vera Will Xena Yusuf Zoe Aaron Bea Carlos Dina Eli Fatima Gabe Hana
Ivan Jade Kofi Lena Marco Nina Oscar Paula Ravi Sofia Theo Una Victor Wen Yara Zack Amara Bruno
Cleo Dev Esme Felix Gia Hamza Ines Jonas Keiko Leo Mina Nico""".split()
LAST = """Abbott Baker Chen Diaz Evans Fischer Garcia Haddad Ito Jensen Khan Lopez Murphy Nguyen
Okafor Patel Quinn Rossi Silva Tanaka Usman Varga Walsh Xu Young Zimmer Adeyemi Brooks Castillo
Dubois Eriksen Foster Gupta Holt Iqbal Jovanovic Kowalski Larsen Moreau Novak Ortiz Park Reyes
Schmidt Torres Ueda Volkov Ward Yilmaz Zhang""".split()
AREA_CODES = ["303", "406", "503", "541", "720", "775", "801", "971"]

CATEGORY_WEIGHT = {
    "Tents": 1.0, "Sleeping Bags & Mats": 1.0, "Camp Kitchen": 1.3, "Backpacks": 1.0,
    "Footwear": 1.4, "Jackets": 1.2, "Clothing": 1.3, "Lighting": 1.0, "Climbing": 0.7,
    "Cycling": 0.9, "Water Sports": 0.6, "Navigation & Electronics": 0.8,
}  # fmt: skip

# (category, type) -> complements as ((category, type), chance in the same basket).
COMPLEMENTS: dict[tuple[str, str], list[tuple[tuple[str, str], float]]] = {
    ("Camp Kitchen", "stove"): [(("Camp Kitchen", "fuel canister"), 0.8),
                                (("Camp Kitchen", "cookware"), 0.4), (("Camp Kitchen", "mug"), 0.3)],
    ("Camp Kitchen", "water filter"): [(("Camp Kitchen", "filter cartridge"), 0.5)],
    ("Camp Kitchen", "cookware"): [(("Camp Kitchen", "utensil"), 0.4)],
    ("Camp Kitchen", "freeze-dried meal"): [(("Camp Kitchen", "freeze-dried meal"), 0.5)],
    ("Tents", "tent"): [(("Sleeping Bags & Mats", "sleeping mat"), 0.5),
                        (("Sleeping Bags & Mats", "sleeping bag"), 0.35), (("Lighting", "lantern"), 0.25)],
    ("Sleeping Bags & Mats", "sleeping bag"): [(("Sleeping Bags & Mats", "sleeping mat"), 0.5)],
    ("Backpacks", "backpacking"): [(("Camp Kitchen", "water filter"), 0.3), (("Lighting", "headlamp"), 0.3),
                                   (("Water Sports", "dry bag"), 0.2)],
    ("Backpacks", "daypack"): [(("Backpacks", "hydration pack"), 0.15), (("Clothing", "hat"), 0.2)],
    ("Footwear", "hiking boot"): [(("Clothing", "socks"), 0.7), (("Clothing", "hiking trousers"), 0.3)],
    ("Footwear", "backpacking boot"): [(("Clothing", "socks"), 0.7), (("Backpacks", "backpacking"), 0.3)],
    ("Footwear", "hiking shoe"): [(("Clothing", "socks"), 0.6)],
    ("Footwear", "trail running shoe"): [(("Clothing", "socks"), 0.6), (("Backpacks", "running vest"), 0.3),
                                         (("Backpacks", "running belt"), 0.2)],
    ("Footwear", "winter boot"): [(("Clothing", "socks"), 0.5), (("Clothing", "gloves"), 0.3)],
    ("Climbing", "harness"): [(("Climbing", "belay device"), 0.6), (("Climbing", "carabiner"), 0.6),
                              (("Climbing", "helmet"), 0.3)],
    ("Climbing", "climbing shoe"): [(("Climbing", "chalk"), 0.7), (("Climbing", "chalk bag"), 0.4)],
    ("Climbing", "rope"): [(("Climbing", "carabiner"), 0.4)],
    ("Climbing", "chalk bag"): [(("Climbing", "chalk"), 0.7)],
    ("Cycling", "helmet"): [(("Cycling", "bike light"), 0.5), (("Cycling", "lock"), 0.4),
                            (("Cycling", "gloves"), 0.2)],
    ("Cycling", "pump"): [(("Cycling", "inner tube"), 0.6), (("Cycling", "puncture repair kit"), 0.5)],
    ("Cycling", "tool"): [(("Cycling", "chain lube"), 0.6)],
    ("Cycling", "bike bag"): [(("Cycling", "inner tube"), 0.3), (("Cycling", "tool"), 0.3)],
    ("Water Sports", "kayak"): [(("Water Sports", "paddle"), 0.8), (("Water Sports", "pfd"), 0.7),
                                (("Water Sports", "dry bag"), 0.4)],
    ("Water Sports", "sup board"): [(("Water Sports", "paddle"), 0.6), (("Water Sports", "pfd"), 0.6)],
    ("Water Sports", "wetsuit"): [(("Footwear", "water shoe"), 0.4)],
    ("Lighting", "headlamp"): [(("Lighting", "battery"), 0.6)],
    ("Lighting", "flashlight"): [(("Lighting", "battery"), 0.6)],
    ("Lighting", "lantern"): [(("Lighting", "battery"), 0.5)],
    ("Navigation & Electronics", "gps"): [(("Navigation & Electronics", "power bank"), 0.4),
                                          (("Navigation & Electronics", "map"), 0.3)],
    ("Navigation & Electronics", "compass"): [(("Navigation & Electronics", "map"), 0.7)],
    ("Navigation & Electronics", "solar panel"): [(("Navigation & Electronics", "power bank"), 0.5)],
    ("Navigation & Electronics", "two-way radio"): [(("Lighting", "battery"), 0.4)],
    ("Jackets", "rain jacket"): [(("Clothing", "rain trousers"), 0.4)],
    ("Jackets", "hardshell"): [(("Clothing", "rain trousers"), 0.4), (("Clothing", "gloves"), 0.3)],
    ("Jackets", "down jacket"): [(("Clothing", "hat"), 0.4), (("Clothing", "gloves"), 0.3)],
    ("Jackets", "parka"): [(("Clothing", "hat"), 0.4), (("Clothing", "gloves"), 0.4)],
    ("Jackets", "insulated jacket"): [(("Clothing", "hat"), 0.3)],
    ("Clothing", "base layer top"): [(("Clothing", "base layer bottom"), 0.5), (("Clothing", "socks"), 0.3)],
    ("Clothing", "fleece"): [(("Clothing", "hat"), 0.3)],
}  # fmt: skip
# A complement skipped at the till is bought on a later visit this often.
FOLLOW_UP = 0.45


@dataclass
class Product:
    """The few product facts the generator uses."""

    sku: str
    name: str
    brand: str
    category: str
    kind: tuple[str, str]
    price: float
    consumable: bool
    appeal: float  # how popular it is in general


@dataclass
class Shopper:
    """A generated customer and the taste that drives their baskets."""

    id: str
    loyalties: dict[str, float]
    brands: set[str]
    tier: str  # 'budget', 'mid' or 'premium'
    owned: Counter[str] = field(default_factory=Counter)
    wanted: list[tuple[str, tuple[str, str]]] = field(default_factory=list)  # for a later visit


class Generator:
    """Seeded generation of customers, baskets and browsing."""

    def __init__(self, products: list[Product], seed: int) -> None:
        self.rng = random.Random(seed)
        self.products = products
        self.by_sku = {p.sku: p for p in products}
        self.by_kind: dict[tuple[str, str], list[Product]] = defaultdict(list)
        self.by_category: dict[str, list[Product]] = defaultdict(list)
        for product in products:
            self.by_kind[product.kind].append(product)
            self.by_category[product.category].append(product)
        self.partner = {(p.sku, kind): self._partner(p, kind) for p in products
                        for kind, _ in COMPLEMENTS.get(p.kind, [])}  # fmt: skip

    def _partner(self, product: Product, kind: tuple[str, str]) -> str:
        """The usual companion of a product: the same brand's if there is one."""
        options = [p for p in self.by_kind.get(kind, []) if p.sku != product.sku]
        same = [p for p in options if p.brand == product.brand]
        pool = same or options
        return max(pool, key=lambda p: p.appeal).sku if pool else ""

    def customers(self, count: int) -> tuple[list[dict[str, Any]], list[Shopper]]:
        """Customer records and their hidden tastes."""
        records: list[dict[str, Any]] = []
        shoppers: list[Shopper] = []
        loyalty_numbers: set[str] = set()
        for number in range(1, count + 1):
            first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
            loyalty = self._unique(
                loyalty_numbers, lambda: f"RL-{self.rng.randint(100000, 999999)}"
            )
            created = START - timedelta(days=400) + timedelta(days=self.rng.randint(0, 1300))
            records.append(self._record(number, first, last, loyalty, created))
            shoppers.append(self._shopper(f"C{number:04d}"))
        return records, shoppers

    @staticmethod
    def _unique(seen: set[str], make: Any) -> str:
        value = make()
        while value in seen:
            value = make()
        seen.add(value)
        return value

    def _record(
        self, number: int, first: str, last: str, loyalty: str, created: datetime
    ) -> dict[str, Any]:
        rng = self.rng
        phone = (
            f"+1 {rng.choice(AREA_CODES)} 555 01{rng.randint(0, 99):02d}"
            if rng.random() < 0.6
            else ""
        )
        email = f"{first}.{last}{number}@example.com".lower() if rng.random() < 0.85 else ""
        return {
            "id": f"C{number:04d}", "display_name": f"{first} {last}",
            "loyalty_number": loyalty if rng.random() < 0.9 else "",
            "email": email, "phone": phone,
            "consent_personalisation": rng.random() < 0.75,
            "created_at": created.date().isoformat(),
        }  # fmt: skip

    def _shopper(self, customer_id: str) -> Shopper:
        rng = self.rng
        categories = list(CATEGORY_WEIGHT)
        chosen: list[str] = []
        for _ in range(rng.choice([1, 2, 2, 3])):
            left = [c for c in categories if c not in chosen]
            chosen.append(rng.choices(left, [CATEGORY_WEIGHT[c] for c in left])[0])
        loyalties = {c: 0.04 for c in categories}
        for share, category in zip((0.6, 0.25, 0.15), chosen, strict=False):
            loyalties[category] += share * 3
        brands = Counter(p.brand for c in chosen for p in self.by_category[c])
        favourites = set(rng.choices(list(brands), list(brands.values()), k=rng.choice([1, 2])))
        tier = rng.choices(["budget", "mid", "premium"], [0.3, 0.5, 0.2])[0]
        return Shopper(customer_id, loyalties, favourites, tier)

    def _appeal(self, shopper: Shopper, product: Product, kind_median: float) -> float:
        weight = product.appeal * (5.0 if product.brand in shopper.brands else 1.0)
        cheaper = product.price <= kind_median
        if shopper.tier == "budget":
            weight *= 2.5 if cheaper else 0.6
        elif shopper.tier == "premium":
            weight *= 0.6 if cheaper else 2.5
        return weight

    def pick(self, shopper: Shopper, options: list[Product]) -> Product | None:
        """A product the shopper would choose among ``options`` (not a durable they own)."""
        options = [p for p in options if p.consumable or not shopper.owned[p.sku]]
        if not options:
            return None
        prices = sorted(p.price for p in options)
        median = prices[len(prices) // 2]
        weights = [self._appeal(shopper, p, median) for p in options]
        return self.rng.choices(options, weights)[0]

    def history(
        self, shopper: Shopper, created: datetime
    ) -> tuple[list[list[str]], list[list[str]]]:
        """(purchase rows, browsing rows) over the shopper's life as a customer."""
        rng = self.rng
        visits = 0 if rng.random() < 0.05 else max(1, int(rng.lognormvariate(2.35, 0.5)))
        begin = max(created, START)
        days = sorted(rng.sample(range(max((END - begin).days, visits + 1)), visits))
        purchases: list[list[str]] = []
        events: list[list[str]] = []
        for day in days:
            moment = begin + timedelta(
                days=day, hours=rng.randint(9, 19), minutes=rng.randint(0, 59)
            )
            basket = self.basket(shopper)
            for product, quantity in basket:
                shopper.owned[product.sku] += 1
                price = round(product.price * (0.85 if moment.month in (1, 7) else 1.0), 2)
                purchases.append(
                    [shopper.id, product.sku, str(quantity), f"{price:.2f}", _iso(moment)]
                )
            events += self.browsing(shopper, [p for p, _ in basket], moment)
        # Nobody browses as a known customer before they became one.
        return purchases, [row for row in events if row[3] >= _iso(created)]

    def basket(self, shopper: Shopper) -> list[tuple[Product, int]]:
        """One visit's basket: restocking, a follow-up complement, or a new main item."""
        rng = self.rng
        consumables = [sku for sku in shopper.owned if self.by_sku[sku].consumable]
        roll = rng.random()
        if consumables and roll < 0.25:
            items = self._restock(shopper, consumables)
        elif shopper.wanted and roll < 0.5:
            items = self._follow_up(shopper)
        else:
            items = self._new_main(shopper)
        unique = list({p.sku: p for p in items if p is not None}.values())
        return [(p, rng.randint(1, 3) if p.consumable else 1) for p in unique]

    def _restock(self, shopper: Shopper, consumables: list[str]) -> list[Product | None]:
        weights = [shopper.owned[sku] for sku in consumables]
        items: list[Product | None] = [self.by_sku[self.rng.choices(consumables, weights)[0]]]
        if self.rng.random() < 0.3:
            items.append(self.by_sku[self.rng.choice(consumables)])
        return items

    def _follow_up(self, shopper: Shopper) -> list[Product | None]:
        anchor_sku, kind = shopper.wanted.pop(self.rng.randrange(len(shopper.wanted)))
        return [self._complement(shopper, anchor_sku, kind)]

    def _new_main(self, shopper: Shopper) -> list[Product | None]:
        categories = list(shopper.loyalties)
        category = self.rng.choices(categories, [shopper.loyalties[c] for c in categories])[0]
        main = self.pick(shopper, self.by_category[category])
        if main is None:
            return []
        items: list[Product | None] = [main]
        for kind, chance in COMPLEMENTS.get(main.kind, []):
            if self.rng.random() < chance:
                items.append(self._complement(shopper, main.sku, kind))
            elif self.rng.random() < FOLLOW_UP:
                shopper.wanted.append((main.sku, kind))
        return items

    def _complement(
        self, shopper: Shopper, anchor_sku: str, kind: tuple[str, str]
    ) -> Product | None:
        """Usually the anchor's partner product, otherwise one to the shopper's taste."""
        partner = self.partner.get((anchor_sku, kind))
        if partner and self.rng.random() < 0.7:
            product = self.by_sku[partner]
            if product.consumable or not shopper.owned[product.sku]:
                return product
        return self.pick(shopper, self.by_kind.get(kind, []))

    def browsing(
        self, shopper: Shopper, bought: list[Product], moment: datetime
    ) -> list[list[str]]:
        """Views before a visit: the products bought, and alternatives of the same kind."""
        rng, rows = self.rng, []
        for product in bought:
            if rng.random() < 0.5:
                rows.append(self._event(shopper, product, "view", moment, rng.randint(1, 9)))
            if not product.consumable and rng.random() < 0.5:
                alternative = self.pick(shopper, self.by_kind[product.kind])
                if alternative is not None and alternative.sku != product.sku:
                    rows.append(
                        self._event(shopper, alternative, "view", moment, rng.randint(1, 9))
                    )
            if rng.random() < 0.1:
                kind = rng.choice(["wishlist", "cart"])
                rows.append(self._event(shopper, product, kind, moment, rng.randint(1, 30)))
        return rows

    def _event(
        self, shopper: Shopper, product: Product, kind: str, moment: datetime, days_before: int
    ) -> list[str]:
        when = moment - timedelta(days=days_before, minutes=self.rng.randint(0, 600))
        return [shopper.id, product.sku, kind, _iso(when)]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:00Z")


def load_products() -> list[Product]:
    """Every demo product with a seeded general appeal (a few best-sellers, a long tail)."""
    rng = random.Random(7)
    products = []
    for path in sorted(PRODUCTS.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                attributes = row.get("attributes", {})
                kind = (row["category"], attributes.get("type") or "tent")
                products.append(Product(row["sku"], row["name"], row.get("brand", ""), row["category"],
                                        kind, float(row["price"]), attributes.get("consumable") is True,
                                        rng.lognormvariate(0, 0.8)))  # fmt: skip
    return products


def write(
    customers: list[dict[str, Any]], purchases: list[list[str]], events: list[list[str]]
) -> None:
    """Write the three files, rows sorted so the output is stable and diffs stay small."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with (OUTPUT / "customers.jsonl").open("w") as handle:
        for record in customers:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    _csv(OUTPUT / "purchases.csv", ["customer_id", "sku", "quantity", "price", "purchased_at"],
         sorted(purchases, key=lambda r: (r[4], r[0], r[1])))  # fmt: skip
    _csv(OUTPUT / "browsing_events.csv", ["customer_id", "sku", "kind", "occurred_at"],
         sorted(set(map(tuple, events)), key=lambda r: (r[3], r[0], r[1], r[2])))  # fmt: skip


def _csv(path: Path, header: list[str], rows: Any) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    """Generate and write the demo customers, then print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=240)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    generator = Generator(load_products(), args.seed)
    records, shoppers = generator.customers(args.customers)
    purchases, events = [], []
    for record, shopper in zip(records, shoppers, strict=True):
        bought, looked = generator.history(shopper, datetime.fromisoformat(record["created_at"]))
        purchases += bought
        events += looked
    write(records, purchases, events)
    print(f"{len(records)} customers, {len(purchases)} purchase lines, {len(events)} browsing events"
          f" written to {OUTPUT.relative_to(ROOT)}/")  # fmt: skip


if __name__ == "__main__":
    main()
