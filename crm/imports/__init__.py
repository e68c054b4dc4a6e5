"""Files in and out of the store: imports (read, clean, write) and exports."""

from enum import StrEnum


class ImportKind(StrEnum):
    """What a file holds: customers, products, or orders (one order line per row)."""

    CUSTOMERS = "customers"
    PRODUCTS = "products"
    ORDERS = "orders"
