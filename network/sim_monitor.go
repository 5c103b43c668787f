package network

import (
	"bytes"
	"fmt"
	"os"
	"strconv"

	"ghlsim/internal/runfiles"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// SpikeMonitor records the spikes of a population as (index, step) pairs, in
// step order and, within a step, ascending index (Brian2's SpikeMonitor).
type SpikeMonitor struct {
	Pop Neurons
	// Index and Step are the recorded spikes: neuron Index[q] at Step[q].
	Index []int32
	Step  []int64
	// Trial is each spike's trial when the simulation runs several (the
	// dense engine); nil otherwise.
	Trial []int32
	dt    float64
	keep  []bool // nil = every neuron
	sim   *Sim
}

// MonitorSpikes records the spikes of pop (of the given neurons only, when
// indices are given).
func (s *Sim) MonitorSpikes(pop Neurons, indices ...int) (*SpikeMonitor, error) {
	if pop == nil || pop.base().sim != s {
		return nil, fmt.Errorf("network: spike monitor: the population does not belong to this simulation")
	}
	m := &SpikeMonitor{Pop: pop, dt: s.cfg.DT, sim: s}
	if len(indices) > 0 {
		m.keep = make([]bool, pop.Size())
		for _, i := range indices {
			if i < 0 || i >= pop.Size() {
				return nil, fmt.Errorf("network: spike monitor on %s: index %d outside its %d neurons", pop.Name(), i, pop.Size())
			}
			m.keep[i] = true
		}
	}
	s.spikeMon = append(s.spikeMon, m)
	return m, nil
}

func (m *SpikeMonitor) record(k int64) error {
	trials := m.sim.cfg.Trials
	for tr := 0; tr < trials; tr++ {
		for _, i := range m.sim.TrialSpikes(m.Pop, tr) {
			if m.keep != nil && !m.keep[i] {
				continue
			}
			if m.sim.monUsed+16 > m.sim.cfg.MonitorBytes {
				return fmt.Errorf("network: spike monitor on %s reached SimConfig.MonitorBytes = %d bytes at step %d; raise it, record fewer neurons, or write and clear the monitor between runs", m.Pop.Name(), m.sim.cfg.MonitorBytes, k)
			}
			m.Index = append(m.Index, i)
			m.Step = append(m.Step, k)
			if trials > 1 {
				m.Trial = append(m.Trial, int32(tr))
			}
			m.sim.monUsed += 16
		}
	}
	return nil
}

// TimesMS returns the recorded spike times in ms.
func (m *SpikeMonitor) TimesMS() []float64 {
	out := make([]float64, len(m.Step))
	for q, k := range m.Step {
		out[q] = float64(k) * m.dt
	}
	return out
}

// Clear drops the recorded spikes (after writing them, in a long run).
func (m *SpikeMonitor) Clear() {
	m.sim.monUsed -= int64(16 * len(m.Step))
	m.Index, m.Step, m.Trial = m.Index[:0], m.Step[:0], m.Trial[:0]
}

// WriteCSV writes the spikes to path atomically as CSV with the header
// "index,step,t_ms" ("trial,index,step,t_ms" when several trials ran;
// docs/SIMULATED_TIME.md, "Monitor files").
func (m *SpikeMonitor) WriteCSV(path string) error {
	var b bytes.Buffer
	b.WriteString(m.header())
	m.rows(&b)
	return runfiles.WriteFileAtomic(path, b.Bytes())
}

// AppendCSV appends the recorded spikes to path (creating it with the
// header), syncs it, and clears the monitor: a long run writes its spikes
// incrementally with bounded memory.
func (m *SpikeMonitor) AppendCSV(path string) error {
	var b bytes.Buffer
	m.rows(&b)
	if err := appendSynced(path, m.header(), b.Bytes()); err != nil {
		return err
	}
	m.Clear()
	return nil
}

func (m *SpikeMonitor) header() string {
	if m.Trial != nil {
		return "trial,index,step,t_ms\n"
	}
	return "index,step,t_ms\n"
}

func (m *SpikeMonitor) rows(b *bytes.Buffer) {
	for q := range m.Step {
		if m.Trial != nil {
			b.WriteString(strconv.Itoa(int(m.Trial[q])))
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(int(m.Index[q])))
		b.WriteByte(',')
		b.WriteString(strconv.FormatInt(m.Step[q], 10))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(float64(m.Step[q])*m.dt, 'g', -1, 64))
		b.WriteByte('\n')
	}
}

