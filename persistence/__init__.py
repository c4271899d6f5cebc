"""Where Baton keeps everything: one interface per store, a backend per engine."""
