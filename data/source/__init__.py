"""The CRM as Mediviz reads it: its schema, the engines, the DuckDB replica and its refresh."""
