package torch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// ShimName is the file name of the compiled shim.
const ShimName = "libghl_shim.so"

// abiVersion is the GHL_SHIM_ABI of shim/ghl_shim.h this package calls.
const abiVersion = 3 // 2: data-parallel collectives (ghl_dist_*, dist.go); 3: a given competition output y in ghl_oja_swta and ghl_backward_weight_hebb

// BuildCommand is the command that builds the shim, quoted in errors.
const BuildCommand = "make -C backends/torch shim (or: sh backends/torch/shim/build.sh; needs libtorch: apt-get install libtorch-dev, or a pip PyTorch)"

// ErrUnavailable is wrapped by every error that says the shim or libtorch
// could not be loaded.
var ErrUnavailable = errors.New("torch backend unavailable")

// symbols holds the shim's entry points.
type symbols struct {
	abiVersion, freeError, version                          uintptr
	deviceOpen, deviceClose, deviceName, deviceDescribe     uintptr
	deviceSync, setNumThreads, getNumThreads                uintptr
	tensorAlloc, tensorFree, tensorView, upload, download   uintptr
	fill, copy, add, mul, axpy, sign, maxabs                uintptr
	conv2d, conv2dBackwardData, conv2dBackwardWeight        uintptr
	linear, linearBackwardData, linearBackwardWeight        uintptr
	maxpool, maxpoolBackward, avgpool, avgpoolBackward      uintptr
	batchnorm, batchnormBackward                            uintptr
	activation, activationBackward, dropout, softmaxXent    uintptr
	ojaSWTA, backwardWeightHebb, modulatedUpdate, sgd, adam uintptr
}

func (s *symbols) table() []struct {
	name string
	p    *uintptr
} {
	return []struct {
		name string
		p    *uintptr
	}{
		{"ghl_abi_version", &s.abiVersion}, {"ghl_free_error", &s.freeError}, {"ghl_version", &s.version},
		{"ghl_device_open", &s.deviceOpen}, {"ghl_device_close", &s.deviceClose},
		{"ghl_device_name", &s.deviceName}, {"ghl_device_describe", &s.deviceDescribe},
		{"ghl_device_sync", &s.deviceSync}, {"ghl_set_num_threads", &s.setNumThreads},
		{"ghl_get_num_threads", &s.getNumThreads},
		{"ghl_tensor_alloc", &s.tensorAlloc}, {"ghl_tensor_free", &s.tensorFree},
		{"ghl_tensor_view", &s.tensorView}, {"ghl_tensor_upload", &s.upload},
		{"ghl_tensor_download", &s.download},
		{"ghl_fill", &s.fill}, {"ghl_copy", &s.copy}, {"ghl_add", &s.add}, {"ghl_mul", &s.mul},
		{"ghl_axpy", &s.axpy}, {"ghl_sign", &s.sign}, {"ghl_maxabs", &s.maxabs},
		{"ghl_conv2d", &s.conv2d}, {"ghl_conv2d_backward_data", &s.conv2dBackwardData},
		{"ghl_conv2d_backward_weight", &s.conv2dBackwardWeight},
		{"ghl_linear", &s.linear}, {"ghl_linear_backward_data", &s.linearBackwardData},
		{"ghl_linear_backward_weight", &s.linearBackwardWeight},
		{"ghl_maxpool2d", &s.maxpool}, {"ghl_maxpool2d_backward", &s.maxpoolBackward},
		{"ghl_avgpool2d", &s.avgpool}, {"ghl_avgpool2d_backward", &s.avgpoolBackward},
		{"ghl_batchnorm", &s.batchnorm}, {"ghl_batchnorm_backward", &s.batchnormBackward},
		{"ghl_activation", &s.activation}, {"ghl_activation_backward", &s.activationBackward},
		{"ghl_dropout", &s.dropout}, {"ghl_softmax_xent", &s.softmaxXent},
		{"ghl_oja_swta", &s.ojaSWTA}, {"ghl_backward_weight_hebb", &s.backwardWeightHebb},
		{"ghl_modulated_update", &s.modulatedUpdate}, {"ghl_sgd", &s.sgd}, {"ghl_adam", &s.adam},
	}
}

var (
	libOnce sync.Once
	libSyms *symbols
	libPath string
	libErr  error
)

// library loads the shim once per process and returns its symbols.
func library() (*symbols, error) {
	libOnce.Do(func() { libSyms, libPath, libErr = load() })
	return libSyms, libErr
}

// ShimPath is the path the shim was loaded from ("" before the first
// successful New).
func ShimPath() string {
	if _, err := library(); err != nil {
		return ""
	}
	return libPath
}

// candidates lists where the shim may be, in search order.
func candidates() []string {
	if p := os.Getenv("GHLSIM_SHIM"); p != "" {
		return []string{p}
	}
	var out []string
	if exe, err := os.Executable(); err == nil {
		out = append(out, filepath.Join(filepath.Dir(exe), ShimName))
	}
	rel := filepath.Join("backends", "torch", "shim", "build", ShimName)
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		out = append(out, filepath.Join(filepath.Dir(file), "shim", "build", ShimName))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			out = append(out, filepath.Join(d, rel))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return out
}

func load() (*symbols, string, error) {
	cands := candidates()
	path := ""
	for _, c := range cands {
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			path = c
			break
		}
	}
	if path == "" {
		where := strings.Join(cands, ", ")
		if os.Getenv("GHLSIM_SHIM") != "" {
			where = "GHLSIM_SHIM=" + where
		}
		return nil, "", fmt.Errorf("%w: %s not found (looked at %s): build it with %s, or set GHLSIM_SHIM to its path",
			ErrUnavailable, ShimName, where, BuildCommand)
	}
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return nil, "", fmt.Errorf("%w: cannot load %s: %v (a library it links, such as libtorch.so or libc10.so, is missing or was moved: reinstall libtorch or rebuild with %s)",
			ErrUnavailable, path, err, BuildCommand)
	}
	s := new(symbols)
	for _, e := range s.table() {
		p, err := purego.Dlsym(h, e.name)
		if err != nil {
			return nil, "", fmt.Errorf("%w: %s lacks %s (an older shim): rebuild it with %s", ErrUnavailable, path, e.name, BuildCommand)
		}
		*e.p = p
	}
	var v int64
	if st := callRaw(s.abiVersion, uintptr(unsafe.Pointer(&v)), 0); st != 0 || v != abiVersion {
		return nil, "", fmt.Errorf("%w: %s has ABI version %d, this program needs %d: rebuild it with %s", ErrUnavailable, path, v, abiVersion, BuildCommand)
	}
	return s, path, nil
}
