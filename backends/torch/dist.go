package torch

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"github.com/ebitengine/purego"

	"ghlsim/backends"
)

// DefaultDistTimeout bounds the rendezvous and every collective when
// DistConfig.Timeout is zero (torch.distributed's default).
const DefaultDistTimeout = 30 * time.Minute

// Host dtypes of ghl_dist_allreduce_host (shim/ghl_shim.h).
const (
	dtypeF32 = 0
	dtypeI8  = 2
	dtypeF64 = 3
)

// DistConfig says how one worker joins a data-parallel process group
// (torch.distributed's env:// initialisation: MASTER_ADDR, MASTER_PORT, RANK,
// WORLD_SIZE).
type DistConfig struct {
	// Backend is the c10d process group: "gloo" (CPU, TCP; the default) or
	// "nccl" (CUDA tensors; needs Device on CUDA and a shim built with NCCL).
	Backend string
	// Addr is the host of rank 0's TCPStore (MASTER_ADDR), e.g. "127.0.0.1".
	Addr string
	// Port is the TCPStore's port (MASTER_PORT), 1..65535.
	Port int
	// Rank is this worker's index in [0, World).
	Rank int
	// World is the number of workers (WORLD_SIZE), ≥ 1.
	World int
	// Timeout bounds the rendezvous and every collective (0 =
	// DefaultDistTimeout).
	Timeout time.Duration
	// Device is the torch backend whose CUDA device NCCL runs on (nccl
	// only; nil for gloo).
	Device *Backend
}

// distSymbols are the shim's data-parallelism entry points (ABI ≥ 2).
type distSymbols struct {
	features, init, destroy, rankSize, allreduce, vote, allreduceHost, barrier uintptr
}

var (
	distOnce sync.Once
	distSyms *distSymbols
	distErr  error
)

// distLibrary resolves the ghl_dist_* symbols of the loaded shim.
func distLibrary() (*symbols, *distSymbols, error) {
	lib, err := library()
	if err != nil {
		return nil, nil, err
	}
	distOnce.Do(func() {
		h, err := purego.Dlopen(libPath, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err != nil {
			distErr = fmt.Errorf("%w: cannot reopen %s: %v", ErrUnavailable, libPath, err)
			return
		}
		s := new(distSymbols)
		for _, e := range []struct {
			name string
			p    *uintptr
		}{
			{"ghl_dist_features", &s.features}, {"ghl_dist_init", &s.init},
			{"ghl_dist_destroy", &s.destroy}, {"ghl_dist_rank_size", &s.rankSize},
			{"ghl_dist_allreduce", &s.allreduce}, {"ghl_dist_vote", &s.vote},
			{"ghl_dist_allreduce_host", &s.allreduceHost}, {"ghl_dist_barrier", &s.barrier},
		} {
			if *e.p, err = purego.Dlsym(h, e.name); err != nil {
				distErr = fmt.Errorf("%w: %s lacks %s (an older shim): rebuild it with %s", ErrUnavailable, libPath, e.name, BuildCommand)
				return
			}
		}
		distSyms = s
	})
	return lib, distSyms, distErr
}

// DistFeatures lists the collective backends the loaded shim was compiled
// with ("gloo", "gloo,nccl", or "" when the gloo headers were missing at
// build time). The error wraps ErrUnavailable when the shim cannot be loaded.
func DistFeatures() (string, error) {
	lib, ds, err := distLibrary()
	if err != nil {
		return "", err
	}
	var buf [64]byte
	var e uintptr
	if st := callRaw(ds.features, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), uintptr(unsafe.Pointer(&e))); st != 0 {
		return "", fmt.Errorf("torch: %s", takeError(lib, &e))
	}
	return cString(buf[:]), nil
}

