package runfiles

import "encoding/json"

// RunInfo is config.json: everything needed to reproduce a run.
type RunInfo struct {
	Tool        string          `json:"tool"`                // "ghlsim"
	Command     string          `json:"command"`             // e.g. "ghl train --rule ghl ..."
	Created     string          `json:"created"`             // RFC 3339 time the run started
	Seed        uint64          `json:"seed"`                // run seed; every random stream derives from it
	Backend     string          `json:"backend"`             // registry name, e.g. "cpu"
	Device      string          `json:"device"`              // hardware in words
	GoVersion   string          `json:"go_version"`          // runtime.Version()
	GitRevision string          `json:"git_revision"`        // commit of the ghlsim source, "+dirty" when modified, "unknown" when not found
	Rule        string          `json:"rule"`                // plasticity rule of the hidden layers, e.g. "ghl"
	Dataset     string          `json:"dataset"`             // e.g. "mnist"
	Arch        string          `json:"arch"`                // e.g. "deephebb"
	Label       string          `json:"label,omitempty"`     // legend label for figures (defaults to Rule)
	Config      json.RawMessage `json:"config"`              // the full effective training config
	Init        *InitFile       `json:"init,omitempty"`      // the weights file the run started from (ghl train --init)
	NoReport    bool            `json:"no_report,omitempty"` // ghl train --no-report: a resume writes no report either
}

// InitFile records the weights file a run was initialised from, so that a
// resume before the first checkpoint starts from the same weights.
type InitFile struct {
	Path   string `json:"path"`   // absolute path
	SHA256 string `json:"sha256"` // hex digest of the file's bytes
}

// Epoch is one line of metrics.jsonl. Accuracies are fractions in [0, 1];
// a negative value means "not measured" (e.g. no validation split).
type Epoch struct {
	Epoch      int     `json:"epoch"`           // 1-based
	Phase      string  `json:"phase,omitempty"` // "" for supervised training, "hebbian" for an unsupervised phase, "readout" for a frozen-feature classifier
	Step       int     `json:"step"`            // optimisation steps done so far
	Loss       float64 `json:"loss"`            // training loss, running mean over the epoch's steps (train mode, the weights changing under it; early steps can dominate it)
	ValLoss    float64 `json:"val_loss"`        // mean cross-entropy of the end-of-epoch model on the validation split (eval mode); −1 without one
	TestLoss   float64 `json:"test_loss"`       // the same on the test split; −1 without one
	TrainAcc   float64 `json:"train_acc"`       // training accuracy over the epoch (running, train mode)
	ValAcc     float64 `json:"val_acc"`         // held-out validation accuracy (eval mode)
	TestAcc    float64 `json:"test_acc"`        // test accuracy (eval mode)
	Seconds    float64 `json:"seconds"`         // wall time of the epoch's training steps
	ImagesPerS float64 `json:"images_per_s"`    // training throughput
	LR         float64 `json:"lr"`              // hidden-layer learning rate at the end of the epoch
}

// Telemetry is one line of telemetry.jsonl: polarity statistics of one
// synapse group at one step. Shares are fractions of the group's synapses.
type Telemetry struct {
	Step              int     `json:"step"`
	Layer             string  `json:"layer"`               // synapse group name, e.g. "conv1"
	Potentiated       float64 `json:"potentiated"`         // share with Δw > 0
	Depressed         float64 `json:"depressed"`           // share with Δw < 0
	Unchanged         float64 `json:"unchanged"`           // share with Δw = 0
	SignAgreement     float64 `json:"sign_agreement"`      // share where the applied modulator equals sign(∂L/∂W)
	HebbGradAgreement float64 `json:"hebb_grad_agreement"` // share where sign(H) equals sign(−∂L/∂W)
	WeightNorm        float64 `json:"weight_norm"`         // Frobenius norm of W
	WinnerEntropy     float64 `json:"winner_entropy"`      // mean soft-WTA entropy per position, nats
}

// Bench is one line of bench.jsonl: one timed configuration.
type Bench struct {
	Config     string  `json:"config"` // e.g. "deephebb w1.00 b64 ghl"
	Impl       string  `json:"impl"`   // "ghlsim/cpu", "pytorch", "ghlsim/torch:cpu"
	Repeats    int     `json:"repeats"`
	MedianS    float64 `json:"median_s"` // seconds per step
	MinS       float64 `json:"min_s"`
	MaxS       float64 `json:"max_s"`
	ImagesPerS float64 `json:"images_per_s"`
	GFLOPs     float64 `json:"gflops"`   // achieved GFLOP/s, direct-convolution-equivalent count
	PeakPct    float64 `json:"peak_pct"` // GFLOPs as a percent of the probed FMA peak
	// ExecGFLOPs counts the arithmetic actually executed (below GFLOPs where
	// a fast convolution algorithm such as Winograd does less work than the
	// direct product; equal otherwise), ExecPeakPct as a percent of the peak.
	ExecGFLOPs  float64 `json:"exec_gflops,omitempty"`
	ExecPeakPct float64 `json:"exec_peak_pct,omitempty"`
	RSSMB       float64 `json:"rss_mb"` // peak resident memory
	// Device is the ghlsim backend's description (threads, CPU features,
	// convolution algorithm), empty for PyTorch rows.
	Device string `json:"device,omitempty"`
	// ISA is the instruction set the implementation's kernels used: the
	// ghlsim cpu backend's GEMM path (avx512, avx2, generic), or what
	// PyTorch reported for its ATen kernels and oneDNN (e.g. "ATen AVX2,
	// oneDNN AVX-512 …"); empty where unknown (a ghlsim torch backend).
	ISA string `json:"isa,omitempty"`
}

// Table is table.json: an experiment's summary, laid out like the paper's table.
type Table struct {
	Experiment string `json:"experiment"` // e.g. "table1"
	Version    int    `json:"version"`
	Budget     string `json:"budget"` // smoke, cpu or full
	Title      string `json:"title"`
	Metric     string `json:"metric"` // e.g. "test accuracy (%)"
	Rows       []Row  `json:"rows"`
	// Seeds lists, for simulated-time experiments (distal-reward), every
	// finished cell × seed with its full result.
	Seeds []SimResult `json:"seeds,omitzero"`
}

// Row is one line of a Table: a setting (e.g. architecture or parameter value)
// and its cells across columns (e.g. rules).
type Row struct {
	Name  string  `json:"name"`            // e.g. "DeepHebb" or "p=0.1"
	Param string  `json:"param,omitempty"` // swept parameter name, e.g. "flip", when numeric
	Value float64 `json:"value,omitempty"` // swept parameter value
	Cells []Cell  `json:"cells"`
}

// Cell is one table entry: our mean ± std over seeds, and the paper's number.
type Cell struct {
	Column string    `json:"column"`          // e.g. "GHL"
	Rule   string    `json:"rule,omitempty"`  // rule name, used for colours
	Mean   float64   `json:"mean"`            // percent
	Std    float64   `json:"std"`             // percent, sample std over seeds
	N      int       `json:"n"`               // seeds finished
	Values []float64 `json:"values"`          // per seed, percent
	Paper  *float64  `json:"paper,omitempty"` // the paper's number, percent, if it has one
	Cells  []string  `json:"cells,omitempty"` // cell directories (relative to the run) that produced it
}
