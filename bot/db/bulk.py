"""Set-based reads and writes between pandas frames and the store, on SQLite and PostgreSQL.

SQLAlchemy's ORM and even Core ``executemany`` spend most of a large import in per-row Python
work (measured: 14.5 s for 1,000,000 rows against 1.9 s for the driver's own executemany).
These helpers compile one Core statement for the connection's dialect, convert each column
once, vectorised, with the column type's own bind processor (called once per distinct value:
dates and timestamps repeat), bind constants once, and hand the rows to the driver's
``executemany`` in one call. On SQLite, inserts also write same-in-every-row values into the
statement and put up to 1,000 rows in each statement (see :func:`_insert_sqlite`). Reads of
many keys go in chunks of bound IN lists, or as one read of the candidate rows when there are
no more of those than keys.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    Select,
    Table,
    TypeDecorator,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.engine import Compiled, Dialect, processors
from sqlalchemy.ext.asyncio import AsyncConnection

CHUNK = 5000  # keys per IN list
WRITE_BATCH = 50_000  # rows per executemany


def _numeric_kind(column: Column[Any]) -> str | None:
    t = column.type
    if isinstance(t, TypeDecorator):
        t = t.impl_instance
    if isinstance(t, Boolean):
        return None
    if isinstance(t, Integer):
        return "int"
    if isinstance(t, Float):
        return "float"
    return None


def _object_values(
    series: pd.Series, column: Column[Any], order: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """One column of a frame as an object array of Python values of the column's type, with
    None where a value is missing (None, NaN, NaT or NA); and the mask of missing values.
    With ``order`` (row positions), the values come in that order."""
    kind = _numeric_kind(column)
    if kind is not None and pd.api.types.is_numeric_dtype(series.dtype):
        arr = _float64(series, order)
        return _number_objects(arr, kind), np.isnan(arr)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = series if order is None else series.take(order)
        out = np.asarray(series.array.to_pydatetime(), dtype=object)
        mask = series.isna().to_numpy()
    else:
        values = series.to_numpy(dtype=object)
        missing = pd.isna(values)  # before reordering: in the order the objects were made
        out, mask = _in_order(values, order, copy=True), _in_order(missing, order)
    out[mask] = None
    return out, mask


def _number_objects(values: np.ndarray, kind: str | None) -> np.ndarray:
    """float64 values (NaN: missing) as Python ints or floats, which every driver binds, and
    None."""
    mask = np.isnan(values)
    out = (np.where(mask, 0, values).astype(np.int64) if kind == "int" else values).astype(object)
    out[mask] = None
    return out


def _float64(series: pd.Series, order: np.ndarray | None) -> np.ndarray:
    """A numeric column as float64, NaN where missing, in ``order`` when given."""
    return _in_order(series.to_numpy(dtype="float64", na_value=np.nan), order)


def _in_order(values: np.ndarray, order: np.ndarray | None, *, copy: bool = False) -> np.ndarray:
    if order is None:
        return values.copy() if copy else values
    return values.take(order)


def _driver_array(
    series: pd.Series, column: Column[Any], dialect: Dialect, order: np.ndarray | None = None
) -> np.ndarray:
    """One column as the driver takes it, an object array: the type's bind processor applied
    to each present value, None where missing; with ``order`` (row positions), in that order.
    Dates and timestamps repeat a lot, so other than numbers each distinct value is
    converted once.

    Reordering happens before Python objects are made where it can: gathering a million
    Python objects in an order unlike the one they were made in costs 0.1 s per column
    here (a cache miss per object), gathering the numbers they are made from 5 ms."""
    numbers = _bound_numbers(series, column, dialect, order)
    if numbers is not None:
        return _number_objects(numbers, _numeric_kind(column))
    if order is not None and series.dtype == object and not _numeric_kind(column):
        objects = series.to_numpy(dtype=object)
        # Text that repeats (countries, currencies): reorder the codes of its distinct values
        # instead of the values, 56 ms against 100 for 1M. Text that does not (handles) is
        # gathered as it is: finding its distinct values alone took 0.3 s.
        distinct = _factorize(objects) if _repeats(objects) else None
        if distinct is not None:
            codes, uniques = distinct
            converted = _driver_array(pd.Series(uniques, dtype=object), column, dialect)
            out = np.append(converted, None)[codes.take(order)]  # code -1 (missing): None
            return out
    values, missing = _object_values(series, column, order)
    proc = column.type.dialect_impl(dialect).bind_processor(dialect)
    present = np.flatnonzero(~missing)
    if proc is None or not len(present):
        return values
    distinct = None if _numeric_kind(column) else _factorize(values[present])
    if distinct is None:
        values[present] = _objects(map(proc, values[present].tolist()))
    else:
        codes, uniques = distinct
        values[present] = _objects(map(proc, uniques.tolist()))[codes]
    return values


def _repeats(values: np.ndarray) -> bool:
    """Whether a column's values repeat a lot, judged on its first 2,000."""
    head = _factorize(values[:2000])
    return head is not None and 2 * len(head[1]) < min(len(values), 2000)


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(codes, distinct values), or None for unhashable values (JSON documents)."""
    try:
        return pd.factorize(values)
    except TypeError:
        return None


def _objects(items: Iterable[Any]) -> np.ndarray:
    """A 1-d object array, whatever the items are."""
    return np.fromiter(items, dtype=object)


async def _executemany(
    conn: AsyncConnection,
    compiled: Compiled,
    columns: dict[str, Column[Any]],
    frame: pd.DataFrame,
    constants: dict[str, Any] | None = None,
    order: np.ndarray | None = None,
) -> None:
    """Run ``compiled`` once per row of ``frame`` (in ``order`` when given): the driver's
    executemany, fed parameter tuples in the statement's bind order. ``constants`` (name ->
    value) are the same in every row and are converted once. Rows go in batches of
    WRITE_BATCH, so that only a batch of tuples is alive at once: a million live tuples cost
    seconds of garbage collector passes (and hundreds of MB)."""
    dialect = conn.dialect
    constants = constants or {}
    n = len(frame)
    cols: list[list[Any]] = []
    for name in compiled.positiontup or []:
        column = columns[name]
        if name in constants:
            cols.append(_driver_array(pd.Series([constants[name]]), column, dialect).tolist() * n)
        else:
            cols.append(_driver_array(frame[name], column, dialect, order).tolist())
    sql = str(compiled)
    for start in range(0, n, WRITE_BATCH):
        batch = list(zip(*(c[start : start + WRITE_BATCH] for c in cols), strict=True))
        await conn.exec_driver_sql(sql, batch)


def _sqlite_literal(value: Any) -> str | None:
    """``value`` (a driver value) as SQLite literal text when that stores exactly what binding
    it would: None, integers of 64 bits and text without NUL; else None. Floats are always
    bound (SQLite's own decimal reading can differ in the last bit)."""
    if value is None:
        return "NULL"
    if type(value) is int and -(2**63) <= value < 2**63:
        return str(value)
    if type(value) is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def _same_in_every_row(values: np.ndarray) -> bool:
    first, n = values[0], len(values)
    if not (values[n // 2] == first and values[-1] == first):
        return False
    items = values.tolist()
    return items.count(first) == n and len(set(map(type, items))) == 1


async def insert_frame(
    conn: AsyncConnection,
    table: Table,
    frame: pd.DataFrame,
    constants: dict[str, Any] | None = None,
    order: np.ndarray | None = None,
) -> int:
    """INSERT every row of ``frame`` (columns named like the table's) plus ``constants``.

    Rows go in the frame's order, or in ``order`` (row positions, each row once) when given:
    a caller inserting many rows orders them by the table's unique key, so index inserts
    stay local (see importer.write_creators). Reordering here is cheaper than reordering the
    frame first (see :func:`_driver_array`)."""
    if frame.empty:
        return 0
    constants = {k: v for k, v in (constants or {}).items() if k in table.c}
    names = [c for c in frame.columns if c in table.c and c not in constants]
    names += list(constants)
    if conn.dialect.name == "sqlite":
        await _insert_sqlite(conn, table, frame, names, constants, order)
        return len(frame)
    stmt = insert(table).values({n: bindparam(n) for n in names}).inline()
    compiled = stmt.compile(dialect=conn.dialect)
    columns = {n: table.c[n] for n in names}
    await _executemany(conn, compiled, columns, frame, constants, order)
    return len(frame)


SQLITE_ROWS_PER_INSERT = 1000
# SQLite's default limit on bound parameters in one statement: 999 before 3.32.0, 32,766
# since (aiosqlite runs on the standard library's sqlite3, so this is its library).
SQLITE_MAX_PARAMETERS = 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999


async def _insert_sqlite(
    conn: AsyncConnection,
    table: Table,
    frame: pd.DataFrame,
    names: list[str],
    constants: dict[str, Any],
    rows: np.ndarray | None,
) -> None:
    """INSERT on SQLite, where pysqlite's executemany costs more per row and per parameter
    than SQLite's own work. Measured with 1,000,000 creator rows of 10 columns:

    - a value that is the same in every row (constants, an import's date) is written into
      the statement as a literal instead of being bound per row: 4 fewer of 10 parameters
      saved 0.4 s;
    - each statement inserts 100 rows (``VALUES (...), (...), ...``), its parameters one flat
      list cut from a 2-d array of the columns: 2.9 s -> 1.8 s, against one row per
      statement fed from a million tuples; 1,000 rows where SQLite allows that many
      parameters: creators plus snapshots 5.7-7.9 s -> 4.8-6.1 s in the same session (this
      machine's runs spread that much).
    Rows go in frame order, or in ``rows`` when given; ids are given in that order."""
    dialect = conn.dialect
    n = len(frame)
    bound: dict[str, np.ndarray] = {}  # float64 numbers (see _bound_numbers) or driver values
    kinds: dict[str, str | None] = {}
    literals: dict[str, str] = {}
    for name in names:
        column = table.c[name]
        constant = name in constants
        series = pd.Series([constants[name]]) if constant else frame[name]
        if not constant and series.dtype == object and _same_in_every_row(series.to_numpy()):
            series, constant = series.iloc[:1], True  # e.g. the import's date: converted once
        numbers = None if constant else _bound_numbers(series, column, dialect, rows)
        if numbers is not None:
            kinds[name] = _numeric_kind(column)
            literal = _numbers_literal(numbers, kinds[name])
            values = numbers
        else:
            values = _driver_array(series, column, dialect, None if constant else rows)
            literal = _sqlite_literal(values[0]) if _same_in_every_row(values) else None
        if literal is not None:
            literals[name] = literal
        else:
            bound[name] = np.repeat(values, n) if constant else values
    stmt = insert(table).values(
        {n: bindparam(n) if n in bound else literal_column(literals[n]) for n in names}
    )
    compiled = stmt.inline().compile(dialect=dialect)
    order = list(compiled.positiontup or [])
    single = str(compiled)
    head, sep, row = single.partition(" VALUES ")
    assert sep and row.startswith("(") and row.endswith(")"), single
    per = max(1, min(SQLITE_ROWS_PER_INSERT, SQLITE_MAX_PARAMETERS // max(len(order), 1)))
    many = f"{head} VALUES {', '.join([row] * per)}"
    full = n - n % per
    batch = max(1, WRITE_BATCH // per) * per
    for start in range(0, n, batch):
        stop = min(start + batch, n)
        # Python objects for one batch at a time: made all at once, a million rows' numbers
        # took twice as long here (fresh memory for each object instead of reused memory).
        params = np.empty((stop - start, len(order)), dtype=object)
        for j, name in enumerate(order):
            part = bound[name][start:stop]
            params[:, j] = part if part.dtype == object else _number_objects(part, kinds[name])
        whole = min(stop, full) - start  # rows that fill statements of ``per`` rows
        if whole > 0:
            flat = params[:whole].reshape(whole // per, per * len(order))
            await conn.exec_driver_sql(many, list(map(tuple, flat.tolist())))
        if whole < len(params):
            await conn.exec_driver_sql(single, list(map(tuple, params[max(whole, 0) :].tolist())))


def _bound_numbers(
    series: pd.Series, column: Column[Any], dialect: Dialect, order: np.ndarray | None
) -> np.ndarray | None:
    """A numeric column that the driver takes as Python numbers, as float64 (NaN where
    missing, in ``order``), to be made into objects (_number_objects) when needed; else None.
    Such a column has no bind processor, or SQLite's Float one, which would hand each float
    back unchanged: skipping it took a million snapshot rows (6 float columns) from 0.9 s to
    0.65 s."""
    kind = _numeric_kind(column)
    if kind is None or not pd.api.types.is_numeric_dtype(series.dtype):
        return None
    proc = column.type.dialect_impl(dialect).bind_processor(dialect)
    if proc is not None and proc is not processors.to_float:
        return None
    return _float64(series, order)


def _numbers_literal(values: np.ndarray, kind: str | None) -> str | None:
    """SQLite literal text for a numeric column that is all missing or one 64-bit integer in
    every row (floats are always bound, see _sqlite_literal)."""
    missing = np.isnan(values)
    if missing.all():
        return "NULL"
    if kind == "int" and not missing.any() and (values == values[0]).all():
        return _sqlite_literal(int(values[0]))
    return None


async def update_frame(
    conn: AsyncConnection, table: Table, frame: pd.DataFrame, key: str = "id"
) -> int:
    """UPDATE the rows whose ``key`` is in ``frame``, setting its other columns."""
    if frame.empty:
        return 0
    names = [c for c in frame.columns if c in table.c and c != key]
    stmt = (
        update(table)
        .where(table.c[key] == bindparam("_key"))
        .values({n: bindparam(n) for n in names})
    )
    compiled = stmt.compile(dialect=conn.dialect)
    columns = {n: table.c[n] for n in names}
    columns["_key"] = table.c[key]
    await _executemany(conn, compiled, columns, frame.rename(columns={key: "_key"}))
    return len(frame)


async def select_frame(conn: AsyncConnection, stmt: Select[Any]) -> pd.DataFrame:
    result = await conn.execute(stmt)
    columns = list(result.keys())
    # Plain tuples, by iterating the result: pandas probes each row object for attributes
    # (each failed probe on a SQLAlchemy Row raises and catches an exception), and
    # ``result.all()`` alone takes three times as long as iterating (1 s per million rows).
    return pd.DataFrame.from_records([tuple(r) for r in result], columns=columns)


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


async def select_in(
    conn: AsyncConnection,
    build: Callable[[list[Any]], Select[Any]],
    keys: Iterable[Any],
    columns: Sequence[str],
) -> pd.DataFrame:
    """Run ``build(chunk)`` for chunks of ``keys`` and stack the results."""
    keys = list(dict.fromkeys(keys))
    frames = []
    for start in range(0, len(keys), CHUNK):
        part = await select_frame(conn, build(keys[start : start + CHUNK]))
        if not part.empty:
            frames.append(part)
    if not frames:
        return _empty(columns)
    return pd.concat(frames, ignore_index=True)


async def select_keys(
    conn: AsyncConnection,
    stmt: Select[Any],
    key: Column[Any],
    keys: Iterable[Any],
    columns: Sequence[str],
) -> pd.DataFrame:
    """The rows of ``stmt`` whose ``key`` (one of its selected columns) is in ``keys``.

    Up to CHUNK keys: ``stmt`` with ``key IN (...)``. More keys: if ``stmt`` matches no
    rows (a first import into a workspace), none are read; if it matches no more rows than
    there are keys, all of them are read in one go and filtered here, instead of a bound IN
    list per CHUNK keys; otherwise the IN lists, so a large workspace is never read whole
    for a smaller file.
    """
    keys = list(keys)
    if len(keys) > CHUNK:
        count = select(func.count()).select_from(stmt.subquery())
        stored = (await conn.execute(count)).scalar_one()
        if stored == 0:
            return _empty(columns)
        if stored <= len(keys):
            frame = await select_frame(conn, stmt)
            frame = frame[frame[key.name].isin(keys)].reset_index(drop=True)
            return _empty(columns) if frame.empty else frame
    return await select_in(conn, lambda chunk: stmt.where(key.in_(chunk)), keys, columns)
