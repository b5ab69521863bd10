// Where the parts of a page a reader looks for first sit, in CSS px from the top of the page:
// the site name, the menu, search, the title, its summary, the key facts (the start of the
// disclaimer), the page's own text (the first block after the key facts, a folded contents
// list passed over) and the full disclaimer. Run with page.evaluate(); it changes nothing.
() => {
  const shown = (el) =>
    el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) &&
    el.getClientRects().length > 0;
  const box = (el) => {
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return {
      top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right,
      height: r.height, shown: shown(el),
    };
  };
  const first = (selector) => [...document.querySelectorAll(selector)].find(shown) || null;
  const main = document.querySelector("main");
  const keyFacts = document.querySelector(".disclaimer-short") || document.querySelector("[data-disclaimer]");
  const full = document.querySelector(".disclaimer-full") || document.querySelector("[data-disclaimer]");
  const skipped = ".disclaimer, .contents, .breadcrumbs, .evidence-note, h1, .lead, .aka";
  const blocks = main ? [...main.querySelectorAll("p, li, dt, dd, td, th, label, input, h2, h3, figure, table")] : [];
  const after = (el) =>
    keyFacts === null || Boolean(keyFacts.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
  const ownText = blocks.find(
    (el) => shown(el) && !el.closest(skipped) && after(el) && (el.tagName === "INPUT" || el.textContent.trim() !== ""),
  );
  const keyFactsHeading = keyFacts && keyFacts.querySelector("h2, h3");
  // Lines of text in the key facts, their heading row left out.
  const lineCount = (block) => {
    if (!block) return null;
    let lines = 0;
    for (const p of block.querySelectorAll(":scope > p")) {
      lines += Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight));
    }
    return lines;
  };
  return {
    keyFactsLines: lineCount(keyFacts),
    viewport: { width: document.documentElement.clientWidth, height: innerHeight },
    name: box(first(".site-title")),
    menu: box(first(".site-nav summary") || first(".site-nav")),
    search: box(first(".search-link, .site-header input[type=search], main input[type=search]")),
    h1: box(first("main h1")),
    lead: box(first("main .lead")),
    keyFacts: box(keyFacts),
    keyFactsHeading: box(keyFactsHeading),
    ownText: box(ownText || null),
    ownTextIs: ownText ? `${ownText.tagName.toLowerCase()} "${ownText.textContent.trim().replace(/\s+/g, " ").slice(0, 40)}"` : null,
    full: box(full),
    page: { top: document.documentElement.scrollHeight },
    scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
  };
}
