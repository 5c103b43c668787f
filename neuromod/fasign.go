package neuromod

func init() {
	Register("fa-sign", "M = sign(∂L/∂W) with the gradient from feedback alignment (fixed random backward weights); takes @neuron/@layer/@global",
		creditSignFactory("fa-sign", FA))
	Register("dfa-sign", "M = sign(∂L/∂W) with the gradient from direct feedback alignment (output error projected to each layer); takes @neuron/@layer/@global",
		creditSignFactory("dfa-sign", DFA))
}
