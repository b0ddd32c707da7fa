// Copies the reveal.js files the slides need (manim-slides' HTML template names them) next to the
// built pages, so deepviz ships them and a presentation is made offline.
import { copyFileSync, mkdirSync } from "node:fs";

const src = "node_modules/reveal.js/dist";
const dest = "../static/reveal";
const files = ["reveal.css", "reveal.js", "theme/black.css", "theme/white.css", "plugin/highlight/zenburn.css",
  "plugin/notes.js", "plugin/markdown.js"];
mkdirSync(dest, { recursive: true });
for (const f of files) copyFileSync(`${src}/${f}`, `${dest}/${f.split("/").pop()}`);
