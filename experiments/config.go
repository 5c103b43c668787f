package experiments

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"strings"

	"ghlsim/internal/quote"
	"ghlsim/network"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// TrainConfig is everything one training run depends on. The rule-dependent
// fields (learning rates, hidden weight decay, momentum: pointers, so that
// 0 is a value) take the rule's defaults when nil, and other zero fields
// noted below likewise (RuleDefaults); config.json records the effective
// values.
type TrainConfig struct {
	// Dataset is mnist, fashion-mnist, cifar10, cifar100, imagefolder or synthetic.
	Dataset string `json:"dataset"`
	// Data is the dataset location ("" = the default for the dataset: the
	// GoMNIST module for mnist, /usr/share/datasets/fashion-mnist, …).
	Data string `json:"data"`
	// Arch is the architecture (deephebb, …).
	Arch string `json:"arch"`
	// Width multiplies every hidden layer's channel count (1 = the paper).
	Width float64 `json:"width"`
	// Rule is the hidden layers' plasticity rule (ghl, bp, sign, hebb, softhebb).
	Rule string `json:"rule"`
	// Modulator is the third-factor source spec (default grad-sign, the paper).
	Modulator string `json:"modulator"`
	// TraceDecay is the eligibility-trace decay γ in [0, 1) (0 = the paper).
	TraceDecay float64 `json:"trace_decay"`
	// StepMS is the simulated duration of one training step (a
	// presentation) in ms, so the modulator spec may give delays in ms
	// (delay:200ms); 0 = delays in steps only.
	StepMS float64 `json:"step_ms,omitempty"`
	// Dropout is the rate of the dropout before the classifier (deephebb,
	// fasthebb) in [0, 1); absent (nil) = the architecture's default 0.5.
	Dropout *float64 `json:"dropout,omitempty"`

	// Epochs of supervised training (the readout phase for softhebb).
	Epochs int `json:"epochs"`
	// Batch is the training batch size.
	Batch int `json:"batch"`
	// HiddenLR is η of the hidden layers at step 0 (ALGORITHM.md §3); nil =
	// the rule's default.
	HiddenLR *float64 `json:"hidden_lr,omitempty"`
	// HiddenWD is λ of the hidden layers (coupled L2); nil = the rule's default.
	HiddenWD *float64 `json:"hidden_wd,omitempty"`
	// ReadoutLR is the classifier's (and BN affine) learning rate at step 0;
	// nil = the rule's default.
	ReadoutLR *float64 `json:"readout_lr,omitempty"`
	// ReadoutWD is the classifier's weight decay (0 in the paper).
	ReadoutWD float64 `json:"readout_wd"`
	// Optimizer trains gradient-trained tensors: "sgd" or "adam".
	Optimizer string `json:"optimizer"`
	// Momentum of SGD; nil = the rule's default (0, plain SGD as in the
	// paper's GHL runs; 0.9 for bp and the FastHebb readouts).
	Momentum *float64 `json:"momentum,omitempty"`
	// Schedule is "cosine" (annealed to 0, stepped per iteration, the paper),
	// "constant", or "steps" (halved at 20/35/50/60/70/80/90 % — SoftHebb's readout).
	Schedule string `json:"schedule"`

	// HebbianEpochs is the length of the unsupervised phase (softhebb), and
	// HebbianBatch / HebbianLRs its batch and per-layer learning rates.
	HebbianEpochs int       `json:"hebbian_epochs,omitempty"`
	HebbianBatch  int       `json:"hebbian_batch,omitempty"`
	HebbianLRs    []float64 `json:"hebbian_lrs,omitempty"`

	// ValFraction of the training set is held out (stratified) for model selection.
	ValFraction float64 `json:"val_fraction"`
	// TrainLimit and TestLimit cap the number of samples used (0 = all),
	// class-balanced, for budgets.
	TrainLimit int `json:"train_limit"`
	TestLimit  int `json:"test_limit"`
	// Augment enables random crop (4-pixel padding) and horizontal flip.
	Augment bool `json:"augment"`
	// DropLast drops the last, partial batch of every epoch. False (the
	// default) keeps it, as the official GHL code does (a PyTorch
	// DataLoader's default), so an epoch sees every training image and the
	// cosine schedule's T_max is epochs × ⌈N/batch⌉. Run records written
	// before this field existed dropped it (ParseRunConfig).
	DropLast bool `json:"drop_last"`
	// MaxImagePixels is the largest image (width × height) an image folder
	// may hold, checked before decoding; 0 = datasets.DefaultMaxImagePixels
	// (4096 × 4096).
	MaxImagePixels int64 `json:"max_image_pixels,omitempty"`

	// Seed names every random stream of the run.
	Seed uint64 `json:"seed"`
	// Backend is the compute backend ("cpu", "torch:cuda:0", …).
	Backend string `json:"backend"`
	// Threads is the backend's thread count (0 = all cores, at most MaxThreads).
	Threads int `json:"threads"`
	// CheckpointEvery writes a checkpoint every this many steps (0 = at epoch ends only).
	CheckpointEvery int `json:"checkpoint_every"`
	// TelemetryStride records polarity telemetry every this many steps (0 = off).
	TelemetryStride int `json:"telemetry_stride"`
}

