package network

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"ghlsim/backends"
	"ghlsim/internal/quote"
	"ghlsim/internal/runfiles"
	"ghlsim/synapse"
)

// DefaultRecordBytes is the memory a Recorder's rows may hold when
// RecordOptions.MaxBytes is 0 (1 GiB, as SimConfig.MonitorBytes).
const DefaultRecordBytes = 1 << 30

// ChannelTarget is the target name of the neuromodulator channel's
// variables in Recorder.Add.
const ChannelTarget = "channel"

// RecordOptions configures NewRecorder.
type RecordOptions struct {
	// Every is the interval in training steps: steps whose number is a
	// multiple of Every are recorded (0 means 1, every step).
	Every int
	// Steps is the number of steps the run will take from the network's
	// current step, when known (> 0). Add then refuses, up front, columns
	// whose rows would pass MaxBytes (unless Path streams them), and the
	// first recorded step reserves every row, so that recording never
	// allocates. With Steps 0 the rows grow as they come, up to MaxBytes.
	Steps int
	// MaxBytes bounds the memory of the recorded rows: 8 bytes for the
	// step and 4 per column, per row (0 = DefaultRecordBytes).
	MaxBytes int64
	// Path, when set, is the CSV file the rows stream to: when the rows in
	// memory reach MaxBytes, and at Flush, they are written to Path (the
	// first time with the header, replacing an older file) and dropped
	// from memory, so a run of any length keeps bounded memory. Without
	// Path a recorder whose rows reach MaxBytes stops recording and sets
	// Err.
	Path string
}

// Recorder is a training-run monitor (BindsNET's Monitor(obj, state_vars,
// …)): it records named variables at chosen elements every Every steps,
// in memory and, optionally, to a CSV file. Columns are added with Add or
// AddAt; each is a target (a synapse group, a population or the channel),
// a variable and one element:
//
//   - a synapse group (by layer name, e.g. "conv1"): "weight" (W after
//     the step's plasticity), "eligibility" (the normalised Ê as the rule
//     reads it, Trace·TraceScale — |Ĥ| under the paper's setting, signed;
//     the Synapse view's Eligibility), "modulator" (the third factor M
//     delivered this step), "grad" (∂L/∂W of this step's credit phase) and
//     "delta" (Δw, W after the step minus W before its plasticity);
//     elements are synapses, flat indices into W ([K, C, kh, kw] or [out,
//     in], row-major);
//   - a population (by name, e.g. "conv1" for the conv's drive u, "act1"
//     for its activation): "activity" of this step's forward pass; elements
//     are flat indices into its batched activity [B, …], so indices below
//     Features() are sample 0's units;
//   - ChannelTarget, "channel": "loss" (the batch's mean loss, the
//     neuromod.Inputs.Loss the sources read), "correct" (correct
//     predictions in the batch) and "credit" (Inputs.GlobalCredit; 0 unless
//     a source reads it); element 0.
//
// The CSV file has the header "step,NAME[i],…", one column per recorded
// element in the order added, NAME being target.variable and i the flat
// index (e.g. "step,conv1.eligibility[17],channel.loss[0]"), and one row
// per recorded step: the step number, then the values (shortest float32
// text). A row whose step failed after its first half was read (a numeric
// error) has NaN in its end-of-step columns.
//
// On a backend whose tensors live in host memory (cpu) the recorder reads
// only the chosen elements; otherwise each recorded tensor is downloaded,
// once per due step, into a host buffer allocated by Add. After the first
// recorded step (with RecordOptions.Steps set or once the rows have
// reached their bound) a recorded step allocates nothing.
type Recorder struct {
	// Steps[r] is the step of row r in memory and Values[r·len(Columns())
	// + q] the value of column q at it (rows not yet written to Path).
	Steps  []int
	Values []float32
	// Err is the first recording or writing error (a monitor cannot fail a
	// step); Flush returns it too.
	Err error

	net      *Network
	opt      RecordOptions
	cols     []string
	probes   []probe
	srcs     []*recSource
	start    int  // the network's step when the recorder was made
	started  bool // a row has been recorded (no more columns)
	open     bool // the last row waits for its After half
	written  bool // Path has its header
	maxRows  int
	hasAfter bool
	csv      []byte
}

