"""The SQLite backend: one file under ``BATON_HOME``, WAL, explicit synchronous."""
