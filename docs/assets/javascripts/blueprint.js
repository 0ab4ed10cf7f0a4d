/* Step-through pictures.
 *
 * Every numbered list of steps (ol.blueprint-steps) belongs to the picture just above it.
 * Pointing at, focusing or tapping a step lights up its arrow(s) and the components it
 * joins, and dims the rest; pointing at an arrow lights up its step. "Previous" and
 * "Next" walk the path one step at a time. Without JavaScript the picture and the list
 * are complete on their own; this only adds the links between them.
 */
(function () {
  "use strict";

  function stepOf(edge) {
    for (const name of edge.classList) {
      if (name.startsWith("blueprint-step-")) return name.slice("blueprint-step-".length);
    }
    return null;
  }

  function setUp(list) {
    const pictureId = list.dataset.picture;
    const figure = document.getElementById(pictureId + "-figure");
    const svg = figure && figure.querySelector("svg");
    if (!svg || list.dataset.ready) return;
    list.dataset.ready = "yes";
    const items = Array.from(list.querySelectorAll("li[data-step]"));
    let chosen = null; // the step chosen by a tap, a click or the walker

    function lit() {
      return Array.from(svg.querySelectorAll(".blueprint-lit")).concat(
        Array.from(list.querySelectorAll(".blueprint-lit")),
      );
    }

    function show(item) {
      lit().forEach((element) => element.classList.remove("blueprint-lit"));
      svg.classList.toggle("blueprint-focus", Boolean(item));
      if (!item) return;
      item.classList.add("blueprint-lit");
      svg.querySelectorAll("g.blueprint-step-" + item.dataset.step).forEach((edge) => edge.classList.add("blueprint-lit"));
      (item.dataset.components || "").split(" ").forEach((component) => {
        const node = svg.querySelector("#" + CSS.escape(pictureId + "-node-" + component));
        if (node) node.classList.add("blueprint-lit");
      });
    }

    function choose(item) {
      chosen = item;
      show(item);
      walker.update();
    }

    items.forEach((item) => {
      item.tabIndex = 0;
      item.addEventListener("mouseenter", () => show(item));
      item.addEventListener("mouseleave", () => show(chosen));
      item.addEventListener("focus", () => show(item));
      item.addEventListener("blur", () => show(chosen));
      item.addEventListener("click", (event) => {
        if (event.target.closest("a, button")) return; // links and buttons inside a step still work
        choose(chosen === item ? null : item);
      });
      item.addEventListener("keydown", (event) => {
        if (event.target !== item) return;
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          choose(chosen === item ? null : item);
        }
      });
    });

    svg.querySelectorAll("g.edge").forEach((edge) => {
      const item = items.find((candidate) => candidate.dataset.step === stepOf(edge));
      if (!item) return;
      edge.addEventListener("mouseenter", () => show(item));
      edge.addEventListener("mouseleave", () => show(chosen));
      edge.addEventListener("click", () => choose(item));
    });

    const walker = makeWalker(list, items, () => chosen, choose);
    addSelfTest(list, items, walker.bar, choose);
  }

  /* Test yourself: the step texts hide (the numbered arrows stay) and come back one at a
     time, by their own button (click, Enter or Space) or "Reveal next", or all at once;
     the revealed step lights up in the picture. */
  function addSelfTest(list, items, bar, choose) {
    const toggle = button("blueprint-test", "Test yourself");
    toggle.setAttribute("aria-pressed", "false");
    const next = button("blueprint-reveal-next", "Reveal next step");
    const all = button("blueprint-reveal-all", "Reveal all steps");
    next.hidden = all.hidden = true;
    bar.insertBefore(toggle, bar.querySelector(".blueprint-walk-status"));
    bar.insertBefore(next, bar.querySelector(".blueprint-walk-status"));
    bar.insertBefore(all, bar.querySelector(".blueprint-walk-status"));
    const status = bar.querySelector(".blueprint-walk-status");
    const hidden = (item) => item.classList.contains("blueprint-concealed");

    let wrapped = false; // the steps get their reveal buttons on first use, not at load

    function wrap() {
      if (wrapped) return;
      wrapped = true;
      items.forEach((item) => {
        const body = document.createElement("span");
        body.className = "blueprint-step-body";
        while (item.firstChild) body.appendChild(item.firstChild);
        const reveal = button("blueprint-reveal", "Reveal step " + item.dataset.step);
        reveal.hidden = true;
        reveal.addEventListener("click", () => show(item, true));
        item.append(reveal, body);
      });
    }

    function show(item, focus) {
      item.classList.remove("blueprint-concealed");
      item.querySelector(".blueprint-step-body").hidden = false;
      const reveal = item.querySelector(".blueprint-reveal");
      const hadFocus = document.activeElement === reveal;
      reveal.hidden = true;
      choose(item);
      if (focus || hadFocus) item.focus();
      update();
    }

    function update() {
      const left = items.filter(hidden).length;
      next.disabled = all.disabled = left === 0;
      if (toggle.getAttribute("aria-pressed") === "true") {
        status.textContent = left ? left + " of " + items.length + " steps hidden" : "All steps revealed";
      }
    }

    function practise(on) {
      wrap();
      toggle.setAttribute("aria-pressed", String(on));
      list.classList.toggle("blueprint-practising", on);
      next.hidden = all.hidden = !on;
      items.forEach((item) => {
        item.classList.toggle("blueprint-concealed", on);
        item.querySelector(".blueprint-step-body").hidden = on;
        item.querySelector(".blueprint-reveal").hidden = !on;
      });
      choose(null);
      status.textContent = on ? "Steps hidden: recall each one, then reveal it" : "";
      update();
    }

    toggle.addEventListener("click", () => practise(toggle.getAttribute("aria-pressed") !== "true"));
    next.addEventListener("click", () => {
      const item = items.find(hidden);
      if (item) show(item, false);
    });
    all.addEventListener("click", () => {
      items.filter(hidden).forEach((item) => show(item, false));
      choose(null);
      status.textContent = "All steps revealed";
    });
  }

  function button(className, text) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "md-button " + className;
    element.textContent = text;
    return element;
  }

  /* Try it first: a capacity section's computed figures hide behind buttons while the
     assumptions stay, so a reader can estimate before comparing. */
  function addEstimation(section) {
    const rows = Array.from(section.querySelectorAll("tr[data-quantity]"));
    if (!rows.length || section.dataset.ready) return;
    section.dataset.ready = "yes";
    const bar = document.createElement("div");
    bar.className = "blueprint-walk blueprint-estimate";
    const toggle = button("blueprint-try", "Try it first: hide the estimates");
    toggle.setAttribute("aria-pressed", "false");
    const all = button("blueprint-reveal-all", "Reveal all estimates");
    all.hidden = true;
    const status = document.createElement("span");
    status.className = "blueprint-walk-status";
    status.setAttribute("aria-live", "polite");
    bar.append(toggle, all, status);
    section.insertBefore(bar, section.firstChild);
    const cells = rows.map((row) => {
      const cell = row.cells[1];
      const value = document.createElement("span");
      value.className = "blueprint-estimate-value";
      while (cell.firstChild) value.appendChild(cell.firstChild);
      const reveal = button("blueprint-reveal", "Reveal");
      reveal.setAttribute("aria-label", "Reveal: " + row.cells[0].textContent.trim());
      reveal.hidden = true;
      reveal.addEventListener("click", () => {
        open(cell);
        cell.querySelector(".blueprint-estimate-value").tabIndex = -1;
        cell.querySelector(".blueprint-estimate-value").focus();
      });
      cell.append(reveal, value);
      return cell;
    });
    const left = () => cells.filter((cell) => cell.querySelector(".blueprint-estimate-value").hidden).length;

    function open(cell) {
      cell.querySelector(".blueprint-estimate-value").hidden = false;
      cell.querySelector(".blueprint-reveal").hidden = true;
      all.disabled = left() === 0;
      status.textContent = left() ? left() + " estimates hidden" : "All estimates revealed";
    }

    toggle.addEventListener("click", () => {
      const on = toggle.getAttribute("aria-pressed") !== "true";
      toggle.setAttribute("aria-pressed", String(on));
      section.classList.toggle("blueprint-practising", on);
      all.hidden = !on;
      all.disabled = false;
      cells.forEach((cell) => {
        cell.querySelector(".blueprint-estimate-value").hidden = on;
        cell.querySelector(".blueprint-reveal").hidden = !on;
      });
      status.textContent = on ? "Estimates hidden: work them out from the assumptions, then reveal them" : "";
    });
    all.addEventListener("click", () => cells.forEach(open));
  }

  function makeWalker(list, items, current, choose) {
    const bar = document.createElement("div");
    bar.className = "blueprint-walk";
    bar.innerHTML =
      '<button type="button" class="md-button blueprint-prev">Previous step</button>' +
      '<button type="button" class="md-button blueprint-next">Next step</button>' +
      '<span class="blueprint-walk-status" aria-live="polite"></span>';
    list.parentNode.insertBefore(bar, list);
    const previous = bar.querySelector(".blueprint-prev");
    const next = bar.querySelector(".blueprint-next");
    const status = bar.querySelector(".blueprint-walk-status");

    function move(by) {
      const index = items.indexOf(current());
      const target = index < 0 ? (by > 0 ? 0 : items.length - 1) : index + by;
      choose(items[target] || null);
    }

    previous.addEventListener("click", () => move(-1));
    next.addEventListener("click", () => move(1));

    return {
      bar,
      update() {
        const item = current();
        const index = items.indexOf(item);
        previous.disabled = index === 0;
        next.disabled = index === items.length - 1;
        status.textContent = item
          ? "Step " + item.dataset.step + " (" + (index + 1) + " of " + items.length + ")"
          : "";
      },
    };
  }

  /* Zoom: the picture's frame scrolls (drag or swipe to pan); each "+" makes the picture
     1.25 times wider than it is, each "−" 1.25 times narrower, never below how it first
     shows, which is already wide enough for every label to be read. A picture wider than
     its frame says so ("scroll sideways") and "Fit" shows it whole, however small. */
  function addZoom(figure) {
    const frame = figure.querySelector(".blueprint-picture");
    const svg = frame && frame.querySelector("svg, img");
    if (!svg || figure.dataset.zoomReady) return;
    figure.dataset.zoomReady = "yes";
    const STEP = 1.25;
    const MOST = 4;
    let steps = 0; // how many times "+" more than "−"
    let whole = false; // "Fit": the whole picture in the frame, labels however small
    let fitWidth = 0;
    const bar = document.createElement("div");
    bar.className = "blueprint-zoom";
    bar.innerHTML =
      '<span class="blueprint-scroll-cue" id="' + figure.id + '-cue">Wider than the screen: scroll sideways, or press Fit →</span>' +
      '<button type="button" class="md-button" aria-label="Zoom in" data-by="1">+</button>' +
      '<button type="button" class="md-button" aria-label="Zoom out" data-by="-1">−</button>' +
      '<button type="button" class="md-button" aria-label="Fit to width" data-by="0">Fit</button>';
    figure.insertBefore(bar, frame);
    const [plus, minus, fit] = bar.querySelectorAll("button");

    function scrolls() {
      return frame.scrollWidth > frame.clientWidth + 1;
    }

    function show() {
      const scale = Math.pow(STEP, steps);
      frame.classList.toggle("blueprint-zoomed", steps > 0);
      svg.style.maxWidth = steps > 0 ? "none" : "";
      svg.style.width = steps > 0 ? fitWidth * scale + "px" : "";
      svg.style.minWidth = whole ? "0" : "";
      const cut = scrolls();
      figure.classList.toggle("blueprint-scrolls", cut);
      minus.disabled = steps === 0;
      fit.disabled = steps === 0 && (whole || !cut);
      plus.disabled = Math.pow(STEP, steps + 1) > MOST;
    }

    bar.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button || button.disabled) return;
      if (steps === 0) fitWidth = svg.getBoundingClientRect().width; // as it shows now
      const by = Number(button.dataset.by);
      if (by === 0) whole = true;
      steps = by === 0 ? 0 : Math.max(0, steps + by);
      show();
    });
    show();
    window.addEventListener("resize", show);
  }

  function start() {
    document.querySelectorAll("ol.blueprint-steps[data-picture]").forEach(setUp);
    document.querySelectorAll("figure.blueprint-figure").forEach(addZoom);
    document.querySelectorAll(".blueprint-capacity").forEach(addEstimation);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
