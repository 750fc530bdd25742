"""Data layer: CRM schema, engines, filters and the SQL aggregates of each analysis area."""
