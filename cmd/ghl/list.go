package main

import (
	"fmt"

	"ghlsim/backends"
	"ghlsim/experiments"
	"ghlsim/network"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

func cmdList(args []string) error {
	fmt.Println("datasets:")
	for _, d := range []string{"mnist", "fashion-mnist", "cifar10", "cifar100", "imagefolder", "synthetic"} {
		fmt.Printf("  %s\n", d)
	}
	fmt.Println("architectures:")
	for _, a := range network.ArchNames() {
		fmt.Printf("  %-12s %s\n", a, network.ArchSummary(a))
	}
	fmt.Println("rules:")
	for _, r := range synapse.RuleNames() {
		fmt.Printf("  %-12s %s\n", r, synapse.RuleSummary(r))
	}
	fmt.Println("modulator sources:")
	for _, s := range neuromod.Names() {
		fmt.Printf("  %-12s %s\n", s, neuromod.Summary(s))
	}
	fmt.Println("neuron models (simulated time, network.Sim):")
	for _, m := range network.NeuronModels() {
		fmt.Printf("  %-12s %s\n", m.Name, m.Summary)
	}
	fmt.Println("experiments (ghl run NAME --budget smoke|cpu|full):")
	for _, e := range experiments.SpecNames() {
		sp, _ := experiments.Lookup(e)
		fmt.Printf("  %-13s %s\n", e, sp.Title)
	}
	fmt.Println("backends:")
	for _, b := range backends.Names() {
		fmt.Printf("  %s\n", b)
	}
	return nil
}