// StateMonitor records one variable of chosen neurons, synapses or a
// neuromodulator every Every steps, at the end of the step (after
// plasticity): Values[r·len(Indices) + q] is Indices[q]'s value at Steps[r].
type StateMonitor struct {
	// Source names what is recorded: a population, projection or
	// neuromodulator name, and Var the variable.
	Source, Var string
	Indices     []int
	Every       int64
	Steps       []int64
	Values      []float32
	dt          float64
	read        func(i int, k int64) float64
	// Labels, when set, name the columns of the CSV instead of
	// "<Var>[<index>]" (e.g. a model file's own synapse numbers).
	Labels []string
	// prepare, when set, fetches the values to read (the dense engine's
	// download); target is what MonitorState was given.
	prepare func()
	target  any
	sim     *Sim
}

// MonitorState records variable v of target every everyMS (a multiple of
// dt; 0 means every step) at the given indices. target is a population
// (variables: its Vars, e.g. "V" for LIF, "v", "u" for Izhikevich), a
// *synapse.Projection ("w", "c", "apre", "apost"; indices are synapse
// positions, see Projection.Index) or a *neuromod.Concentration ("d";
// index 0).
func (s *Sim) MonitorState(target any, v string, indices []int, everyMS float64) (*StateMonitor, error) {
	every := int64(1)
	if everyMS != 0 {
		e, err := stepsOf("network: state monitor interval", everyMS, s.cfg.DT)
		if err != nil {
			return nil, err
		}
		if e < 1 {
			return nil, fmt.Errorf("network: state monitor interval %v ms is shorter than one step", everyMS)
		}
		every = e
	}
	if len(indices) == 0 {
		return nil, fmt.Errorf("network: state monitor of %q records no index; name the neurons or synapses to record", v)
	}
	if s.frozen {
		return nil, fmt.Errorf("network: state monitor of %q added after the simulation started; add monitors before the first Run", v)
	}
	m := &StateMonitor{Var: v, Indices: append([]int(nil), indices...), Every: every, dt: s.cfg.DT, sim: s, target: target}
	check := func(n int, what string) error {
		for _, i := range indices {
			if i < 0 || i >= n {
				return fmt.Errorf("network: state monitor of %s.%s: index %d outside its %d %s", m.Source, v, i, n, what)
			}
		}
		return nil
	}
	switch t := target.(type) {
	case Neurons:
		if t.base().sim != s {
			return nil, fmt.Errorf("network: state monitor: population %s belongs to another simulation", t.Name())
		}
		m.Source = t.Name()
		vals, ok := t.state()[v]
		if !ok || v == "lastspike" {
			return nil, fmt.Errorf("network: population %s (%s) has no variable %q to record (it has %v)", t.Name(), t.Model(), v, t.Vars())
		}
		if err := check(t.Size(), "neurons"); err != nil {
			return nil, err
		}
		m.read = func(i int, k int64) float64 { return vals[i] }
	case *synapse.Projection:
		m.Source = t.Name
		if err := check(t.Len(), "synapses"); err != nil {
			return nil, err
		}
		switch v {
		case "w":
			m.read = func(i int, k int64) float64 { return float64(t.W[i]) }
		case "c", "apre", "apost":
			if t.Plasticity == nil {
				return nil, fmt.Errorf("network: projection %s is static; it has no %q (only w)", t.Name, v)
			}
			if v == "c" && t.C == nil {
				return nil, fmt.Errorf("network: projection %s is not modulated; it has no eligibility c", t.Name)
			}
			switch v {
			case "c":
				m.read = func(i int, k int64) float64 { return float64(t.ReadC(i, k)) }
			case "apre":
				m.read = func(i int, k int64) float64 { return float64(t.ReadAPre(i, k)) }
			default:
				m.read = func(i int, k int64) float64 { return float64(t.ReadAPost(i, k)) }
			}
		default:
			return nil, fmt.Errorf("network: projection %s has no variable %q (w, c, apre, apost)", t.Name, v)
		}
	case *neuromod.Concentration:
		m.Source = t.Name
		if v != "d" {
			return nil, fmt.Errorf("network: neuromodulator %s has one variable, d, not %q", t.Name, v)
		}
		if err := check(1, "channel"); err != nil {
			return nil, err
		}
		m.read = func(i int, k int64) float64 { return t.At(k) }
	default:
		return nil, fmt.Errorf("network: cannot monitor a %T (use a population, a *synapse.Projection or a *neuromod.Concentration)", target)
	}
	s.stateMon = append(s.stateMon, m)
	return m, nil
}

