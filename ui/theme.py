"""One token set per theme, one QSS template for both, and the plot colours taken from the same tokens."""
from __future__ import annotations

from dataclasses import dataclass
from string import Template

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Tokens:
    name: str
    bg: str            # window background
    surface: str       # cards, tables
    surface_alt: str   # alternate rows, headers
    border: str
    text: str
    text_muted: str
    accent: str
    accent_text: str
    selection: str
    avoid: str         # traffic lights for drug alerts
    adjust: str
    standard: str
    pill_avoid: str    # pill backgrounds: each meets 4.5:1 against pill_text (WCAG AA; tests/ui/test_contrast.py)
    pill_adjust: str
    pill_standard: str
    pill_text: str
    caution_text: str  # caution pills are outlined: this text on the surface colour
    plot_bg: str
    plot_fg: str
    plot_grid: str
    series: tuple = ()


LIGHT = Tokens("light", bg="#f3f5f8", surface="#ffffff", surface_alt="#f7f9fb", border="#d9dee5",
               text="#1c2430", text_muted="#5b6676", accent="#1f6feb", accent_text="#ffffff",
               selection="#dbe8fd", avoid="#c62828", adjust="#b26a00", standard="#2e7d32",
               pill_avoid="#b71c1c", pill_adjust="#8a4b00", pill_standard="#1b5e20", pill_text="#ffffff",
               caution_text="#7a4100",
               plot_bg="#ffffff", plot_fg="#3b4350", plot_grid="#e6e9ee",
               series=("#1f6feb", "#d1495b", "#2e8b57", "#8e44ad", "#e08e0b", "#00838f"))
DARK = Tokens("dark", bg="#161a20", surface="#1e232b", surface_alt="#232932", border="#323a46",
              text="#e6e9ee", text_muted="#9aa4b2", accent="#4c8dff", accent_text="#0b1220",
              selection="#233a5e", avoid="#ef5350", adjust="#ffb74d", standard="#66bb6a",
              pill_avoid="#ef5350", pill_adjust="#ffb74d", pill_standard="#66bb6a", pill_text="#10141a",
              caution_text="#ffb74d",
              plot_bg="#1e232b", plot_fg="#c8ced8", plot_grid="#2c333d",
              series=("#6ea8ff", "#ff7a8a", "#5fd39a", "#c39bff", "#ffc067", "#4dd0e1"))

QSS = Template("""
QWidget { color: $text; font-size: 10pt; }
QMainWindow, QDialog, QStackedWidget#views, QWidget#page { background: $bg; }
QFrame#card, QFrame#banner { background: $surface; border: 1px solid $border; border-radius: 8px; }
QLabel#title { font-size: 15pt; font-weight: 600; }
QLabel#bannerName { font-size: 16pt; font-weight: 600; }
QLabel#muted, QLabel#hint { color: $text_muted; }
QLabel#section { font-size: 11pt; font-weight: 600; color: $text; padding: 2px 0; }
QLabel#error { color: $avoid; }
QLabel#chip { background: $surface_alt; border: 1px solid $border; border-radius: 10px; padding: 2px 8px; }
QLabel#alert_avoid { background: $pill_avoid; color: $pill_text; border-radius: 10px; padding: 2px 10px;
    font-weight: 600; }
QLabel#alert_adjust { background: $pill_adjust; color: $pill_text; border-radius: 10px; padding: 2px 10px;
    font-weight: 600; }
QLabel#alert_caution { background: $surface; color: $caution_text; border: 2px solid $pill_adjust;
    border-radius: 10px; padding: 1px 9px; font-weight: 600; }
QLabel#alert_standard { background: $pill_standard; color: $pill_text; border-radius: 10px; padding: 2px 10px; }
QLabel#alert_info { background: $surface_alt; color: $text_muted; border: 1px dashed $border; border-radius: 10px;
    padding: 2px 10px; }
QToolTip { color: $text; background: $surface; border: 1px solid $border; }
QTableView, QListView, QTreeView { background: $surface; alternate-background-color: $surface_alt;
    border: 1px solid $border; border-radius: 6px; gridline-color: $border;
    selection-background-color: $selection; selection-color: $text; }
QHeaderView::section { background: $surface_alt; color: $text_muted; border: none;
    border-bottom: 1px solid $border; padding: 5px 8px; font-weight: 600; }
QLineEdit, QComboBox, QSpinBox, QDoubleSpinBox { background: $surface; border: 1px solid $border;
    border-radius: 6px; padding: 5px 8px; min-height: 18px; }
QComboBox::drop-down { border: none; width: 22px; }
QSpinBox::up-button, QSpinBox::down-button, QDoubleSpinBox::up-button, QDoubleSpinBox::down-button { border: none; width: 16px; }
QLineEdit:focus, QComboBox:focus, QSpinBox:focus { border: 1px solid $accent; }
QPushButton { background: $surface; border: 1px solid $border; border-radius: 6px; padding: 6px 14px; }
QPushButton:hover { border-color: $accent; }
QPushButton:checked { background: $selection; border-color: $accent; }
QPushButton:default, QPushButton#primary { background: $accent; color: $accent_text; border-color: $accent; }
QPushButton:disabled { color: $text_muted; }
QTabWidget::pane { border: none; border-top: 1px solid $border; }
QTabBar { qproperty-drawBase: 0; }
QTabBar::tab { background: transparent; color: $text_muted; padding: 8px 16px; border: none;
    border-bottom: 2px solid transparent; font-weight: 600; }
QTabBar::tab:selected { color: $accent; border-bottom: 2px solid $accent; }
QTabBar::tab:hover { color: $text; }
QStatusBar { background: $surface; border-top: 1px solid $border; color: $text_muted; }
QMenuBar { background: $surface; border-bottom: 1px solid $border; }
QMenuBar::item:selected, QMenu::item:selected { background: $selection; color: $text; }
QMenu { background: $surface; border: 1px solid $border; }
QProgressBar { border: 1px solid $border; border-radius: 4px; background: $surface_alt; text-align: center; }
QProgressBar::chunk { background: $accent; border-radius: 3px; }
QSplitter::handle { background: $bg; }
""")


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    return bool(scheme and scheme() == Qt.ColorScheme.Dark)


