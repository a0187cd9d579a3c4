"""PostgreSQL: refuse, at commit, a journal transaction whose entries do not balance.

A DEFERRABLE INITIALLY DEFERRED constraint trigger runs after every insert, update and delete of
an entry, but only when the transaction commits (or at ``SET CONSTRAINTS ... IMMEDIATE``), when
all of a journal transaction's entries are there. It guards writes that bypass the services
(raw SQL, ``bulk_create``, a console session). SQLite has no deferred triggers: there the
services' checks and ``check_ledger`` stand alone.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION ledger_entry_check_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tx_ids bigint[];
    tx bigint;
    total_debit numeric;
    total_credit numeric;
BEGIN
    IF TG_OP = 'INSERT' THEN
        tx_ids := ARRAY[NEW.transaction_id];
    ELSIF TG_OP = 'DELETE' THEN
        tx_ids := ARRAY[OLD.transaction_id];
    ELSE
        tx_ids := ARRAY[NEW.transaction_id, OLD.transaction_id];
    END IF;
    FOREACH tx IN ARRAY tx_ids LOOP
        SELECT COALESCE(SUM(debit_fen), 0), COALESCE(SUM(credit_fen), 0)
          INTO total_debit, total_credit
          FROM ledger_entry WHERE transaction_id = tx;
        IF total_debit <> total_credit THEN
            RAISE EXCEPTION
                'ledger journal transaction % is unbalanced: debits % <> credits % fen',
                tx, total_debit, total_credit
                USING ERRCODE = 'check_violation',
                      CONSTRAINT = 'ledger_entry_balanced';
        END IF;
    END LOOP;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER ledger_entry_balanced
    AFTER INSERT OR UPDATE OR DELETE ON ledger_entry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_check_balanced();
"""

DROP = """
DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_entry_check_balanced();
"""


def create_trigger(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
