"""The coding loop: what every coder does all day, one unit after another.

    GET  projects/<id>/queue/next/                     the next unit (claimed from the pool in a pool plan)
    GET  projects/<id>/assignments/<segment>/          a unit the coder holds, as queue/next shows it
    PUT  projects/<id>/segments/<segment>/codings/     the coder's whole set of codes on the unit
    POST projects/<id>/assignments/<segment>/done/     submit the unit (agreement and saturation may be due)
    POST projects/<id>/assignments/<segment>/reopen/   take a submitted unit back

It runs for every coder all day, so its statements are written by hand and each request's reads and locks
go to PostgreSQL in one round trip (``annotate.core.sql.execute_batch``); on SQLite, one statement at a
time. Tables are named through their models (``tables``). The modules:

- ``queue``: the next unit, and claims (``SELECT … FOR UPDATE SKIP LOCKED``), with the claim design;
- ``unit``: what a coder sees of a unit (its text, neighbouring turns, case, codebook version, their codes);
- ``codings``: replacing a coder's set on a unit (the rules it shares with single codings are
  ``annotate.coding.rules``);
- ``done``: submitting and reopening a unit, and whether agreement or saturation is now due;
- ``round_trip``: statements sent together with the audit events of the change they belong to;
- ``apis``, ``urls``: the five endpoints above.

The loop sits above the apps whose data it reads and writes (assignments, coding, documents, codebook,
analysis), and no app imports it: each keeps its own models, plans, single codings and reads.
"""
