// Site search on /search/, with Pagefind's JavaScript API and the index the build writes.
//
// Without JavaScript (or where Pagefind cannot start, as in a page opened from disk)
// the page stays as the server wrote it: the form and a list of every condition and
// package. With it, typing searches; results replace that list: links with the page's
// kind, its evidence level and an excerpt, and a status line announces how many match.
// Nothing is loaded from another origin, nothing is stored, no inline code runs.
(function () {
  "use strict";

  var form = document.getElementById("search-form");
  if (!form) return;
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var everything = document.getElementById("search-all");
  var SHOWN = 20; // results shown at most; the status says how many matched
  var WAIT_MS = 300; // typing pauses this long before a search starts
  var ready = null; // a promise of the index (see `load`), or of null
  var loaded = false;
  var latest = 0;
  var timer = 0;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // Pagefind's excerpt is HTML with <mark> around the words found: keep only its text
  // and those marks, so nothing else from the index can reach the page.
  function excerpt(html) {
    var paragraph = element("p", "search-excerpt");
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    parsed.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeType === Node.ELEMENT_NODE && node.tagName === "MARK") {
        paragraph.appendChild(element("mark", "", node.textContent));
      } else {
        paragraph.appendChild(document.createTextNode(node.textContent));
      }
    });
    return paragraph;
  }

  function result(data) {
    var meta = data.meta || {};
    var item = element("li", "search-result");
    var heading = element("h2");
    var link = element("a", "", meta.title || data.url);
    link.href = data.url;
    heading.appendChild(link);
    item.appendChild(heading);
    var facts = element("p", "search-facts");
    if (meta.kind) facts.appendChild(document.createTextNode(meta.kind + " "));
    if (meta.evidence) {
      var level = /^[a-z0-9-]+$/.test(meta.evidence_id || "") ? " badge-" + meta.evidence_id : "";
      facts.appendChild(element("span", "badge" + level, meta.evidence));
    }
    if (facts.childNodes.length) item.appendChild(facts);
    if (data.excerpt) item.appendChild(excerpt(data.excerpt));
    return item;
  }

  // What the status line says, in the page's language: the search form carries each
  // message (data-say-*, with {query}, {count} and {shown} to fill in).
  function message(name, values) {
    var text = form.getAttribute("data-say-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  function say(text) {
    status.textContent = text;
  }

  function showEverything(show) {
    everything.hidden = !show;
    list.hidden = show;
  }

  function remember(query) {
    var address = new URL(location.href);
    if (query) address.searchParams.set("q", query);
    else address.searchParams.delete("q");
    history.replaceState(null, "", address.pathname + address.search + address.hash);
  }

  async function run(query) {
    var ticket = ++latest;
    query = query.trim();
    remember(query);
    if (!query) {
      list.replaceChildren();
      showEverything(true);
      say("");
      return;
    }
    if (!loaded) say(message("loading"));
    var index = await ready; // a search typed while the index loads waits for it
    if (!index || ticket !== latest) return;
    var results = await find(index, query);
    if (ticket !== latest) return; // a newer search has started
    var data = await Promise.all(
      results.slice(0, SHOWN).map(function (hit) {
        return hit.data();
      }),
    );
    if (ticket !== latest) return;
    list.replaceChildren.apply(list, data.map(result));
    var count = results.length;
    if (count === 0) {
      showEverything(true);
      say(message("none", { query: query }));
      return;
    }
    showEverything(false);
    var words = message(count === 1 ? "one" : "many", { count: count, query: query });
    say(words + (count > SHOWN ? " " + message("first", { shown: SHOWN }) : ""));
  }

  // The pages that match, best first. After a small edit the build leaves the shards as
  // they were and indexes the changed pages, with some unchanged ones (the ballast), into
  // an overlay searched on its own, in up to two layers (the pages changed since the
  // overlay was made go into a second). An unchanged page is taken from its shard, a
  // changed one from the newest layer holding it; older entries for it are stale. A
  // layer, being small, weighs words otherwise than the shards, so a changed page's
  // score is scaled by how the ballast pages found score in both (the median ratio).
  // Where no ballast page matches, the scale is estimated from how many pages match in
  // each, with the weight Pagefind gives a word (BM25's inverse document frequency).
  async function find(index, query) {
    var searches = [index.shards].concat(index.overlays).map(function (api) {
      return api.search(query);
    });
    var answers = await Promise.all(searches);
    var fresh = function (hit) { return !index.stale.has(hit.id); };
    var found = answers[0].results.filter(fresh);
    var inShards = new Map(found.map(function (hit) { return [hit.id, hit.score]; }));
    var scored = found.map(function (hit) { return { hit: hit, score: hit.score }; });
    var seen = new Set(inShards.keys());
    answers.slice(1).forEach(function (answer, layer) {
      var ratios = [];
      var changed = [];
      answer.results.filter(fresh).forEach(function (hit) {
        if (inShards.has(hit.id)) {
          if (hit.score > 0) ratios.push(inShards.get(hit.id) / hit.score);
        } else if (!seen.has(hit.id)) {
          seen.add(hit.id);
          changed.push(hit);
        }
      });
      ratios.sort(function (a, b) { return a - b; });
      var scale = ratios.length
        ? ratios[Math.floor(ratios.length / 2)]
        : rareScale(index, layer, found.length, changed.length);
      changed.forEach(function (hit) { scored.push({ hit: hit, score: hit.score * scale }); });
    });
    scored.sort(function (a, b) { return b.score - a.score; });
    return scored.map(function (entry) { return entry.hit; });
  }

  function weight(pages, matching) {
    return Math.log((pages - matching + 0.5) / (matching + 0.5) + 1);
  }

  function rareScale(index, layer, inShards, inLayer) {
    var pages = index.pages || {};
    var layerPages = (pages.overlays || [])[layer];
    if (!pages.shard || !layerPages) return 1;
    return weight(pages.shard, inShards / index.shardCount) / weight(layerPages, inLayer);
  }

  function searchSoon() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      run(input.value);
    }, WAIT_MS);
  }

  // Pagefind's API for a bundle folder: each folder's pagefind.js is a module of its own.
  async function open(folder) {
    var api = await import(folder + "pagefind.js");
    await api.options({ excerptLength: 24 });
    await api.init();
    return api;
  }

  // The index comes in shards (one for a small site): open the first, merge the others;
  // and the overlay's layers, if small edits made them (see `find`).
  async function load() {
    var listing = new URL(form.getAttribute("data-pagefind"), document.baseURI);
    var response = await fetch(listing);
    if (!response.ok) throw new Error("no search index");
    var shards = await response.json();
    var bundles = shards.bundles.map(function (folder) {
      return new URL(folder, listing).href;
    });
    var layers = (shards.overlays || []).map(function (folder) {
      return new URL(folder, listing).href;
    });
    var opened = await Promise.all([bundles[0]].concat(layers).map(open));
    await Promise.all(
      bundles.slice(1).map(function (bundle) {
        return opened[0].mergeIndex(bundle, { excerptLength: 24 });
      }),
    );
    loaded = true;
    return {
      shards: opened[0],
      shardCount: bundles.length,
      overlays: opened.slice(1),
      stale: new Set(shards.stale || []),
      pages: shards.pages,
    };
  }

  function start() {
    ready = load().catch(function () {
      say(message("failed"));
      return null;
    });
    // Listen at once: what is typed while the index loads is searched when it is ready.
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      run(input.value);
    });
    input.addEventListener("input", searchSoon);
    var query = new URL(location.href).searchParams.get("q") || "";
    if (query) {
      input.value = query;
      run(query);
    }
  }

  start();
})();
