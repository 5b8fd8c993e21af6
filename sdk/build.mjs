// Placeholder: the SDK build (esbuild) lands with the SDK issue.
