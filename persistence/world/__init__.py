"""The sample world's storage: its tables on SQLite (``world.db``) or PostgreSQL (``baton_world``).

Schema and migrations (``schema``), the seed rows (``seed``), creating, checking and
resetting a world (``setup``), opening files and transactions (``connect``, ``store``), and
one module of named queries and commands per concern: ``customers``, ``payments``,
``tickets``, ``outbox``, ``knowledge_base``, the read-only query executor
(``sql_query``, ``sql_query_pg``) and the reads of reports and review rules (``report``).
The tools in ``tools/`` validate and decide; every statement on the world's tables is here.
"""