def resolve(choice: str) -> Tokens:
    """``choice`` is the preference value: system | light | dark."""
    if choice == "dark" or (choice == "system" and system_prefers_dark()):
        return DARK
    return LIGHT


def apply(app: QApplication, tokens: Tokens) -> None:
    """Style the whole application from ``tokens`` (palette for native parts, QSS for the rest)."""
    app.setStyle("Fusion")
    pal = QPalette()
    for role, col in ((QPalette.ColorRole.Window, tokens.bg), (QPalette.ColorRole.Base, tokens.surface),
                      (QPalette.ColorRole.AlternateBase, tokens.surface_alt), (QPalette.ColorRole.Text, tokens.text),
                      (QPalette.ColorRole.WindowText, tokens.text), (QPalette.ColorRole.Button, tokens.surface),
                      (QPalette.ColorRole.ButtonText, tokens.text), (QPalette.ColorRole.Highlight, tokens.selection),
                      (QPalette.ColorRole.HighlightedText, tokens.text),
                      (QPalette.ColorRole.PlaceholderText, tokens.text_muted),
                      (QPalette.ColorRole.ToolTipBase, tokens.surface), (QPalette.ColorRole.ToolTipText, tokens.text)):
        pal.setColor(role, QColor(col))
    app.setPalette(pal)
    font = QFont(app.font())
    font.setPointSizeF(10)
    app.setFont(font)
    app.setStyleSheet(QSS.substitute(tokens.__dict__))
    app.setProperty("theme_tokens", tokens.name)


_current: Tokens = LIGHT


def current() -> Tokens:
    return _current


def set_current(tokens: Tokens) -> None:
    global _current
    _current = tokens


def pill_colours(tokens: Tokens) -> dict[str, tuple[str, str]]:
    """(text, background) of every banner pill style, by object name (what the contrast test computes)."""
    return {"alert_avoid": (tokens.pill_text, tokens.pill_avoid), "alert_adjust": (tokens.pill_text, tokens.pill_adjust),
            "alert_caution": (tokens.caution_text, tokens.surface),
            "alert_standard": (tokens.pill_text, tokens.pill_standard),
            "alert_info": (tokens.text_muted, tokens.surface_alt), "chip": (tokens.text, tokens.surface_alt)}


def _luminance(hex_colour: str) -> float:
    c = QColor(hex_colour)
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def contrast(fg: str, bg: str) -> float:
    """WCAG 2.x contrast ratio of two colours."""
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)
