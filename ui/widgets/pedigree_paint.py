"""Paint a :class:`workstation.family.drawing.Drawing` with a QPainter (QtGui only, so the headless PDF report can
use it without QApplication). The window's scene and the PDF share this one painter; nothing here decides what is
drawn. Coordinates: ``UNIT`` pixels per layout unit, the left margin holds the generation numerals.

Threading: whichever thread owns the paint device (the GUI thread for widgets).
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen, QPolygonF

UNIT = 135.0                        # pixels per horizontal pitch (the core's layout unit)
MARGIN_LEFT = 70.0
TOP = 40.0
R = 120.0 * 0.22                     # half a symbol
FILL_COLOURS = ("#c0392b", "#1f6feb", "#2e8b57", "#8e44ad", "#d68910", "#00838f", "#6d4c41", "#ad1457")
LEGEND_GAP = 0.9                    # layout units between the lowest text and the legend


def fill_colour(i: int) -> QColor:
    return QColor(FILL_COLOURS[i % len(FILL_COLOURS)])


def point(x: float, y: float) -> QPointF:
    return QPointF(MARGIN_LEFT + UNIT * 0.6 + x * UNIT, TOP + y * UNIT)


def symbol_path(shape: str, r: float = R) -> QPainterPath:
    path = QPainterPath()
    if shape == "square":
        path.addRect(QRectF(-r, -r, 2 * r, 2 * r))
    elif shape == "circle":
        path.addEllipse(QRectF(-r, -r, 2 * r, 2 * r))
    else:
        path.addPolygon(QPolygonF([QPointF(0, -r * 1.2), QPointF(r * 1.2, 0), QPointF(0, r * 1.2),
                                   QPointF(-r * 1.2, 0), QPointF(0, -r * 1.2)]))
    return path


def paint_symbol(p: QPainter, sym, tokens, *, selected: bool = False) -> None:
    """One symbol centred on the painter's origin: fills in quarters, outline, dot, slash, brackets, arrow."""
    fg = QColor(tokens.text)
    r = R
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    path = symbol_path(sym.shape)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(tokens.surface))
    p.drawPath(path)
    if sym.fills:
        rect = path.boundingRect()
        if len(sym.fills) == 1:
            p.setBrush(fill_colour(sym.fills[0]))
            p.drawPath(path)
        else:
            c = rect.center()
            quads = [QRectF(rect.left(), rect.top(), rect.width() / 2, rect.height() / 2),
                     QRectF(c.x(), rect.top(), rect.width() / 2, rect.height() / 2),
                     QRectF(rect.left(), c.y(), rect.width() / 2, rect.height() / 2),
                     QRectF(c.x(), c.y(), rect.width() / 2, rect.height() / 2)]
            for i, f in enumerate(sym.fills[:4]):
                clip = QPainterPath()
                clip.addRect(quads[i])
                p.setBrush(fill_colour(f))
                p.drawPath(path.intersected(clip))
    if selected:
        p.setPen(QPen(QColor(tokens.accent), 5.0))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)
    pen = QPen(fg, 2.0)
    if sym.inferred:
        pen.setStyle(Qt.PenStyle.DashLine)
        pen.setColor(QColor(tokens.text_muted))
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)
    if sym.carrier:
        p.setBrush(fg)
        p.drawEllipse(QPointF(0, 0), r * 0.18, r * 0.18)
    if sym.deceased:
        p.setPen(QPen(fg, 2.0))
        p.drawLine(QPointF(-r * 1.45, r * 1.45), QPointF(r * 1.45, -r * 1.45))
    if sym.adopted:
        p.setPen(QPen(fg, 1.6))
        b = r * 1.4
        for sx in (-1, 1):
            p.drawLine(QPointF(sx * b, -b), QPointF(sx * b, b))
            p.drawLine(QPointF(sx * b, -b), QPointF(sx * (b - r * 0.35), -b))
            p.drawLine(QPointF(sx * b, b), QPointF(sx * (b - r * 0.35), b))
    if sym.proband or sym.consultand:
        p.setPen(QPen(fg, 2.0))
        p.setBrush(fg)
        tip, tail = QPointF(-r * 1.05, r * 1.05), QPointF(-r * 2.6, r * 2.6)
        p.drawLine(tail, tip)
        p.drawPolygon(QPolygonF([tip, tip + QPointF(-r * 0.55, r * 0.1), tip + QPointF(-r * 0.1, r * 0.55)]))
        if sym.proband:
            f = QFont(p.font())
            f.setBold(True)
            f.setPixelSize(14)
            p.setFont(f)
            p.drawText(QRectF(tail.x() - r * 0.9, tail.y() - r * 0.2, r * 0.8, r * 0.8), Qt.AlignmentFlag.AlignCenter,
                       "P")


