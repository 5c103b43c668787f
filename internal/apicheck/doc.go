// Package apicheck holds a test that keeps ghlsim's exported API free of
// internal types: no exported function, method, variable, constant, struct
// field or type of a public ghlsim package may mention a type from an
// internal package (ghlsim/internal/..., or any path with an "internal"
// element), since a user of the package can neither name nor construct it.
// The package has no code of its own; run the check with
//
//	go test ghlsim/internal/apicheck
package apicheck
