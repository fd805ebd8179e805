"""The `stord-bolig/1` interchange format: typed records, parsing with validation, serialisation.

Pure Python (no ORM): the import/export commands map these records to and from the database,
and the reporting rules (shortlist, reminders, KOSTRA, deadlines) compute over them.
"""
