"""Offline precision-medicine workstation: the core (no Qt).

Everything a user can do in the window can be done through this package and the ``workstation`` CLI.
"""
from __future__ import annotations

__version__ = "0.1.0"
