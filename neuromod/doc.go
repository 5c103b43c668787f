// Package neuromod is ghlsim's third factor: a Channel broadcasts, once per
// training step, a modulator M to every subscribed synapse group, stamped
// with the step number so that a group reading a stale or missing signal is
// caught (DESIGN.md phase 6). Where M comes from is a Source: the paper's
// per-synapse sign of ∂L/∂W (grad-sign, ALGORITHM.md §2) is one; the others
// exist to ask which property of the third factor makes GHL work. All of
// them plug in behind the same interface without touching the groups.
//
// Sources read only what Inputs offers them for one group at one step: the
// group's weight gradient from the credit phase (Grad, shape of W), the
// per-neuron credit PostGrad[k] = Σ_{b,p} ∂L/∂u_k (shape [K]), the global
// credit, the run seed and the step number.
//
// # What M means
//
// A GHL group applies W ← W − η(|Ĥ| ⊙ M + λW) (ALGORITHM.md §3), so M_kj = +1
// lowers W_kj by η|Ĥ_kj| (depression), M_kj = −1 raises it (potentiation)
// and M_kj = 0 leaves only the weight decay −ηλW_kj. Every source below
// writes M with W's shape; sign(0) = 0 throughout, and a NaN credit stays
// NaN so that the network's numeric checks see it.
//
// # Spec grammar
//
// neuromod.New(b, spec, weightShape) reads:
//
//	spec        = term { "+" term }
//	term        = name [ ":" param ] [ "@" granularity ]
//	granularity = "synapse" | "neuron" | "layer" | "global"
//
// Every term but the last must be a wrapper (flip, delay, every). The last
// term is the base source (grad-sign, fa-sign, dfa-sign, random, constant);
// when the last term is a wrapper too, the base is DefaultBase, grad-sign.
// Wrappers apply outermost first, like function composition:
// "delay:4+flip:0.1+grad-sign" is delay(flip(grad-sign)), i.e. at step t it
// delivers the flipped sign computed at step t−4. A granularity belongs to
// the base and only gradient-based bases (Granular: grad-sign, fa-sign,
// dfa-sign) accept one other than @synapse. Spaces around terms are ignored.
// Source.Name is the canonical spec: the base made explicit, "@synapse"
// dropped, e.g. "flip:0.1" → "flip:0.1+grad-sign". Examples:
//
//	grad-sign                  the paper: sign(∂L/∂W) per synapse
//	grad-sign@neuron           one sign per post-synaptic neuron
//	flip:0.1                   the paper's sign with 10 % of synapses negated per step
//	delay:4+flip:0.1           delay(flip(grad-sign)): a 4-step-old, 10 %-flipped sign
//	every:8+fa-sign@layer      the feedback-alignment layer sign, delivered every 8th step
//	random                     fair coin per synapse and step (no task information)
//	constant                   +1 everywhere (pure depression); constant:-1 pure potentiation
//
// Errors name the offending term: an unknown name, a missing or bad
// parameter (flip p outside [0, 1], delay k < 0, every k < 1), a source
// before a wrapper, a granularity on a wrapper or on a non-gradient base,
// or an unknown granularity.
//
// # Specs as Go values
//
// Every spec string has a typed form, a Spec built by constructors —
// GradSign(g), FASign(g), DFASign(g), Random(), Constant(v) for the bases,
// Flip(p, inner), Delay(k, inner), Every(k, inner) for the wrappers — or
// read by Parse: Delay(4, Flip(0.1, GradSign(PerNeuron))) is
// "delay:4+flip:0.1+grad-sign@neuron", prints as it (String), and makes the
// same sources bit for bit (Spec.New; network.Rules.Source takes one).
// Constructors check their arguments like the grammar; a bad one is carried
// in the Spec and reported by Validate, New and network.Build. A script's
// own source is a value too: Custom(name, f), which composes with the
// wrappers and needs no registry.
//
// The families are one list, builtinSources (sources.go); the package
// registers nothing at init time. Register and RegisterWrapper add a
// program's own families to an explicit extension list consulted after it,
// for spec strings that name them ("flip:0.2+surprise").
//
// # Base sources
//
//   - grad-sign: M = sign(∂L/∂W) from backprop (ALGORITHM.md §2).
//   - fa-sign, dfa-sign: M = sign(Inputs.Grad) where the network fills Grad
//     (and PostGrad) with the weight gradient of feedback alignment or direct
//     feedback alignment; the sources say so through CreditReader (below).
//   - random: M_kj ∈ {−1, +1}, each with probability ½, independently per
//     synapse, step and group; draw i of a group is
//     backends.DropoutKeep(seed′, i, ½) with seed′ derived from (Inputs.Seed,
//     Step, Index), so it is reproducible and identical on every backend
//     and thread count.
//   - constant[:v]: M = v on every synapse (default v = +1). With +1 the
//     update is W ← W − η|Ĥ| − ηλW: every weight's value decreases by its
//     normalised Hebbian magnitude whatever the loss says — pure depression
//     (a negative weight grows in magnitude). constant:-1 is pure
//     potentiation, constant:0 leaves weight decay alone.
//
// # Wrappers
//
//   - flip:p (p ∈ [0, 1]): M = M_inner ⊙ f with f_kj = −1 with probability p
//     and +1 otherwise, drawn independently per synapse, step and group (the
//     same Dropout-based draw as random, on a stream named by the chain).
//     The draws never depend on M_inner, so flip:0 returns M_inner bit for
//     bit, flip:1 returns −M_inner exactly, and a zero stays zero: p is the
//     fraction of nonzero entries whose sign is negated.
//   - delay:k (k ≥ 0): at step t delivers M_inner(t−k); 0 (no plastic change)
//     while t−k precedes the first step the source ran. A ring of k slots
//     in host memory, one byte per synapse each when the inner source
//     declares its values (Valued: every built-in source does — signs are
//     {+0, −1, +1, −0, NaN}, constant:v is {v}, flip adds the negations,
//     every and delay add +0), the byte indexing that set, so delivery is
//     bit for bit what a float32 line would give; 4 bytes (float32) for a
//     source that does not declare them. Slot t mod k holds M_inner(t−k)
//     and receives M_inner(t). Each step downloads M_inner and uploads the
//     delayed M (one device synchronisation). The ring is allocated at the
//     first step, so DelayBytes and CheckDelay can refuse a line too large
//     before it exists. Steps must follow one another; after a gap the line
//     restarts from zeros.
//   - every:k (k ≥ 1): M = M_inner at steps with step % k == 0, and 0
//     otherwise (weight decay still applies). The inner source runs at every
//     step, so an inner delay line keeps advancing.
//
// Wrappers act element by element on the M their inner source delivers,
// whatever its granularity: flip:0.1+grad-sign@neuron negates 10 % of the
// synapses, not 10 % of the neurons.
//
// # Granularity (gradient-based bases only)
//
// W is viewed as [K, F]: K post-synaptic neurons (output channels) by fan-in
// F = C·kh·kw (conv) or inputs (dense). PostGrad[k] = Σ_{b,p} ∂L/∂u_{b,k,p},
// the credit of neuron k summed over batch and positions (the would-be bias
// gradient), filled by the credit path the source asks for.
//
//   - @synapse (default, the paper): M_kj = sign(Grad_kj), one sign per
//     synapse.
//   - @neuron: s_k = sign(PostGrad[k]); M_kj = s_k for every synapse j of
//     row k (the neuron's whole fan-in). Computed on the device: Sign on
//     [K], then one outer product s·1ᵀ (LinearBackwardWeight), exact.
//   - @layer: s = sign(Σ_k PostGrad[k]), one sign for the whole group,
//     M = s everywhere in W. The sum is done on the host in float64, in k
//     order, after downloading PostGrad: one device-to-host copy of K floats
//     (a device synchronisation) per group per step.
//   - @global: s = sign(Inputs.GlobalCredit), where GlobalCredit = Σ over
//     every subscriber g of the channel, in subscription order, of Σ_k
//     PostGrad_g[k], summed in float64 on the host by Channel.Broadcast
//     before any source runs. M = s on every synapse of every group using
//     @global. Cost: the channel downloads every subscriber's PostGrad each
//     step (one synchronisation per group), and only when some source reads
//     the global credit (GlobalCreditReader).
//
// # Credit paths: what the network must do
//
// A source that implements CreditReader asks the credit phase for a
// specific path; CreditOf(src) is BP for the others, and wrappers report
// their base's. For each subscribed group the network fills Inputs.Grad
// (∂L/∂W by that path, W's shape) and Inputs.PostGrad (Σ_{b,p} of the same
// path's δ at the group's output, [K]):
//
//   - BP: ordinary backprop.
//   - FA: the backward pass through each layer uses a fixed random matrix
//     B_l of W_l's shape (drawn once from the run seed, never trained)
//     instead of W_l: δ_{l−1} = (B_lᵀ δ_l) ⊙ f′, with pooling, BN and
//     activations backpropagated as usual; Grad_l = δ_l ⊗ x_{l−1}, computed
//     with the ordinary weight-gradient kernels.
//   - DFA: each hidden layer's δ_l = (D_l e) ⊙ f′(u_l), with e = ∂L/∂logits
//     and D_l a fixed random matrix [size of u_l per sample, classes];
//     Grad_l = δ_l ⊗ x_{l−1}.
//
// The readout keeps its exact gradient under every path (it needs no
// feedback weights).
//
// # State
//
// Sources are made per group and keep state only where the definition
// needs it: delay's ring. HostStateful exposes it (HostStateOf(src)) as live
// host byte slices for checkpoints; all other sources are pure functions of
// Inputs.
// Draws of random and flip depend only on (seed, step, group index), so
// resuming at the right step reproduces them.
package neuromod
