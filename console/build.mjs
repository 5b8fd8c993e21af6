// Placeholder: the console build (esbuild) lands with the console issue.
