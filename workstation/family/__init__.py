"""The family history: a pedigree model in the core, stored versioned and audited, with its importers/exporters,
layout, and the hereditary risk models and criteria that read it.

    from workstation.family import Family, Person, Diagnosis, GeneTest
    from workstation.family import store as family_store   # current / save / history / EditSession
    from workstation.family import edit                    # add_parents, add_sibling, add_child, add_partner ...
"""
from __future__ import annotations

from workstation.family.model import Diagnosis, Family, GeneTest, Partnership, Person

__all__ = ["Diagnosis", "Family", "GeneTest", "Partnership", "Person"]
