"""A query of fixed shape, compiled once per process and run again with new values.

Django builds and compiles a queryset's SQL every time it is evaluated. On the one transition
path (the row lock, the actor's memberships) that compilation cost more CPU than the database
spent answering (docs/adr/0001-audit-chain-append.md). `Prepared` compiles the queryset once per
database alias and keeps what Django's own `ModelIterable` derives from the compiler (the SQL,
the converters, the select-related populators); each call puts the new values in the
parameters and builds the same model instances the queryset would.

On PostgreSQL these statements are also prepared on the server (`statement_cursor`): Django
sends every other query as text with its values inlined, which PostgreSQL parses and plans
again each time; for the path's few fixed statements that planning cost the server about as
much as running them.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar
from uuid import UUID

import psycopg
from django.conf import settings
from django.db import DatabaseError, connections, models
from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]
from django.db.backends.utils import CursorWrapper
from django.db.models import signals
from django.db.models.fields.files import FieldFile
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=models.Model)

# Stand-ins for the values while compiling: integers no real key takes, within a 32-bit column
# (Django answers an out-of-range integer lookup with no query at all).
MARKERS = (-2_013_265_921, -2_013_265_922, -2_013_265_923)


def as_key(value: Any) -> int | None:
    """`value` as a primary key a compiled query may be run with, or None when it cannot be one
    (not an integer, or outside a bigint column, which the driver would refuse where Django's own
    lookup answers with no query)."""
    try:
        key = int(value)
    except (TypeError, ValueError):
        return None
    return key if -(2**63) <= key < 2**63 else None


def statement_cursor(connection: Any) -> CursorWrapper:
    """A cursor for one of this module's fixed statements: on PostgreSQL its values are bound on
    the server and the statement is prepared once per connection (psycopg names and keeps it);
    elsewhere, or with `DB_PREPARED_STATEMENTS` off (a pooler that cannot keep them), Django's
    usual cursor. Django's wrapper stays around it: query logging and execute wrappers apply."""
    if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        return connection.cursor()  # type: ignore[no-any-return]
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_PreparingCursor(connection.connection))  # type: ignore[no-any-return]


class StalePreparedStatement(psycopg.errors.FeatureNotSupported):
    """A statement prepared before a migration changed its result columns, refused inside a
    transaction: the transaction is lost, and its rollback makes psycopg forget its statements, so
    the whole transaction can run again (`ratings.services.retry.retried` does)."""


class _PreparingCursor(ServerBindingCursor):  # type: ignore[misc]
    # Django's wrapper calls execute(sql, params); this cursor always asks for the prepared form.
    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> Any:
        try:
            return super().execute(query, params, prepare=True, binary=binary)
        except psycopg.errors.FeatureNotSupported as error:
            # A migration changed the type of a column the statement returns since this
            # connection prepared it, and PostgreSQL refuses the old plan ("cached plan must not
            # change result type") until it is prepared again.
            if self.connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                raise StalePreparedStatement(str(error)) from error
        # Outside a transaction: forget the statements (psycopg clears its own list when it sees
        # DEALLOCATE ALL succeed) and run this one once more; a second refusal is a real one.
        self.connection.execute("DEALLOCATE ALL", prepare=False)
        return super().execute(query, params, prepare=True, binary=binary)

    def _convert_query(self, query: Any, vars: Any = None) -> Any:
        converted = super()._convert_query(query, vars)
        # What Django's query log reads; psycopg records it only for statements it does not prepare.
        self._query = converted
        return converted


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    positions: tuple[int, ...]
    converters: dict[int, Any]
    model: type[models.Model]
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]
    locks: bool


def _converted(rows: list[tuple[Any, ...]], converters: dict[int, Any], connection: Any) -> list[list[Any]]:
    # Django's SQLCompiler.apply_converters, with this thread's connection.
    converted = []
    for row in rows:
        values = list(row)
        for position, (functions, expression) in converters.items():
            value = values[position]
            for function in functions:
                value = function(value, expression, connection)
            values[position] = value
        converted.append(values)
    return converted


class Prepared(Generic[M]):
    """`build(*values)` returns a queryset of model instances (filter, select_related, locks;
    no annotations, no slicing) whose `values` appear once each among its parameters: integers,
    or text for a text column (compiled with an integer stand-in, which the column takes as text)."""

    def __init__(self, build: Callable[..., models.QuerySet[M]]):
        self.build = build
        self._plans: dict[str, _Plan] = {}

    def all(self, *values: int | str, using: str = "default") -> list[M]:
        sql, params = self.statement(*values, using=using)
        with statement_cursor(connections[using]) as cursor:
            cursor.execute(sql, params)
            rows: Any = cursor.fetchall()
        return self.built(rows, using=using)

    def statement(self, *values: int | str, using: str = "default") -> tuple[str, list[Any]]:
        """The compiled SQL and its parameters with `values` in place."""
        plan = self._plans.get(using) or self._compile(using, len(values))
        if plan.locks and not connections[using].in_atomic_block:
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = list(plan.params)
        for position, value in zip(plan.positions, values, strict=True):
            params[position] = value
        return plan.sql, params

    def built(self, rows: Any, *, using: str = "default") -> list[M]:
        """The model instances the queryset would build from `rows` of `statement`'s SQL."""
        plan = self._plans[using]
        if plan.converters:
            rows = _converted(rows, plan.converters, connections[using])
        found: list[M] = []
        for row in rows:
            obj = plan.model.from_db(using, plan.init_list, row[plan.start : plan.end])
            for populator in plan.populators:
                populator.populate(row, obj)
            found.append(obj)  # type: ignore[arg-type]
        return found

    def _compile(self, using: str, count: int) -> _Plan:
        markers = MARKERS[:count]
        queryset: Any = self.build(*markers)
        if queryset._known_related_objects or queryset.query.annotation_select or queryset.query.is_sliced:
            raise ValueError("Prepared takes plain model querysets: no related manager, annotation or slice")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        positions = []
        for marker in markers:
            # A text column's lookup carries the marker as text.
            found = [i for i, param in enumerate(params) if param == marker or param == str(marker)]
            if len(found) != 1:
                raise ValueError(f"each value must appear once among the query's parameters: {params!r}")
            positions.append(found[0])
        select, klass_info = compiler.select, compiler.klass_info
        fields = [s[0] for s in select[0 : compiler.col_count]]
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        plan = _Plan(
            sql=sql,
            params=tuple(params),
            positions=tuple(positions),
            converters=compiler.get_converters(fields),
            model=klass_info["model"],
            init_list=[f[0].target.attname for f in select[start:end]],
            start=start,
            end=end,
            populators=get_related_populators(klass_info, select, using),
            locks=bool(queryset.query.select_for_update),
        )
        self._plans[using] = plan
        return plan


