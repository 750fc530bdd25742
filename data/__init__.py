"""Data layer: CRM schema, engines, filters and the SQL aggregates of each analysis area."""

import pandas as pd

# Strings of the small frames pandas shapes stay plain Python strings even where pyarrow is installed (pandas 3
# would back them with Arrow: 15-20 % slower on frames of a few hundred rows, and 50 MB more per worker).
pd.set_option("mode.string_storage", "python")
