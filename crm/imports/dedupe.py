"""Judge and de-duplicate imported customer, product and order tables before they reach the store.

The cleaning (sniff reads the file, columns maps its headers, parsers normalise each value,
table cleans a frame, and this module says which rows are usable and which are one) is pure:
files and DataFrames in, cleaned records and reasons out.

Rules the importer relies on:

* Row numbers count data rows: the first row under the header is row 1 (a spreadsheet shows it
  as row 2). Blank and empty rows count; empty rows after the last data row do not.
* Every input row ends as exactly one outcome: a record, a row merged into a record, or a
  rejection, so ``counts()["rows"] == clean + merged + rejected``.
* A bad value in a field the row can live without is dropped and reported as a warning on the
  record (``email: "bob@@example" is not a valid email address; value dropped``). A row is rejected
  only when it is left without what its kind requires; the reason names the bad values, or
  what is missing ("no name, email, phone or Telegram id"). Completely empty rows are rejected
  as "empty row".
* Customers need one of name, email, phone or Telegram id. Rows sharing a Telegram id, phone
  or email (transitively) are one customer: the group keeps the row number of its first row,
  each field takes the non-empty value of the most recent row (by ``updated``, else ``created``;
  undated rows count as older than dated ones; ties go to the later row in the file), tags are
  unioned, and a dropped identifier of another row is reported as a warning.
* Products need a SKU or a name; rows with the same SKU (ignoring case) merge like customers,
  the later row in the file winning. Prices must not be negative.
* Order lines need a date, something naming the customer (email, phone, Telegram id or name)
  and a SKU, product name or amount; a bad date, quantity, price or total rejects the line.
  Quantity defaults to 1, total to price x quantity; negative amounts (refunds) are kept.
  Lines are not merged, except exact repeats of a line of the same order ref, which are
  merged into the first with a warning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm.imports import ImportKind
from crm.imports.parsers import CENT, CJK
from crm.imports.table import CleanResult, Table


def clean_customers(
    df: pd.DataFrame, *, default_country: str = "US", dayfirst: bool = False
) -> CleanResult:
    """Clean a customer table and merge the rows that are the same person."""
    table = Table(df, ImportKind.CUSTOMERS, default_country=default_country, dayfirst=dayfirst)
    values = table.values
    values["name"] = _compose_name(values["name"], values["first_name"], values["last_name"])
    identifiers = ("name", "email", "phone", "telegram_id")
    present = table.present(identifiers)
    rejections = {
        position: table.messages(position, identifiers) or ["no name, email, phone or Telegram id"]
        for position in np.flatnonzero(~table.empty & ~present)
    }
    kept = np.flatnonzero(~table.empty & present)
    recency = values["updated"].where(values["updated"].notna(), values["created"])
    labels = _components([values[key].iloc[kept] for key in ("telegram_id", "phone", "email")])
    return table.result(
        kept,
        labels,
        rejections,
        recency=[-1 if day is None else day.toordinal() for day in recency.iloc[kept]],
        conflicts=("telegram_id", "phone", "email"),
    )


def clean_products(df: pd.DataFrame) -> CleanResult:
    """Clean a product table and merge rows with the same SKU."""
    table = Table(df, ImportKind.PRODUCTS)
    identifiers = ("sku", "name")
    present = table.present(identifiers)
    rejections = {
        position: table.messages(position, identifiers) or ["no SKU or product name"]
        for position in np.flatnonzero(~table.empty & ~present)
    }
    kept = np.flatnonzero(~table.empty & present)
    sku = table.values["sku"].iloc[kept]
    labels = _components([sku.where(sku.isna(), sku.str.casefold())])
    return table.result(
        kept, labels, rejections, recency=[0] * len(kept), conflicts=("name", "price")
    )


def clean_order_lines(
    df: pd.DataFrame, *, default_country: str = "US", dayfirst: bool = False
) -> CleanResult:
    """Clean an order-history table of one row per order line."""
    table = Table(df, ImportKind.ORDERS, default_country=default_country, dayfirst=dayfirst)
    values = table.values
    customer = ("email", "phone", "telegram_id", "customer_name")
    has_customer = table.present(customer)
    has_goods = table.present(("sku", "product_name", "price", "total"))
    has_date = table.present(("date",))
    must_be_valid = ("date", "quantity", "price", "total")
    invalid = np.zeros(len(table.empty), dtype=bool)
    for name in must_be_valid:
        invalid |= table.errors[name].notna().to_numpy()
    rejections: dict[int, list[str]] = {}
    for position in np.flatnonzero(
        ~table.empty & (~has_customer | ~has_goods | ~has_date | invalid)
    ):
        reasons = table.messages(position, must_be_valid)
        if not has_date[position] and not table.messages(position, ["date"]):
            reasons.insert(0, "no order date")
        if not has_customer[position]:
            reasons += table.messages(position, customer) or [
                "no customer email, phone, Telegram id or name"
            ]
        if not has_goods[position]:
            reasons.append("no SKU, product name or amount")
        rejections[position] = reasons
    kept = np.flatnonzero(~table.empty & has_customer & has_goods & has_date & ~invalid)

    quantity = values["quantity"].where(values["quantity"].notna(), 1)
    values["quantity"] = quantity
    computed = [
        None if price is None else (price * count).quantize(CENT)
        for price, count in zip(values["price"], quantity, strict=True)
    ]
    values["total"] = values["total"].where(
        values["total"].notna(), pd.Series(computed, dtype=object)
    )
    return table.result(
        kept, _exact_repeats(table, kept), rejections, recency=[0] * len(kept), repeats=True
    )


def _compose_name(name: pd.Series, first: pd.Series, last: pd.Series) -> pd.Series:
    first_text, last_text = first.fillna(""), last.fillna("")
    # Chinese, Japanese and Korean names put the family name first, with no space.
    east_asian = first_text.str.contains(CJK) | last_text.str.contains(CJK)
    composed = (first_text + " " + last_text).str.strip().where(~east_asian, last_text + first_text)
    composed = composed.where(composed != "", None)
    return name.where(name.notna(), composed).astype(object)


def _exact_repeats(table: Table, kept: np.ndarray) -> np.ndarray:
    """Label each kept line with the first identical line of the same order ref."""
    labels = np.arange(len(kept))
    with_ref = table.values["order_ref"].iloc[kept].notna().to_numpy()
    if not with_ref.any():
        return labels
    columns = {name: series.iloc[kept].to_numpy() for name, series in table.values.items()}
    columns["_custom"] = np.array(
        [repr(sorted(table.custom[position].items())) for position in kept], dtype=object
    )
    lines = pd.DataFrame(columns, dtype=object)[with_ref]
    if not lines.duplicated().any():
        return labels
    first = (
        pd.Series(lines.index, index=lines.index)
        .groupby([lines[name] for name in lines.columns], sort=False, dropna=False)
        .transform("min")
    )
    labels[first.index.to_numpy()] = first.to_numpy()
    return labels


def _components(keys: list[pd.Series]) -> np.ndarray:
    """Label each row with the first row it shares a key with, directly or through others."""
    size = len(keys[0]) if keys else 0
    labels = np.arange(size)
    while True:
        updated = labels.copy()
        for key in keys:
            present = key.notna().to_numpy()
            if present.sum() < 2:
                continue
            groups = pd.Series(updated[present]).groupby(key.to_numpy()[present])
            updated[present] = groups.transform("min").to_numpy()
        updated = updated[updated]  # jump to the label's label: merges long chains quickly
        if np.array_equal(updated, labels):
            return labels
        labels = updated
