"""The SQLite backends of Baton's stores, in ``BATON_HOME/baton.db``."""
