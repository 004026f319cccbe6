"""Paints a :class:`workstation.family.drawing.Drawing` (NSGC symbols, lines, legend) into a QGraphicsScene, and
the view around it with zoom, pan and print. Nothing here decides what is drawn: the core's drawing says it.

Threading: GUI thread only. ``PedigreeScene.set_drawing`` rebuilds the items; ``person_selected(str)`` fires when a
symbol is selected (click or keyboard).
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsScene, QGraphicsView

from ui import theme
from ui.widgets.pedigree_paint import R, paint_backdrop, paint_symbol, point, size, symbol_path


class SymbolItem(QGraphicsPathItem):
    """One person's symbol (selectable, focusable); painted by :func:`paint_symbol`."""

    def __init__(self, sym, tokens) -> None:
        super().__init__(symbol_path(sym.shape))
        self.sym = sym
        self.tokens = tokens
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsFocusable, True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        if sym.tooltip:
            self.setToolTip(sym.tooltip)
        self.setZValue(2)

    def boundingRect(self) -> QRectF:
        return QRectF(-R * 3, -R * 1.6, R * 4.6, R * 4.6)     # room for the slash, brackets and the arrow

    def paint(self, painter: QPainter, option, widget=None) -> None:  # noqa: ARG002 - Qt signature
        paint_symbol(painter, self.sym, self.tokens, selected=self.isSelected())


class Backdrop(QGraphicsItem):
    """Lines, text, numerals and the legend, painted by :func:`paint_backdrop`."""

    def __init__(self, drawing, tokens) -> None:
        super().__init__()
        self.drawing, self.tokens = drawing, tokens
        w, h = size(drawing)
        self._rect = QRectF(0, 0, w, h)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:  # noqa: ARG002 - Qt signature
        paint_backdrop(painter, self.drawing, self.tokens)


class PedigreeScene(QGraphicsScene):
    person_selected = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.items_by_id: dict[str, SymbolItem] = {}
        self.drawing = None
        self.selectionChanged.connect(self._selection)

    def _selection(self) -> None:
        sel = [i for i in self.selectedItems() if isinstance(i, SymbolItem)]
        if sel:
            self.person_selected.emit(sel[0].sym.id)

    def set_drawing(self, drawing, *, selected: str | None = None, tokens=None) -> None:
        t = tokens or theme.current()
        self.blockSignals(True)
        self.clear()
        self.items_by_id = {}
        self.drawing = drawing
        from PySide6.QtGui import QColor

        self.setBackgroundBrush(QColor(t.surface))
        back = Backdrop(drawing, t)
        self.addItem(back)
        for s in drawing.symbols:
            item = SymbolItem(s, t)
            item.setPos(point(s.x, s.y))
            self.addItem(item)
            self.items_by_id[s.id] = item
        self.setSceneRect(back.boundingRect().adjusted(-10, -10, 10, 10))
        self.blockSignals(False)
        if selected and selected in self.items_by_id:
            self.items_by_id[selected].setSelected(True)

    def select(self, pid: str) -> None:
        item = self.items_by_id.get(pid)
        if item is None:
            return
        self.clearSelection()
        item.setSelected(True)
        for v in self.views():
            v.ensureVisible(item, 80, 80)


class PedigreeCanvas(QGraphicsView):
    """Zoom (Ctrl+wheel, +/-), pan (drag, arrows move the selection instead), fit (0)."""

    navigate = Signal(str)            # "left" | "right" | "up" | "down"

    def __init__(self, scene: PedigreeScene, parent=None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setObjectName("pedigree")

    def zoom(self, factor: float) -> None:
        current = self.transform().m11()
        factor = max(0.15 / current, min(4.0 / current, factor))
        self.scale(factor, factor)

    def fit(self) -> None:
        rect = self.scene().sceneRect()
        if rect.isEmpty():
            return
        self.resetTransform()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.transform().m11() > 1.25:          # a small family is not blown up
            self.resetTransform()
            self.scale(1.25, 1.25)
            self.centerOn(rect.center())

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        moves = {Qt.Key.Key_Left: "left", Qt.Key.Key_Right: "right", Qt.Key.Key_Up: "up", Qt.Key.Key_Down: "down"}
        if key in moves and not event.modifiers():
            self.navigate.emit(moves[key])
            return
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(1.2)
            return
        if key == Qt.Key.Key_Minus:
            self.zoom(1 / 1.2)
            return
        if key == Qt.Key.Key_0:
            self.fit()
            return
        super().keyPressEvent(event)


def render_to(painter: QPainter, scene: PedigreeScene, target: QRectF) -> None:
    """Paint the whole scene into ``target`` (printing and the PDF report), keeping its proportions."""
    scene.render(painter, target, scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
