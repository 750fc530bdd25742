"""Dash Pages: one module per analysis area (loaded by Dash, imported by nothing else)."""
