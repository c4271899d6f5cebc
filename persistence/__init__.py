"""Where Baton keeps what outlives a process: one interface per store, a backend per engine.

Each store is a ``Protocol`` with the dataclasses it reads and writes (``runs``,
``threads``, ``stream_log``); ``persistence.sqlite`` implements them on Baton's SQLite
file. Nothing outside this package writes their SQL.
"""
