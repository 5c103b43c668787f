// Command distal_reward runs Izhikevich's (2007) distal-reward experiment:
// 1000 spiking neurons, 80,000 plastic synapses, and a dopamine pulse 1–3 s
// after each coincidence of one chosen synapse. Does the reward find the
// synapse that caused it? Run it with
//
//	go run ./examples/distal_reward            # 10 simulated minutes
//	GHLSIM_SMOKE=1 go run ./examples/distal_reward   # 20 simulated seconds
package main

import (
	"fmt"
	"os"
	"sort"

	"ghlsim/network"
)

func main() {
	minutes := 10.0
	if os.Getenv("GHLSIM_SMOKE") == "1" {
		minutes = 1.0 / 3
	}
	model, err := network.NewDistalReward(network.DefaultDistalReward())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	da, err := model.Sim.MonitorState(model.Dopamine, "d", []int{0}, 10) // dopamine every 10 ms
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := model.Exc.W
	for m := 1; float64(m) <= minutes*6; m++ { // report every 10 simulated seconds
		if err := model.Sim.RunFor(10_000); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		sorted := append([]float32(nil), w...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i] > sorted[j] })
		var mean float64
		for _, v := range w {
			mean += float64(v)
		}
		rank := sort.Search(len(sorted), func(i int) bool { return sorted[i] <= w[model.Rewarded] }) + 1
		fmt.Printf("t = %4.0f s  rewarded synapse %.3f mV (rank %d of %d)  mean %.3f mV  rewards %d\n",
			model.Sim.TimeMS()/1000, w[model.Rewarded], rank, len(w), mean/float64(len(w)), model.Rewards())
	}
	if err := da.WriteCSV("dopamine.csv"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("dopamine trace: dopamine.csv")
}
