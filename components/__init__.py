"""Pure UI building blocks: ids, layout pieces and figure builders (no I/O, no database)."""
