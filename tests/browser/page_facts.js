// Measures one rendered page as a low-vision reader meets it; returns plain data for the tests.
// Run with page.evaluate(): it only reads the page and changes nothing.
() => {
  const root = document.documentElement;
  const style = (el) => getComputedStyle(el);
  const shown = (el) =>
    el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) &&
    el.getClientRects().length > 0;
  const describe = (el) => {
    const name = el.tagName.toLowerCase();
    const id = el.id ? `#${el.id}` : "";
    const cls = el.classList.length ? `.${[...el.classList].join(".")}` : "";
    const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 50);
    return `${name}${id}${cls} "${text}"`;
  };

  // Colours ----------------------------------------------------------------
  const parse = (value) => {
    const m = value.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const parts = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  // The colour behind an element: its own and its ancestors' backgrounds, composited.
  const backdrop = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const c = parse(style(node).backgroundColor);
      if (c && c[3] > 0) layers.push(c);
      if (c && c[3] >= 1) break;
    }
    let colour = [255, 255, 255, 1]; // the canvas when nothing is painted
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };

  // Text: size, spacing and contrast of every piece of visible text ---------
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el) || !shown(el)) continue;
    seen.add(el);
    const s = style(el);
    const bg = backdrop(el);
    const fg = over(parse(s.color), bg);
    const size = parseFloat(s.fontSize);
    const lineHeight = s.lineHeight === "normal" ? null : parseFloat(s.lineHeight);
    const block = el.closest("p, li, dd, dt, td, th, address, caption, blockquote, figcaption");
    texts.push({
      element: describe(el),
      size,
      contrast: Math.round(ratio(fg, bg) * 100) / 100,
      colour: s.color,
      background: `rgb(${bg.slice(0, 3).map(Math.round).join(", ")})`,
      paragraph: block !== null && !el.closest("h1, h2, h3, h4, h5, h6"),
      lineHeightRatio: lineHeight ? Math.round((lineHeight / size) * 100) / 100 : null,
    });
  }
  const variables = style(root);
  const custom = (name) => {
    const probe = document.createElement("span");
    probe.style.color = variables.getPropertyValue(name).trim();
    document.body.appendChild(probe);
    const colour = parse(style(probe).color);
    probe.remove();
    return colour;
  };
  const pageBackground = backdrop(document.body);
  const visited = custom("--link-visited");

  // Headings and landmarks -------------------------------------------------
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
    .filter(shown)
    .map((h) => [Number(h.tagName[1]), h.textContent.trim().replace(/\s+/g, " ")]);

  // Targets: links and controls a finger has to hit -------------------------
  const interactive = "a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])";
  const targets = [];
  for (const el of document.querySelectorAll(interactive)) {
    if (!shown(el)) continue;
    const rect = el.getBoundingClientRect();
    // WCAG's exception: a link inside a sentence may be as small as the text around it.
    const block = el.parentElement.closest(
      "p, li, dd, dt, td, th, address, caption, blockquote, figcaption, h1, h2, h3, h4, h5, h6, div, section, nav, header, footer, main, body"
    );
    const inSentence =
      style(el).display === "inline" &&
      block.textContent.trim().replace(/\s+/g, " ") !== el.textContent.trim().replace(/\s+/g, " ");
    targets.push({
      element: describe(el),
      width: Math.round(rect.width * 10) / 10,
      height: Math.round(rect.height * 10) / 10,
      inSentence,
    });
  }

  // Reflow: anything wider than the viewport ---------------------------------
  const width = root.clientWidth;
  const overflowing = [...document.body.querySelectorAll("*")]
    .filter((el) => shown(el))
    .filter((el) => {
      const r = el.getBoundingClientRect();
      return r.right > width + 1 || r.left < -1;
    })
    .filter((el) => !el.closest(".skip-link"))
    .map(describe)
    .slice(0, 10);
  // Text read by screen readers only sits in a 1 px box on purpose: that is not clipping.
  const hiddenForScreenReaders = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const r = node.getBoundingClientRect();
      if (r.width <= 1 && r.height <= 1 && /hidden|clip/.test(style(node).overflow)) return true;
    }
    return false;
  };
  // Text cut off inside a box that hides its overflow (a 200 % zoom failure).
  const clipped = [...document.body.querySelectorAll("*")]
    .filter(shown)
    .filter((el) => {
      const s = style(el);
      const hides = /hidden|clip/.test(s.overflowX + s.overflowY);
      return hides && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
    })
    .filter((el) => !hiddenForScreenReaders(el))
    .map(describe);

  // The disclaimer -----------------------------------------------------------
  // The key facts (the disclaimer's first part) near the top; the full statement at the end.
  const disclaimer = document.querySelector(".disclaimer-short");
  const disclaimerFull = document.querySelector(".disclaimer-full");
  const h1 = document.querySelector("h1");
  const firstContent = document.querySelector("main > :not(h1, p.aka, p.lead, .disclaimer)");
  const position = (a, b) => (a && b ? a.compareDocumentPosition(b) : 0);
  const disclaimerBox = disclaimer ? disclaimer.getBoundingClientRect() : null;

  // Motion ---------------------------------------------------------------------
  let longestMotion = 0;
  for (const el of document.querySelectorAll("*")) {
    const s = style(el);
    const times = `${s.transitionDuration},${s.animationDuration}`.split(",").map(parseFloat);
    longestMotion = Math.max(longestMotion, ...times.filter((t) => !Number.isNaN(t)));
  }

  const body = style(document.body);
  const nav = document.querySelector("nav");
  const reviewDates = document.querySelector(".review-dates");
  return {
    url: location.href,
    title: document.title,
    lang: root.lang,
    bodyFontSize: parseFloat(body.fontSize),
    bodyLineHeight: parseFloat(body.lineHeight) / parseFloat(body.fontSize),
    texts,
    pageBackground: pageBackground.slice(0, 3),
    pageBackgroundLuminance: luminance(pageBackground),
    visitedLinkContrast: visited ? ratio(over(visited, pageBackground), pageBackground) : 0,
    headings,
    h1Count: document.querySelectorAll("h1").length,
    targets,
    viewportWidth: width,
    scrollWidth: Math.max(root.scrollWidth, document.body.scrollWidth),
    overflowing,
    clipped,
    disclaimer: disclaimer && {
      shown: shown(disclaimer),
      top: disclaimerBox.top + scrollY,
      height: disclaimerBox.height,
      left: disclaimerBox.left,
      right: disclaimerBox.right,
      inMain: Boolean(disclaimer.closest("main")),
      afterH1: Boolean(position(h1, disclaimer) & Node.DOCUMENT_POSITION_FOLLOWING),
      beforeContent: !firstContent || Boolean(position(disclaimer, firstContent) & Node.DOCUMENT_POSITION_FOLLOWING),
      text: disclaimer.innerText,
    },
    disclaimerFull: disclaimerFull && {
      shown: shown(disclaimerFull),
      height: disclaimerFull.getBoundingClientRect().height,
      inMain: Boolean(disclaimerFull.closest("main")),
      // After everything else the page's content holds (only the feedback control follows).
      last: [...document.querySelectorAll("main > *")]
        .filter((el) => !el.matches(".feedback"))
        .pop() === disclaimerFull,
      text: disclaimerFull.innerText,
    },
    navShown: nav ? shown(nav) : null,
    reviewDatesShown: reviewDates ? shown(reviewDates) : null,
    scrollBehavior: style(root).scrollBehavior,
    longestMotion,
    cookie: document.cookie,
    localStorage: localStorage.length,
    sessionStorage: sessionStorage.length,
  };
}
