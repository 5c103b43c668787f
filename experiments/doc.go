// Package experiments turns configs into runs: Train runs one training job
// (one cell) into a run directory — config.json, metrics.jsonl, a checkpoint
// and the final weights, each written atomically or append-only so a crash
// loses nothing already written — and named, versioned experiment specs
// (the paper's tables, polarity ablations) expand into cells run the same way.
//
// Underneath Train is the in-memory Trainer (NewTrainer), which a script
// uses with a network of its own: epochs of shuffled batches, the learning
// rate schedule, end-of-epoch validation and test scores, OnStep and OnEpoch
// callbacks, early stopping and context cancellation, and no file written.
package experiments
