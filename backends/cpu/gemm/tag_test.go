//go:build !purego

package gemm

// purego reports the purego build tag (no assembly paths).
const purego = false
