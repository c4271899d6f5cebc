"""The sample support-operations business: a small deterministic seed, the same on both engines.

Amounts are integer cents (``persistence.world.schema``). Two orders were charged twice
(5531 for Dana Whitfield, 5602 for Marco Ruiz): the duplicate-charge scenario the demo runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

CUSTOMERS = (
    (1003, "Aisha Okafor", "aisha.okafor@example.com", "business", "2023-02-11T10:04:00Z"),
    (1015, "Tom Lindqvist", "tom.lindqvist@example.com", "pro", "2023-06-30T16:45:00Z"),
    (1021, "Priya Raman", "priya.raman@example.com", "free", "2023-09-02T08:20:00Z"),
    (1042, "Dana Whitfield", "dana.whitfield@example.com", "pro", "2024-01-17T13:31:00Z"),
    (1058, "Kenji Sato", "kenji.sato@example.com", "business", "2024-03-05T07:55:00Z"),
    (1077, "Marco Ruiz", "marco.ruiz@example.com", "pro", "2024-06-21T18:12:00Z"),
    (1089, "Léa Martin", "lea.martin@example.com", "free", "2024-09-14T11:03:00Z"),
    (1096, "Samuel Adeyemi", "samuel.adeyemi@example.com", "pro", "2025-01-08T09:40:00Z"),
)

# (order id, customer, product, amount in cents, currency, status, created_at)
ORDERS = (
    (5480, 1003, "Business plan annual", 49900, "USD", "paid", "2025-03-02T09:00:00Z"),
    (5488, 1015, "Pro plan annual", 12900, "USD", "paid", "2025-03-09T14:21:00Z"),
    (5495, 1015, "Extra seats (5)", 7900, "USD", "partially_refunded", "2025-03-28T10:10:00Z"),
    (5503, 1021, "Storage add-on 100 GB", 1900, "USD", "paid", "2025-04-03T19:47:00Z"),
    (5517, 1058, "Business plan monthly", 5900, "EUR", "paid", "2025-04-19T06:30:00Z"),
    (5524, 1089, "Pro plan monthly", 1500, "EUR", "paid", "2025-05-01T12:12:00Z"),
    (5531, 1042, "Pro plan annual", 12900, "USD", "paid", "2025-05-14T09:11:40Z"),
    (5540, 1096, "Pro plan monthly", 1500, "USD", "paid", "2025-05-16T17:05:00Z"),
    (5549, 1003, "Priority support add-on", 9900, "USD", "paid", "2025-05-18T08:44:00Z"),
    (5556, 1042, "Storage add-on 100 GB", 1900, "USD", "paid", "2025-05-19T15:20:00Z"),
    (5568, 1058, "Extra seats (10)", 14900, "EUR", "paid", "2025-05-20T09:02:00Z"),
    (5579, 1021, "Pro plan monthly", 1500, "USD", "paid", "2025-05-22T21:38:30Z"),
    (5590, 1089, "Storage add-on 100 GB", 1900, "EUR", "paid", "2025-05-24T10:58:00Z"),
    (5602, 1077, "Pro plan quarterly", 4900, "EUR", "paid", "2025-05-26T14:01:50Z"),
    (5611, 1096, "Extra seats (5)", 7900, "USD", "paid", "2025-05-27T11:26:00Z"),
)

# Every order is captured once except the two duplicates below, plus one declined attempt
# (5579) that was retried: captured totals must count only 'captured' rows.
EXTRA_CHARGES = (
    ("ch_5531_2", 5531, 1042, 12900, "USD", "captured", "2025-05-14T09:16:47Z"),
    ("ch_5602_2", 5602, 1077, 4900, "EUR", "captured", "2025-05-26T14:05:39Z"),
    ("ch_5579_0", 5579, 1021, 1500, "USD", "failed", "2025-05-22T21:37:52Z"),
)

REFUNDS = (
    (
        "re_5495_seed",
        "ch_5495_1",
        5495,
        1015,
        2000,
        "USD",
        "Two of the five seats were never activated (goodwill partial refund).",
        "seed-refund-5495",
        "2025-04-02T15:00:00Z",
    ),
)

INTERNAL_NOTES = (
    (1, 1042, "Chargeback filed in 2024 and later withdrawn; do not offer store credit."),
    (2, 1077, "Account flagged by risk team, case RISK-88213. Do not mention to the customer."),
    (3, 1003, "Negotiating enterprise contract; account manager is J. Brandt."),
)


class Seedable(Protocol):
    """A connection (SQLite, or PostgreSQL through ``persistence.world.store``) in a transaction."""

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]], /) -> Any:
        """Run one ``?``-placeholder statement once per row."""


def seed(conn: Seedable) -> None:
    """Insert the sample rows; the caller makes sure this runs once per database."""
    conn.executemany("INSERT INTO customers VALUES (?, ?, ?, ?, ?)", CUSTOMERS)
    conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?)", ORDERS)
    first_charges = [
        (f"ch_{oid}_1", oid, cid, cents, cur, "captured", created)
        for oid, cid, _, cents, cur, _, created in ORDERS
    ]
    charges = first_charges + list(EXTRA_CHARGES)
    conn.executemany("INSERT INTO charges VALUES (?, ?, ?, ?, ?, ?, ?)", charges)
    conn.executemany("INSERT INTO refunds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", REFUNDS)
    conn.executemany("INSERT INTO internal_notes VALUES (?, ?, ?)", INTERNAL_NOTES)
