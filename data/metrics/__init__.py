"""The numbers: the shared filters, the contact fact, then one module per area (named like its page)."""