// MaxThreads is the largest backend thread count a run accepts: beyond it a
// typo (--threads 100000) would start that many worker goroutines.
const MaxThreads = 1024

// CheckThreads checks a thread count against 0 (all cores) … MaxThreads.
func CheckThreads(n int) error {
	if n < 0 || n > MaxThreads {
		return fmt.Errorf("%d is out of range: use 0 (all cores) to %d", n, MaxThreads)
	}
	return nil
}

// Defaults is the default run: the README's main job (MNIST, DeepHebb at
// width 0.25, GHL with the paper's learning rates, 1 epoch).
func Defaults() TrainConfig {
	return TrainConfig{
		Dataset: "mnist", Arch: "deephebb", Width: 0.25, Rule: "ghl", Modulator: "grad-sign",
		Epochs: 1, Batch: 64, ValFraction: 0.1, Seed: 1, Backend: "cpu", Schedule: "cosine",
	}
}

// Float returns a pointer to v, for TrainConfig's optional fields.
func Float(v float64) *float64 { return &v }

// val is *p, or 0 for nil.
func val(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// RuleDefaults fills learning rates, weight decay and momentum that are
// unset (nil), and optimiser, schedule and Hebbian settings that are zero,
// with the defaults the rule declares in its synapse registry entry
// (synapse.RuleInfo.Defaults; an explicit 0 stays 0). The schedule
// "cosine", which Defaults writes, counts as unset too, so a rule whose
// default is another (softhebb: "steps") keeps it. Today's values:
//
//	ghl, sign, hebb, rstdp  hidden lr 1e-2, wd 5e-2, readout lr 5e-3, plain SGD, cosine (the paper's DeepHebb settings)
//	bp                      lr 1e-2 for all layers, SGD momentum 0.9, wd 5e-4, cosine (standard backprop)
//	softhebb                1 unsupervised epoch at batch 10 with per-layer lr 0.08/0.005/0.01,
//	                        then the readout by Adam lr 1e-3, halved at 20/35/…/90 %
//	swta-fh, hpca-fh        20 unsupervised epochs at batch 64 with lr 0.01, then the readout by
//	                        SGD lr 1e-2, momentum 0.9, cosine (FastHebb's protocol, ALGORITHM.md §4)
//
// A rule the registry does not know (Validate then refuses it), or one
// registered without defaults (synapse.Register), takes ghl's.
func (c *TrainConfig) RuleDefaults() {
	d := ruleDefaults(c.Rule)
	set := func(p **float64, v float64) {
		if *p == nil {
			*p = &v
		}
	}
	set(&c.HiddenLR, d.HiddenLR)
	set(&c.HiddenWD, d.HiddenWD)
	set(&c.ReadoutLR, d.ReadoutLR)
	set(&c.Momentum, d.Momentum)
	if c.HebbianEpochs == 0 {
		c.HebbianEpochs = d.HebbianEpochs
	}
	if c.HebbianBatch == 0 {
		c.HebbianBatch = d.HebbianBatch
	}
	if len(c.HebbianLRs) == 0 && len(d.HebbianLRs) > 0 {
		c.HebbianLRs = d.HebbianLRs // a copy: ruleDefaults returns the registry's clone
	}
	if c.Optimizer == "" {
		c.Optimizer = d.Optimizer
	}
	if c.Schedule == "" || c.Schedule == "cosine" {
		c.Schedule = d.Schedule
	}
	if c.Modulator == "" {
		c.Modulator = "grad-sign"
	}
}

// ruleDefaults is the named rule's declared defaults, or ghl's for a rule
// the registry does not know.
func ruleDefaults(rule string) synapse.RuleDefaults {
	if r, ok := synapse.LookupRule(rule); ok && r.Defaults.Optimizer != "" {
		return r.Defaults
	}
	return synapse.GHL().Defaults
}

// Validate checks every field and names the fix for a bad one.
func (c TrainConfig) Validate() error {
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	if c.Dataset == "" {
		bad("dataset is empty: use mnist, fashion-mnist, cifar10, cifar100, imagefolder or synthetic")
	}
	if !contains(network.ArchNames(), c.Arch) {
		bad("arch %s is unknown: use one of %s", quote.Q(c.Arch), strings.Join(network.ArchNames(), ", "))
	}
	if !(c.Width > 0) || !finite(c.Width) {
		bad("width %g must be a positive number", c.Width)
	}
	if !contains(synapse.RuleNames(), c.Rule) {
		bad("rule %s is unknown: use one of %s", quote.Q(c.Rule), strings.Join(synapse.RuleNames(), ", "))
	}
	if c.StepMS < 0 || !finite(c.StepMS) {
		bad("step_ms %g must be a finite duration ≥ 0", c.StepMS)
	} else if _, err := neuromod.InSteps(c.Modulator, c.StepMS); err != nil {
		bad("modulator: %v", err)
	}
	if c.TraceDecay < 0 || c.TraceDecay >= 1 {
		bad("trace_decay %g must be in [0, 1)", c.TraceDecay)
	}
	if c.Dropout != nil && !(*c.Dropout >= 0 && *c.Dropout < 1) {
		bad("dropout %g must be in [0, 1)", *c.Dropout)
	}
	if c.Epochs < 1 {
		bad("epochs %d must be at least 1", c.Epochs)
	}
	if c.Batch < 1 {
		bad("batch %d must be at least 1", c.Batch)
	}
	for name, v := range map[string]float64{"hidden_lr": val(c.HiddenLR), "hidden_wd": val(c.HiddenWD), "readout_lr": val(c.ReadoutLR), "readout_wd": c.ReadoutWD, "momentum": val(c.Momentum)} {
		if v < 0 || !finite(v) {
			bad("%s %g must be a non-negative number", name, v)
		}
	}
	if val(c.Momentum) >= 1 {
		bad("momentum %g must be below 1", val(c.Momentum))
	}
	if c.Optimizer != "sgd" && c.Optimizer != "adam" {
		bad("optimizer %s is unknown: use sgd or adam", quote.Q(c.Optimizer))
	}
	if c.Schedule != "cosine" && c.Schedule != "constant" && c.Schedule != "steps" {
		bad("schedule %s is unknown: use cosine, constant or steps", quote.Q(c.Schedule))
	}
	if Unsupervised(c.Rule) {
		if c.HebbianEpochs < 1 || c.HebbianBatch < 1 {
			bad("%s needs hebbian_epochs ≥ 1 and hebbian_batch ≥ 1", c.Rule)
		}
		for _, v := range c.HebbianLRs {
			if v < 0 || !finite(v) {
				bad("hebbian_lrs %v must be non-negative numbers", c.HebbianLRs)
				break
			}
		}
	}
	if c.ValFraction < 0 || c.ValFraction >= 1 {
		bad("val_fraction %g must be in [0, 1)", c.ValFraction)
	}
	if c.TrainLimit < 0 || c.TestLimit < 0 {
		bad("train_limit and test_limit must be ≥ 0 (0 = all)")
	}
	if err := CheckThreads(c.Threads); err != nil {
		bad("threads %v", err)
	}
	if c.CheckpointEvery < 0 || c.TelemetryStride < 0 {
		bad("checkpoint_every and telemetry_stride must be ≥ 0")
	}
	if c.Backend == "" {
		bad("backend is empty: use cpu")
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid config: %s", strings.Join(errs, "; "))
	}
	return nil
}

// ParseConfig decodes a JSON config over the defaults. It rejects unknown
// fields, field names in the wrong case ("Rule" for "rule") and keys given
// twice — each would otherwise be silently ignored or overridden — and an
// empty input; a leading UTF-8 byte-order mark is skipped.
func ParseConfig(data []byte, base TrainConfig) (TrainConfig, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return base, errEmptyConfig
	}
	if err := checkConfigKeys(data); err != nil {
		return base, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	c := base
	if err := dec.Decode(&c); err != nil {
		// encoding/json's messages quote the offending key, which may be
		// anything up to the whole file: cut it.
		return c, fmt.Errorf("config: %s (field names are listed in the README's config section)", quote.S(err.Error()))
	}
	if dec.More() {
		return c, fmt.Errorf("config: trailing data after the JSON object")
	}
	return c, nil
}

// ParseRunConfig reads the "config" of a run's config.json: ParseConfig
// from zero values, except that a record without "drop_last" (written
// before the field existed, when every run dropped the last partial batch)
// keeps dropping it, so that such a run resumes as it started.
func ParseRunConfig(data []byte) (TrainConfig, error) {
	c, err := ParseConfig(data, TrainConfig{})
	if err != nil {
		return c, err
	}
	legacyDropLast(data, &c)
	return c, nil
}

// legacyDropLast sets c.DropLast when the record data has no "drop_last".
func legacyDropLast(data []byte, c *TrainConfig) {
	var keys map[string]json.RawMessage
	if json.Unmarshal(bytes.TrimPrefix(data, utf8BOM), &keys) == nil {
		if _, ok := keys["drop_last"]; !ok {
			c.DropLast = true
		}
	}
}

// utf8BOM is the byte-order mark some editors put at the start of a file.
var utf8BOM = []byte("\xef\xbb\xbf")

var errEmptyConfig = errors.New("config is empty: write a JSON object such as {\"rule\": \"ghl\"}")

// configKeys maps each TrainConfig JSON field name to itself, and its
// lower-case form to the exact name (to catch wrong-case keys, which
// encoding/json would accept).
var configKeys = func() map[string]string {
	m := map[string]string{}
	t := reflect.TypeOf(TrainConfig{})
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			m[strings.ToLower(name)] = name
		}
	}
	return m
}()

