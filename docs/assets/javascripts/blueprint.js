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
        if (event.target.closest("a")) return; // links inside a step still work
        choose(chosen === item ? null : item);
      });
      item.addEventListener("keydown", (event) => {
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
     shows ("Fit"), which is already wide enough for every label to be read. */
  function addZoom(figure) {
    const frame = figure.querySelector(".blueprint-picture");
    const svg = frame && frame.querySelector("svg");
    if (!svg || figure.dataset.zoomReady) return;
    figure.dataset.zoomReady = "yes";
    const STEP = 1.25;
    const MOST = 4;
    let steps = 0; // how many times "+" more than "−"
    let fitWidth = 0;
    const bar = document.createElement("div");
    bar.className = "blueprint-zoom";
    bar.innerHTML =
      '<button type="button" class="md-button" aria-label="Zoom in" data-by="1">+</button>' +
      '<button type="button" class="md-button" aria-label="Zoom out" data-by="-1">−</button>' +
      '<button type="button" class="md-button" aria-label="Fit to width" data-by="0">Fit</button>';
    figure.insertBefore(bar, frame);
    const [plus, minus, fit] = bar.querySelectorAll("button");

    function show() {
      const scale = Math.pow(STEP, steps);
      frame.classList.toggle("blueprint-zoomed", steps > 0);
      svg.style.maxWidth = steps > 0 ? "none" : "";
      svg.style.width = steps > 0 ? fitWidth * scale + "px" : "";
      minus.disabled = fit.disabled = steps === 0;
      plus.disabled = Math.pow(STEP, steps + 1) > MOST;
    }

    bar.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button || button.disabled) return;
      if (steps === 0) fitWidth = svg.getBoundingClientRect().width; // as it shows now
      const by = Number(button.dataset.by);
      steps = by === 0 ? 0 : Math.max(0, steps + by);
      show();
    });
    show();
  }

  function start() {
    document.querySelectorAll("ol.blueprint-steps[data-picture]").forEach(setUp);
    document.querySelectorAll("figure.blueprint-figure").forEach(addZoom);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
