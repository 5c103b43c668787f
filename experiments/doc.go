// Package experiments turns configs into runs: Train runs one training job
// (one cell) into a run directory — config.json, metrics.jsonl, a checkpoint
// and the final weights, each written atomically or append-only so a crash
// loses nothing already written — and named, versioned experiment specs
// (the paper's tables, polarity ablations) expand into cells run the same way.
package experiments
