// Part of `npm run build`: the files the compiled broker serves as they are (src/http/static) go next to its
// JavaScript, in dist/ or in the output folder given as the first argument.
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

const target = join(process.argv[2] ?? "dist", "http", "static");
rmSync(target, { recursive: true, force: true });
cpSync("src/http/static", target, { recursive: true });