// rowsIn counts the recording steps of m in [from, from+n).
func (m *StateMonitor) rowsIn(from, n int64) int64 {
	if n <= 0 {
		return 0
	}
	first := (from + m.Every - 1) / m.Every
	last := (from + n - 1) / m.Every
	return last - first + 1
}

// checkMonitorBudget refuses a run whose state monitors would pass the
// memory limit, and reserves their storage so recording never allocates.
func (s *Sim) checkMonitorBudget(n int64) error {
	need := s.monUsed
	for _, m := range s.stateMon {
		need += m.rowsIn(s.step, n) * int64(8+4*len(m.Indices))
	}
	if need > s.cfg.MonitorBytes {
		return fmt.Errorf("network: running %d steps would make the state monitors hold %d bytes, over SimConfig.MonitorBytes = %d; record fewer indices, a longer interval, or run in shorter pieces writing and clearing the monitors", n, need, s.cfg.MonitorBytes)
	}
	for _, m := range s.stateMon {
		rows := int(m.rowsIn(s.step, n))
		m.Steps = growCap(m.Steps, rows)
		m.Values = growCap(m.Values, rows*len(m.Indices))
	}
	return nil
}

func growCap[T any](x []T, more int) []T {
	if cap(x)-len(x) >= more {
		return x
	}
	y := make([]T, len(x), len(x)+more)
	copy(y, x)
	return y
}

func (m *StateMonitor) record(k int64) {
	if k%m.Every != 0 {
		return
	}
	if m.prepare != nil {
		m.prepare()
	}
	m.Steps = append(m.Steps, k)
	for _, i := range m.Indices {
		m.Values = append(m.Values, float32(m.read(i, k)))
	}
	m.sim.monUsed += int64(8 + 4*len(m.Indices))
}

// Rows is the number of recorded steps.
func (m *StateMonitor) Rows() int { return len(m.Steps) }

// Trace returns the recorded values of Indices[q], one per recorded step.
func (m *StateMonitor) Trace(q int) []float32 {
	out := make([]float32, len(m.Steps))
	for r := range out {
		out[r] = m.Values[r*len(m.Indices)+q]
	}
	return out
}

// Clear drops the recorded rows.
func (m *StateMonitor) Clear() {
	m.sim.monUsed -= int64(len(m.Steps) * (8 + 4*len(m.Indices)))
	m.Steps, m.Values = m.Steps[:0], m.Values[:0]
}

// WriteCSV writes the recording to path atomically as CSV: a header
// "step,t_ms,<Var>[<i>]…" and one row per recorded step.
func (m *StateMonitor) WriteCSV(path string) error {
	var b bytes.Buffer
	b.WriteString(m.header())
	m.rows(&b)
	return runfiles.WriteFileAtomic(path, b.Bytes())
}

// AppendCSV appends the recorded rows to path (creating it with the
// header), syncs it, and clears the monitor.
func (m *StateMonitor) AppendCSV(path string) error {
	var b bytes.Buffer
	m.rows(&b)
	if err := appendSynced(path, m.header(), b.Bytes()); err != nil {
		return err
	}
	m.Clear()
	return nil
}

func (m *StateMonitor) header() string {
	var b bytes.Buffer
	b.WriteString("step,t_ms")
	for q, i := range m.Indices {
		if q < len(m.Labels) {
			b.WriteString("," + m.Labels[q])
			continue
		}
		fmt.Fprintf(&b, ",%s[%d]", m.Var, i)
	}
	b.WriteByte('\n')
	return b.String()
}

func (m *StateMonitor) rows(b *bytes.Buffer) {
	n := len(m.Indices)
	for r, k := range m.Steps {
		b.WriteString(strconv.FormatInt(k, 10))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(float64(k)*m.dt, 'g', -1, 64))
		for q := 0; q < n; q++ {
			b.WriteByte(',')
			b.WriteString(strconv.FormatFloat(float64(m.Values[r*n+q]), 'g', -1, 32))
		}
		b.WriteByte('\n')
	}
}

// appendSynced appends data to path, writing header first when the file is
// new or empty, and syncs it.
func appendSynced(path, header string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err == nil && st.Size() == 0 {
		_, err = f.WriteString(header)
	}
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("network: appending to %s: %w", path, err)
	}
	return nil
}