def _font(px: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(int(round(px)))
    f.setBold(bold)
    return f


def paint_backdrop(p: QPainter, drawing, tokens) -> None:
    """Everything except the symbols: lines, numbers, text under symbols, generation numerals, legend."""
    fg, muted = QColor(tokens.text), QColor(tokens.text_muted)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    for ln in drawing.lines:
        pen = QPen(fg, 1.8)
        if ln.style == "dashed":
            pen.setStyle(Qt.PenStyle.DashLine)
        p.setPen(pen)
        a, b = point(ln.x1, ln.y1), point(ln.x2, ln.y2)
        if ln.style == "double":
            for dy in (-3.0, 3.0):
                p.drawLine(QPointF(a.x(), a.y() + dy), QPointF(b.x(), b.y() + dy))
        elif ln.kind == "partner" and a.y() != b.y():
            path = QPainterPath(a)
            path.lineTo(QPointF(b.x(), a.y()))
            path.lineTo(b)
            p.drawPath(path)
        else:
            p.drawLine(a, b)
    num_font, bold, plain = _font(10), _font(11.5, True), _font(11.5)
    for s in drawing.symbols:
        c = point(s.x, s.y)
        p.setFont(num_font)
        p.setPen(muted)
        p.drawText(c + QPointF(UNIT * 0.24, -UNIT * 0.27), s.number)
        y = c.y() + UNIT * 0.3
        for i, text in enumerate(s.lines[:6]):
            f = bold if i == 0 else plain
            fm = QFontMetricsF(f)
            p.setFont(f)
            p.setPen(fg)
            p.drawText(QPointF(c.x() - fm.horizontalAdvance(text) / 2, y + fm.ascent()), text)
            y += fm.height() - 1
    p.setFont(_font(16, True))
    p.setPen(muted)
    for label, gy in drawing.generations:
        p.drawText(QPointF(10, TOP + gy * UNIT + 6), label)
    y = legend_top(drawing)
    x = MARGIN_LEFT
    f = _font(12.5)
    fm = QFontMetricsF(f)
    p.setFont(f)
    for i, (_key, text) in enumerate(drawing.legend):
        p.setPen(QPen(fg, 1.2))
        p.setBrush(QBrush(fill_colour(i)))
        p.drawRect(QRectF(x, y, 16, 16))
        p.setPen(fg)
        p.drawText(QPointF(x + 22, y + 13), text)
        x += 22 + fm.horizontalAdvance(text) + 24
    p.setBrush(Qt.BrushStyle.NoBrush)


def legend_top(drawing) -> float:
    lowest = max((s.y for s in drawing.symbols), default=0.0)
    return TOP + (lowest + LEGEND_GAP) * UNIT + 40


def size(drawing) -> tuple[float, float]:
    width = point(drawing.width, 0).x() + UNIT * 0.6
    legend_w = MARGIN_LEFT + sum(60 + 8 * len(t) for _, t in drawing.legend)
    return max(width, legend_w, 300.0), legend_top(drawing) + 40


def paint_pedigree(p: QPainter, drawing, tokens) -> None:
    """The whole pedigree (for printing and the PDF)."""
    paint_backdrop(p, drawing, tokens)
    for s in drawing.symbols:
        p.save()
        p.translate(point(s.x, s.y))
        paint_symbol(p, s, tokens)
        p.restore()


def pedigree_image(drawing, tokens, scale: float = 2.0) -> QImage:
    w, h = size(drawing)
    img = QImage(int(w * scale), int(h * scale), QImage.Format.Format_ARGB32)
    img.fill(QColor(tokens.surface))
    p = QPainter(img)
    p.scale(scale, scale)
    paint_pedigree(p, drawing, tokens)
    p.end()
    return img
