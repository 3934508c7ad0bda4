// The reading room's one script. Every page reads without it; it adds two things:
// - the "Copy" buttons beside each curl command;
// - on a source page, the fact card of a mark: click a mark, or Tab into the text and move from
//   mark to mark with the arrow keys (Home, End), Enter to read the card, Escape to come back.
"use strict";

const KIND_NAMES = {
  statement: "Statement",
  event: "Event",
  participant: "Participant",
  position: "Position",
  proposal: "Proposal",
  phase: "Phase",
  term: "Term",
  mention: "Mention",
  introduction: "Introduction",
  alias: "Alias",
};

function enableCopyButtons() {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    if (!source) continue;
    button.hidden = false;
    button.setAttribute("aria-label", `Copy: ${source.textContent}`);
    button.addEventListener("click", async () => {
      const text = source.textContent;
      let copied = false;
      try {
        await navigator.clipboard.writeText(text);
        copied = true;
      } catch {
        // No clipboard API (an insecure origin): select the text for the reader to copy.
        const range = document.createRange();
        range.selectNodeContents(source);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      }
      button.textContent = copied ? "Copied" : "Selected: press Ctrl+C";
      button.classList.toggle("copied", copied);
      setTimeout(() => {
        button.textContent = "Copy";
        button.classList.remove("copied");
      }, 2000);
    });
  }
}

function enableMarks(text) {
  const panel = document.getElementById("fact-panel");
  const heading = document.getElementById("fact-panel-heading");
  const body = document.getElementById("fact-card");
  const marks = Array.from(text.querySelectorAll("mark[data-id]"));
  if (!panel || !body || marks.length === 0) return;
  document.body.classList.add("marks-on");
  panel.hidden = false;
  panel.classList.add("empty");
  const help = Array.from(body.childNodes, (node) => node.cloneNode(true));
  const close = document.createElement("button");
  close.type = "button";
  close.className = "close";
  close.textContent = "Close";
  close.setAttribute("aria-label", "Close the card");
  heading.after(close);
  for (const hint of document.querySelectorAll(".js-only")) hint.hidden = false;
  marks.forEach((mark, index) => {
    mark.tabIndex = index === 0 ? 0 : -1;
  });
  let current = null;

  // The mark a fragment belongs to (a crossing span goes on in marks with data-part-of).
  const head = (mark) =>
    mark.dataset.partOf ? document.getElementById(mark.dataset.partOf) : mark;
  const fragments = (mark) => [
    mark,
    ...text.querySelectorAll(`mark[data-part-of="${CSS.escape(mark.id)}"]`),
  ];
  const title = (mark) => {
    const card = document.getElementById(mark.dataset.card);
    const name = card?.querySelector(".card-title")?.textContent.trim() || mark.dataset.id;
    return mark.dataset.note || name;
  };

  function select(mark, { focus = false, enclosing = [] } = {}) {
    if (current) for (const part of fragments(current)) part.classList.remove("selected");
    current = mark;
    for (const part of fragments(mark)) part.classList.add("selected");
    for (const other of marks) other.tabIndex = other === mark ? 0 : -1;
    if (focus) mark.focus();

    const kind = KIND_NAMES[mark.dataset.kind] || mark.dataset.kind;
    heading.textContent = `${kind}: ${mark.dataset.id}`;
    body.replaceChildren();
    if (mark.dataset.note) {
      const note = document.createElement("p");
      note.className = "note";
      note.textContent = mark.dataset.note;
      body.append(note);
    }
    const card = document.getElementById(mark.dataset.card);
    if (card) {
      const copy = card.cloneNode(true);
      copy.removeAttribute("id");
      for (const element of copy.querySelectorAll("[id]")) element.removeAttribute("id");
      body.append(copy);
    }
    const others = enclosing.filter((other) => other !== mark);
    if (others.length) {
      const also = document.createElement("div");
      also.className = "also";
      const label = document.createElement("p");
      label.textContent = "Also marked here:";
      const list = document.createElement("ul");
      for (const other of others) {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.kind = other.dataset.kind;
        button.dataset.target = other.id;
        button.textContent = `${KIND_NAMES[other.dataset.kind]}: ${title(other)}`;
        button.addEventListener("click", () => select(other, { focus: true, enclosing }));
        item.append(button);
        list.append(item);
      }
      also.append(label, list);
      body.append(also);
    }
    panel.classList.remove("empty");
    history.replaceState(null, "", `#${mark.id}`);
  }

  close.addEventListener("click", () => {
    const was = current;
    if (current) for (const part of fragments(current)) part.classList.remove("selected");
    current = null;
    heading.textContent = "Fact";
    body.replaceChildren(...help.map((node) => node.cloneNode(true)));
    panel.classList.add("empty");
    history.replaceState(null, "", location.pathname + location.search);
    was?.focus();
  });

  // Every mark at a point of the text: the one clicked, then the marks around it.
  function enclosingMarks(target) {
    const found = [];
    for (let at = target.closest("mark"); at && text.contains(at); ) {
      const owner = head(at);
      if (owner && !found.includes(owner)) found.push(owner);
      at = at.parentElement?.closest("mark");
    }
    return found;
  }

  text.addEventListener("click", (event) => {
    const clicked = event.target.closest("mark");
    if (!clicked || window.getSelection()?.toString()) return; // selecting text, not a mark
    const enclosing = enclosingMarks(clicked);
    if (enclosing.length) select(enclosing[0], { focus: true, enclosing });
  });

  text.addEventListener("keydown", (event) => {
    const mark = event.target.closest?.("mark[data-id]");
    if (!mark) return;
    const index = marks.indexOf(mark);
    let next = null;
    if (event.key === "ArrowRight" || event.key === "ArrowDown") next = marks[index + 1];
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = marks[index - 1];
    else if (event.key === "Home") next = marks[0];
    else if (event.key === "End") next = marks[marks.length - 1];
    else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      select(mark, { enclosing: enclosingMarks(mark) });
      heading.focus();
      return;
    } else return;
    event.preventDefault();
    if (next) select(next, { focus: true, enclosing: enclosingMarks(next) });
  });

  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && current) {
      event.preventDefault();
      current.focus();
    }
  });

  // A link to a mark (…#m-statement-12) opens on its card.
  const linked = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (linked && linked.matches("mark[data-id]") && text.contains(linked)) {
    select(linked, { enclosing: enclosingMarks(linked) });
    linked.scrollIntoView({ block: "center" });
  }
}

enableCopyButtons();
const sourceText = document.getElementById("source-text");
if (sourceText) enableMarks(sourceText);
