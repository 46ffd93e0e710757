"""The database triggers that note every searchable row written, in the search_change table.

A trigger rather than a signal: it sees every write, including queryset updates, bulk
inserts and raw SQL, and (on PostgreSQL) it can name the writing transaction, which is what
makes the catch-up sound when transactions commit out of order (see backend.database_position).
Kept apart from the backend so that migrations can import it without tantivy.
"""

CHANGE_TABLE = "search_change"

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION search_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO {CHANGE_TABLE} (kind, record, txid)
        VALUES (TG_ARGV[0], OLD.id, pg_current_xact_id()::text::bigint);
    ELSE
        INSERT INTO {CHANGE_TABLE} (kind, record, txid)
        VALUES (TG_ARGV[0], NEW.id, pg_current_xact_id()::text::bigint);
    END IF;
    RETURN NULL;
END $$
"""
_SQLITE_EVENTS = {"insert": "NEW", "update": "NEW", "delete": "OLD"}


def _sqlite_name(table, event):
    return f"search_change_{table}_{event}"


def missing(connection, tables):
    """The (kind, table) pairs of `tables` ({kind: table}) whose triggers are not all there."""
    if connection.vendor == "postgresql":
        present = _pg_triggered(connection)
        return [(kind, table) for kind, table in tables.items() if table not in present]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
        return [
            (kind, table)
            for kind, table in tables.items()
            if any(_sqlite_name(table, event) not in present for event in _SQLITE_EVENTS)
        ]


def install(connection, tables):
    """Create the triggers of `tables` ({kind: table}) that are missing; return those kinds.

    On SQLite, Django remakes a table to alter it, which drops its triggers: this is run
    again after every migrate (apps.py) to put them back."""
    absent = missing(connection, tables)
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
            for kind, table in absent:
                cursor.execute(f"DROP TRIGGER IF EXISTS {CHANGE_TABLE} ON {q(table)}")
                cursor.execute(
                    f"CREATE TRIGGER {CHANGE_TABLE} AFTER INSERT OR UPDATE OR DELETE ON {q(table)}"
                    f" FOR EACH ROW EXECUTE FUNCTION search_note_change('{kind}')"
                )
        else:
            for kind, table in absent:
                for event, row in _SQLITE_EVENTS.items():
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {_sqlite_name(table, event)}"
                        f" AFTER {event.upper()} ON {q(table)} BEGIN"
                        f" INSERT INTO {CHANGE_TABLE} (kind, record) VALUES ('{kind}', {row}.id);"
                        " END"
                    )
    return [kind for kind, _ in absent]


def uninstall(connection, tables):
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables.values():
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {CHANGE_TABLE} ON {q(table)}")
            else:
                for event in _SQLITE_EVENTS:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {_sqlite_name(table, event)}")
    if connection.vendor == "postgresql" and not _pg_triggered(connection):
        with connection.cursor() as cursor:
            cursor.execute("DROP FUNCTION IF EXISTS search_note_change()")


def _pg_triggered(connection):
    """The tables that still have a change trigger (on PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE t.tgname = %s AND NOT t.tgisinternal",
            [CHANGE_TABLE],
        )
        return {row[0] for row in cursor.fetchall()}
