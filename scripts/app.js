// cdktf's app command (cdktf.json): main.ts bundled by scripts/bundle-entry.js into .build/app.js and run.
require("./bundle-entry").load("main.ts", "app.js");