def takes_several_statements(connection: Any) -> bool:
    """Whether one `execute` may carry several statements separated by semicolons: PostgreSQL with
    values bound on the client (Django's default), which sends them as one simple query."""
    return connection.vendor == "postgresql" and not connection.settings_dict.get("OPTIONS", {}).get(
        "server_side_binding"
    )


def together(*calls: tuple[Prepared[Any], tuple[int | str, ...]], using: str = "default") -> list[list[Any]]:
    """Several compiled queries in one round trip: their statements sent together (PostgreSQL
    with client-side parameters, Django's default, answers each in turn), their results read
    one after the other. Elsewhere, one statement after another."""
    connection = connections[using]
    statements = [prepared.statement(*values, using=using) for prepared, values in calls]
    if not takes_several_statements(connection):
        return [prepared.all(*values, using=using) for prepared, values in calls]
    sql = ";\n".join(statement for statement, _ in statements)
    params = [param for _, statement_params in statements for param in statement_params]
    results: list[list[Any]] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for index, (prepared, _) in enumerate(calls):
            if index:
                cursor.nextset()
            results.append(prepared.built(cursor.fetchall(), using=using))
    return results


def save_fields(row: models.Model, names: Sequence[str], *, using: str = "default") -> None:
    """`row.save(update_fields=names)` for a row its transaction has locked, as one UPDATE built
    from the fields' columns, without the compiler. Falls back to `save` when something listens
    to the model's save signals or a value is an expression."""
    if not names:
        return
    model = type(row)
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    values = [field.pre_save(row, False) for field in fields]
    if (
        signals.pre_save.has_listeners(model)
        or signals.post_save.has_listeners(model)
        or any(hasattr(value, "resolve_expression") for value in values)
    ):
        row.save(update_fields=names)
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    # Names from the model's own metadata, quoted; every value is a parameter.
    primary_key: Any = model._meta.pk
    table, key = quote(model._meta.db_table), quote(primary_key.column)
    columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {table} SET {columns} WHERE {key} = %s"  # noqa: S608
    params = [field.get_db_prep_save(value, connection) for field, value in zip(fields, values, strict=True)]
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, [*params, row.pk])
        if cursor.rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")


_ROW_LOCKS: dict[type[models.Model], Prepared[Any]] = {}


def lock_row(model: type[M], pk: Any) -> M:
    """`model._default_manager.select_for_update(of=("self",), no_key=True).get(pk=pk)`, compiled
    once per model: the one transition path runs it in every transaction."""
    prepared = _ROW_LOCKS.get(model)
    if prepared is None:
        prepared = _ROW_LOCKS.setdefault(
            model,
            Prepared(lambda key: model._default_manager.select_for_update(of=("self",), no_key=True).filter(pk=key)),
        )
    rows = prepared.all(pk)
    if not rows:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")  # type: ignore[attr-defined]
    return rows[0]  # type: ignore[no-any-return]


_WRITTEN: dict[type[models.Model], list[tuple[str, str, bool]]] = {}


def _written_fields(model: type[models.Model]) -> list[tuple[str, str, bool]]:
    # (attname, name, always written): an auto_now stamp changes on every save.
    fields = _WRITTEN.get(model)
    if fields is None:
        fields = _WRITTEN.setdefault(
            model,
            [
                (f.attname, f.name, bool(getattr(f, "auto_now", False)))
                for f in model._meta.concrete_fields
                if not f.primary_key
            ],
        )
    return fields


def _comparable(value: Any) -> Any:
    if isinstance(value, dict | list):
        return copy.deepcopy(value)  # a JSON value may be changed in place
    if isinstance(value, FieldFile):
        return value.name
    return value


# Values that cannot change in place: kept as they are, without a call per field.
_IMMUTABLE = frozenset({str, int, float, bool, type(None), dt.datetime, dt.date, dt.time, Decimal, UUID})


def written_values(row: models.Model) -> dict[str, Any]:
    """The row's values as its next save would write them, to tell later what changed."""
    values = {}
    for attname, _, _ in _written_fields(type(row)):
        value = getattr(row, attname)
        values[attname] = value if type(value) in _IMMUTABLE else _comparable(value)
    return values


def changed_fields(row: models.Model, before: dict[str, Any]) -> list[str]:
    """The fields whose values differ from `written_values` taken before, and the auto_now ones."""
    # What save() does first: a related row assigned before it was saved gives its key now.
    row._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    changed = []
    for attname, name, always in _written_fields(type(row)):
        value = getattr(row, attname)
        if always or (value if type(value) in _IMMUTABLE else _comparable(value)) != before[attname]:
            changed.append(name)
    return changed
