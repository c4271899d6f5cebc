"""How people run Baton: the ``baton`` command-line interface."""
