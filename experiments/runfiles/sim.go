package runfiles

// Files of a simulated-time run directory (the cells of `ghl run
// distal-reward`), beside config.json:
//
//	sim.jsonl           one SimChunk per simulated chunk, appended and synced as each chunk ends
//	sim.ckpt            the network.Sim checkpoint (atomic; every few chunks, at the end and on Ctrl-C)
//	result.json         SimResult, written when the run has finished
//	monitors/spikes.csv spike-monitor excerpt (SpikeMonitor.WriteCSV: index,step,t_ms)
//	monitors/<var>.csv  state-monitor excerpts (StateMonitor.WriteCSV: step,t_ms,<var>[i]…), e.g. d.csv
//	monitors/excerpt.json MonitorExcerpt: which simulated window the monitor files hold
const (
	SimRecordsFile    = "sim.jsonl"
	SimCheckpointFile = "sim.ckpt"
	MonitorsDir       = "monitors"
	SpikesCSV         = "spikes.csv"
	ExcerptFile       = "excerpt.json"
)

// SimChunk is one line of sim.jsonl: the state of a distal-reward
// simulation at the end of one chunk of simulated time. Weights are in mV
// (the Izhikevich model's input unit); "excitatory synapses" are all
// synapses of the plastic excitatory projection, the rewarded one included.
type SimChunk struct {
	Chunk            int     `json:"chunk"`              // 1-based; 0 is the initial state at t = 0
	TimeS            float64 `json:"t_s"`                // simulated time at the end of the chunk
	RewardedWeightMV float64 `json:"rewarded_weight_mv"` // the chosen synapse n1→n2
	MeanExcWeightMV  float64 `json:"mean_exc_weight_mv"` // mean over all excitatory synapses
	P99ExcWeightMV   float64 `json:"p99_exc_weight_mv"`  // 99th percentile (nearest rank)
	MaxExcWeightMV   float64 `json:"max_exc_weight_mv"`
	// RewardedRank is 1 + the number of excitatory synapses strictly
	// stronger than the rewarded one (1 = the strongest, ties included);
	// RewardedTies counts the other synapses of exactly its weight.
	RewardedRank int `json:"rewarded_rank"`
	RewardedTies int `json:"rewarded_ties"`
	// AtMax counts the excitatory synapses at the upper weight bound.
	AtMax    int     `json:"at_max"`
	Rewards  int     `json:"rewards"`  // rewards scheduled so far (coincidences n1 → n2)
	Releases int64   `json:"releases"` // dopamine releases applied so far
	Spikes   int64   `json:"spikes"`   // spikes emitted during this chunk
	RateHz   float64 `json:"rate_hz"`  // mean firing rate over the chunk
	WallS    float64 `json:"wall_s"`   // wall time of the chunk (not reproducible)
}

// SimMark is the rewarded synapse at one simulated time (the 10-minute
// marks of a distal-reward run).
type SimMark struct {
	TimeS            float64 `json:"t_s"`
	RewardedWeightMV float64 `json:"rewarded_weight_mv"`
	RewardedRank     int     `json:"rewarded_rank"`
	MeanExcWeightMV  float64 `json:"mean_exc_weight_mv"`
	Rewards          int     `json:"rewards"`
}

// SimResult is result.json of a finished distal-reward cell and one entry
// of table.json's "seeds".
type SimResult struct {
	Seed             int     `json:"seed"`
	Cell             string  `json:"cell,omitempty"` // the cell directory, relative to the experiment run (table.json only)
	SimulatedS       float64 `json:"simulated_s"`
	RewardedWeightMV float64 `json:"rewarded_weight_mv"`
	MeanExcWeightMV  float64 `json:"mean_exc_weight_mv"`
	P99ExcWeightMV   float64 `json:"p99_exc_weight_mv"`
	// RewardedRank is the rewarded synapse's rank among ExcSynapses
	// excitatory synapses (1 = strongest; ties share the best rank) and
	// RewardedTies the number of other synapses of exactly its weight.
	RewardedRank int `json:"rewarded_rank"`
	RewardedTies int `json:"rewarded_ties"`
	ExcSynapses  int `json:"exc_synapses"`
	AtMax        int `json:"at_max"` // excitatory synapses at the upper bound at the end
	Rewards      int `json:"rewards"`
	// First4mVS is the simulated time (s) at which the rewarded synapse
	// first reached 4 mV, null when it never did.
	First4mVS *float64  `json:"first_4mv_s"`
	Spikes    int64     `json:"spikes"`
	Marks     []SimMark `json:"marks"`   // every 10 simulated minutes
	Seconds   float64   `json:"seconds"` // wall time of the cell
}

// MonitorExcerpt is monitors/excerpt.json: the simulated windows the
// monitor files of a run hold and what happened in them.
type MonitorExcerpt struct {
	// StateFromS and StateToS bound the state-monitor files (seconds).
	StateFromS float64 `json:"state_from_s"`
	StateToS   float64 `json:"state_to_s"`
	// Chunk is the chunk the state excerpt comes from (1-based) and
	// Quality why it was chosen: 2 = a coincidence n1→n2 and a dopamine
	// release in the chunk, 1 = a release, 0 = neither (the latest chunk).
	Chunk   int    `json:"chunk"`
	Quality int    `json:"quality"`
	Reason  string `json:"reason"`
	// ReleasesS are the dopamine releases in the state window and
	// TriggersS the coincidences n1→n2 that scheduled a reward, in seconds.
	ReleasesS []float64 `json:"releases_s"`
	TriggersS []float64 `json:"triggers_s"`
	// SpikesFromS and SpikesToS bound spikes.csv (0, 0 until written).
	SpikesFromS float64 `json:"spikes_from_s"`
	SpikesToS   float64 `json:"spikes_to_s"`
	// Labels names recorded columns, e.g. "v[0]" → "n1 (pre)".
	Labels map[string]string `json:"labels,omitempty"`
	// Highlight names neurons of the spike raster, e.g. 0 → "n1".
	Highlight map[int]string `json:"highlight,omitempty"`
	// Inhibitory is the first inhibitory neuron (the raster colours them).
	Inhibitory int `json:"inhibitory"`
}