// Dist is one worker's membership in a torch.distributed process group: the
// collectives data-parallel training needs (it implements network.Reducer).
// Torch tensors are reduced where they live (one collective over their
// concatenation); tensors of other backends (cpu) are copied into a host
// buffer, reduced there through a torch CPU tensor that wraps it, and
// copied back — two host copies of the payload per collective. A Dist is
// safe for use by one goroutine at a time (calls are serialised).
type Dist struct {
	lib         *symbols
	ds          *distSymbols
	mu          sync.Mutex
	h           uintptr // ghl_dist*; 0 once closed
	rank, world int
	backend     string

	err     uintptr   // char* error slot
	handles []uintptr // tensor handles of the current call
	keep    []*Tensor // keeps those handles alive
	f32     []float32 // host staging for non-torch tensors
	i8      []int8    // host votes for non-torch tensors
}

// NewDist joins the process group cfg describes: rank 0 starts a TCPStore
// on cfg.Port, every rank connects to cfg.Addr:cfg.Port, and all create the
// process group together, so NewDist returns on each rank once all World
// ranks have called it (or fails after the timeout).
func NewDist(cfg DistConfig) (*Dist, error) {
	lib, ds, err := distLibrary()
	if err != nil {
		return nil, err
	}
	if cfg.Backend == "" {
		cfg.Backend = "gloo"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultDistTimeout
	}
	if cfg.World < 1 || cfg.Rank < 0 || cfg.Rank >= cfg.World {
		return nil, fmt.Errorf("torch: rank %d of world size %d is impossible: set RANK in [0, WORLD_SIZE)", cfg.Rank, cfg.World)
	}
	if cfg.Addr == "" || cfg.Port <= 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("torch: rendezvous address %q port %d: set MASTER_ADDR to rank 0's host and MASTER_PORT to a free port", cfg.Addr, cfg.Port)
	}
	var dev uintptr
	if cfg.Device != nil {
		dev = cfg.Device.dev
	}
	be := append([]byte(cfg.Backend), 0)
	host := append([]byte(cfg.Addr), 0)
	d := &Dist{lib: lib, ds: ds, rank: cfg.Rank, world: cfg.World, backend: cfg.Backend}
	var out uintptr
	st := callRaw(ds.init, uintptr(unsafe.Pointer(&be[0])), uintptr(unsafe.Pointer(&host[0])),
		uintptr(cfg.Port), uintptr(cfg.Rank), uintptr(cfg.World), uintptr(cfg.Timeout.Milliseconds()),
		dev, uintptr(unsafe.Pointer(&out)), uintptr(unsafe.Pointer(&d.err)))
	if cfg.Device != nil {
		runtime.KeepAlive(cfg.Device)
	}
	if st != 0 {
		return nil, fmt.Errorf("torch: joining the %s process group as rank %d of %d at %s:%d: %s",
			cfg.Backend, cfg.Rank, cfg.World, cfg.Addr, cfg.Port, takeError(lib, &d.err))
	}
	d.h = out
	var r, w int64
	if st := callRaw(ds.rankSize, d.h, uintptr(unsafe.Pointer(&r)), uintptr(unsafe.Pointer(&w)), uintptr(unsafe.Pointer(&d.err))); st != 0 || int(r) != cfg.Rank || int(w) != cfg.World {
		msg := "rank/size mismatch"
		if st != 0 {
			msg = takeError(lib, &d.err)
		}
		d.Close()
		return nil, fmt.Errorf("torch: process group: %s", msg)
	}
	return d, nil
}

// Rank is this worker's index in [0, Size()).
func (d *Dist) Rank() int { return d.rank }

// Size is the number of workers.
func (d *Dist) Size() int { return d.world }

// Backend is the c10d process group kind, "gloo" or "nccl".
func (d *Dist) Backend() string { return d.backend }

// ErrDistClosed is returned by collectives on a closed Dist.
var ErrDistClosed = errors.New("torch: process group used after Close")

// AllReduce replaces every tensor by its elementwise sum over all workers,
// as one collective. Every worker must pass tensors of the same lengths in
// the same order.
func (d *Dist) AllReduce(ts []backends.Tensor) error { return d.reduce("all-reduce", ts, false) }

// Vote is the majority vote: every worker contributes sign(t) as one int8
// per element, the votes are summed in one collective, and each t becomes
// sign(Σ votes) ∈ {−1, 0, +1} (a tie gives 0). At most 127 workers.
func (d *Dist) Vote(ts []backends.Tensor) error { return d.reduce("vote", ts, true) }

