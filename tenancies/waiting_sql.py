"""Database triggers that keep cases.Application.waiting_from/waiting_until true to decisions and leases.

A case is on the waiting list on day D when it is of a waiting kind and waiting_from <= D < waiting_until
(an open end is null): waiting_from is the date of a granted decision, waiting_until the earlier of the
decision's lapse and the start of the first lease for the case. The same definition as
allocation.rules.is_waiting, kept by PostgreSQL so that the waiting list, shortlists and KOSTRA read a
few thousand rows through a partial index instead of every case ever registered. Triggers, not services:
imports, bulk writes and raw SQL cannot leave the columns stale, and a save from a stale Python object
cannot overwrite them (the BEFORE trigger on the case recomputes them on every write).

These live in tenancies because leases are read here; cases knows nothing of leases.
"""

import contextlib

# The columns' values for one case, computed from its decision and leases.
FUNCTION = """
CREATE OR REPLACE FUNCTION stord_application_waiting(app_id bigint, OUT w_from date, OUT w_until date)
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN d.outcome = 'granted' THEN d.decided END,
           CASE WHEN d.outcome = 'granted' THEN
               least(d.lapsed, (SELECT min(l.start) FROM tenancies_lease l WHERE l.application_id = app_id))
           END
    FROM (SELECT 1) AS one LEFT JOIN cases_decision d ON d.application_id = app_id
$$;

CREATE OR REPLACE FUNCTION stord_application_waiting_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT w.w_from, w.w_until INTO NEW.waiting_from, NEW.waiting_until FROM stord_application_waiting(NEW.id) w;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION stord_application_waiting_touch(app_id bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE cases_application a SET waiting_from = w.w_from, waiting_until = w.w_until
    FROM stord_application_waiting(app_id) w
    WHERE a.id = app_id AND (a.waiting_from, a.waiting_until) IS DISTINCT FROM (w.w_from, w.w_until)
$$;

CREATE OR REPLACE FUNCTION stord_application_waiting_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.application_id IS NOT NULL THEN
        PERFORM stord_application_waiting_touch(OLD.application_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.application_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.application_id IS DISTINCT FROM OLD.application_id) THEN
        PERFORM stord_application_waiting_touch(NEW.application_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER application_waiting_before BEFORE INSERT OR UPDATE ON cases_application
    FOR EACH ROW EXECUTE FUNCTION stord_application_waiting_before();
CREATE TRIGGER decision_waiting_after AFTER INSERT OR DELETE OR UPDATE OF outcome, decided, lapsed, application_id
    ON cases_decision FOR EACH ROW EXECUTE FUNCTION stord_application_waiting_after();
CREATE TRIGGER lease_waiting_after AFTER INSERT OR DELETE OR UPDATE OF start, application_id
    ON tenancies_lease FOR EACH ROW EXECUTE FUNCTION stord_application_waiting_after();
"""

REVERSE = """
DROP TRIGGER IF EXISTS lease_waiting_after ON tenancies_lease;
DROP TRIGGER IF EXISTS decision_waiting_after ON cases_decision;
DROP TRIGGER IF EXISTS application_waiting_before ON cases_application;
DROP FUNCTION IF EXISTS stord_application_waiting_after();
DROP FUNCTION IF EXISTS stord_application_waiting_touch(bigint);
DROP FUNCTION IF EXISTS stord_application_waiting_before();
DROP FUNCTION IF EXISTS stord_application_waiting(bigint);
"""

# Every case at once: after a migration, or after a bulk load that paused the triggers.
REFRESH_ALL = """
UPDATE cases_application a SET waiting_from = w.w_from, waiting_until = w.w_until
FROM (
    SELECT d.application_id,
           CASE WHEN d.outcome = 'granted' THEN d.decided END AS w_from,
           CASE WHEN d.outcome = 'granted' THEN least(d.lapsed, l.first_start) END AS w_until
    FROM cases_decision d
    LEFT JOIN (SELECT application_id, min(start) AS first_start FROM tenancies_lease
               WHERE application_id IS NOT NULL GROUP BY application_id) l USING (application_id)
) w
WHERE a.id = w.application_id AND (a.waiting_from, a.waiting_until) IS DISTINCT FROM (w.w_from, w.w_until)
"""

# Bulk loads (the synthetic world) pause the row triggers and call REFRESH_ALL once.
TRIGGERS = [
    ("cases_application", "application_waiting_before"),
    ("cases_decision", "decision_waiting_after"),
    ("tenancies_lease", "lease_waiting_after"),
]


@contextlib.contextmanager
def waiting_triggers_paused():
    """Pause the row triggers for a bulk load inside a transaction, then refresh every case once."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table, trigger in TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            # ALTER TABLE refuses while deferred foreign-key checks of the bulk load are still pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, trigger in TRIGGERS:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
            cursor.execute(REFRESH_ALL)
