package plots

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Spikes is a spike-monitor recording as network.SpikeMonitor.WriteCSV
// writes it (header "index,step,t_ms"): neuron Index[q] spiked at TimeMS[q].
type Spikes struct {
	Index  []int
	TimeMS []float64
}

// StateRecording is a state-monitor recording as
// network.StateMonitor.WriteCSV writes it (header "step,t_ms,<Var>[<i>]…"):
// Values[q][r] is column q (index Indices[q], header Columns[q]) at TimeMS[r].
type StateRecording struct {
	Var     string
	Columns []string
	Indices []int
	TimeMS  []float64
	Values  [][]float64
}

// readCSV reads a whole monitor CSV file, naming it in errors.
func readCSV(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("plots: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = false
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("plots: %s: %w", path, err)
		}
		rows = append(rows, rec)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("plots: %s is empty: a monitor file starts with a header line", path)
	}
	return rows, nil
}

// MonitorKind reads the header of a monitor CSV file and says what it
// holds: "spikes" (a spike monitor) or the recorded variable of a state
// monitor (e.g. "v", "d").
func MonitorKind(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("plots: %w", err)
	}
	defer f.Close()
	head, err := csv.NewReader(f).Read()
	if err != nil {
		return "", fmt.Errorf("plots: %s: no header line: %w", path, err)
	}
	if strings.Join(head, ",") == "index,step,t_ms" {
		return "spikes", nil
	}
	if len(head) >= 3 && head[0] == "step" && head[1] == "t_ms" {
		v, _, ok := strings.Cut(head[2], "[")
		if ok && v != "" {
			return v, nil
		}
	}
	return "", fmt.Errorf("plots: %s is not a monitor file (header %q; want \"index,step,t_ms\" or \"step,t_ms,<var>[<i>]…\")", path, strings.Join(head, ","))
}

// ReadSpikesCSV reads a spike-monitor CSV file.
func ReadSpikesCSV(path string) (Spikes, error) {
	rows, err := readCSV(path)
	if err != nil {
		return Spikes{}, err
	}
	if strings.Join(rows[0], ",") != "index,step,t_ms" {
		return Spikes{}, fmt.Errorf("plots: %s: header %q is not a spike monitor's \"index,step,t_ms\"", path, strings.Join(rows[0], ","))
	}
	var s Spikes
	for i, r := range rows[1:] {
		if len(r) != 3 {
			return Spikes{}, fmt.Errorf("plots: %s line %d: %d fields, want 3", path, i+2, len(r))
		}
		idx, err1 := strconv.Atoi(r[0])
		t, err2 := strconv.ParseFloat(r[2], 64)
		if err1 != nil || err2 != nil || idx < 0 || !finite(t) {
			return Spikes{}, fmt.Errorf("plots: %s line %d: bad spike %q", path, i+2, strings.Join(r, ","))
		}
		s.Index = append(s.Index, idx)
		s.TimeMS = append(s.TimeMS, t)
	}
	return s, nil
}

// ReadStateCSV reads a state-monitor CSV file.
func ReadStateCSV(path string) (StateRecording, error) {
	rows, err := readCSV(path)
	if err != nil {
		return StateRecording{}, err
	}
	head := rows[0]
	if len(head) < 3 || head[0] != "step" || head[1] != "t_ms" {
		return StateRecording{}, fmt.Errorf("plots: %s: header %q is not a state monitor's \"step,t_ms,<var>[<i>]…\"", path, strings.Join(head, ","))
	}
	var rec StateRecording
	for _, h := range head[2:] {
		v, rest, ok := strings.Cut(h, "[")
		idx, err := strconv.Atoi(strings.TrimSuffix(rest, "]"))
		if !ok || !strings.HasSuffix(rest, "]") || err != nil || (rec.Var != "" && v != rec.Var) {
			return StateRecording{}, fmt.Errorf("plots: %s: column %q is not <var>[<index>] of one variable", path, h)
		}
		rec.Var = v
		rec.Columns = append(rec.Columns, h)
		rec.Indices = append(rec.Indices, idx)
	}
	rec.Values = make([][]float64, len(rec.Columns))
	for i, r := range rows[1:] {
		if len(r) != len(head) {
			return StateRecording{}, fmt.Errorf("plots: %s line %d: %d fields, want %d", path, i+2, len(r), len(head))
		}
		t, err := strconv.ParseFloat(r[1], 64)
		if err != nil || !finite(t) {
			return StateRecording{}, fmt.Errorf("plots: %s line %d: bad time %q", path, i+2, r[1])
		}
		rec.TimeMS = append(rec.TimeMS, t)
		for q := range rec.Columns {
			v, err := strconv.ParseFloat(r[q+2], 64)
			if err != nil {
				return StateRecording{}, fmt.Errorf("plots: %s line %d: bad value %q", path, i+2, r[q+2])
			}
			rec.Values[q] = append(rec.Values[q], v)
		}
	}
	return rec, nil
}