// recPhase says when a column is read: after the broadcast (the signals
// the plasticity phase applies) or at the end of the step.
type recPhase int

const (
	phaseBefore recPhase = iota
	phaseAfter
)

// probe is one recorded column.
type probe struct {
	phase   recPhase
	src     *recSource // nil for channel scalars
	index   int
	scale   func() float32 // eligibility's TraceScale; nil = 1
	delta   bool           // value − value at Before
	prevSrc *recSource     // delta: the tensor at Before
	prev    float32        // delta: the value at Before
	read    func(st StepStats) float64
}

// recSource is one recorded tensor at one phase, fetched once per row.
type recSource struct {
	t     backends.Tensor
	phase recPhase
	host  []float32 // download buffer; nil when the tensor is host memory
	data  []float32 // what this row reads
}

// hostTensor is a tensor whose storage the host reads directly (the cpu
// backend's), so the recorder reads chosen elements without a copy.
type hostTensor interface{ Data() []float32 }

// recordViaHost is false in tests that measure the download path.
var recordViaHost = true

// NewRecorder makes a recorder for the built network n; pass it to
// TrainStep as a monitor.
func NewRecorder(n *Network, opt RecordOptions) (*Recorder, error) {
	if n == nil || !n.built {
		return nil, fmt.Errorf("network: recorder: build the network first (Network.Build), then make its recorder")
	}
	if opt.Every < 0 || opt.Steps < 0 || opt.MaxBytes < 0 {
		return nil, fmt.Errorf("network: recorder: Every %d, Steps %d and MaxBytes %d must be ≥ 0 (0 = every step, unknown length, DefaultRecordBytes)", opt.Every, opt.Steps, opt.MaxBytes)
	}
	if opt.Every == 0 {
		opt.Every = 1
	}
	if opt.MaxBytes == 0 {
		opt.MaxBytes = DefaultRecordBytes
	}
	return &Recorder{net: n, opt: opt, start: n.step}, nil
}

