"""Paints a :class:`workstation.family.drawing.Drawing` (NSGC symbols, lines, legend) into a QGraphicsScene, and
the view around it with zoom, pan and print. Nothing here decides what is drawn: the core's drawing says it.

Threading: GUI thread only. ``PedigreeScene.set_drawing`` rebuilds the items; ``person_selected(str)`` fires when a
symbol is selected (click or keyboard).
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (QBrush, QColor, QFont, QKeyEvent, QPainter, QPainterPath, QPen, QPolygonF,
                           QWheelEvent)
from PySide6.QtWidgets import (QGraphicsItem, QGraphicsPathItem, QGraphicsScene, QGraphicsSimpleTextItem,
                               QGraphicsView)

from ui import theme

UNIT = 120.0                        # pixels per horizontal pitch (the core's layout unit)
FILL_COLOURS = ("#c0392b", "#1f6feb", "#2e8b57", "#8e44ad", "#d68910", "#00838f", "#6d4c41", "#ad1457")
MARGIN_LEFT = 70.0


def fill_colour(i: int) -> QColor:
    return QColor(FILL_COLOURS[i % len(FILL_COLOURS)])


class SymbolItem(QGraphicsPathItem):
    """One person's symbol (selectable); paints fills in quarters, slash, dot and brackets itself."""

    def __init__(self, sym, tokens) -> None:
        self.sym = sym
        r = UNIT * 0.22
        path = QPainterPath()
        if sym.shape == "square":
            path.addRect(QRectF(-r, -r, 2 * r, 2 * r))
        elif sym.shape == "circle":
            path.addEllipse(QRectF(-r, -r, 2 * r, 2 * r))
        else:
            path.addPolygon(QPolygonF([QPointF(0, -r * 1.2), QPointF(r * 1.2, 0), QPointF(0, r * 1.2),
                                       QPointF(-r * 1.2, 0), QPointF(0, -r * 1.2)]))
        super().__init__(path)
        self.r = r
        self.tokens = tokens
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsFocusable, True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        if sym.tooltip:
            self.setToolTip(sym.tooltip)
        self.setZValue(2)

    def boundingRect(self) -> QRectF:
        return super().boundingRect().adjusted(-self.r, -self.r, self.r, self.r)

    def paint(self, painter: QPainter, option, widget=None) -> None:  # noqa: ARG002 - Qt signature
        t = self.tokens
        fg = QColor(t.text)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        path = self.path()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(t.surface))
        painter.drawPath(path)
        fills = self.sym.fills
        if fills:
            rect = path.boundingRect()
            if len(fills) == 1:
                painter.setBrush(fill_colour(fills[0]))
                painter.drawPath(path)
            else:
                quads = [QRectF(rect.left(), rect.top(), rect.width() / 2, rect.height() / 2),
                         QRectF(rect.center().x(), rect.top(), rect.width() / 2, rect.height() / 2),
                         QRectF(rect.left(), rect.center().y(), rect.width() / 2, rect.height() / 2),
                         QRectF(rect.center().x(), rect.center().y(), rect.width() / 2, rect.height() / 2)]
                for i, f in enumerate(fills[:4]):
                    clip = QPainterPath()
                    clip.addRect(quads[i])
                    painter.setBrush(fill_colour(f))
                    painter.drawPath(path.intersected(clip))
        pen = QPen(fg, 2.0)
        if self.sym.inferred:
            pen.setStyle(Qt.PenStyle.DashLine)
            pen.setColor(QColor(t.text_muted))
        if self.isSelected():
            painter.setPen(QPen(QColor(t.accent), 5.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        r = self.r
        if self.sym.carrier:
            painter.setBrush(fg)
            painter.drawEllipse(QPointF(0, 0), r * 0.18, r * 0.18)
        if self.sym.deceased:
            painter.setPen(QPen(fg, 2.0))
            painter.drawLine(QPointF(-r * 1.45, r * 1.45), QPointF(r * 1.45, -r * 1.45))
        if self.sym.adopted:
            painter.setPen(QPen(fg, 1.6))
            b = r * 1.4
            for sx in (-1, 1):
                painter.drawLine(QPointF(sx * b, -b), QPointF(sx * b, b))
                painter.drawLine(QPointF(sx * b, -b), QPointF(sx * (b - r * 0.35), -b))
                painter.drawLine(QPointF(sx * b, b), QPointF(sx * (b - r * 0.35), b))
        if self.sym.proband or self.sym.consultand:
            painter.setPen(QPen(fg, 2.0))
            painter.setBrush(fg)
            tip = QPointF(-r * 1.05, r * 1.05)
            tail = QPointF(-r * 2.6, r * 2.6)
            painter.drawLine(tail, tip)
            head = QPolygonF([tip, tip + QPointF(-r * 0.55, r * 0.1), tip + QPointF(-r * 0.1, r * 0.55)])
            painter.drawPolygon(head)
            if self.sym.proband:
                f = QFont(painter.font())
                f.setBold(True)
                f.setPointSizeF(10)
                painter.setFont(f)
                painter.drawText(QRectF(tail.x() - r * 0.9, tail.y() - r * 0.2, r * 0.8, r * 0.8),
                                 Qt.AlignmentFlag.AlignCenter, "P")


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

    def set_drawing(self, drawing, *, selected: str | None = None) -> None:
        t = theme.current()
        self.blockSignals(True)
        self.clear()
        self.items_by_id = {}
        self.drawing = drawing
        fg = QColor(t.text)
        muted = QColor(t.text_muted)
        self.setBackgroundBrush(QColor(t.surface))
        ox = MARGIN_LEFT + UNIT * 0.6

        def pt(x: float, y: float) -> QPointF:
            return QPointF(ox + x * UNIT, 40 + y * UNIT)

        for ln in drawing.lines:
            pen = QPen(fg, 1.8)
            if ln.style == "dashed":
                pen.setStyle(Qt.PenStyle.DashLine)
            a, b = pt(ln.x1, ln.y1), pt(ln.x2, ln.y2)
            if ln.style == "double":
                for dy in (-3.0, 3.0):
                    self.addLine(a.x(), a.y() + dy, b.x(), b.y() + dy, pen)
            elif ln.kind == "partner" and a.y() != b.y():
                path = QPainterPath(a)
                path.lineTo(QPointF(b.x(), a.y()))
                path.lineTo(b)
                self.addPath(path, pen)
            else:
                self.addLine(a.x(), a.y(), b.x(), b.y(), pen)
        small = QFont()
        small.setPointSizeF(8.5)
        num_font = QFont()
        num_font.setPointSizeF(7.5)
        for s in drawing.symbols:
            item = SymbolItem(s, t)
            item.setPos(pt(s.x, s.y))
            self.addItem(item)
            self.items_by_id[s.id] = item
            num = QGraphicsSimpleTextItem(s.number)
            num.setFont(num_font)
            num.setBrush(muted)
            num.setPos(pt(s.x, s.y) + QPointF(UNIT * 0.24, -UNIT * 0.36))
            self.addItem(num)
            y = UNIT * 0.3
            for i, line in enumerate(s.lines[:6]):
                txt = QGraphicsSimpleTextItem(line)
                f = QFont(small)
                if i == 0:
                    f.setBold(True)
                txt.setFont(f)
                txt.setBrush(fg if i < 2 else QColor(t.text))
                w = txt.boundingRect().width()
                txt.setPos(pt(s.x, s.y) + QPointF(-w / 2, y))
                self.addItem(txt)
                y += txt.boundingRect().height() - 1
        gen_font = QFont()
        gen_font.setPointSizeF(12)
        gen_font.setBold(True)
        for label, gy in drawing.generations:
            g = QGraphicsSimpleTextItem(label)
            g.setFont(gen_font)
            g.setBrush(muted)
            g.setPos(QPointF(10, 40 + gy * UNIT - 10))
            self.addItem(g)
        self._legend(drawing, pt(0, drawing.height - 1.0).y() + 10, fg)
        self.setSceneRect(self.itemsBoundingRect().adjusted(-20, -20, 20, 20))
        self.blockSignals(False)
        if selected and selected in self.items_by_id:
            self.items_by_id[selected].setSelected(True)

    def _legend(self, drawing, y: float, fg: QColor) -> None:
        x = MARGIN_LEFT
        f = QFont()
        f.setPointSizeF(9)
        for i, (_key, text) in enumerate(drawing.legend):
            self.addRect(QRectF(x, y, 16, 16), QPen(fg, 1.2), QBrush(fill_colour(i)))
            t = QGraphicsSimpleTextItem(text)
            t.setFont(f)
            t.setBrush(fg)
            t.setPos(x + 22, y)
            self.addItem(t)
            x += 22 + t.boundingRect().width() + 24

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
