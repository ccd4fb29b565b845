// Part of `npm run build`: the files the compiled broker serves as they are (src/http/static) go next to its JavaScript.
import { cpSync, rmSync } from "node:fs";

rmSync("dist/http/static", { recursive: true, force: true });
cpSync("src/http/static", "dist/http/static", { recursive: true });
