// Parses Mermaid diagrams with the real Mermaid library (tests/reports/test_diagram.py runs it).
// Usage: node parse.mjs FILE...  (each file holds one diagram, or Markdown with ```mermaid blocks)
// Prints one JSON line per diagram: what Mermaid read (entities with their shown name and
// attributes, relationships); exits 1 after naming every diagram that does not parse.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

// Mermaid expects a browser; its parser only needs a DOM to exist (DOMPurify, d3 selections).
const dom = new JSDOM("<!DOCTYPE html><body></body>", { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
for (const name of ["Element", "HTMLElement", "SVGElement", "Node", "DOMParser", "MutationObserver"]) {
  globalThis[name] = dom.window[name];
}

const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

function diagramsOf(text) {
  // A Markdown file: its ```mermaid and ~~~mermaid blocks; any other file is one diagram.
  if (!/(```|~~~)mermaid/.test(text)) return [text];
  return [...text.matchAll(/(```|~~~)mermaid\n([\s\S]*?)\1/g)].map((match) => match[2]);
}

let failed = 0;
let parsed = 0;
for (const file of process.argv.slice(2)) {
  const diagrams = diagramsOf(readFileSync(file, "utf8"));
  if (diagrams.length === 0) {
    console.error(`${file}: no mermaid diagram in it`);
    failed += 1;
  }
  for (const [index, diagram] of diagrams.entries()) {
    try {
      const result = await mermaid.parse(diagram);
      if (result.diagramType !== "er") throw new Error(`parsed as ${result.diagramType}, not er`);
      const read = await mermaid.mermaidAPI.getDiagramFromText(diagram);
      const entities = [...read.db.getEntities().values()].map((entity) => ({
        id: entity.label,
        name: entity.alias || entity.label,
        classes: entity.cssClasses,
        attributes: entity.attributes.map(({ type, name, keys, comment }) => ({
          type,
          name,
          keys,
          comment,
        })),
      }));
      // Relationships name entities by Mermaid's internal id: map them back to what is shown.
      const shown = new Map(
        [...read.db.getEntities().values()].map((entity) => [entity.id, entity.alias || entity.label]),
      );
      const relationships = read.db.getRelationships().map((relationship) => ({
        child: shown.get(relationship.entityA),
        parent: shown.get(relationship.entityB),
        label: relationship.roleA,
        // Mermaid's cardA is the marker next to entity B (the parent), cardB the one next to A.
        parent_end: relationship.relSpec.cardA,
        child_end: relationship.relSpec.cardB,
        line: relationship.relSpec.relType,
      }));
      console.log(JSON.stringify({ file, index, entities, relationships }));
      parsed += 1;
    } catch (error) {
      console.error(`${file} (diagram ${index + 1}): ${String(error.message ?? error).trim()}`);
      failed += 1;
    }
  }
}
console.error(`parsed ${parsed} diagram(s), ${failed} failed`);
process.exit(failed ? 1 : 0);
