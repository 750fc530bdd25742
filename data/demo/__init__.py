"""The synthetic CRM generator: ``generate(engine, visits=…)`` fills the CRM tables with deterministic demo data.

``generator`` draws everything in order from one seed; ``people``, ``partenaires`` and ``visites`` draw each
table, ``portefeuilles`` the reps' portfolios behind the visits; ``load`` writes them; ``codes`` holds the
codification domains and names.
"""

from data.demo.generator import generate

__all__ = ["generate"]