// Population returns the population called name (a layer's name, e.g.
// "conv1" for a conv's drive u, "act1" for its activation, "input"), or
// nil when there is none.
func (n *Network) Population(name string) *Population {
	for _, p := range n.pops {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// recordVars lists the recordable variables by target kind, for errors.
const recordVars = "synapse groups have weight, eligibility, modulator, grad, delta; populations activity; the channel loss, correct, credit"

// Add records variable v of target at the given flat element indices (no
// index: every element of the tensor; a channel variable has element 0
// only). Errors name the unknown target, variable or index and what
// exists; columns must be added before the first recorded step.
func (r *Recorder) Add(target, v string, indices ...int) error {
	if r.started {
		return fmt.Errorf("network: recorder: %s.%s added after recording started; add every column before the first TrainStep with the recorder", target, v)
	}
	t, phase, size, err := r.resolve(target, v)
	if err != nil {
		return err
	}
	if len(indices) == 0 {
		indices = make([]int, size)
		for i := range indices {
			indices[i] = i
		}
	}
	for _, i := range indices {
		if i < 0 || i >= size {
			return fmt.Errorf("network: recorder: %s.%s has %d elements (flat indices 0 to %d); index %d is outside (AddAt takes (post, pre…) coordinates)", target, v, size, size-1, i)
		}
	}
	if err := r.checkBytes(len(r.cols) + len(indices)); err != nil {
		return err
	}
	var src *recSource
	if t != nil {
		src = r.source(t, phase)
	}
	for _, i := range indices {
		p := probe{phase: phase, src: src, index: i}
		r.complete(&p, target, v)
		if p.delta {
			p.prevSrc = r.source(t, phaseBefore)
		}
		r.probes = append(r.probes, p)
		r.cols = append(r.cols, target+"."+v+"["+strconv.Itoa(i)+"]")
		r.hasAfter = r.hasAfter || phase == phaseAfter
	}
	return nil
}

// AddAt is Add at coordinates: each is either (first, rest) — a synapse's
// (post, pre) with pre the flattened fan-in position c·kh·kw + i·kw + j as
// in synapse.Group.Synapse, or a population's (sample, unit) — or one
// number per axis of the tensor, e.g. (post, c, i, j) for a conv weight.
func (r *Recorder) AddAt(target, v string, coords ...[]int) error {
	t, _, _, err := r.resolve(target, v)
	if err != nil {
		return err
	}
	if t == nil {
		return fmt.Errorf("network: recorder: channel variable %s has one element; use Add(%s, %s)", quote.Q(v), quote.Q(target), quote.Q(v))
	}
	shape := t.Shape()
	flat := make([]int, len(coords))
	for q, c := range coords {
		if flat[q], err = flatIndex(shape, c); err != nil {
			return fmt.Errorf("network: recorder: %s.%s %v: %w", target, v, c, err)
		}
	}
	return r.Add(target, v, flat...)
}

// flatIndex is the row-major index of coordinate c in shape: c is (first,
// flat rest) or one number per axis.
func flatIndex(shape backends.Shape, c []int) (int, error) {
	rest := shape.Len() / shape[0]
	switch {
	case len(c) == 2:
		if c[0] < 0 || c[0] >= shape[0] || c[1] < 0 || c[1] >= rest {
			return 0, fmt.Errorf("outside %v: the first number runs to %d and the second (the flattened rest) to %d", shape, shape[0]-1, rest-1)
		}
		return c[0]*rest + c[1], nil
	case len(c) == len(shape):
		i := 0
		for a, x := range c {
			if x < 0 || x >= shape[a] {
				return 0, fmt.Errorf("outside %v: axis %d runs to %d", shape, a, shape[a]-1)
			}
			i = i*shape[a] + x
		}
		return i, nil
	}
	return 0, fmt.Errorf("%d numbers for a %v tensor: give 2 (first, flattened rest) or %d (one per axis)", len(c), shape, len(shape))
}

// resolve finds the tensor (nil for channel scalars), the phase and the
// element count of target.v.
func (r *Recorder) resolve(target, v string) (backends.Tensor, recPhase, int, error) {
	n := r.net
	switch v {
	case "weight", "eligibility", "modulator", "grad", "delta":
		var g *synapse.Group
		names := make([]string, len(n.Groups))
		for i, c := range n.Groups {
			names[i] = c.Name
			if c.Name == target {
				g = c
			}
		}
		if g == nil {
			return nil, 0, 0, fmt.Errorf("network: recorder: %s is not a synapse group of this network, so it has no %s (its groups: %s)", quote.Q(target), v, strings.Join(names, ", "))
		}
		var t backends.Tensor
		phase := phaseBefore
		switch v {
		case "weight", "delta":
			t, phase = g.Weight.Value, phaseAfter
		case "eligibility":
			t = g.Trace
		case "modulator":
			t = g.Modulator
		case "grad":
			t = g.Weight.Grad
		}
		if t == nil {
			return nil, 0, 0, fmt.Errorf("network: recorder: group %s learns by %s, which keeps no %s (it has weight, grad and delta; %s needs a rule such as ghl)", target, g.Rule.Name(), v, v)
		}
		return t, phase, t.Shape().Len(), nil
	case "activity":
		if p := n.Population(target); p != nil {
			return p.Act, phaseBefore, p.Shape.Len(), nil
		}
		names := make([]string, len(n.pops))
		for i, p := range n.pops {
			names[i] = p.Name
		}
		return nil, 0, 0, fmt.Errorf("network: recorder: %s is not a population of this network (its populations: %s)", quote.Q(target), strings.Join(names, ", "))
	case "loss", "correct", "credit":
		if target != ChannelTarget {
			return nil, 0, 0, fmt.Errorf("network: recorder: %s is a variable of the modulator channel; record it as Add(%s, %s)", quote.Q(v), quote.Q(ChannelTarget), quote.Q(v))
		}
		if v == "credit" {
			return nil, phaseBefore, 1, nil
		}
		return nil, phaseAfter, 1, nil
	}
	return nil, 0, 0, fmt.Errorf("network: recorder: no variable %s (%s)", quote.Q(v), recordVars)
}

// complete fills a probe's reader: eligibility scale, Δw, channel scalar.
func (r *Recorder) complete(p *probe, target, v string) {
	n := r.net
	switch v {
	case "eligibility":
		for _, g := range n.Groups {
			if g.Name == target {
				p.scale = func() float32 { return g.TraceScale }
				break
			}
		}
	case "delta":
		p.delta = true
	case "loss":
		p.read = func(st StepStats) float64 { return st.Loss }
	case "correct":
		p.read = func(st StepStats) float64 { return float64(st.Correct) }
	case "credit":
		p.read = func(StepStats) float64 { return n.Channel.GlobalCredit() }
	}
}

// source returns the shared fetch of tensor t at phase, making it (and
// its download buffer) once.
func (r *Recorder) source(t backends.Tensor, phase recPhase) *recSource {
	for _, s := range r.srcs {
		if s.t == t && s.phase == phase {
			return s
		}
	}
	s := &recSource{t: t, phase: phase}
	if _, ok := t.(hostTensor); !ok || !recordViaHost {
		s.host = make([]float32, t.Shape().Len())
	}
	r.srcs = append(r.srcs, s)
	return s
}

// rowBytes is the memory of one row of cols columns.
func rowBytes(cols int) int64 { return 8 + 4*int64(cols) }

// checkBytes refuses cols columns whose rows cannot fit MaxBytes: one row
// ever, or, with Steps known and no Path, all the run's rows.
func (r *Recorder) checkBytes(cols int) error {
	per := rowBytes(cols)
	if per > r.opt.MaxBytes {
		return fmt.Errorf("network: recorder: one row of %d columns needs %d bytes, over MaxBytes = %d; record fewer elements or raise MaxBytes", cols, per, r.opt.MaxBytes)
	}
	if r.opt.Steps > 0 && r.opt.Path == "" {
		if need := int64(r.rows()) * per; need > r.opt.MaxBytes {
			return fmt.Errorf("network: recorder: %d rows (%d steps every %d) of %d columns need %d bytes, over MaxBytes = %d; record fewer elements, a longer Every, set Path to stream the rows to a CSV file, or raise MaxBytes", r.rows(), r.opt.Steps, r.opt.Every, cols, need, r.opt.MaxBytes)
		}
	}
	return nil
}

// rows is the number of recorded steps in [start, start+Steps).
func (r *Recorder) rows() int {
	e := r.opt.Every
	first := (r.start + e - 1) / e
	last := (r.start + r.opt.Steps - 1) / e
	return last - first + 1
}

// Columns names the recorded columns, "target.variable[index]", in order.
func (r *Recorder) Columns() []string { return r.cols }

// Column is the position of the column called name, or −1.
func (r *Recorder) Column(name string) int {
	for q, c := range r.cols {
		if c == name {
			return q
		}
	}
	return -1
}

// Trace returns column q's values, one per row in memory.
func (r *Recorder) Trace(q int) []float32 {
	out := make([]float32, len(r.Steps))
	for k := range out {
		out[k] = r.Values[k*len(r.cols)+q]
	}
	return out
}

// Due reports whether step is recorded.
func (r *Recorder) Due(step int) bool { return step%r.opt.Every == 0 && len(r.cols) > 0 }

// Before starts the step's row and reads the columns of the signals the
// plasticity phase is about to apply.
func (r *Recorder) Before(n *Network, step int) {
	if n != r.net {
		r.fail(fmt.Errorf("network: recorder made for another network was given to TrainStep at step %d", step))
		return
	}
	if !r.started {
		r.reserve()
	}
	r.open = false // a step that failed before its After keeps NaN there
	nc := len(r.cols)
	if len(r.Steps) >= r.maxRows {
		if r.opt.Path == "" {
			r.fail(fmt.Errorf("network: recorder: its rows reached MaxBytes = %d at step %d and recording stopped; record fewer elements, a longer Every, set Path to stream the rows to a CSV file, or raise MaxBytes", r.opt.MaxBytes, step))
			return
		}
		if err := r.Flush(); err != nil {
			return
		}
	}
	if len(r.Steps) == cap(r.Steps) {
		r.grow()
	}
	r.Steps = append(r.Steps, step)
	start := len(r.Values)
	r.Values = r.Values[:start+nc]
	r.fetch(phaseBefore)
	row := r.Values[start:]
	for q := range r.probes {
		p := &r.probes[q]
		switch {
		case p.delta:
			p.prev = p.prevSrc.data[p.index]
			row[q] = float32(math.NaN())
		case p.phase == phaseAfter:
			row[q] = float32(math.NaN())
		case p.read != nil:
			row[q] = float32(p.read(StepStats{Step: step}))
		default:
			v := p.src.data[p.index]
			if p.scale != nil {
				v *= p.scale()
			}
			row[q] = v
		}
	}
	r.open = r.hasAfter
}

// After reads the end-of-step columns (weights, Δw, loss, correct).
func (r *Recorder) After(n *Network, st StepStats) {
	if n != r.net || !r.open {
		return
	}
	r.open = false
	r.fetch(phaseAfter)
	row := r.Values[len(r.Values)-len(r.cols):]
	for q := range r.probes {
		p := &r.probes[q]
		if p.phase != phaseAfter {
			continue
		}
		switch {
		case p.read != nil:
			row[q] = float32(p.read(st))
		case p.delta:
			row[q] = p.src.data[p.index] - p.prev
		default:
			row[q] = p.src.data[p.index]
		}
	}
}

// fetch points every source of phase at this row's data.
func (r *Recorder) fetch(phase recPhase) {
	for _, s := range r.srcs {
		if s.phase != phase {
			continue
		}
		if s.host == nil {
			s.data = s.t.(hostTensor).Data()
			continue
		}
		r.net.B.Download(s.host, s.t)
		s.data = s.host
	}
}

// reserve fixes the row bound and reserves the rows at the first recorded
// step.
func (r *Recorder) reserve() {
	r.started = true
	nc := len(r.cols)
	r.maxRows = int(r.opt.MaxBytes / rowBytes(nc))
	want := r.maxRows
	if r.opt.Steps > 0 {
		want = min(want, r.rows())
	} else {
		want = min(want, 64)
	}
	r.Steps = make([]int, 0, want)
	r.Values = make([]float32, 0, want*nc)
}

// grow doubles the row capacity, up to the bound (RecordOptions.Steps 0).
func (r *Recorder) grow() {
	nc := len(r.cols)
	want := min(max(2*cap(r.Steps), 1), r.maxRows)
	steps := make([]int, len(r.Steps), want)
	copy(steps, r.Steps)
	vals := make([]float32, len(r.Values), want*nc)
	copy(vals, r.Values)
	r.Steps, r.Values = steps, vals
}

// fail keeps the first error.
func (r *Recorder) fail(err error) {
	if r.Err == nil {
		r.Err = err
	}
}

// Flush writes the rows in memory to Path (the first time with the
// header, replacing an older file) and drops them, and returns Err; without
// Path it only returns Err. Call it once the run is over.
func (r *Recorder) Flush() error {
	if r.opt.Path == "" || r.Err != nil {
		return r.Err
	}
	rows := len(r.Steps)
	r.csv = r.csv[:0]
	if !r.written {
		r.csv = r.appendHeader(r.csv)
	}
	r.csv = r.appendRows(r.csv, rows)
	var err error
	if !r.written {
		err = runfiles.WriteFileAtomic(r.opt.Path, r.csv)
	} else {
		err = appendSynced(r.opt.Path, "", r.csv)
	}
	if err != nil {
		r.fail(fmt.Errorf("network: recorder: writing %s: %w", r.opt.Path, err))
		return r.Err
	}
	r.written = true
	nc := len(r.cols)
	m := copy(r.Steps, r.Steps[rows:])
	r.Steps = r.Steps[:m]
	m = copy(r.Values, r.Values[rows*nc:])
	r.Values = r.Values[:m]
	return nil
}

// WriteCSV writes the rows in memory to path atomically, with the header
// (the format of the type's documentation).
func (r *Recorder) WriteCSV(path string) error {
	b := r.appendRows(r.appendHeader(nil), len(r.Steps))
	if err := runfiles.WriteFileAtomic(path, b); err != nil {
		return fmt.Errorf("network: recorder: writing %s: %w", path, err)
	}
	return nil
}

func (r *Recorder) appendHeader(b []byte) []byte {
	b = append(b, "step"...)
	for _, c := range r.cols {
		b = append(append(b, ','), c...)
	}
	return append(b, '\n')
}

func (r *Recorder) appendRows(b []byte, rows int) []byte {
	nc := len(r.cols)
	for k := 0; k < rows; k++ {
		b = strconv.AppendInt(b, int64(r.Steps[k]), 10)
		for _, v := range r.Values[k*nc : (k+1)*nc] {
			b = strconv.AppendFloat(append(b, ','), float64(v), 'g', -1, 32)
		}
		b = append(b, '\n')
	}
	return b
}
