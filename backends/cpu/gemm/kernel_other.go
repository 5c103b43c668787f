//go:build !amd64 || purego

package gemm

// supportedPaths is only the portable path: no assembly is built for this
// architecture or with the purego tag.
func supportedPaths() []kernelPath { return []kernelPath{genericPath} }
