"""What the demo's year of history is made of: its programs, its extra suppliers and the items
each program orders, with the suppliers that make them (ratings/demo/program.py writes it)."""

from __future__ import annotations

from dataclasses import dataclass

from ratings.constants import HealthResourceCategory
from ratings.constants_application import FdaStatus

# Demo data only: the 2024 program symbols are unconfirmed, these two are invented.
PROGRAMS = {
    "HR": None,  # made by the accounts
    "PV": ("Pandemic vaccine readiness (demo)", ["DO", "DX"], HealthResourceCategory.VACCINE),
    "DT": ("Diagnostic test capacity (demo)", ["DO"], HealthResourceCategory.DIAGNOSTIC_TEST),
}
# What the demo's health resources hold from FDA, by category (numbers invented for the demo).
FDA_BY_CATEGORY = {
    HealthResourceCategory.VACCINE: (FdaStatus.BLA, "BLA 125999 (demo)"),
    HealthResourceCategory.THERAPEUTIC: (FdaStatus.EUA, "EUA 000999 (demo)"),
    HealthResourceCategory.DIAGNOSTIC_TEST: (FdaStatus.K510, "K209999 (demo)"),
    HealthResourceCategory.OTHER_COUNTERMEASURE: (FdaStatus.NDC_LISTED, "NDC 99999-0001 (demo)"),
}
SUPPLIERS = {
    "sarung": ("Sarung Medical Gloves Sdn Bhd", "Sarung", "Shah Alam", "MY"),
    "guantes": ("Guantes Clínicos SA de CV", "Guantes", "Monterrey", "MX"),
    "vialtek": ("Vialtek Glas GmbH", "Vialtek", "Mainz", "DE"),
}


@dataclass(frozen=True)
class Item:
    description: str
    part_number: str
    unit: str
    quantity: tuple[int, int]
    suppliers: tuple[tuple[str, int], ...]  # supplier key and weight


CATALOG = {
    "HR": [
        Item(
            "Nitrile exam gloves, size M",
            "GLV-100",
            "box",
            (200, 900),
            (("glove", 60), ("sarung", 25), ("guantes", 15)),
        ),
        Item("Filtration skid, 200 L", "SKD-3000", "each", (1, 4), (("filtra", 70), ("pumpco", 30))),
    ],
    "PV": [
        Item(
            "Sterile glass vials, 10 mL", "VL-10", "case", (20, 80), (("vialtek", 40), ("pumpco", 30), ("filtra", 30))
        ),
        Item("Nitrile exam gloves, size L", "GLV 100", "box", (100, 600), (("glove", 70), ("sarung", 30))),
    ],
    "DT": [
        Item("Nitrile exam gloves for test assembly", "glv-100", "box", (100, 400), (("glove", 80), ("guantes", 20))),
        Item("Peristaltic dispensing pump", "PP-8", "each", (1, 3), (("pumpco", 1),)),
    ],
}
