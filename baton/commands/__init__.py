"""One module per command group; each adds its subparsers and sets ``handler``."""
