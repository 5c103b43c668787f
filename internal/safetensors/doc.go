// Package safetensors reads and writes the safetensors format
// (https://huggingface.co/docs/safetensors) for float32 tensors: an 8-byte
// little-endian header length, a JSON header mapping each tensor name to its
// dtype, shape and byte offsets (plus an optional "__metadata__" string map),
// then the raw little-endian data. Files written here load with
// safetensors.torch.load_file and numpy.
package safetensors