// checkConfigKeys walks the top-level object's keys: each must be a
// TrainConfig field written exactly as in config.json, and appear once.
func checkConfigKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("config: %s", quote.S(err.Error()))
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("config: want a JSON object {\"field\": value, …}, got %s", quote.S(fmt.Sprint(tok)))
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("config: %s", quote.S(err.Error()))
		}
		key, _ := tok.(string)
		exact, known := configKeys[strings.ToLower(key)]
		switch {
		case !known:
			return fmt.Errorf("config: unknown field %s (field names are listed in the README's config section)", quote.Q(key))
		case exact != key:
			return fmt.Errorf("config: field %s must be written %q (field names are case-sensitive)", quote.Q(key), exact)
		case seen[key]:
			return fmt.Errorf("config: field %q is given twice (the second would silently override the first)", key)
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return fmt.Errorf("config: field %q: %s", key, quote.S(err.Error()))
		}
	}
	return nil
}

// LoadConfig reads a JSON config file over the defaults.
func LoadConfig(path string, base TrainConfig) (TrainConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return base, fmt.Errorf("config: %w", err)
	}
	c, err := ParseConfig(b, base)
	if errors.Is(err, errEmptyConfig) {
		return base, fmt.Errorf("config file %s is empty: write a JSON object such as {\"rule\": \"ghl\"}", path)
	}
	if err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Unsupervised reports whether a rule's hidden layers learn in an
// unsupervised phase followed by a readout on frozen features (softhebb,
// swta-fh, hpca-fh) rather than alongside the classifier: what the rule
// declares (synapse.RuleInfo.Unsupervised).
func Unsupervised(rule string) bool {
	r, ok := synapse.LookupRule(rule)
	return ok && r.Unsupervised
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