// AllReduceFloat64 sums a host buffer over all workers, in place.
func (d *Dist) AllReduceFloat64(buf []float64) error {
	if len(buf) == 0 {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.h == 0 {
		return ErrDistClosed
	}
	return d.check("all-reduce", callRaw(d.ds.allreduceHost, d.h, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), dtypeF64, uintptr(unsafe.Pointer(&d.err))))
}

// Barrier returns once every worker has called it.
func (d *Dist) Barrier() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.h == 0 {
		return ErrDistClosed
	}
	return d.check("barrier", callRaw(d.ds.barrier, d.h, uintptr(unsafe.Pointer(&d.err))))
}

// Close leaves the process group. Collectives afterwards return
// ErrDistClosed; closing twice is a no-op.
func (d *Dist) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.h == 0 {
		return nil
	}
	st := callRaw(d.ds.destroy, d.h, uintptr(unsafe.Pointer(&d.err)))
	d.h = 0
	return d.check("close", st)
}

// check turns a shim status into an error naming the collective.
func (d *Dist) check(op string, st int32) error {
	if st == 0 {
		return nil
	}
	return fmt.Errorf("torch: %s on rank %d of %d (%s): %s (another worker failed or was stopped? its own message says why)",
		op, d.rank, d.world, d.backend, takeError(d.lib, &d.err))
}

// reduce runs an all-reduce (vote false) or a majority vote over ts.
func (d *Dist) reduce(op string, ts []backends.Tensor, vote bool) error {
	if len(ts) == 0 {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.h == 0 {
		return ErrDistClosed
	}
	// Device path: every tensor is a torch tensor of one backend.
	var owner *Backend
	onDevice := true
	for _, t := range ts {
		tt, ok := t.(*Tensor)
		if !ok || tt == nil || (owner != nil && tt.owner != owner) {
			onDevice = false
			break
		}
		owner = tt.owner
	}
	if onDevice {
		d.handles, d.keep = d.handles[:0], d.keep[:0]
		for _, t := range ts {
			tt := owner.t(t)
			d.handles = append(d.handles, tt.h)
			d.keep = append(d.keep, tt)
		}
		fn := d.ds.allreduce
		if vote {
			fn = d.ds.vote
		}
		st := callRaw(fn, d.h, uintptr(unsafe.Pointer(&d.handles[0])), uintptr(len(d.handles)), uintptr(unsafe.Pointer(&d.err)))
		runtime.KeepAlive(d.keep)
		clear(d.keep)
		return d.check(op, st)
	}
	// Host path: stage every tensor through host memory.
	total := 0
	for _, t := range ts {
		total += t.Shape().Len()
	}
	if cap(d.f32) < total {
		d.f32 = make([]float32, total)
	}
	host := d.f32[:total]
	off := 0
	for _, t := range ts {
		k := t.Shape().Len()
		t.Backend().Download(host[off:off+k], t)
		off += k
	}
	var st int32
	if vote {
		if d.world > 127 {
			return fmt.Errorf("torch: majority vote sums int8 votes: at most 127 workers, not %d", d.world)
		}
		if cap(d.i8) < total {
			d.i8 = make([]int8, total)
		}
		v := d.i8[:total]
		for i, x := range host {
			v[i] = sign8(x)
		}
		st = callRaw(d.ds.allreduceHost, d.h, uintptr(unsafe.Pointer(&v[0])), uintptr(total), dtypeI8, uintptr(unsafe.Pointer(&d.err)))
		for i, c := range v {
			host[i] = float32(sign8(float32(c)))
		}
	} else {
		st = callRaw(d.ds.allreduceHost, d.h, uintptr(unsafe.Pointer(&host[0])), uintptr(total), dtypeF32, uintptr(unsafe.Pointer(&d.err)))
	}
	if err := d.check(op, st); err != nil {
		return err
	}
	off = 0
	for _, t := range ts {
		k := t.Shape().Len()
		t.Backend().Upload(t, host[off:off+k])
		off += k
	}
	return nil
}

// sign8 is sign(x) as an int8 vote (sign(0) = 0; NaN abstains with 0).
func sign8(x float32) int8 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}
