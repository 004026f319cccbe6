"""The user's preferences, declared once: name, type, default, allowed values; versioned and migrated.

The window stores them through ``QSettings`` (``ui/settings_store.py``), but the schema lives here so the core, the
CLI and tests share one definition. Window geometry and splitter positions are *state*, not preferences, and are
kept apart under the ``window/`` prefix by the UI.

Adding a preference: append a :class:`Setting` to ``SETTINGS``. Renaming or changing the meaning of one: bump
``SETTINGS_VERSION`` and add an upgrade function to ``UPGRADES`` (``UPGRADES[n]`` turns a version-``n`` mapping
into version ``n + 1``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, MutableMapping

SETTINGS_VERSION = 1
VERSION_KEY = "settings_version"


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    doc: str
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None

    def coerce(self, value: Any) -> Any:
        """``value`` converted to this setting's type, or the default when it is unusable."""
        if value is None:
            return self.default
        try:
            if self.type is bool:
                v: Any = value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes")
            else:
                v = self.type(value)
        except (TypeError, ValueError):
            return self.default
        if self.choices and v not in self.choices:
            return self.default
        if self.minimum is not None and v < self.minimum:
            return self.default
        if self.maximum is not None and v > self.maximum:
            return self.default
        return v


SETTINGS: tuple[Setting, ...] = (
    Setting("appearance/theme", str, "system", "Colour theme: follow the operating system, or light or dark.",
            choices=("system", "light", "dark")),
    Setting("security/idle_lock_minutes", int, 10,
            "Lock the patient store after this many minutes without keyboard or mouse input (0 = never).",
            minimum=0, maximum=240),
    Setting("store/last_path", str, "", "The patient store opened last (empty: the default location)."),
    Setting("timeline/day_zero", str, "calendar",
            "Day zero of the labs timeline: calendar dates, birth, the first visit, a diagnosis or a medicine's start.",
            choices=("calendar", "birth", "first_visit", "diagnosis", "medication")),
    Setting("wearables/window_days", int, 365, "How many days of wearable data to show at once.",
            minimum=1, maximum=3660),
    Setting("variants/page_size", int, 500, "Variants fetched from the store per page.", minimum=50, maximum=5000),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}

# Forward upgrades of a stored mapping: UPGRADES[n] converts version n to n + 1 (none yet).
UPGRADES: dict[int, Callable[[MutableMapping[str, Any]], None]] = {}


def get(name: str, stored: Any) -> Any:
    """The value of preference ``name`` from a stored raw value (coerced; default if missing or invalid)."""
    return BY_NAME[name].coerce(stored)


def validate(name: str, value: Any) -> Any:
    """Raise ValueError unless ``value`` is acceptable for ``name``; return it coerced."""
    s = BY_NAME.get(name)
    if s is None:
        raise ValueError(f"There is no preference called {name!r}.")
    v = s.coerce(value)
    if v != value and not (s.type is not str and str(v) == str(value)):
        raise ValueError(f"{value!r} is not an allowed value for the preference {name!r}.")
    return v


def upgrade(stored: MutableMapping[str, Any]) -> int:
    """Bring a stored mapping of raw values up to ``SETTINGS_VERSION`` in place; returns the version found."""
    try:
        found = int(stored.get(VERSION_KEY, SETTINGS_VERSION if not stored else 0) or 0)
    except (TypeError, ValueError):
        found = 0
    for v in range(found, SETTINGS_VERSION):
        fn = UPGRADES.get(v)
        if fn is not None:
            fn(stored)
    stored[VERSION_KEY] = SETTINGS_VERSION
    return found
