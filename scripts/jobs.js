// The jobs' entry as make runs it (`node scripts/jobs.js <job> [options]`): jobs/main.ts bundled by
// scripts/bundle-entry.js into .build/jobs.js, then its main. `node --import tsx jobs/main.ts` does the same, slower.
require("./bundle-entry").load("jobs/main.ts", "jobs.js").main(process.argv.slice(2));
