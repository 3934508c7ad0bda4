"""An article's text with every evidence span marked on it, as HTML.

Each span becomes one `<mark data-kind=… data-id=…>`. Spans that contain one another nest;
spans that cross (one begins inside another and ends after it) cannot nest in HTML, so the
later one is cut where the earlier one ends and goes on in a continuation `<mark>` that carries
`data-part-of` instead of `data-id`: every character of every span stays marked, and there is
still exactly one `mark[data-id]` per span. Paragraphs (text between blank lines) are `<p>`
elements; a span that runs across two of them continues the same way.

Every mark carries `data-level`: 1 for a mark with no mark inside it, else one more than the
highest level inside it. The style sheet draws each mark's underline that many steps below the
text, so nested marks show as stacked lines and none hides another (`data-depth` on a paragraph
is its highest level, which sets its line height).
"""

import heapq
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

# Which of two marks with the same span is the outer one: the larger fact outside.
KIND_ORDER = (
    "proposal",
    "phase",
    "event",
    "statement",
    "position",
    "term",
    "participant",
    "mention",
    "introduction",
    "alias",
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Span:
    """One evidence span: `text[start:end]`, the fact's kind and id (as the API names it), the
    DOM id of the card that describes it, and a line that says what this span is."""

    start: int
    end: int
    kind: str
    id: str
    card: str
    note: str = ""

    @property
    def dom_id(self) -> str:
        return dom_id(self.kind, self.id)


def dom_id(kind: str, key: str) -> str:
    """The element id of a fact's mark: `m-statement-12`, `m-alias-hamas/the_militant_group`."""
    return f"m-{kind}-" + _SPACES.sub("_", key)


@dataclass
class _Node:
    start: int
    end: int
    span: Span | None  # None: a paragraph
    first: bool  # the fragment where the span begins (it carries data-id)
    children: list["_Node"] = field(default_factory=list)
    level: int = 0


def paragraphs(text: str) -> list[tuple[int, int]]:
    """The [start, end) of each paragraph: runs of text between blank lines."""
    found = []
    at = 0
    for gap in _PARAGRAPH_BREAK.finditer(text):
        if gap.start() > at:
            found.append((at, gap.start()))
        at = gap.end()
    if at < len(text.rstrip()):
        found.append((at, len(text.rstrip())))
    return found


def _order(span: Span) -> int:
    return KIND_ORDER.index(span.kind) if span.kind in KIND_ORDER else len(KIND_ORDER)


def _nest(paragraph: _Node, spans: Iterable[tuple[int, int, Span, bool]]) -> None:
    """Builds the tree of marks of one paragraph (`spans` already clipped to it)."""
    queue: list[tuple[int, int, int, int, Span, bool]] = []
    for number, (start, end, span, first) in enumerate(spans):
        heapq.heappush(queue, (start, -end, _order(span), number, span, first))
    counter = len(queue)
    stack = [paragraph]
    while queue:
        start, negative_end, order, number, span, first = heapq.heappop(queue)
        end = -negative_end
        while stack[-1].end <= start:
            stack.pop()
        parent = stack[-1]
        if end > parent.end:  # it crosses its parent: the rest goes on after the parent ends
            counter += 1
            heapq.heappush(queue, (parent.end, -end, order, counter, span, False))
            end = parent.end
        node = _Node(start, end, span, first)
        parent.children.append(node)
        stack.append(node)


def _levels(node: _Node) -> int:
    node.level = 1 + max((_levels(child) for child in node.children), default=0)
    return node.level


def _render(text: str, node: _Node, out: list[str]) -> None:
    at = node.start
    for child in node.children:
        out.append(escape(text[at : child.start]))
        span = child.span
        assert span is not None
        kind, card = escape(span.kind), escape(span.card)
        if child.first:
            note = f' data-note="{escape(span.note)}"' if span.note else ""
            out.append(
                f'<mark id="{escape(span.dom_id)}" data-kind="{kind}" data-id="{escape(span.id)}" '
                f'data-card="{card}" data-level="{child.level}"{note}>'
            )
        else:
            out.append(
                f'<mark data-kind="{kind}" data-part-of="{escape(span.dom_id)}" '
                f'data-card="{card}" data-level="{child.level}">'
            )
        _render(text, child, out)
        out.append("</mark>")
        at = child.end
    out.append(escape(text[at : node.end]))


def marked_text(text: str, spans: Sequence[Span]) -> Markup:
    """The text as `<p>` elements with every span marked (see the module's docstring). A span
    outside the text, or empty, is left out."""
    waiting = sorted(
        (s for s in spans if 0 <= s.start < s.end <= len(text)), key=lambda s: s.start, reverse=True
    )
    running: list[Span] = []  # spans begun in an earlier paragraph that go on past it
    out: list[str] = []
    for start, end in paragraphs(text):
        paragraph = _Node(start, end, None, False)
        clipped = [(start, min(s.end, end), s, False) for s in running if s.end > start]
        while waiting and waiting[-1].start < end:
            s = waiting.pop()
            if s.end > start:  # else it lies between two paragraphs: nothing to mark
                clipped.append((max(s.start, start), min(s.end, end), s, True))
        running = [s for _, _, s, _ in clipped if s.end > end]
        _nest(paragraph, clipped)
        depth = _levels(paragraph) - 1
        out.append(f'<p data-depth="{min(depth, 12)}">')
        _render(text, paragraph, out)
        out.append("</p>\n")
    # Every piece of text and every attribute value went through `escape` above.
    return Markup("".join(out))
